/*
 * ktrace.c -- kmem trace events, streamed (see ktrace.h).
 *
 * A line looks like
 *   TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: key=value key=value ...   (ftrace)
 *   TASK PID [CPU] TIMESTAMP: kmem:EVENT: key=value ...              (perf script)
 * The event is the name after the first "TIMESTAMP: " of the line (a
 * task name may hold brackets, spaces and colons); the CPU is the
 * bracketed number just before the timestamp, or before the one token of
 * irq flags between them.  Fields are found by name in any order.
 */
#define _GNU_SOURCE             /* strchrnul */
#include <stdio.h>
#include <string.h>
#include "ktrace.h"
#include "kt_input.h"
#include "error.h"

static const struct {
	const char *name;
	size_t len;
	bool alloc, kmalloc;
} kinds[] = {
	{ "kmalloc", 7, true, true }, { "kmalloc_node", 12, true, true },
	{ "kmem_cache_alloc", 16, true, false }, { "kmem_cache_alloc_node", 21, true, false },
	{ "kfree", 5, false, true }, { "kmem_cache_free", 15, false, false },
};

struct ktrace_reader {
	char *path;
	kt_input_t *in;
	GString *buf;             /* bytes read and not yet returned as lines */
	gsize pos;                /* start of the next line in buf */
	bool eof;
	ktrace_info_t info;
	uint64_t lost_lines;      /* summed "[LOST N EVENTS]" / PERF_RECORD_LOST */
	uint64_t lost_header;     /* ftrace's entries-written minus entries-in-buffer */
};

/* A decimal integer from 0 to max in [s, end) (end NULL: up to the first
 * non-digit); -1 if there is none, it is longer, or it is larger. */
static long long decimal(const char *s, const char *end, long long max)
{
	long long v = 0;
	const char *p = s;

	for (; (end ? p < end : true) && g_ascii_isdigit(*p); p++)
		if ((v = v * 10 + (*p - '0')) > max)
			return -1;
	if (p == s || (end && p != end))
		return -1;
	return v;
}

/* Where the timestamp ending just before `colon` starts, or NULL. */
static const char *timestamp_start(const char *line, const char *colon)
{
	const char *t = colon;
	bool dot = false;

	while (t > line && (g_ascii_isdigit(t[-1]) || (t[-1] == '.' && !dot))) {
		dot |= t[-1] == '.';
		t--;
	}
	if (t == colon || !dot || !g_ascii_isdigit(*t) || (t > line && t[-1] != ' '))
		return NULL;
	return t;
}

/* The timestamp [t, colon) in ns; false if out of range. */
static bool parse_ns(const char *t, const char *colon, uint64_t *ns)
{
	const char *dot = memchr(t, '.', (size_t)(colon - t));
	long long sec = decimal(t, dot, (long long)KTRACE_MAX_SECONDS - 1);
	uint64_t frac = 0;
	int digits = 0;

	if (sec < 0)
		return false;
	for (const char *p = dot + 1; p < colon; p++, digits++)
		if (digits < 9)
			frac = frac * 10 + (uint64_t)(*p - '0');
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = (uint64_t)sec * 1000000000ULL + frac;
	return true;
}

/* The CPU in the "[NNN]" before the timestamp at t (perhaps with one
 * token of irq flags between); -1 if there is none. */
static int cpu_before(const char *line, const char *t)
{
	const char *p = t, *close;

	while (p > line && p[-1] == ' ')
		p--;
	if (p > line && p[-1] != ']') {          /* ftrace's irq flags: "d..1." */
		while (p > line && p[-1] != ' ')
			p--;
		while (p > line && p[-1] == ' ')
			p--;
	}
	if (p == line || p[-1] != ']')
		return -1;
	close = p - 1;
	for (p = close; p > line && g_ascii_isdigit(p[-1]); p--)
		;
	if (p == line || p[-1] != '[')
		return -1;
	return (int)decimal(p, close, G_MAXINT);
}

/* The kind of the event named at `name`, and where its fields start; -1
 * if it is no kmem event.  The kinds' names differ in length. */
static int event_kind(const char *name, const char **fields)
{
	const char *end;

	while (*name == ' ')            /* perf script pads the event name */
		name++;
	if (strncmp(name, "kmem:", 5) == 0)
		name += 5;
	for (end = name; *end && *end != ':' && *end != ' '; end++)
		;
	if (*end != ':')
		return -1;
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
		if ((size_t)(end - name) == kinds[k].len && memcmp(name, kinds[k].name, kinds[k].len) == 0) {
			*fields = end + 1;
			return (int)k;
		}
	return -1;
}

