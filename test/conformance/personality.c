/*
 * personality(2): a query (0xffffffff) changes nothing, a set returns the old persona, the
 * persona is inherited by a child and kept across exec, and ADDR_NO_RANDOMIZE makes exec lay
 * out the stack, mmap area and heap the same way every time (what `setarch -R` and gdb use),
 * where otherwise two execs differ (the host must randomize: randomize_va_space != 0).
 */
#include "check.h"
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/wait.h>

/* Runs this program with "layout" and returns what it printed (its addresses). */
static void layout_of(const char *self, char *out, size_t size)
{
	int fds[2];
	REQUIRE(pipe(fds) == 0, "pipe", "errno %d", errno);
	pid_t c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		dup2(fds[1], 1);
		execl(self, self, "layout", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], out, size - 1);
	out[n > 0 ? n : 0] = 0;
	close(fds[0]);
	waitpid(c, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "layout") == 0) {
		int local;
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("persona %#x stack %p mmap %p brk %p\n", personality(0xffffffff), (void *)&local, m, sbrk(0));
		return 0;
	}
	int start = personality(0xffffffff);
	CHECK(start == PER_LINUX, "a program starts as PER_LINUX", "%#x", start);
	CHECK(personality(0xffffffff) == start, "a query changes nothing", "%#x", personality(0xffffffff));
	CHECK(personality(PER_LINUX | ADDR_NO_RANDOMIZE) == start, "a set returns the old persona", "%#x", start);
	CHECK(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE), "and the new one holds", "%#x",
	      personality(0xffffffff));

	char a[256], b[256];
	layout_of(argv[0], a, sizeof a);
	layout_of(argv[0], b, sizeof b);
	CHECK(strncmp(a, "persona 0x40000 ", 16) == 0, "a child's exec keeps the persona", "%s", a);
	CHECK(strcmp(a, b) == 0, "with ADDR_NO_RANDOMIZE two execs lay out memory alike", "%s / %s", a, b);

	CHECK(personality(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC) == (PER_LINUX | ADDR_NO_RANDOMIZE), "add READ_IMPLIES_EXEC",
	      "%#x", personality(0xffffffff));
	layout_of(argv[0], a, sizeof a);
	CHECK(strncmp(a, "persona 0x40000 ", 16) == 0, "a 64-bit exec drops READ_IMPLIES_EXEC", "%s", a);
	CHECK(personality(PER_LINUX) == (ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC), "set back", "%#x", personality(0xffffffff));
	layout_of(argv[0], a, sizeof a);
	layout_of(argv[0], b, sizeof b);
	CHECK(strncmp(a, "persona 0 ", 10) == 0, "PER_LINUX again in the child", "%s", a);
	CHECK(strcmp(a, b) != 0, "without it two execs differ", "%s / %s", a, b);
	return check_done();
}
