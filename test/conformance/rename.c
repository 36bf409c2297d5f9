/*
 * rename: rename(2) and renameat2 RENAME_NOREPLACE. Replacing a file (the old content is
 * gone for new opens, an open fd still reads it with st_nlink 0, the source keeps its
 * inode); file over directory EISDIR, directory over file ENOTDIR, over a non-empty
 * directory ENOTEMPTY, over an empty one works; into its own subdirectory EINVAL; over
 * its own ancestor ENOTEMPTY; "." and ".." EBUSY; renaming to itself and between two hard
 * links of one inode do nothing; symlinks are renamed, not followed; trailing slashes;
 * st_nlink of the parents when a directory moves; getcwd after the cwd is renamed.
 * RENAME_EXCHANGE (files, a file with a directory across directories and the parents'
 * st_nlink, a missing name, a directory with its own subdirectory, bad flag mixes) and
 * RENAME_WHITEOUT (in /dev/shm, a tmpfs both natively and in wvisor).
 *
 * Works only inside /tmp/vfs-rename-<pid> (see vfs.h).
 */
#include "vfs.h"

static long renameat2_(int od, const char *o, int nd, const char *n, unsigned flags)
{
	return syscall(SYS_renameat2, od, o, nd, n, flags);
}

int main(void)
{
	struct stat st, st2;
	char buf[PATH_MAX], want[PATH_MAX];

	make_tdir("rename");

	/* a plain rename */
	REQUIRE(put_file("a", "AAAA") == 0, "create a", "failed");
	ino_t ia = ino_of("a");
	CHECK(rename("a", "b") == 0 && !exists("a") && ino_of("b") == ia,
	      "rename to a free name keeps the inode", "failed");
	CHECK(get_file("b", buf, sizeof buf) == 4 && strcmp(buf, "AAAA") == 0,
	      "and the content", "got \"%s\"", buf);

	/* over an existing file */
	REQUIRE(put_file("victim", "old content") == 0, "create victim", "failed");
	ino_t iv = ino_of("victim");
	int vfd = open("victim", O_RDONLY);
	REQUIRE(vfd >= 0, "open victim", "failed");
	CHECK(rename("b", "victim") == 0, "rename over an existing file", "failed");
	CHECK(!exists("b") && ino_of("victim") == ia, "the name now has the source's inode",
	      "ino %lu (source %lu, old %lu)", (unsigned long)ino_of("victim"), (unsigned long)ia,
	      (unsigned long)iv);
	CHECK(get_file("victim", buf, sizeof buf) == 4 && strcmp(buf, "AAAA") == 0,
	      "the old content is gone for new opens", "got \"%s\"", buf);
	CHECK(fstat(vfd, &st) == 0 && st.st_ino == iv && st.st_nlink == 0,
	      "an fd to the replaced file: its inode, st_nlink 0", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK(pread(vfd, buf, sizeof buf, 0) == 11 && memcmp(buf, "old content", 11) == 0,
	      "and it still reads the old content", "failed");
	close(vfd);
	/* the replaced file had another link: it survives with st_nlink 1 */
	REQUIRE(put_file("v2", "second") == 0 && link("v2", "v2-link") == 0, "create v2 + link",
		"failed");
	CHECK(rename("victim", "v2") == 0 && nlink_of("v2-link") == 1 &&
		      get_file("v2-link", buf, sizeof buf) == 6,
	      "replacing one link of a file leaves the other with st_nlink 1", "nlink %ld",
	      nlink_of("v2-link"));

	/* file and directory mismatches */
	REQUIRE(mkdir("dir", 0755) == 0 && mkdir("empty", 0755) == 0, "mkdir dir, empty", "failed");
	REQUIRE(put_file("dir/inside", "i") == 0, "create dir/inside", "failed");
	CHECK_ERR(rename("v2", "dir"), EISDIR, "rename a file over a directory");
	CHECK_ERR(rename("v2", "empty"), EISDIR, "rename a file over an empty directory");
	CHECK_ERR(rename("empty", "v2"), ENOTDIR, "rename a directory over a file");
	REQUIRE(mkdir("full", 0755) == 0 && put_file("full/x", "") == 0, "make full/x", "failed");
	CHECK_ERR(rename("empty", "full"), ENOTEMPTY, "rename a directory over a non-empty one");
	CHECK(exists("v2") && exists("empty") && exists("full/x"),
	      "the failed renames changed nothing", "something moved");
	ino_t idir = ino_of("dir");
	CHECK(rename("dir", "empty") == 0 && !exists("dir") && ino_of("empty") == idir &&
		      exists("empty/inside"),
	      "rename a directory over an empty directory", "failed");
	REQUIRE(rename("empty", "dir") == 0, "rename it back", "failed");

	/* into itself, over an ancestor */
	REQUIRE(mkdir("dir/sub", 0755) == 0 && mkdir("dir/sub/deeper", 0755) == 0,
		"mkdir dir/sub/deeper", "failed");
	CHECK_ERR(rename("dir", "dir/sub/moved"), EINVAL, "rename a directory into its subdirectory");
	CHECK_ERR(rename("dir", "dir/moved"), EINVAL, "rename a directory into itself");
	CHECK_ERR(rename("dir/sub/deeper", "dir"), ENOTEMPTY,
		  "rename a directory over its own (non-empty) ancestor");
	CHECK_ERR(rename("dir/sub", "dir/sub/deeper"), EINVAL,
		  "rename a directory over its own subdirectory");
	CHECK(exists("dir/sub/deeper"), "the failed renames changed nothing", "moved");

	/* "." and ".." */
	CHECK_ERR(rename("dir/sub/.", "x"), EBUSY, "rename of \"dir/sub/.\"");
	CHECK_ERR(rename("dir/sub/..", "x"), EBUSY, "rename of \"dir/sub/..\"");
	CHECK_ERR(rename("v2", "dir/."), EBUSY, "rename over \"dir/.\"");
	CHECK_ERR(rename(".", "x"), EBUSY, "rename of \".\"");

	/* missing names and non-directories on the way */
	CHECK_ERR(rename("nope", "x"), ENOENT, "rename of a missing name");
	CHECK_ERR(rename("v2", "nope/x"), ENOENT, "rename into a missing directory");
	CHECK_ERR(rename("v2", "v2-link/x"), ENOTDIR, "rename into a file");
	CHECK_ERR(rename("v2/x", "y"), ENOTDIR, "rename from under a file");
	CHECK_ERR(rename("", "x"), ENOENT, "rename of \"\"");
	CHECK_ERR(rename("v2", ""), ENOENT, "rename to \"\"");

	/* trailing slashes */
	CHECK_ERR(rename("v2/", "x"), ENOTDIR, "rename of a file with a trailing slash");
	CHECK_ERR(rename("v2", "x/"), ENOTDIR, "rename of a file to a name with a trailing slash");
	CHECK(rename("dir/sub/deeper/", "dir/sub/deeper2/") == 0 && exists("dir/sub/deeper2"),
	      "rename of a directory with trailing slashes on both", "failed");

	/* RENAME_NOREPLACE */
	REQUIRE(put_file("n1", "one") == 0 && put_file("n2", "two") == 0, "create n1, n2", "failed");
	CHECK_ERR(renameat2_(AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE), EEXIST,
		  "RENAME_NOREPLACE over an existing file");
	CHECK_ERR(renameat2_(AT_FDCWD, "dir/sub", AT_FDCWD, "full", RENAME_NOREPLACE), EEXIST,
		  "RENAME_NOREPLACE over a directory");
	REQUIRE(symlink("nowhere", "dangle") == 0, "symlink dangle", "failed");
	CHECK_ERR(renameat2_(AT_FDCWD, "n1", AT_FDCWD, "dangle", RENAME_NOREPLACE), EEXIST,
		  "RENAME_NOREPLACE over a dangling symlink");
	CHECK(get_file("n2", buf, sizeof buf) == 3 && strcmp(buf, "two") == 0 && exists("n1"),
	      "the failed RENAME_NOREPLACE changed nothing", "n2 \"%s\"", buf);
	CHECK(renameat2_(AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE) == 0 && exists("n3") &&
		      !exists("n1"),
	      "RENAME_NOREPLACE to a free name", "failed");
	CHECK_ERR(renameat2_(AT_FDCWD, "n3", AT_FDCWD, "n3", RENAME_NOREPLACE), EEXIST,
		  "RENAME_NOREPLACE onto itself");

	/* renaming to itself, and between two links of one inode */
	ino_t in3 = ino_of("n3");
	CHECK(rename("n3", "n3") == 0 && ino_of("n3") == in3 && nlink_of("n3") == 1,
	      "rename of a file to itself does nothing", "failed");
	CHECK(rename("dir", "dir") == 0 && exists("dir/inside"),
	      "rename of a directory to itself does nothing", "failed");
	CHECK(rename("dir", "./dir/../dir") == 0 && exists("dir/inside"),
	      "... also through another path", "failed");
	REQUIRE(link("n3", "n3-twin") == 0, "link n3 n3-twin", "failed");
	CHECK(rename("n3", "n3-twin") == 0, "rename of a link over another link of the same inode",
	      "failed");
	CHECK(exists("n3") && exists("n3-twin") && nlink_of("n3") == 2,
	      "... does nothing: both names remain, st_nlink 2", "n3 %d twin %d nlink %ld",
	      exists("n3"), exists("n3-twin"), nlink_of("n3"));

	/* symlinks are renamed, not followed */
	REQUIRE(symlink("n2", "ln2") == 0, "symlink ln2 -> n2", "failed");
	ino_t il = 0;
	lstat("ln2", &st);
	il = st.st_ino;
	CHECK(rename("ln2", "ln2b") == 0 && lstat("ln2b", &st) == 0 && S_ISLNK(st.st_mode) &&
		      st.st_ino == il && exists("n2"),
	      "rename of a symlink moves the link, not its target", "failed");
	REQUIRE(symlink("dir", "ldir") == 0, "symlink ldir -> dir", "failed");
	CHECK(rename("n2", "ldir") == 0 && S_ISREG(lmode("ldir")) && exists("dir/inside"),
	      "rename over a symlink to a directory replaces the symlink", "mode %o",
	      lmode("ldir"));
	CHECK(rename("dangle", "n3-twin") == 0 && S_ISLNK(lmode("n3-twin")) &&
		      nlink_of("n3") == 1,
	      "rename of a symlink over a file", "failed");

	/* st_nlink of the parents when a directory moves */
	REQUIRE(mkdir("p1", 0755) == 0 && mkdir("p2", 0755) == 0 && mkdir("p1/child", 0755) == 0,
		"mkdir p1/child, p2", "failed");
	CHECK(nlink_of("p1") == 3 && nlink_of("p2") == 2, "before: p1 3, p2 2", "p1 %ld p2 %ld",
	      nlink_of("p1"), nlink_of("p2"));
	ino_t ichild = ino_of("p1/child");
	CHECK(rename("p1/child", "p2/child") == 0 && nlink_of("p1") == 2 && nlink_of("p2") == 3,
	      "after moving the subdirectory: p1 2, p2 3", "p1 %ld p2 %ld", nlink_of("p1"),
	      nlink_of("p2"));
	CHECK(stat("p2/child/..", &st) == 0 && stat("p2", &st2) == 0 && same_inode(&st, &st2) &&
		      ino_of("p2/child") == ichild,
	      "the moved directory's \"..\" is its new parent", "failed");
	REQUIRE(mkdir("p1/empty", 0755) == 0, "mkdir p1/empty", "failed");
	CHECK(rename("p2/child", "p1/empty") == 0 && nlink_of("p1") == 3 && nlink_of("p2") == 2,
	      "moving it over an empty directory in p1: p1 3, p2 2", "p1 %ld p2 %ld",
	      nlink_of("p1"), nlink_of("p2"));
	/* a file moving between directories changes no st_nlink */
	REQUIRE(put_file("p1/f", "") == 0, "create p1/f", "failed");
	CHECK(rename("p1/f", "p2/f") == 0 && nlink_of("p1") == 3 && nlink_of("p2") == 2 &&
		      nlink_of("p2/f") == 1,
	      "a file moving between directories changes no st_nlink", "failed");

	/* the cwd renamed under us */
	REQUIRE(mkdir("cw", 0755) == 0 && chdir("cw") == 0, "chdir cw", "failed");
	snprintf(buf, sizeof buf, "%s/cw", tdir);
	snprintf(want, sizeof want, "%s/cw-renamed", tdir);
	CHECK(rename(buf, want) == 0, "rename the cwd", "failed");
	CHECK(getcwd(buf, sizeof buf) != NULL && strcmp(buf, want) == 0,
	      "getcwd shows the new name", "got \"%s\"", buf);
	CHECK(put_file("here", "h") == 0 && snprintf(buf, sizeof buf, "%s/here", want) > 0 &&
		      exists(buf),
	      "relative paths still resolve in the renamed cwd", "failed");
	REQUIRE(chdir(tdir) == 0, "chdir back into the scratch directory", "failed");

	/* an open fd follows its file across a rename */
	int ofd = open("p2/f", O_RDWR);
	CHECK(rename("p2/f", "p1/f-moved") == 0 && write(ofd, "moved", 5) == 5 &&
		      get_file("p1/f-moved", buf, sizeof buf) == 5 && strcmp(buf, "moved") == 0,
	      "an open fd writes to its file after a rename", "got \"%s\"", buf);
	close(ofd);

	/* RENAME_EXCHANGE */
	REQUIRE(put_file("x1", "one") == 0 && put_file("x2", "two") == 0, "create x1 and x2", "failed");
	ino_t i1 = ino_of("x1"), i2 = ino_of("x2");
	CHECK(renameat2_(AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE) == 0 && ino_of("x1") == i2 && ino_of("x2") == i1 &&
		      get_file("x1", buf, sizeof buf) == 3 && strcmp(buf, "two") == 0,
	      "RENAME_EXCHANGE swaps two files", "x1 has \"%s\"", buf);
	REQUIRE(mkdir("e1", 0755) == 0 && mkdir("e2", 0755) == 0 && mkdir("e1/sub", 0755) == 0 && put_file("e2/file", "f") == 0,
		"exchange dirs", "failed");
	stat("e1", &st);
	nlink_t n1 = st.st_nlink;
	stat("e2", &st);
	nlink_t n2 = st.st_nlink;
	CHECK(renameat2_(AT_FDCWD, "e1/sub", AT_FDCWD, "e2/file", RENAME_EXCHANGE) == 0 && lstat("e1/sub", &st) == 0 && S_ISREG(st.st_mode) &&
		      lstat("e2/file", &st2) == 0 && S_ISDIR(st2.st_mode),
	      "RENAME_EXCHANGE swaps a directory and a file across directories", "failed");
	stat("e1", &st);
	stat("e2", &st2);
	CHECK(st.st_nlink == n1 - 1 && st2.st_nlink == n2 + 1, "the parents' st_nlink follow the directory",
	      "e1 %lu->%lu e2 %lu->%lu", (unsigned long)n1, (unsigned long)st.st_nlink, (unsigned long)n2, (unsigned long)st2.st_nlink);
	CHECK(stat("e2/file/..", &st) == 0 && stat("e2", &st2) == 0 && st.st_ino == st2.st_ino, "the moved directory's \"..\" is its new parent", "-");
	CHECK_ERR(renameat2_(AT_FDCWD, "x1", AT_FDCWD, "nothere", RENAME_EXCHANGE), ENOENT, "RENAME_EXCHANGE with a missing target");
	CHECK_ERR(renameat2_(AT_FDCWD, "e2", AT_FDCWD, "e2/file/in", RENAME_EXCHANGE), ENOENT, "RENAME_EXCHANGE into a missing name below");
	REQUIRE(mkdir("e2/file/in", 0755) == 0, "mkdir e2/file/in", "failed");
	CHECK_ERR(renameat2_(AT_FDCWD, "e2", AT_FDCWD, "e2/file/in", RENAME_EXCHANGE), EINVAL, "RENAME_EXCHANGE of a directory with its subdirectory");
	CHECK_ERR(renameat2_(AT_FDCWD, "e2/file/in", AT_FDCWD, "e2", RENAME_EXCHANGE), EINVAL, "RENAME_EXCHANGE of a directory with its ancestor");
	CHECK_ERR(renameat2_(AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL, "RENAME_EXCHANGE with RENAME_NOREPLACE");
	CHECK_ERR(renameat2_(AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE | RENAME_WHITEOUT), EINVAL, "RENAME_EXCHANGE with RENAME_WHITEOUT");
	CHECK(renameat2_(AT_FDCWD, "x1", AT_FDCWD, "x1", RENAME_EXCHANGE) == 0 && ino_of("x1") == i2, "RENAME_EXCHANGE of a name with itself does nothing", "-");

	/* RENAME_WHITEOUT, on a tmpfs */
	char ws[64], wd[64];
	snprintf(ws, sizeof ws, "/dev/shm/wv-white-%d", (int)getpid());
	snprintf(wd, sizeof wd, "/dev/shm/wv-white-%d.dst", (int)getpid());
	REQUIRE(put_file(ws, "w") == 0, "create a file in /dev/shm", "failed");
	CHECK(renameat2_(AT_FDCWD, ws, AT_FDCWD, wd, RENAME_WHITEOUT) == 0 && lstat(ws, &st) == 0 && st.st_mode == S_IFCHR && st.st_rdev == 0 &&
		      get_file(wd, buf, sizeof buf) == 1,
	      "RENAME_WHITEOUT leaves a 0:0 character device with mode 0", "mode %o rdev %lu", st.st_mode, (unsigned long)st.st_rdev);
	unlink(ws);
	unlink(wd);

	drop_tdir();
	return check_done();
}
