/* clone(2) of a process (not a thread) that shares with its parent: CLONE_FILES (one fd
 * table: an fd the child opens is the parent's too, and an exec in the child unshares it, so
 * the parent's close-on-exec fds survive), CLONE_FS (one cwd and umask), and the ENOSYS-free
 * plain cases; unshare(2) of what such a child shares, and its flag checks. */
#include "check.h"
#include "proc.h"
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* A fork-like clone with extra flags: 0 in the child, the pid in the parent. */
static pid_t clone_process(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

static int reap(pid_t pid)
{
	int st;
	if (wait_timeout(pid, &st, 10000) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	/* CLONE_FILES: the child's open and close are the parent's */
	int pfd[2];
	REQUIRE(pipe(pfd) == 0, "pipe", "-");
	pid_t pid = clone_process(CLONE_FILES);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);
		close(pfd[1]);
		_exit(fd >= 0 ? fd : 255);
	}
	int childfd = reap(pid);
	CHECK(childfd >= 0 && childfd < 255 && fcntl(childfd, F_GETFD) >= 0, "with CLONE_FILES an fd the child opened is open in the parent", "fd %d", childfd);
	CHECK(fcntl(pfd[1], F_GETFD) == -1 && errno == EBADF, "and an fd the child closed is closed in the parent", "-");
	close(childfd);
	close(pfd[0]);

	/* without it, the child's table is a copy */
	pid = clone_process(0);
	if (pid == 0)
		_exit(open("/dev/null", O_RDONLY));
	childfd = reap(pid);
	CHECK(childfd >= 0 && fcntl(childfd, F_GETFD) == -1, "without CLONE_FILES the child's fds are its own", "fd %d", childfd);

	/* exec in a CLONE_FILES child unshares the table: the parent's close-on-exec fd lives */
	int ce = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = clone_process(CLONE_FILES);
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	CHECK(reap(pid) == 0, "a CLONE_FILES child execs", "-");
	CHECK(fcntl(ce, F_GETFD) == FD_CLOEXEC, "the parent's close-on-exec fd is still open after the child's exec", "-");
	close(ce);

	/* CLONE_FS: cwd and umask are shared */
	char before[256], after[256];
	REQUIRE(getcwd(before, sizeof before) != NULL, "getcwd", "-");
	mode_t old = umask(022);
	pid = clone_process(CLONE_FS);
	if (pid == 0) {
		umask(077);
		_exit(chdir("/tmp") == 0 ? 0 : 1);
	}
	CHECK(reap(pid) == 0, "the CLONE_FS child changed directory", "-");
	CHECK(getcwd(after, sizeof after) != NULL && strcmp(after, "/tmp") == 0, "with CLONE_FS the child's chdir moves the parent", "cwd %s", after);
	mode_t now = umask(022);
	CHECK(now == 077, "and its umask is the parent's", "umask 0%o", now);
	CHECK(chdir(before) == 0, "chdir back", "-");
	pid = clone_process(0);
	if (pid == 0)
		_exit(chdir("/") == 0 ? 0 : 1);
	reap(pid);
	CHECK(getcwd(after, sizeof after) != NULL && strcmp(after, before) == 0, "without CLONE_FS the child's chdir is its own", "cwd %s", after);
	umask(old);

	/* unshare(CLONE_FILES) in a CLONE_FILES child: what it opens afterwards is its own */
	REQUIRE(pipe(pfd) == 0, "pipe", "-");
	pid = clone_process(CLONE_FILES);
	if (pid == 0) {
		if (unshare(CLONE_FILES) != 0)
			_exit(254);
		int fd = open("/dev/null", O_RDONLY);
		close(pfd[1]);
		_exit(fd);
	}
	childfd = reap(pid);
	CHECK(childfd >= 0 && childfd < 254 && fcntl(childfd, F_GETFD) == -1, "after unshare(CLONE_FILES) the child's open is its own", "fd %d", childfd);
	CHECK(fcntl(pfd[1], F_GETFD) >= 0, "and its close too", "-");
	close(pfd[0]);
	close(pfd[1]);

	/* unshare(CLONE_FS) in a CLONE_FS child: its chdir is its own */
	pid = clone_process(CLONE_FS);
	if (pid == 0) {
		if (unshare(CLONE_FS) != 0)
			_exit(254);
		_exit(chdir("/") == 0 ? 0 : 1);
	}
	CHECK(reap(pid) == 0, "unshare(CLONE_FS) in a CLONE_FS child", "-");
	CHECK(getcwd(after, sizeof after) != NULL && strcmp(after, before) == 0, "after it the child's chdir is its own", "cwd %s", after);

	/* flags: nothing to unshare is fine; unknown flags are EINVAL */
	CHECK(unshare(0) == 0, "unshare(0)", "-");
	CHECK(unshare(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FILES | CLONE_FS | CLONE_SYSVSEM) == 0,
	      "unshare of what a single-threaded process does not share", "-");
	CHECK_ERR(unshare(CLONE_PARENT), EINVAL, "unshare(CLONE_PARENT)");
	CHECK_ERR(unshare(CLONE_VFORK), EINVAL, "unshare(CLONE_VFORK)");
	return check_done();
}
