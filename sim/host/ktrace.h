/*
 * ktrace.h -- reading recorded kernel kmem trace events, streamed.
 *
 * Owns: the reader of ftrace / trace-cmd / perf-script text of the kmem
 * tracepoints (kmalloc, kmalloc_node, kmem_cache_alloc,
 * kmem_cache_alloc_node, kfree, kmem_cache_free), 2.6.3x and 6.x formats
 * alike (hex or symbolic call_site, hashed or raw pointers, optional
 * node=, accounted=, name=), plain, gzip or xz (kt_input.c).  Events come
 * one at a time in file order; nothing is kept of a line once it is read.
 * Other lines are skipped and counted; the events the recorder lost
 * (ftrace's buffer header and "[LOST N EVENTS]" lines, perf script's
 * PERF_RECORD_LOST records) are summed; a last line without its newline
 * (a cut file) is skipped and counted.
 */
#ifndef SLABSIM_KTRACE_H
#define SLABSIM_KTRACE_H

#include <glib.h>
#include "types.h"

/* Timestamps at or above this many seconds are refused (no overflow). */
#define KTRACE_MAX_SECONDS 1000000000ULL

typedef struct ktrace_event {
	uint64_t t_ns;           /* timestamp, ns (as recorded) */
	int cpu;                 /* the [NNN] before the timestamp */
	bool alloc;              /* else a free */
	bool kmalloc;            /* kmalloc/kfree (else kmem_cache_*) */
	uint64_t ptr;            /* 0: NULL, "(null)" or "(nil)" (a failed allocation) */
	uint32_t bytes_req, bytes_alloc;
	int node;                /* -1 when absent */
	bool accounted;          /* accounted=true (__GFP_ACCOUNT); false when absent */
	const char *name;        /* cache name (name=), or NULL; valid until the next event */
} ktrace_event_t;

/* What the reader has seen so far. */
typedef struct ktrace_info {
	uint64_t lines;          /* lines read */
	uint64_t events;         /* kmem events returned */
	uint64_t skipped;        /* lines that are not kmem events (headers, other events) */
	uint64_t lost;           /* events the recorder says it lost */
	bool truncated;          /* the last line had no newline: skipped */
} ktrace_info_t;

typedef struct ktrace_reader ktrace_reader_t;

ktrace_reader_t *ktrace_open(const char *path, GError **err);
/* The next event: 1, 0 at the end, -1 (and *err naming file and line)
 * on a malformed kmem line or a read error. */
int ktrace_next(ktrace_reader_t *r, ktrace_event_t *ev, GError **err);
const ktrace_info_t *ktrace_info(const ktrace_reader_t *r);
/* "xz", "gzip" or "text". */
const char *ktrace_kind(const ktrace_reader_t *r);
void ktrace_close(ktrace_reader_t *r);

/* Parse one line (no newline): 1 if it is a kmem event, 0 if not, -1 if
 * it is a malformed one (*err says what was expected).  ev->name points
 * into line. */
int ktrace_parse_line(char *line, ktrace_event_t *ev, GError **err);

#endif
