/*
 * fuzz_slabinfo.c -- libFuzzer harness of the /proc/slabinfo parser
 * (slabinfo.c): any bytes (NULs included) give rows within their ranges
 * or an error naming the line, never a crash or a leak.
 */
#include <string.h>
#include <glib.h>
#include "slabinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_malloc(size + 1);
	GError *err = NULL;
	GArray *rows;

	memcpy(text, data, size);
	text[size] = '\0';
	rows = slabinfo_parse("fuzz.slabinfo", text, size, &err);
	for (guint i = 0; rows && i < rows->len; i++) {
		const slabinfo_row_t *r = &g_array_index(rows, slabinfo_row_t, i);
		if (!r->name || !*r->name || r->objsize < 1 || r->objsize > (1u << 30) ||
		    r->active_objs > r->num_objs)
			abort();
	}
	slabinfo_free(rows);
	g_clear_error(&err);
	g_free(text);
	return 0;
}
