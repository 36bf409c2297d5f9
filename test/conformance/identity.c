/*
 * identity: uname, the process and user ids, resource limits, CPU affinity,
 * sched_yield, arch_prctl and set_tid_address. Values that differ between machines
 * (or between the host and the sandbox) are printed as info lines only.
 */
#include "check.h"
#include <asm/prctl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

static int terminated(const char *s, size_t n) { return memchr(s, 0, n) != NULL; }

static int tls_probe;
static __thread int tls_var = 42;

int main(void)
{
	/* uname */
	struct utsname u;
	memset(&u, 0x7f, sizeof u);
	REQUIRE(uname(&u) == 0, "uname", "failed");
	CHECK(terminated(u.sysname, sizeof u.sysname) && terminated(u.nodename, sizeof u.nodename) &&
		      terminated(u.release, sizeof u.release) &&
		      terminated(u.version, sizeof u.version) &&
		      terminated(u.machine, sizeof u.machine) &&
		      terminated(u.domainname, sizeof u.domainname),
	      "uname's fields are NUL-terminated", "one is not");
	CHECK(strcmp(u.sysname, "Linux") == 0, "uname sysname is \"Linux\"", "\"%s\"", u.sysname);
	CHECK(strcmp(u.machine, "x86_64") == 0, "uname machine is \"x86_64\"", "\"%s\"", u.machine);
	CHECK(u.nodename[0] && u.release[0] && u.version[0],
	      "uname nodename, release and version are non-empty", "one is empty");
	unsigned major = 0, minor = 0;
	CHECK(sscanf(u.release, "%u.%u", &major, &minor) == 2 && major >= 3,
	      "uname release starts with a version number >= 3", "\"%s\"", u.release);
	say("info: uname: %s %s %s %s %s (domain %s)\n", u.sysname, u.nodename, u.release,
	    u.version, u.machine, u.domainname);

	/* process ids */
	pid_t pid = getpid(), ppid = getppid();
	long tid = syscall(SYS_gettid);
	say("info: pid %d ppid %d tid %ld\n", pid, ppid, tid);
	CHECK(pid > 0, "getpid() > 0", "%d", pid);
	CHECK(syscall(SYS_getpid) == pid, "getpid is stable", "changed");
	CHECK(tid == pid, "gettid() == getpid() in a single-threaded process", "%ld vs %d", tid, pid);
	CHECK(ppid >= 0 && ppid != pid, "getppid() >= 0 and differs from getpid()", "%d", ppid);
	CHECK(syscall(SYS_set_tid_address, &tls_probe) == tid,
	      "set_tid_address returns the thread id", "returned %ld",
	      syscall(SYS_set_tid_address, &tls_probe));

	/* user ids */
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();
	say("info: uid %u euid %u gid %u egid %u\n", uid, euid, gid, egid);
	CHECK(syscall(SYS_getuid) == uid && syscall(SYS_geteuid) == euid &&
		      syscall(SYS_getgid) == gid && syscall(SYS_getegid) == egid,
	      "the id calls are stable", "changed");
	CHECK(uid != (uid_t)-1 && euid != (uid_t)-1 && gid != (gid_t)-1 && egid != (gid_t)-1,
	      "no id is -1", "one is");

	/* resource limits: getrlimit and prlimit64 agree, soft <= hard */
	struct rlimit st, nf, raw;
	CHECK(syscall(SYS_getrlimit, RLIMIT_STACK, &st) == 0, "getrlimit(RLIMIT_STACK)", "failed");
	CHECK(st.rlim_cur >= 128 * 1024 && (st.rlim_max == RLIM_INFINITY || st.rlim_cur <= st.rlim_max),
	      "RLIMIT_STACK is at least 128 KiB and soft <= hard", "cur %lu max %lu",
	      (unsigned long)st.rlim_cur, (unsigned long)st.rlim_max);
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &raw) == 0 &&
		      raw.rlim_cur == st.rlim_cur && raw.rlim_max == st.rlim_max,
	      "prlimit64 and getrlimit agree on RLIMIT_STACK", "differ");
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, &nf) == 0, "getrlimit(RLIMIT_NOFILE)", "failed");
	CHECK(nf.rlim_cur >= 64 && nf.rlim_cur <= nf.rlim_max && nf.rlim_max != RLIM_INFINITY,
	      "RLIMIT_NOFILE is finite, at least 64 and soft <= hard", "cur %lu max %lu",
	      (unsigned long)nf.rlim_cur, (unsigned long)nf.rlim_max);
	CHECK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &raw) == 0 &&
		      raw.rlim_cur == nf.rlim_cur && raw.rlim_max == nf.rlim_max,
	      "prlimit64 on our own pid agrees with getrlimit", "differ");
	say("info: RLIMIT_STACK %lu/%lu RLIMIT_NOFILE %lu/%lu\n", (unsigned long)st.rlim_cur,
	    (unsigned long)st.rlim_max, (unsigned long)nf.rlim_cur, (unsigned long)nf.rlim_max);
	/* lower the soft NOFILE limit and see it enforced, then put it back */
	struct rlimit low = {64, nf.rlim_max}, old;
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &low, &old) == 0 &&
		      old.rlim_cur == nf.rlim_cur && old.rlim_max == nf.rlim_max,
	      "prlimit64 sets RLIMIT_NOFILE and returns the old value", "failed");
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, &raw) == 0 && raw.rlim_cur == 64,
	      "the new soft limit reads back", "cur %lu", (unsigned long)raw.rlim_cur);
	CHECK_ERR(dup2(1, 64), EBADF, "dup2 to the new soft limit");
	CHECK(dup2(1, 63) == 63 && close(63) == 0, "dup2 just below the new soft limit", "failed");
	struct rlimit inverted = {nf.rlim_max, 64};
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &inverted, NULL), EINVAL,
		  "prlimit64 with soft > hard");
	CHECK_ERR(syscall(SYS_prlimit64, 0, 1000, NULL, &raw), EINVAL,
		  "prlimit64 of an unknown resource");
	CHECK_ERR(syscall(SYS_getrlimit, 1000, &raw), EINVAL, "getrlimit of an unknown resource");
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nf, NULL) == 0 &&
		      syscall(SYS_getrlimit, RLIMIT_NOFILE, &raw) == 0 && raw.rlim_cur == nf.rlim_cur,
	      "RLIMIT_NOFILE restored", "failed");

	/* CPU affinity */
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	CHECK(n > 0 && n % sizeof(long) == 0 && (size_t)n <= sizeof set,
	      "raw sched_getaffinity returns the mask size in bytes", "returned %ld", n);
	CHECK(CPU_COUNT(&set) >= 1, "sched_getaffinity gives at least one CPU", "none");
	say("info: %d CPUs in the affinity mask\n", CPU_COUNT(&set));
	cpu_set_t set2;
	CPU_ZERO(&set2);
	CHECK(sched_getaffinity(getpid(), sizeof set2, &set2) == 0 && CPU_EQUAL(&set, &set2),
	      "sched_getaffinity of our own pid is the same mask", "differs");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL,
		  "sched_getaffinity with a size that is not a multiple of sizeof(long)");
	CHECK_ERR(syscall(SYS_sched_getaffinity, INT_MAX, sizeof set, &set), ESRCH,
		  "sched_getaffinity of a pid that does not exist");
	CHECK(sched_yield() == 0, "sched_yield returns 0", "failed");

	/* arch_prctl: FS is the thread pointer, and glibc's TCB points to itself */
	unsigned long fs = 0, self = 0;
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0 && fs != 0, "arch_prctl(ARCH_GET_FS)",
	      "fs %#lx", fs);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK(self == fs, "the FS base from arch_prctl is the thread pointer %fs:0", "%#lx vs %#lx",
	      fs, self);
	uintptr_t tv = (uintptr_t)&tls_var;
	CHECK(tls_var == 42 && tv < fs && fs - tv < 65536,
	      "a __thread variable lives just below the thread pointer", "&tls_var %#lx fs %#lx",
	      (unsigned long)tv, fs);
	CHECK_ERR(syscall(SYS_arch_prctl, 0x9999, &fs), EINVAL, "arch_prctl with an unknown code");
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, (void *)1), EFAULT,
		  "arch_prctl(ARCH_GET_FS) into address 1");

	return check_done();
}
