/* Extended attributes as Linux keeps them on a local file system: set, get (with the size
 * probe and ERANGE), list, remove; XATTR_CREATE and XATTR_REPLACE; empty values; names that
 * are empty, too long, a bare prefix or in an unknown namespace; user names on symlinks and
 * pipes; by path, without following, and by fd (O_PATH fds are EBADF); trusted names for
 * root; attributes follow the inode across rename and hard links. Works only inside
 * /tmp/vfs-xattr-<pid> (see vfs.h); run as root. */
#include "vfs.h"
#include <sys/xattr.h>

/* Whether the NUL-separated list of n bytes holds name. */
static int listed(const char *list, ssize_t n, const char *name)
{
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
		if (strcmp(list + i, name) == 0)
			return 1;
	return 0;
}

int main(void)
{
	make_tdir("xattr");
	REQUIRE(put_file("f", "data") == 0, "create f", "failed");
	char buf[256];

	CHECK(setxattr("f", "user.a", "one", 3, 0) == 0, "setxattr of a user name", "-");
	CHECK(getxattr("f", "user.a", NULL, 0) == 3, "getxattr with size 0 gives the length", "-");
	ssize_t n = getxattr("f", "user.a", buf, sizeof buf);
	CHECK(n == 3 && memcmp(buf, "one", 3) == 0, "getxattr reads the value", "n %zd", n);
	CHECK_ERR(getxattr("f", "user.a", buf, 2), ERANGE, "getxattr into too small a buffer");
	CHECK_ERR(getxattr("f", "user.none", buf, sizeof buf), ENODATA, "getxattr of a missing name");
	CHECK_ERR(setxattr("f", "user.a", "two", 3, XATTR_CREATE), EEXIST, "XATTR_CREATE of an existing name");
	CHECK_ERR(setxattr("f", "user.b", "two", 3, XATTR_REPLACE), ENODATA, "XATTR_REPLACE of a missing name");
	CHECK(setxattr("f", "user.a", "1", 1, XATTR_REPLACE) == 0 && getxattr("f", "user.a", buf, sizeof buf) == 1 && buf[0] == '1',
	      "XATTR_REPLACE changes the value", "-");
	CHECK(setxattr("f", "user.empty", "", 0, XATTR_CREATE) == 0 && getxattr("f", "user.empty", buf, sizeof buf) == 0,
	      "an empty value", "-");

	ssize_t len = listxattr("f", NULL, 0);
	n = listxattr("f", buf, sizeof buf);
	CHECK(n == len && listed(buf, n, "user.a") && listed(buf, n, "user.empty"), "listxattr names both", "n %zd len %zd", n, len);
	CHECK_ERR(listxattr("f", buf, 3), ERANGE, "listxattr into too small a buffer");

	CHECK(removexattr("f", "user.empty") == 0, "removexattr", "-");
	CHECK_ERR(getxattr("f", "user.empty", buf, sizeof buf), ENODATA, "a removed name is gone");
	CHECK_ERR(removexattr("f", "user.empty"), ENODATA, "removexattr of a missing name");

	/* names and flags */
	char longname[300];
	memset(longname, 'x', sizeof longname);
	memcpy(longname, "user.", 5);
	longname[256] = 0;
	CHECK_ERR(setxattr("f", longname, "v", 1, 0), ERANGE, "a name longer than 255 bytes");
	CHECK_ERR(setxattr("f", "", "v", 1, 0), ERANGE, "an empty name");
	CHECK_ERR(setxattr("f", "user.", "v", 1, 0), EINVAL, "a bare \"user.\" prefix");
	CHECK_ERR(setxattr("f", "nonsense.a", "v", 1, 0), EOPNOTSUPP, "an unknown namespace");
	CHECK_ERR(getxattr("f", "nonsense.a", buf, sizeof buf), EOPNOTSUPP, "getxattr in an unknown namespace");
	CHECK_ERR(setxattr("f", "user.a", "v", 1, 4), EINVAL, "unknown setxattr flags");
	static char huge[65537];
	CHECK_ERR(setxattr("f", "user.huge", huge, sizeof huge, 0), E2BIG, "a value over 64 KiB");
	CHECK_ERR(getxattr("missing", "user.a", buf, sizeof buf), ENOENT, "getxattr of a missing file");

	/* symlinks: followed by setxattr, refused to l*xattr for user names */
	REQUIRE(symlink("f", "l") == 0, "symlink", "failed");
	CHECK(getxattr("l", "user.a", buf, sizeof buf) == 1, "getxattr follows a symlink", "-");
	CHECK_ERR(lsetxattr("l", "user.x", "v", 1, 0), EPERM, "lsetxattr of a user name on a symlink");
	CHECK_ERR(lgetxattr("l", "user.a", buf, sizeof buf), ENODATA, "lgetxattr of a user name on a symlink");
	CHECK(llistxattr("l", buf, sizeof buf) == 0, "llistxattr of a symlink is empty", "-");

	/* by fd */
	int fd = open("f", O_RDONLY);
	CHECK(fsetxattr(fd, "user.fd", "x", 1, 0) == 0 && fgetxattr(fd, "user.fd", buf, sizeof buf) == 1, "fsetxattr and fgetxattr", "-");
	n = flistxattr(fd, buf, sizeof buf);
	CHECK(n > 0 && listed(buf, n, "user.fd"), "flistxattr", "n %zd", n);
	CHECK(fremovexattr(fd, "user.fd") == 0, "fremovexattr", "-");
	close(fd);
	int pfd = open("f", O_PATH);
	CHECK_ERR(fgetxattr(pfd, "user.a", buf, sizeof buf), EBADF, "fgetxattr on an O_PATH fd");
	close(pfd);
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	CHECK_ERR(fsetxattr(p[0], "user.a", "v", 1, 0), EPERM, "fsetxattr of a user name on a pipe");
	CHECK_ERR(fgetxattr(p[0], "user.a", buf, sizeof buf), ENODATA, "fgetxattr of a user name on a pipe");
	CHECK(flistxattr(p[0], buf, sizeof buf) == 0, "flistxattr of a pipe is empty", "-");
	close(p[0]);
	close(p[1]);

	/* directories, trusted names, rename and links */
	REQUIRE(mkdir("d", 0755) == 0, "mkdir", "failed");
	CHECK(setxattr("d", "user.dir", "d", 1, 0) == 0 && getxattr("d", "user.dir", buf, sizeof buf) == 1, "a directory's user name", "-");
	CHECK(setxattr("f", "trusted.t", "t", 1, 0) == 0, "root sets a trusted name", "-");
	n = listxattr("f", buf, sizeof buf);
	CHECK(n > 0 && listed(buf, n, "trusted.t"), "and root lists it", "-");
	CHECK(rename("f", "d/g") == 0 && getxattr("d/g", "user.a", buf, sizeof buf) == 1, "attributes move with a rename", "-");
	CHECK(link("d/g", "h") == 0 && getxattr("h", "trusted.t", buf, sizeof buf) == 1, "a hard link shares them", "-");

	drop_tdir();
	return check_done();
}
