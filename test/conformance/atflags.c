/*
 * atflags: the *at calls. Each one with AT_FDCWD and with a real directory fd; EBADF for a
 * closed dirfd and ENOTDIR for a dirfd that is a regular file (with a relative path),
 * while an absolute path ignores the dirfd; unlinkat's AT_REMOVEDIR; linkat with and
 * without AT_SYMLINK_FOLLOW and with AT_EMPTY_PATH; fchownat, fchmodat, utimensat,
 * faccessat2 and statx with AT_SYMLINK_NOFOLLOW; EINVAL for unknown flags.
 *
 * fchmodat with AT_SYMLINK_NOFOLLOW is glibc's emulation (glibc 2.36 has no fchmodat2);
 * only its symlink case (EOPNOTSUPP, decided with O_PATH and fstatat) is checked, since
 * the other case goes through /proc/self/fd. faccessat and faccessat2 are called raw.
 *
 * Works only inside /tmp/vfs-atflags-<pid> (see vfs.h).
 */
#include "vfs.h"
#include <sys/sysmacros.h>
#include <sys/time.h>

#define BADFD 999

/* expr uses DFD: once a closed fd (EBADF), once a regular file (ENOTDIR). */
#define AT_ERRS(what, expr)                                                           \
	do {                                                                          \
		{                                                                     \
			int DFD = BADFD;                                              \
			CHECK_ERR(expr, EBADF, what ": a closed dirfd");              \
		}                                                                     \
		{                                                                     \
			int DFD = filefd;                                             \
			CHECK_ERR(expr, ENOTDIR, what ": a regular file as dirfd");   \
		}                                                                     \
		{                                                                     \
			int DFD = -1;                                                 \
			CHECK_ERR(expr, EBADF, what ": dirfd -1 (not AT_FDCWD)");     \
		}                                                                     \
	} while (0)

static long faccessat2_(int dfd, const char *path, int mode, int flags)
{
	return syscall(SYS_faccessat2, dfd, path, mode, flags);
}

static long faccessat_(int dfd, const char *path, int mode)
{
	return syscall(SYS_faccessat, dfd, path, mode);
}

static long utimensat_(int dfd, const char *path, const struct timespec *ts, int flags)
{
	return syscall(SYS_utimensat, dfd, path, ts, flags);
}

static long renameat2_(int od, const char *o, int nd, const char *n, unsigned flags)
{
	return syscall(SYS_renameat2, od, o, nd, n, flags);
}

static long statx_(int dfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	return syscall(SYS_statx, dfd, path, flags, mask, stx);
}

