/*
 * preadv2/pwritev2 flags: RWF_APPEND appends whatever the offset (and moves the file position
 * only with offset -1), RWF_NOWAIT does not wait (EAGAIN from an empty pipe), RWF_HIPRI,
 * RWF_DSYNC and RWF_SYNC are taken, an unknown flag is EOPNOTSUPP.
 */
#include "check.h"
#include <fcntl.h>
#include <sys/uio.h>

#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

int main(void)
{
	char path[] = "/tmp/wvisor-rwf-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0, "mkstemp", "errno %d", errno);
	unlink(path);
	REQUIRE(write(fd, "abc", 3) == 3 && lseek(fd, 1, SEEK_SET) == 1, "write", "errno %d", errno);
	struct iovec xy = {"XY", 2};
	CHECK(pwritev2(fd, &xy, 1, 0, RWF_APPEND) == 2, "pwritev2 RWF_APPEND at offset 0", "errno %d", errno);
	char buf[16] = {0};
	CHECK(pread(fd, buf, sizeof buf, 0) == 5 && memcmp(buf, "abcXY", 5) == 0, "it went to the end", "%s", buf);
	CHECK(lseek(fd, 0, SEEK_CUR) == 1, "the file position did not move", "%ld", (long)lseek(fd, 0, SEEK_CUR));
	struct iovec z = {"Z", 1};
	CHECK(pwritev2(fd, &z, 1, -1, RWF_APPEND) == 1, "RWF_APPEND at the file position", "errno %d", errno);
	CHECK(lseek(fd, 0, SEEK_CUR) == 6, "appends and moves the position", "%ld", (long)lseek(fd, 0, SEEK_CUR));
	CHECK(pwritev2(fd, &z, 1, 0, 0) == 1 && pread(fd, buf, 6, 0) == 6 && memcmp(buf, "ZbcXYZ", 6) == 0,
	      "the file itself is not O_APPEND afterwards", "%.6s", buf);
	int flags[] = {RWF_HIPRI, RWF_DSYNC, RWF_SYNC};
	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		struct iovec r = {buf, 3};
		CHECK(pwritev2(fd, &z, 1, 6, flags[i]) == 1 && preadv2(fd, &r, 1, 0, flags[i]) == 3, "a hint flag is taken",
		      "flag %#x: errno %d", flags[i], errno);
	}
	CHECK_ERR(pwritev2(fd, &z, 1, 0, 0x80000), EOPNOTSUPP, "an unknown flag");

	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "errno %d", errno);
	struct iovec r = {buf, sizeof buf};
	CHECK_ERR(preadv2(p[0], &r, 1, -1, RWF_NOWAIT), EAGAIN, "RWF_NOWAIT from an empty pipe");
	REQUIRE(write(p[1], "pq", 2) == 2, "write pipe", "errno %d", errno);
	CHECK(preadv2(p[0], &r, 1, -1, RWF_NOWAIT) == 2, "RWF_NOWAIT with data there", "errno %d", errno);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0, "and the pipe is still blocking", "%#x", fcntl(p[0], F_GETFL));
	return check_done();
}
