/* Dies of SIGSEGV by writing through a NULL pointer (no core file: RLIMIT_CORE is set to 0). */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	printf("about to crash\n");
	fflush(stdout);
	*(volatile int *)0 = 1;
	printf("still alive after writing to NULL\n");
	return 3;
}
