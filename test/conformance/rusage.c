/*
 * CPU time of children: wait4's rusage, waitid's (the raw syscall's fifth argument),
 * getrusage(RUSAGE_CHILDREN) and times()'s tms_cutime + tms_cstime. A child that burns
 * about BURN_MS of CPU is reported once reaped (and not before), its own reaped child's time
 * included, as Linux's wait_task_zombie() adds a zombie's time and its children's to the
 * parent's. The bounds are loose (half the burn): a busy host slows the burn, never shortens
 * the CPU time it takes.
 */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

#define BURN_MS 200

static long ms(struct timeval tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

static long cpu_ms(const struct rusage *ru) { return ms(ru->ru_utime) + ms(ru->ru_stime); }

/* Spins until this process has used ms of CPU time. */
static void burn(long ms_wanted)
{
	struct timespec ts;
	do {
		for (volatile int i = 0; i < 100000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < ms_wanted);
}

static long children_ms(void)
{
	struct rusage ru;
	REQUIRE(getrusage(RUSAGE_CHILDREN, &ru) == 0, "getrusage(RUSAGE_CHILDREN)", "errno %d", errno);
	return cpu_ms(&ru);
}

int main(void)
{
	CHECK(children_ms() == 0, "no children reaped yet: RUSAGE_CHILDREN is zero", "%ld ms", children_ms());

	/* A child that burns, then is reaped by wait4 with a rusage. */
	pid_t c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		burn(BURN_MS);
		_exit(0);
	}
	/* Until it is reaped its time is not the parent's children's time. */
	siginfo_t si;
	REQUIRE(waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT", "errno %d", errno);
	CHECK(children_ms() == 0, "an exited child not reaped yet does not count", "%ld ms", children_ms());
	struct rusage ru;
	int status;
	REQUIRE(wait4(c, &status, 0, &ru) == c, "wait4", "errno %d", errno);
	CHECK(cpu_ms(&ru) >= BURN_MS / 2, "wait4's rusage holds the child's CPU time", "%ld ms", cpu_ms(&ru));
	long after_one = children_ms();
	CHECK(after_one >= BURN_MS / 2, "RUSAGE_CHILDREN holds the reaped child's time", "%ld ms", after_one);
	struct tms tm;
	REQUIRE(times(&tm) != (clock_t)-1, "times", "errno %d", errno);
	long ticks = sysconf(_SC_CLK_TCK);
	CHECK((tm.tms_cutime + tm.tms_cstime) * 1000 / ticks >= BURN_MS / 2, "times() counts it in tms_cutime + tms_cstime",
	      "%ld ticks", (long)(tm.tms_cutime + tm.tms_cstime));

	/* A child that reaps its own burning child, then burns a little itself: waitid's rusage
	 * holds both. */
	c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			burn(BURN_MS);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		burn(BURN_MS / 4);
		_exit(3);
	}
	struct rusage ru2;
	memset(&ru2, 0, sizeof ru2);
	memset(&si, 0, sizeof si);
	REQUIRE(syscall(SYS_waitid, P_PID, c, &si, WEXITED, &ru2) == 0, "waitid with a rusage", "errno %d", errno);
	CHECK(si.si_pid == c && si.si_code == CLD_EXITED && si.si_status == 3, "waitid reports the exit", "pid %d code %d status %d",
	      si.si_pid, si.si_code, si.si_status);
	CHECK(cpu_ms(&ru2) >= BURN_MS / 2 + BURN_MS / 8, "waitid's rusage holds the child's time and its reaped child's",
	      "%ld ms", cpu_ms(&ru2));
	long after_two = children_ms();
	CHECK(after_two - after_one >= BURN_MS / 2 + BURN_MS / 8, "RUSAGE_CHILDREN grew by both", "%ld -> %ld ms", after_one,
	      after_two);

	/* A child reaped automatically (SIGCHLD ignored) adds nothing. */
	signal(SIGCHLD, SIG_IGN);
	c = fork();
	if (c == 0) {
		burn(BURN_MS / 2);
		_exit(0);
	}
	CHECK(waitpid(c, NULL, 0) == -1 && errno == ECHILD, "an ignored SIGCHLD reaps the child itself", "errno %d", errno);
	CHECK(children_ms() == after_two, "and its time is nobody's", "%ld -> %ld ms", after_two, children_ms());
	return check_done();
}
