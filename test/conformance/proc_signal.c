/*
 * Signals: handlers and siginfo (kill, tgkill, raise, from a child, SIGCHLD), the mask
 * while a handler runs (default blocking, SA_NODEFER, sa_mask, SA_RESETHAND), register
 * and FPU state (SSE, AVX, MXCSR, x87 control word) across a handler, handlers editing
 * the ucontext, sigaltstack, sigsuspend, pause, pending and blocked signals, SIG_IGN,
 * standard vs real-time queueing, SA_RESTART and EINTR, synchronous faults (SIGSEGV,
 * SIGBUS, SIGILL, SIGTRAP, SIGFPE) with si_addr/si_code, default actions (tested on
 * children), signals to a process group, SIGCHLD set to SIG_IGN, and what execve keeps.
 *
 * The test program itself is pid 1 inside wvisor, where signals without a handler are
 * ignored: it only ever signals itself for signals that have a handler or are blocked,
 * and default actions are checked on children.
 *
 * Run with the argument "exec-probe" it prints what the new image inherited (used by
 * the execve check through argv[0]).
 */
#include "proc.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ucontext.h>

static const char *self_path;
static int have_avx;

/* ---- a general recording handler ---- */

static volatile int h_count[65];
static volatile int h_signo, h_code, h_pid, h_uid, h_status, h_sig_arg, h_uc_ok;
static volatile int h_in_mask_self, h_in_mask_usr2, h_in_mask_int;
static volatile int seq[16], seq_n;

static void rec(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	h_in_mask_self = sigismember(&cur, sig);
	h_in_mask_usr2 = sigismember(&cur, SIGUSR2);
	h_in_mask_int = sigismember(&cur, SIGINT);
	h_count[sig]++;
	h_sig_arg = sig;
	h_signo = si->si_signo;
	h_code = si->si_code;
	h_pid = si->si_pid;
	h_uid = (int)si->si_uid;
	h_status = si->si_status;
	h_uc_ok = uc != NULL;
	if (seq_n < 16)
		seq[seq_n++] = sig;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags, const sigset_t *mask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	if (mask)
		sa.sa_mask = *mask;
	else
		sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_default(int sig)
{
	signal(sig, SIG_DFL);
}

static void reset_counts(void)
{
	for (int i = 0; i < 65; i++)
		h_count[i] = 0;
	h_signo = h_code = h_pid = h_uid = h_status = h_sig_arg = -1;
	seq_n = 0;
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static int blocked_now(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int pending_now(int sig)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, sig);
}

/* ---- siginfo of kill, tgkill, raise, a child's kill ---- */

static void test_siginfo(void)
{
	reset_counts();
	set_handler(SIGUSR1, rec, 0, NULL);
	set_handler(SIGUSR2, rec, 0, NULL);
	CHECK(kill(getpid(), SIGUSR1) == 0, "kill(self, SIGUSR1) succeeds", "-");
	CHECK(h_count[SIGUSR1] == 1, "the handler ran before kill returned", "count %d", h_count[SIGUSR1]);
	CHECK(h_sig_arg == SIGUSR1 && h_signo == SIGUSR1, "the handler gets the signal number (argument and si_signo)", "arg %d si_signo %d", h_sig_arg, h_signo);
	CHECK(h_code == SI_USER, "kill gives si_code SI_USER", "si_code %d", h_code);
	CHECK(h_pid == getpid() && h_uid == (int)getuid(), "kill: si_pid and si_uid are the sender's", "si_pid %d si_uid %d", h_pid, h_uid);
	CHECK(h_uc_ok, "an SA_SIGINFO handler gets a ucontext", "-");

	reset_counts();
	CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2) == 0, "tgkill(self, SIGUSR2) succeeds", "-");
	CHECK(h_count[SIGUSR2] == 1 && h_signo == SIGUSR2, "the tgkill handler ran", "count %d", h_count[SIGUSR2]);
	CHECK(h_code == SI_TKILL && h_pid == getpid(), "tgkill gives si_code SI_TKILL and si_pid", "si_code %d si_pid %d", h_code, h_pid);

	reset_counts();
	CHECK(syscall(SYS_tkill, gettid(), SIGUSR2) == 0, "tkill(self, SIGUSR2) succeeds", "-");
	CHECK(h_count[SIGUSR2] == 1 && h_code == SI_TKILL, "tkill gives si_code SI_TKILL", "count %d si_code %d", h_count[SIGUSR2], h_code);

	reset_counts();
	CHECK(raise(SIGUSR1) == 0 && h_count[SIGUSR1] == 1, "raise runs the handler before returning", "count %d", h_count[SIGUSR1]);
	CHECK(h_code == SI_TKILL, "raise gives SI_TKILL (glibc uses tgkill)", "si_code %d", h_code);

	CHECK(kill(getpid(), 0) == 0, "kill(self, 0) checks existence only", "-");
	CHECK_ERR(kill(getpid(), 65), EINVAL, "kill with signal 65 gives EINVAL");
	CHECK_ERR(kill(getpid(), -1), EINVAL, "kill with signal -1 gives EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, getpid(), getpid() + 1000000, SIGUSR1), ESRCH, "tgkill of a thread not in the group gives ESRCH");
	CHECK_ERR(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL, "tgkill with tgid 0 gives EINVAL");

	/* from a child: si_pid is the child's */
	reset_counts();
	sigset_t u1 = set_of(SIGUSR1, 0), old;
	sigprocmask(SIG_BLOCK, &u1, &old);
	pid_t pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGUSR1);
	while (h_count[SIGUSR1] == 0)
		sigsuspend(&wait_mask);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int st;
	xwaitpid(pid, &st, 0);
	CHECK(h_count[SIGUSR1] == 1 && h_code == SI_USER && h_pid == pid, "a child's kill: SI_USER with the child's pid", "count %d code %d pid %d (child %d)", h_count[SIGUSR1], h_code, h_pid, (int)pid);

	/* sigaction returns the previous action */
	struct sigaction sa, prev;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, &prev) == 0 && prev.sa_sigaction == rec && (prev.sa_flags & SA_SIGINFO), "sigaction returns the old handler and flags", "flags 0x%x", prev.sa_flags);
	set_handler(SIGUSR1, rec, SA_RESTART, NULL);
	sigaction(SIGUSR1, NULL, &prev);
	CHECK((prev.sa_flags & (SA_SIGINFO | SA_RESTART)) == (SA_SIGINFO | SA_RESTART) && prev.sa_sigaction == rec, "sigaction(NULL) queries without changing", "flags 0x%x", prev.sa_flags);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL) gives EINVAL");
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP) gives EINVAL");
	CHECK(sigaction(SIGKILL, NULL, &prev) == 0, "querying SIGKILL's action is allowed", "-");
	CHECK_ERR(syscall(SYS_rt_sigaction, 0, NULL, &prev, 8), EINVAL, "rt_sigaction(0) gives EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &prev, 8), EINVAL, "rt_sigaction(65) gives EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &prev, 4), EINVAL, "rt_sigaction with sigsetsize 4 gives EINVAL");
	sigset_t any;
	CHECK(syscall(SYS_rt_sigprocmask, 99, NULL, &any, 8) == 0, "rt_sigprocmask ignores how when there is no new set", "-");
	sigemptyset(&any);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, 99, &any, NULL, 8), EINVAL, "rt_sigprocmask with a bad how gives EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &any, NULL, 4), EINVAL, "rt_sigprocmask with sigsetsize 4 gives EINVAL");

	/* SIGKILL and SIGSTOP can't be blocked */
	sigset_t full, now;
	sigfillset(&full);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &full, &old, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, &now, 8);
	CHECK(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP) && sigismember(&now, SIGTERM) && sigismember(&now, 64),
	      "blocking every signal blocks all but SIGKILL and SIGSTOP", "-");
}

