/* MAP_SHARED mappings: coherence between write()/read() and the mapping, two mappings of one
 * file, shared anonymous memory across fork, POSIX shm in /dev/shm, truncation (SIGBUS past
 * the end, zeroes when it grows back), hole punching, mprotect, partial munmap, mremap, and
 * the errors Linux gives. Files live in a memfd, /dev/shm and /tmp. */
#include "check.h"
#include "proc.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PG 4096

static sigjmp_buf jb;
static volatile int fault_sig;
static volatile void *fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* The signal a read of *p raises (0 when it reads fine). */
static int touch(volatile char *p)
{
	fault_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*p;
		return 0;
	}
	return fault_sig;
}

static int tmpfile_in(const char *dir, char *path, size_t n)
{
	snprintf(path, n, "%s/mmap_shared-%d-%d", dir, (int)getpid(), rand());
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

/* write() and read() against one shared mapping of fd (a file of at least 3 pages). */
static void coherence(int fd, const char *where)
{
	char what[160];
	REQUIRE(ftruncate(fd, 3 * PG) == 0, "ftruncate to 3 pages", "%s", where);
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED, "mmap MAP_SHARED of a writable file", "%s errno %d", where, errno);
	char *m2 = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(m2 != MAP_FAILED, "a second read-only MAP_SHARED mapping", "%s", where);

	snprintf(what, sizeof what, "%s: pwrite shows in the mapping at once", where);
	CHECK(pwrite(fd, "hello", 5, PG + 10) == 5 && memcmp(m + PG + 10, "hello", 5) == 0, what, "-");
	snprintf(what, sizeof what, "%s: a store through the mapping shows in pread", where);
	memcpy(m + 2 * PG + 100, "world", 5);
	char buf[8] = {0};
	CHECK(pread(fd, buf, 5, 2 * PG + 100) == 5 && memcmp(buf, "world", 5) == 0, what, "got '%s'", buf);
	snprintf(what, sizeof what, "%s: the second mapping sees the first one's store", where);
	CHECK(memcmp(m2 + 2 * PG + 100, "world", 5) == 0, what, "-");
	snprintf(what, sizeof what, "%s: untouched bytes of the file read as zeroes", where);
	CHECK(m[0] == 0 && m2[3 * PG - 1] == 0, what, "-");

	/* the kernel copies into and out of a shared mapping */
	snprintf(what, sizeof what, "%s: pread into the mapping lands in the file", where);
	CHECK(pread(fd, m + 5, 5, PG + 10) == 5 && memcmp(m2 + 5, "hello", 5) == 0, what, "-");
	snprintf(what, sizeof what, "%s: pwrite from the mapping", where);
	CHECK(pwrite(fd, m + 2 * PG + 100, 5, 20) == 5 && memcmp(m2 + 20, "world", 5) == 0, what, "-");

	CHECK(msync(m, 3 * PG, MS_SYNC) == 0, "msync(MS_SYNC) of a shared mapping", "%s", where);
	CHECK_ERR(msync(m, 3 * PG, MS_SYNC | MS_ASYNC), EINVAL, "msync with MS_SYNC|MS_ASYNC is EINVAL");

	/* a hole punched under the mapping reads as zeroes, and a store brings a page back */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * PG, PG) == 0) {
		snprintf(what, sizeof what, "%s: a punched page reads as zeroes through the mapping", where);
		CHECK(m[2 * PG + 100] == 0 && m2[2 * PG + 101] == 0, what, "%d", m[2 * PG + 100]);
		m[2 * PG + 7] = 'x';
		snprintf(what, sizeof what, "%s: a store after the punch is in the file", where);
		CHECK(pread(fd, buf, 1, 2 * PG + 7) == 1 && buf[0] == 'x', what, "%d", buf[0]);
	} else {
		say("info: %s: no hole punching (errno %d)\n", where, errno);
	}

	/* truncation: past the end is SIGBUS, growing back gives zeroes */
	REQUIRE(ftruncate(fd, PG + 100) == 0, "ftruncate to a page and a bit", "%s", where);
	snprintf(what, sizeof what, "%s: after truncate, a page past the end is SIGBUS", where);
	CHECK(touch(m + 2 * PG + 1) == SIGBUS && fault_addr == m + 2 * PG + 1, what, "sig %d addr %p", fault_sig, fault_addr);
	snprintf(what, sizeof what, "%s: the rest of the last page reads as zeroes", where);
	CHECK(touch(m + PG + 200) == 0 && m[PG + 200] == 0 && m[PG + 10] == 'h', what, "-");
	REQUIRE(ftruncate(fd, 3 * PG) == 0, "ftruncate back to 3 pages", "%s", where);
	snprintf(what, sizeof what, "%s: after growing back, the page is there and zero", where);
	CHECK(touch(m2 + 2 * PG + 100) == 0 && m2[2 * PG + 100] == 0, what, "sig %d", fault_sig);
	snprintf(what, sizeof what, "%s: the cut tail of the last page stays zero", where);
	CHECK(m[PG + 100] == 0, what, "%d", m[PG + 100]);
	/* a write() past the end grows the file into the mapping */
	REQUIRE(ftruncate(fd, PG) == 0, "ftruncate to one page", "%s", where);
	CHECK(pwrite(fd, "grow", 4, 2 * PG + 50) == 4, "pwrite past the end grows the file", "%s", where);
	snprintf(what, sizeof what, "%s: the mapping shows what a write() past the end put there", where);
	CHECK(touch(m + 2 * PG + 50) == 0 && memcmp(m + 2 * PG + 50, "grow", 4) == 0, what, "sig %d", fault_sig);

	/* mprotect and partial munmap of a shared mapping */
	REQUIRE(mprotect(m, 3 * PG, PROT_READ) == 0, "mprotect PROT_READ", "%s", where);
	fault_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		m[1] = 1;
	snprintf(what, sizeof what, "%s: a store to a shared PROT_READ page is SIGSEGV", where);
	CHECK(fault_sig == SIGSEGV, what, "sig %d", fault_sig);
	REQUIRE(mprotect(m, 3 * PG, PROT_READ | PROT_WRITE) == 0, "mprotect back to read-write", "%s", where);
	m[1] = 'y';
	CHECK(munmap(m + PG, PG) == 0, "munmap of the middle page", "%s", where);
	snprintf(what, sizeof what, "%s: after a partial munmap the other pages still share", where);
	m[2 * PG + 60] = 'z';
	CHECK(m2[1] == 'y' && m2[2 * PG + 60] == 'z', what, "-");
	snprintf(what, sizeof what, "%s: the unmapped page is SIGSEGV", where);
	CHECK(touch(m + PG) == SIGSEGV, what, "sig %d", fault_sig);
	munmap(m, 3 * PG);

	/* mremap grows a shared mapping with the file's next pages */
	char *r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
	REQUIRE(r != MAP_FAILED, "mmap one page at offset 1 page", "%s", where);
	char *g = mremap(r, PG, 2 * PG, MREMAP_MAYMOVE);
	REQUIRE(g != MAP_FAILED, "mremap to two pages", "%s errno %d", where, errno);
	snprintf(what, sizeof what, "%s: the grown part of a shared mapping is the file's next page", where);
	CHECK(memcmp(g + PG + 50, "grow", 4) == 0, what, "-");
	g[PG + 51] = 'R';
	CHECK(m2[2 * PG + 51] == 'R', "a store to the grown part reaches the file", "%s", where);
	munmap(g, 2 * PG);
	munmap(m2, 3 * PG);
}

