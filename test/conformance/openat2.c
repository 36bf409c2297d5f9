/* openat2(2) as Linux does it: struct open_how is checked strictly (sizes, unknown flags and
 * resolve bits, a mode without O_CREAT, BENEATH with IN_ROOT), and the RESOLVE_* flags
 * restrict the lookup: NO_SYMLINKS (ELOOP, but O_PATH|O_NOFOLLOW still opens the link),
 * NO_MAGICLINKS (/proc/self/fd/N is ELOOP, /proc/self is not magic), NO_XDEV (crossing into
 * /proc is EXDEV), BENEATH (absolute paths, absolute symlinks and ".." above the start are
 * EXDEV), IN_ROOT (the start is the root: "/" and ".." stay inside it), CACHED (EAGAIN with
 * O_CREAT). Works only inside /tmp/vfs-openat2-<pid> (see vfs.h). */
#include "vfs.h"
#include <linux/openat2.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static long openat2_(int dirfd, const char *path, unsigned long long flags, unsigned long long mode,
		     unsigned long long resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* openat2 that must succeed: returns the fd's inode number and closes it, or 0. */
static ino_t ino_via(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve)
{
	long fd = openat2_(dirfd, path, flags, 0, resolve);
	if (fd < 0)
		return 0;
	struct stat st;
	ino_t ino = fstat((int)fd, &st) == 0 ? st.st_ino : 0;
	close((int)fd);
	return ino;
}