/* ---- the mask inside handlers, nesting, SA_RESETHAND ---- */

static volatile int nest_depth;

static void nesting(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	int n = seq_n;
	if (n < 15)
		seq[seq_n++] = 100 + n; /* entry */
	if (nest_depth++ == 0)
		raise(sig); /* nested only with SA_NODEFER */
	if (seq_n < 16)
		seq[seq_n++] = 200 + n; /* exit */
}

static void test_handler_mask(void)
{
	sigset_t m = set_of(SIGUSR2, 0);
	reset_counts();
	set_handler(SIGUSR1, rec, 0, &m);
	raise(SIGUSR1);
	CHECK(h_count[SIGUSR1] == 1, "the handler ran", "-");
	CHECK(h_in_mask_self == 1, "by default the signal is blocked inside its own handler", "%d", h_in_mask_self);
	CHECK(h_in_mask_usr2 == 1, "sa_mask's signals are blocked inside the handler", "%d", h_in_mask_usr2);
	CHECK(h_in_mask_int == 0, "other signals stay unblocked inside the handler", "%d", h_in_mask_int);
	CHECK(!blocked_now(SIGUSR1) && !blocked_now(SIGUSR2), "the mask is restored after the handler", "-");

	reset_counts();
	set_handler(SIGUSR1, rec, SA_NODEFER, NULL);
	raise(SIGUSR1);
	CHECK(h_count[SIGUSR1] == 1 && h_in_mask_self == 0, "SA_NODEFER: the signal is not blocked in its handler", "%d", h_in_mask_self);

	/* a signal raised inside its own handler: after it (default) or nested (SA_NODEFER) */
	reset_counts();
	nest_depth = 0;
	set_handler(SIGUSR1, nesting, 0, NULL);
	raise(SIGUSR1);
	int def_ok = seq_n == 4 && seq[0] == 100 && seq[1] == 200 && seq[2] == 102 && seq[3] == 202;
	CHECK(def_ok, "default: enter, leave, then the second delivery", "seq %d: %d %d %d %d", seq_n, seq[0], seq[1], seq[2], seq[3]);
	reset_counts();
	nest_depth = 0;
	set_handler(SIGUSR1, nesting, SA_NODEFER, NULL);
	raise(SIGUSR1);
	int nd_ok = seq_n == 4 && seq[0] == 100 && seq[1] == 101 && seq[2] == 201 && seq[3] == 200;
	CHECK(nd_ok, "SA_NODEFER: the second delivery nests inside the first", "seq %d: %d %d %d %d", seq_n, seq[0], seq[1], seq[2], seq[3]);

	/* SA_RESETHAND: one delivery, then the action is SIG_DFL again */
	reset_counts();
	set_handler(SIGUSR1, rec, SA_RESETHAND, NULL);
	raise(SIGUSR1);
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	CHECK(h_count[SIGUSR1] == 1, "SA_RESETHAND: the handler ran once", "%d", h_count[SIGUSR1]);
	CHECK(cur.sa_handler == SIG_DFL, "SA_RESETHAND: afterwards the action is SIG_DFL", "handler %p", (void *)cur.sa_handler);
	CHECK(h_in_mask_self == 1, "SA_RESETHAND: the signal is still blocked inside the handler (Linux)", "%d", h_in_mask_self);

	/* ... so a second one takes the default action: on a child */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the SA_RESETHAND child", "-");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		reset_counts();
		set_handler(SIGUSR1, rec, SA_RESETHAND, NULL);
		raise(SIGUSR1);
		char c = (char)h_count[SIGUSR1];
		write_all(p[1], &c, 1);
		raise(SIGUSR1);
		_exit(0);
	}
	close(p[1]);
	char c = 0;
	read_all(p[0], &c, 1);
	close(p[0]);
	int st;
	wait_timeout(pid, &st, 5000);
	CHECK(c == 1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "SA_RESETHAND: the second SIGUSR1 kills the child", "count %d, %s", c, wstatus_str(st));
	set_handler(SIGUSR1, rec, 0, NULL);
}

/* ---- registers and FPU state across a handler ---- */

static uint8_t x_in[16 * 32] __attribute__((aligned(32)));
static uint8_t x_out[16 * 32] __attribute__((aligned(32)));
static uint64_t g_in[8], g_out[8];
static uint64_t unblock_set;
static long sys_ret;
static uint32_t mx_in, mx_out;
static uint16_t cw_in, cw_out;
static volatile int fpu_runs;
static volatile uint32_t handler_entry_mxcsr;
static volatile uint16_t handler_entry_cw;
static volatile double handler_result;

static void clobber_fpu(void)
{
	static const uint8_t junk[32] __attribute__((aligned(32))) = {
		0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
		0xba, 0xad, 0xf0, 0x0d, 0xba, 0xad, 0xf0, 0x0d, 0xba, 0xad, 0xf0, 0x0d, 0xba, 0xad, 0xf0, 0x0d};
	asm volatile("movdqu %0, %%xmm0\n\tmovdqu %0, %%xmm1\n\tmovdqu %0, %%xmm2\n\tmovdqu %0, %%xmm3\n\t"
		     "movdqu %0, %%xmm4\n\tmovdqu %0, %%xmm5\n\tmovdqu %0, %%xmm6\n\tmovdqu %0, %%xmm7\n\t"
		     "movdqu %0, %%xmm8\n\tmovdqu %0, %%xmm9\n\tmovdqu %0, %%xmm10\n\tmovdqu %0, %%xmm11\n\t"
		     "movdqu %0, %%xmm12\n\tmovdqu %0, %%xmm13\n\tmovdqu %0, %%xmm14\n\tmovdqu %0, %%xmm15\n\t"
		     :
		     : "m"(junk)
		     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	if (have_avx)
		asm volatile("vmovdqu %0, %%ymm0\n\tvmovdqu %0, %%ymm1\n\tvmovdqu %0, %%ymm2\n\tvmovdqu %0, %%ymm3\n\t"
			     "vmovdqu %0, %%ymm4\n\tvmovdqu %0, %%ymm5\n\tvmovdqu %0, %%ymm6\n\tvmovdqu %0, %%ymm7\n\t"
			     "vmovdqu %0, %%ymm8\n\tvmovdqu %0, %%ymm9\n\tvmovdqu %0, %%ymm10\n\tvmovdqu %0, %%ymm11\n\t"
			     "vmovdqu %0, %%ymm12\n\tvmovdqu %0, %%ymm13\n\tvmovdqu %0, %%ymm14\n\tvmovdqu %0, %%ymm15\n\t"
			     :
			     : "m"(junk)
			     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	uint32_t mx = 0x3f80; /* round down */
	uint16_t cw = 0x7f;   /* single precision, round to nearest */
	asm volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mx), "m"(cw));
}

