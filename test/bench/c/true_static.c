/* A static program that does nothing and exits 0: startup cost and the fork+exec target. */
int main(void) { return 0; }
