/* O_TMPFILE as Linux does it on tmpfs: an unnamed regular file in a directory (no entry, no
 * links), readable and writable, that linkat gives a name through AT_EMPTY_PATH or through
 * /proc/self/fd/N with AT_SYMLINK_FOLLOW (a magic link, which leads to the file itself)
 * unless it was opened with O_EXCL; and the errors of bad flag combinations. Also what else
 * /proc/self/fd/N (a magic link) opens: a deleted file, a pipe (another end of it), and not an
 * eventfd (ENXIO). Works only inside /tmp/vfs-tmpfile-<pid> (see vfs.h). */
#include "vfs.h"
#include <sys/eventfd.h>

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

int main(void)
{
	make_tdir("tmpfile");
	REQUIRE(mkdir("d", 0755) == 0, "mkdir d", "-");
	int fd = open("d", O_TMPFILE | O_RDWR, 0640);
	REQUIRE(fd >= 0, "open(O_TMPFILE|O_RDWR) in a tmpfs directory", "failed");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0 && (st.st_mode & 07777) == 0640,
	      "it is a regular file with no links and the mode asked for", "mode %o nlink %lu", st.st_mode, (unsigned long)st.st_nlink);
	CHECK(entries("d") == 0, "the directory lists nothing", "%d entries", entries("d"));
	CHECK(write(fd, "hello", 5) == 5, "write to it", "-");
	char buf[16] = { 0 };
	CHECK(pread(fd, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0, "and read it back", "got '%s'", buf);
	int fl = fcntl(fd, F_GETFL);
	CHECK((fl & O_ACCMODE) == O_RDWR, "F_GETFL shows O_RDWR", "flags %#x", fl);
	say("info: F_GETFL %#x\n", fl);

	char proc[64], link[PATH_MAX];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	const char *suffix = " (deleted)";
	CHECK(n > 10 && strcmp(link + n - strlen(suffix), suffix) == 0 && strstr(link, "/d/#") != NULL,
	      "/proc/self/fd/N reads DIR/#INO (deleted)", "got '%s'", link);

	CHECK(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH) == 0, "linkat(AT_EMPTY_PATH) names it", "-");
	struct stat named;
	CHECK(stat("named", &named) == 0 && named.st_ino == st.st_ino && named.st_nlink == 1, "the name is the file, with one link",
	      "nlink %lu", (unsigned long)named.st_nlink);
	CHECK(linkat(fd, "", AT_FDCWD, "again", AT_EMPTY_PATH) == 0 && stat("again", &named) == 0 && named.st_nlink == 2,
	      "a named file can be linked again", "nlink %lu", (unsigned long)named.st_nlink);
	close(fd);
	char *c = NULL;
	int r = open("named", O_RDONLY);
	if (r >= 0) {
		n = read(r, buf, sizeof buf);
		c = n == 5 && memcmp(buf, "hello", 5) == 0 ? buf : NULL;
		close(r);
	}
	CHECK(c != NULL, "its data is there under the name", "-");

	/* the /proc way (open(2)'s example) */
	fd = open("d", O_TMPFILE | O_WRONLY, 0600);
	REQUIRE(fd >= 0, "a second O_TMPFILE", "failed");
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	CHECK(linkat(AT_FDCWD, proc, AT_FDCWD, "d/viaproc", AT_SYMLINK_FOLLOW) == 0, "linkat through /proc/self/fd/N names it", "-");
	CHECK(stat("d/viaproc", &named) == 0 && fstat(fd, &st) == 0 && named.st_ino == st.st_ino, "the same file", "-");
	close(fd);

	/* O_EXCL: never linkable */
	fd = open("d", O_TMPFILE | O_RDWR | O_EXCL, 0600);
	REQUIRE(fd >= 0, "O_TMPFILE|O_EXCL", "failed");
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "excl", AT_EMPTY_PATH), ENOENT, "linkat of an O_EXCL temporary file");
	close(fd);

	/* a deleted file can still be opened through its magic link */
	fd = open("gone", O_CREAT | O_RDWR, 0600);
	REQUIRE(fd >= 0 && write(fd, "abc", 3) == 3, "create gone", "-");
	unlink("gone");
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	r = open(proc, O_RDONLY);
	CHECK(r >= 0 && read(r, buf, 3) == 3 && memcmp(buf, "abc", 3) == 0, "a deleted file reopened through /proc/self/fd/N", "fd %d", r);
	if (r >= 0)
		close(r);
	CHECK_ERR(linkat(AT_FDCWD, proc, AT_FDCWD, "back", AT_SYMLINK_FOLLOW), ENOENT, "a deleted file cannot get a name back");
	close(fd);

	/* a pipe opens anew through its magic link; an eventfd does not */
	int p[2];
	REQUIRE(pipe(p) == 0 && write(p[1], "xyz", 3) == 3, "pipe", "-");
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", p[0]);
	CHECK(stat(proc, &st) == 0 && S_ISFIFO(st.st_mode), "stat through /proc/self/fd/N of a pipe shows a FIFO", "mode %o", st.st_mode);
	r = open(proc, O_RDONLY);
	CHECK(r >= 0 && r != p[0] && read(r, buf, 3) == 3 && memcmp(buf, "xyz", 3) == 0, "a pipe opened through /proc/self/fd/N reads it",
	      "fd %d", r);
	if (r >= 0)
		close(r);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", p[1]);
	r = open(proc, O_WRONLY);
	CHECK(r >= 0 && write(r, "w", 1) == 1 && read(p[0], buf, 1) == 1 && buf[0] == 'w', "and writes it", "fd %d", r);
	if (r >= 0)
		close(r);
	close(p[0]);
	close(p[1]);
	int efd = eventfd(0, 0);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", efd);
	CHECK_ERR(open(proc, O_RDWR), ENXIO, "an eventfd cannot be opened through /proc/self/fd/N");
	close(efd);

	/* errors */
	CHECK_ERR(open("d", O_TMPFILE | O_RDONLY, 0600), EINVAL, "O_TMPFILE read-only");
	CHECK_ERR(open("d", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL, "O_TMPFILE with O_CREAT");
	CHECK_ERR(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR, "O_TMPFILE on a file");
	CHECK_ERR(open("missing", O_TMPFILE | O_RDWR, 0600), ENOENT, "O_TMPFILE in a missing directory");
	CHECK_ERR(open("d", 0x400000 | O_RDWR, 0600), EINVAL, "__O_TMPFILE without O_DIRECTORY");

	REQUIRE(chdir("/") == 0, "chdir /", "-");
	rm_rf(tdir);
	return check_done();
}
