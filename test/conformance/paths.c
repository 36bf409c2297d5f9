/*
 * paths: path resolution. Absolute, relative and dirfd-relative paths; ".", ".." (and
 * ".." at "/" staying at "/"); repeated and trailing slashes; symlinks in the middle of a
 * path, to absolute targets, relative to the link's own directory, and followed
 * physically by ".."; symlink loops and the limit of 40 nested follows (ELOOP);
 * ENAMETOOLONG for a 256-byte component and a 4096-byte path; the empty path; AT_EMPTY_PATH;
 * O_NOFOLLOW, O_DIRECTORY, O_PATH; getcwd after chdir through a symlink; fchdir.
 *
 * Works only inside /tmp/vfs-paths-<pid> (see vfs.h).
 */
#include "vfs.h"

#define MAXSYMLINKS 40

static char big[8192];

int main(void)
{
	struct stat st, st2;
	char buf[PATH_MAX + 16], want[PATH_MAX];

	make_tdir("paths");

	/* the scratch tree: f (file "F"), d/ (dir) with d/marker and d/e/ */
	REQUIRE(put_file("f", "F") == 0, "create f", "failed");
	REQUIRE(mkdir("d", 0755) == 0 && mkdir("d/e", 0755) == 0, "mkdir d and d/e", "failed");
	REQUIRE(put_file("d/marker", "M") == 0, "create d/marker", "failed");

	/* /tmp itself */
	CHECK(stat("/tmp", &st) == 0 && st.st_mode == (S_IFDIR | 01777),
	      "/tmp is a directory with mode 1777", "mode %o", st.st_mode);

	/* absolute, relative and dirfd-relative resolution reach the same inode */
	snprintf(want, sizeof want, "%s/f", tdir);
	CHECK(stat(want, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1,
	      "stat of an absolute path", "failed");
	CHECK(stat("f", &st2) == 0 && same_inode(&st, &st2), "stat of a relative path (from the cwd)",
	      "failed or another inode");
	int dfd = open(tdir, O_RDONLY | O_DIRECTORY);
	REQUIRE(dfd >= 0, "open the scratch directory O_DIRECTORY", "failed");
	CHECK(fstatat(dfd, "f", &st2, 0) == 0 && same_inode(&st, &st2),
	      "fstatat relative to a dirfd", "failed or another inode");
	int dd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK(fstatat(dd, "../f", &st2, 0) == 0 && same_inode(&st, &st2),
	      "fstatat \"../f\" relative to a dirfd", "failed or another inode");
	CHECK(fstatat(dd, want, &st2, 0) == 0 && same_inode(&st, &st2),
	      "an absolute path ignores the dirfd", "failed or another inode");
	CHECK(fstatat(-1 /* not AT_FDCWD */, want, &st2, 0) == 0,
	      "an absolute path ignores even an invalid dirfd", "failed");

	/* "." and ".." */
	CHECK(stat("./f", &st2) == 0 && same_inode(&st, &st2), "\"./f\"", "failed");
	CHECK(stat("././/./f", &st2) == 0 && same_inode(&st, &st2), "\"././/./f\"", "failed");
	CHECK(stat("d/../f", &st2) == 0 && same_inode(&st, &st2), "\"d/../f\"", "failed");
	CHECK(stat("d/./e/../../d/e/../../f", &st2) == 0 && same_inode(&st, &st2),
	      "\"d/./e/../../d/e/../../f\"", "failed");
	snprintf(buf, sizeof buf, "%s//d///..//f", tdir);
	CHECK(stat(buf, &st2) == 0 && same_inode(&st, &st2), "repeated slashes are one slash",
	      "failed");
	CHECK(stat(".", &st2) == 0 && fstat(dfd, &st) == 0 && same_inode(&st, &st2),
	      "\".\" is the cwd", "failed");
	CHECK_ERR(stat("f/..", &st2), ENOTDIR, "\"..\" after a regular file");
	CHECK_ERR(stat("f/.", &st2), ENOTDIR, "\".\" after a regular file");
	CHECK_ERR(stat("nope/..", &st2), ENOENT, "\"..\" after a missing name");

	/* ".." at the root stays at the root */
	struct stat root;
	REQUIRE(stat("/", &root) == 0, "stat \"/\"", "failed");
	CHECK(stat("/..", &st2) == 0 && same_inode(&root, &st2), "\"/..\" is \"/\"", "another inode");
	CHECK(stat("/../../..", &st2) == 0 && same_inode(&root, &st2), "\"/../../..\" is \"/\"",
	      "another inode");
	CHECK(stat("/../tmp", &st2) == 0 && stat("/tmp", &st) == 0 && same_inode(&st, &st2),
	      "\"/../tmp\" is \"/tmp\"", "another inode");
	CHECK(chdir("/") == 0 && chdir("..") == 0 && chdir("../..") == 0 &&
		      getcwd(buf, sizeof buf) != NULL && strcmp(buf, "/") == 0,
	      "chdir(\"..\") at \"/\" stays at \"/\"", "cwd \"%s\"", buf);
	CHECK(stat(".", &st2) == 0 && same_inode(&root, &st2), "and \".\" there is \"/\"",
	      "another inode");
	REQUIRE(chdir(tdir) == 0, "chdir back into the scratch directory", "failed");

	/* trailing slashes */
	CHECK_ERR(stat("f/", &st2), ENOTDIR, "stat of a file with a trailing slash");
	CHECK_ERR(lstat("f/", &st2), ENOTDIR, "lstat of a file with a trailing slash");
	CHECK_ERR(open("f/", O_RDONLY), ENOTDIR, "open of a file with a trailing slash");
	CHECK_ERR(access("f/", F_OK), ENOTDIR, "access of a file with a trailing slash");
	CHECK_ERR(unlink("f/"), ENOTDIR, "unlink of a file with a trailing slash");
	CHECK(exists("f"), "the failed unlink left f", "gone");
	CHECK_ERR(open("newf/", O_WRONLY | O_CREAT, 0644), EISDIR,
		  "O_CREAT of a new name with a trailing slash");
	CHECK(!exists("newf"), "the failed O_CREAT created nothing", "newf exists");
	CHECK_ERR(open("f/", O_WRONLY | O_CREAT, 0644), EISDIR,
		  "O_CREAT of an existing file with a trailing slash");
	CHECK(mkdir("d2/", 0755) == 0, "mkdir \"d2/\" (trailing slash) works", "failed");
	CHECK(stat("d2", &st2) == 0 && S_ISDIR(st2.st_mode), "and made the directory d2", "failed");
	CHECK(stat("d2/", &st2) == 0 && stat("d2//", &st2) == 0 && S_ISDIR(st2.st_mode),
	      "stat of a directory with trailing slashes", "failed");
	CHECK(open("d2/", O_RDONLY) >= 0, "open of a directory with a trailing slash", "failed");
	CHECK(rmdir("d2//") == 0 && !exists("d2"), "rmdir \"d2//\" works", "failed");
	CHECK_ERR(unlink("nope/"), ENOENT, "unlink of a missing name with a trailing slash");
	CHECK_ERR(mknod("fifo/", S_IFIFO | 0644, 0), ENOENT, "mknod of a name with a trailing slash");
	CHECK_ERR(symlink("f", "sl/"), ENOENT, "symlink at a name with a trailing slash");
	CHECK_ERR(link("f", "hl/"), ENOENT, "link to a name with a trailing slash");
	CHECK_ERR(link("f/", "hl"), ENOTDIR, "link from a file with a trailing slash");

	/* symlinks in paths */
	REQUIRE(symlink("d", "ld") == 0, "symlink ld -> d", "failed");
	REQUIRE(symlink(tdir, "labs") == 0, "symlink labs -> the scratch dir (absolute)", "failed");
	REQUIRE(symlink("f", "lf") == 0, "symlink lf -> f", "failed");
	REQUIRE(symlink("../f", "d/up") == 0, "symlink d/up -> ../f", "failed");
	REQUIRE(symlink("d/e", "deep") == 0, "symlink deep -> d/e", "failed");
	REQUIRE(symlink("/", "lroot") == 0, "symlink lroot -> /", "failed");
	REQUIRE(symlink("missing", "dangle") == 0, "symlink dangle -> missing", "failed");
	ino_t fino = ino_of("f"), mino = ino_of("d/marker");
	CHECK(ino_of("ld/marker") == mino, "a directory symlink in the middle of a path is followed",
	      "failed");
	CHECK(ino_of("labs/ld/marker") == mino, "two symlinks in a path, the first absolute",
	      "failed");
	CHECK(ino_of("lf") == fino, "stat follows a final symlink", "failed");
	CHECK(S_ISLNK(lmode("lf")), "lstat does not follow a final symlink", "mode %o", lmode("lf"));
	CHECK(S_ISREG(lmode("ld/marker")), "lstat follows symlinks in the middle", "mode %o",
	      lmode("ld/marker"));
	CHECK(ino_of("d/up") == fino, "a relative target is relative to the link's directory",
	      "failed");
	CHECK(ino_of("ld/up") == fino, "... also when the link is reached through a symlink",
	      "failed");
	CHECK(ino_of("deep/../marker") == mino, "\"..\" after a symlink is the target's parent",
	      "failed");
	CHECK(stat("deep/../f", &st2) == -1 && errno == ENOENT,
	      "\"..\" after a symlink is not the link's parent", "errno %d", errno);
	CHECK(ino_of("lroot/tmp") == ino_of("/tmp"), "a symlink to \"/\" in the middle", "failed");
	CHECK(ino_of("lroot/..") == root.st_ino, "\"..\" after a symlink to \"/\" is \"/\"",
	      "failed");
	CHECK(fstatat(dd, "../labs/f", &st2, 0) == 0 && st2.st_ino == fino,
	      "an absolute symlink reached from a dirfd", "failed");
	CHECK(S_ISDIR(lmode("ld/")), "lstat with a trailing slash follows a directory symlink",
	      "mode %o", lmode("ld/"));
	CHECK_ERR(stat("lf/", &st2), ENOTDIR, "stat of a file symlink with a trailing slash");
	CHECK_ERR(unlink("ld/"), ENOTDIR, "unlink of a directory symlink with a trailing slash");
	CHECK_ERR(rmdir("ld"), ENOTDIR, "rmdir of a directory symlink");
	CHECK(S_ISLNK(lmode("ld")), "the failed unlink and rmdir left the link", "gone");
	CHECK_ERR(stat("dangle", &st2), ENOENT, "stat of a dangling symlink");
	CHECK(S_ISLNK(lmode("dangle")), "lstat of a dangling symlink", "mode %o", lmode("dangle"));
	CHECK_ERR(open("dangle", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		  "O_CREAT|O_EXCL on a dangling symlink");
	CHECK(!exists("missing"), "... created nothing", "missing exists");
	int cfd = open("dangle", O_WRONLY | O_CREAT, 0644);
	CHECK(cfd >= 0 && S_ISREG(lmode("missing")) && S_ISLNK(lmode("dangle")),
	      "O_CREAT through a dangling symlink creates its target", "failed");
	close(cfd);
	CHECK(readlink("labs", buf, sizeof buf) == (ssize_t)strlen(tdir) &&
		      memcmp(buf, tdir, strlen(tdir)) == 0,
	      "readlink of an absolute symlink", "failed");
	CHECK(readlink("ld/up", buf, sizeof buf) == 4 && memcmp(buf, "../f", 4) == 0,
	      "readlink follows symlinks in the middle", "failed");

	/* symlink loops */
	REQUIRE(symlink("b", "a") == 0 && symlink("a", "b") == 0, "symlinks a -> b -> a", "failed");
	REQUIRE(symlink("self", "self") == 0, "symlink self -> self", "failed");
	CHECK_ERR(stat("a", &st2), ELOOP, "stat of a loop a -> b -> a");
	CHECK_ERR(open("a", O_RDONLY), ELOOP, "open of a loop");
	CHECK_ERR(open("a", O_WRONLY | O_CREAT, 0644), ELOOP, "O_CREAT through a loop");
	CHECK_ERR(stat("self", &st2), ELOOP, "stat of a symlink to itself");
	CHECK_ERR(stat("a/x", &st2), ELOOP, "a loop in the middle of a path");
	CHECK_ERR(chdir("a"), ELOOP, "chdir into a loop");
	CHECK(S_ISLNK(lmode("a")), "lstat of a loop member works", "failed");

	/* a chain: k0 is a file, k<i> -> k<i-1>; stat("k<n>") follows n links */
	REQUIRE(put_file("k0", "K") == 0, "create k0", "failed");
	int made = 1;
	for (int i = 1; i <= MAXSYMLINKS + 1; i++) {
		char from[16], to[16];
		snprintf(from, sizeof from, "k%d", i);
		snprintf(to, sizeof to, "k%d", i - 1);
		made &= symlink(to, from) == 0;
	}
	REQUIRE(made, "a chain of 41 symlinks", "failed");
	ino_t k0 = ino_of("k0");
	CHECK(ino_of("k40") == k0, "a chain of 40 symlinks resolves", "errno %d", errno);
	CHECK_ERR(stat("k41", &st2), ELOOP, "a chain of 41 symlinks gives ELOOP");
	CHECK_ERR(open("k41", O_RDONLY), ELOOP, "open of a chain of 41 symlinks");
	CHECK(S_ISLNK(lmode("k41")), "lstat of the 41st link works", "failed");
	CHECK(readlink("k41", buf, sizeof buf) == 3, "readlink of the 41st link works", "failed");
	/* the count is per lookup, over all the links on the path */
	REQUIRE(mkdir("kd", 0755) == 0 && symlink("kd", "j1") == 0 && symlink("j1", "j2") == 0,
		"dir symlinks j2 -> j1 -> kd", "failed");
	REQUIRE(symlink("../k38", "kd/t") == 0, "symlink kd/t -> ../k38", "failed");
	CHECK_ERR(stat("j2/t", &st2), ELOOP, "2 + 1 + 38 = 41 links on one path give ELOOP");
	CHECK(ino_of("j1/t") == k0, "1 + 1 + 38 = 40 links on one path resolve", "errno %d", errno);

	/* ENAMETOOLONG */
	memset(big, 'n', 256);
	big[256] = 0;
	CHECK_ERR(stat(big, &st2), ENAMETOOLONG, "stat of a 256-byte component");
	CHECK_ERR(mkdir(big, 0755), ENAMETOOLONG, "mkdir of a 256-byte component");
	CHECK_ERR(open(big, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG, "O_CREAT of a 256-byte name");
	big[255] = 0;
	CHECK_ERR(stat(big, &st2), ENOENT, "a 255-byte component is allowed (ENOENT)");
	int lfd = open(big, O_WRONLY | O_CREAT, 0644);
	CHECK(lfd >= 0, "a file with a 255-byte name can be created", "failed");
	close(lfd);
	CHECK(unlink(big) == 0, "and removed", "failed");
	memcpy(big, "d/", 2);
	memset(big + 2, 'n', 256);
	big[258] = 0;
	CHECK_ERR(stat(big, &st2), ENAMETOOLONG, "a 256-byte component after a directory");
	/* a path of 4095 bytes that resolves, and one of 4096 */
	strcpy(big, "/tmp");
	size_t n = 4;
	while (n + 2 <= 4094) {
		memcpy(big + n, "/.", 2);
		n += 2;
	}
	big[n++] = '/';
	big[n] = 0;
	CHECK(n == 4095 && stat(big, &st2) == 0 && S_ISDIR(st2.st_mode),
	      "a 4095-byte path resolves", "len %zu errno %d", n, errno);
	big[n++] = '.';
	big[n] = 0;
	CHECK_ERR(stat(big, &st2), ENAMETOOLONG, "a 4096-byte path");
	CHECK_ERR(open(big, O_RDONLY), ENAMETOOLONG, "open of a 4096-byte path");
	CHECK_ERR(chdir(big), ENAMETOOLONG, "chdir to a 4096-byte path");
	memset(big, 'x', 4096);
	big[4096] = 0;
	CHECK_ERR(symlink(big, "longtarget"), ENAMETOOLONG, "symlink with a 4096-byte target");
	big[4095] = 0;
	CHECK(symlink(big, "longtarget") == 0, "symlink with a 4095-byte target", "failed");
	CHECK(readlink("longtarget", buf, sizeof buf) == 4095 && memcmp(buf, big, 4095) == 0,
	      "readlink gives the 4095-byte target back", "failed");
	CHECK_ERR(stat("longtarget", &st2), ENAMETOOLONG,
		  "following a link to a 4095-byte component");

	/* the empty path */
	CHECK_ERR(stat("", &st2), ENOENT, "stat(\"\")");
	CHECK_ERR(lstat("", &st2), ENOENT, "lstat(\"\")");
	CHECK_ERR(open("", O_RDONLY), ENOENT, "open(\"\")");
	CHECK_ERR(open("", O_WRONLY | O_CREAT, 0644), ENOENT, "open(\"\", O_CREAT)");
	CHECK_ERR(mkdir("", 0755), ENOENT, "mkdir(\"\")");
	CHECK_ERR(unlink(""), ENOENT, "unlink(\"\")");
	CHECK_ERR(rmdir(""), ENOENT, "rmdir(\"\")");
	CHECK_ERR(chdir(""), ENOENT, "chdir(\"\")");
	CHECK_ERR(access("", F_OK), ENOENT, "access(\"\")");
	CHECK_ERR(readlink("", buf, sizeof buf), ENOENT, "readlink(\"\")");
	CHECK_ERR(symlink("", "emptytarget"), ENOENT, "symlink with an empty target");
	CHECK_ERR(fstatat(dfd, "", &st2, 0), ENOENT, "fstatat(dirfd, \"\") without AT_EMPTY_PATH");

	/* AT_EMPTY_PATH */
	int ffd = open("f", O_RDONLY);
	CHECK(fstatat(ffd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == fino,
	      "fstatat(fd, \"\", AT_EMPTY_PATH) is fstat", "failed");
	CHECK(fstatat(AT_FDCWD, "", &st2, AT_EMPTY_PATH) == 0 && fstat(dfd, &st) == 0 &&
		      same_inode(&st, &st2),
	      "fstatat(AT_FDCWD, \"\", AT_EMPTY_PATH) is the cwd", "failed");
	CHECK(fstatat(ffd, "ignored-name", &st2, AT_EMPTY_PATH) == -1 && errno == ENOTDIR,
	      "AT_EMPTY_PATH with a non-empty path resolves it (ENOTDIR from a file)", "errno %d",
	      errno);

	/* O_NOFOLLOW and O_DIRECTORY */
	CHECK_ERR(open("lf", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink");
	CHECK_ERR(open("ld", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR,
		  "O_NOFOLLOW|O_DIRECTORY on a directory symlink");
	CHECK_ERR(open("lf", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644), ELOOP,
		  "O_CREAT|O_NOFOLLOW on a symlink");
	int nf = open("ld/marker", O_RDONLY | O_NOFOLLOW);
	CHECK(nf >= 0, "O_NOFOLLOW follows symlinks in the middle of the path", "failed");
	close(nf);
	CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file");
	CHECK_ERR(open("lf", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file symlink");
	int od = open("ld", O_RDONLY | O_DIRECTORY);
	CHECK(od >= 0 && fstat(od, &st2) == 0 && S_ISDIR(st2.st_mode),
	      "O_DIRECTORY on a directory symlink opens the directory", "failed");
	close(od);

	/* O_PATH */
	int pf = open("f", O_PATH);
	REQUIRE(pf >= 0, "open O_PATH of a file", "failed");
	CHECK_ERR(read(pf, buf, 1), EBADF, "read of an O_PATH fd");
	CHECK_ERR(write(pf, "x", 1), EBADF, "write of an O_PATH fd");
	CHECK_ERR(pread(pf, buf, 1, 0), EBADF, "pread of an O_PATH fd");
	CHECK_ERR(lseek(pf, 0, SEEK_SET), EBADF, "lseek of an O_PATH fd");
	CHECK_ERR(fchmod(pf, 0600), EBADF, "fchmod of an O_PATH fd");
	CHECK_ERR(fchown(pf, 0, 0), EBADF, "fchown of an O_PATH fd");
	CHECK_ERR(ftruncate(pf, 0), EBADF, "ftruncate of an O_PATH fd");
	CHECK_ERR(fsync(pf), EBADF, "fsync of an O_PATH fd");
	CHECK(fstat(pf, &st2) == 0 && st2.st_ino == fino && S_ISREG(st2.st_mode),
	      "fstat of an O_PATH fd", "failed");
	CHECK((fcntl(pf, F_GETFL) & O_PATH) == O_PATH, "F_GETFL shows O_PATH", "flags %#x",
	      fcntl(pf, F_GETFL));
	int pd2 = dup(pf);
	CHECK(pd2 >= 0 && fstat(pd2, &st2) == 0 && st2.st_ino == fino, "dup of an O_PATH fd",
	      "failed");
	close(pd2);
	CHECK(close(pf) == 0, "close of an O_PATH fd", "failed");
	int pd = open("d", O_PATH | O_DIRECTORY);
	REQUIRE(pd >= 0, "open O_PATH|O_DIRECTORY of a directory", "failed");
	CHECK(fstatat(pd, "marker", &st2, 0) == 0 && st2.st_ino == mino,
	      "an O_PATH directory fd works as a dirfd", "failed");
	int viap = openat(pd, "marker", O_RDONLY);
	CHECK(viap >= 0 && read(viap, buf, 2) == 1 && buf[0] == 'M',
	      "openat relative to an O_PATH dirfd reads the file", "failed");
	close(viap);
	char dents[512];
	CHECK_ERR(syscall(SYS_getdents64, pd, dents, sizeof dents), EBADF,
		  "getdents64 of an O_PATH directory fd");
	CHECK(fchdir(pd) == 0 && getcwd(buf, sizeof buf) && strcmp(buf + strlen(tdir), "/d") == 0 &&
		      strncmp(buf, tdir, strlen(tdir)) == 0,
	      "fchdir to an O_PATH directory fd", "cwd \"%s\"", buf);
	REQUIRE(chdir(tdir) == 0, "chdir back into the scratch directory", "failed");
	int pl = open("lf", O_PATH | O_NOFOLLOW);
	CHECK(pl >= 0 && fstat(pl, &st2) == 0 && S_ISLNK(st2.st_mode),
	      "O_PATH|O_NOFOLLOW on a symlink opens the link itself", "failed");
	CHECK(readlinkat(pl, "", buf, sizeof buf) == 1 && buf[0] == 'f',
	      "readlinkat(O_PATH symlink fd, \"\") reads the link", "failed");
	CHECK(fstatat(pl, "", &st2, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISLNK(st2.st_mode),
	      "fstatat AT_EMPTY_PATH of an O_PATH symlink fd", "failed");
	close(pl);
	CHECK_ERR(readlinkat(ffd, "", buf, sizeof buf), ENOENT,
		  "readlinkat(regular fd, \"\") is ENOENT");
	CHECK_ERR(readlink("f", buf, sizeof buf), EINVAL, "readlink of a regular file");
	CHECK_ERR(readlink("lf", buf, 0), EINVAL, "readlink with a zero-size buffer");
	CHECK(readlink("labs", buf, 3) == 3 && memcmp(buf, tdir, 3) == 0,
	      "readlink truncates to the buffer size", "failed");

	/* getcwd, chdir and fchdir */
	CHECK(chdir("ld") == 0 && getcwd(buf, sizeof buf) != NULL,
	      "chdir into a directory symlink", "failed");
	snprintf(want, sizeof want, "%s/d", tdir);
	CHECK(strcmp(buf, want) == 0, "getcwd shows the real path, not the symlink",
	      "got \"%s\" (want the scratch dir + \"/d\")", buf);
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, tdir) == 0,
	      "chdir(\"..\") from there goes to the real parent", "got \"%s\"", buf);
	CHECK(chdir("deep") == 0 && chdir("..") == 0 && getcwd(buf, sizeof buf) &&
		      strcmp(buf, want) == 0,
	      "chdir(\"deep\") then \"..\" is d (physical)", "got \"%s\"", buf);
	CHECK(fchdir(dfd) == 0 && getcwd(buf, sizeof buf) && strcmp(buf, tdir) == 0,
	      "fchdir back to the scratch directory", "got \"%s\"", buf);
	CHECK_ERR(fchdir(ffd), ENOTDIR, "fchdir to a file");
	CHECK_ERR(fchdir(987), EBADF, "fchdir to a closed fd");
	CHECK_ERR(chdir("f"), ENOTDIR, "chdir to a file");
	CHECK_ERR(chdir("lf"), ENOTDIR, "chdir to a file symlink");
	CHECK_ERR(chdir("nope"), ENOENT, "chdir to a missing name");
	long glen = syscall(SYS_getcwd, buf, sizeof buf);
	CHECK(glen == (long)strlen(tdir) + 1 && strcmp(buf, tdir) == 0,
	      "the getcwd syscall returns the length with the NUL", "got %ld", glen);
	CHECK_ERR(syscall(SYS_getcwd, buf, strlen(tdir)), ERANGE,
		  "getcwd with a buffer one byte short");
	CHECK(syscall(SYS_getcwd, buf, strlen(tdir) + 1) == (long)strlen(tdir) + 1,
	      "getcwd with a buffer of exactly the length", "failed");
	CHECK(chdir("/") == 0 && syscall(SYS_getcwd, buf, sizeof buf) == 2 && strcmp(buf, "/") == 0,
	      "getcwd at \"/\" is \"/\"", "got \"%s\"", buf);
	REQUIRE(chdir(tdir) == 0, "chdir back into the scratch directory", "failed");

	close(ffd);
	close(dd);
	close(pd);
	close(dfd);
	drop_tdir();
	return check_done();
}
