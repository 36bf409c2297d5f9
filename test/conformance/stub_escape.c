/*
 * stub_escape MODE [VICTIM-PID]: attacks wvisor's stub from app code. Every app address
 * space under wvisor also holds the stub's code page at 0x7ff000000000 (readable and
 * executable, like any host mapping) and, under the systrap platform, the app threads'
 * context pages above it. Prints "key=value" lines that test/stub_escape.test.ts reads.
 *
 * MODE kill: finds every `syscall` instruction in the stub page and jumps to it with
 * kill(VICTIM, SIGKILL) in the registers (rbx, r12, r13 zero, so that what follows
 * faults quickly; faults are caught and skipped), each from a child of its own (the stub's
 * code after a syscall may make other syscalls, which end or stop the child: exit_group,
 * or kill(getpid(), SIGSTOP)).
 * Natively there is no stub page: it uses
 * a `syscall; ret` of its own, and so really kills the victim, which shows the attack
 * works where nothing stops it. Under wvisor each such syscall must be trapped and
 * emulated like any other (the victim's pid does not exist in the sandbox) and the victim
 * must live. Prints stub=yes|no and gadgets=N.
 *
 * MODE int80 VICTIM: makes kill(VICTIM, SIGKILL) through `int $0x80`, the i386 ABI (kill is 37
 * there). Natively, on a kernel with IA32 emulation, it kills the victim; under wvisor it
 * must not: the platform answers it with SIGSEGV, as a kernel without that emulation does.
 * Prints int80=fault or int80=<return value>.
 *
 * MODE forge: writes "an event is waiting" into every writable page of the stub area above
 * the code page (the systrap context pages) with a ucontext pointer of 0, then spins for
 * up to five seconds. Under systrap the Sentry must take it as the app having broken its
 * own stub: it kills the process and stays up. Natively, and under ptrace (which maps
 * no writable stub pages), there is nothing to forge: it prints forged=0 and exits 0.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define STUB_BASE 0x7ff000000000UL
#define PAGE 4096UL

static sigjmp_buf jb;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

/* A `syscall; ret` of our own, for the native run. */
__asm__(".text\n own_gadget: syscall\n ret\n");
extern char own_gadget[];

static long call_gadget(const void *g, long nr, long a0, long a1)
{
	long ret;
	register long r10 __asm__("r10") = 0;
	__asm__ volatile("xor %%ebx, %%ebx\n xor %%r12d, %%r12d\n xor %%r13d, %%r13d\n call *%[g]"
			 : "=a"(ret)
			 : [g] "r"(g), "a"(nr), "D"(a0), "S"(a1), "r"(r10)
			 : "rbx", "rcx", "rdx", "r8", "r9", "r11", "r12", "r13", "memory");
	return ret;
}

/* Whether the page at p can be read (probed under the fault handler). */
static int readable(const volatile char *p)
{
	if (sigsetjmp(jb, 1) != 0)
		return 0;
	(void)*p;
	return 1;
}

static int writable_word(volatile uint32_t *p, uint32_t v)
{
	if (sigsetjmp(jb, 1) != 0)
		return 0;
	*p = v;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	alarm(20);

	if (strcmp(argv[1], "kill") == 0 && argc > 2) {
		long victim = atol(argv[2]);
		const unsigned char *stub = (const unsigned char *)STUB_BASE;
		int have_stub = readable((const char *)stub);
		printf("stub=%s\n", have_stub ? "yes" : "no");
		fflush(stdout);
		int gadgets = 0, killed = 0;
		for (unsigned long i = 0; i < (have_stub ? PAGE - 1 : 1); i++) {
			const void *g = own_gadget;
			if (have_stub) {
				if (stub[i] != 0x0f || stub[i + 1] != 0x05)
					continue;
				g = stub + i;
			}
			gadgets++;
			pid_t pid = fork();
			if (pid == 0) {
				if (sigsetjmp(jb, 1) == 0 && call_gadget(g, 62 /* kill */, victim, SIGKILL) == 0)
					_exit(10);
				_exit(11);
			}
			/* a child that stopped itself (the stub's SIGSTOP to itself) is killed */
			int st = 0;
			while (pid > 0 && waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st))
				kill(pid, SIGKILL);
			if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 10)
				killed++;
		}
		printf("gadgets=%d\ninfo: %d returned 0\n", gadgets, killed);
		fflush(stdout);
		return 0;
	}
	if (strcmp(argv[1], "int80") == 0 && argc > 2) {
		long victim = atol(argv[2]), ret = 0;
		if (sigsetjmp(jb, 1) == 0) {
			__asm__ volatile("int $0x80" : "=a"(ret) : "a"(37L), "b"(victim), "c"((long)SIGKILL) : "memory");
			printf("int80=%ld\n", ret);
		} else {
			printf("int80=fault\n");
		}
		fflush(stdout);
		return 0;
	}
	if (strcmp(argv[1], "forge") == 0) {
		/* Find the writable pages first: the forging itself must be the last thing before
		 * the spin, with no syscall between (one would post a real event over it). */
		static volatile uint32_t *pages[4096];
		int n = 0;
		for (unsigned long a = STUB_BASE + 0x10000; a < STUB_BASE + 0x1000000 && n < 4096; a += PAGE) {
			volatile uint32_t *w = (volatile uint32_t *)a;
			if (readable((const volatile char *)w) && writable_word(w + 6, w[6]))
				pages[n++] = w;
		}
		printf("forged=%d\n", n);
		fflush(stdout);
		if (n > 0) {
			/* the ucontext pointer (offset 24), then the state (offset 0) */
			for (int i = 0; i < n; i++) {
				pages[i][6] = 0;
				pages[i][7] = 0;
				pages[i][0] = 1;
			}
			for (volatile unsigned long i = 0; i < 4000000000UL; i++)
				;
			printf("still alive\n");
		}
		return 0;
	}
	return 2;
}
