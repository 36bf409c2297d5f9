/*
 * /proc/<pid>/environ, auxv and personality are readable by the process's owner only (mode
 * 0400, owned by its user): another user cannot read a root process's environment, while its
 * stat stays readable to all.
 */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

int main(void)
{
	const char *private_files[] = {"environ", "auxv", "personality"};
	for (unsigned i = 0; i < 3; i++) {
		char p[64];
		struct stat st;
		snprintf(p, sizeof p, "/proc/self/%s", private_files[i]);
		CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0400 && st.st_uid == geteuid(), "mode 0400, owned by the process",
		      "%s: mode %o uid %d", p, st.st_mode, st.st_uid);
		int fd = open(p, O_RDONLY);
		CHECK(fd >= 0, "the owner reads it", "%s: errno %d", p, errno);
		close(fd);
	}
	pid_t parent = getpid();
	pid_t c = fork();
	REQUIRE(c >= 0, "fork", "errno %d", errno);
	if (c == 0) {
		char p[64];
		if (setuid(65534) != 0)
			_exit(10);
		snprintf(p, sizeof p, "/proc/%d/environ", parent);
		if (open(p, O_RDONLY) >= 0 || errno != EACCES)
			_exit(11);
		snprintf(p, sizeof p, "/proc/%d/stat", parent);
		if (open(p, O_RDONLY) < 0)
			_exit(12);
		_exit(0);
	}
	int st;
	REQUIRE(waitpid(c, &st, 0) == c, "waitpid", "errno %d", errno);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "another user: EACCES for environ, stat readable", "status %#x", st);
	return check_done();
}
