/*
 * args ARGS...: echoes argc and argv, then checks the initial process state that the
 * ELF loader builds: argv/envp/auxv layout on the stack and the auxiliary vector.
 *
 * Deterministic output (compared between native and wvisor runs):
 *   argc=N
 *   argv[i]=<string>          for i >= 1 (argv[0] is the path, printed as info)
 *   env WVISOR_ARGS_TEST=<value or (unset)>
 *   ok: ... lines
 */
#include "check.h"
#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

extern char **environ;
extern char _start[];                 /* the entry point glibc's crt1 defines */
extern const Elf64_Ehdr __ehdr_start; /* the linker puts the ELF header here */

/* Is [p, p+len) inside a PT_LOAD segment of the running program? */
static int in_load(const Elf64_Phdr *ph, size_t n, uintptr_t bias, uintptr_t p, size_t len,
		   unsigned need_flags)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;
		if (p >= lo && p + len <= hi && (ph[i].p_flags & need_flags) == need_flags)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	/* The echo. */
	say("argc=%d\n", argc);
	say("info: argv[0]=%s\n", argv[0]);
	for (int i = 1; i < argc; i++)
		say("argv[%d]=%s\n", i, argv[i]);
	const char *tv = getenv("WVISOR_ARGS_TEST");
	say("env WVISOR_ARGS_TEST=%s\n", tv ? tv : "(unset)");

	/* Stack layout: argv[argc] == NULL, envp follows argv, auxv follows envp. */
	CHECK(argc >= 1 && argv[argc] == NULL, "argv is NULL-terminated", "argv[argc]=%p",
	      (void *)argv[argc]);
	CHECK(envp == argv + argc + 1, "envp directly follows argv's NULL", "argv=%p envp=%p",
	      (void *)argv, (void *)envp);
	CHECK(environ == envp, "environ is main's envp", "environ=%p envp=%p", (void *)environ,
	      (void *)envp);
	size_t nenv = 0;
	int env_ok = 1;
	for (char **e = envp; *e; e++, nenv++)
		if (!strchr(*e, '='))
			env_ok = 0;
	CHECK(env_ok, "every envp string has the NAME=value form", "a string without '='");
	say("info: %zu environment strings\n", nenv);
	/*
	 * The System V x86-64 ABI: at process entry %rsp is 16-byte aligned and points at
	 * argc, so argv (= %rsp + 8, handed on unchanged by _start) is 8 mod 16.
	 */
	CHECK(((uintptr_t)argv & 15) == 8, "initial stack pointer was 16-byte aligned",
	      "argv=%p, expected argv %% 16 == 8", (void *)argv);
	_Alignas(16) volatile char aligned_local[32];
	aligned_local[0] = 1;
	CHECK(((uintptr_t)aligned_local & 15) == 0, "an _Alignas(16) local is 16-byte aligned",
	      "address %p", (void *)aligned_local);

	/* Walk auxv by hand and compare it with getauxval. */
	Elf64_auxv_t *auxv = (Elf64_auxv_t *)(envp + nenv + 1);
	unsigned long hand_pagesz = 0, hand_entry = 0;
	size_t nauxv = 0;
	for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL && nauxv < 256; a++, nauxv++) {
		if (a->a_type == AT_PAGESZ)
			hand_pagesz = a->a_un.a_val;
		if (a->a_type == AT_ENTRY)
			hand_entry = a->a_un.a_val;
	}
	CHECK(nauxv > 0 && nauxv < 256, "auxv follows envp's NULL and ends with AT_NULL",
	      "%zu entries", nauxv);
	CHECK(hand_pagesz == getauxval(AT_PAGESZ) && hand_entry == getauxval(AT_ENTRY),
	      "auxv read by hand agrees with getauxval", "pagesz %lu/%lu entry %#lx/%#lx",
	      hand_pagesz, getauxval(AT_PAGESZ), hand_entry, getauxval(AT_ENTRY));

	/* The auxiliary vector. */
	CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ is 4096", "got %lu", getauxval(AT_PAGESZ));
	CHECK(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK is 100", "got %lu", getauxval(AT_CLKTCK));
	errno = 0;
	unsigned long secure = getauxval(AT_SECURE);
	CHECK(secure == 0 && errno == 0, "AT_SECURE is present and 0", "got %lu", secure);
	errno = 0;
	unsigned long base = getauxval(AT_BASE);
	CHECK(base == 0, "AT_BASE is 0 (no program interpreter)", "got %#lx", base);

	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t phnum = getauxval(AT_PHNUM);
	uintptr_t entry = getauxval(AT_ENTRY);
	REQUIRE(ph && phnum && entry, "AT_PHDR, AT_PHNUM and AT_ENTRY are non-zero",
		"phdr=%p phnum=%zu entry=%#lx", (void *)ph, phnum, (unsigned long)entry);
	CHECK(getauxval(AT_PHENT) == sizeof(Elf64_Phdr), "AT_PHENT is sizeof(Elf64_Phdr)",
	      "got %lu", getauxval(AT_PHENT));
	/* The header the linker placed in the image must be the one the kernel describes. */
	const Elf64_Ehdr *eh = &__ehdr_start;
	REQUIRE(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "the ELF header is mapped at __ehdr_start",
		"bad magic");
	CHECK((uintptr_t)ph == (uintptr_t)eh + eh->e_phoff,
	      "AT_PHDR is the address of the program headers", "AT_PHDR=%p, header+e_phoff=%p",
	      (void *)ph, (void *)((uintptr_t)eh + eh->e_phoff));
	CHECK(phnum == eh->e_phnum, "AT_PHNUM is the ELF header's e_phnum", "%zu vs %u", phnum,
	      (unsigned)eh->e_phnum);
	/* Load bias: 0 for ET_EXEC, the load address for a static PIE (ET_DYN). */
	uintptr_t bias = (uintptr_t)eh;
	int have_offset0 = 0;
	for (size_t i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias = (uintptr_t)eh - ph[i].p_vaddr;
			have_offset0 = 1;
			break;
		}
	REQUIRE(have_offset0, "a PT_LOAD maps the start of the file", "none");
	say("info: e_type=%s bias=%#lx\n", eh->e_type == ET_DYN ? "ET_DYN" : "ET_EXEC",
	    (unsigned long)bias);
	CHECK(eh->e_type == ET_DYN || bias == 0, "an ET_EXEC program is loaded at its link address",
	      "bias %#lx", (unsigned long)bias);
	CHECK((bias & 4095) == 0, "the load bias is page-aligned", "bias %#lx", (unsigned long)bias);
	CHECK(entry == bias + eh->e_entry, "AT_ENTRY is e_entry plus the load bias",
	      "AT_ENTRY=%#lx e_entry+bias=%#lx", (unsigned long)entry,
	      (unsigned long)(bias + eh->e_entry));
	CHECK(entry == (uintptr_t)_start, "AT_ENTRY is _start", "AT_ENTRY=%#lx _start=%p",
	      (unsigned long)entry, (void *)_start);
	CHECK(in_load(ph, phnum, bias, entry, 1, PF_X),
	      "AT_ENTRY points into an executable PT_LOAD", "entry=%#lx", (unsigned long)entry);
	CHECK(in_load(ph, phnum, bias, (uintptr_t)ph, phnum * sizeof *ph, PF_R),
	      "the program headers lie inside a readable PT_LOAD", "phdr=%p", (void *)ph);
	CHECK(in_load(ph, phnum, bias, (uintptr_t)main, 1, PF_X),
	      "main lies inside an executable PT_LOAD", "main=%p", (void *)main);

	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	REQUIRE(rnd != NULL, "AT_RANDOM is non-zero", "null");
	unsigned char copy[16];
	int nonzero = 0;
	for (int i = 0; i < 16; i++) {
		copy[i] = rnd[i];
		nonzero |= copy[i];
	}
	CHECK(nonzero, "AT_RANDOM points to 16 readable bytes that are not all zero", "all zero");
	CHECK((uintptr_t)rnd > (uintptr_t)auxv, "AT_RANDOM's bytes are on the stack above auxv",
	      "AT_RANDOM=%p auxv=%p", (void *)rnd, (void *)auxv);

	const char *execfn = (const char *)getauxval(AT_EXECFN);
	REQUIRE(execfn != NULL, "AT_EXECFN is non-zero", "null");
	size_t len = strnlen(execfn, 4097);
	CHECK(len > 0 && len <= 4096, "AT_EXECFN is a non-empty string", "length %zu", len);
	CHECK((uintptr_t)execfn > (uintptr_t)auxv, "AT_EXECFN's string is on the stack above auxv",
	      "AT_EXECFN=%p auxv=%p", (void *)execfn, (void *)auxv);
	say("info: AT_EXECFN=%s\n", execfn);

	CHECK(getauxval(AT_UID) == (unsigned long)syscall(SYS_getuid), "AT_UID equals getuid()",
	      "%lu vs %ld", getauxval(AT_UID), syscall(SYS_getuid));
	CHECK(getauxval(AT_EUID) == (unsigned long)syscall(SYS_geteuid), "AT_EUID equals geteuid()",
	      "%lu vs %ld", getauxval(AT_EUID), syscall(SYS_geteuid));
	CHECK(getauxval(AT_GID) == (unsigned long)syscall(SYS_getgid), "AT_GID equals getgid()",
	      "%lu vs %ld", getauxval(AT_GID), syscall(SYS_getgid));
	CHECK(getauxval(AT_EGID) == (unsigned long)syscall(SYS_getegid), "AT_EGID equals getegid()",
	      "%lu vs %ld", getauxval(AT_EGID), syscall(SYS_getegid));

	return check_done();
}
