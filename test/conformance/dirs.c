/*
 * dirs: directories. getdents64 lists ".", ".." and every entry once with the right
 * d_type and d_ino, across many small buffers, and honours lseek to a d_off; a name
 * unlinked before reading starts is not listed; rewinding shows a new name; EINVAL for a
 * too-small buffer; mkdir and rmdir errors (EEXIST, ENOTEMPTY, EINVAL for ".", EBUSY for
 * "/", ...); the mode mkdir gives; st_nlink of a directory is 2 + its subdirectories;
 * directories cannot be opened for writing or read(2); a removed cwd.
 *
 * Works only inside /tmp/vfs-dirs-<pid> (see vfs.h).
 */
#include "vfs.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

struct entry {
	char name[256];
	ino_t ino;
	unsigned char type;
	off_t off;
	int seen;
};

static struct entry ents[512];
static int nents;
static int bad_reclen;

/* Reads the rest of dirfd with getdents64 and a buffer of bufsize bytes into ents[]. */
static long list_dir(int fd, size_t bufsize)
{
	static char buf[65536];
	nents = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, bufsize);
		if (n < 0)
			return n;
		if (n == 0)
			return nents;
		for (long pos = 0; pos < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + pos);
			size_t len = strlen(d->d_name);
			if (d->d_reclen % 8 != 0 ||
			    d->d_reclen < offsetof(struct dirent64, d_name) + len + 1)
				bad_reclen++;
			if (nents < (int)(sizeof ents / sizeof ents[0])) {
				struct entry *e = &ents[nents++];
				snprintf(e->name, sizeof e->name, "%s", d->d_name);
				e->ino = d->d_ino;
				e->type = d->d_type;
				e->off = d->d_off;
				e->seen = 0;
			}
			pos += d->d_reclen;
		}
	}
}

/* How many times name was listed; its entry in *out. */
static int listed(const char *name, struct entry **out)
{
	int c = 0;
	for (int i = 0; i < nents; i++)
		if (strcmp(ents[i].name, name) == 0) {
			c++;
			if (out)
				*out = &ents[i];
		}
	return c;
}

static long list_path(const char *path, size_t bufsize)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	long r = list_dir(fd, bufsize);
	close(fd);
	return r;
}