/* Heavy double and long double work (no libm). */
static double fp_work(int n)
{
	volatile double acc = 0.0;
	long double l = 1.0L;
	for (int i = 1; i < n; i++) {
		double x = (double)i / (i + 0.5);
		acc = acc + x * x / (1.0 + x) - acc * 1e-7;
		l = l * 1.0000001L + (long double)x;
	}
	return acc + (double)(l * 1e-12L);
}

static void fpu_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	uint32_t mx;
	uint16_t cw;
	asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(cw));
	handler_entry_mxcsr = mx;
	handler_entry_cw = cw;
	handler_result = fp_work(3000);
	clobber_fpu();
	fpu_runs++;
}

/*
 * Loads xmm0-15 (or ymm0-15), rbx, rbp-free GPRs, MXCSR and the x87 control word with
 * known values, then makes the rt_sigprocmask syscall that unblocks a pending SIGUSR1:
 * the handler runs on the way out of that syscall. Stores everything back afterwards.
 */
static void regs_across_unblock(int avx)
{
	if (!avx) {
		asm volatile(
			"ldmxcsr %[mxi]\n\tfldcw %[cwi]\n\t"
			"movdqu 0+%[xi], %%xmm0\n\tmovdqu 16+%[xi], %%xmm1\n\tmovdqu 32+%[xi], %%xmm2\n\tmovdqu 48+%[xi], %%xmm3\n\t"
			"movdqu 64+%[xi], %%xmm4\n\tmovdqu 80+%[xi], %%xmm5\n\tmovdqu 96+%[xi], %%xmm6\n\tmovdqu 112+%[xi], %%xmm7\n\t"
			"movdqu 128+%[xi], %%xmm8\n\tmovdqu 144+%[xi], %%xmm9\n\tmovdqu 160+%[xi], %%xmm10\n\tmovdqu 176+%[xi], %%xmm11\n\t"
			"movdqu 192+%[xi], %%xmm12\n\tmovdqu 208+%[xi], %%xmm13\n\tmovdqu 224+%[xi], %%xmm14\n\tmovdqu 240+%[xi], %%xmm15\n\t"
			"mov 0+%[gi], %%rbx\n\tmov 8+%[gi], %%r8\n\tmov 16+%[gi], %%r9\n\tmov 24+%[gi], %%r12\n\t"
			"mov 32+%[gi], %%r13\n\tmov 40+%[gi], %%r14\n\tmov 48+%[gi], %%r15\n\t"
			"mov $14, %%eax\n\tmov $1, %%edi\n\tlea %[set], %%rsi\n\txor %%edx, %%edx\n\tmov $8, %%r10d\n\t"
			"syscall\n\t"
			"mov %%rax, %[ret]\n\t"
			"stmxcsr %[mxo]\n\tfnstcw %[cwo]\n\t"
			"movdqu %%xmm0, 0+%[xo]\n\tmovdqu %%xmm1, 16+%[xo]\n\tmovdqu %%xmm2, 32+%[xo]\n\tmovdqu %%xmm3, 48+%[xo]\n\t"
			"movdqu %%xmm4, 64+%[xo]\n\tmovdqu %%xmm5, 80+%[xo]\n\tmovdqu %%xmm6, 96+%[xo]\n\tmovdqu %%xmm7, 112+%[xo]\n\t"
			"movdqu %%xmm8, 128+%[xo]\n\tmovdqu %%xmm9, 144+%[xo]\n\tmovdqu %%xmm10, 160+%[xo]\n\tmovdqu %%xmm11, 176+%[xo]\n\t"
			"movdqu %%xmm12, 192+%[xo]\n\tmovdqu %%xmm13, 208+%[xo]\n\tmovdqu %%xmm14, 224+%[xo]\n\tmovdqu %%xmm15, 240+%[xo]\n\t"
			"mov %%rbx, 0+%[go]\n\tmov %%r8, 8+%[go]\n\tmov %%r9, 16+%[go]\n\tmov %%r12, 24+%[go]\n\t"
			"mov %%r13, 32+%[go]\n\tmov %%r14, 40+%[go]\n\tmov %%r15, 48+%[go]\n\t"
			: [xo] "=m"(x_out), [go] "=m"(g_out), [ret] "=m"(sys_ret), [mxo] "=m"(mx_out), [cwo] "=m"(cw_out)
			: [xi] "m"(x_in), [gi] "m"(g_in), [set] "m"(unblock_set), [mxi] "m"(mx_in), [cwi] "m"(cw_in)
			: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
	} else {
		asm volatile(
			"ldmxcsr %[mxi]\n\tfldcw %[cwi]\n\t"
			"vmovdqu 0+%[xi], %%ymm0\n\tvmovdqu 32+%[xi], %%ymm1\n\tvmovdqu 64+%[xi], %%ymm2\n\tvmovdqu 96+%[xi], %%ymm3\n\t"
			"vmovdqu 128+%[xi], %%ymm4\n\tvmovdqu 160+%[xi], %%ymm5\n\tvmovdqu 192+%[xi], %%ymm6\n\tvmovdqu 224+%[xi], %%ymm7\n\t"
			"vmovdqu 256+%[xi], %%ymm8\n\tvmovdqu 288+%[xi], %%ymm9\n\tvmovdqu 320+%[xi], %%ymm10\n\tvmovdqu 352+%[xi], %%ymm11\n\t"
			"vmovdqu 384+%[xi], %%ymm12\n\tvmovdqu 416+%[xi], %%ymm13\n\tvmovdqu 448+%[xi], %%ymm14\n\tvmovdqu 480+%[xi], %%ymm15\n\t"
			"mov $14, %%eax\n\tmov $1, %%edi\n\tlea %[set], %%rsi\n\txor %%edx, %%edx\n\tmov $8, %%r10d\n\t"
			"syscall\n\t"
			"mov %%rax, %[ret]\n\t"
			"stmxcsr %[mxo]\n\tfnstcw %[cwo]\n\t"
			"vmovdqu %%ymm0, 0+%[xo]\n\tvmovdqu %%ymm1, 32+%[xo]\n\tvmovdqu %%ymm2, 64+%[xo]\n\tvmovdqu %%ymm3, 96+%[xo]\n\t"
			"vmovdqu %%ymm4, 128+%[xo]\n\tvmovdqu %%ymm5, 160+%[xo]\n\tvmovdqu %%ymm6, 192+%[xo]\n\tvmovdqu %%ymm7, 224+%[xo]\n\t"
			"vmovdqu %%ymm8, 256+%[xo]\n\tvmovdqu %%ymm9, 288+%[xo]\n\tvmovdqu %%ymm10, 320+%[xo]\n\tvmovdqu %%ymm11, 352+%[xo]\n\t"
			"vmovdqu %%ymm12, 384+%[xo]\n\tvmovdqu %%ymm13, 416+%[xo]\n\tvmovdqu %%ymm14, 448+%[xo]\n\tvmovdqu %%ymm15, 480+%[xo]\n\t"
			"vzeroupper\n\t"
			: [xo] "=m"(x_out), [ret] "=m"(sys_ret), [mxo] "=m"(mx_out), [cwo] "=m"(cw_out)
			: [xi] "m"(x_in), [set] "m"(unblock_set), [mxi] "m"(mx_in), [cwi] "m"(cw_in)
			: "rax", "rcx", "rdx", "rsi", "rdi", "r10", "r11",
			  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
	}
}

static const uint32_t MXCSR_DEFAULT = 0x1f80, MXCSR_TEST = 0x7f80; /* round toward zero */
static const uint16_t CW_DEFAULT = 0x37f, CW_TEST = 0x27f;       /* double precision */

static void restore_fp_control(void)
{
	asm volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(MXCSR_DEFAULT), "m"(CW_DEFAULT));
}

static void one_regs_run(int avx)
{
	const int width = avx ? 32 : 16;
	for (int i = 0; i < 16 * width; i++)
		x_in[i] = (uint8_t)(i * 13 + 7);
	memset(x_out, 0, sizeof x_out);
	for (int i = 0; i < 7; i++)
		g_in[i] = 0x0123456789abcdefULL ^ ((uint64_t)i << 56) ^ (uint64_t)i * 0x1111;
	memset(g_out, 0, sizeof g_out);
	mx_in = MXCSR_TEST;
	cw_in = CW_TEST;
	unblock_set = 1ULL << (SIGUSR1 - 1);

	set_handler(SIGUSR1, fpu_handler, 0, NULL);
	fpu_runs = 0;
	sigset_t u1 = set_of(SIGUSR1, 0);
	sigprocmask(SIG_BLOCK, &u1, NULL);
	kill(getpid(), SIGUSR1);
	int pending = pending_now(SIGUSR1);
	regs_across_unblock(avx);
	restore_fp_control();

	const char *w = avx ? "ymm" : "xmm";
	char what[160];
	snprintf(what, sizeof what, "%s run: SIGUSR1 was pending, and the handler ran on the way out of the unblocking rt_sigprocmask", w);
	CHECK(pending && fpu_runs == 1 && sys_ret == 0, what, "pending %d runs %d ret %ld", pending, fpu_runs, sys_ret);
	int bad = -1, byte = -1;
	for (int r = 0; r < 16 && bad < 0; r++)
		for (int b = 0; b < width && bad < 0; b++)
			if (x_in[r * width + b] != x_out[r * width + b])
				bad = r, byte = b;
	snprintf(what, sizeof what, "%s0-15 are the same after the handler clobbered them", w);
	CHECK(bad < 0, what, "%s%d differs from byte %d on (bytes 16-31 are the upper half only AVX state holds)", w, bad, byte);
	if (!avx) {
		int gbad = -1;
		for (int i = 0; i < 7 && gbad < 0; i++)
			if (g_in[i] != g_out[i])
				gbad = i;
		CHECK(gbad < 0, "rbx, r8, r9, r12-r15 are the same after the handler", "register #%d: 0x%llx became 0x%llx", gbad, (unsigned long long)g_in[gbad < 0 ? 0 : gbad], (unsigned long long)g_out[gbad < 0 ? 0 : gbad]);
	}
	snprintf(what, sizeof what, "%s run: MXCSR (rounding mode) and the x87 control word are restored after the handler", w);
	CHECK(mx_out == MXCSR_TEST && cw_out == CW_TEST, what, "mxcsr 0x%x cw 0x%x", mx_out, cw_out);
	snprintf(what, sizeof what, "%s run: the handler starts with the default MXCSR and x87 control word", w);
	CHECK(handler_entry_mxcsr == MXCSR_DEFAULT && handler_entry_cw == CW_DEFAULT, what, "mxcsr 0x%x cw 0x%x", handler_entry_mxcsr, handler_entry_cw);
}

/* The same computation with and without signals arriving at the syscalls in between. */
static volatile int loop_signals;

static void loop_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	handler_result = fp_work(500);
	clobber_fpu();
	loop_signals++;
}

