/* AF_UNIX stream socket pairs as Linux makes them: data both ways with read/write, send/recv
 * (MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_NOSIGNAL) and sendmsg/recvmsg over several
 * iovecs; a send bigger than the buffer completes while the other process reads; shutdown
 * of either direction; the peer's close (end of file, EPIPE and SIGPIPE); poll readiness;
 * fstat, socket options and names; open files passed with SCM_RIGHTS (to this process and
 * to a child, a receive stopping before the byte that carries files, MSG_CTRUNC, files
 * dropped by a plain read); and the errors (ENOTSOCK, EISCONN, EOPNOTSUPP for internet
 * pairs). Blocking calls are bounded by alarm(). */
#include "check.h"
#include "proc.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

/* Sends data with the fds (n of them) as SCM_RIGHTS. */
static ssize_t send_fds(int sock, const char *data, const int *fds, int n)
{
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	memset(ctl, 0, sizeof ctl);
	struct iovec io = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0);
}

/* Receives into buf (size len) and up to room fds into fds; returns the byte count, with the
 * number of fds in *nfds and the message flags in *flags. */
static ssize_t recv_fds(int sock, char *buf, size_t len, int *fds, int room, int *nfds, int *flags)
{
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct iovec io = { buf, len };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_LEN(room * sizeof(int)) };
	ssize_t r = recvmsg(sock, &m, 0);
	*nfds = 0;
	*flags = m.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); r >= 0 && c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *nfds, CMSG_DATA(c), n * sizeof(int));
			*nfds += n;
		}
	}
	return r;
}

static void pass_fds(void)
{
	int sv[2], p[2], fds[4], n, flags;
	char buf[16];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0, "socketpair and pipe", "-");
	CHECK(send_fds(sv[0], "x", &p[1], 1) == 1, "sendmsg with SCM_RIGHTS", "-");
	ssize_t r = recv_fds(sv[1], buf, sizeof buf, fds, 1, &n, &flags);
	CHECK(r == 1 && n == 1 && fds[0] != p[1] && flags == 0, "recvmsg gets the data and a new fd", "r %zd n %d flags %#x", r, n, flags);
	if (n == 1) {
		CHECK(write(fds[0], "via", 3) == 3 && read(p[0], buf, 3) == 3 && memcmp(buf, "via", 3) == 0, "the new fd is the same pipe", "-");
		close(fds[0]);
	}

	/* to a child: the read end goes over, the parent writes */
	pid_t pid = fork();
	if (pid == 0) {
		char b[8];
		int got[1], k, fl;
		if (recv_fds(sv[1], b, sizeof b, got, 1, &k, &fl) != 1 || k != 1)
			_exit(2);
		ssize_t m = read(got[0], b, sizeof b);
		_exit(m == 5 && memcmp(b, "child", 5) == 0 ? 0 : 3);
	}
	send_fds(sv[0], "r", &p[0], 1);
	write(p[1], "child", 5);
	int ws;
	CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "a child reads through a read end it was passed", "%s", wstatus_str(ws));

	/* a receive ends with the message that carries files */
	send(sv[0], "12", 2, 0);
	send_fds(sv[0], "34", &p[1], 1);
	send(sv[0], "56", 2, 0);
	r = recv_fds(sv[1], buf, sizeof buf, fds, 1, &n, &flags);
	CHECK(r == 4 && n == 1 && memcmp(buf, "1234", 4) == 0, "a receive reads up to the end of the message with files", "r %zd n %d", r, n);
	if (n == 1)
		close(fds[0]);
	r = recv_fds(sv[1], buf, sizeof buf, fds, 1, &n, &flags);
	CHECK(r == 2 && n == 0 && memcmp(buf, "56", 2) == 0, "and the next one gets the rest", "r %zd n %d", r, n);
	send_fds(sv[0], "78", &p[1], 1);
	r = recv_fds(sv[1], buf, 1, fds, 1, &n, &flags);
	CHECK(r == 1 && n == 1, "a short receive that reaches the files takes them", "r %zd n %d", r, n);
	if (n == 1)
		close(fds[0]);
	r = recv_fds(sv[1], buf, sizeof buf, fds, 1, &n, &flags);
	CHECK(r == 1 && n == 0 && buf[0] == '8', "and the rest of that message comes without them", "r %zd n %d", r, n);

	/* MSG_CTRUNC */
	int two[2] = { p[0], p[1] };
	send_fds(sv[0], "t", two, 2);
	r = recv_fds(sv[1], buf, sizeof buf, fds, 1, &n, &flags);
	CHECK(r == 1 && n == 1 && (flags & MSG_CTRUNC) != 0, "room for one fd of two: MSG_CTRUNC", "n %d flags %#x", n, flags);
	if (n == 1)
		close(fds[0]);

	/* a plain read drops the files: the pipe's last writer goes with them */
	int q[2];
	REQUIRE(pipe(q) == 0, "pipe", "-");
	send_fds(sv[0], "d", &q[1], 1);
	close(q[1]);
	CHECK(read(sv[1], buf, sizeof buf) == 1, "read of a message with files", "-");
	fcntl(q[0], F_SETFL, O_NONBLOCK);
	CHECK(read(q[0], buf, 1) == 0, "the files it carried are closed (the pipe has no writer left)", "errno %d", errno);
	close(q[0]);

	/* errors */
	int bad = 9999;
	CHECK_ERR(send_fds(sv[0], "e", &bad, 1), EBADF, "SCM_RIGHTS with a bad fd");
	char ctl[64];
	memset(ctl, 0, sizeof ctl);
	struct iovec io = { "e", 1 };
	struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *c = (struct cmsghdr *)ctl;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = (size_t)1 << 40;
	CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL, "a control message longer than the control buffer");
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_type = 77;
	CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL, "an unknown SOL_SOCKET control message");
	m.msg_controllen = (size_t)-1;
	CHECK_ERR(sendmsg(sv[0], &m, 0), ENOBUFS, "a control length over INT_MAX");

	/* bad pointers are EFAULT, never worse */
	static volatile uintptr_t bad_addr = 16; /* not a constant: the compiler would warn */
	void *bad_ptr = (void *)bad_addr;
	CHECK_ERR(sendmsg(sv[0], bad_ptr, 0), EFAULT, "sendmsg with a bad msghdr");
	CHECK_ERR(recvmsg(sv[1], bad_ptr, MSG_DONTWAIT), EFAULT, "recvmsg with a bad msghdr");
	struct msghdr bm = { .msg_iov = bad_ptr, .msg_iovlen = 1 };
	CHECK_ERR(sendmsg(sv[0], &bm, 0), EFAULT, "sendmsg with a bad iovec array");
	struct iovec biov = { bad_ptr, 10 };
	struct msghdr bm2 = { .msg_iov = &biov, .msg_iovlen = 1 };
	CHECK_ERR(sendmsg(sv[0], &bm2, 0), EFAULT, "sendmsg from a bad buffer");
	send(sv[0], "z", 1, 0);
	CHECK_ERR(recvmsg(sv[1], &bm2, 0), EFAULT, "recvmsg into a bad buffer");
	recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
	bm.msg_iovlen = 5000;
	bm.msg_iov = &biov;
	CHECK_ERR(sendmsg(sv[0], &bm, 0), EMSGSIZE, "sendmsg with more than IOV_MAX iovecs");
	socklen_t blen = 4;
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, bad_ptr, &blen), EFAULT, "getsockopt into a bad buffer");
	blen = sizeof(struct sockaddr_un);
	CHECK_ERR(getsockname(sv[0], bad_ptr, &blen), EFAULT, "getsockname into a bad buffer");
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, bad_ptr), EFAULT, "socketpair into a bad array");
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static volatile int sigpipes;
static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void on_alarm_restart(int sig) { (void)sig; }

