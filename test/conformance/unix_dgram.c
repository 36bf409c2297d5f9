/*
 * unix_dgram: AF_UNIX datagram and seqpacket sockets (Linux net/unix/af_unix.c).
 *
 * Datagrams: a socketpair and named sockets (paths and abstract names); each receive takes
 * one message, cut to the buffer (MSG_TRUNC in msg_flags, or the whole length with the
 * MSG_TRUNC flag), MSG_PEEK leaves it; empty messages; the sender's name (none when it is
 * unbound); sendto a name or send to the connected socket; connect(AF_UNSPEC) disconnects;
 * the errors: ENOTCONN, ENOENT, ECONNREFUSED (not a socket, nothing bound, the peer gone),
 * EPERM (the receiver is connected to another socket), EPROTOTYPE (a stream's name),
 * EMSGSIZE (past SO_SNDBUF), EPIPE (shut down), EOPNOTSUPP (listen, accept); a full send
 * buffer is EAGAIN and not writable for poll; a blocked receive wakes when another process
 * sends; files pass with SCM_RIGHTS.
 * Neither kind raises SIGPIPE (EPIPE only); readv and writev move one message; a read of
 * nothing takes no message; abstract names are per socket type; connecting to a socket
 * connected elsewhere is EPERM; a seqpacket receive names the sender; SO_ERROR tells a
 * reset once; a send blocked on a full buffer ends with EPIPE when the socket shuts down.
 * Seqpackets: boundaries kept both ways through a pair and through listen/connect/accept,
 * the rest of a long message is lost, end of file once the peer is gone (after what it
 * sent), EPIPE then, poll's hang-up bits, a stream cannot connect to a seqpacket listener.
 */
#include "check.h"
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

static struct sockaddr_un path_addr(const char *p, socklen_t *len)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	strcpy(a.sun_path, p);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1);
	return a;
}

/* A socketpair of the given type, whose SO_TYPE says so. */
static void typed_pair(int type, const char *name, int sv[2])
{
	char what[96];
	snprintf(what, sizeof what, "socketpair(AF_UNIX, %s)", name);
	REQUIRE(socketpair(AF_UNIX, type, 0, sv) == 0, what, "failed");
	int got = 0;
	socklen_t tl = sizeof got;
	snprintf(what, sizeof what, "SO_TYPE is %s", name);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &got, &tl) == 0 && got == type, what, "type %d", got);
}

