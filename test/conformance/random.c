/* random: getrandom(2). */
#include "check.h"
#include <sys/random.h>
#include <sys/syscall.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static long rnd(void *buf, size_t len, unsigned flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}

int main(void)
{
	static unsigned char buf[4096 + 16];
	static const size_t sizes[] = {1, 16, 256, 4096};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		memset(buf, 0, sizeof buf);
		long r = rnd(buf, sizes[i], 0);
		char what[96];
		snprintf(what, sizeof what, "getrandom of %zu bytes returns %zu", sizes[i], sizes[i]);
		CHECK(r == (long)sizes[i], what, "returned %ld", r);
		int tail_clean = 1;
		for (size_t j = sizes[i]; j < sizeof buf; j++)
			if (buf[j])
				tail_clean = 0;
		snprintf(what, sizeof what, "getrandom of %zu bytes writes no further", sizes[i]);
		CHECK(tail_clean, what, "bytes after the buffer changed");
	}
	/* 4096 uniform random bytes cover nearly all of the 256 byte values. */
	rnd(buf, 4096, 0);
	int seen[256] = {0}, distinct = 0;
	for (int i = 0; i < 4096; i++)
		if (!seen[buf[i]]++)
			distinct++;
	/* The chance that 4096 uniform bytes show fewer than 200 distinct values is ~1e-30. */
	CHECK(distinct >= 200, "4096 random bytes look random (>= 200 distinct byte values)",
	      "only %d distinct values", distinct);

	unsigned char a[16], b[16];
	CHECK(rnd(a, 16, 0) == 16 && rnd(b, 16, 0) == 16 && memcmp(a, b, 16) != 0,
	      "two 16-byte draws differ", "they are equal");
	CHECK(rnd(a, 16, GRND_NONBLOCK) == 16, "GRND_NONBLOCK returns the bytes", "failed");
	CHECK(rnd(a, 16, GRND_RANDOM) == 16, "GRND_RANDOM returns the bytes", "failed");
	CHECK(rnd(a, 16, GRND_INSECURE) == 16, "GRND_INSECURE returns the bytes", "failed");
	CHECK(rnd(a, 0, 0) == 0, "getrandom of 0 bytes returns 0", "failed");
	CHECK(getrandom(a, 16, 0) == 16, "the libc wrapper works", "failed");
	CHECK_ERR(rnd(a, 16, 0x100), EINVAL, "getrandom with an unknown flag");
	CHECK_ERR(rnd(a, 16, GRND_RANDOM | GRND_INSECURE), EINVAL,
		  "getrandom with GRND_RANDOM|GRND_INSECURE");
	CHECK_ERR(rnd((void *)1, 16, 0), EFAULT, "getrandom into a bad address");
	return check_done();
}
