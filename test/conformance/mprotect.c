/*
 * mprotect: protection changes, unmapping part of a mapping, MAP_FIXED_NOREPLACE,
 * mremap and madvise on private anonymous memory. No signal is ever raised: accesses
 * that would fault are only made through system calls (which return EFAULT instead).
 */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* Can the kernel write 16 bytes at p? (clock_gettime copies a timespec out to p.) */
static int kernel_can_write(void *p)
{
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p) == 0;
}

/* An address range that was just unmapped (nothing else maps memory in between). */
static void *hole(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, len) != 0) {
		complain("FAIL: cannot make a hole\n");
		exit(2);
	}
	return p;
}

static int filled_with(const unsigned char *p, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

int main(void)
{
	/* RW -> R -> RW */
	unsigned char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, ANON, -1, 0);
	REQUIRE(m != MAP_FAILED, "mmap of 4 pages read-write", "failed");
	memset(m, 0x5a, 4 * PAGE);
	CHECK(mprotect(m, 4 * PAGE, PROT_READ) == 0, "mprotect(PROT_READ) of the whole mapping",
	      "failed");
	CHECK(filled_with(m, 4 * PAGE, 0x5a), "read-only memory still reads the same", "changed");
	errno = 0;
	long r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, m + PAGE);
	CHECK(r == -1 && errno == EFAULT, "the kernel cannot write into read-only memory (EFAULT)",
	      "clock_gettime into it returned %ld", r);
	CHECK(filled_with(m, 4 * PAGE, 0x5a), "a refused kernel write left read-only memory alone",
	      "changed");
	CHECK(mprotect(m + PAGE, PAGE, PROT_READ | PROT_WRITE) == 0,
	      "mprotect of one page in the middle back to read-write", "failed");
	CHECK(kernel_can_write(m + PAGE), "the kernel can write into the page made writable",
	      "EFAULT");
	errno = 0;
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, m + 2 * PAGE);
	CHECK(r == -1 && errno == EFAULT, "the neighbouring page is still read-only",
	      "clock_gettime into it returned %ld", r);
	CHECK(mprotect(m, 4 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect back to read-write",
	      "failed");
	memset(m, 0xa5, 4 * PAGE);
	CHECK(filled_with(m, 4 * PAGE, 0xa5), "memory is writable again", "mismatch");
	CHECK(mprotect(m, 4 * PAGE, PROT_NONE) == 0 && mprotect(m, 4 * PAGE, PROT_READ) == 0 &&
		      filled_with(m, 4 * PAGE, 0xa5),
	      "PROT_NONE and back keeps the contents", "lost");
	CHECK(mprotect(m, 4 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect read-write again",
	      "failed");

	/* errors */
	CHECK_ERR(mprotect(m + 1, PAGE, PROT_READ), EINVAL, "mprotect of an unaligned address");
	CHECK_ERR(mprotect(m, PAGE, 0x1000 /* not a PROT_ bit */), EINVAL,
		  "mprotect with an unknown protection bit");
	CHECK(mprotect(m, 1, PROT_READ | PROT_WRITE) == 0,
	      "mprotect rounds the length up to a page", "failed");
	CHECK(mprotect(m, 0, PROT_READ) == 0, "mprotect of length 0 succeeds", "failed");
	unsigned char *gone = hole(2 * PAGE);
	CHECK_ERR(mprotect(gone, 2 * PAGE, PROT_READ), ENOMEM, "mprotect of an unmapped range");
	/* Map the first page of the hole again; the second page stays unmapped. */
	unsigned char *half = mmap(gone, PAGE, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	if (CHECK(half == gone, "MAP_FIXED_NOREPLACE at a just-unmapped address", "got %p",
		  (void *)half)) {
		/* Linux changes the part before the hole, then fails: only the error is checked */
		CHECK_ERR(mprotect(gone, 2 * PAGE, PROT_READ | PROT_WRITE), ENOMEM,
			  "mprotect of a range that runs past the end of a mapping");
		munmap(gone, PAGE);
	}
	CHECK(munmap(gone, 2 * PAGE) == 0, "munmap of an unmapped range succeeds", "failed");
	CHECK_ERR(munmap(m + 1, PAGE), EINVAL, "munmap of an unaligned address");
	CHECK_ERR(munmap(m, 0), EINVAL, "munmap of length 0");

	/* a hole in the middle, filled with MAP_FIXED_NOREPLACE */
	CHECK(munmap(m + PAGE, PAGE) == 0, "munmap of the second page of four", "failed");
	errno = 0;
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, m + PAGE);
	CHECK(r == -1 && errno == EFAULT, "the hole is unmapped", "clock_gettime into it: %ld", r);
	CHECK(kernel_can_write(m) && kernel_can_write(m + 2 * PAGE),
	      "the pages on both sides of the hole are still mapped", "EFAULT");
	CHECK(filled_with(m + 2 * PAGE + 64, 2 * PAGE - 64, 0xa5),
	      "the pages after the hole keep their contents", "changed");
	void *over = mmap(m, 2 * PAGE, PROT_READ | PROT_WRITE, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(over == MAP_FAILED && errno == EEXIST,
	      "MAP_FIXED_NOREPLACE over a mapped page fails with EEXIST", "returned %p", over);
	CHECK(filled_with(m + 64, PAGE - 64, 0xa5), "the failed mapping did not touch the page",
	      "changed");
	unsigned char *fill = mmap(m + PAGE, PAGE, PROT_READ | PROT_WRITE,
				   ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(fill == m + PAGE, "MAP_FIXED_NOREPLACE into the hole maps exactly there",
	      "got %p want %p", (void *)fill, (void *)(m + PAGE));
	if (fill == m + PAGE) {
		CHECK(filled_with(fill, PAGE, 0), "the page mapped into the hole is zero", "not");
		memset(fill, 0x11, PAGE);
	}
	/* MAP_FIXED replaces whatever is there */
	unsigned char *fixed = mmap(m + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE, ANON | MAP_FIXED,
				    -1, 0);
	CHECK(fixed == m + 2 * PAGE && filled_with(fixed, PAGE, 0),
	      "MAP_FIXED replaces a mapped page with a zero page", "got %p", (void *)fixed);
	CHECK(filled_with(m + 3 * PAGE, PAGE, 0xa5), "MAP_FIXED left the next page alone",
	      "changed");
	CHECK(munmap(m, 4 * PAGE) == 0, "munmap of the patched-up mapping", "failed");

	/* mremap */
	/*
	 * Three pages: the first two are the area that grows, the third stays mapped
	 * (read-only) so that growing in place is impossible.
	 */
	unsigned char *a = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, ANON, -1, 0);
	REQUIRE(a != MAP_FAILED, "mmap of 3 pages for mremap", "failed");
	for (size_t i = 0; i < 2 * PAGE; i++)
		a[i] = (unsigned char)(i * 7);
	unsigned char *guard = a + 2 * PAGE;
	CHECK(mprotect(guard, PAGE, PROT_READ) == 0, "mprotect of the guard page", "failed");
	void *nm = mremap(a, 2 * PAGE, 64 * PAGE, 0);
	CHECK(nm == MAP_FAILED && errno == ENOMEM,
		      "mremap grow without MREMAP_MAYMOVE fails with ENOMEM when blocked",
		      "returned %p", nm);
	unsigned char *b = mremap(a, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	REQUIRE(b != MAP_FAILED, "mremap grow with MREMAP_MAYMOVE", "failed");
	int same = 1;
	for (size_t i = 0; i < 2 * PAGE; i++)
		if (b[i] != (unsigned char)(i * 7))
			same = 0;
	CHECK(same, "mremap grow keeps the contents", "mismatch");
	CHECK(filled_with(b + 2 * PAGE, 62 * PAGE, 0), "the grown part is zero", "not zero");
	memset(b + 2 * PAGE, 0x33, 62 * PAGE);
	CHECK(filled_with(b + 2 * PAGE, 62 * PAGE, 0x33), "the grown part is writable", "no");
	CHECK(b != a, "a blocked grow moved the mapping", "stayed at %p", (void *)a);
	errno = 0;
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, a);
	CHECK(r == -1 && errno == EFAULT, "the old address is unmapped after the move",
	      "clock_gettime into it: %ld", r);
	CHECK(filled_with(guard, PAGE, 0) && mprotect(guard, PAGE, PROT_NONE) == 0,
	      "the guard page stayed mapped", "gone");
	CHECK(munmap(guard, PAGE) == 0, "munmap of the guard page", "failed");
	unsigned char *c = mremap(b, 64 * PAGE, 3 * PAGE, 0);
	CHECK(c == b, "mremap shrink stays in place", "moved to %p", (void *)c);
	errno = 0;
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b + 3 * PAGE);
	CHECK(r == -1 && errno == EFAULT, "the part cut off by mremap shrink is unmapped",
	      "clock_gettime into it: %ld", r);
	CHECK(b[0] == 0 && b[1] == 7 && filled_with(b + 2 * PAGE, PAGE, 0x33),
	      "mremap shrink keeps the rest", "mismatch");
	void *bad = mremap(b + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	CHECK(bad == MAP_FAILED && errno == EINVAL, "mremap of an unaligned address gives EINVAL",
	      "returned %p", bad);
	bad = mremap(b, 3 * PAGE, 6 * PAGE, 0x80 /* unknown flag */);
	CHECK(bad == MAP_FAILED && errno == EINVAL, "mremap with an unknown flag gives EINVAL",
	      "returned %p", bad);
	bad = mremap(hole(PAGE), PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	CHECK(bad == MAP_FAILED && errno == EFAULT, "mremap of an unmapped address gives EFAULT",
	      "returned %p", bad);

	/* madvise(MADV_DONTNEED) on private anonymous memory: the pages read back as zero */
	memset(b, 0x77, 3 * PAGE);
	CHECK(madvise(b + PAGE, PAGE, MADV_DONTNEED) == 0, "madvise(MADV_DONTNEED)", "failed");
	CHECK(filled_with(b + PAGE, PAGE, 0), "MADV_DONTNEED zeroes private anonymous memory",
	      "old contents survived");
	CHECK(filled_with(b, PAGE, 0x77) && filled_with(b + 2 * PAGE, PAGE, 0x77),
	      "MADV_DONTNEED leaves the other pages alone", "changed");
	b[PAGE] = 1;
	CHECK(b[PAGE] == 1, "a page dropped by MADV_DONTNEED is writable again", "no");
	CHECK(madvise(b, 3 * PAGE, MADV_NORMAL) == 0 && madvise(b, 3 * PAGE, MADV_WILLNEED) == 0,
	      "madvise MADV_NORMAL and MADV_WILLNEED", "failed");
	CHECK_ERR(madvise(b + 1, PAGE, MADV_DONTNEED), EINVAL, "madvise of an unaligned address");
	CHECK_ERR(madvise(b, PAGE, 12345), EINVAL, "madvise with an unknown advice");
	CHECK_ERR(madvise(hole(PAGE), PAGE, MADV_DONTNEED), ENOMEM, "madvise of an unmapped range");
	CHECK(munmap(b, 3 * PAGE) == 0, "munmap after mremap", "failed");

	return check_done();
}
