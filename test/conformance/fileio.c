/*
 * fileio: regular file I/O and attributes. O_APPEND (also against a second fd, and
 * pwrite on an O_APPEND fd appending as Linux does); O_TRUNC, O_EXCL, creat; pread and
 * pwrite leave the offset alone; lseek (holes read as zeroes, 64-bit offsets,
 * SEEK_DATA/SEEK_HOLE on a file without holes); ftruncate shrink then grow reads zeroes;
 * 1 MiB writes and reads; readv/writev; an unlinked open file; hard links sharing data
 * and st_nlink; fcntl F_GETFL/F_SETFL; umask; chmod, chown (which clears setuid),
 * utimensat (UTIME_NOW, UTIME_OMIT) and the times write and chmod set; the sync calls;
 * statfs.
 *
 * Works only inside /tmp/vfs-fileio-<pid> (see vfs.h).
 */
#include "vfs.h"
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>

#define MIB (1024 * 1024)
#define O_LARGEFILE_KERNEL 0100000 /* glibc defines O_LARGEFILE as 0 on x86_64 */

static unsigned char big[MIB], back[MIB];

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static int recent(const struct timespec *t)
{
	time_t n = now();
	return t->tv_sec >= n - 10 && t->tv_sec <= n + 1;
}

static off_t cur(int fd) { return lseek(fd, 0, SEEK_CUR); }