static void pair_messages(void)
{
	int sv[2];
	char buf[64];
	typed_pair(SOCK_DGRAM, "SOCK_DGRAM", sv);
	CHECK(send(sv[0], "hello", 5, 0) == 5 && send(sv[0], "wor", 3, 0) == 3, "two datagrams are sent", "failed");
	CHECK(recv(sv[1], buf, sizeof buf, MSG_PEEK) == 5, "MSG_PEEK reads the first datagram", "%s", "no");
	CHECK(recv(sv[1], buf, 2, 0) == 2 && memcmp(buf, "he", 2) == 0, "a short receive gets the start of one datagram", "%s", "no");
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 3 && memcmp(buf, "wor", 3) == 0,
	      "the rest of a cut datagram is lost: the next receive gets the next one", "%s", "no");
	CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "an empty queue is EAGAIN with MSG_DONTWAIT");

	send(sv[0], "abcdef", 6, 0);
	CHECK(recv(sv[1], buf, 2, MSG_TRUNC) == 6, "MSG_TRUNC returns the datagram's whole length", "%s", "no");
	struct iovec io = {buf, 3};
	struct msghdr m;
	memset(&m, 0, sizeof m);
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	send(sv[0], "abcdef", 6, 0);
	CHECK(recvmsg(sv[1], &m, 0) == 3 && (m.msg_flags & MSG_TRUNC), "recvmsg of a cut datagram sets MSG_TRUNC",
	      "flags %#x", m.msg_flags);
	CHECK(send(sv[0], "", 0, 0) == 0 && recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) == 0,
	      "an empty datagram is received as 0 bytes", "%s", "no");

	/* Files ride with their datagram. */
	int fds[2];
	REQUIRE(pipe(fds) == 0, "pipe", "failed");
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	memset(&m, 0, sizeof m);
	io = (struct iovec){"f", 1};
	m.msg_iov = &io;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof cbuf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fds[1], sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == 1, "a datagram carrying a pipe's write end is sent", "%s", "no");
	close(fds[1]);
	memset(cbuf, 0, sizeof cbuf);
	io = (struct iovec){buf, sizeof buf};
	m.msg_controllen = sizeof cbuf;
	int got = -1;
	if (CHECK(recvmsg(sv[1], &m, 0) == 1 && (c = CMSG_FIRSTHDR(&m)) != NULL && c->cmsg_type == SCM_RIGHTS,
		  "the datagram arrives with SCM_RIGHTS", "%s", "no")) {
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		CHECK(write(got, "p", 1) == 1 && read(fds[0], buf, 1) == 1 && buf[0] == 'p',
		      "the passed fd writes into the pipe", "%s", "no");
		close(got);
	}
	close(fds[0]);

	/* A full send buffer: EAGAIN, and poll says not writable. */
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	int n = 0;
	while (send(sv[0], "x", 1, 0) == 1 && n < 100000)
		n++;
	CHECK(errno == EAGAIN && n > 10, "sends fill the buffer, then EAGAIN", "after %d sends, errno %d", n, errno);
	struct pollfd pf = {sv[0], POLLOUT, 0};
	CHECK(poll(&pf, 1, 0) == 0, "a full sender does not poll writable", "revents %#x", pf.revents);
	for (int i = 0; i < n; i++)
		recv(sv[1], buf, sizeof buf, 0);
	pf.revents = 0;
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT), "once received, the sender polls writable again",
	      "revents %#x", pf.revents);
	fcntl(sv[0], F_SETFL, 0);
	static char big[212961];
	CHECK_ERR(send(sv[0], big, sizeof big, 0), EMSGSIZE, "a datagram past SO_SNDBUF - 32 is EMSGSIZE");
	CHECK(send(sv[0], big, sizeof big - 1, 0) == (ssize_t)sizeof big - 1 && recv(sv[1], big, sizeof big, 0) == (ssize_t)sizeof big - 1,
	      "a datagram of SO_SNDBUF - 32 bytes goes whole", "%s", "no");

	/* A blocked receive wakes when another process sends. */
	pid_t k = fork();
	if (k == 0) {
		usleep(50000);
		_exit(send(sv[0], "late", 4, 0) == 4 ? 0 : 1);
	}
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 4 && memcmp(buf, "late", 4) == 0,
	      "a blocked receive gets a datagram another process sends", "%s", "no");
	waitpid(k, NULL, 0);

	/* The peer gone: what it sent is still there, with no end of file after it; a send is
	 * ECONNREFUSED and disconnects, which loses what is queued; the next send is ENOTCONN. */
	send(sv[1], "q", 1, 0);
	send(sv[1], "r", 1, 0);
	close(sv[1]);
	CHECK(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT) == 1, "a datagram queued before the peer closed is read", "%s", "no");
	CHECK_ERR(send(sv[0], "x", 1, 0), ECONNREFUSED, "a send to a closed peer is ECONNREFUSED");
	CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "the disconnect lost the datagram still queued");
	CHECK_ERR(send(sv[0], "x", 1, 0), ENOTCONN, "the socket is no longer connected: ENOTCONN");
	close(sv[0]);
}

