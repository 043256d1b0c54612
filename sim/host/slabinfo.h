/*
 * slabinfo.h -- reading /proc/slabinfo version 2.1 files.
 *
 * Owns: the parser of the slabinfo text a workload reads (sim.slabinfo):
 * the header line, comment and blank lines, and rows of
 *   name active_objs num_objs objsize objperslab pagesperslab [...]
 * (SLAB's ": tunables ... : slabdata ..." and anything after the sixth
 * field are ignored).  Names may be of any length; every number is a
 * plain decimal within its documented range; NUL bytes, text that is not
 * UTF-8 and control characters are refused with the line; a file with no
 * row is an error.  Knows no Lua.
 */
#ifndef SLABSIM_SLABINFO_H
#define SLABSIM_SLABINFO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct slabinfo_row {
	char *name;
	uint64_t active_objs;    /* 0..num_objs */
	uint64_t num_objs;       /* 0..2^40 */
	uint64_t objsize;        /* 1..2^30 */
	uint64_t objperslab;     /* 0..2^24 */
	uint64_t pagesperslab;   /* 0..2^24 */
	uint64_t limit;          /* first number after ": tunables" (SLAB's per-CPU
	                          * array limit, 0 from SLUB), 0..2^24; 0 if none */
} slabinfo_row_t;

/* The rows of `len` bytes of text (text[len] is a NUL, as
 * g_file_get_contents leaves it) read from file `name` (for messages), in
 * file order; NULL and *err ("NAME:LINE: ...") if malformed. */
GArray *slabinfo_parse(const char *name, const char *text, size_t len, GError **err);
void slabinfo_free(GArray *rows);

#endif
