// Asks for more anonymous memory than the sandbox may hold: mmap must fail with ENOMEM (not
// crash the program or the sandbox), and memory given back must be usable again.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 256;
  size_t len = mib << 20;
  void *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("mmap %zu MiB: %s\n", mib, strerror(errno));
    return errno == ENOMEM ? 0 : 1;
  }
  memset(p, 1, len);
  munmap(p, len);
  printf("mmap %zu MiB: ok\n", mib);
  return 0;
}
