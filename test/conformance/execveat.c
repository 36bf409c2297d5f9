/* execveat(2) as Linux does it: a program looked up from a directory fd, fexecve-style
 * AT_EMPTY_PATH on an fd of the program, AT_SYMLINK_NOFOLLOW refusing a symlink (ELOOP), a
 * #! script found through a dirfd (its interpreter gets /dev/fd/N/name), and the errors for
 * a missing name and an empty path without AT_EMPTY_PATH. */
#include "check.h"
#include "proc.h"
#include <sys/syscall.h>
#include <sys/wait.h>

/* Runs execveat in a child; the exit status, or 100 + errno if the exec failed. */
static int run(int dirfd, const char *path, int flags, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		char *envp[] = {NULL};
		syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		_exit(100 + errno);
	}
	int st;
	if (wait_timeout(pid, &st, 10000) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	int bin = open("/bin", O_RDONLY | O_DIRECTORY);
	REQUIRE(bin >= 0, "open /bin", "errno %d", errno);
	char *targv[] = {"true", NULL}, *fargv[] = {"false", NULL};
	CHECK(run(bin, "true", 0, targv) == 0, "execveat(/bin fd, \"true\") runs true", "-");
	CHECK(run(bin, "false", 0, fargv) == 1, "execveat(/bin fd, \"false\") runs false (status 1)", "-");
	int f = open("/bin/false", O_RDONLY);
	CHECK(run(f, "", AT_EMPTY_PATH, fargv) == 1, "AT_EMPTY_PATH runs the program the fd names", "-");
	CHECK(run(bin, "", 0, targv) == 100 + ENOENT, "an empty path without AT_EMPTY_PATH is ENOENT", "-");
	CHECK(run(bin, "no-such-program", 0, targv) == 100 + ENOENT, "a missing name is ENOENT", "-");

	char link[64];
	snprintf(link, sizeof link, "/tmp/execveat-link-%d", (int)getpid());
	REQUIRE(symlink("/bin/true", link) == 0, "symlink to /bin/true", "errno %d", errno);
	CHECK(run(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW, targv) == 100 + ELOOP, "AT_SYMLINK_NOFOLLOW on a symlink is ELOOP", "-");
	CHECK(run(AT_FDCWD, link, 0, targv) == 0, "without it the link is followed", "-");
	unlink(link);

	/* a script found through a dirfd: the interpreter gets /dev/fd/N/name as $0 */
	int tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
	char name[64];
	snprintf(name, sizeof name, "execveat-script-%d.sh", (int)getpid());
	int s = openat(tmp, name, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	const char *text = "#!/bin/sh\ncase \"$0\" in /dev/fd/*/execveat-script-*) exit 7;; esac\nexit 8\n";
	REQUIRE(s >= 0 && write(s, text, strlen(text)) == (ssize_t)strlen(text), "write the script", "errno %d", errno);
	close(s);
	char *sargv[] = {name, NULL};
	CHECK(run(tmp, name, 0, sargv) == 7, "a #! script through a dirfd runs with $0 = /dev/fd/N/name", "-");
	unlinkat(tmp, name, 0);
	return check_done();
}
