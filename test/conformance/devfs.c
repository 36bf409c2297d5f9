/*
 * devfs: the device files every Linux system has. /dev/null (reads EOF, swallows writes),
 * /dev/zero (reads zeroes), /dev/full (writes ENOSPC, reads zeroes), /dev/random and
 * /dev/urandom (random bytes); their types, modes and device numbers in stat and statx;
 * what open flags do to them; /dev listed by getdents64 with DT_CHR; /dev and /dev/shm
 * are directories on their own file systems, and /dev/shm takes files.
 * /dev/tty depends on whether there is a controlling terminal: info only.
 */
#include "vfs.h"
#include <stddef.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

static unsigned char buf[65536];

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static const struct {
	const char *path;
	unsigned maj, min;
} devs[] = {
	{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
	{"/dev/random", 1, 8}, {"/dev/urandom", 1, 9},
};

int main(void)
{
	struct stat st, st2;
	char what[128];

	/* types, modes and device numbers */
	for (unsigned i = 0; i < sizeof devs / sizeof devs[0]; i++) {
		memset(&st, 0, sizeof st);
		snprintf(what, sizeof what, "%s is a character device %u:%u with mode 0666",
			 devs[i].path, devs[i].maj, devs[i].min);
		CHECK(stat(devs[i].path, &st) == 0 && S_ISCHR(st.st_mode) &&
			      (st.st_mode & 07777) == 0666 && major(st.st_rdev) == devs[i].maj &&
			      minor(st.st_rdev) == devs[i].min,
		      what, "mode %o rdev %u:%u", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
		struct statx stx;
		memset(&stx, 0, sizeof stx);
		snprintf(what, sizeof what, "statx of %s: S_IFCHR, rdev %u:%u", devs[i].path,
			 devs[i].maj, devs[i].min);
		CHECK(syscall(SYS_statx, AT_FDCWD, devs[i].path, 0, STATX_BASIC_STATS, &stx) == 0 &&
			      S_ISCHR(stx.stx_mode) && stx.stx_rdev_major == devs[i].maj &&
			      stx.stx_rdev_minor == devs[i].min,
		      what, "mode %o rdev %u:%u", stx.stx_mode, stx.stx_rdev_major,
		      stx.stx_rdev_minor);
		int fd = open(devs[i].path, O_RDONLY);
		snprintf(what, sizeof what, "fstat of an open %s agrees with stat", devs[i].path);
		CHECK(fd >= 0 && fstat(fd, &st2) == 0 && same_inode(&st, &st2) &&
			      st2.st_rdev == st.st_rdev && st2.st_size == 0,
		      what, "failed");
		close(fd);
		snprintf(what, sizeof what, "access(%s, R_OK|W_OK)", devs[i].path);
		CHECK(access(devs[i].path, R_OK | W_OK) == 0, what, "failed");
	}

	/* /dev/null */
	int null = open("/dev/null", O_RDWR);
	REQUIRE(null >= 0, "open /dev/null O_RDWR", "failed");
	CHECK(read(null, buf, sizeof buf) == 0, "read of /dev/null is EOF", "failed");
	CHECK(write(null, buf, sizeof buf) == (ssize_t)sizeof buf,
	      "write of 64 KiB to /dev/null returns 64 KiB", "failed");
	CHECK(pwrite(null, buf, 10, 12345) == 10 && pread(null, buf, 10, 5) == 0,
	      "pwrite and pread of /dev/null", "failed");
	CHECK(lseek(null, 100, SEEK_SET) == 0 && lseek(null, 0, SEEK_END) == 0,
	      "lseek of /dev/null returns 0", "failed");
	struct iovec iov[2] = {{buf, 5}, {buf + 5, 7}};
	CHECK(writev(null, iov, 2) == 12, "writev to /dev/null", "failed");
	close(null);
	int nt = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(nt >= 0 && stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode),
	      "O_CREAT|O_TRUNC on /dev/null opens the device", "failed");
	close(nt);
	CHECK_ERR(open("/dev/null", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		  "O_CREAT|O_EXCL on /dev/null");
	CHECK_ERR(open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on /dev/null");
	CHECK_ERR(open("/dev/null/", O_RDONLY), ENOTDIR, "/dev/null with a trailing slash");
	CHECK_ERR(open("/dev/nonexistent-device", O_RDONLY), ENOENT, "a missing name in /dev");
	char lb[16];
	CHECK_ERR(readlink("/dev/null", lb, sizeof lb), EINVAL, "readlink of /dev/null");

	/* /dev/zero */
	int zero = open("/dev/zero", O_RDWR);
	REQUIRE(zero >= 0, "open /dev/zero", "failed");
	memset(buf, 0xAA, sizeof buf);
	CHECK(read(zero, buf, sizeof buf) == (ssize_t)sizeof buf && all_zero(buf, sizeof buf),
	      "a 64 KiB read of /dev/zero gives 64 KiB of zeroes", "failed");
	memset(buf, 0xAA, sizeof buf);
	CHECK(pread(zero, buf + 1, 4097, 99) == 4097 && all_zero(buf + 1, 4097) && buf[0] == 0xAA &&
		      buf[4098] == 0xAA,
	      "an unaligned pread of /dev/zero fills exactly the bytes asked", "failed");
	CHECK(write(zero, "abc", 3) == 3, "write to /dev/zero returns its count", "failed");
	CHECK(lseek(zero, 4096, SEEK_SET) == 0, "lseek of /dev/zero returns 0", "failed");
	close(zero);

	/* /dev/full */
	int full = open("/dev/full", O_RDWR);
	REQUIRE(full >= 0, "open /dev/full", "failed");
	CHECK_ERR(write(full, "x", 1), ENOSPC, "write to /dev/full");
	CHECK_ERR(pwrite(full, "x", 1, 0), ENOSPC, "pwrite to /dev/full");
	CHECK_ERR(write(full, "", 0), ENOSPC, "even a 0-byte write to /dev/full");
	memset(buf, 0xAA, 4096);
	CHECK(read(full, buf, 4096) == 4096 && all_zero(buf, 4096), "read of /dev/full gives zeroes",
	      "failed");
	close(full);

	/* /dev/urandom and /dev/random */
	int ur = open("/dev/urandom", O_RDONLY);
	REQUIRE(ur >= 0, "open /dev/urandom", "failed");
	unsigned char r1[32], r2[32];
	memset(r1, 0, sizeof r1);
	memset(r2, 0, sizeof r2);
	CHECK(read(ur, r1, 32) == 32 && read(ur, r2, 32) == 32,
	      "two 32-byte reads of /dev/urandom", "failed");
	CHECK(memcmp(r1, r2, 32) != 0, "they differ", "same bytes");
	CHECK(!all_zero(r1, 32) && !all_zero(r2, 32), "and are not all zero", "zeroes");
	CHECK(read(ur, buf, sizeof buf) == (ssize_t)sizeof buf, "a 64 KiB read of /dev/urandom",
	      "failed");
	int nz = 0;
	for (size_t i = 0; i < sizeof buf; i++)
		nz += buf[i] == 0;
	CHECK(nz < 1000, "64 KiB of /dev/urandom has about 1/256 zero bytes", "%d zero bytes", nz);
	close(ur);
	ur = open("/dev/urandom", O_WRONLY);
	CHECK(ur >= 0 && write(ur, "seed", 4) == 4, "write to /dev/urandom is accepted", "failed");
	close(ur);
	int rnd = open("/dev/random", O_RDONLY | O_NONBLOCK);
	CHECK(rnd >= 0 && read(rnd, r1, 32) == 32, "a non-blocking read of 32 bytes of /dev/random",
	      "failed");
	close(rnd);

	/* /dev itself */
	struct stat sdev, stmp, sshm;
	CHECK(stat("/dev", &sdev) == 0 && S_ISDIR(sdev.st_mode), "/dev is a directory", "failed");
	CHECK(stat("/tmp", &stmp) == 0 && stmp.st_dev != sdev.st_dev,
	      "/dev is a different file system from /tmp", "same st_dev");
	CHECK(stat("/dev/null", &st) == 0 && st.st_dev == sdev.st_dev,
	      "/dev/null is on /dev's file system", "st_dev differs");
	CHECK(stat("/dev/shm", &sshm) == 0 && S_ISDIR(sshm.st_mode) && sshm.st_dev != sdev.st_dev,
	      "/dev/shm is a directory on its own file system", "failed");
	say("info: /dev mode %o, /dev/shm mode %o\n", sdev.st_mode, sshm.st_mode);
	CHECK(stat("/dev/..", &st) == 0 && stat("/", &st2) == 0 && same_inode(&st, &st2),
	      "\"/dev/..\" is \"/\"", "failed");
	CHECK(stat("/dev/shm/..", &st) == 0 && same_inode(&st, &sdev), "\"/dev/shm/..\" is /dev",
	      "failed");

	int dfd = open("/dev", O_RDONLY | O_DIRECTORY);
	REQUIRE(dfd >= 0, "open /dev", "failed");
	int found = 0, dots = 0, badtype = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (long pos = 0; pos < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + pos);
			for (unsigned i = 0; i < sizeof devs / sizeof devs[0]; i++)
				if (strcmp(d->d_name, devs[i].path + 5) == 0) {
					found++;
					if (d->d_type != DT_CHR)
						badtype++;
				}
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				dots++;
			pos += d->d_reclen;
		}
	}
	CHECK(found == 5 && badtype == 0 && dots == 2,
	      "getdents64 of /dev lists null, zero, full, random, urandom with DT_CHR, . and ..",
	      "found %d badtype %d dots %d", found, badtype, dots);
	struct stat sd;
	CHECK(fstatat(dfd, "null", &sd, 0) == 0 && S_ISCHR(sd.st_mode),
	      "/dev as a dirfd", "failed");
	close(dfd);

	/* /dev/shm takes files */
	char shm[128];
	snprintf(shm, sizeof shm, "/dev/shm/vfs-devfs-%d", (int)getpid());
	int sfd = open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
	char sbuf[8] = {0};
	CHECK(sfd >= 0 && write(sfd, "shm", 3) == 3 && pread(sfd, sbuf, 8, 0) == 3 &&
		      strcmp(sbuf, "shm") == 0,
	      "a file in /dev/shm can be written and read", "failed");
	CHECK(fstat(sfd, &st) == 0 && st.st_dev == sshm.st_dev, "it is on /dev/shm's file system",
	      "failed");
	CHECK(link(shm, "/tmp/vfs-devfs-cross") == -1 && errno == EXDEV,
	      "link from /dev/shm to /tmp is EXDEV", "errno %d", errno);
	CHECK(rename(shm, "/tmp/vfs-devfs-cross") == -1 && errno == EXDEV,
	      "rename from /dev/shm to /tmp is EXDEV", "errno %d", errno);
	close(sfd);
	CHECK(unlink(shm) == 0, "and removed", "failed");

	/* /dev/tty: ENXIO without a controlling terminal */
	int tty = open("/dev/tty", O_RDWR);
	say("info: open(/dev/tty) = %d, errno %d (%s)\n", tty, tty < 0 ? errno : 0,
	    tty < 0 ? strerror(errno) : "ok");
	if (tty >= 0)
		close(tty);

	return check_done();
}
