/*
 * mincore(2): one byte per page, bit 0 set when the page is in memory. Anonymous pages are in
 * memory once touched and not before (private and shared mappings); a file's pages just
 * written are. A range with an unmapped page is ENOMEM, an unaligned start EINVAL, a bad
 * vector EFAULT.
 */
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int resident(unsigned char *vec, int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if ((vec[i] & 1) != (want[i] == '1'))
			return 0;
	return 1;
}

static const char *show(unsigned char *vec, int n)
{
	static char s[64];
	for (int i = 0; i < n && i < 63; i++)
		s[i] = (vec[i] & 1) ? '1' : '0';
	s[n < 63 ? n : 63] = 0;
	return s;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[8];
	char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(p != MAP_FAILED, "mmap", "errno %d", errno);
	p[0] = 1;
	p[2 * page] = 1;
	CHECK(mincore(p, 4 * page, vec) == 0, "mincore of a private mapping", "errno %d", errno);
	CHECK(resident(vec, 4, "1010"), "the touched pages are in memory, the others not", "%s", show(vec, 4));
	CHECK(mincore(p, 3 * page + 1, vec) == 0 && resident(vec, 4, "1010"), "a length rounds up to pages", "%s", show(vec, 4));
	CHECK(mincore(p, 0, vec) == 0, "a length of 0", "errno %d", errno);
	CHECK_ERR(mincore(p + 1, page, vec), EINVAL, "an unaligned start");
	CHECK_ERR(mincore(p, page, (unsigned char *)8), EFAULT, "a bad vector");
	CHECK_ERR(mincore((void *)0x10000000UL, page, (unsigned char *)0xffff800000000000UL), EFAULT,
		  "a vector outside user memory, before the range is looked at");
	REQUIRE(munmap(p + page, page) == 0, "munmap a page", "errno %d", errno);
	CHECK_ERR(mincore(p, 4 * page, vec), ENOMEM, "a range with an unmapped page");

	char *s = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(s != MAP_FAILED, "mmap shared", "errno %d", errno);
	s[page] = 1;
	CHECK(mincore(s, 3 * page, vec) == 0 && resident(vec, 3, "010"), "a shared mapping: the touched page", "%s",
	      show(vec, 3));

	char path[] = "/tmp/wvisor-mincore-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0, "mkstemp", "errno %d", errno);
	unlink(path);
	char buf[4096];
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < 2; i++)
		REQUIRE(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "write", "errno %d", errno);
	char *f = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(f != MAP_FAILED, "mmap file", "errno %d", errno);
	CHECK(mincore(f, 2 * page, vec) == 0 && resident(vec, 2, "11"), "a file's pages just written", "%s", show(vec, 2));

	/* A file the caller neither owns nor may write: every page reads as in memory, even the
	 * one past its end (which is not), so residency tells nothing about others' use of it. */
	int pw = open("/etc/passwd", O_RDONLY);
	struct stat st;
	REQUIRE(pw >= 0 && fstat(pw, &st) == 0 && st.st_uid == 0 && st.st_size < 8 * page, "open /etc/passwd",
		"errno %d", errno);
	int n = (int)((st.st_size + page - 1) / page) + 1;
	char *e = mmap(NULL, n * page, PROT_READ, MAP_PRIVATE, pw, 0);
	REQUIRE(e != MAP_FAILED, "mmap /etc/passwd", "errno %d", errno);
	CHECK(mincore(e, n * page, vec) == 0 && (vec[n - 1] & 1) == 0, "root, its owner, sees the page past the end is not in memory",
	      "%s", show(vec, n));
	pid_t c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		if (setuid(65534) != 0)
			_exit(10);
		char *o = mmap(NULL, n * page, PROT_READ, MAP_PRIVATE, pw, 0);
		if (o == MAP_FAILED || mincore(o, n * page, vec) != 0)
			_exit(11);
		for (int i = 0; i < n; i++)
			if ((vec[i] & 1) == 0)
				_exit(12);
		_exit(0);
	}
	int status;
	REQUIRE(waitpid(c, &status, 0) == c, "waitpid", "errno %d", errno);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "another user sees every page in memory", "status %#x", status);
	return check_done();
}
