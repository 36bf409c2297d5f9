/*
 * malloc [MiB]: exercises brk and anonymous mmap through glibc malloc.
 *
 * 1. brk/sbrk directly: grow, touch, shrink, regrow (fresh pages are zero), and the raw
 *    brk syscall's rules (brk(0) and a refused brk both return the current break).
 * 2. Small blocks (64 KiB, below the mmap threshold) must come from the brk heap; large
 *    blocks (1 MiB and more) must come from mmap, outside the heap. Half of the total
 *    (default 1 GiB) goes each way, in rounds of at most 256 MiB held at once. Every page
 *    gets a pattern that depends on its address and round, which is verified before free.
 */
#include "check.h"
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096UL
#define MiB (1024UL * 1024UL)
#define SMALL (64UL * 1024UL)
#define ROUND_BYTES (256UL * MiB)

static uintptr_t align_up(uintptr_t x) { return (x + PAGE - 1) & ~(PAGE - 1); }

static void fill(unsigned char *p, size_t len, unsigned salt)
{
	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t v = ((uintptr_t)(p + off) >> 12) * 2654435761u + salt;
		memcpy(p + off, &v, sizeof v);
	}
	/* and the last byte, to be sure the end of the block is writable */
	p[len - 1] = (unsigned char)salt;
}

static int verify(const unsigned char *p, size_t len, unsigned salt)
{
	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t v = ((uintptr_t)(p + off) >> 12) * 2654435761u + salt, got;
		memcpy(&got, p + off, sizeof got);
		if (got != v)
			return 0;
	}
	return p[len - 1] == (unsigned char)salt;
}

static int all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 64)
		if (p[i])
			return 0;
	return 1;
}

static void brk_checks(void)
{
	long cur = syscall(SYS_brk, 0);
	char *s0 = sbrk(0);
	CHECK(cur > 0 && (char *)cur == s0, "brk(0) returns the current break, as sbrk(0) does",
	      "brk(0)=%#lx sbrk(0)=%p", cur, (void *)s0);
	/* A break below the start of the heap is refused: the raw syscall returns the old one. */
	CHECK(syscall(SYS_brk, 4096) == cur, "a refused brk returns the unchanged break",
	      "brk(4096)=%#lx", syscall(SYS_brk, 4096));
	/* So is one that would reach far beyond any address space. */
	CHECK(syscall(SYS_brk, (long)1 << 62) == cur, "brk beyond the address space is refused",
	      "changed the break");
	CHECK((char *)syscall(SYS_brk, 0) == s0, "the break is unchanged after refusals",
	      "moved");

	/* Grow to a page boundary plus 4 MiB; the new pages are zero and writable. */
	uintptr_t aligned = align_up((uintptr_t)s0);
	size_t grow = (aligned - (uintptr_t)s0) + 4 * MiB;
	char *old = sbrk((intptr_t)grow);
	REQUIRE(old == s0, "sbrk(+n) returns the old break", "got %p want %p", (void *)old,
		(void *)s0);
	CHECK((char *)sbrk(0) == s0 + grow, "the break moved up by n", "sbrk(0)=%p want %p",
	      sbrk(0), (void *)(s0 + grow));
	unsigned char *region = (unsigned char *)aligned;
	CHECK(all_zero(region, 4 * MiB), "new brk pages read as zero", "non-zero byte");
	fill(region, 4 * MiB, 7);
	CHECK(verify(region, 4 * MiB, 7), "new brk pages hold what was written", "mismatch");

	/* Shrink back to the page boundary, then grow again: the pages come back zeroed. */
	CHECK(sbrk(-(intptr_t)(4 * MiB)) != (void *)-1, "sbrk(-n) shrinks the heap", "failed");
	CHECK((uintptr_t)sbrk(0) == aligned, "the break moved down by n", "sbrk(0)=%p want %#lx",
	      sbrk(0), (unsigned long)aligned);
	CHECK(sbrk((intptr_t)(4 * MiB)) == (void *)aligned, "sbrk regrows the heap", "failed");
	CHECK(all_zero(region, 4 * MiB), "pages given back by brk and taken again are zero",
	      "old contents survived a shrink");
	fill(region, 4 * MiB, 9);
	CHECK(verify(region, 4 * MiB, 9), "regrown brk pages hold what was written", "mismatch");

	/* brk() (not sbrk) to an absolute address, then back to where we started. */
	CHECK(brk(region + 8 * MiB) == 0 && (unsigned char *)sbrk(0) == region + 8 * MiB,
	      "brk(addr) sets the break to addr", "sbrk(0)=%p", sbrk(0));
	region[8 * MiB - 1] = 1;
	CHECK(brk(s0) == 0 && (char *)sbrk(0) == s0, "brk(addr) shrinks back to the start",
	      "sbrk(0)=%p want %p", sbrk(0), (void *)s0);
}