static void errors(int fd)
{
	char path[96];
	int ro = tmpfile_in("/tmp", path, sizeof path);
	REQUIRE(ro >= 0, "a file in /tmp", "errno %d", errno);
	close(ro);
	ro = open(path, O_RDONLY);
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES,
	      "MAP_SHARED with PROT_WRITE of a read-only fd is EACCES", "errno %d", errno);
	void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(p != MAP_FAILED, "MAP_PRIVATE with PROT_WRITE of a read-only fd is fine", "errno %d", errno);
	munmap(p, PG);
	close(ro);
	/* only an append-only inode (chattr +a) refuses, not an O_APPEND description */
	int ap = open(path, O_RDWR | O_APPEND);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
	CHECK(p != MAP_FAILED, "MAP_SHARED with PROT_WRITE of an O_APPEND fd is allowed", "errno %d", errno);
	if (p != MAP_FAILED)
		munmap(p, PG);
	close(ap);
	unlink(path);
	(void)fd;
}

/* Private mappings of a file keep their stores to themselves. */
static void private_isolation(int fd)
{
	REQUIRE(pwrite(fd, "abcd", 4, 0) == 4, "pwrite for the private test", "-");
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	REQUIRE(p != MAP_FAILED, "mmap MAP_PRIVATE", "-");
	CHECK(memcmp(p, "abcd", 4) == 0, "a private mapping reads the file", "-");
	p[0] = 'Z';
	char c = 0;
	CHECK(pread(fd, &c, 1, 0) == 1 && c == 'a', "a store to a private mapping does not reach the file", "%c", c);
	char *s = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED && s[0] == 'a', "a shared mapping does not see the private store", "-");
	munmap(s, PG);
	munmap(p, PG);
}

