/* Prints "hello, world\n" with stdio: one write(1, "hello, world\n", 13) at exit. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
