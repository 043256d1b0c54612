/*
 * fuzz_ktrace.c -- libFuzzer harness of the kmem trace parser (ktrace.c):
 * any bytes as a trace file's text give events or an error naming the
 * line, never a crash, an undefined operation or a leak.
 */
#include <string.h>
#include <glib.h>
#include "ktrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	GError *err = NULL;
	GArray *evs = ktrace_parse_text("fuzz.trace", text, &err);

	ktrace_free(evs);
	g_clear_error(&err);
	g_free(text);
	return 0;
}
