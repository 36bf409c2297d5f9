/*
 * exitcode CODE [exit|exit_group|return]
 * Prints "exitcode: exiting with CODE via HOW", then ends with CODE through the chosen
 * path (default: return from main, i.e. exit(3)).
 * The wait status keeps the low 8 bits only, so CODE 256 gives 0 on Linux.
 */
#include "check.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		complain("usage: exitcode CODE [exit|exit_group|return]\n");
		return 2;
	}
	int code = atoi(argv[1]);
	const char *how = argc > 2 ? argv[2] : "return";
	say("exitcode: exiting with %s via %s\n", argv[1], how);
	if (strcmp(how, "exit") == 0)
		syscall(SYS_exit, code); /* one thread: the process ends with it */
	else if (strcmp(how, "exit_group") == 0)
		syscall(SYS_exit_group, code);
	else if (strcmp(how, "return") != 0) {
		complain("unknown way to exit: %s\n", how);
		return 2;
	}
	return code;
}
