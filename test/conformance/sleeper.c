/* sleeper [SECONDS]: prints "sleeping" (flushed), then sleeps (default 30 s) and prints "woke". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 30;
	struct timespec ts = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
	printf("sleeping\n");
	fflush(stdout);
	while (nanosleep(&ts, &ts) != 0)
		;
	printf("woke\n");
	return 0;
}
