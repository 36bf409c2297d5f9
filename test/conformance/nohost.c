/*
 * nohost [VICTIM-PID...]: shows whether process-related system calls reach the host.
 *
 * Prints (one per line, parsed by test/conformance.test.ts):
 *   pid=<getpid()>
 *   ppid=<getppid()>
 *   tid=<gettid()>
 *   nodename=<uname nodename>
 *   kill(ppid)=<return> errno=<errno name>      (or "kill(ppid)=skipped" when ppid <= 0)
 *   kill(<pid>)=<return> errno=<errno name>     for each VICTIM-PID argument
 * and exits 0.
 *
 * Natively this really kills its parent and the victims (the test runs it under a
 * throw-away parent and uses throw-away victims). Under wvisor the program is pid 1 of
 * its own pid namespace, its parent pid is 0, and host pids do not exist inside: every
 * kill fails with ESRCH and nobody outside the sandbox is touched.
 *
 * kill(0, ...) would signal our own process group, so a ppid of 0 is never killed. Only
 * SIGKILL is sent; with signal 0, kill only checks that the target exists.
 */
#include "check.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case ESRCH: return "ESRCH";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	pid_t pid = getpid(), ppid = getppid();
	struct utsname u;
	if (uname(&u) != 0)
		strcpy(u.nodename, "(uname failed)");
	say("pid=%d\n", pid);
	say("ppid=%d\n", ppid);
	say("tid=%ld\n", syscall(SYS_gettid));
	say("nodename=%s\n", u.nodename);

	/* signal 0 to ourselves: we exist */
	errno = 0;
	int self = kill(pid, 0);
	say("kill(self,0)=%d errno=%s\n", self, errname(errno));
	errno = 0;
	int badsig = kill(pid, 12345);
	say("kill(self,12345)=%d errno=%s\n", badsig, errname(errno));

	if (ppid > 0) {
		errno = 0;
		int r = kill(ppid, SIGKILL);
		say("kill(ppid)=%d errno=%s\n", r, errname(errno));
	} else {
		say("kill(ppid)=skipped\n");
	}
	for (int i = 1; i < argc; i++) {
		pid_t victim = (pid_t)atoi(argv[i]);
		if (victim <= 1) {
			complain("nohost: refusing to kill %s\n", argv[i]);
			return 2;
		}
		errno = 0;
		int r = kill(victim, SIGKILL);
		say("kill(%d)=%d errno=%s\n", victim, r, errname(errno));
	}
	return 0;
}
