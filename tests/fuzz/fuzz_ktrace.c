/*
 * fuzz_ktrace.c -- libFuzzer harness of the streaming kmem trace reader
 * (ktrace.c, kt_input.c): any bytes as a trace file (plain, or what looks
 * like gzip or xz) give events, then the end or an error naming the line,
 * never a crash, an undefined operation or a leak.  The bytes reach the
 * reader as a file, through a memfd, so the input layer is exercised too.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include "ktrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.trace", 0);
	GError *err = NULL;
	ktrace_event_t ev;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char *path = g_strdup_printf("/proc/self/fd/%d", fd);
	ktrace_reader_t *r = ktrace_open(path, &err);

	if (r) {
		while (ktrace_next(r, &ev, &err) > 0)
			;
		ktrace_close(r);
	}
	g_clear_error(&err);
	g_free(path);
	close(fd);
	return 0;
}
