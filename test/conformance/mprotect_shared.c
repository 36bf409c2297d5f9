/*
 * A MAP_SHARED mapping of a file opened read-only can never be made writable: mprotect
 * with PROT_WRITE is EACCES (Linux clears VM_MAYWRITE at mmap), whether the file is one the
 * program made in /tmp or a host file (/bin/sh here); the mapping keeps reading the file.
 * A private mapping of the same file may be made writable (its writes are its own), and a
 * shared mapping of a file opened for writing may too.
 */
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>

static void shared_readonly(const char *path)
{
	int fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0, "open", "%s: errno %d", path, errno);
	char first;
	REQUIRE(pread(fd, &first, 1, 0) == 1, "pread", "errno %d", errno);
	char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED, "mmap shared read-only", "errno %d", errno);
	CHECK_ERR(mprotect(m, 4096, PROT_READ | PROT_WRITE), EACCES, "mprotect(PROT_WRITE) of a read-only shared mapping");
	CHECK(mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0, "mprotect without PROT_WRITE is fine", "errno %d", errno);
	CHECK(m[0] == first, "the mapping still shows the file", "%d vs %d", m[0], first);
	munmap(m, 4096);
	char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	REQUIRE(p != MAP_FAILED, "mmap private", "errno %d", errno);
	CHECK(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0, "a private mapping may become writable", "errno %d", errno);
	p[0] = (char)(first + 1);
	char now;
	CHECK(pread(fd, &now, 1, 0) == 1 && now == first, "and its writes stay its own", "%d", now);
	munmap(p, 4096);
	close(fd);
}

int main(void)
{
	char path[] = "/tmp/wvisor-mprotect-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0, "mkstemp", "errno %d", errno);
	REQUIRE(write(fd, "data", 4) == 4 && ftruncate(fd, 4096) == 0, "write", "errno %d", errno);
	shared_readonly(path);
	char *w = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(w != MAP_FAILED, "mmap shared of a writable fd", "errno %d", errno);
	CHECK(mprotect(w, 4096, PROT_READ | PROT_WRITE) == 0, "a shared mapping of a file open for writing may become writable",
	      "errno %d", errno);
	unlink(path);
	shared_readonly("/bin/sh");
	return check_done();
}
