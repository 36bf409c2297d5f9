/*
 * The mlock family: what a caller can observe. Ranges round out to pages, a range with an
 * unmapped page is ENOMEM, bad flags are EINVAL; without CAP_IPC_LOCK, RLIMIT_MEMLOCK limits
 * a lock (zero: EPERM, too small: ENOMEM). The unprivileged part runs in a child that gives
 * up root (the program runs as root, natively and in the sandbox).
 */
#include "check.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static long mlock2_raw(const void *addr, size_t len, unsigned flags) { return syscall(SYS_mlock2, addr, len, flags); }

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(p != MAP_FAILED, "mmap", "errno %d", errno);
	CHECK(mlock(p, 3 * page) == 0, "mlock of a mapping", "errno %d", errno);
	CHECK(mlock(p + 10, 100) == 0, "mlock of bytes inside a page (rounded out)", "errno %d", errno);
	CHECK(mlock(p, 0) == 0, "mlock of nothing", "errno %d", errno);
	CHECK(mlock(p, (size_t)-1) == 0, "a length that rounds up past 2^64 is nothing", "errno %d", errno);
	char *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(none != MAP_FAILED, "mmap PROT_NONE", "errno %d", errno);
	CHECK_ERR(mlock(none, page), ENOMEM, "mlock of PROT_NONE memory (it cannot be faulted in)");
	CHECK(mlock2_raw(none, page, MLOCK_ONFAULT) == 0, "mlock2 MLOCK_ONFAULT of it (nothing to fault in now)", "errno %d", errno);
	CHECK(munlock(p, 3 * page) == 0, "munlock", "errno %d", errno);
	CHECK(mlock2_raw(p, page, MLOCK_ONFAULT) == 0, "mlock2 MLOCK_ONFAULT", "errno %d", errno);
	CHECK_ERR(mlock2_raw(p, page, 2), EINVAL, "mlock2 with an unknown flag");
	REQUIRE(munmap(p + page, page) == 0, "munmap the middle page", "errno %d", errno);
	CHECK_ERR(mlock(p, 3 * page), ENOMEM, "mlock over a hole");
	CHECK_ERR(munlock(p, 3 * page), ENOMEM, "munlock over a hole");
	CHECK(mlock(p, page) == 0, "mlock of what is still mapped", "errno %d", errno);
	CHECK_ERR(mlockall(0), EINVAL, "mlockall(0)");
	CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL, "mlockall(MCL_ONFAULT) alone");
	CHECK_ERR(mlockall(8), EINVAL, "mlockall with an unknown flag");
	CHECK(mlockall(MCL_CURRENT | MCL_FUTURE) == 0, "mlockall as root", "errno %d", errno);
	CHECK(munlockall() == 0, "munlockall", "errno %d", errno);

	pid_t c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		struct rlimit none = {0, 0};
		if (setrlimit(RLIMIT_MEMLOCK, &none) != 0 || setuid(65534) != 0)
			_exit(10);
		if (mlock(p, page) == 0 || errno != EPERM)
			_exit(11);
		if (mlockall(MCL_CURRENT) == 0 || errno != EPERM)
			_exit(12);
		if (mlock(p, 0) == 0 || errno != EPERM)
			_exit(13);
		_exit(0);
	}
	int st;
	REQUIRE(waitpid(c, &st, 0) == c, "waitpid", "errno %d", errno);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "without CAP_IPC_LOCK and a zero RLIMIT_MEMLOCK: EPERM",
	      "status %#x", st);

	c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		struct rlimit one = {page, page};
		if (setrlimit(RLIMIT_MEMLOCK, &one) != 0 || setuid(65534) != 0)
			_exit(10);
		char *q = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			_exit(13);
		if (mlock(q, page) != 0)
			_exit(11);
		if (munlock(q, page) != 0 || mlock(q, 2 * page) == 0 || errno != ENOMEM)
			_exit(12);
		_exit(0);
	}
	REQUIRE(waitpid(c, &st, 0) == c, "waitpid", "errno %d", errno);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a one-page RLIMIT_MEMLOCK: one page locks, two are ENOMEM",
	      "status %#x", st);
	return check_done();
}
