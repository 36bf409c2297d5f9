/*
 * Helpers shared by the process conformance programs (proc_fork.c, proc_pipe.c,
 * proc_signal.c): running a function in a child that reports numbers back through a
 * pipe, waiting with a timeout, reading a pipe to its end, and a monotonic clock.
 *
 * Only the parent prints "ok:"/"FAIL:" lines: children report values over pipes or
 * through their exit status, so the output order is the same in every run.
 *
 * Natively the test program is an ordinary process; inside wvisor it is the sandbox's
 * pid 1 (orphans are reparented to it, and signals without a handler sent to it are
 * ignored, as for the init of a pid namespace). The programs only test default signal
 * actions on children and reap whatever is reparented to them.
 */
#ifndef WVISOR_PROC_H
#define WVISOR_PROC_H

#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

__attribute__((unused)) static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__attribute__((unused)) static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Writes all of buf (retrying short writes and EINTR); returns 0 or -1. */
__attribute__((unused)) static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until EOF (or max bytes), retrying EINTR; returns the byte count or -1. */
__attribute__((unused)) static ssize_t read_all(int fd, void *buf, size_t max)
{
	char *p = buf;
	size_t got = 0;
	while (got < max) {
		ssize_t r = read(fd, p + got, max - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* waitpid that retries EINTR (signal handlers are installed in some programs). */
__attribute__((unused)) static pid_t xwaitpid(pid_t pid, int *status, int options)
{
	pid_t r;
	do
		r = waitpid(pid, status, options);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * Waits for pid for at most ms milliseconds (polling with WNOHANG); kills it with
 * SIGKILL and reaps it when it takes longer. Returns the waited pid (-1 on error,
 * 0 on a timeout, in which case *status is the status of the killed child).
 */
__attribute__((unused)) static pid_t wait_timeout(pid_t pid, int *status, long ms)
{
	long long end = now_ms() + ms;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r != 0 && !(r < 0 && errno == EINTR))
			return r;
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			xwaitpid(pid, status, 0);
			return 0;
		}
		sleep_ms(2);
	}
}

/* A short text for a wait status, for failure details. */
__attribute__((unused)) static const char *wstatus_str(int st)
{
	static char buf[4][64];
	static int i;
	char *b = buf[i++ & 3];
	if (WIFEXITED(st))
		snprintf(b, 64, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(b, 64, "killed by signal %d%s", WTERMSIG(st), WCOREDUMP(st) ? " (core)" : "");
	else if (WIFSTOPPED(st))
		snprintf(b, 64, "stopped by signal %d", WSTOPSIG(st));
	else
		snprintf(b, 64, "status 0x%x", st);
	return b;
}

#define MAX_VALS 16

/*
 * Runs fn(arg, vals) in a forked child. The child fills vals[0..MAX_VALS) and returns an
 * exit code; the values go back to the parent through a pipe. run_child waits (at most
 * timeout_ms) and returns the wait status; *nvals is the number of values received.
 */
typedef int (*child_fn)(void *arg, long *vals);

__attribute__((unused)) static int run_child(child_fn fn, void *arg, long *vals, int *nvals, long timeout_ms)
{
	int p[2];
	int st = -1;
	if (pipe(p) != 0)
		return -1;
	for (int i = 0; i < MAX_VALS; i++)
		vals[i] = -999;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		long v[MAX_VALS];
		for (int i = 0; i < MAX_VALS; i++)
			v[i] = -999;
		int code = fn(arg, v);
		write_all(p[1], v, sizeof v);
		_exit(code);
	}
	close(p[1]);
	ssize_t n = read_all(p[0], vals, sizeof(long) * MAX_VALS);
	close(p[0]);
	if (nvals)
		*nvals = n < 0 ? 0 : (int)(n / (ssize_t)sizeof(long));
	if (wait_timeout(pid, &st, timeout_ms) == 0)
		complain("info: child %d timed out\n", (int)pid);
	return st;
}

/* Reaps every child that is already a zombie (reparented orphans inside wvisor). */
__attribute__((unused)) static int reap_zombies(void)
{
	int n = 0, st;
	while (waitpid(-1, &st, WNOHANG) > 0)
		n++;
	return n;
}

#endif
