/*
 * straddle: write(2) from a buffer whose first part is mapped and whose rest is not.
 *
 * What Linux returns depends on the type of file written to. This program asserts what
 * Linux 6.x does for the type of its stdout, prints "straddle-bytes=N" (the sum of the
 * positive return values), and the tests check that exactly N '~' bytes reached stdout.
 * The buffer is p (page-aligned) with p..p+4095 mapped and p+4096.. unmapped:
 *
 *   write(p, 8192)         write(p+4096-100, 200)   write(p+2048, 4096)
 *   pipe:    4096          EFAULT                   EFAULT
 *   socket:  EFAULT        EFAULT                   EFAULT
 *   file:    4096          100                      2048
 *
 *   pipe:   pipe_write() fills the pipe one page-sized chunk at a time (counted from the
 *           start of the write, not from page boundaries of the buffer); a chunk that
 *           faults part-way is dropped whole, and the write returns what earlier chunks
 *           delivered, or EFAULT if none. (A write whose length is not a multiple of 4096
 *           may first be merged into the pipe's last partly filled page, and then even
 *           the full-page chunks after it depend on what is already in the pipe; such
 *           lengths are avoided here.)
 *   socket: (AF_UNIX stream, what Node gives a child as stdio) the data goes into one
 *           skb of up to ~32 KiB; a fault while filling it fails the whole write.
 *   file:   (ext4, tmpfs) everything before the fault is written.
 * Other stdout types (a terminal, /dev/null) are reported but not checked.
 */
#include "check.h"
#include <sys/mman.h>
#include <sys/stat.h>

#define PAGE 4096L

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
	struct stat out;
	REQUIRE(fstat(1, &out) == 0, "fstat(1)", "failed");
	say("info: stdout is a %s\n", type_name(out.st_mode));
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(p != MAP_FAILED, "mmap of 2 pages", "failed");
	memset(p, '~', 2 * PAGE);
	REQUIRE(munmap(p + PAGE, PAGE) == 0, "munmap of the second page", "failed");

	enum { OTHER, PIPE, SOCKET, FILE_ };
	int kind = S_ISFIFO(out.st_mode)   ? PIPE
		   : S_ISSOCK(out.st_mode) ? SOCKET
		   : S_ISREG(out.st_mode)  ? FILE_
					   : OTHER;
	static const struct {
		long off, len;
		long want[4]; /* by kind; -1 is EFAULT */
		const char *what;
	} cases[] = {
		{0, 2 * PAGE, {0, PAGE, -1, PAGE}, "write of 8192 bytes of which the first 4096 are mapped"},
		{PAGE - 100, 200, {0, -1, -1, 100}, "write of 200 bytes of which the first 100 are mapped"},
		{PAGE / 2, PAGE, {0, -1, -1, PAGE / 2}, "write of 4096 bytes of which the first 2048 are mapped"},
	};
	long delivered = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		errno = 0;
		long r = write(1, p + cases[i].off, (size_t)cases[i].len);
		int e = errno;
		if (write(1, "\n", 1) != 1)
			complain("cannot write a newline\n");
		if (r > 0)
			delivered += r;
		if (kind == OTHER) {
			say("info: %s returned %ld (errno %d); not checked for this stdout type\n",
			    cases[i].what, r, e);
			continue;
		}
		long want = cases[i].want[kind];
		char what[200], wants[16];
		snprintf(wants, sizeof wants, "%ld", want);
		snprintf(what, sizeof what, "%s, to a %s: %s", cases[i].what, type_name(out.st_mode),
			 want < 0 ? "EFAULT" : wants);
		CHECK(r == want && (want >= 0 || e == EFAULT), what, "returned %ld (errno %d %s)", r, e,
		      strerror(e));
	}
	say("straddle-bytes=%ld\n", delivered);
	munmap(p, PAGE);
	return check_done();
}