/* The value of hex digit c, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A pointer value: hex with or without 0x; 0 for "(null)" and "(nil)". */
static bool parse_ptr(const char *v, uint64_t *out)
{
	uint64_t x = 0;
	const char *p = v;

	if (*v == '(') {
		*out = 0;
		return strcmp(v, "(null)") == 0 || strcmp(v, "(nil)") == 0;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	const char *start = p;
	for (int d; *p; p++) {
		if ((d = hexval(*p)) < 0 || p - start >= 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return p > start;
}

typedef struct fields {
	char *ptr, *req, *alloc, *node, *accounted, *name;
} fields_t;

/* The slot of fields_t for key [k, k + n), or NULL if it is not one. */
static char **field_slot(fields_t *f, const char *k, size_t n)
{
	switch (n) {
	case 3:
		return memcmp(k, "ptr", 3) == 0 ? &f->ptr : NULL;
	case 4:
		return memcmp(k, "node", 4) == 0 ? &f->node : memcmp(k, "name", 4) == 0 ? &f->name : NULL;
	case 9:
		return memcmp(k, "bytes_req", 9) == 0 ? &f->req :
		       memcmp(k, "accounted", 9) == 0 ? &f->accounted : NULL;
	case 11:
		return memcmp(k, "bytes_alloc", 11) == 0 ? &f->alloc : NULL;
	}
	return NULL;
}

/* Split "key=value key=value ..." (space-separated) in place into the
 * fields named above. */
static void split_fields(char *s, fields_t *f)
{
	memset(f, 0, sizeof *f);
	while (*s) {
		char *end, *eq, **slot;
		if (*s == ' ') {
			s++;
			continue;
		}
		end = strchrnul(s, ' ');
		eq = memchr(s, '=', (size_t)(end - s));
		if (eq && eq + 1 == end && *end == ' ') {   /* "ptr=  (null)" */
			char *v = end;
			while (*v == ' ')
				v++;
			end = strchrnul(v, ' ');
			memmove(eq + 1, v, (size_t)(end - v));
			eq[1 + (end - v)] = '\0';
		}
		if (eq && (slot = field_slot(f, s, (size_t)(eq - s))))
			*slot = eq + 1;
		s = *end ? end + 1 : end;
		if (end[0])
			end[0] = '\0';
	}
}

static int malformed(GError **err, const char *what, const char *kind)
{
	g_set_error(err, SLABSIM_ERROR, 1, "%s: expected %s", kind, what);
	return -1;
}

/* The sizes of an allocation event; false if malformed. */
static bool parse_sizes(const fields_t *f, ktrace_event_t *ev)
{
	long long req = f->req ? decimal(f->req, NULL, G_MAXUINT32) : 0;
	long long al = f->alloc ? decimal(f->alloc, NULL, G_MAXUINT32) : req;

	if (req < 0 || al < 0 || al == 0)
		return false;
	ev->bytes_req = (uint32_t)req;
	ev->bytes_alloc = (uint32_t)al;
	return true;
}

int ktrace_parse_line(char *line, ktrace_event_t *ev, GError **err)
{
	const char *fstart = NULL, *t = NULL;
	char *colon;
	fields_t f;
	int k = -1;

	for (colon = strstr(line, ": "); colon; colon = strstr(colon + 1, ": "))
		if ((t = timestamp_start(line, colon)))
			break;
	if (!colon || (k = event_kind(colon + 1, &fstart)) < 0)
		return 0;
	memset(ev, 0, sizeof *ev);
	ev->alloc = kinds[k].alloc;
	ev->kmalloc = kinds[k].kmalloc;
	ev->node = -1;
	if ((ev->cpu = cpu_before(line, t)) < 0)
		return malformed(err, "'[CPU]' before the timestamp", kinds[k].name);
	if (!parse_ns(t, colon, &ev->t_ns))
		return malformed(err, "a timestamp in seconds below 1e9", kinds[k].name);
	split_fields((char *)fstart, &f);
	if (!f.ptr || !parse_ptr(f.ptr, &ev->ptr))
		return malformed(err, "ptr=HEX, (null) or (nil)", kinds[k].name);
	if (ev->alloc && !parse_sizes(&f, ev))
		return malformed(err, "bytes_req= and bytes_alloc= integers from 0 to 4294967295 "
		                 "(bytes_alloc above 0)", kinds[k].name);
	if (f.node && strcmp(f.node, "-1") != 0) {
		long long n = decimal(f.node, NULL, G_MAXINT);
		if (n < 0)
			return malformed(err, "node=-1 or a node number", kinds[k].name);
		ev->node = (int)n;
	}
	ev->accounted = f.accounted && strcmp(f.accounted, "true") == 0;
	ev->name = f.name && *f.name ? f.name : NULL;
	return 1;
}

/* Lost-event reports: ftrace's "# entries-in-buffer/entries-written: A/B"
 * header and "CPU:N [LOST M EVENTS]" lines, perf script's
 * PERF_RECORD_LOST ("lost M") records. */
static void note_lost(ktrace_reader_t *r, const char *line)
{
	const char *p;
	unsigned long long a, b;

	if ((p = strstr(line, "entries-in-buffer/entries-written:")) &&
	    sscanf(p + 34, " %llu/%llu", &a, &b) == 2 && b > a)
		r->lost_header += b - a;
	else if ((p = strstr(line, "[LOST ")) && sscanf(p + 6, "%llu", &a) == 1)
		r->lost_lines += a;
	else if (strstr(line, "PERF_RECORD_LOST") && (p = strstr(line, "lost ")) &&
	         sscanf(p + 5, "%llu", &a) == 1)
		r->lost_lines += a;
	r->info.lost = MAX(r->lost_header, r->lost_lines);
}

ktrace_reader_t *ktrace_open(const char *path, GError **err)
{
	kt_input_t *in = kt_input_open(path, err);
	ktrace_reader_t *r;

	if (!in)
		return NULL;
	r = g_new0(ktrace_reader_t, 1);
	r->path = g_strdup(path);
	r->in = in;
	r->buf = g_string_sized_new(1 << 17);
	return r;
}

/* The next line (newline cut off, in place), or NULL at the end; *whole
 * false for a last line without its newline. */
static char *next_line(ktrace_reader_t *r, bool *whole, GError **err)
{
	for (;;) {
		char *start = r->buf->str + r->pos;
		char *nl = memchr(start, '\n', r->buf->len - r->pos);
		if (nl) {
			*nl = '\0';
			r->pos = (gsize)(nl + 1 - r->buf->str);
			*whole = true;
			return start;
		}
		if (r->eof) {
			if (r->pos == r->buf->len)
				return NULL;
			r->pos = r->buf->len;
			*whole = false;
			return start;
		}
		g_string_erase(r->buf, 0, (gssize)r->pos);
		r->pos = 0;
		gsize had = r->buf->len;
		g_string_set_size(r->buf, had + (1 << 16));
		gssize n = kt_input_read(r->in, r->buf->str + had, 1 << 16, err);
		if (n < 0)
			return NULL;
		g_string_truncate(r->buf, had + (gsize)n);
		r->eof = n == 0;
	}
}

int ktrace_next(ktrace_reader_t *r, ktrace_event_t *ev, GError **err)
{
	GError *e = NULL;
	bool whole;
	char *line;

	while ((line = next_line(r, &whole, &e))) {
		int got;
		r->info.lines++;
		if (!whole) {             /* a cut file: its last line is not to be trusted */
			r->info.truncated = true;
			r->info.skipped++;
			continue;
		}
		if (line[0] == '#' || !(got = ktrace_parse_line(line, ev, &e))) {
			note_lost(r, line);
			r->info.skipped++;
			continue;
		}
		if (got < 0)
			break;
		r->info.events++;
		return 1;
	}
	if (!e)
		return 0;
	if (!line) {                  /* a read error names the file already */
		g_propagate_error(err, e);
		return -1;
	}
	g_set_error(err, SLABSIM_ERROR, 1, "%s:%" G_GUINT64_FORMAT ": %s", r->path, r->info.lines,
	            e->message);
	g_error_free(e);
	return -1;
}

const ktrace_info_t *ktrace_info(const ktrace_reader_t *r)
{
	return &r->info;
}

const char *ktrace_kind(const ktrace_reader_t *r)
{
	return kt_input_kind(r->in);
}

void ktrace_close(ktrace_reader_t *r)
{
	if (!r)
		return;
	kt_input_close(r->in);
	g_string_free(r->buf, TRUE);
	g_free(r->path);
	g_free(r);
}
