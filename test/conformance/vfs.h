/*
 * Helpers shared by the VFS conformance programs (paths.c, atflags.c, dirs.c, rename.c,
 * fileio.c, devfs.c, openat2.c, tmpfile.c, xattr.c, unix_named.c): a private scratch directory under /tmp, small file helpers and a
 * recursive remove for the cleanup.
 *
 * Inside wvisor the root file system is a tmpfs with /tmp (1777) and the host tree is
 * not visible, so every program works only under its own /tmp/vfs-<name>-<pid>
 * directory (natively that is the host's /tmp). The name contains the pid, so it is only
 * ever printed on "info:" lines.
 */
#ifndef WVISOR_VFS_H
#define WVISOR_VFS_H

#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

static char tdir[256];

/* Creates /tmp/vfs-<name>-<pid> (mode 0755 under umask 022) and makes it the cwd. */
__attribute__((unused)) static void make_tdir(const char *name)
{
	umask(022);
	snprintf(tdir, sizeof tdir, "/tmp/vfs-%s-%d", name, (int)getpid());
	say("info: scratch directory %s\n", tdir);
	REQUIRE(mkdir(tdir, 0755) == 0, "mkdir of the scratch directory under /tmp", "%s", tdir);
	REQUIRE(chdir(tdir) == 0, "chdir into the scratch directory", "%s", tdir);
}

/* Removes path and everything under it (best effort: used for the cleanup only). */
__attribute__((unused)) static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		char sub[PATH_MAX];
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Leaves the scratch directory and removes it; checks that it is gone. */
__attribute__((unused)) static void drop_tdir(void)
{
	struct stat st;
	chdir("/");
	rm_rf(tdir);
	CHECK(lstat(tdir, &st) == -1 && errno == ENOENT, "the scratch directory was removed",
	      "lstat gave %d", errno);
}

/* Creates (or truncates) path with the given content; 0 on success. */
__attribute__((unused)) static int put_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	size_t n = strlen(content);
	ssize_t w = write(fd, content, n);
	int e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)n ? 0 : -1;
}

/* Reads at most n-1 bytes of path into buf, NUL-terminated; the length or -1. */
__attribute__((unused)) static ssize_t get_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	int e = errno;
	close(fd);
	errno = e;
	if (r >= 0)
		buf[r] = 0;
	return r;
}

/* Does path (not followed) exist? */
__attribute__((unused)) static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Same inode (st_dev and st_ino) for two stat buffers. */
__attribute__((unused)) static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The inode number of path (followed), or 0. */
__attribute__((unused)) static ino_t ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* lstat's mode of path, or 0. */
__attribute__((unused)) static mode_t lmode(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* stat's st_nlink of path, or -1. */
__attribute__((unused)) static long nlink_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

#endif