static inline void step(double *a, double *b, double *c, double *d)
{
	*a = *a * 1.0000001 + *b;
	*b = *b * 0.9999 + *c;
	*c = *c + *a * 1e-9;
	*d = *d * 1.000001 - *c * 1e-6;
}

static void test_fpu(void)
{
	have_avx = __builtin_cpu_supports("avx");
	say("info: AVX %s\n", have_avx ? "available" : "not available");
	one_regs_run(0);
	if (have_avx)
		one_regs_run(1);
	CHECK(!blocked_now(SIGUSR1), "SIGUSR1 is unblocked after the register runs", "-");
	CHECK(handler_result > 0, "the handler did its floating-point work", "%g", handler_result);

	/* a loop that keeps doubles in xmm registers across getpid() syscalls */
	set_handler(SIGUSR1, loop_handler, 0, NULL);
	loop_signals = 0;
	pid_t me = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 400; i++) {
			if (kill(me, SIGUSR1) != 0)
				break;
			sleep_ms(1);
		}
		_exit(0);
	}
	double a = 1.0, b = 0.5, c = 0.25, d = 2.0;
	long iters = 0;
	long long end = now_ms() + 5000;
	while (loop_signals < 20 && (iters & 1023 || now_ms() < end)) {
		step(&a, &b, &c, &d);
		long r;
		asm volatile("syscall" : "=a"(r), "+x"(a), "+x"(b), "+x"(c), "+x"(d) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
		iters++;
	}
	int got = loop_signals;
	kill(pid, SIGKILL);
	int st;
	xwaitpid(pid, &st, 0);
	double ea = 1.0, eb = 0.5, ec = 0.25, ed = 2.0;
	for (long i = 0; i < iters; i++) {
		step(&ea, &eb, &ec, &ed);
		asm volatile("" : "+x"(ea), "+x"(eb), "+x"(ec), "+x"(ed));
	}
	say("info: %ld loop iterations, %d signals handled in the loop\n", iters, got);
	CHECK(got >= 20, "signals from a child arrived at the loop's getpid() syscalls", "%d", got);
	CHECK(a == ea && b == eb && c == ec && d == ed, "doubles held in xmm registers across the interrupted syscalls are intact",
	      "a %.17g/%.17g b %.17g/%.17g c %.17g/%.17g d %.17g/%.17g", a, ea, b, eb, c, ec, d, ed);
	set_handler(SIGUSR1, rec, 0, NULL);
}