/* Shared memory survives fork both ways; private memory does not. */
static void across_fork(void)
{
	volatile int *sh = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *pr = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(sh != MAP_FAILED && pr != MAP_FAILED, "anonymous mappings", "-");
	CHECK(sh[0] == 0 && sh[PG / sizeof(int)] == 0, "shared anonymous memory starts zeroed", "-");
	sh[0] = 1;
	pr[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		sh[0] += 10;
		sh[PG / sizeof(int)] = 7;
		pr[0] = 99;
		_exit(sh[0] == 11 ? 0 : 1);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child saw the parent's shared store", "%s", wstatus_str(st));
	CHECK(sh[0] == 11 && sh[PG / sizeof(int)] == 7, "the parent sees the child's shared stores", "%d %d", sh[0], sh[PG / sizeof(int)]);
	CHECK(pr[0] == 1, "the child's private store stays in the child", "%d", pr[0]);

	/* the mapping outlives the parent's munmap in the child */
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 2000 && sh[1] == 0; i++)
			usleep(1000);
		_exit(sh[1] == 5 ? 0 : 1);
	}
	sh[1] = 5;
	munmap((void *)sh, 2 * PG);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child still shares after the parent's munmap", "%s", wstatus_str(st));
	munmap((void *)pr, PG);
}

/* POSIX shared memory as glibc's shm_open makes it: a file in /dev/shm, shared across fork. */
static void posix_shm(void)
{
	char path[96];
	int fd = tmpfile_in("/dev/shm", path, sizeof path);
	if (fd < 0) {
		CHECK(0, "a file in /dev/shm", "errno %d", errno);
		return;
	}
	unlink(path);
	REQUIRE(ftruncate(fd, PG) == 0, "ftruncate the shm file", "-");
	volatile long *counter = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(counter != MAP_FAILED, "mmap of an unlinked /dev/shm file", "errno %d", errno);
	close(fd);
	pid_t kids[3];
	for (int k = 0; k < 3; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			for (int i = 0; i < 1000; i++)
				__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
			_exit(0);
		}
	}
	for (int k = 0; k < 3; k++)
		waitpid(kids[k], NULL, 0);
	CHECK(*counter == 3000, "three children count to 3000 in a closed, unlinked shm file", "%ld", *counter);
	munmap((void *)counter, PG);
}

/* A truncate reaches the mapping of another process while it runs (here one that spins on
 * the page without syscalls): its next touch is SIGBUS. */
static void truncate_under_running_child(void)
{
	int fd = memfd_create("truncate_running", 0);
	REQUIRE(fd >= 0 && ftruncate(fd, PG) == 0, "a one-page memfd", "errno %d", errno);
	volatile char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(p != MAP_FAILED, "mmap it shared", "-");
	p[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		volatile unsigned long n = 0;
		for (;;) {
			n += p[0];
			p[1] = 2;
		}
	}
	while (p[1] != 2)
		;
	REQUIRE(ftruncate(fd, 0) == 0, "ftruncate to 0", "-");
	int st;
	pid_t w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "a child touching the page when another process truncates the file gets SIGBUS", "%s", wstatus_str(st));
	munmap((void *)p, PG);
	close(fd);
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	srand(getpid());

	int mfd = memfd_create("mmap_shared", 0);
	REQUIRE(mfd >= 0, "memfd_create", "errno %d", errno);
	coherence(mfd, "memfd");
	private_isolation(mfd);
	errors(mfd);
	close(mfd);

	char path[96];
	int fd = tmpfile_in("/tmp", path, sizeof path);
	REQUIRE(fd >= 0, "a file in /tmp", "errno %d", errno);
	coherence(fd, "/tmp file");
	close(fd);
	unlink(path);

	fd = tmpfile_in("/dev/shm", path, sizeof path);
	if (fd >= 0) {
		coherence(fd, "/dev/shm file");
		close(fd);
		unlink(path);
	} else {
		CHECK(0, "a file in /dev/shm", "errno %d", errno);
	}

	across_fork();
	posix_shm();
	truncate_under_running_child();
	return check_done();
}
