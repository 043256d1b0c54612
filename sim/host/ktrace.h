/*
 * ktrace.h -- reading recorded kernel kmem trace events.
 *
 * Owns: the parser of ftrace / trace-cmd / perf-script text lines of the
 * kmem tracepoints (kmalloc, kmalloc_node, kmem_cache_alloc,
 * kmem_cache_alloc_node, kfree, kmem_cache_free), 2.6.3x and modern
 * formats alike: hex or symbolic call_site, hashed or raw pointers,
 * optional node=, accounted=, name= fields.  Other lines are skipped.
 */
#ifndef SLABSIM_KTRACE_H
#define SLABSIM_KTRACE_H

#include <glib.h>
#include "types.h"

typedef struct ktrace_event {
	uint64_t t_ns;           /* timestamp, ns since the first event */
	int cpu;                 /* [NNN] of the line */
	bool alloc;              /* else a free */
	bool kmalloc;            /* kmalloc/kfree (else kmem_cache_*) */
	char *ptr;               /* as printed: pairs allocs with frees */
	uint32_t bytes_req, bytes_alloc;
	int node;                /* -1 when absent */
	bool accounted;          /* accounted=true (__GFP_ACCOUNT); false when absent */
	char *name;              /* cache name (name=), or NULL */
} ktrace_event_t;

/* Timestamps are seconds from 0 up to this (a timestamp outside, or a
 * CPU or byte count that does not fit, makes the line malformed). */
#define KTRACE_MAX_SECONDS 1e9

/* Parse a trace file; events in file order.  Errors name file and line. */
GArray *ktrace_load(const char *path, GError **err);
/* The same for the text of file `path` (for messages), read already. */
GArray *ktrace_parse_text(const char *path, const char *text, GError **err);
void ktrace_free(GArray *events);
/* Parse one line; false if it is not a kmem event (err set if malformed). */
bool ktrace_parse_line(const char *line, ktrace_event_t *ev, double *ts, GError **err);

#endif