/* ---- the ucontext: handlers that change where and with what the code goes on ---- */

static volatile void *ill_addr, *ill_rip;
static volatile int ill_code, ill_runs;

static void ill_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	ill_addr = si->si_addr;
	ill_code = si->si_code;
	ill_rip = (void *)uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip the ud2 */
	ill_runs++;
}

static volatile int trap_code, trap_runs, trap_signo;
static volatile void *trap_addr, *trap_rip;

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	trap_signo = si->si_signo;
	trap_code = si->si_code;
	trap_addr = si->si_addr;
	trap_rip = (void *)uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RAX] = 0x1234; /* the interrupted code sees this in rax */
	trap_runs++;
}

static void test_ucontext(void)
{
	set_handler(SIGILL, ill_handler, 0, NULL);
	void *where;
	asm volatile("lea 1f(%%rip), %0\n1:\tud2\n\t" : "=r"(where));
	CHECK(ill_runs == 1, "ud2 raises SIGILL and the handler can skip the instruction via REG_RIP", "runs %d", ill_runs);
	CHECK(ill_addr == where && ill_rip == where, "SIGILL: si_addr and the saved RIP are the ud2's address", "si_addr %p rip %p ud2 %p", ill_addr, ill_rip, where);
	CHECK(ill_code == ILL_ILLOPN, "SIGILL from ud2: si_code ILL_ILLOPN", "%d", ill_code);
	set_default(SIGILL);

	set_handler(SIGTRAP, trap_handler, 0, NULL);
	long rax;
	void *after;
	asm volatile("lea 1f(%%rip), %1\n\tmov $1, %%eax\n\tint3\n1:\n\t" : "=a"(rax), "=r"(after));
	CHECK(trap_runs == 1 && trap_signo == SIGTRAP, "int3 raises SIGTRAP for a handler", "runs %d", trap_runs);
	CHECK(trap_code == SI_KERNEL && trap_addr == NULL, "SIGTRAP from int3: si_code SI_KERNEL, si_addr 0", "code %d addr %p", trap_code, trap_addr);
	CHECK(trap_rip == after, "SIGTRAP from int3: the saved RIP is after the int3", "rip %p want %p", trap_rip, after);
	CHECK(rax == 0x1234, "a register changed in the ucontext (rax) is what the code sees after sigreturn", "rax 0x%lx", rax);
	set_default(SIGTRAP);
}

/* ---- synchronous faults with siglongjmp ---- */

static sigjmp_buf fault_jb;
static volatile int fault_sig, fault_code;
static volatile void *fault_addr;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = si->si_signo == sig ? sig : -sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jb, 1);
}

#define EXPECT_FAULT(expr, sig, code, addr, what)                                                       \
	do {                                                                                            \
		fault_sig = fault_code = 0;                                                             \
		fault_addr = NULL;                                                                      \
		volatile int jumped_ = 0;                                                               \
		if (sigsetjmp(fault_jb, 1) == 0) {                                                      \
			expr;                                                                           \
		} else {                                                                                \
			jumped_ = 1;                                                                    \
		}                                                                                       \
		CHECK(jumped_ && fault_sig == (sig) && fault_code == (code) && fault_addr == (void *)(addr), \
		      what, "jumped %d sig %d code %d addr %p (want %d %d %p)", jumped_, fault_sig,      \
		      fault_code, fault_addr, sig, code, (void *)(addr));                               \
	} while (0)

static volatile int int_one = 1, int_zero = 0, int_min = -2147483647 - 1, int_m1 = -1;
static volatile int sink;

static void test_faults(void)
{
	set_handler(SIGSEGV, fault_handler, 0, NULL);
	set_handler(SIGBUS, fault_handler, 0, NULL);
	set_handler(SIGFPE, fault_handler, 0, NULL);

	EXPECT_FAULT(*(volatile int *)0x10 = 1, SIGSEGV, SEGV_MAPERR, 0x10, "a write to address 0x10: SIGSEGV, SEGV_MAPERR, si_addr 0x10");
	EXPECT_FAULT(sink = *(volatile int *)0x28, SIGSEGV, SEGV_MAPERR, 0x28, "a read of address 0x28: SIGSEGV, SEGV_MAPERR, si_addr 0x28");
	CHECK(!blocked_now(SIGSEGV), "siglongjmp out of the handler restored the mask (SIGSEGV unblocked)", "-");

	char *none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(none != MAP_FAILED, "mmap PROT_NONE", "-");
	EXPECT_FAULT(sink = *(volatile char *)(none + 4096 + 123), SIGSEGV, SEGV_ACCERR, none + 4096 + 123, "a read of a PROT_NONE page: SIGSEGV, SEGV_ACCERR, the exact si_addr");
	mprotect(none, 8192, PROT_READ);
	EXPECT_FAULT(*(volatile char *)(none + 77) = 1, SIGSEGV, SEGV_ACCERR, none + 77, "a write to a PROT_READ page: SIGSEGV, SEGV_ACCERR, the exact si_addr");
	munmap(none, 8192);
	EXPECT_FAULT(sink = *(volatile char *)(none + 5), SIGSEGV, SEGV_MAPERR, none + 5, "a read of an unmapped page: SIGSEGV, SEGV_MAPERR");

	/* SIGBUS: a shared file mapping beyond the end of the file */
	char path[64];
	snprintf(path, sizeof path, "/tmp/proc_signal-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0 && write(fd, "0123456789", 10) == 10, "a 10-byte file for SIGBUS", "%s", path);
	char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED, "mmap of 8192 bytes of a 10-byte file", "-");
	if (map != MAP_FAILED) {
		CHECK(map[3] == '3' && map[100] == 0, "the first page reads the file (zero past its end)", "-");
		EXPECT_FAULT(sink = *(volatile char *)(map + 4096 + 8), SIGBUS, BUS_ADRERR, map + 4096 + 8, "a read of a mapped page past the file's end: SIGBUS, BUS_ADRERR, si_addr");
		munmap(map, 8192);
	}
	close(fd);
	unlink(path);

	EXPECT_FAULT(sink = int_one / int_zero, SIGFPE, FPE_INTDIV, fault_addr, "integer division by zero: SIGFPE, FPE_INTDIV");
	void *div_addr = (void *)fault_addr;
	CHECK(div_addr != NULL, "SIGFPE's si_addr is the dividing instruction (not 0)", "%p", div_addr);
	EXPECT_FAULT(sink = int_min / int_m1, SIGFPE, FPE_INTDIV, fault_addr, "INT_MIN / -1: SIGFPE, FPE_INTDIV (x86 #DE)");

	set_default(SIGSEGV);
	set_default(SIGBUS);
	set_default(SIGFPE);
}

/* ---- sigaltstack ---- */