static void named(void)
{
	socklen_t la, lb, ln;
	struct sockaddr_un sa = path_addr("/tmp/wvisor-dgram-a", &la), sb = path_addr("/tmp/wvisor-dgram-b", &lb);
	struct sockaddr_un none = path_addr("/tmp/wvisor-dgram-none", &ln);
	unlink(sa.sun_path);
	unlink(sb.sun_path);
	unlink(none.sun_path);
	int a = socket(AF_UNIX, SOCK_DGRAM, 0), b = socket(AF_UNIX, SOCK_DGRAM, 0), c = socket(AF_UNIX, SOCK_DGRAM, 0);
	char buf[64];
	CHECK_ERR(send(a, "x", 1, 0), ENOTCONN, "send on an unconnected datagram socket is ENOTCONN");
	CHECK(bind(a, (struct sockaddr *)&sa, la) == 0, "bind a datagram socket to a path", "%s", "no");
	CHECK_ERR(bind(c, (struct sockaddr *)&sa, la), EADDRINUSE, "binding a used path is EADDRINUSE");
	CHECK(sendto(b, "hi", 2, 0, (struct sockaddr *)&sa, la) == 2, "sendto a path from an unbound socket", "%s", "no");
	struct sockaddr_un from;
	socklen_t fl = sizeof from;
	memset(&from, 0xff, sizeof from);
	CHECK(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 2 && fl == 0,
	      "an unbound sender has no name (address length 0)", "fromlen %d", (int)fl);
	CHECK(bind(b, (struct sockaddr *)&sb, lb) == 0, "bind the sender", "%s", "no");
	sendto(b, "hi", 2, 0, (struct sockaddr *)&sa, la);
	fl = sizeof from;
	CHECK(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 2 && fl == lb &&
		      strcmp(from.sun_path, sb.sun_path) == 0,
	      "recvfrom tells a bound sender's path", "fromlen %d", (int)fl);
	CHECK_ERR(sendto(b, "x", 1, 0, (struct sockaddr *)&none, ln), ENOENT, "sendto a path that does not exist is ENOENT");
	socklen_t lp;
	struct sockaddr_un passwd = path_addr("/etc/passwd", &lp);
	CHECK_ERR(sendto(b, "x", 1, 0, (struct sockaddr *)&passwd, lp), ECONNREFUSED, "sendto a file that is no socket is ECONNREFUSED");

	CHECK(connect(a, (struct sockaddr *)&sb, lb) == 0, "connect a datagram socket", "%s", "no");
	CHECK_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&sa, la), EPERM, "a socket connected to another refuses others: EPERM");
	CHECK(send(a, "yo", 2, 0) == 2, "send goes to the connected socket", "%s", "no");
	fl = sizeof from;
	CHECK(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) == 2 && strcmp(from.sun_path, sa.sun_path) == 0,
	      "the connected socket receives it, from a's path", "%s", "no");
	fl = sizeof from;
	CHECK(getpeername(a, (struct sockaddr *)&from, &fl) == 0 && strcmp(from.sun_path, sb.sun_path) == 0,
	      "getpeername tells the connected socket's path", "%s", "no");
	struct sockaddr unspec = {AF_UNSPEC, {0}};
	CHECK(connect(a, &unspec, sizeof unspec) == 0, "connect(AF_UNSPEC) disconnects", "%s", "no");
	fl = sizeof from;
	CHECK_ERR(getpeername(a, (struct sockaddr *)&from, &fl), ENOTCONN, "getpeername is then ENOTCONN");

	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t ls;
	struct sockaddr_un ss = path_addr("/tmp/wvisor-dgram-stream", &ls);
	unlink(ss.sun_path);
	bind(st, (struct sockaddr *)&ss, ls);
	listen(st, 1);
	CHECK_ERR(connect(c, (struct sockaddr *)&ss, ls), EPROTOTYPE, "a datagram socket cannot connect to a stream's name");
	CHECK_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&ss, ls), EPROTOTYPE, "nor send to it");
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(s2, (struct sockaddr *)&sa, la), EPROTOTYPE, "a stream cannot connect to a datagram socket's name");
	CHECK_ERR(listen(a, 1), EOPNOTSUPP, "listen on a datagram socket is EOPNOTSUPP");
	CHECK_ERR(accept(a, NULL, NULL), EOPNOTSUPP, "accept on a datagram socket is EOPNOTSUPP");

	CHECK(shutdown(b, SHUT_WR) == 0, "shutdown(SHUT_WR)", "%s", "no");
	CHECK_ERR(sendto(b, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&sa, la), EPIPE, "a send after SHUT_WR is EPIPE");
	CHECK(shutdown(a, SHUT_RD) == 0, "shutdown(SHUT_RD)", "%s", "no");
	CHECK_ERR(sendto(c, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&sa, la), EPIPE, "a send to a socket that stopped reading is EPIPE");
	close(b);
	CHECK_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&sb, lb), ECONNREFUSED,
	          "a send to the path of a closed socket is ECONNREFUSED");

	/* Abstract names. */
	struct sockaddr_un ab;
	memset(&ab, 0, sizeof ab);
	ab.sun_family = AF_UNIX;
	memcpy(ab.sun_path, "\0wvisor-dgram", 13);
	socklen_t labs = offsetof(struct sockaddr_un, sun_path) + 13;
	int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK(bind(d, (struct sockaddr *)&ab, labs) == 0, "bind a datagram socket to an abstract name", "%s", "no");
	CHECK(sendto(c, "abs", 3, 0, (struct sockaddr *)&ab, labs) == 3 && recv(d, buf, sizeof buf, 0) == 3,
	      "a datagram goes to an abstract name", "%s", "no");
	close(a);
	close(c);
	close(d);
	close(st);
	close(s2);
	unlink(sa.sun_path);
	unlink(sb.sun_path);
	unlink(ss.sun_path);
}

