/* Named AF_UNIX stream sockets as Linux makes them: bind to a path (a socket file appears;
 * EADDRINUSE when the path exists), listen, connect by path from another process, accept
 * (blocking, and EAGAIN when non-blocking), data both ways, names from getsockname,
 * getpeername and accept, SO_ACCEPTCONN and SO_PEERCRED; abstract names and autobind;
 * shutdown of a listener waking a blocked accept; a path bound without its NUL; an accept
 * whose address cannot be written dropping its connection; the errors (connect to nothing:
 * ENOENT or ECONNREFUSED; listen unbound; accept on a socket that does not listen; a second
 * bind). Works in /tmp/vfs-unix_named-<pid> (see vfs.h);
 * blocking calls are bounded by alarm(). */
#include "vfs.h"
#include "proc.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <pthread.h>

static int accept_result, accept_errno;
static void *blocked_accept(void *arg)
{
	errno = 0;
	accept_result = accept(*(int *)arg, NULL, NULL);
	accept_errno = errno;
	return NULL;
}

static socklen_t addr_of(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

int main(void)
{
	alarm(30);
	make_tdir("unix_named");
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/sock", tdir);
	struct sockaddr_un a;
	socklen_t alen = addr_of(&a, path);

	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	REQUIRE(l >= 0, "socket(AF_UNIX, SOCK_STREAM)", "failed");
	CHECK_ERR(listen(l, 4), EINVAL, "listen on an unbound socket");
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0, "bind to a path", "-");
	struct stat st;
	CHECK(lstat("sock", &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket file", "mode %o", st.st_mode);
	struct sockaddr_un a2;
	char path2[PATH_MAX];
	snprintf(path2, sizeof path2, "%s/sock2", tdir);
	socklen_t a2len = addr_of(&a2, path2);
	CHECK_ERR(bind(l, (struct sockaddr *)&a2, a2len), EINVAL, "a second bind of a bound socket");
	CHECK(access("sock2", F_OK) != 0, "leaves no file", "-");
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE, "bind to an existing path");
	CHECK_ERR(accept(l, NULL, NULL), EINVAL, "accept before listen");
	CHECK(listen(l, 4) == 0, "listen", "-");
	{
		struct ucred lc;
		socklen_t lcl = sizeof lc;
		CHECK(getsockopt(l, SOL_SOCKET, SO_PEERCRED, &lc, &lcl) == 0 && lc.pid == getpid() && lc.uid == geteuid(),
		      "SO_PEERCRED of a listener names the listener itself", "pid %d uid %u", lc.pid, lc.uid);
	}
	int v = 0;
	socklen_t vl = sizeof v;
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl) == 0 && v == 1, "SO_ACCEPTCONN", "%d", v);

	/* a client in another process */
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, alen) != 0)
			_exit(2);
		struct sockaddr_un p;
		socklen_t pl = sizeof p;
		if (getpeername(c, (struct sockaddr *)&p, &pl) != 0 || strcmp(p.sun_path, a.sun_path) != 0)
			_exit(3);
		if (write(c, "hello", 5) != 5)
			_exit(4);
		char b[8];
		struct sockaddr_un from;
		socklen_t fl = sizeof from;
		if (recvfrom(c, b, sizeof b, 0, (struct sockaddr *)&from, &fl) != 3 || memcmp(b, "bye", 3) != 0)
			_exit(5);
		/* A stream's data comes from the other end, named as it is bound: the listener's. */
		if (fl != alen || strcmp(from.sun_path, a.sun_path) != 0)
			_exit(6);
		_exit(0);
	}
	struct sockaddr_un peer;
	socklen_t pl = sizeof peer;
	int s = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
	CHECK(s >= 0 && pl == offsetof(struct sockaddr_un, sun_path) && peer.sun_family == AF_UNIX, "accept: an unnamed peer",
	      "fd %d len %u", s, pl);
	char buf[16];
	CHECK(read(s, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "the client's data arrives", "-");
	CHECK(write(s, "bye", 3) == 3, "and the answer goes back", "-");
	int ws;
	CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "the client saw the server's name and answer", "%s", wstatus_str(ws));
	struct sockaddr_un me;
	socklen_t ml = sizeof me;
	CHECK(getsockname(s, (struct sockaddr *)&me, &ml) == 0 && ml == alen && strcmp(me.sun_path, path) == 0,
	      "the accepted socket's name is the listener's", "len %u", ml);
	struct ucred cr;
	socklen_t cl = sizeof cr;
	CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == pid, "SO_PEERCRED names the client", "pid %d", cr.pid);
	CHECK(read(s, buf, sizeof buf) == 0, "end of file once the client is gone", "-");
	close(s);

	/* non-blocking accept, and poll on the listener */
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN, "a non-blocking accept with nobody waiting");
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, alen) == 0, "connect from this process", "-");
	struct pollfd pf = { l, POLLIN, 0 };
	CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN), "the listener polls readable", "revents %#x", pf.revents);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0 && write(c, "x", 1) == 1 && read(s, buf, 1) == 1, "accepted and connected", "fd %d", s);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), EISCONN, "a second connect");
	close(s);
	close(c);

	/* shutdown wakes a blocked accept, which fails */
	int sl = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa2;
	char spath[PATH_MAX];
	snprintf(spath, sizeof spath, "%s/shut", tdir);
	socklen_t sa2len = addr_of(&sa2, spath);
	REQUIRE(bind(sl, (struct sockaddr *)&sa2, sa2len) == 0 && listen(sl, 1) == 0, "a second listener", "-");
	pthread_t th;
	pthread_create(&th, NULL, blocked_accept, &sl);
	usleep(100000);
	CHECK(shutdown(sl, SHUT_RDWR) == 0, "shutdown of a listener", "-");
	pthread_join(th, NULL);
	CHECK(accept_result == -1 && accept_errno == EINVAL, "wakes the blocked accept with EINVAL", "%d errno %d", accept_result, accept_errno);

	/* a bad address for accept drops the connection; a path given without its NUL */
	int ql = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un qa = { .sun_family = AF_UNIX };
	char qpath[100];
	snprintf(qpath, sizeof qpath, "%.90s/q", tdir);
	memcpy(qa.sun_path, qpath, strlen(qpath));
	socklen_t qlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(qpath));
	REQUIRE(bind(ql, (struct sockaddr *)&qa, qlen) == 0 && listen(ql, 1) == 0, "bind a path without its NUL", "-");
	struct sockaddr_un qn;
	socklen_t qnl = sizeof qn;
	CHECK(getsockname(ql, (struct sockaddr *)&qn, &qnl) == 0 && qnl == qlen + 1 && strcmp(qn.sun_path, qpath) == 0,
	      "its name comes back with the NUL", "len %u (bound %u)", qnl, qlen);
	int qc = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(qc, (struct sockaddr *)&qa, qlen) == 0, "connect to it", "-");
	static volatile uintptr_t bad_addr = 16;
	CHECK_ERR(accept(ql, (struct sockaddr *)&qn, (socklen_t *)bad_addr), EFAULT, "accept with a bad address length pointer");
	CHECK(read(qc, buf, 1) == 0, "drops that connection", "-");
	close(qc);
	close(ql);
	close(sl);

	/* SO_PEERCRED names whoever called listen, not who created the socket */
	int ol = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un oa;
	char opath[100];
	snprintf(opath, sizeof opath, "%.90s/o", tdir);
	socklen_t oalen = addr_of(&oa, opath);
	int go[2];
	REQUIRE(pipe(go) == 0, "pipe", "-");
	pid_t lp = fork();
	if (lp == 0) {
		if (bind(ol, (struct sockaddr *)&oa, oalen) != 0 || listen(ol, 1) != 0)
			_exit(2);
		write(go[1], "g", 1);
		int as = accept(ol, NULL, NULL);
		char b;
		read(as, &b, 1);
		_exit(0);
	}
	read(go[0], buf, 1);
	int oc = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(oc, (struct sockaddr *)&oa, oalen) == 0, "connect to a listener another process made listen", "-");
	cl = sizeof cr;
	CHECK(getsockopt(oc, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == lp, "SO_PEERCRED names the process that listened",
	      "pid %d, listener %d, creator %d", cr.pid, lp, getpid());
	write(oc, "x", 1);
	waitpid(lp, &ws, 0);
	close(oc);
	close(ol);
	close(go[0]);
	close(go[1]);

	/* resets: a listener closed with a queued connection, a peer closed with unread data */
	int rl = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un ra;
	char rpath[100];
	snprintf(rpath, sizeof rpath, "%.90s/r", tdir);
	socklen_t ralen = addr_of(&ra, rpath);
	REQUIRE(bind(rl, (struct sockaddr *)&ra, ralen) == 0 && listen(rl, 2) == 0, "a third listener", "-");
	int rc = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(rc, (struct sockaddr *)&ra, ralen) == 0, "connect, never accepted", "-");
	close(rl);
	struct pollfd rp = { rc, POLLIN, 0 };
	CHECK(poll(&rp, 1, 0) == 1 && (rp.revents & POLLERR), "the connector polls an error once the listener closed", "revents %#x", rp.revents);
	CHECK_ERR(read(rc, buf, 1), ECONNRESET, "and reads ECONNRESET");
	CHECK(read(rc, buf, 1) == 0, "once, then end of file", "-");
	close(rc);
	int rpair[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, rpair);
	write(rpair[0], "unread", 6);
	close(rpair[1]);
	CHECK_ERR(read(rpair[0], buf, 1), ECONNRESET, "a peer closed with unread data: ECONNRESET");
	close(rpair[0]);

	/* errors */
	int d = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(sendto(d, "x", 1, 0, (struct sockaddr *)&a, alen), EOPNOTSUPP, "sendto with an address on an unconnected stream");
	struct sockaddr_un fam = { .sun_family = AF_UNIX };
	CHECK_ERR(connect(d, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path)), EINVAL, "connect to a family alone");
	int pair[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	CHECK_ERR(accept(pair[0], NULL, NULL), EINVAL, "accept on a socketpair end");
	close(pair[0]);
	close(pair[1]);
	struct sockaddr_un none;
	socklen_t nl = addr_of(&none, "/nonexistent/sock");
	CHECK_ERR(connect(d, (struct sockaddr *)&none, nl), ENOENT, "connect to a missing path");
	nl = addr_of(&none, tdir);
	CHECK_ERR(connect(d, (struct sockaddr *)&none, nl), ECONNREFUSED, "connect to a directory");
	CHECK_ERR(read(d, buf, 1), EINVAL, "read from an unconnected socket");
	CHECK_ERR(write(d, "x", 1), ENOTCONN, "write to an unconnected socket");
	CHECK_ERR(getpeername(d, (struct sockaddr *)&none, &nl), ENOTCONN, "getpeername of an unconnected socket");
	close(l);
	CHECK_ERR(connect(d, (struct sockaddr *)&a, alen), ECONNREFUSED, "connect once the listener is closed");
	CHECK_ERR(socket(AF_INET6 + 100, SOCK_STREAM, 0), EAFNOSUPPORT, "an unknown family");

	/* abstract names and autobind */
	int al = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "wvisor-test-%d", (int)getpid());
	socklen_t ablen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(ab.sun_path + 1));
	CHECK(bind(al, (struct sockaddr *)&ab, ablen) == 0 && listen(al, 1) == 0, "bind and listen on an abstract name", "-");
	int ac = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(ac, (struct sockaddr *)&ab, ablen) == 0, "connect to it", "-");
	int as = accept(al, NULL, NULL);
	CHECK(as >= 0 && write(ac, "a", 1) == 1 && read(as, buf, 1) == 1, "data over it", "-");
	int ab2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(ab2, (struct sockaddr *)&ab, ablen), EADDRINUSE, "the same abstract name twice");
	struct sockaddr_un got;
	socklen_t gl = sizeof got;
	int an = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(an, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX }, offsetof(struct sockaddr_un, sun_path)) == 0 &&
		      getsockname(an, (struct sockaddr *)&got, &gl) == 0 && gl == offsetof(struct sockaddr_un, sun_path) + 6 && got.sun_path[0] == 0,
	      "autobind picks an abstract name of five characters", "len %u", gl);

	close(as);
	close(ac);
	close(al);
	close(an);
	close(ab2);
	close(d);
	close(l2);
	drop_tdir();
	return check_done();
}