int main(int argc, char **argv)
{
	size_t total = (argc > 1 ? strtoul(argv[1], NULL, 0) : 1024) * MiB;

	/*
	 * glibc's startup code already made the main arena (about 132 KiB) at the start of
	 * the brk area, which is wherever the kernel put it (above the program for ET_EXEC,
	 * elsewhere for a static PIE). 1 MiB below the break at main() is a safe floor.
	 */
	char *heap_start = (char *)sbrk(0) - MiB;
	brk_checks();

	/* Fix the mmap threshold: glibc otherwise raises it after freeing mmapped chunks. */
	REQUIRE(mallopt(M_MMAP_THRESHOLD, 512 * 1024) == 1, "mallopt(M_MMAP_THRESHOLD)",
		"refused");

	size_t max_blocks = ROUND_BYTES / SMALL;
	unsigned char **blocks = malloc(max_blocks * sizeof *blocks);
	size_t *sizes = malloc(max_blocks * sizeof *sizes);
	REQUIRE(blocks != NULL && sizes != NULL, "malloc of the block tables", "NULL");

	/*
	 * Half the total in small blocks, half in large ones (1, 2, 3, 4 MiB in turn), in
	 * rounds of at most ROUND_BYTES held at once.
	 */
	int ok[2] = {1, 1}, placed[2] = {1, 1}, grew = 0, trimmed = 0;
	unsigned salt = 100;
	for (int large = 0; large < 2; large++) {
		for (size_t done = 0; done < total / 2; salt++) {
			size_t held = 0, n = 0;
			while (held < ROUND_BYTES && done + held < total / 2 && n < max_blocks) {
				size_t sz = large ? (1 + n % 4) * MiB : SMALL;
				if (sz > ROUND_BYTES - held)
					sz = ROUND_BYTES - held;
				if (sz > total / 2 - done - held)
					sz = total / 2 - done - held;
				unsigned char *b = malloc(sz);
				if (!b) {
					ok[large] = 0;
					break;
				}
				fill(b, sz, salt);
				blocks[n] = b;
				sizes[n++] = sz;
				held += sz;
			}
			char *heap_end = sbrk(0);
			if (!large && done == 0)
				grew = heap_end - (heap_start + MiB) >= (ptrdiff_t)held;
			for (size_t i = 0; i < n; i++) {
				if (!verify(blocks[i], sizes[i], salt))
					ok[large] = 0;
				int in_heap = (char *)blocks[i] >= heap_start &&
					      (char *)blocks[i] + sizes[i] <= heap_end;
				if (in_heap == large)
					placed[large] = 0;
				free(blocks[i]);
			}
			if (!large && done == 0)
				trimmed = (char *)sbrk(0) < heap_end - ROUND_BYTES / 2;
			if (held == 0)
				break;
			done += held;
		}
	}
	CHECK(ok[0], "small blocks: allocated, patterned and verified",
	      "malloc failed or a pattern did not survive");
	CHECK(grew, "the break grew by the bytes malloc handed out in small blocks",
	      "malloc did not get them from brk");
	CHECK(placed[0], "small blocks come from the brk heap", "a block outside the heap");
	CHECK(trimmed, "free() of the small blocks shrank the heap (malloc trims with brk)",
	      "break still high");
	CHECK(ok[1], "large blocks: allocated, patterned and verified",
	      "malloc failed or a pattern did not survive");
	CHECK(placed[1], "large blocks are mmapped outside the brk heap",
	      "a large block inside the heap");

	/* A direct anonymous mmap of 64 MiB: zero-filled, writable, unmappable. */
	unsigned char *m = mmap(NULL, 64 * MiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(m != MAP_FAILED, "mmap of 64 MiB anonymous memory", "failed");
	CHECK(((uintptr_t)m & (PAGE - 1)) == 0, "mmap returns a page-aligned address", "%p",
	      (void *)m);
	CHECK(all_zero(m, 64 * MiB), "fresh anonymous memory is zero", "non-zero byte");
	fill(m, 64 * MiB, 1);
	CHECK(verify(m, 64 * MiB, 1), "anonymous memory holds what was written", "mismatch");
	CHECK(munmap(m, 64 * MiB) == 0, "munmap of the whole mapping", "failed");

	free(blocks);
	free(sizes);
	return check_done();
}