static void seqpackets(void)
{
	int sv[2];
	char buf[64];
	typed_pair(SOCK_SEQPACKET, "SOCK_SEQPACKET", sv);
	send(sv[0], "hello", 5, 0);
	send(sv[0], "world", 5, 0);
	CHECK(recv(sv[1], buf, 3, 0) == 3, "a short read of a seqpacket gets 3 bytes", "%s", "no");
	CHECK(read(sv[1], buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0, "the next read gets the next message", "%s", "no");
	send(sv[0], "last", 4, 0);
	close(sv[0]);
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 4, "a message sent before the peer closed is read", "%s", "no");
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 0, "then end of file", "%s", "no");
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "a send to a closed peer is EPIPE");
	struct pollfd pf = {sv[1], POLLIN | POLLOUT | POLLRDHUP, 0};
	poll(&pf, 1, 0);
	CHECK((pf.revents & (POLLIN | POLLHUP | POLLRDHUP)) == (POLLIN | POLLHUP | POLLRDHUP), "poll says hung up",
	      "revents %#x", pf.revents);
	close(sv[1]);

	socklen_t ll;
	struct sockaddr_un la = path_addr("/tmp/wvisor-seqpacket", &ll);
	unlink(la.sun_path);
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(bind(l, (struct sockaddr *)&la, ll) == 0 && listen(l, 4) == 0, "a seqpacket socket listens", "%s", "no");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(s, (struct sockaddr *)&la, ll), EPROTOTYPE, "a stream cannot connect to a seqpacket listener");
	int cl = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(send(cl, "x", 1, 0), ENOTCONN, "an unconnected seqpacket cannot send: ENOTCONN");
	CHECK(connect(cl, (struct sockaddr *)&la, ll) == 0, "a seqpacket socket connects", "%s", "no");
	int ac = accept(l, NULL, NULL);
	CHECK(ac >= 0, "the listener accepts it", "%s", "no");
	send(cl, "m1", 2, 0);
	send(cl, "m22", 3, 0);
	CHECK(recv(ac, buf, sizeof buf, 0) == 2 && recv(ac, buf, sizeof buf, 0) == 3, "boundaries are kept through a connection", "%s", "no");
	CHECK(write(ac, "back", 4) == 4 && read(cl, buf, 2) == 2, "write and a short read the other way", "%s", "no");
	CHECK_ERR(recv(cl, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "the rest of the message is gone");
	close(ac);
	close(cl);
	close(s);
	close(l);
	unlink(la.sun_path);
}

