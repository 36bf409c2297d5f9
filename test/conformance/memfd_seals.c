/*
 * memfd seals (fcntl F_ADD_SEALS / F_GET_SEALS): a memfd made with MFD_ALLOW_SEALING starts
 * with none, one made without has F_SEAL_SEAL; each seal then refuses what it names with
 * EPERM: SHRINK a smaller truncate, GROW a larger one and a write past the end, WRITE every
 * write, hole punch and writable shared mapping (and F_SEAL_WRITE itself waits for no writable
 * shared mapping: EBUSY), SEAL any further seal. A read-only descriptor cannot add seals.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>

int main(void)
{
	int plain = memfd_create("plain", 0);
	REQUIRE(plain >= 0, "memfd_create", "errno %d", errno);
	CHECK(fcntl(plain, F_GET_SEALS) == F_SEAL_SEAL, "without MFD_ALLOW_SEALING: F_SEAL_SEAL", "%d", fcntl(plain, F_GET_SEALS));
	CHECK_ERR(fcntl(plain, F_ADD_SEALS, F_SEAL_GROW), EPERM, "so no seal can be added");
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "errno %d", errno);
	CHECK_ERR(fcntl(p[0], F_GET_SEALS), EINVAL, "a pipe has no seals");

	int fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	REQUIRE(fd >= 0, "memfd_create", "errno %d", errno);
	CHECK(fcntl(fd, F_GET_SEALS) == 0, "MFD_ALLOW_SEALING: no seals", "%d", fcntl(fd, F_GET_SEALS));
	REQUIRE(ftruncate(fd, 8192) == 0 && pwrite(fd, "hello", 5, 0) == 5, "fill", "errno %d", errno);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x1000), EINVAL, "an unknown seal");

	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int ro = open(path, O_RDONLY);
	REQUIRE(ro >= 0, "reopen read-only", "errno %d", errno);
	CHECK_ERR(fcntl(ro, F_ADD_SEALS, F_SEAL_SHRINK), EPERM, "a read-only descriptor cannot add seals");
	CHECK(fcntl(ro, F_GET_SEALS) == 0, "but can read them", "%d", fcntl(ro, F_GET_SEALS));

	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0, "F_SEAL_SHRINK", "errno %d", errno);
	CHECK_ERR(ftruncate(fd, 4096), EPERM, "shrinking is refused");
	CHECK(ftruncate(fd, 12288) == 0, "growing is not", "errno %d", errno);

	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) == 0, "F_SEAL_GROW", "errno %d", errno);
	CHECK_ERR(ftruncate(fd, 16384), EPERM, "growing is refused");
	CHECK_ERR(pwrite(fd, "x", 1, 12288), EPERM, "a write past the end is refused");
	CHECK(pwrite(fd, "j", 1, 0) == 1, "a write inside is not", "errno %d", errno);
	CHECK_ERR(fallocate(fd, 0, 0, 20000), EPERM, "fallocate past the end is refused");

	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(w != MAP_FAILED, "a writable shared mapping", "errno %d", errno);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY, "F_SEAL_WRITE waits for it to go");
	REQUIRE(munmap(w, 4096) == 0, "munmap", "errno %d", errno);
	char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(r != MAP_FAILED, "a read-only shared mapping", "errno %d", errno);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY, "one that may become writable counts too");
	REQUIRE(munmap(r, 4096) == 0, "munmap", "errno %d", errno);
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0, "F_SEAL_WRITE", "errno %d", errno);
	CHECK_ERR(pwrite(fd, "k", 1, 0), EPERM, "every write is refused");
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), EPERM, "and so is a hole punch");
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
	      "and a writable shared mapping", "errno %d", errno);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(r != MAP_FAILED, "a read-only shared mapping", "errno %d", errno);
	CHECK(r[0] == 'j', "which shows the data", "%c", r[0]);
	CHECK_ERR(mprotect(r, 4096, PROT_READ | PROT_WRITE), EACCES, "and can never be made writable");
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED, "a private writable mapping is fine", "errno %d", errno);

	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL) == 0, "F_SEAL_SEAL", "errno %d", errno);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM, "no more seals");
	CHECK(fcntl(fd, F_GET_SEALS) == (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "F_GET_SEALS says all four",
	      "%#x", fcntl(fd, F_GET_SEALS));
	return check_done();
}
