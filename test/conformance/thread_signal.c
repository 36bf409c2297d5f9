/* Signals aimed at one thread, as Linux keeps them: tkill/tgkill/pthread_kill and
 * rt_tgsigqueueinfo pend for that thread alone (sigpending of the others does not show them,
 * and a thread that blocks one keeps it even when others would take it), SIGPIPE goes to the
 * thread that wrote, a SIGEV_THREAD_ID timer signals its thread, and a signal sent to the
 * process is taken by a thread that does not block it. Handlers record the tid they ran on.
 * Waits are bounded: every loop gives up after about two seconds. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>

static _Atomic pid_t handled_on[65];
static _Atomic int handled_count[65];

static void record(int sig)
{
	handled_on[sig] = (pid_t)syscall(SYS_gettid);
	handled_count[sig]++;
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void on(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = record;
	sigaction(sig, &sa, NULL);
}

/* Waits up to ~2 s for cond. */
#define WAIT_FOR(cond)                                                   \
	do {                                                             \
		for (int w_ = 0; w_ < 2000 && !(cond); w_++) {           \
			struct timespec ts_ = { 0, 1000000 };            \
			nanosleep(&ts_, NULL);                           \
		}                                                        \
	} while (0)

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(how, &s, NULL);
}

static int pending_here(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

/* A worker thread that runs commands from main, one at a time. */
static _Atomic int command;
static _Atomic int reply;
static _Atomic pid_t worker_tid;
static int pipe_w = -1;
static _Atomic int write_errno;

enum { CMD_NONE, CMD_BLOCK_USR1, CMD_PENDING_USR1, CMD_UNBLOCK_USR1, CMD_WRITE_PIPE, CMD_SIGWAIT_RT, CMD_QUIT };

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid_();
	for (;;) {
		int c = command;
		if (c == CMD_NONE) {
			struct timespec ts = { 0, 200000 };
			nanosleep(&ts, NULL);
			continue;
		}
		int r = 0;
		switch (c) {
		case CMD_BLOCK_USR1:
			block(SIGUSR1, SIG_BLOCK);
			break;
		case CMD_PENDING_USR1:
			r = pending_here(SIGUSR1);
			break;
		case CMD_UNBLOCK_USR1:
			block(SIGUSR1, SIG_UNBLOCK);
			break;
		case CMD_WRITE_PIPE:
			errno = 0;
			r = (int)write(pipe_w, "x", 1);
			write_errno = errno;
			break;
		case CMD_SIGWAIT_RT: {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGRTMIN + 1);
			pthread_sigmask(SIG_BLOCK, &s, NULL);
			struct timespec to = { 2, 0 };
			r = sigtimedwait(&s, NULL, &to);
			break;
		}
		case CMD_QUIT:
			return NULL;
		}
		reply = r;
		command = CMD_NONE;
	}
}

static int run(int c)
{
	command = c;
	WAIT_FOR(command == CMD_NONE);
	return command == CMD_NONE ? reply : -100;
}