/* Runs fn in a child with SIGPIPE at its default action: whether it exited 0. */
static int in_child(int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		signal(SIGPIPE, SIG_DFL);
		alarm(5);
		_exit(fn());
	}
	int st = -1;
	waitpid(c, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int epipe_without_signal(void)
{
	int d[2], q[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, d) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q))
		return 2;
	shutdown(d[0], SHUT_WR);
	close(q[1]);
	return send(d[0], "x", 1, 0) == -1 && errno == EPIPE && send(q[0], "x", 1, 0) == -1 && errno == EPIPE ? 0 : 1;
}

static int blocked_send_ends(void)
{
	int d[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, d))
		return 2;
	static char big[200000];
	while (send(d[0], big, sizeof big, MSG_DONTWAIT) > 0)
		;
	pid_t k = fork();
	if (k == 0) {
		usleep(100000);
		shutdown(d[0], SHUT_WR);
		_exit(0);
	}
	return send(d[0], big, sizeof big, 0) == -1 && errno == EPIPE ? 0 : 1;
}

static void details(void)
{
	CHECK(in_child(epipe_without_signal), "a datagram or seqpacket send that cannot go is EPIPE without SIGPIPE", "%s", "killed");
	CHECK(in_child(blocked_send_ends), "a send blocked on a full buffer ends with EPIPE at shutdown", "%s", "no");

	int sv[2];
	char a[8], b[8];
	REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair", "%s", "failed");
	struct iovec out[2] = {{"abc", 3}, {"def", 3}};
	CHECK(writev(sv[0], out, 2) == 6, "writev sends the buffers", "%s", "failed");
	CHECK(read(sv[1], a, 0) == 0, "a read of nothing returns 0", "%s", "no");
	CHECK(write(sv[0], a, 0) == 0, "a write of nothing sends an empty datagram", "%s", "failed");
	struct iovec in[2] = {{a, 4}, {b, 4}};
	CHECK(readv(sv[1], in, 2) == 6 && memcmp(a, "abcd", 4) == 0 && memcmp(b, "ef", 2) == 0,
	      "readv takes the whole datagram writev sent, and the read of nothing left it", "%s", "no");
	CHECK(recv(sv[1], a, sizeof a, 0) == 0, "then the empty datagram arrives", "%s", "no");
	close(sv[0]);
	close(sv[1]);

	/* sendmmsg and recvmmsg: one message per entry, each count in its msg_len. */
	REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair", "%s", "failed");
	struct mmsghdr mv[4];
	struct iovec mio[4] = {{"one", 3}, {"three", 5}, {"", 0}, {NULL, 0}};
	memset(mv, 0, sizeof mv);
	for (int i = 0; i < 4; i++) {
		mv[i].msg_hdr.msg_iov = &mio[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK(sendmmsg(sv[0], mv, 3, 0) == 3 && mv[0].msg_len == 3 && mv[1].msg_len == 5 && mv[2].msg_len == 0,
	      "sendmmsg sends three datagrams", "%s", "no");
	char r0[8], r1[8], r2[8], r3[8];
	struct iovec rio[4] = {{r0, 8}, {r1, 8}, {r2, 8}, {r3, 8}};
	memset(mv, 0, sizeof mv);
	for (int i = 0; i < 4; i++) {
		mv[i].msg_hdr.msg_iov = &rio[i];
		mv[i].msg_hdr.msg_iovlen = 1;
	}
	int got = recvmmsg(sv[1], mv, 4, MSG_DONTWAIT, NULL);
	CHECK(got == 3 && mv[0].msg_len == 3 && mv[1].msg_len == 5 && mv[2].msg_len == 0 && memcmp(r1, "three", 5) == 0,
	      "recvmmsg takes the three datagrams, each whole", "got %d", got);
	CHECK_ERR(recvmmsg(sv[1], mv, 4, MSG_DONTWAIT, NULL), EAGAIN, "recvmmsg of nothing is EAGAIN");
	close(sv[0]);
	close(sv[1]);

	/* Abstract names belong to one socket type. */
	struct sockaddr_un ab;
	memset(&ab, 0, sizeof ab);
	ab.sun_family = AF_UNIX;
	memcpy(ab.sun_path, "\0wvisor-typed", 13);
	socklen_t labs = offsetof(struct sockaddr_un, sun_path) + 13;
	int d = socket(AF_UNIX, SOCK_DGRAM, 0), s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(d, (struct sockaddr *)&ab, labs) == 0 && bind(s, (struct sockaddr *)&ab, labs) == 0,
	      "a stream socket binds the abstract name a datagram socket holds", "errno %d", errno);
	close(s);

	/* EPERM to connect to a socket connected elsewhere. */
	int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un ax = ab;
	ax.sun_path[1] = 'X';
	bind(x, (struct sockaddr *)&ax, labs);
	CHECK(connect(x, (struct sockaddr *)&ab, labs) == 0, "connect x to d", "%s", "failed");
	CHECK_ERR(connect(y, (struct sockaddr *)&ax, labs), EPERM, "connecting to a socket connected to another is EPERM");

	/* A reset: d connected back to x, x leaves with d's datagram unread. */
	CHECK(connect(d, (struct sockaddr *)&ax, labs) == 0 && send(d, "r", 1, 0) == 1, "d sends to x", "%s", "failed");
	struct sockaddr un = {AF_UNSPEC, {0}};
	connect(x, &un, sizeof un);
	int err = -1;
	socklen_t el = sizeof err;
	CHECK(getsockopt(d, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == ECONNRESET, "SO_ERROR tells d of the reset",
	      "SO_ERROR %d", err);
	CHECK(getsockopt(d, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0, "once", "SO_ERROR %d", err);
	close(d);
	close(x);
	close(y);

	/* A seqpacket receive names the sender: the connector's name, the listener's for the
	 * accepted side. */
	socklen_t ll, lc;
	struct sockaddr_un la = path_addr("/tmp/wvisor-seq-l", &ll), lcn = path_addr("/tmp/wvisor-seq-c", &lc);
	unlink(la.sun_path);
	unlink(lcn.sun_path);
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	bind(l, (struct sockaddr *)&la, ll);
	listen(l, 1);
	bind(c, (struct sockaddr *)&lcn, lc);
	connect(c, (struct sockaddr *)&la, ll);
	int ac = accept(l, NULL, NULL);
	send(c, "1", 1, 0);
	send(ac, "2", 1, 0);
	struct sockaddr_un from;
	socklen_t fl = sizeof from;
	CHECK(recvfrom(ac, a, sizeof a, 0, (struct sockaddr *)&from, &fl) == 1 && strcmp(from.sun_path, lcn.sun_path) == 0,
	      "the accepted side hears from the connector's name", "fromlen %d", (int)fl);
	fl = sizeof from;
	CHECK(recvfrom(c, a, sizeof a, 0, (struct sockaddr *)&from, &fl) == 1 && strcmp(from.sun_path, la.sun_path) == 0,
	      "the connector hears from the listener's name", "fromlen %d", (int)fl);
	close(ac);
	close(c);
	close(l);
	unlink(la.sun_path);
	unlink(lcn.sun_path);
}

int main(void)
{
	pair_messages();
	details();
	named();
	seqpackets();
	return check_done();
}
