/* Named pipes (mkfifo/mknod S_IFIFO) as Linux's fifo_open() makes them: which opens wait for
 * the other side and which fail, data through the FIFO, fstat and /proc/self/fd of an open
 * end, data dropped with the last close, and a waiting open interrupted by a signal. */
#include "check.h"
#include "proc.h"
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

static char path[96];

static void on_alarm(int sig)
{
	(void)sig;
}

static void basics(void)
{
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO, "a non-blocking writer without a reader gets ENXIO");
	int r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0, "a non-blocking reader opens at once", "errno %d", errno);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0, "with a reader, a non-blocking writer opens", "errno %d", errno);
	char buf[16] = {0};
	CHECK_ERR(read(r, buf, sizeof buf), EAGAIN, "reading an empty FIFO with a writer is EAGAIN");
	CHECK(write(w, "fifo!", 5) == 5, "write to the FIFO", "errno %d", errno);
	CHECK(read(r, buf, sizeof buf) == 5 && memcmp(buf, "fifo!", 5) == 0, "the reader gets the bytes", "'%s'", buf);

	struct stat st, fst;
	CHECK(stat(path, &st) == 0 && fstat(r, &fst) == 0 && S_ISFIFO(fst.st_mode) && fst.st_ino == st.st_ino && fst.st_dev == st.st_dev,
	      "fstat of an open end is the FIFO's inode", "mode 0%o", fst.st_mode);
	CHECK_ERR(lseek(r, 0, SEEK_SET), ESPIPE, "lseek on a FIFO is ESPIPE");
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/self/fd/%d", r);
	ssize_t n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strcmp(target, path) == 0, "/proc/self/fd of an open end names the FIFO", "'%s'", target);

	close(w);
	CHECK(read(r, buf, sizeof buf) == 0, "with every writer gone, read gives end of file", "-");
	close(r);

	/* O_RDWR never waits; the data goes with the last close */
	int rw = open(path, O_RDWR);
	CHECK(rw >= 0, "O_RDWR opens without a peer", "errno %d", errno);
	CHECK(write(rw, "xy", 2) == 2 && read(rw, buf, 1) == 1 && buf[0] == 'x', "one O_RDWR end reads what it wrote", "-");
	close(rw);
	rw = open(path, O_RDWR | O_NONBLOCK);
	CHECK_ERR(read(rw, buf, sizeof buf), EAGAIN, "after the last close the unread data is gone");
	close(rw);
}

/* A blocking reader waits for a writer, a blocking writer for a reader. */
static void blocking_opens(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "s", 1); /* about to open */
		int w = open(path, O_WRONLY); /* waits for the parent's reader */
		if (w < 0)
			_exit(1);
		write(w, "hello", 5);
		close(w);
		_exit(0);
	}
	close(p[1]);
	char c;
	read(p[0], &c, 1);
	close(p[0]);
	sleep_ms(50); /* let the child block in open */
	alarm(10);
	int r = open(path, O_RDONLY);
	CHECK(r >= 0, "a blocking reader opens while a writer waits", "errno %d", errno);
	char buf[16] = {0};
	ssize_t got = 0, n;
	while ((n = read(r, buf + got, sizeof buf - 1 - got)) > 0)
		got += n;
	CHECK(got == 5 && memcmp(buf, "hello", 5) == 0, "the waiting writer's data arrives, then end of file", "got %zd '%s'", got, buf);
	close(r);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer's open succeeded", "%s", wstatus_str(st));

	/* the other way round: the reader waits for the writer */
	pid = fork();
	if (pid == 0) {
		int r2 = open(path, O_RDONLY);
		char b[8] = {0};
		_exit(r2 >= 0 && read(r2, b, sizeof b) == 3 && memcmp(b, "abc", 3) == 0 ? 0 : 1);
	}
	sleep_ms(50);
	int w = open(path, O_WRONLY);
	CHECK(w >= 0 && write(w, "abc", 3) == 3, "a blocking writer opens while a reader waits", "errno %d", errno);
	close(w);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the waiting reader got the data", "%s", wstatus_str(st));
	alarm(0);
}

/* A signal ends a waiting open with EINTR (no SA_RESTART), and the abandoned open leaves no
 * reader behind. */
static void interrupted_open(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	long long t0 = now_ms();
	int r = open(path, O_RDONLY);
	int e = errno;
	CHECK(r == -1 && e == EINTR, "a signal ends a waiting open with EINTR", "r=%d errno %d", r, e);
	CHECK(now_ms() - t0 >= 80, "the open waited until the signal", "-");
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO, "the interrupted reader is not counted");
	signal(SIGALRM, SIG_DFL);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/fifo-%d", (int)getpid());
	unlink(path);
	REQUIRE(mkfifo(path, 0600) == 0, "mkfifo", "errno %d", errno);
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600, "stat shows a FIFO", "mode 0%o", st.st_mode);
	CHECK_ERR(mkfifo(path, 0600), EEXIST, "mkfifo over an existing name is EEXIST");
	basics();
	blocking_opens();
	interrupted_open();

	/* an unlinked FIFO still works for the ends already open */
	int rw = open(path, O_RDWR);
	unlink(path);
	char c = 0;
	CHECK(rw >= 0 && write(rw, "u", 1) == 1 && read(rw, &c, 1) == 1 && c == 'u', "an unlinked FIFO still carries data", "-");
	close(rw);

	char path2[96];
	snprintf(path2, sizeof path2, "/tmp/fifo-mknod-%d", (int)getpid());
	CHECK(mknod(path2, S_IFIFO | 0644, 0) == 0 && stat(path2, &st) == 0 && S_ISFIFO(st.st_mode), "mknod S_IFIFO makes a FIFO", "errno %d", errno);
	unlink(path2);
	return check_done();
}
