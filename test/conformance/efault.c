/*
 * efault: bad user pointers give EFAULT (never a crash of the caller or of the kernel),
 * and bad mmap arguments give EINVAL/ENOMEM.
 *
 * Run it with stdin = "efault-stdin\n" from a pipe or socket (the tests do): a read into
 * a bad buffer must fail with EFAULT *without consuming* the data, which a later read
 * then gets in full. With any other stdin the read checks are skipped.
 *
 * Writes that straddle the end of a mapping are checked by straddle.c.
 */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sched.h>
#include <time.h>

#define PAGE 4096L
#define STDIN_TEXT "efault-stdin\n"

/* Bad pointers, laundered through a volatile so that gcc does not warn about them. */
static void *launder(uintptr_t a)
{
	void *volatile p = (void *)a;
	return p;
}
#define ADDR1 launder(1)
#define KERNEL_ADDR launder(0xffff800000000000UL)

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFIFO: return "pipe";
	case S_IFSOCK: return "socket";
	case S_IFREG: return "regular file";
	case S_IFCHR: return "character device";
	default: return "other";
	}
}

int main(void)
{
	/*
	 * write. Only files whose write reads the buffer can notice a bad one: /dev/null
	 * returns the count untouched, so the write checks need a pipe, socket or file.
	 */
	struct stat out;
	REQUIRE(fstat(1, &out) == 0, "fstat(1)", "failed");
	say("info: stdout is a %s\n", type_name(out.st_mode));
	int reads_buffer = S_ISFIFO(out.st_mode) || S_ISSOCK(out.st_mode) || S_ISREG(out.st_mode);
	char *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(none != MAP_FAILED, "mmap of a PROT_NONE page", "failed");
	CHECK(write(1, ADDR1, 0) == 0, "write of 0 bytes from a bad address returns 0", "failed");
	if (reads_buffer) {
		CHECK_ERR(write(1, ADDR1, 10), EFAULT, "write from address 1");
		CHECK_ERR(write(1, KERNEL_ADDR, 10), EFAULT, "write from a kernel address");
		CHECK_ERR(write(1, none, 10), EFAULT, "write from a PROT_NONE page");
		struct iovec bad_iov[2] = {{ADDR1, 5}, {"abc", 3}};
		CHECK_ERR(writev(1, bad_iov, 2), EFAULT, "writev whose first buffer is bad");
	} else {
		say("info: stdout is not a pipe, socket or file: write checks skipped\n");
	}
	CHECK_ERR(writev(1, (struct iovec *)ADDR1, 1), EFAULT, "writev with a bad iovec array");

	/* read */
	struct stat in;
	REQUIRE(fstat(0, &in) == 0, "fstat(0)", "failed");
	say("info: stdin is a %s\n", type_name(in.st_mode));
	if (S_ISFIFO(in.st_mode) || S_ISSOCK(in.st_mode)) {
		CHECK_ERR(read(0, ADDR1, 10), EFAULT, "read into address 1");
		char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		REQUIRE(ro != MAP_FAILED, "mmap of a read-only page", "failed");
		CHECK_ERR(read(0, ro, 10), EFAULT, "read into a read-only page");
		CHECK_ERR(read(0, none, 10), EFAULT, "read into a PROT_NONE page");
		struct iovec riov[1] = {{KERNEL_ADDR, 10}};
		CHECK_ERR(readv(0, riov, 1), EFAULT, "readv into a kernel address");
		char buf[64] = {0};
		size_t got = 0;
		while (got < sizeof buf - 1) {
			ssize_t r = read(0, buf + got, sizeof buf - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		CHECK(strcmp(buf, STDIN_TEXT) == 0,
		      "the failed reads consumed nothing: a good read gets all of stdin",
		      "got \"%s\" (%zu bytes), want \"%s\"", buf, got, STDIN_TEXT);
		munmap(ro, PAGE);
	} else {
		say("info: stdin is not a pipe or socket: read checks skipped\n");
	}

	/* Other system calls that copy out or in. */
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1), EFAULT,
		  "clock_gettime into address 1");
	CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)1), EFAULT,
		  "clock_getres into address 1");
	CHECK_ERR(syscall(SYS_gettimeofday, (void *)1, NULL), EFAULT, "gettimeofday into address 1");
	CHECK_ERR(syscall(SYS_time, (void *)1), EFAULT, "time into address 1");
	CHECK_ERR(syscall(SYS_uname, (void *)1), EFAULT, "uname into address 1");
	CHECK_ERR(syscall(SYS_uname, none), EFAULT, "uname into a PROT_NONE page");
	CHECK_ERR(syscall(SYS_fstat, 1, (void *)1), EFAULT, "fstat into address 1");
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, (void *)1), EFAULT,
		  "prlimit64 into address 1");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 128, (void *)1), EFAULT,
		  "sched_getaffinity into address 1");
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)1, NULL, 8), EFAULT,
		  "rt_sigprocmask from address 1");
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, (void *)1, NULL, 8), EFAULT,
		  "rt_sigaction from address 1");
	CHECK_ERR(syscall(SYS_nanosleep, (void *)1, NULL), EFAULT, "nanosleep from address 1");
	struct utsname u;
	CHECK(uname(&u) == 0, "uname into a good buffer still works", "failed");

	/* mmap argument errors */
	void *m = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "mmap of length 0 gives EINVAL", "returned %p", m);
	m = mmap(NULL, 1UL << 47, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m == MAP_FAILED && errno == ENOMEM, "mmap of 1<<47 bytes gives ENOMEM", "returned %p",
	      m);
	m = mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL,
	      "mmap with neither MAP_PRIVATE nor MAP_SHARED gives EINVAL", "returned %p", m);
	m = mmap((void *)(none + 1), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "mmap MAP_FIXED at an unaligned address gives EINVAL",
	      "returned %p", m);
	m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1);
	CHECK(m == MAP_FAILED && errno == EINVAL, "mmap with an unaligned offset gives EINVAL",
	      "returned %p", m);
	m = mmap(KERNEL_ADDR, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(m == MAP_FAILED && errno == ENOMEM, "mmap MAP_FIXED at a kernel address gives ENOMEM",
	      "returned %p", m);

	munmap(none, PAGE);
	return check_done();
}
