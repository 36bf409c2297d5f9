/*
 * Pipes: pipe/pipe2 and their flags, blocking reads woken by a child's write, EOF once
 * every writer (the parent's own copy too) is closed, EPIPE with and without SIGPIPE,
 * O_NONBLOCK EAGAIN, the 64 KiB default capacity, F_GETPIPE_SZ/F_SETPIPE_SZ, PIPE_BUF
 * atomicity between two writers, FIONREAD, and big writes that block until drained.
 */
#include "proc.h"
#include <limits.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t got_sigpipe;
static volatile int sigpipe_code, sigpipe_pid;

static void on_sigpipe(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGPIPE) {
		got_sigpipe++;
		sigpipe_code = si->si_code;
		sigpipe_pid = si->si_pid;
	}
}

static int nread(int fd)
{
	int n = -1;
	if (ioctl(fd, FIONREAD, &n) != 0)
		return -1;
	return n;
}

/* Fills a non-blocking pipe with chunk-byte writes; returns the bytes it took. */
static long fill(int fd, size_t chunk)
{
	static char buf[65536];
	long total = 0;
	memset(buf, 'f', sizeof buf);
	for (;;) {
		ssize_t w = write(fd, buf, chunk);
		if (w < 0)
			break;
		total += w;
		if (total > 8L << 20)
			break;
	}
	return total;
}

static void test_flags(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1], "pipe returns two fds", "%d %d", p[0], p[1]);
	CHECK(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0, "pipe: no FD_CLOEXEC", "%d %d", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
	int fl0 = fcntl(p[0], F_GETFL), fl1 = fcntl(p[1], F_GETFL);
	CHECK((fl0 & O_ACCMODE) == O_RDONLY && (fl1 & O_ACCMODE) == O_WRONLY, "the read end is O_RDONLY, the write end O_WRONLY", "0x%x 0x%x", fl0, fl1);
	CHECK(!(fl0 & O_NONBLOCK) && !(fl1 & O_NONBLOCK), "pipe: blocking", "0x%x 0x%x", fl0, fl1);
	struct stat s0, s1;
	CHECK(fstat(p[0], &s0) == 0 && fstat(p[1], &s1) == 0 && S_ISFIFO(s0.st_mode) && S_ISFIFO(s1.st_mode), "both ends are S_ISFIFO", "0%o 0%o", s0.st_mode, s1.st_mode);
	CHECK(s0.st_ino == s1.st_ino && s0.st_dev == s1.st_dev, "both ends are the same inode", "%lu %lu", (unsigned long)s0.st_ino, (unsigned long)s1.st_ino);
	char c = 'x';
	CHECK_ERR(write(p[0], &c, 1), EBADF, "writing to the read end gives EBADF");
	CHECK_ERR(read(p[1], &c, 1), EBADF, "reading from the write end gives EBADF");
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe gives ESPIPE");
	CHECK_ERR(pread(p[0], &c, 1, 0), ESPIPE, "pread on a pipe gives ESPIPE");
	close(p[0]);
	close(p[1]);

	REQUIRE(pipe2(p, O_CLOEXEC) == 0, "pipe2(O_CLOEXEC)", "-");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "pipe2(O_CLOEXEC): both ends FD_CLOEXEC", "%d %d", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "pipe2(O_CLOEXEC): still blocking", "0x%x", fcntl(p[0], F_GETFL));
	close(p[0]);
	close(p[1]);

	REQUIRE(pipe2(p, O_NONBLOCK) == 0, "pipe2(O_NONBLOCK)", "-");
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK), "pipe2(O_NONBLOCK): both ends O_NONBLOCK", "0x%x 0x%x", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	CHECK(fcntl(p[0], F_GETFD) == 0, "pipe2(O_NONBLOCK): no FD_CLOEXEC", "%d", fcntl(p[0], F_GETFD));
	CHECK(fcntl(p[0], F_SETFL, 0) == 0 && !(fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	      "F_SETFL clears O_NONBLOCK on one end only", "0x%x 0x%x", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	close(p[0]);
	close(p[1]);

	CHECK_ERR(pipe2(p, 0x1), EINVAL, "pipe2 with an unknown flag gives EINVAL");
	CHECK_ERR(pipe2(p, O_RDWR), EINVAL, "pipe2(O_RDWR) gives EINVAL");
	CHECK_ERR(syscall(SYS_pipe2, (void *)8, 0), EFAULT, "pipe2 with a bad pointer gives EFAULT");
}

static void test_blocking_read(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the blocking read", "-");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		sleep_ms(100);
		write_all(p[1], "hello", 5);
		sleep_ms(50);
		write_all(p[1], "world!", 6);
		_exit(0);
	}
	close(p[1]);
	char buf[64];
	long long t0 = now_ms();
	ssize_t n = read(p[0], buf, sizeof buf);
	long long dt = now_ms() - t0;
	CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "a blocking read returns the child's first write (5 bytes)", "n=%zd", n);
	CHECK(dt >= 60, "the read blocked until the child wrote (about 100 ms)", "%lld ms", dt);
	n = read(p[0], buf, sizeof buf);
	CHECK(n == 6 && memcmp(buf, "world!", 6) == 0, "the next read returns the second write", "n=%zd", n);
	n = read(p[0], buf, sizeof buf);
	CHECK(n == 0, "EOF once the only writer (the child) exited", "n=%zd", n);
	close(p[0]);
	int st;
	xwaitpid(pid, &st, 0);

	/* the parent's own copy of the write end keeps the pipe open */
	REQUIRE(pipe(p) == 0, "pipe for the EOF test", "-");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		write_all(p[1], "data", 4);
		_exit(0);
	}
	xwaitpid(pid, &st, 0);
	n = read(p[0], buf, sizeof buf);
	CHECK(n == 4 && memcmp(buf, "data", 4) == 0, "data written by a child that has exited is still there", "n=%zd", n);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN, "with the parent's write end still open an empty pipe is not at EOF (EAGAIN)");
	close(p[1]);
	n = read(p[0], buf, sizeof buf);
	CHECK(n == 0, "after the parent closes its write end too, read returns EOF", "n=%zd", n);
	close(p[0]);

	/* a reader blocked in read wakes with EOF when the last writer closes */
	REQUIRE(pipe(p) == 0, "pipe for the EOF wake-up", "-");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		sleep_ms(80);
		_exit(0); /* closes the only write end */
	}
	close(p[1]);
	t0 = now_ms();
	n = read(p[0], buf, sizeof buf);
	dt = now_ms() - t0;
	CHECK(n == 0 && dt >= 40, "a blocked read wakes with EOF when the last writer exits", "n=%zd after %lld ms", n, dt);
	close(p[0]);
	xwaitpid(pid, &st, 0);

	/* a zero-length read/write returns 0 */
	REQUIRE(pipe(p) == 0, "pipe for zero-length I/O", "-");
	CHECK(write(p[1], buf, 0) == 0, "a zero-length write returns 0", "-");
	CHECK(nread(p[0]) == 0, "and puts nothing in the pipe", "%d", nread(p[0]));
	CHECK(read(p[0], buf, 0) == 0, "a zero-length read of an empty pipe returns 0 at once", "-");
	close(p[0]);
	close(p[1]);
}