int main(void)
{
	struct stat st, st2;
	struct statx stx;
	char buf[PATH_MAX], abs_[PATH_MAX];

	make_tdir("atflags");
	REQUIRE(mkdir("sub", 0755) == 0, "mkdir sub", "failed");
	REQUIRE(put_file("file", "data") == 0, "create file", "failed");
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	int filefd = open("file", O_RDONLY);
	REQUIRE(dfd >= 0 && filefd >= 0, "open sub and file", "failed");
	REQUIRE(fcntl(BADFD, F_GETFD) == -1, "fd 999 is closed", "open");
	snprintf(abs_, sizeof abs_, "%s/file", tdir);

	/* openat */
	int fd = openat(AT_FDCWD, "sub/a", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && S_ISREG(lmode("sub/a")), "openat(AT_FDCWD) creates relative to the cwd",
	      "failed");
	close(fd);
	fd = openat(dfd, "b", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && S_ISREG(lmode("sub/b")), "openat(dirfd) creates relative to the dirfd",
	      "failed");
	close(fd);
	fd = openat(dfd, "../file", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "data", 4) == 0,
	      "openat(dirfd, \"../file\")", "failed");
	close(fd);
	AT_ERRS("openat", openat(DFD, "x", O_RDONLY));
	AT_ERRS("openat O_CREAT", openat(DFD, "x", O_WRONLY | O_CREAT, 0644));
	fd = openat(BADFD, abs_, O_RDONLY);
	CHECK(fd >= 0, "openat with an absolute path ignores a closed dirfd", "failed");
	close(fd);
	fd = openat(filefd, abs_, O_RDONLY);
	CHECK(fd >= 0, "openat with an absolute path ignores a file dirfd", "failed");
	close(fd);

	/* mkdirat */
	CHECK(mkdirat(AT_FDCWD, "sub/md1", 0755) == 0 && S_ISDIR(lmode("sub/md1")),
	      "mkdirat(AT_FDCWD)", "failed");
	CHECK(mkdirat(dfd, "md2", 0755) == 0 && S_ISDIR(lmode("sub/md2")), "mkdirat(dirfd)",
	      "failed");
	CHECK_ERR(mkdirat(dfd, "md2", 0755), EEXIST, "mkdirat of an existing name");
	AT_ERRS("mkdirat", mkdirat(DFD, "x", 0755));

	/* mknodat: regular files, fifos and sockets */
	CHECK(mknodat(AT_FDCWD, "sub/n-reg", S_IFREG | 0600, 0) == 0 &&
		      lmode("sub/n-reg") == (S_IFREG | 0600),
	      "mknodat(AT_FDCWD) S_IFREG", "mode %o", lmode("sub/n-reg"));
	CHECK(mknodat(dfd, "n-zero", 0600, 0) == 0 && lmode("sub/n-zero") == (S_IFREG | 0600),
	      "mknodat with no type makes a regular file", "mode %o", lmode("sub/n-zero"));
	CHECK(mknodat(dfd, "n-fifo", S_IFIFO | 0640, 0) == 0 &&
		      lmode("sub/n-fifo") == (S_IFIFO | 0640),
	      "mknodat(dirfd) S_IFIFO", "mode %o", lmode("sub/n-fifo"));
	CHECK(mknodat(dfd, "n-sock", S_IFSOCK | 0644, 0) == 0 &&
		      lmode("sub/n-sock") == (S_IFSOCK | 0644),
	      "mknodat(dirfd) S_IFSOCK", "mode %o", lmode("sub/n-sock"));
	CHECK(mknodat(dfd, "n-umask", S_IFREG | 0666, 0) == 0 &&
		      lmode("sub/n-umask") == (S_IFREG | 0644),
	      "mknodat applies the umask", "mode %o", lmode("sub/n-umask"));
	CHECK_ERR(mknodat(dfd, "n-reg", S_IFREG | 0600, 0), EEXIST, "mknodat of an existing name");
	CHECK_ERR(mknodat(dfd, "n-dir", S_IFDIR | 0755, 0), EPERM, "mknodat S_IFDIR");
	CHECK_ERR(mknodat(dfd, "n-bad", S_IFMT | 0644, 0), EINVAL, "mknodat with an invalid type");
	CHECK(!exists("sub/n-dir") && !exists("sub/n-bad"), "the failed mknodats made nothing",
	      "something exists");
	AT_ERRS("mknodat", mknodat(DFD, "x", S_IFREG | 0600, 0));

	/* symlinkat and readlinkat */
	CHECK(symlinkat("../file", AT_FDCWD, "sub/l1") == 0 && S_ISLNK(lmode("sub/l1")),
	      "symlinkat(AT_FDCWD)", "failed");
	CHECK(symlinkat("../file", dfd, "l2") == 0 && S_ISLNK(lmode("sub/l2")), "symlinkat(dirfd)",
	      "failed");
	CHECK(symlinkat("nowhere", dfd, "dangle") == 0, "symlinkat of a dangling link", "failed");
	CHECK_ERR(symlinkat("x", dfd, "l2"), EEXIST, "symlinkat over an existing name");
	AT_ERRS("symlinkat", symlinkat("t", DFD, "x"));
	ssize_t rl = readlinkat(AT_FDCWD, "sub/l1", buf, sizeof buf);
	CHECK(rl == 7 && memcmp(buf, "../file", 7) == 0, "readlinkat(AT_FDCWD)", "got %zd", rl);
	rl = readlinkat(dfd, "l2", buf, sizeof buf);
	CHECK(rl == 7 && memcmp(buf, "../file", 7) == 0, "readlinkat(dirfd)", "got %zd", rl);
	AT_ERRS("readlinkat", readlinkat(DFD, "l1", buf, sizeof buf));
	CHECK_ERR(readlinkat(dfd, "b", buf, sizeof buf), EINVAL, "readlinkat of a regular file");

	/* newfstatat */
	struct stat fst;
	REQUIRE(fstat(filefd, &fst) == 0, "fstat of file", "failed");
	CHECK(fstatat(AT_FDCWD, "sub/l1", &st, 0) == 0 && same_inode(&st, &fst),
	      "fstatat(AT_FDCWD) follows a symlink", "failed");
	CHECK(fstatat(dfd, "l2", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
		      st.st_size == 7,
	      "fstatat(dirfd, AT_SYMLINK_NOFOLLOW) gives the link (st_size = target length)",
	      "mode %o size %ld", st.st_mode, (long)st.st_size);
	CHECK(fstatat(filefd, "", &st, AT_EMPTY_PATH) == 0 && same_inode(&st, &fst),
	      "fstatat AT_EMPTY_PATH", "failed");
	CHECK_ERR(fstatat(filefd, "", &st, 0), ENOENT, "fstatat \"\" without AT_EMPTY_PATH");
	CHECK_ERR(fstatat(dfd, "b", &st, 0x1), EINVAL, "fstatat with an unknown flag");
	CHECK_ERR(fstatat(dfd, "b", &st, AT_REMOVEDIR), EINVAL, "fstatat with AT_REMOVEDIR");
	CHECK_ERR(fstatat(BADFD, "", &st, AT_EMPTY_PATH), EBADF, "fstatat AT_EMPTY_PATH of a closed fd");
	AT_ERRS("fstatat", fstatat(DFD, "file", &st, 0));
	CHECK(fstatat(BADFD, abs_, &st, 0) == 0 && fstatat(filefd, abs_, &st2, 0) == 0 &&
		      same_inode(&st, &fst) && same_inode(&st2, &fst),
	      "fstatat with an absolute path ignores a bad dirfd", "failed");

	/* statx */
	memset(&stx, 0, sizeof stx);
	CHECK(statx_(AT_FDCWD, "sub/l1", 0, STATX_BASIC_STATS, &stx) == 0 &&
		      stx.stx_ino == fst.st_ino && S_ISREG(stx.stx_mode) && stx.stx_size == 4,
	      "statx(AT_FDCWD) follows a symlink", "ino %llu mode %o",
	      (unsigned long long)stx.stx_ino, stx.stx_mode);
	CHECK((stx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS,
	      "statx reports the basic stats in stx_mask", "mask %#x", stx.stx_mask);
	CHECK(stx.stx_nlink == fst.st_nlink && stx.stx_uid == fst.st_uid &&
		      stx.stx_gid == fst.st_gid && stx.stx_mtime.tv_sec == fst.st_mtim.tv_sec &&
		      stx.stx_mtime.tv_nsec == (unsigned)fst.st_mtim.tv_nsec &&
		      stx.stx_dev_major == major(fst.st_dev) &&
		      stx.stx_dev_minor == minor(fst.st_dev),
	      "statx agrees with fstat", "differs");
	CHECK(statx_(dfd, "l2", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
		      S_ISLNK(stx.stx_mode) && stx.stx_size == 7,
	      "statx(dirfd, AT_SYMLINK_NOFOLLOW) gives the link", "mode %o", stx.stx_mode);
	CHECK(statx_(filefd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
		      stx.stx_ino == fst.st_ino,
	      "statx AT_EMPTY_PATH", "failed");
	CHECK(statx_(dfd, "b", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &stx) == 0 &&
		      statx_(dfd, "b", AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx) == 0,
	      "statx AT_STATX_FORCE_SYNC and AT_STATX_DONT_SYNC", "failed");
	CHECK_ERR(statx_(dfd, "b", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx),
		  EINVAL, "statx with both sync flags");
	CHECK_ERR(statx_(dfd, "b", 0x1, STATX_BASIC_STATS, &stx), EINVAL,
		  "statx with an unknown flag");
	CHECK_ERR(statx_(dfd, "b", 0, 0x80000000u /* STATX__RESERVED */, &stx), EINVAL,
		  "statx with STATX__RESERVED in the mask");
	AT_ERRS("statx", statx_(DFD, "file", 0, STATX_BASIC_STATS, &stx));

	/* faccessat (no flags argument) and faccessat2 */
	CHECK(faccessat_(AT_FDCWD, "sub/b", R_OK | W_OK) == 0 && faccessat_(dfd, "b", F_OK) == 0,
	      "faccessat with AT_FDCWD and a dirfd", "failed");
	AT_ERRS("faccessat", faccessat_(DFD, "file", F_OK));
	CHECK_ERR(faccessat_(dfd, "dangle", F_OK), ENOENT, "faccessat follows a dangling symlink");
	CHECK(faccessat2_(dfd, "dangle", F_OK, AT_SYMLINK_NOFOLLOW) == 0,
	      "faccessat2 AT_SYMLINK_NOFOLLOW on a dangling symlink checks the link", "failed");
	CHECK_ERR(faccessat2_(dfd, "dangle", F_OK, 0), ENOENT,
		  "faccessat2 without AT_SYMLINK_NOFOLLOW follows it");
	CHECK(faccessat2_(AT_FDCWD, "sub/b", R_OK, AT_EACCESS) == 0, "faccessat2 AT_EACCESS",
	      "failed");
	CHECK(faccessat2_(filefd, "", R_OK, AT_EMPTY_PATH) == 0, "faccessat2 AT_EMPTY_PATH",
	      "failed");
	CHECK_ERR(faccessat2_(dfd, "b", F_OK, 0x1), EINVAL, "faccessat2 with an unknown flag");
	CHECK_ERR(faccessat2_(dfd, "b", F_OK, AT_SYMLINK_FOLLOW), EINVAL,
		  "faccessat2 with AT_SYMLINK_FOLLOW (not a faccessat2 flag)");
	CHECK_ERR(faccessat2_(dfd, "b", 8, 0), EINVAL, "faccessat2 with an invalid mode");
	CHECK_ERR(faccessat_(dfd, "b", 8), EINVAL, "faccessat with an invalid mode");
	AT_ERRS("faccessat2", faccessat2_(DFD, "file", F_OK, 0));
	/* uid 0: R_OK and W_OK always, X_OK only when some x bit is set (or a directory) */
	CHECK(chmod("sub/b", 0) == 0 && faccessat_(dfd, "b", R_OK | W_OK) == 0,
	      "root may read and write a mode-0 file", "failed");
	CHECK_ERR(faccessat_(dfd, "b", X_OK), EACCES, "root may not execute a file with no x bit");
	CHECK(chmod("sub/b", 0010) == 0 && faccessat_(dfd, "b", X_OK) == 0,
	      "root may execute a file with any x bit", "failed");
	CHECK(chmod("sub/md2", 0) == 0 && faccessat_(dfd, "md2", R_OK | W_OK | X_OK) == 0,
	      "root may search a mode-0 directory", "failed");
	chmod("sub/b", 0644);
	chmod("sub/md2", 0755);

	/* fchownat */
	CHECK(fchownat(AT_FDCWD, "sub/a", 1001, 1002, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_uid == 1001 && st.st_gid == 1002,
	      "fchownat(AT_FDCWD)", "uid %u gid %u", st.st_uid, st.st_gid);
	CHECK(fchownat(dfd, "a", -1, 1003, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_uid == 1001 && st.st_gid == 1003,
	      "fchownat(dirfd) with uid -1 changes only the group", "uid %u gid %u", st.st_uid,
	      st.st_gid);
	REQUIRE(symlinkat("a", dfd, "la") == 0, "symlink sub/la -> a", "failed");
	CHECK(fchownat(dfd, "la", 2001, 2002, AT_SYMLINK_NOFOLLOW) == 0 &&
		      lstat("sub/la", &st) == 0 && st.st_uid == 2001 && st.st_gid == 2002 &&
		      stat("sub/a", &st2) == 0 && st2.st_uid == 1001 && st2.st_gid == 1003,
	      "fchownat AT_SYMLINK_NOFOLLOW changes the link, not its target",
	      "link %u:%u target %u:%u", st.st_uid, st.st_gid, st2.st_uid, st2.st_gid);
	CHECK(fchownat(dfd, "la", 3001, 3002, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_uid == 3001 && lstat("sub/la", &st2) == 0 && st2.st_uid == 2001,
	      "fchownat without it changes the target", "target %u link %u", st.st_uid,
	      st2.st_uid);
	fd = open("sub/a", O_RDONLY);
	CHECK(fchownat(fd, "", 4001, 4002, AT_EMPTY_PATH) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_uid == 4001 && st.st_gid == 4002,
	      "fchownat AT_EMPTY_PATH", "uid %u", st.st_uid);
	close(fd);
	CHECK_ERR(fchownat(dfd, "a", 0, 0, 0x1), EINVAL, "fchownat with an unknown flag");
	CHECK_ERR(fchownat(dfd, "a", 0, 0, AT_REMOVEDIR), EINVAL, "fchownat with AT_REMOVEDIR");
	AT_ERRS("fchownat", fchownat(DFD, "file", 0, 0, 0));

	/* fchmodat */
	CHECK(fchmodat(AT_FDCWD, "sub/a", 0600, 0) == 0 && lmode("sub/a") == (S_IFREG | 0600),
	      "fchmodat(AT_FDCWD)", "mode %o", lmode("sub/a"));
	CHECK(fchmodat(dfd, "a", 04751, 0) == 0 && lmode("sub/a") == (S_IFREG | 04751),
	      "fchmodat(dirfd) with a setuid bit", "mode %o", lmode("sub/a"));
	CHECK(fchmodat(dfd, "la", 0640, 0) == 0 && lmode("sub/a") == (S_IFREG | 0640) &&
		      lmode("sub/la") == (S_IFLNK | 0777),
	      "fchmodat follows a symlink (the link stays 0777)", "target %o link %o",
	      lmode("sub/a"), lmode("sub/la"));
	CHECK(fchmodat(dfd, "md1", 01777 | S_IFREG /* type bits ignored */, 0) == 0 &&
		      lmode("sub/md1") == (S_IFDIR | 01777),
	      "fchmodat ignores the type bits of the mode", "mode %o", lmode("sub/md1"));
	CHECK_ERR(fchmodat(dfd, "la", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP,
		  "fchmodat AT_SYMLINK_NOFOLLOW on a symlink (glibc: O_PATH + fstatat)");
	CHECK_ERR(fchmodat(dfd, "a", 0600, 0x1), EINVAL, "fchmodat with an unknown flag (glibc)");
	AT_ERRS("fchmodat", syscall(SYS_fchmodat, DFD, "file", 0644));

	/* utimensat */
	struct timespec ts[2] = {{1000000, 111}, {2000000, 222}};
	CHECK(utimensat(AT_FDCWD, "sub/a", ts, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_atim.tv_sec == 1000000 && st.st_atim.tv_nsec == 111 &&
		      st.st_mtim.tv_sec == 2000000 && st.st_mtim.tv_nsec == 222,
	      "utimensat(AT_FDCWD) sets both times", "atime %ld.%09ld mtime %ld.%09ld",
	      (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec,
	      st.st_mtim.tv_nsec);
	struct timespec ts2[2] = {{3000000, 0}, {4000000, 0}};
	CHECK(utimensat(dfd, "la", ts2, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_mtim.tv_sec == 4000000,
	      "utimensat(dirfd) follows a symlink", "mtime %ld", (long)st.st_mtim.tv_sec);
	struct timespec ts3[2] = {{5000000, 5}, {6000000, 6}};
	CHECK(utimensat(dfd, "la", ts3, AT_SYMLINK_NOFOLLOW) == 0 && lstat("sub/la", &st) == 0 &&
		      st.st_atim.tv_sec == 5000000 && st.st_mtim.tv_sec == 6000000 &&
		      st.st_mtim.tv_nsec == 6 && stat("sub/a", &st2) == 0 &&
		      st2.st_mtim.tv_sec == 4000000 && st2.st_atim.tv_sec == 3000000,
	      "utimensat AT_SYMLINK_NOFOLLOW changes the link's times, not the target's",
	      "link mtime %ld target mtime %ld", (long)st.st_mtim.tv_sec,
	      (long)st2.st_mtim.tv_sec);
	fd = open("sub/a", O_RDONLY);
	struct timespec ts4[2] = {{7000000, 0}, {8000000, 0}};
	CHECK(utimensat_(fd, NULL, ts4, 0) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_mtim.tv_sec == 8000000,
	      "utimensat(fd, NULL) changes the fd's file (futimens)", "mtime %ld",
	      (long)st.st_mtim.tv_sec);
	CHECK_ERR(utimensat_(fd, NULL, ts4, AT_SYMLINK_NOFOLLOW), EINVAL,
		  "utimensat(fd, NULL, AT_SYMLINK_NOFOLLOW)");
	CHECK(utimensat(fd, "", ts3, AT_EMPTY_PATH) == 0 && stat("sub/a", &st) == 0 &&
		      st.st_mtim.tv_sec == 6000000,
	      "utimensat AT_EMPTY_PATH", "mtime %ld", (long)st.st_mtim.tv_sec);
	close(fd);
	CHECK_ERR(utimensat_(AT_FDCWD, NULL, ts4, 0), EFAULT, "utimensat(AT_FDCWD, NULL)");
	CHECK_ERR(utimensat_(BADFD, NULL, ts4, 0), EBADF, "utimensat(closed fd, NULL)");
	CHECK_ERR(utimensat(dfd, "a", ts, 0x1), EINVAL, "utimensat with an unknown flag");
	CHECK_ERR(utimensat(dfd, "a", ts, AT_REMOVEDIR), EINVAL, "utimensat with AT_REMOVEDIR");
	struct timespec badns[2] = {{0, 1000000000}, {0, 0}};
	CHECK_ERR(utimensat(dfd, "a", badns, 0), EINVAL, "utimensat with tv_nsec = 1e9");
	struct timespec negns[2] = {{0, 0}, {0, -1}};
	CHECK_ERR(utimensat(dfd, "a", negns, 0), EINVAL, "utimensat with tv_nsec = -1");
	AT_ERRS("utimensat", utimensat(DFD, "file", ts, 0));

	/* linkat */
	CHECK(linkat(AT_FDCWD, "file", AT_FDCWD, "sub/hl1", 0) == 0 &&
		      ino_of("sub/hl1") == fst.st_ino,
	      "linkat(AT_FDCWD, AT_FDCWD)", "failed");
	CHECK(linkat(dfd, "../file", dfd, "hl2", 0) == 0 && ino_of("sub/hl2") == fst.st_ino,
	      "linkat(dirfd, dirfd)", "failed");
	CHECK(linkat(dfd, "l2", dfd, "hl-nofollow", 0) == 0 && S_ISLNK(lmode("sub/hl-nofollow")),
	      "linkat without AT_SYMLINK_FOLLOW links the symlink itself", "mode %o",
	      lmode("sub/hl-nofollow"));
	CHECK(lstat("sub/l2", &st) == 0 && st.st_nlink == 2 && lstat("sub/hl-nofollow", &st2) == 0 &&
		      same_inode(&st, &st2),
	      "... the same symlink inode, now with 2 links", "nlink %lu", (unsigned long)st.st_nlink);
	CHECK(linkat(dfd, "l2", dfd, "hl-follow", AT_SYMLINK_FOLLOW) == 0 &&
		      S_ISREG(lmode("sub/hl-follow")) && ino_of("sub/hl-follow") == fst.st_ino,
	      "linkat AT_SYMLINK_FOLLOW links the target", "mode %o", lmode("sub/hl-follow"));
	CHECK_ERR(linkat(dfd, "dangle", dfd, "hl-d", AT_SYMLINK_FOLLOW), ENOENT,
		  "linkat AT_SYMLINK_FOLLOW of a dangling symlink");
	CHECK(linkat(filefd, "", dfd, "hl-empty", AT_EMPTY_PATH) == 0 &&
		      ino_of("sub/hl-empty") == fst.st_ino,
	      "linkat AT_EMPTY_PATH links the fd's file", "failed");
	CHECK(fstat(filefd, &st) == 0 && st.st_nlink == 5, "file now has 5 links", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK_ERR(linkat(filefd, "", dfd, "hl-x", 0), ENOENT, "linkat \"\" without AT_EMPTY_PATH");
	CHECK_ERR(linkat(dfd, "b", dfd, "a", 0), EEXIST, "linkat over an existing name");
	CHECK_ERR(linkat(AT_FDCWD, "sub", dfd, "hl-dir", 0), EPERM, "linkat of a directory");
	CHECK_ERR(linkat(dfd, "b", dfd, "hl-x", 0x1), EINVAL, "linkat with an unknown flag");
	CHECK_ERR(linkat(dfd, "b", dfd, "hl-x", AT_SYMLINK_NOFOLLOW), EINVAL,
		  "linkat with AT_SYMLINK_NOFOLLOW (not a linkat flag)");
	CHECK(!exists("sub/hl-x"), "the failed linkats made nothing", "hl-x exists");
	AT_ERRS("linkat (old dirfd)", linkat(DFD, "file", dfd, "x", 0));
	AT_ERRS("linkat (new dirfd)", linkat(AT_FDCWD, "file", DFD, "x", 0));

	/* renameat and renameat2 */
	CHECK(renameat(AT_FDCWD, "sub/n-reg", AT_FDCWD, "sub/n-reg2") == 0 &&
		      exists("sub/n-reg2") && !exists("sub/n-reg"),
	      "renameat(AT_FDCWD, AT_FDCWD)", "failed");
	CHECK(renameat(dfd, "n-reg2", AT_FDCWD, "moved") == 0 && exists("moved"),
	      "renameat(dirfd, AT_FDCWD) moves between directories", "failed");
	CHECK(renameat(AT_FDCWD, "moved", dfd, "n-reg") == 0 && exists("sub/n-reg"),
	      "renameat(AT_FDCWD, dirfd)", "failed");
	CHECK(renameat2_(dfd, "n-reg", dfd, "n-reg3", 0) == 0 && exists("sub/n-reg3"),
	      "renameat2(dirfd, dirfd, 0)", "failed");
	CHECK_ERR(renameat2_(dfd, "n-reg3", dfd, "b", RENAME_NOREPLACE), EEXIST,
		  "renameat2 RENAME_NOREPLACE over an existing name");
	CHECK(renameat2_(dfd, "n-reg3", dfd, "n-reg4", RENAME_NOREPLACE) == 0 &&
		      exists("sub/n-reg4"),
	      "renameat2 RENAME_NOREPLACE to a free name", "failed");
	CHECK_ERR(renameat2_(dfd, "n-reg4", dfd, "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL,
		  "renameat2 RENAME_NOREPLACE|RENAME_EXCHANGE");
	CHECK_ERR(renameat2_(dfd, "n-reg4", dfd, "x", 0x80), EINVAL,
		  "renameat2 with an unknown flag");
	CHECK(exists("sub/n-reg4") && exists("sub/b") && !exists("sub/x"),
	      "the failed renames changed nothing", "changed");
	AT_ERRS("renameat (old dirfd)", renameat(DFD, "file", dfd, "x"));
	AT_ERRS("renameat (new dirfd)", renameat(AT_FDCWD, "file", DFD, "x"));
	AT_ERRS("renameat2 (old dirfd)", renameat2_(DFD, "file", dfd, "x", 0));
	AT_ERRS("renameat2 (new dirfd)", renameat2_(AT_FDCWD, "file", DFD, "x", 0));

	/* unlinkat */
	CHECK_ERR(unlinkat(dfd, "b", AT_REMOVEDIR), ENOTDIR, "unlinkat AT_REMOVEDIR of a file");
	CHECK_ERR(unlinkat(dfd, "md1", 0), EISDIR, "unlinkat without AT_REMOVEDIR of a directory");
	CHECK_ERR(unlinkat(dfd, "b", 0x1), EINVAL, "unlinkat with an unknown flag");
	CHECK_ERR(unlinkat(dfd, "b", AT_SYMLINK_NOFOLLOW), EINVAL,
		  "unlinkat with AT_SYMLINK_NOFOLLOW (not an unlinkat flag)");
	CHECK(exists("sub/b") && exists("sub/md1"), "the failed unlinkats removed nothing",
	      "something is gone");
	CHECK(unlinkat(dfd, "md1", AT_REMOVEDIR) == 0 && !exists("sub/md1"),
	      "unlinkat AT_REMOVEDIR of a directory", "failed");
	CHECK(unlinkat(dfd, "b", 0) == 0 && !exists("sub/b"), "unlinkat(dirfd) of a file", "failed");
	CHECK(unlinkat(AT_FDCWD, "sub/a", 0) == 0 && !exists("sub/a"), "unlinkat(AT_FDCWD)",
	      "failed");
	CHECK(unlinkat(dfd, "la", 0) == 0 && !exists("sub/la"),
	      "unlinkat of a dangling symlink removes the link", "failed");
	CHECK_ERR(unlinkat(dfd, "nope", 0), ENOENT, "unlinkat of a missing name");
	CHECK_ERR(unlinkat(dfd, "nope", AT_REMOVEDIR), ENOENT,
		  "unlinkat AT_REMOVEDIR of a missing name");
	AT_ERRS("unlinkat", unlinkat(DFD, "file", 0));
	AT_ERRS("unlinkat AT_REMOVEDIR", unlinkat(DFD, "sub", AT_REMOVEDIR));
	CHECK(exists("file") && exists("sub"), "the bad-dirfd unlinkats removed nothing", "gone");

	close(dfd);
	close(filefd);
	drop_tdir();
	return check_done();
}