int main(void)
{
	pid_t me = gettid_();
	pthread_t th;
	on(SIGUSR1);
	on(SIGUSR2);
	on(SIGPIPE);
	on(SIGRTMIN);
	REQUIRE(pthread_create(&th, NULL, worker, NULL) == 0, "pthread_create", "failed");
	WAIT_FOR(worker_tid != 0);
	pid_t wt = worker_tid;

	/* tgkill to the worker runs the handler there. */
	CHECK(syscall(SYS_tgkill, getpid(), wt, SIGUSR1) == 0, "tgkill to the other thread", "failed");
	WAIT_FOR(handled_count[SIGUSR1] == 1);
	CHECK(handled_on[SIGUSR1] == wt, "tgkill: the handler runs on the target thread", "ran on %d, target %d, main %d",
	      handled_on[SIGUSR1], wt, me);

	/* A thread-directed signal the target blocks stays its own: main does not take it. */
	run(CMD_BLOCK_USR1);
	CHECK(pthread_kill(th, SIGUSR1) == 0, "pthread_kill to a thread blocking it", "failed");
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
	CHECK(handled_count[SIGUSR1] == 1, "a blocked thread-directed signal is not taken by another thread",
	      "handled %d times (last on %d)", handled_count[SIGUSR1], handled_on[SIGUSR1]);
	CHECK(run(CMD_PENDING_USR1) == 1, "sigpending in the target shows it", "not pending there");
	CHECK(!pending_here(SIGUSR1), "sigpending in another thread does not show it", "pending in main too");
	run(CMD_UNBLOCK_USR1);
	WAIT_FOR(handled_count[SIGUSR1] == 2);
	CHECK(handled_count[SIGUSR1] == 2 && handled_on[SIGUSR1] == wt, "unblocking it runs the handler on the target",
	      "count %d on %d", handled_count[SIGUSR1], handled_on[SIGUSR1]);

	/* A signal to the process goes to a thread that does not block it. */
	block(SIGUSR2, SIG_BLOCK);
	CHECK(kill(getpid(), SIGUSR2) == 0, "kill to the process, blocked in main", "failed");
	WAIT_FOR(handled_count[SIGUSR2] == 1);
	CHECK(handled_count[SIGUSR2] == 1 && handled_on[SIGUSR2] == wt, "the process signal runs on the thread not blocking it",
	      "count %d on %d (worker %d)", handled_count[SIGUSR2], handled_on[SIGUSR2], wt);
	block(SIGUSR2, SIG_UNBLOCK);

	/* A process-directed signal blocked everywhere shows in every thread's sigpending. */
	block(SIGUSR1, SIG_BLOCK);
	run(CMD_BLOCK_USR1);
	CHECK(kill(getpid(), SIGUSR1) == 0, "kill to the process, blocked everywhere", "failed");
	CHECK(pending_here(SIGUSR1) && run(CMD_PENDING_USR1) == 1, "a pending process signal shows in every thread",
	      "main %d worker %d", pending_here(SIGUSR1), run(CMD_PENDING_USR1));
	run(CMD_UNBLOCK_USR1);
	WAIT_FOR(handled_count[SIGUSR1] == 3);
	CHECK(handled_count[SIGUSR1] == 3 && handled_on[SIGUSR1] == wt, "the thread that unblocks it takes it",
	      "count %d on %d", handled_count[SIGUSR1], handled_on[SIGUSR1]);
	block(SIGUSR1, SIG_UNBLOCK);

	/* SIGPIPE goes to the thread that wrote. */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "failed");
	close(p[0]);
	pipe_w = p[1];
	int w = run(CMD_WRITE_PIPE);
	CHECK(w == -1 && write_errno == EPIPE, "a write to a broken pipe fails with EPIPE", "got %d errno %d", w, write_errno);
	WAIT_FOR(handled_count[SIGPIPE] == 1);
	CHECK(handled_count[SIGPIPE] == 1 && handled_on[SIGPIPE] == wt, "SIGPIPE runs on the writing thread",
	      "count %d on %d (worker %d)", handled_count[SIGPIPE], handled_on[SIGPIPE], wt);
	close(p[1]);

	/* rt_tgsigqueueinfo to the worker, taken there by sigtimedwait while main would run it. */
	block(SIGRTMIN + 1, SIG_BLOCK); /* the worker blocks it too before it waits */
	command = CMD_SIGWAIT_RT;
	nanosleep(&ts, NULL);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_value.sival_int = 7;
	CHECK(syscall(SYS_rt_tgsigqueueinfo, getpid(), wt, SIGRTMIN + 1, &si) == 0, "rt_tgsigqueueinfo to the worker", "failed");
	WAIT_FOR(command == CMD_NONE);
	CHECK(reply == SIGRTMIN + 1, "the worker's sigtimedwait takes the signal queued to it", "got %d", reply);
	CHECK(!pending_here(SIGRTMIN + 1), "main never sees it pending", "pending in main");
	block(SIGRTMIN + 1, SIG_UNBLOCK);

	/* A SIGEV_THREAD_ID timer signals its thread. */
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMIN;
	sev._sigev_un._tid = wt;
	timer_t tm;
	if (CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "timer_create SIGEV_THREAD_ID", "failed")) {
		struct itimerspec its = { { 0, 0 }, { 0, 10000000 } };
		timer_settime(tm, 0, &its, NULL);
		WAIT_FOR(handled_count[SIGRTMIN] == 1);
		CHECK(handled_count[SIGRTMIN] == 1 && handled_on[SIGRTMIN] == wt, "the timer's signal runs on its thread",
		      "count %d on %d (worker %d)", handled_count[SIGRTMIN], handled_on[SIGRTMIN], wt);
		timer_delete(tm);
	}

	/* tkill to the caller itself is taken at once. */
	CHECK(syscall(SYS_tkill, me, SIGUSR2) == 0 && handled_count[SIGUSR2] == 2 && handled_on[SIGUSR2] == me,
	      "tkill to itself runs the handler before it returns", "count %d on %d", handled_count[SIGUSR2], handled_on[SIGUSR2]);

	/* Errors. */
	CHECK_ERR(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL, "tgkill with tid 0");
	CHECK_ERR(syscall(SYS_tgkill, getpid() + 100000, wt, SIGUSR1), ESRCH, "tgkill with the wrong tgid");
	CHECK_ERR(syscall(SYS_tkill, wt, 65), EINVAL, "tkill with signal 65");

	run(CMD_QUIT);
	pthread_join(th, NULL);
	return check_done();
}
