/*
 * ptrace_floor: the physical floor of any ptrace-based sandbox on this machine.
 *
 *     ptrace_floor PROGRAM [ARGS...]
 *
 * Runs PROGRAM as a traced child under PTRACE_SYSEMU, so the host kernel stops it at every
 * `syscall` instruction without executing the call, exactly as wvisor's and gVisor's
 * ptrace platforms do. The tracer answers what it sees:
 *
 *  - getpid (39): answered by the tracer itself with a fixed value (FAKE_PID) and never
 *    executed by the host. Per call that is: the child's SYSEMU stop, waitpid in the tracer,
 *    PTRACE_PEEKUSER of orig_rax, PTRACE_POKEUSER of rax, PTRACE_SYSEMU to resume.
 *    Nothing else: no register block read, no memory access, no kernel logic. A real
 *    sandbox does at least this much per syscall, so this is its lower bound.
 *  - every other syscall (the C runtime's start-up, write of the result, exit_group) is
 *    handed to the host: the tracer rewinds the child's rip over the 2-byte `syscall`
 *    instruction, restores rax from orig_rax, resumes it with PTRACE_SYSCALL to let the
 *    host run the call (entry stop, exit stop), then goes back to PTRACE_SYSEMU. That is
 *    three stops per call and is not meant to be fast; the benchmarked loop never does it.
 *  - exit_group ends the child through that same path; the tracer exits with the child's
 *    status (128 + signal if it was killed). Signals other than the tracer's own traps are
 *    passed on to the child.
 *
 * It only traces the first thread and does not follow fork/clone, so it runs the getpid
 * workload (one thread, no children) and nothing else. The child is started with
 * PTRACE_O_EXITKILL so it never outlives the tracer. Also prints
 * "ptrace_floor: <n> getpid answered, <m> syscalls passed through" on stderr at the end
 * when PTRACE_FLOOR_VERBOSE is set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

#define FAKE_PID 4242
#define SYSCALL_STOP (SIGTRAP | 0x80)
#define REG(name) offsetof(struct user_regs_struct, name)

static void die(const char *what) {
  fprintf(stderr, "ptrace_floor: %s: %s\n", what, strerror(errno));
  exit(125);
}

/* Waits for the next stop of pid; returns its status, or exits when the child is gone. */
static int wait_stop(pid_t pid) {
  int status;
  for (;;) {
    if (waitpid(pid, &status, __WALL) != pid) {
      if (errno == EINTR) continue;
      die("waitpid");
    }
    if (WIFEXITED(status)) exit(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) exit(128 + WTERMSIG(status));
    if (WIFSTOPPED(status)) return status;
  }
}

/* The signal to pass on to the child for a stop that is not ours, or 0. */
static int signal_of(int status) {
  int sig = WSTOPSIG(status);
  return sig == SIGTRAP || sig == SYSCALL_STOP || (status >> 16) != 0 ? 0 : sig;
}

/* Resumes pid with request until a syscall stop, passing other signals on to it. */
static void resume_to_syscall_stop(pid_t pid, int request) {
  int sig = 0;
  for (;;) {
    if (ptrace(request, pid, 0, sig) != 0) die("resume");
    int status = wait_stop(pid);
    if (WSTOPSIG(status) == SYSCALL_STOP) return;
    sig = signal_of(status);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ptrace_floor PROGRAM [ARGS...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) die("PTRACE_TRACEME");
    raise(SIGSTOP);
    execvp(argv[1], argv + 1);
    fprintf(stderr, "ptrace_floor: exec %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  int status = wait_stop(pid);
  if (ptrace(PTRACE_SETOPTIONS, pid, 0,
             PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC) != 0)
    die("PTRACE_SETOPTIONS");
  /* Let the child run natively up to its execve, then emulate from the new image on. */
  int sig = 0;
  for (;;) {
    if (ptrace(PTRACE_CONT, pid, 0, sig) != 0) die("PTRACE_CONT");
    status = wait_stop(pid);
    if ((status >> 16) == PTRACE_EVENT_EXEC) break;
    sig = signal_of(status);
  }

  long answered = 0, passed = 0;
  for (;;) {
    resume_to_syscall_stop(pid, PTRACE_SYSEMU);
    errno = 0;
    long nr = ptrace(PTRACE_PEEKUSER, pid, REG(orig_rax), 0);
    if (nr == -1 && errno) die("PTRACE_PEEKUSER orig_rax");
    if (nr == SYS_getpid) {
      if (ptrace(PTRACE_POKEUSER, pid, REG(rax), FAKE_PID) != 0) die("PTRACE_POKEUSER rax");
      answered++;
      continue;
    }
    /* Hand the call to the host: rewind over `syscall` and run it for real. */
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) die("PTRACE_GETREGS");
    regs.rip -= 2;
    regs.rax = regs.orig_rax;
    if (ptrace(PTRACE_SETREGS, pid, 0, &regs) != 0) die("PTRACE_SETREGS");
    passed++;
    if (getenv("PTRACE_FLOOR_VERBOSE") && nr == SYS_exit_group)
      fprintf(stderr, "ptrace_floor: %ld getpid answered, %ld syscalls passed through\n",
              answered, passed);
    resume_to_syscall_stop(pid, PTRACE_SYSCALL); /* entry: the host runs the call */
    resume_to_syscall_stop(pid, PTRACE_SYSCALL); /* exit */
  }
}
