/*
 * fds: file descriptor table semantics on the inherited fds 0-2: dup, dup2, dup3,
 * fcntl, close, fstat, lseek/pread64/pwrite64 on non-seekable files, ioctl on a
 * non-terminal, readv and writev.
 *
 * Run it with stdin = "fds-stdin: readv works\n" from a pipe or socket (the tests do);
 * with any other stdin the stdin checks are skipped.
 */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>

#define STDIN_TEXT "fds-stdin: readv works\n"

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

/* Is fd the lowest free descriptor >= from (i.e. all of [from, fd) were open)? */
static int lowest_from(int from, int fd)
{
	if (fd < from)
		return 0;
	for (int i = from; i < fd; i++)
		if (!is_open(i))
			return 0;
	return 1;
}

static int same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino && sa.st_mode == sb.st_mode;
}

static int nonseekable(mode_t m) { return S_ISFIFO(m) || S_ISSOCK(m); }

int main(void)
{
	struct rlimit nofile;
	REQUIRE(getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur >= 64,
		"RLIMIT_NOFILE is at least 64", "cur %lu", (unsigned long)nofile.rlim_cur);
	int lim = nofile.rlim_cur > INT_MAX ? INT_MAX : (int)nofile.rlim_cur;
	REQUIRE(is_open(0) && is_open(1) && is_open(2), "fds 0, 1 and 2 are open", "one is closed");

	/* dup: the lowest free descriptor, the same open file, no FD_CLOEXEC */
	int d = dup(1);
	CHECK(d > 2 && lowest_from(0, d), "dup returns the lowest free descriptor", "got %d", d);
	CHECK(same_file(d, 1), "dup refers to the same file as the original", "differs");
	CHECK(fcntl(d, F_GETFD) == 0, "dup clears FD_CLOEXEC", "F_GETFD=%d", fcntl(d, F_GETFD));
	int d2 = dup(1);
	CHECK(close(d) == 0, "close of a dup", "failed");
	int d3 = dup(1);
	CHECK(d3 == d, "dup reuses the lowest descriptor freed by close", "got %d, freed %d", d3, d);
	close(d2);
	close(d3);

	/* close(0) makes 0 the lowest free descriptor */
	int saved_in = dup(0);
	REQUIRE(saved_in > 2, "dup of stdin", "got %d", saved_in);
	CHECK(close(0) == 0, "close(0)", "failed");
	int z = dup(2);
	CHECK(z == 0, "after close(0), dup returns 0", "got %d", z);
	CHECK(dup2(saved_in, 0) == 0, "dup2 puts stdin back on 0", "failed");
	CHECK(same_file(0, saved_in), "fd 0 is stdin again", "differs");
	close(saved_in);

	/* F_DUPFD and F_DUPFD_CLOEXEC */
	int f100 = fcntl(1, F_DUPFD, 100);
	CHECK(lowest_from(100, f100), "F_DUPFD returns the lowest free fd >= its argument", "got %d",
	      f100);
	int f101 = fcntl(1, F_DUPFD, 100);
	CHECK(f101 > f100 && lowest_from(100, f101), "F_DUPFD skips descriptors in use", "got %d",
	      f101);
	CHECK(fcntl(f100, F_GETFD) == 0, "F_DUPFD clears FD_CLOEXEC", "F_GETFD=%d",
	      fcntl(f100, F_GETFD));
	int fc = fcntl(1, F_DUPFD_CLOEXEC, 100);
	CHECK(lowest_from(100, fc), "F_DUPFD_CLOEXEC returns the lowest free fd >= its argument",
	      "got %d", fc);
	CHECK(fcntl(fc, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC", "F_GETFD=%d",
	      fcntl(fc, F_GETFD));
	CHECK(fcntl(1, F_GETFD) == 0, "the original keeps its own FD_CLOEXEC (clear)", "F_GETFD=%d",
	      fcntl(1, F_GETFD));
	CHECK_ERR(fcntl(1, F_DUPFD, -1), EINVAL, "F_DUPFD with a negative argument");
	CHECK_ERR(fcntl(1, F_DUPFD, lim), EINVAL, "F_DUPFD at RLIMIT_NOFILE");

	/* F_GETFD / F_SETFD */
	CHECK(fcntl(f100, F_SETFD, FD_CLOEXEC) == 0 && fcntl(f100, F_GETFD) == FD_CLOEXEC,
	      "F_SETFD sets FD_CLOEXEC", "F_GETFD=%d", fcntl(f100, F_GETFD));
	CHECK(fcntl(f101, F_GETFD) == 0, "FD_CLOEXEC is per descriptor", "F_GETFD=%d",
	      fcntl(f101, F_GETFD));
	CHECK(fcntl(f100, F_SETFD, 0) == 0 && fcntl(f100, F_GETFD) == 0, "F_SETFD clears FD_CLOEXEC",
	      "F_GETFD=%d", fcntl(f100, F_GETFD));

	/* dup2 and dup3 */
	CHECK(dup2(1, 1) == 1, "dup2 with the same fd returns it", "failed");
	CHECK(fcntl(fc, F_GETFD) == FD_CLOEXEC && dup2(fc, fc) == fc &&
		      fcntl(fc, F_GETFD) == FD_CLOEXEC,
	      "dup2(fd, fd) leaves FD_CLOEXEC alone", "F_GETFD=%d", fcntl(fc, F_GETFD));
	CHECK_ERR(dup3(1, 1, 0), EINVAL, "dup3 with the same fd");
	CHECK_ERR(dup3(1, 1, O_CLOEXEC), EINVAL, "dup3 with the same fd and O_CLOEXEC");
	CHECK(dup2(1, fc) == fc && fcntl(fc, F_GETFD) == 0,
	      "dup2 over an open fd replaces it and clears FD_CLOEXEC", "F_GETFD=%d",
	      fcntl(fc, F_GETFD));
	CHECK(dup3(1, fc, O_CLOEXEC) == fc && fcntl(fc, F_GETFD) == FD_CLOEXEC,
	      "dup3 with O_CLOEXEC sets FD_CLOEXEC", "F_GETFD=%d", fcntl(fc, F_GETFD));
	CHECK_ERR(dup3(1, 150, 0x4000 /* not O_CLOEXEC */), EINVAL, "dup3 with an unknown flag");
	CHECK(!is_open(150), "a failed dup3 opened nothing", "fd 150 is open");
	CHECK(dup2(2, 200) == 200 && same_file(200, 2), "dup2 to a free high fd", "failed");
	CHECK_ERR(dup2(1, -1), EBADF, "dup2 to a negative fd");
	CHECK_ERR(dup2(1, lim), EBADF, "dup2 to RLIMIT_NOFILE");
	CHECK_ERR(dup2(300, 301), EBADF, "dup2 of a closed fd");
	CHECK_ERR(dup2(300, 300), EBADF, "dup2 of a closed fd onto itself");
	CHECK(!is_open(301), "a failed dup2 opened nothing", "fd 301 is open");
	CHECK_ERR(dup(300), EBADF, "dup of a closed fd");
	CHECK_ERR(dup(-1), EBADF, "dup of -1");

	/* close */
	CHECK(close(200) == 0, "close", "failed");
	CHECK_ERR(close(200), EBADF, "close of an already closed fd");
	CHECK_ERR(close(-1), EBADF, "close(-1)");
	CHECK_ERR(close(lim < INT_MAX - 10 ? lim + 10 : INT_MAX), EBADF, "close beyond RLIMIT_NOFILE");
	CHECK_ERR(fcntl(200, F_GETFD), EBADF, "fcntl on a closed fd");
	CHECK_ERR(fcntl(1, 12345), EINVAL, "fcntl with an unknown command");

	/* fstat */
	struct stat so, sa;
	CHECK(fstat(1, &so) == 0, "fstat(1)", "failed");
	CHECK(syscall(SYS_newfstatat, 1, "", &sa, AT_EMPTY_PATH) == 0 && sa.st_ino == so.st_ino &&
		      sa.st_dev == so.st_dev && sa.st_mode == so.st_mode,
	      "newfstatat(1, \"\", AT_EMPTY_PATH) agrees with fstat(1)", "differs");
	CHECK_ERR(fstat(300, &sa), EBADF, "fstat of a closed fd");
	CHECK_ERR(syscall(SYS_newfstatat, 300, "", &sa, AT_EMPTY_PATH), EBADF,
		  "newfstatat of a closed fd");
	CHECK((so.st_mode & S_IFMT) != 0, "fstat(1) gives a file type", "mode %o", so.st_mode);

	/* F_GETFL / F_SETFL: status flags live in the shared open file description */
	int fl = fcntl(1, F_GETFL);
	CHECK(fl != -1 && ((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR),
	      "stdout is open for writing", "F_GETFL=%#x", fl);
	CHECK(fcntl(f100, F_GETFL) == fl, "a dup shares the status flags", "F_GETFL=%#x",
	      fcntl(f100, F_GETFL));
	CHECK(fcntl(f100, F_SETFL, fl | O_NONBLOCK) == 0 && (fcntl(1, F_GETFL) & O_NONBLOCK),
	      "O_NONBLOCK set through a dup shows on the original", "F_GETFL=%#x",
	      fcntl(1, F_GETFL));
	CHECK(fcntl(1, F_SETFL, fl & ~O_NONBLOCK) == 0 && !(fcntl(f100, F_GETFL) & O_NONBLOCK),
	      "O_NONBLOCK cleared on the original shows on the dup", "F_GETFL=%#x",
	      fcntl(f100, F_GETFL));
	CHECK(fcntl(1, F_SETFL, (fl & ~O_ACCMODE) | O_RDONLY) == 0 &&
		      (fcntl(1, F_GETFL) & O_ACCMODE) == (fl & O_ACCMODE),
	      "F_SETFL ignores the access mode", "F_GETFL=%#x", fcntl(1, F_GETFL));
	fcntl(1, F_SETFL, fl);

	/* writev through a dup of stdout */
	char a[] = "writev: one", b[] = " two", c[] = " three\n";
	struct iovec wv[5] = {{a, strlen(a)}, {NULL, 0}, {b, strlen(b)}, {c, strlen(c)}, {NULL, 0}};
	ssize_t w = writev(f101, wv, 5);
	CHECK(w == (ssize_t)(strlen(a) + strlen(b) + strlen(c)),
	      "writev returns the sum of the lengths (zero-length parts allowed)", "returned %zd", w);
	CHECK(writev(f101, wv, 0) == 0, "writev of 0 parts returns 0", "failed");
	CHECK_ERR(syscall(SYS_writev, f101, wv, -1), EINVAL, "writev with a negative count");
	CHECK_ERR(syscall(SYS_writev, f101, wv, IOV_MAX + 1), EINVAL,
		  "writev with more than IOV_MAX parts");
	/*
	 * A length that is negative as an ssize_t is EINVAL. (Lengths that only add up to
	 * more than SSIZE_MAX are not: Linux caps the total at MAX_RW_COUNT instead.)
	 */
	struct iovec neg[2] = {{a, 1}, {b, (size_t)-1}};
	CHECK_ERR(writev(f101, neg, 2), EINVAL, "writev with a negative length");
	CHECK(write(f101, "write: through a dup\n", 21) == 21, "write through a dup", "failed");

	/* ioctl on a non-terminal */
	if (S_ISFIFO(so.st_mode) || S_ISSOCK(so.st_mode) || S_ISREG(so.st_mode)) {
		struct termios tio;
		struct winsize ws;
		CHECK_ERR(ioctl(1, TCGETS, &tio), ENOTTY, "ioctl(TCGETS) on a non-terminal stdout");
		CHECK_ERR(ioctl(1, TIOCGWINSZ, &ws), ENOTTY,
			  "ioctl(TIOCGWINSZ) on a non-terminal stdout");
		CHECK(!isatty(1), "isatty(1) is false", "true");
	} else {
		say("info: stdout is not a pipe, socket or file: ioctl checks skipped\n");
	}
	CHECK_ERR(ioctl(300, TCGETS, NULL), EBADF, "ioctl on a closed fd");

	/* lseek, pread64 and pwrite64 on non-seekable files */
	if (nonseekable(so.st_mode)) {
		CHECK_ERR(lseek(1, 0, SEEK_CUR), ESPIPE, "lseek on a pipe or socket stdout");
		CHECK_ERR(pwrite(1, "x", 1, 0), ESPIPE, "pwrite64 on a pipe or socket stdout");
	}
	CHECK_ERR(lseek(300, 0, SEEK_SET), EBADF, "lseek on a closed fd");

	struct stat si;
	REQUIRE(fstat(0, &si) == 0, "fstat(0)", "failed");
	if (nonseekable(si.st_mode)) {
		char buf[64];
		CHECK_ERR(lseek(0, 0, SEEK_CUR), ESPIPE, "lseek on a pipe or socket stdin");
		CHECK_ERR(lseek(0, 0, SEEK_SET), ESPIPE, "lseek(SEEK_SET) on a pipe or socket stdin");
		CHECK_ERR(pread(0, buf, 1, 0), ESPIPE, "pread64 on a pipe or socket stdin");
		CHECK(fcntl(0, F_GETFL) != -1 && (fcntl(0, F_GETFL) & O_ACCMODE) != O_WRONLY,
		      "stdin is open for reading", "F_GETFL=%#x", fcntl(0, F_GETFL));

		/* readv through a dup of stdin, into three buffers of 4, 8 and 64 bytes */
		char r1[4], r2[8], r3[64] = {0};
		struct iovec rv[3] = {{r1, sizeof r1}, {r2, sizeof r2}, {r3, sizeof r3 - 1}};
		int din = dup(0);
		size_t want = strlen(STDIN_TEXT);
		ssize_t got = readv(din, rv, 3);
		/* a pipe may hand over the data in pieces: collect the rest with read */
		size_t total = got > 0 ? (size_t)got : 0;
		char all[128] = {0};
		if (total > 0) {
			memcpy(all, r1, total < 4 ? total : 4);
			if (total > 4)
				memcpy(all + 4, r2, total - 4 < 8 ? total - 4 : 8);
			if (total > 12)
				memcpy(all + 12, r3, total - 12);
		}
		while (got > 0 && total < want) {
			got = read(din, all + total, sizeof all - 1 - total);
			if (got > 0)
				total += (size_t)got;
		}
		CHECK(strcmp(all, STDIN_TEXT) == 0,
		      "readv fills its buffers in order with the bytes of stdin",
		      "read \"%s\"", all);
		CHECK(read(0, r3, sizeof r3) == 0, "read at the end of stdin returns 0", "not at EOF");
		close(din);
	} else {
		say("info: stdin is not a pipe or socket: stdin checks skipped\n");
	}

	close(f100);
	close(f101);
	close(fc);
	CHECK(!is_open(f100) && !is_open(f101) && !is_open(fc), "closed fds are closed", "open");
	return check_done();
}