int main(void)
{
	struct stat st, st2;
	char buf[256];

	make_tdir("fileio");

	/* O_APPEND: every write goes to the end, whatever another fd does */
	int w = open("app", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int a = open("app", O_WRONLY | O_APPEND);
	REQUIRE(w >= 0 && a >= 0, "open app twice, once O_APPEND", "failed");
	CHECK(write(w, "aaaa", 4) == 4 && write(a, "BB", 2) == 2 && cur(a) == 6,
	      "an O_APPEND write lands at the end and moves its offset there", "offset %ld",
	      (long)cur(a));
	CHECK(cur(w) == 4 && write(w, "cc", 2) == 2, "the other fd's offset is its own", "offset %ld",
	      (long)cur(w));
	CHECK(write(a, "DD", 2) == 2 && lseek(a, 0, SEEK_SET) == 0 && write(a, "EE", 2) == 2 &&
		      cur(a) == 10,
	      "an O_APPEND write after lseek(0) still goes to the end", "offset %ld", (long)cur(a));
	CHECK(pwrite(a, "FF", 2, 0) == 2 && cur(a) == 10,
	      "pwrite on an O_APPEND fd returns its count", "offset %ld", (long)cur(a));
	CHECK(get_file("app", buf, sizeof buf) == 12 && strcmp(buf, "aaaaccDDEEFF") == 0,
	      "the file is \"aaaaccDDEEFF\" (pwrite on O_APPEND appends, as Linux does)",
	      "got \"%s\"", buf);
	CHECK((fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND),
	      "F_GETFL shows O_WRONLY|O_APPEND", "flags %#o", fcntl(a, F_GETFL));
	CHECK(fcntl(a, F_GETFL) == (O_WRONLY | O_APPEND | O_LARGEFILE_KERNEL),
	      "F_GETFL is exactly O_WRONLY|O_APPEND|O_LARGEFILE (x86_64 Linux adds O_LARGEFILE)",
	      "flags %#o", fcntl(a, F_GETFL));
	/* (independent of the pwrite result above: compared with the size before) */
	off_t before = lseek(a, 0, SEEK_END);
	CHECK(fcntl(a, F_SETFL, 0) == 0 && (fcntl(a, F_GETFL) & O_APPEND) == 0 &&
		      lseek(a, 0, SEEK_SET) == 0 && write(a, "G", 1) == 1 &&
		      get_file("app", buf, sizeof buf) == before && buf[0] == 'G',
	      "F_SETFL clears O_APPEND: writes go to the offset again", "got \"%s\"", buf);
	CHECK(fcntl(w, F_SETFL, O_APPEND | O_RDONLY | O_CREAT | O_TRUNC) == 0 &&
		      (fcntl(w, F_GETFL) & (O_ACCMODE | O_APPEND | O_CREAT | O_TRUNC)) ==
			      (O_WRONLY | O_APPEND),
	      "F_SETFL sets O_APPEND and ignores the access mode, O_CREAT and O_TRUNC",
	      "flags %#o", fcntl(w, F_GETFL));
	CHECK(lseek(w, 0, SEEK_SET) == 0 && write(w, "H", 1) == 1 &&
		      get_file("app", buf, sizeof buf) == before + 1 && buf[before] == 'H',
	      "F_SETFL O_APPEND makes writes append", "got \"%s\"", buf);
	close(w);
	close(a);

	/* O_TRUNC, O_EXCL, creat */
	REQUIRE(put_file("t", "0123456789") == 0, "create t", "failed");
	int fd = open("t", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC empties the file",
	      "size %ld", (long)st.st_size);
	close(fd);
	put_file("t", "0123456789");
	fd = open("t", O_RDONLY | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0,
	      "O_RDONLY|O_TRUNC truncates too (Linux)", "size %ld", (long)st.st_size);
	close(fd);
	put_file("t", "0123456789");
	fd = open("t", O_RDWR);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 10, "without O_TRUNC the data stays",
	      "size %ld", (long)st.st_size);
	close(fd);
	CHECK_ERR(open("t", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, "O_CREAT|O_EXCL on a file");
	CHECK_ERR(open(".", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		  "O_CREAT|O_EXCL on a directory");
	fd = open("t", O_RDONLY | O_EXCL);
	CHECK(fd >= 0, "O_EXCL without O_CREAT is ignored", "failed");
	close(fd);
	CHECK_ERR(open("missing", O_RDONLY), ENOENT, "open of a missing name without O_CREAT");
	fd = creat("t", 0600);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 &&
		      st.st_mode == (S_IFREG | 0644),
	      "creat of an existing file truncates it and keeps its mode", "size %ld mode %o",
	      (long)st.st_size, st.st_mode);
	CHECK_ERR(read(fd, buf, 1), EBADF, "creat's fd is write-only");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY, "creat opens O_WRONLY", "flags %#o",
	      fcntl(fd, F_GETFL));
	close(fd);
	fd = creat("c-new", 0640);
	CHECK(fd >= 0 && lmode("c-new") == (S_IFREG | 0640), "creat of a new file with mode 0640",
	      "mode %o", lmode("c-new"));
	close(fd);
	fd = open("t", O_RDONLY);
	CHECK_ERR(write(fd, "x", 1), EBADF, "write to an O_RDONLY fd");
	CHECK_ERR(ftruncate(fd, 0), EINVAL, "ftruncate of an O_RDONLY fd");
	close(fd);
	fd = open("t", O_RDONLY | O_CLOEXEC);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC", "F_GETFD %d",
	      fcntl(fd, F_GETFD));
	close(fd);

	/* pread/pwrite leave the offset alone; offsets are shared by dup only */
	REQUIRE(put_file("p", "abcdefghij") == 0, "create p", "failed");
	fd = open("p", O_RDWR);
	CHECK(lseek(fd, 3, SEEK_SET) == 3 && pread(fd, buf, 4, 5) == 4 &&
		      memcmp(buf, "fghi", 4) == 0 && cur(fd) == 3,
	      "pread reads at its offset and leaves the file offset", "offset %ld", (long)cur(fd));
	CHECK(pwrite(fd, "XY", 2, 0) == 2 && cur(fd) == 3, "pwrite leaves the file offset",
	      "offset %ld", (long)cur(fd));
	CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "def", 3) == 0 && cur(fd) == 6,
	      "read continues at the file offset", "offset %ld", (long)cur(fd));
	CHECK(pread(fd, buf, 10, 8) == 2 && pread(fd, buf, 10, 10) == 0 &&
		      pread(fd, buf, 10, 1000) == 0,
	      "pread at and past the end is short, then 0", "failed");
	CHECK_ERR(pread(fd, buf, 1, -1), EINVAL, "pread at a negative offset");
	CHECK_ERR(pwrite(fd, buf, 1, -1), EINVAL, "pwrite at a negative offset");
	CHECK(read(fd, buf, 0) == 0 && write(fd, buf, 0) == 0 && cur(fd) == 6,
	      "read and write of 0 bytes return 0 and move nothing", "failed");
	int d = dup(fd);
	int o2 = open("p", O_RDONLY);
	CHECK(lseek(d, 0, SEEK_CUR) == 6 && read(d, buf, 2) == 2 && cur(fd) == 8 && cur(o2) == 0,
	      "a dup shares the offset, a second open does not", "fd %ld o2 %ld", (long)cur(fd),
	      (long)cur(o2));
	close(d);
	close(o2);
	CHECK(get_file("p", buf, sizeof buf) == 10 && strcmp(buf, "XYcdefghij") == 0,
	      "the file is \"XYcdefghij\"", "got \"%s\"", buf);

	/* lseek */
	CHECK(lseek(fd, 0, SEEK_END) == 10 && lseek(fd, -4, SEEK_END) == 6 &&
		      lseek(fd, 2, SEEK_CUR) == 8 && lseek(fd, -8, SEEK_CUR) == 0,
	      "lseek SEEK_END and SEEK_CUR", "failed");
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to a negative offset");
	CHECK_ERR(lseek(fd, -11, SEEK_END), EINVAL, "lseek SEEK_END before the start");
	CHECK_ERR(lseek(fd, 0, 5), EINVAL, "lseek with an unknown whence");
	CHECK(cur(fd) == 0, "the failed lseeks left the offset", "offset %ld", (long)cur(fd));
	CHECK_ERR(lseek(999, 0, SEEK_SET), EBADF, "lseek of a closed fd");
	/* a hole */
	CHECK(lseek(fd, 100, SEEK_SET) == 100 && read(fd, buf, 10) == 0,
	      "lseek past the end; read there gives 0", "failed");
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10, "lseek alone does not grow the file",
	      "size %ld", (long)st.st_size);
	CHECK(write(fd, "Z", 1) == 1 && fstat(fd, &st) == 0 && st.st_size == 101,
	      "a write past the end grows the file to the write's end", "size %ld",
	      (long)st.st_size);
	memset(buf, 0x55, sizeof buf);
	CHECK(pread(fd, buf, 200, 0) == 101 && memcmp(buf, "XYcdefghij", 10) == 0 &&
		      all_zero((unsigned char *)buf + 10, 90) && buf[100] == 'Z',
	      "the hole reads as zeroes", "failed");
	/* 64-bit offsets */
	off_t far = 5LL * 1024 * 1024 * 1024 + 3;
	CHECK(pwrite(fd, "far", 3, far) == 3 && fstat(fd, &st) == 0 && st.st_size == far + 3,
	      "pwrite at 5 GiB + 3 (sparse)", "size %lld", (long long)st.st_size);
	CHECK(pread(fd, buf, 10, far - 2) == 5 && memcmp(buf, "\0\0far", 5) == 0,
	      "pread back at 5 GiB", "failed");
	CHECK(lseek(fd, far, SEEK_SET) == far && read(fd, buf, 3) == 3 && cur(fd) == far + 3,
	      "lseek and read at 5 GiB", "offset %lld", (long long)cur(fd));
	CHECK(ftruncate(fd, 101) == 0 && fstat(fd, &st) == 0 && st.st_size == 101,
	      "ftruncate back from 5 GiB", "size %lld", (long long)st.st_size);
	close(fd);

	/* SEEK_DATA and SEEK_HOLE on a file without holes */
	fd = open("p", O_RDWR);
	ftruncate(fd, 0);
	CHECK_ERR(lseek(fd, 0, SEEK_DATA), ENXIO, "SEEK_DATA in an empty file");
	CHECK_ERR(lseek(fd, 0, SEEK_HOLE), ENXIO, "SEEK_HOLE in an empty file");
	write(fd, "0123456789", 10);
	CHECK(lseek(fd, 0, SEEK_DATA) == 0 && lseek(fd, 7, SEEK_DATA) == 7,
	      "SEEK_DATA inside data returns the offset", "failed");
	CHECK(cur(fd) == 7, "SEEK_DATA moves the offset", "offset %ld", (long)cur(fd));
	CHECK(lseek(fd, 0, SEEK_HOLE) == 10 && lseek(fd, 9, SEEK_HOLE) == 10,
	      "SEEK_HOLE finds the implicit hole at the end", "failed");
	CHECK_ERR(lseek(fd, 10, SEEK_DATA), ENXIO, "SEEK_DATA at the end");
	CHECK_ERR(lseek(fd, 10, SEEK_HOLE), ENXIO, "SEEK_HOLE at the end");
	CHECK_ERR(lseek(fd, 50, SEEK_DATA), ENXIO, "SEEK_DATA past the end");
	CHECK_ERR(lseek(fd, -1, SEEK_DATA), ENXIO, "SEEK_DATA at a negative offset");
	CHECK(cur(fd) == 10, "the failed SEEK_DATA/SEEK_HOLE left the offset", "offset %ld",
	      (long)cur(fd));
	close(fd);
	{ /* sparse files: where the data starts is file-system specific, so info only */
		int s = open("sparse", O_RDWR | O_CREAT, 0644);
		pwrite(s, "x", 1, 4 * MIB);
		say("info: sparse file (data at 4 MiB): SEEK_DATA(0)=%ld SEEK_HOLE(0)=%ld\n",
		    (long)lseek(s, 0, SEEK_DATA), (long)lseek(s, 0, SEEK_HOLE));
		close(s);
	}

	/* ftruncate shrink then grow: zeroes, not the old data */
	REQUIRE(put_file("tr", "ABCDEFGHIJKLMNOP") == 0, "create tr", "failed");
	fd = open("tr", O_RDWR);
	CHECK(ftruncate(fd, 4) == 0 && fstat(fd, &st) == 0 && st.st_size == 4, "ftruncate to 4",
	      "size %ld", (long)st.st_size);
	CHECK(ftruncate(fd, 16) == 0 && fstat(fd, &st) == 0 && st.st_size == 16,
	      "ftruncate back to 16", "size %ld", (long)st.st_size);
	memset(buf, 0x55, sizeof buf);
	CHECK(pread(fd, buf, 32, 0) == 16 && memcmp(buf, "ABCD", 4) == 0 &&
		      all_zero((unsigned char *)buf + 4, 12),
	      "bytes past the shrunk size read as zeroes", "failed");
	CHECK(cur(fd) == 0, "ftruncate does not move the offset", "offset %ld", (long)cur(fd));
	CHECK(truncate("tr", 2) == 0 && stat("tr", &st) == 0 && st.st_size == 2,
	      "truncate by path", "size %ld", (long)st.st_size);
	CHECK(truncate("tr", 8192) == 0 && stat("tr", &st) == 0 && st.st_size == 8192 &&
		      pread(fd, buf, 256, 4000) == 256 && all_zero((unsigned char *)buf, 256),
	      "truncate grows with zeroes", "size %ld", (long)st.st_size);
	CHECK_ERR(ftruncate(fd, -1), EINVAL, "ftruncate to a negative size");
	CHECK_ERR(truncate("tr", -1), EINVAL, "truncate to a negative size");
	CHECK_ERR(truncate("missing", 0), ENOENT, "truncate of a missing name");
	CHECK_ERR(truncate(".", 0), EISDIR, "truncate of a directory");
	close(fd);

	/* 1 MiB in one write and one read; odd-sized reads; readv/writev */
	for (size_t i = 0; i < MIB; i++)
		big[i] = (unsigned char)(i * 7 + i / 4096);
	fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, big, MIB) == MIB, "a 1 MiB write writes it all", "failed");
	CHECK(fstat(fd, &st) == 0 && st.st_size == MIB, "st_size is 1 MiB", "size %ld",
	      (long)st.st_size);
	CHECK(pread(fd, back, MIB, 0) == MIB && memcmp(big, back, MIB) == 0,
	      "a 1 MiB read gives it back exactly", "differs");
	memset(back, 0, MIB);
	lseek(fd, 0, SEEK_SET);
	size_t got = 0;
	ssize_t r;
	while ((r = read(fd, back + got, got + 4099 > MIB ? MIB - got : 4099)) > 0)
		got += (size_t)r;
	CHECK(got == MIB && memcmp(big, back, MIB) == 0, "read back in 4099-byte pieces",
	      "got %zu", got);
	CHECK(pwrite(fd, big, 3 * 4096 + 5, 4093) == 3 * 4096 + 5 &&
		      pread(fd, back, 3 * 4096 + 5, 4093) == 3 * 4096 + 5 &&
		      memcmp(big, back, 3 * 4096 + 5) == 0,
	      "an unaligned write across pages reads back", "differs");
	struct iovec iov[3] = {{"one ", 4}, {"", 0}, {"two three", 9}};
	lseek(fd, 0, SEEK_SET);
	CHECK(ftruncate(fd, 0) == 0 && writev(fd, iov, 3) == 13 && cur(fd) == 13,
	      "writev of three iovecs (one empty)", "offset %ld", (long)cur(fd));
	char r1[5] = {0}, r2[20] = {0};
	struct iovec riov[2] = {{r1, 4}, {r2, sizeof r2}};
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, riov, 2) == 13 &&
		      memcmp(r1, "one ", 4) == 0 && memcmp(r2, "two three", 9) == 0,
	      "readv fills the iovecs in order", "\"%s\" \"%s\"", r1, r2);
	CHECK(preadv(fd, riov, 2, 4) == 9 && memcmp(r1, "two ", 4) == 0 &&
		      memcmp(r2, "three", 5) == 0 && cur(fd) == 13,
	      "preadv at an offset leaves the file offset", "failed");
	close(fd);

	/* an unlinked file stays usable while open */
	fd = open("ghost", O_RDWR | O_CREAT | O_EXCL, 0644);
	REQUIRE(fd >= 0 && write(fd, "boo", 3) == 3, "create ghost", "failed");
	CHECK(unlink("ghost") == 0 && !exists("ghost"), "unlink of an open file", "failed");
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 3,
	      "fstat of the unlinked file: st_nlink 0", "nlink %lu", (unsigned long)st.st_nlink);
	CHECK(write(fd, "!!", 2) == 2 && pread(fd, buf, 10, 0) == 5 && memcmp(buf, "boo!!", 5) == 0,
	      "it is still writable and readable", "failed");
	CHECK(ftruncate(fd, 1) == 0 && fstat(fd, &st) == 0 && st.st_size == 1,
	      "and can be truncated", "size %ld", (long)st.st_size);
	CHECK(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && st.st_mode == (S_IFREG | 0600),
	      "and fchmod-ed", "mode %o", st.st_mode);
	CHECK_ERR(open("ghost", O_RDONLY), ENOENT, "its name is gone");
	CHECK_ERR(linkat(fd, "", AT_FDCWD, "ghost-back", AT_EMPTY_PATH), ENOENT,
		  "linkat AT_EMPTY_PATH cannot bring back an unlinked file");
	close(fd);

	/* hard links share data; st_nlink follows link and unlink */
	REQUIRE(put_file("h1", "shared") == 0, "create h1", "failed");
	fd = open("h1", O_RDWR);
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 1, "a new file has st_nlink 1", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK(link("h1", "h2") == 0 && fstat(fd, &st) == 0 && st.st_nlink == 2 &&
		      nlink_of("h2") == 2,
	      "after link: st_nlink 2 on both names and the fd", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK(pwrite(fd, "SH", 2, 0) == 2 && get_file("h2", buf, sizeof buf) == 6 &&
		      strcmp(buf, "SHared") == 0,
	      "a write through one name shows through the other", "got \"%s\"", buf);
	CHECK(put_file("h2", "new") == 0 && fstat(fd, &st) == 0 && st.st_size == 3,
	      "truncating through the other name shows in fstat", "size %ld", (long)st.st_size);
	CHECK(link("h2", "h3") == 0 && unlink("h1") == 0 && fstat(fd, &st) == 0 &&
		      st.st_nlink == 2,
	      "link + unlink: st_nlink 2", "nlink %lu", (unsigned long)st.st_nlink);
	CHECK_ERR(link("h2", "h3"), EEXIST, "link over an existing name");
	CHECK_ERR(link("missing", "h4"), ENOENT, "link of a missing name");
	CHECK_ERR(link(".", "dirlink"), EPERM, "link of a directory");
	CHECK(unlink("h2") == 0 && unlink("h3") == 0 && fstat(fd, &st) == 0 && st.st_nlink == 0,
	      "after unlinking every name: st_nlink 0", "nlink %lu", (unsigned long)st.st_nlink);
	close(fd);

	/* umask */
	CHECK(umask(027) == 022, "umask returns the previous mask", "failed");
	fd = open("um-file", O_WRONLY | O_CREAT, 0666);
	CHECK(fd >= 0 && lmode("um-file") == (S_IFREG | 0640), "umask 027: a 0666 file is 0640",
	      "mode %o", lmode("um-file"));
	close(fd);
	CHECK(mkdir("um-dir", 0777) == 0 && lmode("um-dir") == (S_IFDIR | 0750),
	      "umask 027: a 0777 directory is 0750", "mode %o", lmode("um-dir"));
	CHECK(mknod("um-fifo", S_IFIFO | 0666, 0) == 0 && lmode("um-fifo") == (S_IFIFO | 0640),
	      "umask 027: a 0666 fifo is 0640", "mode %o", lmode("um-fifo"));
	CHECK(symlink("x", "um-link") == 0 && lmode("um-link") == (S_IFLNK | 0777),
	      "a symlink is 0777 whatever the umask", "mode %o", lmode("um-link"));
	CHECK(chmod("um-file", 0666) == 0 && lmode("um-file") == (S_IFREG | 0666),
	      "chmod ignores the umask", "mode %o", lmode("um-file"));
	fd = open("um-file", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && lmode("um-file") == (S_IFREG | 0666),
	      "O_CREAT of an existing file leaves its mode", "mode %o", lmode("um-file"));
	close(fd);
	CHECK(umask(0777) == 027 && umask(01777) == 0777 && umask(022) == 0777,
	      "umask keeps only the 0777 bits", "failed");

	/* chmod, chown */
	REQUIRE(put_file("attr", "x") == 0, "create attr", "failed");
	CHECK(chmod("attr", 04755) == 0 && lmode("attr") == (S_IFREG | 04755), "chmod 04755",
	      "mode %o", lmode("attr"));
	fd = open("attr", O_RDWR);
	CHECK(fchmod(fd, 02710) == 0 && fstat(fd, &st) == 0 && st.st_mode == (S_IFREG | 02710),
	      "fchmod 02710", "mode %o", st.st_mode);
	CHECK(chmod("attr", 0644 | S_IFDIR) == 0 && lmode("attr") == (S_IFREG | 0644),
	      "chmod ignores the type bits", "mode %o", lmode("attr"));
	REQUIRE(symlink("attr", "attr-link") == 0, "symlink attr-link", "failed");
	CHECK(chmod("attr-link", 0600) == 0 && lmode("attr") == (S_IFREG | 0600) &&
		      lmode("attr-link") == (S_IFLNK | 0777),
	      "chmod follows a symlink", "target %o", lmode("attr"));
	CHECK(chown("attr", 1000, 1001) == 0 && stat("attr", &st) == 0 && st.st_uid == 1000 &&
		      st.st_gid == 1001,
	      "chown", "%u:%u", st.st_uid, st.st_gid);
	CHECK(chown("attr", -1, -1) == 0 && stat("attr", &st) == 0 && st.st_uid == 1000 &&
		      st.st_gid == 1001,
	      "chown -1 -1 changes nothing", "%u:%u", st.st_uid, st.st_gid);
	CHECK(fchown(fd, 2000, -1) == 0 && fstat(fd, &st) == 0 && st.st_uid == 2000 &&
		      st.st_gid == 1001,
	      "fchown of the uid only", "%u:%u", st.st_uid, st.st_gid);
	CHECK(chown("attr-link", 3000, 3001) == 0 && stat("attr", &st) == 0 &&
		      st.st_uid == 3000 && lstat("attr-link", &st2) == 0 && st2.st_uid == 0,
	      "chown follows a symlink", "target %u link %u", st.st_uid, st2.st_uid);
	CHECK(lchown("attr-link", 4000, 4001) == 0 && lstat("attr-link", &st2) == 0 &&
		      st2.st_uid == 4000 && st2.st_gid == 4001 && stat("attr", &st) == 0 &&
		      st.st_uid == 3000,
	      "lchown changes the link only", "link %u target %u", st2.st_uid, st.st_uid);
	CHECK(fchmod(fd, 06755) == 0 && fchown(fd, 5000, 5001) == 0 && fstat(fd, &st) == 0 &&
		      st.st_mode == (S_IFREG | 0755),
	      "chown of a file clears setuid and setgid (group-executable), even for root",
	      "mode %o", st.st_mode);
	CHECK(mkdir("sgid-dir", 0755) == 0 && chmod("sgid-dir", 02755) == 0 &&
		      chown("sgid-dir", 6000, 6001) == 0 && lmode("sgid-dir") == (S_IFDIR | 02755),
	      "chown of a directory keeps its setgid bit", "mode %o", lmode("sgid-dir"));
	CHECK(fchmod(fd, 04755) == 0 && write(fd, "w", 1) == 1 && fstat(fd, &st) == 0 &&
		      st.st_mode == (S_IFREG | 04755),
	      "a write by root (CAP_FSETID) keeps setuid", "mode %o", st.st_mode);
	CHECK_ERR(chmod("missing", 0644), ENOENT, "chmod of a missing name");
	CHECK_ERR(chown("missing", 0, 0), ENOENT, "chown of a missing name");
	CHECK_ERR(fchmod(999, 0644), EBADF, "fchmod of a closed fd");
	CHECK_ERR(fchown(999, 0, 0), EBADF, "fchown of a closed fd");

	/* times */
	struct timespec ts[2] = {{1111111111, 123456789}, {1222222222, 987654321}};
	CHECK(utimensat(AT_FDCWD, "attr", ts, 0) == 0 && fstat(fd, &st) == 0 &&
		      st.st_atim.tv_sec == 1111111111 && st.st_atim.tv_nsec == 123456789 &&
		      st.st_mtim.tv_sec == 1222222222 && st.st_mtim.tv_nsec == 987654321,
	      "utimensat sets atime and mtime to the nanosecond", "atime %ld.%09ld mtime %ld.%09ld",
	      (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec,
	      st.st_mtim.tv_nsec);
	CHECK(recent(&st.st_ctim), "utimensat sets ctime to now", "ctime %ld",
	      (long)st.st_ctim.tv_sec);
	struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	CHECK(utimensat(AT_FDCWD, "attr", omit_now, 0) == 0 && fstat(fd, &st) == 0 &&
		      st.st_atim.tv_sec == 1111111111 && st.st_atim.tv_nsec == 123456789 &&
		      recent(&st.st_mtim),
	      "UTIME_OMIT keeps atime, UTIME_NOW sets mtime to now", "atime %ld mtime %ld",
	      (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, "attr", ts, 0);
	CHECK(futimens(fd, now_omit) == 0 && fstat(fd, &st) == 0 && recent(&st.st_atim) &&
		      st.st_mtim.tv_sec == 1222222222 && st.st_mtim.tv_nsec == 987654321,
	      "futimens UTIME_NOW atime, UTIME_OMIT mtime", "atime %ld mtime %ld",
	      (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	utimensat(AT_FDCWD, "attr", ts, 0);
	CHECK(utimensat(AT_FDCWD, "attr", NULL, 0) == 0 && fstat(fd, &st) == 0 &&
		      recent(&st.st_atim) && recent(&st.st_mtim),
	      "utimensat with NULL times sets both to now", "atime %ld mtime %ld",
	      (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	struct timespec both_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, "attr", ts, 0);
	CHECK(utimensat(AT_FDCWD, "attr", both_omit, 0) == 0 && fstat(fd, &st) == 0 &&
		      st.st_mtim.tv_sec == 1222222222 && st.st_atim.tv_sec == 1111111111,
	      "UTIME_OMIT for both changes nothing", "failed");
	struct timespec old[2] = {{1000, 0}, {1000, 0}};
	utimensat(AT_FDCWD, "attr", old, 0);
	CHECK(write(fd, "w", 1) == 1 && fstat(fd, &st) == 0 && recent(&st.st_mtim) &&
		      recent(&st.st_ctim) && st.st_atim.tv_sec == 1000,
	      "a write sets mtime and ctime to now, not atime", "atime %ld mtime %ld ctime %ld",
	      (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec, (long)st.st_ctim.tv_sec);
	utimensat(AT_FDCWD, "attr", old, 0);
	CHECK(ftruncate(fd, 0) == 0 && fstat(fd, &st) == 0 && recent(&st.st_mtim),
	      "ftruncate sets mtime", "mtime %ld", (long)st.st_mtim.tv_sec);
	utimensat(AT_FDCWD, "attr", old, 0);
	CHECK(fchmod(fd, 0644) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1000 &&
		      recent(&st.st_ctim),
	      "chmod sets ctime, not mtime", "mtime %ld ctime %ld", (long)st.st_mtim.tv_sec,
	      (long)st.st_ctim.tv_sec);
	struct stat dbefore;
	struct timespec dold[2] = {{2000, 0}, {2000, 0}};
	utimensat(AT_FDCWD, ".", dold, 0);
	CHECK(put_file("newname", "") == 0 && stat(".", &dbefore) == 0 &&
		      recent(&dbefore.st_mtim) && recent(&dbefore.st_ctim),
	      "creating a name sets the directory's mtime and ctime", "mtime %ld",
	      (long)dbefore.st_mtim.tv_sec);
	utimensat(AT_FDCWD, ".", dold, 0);
	CHECK(unlink("newname") == 0 && stat(".", &dbefore) == 0 && recent(&dbefore.st_mtim),
	      "removing a name sets the directory's mtime", "mtime %ld",
	      (long)dbefore.st_mtim.tv_sec);
	close(fd);

	/* sync calls and statfs */
	fd = open("big", O_RDWR);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0 && syncfs(fd) == 0,
	      "fsync, fdatasync and syncfs", "failed");
	sync();
	CHECK_ERR(fsync(999), EBADF, "fsync of a closed fd");
	struct statfs sfs, sfs2;
	CHECK(statfs(tdir, &sfs) == 0 && fstatfs(fd, &sfs2) == 0 && sfs.f_type == sfs2.f_type &&
		      sfs.f_bsize > 0 && sfs.f_namelen == 255,
	      "statfs and fstatfs of /tmp agree; f_namelen 255", "namelen %ld",
	      (long)sfs.f_namelen);
	say("info: /tmp f_type %#lx f_bsize %ld f_blocks %lu f_bfree %lu\n", (long)sfs.f_type,
	    (long)sfs.f_bsize, (unsigned long)sfs.f_blocks, (unsigned long)sfs.f_bfree);
	CHECK(fstat(fd, &st) == 0 && st.st_blksize > 0, "st_blksize > 0", "%ld",
	      (long)st.st_blksize);
	CHECK_ERR(statfs("missing", &sfs), ENOENT, "statfs of a missing name");
	close(fd);

	drop_tdir();
	return check_done();
}
