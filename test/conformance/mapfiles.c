// Maps each file named on the command line read-only and privately, in turn, reads every page
// (a checksum of one byte per page), and unmaps it before the next: prints one line per
// file. Under wvisor a read-only private mapping of a host file maps the file's page cache,
// which outlives the mapping: files that together hold more than the sandbox may are mapped
// one after the other only if unmapped caches are given back when memory runs short.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
      printf("%s: %s\n", argv[i], strerror(errno));
      return 1;
    }
    unsigned char *p = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      printf("%s: mmap: %s\n", argv[i], strerror(errno));
      return 1;
    }
    unsigned sum = 0;
    for (off_t o = 0; o < st.st_size; o += 4096) sum = sum * 31 + p[o];
    munmap(p, st.st_size);
    close(fd);
    printf("file %d: %lld MiB, sum %08x\n", i, (long long)(st.st_size >> 20), sum);
  }
  return 0;
}