static char altstack[1 << 16] __attribute__((aligned(16)));
static volatile uintptr_t handler_local;
static volatile int alt_flags_inside, alt_eperm;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	volatile int local = 0;
	handler_local = (uintptr_t)&local;
	stack_t cur;
	sigaltstack(NULL, &cur);
	alt_flags_inside = cur.ss_flags;
	stack_t ns = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	errno = 0;
	alt_eperm = sigaltstack(&ns, NULL) == -1 && errno == EPERM;
}

static void overflow_handler(int sig)
{
	volatile int local;
	uintptr_t a = (uintptr_t)&local;
	int on_alt = a >= (uintptr_t)altstack && a < (uintptr_t)altstack + sizeof altstack;
	_exit(sig == SIGSEGV && on_alt ? 42 : 43);
}

static volatile int recurse_limit = 1 << 30;

static int recurse(int n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	if (n > recurse_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void test_altstack(void)
{
	stack_t old;
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE, "no alternate stack at first (SS_DISABLE)", "flags %d", old.ss_flags);
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack installs a 64 KiB stack", "-");
	stack_t cur;
	sigaltstack(NULL, &cur);
	CHECK(cur.ss_sp == altstack && cur.ss_size == sizeof altstack && cur.ss_flags == 0, "sigaltstack reports it (flags 0 outside a handler)", "sp %p size %zu flags %d", cur.ss_sp, cur.ss_size, cur.ss_flags);

	set_handler(SIGUSR2, alt_handler, SA_ONSTACK, NULL);
	raise(SIGUSR2);
	uintptr_t lo = (uintptr_t)altstack, hi = lo + sizeof altstack;
	CHECK(handler_local >= lo && handler_local < hi, "an SA_ONSTACK handler runs on the alternate stack", "local %p, stack %p-%p", (void *)handler_local, (void *)lo, (void *)hi);
	CHECK(alt_flags_inside == SS_ONSTACK, "inside it sigaltstack reports SS_ONSTACK", "flags %d", alt_flags_inside);
	CHECK(alt_eperm, "changing the alternate stack while on it gives EPERM", "-");

	set_handler(SIGUSR2, alt_handler, 0, NULL);
	raise(SIGUSR2);
	CHECK(!(handler_local >= lo && handler_local < hi), "a handler without SA_ONSTACK runs on the normal stack", "local %p", (void *)handler_local);
	CHECK(alt_flags_inside == 0, "and sigaltstack there reports flags 0", "flags %d", alt_flags_inside);

	stack_t small = {.ss_sp = altstack, .ss_size = 1024, .ss_flags = 0};
	CHECK_ERR(sigaltstack(&small, NULL), ENOMEM, "an alternate stack below MINSIGSTKSZ gives ENOMEM");
	stack_t bad = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0x1234};
	CHECK_ERR(sigaltstack(&bad, NULL), EINVAL, "unknown ss_flags give EINVAL");

	/* a forked child inherits the alternate stack */
	pid_t pid = fork();
	if (pid == 0) {
		stack_t c;
		sigaltstack(NULL, &c);
		_exit(c.ss_sp == altstack && c.ss_size == sizeof altstack && c.ss_flags == 0 ? 0 : 1);
	}
	int st;
	wait_timeout(pid, &st, 5000);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a forked child inherits the alternate stack", "%s", wstatus_str(st));

	/* the classic use: catching a stack overflow (in a child) */
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {1 << 20, 1 << 20};
		setrlimit(RLIMIT_STACK, &rl);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = overflow_handler;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
		recurse(0);
		_exit(44);
	}
	wait_timeout(pid, &st, 10000);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "a stack overflow's SIGSEGV is caught on the alternate stack", "%s", wstatus_str(st));

	stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
	CHECK(sigaltstack(&off, NULL) == 0 && sigaltstack(NULL, &cur) == 0 && cur.ss_flags == SS_DISABLE, "SS_DISABLE removes it", "flags %d", cur.ss_flags);
	set_handler(SIGUSR2, rec, 0, NULL);
}

/* ---- waiting for signals: sigsuspend, pause ---- */

static void test_suspend(void)
{
	reset_counts();
	set_handler(SIGCHLD, rec, 0, NULL);
	sigset_t chld = set_of(SIGCHLD, 0), old;
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(30);
		_exit(5);
	}
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGCHLD);
	int r = sigsuspend(&wait_mask);
	int e = errno;
	CHECK(r == -1 && e == EINTR, "sigsuspend returns -1/EINTR after a handler ran", "r=%d errno %d", r, e);
	CHECK(h_count[SIGCHLD] == 1, "the SIGCHLD handler ran", "%d", h_count[SIGCHLD]);
	CHECK(h_signo == SIGCHLD && h_code == CLD_EXITED && h_pid == pid && h_status == 5 && h_uid == (int)getuid(),
	      "SIGCHLD siginfo: CLD_EXITED, the child's pid, si_status 5, si_uid", "signo %d code %d pid %d status %d uid %d", h_signo, h_code, h_pid, h_status, h_uid);
	CHECK(blocked_now(SIGCHLD), "sigsuspend restored the mask (SIGCHLD blocked again)", "-");
	int st;
	xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "the child is reaped after sigsuspend", "%s", wstatus_str(st));

	/* SIGCHLD for a killed child: CLD_KILLED */
	reset_counts();
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	while (h_count[SIGCHLD] == 0)
		sigsuspend(&wait_mask);
	CHECK(h_code == CLD_KILLED && h_status == SIGKILL && h_pid == pid, "SIGCHLD for a SIGKILLed child: CLD_KILLED, si_status SIGKILL", "code %d status %d", h_code, h_status);
	xwaitpid(pid, &st, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	set_default(SIGCHLD);

	/* pause returns EINTR once a handler ran (the child keeps signalling until then) */
	reset_counts();
	set_handler(SIGUSR1, rec, 0, NULL);
	pid_t me = getpid();
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 500; i++) {
			sleep_ms(20);
			kill(me, SIGUSR1);
		}
		_exit(0);
	}
	r = pause();
	e = errno;
	kill(pid, SIGKILL);
	xwaitpid(pid, &st, 0);
	CHECK(r == -1 && e == EINTR && h_count[SIGUSR1] >= 1, "pause returns -1/EINTR after the handler of a child's signal", "r=%d errno %d count %d", r, e, h_count[SIGUSR1]);
}

/* ---- pending, blocked, ignored; standard vs real-time ---- */

