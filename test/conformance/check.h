/*
 * Shared helpers for the wvisor conformance programs.
 *
 * Every program is self-checking: it prints one "ok: <what>" line per passed check on
 * stdout, "info: ..." lines for values that differ between runs (the tests ignore them),
 * and "FAIL: <what>: <details>" on stderr for a failed check. main() returns
 * check_done(), which is 0 when every check passed and 1 otherwise.
 *
 * Output goes straight to the fd with write(2) (no stdio buffer), so it interleaves
 * correctly with the raw write()s some programs make, and it costs no malloc.
 */
#ifndef WVISOR_CHECK_H
#define WVISOR_CHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_failures;

__attribute__((unused)) static void out_fd(int fd, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(fd, buf + off, (size_t)(n - off));
		if (w <= 0)
			return;
		off += (int)w;
	}
}

__attribute__((format(printf, 1, 2), unused)) static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_fd(1, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2), unused)) static void complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_fd(2, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 7, 8), unused)) static int
check_report(int ok, int err, const char *what, const char *file, int line, const char *cond,
	     const char *fmt, ...)
{
	if (ok) {
		say("ok: %s\n", what);
	} else {
		va_list ap;
		check_failures++;
		complain("FAIL: %s (%s:%d: %s): ", what, file, line, cond);
		va_start(ap, fmt);
		out_fd(2, fmt, ap);
		va_end(ap);
		complain(" [errno=%d %s]\n", err, strerror(err));
	}
	errno = err;
	return ok;
}

/*
 * CHECK(cond, "what is checked", "printf-style details shown on failure", ...)
 * evaluates to cond (0 or 1), so a caller can skip checks that depend on it.
 */
#define CHECK(cond, what, ...)                                                        \
	({                                                                            \
		int check_ok_ = !!(cond);                                             \
		int check_errno_ = errno;                                             \
		check_report(check_ok_, check_errno_, what, __FILE__, __LINE__, #cond, \
			     __VA_ARGS__);                                            \
	})

/* A call expected to fail with -1 and the given errno. */
#define CHECK_ERR(expr, err, what)                                                    \
	({                                                                            \
		errno = 0;                                                            \
		long check_r_ = (long)(expr);                                         \
		int check_e_ = errno;                                                 \
		check_report(check_r_ == -1 && check_e_ == (err), check_e_, what,     \
			     __FILE__, __LINE__, #expr " fails with " #err,           \
			     "expected -1 with errno %s, got %ld", #err, check_r_);   \
	})

/* Stop at once when the check fails: later checks would be meaningless or crash. */
#define REQUIRE(cond, what, ...)                                                      \
	do {                                                                          \
		if (!CHECK(cond, what, __VA_ARGS__)) {                                \
			complain("FAIL: stopping after a failed requirement\n");     \
			exit(2);                                                      \
		}                                                                     \
	} while (0)

__attribute__((unused)) static int check_done(void)
{
	if (check_failures) {
		complain("FAIL: %d check(s) failed\n", check_failures);
		return 1;
	}
	say("ok: all checks passed\n");
	return 0;
}

#endif
