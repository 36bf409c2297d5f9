/* Pseudo-terminals as Linux's devpts and n_tty line discipline make them, the parts that
 * python's pty module, script(1) and ssh-like tools rely on: posix_openpt/grantpt/unlockpt/
 * ptsname and the slave's device node; the default termios; output processing (ONLCR);
 * canonical input with echo, erase, kill, CR->NL and EOF; non-canonical VMIN/VTIME reads;
 * the window size; the slave as a controlling terminal whose ^C/^Z/^\ signal the foreground
 * process group; hang-up in both directions; TIOCGPTPEER; FIONREAD and tcflush.
 *
 * The main process opens every pty with O_NOCTTY; the controlling-terminal parts run in
 * children that call setsid() first and report back through a pipe, since natively the test
 * may have no controlling terminal or an orphaned process group, and under wvisor it is
 * pid 1 (which ignores signals it has no handler for). */
#include "check.h"
#include "proc.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Printable form of bytes, for failure details. */
static const char *vis(const char *s, ssize_t n)
{
	static char buf[4][128];
	static int i;
	char *b = buf[i++ & 3];
	size_t o = 0;
	for (ssize_t k = 0; k < n && o < 120; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c >= 32 && c < 127 && c != '\\')
			b[o++] = (char)c;
		else
			o += (size_t)snprintf(b + o, sizeof buf[0] - o, "\\%03o", c);
	}
	b[o] = 0;
	return b;
}

/* The poll revents of fd for POLLIN within ms milliseconds (0 when nothing came). */
static int can_read(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, ms) > 0 ? p.revents : 0;
}