static void struct_checks(int d)
{
	struct {
		struct open_how how;
		unsigned long long extra;
	} big = { { .flags = O_RDONLY }, 0 };
	long fd = syscall(SYS_openat2, d, "a/file", &big, sizeof big);
	CHECK(fd >= 0, "a bigger open_how whose extra bytes are zero", "got %ld", fd);
	if (fd >= 0)
		close((int)fd);
	big.extra = 1;
	CHECK_ERR(syscall(SYS_openat2, d, "a/file", &big, sizeof big), E2BIG, "a bigger open_how with non-zero extra bytes");
	CHECK_ERR(syscall(SYS_openat2, d, "a/file", &big, 16), EINVAL, "an open_how smaller than its first version");
	static unsigned char huge[256];
	memset(huge, 0, sizeof huge);
	fd = syscall(SYS_openat2, d, "a/file", huge, sizeof huge);
	CHECK(fd >= 0, "a 256-byte open_how of zeroes past the first 24", "errno %d", errno);
	if (fd >= 0)
		close((int)fd);
	huge[200] = 1;
	CHECK_ERR(syscall(SYS_openat2, d, "a/file", huge, sizeof huge), E2BIG, "a non-zero byte far past the known struct");
	static char page[8192];
	CHECK_ERR(syscall(SYS_openat2, d, "a/file", page, 8192), E2BIG, "an open_how bigger than a page");
	CHECK_ERR(syscall(SYS_openat2, d, "a/file", NULL, sizeof(struct open_how)), EFAULT, "a bad open_how pointer");
	CHECK_ERR(openat2_(d, "a/file", 1ULL << 40, 0, 0), EINVAL, "unknown high flag bits");
	CHECK_ERR(openat2_(d, "a/file", 0x80000000ULL, 0, 0), EINVAL, "an unknown flag bit below 32");
	CHECK_ERR(openat2_(d, "a/file", O_RDONLY, 0, 0x40), EINVAL, "an unknown resolve bit");
	CHECK_ERR(openat2_(d, "a/file", O_RDONLY, 0644, 0), EINVAL, "a mode without O_CREAT");
	CHECK_ERR(openat2_(d, "a/new", O_CREAT | O_WRONLY, 010000, 0), EINVAL, "a mode with bits beyond 07777");
	CHECK_ERR(openat2_(d, "a/file", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL, "BENEATH with IN_ROOT");
	CHECK_ERR(openat2_(d, "a/new", O_CREAT | O_WRONLY, 0644, RESOLVE_CACHED), EAGAIN, "RESOLVE_CACHED with O_CREAT");
	CHECK_ERR(openat2_(d, "a/file", O_WRONLY | O_TRUNC, 0, RESOLVE_CACHED), EAGAIN, "RESOLVE_CACHED with O_TRUNC");
	fd = openat2_(d, "a/file", O_RDONLY, 0, RESOLVE_CACHED);
	CHECK(fd >= 0 || errno == EAGAIN, "RESOLVE_CACHED of a plain open opens or says EAGAIN", "errno %d", errno);
	if (fd >= 0)
		close((int)fd);
	fd = openat2_(d, "a/created", O_CREAT | O_EXCL | O_WRONLY, 0600, 0);
	struct stat st;
	CHECK(fd >= 0 && fstat((int)fd, &st) == 0 && (st.st_mode & 07777) == 0600, "O_CREAT with a mode", "fd %ld", fd);
	if (fd >= 0)
		close((int)fd);
}

static void no_symlinks(int d)
{
	CHECK(ino_via(d, "a/file", O_RDONLY, RESOLVE_NO_SYMLINKS) == ino_of("a/file"), "NO_SYMLINKS: a path without links opens", "-");
	CHECK_ERR(openat2_(d, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP, "NO_SYMLINKS: a trailing symlink");
	CHECK_ERR(openat2_(d, "adir/file", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP, "NO_SYMLINKS: a symlink in the middle");
	long fd = openat2_(d, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
	struct stat st;
	CHECK(fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode), "NO_SYMLINKS with O_PATH|O_NOFOLLOW opens the link itself",
	      "fd %ld", fd);
	if (fd >= 0)
		close((int)fd);
	CHECK_ERR(openat2_(d, "rel", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS), ELOOP, "NO_SYMLINKS with O_NOFOLLOW alone");
	CHECK(ino_via(d, "rel", O_RDONLY, 0) == ino_of("a/file"), "without it the link is followed", "-");
}

static void magic_and_xdev(int d)
{
	int fd = open("a/file", O_RDONLY);
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	CHECK_ERR(openat2_(AT_FDCWD, p, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP, "NO_MAGICLINKS: /proc/self/fd/N");
	CHECK_ERR(openat2_(AT_FDCWD, p, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP, "NO_SYMLINKS refuses magic links too");
	CHECK(ino_via(AT_FDCWD, p, O_RDONLY, 0) == ino_of("a/file"), "without it /proc/self/fd/N opens the file", "-");
	long s = openat2_(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS);
	CHECK(s >= 0, "NO_MAGICLINKS: /proc/self is not a magic link", "errno %d", errno);
	if (s >= 0)
		close((int)s);
	close(fd);
	CHECK_ERR(openat2_(AT_FDCWD, "/proc/version", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV, "NO_XDEV: crossing into /proc");
	int root = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(openat2_(root, "proc/version", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV, "NO_XDEV: from / into proc/");
	close(root);
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	long v = openat2_(proc, "version", O_RDONLY, 0, RESOLVE_NO_XDEV);
	CHECK(v >= 0, "NO_XDEV: inside one mount", "errno %d", errno);
	if (v >= 0)
		close((int)v);
	CHECK_ERR(openat2_(proc, "..", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV, "NO_XDEV: \"..\" out of a mount");
	close(proc);
	CHECK(ino_via(d, "a/file", O_RDONLY, RESOLVE_NO_XDEV) == ino_of("a/file"), "NO_XDEV: a path in the scratch directory", "-");
}

static void beneath(int d)
{
	CHECK(ino_via(d, "a/file", O_RDONLY, RESOLVE_BENEATH) == ino_of("a/file"), "BENEATH: a path below the start", "-");
	CHECK(ino_via(d, "a/sub/../file", O_RDONLY, RESOLVE_BENEATH) == ino_of("a/file"), "BENEATH: \"..\" that stays below", "-");
	CHECK(ino_via(d, "rel", O_RDONLY, RESOLVE_BENEATH) == ino_of("a/file"), "BENEATH: a relative symlink below", "-");
	CHECK_ERR(openat2_(d, "../x", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: \"..\" above the start");
	CHECK_ERR(openat2_(d, "a/../../x", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: \"..\" above the start later");
	CHECK_ERR(openat2_(d, "/etc/hostname", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: an absolute path");
	CHECK_ERR(openat2_(d, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: an absolute symlink");
	CHECK_ERR(openat2_(d, "a/up/x", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: a symlink to \"../..\"");
	char p[64];
	int fd = open("a/file", O_RDONLY);
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof p, "self/fd/%d", fd);
	CHECK_ERR(openat2_(proc, p, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV, "BENEATH: a magic link");
	close(proc);
	close(fd);
	long c = openat2_(d, "a/made", O_CREAT | O_WRONLY, 0644, RESOLVE_BENEATH);
	CHECK(c >= 0, "BENEATH: O_CREAT below the start", "errno %d", errno);
	if (c >= 0)
		close((int)c);
	CHECK_ERR(openat2_(d, "../made", O_CREAT | O_WRONLY, 0644, RESOLVE_BENEATH), EXDEV, "BENEATH: O_CREAT above the start");
}

static void in_root(int d)
{
	CHECK(ino_via(d, "/a/file", O_RDONLY, RESOLVE_IN_ROOT) == ino_of("a/file"), "IN_ROOT: \"/\" is the start", "-");
	CHECK(ino_via(d, "../../../../a/file", O_RDONLY, RESOLVE_IN_ROOT) == ino_of("a/file"), "IN_ROOT: \"..\" stays at the start", "-");
	CHECK(ino_via(d, "inroot", O_RDONLY, RESOLVE_IN_ROOT) == ino_of("a/file"), "IN_ROOT: an absolute symlink starts at the start", "-");
	CHECK(ino_via(d, "a/up/a/file", O_RDONLY, RESOLVE_IN_ROOT) == ino_of("a/file"), "IN_ROOT: a symlink to \"../..\" stays inside", "-");
	CHECK(ino_via(d, "/", O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT) == ino_of("."), "IN_ROOT: \"/\" alone", "-");
	CHECK_ERR(openat2_(d, "/etc/hostname", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT, "IN_ROOT: the real /etc is out of reach");
}

int main(void)
{
	make_tdir("openat2");
	REQUIRE(mkdir("a", 0755) == 0 && mkdir("a/sub", 0755) == 0, "mkdir", "-");
	int f = open("a/file", O_CREAT | O_WRONLY, 0644);
	REQUIRE(f >= 0, "create a/file", "-");
	close(f);
	REQUIRE(symlink("a/file", "rel") == 0 && symlink("/etc", "abs") == 0 && symlink("a", "adir") == 0 &&
			symlink("../..", "a/up") == 0 && symlink("/a/file", "inroot") == 0,
		"symlinks", "-");
	int d = open(".", O_RDONLY | O_DIRECTORY);
	REQUIRE(d >= 0, "open the scratch directory", "-");
	struct_checks(d);
	no_symlinks(d);
	magic_and_xdev(d);
	beneath(d);
	in_root(d);
	close(d);
	REQUIRE(chdir("/") == 0, "chdir /", "-");
	rm_rf(tdir);
	return check_done();
}