int main(void)
{
	struct stat st, st2;
	char buf[PATH_MAX];
	struct entry *e = NULL;

	make_tdir("dirs");

	/* one of each kind */
	REQUIRE(mkdir("t", 0755) == 0, "mkdir t", "failed");
	REQUIRE(put_file("t/reg", "x") == 0, "create t/reg", "failed");
	REQUIRE(mkdir("t/dir", 0755) == 0, "mkdir t/dir", "failed");
	REQUIRE(symlink("reg", "t/lnk") == 0, "symlink t/lnk", "failed");
	REQUIRE(mknod("t/fifo", S_IFIFO | 0644, 0) == 0, "mknod t/fifo", "failed");
	REQUIRE(mknod("t/sock", S_IFSOCK | 0644, 0) == 0, "mknod t/sock", "failed");

	int tfd = open("t", O_RDONLY | O_DIRECTORY);
	REQUIRE(tfd >= 0, "open t", "failed");
	long n = list_dir(tfd, 4096);
	CHECK(n == 7, "getdents64 lists 7 entries (\".\", \"..\" and 5 names)", "got %ld", n);
	CHECK(bad_reclen == 0, "every d_reclen is 8-aligned and holds the name", "%d bad",
	      bad_reclen);
	struct stat tst, parent;
	stat("t", &tst);
	stat(".", &parent);
	CHECK(listed(".", &e) == 1 && e->type == DT_DIR && e->ino == tst.st_ino,
	      "\".\" is listed once, DT_DIR, with the directory's inode", "type %d",
	      e ? e->type : -1);
	CHECK(listed("..", &e) == 1 && e->type == DT_DIR && e->ino == parent.st_ino,
	      "\"..\" is listed once, DT_DIR, with the parent's inode", "type %d",
	      e ? e->type : -1);
	static const struct {
		const char *name;
		unsigned char type;
	} kinds[] = {{"reg", DT_REG}, {"dir", DT_DIR}, {"lnk", DT_LNK}, {"fifo", DT_FIFO},
		     {"sock", DT_SOCK}};
	for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		char what[128], p[64];
		e = NULL;
		snprintf(p, sizeof p, "t/%s", kinds[i].name);
		lstat(p, &st);
		snprintf(what, sizeof what, "\"%s\" is listed once with d_type %d and its inode",
			 kinds[i].name, kinds[i].type);
		CHECK(listed(kinds[i].name, &e) == 1 && e->type == kinds[i].type &&
			      e->ino == st.st_ino,
		      what, "count %d type %d", listed(kinds[i].name, NULL), e ? e->type : -1);
	}
	CHECK(syscall(SYS_getdents64, tfd, buf, sizeof buf) == 0,
	      "getdents64 at the end returns 0", "failed");
	CHECK(syscall(SYS_getdents64, tfd, buf, sizeof buf) == 0, "and again 0", "failed");

	/* rewind: a name created since shows up; a name removed does not */
	REQUIRE(put_file("t/new", "") == 0, "create t/new", "failed");
	REQUIRE(unlink("t/fifo") == 0, "unlink t/fifo", "failed");
	CHECK(lseek(tfd, 0, SEEK_SET) == 0, "lseek(dirfd, 0) rewinds", "failed");
	n = list_dir(tfd, 4096);
	CHECK(n == 7 && listed("new", NULL) == 1 && listed("fifo", NULL) == 0,
	      "after rewinding, the new name is listed and the unlinked one is not",
	      "n %ld new %d fifo %d", n, listed("new", NULL), listed("fifo", NULL));
	/* with rewinddir(3) too */
	DIR *dp = opendir("t");
	int count = 0;
	while (dp && readdir(dp))
		count++;
	put_file("t/new2", "");
	rewinddir(dp);
	int count2 = 0, saw_new2 = 0;
	struct dirent *de;
	while (dp && (de = readdir(dp)) != NULL) {
		count2++;
		saw_new2 |= strcmp(de->d_name, "new2") == 0;
	}
	CHECK(dp && count == 7 && count2 == 8 && saw_new2,
	      "readdir after rewinddir shows a file created after the first pass", "%d then %d",
	      count, count2);
	if (dp)
		closedir(dp);

	/* opened, then a name unlinked before the first read: not listed */
	int t2 = open("t", O_RDONLY | O_DIRECTORY);
	REQUIRE(put_file("t/doomed", "") == 0 && unlink("t/new2") == 0, "create doomed, unlink new2",
		"failed");
	REQUIRE(unlink("t/doomed") == 0, "unlink doomed", "failed");
	n = list_dir(t2, 4096);
	CHECK(n == 7 && listed("doomed", NULL) == 0 && listed("new2", NULL) == 0,
	      "names unlinked after open but before reading are not listed", "n %ld", n);
	close(t2);

	/* getdents64 errors */
	lseek(tfd, 0, SEEK_SET);
	CHECK_ERR(syscall(SYS_getdents64, tfd, buf, 0), EINVAL, "getdents64 with a 0-byte buffer");
	CHECK_ERR(syscall(SYS_getdents64, tfd, buf, 20), EINVAL,
		  "getdents64 with a buffer too small for one entry");
	CHECK(syscall(SYS_getdents64, tfd, buf, 24) > 0,
	      "getdents64 with a buffer of exactly one \".\" entry (24 bytes)", "failed");
	int ffd = open("t/reg", O_RDONLY);
	CHECK_ERR(syscall(SYS_getdents64, ffd, buf, sizeof buf), ENOTDIR, "getdents64 of a file");
	CHECK_ERR(syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF,
		  "getdents64 of a closed fd");
	CHECK_ERR(syscall(SYS_getdents64, tfd, (void *)8, sizeof buf), EFAULT,
		  "getdents64 into an unmapped buffer");
	close(ffd);

	/* many names across many small buffers, each exactly once */
	REQUIRE(mkdir("many", 0755) == 0, "mkdir many", "failed");
	int madeall = 1;
	for (int i = 0; i < 300; i++) {
		snprintf(buf, sizeof buf, "many/file-with-a-longish-name-%03d", i);
		madeall &= put_file(buf, "") == 0;
	}
	REQUIRE(madeall, "create 300 files", "failed");
	bad_reclen = 0;
	n = list_path("many", 64);
	int once = n == 302;
	for (int i = 0; i < 300 && once; i++) {
		snprintf(buf, sizeof buf, "file-with-a-longish-name-%03d", i);
		once = listed(buf, NULL) == 1;
	}
	CHECK(once && bad_reclen == 0, "300 names read 64 bytes at a time: each listed once",
	      "n %ld", n);
	n = list_path("many", 32768);
	CHECK(n == 302, "... and with one big buffer", "n %ld", n);

	/* lseek to a d_off resumes after that entry */
	int mfd = open("many", O_RDONLY | O_DIRECTORY);
	list_dir(mfd, 32768);
	struct entry saved[302];
	memcpy(saved, ents, sizeof saved);
	int k = 150;
	CHECK(lseek(mfd, saved[k].off, SEEK_SET) == saved[k].off,
	      "lseek(dirfd, d_off) returns that offset", "failed");
	n = list_dir(mfd, 32768);
	CHECK(n == 302 - k - 1 && n > 0 && strcmp(ents[0].name, saved[k + 1].name) == 0,
	      "getdents64 after lseek(d_off of entry k) starts at entry k+1", "n %ld", n);
	close(mfd);

	/* mkdir */
	CHECK_ERR(mkdir("t", 0755), EEXIST, "mkdir of an existing directory");
	CHECK_ERR(mkdir("t/reg", 0755), EEXIST, "mkdir over a file");
	CHECK_ERR(mkdir("t/lnk", 0755), EEXIST, "mkdir over a symlink");
	REQUIRE(symlink("nowhere", "dangle") == 0, "symlink dangle", "failed");
	CHECK_ERR(mkdir("dangle", 0755), EEXIST, "mkdir over a dangling symlink");
	CHECK(!exists("nowhere"), "... does not create the symlink's target", "it did");
	CHECK_ERR(mkdir(".", 0755), EEXIST, "mkdir(\".\")");
	CHECK_ERR(mkdir("..", 0755), EEXIST, "mkdir(\"..\")");
	CHECK_ERR(mkdir("t/.", 0755), EEXIST, "mkdir(\"t/.\")");
	CHECK_ERR(mkdir("nope/x", 0755), ENOENT, "mkdir under a missing directory");
	CHECK_ERR(mkdir("t/reg/x", 0755), ENOTDIR, "mkdir under a file");
	CHECK(mkdir("m1", 0777) == 0 && lmode("m1") == (S_IFDIR | 0755),
	      "mkdir 0777 under umask 022 gives 0755", "mode %o", lmode("m1"));
	CHECK(mkdir("m2", 07777) == 0 && lmode("m2") == (S_IFDIR | 01755),
	      "mkdir 07777 keeps the sticky bit, drops setuid and setgid", "mode %o", lmode("m2"));
	umask(0);
	CHECK(mkdir("m3", 0777) == 0 && lmode("m3") == (S_IFDIR | 0777),
	      "mkdir 0777 under umask 0 gives 0777", "mode %o", lmode("m3"));
	umask(077);
	CHECK(mkdir("m4", 0777) == 0 && lmode("m4") == (S_IFDIR | 0700),
	      "mkdir 0777 under umask 077 gives 0700", "mode %o", lmode("m4"));
	umask(022);
	CHECK(stat("m1", &st) == 0 && st.st_uid == geteuid() && st.st_gid == getegid(),
	      "a new directory belongs to the caller", "%u:%u", st.st_uid, st.st_gid);

	/* st_nlink: 2 + subdirectories */
	REQUIRE(mkdir("nl", 0755) == 0, "mkdir nl", "failed");
	CHECK(nlink_of("nl") == 2, "a new directory has st_nlink 2", "got %ld", nlink_of("nl"));
	long before = nlink_of(".");
	mkdir("nl/a", 0755);
	mkdir("nl/b", 0755);
	mkdir("nl/c", 0755);
	put_file("nl/f", "");
	symlink("a", "nl/l");
	CHECK(nlink_of("nl") == 5, "3 subdirectories (and a file and a symlink): st_nlink 5",
	      "got %ld", nlink_of("nl"));
	CHECK(rmdir("nl/b") == 0 && nlink_of("nl") == 4, "rmdir of one: st_nlink 4", "got %ld",
	      nlink_of("nl"));
	CHECK(nlink_of(".") == before, "the grandparent's st_nlink did not change", "%ld -> %ld",
	      before, nlink_of("."));
	CHECK(nlink_of("nl/a") == 2 && nlink_of("nl/a/.") == 2 && nlink_of("nl/a/..") == 4,
	      "st_nlink through \".\" and \"..\"", "failed");

	/* rmdir */
	CHECK_ERR(rmdir("nl"), ENOTEMPTY, "rmdir of a non-empty directory");
	CHECK_ERR(rmdir("nl/a/."), EINVAL, "rmdir(\"nl/a/.\")");
	CHECK_ERR(rmdir("."), EINVAL, "rmdir(\".\")");
	CHECK_ERR(rmdir("nl/a/.."), ENOTEMPTY, "rmdir(\"nl/a/..\")");
	CHECK_ERR(rmdir("nl/f"), ENOTDIR, "rmdir of a file");
	CHECK_ERR(rmdir("nl/l"), ENOTDIR, "rmdir of a symlink to a directory");
	CHECK_ERR(rmdir("nl/nope"), ENOENT, "rmdir of a missing name");
	CHECK_ERR(rmdir("nl/f/x"), ENOTDIR, "rmdir under a file");
	CHECK_ERR(rmdir("/"), EBUSY, "rmdir(\"/\")");
	CHECK(exists("nl/a") && exists("nl/f"), "the failed rmdirs removed nothing", "gone");
	CHECK(rmdir("m1") == 0 && !exists("m1"), "rmdir of an empty directory", "failed");
	CHECK_ERR(unlink("nl/a"), EISDIR, "unlink of a directory");

	/* directories and open/read/write */
	CHECK_ERR(open("t", O_WRONLY), EISDIR, "open of a directory O_WRONLY");
	CHECK_ERR(open("t", O_RDWR), EISDIR, "open of a directory O_RDWR");
	CHECK_ERR(open("t", O_RDONLY | O_CREAT, 0644), EISDIR, "open of a directory O_CREAT");
	CHECK_ERR(open("t", O_RDONLY | O_TRUNC), EISDIR, "open of a directory O_TRUNC");
	int od = open("t", O_RDONLY);
	CHECK(od >= 0, "open of a directory O_RDONLY (no O_DIRECTORY)", "failed");
	CHECK_ERR(read(od, buf, 10), EISDIR, "read of a directory fd");
	CHECK_ERR(pread(od, buf, 10, 0), EISDIR, "pread of a directory fd");
	CHECK_ERR(write(od, "x", 1), EBADF, "write of a directory fd");
	CHECK_ERR(ftruncate(od, 0), EINVAL, "ftruncate of a directory fd");
	CHECK_ERR(truncate("t", 0), EISDIR, "truncate of a directory");
	close(od);

	/* a removed cwd */
	REQUIRE(mkdir("gone", 0755) == 0, "mkdir gone", "failed");
	int gfd = open("gone", O_RDONLY | O_DIRECTORY);
	snprintf(buf, sizeof buf, "%s/gone", tdir);
	REQUIRE(chdir("gone") == 0, "chdir gone", "failed");
	CHECK(rmdir(buf) == 0, "rmdir of the cwd (by absolute path)", "failed");
	CHECK_ERR(syscall(SYS_getcwd, buf, sizeof buf), ENOENT, "getcwd in a removed directory");
	CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0,
	      "stat(\".\") in a removed directory: st_nlink 0", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK(fstat(gfd, &st2) == 0 && st2.st_nlink == 0 && same_inode(&st, &st2),
	      "fstat of an fd to the removed directory: st_nlink 0", "nlink %lu",
	      (unsigned long)st2.st_nlink);
	CHECK_ERR(open("x", O_WRONLY | O_CREAT, 0644), ENOENT,
		  "creating a file in a removed directory");
	CHECK_ERR(mkdir("x", 0755), ENOENT, "mkdir in a removed directory");
	CHECK_ERR(syscall(SYS_getdents64, gfd, buf, sizeof buf), ENOENT,
		  "getdents64 of a removed directory");
	CHECK(stat("..", &st) == 0 && same_inode(&st, &parent),
	      "\"..\" of a removed directory is still its old parent", "failed");
	close(gfd);
	REQUIRE(chdir(tdir) == 0, "chdir back into the scratch directory", "failed");

	close(tfd);
	drop_tdir();
	return check_done();
}