static void test_epipe(void)
{
	/* default SIGPIPE kills a writer without readers */
	int p[2], go[2];
	REQUIRE(pipe(p) == 0 && pipe(go) == 0, "pipes for SIGPIPE", "-");
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		close(p[0]);
		close(go[1]);
		char c;
		read(go[0], &c, 1); /* EOF once the parent has closed its read end too */
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[0]);
	close(p[1]);
	close(go[0]);
	close(go[1]);
	int st;
	pid_t w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "writing to a pipe without readers kills the child with SIGPIPE", "%s", wstatus_str(st));

	/* the same when the reader is another process that exits */
	REQUIRE(pipe(p) == 0, "pipe for SIGPIPE via an exiting reader", "-");
	pid_t reader = fork();
	if (reader == 0) {
		close(p[1]);
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write_all(p[1], "1", 1); /* the reader takes this byte and exits */
		int r;
		for (int i = 0; i < 2000; i++) {
			r = write(p[1], "x", 1);
			if (r < 0)
				_exit(errno == EPIPE ? 100 : 101);
			sleep_ms(1);
		}
		_exit(102);
	}
	close(p[1]);
	xwaitpid(reader, &st, 0);
	w = wait_timeout(pid, &st, 10000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "when the reading process exits, the writer dies of SIGPIPE", "%s", wstatus_str(st));

	/* with SIGPIPE ignored: EPIPE */
	REQUIRE(pipe(p) == 0, "pipe for EPIPE", "-");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "with SIGPIPE ignored, write without readers gives EPIPE");
	signal(SIGPIPE, SIG_DFL);

	/* with a handler: the handler runs (SI_USER from ourselves) and write gives EPIPE */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigpipe;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGPIPE, &sa, NULL);
	got_sigpipe = 0;
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "with a SIGPIPE handler, write without readers gives EPIPE");
	CHECK(got_sigpipe == 1, "the SIGPIPE handler ran once", "%d", (int)got_sigpipe);
	CHECK(sigpipe_code == SI_USER && sigpipe_pid == getpid(), "SIGPIPE's siginfo: SI_USER from our own pid", "code %d pid %d", sigpipe_code, sigpipe_pid);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* a blocked SIGPIPE stays pending; write still gives EPIPE */
	REQUIRE(pipe(p) == 0, "pipe for a blocked SIGPIPE", "-");
	close(p[0]);
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "with SIGPIPE blocked, write gives EPIPE");
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGPIPE), "and SIGPIPE is pending", "-");
	signal(SIGPIPE, SIG_IGN); /* discards it */
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGPIPE), "setting SIG_IGN discards the pending SIGPIPE", "-");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void test_nonblock_capacity(void)
{
	int p[2];
	char buf[8192];
	REQUIRE(pipe2(p, O_NONBLOCK) == 0, "pipe2(O_NONBLOCK) for the capacity", "-");
	CHECK_ERR(read(p[0], buf, 1), EAGAIN, "O_NONBLOCK: read of an empty pipe gives EAGAIN");
	CHECK(fcntl(p[0], F_GETPIPE_SZ) == 65536 && fcntl(p[1], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ is 65536 by default (both ends)", "%d", fcntl(p[0], F_GETPIPE_SZ));
	long total = fill(p[1], 1024);
	CHECK(total == 65536, "a new pipe holds 65536 bytes", "took %ld", total);
	CHECK_ERR(write(p[1], buf, 1), EAGAIN, "O_NONBLOCK: a write to a full pipe gives EAGAIN");
	CHECK(nread(p[0]) == 65536, "FIONREAD of the full pipe is 65536", "%d", nread(p[0]));
	CHECK(read(p[0], buf, 4096) == 4096, "drain one page", "-");
	memset(buf, 'g', sizeof buf);
	ssize_t w = write(p[1], buf, 8192);
	CHECK(w == 4096, "a non-blocking write larger than PIPE_BUF writes what fits (4096 of 8192)", "w=%zd", w);
	CHECK_ERR(write(p[1], buf, 1), EAGAIN, "then the pipe is full again");
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY, "F_SETPIPE_SZ below the bytes held gives EBUSY");
	CHECK(fcntl(p[1], F_GETPIPE_SZ) == 65536, "and leaves the size alone", "%d", fcntl(p[1], F_GETPIPE_SZ));
	/* drain and check the order of the bytes */
	long n = 0, bad = 0;
	ssize_t r;
	while ((r = read(p[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != (n + i < 65536 - 4096 ? 'f' : 'g'))
				bad++;
		n += r;
	}
	CHECK(n == 65536 && bad == 0 && r == -1 && errno == EAGAIN, "the drained bytes are the written ones, in order", "n=%ld bad=%ld", n, bad);
	close(p[0]);
	close(p[1]);

	/* F_SETPIPE_SZ rounds up to a power-of-two number of pages */
	REQUIRE(pipe2(p, O_NONBLOCK) == 0, "pipe2 for F_SETPIPE_SZ", "-");
	int sz = fcntl(p[1], F_SETPIPE_SZ, 4096);
	CHECK(sz == 4096 && fcntl(p[0], F_GETPIPE_SZ) == 4096, "F_SETPIPE_SZ(4096) returns 4096, seen from both ends", "%d %d", sz, fcntl(p[0], F_GETPIPE_SZ));
	total = fill(p[1], 512);
	CHECK(total == 4096, "a 4096-byte pipe holds 4096 bytes", "took %ld", total);
	while (read(p[0], buf, sizeof buf) > 0)
		;
	sz = fcntl(p[0], F_SETPIPE_SZ, 5000);
	CHECK(sz == 8192, "F_SETPIPE_SZ(5000) rounds to 8192", "%d", sz);
	sz = fcntl(p[0], F_SETPIPE_SZ, 3 * 4096);
	CHECK(sz == 16384, "F_SETPIPE_SZ(12288) rounds to a power of two: 16384", "%d", sz);
	sz = fcntl(p[0], F_SETPIPE_SZ, 1);
	CHECK(sz == 4096, "F_SETPIPE_SZ(1) gives one page", "%d", sz);
	sz = fcntl(p[0], F_SETPIPE_SZ, 0);
	CHECK(sz == 4096, "F_SETPIPE_SZ(0) gives one page", "%d", sz);
	sz = fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	CHECK(sz == 1 << 20, "F_SETPIPE_SZ(1 MiB) (pipe-max-size) works", "%d", sz);
	total = fill(p[1], 65536);
	CHECK(total == 1 << 20, "a 1 MiB pipe holds 1 MiB", "took %ld", total);
	close(p[0]);
	close(p[1]);

	int fd = open("/dev/null", O_RDWR);
	CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ on a non-pipe gives EBADF");
	CHECK_ERR(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF, "F_SETPIPE_SZ on a non-pipe gives EBADF");
	close(fd);
}

static void test_fionread(void)
{
	int p[2];
	char buf[16];
	REQUIRE(pipe(p) == 0, "pipe for FIONREAD", "-");
	CHECK(nread(p[0]) == 0, "FIONREAD of an empty pipe is 0", "%d", nread(p[0]));
	write_all(p[1], "hello", 5);
	CHECK(nread(p[0]) == 5, "FIONREAD after writing 5 bytes is 5", "%d", nread(p[0]));
	CHECK(nread(p[1]) == 5, "FIONREAD on the write end is the same", "%d", nread(p[1]));
	read(p[0], buf, 2);
	CHECK(nread(p[0]) == 3, "FIONREAD after reading 2 is 3", "%d", nread(p[0]));
	close(p[0]);
	close(p[1]);
}

/* Two children write 4096-byte records; the reader sees only whole records. */
#define RECORDS 48
static void test_atomic(void)
{
	int p[2], go[2];
	REQUIRE(pipe(p) == 0 && pipe(go) == 0, "pipes for the PIPE_BUF test", "-");
	CHECK(PIPE_BUF == 4096, "PIPE_BUF is 4096", "%d", PIPE_BUF);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char rec[PIPE_BUF];
			close(p[0]);
			close(go[1]);
			char c;
			read(go[0], &c, 1); /* start together */
			for (int i = 0; i < RECORDS; i++) {
				memset(rec, k ? 'B' : 'A', sizeof rec);
				rec[0] = (char)i;
				ssize_t w = write(p[1], rec, sizeof rec);
				if (w != (ssize_t)sizeof rec)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	close(go[0]);
	close(go[1]); /* EOF: go */
	static char all[2 * RECORDS * PIPE_BUF + 1];
	ssize_t n = read_all(p[0], all, sizeof all);
	close(p[0]);
	int okA = 1, okB = 1, whole = 1, nextA = 0, nextB = 0, switches = 0;
	char last = 0;
	for (ssize_t off = 0; off + PIPE_BUF <= n; off += PIPE_BUF) {
		char who = all[off + 1];
		for (int i = 1; i < PIPE_BUF; i++)
			if (all[off + i] != who)
				whole = 0;
		if (who == 'A') {
			if (all[off] != (char)nextA++)
				okA = 0;
		} else if (who == 'B') {
			if (all[off] != (char)nextB++)
				okB = 0;
		} else {
			whole = 0;
		}
		if (last && who != last)
			switches++;
		last = who;
	}
	int st0, st1;
	xwaitpid(kids[0], &st0, 0);
	xwaitpid(kids[1], &st1, 0);
	CHECK(WIFEXITED(st0) && WEXITSTATUS(st0) == 0 && WIFEXITED(st1) && WEXITSTATUS(st1) == 0, "both writers wrote every record whole", "%s %s", wstatus_str(st0), wstatus_str(st1));
	CHECK(n == 2 * RECORDS * PIPE_BUF, "the reader got every byte", "n=%zd", n);
	CHECK(whole, "PIPE_BUF-sized writes never interleave: each 4096-byte block is one writer's record", "-");
	CHECK(okA && okB && nextA == RECORDS && nextB == RECORDS, "each writer's records arrive in order", "A %d B %d", nextA, nextB);
	say("info: the writers alternated %d times\n", switches);
}

/* A single write much larger than the pipe blocks until the reader drains it. */
static void test_big_write(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the big write", "-");
	const size_t big = 1 << 20;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		char *b = malloc(big);
		for (size_t i = 0; i < big; i++)
			b[i] = (char)(i * 7 + i / 4096);
		ssize_t w = write(p[1], b, big);
		_exit(w == (ssize_t)big ? 0 : 1);
	}
	close(p[1]);
	char *got = malloc(big + 1);
	sleep_ms(20); /* let the writer fill the pipe and block */
	ssize_t n = read_all(p[0], got, big + 1);
	close(p[0]);
	long bad = 0;
	for (ssize_t i = 0; i < n; i++)
		if (got[i] != (char)(i * 7 + i / 4096))
			bad++;
	int st;
	xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "one 1 MiB write to a pipe returns 1 MiB", "%s", wstatus_str(st));
	CHECK(n == (ssize_t)big && bad == 0, "the reader gets the 1 MiB intact", "n=%zd bad=%ld", n, bad);
	free(got);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	test_flags();
	test_blocking_read();
	test_epipe();
	test_nonblock_capacity();
	test_fionread();
	test_atomic();
	test_big_write();
	reap_zombies();
	return check_done();
}