static void test_pending(void)
{
	reset_counts();
	set_handler(SIGUSR1, rec, 0, NULL);
	set_handler(SIGUSR2, rec, 0, NULL);
	set_handler(SIGRTMIN, rec, 0, NULL);
	sigset_t u1 = set_of(SIGUSR1, 0), old;
	sigprocmask(SIG_BLOCK, &u1, &old);
	kill(getpid(), SIGUSR1);
	CHECK(h_count[SIGUSR1] == 0, "a blocked signal is not delivered", "%d", h_count[SIGUSR1]);
	CHECK(pending_now(SIGUSR1), "sigpending shows it", "-");
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &u1, NULL);
	CHECK(h_count[SIGUSR1] == 1, "unblocking delivers it, once (standard signals do not queue)", "%d", h_count[SIGUSR1]);
	CHECK(!pending_now(SIGUSR1), "and it is no longer pending", "-");

	/* real-time signals queue */
	reset_counts();
	sigset_t rt = set_of(SIGRTMIN, 0);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	kill(getpid(), SIGRTMIN);
	kill(getpid(), SIGRTMIN);
	kill(getpid(), SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &rt, NULL);
	CHECK(h_count[SIGRTMIN] == 3, "three blocked SIGRTMIN are delivered three times", "%d", h_count[SIGRTMIN]);

	/* several pending signals: all delivered before sigprocmask returns */
	reset_counts();
	sigset_t both = set_of(SIGUSR1, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, NULL);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &both, NULL);
	CHECK(h_count[SIGUSR1] == 1 && h_count[SIGUSR2] == 1, "two pending signals are both delivered on unblock", "%d %d", h_count[SIGUSR1], h_count[SIGUSR2]);
	say("info: handlers ran in the order %d, %d\n", seq[0], seq[1]);

	/* SIG_IGN */
	reset_counts();
	signal(SIGUSR1, SIG_IGN);
	CHECK(kill(getpid(), SIGUSR1) == 0 && !pending_now(SIGUSR1), "an ignored signal is discarded", "-");
	sigprocmask(SIG_BLOCK, &u1, NULL);
	kill(getpid(), SIGUSR1);
	CHECK(pending_now(SIGUSR1), "an ignored signal that is blocked stays pending (Linux)", "-");
	sigprocmask(SIG_UNBLOCK, &u1, NULL);
	CHECK(!pending_now(SIGUSR1), "unblocking discards it", "-");
	set_handler(SIGUSR1, rec, 0, NULL);
	sigprocmask(SIG_BLOCK, &u1, NULL);
	kill(getpid(), SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	CHECK(!pending_now(SIGUSR1), "setting SIG_IGN discards a pending blocked signal", "-");
	set_handler(SIGUSR1, rec, 0, NULL);
	sigprocmask(SIG_UNBLOCK, &u1, NULL);
	CHECK(h_count[SIGUSR1] == 0, "so the handler never runs", "%d", h_count[SIGUSR1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* ---- SA_RESTART and EINTR ---- */

/* A child that signals us after ms1, then writes a byte to wfd after ms2 more (if wfd >= 0). */
static pid_t signal_then_write(int wfd, int rfd, int sig, long ms1, long ms2)
{
	pid_t me = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		if (rfd >= 0)
			close(rfd);
		sleep_ms(ms1);
		kill(me, sig);
		sleep_ms(ms2);
		if (wfd >= 0)
			write_all(wfd, "z", 1);
		_exit(6);
	}
	return pid;
}

static void test_restart(void)
{
	int p[2], st;
	char c;
	for (int restart = 1; restart >= 0; restart--) {
		reset_counts();
		set_handler(SIGUSR1, rec, restart ? SA_RESTART : 0, NULL);
		REQUIRE(pipe(p) == 0, "pipe for SA_RESTART", "-");
		pid_t pid = signal_then_write(p[1], p[0], SIGUSR1, 100, 50);
		errno = 0;
		ssize_t r = read(p[0], &c, 1);
		int e = errno;
		if (restart) {
			CHECK(r == 1 && c == 'z' && h_count[SIGUSR1] == 1, "SA_RESTART: a read interrupted by a handled signal restarts and returns the data", "r=%zd errno %d count %d", r, e, h_count[SIGUSR1]);
		} else {
			CHECK(r == -1 && e == EINTR && h_count[SIGUSR1] == 1, "without SA_RESTART: the interrupted read returns -1/EINTR", "r=%zd errno %d count %d", r, e, h_count[SIGUSR1]);
			r = read(p[0], &c, 1);
			CHECK(r == 1 && c == 'z', "the next read gets the data", "r=%zd", r);
		}
		xwaitpid(pid, &st, 0);
		close(p[0]);
		close(p[1]);

		/* wait4 */
		reset_counts();
		pid = signal_then_write(-1, -1, SIGUSR1, 80, 60);
		errno = 0;
		pid_t w = waitpid(pid, &st, 0);
		e = errno;
		if (restart) {
			CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 6 && h_count[SIGUSR1] == 1, "SA_RESTART: an interrupted waitpid restarts and reaps the child", "w=%d errno %d count %d", (int)w, e, h_count[SIGUSR1]);
		} else {
			CHECK(w == -1 && e == EINTR && h_count[SIGUSR1] == 1, "without SA_RESTART: the interrupted waitpid returns -1/EINTR", "w=%d errno %d", (int)w, e);
			xwaitpid(pid, &st, 0);
		}
	}

	/* nanosleep is never restarted: EINTR with the time left */
	reset_counts();
	set_handler(SIGUSR1, rec, SA_RESTART, NULL);
	pid_t pid = signal_then_write(-1, -1, SIGUSR1, 100, 0);
	struct timespec req = {2, 0}, rem = {0, 0};
	long long t0 = now_ms();
	int r = nanosleep(&req, &rem);
	int e = errno;
	long long dt = now_ms() - t0;
	xwaitpid(pid, &st, 0);
	CHECK(r == -1 && e == EINTR && dt < 1500, "nanosleep interrupted by a handler returns EINTR even with SA_RESTART", "r=%d errno %d after %lld ms", r, e, dt);
	CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 2, "nanosleep reports the time left (about 1.9 s)", "rem %ld.%09ld", (long)rem.tv_sec, rem.tv_nsec);

	set_handler(SIGUSR1, rec, 0, NULL);
}

/* ---- default actions, on children ---- */

static void no_core_dumps(void)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int child_raise_default(int sig)
{
	pid_t pid = fork();
	if (pid == 0) {
		no_core_dumps();
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(sig, SIG_DFL);
		kill(getpid(), sig);
		_exit(0);
	}
	int st = -1;
	wait_timeout(pid, &st, 5000);
	return st;
}

