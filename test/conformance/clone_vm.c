/* Processes that share memory or signal dispositions, as Linux makes them: vfork's child
 * writes into its parent's memory; posix_spawn reports an exec failure through that memory;
 * clone(CLONE_VM) without CLONE_VFORK runs beside its parent in one address space (each sees
 * the other's writes while both run, and a mapping the child makes stays after it exits);
 * execve in such a child leaves the parent's memory alone; clone(CLONE_SIGHAND|CLONE_VM)
 * shares dispositions until the child execs; and the invalid flag combinations. Waits are
 * bounded by alarm(). */
#include "check.h"
#include "proc.h"
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

extern char **environ;

static volatile int shared_word;
static volatile int child_saw;
static volatile char *child_map;
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static void vfork_writes_parent_memory(void)
{
	volatile int local = 1;
	shared_word = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		local = 2;
		shared_word = 42;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(shared_word == 42, "a vfork child's write to a global is the parent's", "got %d", shared_word);
	CHECK(local == 2, "and to the parent's stack", "got %d", local);
}

static void posix_spawn_reports_exec_error(void)
{
	pid_t pid;
	char *argv[] = { "nope", NULL };
	int r = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, argv, environ);
	CHECK(r == ENOENT, "posix_spawn of a missing program returns ENOENT", "got %d", r);
	char *targv[] = { "true", NULL };
	r = posix_spawn(&pid, "/bin/true", NULL, NULL, targv, environ);
	if (CHECK(r == 0, "posix_spawn of /bin/true succeeds", "got %d", r)) {
		int st;
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "and it exits 0", "%s", wstatus_str(st));
	}
}

static int vm_child(void *arg)
{
	(void)arg;
	shared_word = 1;
	/* Wait for the parent's answer, written while we both run. */
	for (int i = 0; i < 5000000 && shared_word != 2; i++)
		sched_yield();
	child_saw = shared_word;
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		strcpy(m, "made by the child");
		child_map = m;
	}
	return 7;
}

static void clone_vm_runs_beside_parent(void)
{
	shared_word = 0;
	child_saw = 0;
	child_map = NULL;
	pid_t pid = clone(vm_child, child_stack + sizeof child_stack, CLONE_VM | SIGCHLD, NULL);
	if (!CHECK(pid > 0, "clone(CLONE_VM) without CLONE_VFORK", "failed"))
		return;
	for (int i = 0; i < 5000000 && shared_word != 1; i++)
		sched_yield();
	CHECK(shared_word == 1, "the parent sees the running child's write", "got %d", shared_word);
	shared_word = 2;
	int st;
	pid_t w = wait_timeout(pid, &st, 10000);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "the CLONE_VM child exits with its code", "%s", wstatus_str(st));
	CHECK(child_saw == 2, "the child saw the parent's write while both ran", "got %d", child_saw);
	CHECK(child_map != NULL && strcmp((const char *)child_map, "made by the child") == 0,
	      "a mapping the child made stays in the shared address space", "map %p", (void *)child_map);
}

static void exec_in_vfork_child_keeps_parent_memory(const char *self)
{
	char *keep = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(keep != MAP_FAILED, "mmap", "failed");
	strcpy(keep, "parent data");
	shared_word = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = { (char *)self, "exit3", NULL };
		execve(self, argv, environ);
		shared_word = errno;
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "a vfork child that execs runs the new program", "%s", wstatus_str(st));
	CHECK(shared_word == 0, "and its exec succeeded", "errno %d", shared_word);
	CHECK(strcmp(keep, "parent data") == 0, "the parent's memory is intact after the child's exec", "got '%.20s'", keep);
	keep[0] = 'P';
	CHECK(keep[0] == 'P', "and still writable", "-");
	munmap(keep, 4096);

	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "x", NULL };
		execve("/nonexistent/x", argv, environ);
		shared_word = errno;
		_exit(127);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127 && shared_word == ENOENT, "a failed exec's errno reaches the vfork parent",
	      "%s errno %d", wstatus_str(st), shared_word);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int sighand_child(void *arg)
{
	const char *self = arg;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	shared_word = 1;
	for (int i = 0; i < 5000000 && shared_word != 2; i++)
		sched_yield();
	char *argv[] = { (char *)self, "exit3", NULL };
	execve(self, argv, environ);
	return 99;
}

static void clone_sighand_shares_dispositions(const char *self)
{
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_IGN);
	shared_word = 0;
	pid_t pid = clone(sighand_child, child_stack + sizeof child_stack, CLONE_VM | CLONE_SIGHAND | SIGCHLD, (void *)self);
	if (!CHECK(pid > 0, "clone(CLONE_VM|CLONE_SIGHAND)", "failed"))
		return;
	for (int i = 0; i < 5000000 && shared_word != 1; i++)
		sched_yield();
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	CHECK(cur.sa_handler == on_usr1, "a disposition the child sets is the parent's too", "handler %p", (void *)cur.sa_handler);
	shared_word = 2;
	int st;
	pid_t w = wait_timeout(pid, &st, 10000);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3, "the child execs", "%s", wstatus_str(st));
	sigaction(SIGUSR1, NULL, &cur);
	CHECK(cur.sa_handler == on_usr1, "its exec does not reset the parent's handlers", "handler %p", (void *)cur.sa_handler);
	sigaction(SIGUSR2, NULL, &cur);
	CHECK(cur.sa_handler == SIG_IGN, "nor its ignored signals", "handler %p", (void *)cur.sa_handler);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void bad_flags(void)
{
	CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0), EINVAL, "CLONE_SIGHAND without CLONE_VM");
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND;
	ca.exit_signal = SIGCHLD;
	ca.stack = (unsigned long)child_stack;
	ca.stack_size = sizeof child_stack;
	CHECK_ERR(syscall(SYS_clone3, &ca, sizeof ca), EINVAL, "CLONE_CLEAR_SIGHAND with CLONE_SIGHAND");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit3") == 0)
		return 3;
	alarm(60);
	vfork_writes_parent_memory();
	posix_spawn_reports_exec_error();
	clone_vm_runs_beside_parent();
	exec_in_vfork_child_keeps_parent_memory(argv[0]);
	clone_sighand_shares_dispositions(argv[0]);
	bad_flags();
	return check_done();
}