/* A blocked write interrupted by a handler (SA_RESTART) after part of it went returns that
 * part: the reader then gets exactly those bytes, in order, nothing twice. fds: a writer
 * end and its reader end, given as w and r. */
static void partial_write(int w, int r, const char *what)
{
	static unsigned char out[1 << 20], in[1 << 20];
	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (unsigned char)(i * 7 + i / 4096);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm_restart;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, &old);
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	ssize_t n = write(w, out, sizeof out);
	sigaction(SIGALRM, &old, NULL);
	char buf[160];
	snprintf(buf, sizeof buf, "%s: a write interrupted after part of it went returns that part", what);
	CHECK(n > 0 && n < (ssize_t)sizeof out, buf, "returned %zd", n);
	close(w);
	size_t got = 0;
	ssize_t k;
	while (got < sizeof in && (k = read(r, in + got, sizeof in - got)) > 0)
		got += (size_t)k;
	snprintf(buf, sizeof buf, "%s: the reader gets exactly those bytes, in order", what);
	CHECK((ssize_t)got == n && memcmp(in, out, got) == 0, buf, "wrote %zd, read %zu", n, got);
	close(r);
}

int main(void)
{
	alarm(30);
	signal(SIGPIPE, on_pipe);
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_STREAM)", "failed");
	char buf[256];
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[1], buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0, "one way", "-");
	CHECK(write(sv[1], "pong", 4) == 4 && read(sv[0], buf, sizeof buf) == 4 && memcmp(buf, "pong", 4) == 0, "and back", "-");
	struct stat st;
	CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat says a socket", "mode %o", st.st_mode);

	int pw[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, pw) == 0, "a second pair", "failed");
	partial_write(pw[0], pw[1], "socketpair");
	REQUIRE(pipe(pw) == 0, "pipe", "failed");
	partial_write(pw[1], pw[0], "pipe");
	alarm(30);

	/* flags */
	CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT with nothing to read");
	send(sv[0], "abcdef", 6, 0);
	CHECK(recv(sv[1], buf, 3, MSG_PEEK) == 3 && memcmp(buf, "abc", 3) == 0, "MSG_PEEK reads", "-");
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 6 && memcmp(buf, "abcdef", 6) == 0, "and leaves the data queued", "-");
	CHECK_ERR(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX, .sun_path = "/x" }, sizeof(struct sockaddr_un)),
		  EISCONN, "sendto with an address on a connected stream");

	/* sendmsg/recvmsg with several iovecs */
	struct iovec out[3] = { { "he", 2 }, { "ll", 2 }, { "o!", 2 } };
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };
	CHECK(sendmsg(sv[0], &m, 0) == 6, "sendmsg gathers three iovecs", "-");
	char p1[4] = { 0 }, p2[8] = { 0 };
	struct iovec in[2] = { { p1, 4 }, { p2, 8 } };
	struct msghdr r = { .msg_iov = in, .msg_iovlen = 2, .msg_flags = 123 };
	ssize_t n = recvmsg(sv[1], &r, 0);
	CHECK(n == 6 && memcmp(p1, "hell", 4) == 0 && memcmp(p2, "o!", 2) == 0 && r.msg_flags == 0, "recvmsg scatters them",
	      "n %zd '%.4s' '%.2s' flags %d", n, p1, p2, r.msg_flags);

	/* options and names */
	int v = 0;
	socklen_t len = sizeof v;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM && len == sizeof v, "SO_TYPE", "%d", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_UNIX, "SO_DOMAIN", "%d", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0, "SO_ERROR", "%d", v);
	struct ucred cred;
	len = sizeof cred;
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == getpid() && cred.uid == getuid(),
	      "SO_PEERCRED names the creator", "pid %d", cred.pid);
	CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT, "an unknown option");
	struct sockaddr_un sa;
	len = sizeof sa;
	CHECK(getsockname(sv[0], (struct sockaddr *)&sa, &len) == 0 && len == 2 && sa.sun_family == AF_UNIX, "getsockname: unnamed", "len %u", len);
	len = sizeof sa;
	CHECK(getpeername(sv[0], (struct sockaddr *)&sa, &len) == 0 && len == 2, "getpeername: unnamed", "len %u", len);

	/* a send bigger than the buffer, read by another process */
	static char big[300000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	pid_t pid = fork();
	if (pid == 0) {
		static char got[300000];
		size_t have = 0;
		while (have < sizeof got) {
			ssize_t k = read(sv[1], got + have, sizeof got - have);
			if (k <= 0)
				_exit(2);
			have += (size_t)k;
		}
		_exit(memcmp(got, big, sizeof big) == 0 ? 0 : 3);
	}
	CHECK(send(sv[0], big, sizeof big, 0) == (ssize_t)sizeof big, "a 300 KB send completes", "-");
	int ws;
	CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "and the other process read it all", "%s", wstatus_str(ws));

	/* MSG_WAITALL waits for the whole count */
	pid = fork();
	if (pid == 0) {
		write(sv[1], "12", 2);
		usleep(50000);
		write(sv[1], "34", 2);
		_exit(0);
	}
	n = recv(sv[0], buf, 4, MSG_WAITALL);
	CHECK(n == 4 && memcmp(buf, "1234", 4) == 0, "MSG_WAITALL waits for all four bytes", "n %zd", n);
	waitpid(pid, &ws, 0);

	/* shutdown */
	CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown(SHUT_WR)", "-");
	CHECK(read(sv[1], buf, sizeof buf) == 0, "the peer reads end of file", "-");
	CHECK(write(sv[1], "back", 4) == 4 && read(sv[0], buf, sizeof buf) == 4, "the other direction still works", "-");
	sigpipes = 0;
	CHECK_ERR(write(sv[0], "x", 1), EPIPE, "writing after SHUT_WR");
	CHECK(sigpipes == 1, "raises SIGPIPE", "%d", sigpipes);
	CHECK_ERR(shutdown(sv[0], 7), EINVAL, "shutdown with a bad how");
	close(sv[0]);
	close(sv[1]);

	/* the peer's close, and poll */
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair with SOCK_NONBLOCK", "failed");
	CHECK_ERR(read(sv[1], buf, 1), EAGAIN, "SOCK_NONBLOCK: read with nothing there");
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC, "SOCK_CLOEXEC", "-");
	struct pollfd pf = { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT, "poll: writable, nothing to read", "revents %#x", pf.revents);
	write(sv[0], "z", 1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT), "poll: readable", "revents %#x", pf.revents);
	read(sv[1], buf, 1);
	close(sv[0]);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP), "poll after the peer's close", "revents %#x", pf.revents);
	CHECK(read(sv[1], buf, 1) == 0, "read after the peer's close: end of file", "-");
	sigpipes = 0;
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "send after the peer's close with MSG_NOSIGNAL");
	CHECK(sigpipes == 0, "raises no SIGPIPE", "%d", sigpipes);
	close(sv[1]);

	pass_fds();

	/* errors */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK, "send on a pipe");
	CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK, "getsockopt on a pipe");
	CHECK_ERR(shutdown(12345, SHUT_RD), EBADF, "shutdown of a bad fd");
	CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP, "an internet socket pair");
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 77, sv), EPROTONOSUPPORT, "an unknown protocol");
	return check_done();
}
