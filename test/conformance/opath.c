/*
 * opath: what an O_PATH fd may do (Linux: fdget() refuses it with EBADF, fdget_raw() takes
 * it), and readahead, sync_file_range and restart_syscall.
 *
 * An O_PATH fd only names a file: read, write, lseek, mmap, ioctl, fadvise, flock, fcntl
 * locks and F_SETFL, sendfile, copy_file_range, epoll_ctl, readahead and sync_file_range
 * are EBADF, poll says POLLNVAL and select says ready; close, dup, F_GETFD/F_SETFD/F_GETFL,
 * fstat, fstatfs, fchdir, *at calls from it as a directory and AT_EMPTY_PATH work.
 */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* Linux 6.6; older C libraries do not name it */
#endif

#define BADF(expr, what) CHECK_ERR(expr, EBADF, what " on an O_PATH fd is EBADF")

int main(void)
{
	const char *tmp = "/tmp/wvisor-opath";
	int w = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(w >= 0 && write(w, "data", 4) == 4, "a scratch file", "%s", "failed");
	int f = open(tmp, O_PATH);
	int d = open("/tmp", O_PATH | O_DIRECTORY);
	REQUIRE(f >= 0 && d >= 0, "O_PATH opens", "%s", "failed");
	char b[8];
	int n = 0;

	BADF(read(f, b, 1), "read");
	BADF(write(f, b, 1), "write");
	BADF(pread(f, b, 1, 0), "pread");
	BADF(lseek(f, 0, SEEK_SET), "lseek");
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, f, 0) == MAP_FAILED && errno == EBADF,
	      "mmap of an O_PATH fd is EBADF", "errno %d", errno);
	BADF(ioctl(f, FIONREAD, &n), "ioctl");
	int r = posix_fadvise(f, 0, 0, POSIX_FADV_NORMAL);
	CHECK(r == EBADF, "posix_fadvise on an O_PATH fd is EBADF", "returned %d", r);
	BADF(flock(f, LOCK_SH), "flock");
	struct flock lk = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	BADF(fcntl(f, F_SETLK, &lk), "F_SETLK");
	BADF(fcntl(f, F_GETLK, &lk), "F_GETLK");
	BADF(fcntl(f, F_SETFL, O_NONBLOCK), "F_SETFL");
	BADF(sendfile(w, f, NULL, 4), "sendfile from it");
	BADF(copy_file_range(f, NULL, w, NULL, 4, 0), "copy_file_range from it");
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	BADF(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), "epoll_ctl");
	BADF(readahead(f, 0, 4), "readahead");
	BADF(sync_file_range(f, 0, 0, 0), "sync_file_range");
	BADF(fsync(f), "fsync");

	struct pollfd pf = {f, POLLIN, 0};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLNVAL, "poll says POLLNVAL for an O_PATH fd", "revents %#x", pf.revents);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(f, &rs);
	struct timeval tv = {0, 0};
	CHECK(select(f + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(f, &rs), "select takes an O_PATH fd as readable", "%s", "no");

	int dup_fd = dup(f);
	CHECK(dup_fd >= 0 && close(dup_fd) == 0, "dup and close work on an O_PATH fd", "%s", "failed");
	CHECK(fcntl(f, F_GETFL) == (O_PATH | O_RDONLY | O_LARGEFILE), "F_GETFL works on an O_PATH fd", "%#x", fcntl(f, F_GETFL));
	CHECK(fcntl(f, F_SETFD, FD_CLOEXEC) == 0 && fcntl(f, F_GETFD) == FD_CLOEXEC, "F_SETFD and F_GETFD work", "%s", "failed");
	struct stat st;
	CHECK(fstat(f, &st) == 0 && st.st_size == 4, "fstat works on an O_PATH fd", "size %lld", (long long)st.st_size);
	struct statfs sf;
	CHECK(fstatfs(f, &sf) == 0, "fstatfs works on an O_PATH fd", "%s", "failed");
	CHECK(fstatat(f, "", &st, AT_EMPTY_PATH) == 0 && st.st_size == 4, "fstatat(AT_EMPTY_PATH) works", "%s", "failed");
	int g = openat(d, "wvisor-opath", O_RDONLY);
	CHECK(g >= 0 && read(g, b, 4) == 4 && memcmp(b, "data", 4) == 0, "openat from an O_PATH directory fd", "%s", "failed");
	close(g);
	CHECK(fchdir(d) == 0, "fchdir to an O_PATH directory fd", "%s", "failed");

	/* fchmodat2 (Linux 6.6) changes a mode through it with AT_EMPTY_PATH; a symlink's own
	 * mode cannot change (EOPNOTSUPP); unknown flags are EINVAL. */
	CHECK(syscall(SYS_fchmodat2, f, "", 0640, AT_EMPTY_PATH) == 0 && fstat(f, &st) == 0 && (st.st_mode & 07777) == 0640,
	      "fchmodat2(AT_EMPTY_PATH) on an O_PATH fd changes the mode", "mode %o", st.st_mode & 07777);
	const char *link = "/tmp/wvisor-opath-link";
	unlink(link);
	REQUIRE(symlink(tmp, link) == 0, "symlink", "%s", "failed");
	CHECK_ERR(syscall(SYS_fchmodat2, AT_FDCWD, link, 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP,
		  "fchmodat2 of a symlink itself is EOPNOTSUPP");
	CHECK(syscall(SYS_fchmodat2, AT_FDCWD, link, 0600, 0) == 0 && fstat(f, &st) == 0 && (st.st_mode & 07777) == 0600,
	      "fchmodat2 through a symlink changes its target", "mode %o", st.st_mode & 07777);
	CHECK_ERR(syscall(SYS_fchmodat2, AT_FDCWD, tmp, 0600, 0x2), EINVAL, "fchmodat2 with an unknown flag is EINVAL");
	unlink(link);

	/* It passes over a unix socket (SCM_RIGHTS takes any open fd). */
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair", "%s", "failed");
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"x", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &f, sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == 1, "an O_PATH fd is sent with SCM_RIGHTS", "errno %d", errno);
	io.iov_base = b;
	m.msg_controllen = sizeof cbuf;
	int got = -1;
	if (recvmsg(sv[1], &m, 0) == 1 && (c = CMSG_FIRSTHDR(&m)) != NULL)
		memcpy(&got, CMSG_DATA(c), sizeof(int));
	CHECK(got >= 0 && fstat(got, &st) == 0 && st.st_size == 4 && (fcntl(got, F_GETFL) & O_PATH),
	      "the received fd is the O_PATH fd", "got %d", got);

	/* readahead and sync_file_range on real files, and their argument checks. */
	int rd = open(tmp, O_RDONLY);
	CHECK(readahead(rd, 0, 4096) == 0, "readahead of a regular file", "%s", "failed");
	int wo = open(tmp, O_WRONLY);
	CHECK_ERR(readahead(wo, 0, 4), EBADF, "readahead of a write-only fd is EBADF");
	int dd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(readahead(dd, 0, 4), EINVAL, "readahead of a directory is EINVAL");
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "%s", "failed");
	CHECK_ERR(readahead(p[0], 0, 4), EINVAL, "readahead of a pipe is EINVAL");
	CHECK(sync_file_range(w, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) == 0,
	      "sync_file_range of a file", "%s", "failed");
	CHECK(sync_file_range(dd, 0, 0, 0) == 0, "sync_file_range of a directory", "%s", "failed");
	CHECK_ERR(sync_file_range(w, 0, 0, 8), EINVAL, "sync_file_range with an unknown flag is EINVAL");
	CHECK_ERR(sync_file_range(w, -1, 0, 0), EINVAL, "sync_file_range from a negative offset is EINVAL");
	CHECK_ERR(sync_file_range(w, 0x7fffffffffffffffLL, 2, 0), EINVAL, "sync_file_range past the largest offset is EINVAL");
	CHECK_ERR(sync_file_range(p[0], 0, 0, 0), ESPIPE, "sync_file_range of a pipe is ESPIPE");
	CHECK_ERR(syscall(SYS_restart_syscall), EINTR, "restart_syscall with nothing to restart is EINTR");
	unlink(tmp);
	return check_done();
}