/* Reads until want bytes came, or nothing came for ms milliseconds; returns the count. */
static ssize_t read_for(int fd, char *buf, size_t want, int ms)
{
	size_t got = 0;
	while (got < want && (can_read(fd, ms) & POLLIN)) {
		ssize_t r = read(fd, buf + got, want - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Discards whatever arrives on fd until it is quiet for 50 ms. */
static void drain(int fd)
{
	char b[256];
	while ((can_read(fd, 50) & POLLIN) && read(fd, b, sizeof b) > 0)
		;
}

/* Checks that fd delivers exactly want (the master side: bytes may come in pieces). */
static void expect_bytes(int fd, const char *want, const char *what)
{
	char buf[256];
	ssize_t n = (ssize_t)strlen(want);
	ssize_t got = read_for(fd, buf, (size_t)n, 1000);
	CHECK(got == n && memcmp(buf, want, (size_t)n) == 0, what, "got '%s' want '%s'", vis(buf, got), vis(want, n));
}

/* Checks that one read on fd, once poll says it is readable, returns exactly want. */
static void expect_read(int fd, const char *want, const char *what)
{
	char buf[256];
	ssize_t n = (ssize_t)strlen(want), r = -1;
	if (can_read(fd, 1000) & POLLIN)
		r = read(fd, buf, sizeof buf);
	CHECK(r == n && memcmp(buf, want, (size_t)n) == 0, what, "read %zd '%s' want '%s'", r, vis(buf, r), vis(want, n));
}

static int open_master(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && (grantpt(m) != 0 || unlockpt(m) != 0)) {
		close(m);
		return -1;
	}
	return m;
}

static int open_slave(int m, int flags)
{
	char name[64];
	if (ptsname_r(m, name, sizeof name) != 0)
		return -1;
	return open(name, O_RDWR | flags);
}

/* Opens a master and its slave (O_NOCTTY); on failure the section is skipped. */
static int open_pair(int *m, int *s)
{
	*m = open_master();
	*s = *m >= 0 ? open_slave(*m, O_NOCTTY) : -1;
	if (CHECK(*m >= 0 && *s >= 0, "a pty pair opens", "m=%d s=%d", *m, *s))
		return 1;
	if (*m >= 0)
		close(*m);
	return 0;
}

static void set_lflag(int s, tcflag_t on, tcflag_t off)
{
	struct termios t;
	tcgetattr(s, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

/* The target of /proc/self/fd/<fd>. */
static const char *fd_link(int fd)
{
	static char target[128];
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t k = readlink(link, target, sizeof target - 1);
	target[k > 0 ? k : 0] = 0;
	return target;
}

/* 1. posix_openpt, grantpt, unlockpt, ptsname; the slave's node; ttyname; /proc/self/fd. */
static void basics(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	REQUIRE(m >= 0, "posix_openpt(O_RDWR|O_NOCTTY) opens a master", "errno %d", errno);
	CHECK(grantpt(m) == 0 && unlockpt(m) == 0, "grantpt and unlockpt", "errno %d", errno);
	char name[64] = "", want[64] = "";
	CHECK(ptsname_r(m, name, sizeof name) == 0 && strncmp(name, "/dev/pts/", 9) == 0, "ptsname is /dev/pts/N", "'%s'", name);
	say("info: slave %s\n", name);
	unsigned n = 99999;
	int r = ioctl(m, TIOCGPTN, &n);
	snprintf(want, sizeof want, "/dev/pts/%u", n);
	CHECK(r == 0 && strcmp(want, name) == 0, "TIOCGPTN gives the number in ptsname", "r=%d n=%u '%s'", r, n, name);
	int s = open(name, O_RDWR | O_NOCTTY);
	REQUIRE(s >= 0, "the unlocked slave opens", "errno %d", errno);

	/* a slave stays locked until unlockpt */
	int m2 = posix_openpt(O_RDWR | O_NOCTTY);
	char name2[64] = "";
	if (CHECK(m2 >= 0 && grantpt(m2) == 0 && ptsname_r(m2, name2, sizeof name2) == 0, "a second master", "errno %d", errno)) {
		CHECK_ERR(open(name2, O_RDWR | O_NOCTTY), EIO, "opening a slave before unlockpt is EIO");
		int s2 = unlockpt(m2) == 0 ? open(name2, O_RDWR | O_NOCTTY) : -1;
		CHECK(s2 >= 0, "after unlockpt the slave opens", "errno %d", errno);
		close(s2);
	}
	close(m2);

	struct stat st, fst, mst;
	CHECK(stat(name, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143,
	      "the slave is a character device with a major in 136..143", "mode 0%o rdev %u:%u", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	CHECK(fstat(s, &fst) == 0 && fst.st_rdev == st.st_rdev, "fstat of the open slave is the same device", "-");
	CHECK(fstat(m, &mst) == 0 && mst.st_rdev == makedev(5, 2), "fstat of the master is the ptmx device 5:2", "%u:%u", major(mst.st_rdev), minor(mst.st_rdev));
	CHECK(isatty(m) && isatty(s), "isatty on master and slave", "-");
	char tn[64] = "";
	CHECK(ttyname_r(s, tn, sizeof tn) == 0 && strcmp(tn, name) == 0, "ttyname of the slave is its ptsname", "'%s'", tn);
	CHECK_ERR(tcgetpgrp(s), ENOTTY, "tcgetpgrp on a tty that is not the caller's controlling tty is ENOTTY");

	CHECK(strcmp(fd_link(m), "/dev/ptmx") == 0, "/proc/self/fd of the master is /dev/ptmx", "'%s'", fd_link(m));
	CHECK(strcmp(fd_link(s), name) == 0, "/proc/self/fd of the slave is its /dev/pts path", "'%s'", fd_link(s));
	close(s);
	close(m);
}

/* 2. A new pty's termios is tty_std_termios: cooked mode with echo and signals. */
static void default_termios(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	struct termios t;
	if (!CHECK(tcgetattr(s, &t) == 0, "tcgetattr on the slave", "errno %d", errno))
		t.c_lflag = t.c_iflag = t.c_oflag = 0;
	CHECK((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG), "lflag has ICANON, ECHO, ISIG", "0%o", t.c_lflag);
	CHECK(t.c_iflag & ICRNL, "iflag has ICRNL", "0%o", t.c_iflag);
	CHECK((t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR), "oflag has OPOST, ONLCR", "0%o", t.c_oflag);
	CHECK(t.c_cc[VINTR] == 3 && t.c_cc[VQUIT] == 034 && t.c_cc[VSUSP] == 032, "VINTR ^C, VQUIT ^\\, VSUSP ^Z", "%d %d %d", t.c_cc[VINTR], t.c_cc[VQUIT], t.c_cc[VSUSP]);
	CHECK(t.c_cc[VEOF] == 4 && t.c_cc[VERASE] == 0177 && t.c_cc[VKILL] == 025, "VEOF ^D, VERASE DEL, VKILL ^U", "%d %d %d", t.c_cc[VEOF], t.c_cc[VERASE], t.c_cc[VKILL]);
	CHECK(t.c_cc[VMIN] == 1 && t.c_cc[VTIME] == 0, "VMIN 1, VTIME 0", "%d %d", t.c_cc[VMIN], t.c_cc[VTIME]);
	close(s);
	close(m);
}

/* 3. Output processing: ONLCR turns the slave's "\n" into "\r\n"; without OPOST bytes pass as they are. */
static void output_processing(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	CHECK(write(s, "a\nb", 3) == 3, "write to the slave", "errno %d", errno);
	expect_bytes(m, "a\r\nb", "the master reads a\\r\\nb (ONLCR)");
	struct termios t;
	tcgetattr(s, &t);
	t.c_oflag &= ~OPOST;
	tcsetattr(s, TCSANOW, &t);
	write(s, "a\nb", 3);
	expect_bytes(m, "a\nb", "without OPOST the master reads a\\nb");
	CHECK(!(can_read(m, 50) & POLLIN), "and nothing more", "-");
	close(s);
	close(m);
}

/* 4. Canonical input: lines, echo, ERASE, KILL, ICRNL and EOF. */
static void canonical(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	write(m, "hel", 3);
	CHECK(!(can_read(s, 100) & POLLIN), "a partial line does not make the slave readable", "-");
	write(m, "lo\n", 3);
	expect_read(s, "hello\n", "the slave reads the whole line once the newline came");
	expect_bytes(m, "hello\r\n", "the master reads the echo hello\\r\\n");

	write(m, "abc\177d\n", 6);
	expect_read(s, "abd\n", "ERASE (DEL) removes the last character");
	char buf[64];
	ssize_t n = read_for(m, buf, sizeof buf - 1, 100);
	buf[n > 0 ? n : 0] = 0;
	CHECK(strstr(buf, "\b \b") != NULL, "the erase is echoed as \\b \\b", "'%s'", vis(buf, n));

	write(m, "xyz\025ok\n", 7);
	expect_read(s, "ok\n", "KILL (^U) discards the line so far");
	drain(m);
	write(m, "x\r", 2);
	expect_read(s, "x\n", "ICRNL turns CR into NL");
	drain(m);
	write(m, "\004", 1);
	expect_read(s, "", "^D at the start of a line reads as end of file (0)");
	write(m, "ab\004", 3);
	expect_read(s, "ab", "ab^D returns ab without a newline");
	drain(m);
	close(s);
	close(m);
}

/* 5. Non-canonical input: VMIN/VTIME decide when read returns. */
static void noncanonical(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	struct termios t;
	tcgetattr(s, &t);
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t);
	write(m, "x", 1);
	expect_read(s, "x", "without ICANON a byte is readable at once");
	write(m, "y", 1);
	expect_read(s, "y", "and the next one alone");
	CHECK(!(can_read(m, 50) & POLLIN), "nothing is echoed without ECHO", "-");

	char c;
	t.c_cc[VMIN] = 0;
	tcsetattr(s, TCSANOW, &t);
	long long t0 = now_ms();
	CHECK(read(s, &c, 1) == 0, "VMIN 0 VTIME 0 with nothing: read returns 0", "errno %d", errno);
	CHECK(now_ms() - t0 < 100, "at once", "%lld ms", now_ms() - t0);
	t.c_cc[VTIME] = 2;
	tcsetattr(s, TCSANOW, &t);
	t0 = now_ms();
	alarm(10);
	CHECK(read(s, &c, 1) == 0, "VMIN 0 VTIME 2 with nothing: read returns 0", "errno %d", errno);
	CHECK(now_ms() - t0 >= 150, "after waiting about VTIME tenths of a second", "%lld ms", now_ms() - t0);
	alarm(60);

	/* cfmakeraw: no ICRNL, no signal characters, no echo */
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	write(m, "\r\003", 2);
	char buf[8];
	ssize_t n = read_for(s, buf, 2, 1000);
	CHECK(n == 2 && buf[0] == '\r' && buf[1] == 3, "after cfmakeraw CR and ^C arrive as they are", "'%s'", vis(buf, n));
	CHECK(!(can_read(m, 50) & POLLIN), "and are not echoed", "-");
	close(s);
	close(m);
}

/* 6. With ECHO off the master gets nothing back (password prompts). */
static void echo_off(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	set_lflag(s, 0, ECHO);
	write(m, "secret\n", 7);
	expect_read(s, "secret\n", "with ECHO off the slave still reads the line");
	CHECK(!(can_read(m, 100) & POLLIN), "and the master reads no echo", "-");
	close(s);
	close(m);
}

/* 7. The window size set on the master is seen on the slave. */
static void winsize(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	struct winsize w = {24, 80, 0, 0}, g = {0, 0, 0, 0};
	CHECK(ioctl(m, TIOCSWINSZ, &w) == 0, "TIOCSWINSZ on the master", "errno %d", errno);
	CHECK(ioctl(s, TIOCGWINSZ, &g) == 0 && g.ws_row == 24 && g.ws_col == 80, "TIOCGWINSZ on the slave gives 24x80", "%dx%d", g.ws_row, g.ws_col);
	close(s);
	close(m);
}

/* 8. The slave as a controlling terminal: run in a child that is a new session's leader. */
static volatile sig_atomic_t got_sig[NSIG];
static void record(int sig)
{
	got_sig[sig]++;
}

/* Forks a child in a process group of its own with default signal actions, makes that group
 * the foreground one of tty s, and returns its pid (-1 on failure). */
static pid_t foreground_child(int s)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		write(p[1], "r", 1);
		for (int i = 0; i < 500; i++)
			sleep_ms(10);
		_exit(0);
	}
	close(p[1]);
	setpgid(pid, pid);
	char c;
	int ok = (can_read(p[0], 5000) & POLLIN) && read(p[0], &c, 1) == 1 && tcsetpgrp(s, pid) == 0;
	close(p[0]);
	if (!ok) {
		kill(pid, SIGKILL);
		xwaitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Waits at most ms for pid to stop or end; returns its status, or -1. */
static int wait_stop(pid_t pid, long ms)
{
	int st;
	for (long long end = now_ms() + ms; now_ms() < end; sleep_ms(2))
		if (waitpid(pid, &st, WNOHANG | WUNTRACED) == pid)
			return st;
	return -1;
}

static int ctty_child(void *arg, long *v)
{
	(void)arg;
	alarm(20);
	setsid();
	errno = 0;
	int t = open("/dev/tty", O_RDWR);
	v[0] = t >= 0 ? 0 : errno;
	int m = open_master();
	int s = m >= 0 ? open_slave(m, 0) : -1;
	if (s < 0)
		return 1;
	t = open("/dev/tty", O_RDWR);
	char c = 0;
	v[1] = t >= 0 && write(t, "T", 1) == 1 && read_for(m, &c, 1, 1000) == 1 && c == 'T';
	close(t);
	v[2] = tcgetsid(s) == getsid(0);
	v[3] = tcgetpgrp(s) == getpgrp();
	v[4] = tcgetpgrp(m) == getpgrp();

	signal(SIGTTOU, SIG_IGN); /* so tcsetpgrp works from the background, as in a shell */
	int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGHUP};
	for (int i = 0; i < 4; i++)
		signal(sigs[i], record);

	static const char keys[] = {003, 032, 034}; /* ^C ^Z ^\ */
	for (int i = 0; i < 3; i++) {
		pid_t g = foreground_child(s);
		if (i == 0)
			v[11] = g > 0 && tcgetpgrp(s) == g && tcgetpgrp(m) == g;
		if (g <= 0)
			continue;
		write(m, &keys[i], 1);
		int st = wait_stop(g, 3000);
		v[5 + i] = st;
		if (st == -1 || WIFSTOPPED(st)) {
			kill(g, SIGCONT);
			kill(g, SIGKILL);
			st = wait_stop(g, 3000);
			if (i == 1)
				v[8] = st;
		}
	}

	int m2 = open_master();
	int s2 = m2 >= 0 ? open_slave(m2, O_NOCTTY) : -1;
	errno = 0;
	v[9] = s2 >= 0 && ioctl(s2, TIOCSCTTY, 0) == -1 ? errno : 0;
	v[10] = got_sig[SIGINT] + got_sig[SIGQUIT] + got_sig[SIGTSTP] + got_sig[SIGHUP];
	return 0;
}

static void controlling_tty(void)
{
	long v[MAX_VALS];
	int n = 0;
	int st = run_child(ctty_child, NULL, v, &n, 20000);
	if (!CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == MAX_VALS, "the session-leader child ran", "%s, %d values", wstatus_str(st), n))
		return;
	CHECK(v[0] == ENXIO, "without a controlling tty, open(/dev/tty) is ENXIO", "errno %ld", v[0]);
	CHECK(v[1] == 1, "opening the slave without O_NOCTTY makes it the controlling tty: /dev/tty writes reach the master", "-");
	CHECK(v[2] == 1, "tcgetsid(slave) is the session", "-");
	CHECK(v[3] == 1 && v[4] == 1, "tcgetpgrp on slave and master is the leader's group", "%ld %ld", v[3], v[4]);
	CHECK(v[11] == 1, "tcsetpgrp makes a child's group the foreground one", "-");
	CHECK(v[5] != -1 && WIFSIGNALED(v[5]) && WTERMSIG(v[5]) == SIGINT, "^C kills the foreground child with SIGINT", "%s", wstatus_str((int)v[5]));
	CHECK(v[6] != -1 && WIFSTOPPED(v[6]) && WSTOPSIG(v[6]) == SIGTSTP, "^Z stops the foreground child with SIGTSTP", "%s", wstatus_str((int)v[6]));
	CHECK(v[8] != -1 && WIFSIGNALED(v[8]) && WTERMSIG(v[8]) == SIGKILL, "the stopped child is continued and killed", "%s", wstatus_str((int)v[8]));
	CHECK(v[7] != -1 && WIFSIGNALED(v[7]) && WTERMSIG(v[7]) == SIGQUIT, "^\\ kills the foreground child with SIGQUIT", "%s", wstatus_str((int)v[7]));
	CHECK(v[9] == EPERM, "TIOCSCTTY by a leader that has a controlling tty is EPERM", "errno %ld", v[9]);
	CHECK(v[10] == 0, "the background session leader got none of the tty signals", "%ld", v[10]);
}

/* 9. Hang-up: the master sees EIO and POLLHUP once every slave fd is closed; closing the
 * master hangs up the slave: read 0, write EIO, SIGHUP to the session leader. */
static void hangup(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	close(s);
	CHECK(can_read(m, 1000) & POLLHUP, "with the slave closed, poll on the master reports POLLHUP", "-");
	char c;
	CHECK_ERR(read(m, &c, 1), EIO, "and read on the master is EIO");
	close(m);

	m = open_master();
	char name[64] = "";
	int ready[2], res[2];
	if (!CHECK(m >= 0 && ptsname_r(m, name, sizeof name) == 0 && pipe(ready) == 0 && pipe(res) == 0, "a master for the hang-up", "errno %d", errno))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		long v[5] = {0, 0, -9, 0, 0};
		alarm(10);
		close(m);
		setsid();
		signal(SIGHUP, record);
		int fd = open(name, O_RDWR);
		v[0] = fd >= 0 && tcgetsid(fd) == getpid();
		write(ready[1], "r", 1);
		for (int i = 0; i < 1500 && !got_sig[SIGHUP]; i++)
			sleep_ms(2);
		v[1] = got_sig[SIGHUP];
		v[2] = read(fd, &c, 1);
		errno = 0;
		v[3] = write(fd, "x", 1) == -1 ? errno : 0;
		errno = 0;
		v[4] = open("/dev/tty", O_RDWR) == -1 ? errno : 0;
		write_all(res[1], v, sizeof v);
		_exit(0);
	}
	close(ready[1]);
	close(res[1]);
	CHECK((can_read(ready[0], 5000) & POLLIN) && read(ready[0], &c, 1) == 1, "the child opened the slave", "-");
	close(m);
	long v[5] = {0, 0, -9, 0, 0};
	ssize_t n = (can_read(res[0], 5000) & POLLIN) ? read_all(res[0], v, sizeof v) : -1;
	int st;
	wait_timeout(pid, &st, 5000);
	CHECK(n == sizeof v && v[0] == 1, "the child's slave is its controlling tty", "n=%zd %ld", n, v[0]);
	CHECK(v[1] >= 1, "closing the master sends SIGHUP to the session leader", "%ld", v[1]);
	CHECK(v[2] == 0, "a read on the hung-up slave returns 0", "%ld", v[2]);
	CHECK(v[3] == EIO, "a write to the hung-up slave is EIO", "errno %ld", v[3]);
	CHECK(v[4] == ENXIO, "after the hang-up the session has no controlling tty (/dev/tty is ENXIO)", "errno %ld", v[4]);
	close(ready[0]);
	close(res[0]);
}

/* 10. TIOCGPTPEER opens the slave from the master fd (Linux 4.13). */
static void ptpeer(void)
{
	int m = open_master();
	if (!CHECK(m >= 0, "a master for TIOCGPTPEER", "errno %d", errno))
		return;
	int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (p < 0 && (errno == EINVAL || errno == ENOTTY)) {
		say("info: TIOCGPTPEER not supported here (errno %d), skipped\n", errno);
		close(m);
		return;
	}
	CHECK(p >= 0 && isatty(p), "TIOCGPTPEER returns a tty fd", "errno %d", errno);
	char name[64] = "";
	struct stat st, pst;
	CHECK(ptsname_r(m, name, sizeof name) == 0 && stat(name, &st) == 0 && fstat(p, &pst) == 0 && st.st_rdev == pst.st_rdev,
	      "it is the master's slave", "-");
	CHECK(write(p, "peer", 4) == 4, "write to the peer fd", "errno %d", errno);
	expect_bytes(m, "peer", "the master reads it");
	close(p);
	close(m);
}

/* 11. FIONREAD counts a complete line waiting on the slave; tcflush(TCIFLUSH) discards it. */
static void fionread_flush(void)
{
	int m, s;
	if (!open_pair(&m, &s))
		return;
	set_lflag(s, 0, ECHO);
	write(m, "line\n", 5);
	int n = -1;
	CHECK((can_read(s, 1000) & POLLIN) && ioctl(s, FIONREAD, &n) == 0 && n == 5, "FIONREAD on the slave counts the line", "%d", n);
	CHECK(tcflush(s, TCIFLUSH) == 0, "tcflush(TCIFLUSH)", "errno %d", errno);
	n = -1;
	CHECK(!(can_read(s, 100) & POLLIN) && ioctl(s, FIONREAD, &n) == 0 && n == 0, "discards the waiting input", "%d", n);
	write(s, "abc", 3);
	n = -1;
	CHECK((can_read(m, 1000) & POLLIN) && ioctl(m, FIONREAD, &n) == 0 && n == 3, "FIONREAD on the master counts the slave's output", "%d", n);
	close(s);
	close(m);
}

/* 12. A background process group that reads its controlling terminal is stopped by SIGTTIN
 * and reads once continued in the foreground; with SIGTTIN ignored the read is EIO. Run in a
 * session leader child that makes the slave its controlling terminal. */
static void background_read(void)
{
	int m = open_master();
	if (!CHECK(m >= 0, "a master for the background test", "errno %d", errno))
		return;
	char name[64];
	ptsname_r(m, name, sizeof name);
	pid_t leader = fork();
	if (leader == 0) {
		setsid();
		int s = open(name, O_RDWR);
		pid_t bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			char b[16];
			ssize_t n = read(s, b, sizeof b);
			_exit(n > 0 ? 10 + (int)n : 3);
		}
		setpgid(bg, bg);
		int st;
		waitpid(bg, &st, WUNTRACED);
		int stopped = WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN;
		tcsetpgrp(s, bg);
		kill(bg, SIGCONT);
		write(m, "hi\n", 3);
		waitpid(bg, &st, 0);
		int readok = WIFEXITED(st) && WEXITSTATUS(st) == 13;
		tcsetpgrp(s, getpgrp());
		pid_t bg2 = fork();
		if (bg2 == 0) {
			setpgid(0, 0);
			signal(SIGTTIN, SIG_IGN);
			char b[4];
			ssize_t n = read(s, b, sizeof b);
			_exit(n < 0 && errno == EIO ? 0 : 1);
		}
		setpgid(bg2, bg2);
		waitpid(bg2, &st, 0);
		int eio = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		_exit((stopped ? 0 : 1) | (readok ? 0 : 2) | (eio ? 0 : 4));
	}
	int st;
	pid_t w = wait_timeout(leader, &st, 20000);
	int code = w == leader && WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	CHECK(code != 255 && (code & 1) == 0, "a background read of the controlling terminal stops the group with SIGTTIN", "code %d", code);
	CHECK(code != 255 && (code & 2) == 0, "continued in the foreground, the read gets the line", "code %d", code);
	CHECK(code != 255 && (code & 4) == 0, "with SIGTTIN ignored, a background read is EIO", "code %d", code);
	close(m);
}

int main(void)
{
	alarm(60);
	basics();
	default_termios();
	output_processing();
	canonical();
	noncanonical();
	echo_off();
	winsize();
	controlling_tty();
	hangup();
	ptpeer();
	fionread_flush();
	background_read();
	reap_zombies();
	return check_done();
}