static void test_default_actions(void)
{
	static const int killers[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1,
				      SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ,
				      SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS, 34, 40, 64};
	for (unsigned i = 0; i < sizeof killers / sizeof killers[0]; i++) {
		int st = child_raise_default(killers[i]);
		char what[96];
		snprintf(what, sizeof what, "default action of signal %d: the child is killed by it (no core flag)", killers[i]);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == killers[i] && !WCOREDUMP(st), what, "%s", wstatus_str(st));
	}
	static const int ignored[] = {SIGCHLD, SIGURG, SIGWINCH, SIGCONT};
	for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
		int st = child_raise_default(ignored[i]);
		char what[96];
		snprintf(what, sizeof what, "default action of signal %d: ignored, the child exits 0", ignored[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, what, "%s", wstatus_str(st));
	}

	/* abort(): SIGABRT even with a handler that returns */
	pid_t pid = fork();
	if (pid == 0) {
		no_core_dumps();
		set_handler(SIGABRT, rec, 0, NULL);
		abort();
	}
	int st;
	wait_timeout(pid, &st, 5000);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort() kills with SIGABRT even when a handler returns", "%s", wstatus_str(st));

	/* a blocked fatal signal waits for the unblock */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the blocked SIGTERM", "-");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGTERM, SIG_DFL);
		sigset_t t = set_of(SIGTERM, 0);
		sigprocmask(SIG_BLOCK, &t, NULL);
		kill(getpid(), SIGTERM);
		write_all(p[1], "a", 1); /* still alive */
		sigprocmask(SIG_UNBLOCK, &t, NULL);
		write_all(p[1], "b", 1); /* never */
		_exit(0);
	}
	close(p[1]);
	char buf[4] = {0};
	ssize_t n = read_all(p[0], buf, sizeof buf);
	close(p[0]);
	wait_timeout(pid, &st, 5000);
	CHECK(n == 1 && buf[0] == 'a' && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "a blocked SIGTERM kills the child only when unblocked", "n=%zd %s", n, wstatus_str(st));

	/* SIGKILL can't be caught or ignored: a child ignoring everything still dies */
	REQUIRE(pipe(p) == 0, "pipe for SIGKILL", "-");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (int s = 1; s < 32; s++)
			signal(s, SIG_IGN);
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		write_all(p[1], "r", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	read_all(p[0], buf, 1);
	close(p[0]);
	kill(pid, SIGTERM); /* ignored */
	kill(pid, SIGKILL);
	wait_timeout(pid, &st, 5000);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL kills a child that ignores and blocks everything", "%s", wstatus_str(st));
}

/* ---- signals to a process group ---- */

static void test_pgrp_kill(void)
{
	int ready[2];
	REQUIRE(pipe(ready) == 0, "pipe for the group kill", "-");
	pid_t leader = fork();
	if (leader == 0) {
		close(ready[0]);
		setpgid(0, 0);
		int block[2];
		if (pipe(block) != 0)
			_exit(3);
		pid_t g[2];
		for (int i = 0; i < 2; i++) {
			g[i] = fork();
			if (g[i] == 0) {
				signal(SIGTERM, SIG_DFL);
				close(block[1]);
				write_all(ready[1], "g", 1);
				close(ready[1]);
				char c;
				read(block[0], &c, 1);
				_exit(0);
			}
		}
		signal(SIGTERM, SIG_IGN);
		write_all(ready[1], "l", 1);
		close(ready[1]);
		int code = 0;
		for (int i = 0; i < 2; i++) {
			int st;
			xwaitpid(g[i], &st, 0);
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
				code |= 1 << i;
		}
		_exit(code);
	}
	close(ready[1]);
	setpgid(leader, leader);
	char c[4];
	ssize_t n = read_all(ready[0], c, sizeof c); /* EOF once all three are ready */
	close(ready[0]);
	CHECK(n == 3, "the leader and its two children are ready", "n=%zd", n);
	CHECK(kill(-leader, SIGTERM) == 0, "kill(-pgid, SIGTERM) succeeds", "-");
	int st;
	wait_timeout(leader, &st, 5000);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "kill(-pgid) reaches every member: both grandchildren died of SIGTERM, the leader ignored it", "%s", wstatus_str(st));
	CHECK_ERR(kill(-leader, SIGTERM), ESRCH, "kill of an empty process group gives ESRCH");
}

/* ---- SIGCHLD ignored: children are not left as zombies ---- */

static void test_nocldwait(void)
{
	signal(SIGCHLD, SIG_IGN);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	int st;
	errno = 0;
	pid_t w = xwaitpid(-1, &st, 0);
	CHECK(w == -1 && errno == ECHILD, "with SIGCHLD ignored, exited children are reaped at once (wait gives ECHILD)", "w=%d (child %d) %s", (int)w, (int)pid, w > 0 ? wstatus_str(st) : "");
	signal(SIGCHLD, SIG_DFL);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	pid = fork();
	if (pid == 0)
		_exit(4);
	errno = 0;
	w = xwaitpid(-1, &st, 0);
	CHECK(w == -1 && errno == ECHILD, "with SA_NOCLDWAIT, exited children are reaped at once (wait gives ECHILD)", "w=%d %s", (int)w, w > 0 ? wstatus_str(st) : "");
	signal(SIGCHLD, SIG_DFL);
}

/* ---- execve: handlers reset, ignored stay ignored, mask and pending kept ---- */

static int exec_probe(void)
{
	struct sigaction a1, a2, a3;
	sigaction(SIGUSR1, NULL, &a1);
	sigaction(SIGUSR2, NULL, &a2);
	sigaction(SIGHUP, NULL, &a3);
	stack_t ss;
	sigaltstack(NULL, &ss);
	printf("usr1=%s usr2=%s hup=%s int-blocked=%d int-pending=%d altstack=%s\n",
	       a1.sa_handler == SIG_DFL ? "default" : a1.sa_handler == SIG_IGN ? "ignored" : "handler",
	       a2.sa_handler == SIG_DFL ? "default" : a2.sa_handler == SIG_IGN ? "ignored" : "handler",
	       a3.sa_handler == SIG_DFL ? "default" : a3.sa_handler == SIG_IGN ? "ignored" : "handler",
	       blocked_now(SIGINT), pending_now(SIGINT), ss.ss_flags == SS_DISABLE ? "disabled" : "kept");
	return 0;
}

static void test_exec_keeps(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the exec probe", "-");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		set_handler(SIGUSR1, rec, 0, NULL);
		signal(SIGUSR2, SIG_IGN);
		set_handler(SIGHUP, rec, 0, NULL);
		sigset_t i = set_of(SIGINT, 0);
		sigprocmask(SIG_BLOCK, &i, NULL);
		kill(getpid(), SIGINT);
		stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
		sigaltstack(&ss, NULL);
		char *argv[] = {(char *)self_path, "exec-probe", NULL};
		char *envp[] = {NULL};
		execve(self_path, argv, envp);
		_exit(127);
	}
	close(p[1]);
	char out[256];
	ssize_t n = read_all(p[0], out, sizeof out - 1);
	out[n < 0 ? 0 : n] = 0;
	close(p[0]);
	int st;
	wait_timeout(pid, &st, 5000);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "usr1=default usr2=ignored hup=default int-blocked=1 int-pending=1 altstack=disabled\n") == 0,
	      "execve resets handled signals to default, keeps ignored ones, the mask and pending signals, drops the alternate stack",
	      "%s, got \"%s\"", wstatus_str(st), out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-probe") == 0)
		return exec_probe();
	self_path = argv[0];
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	test_siginfo();
	test_handler_mask();
	test_fpu();
	test_ucontext();
	test_faults();
	test_altstack();
	test_suspend();
	test_pending();
	test_restart();
	test_default_actions();
	test_pgrp_kill();
	test_nocldwait();
	test_exec_keeps();
	reap_zombies();
	return check_done();
}
