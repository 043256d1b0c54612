/*
 * ktrace.c -- kmem trace events (see ktrace.h).
 *
 * A line looks like
 *   TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: key=value key=value ...
 * with "kmem:" before EVENT in perf script output.  The CPU is the first
 * "[NNN]", the timestamp the number before the colon that precedes the
 * event name.
 */
#include <stdlib.h>
#include <string.h>
#include "ktrace.h"
#include "error.h"

static const struct {
	const char *name;
	bool alloc, kmalloc;
} kinds[] = {
	{ "kmalloc", true, true }, { "kmalloc_node", true, true },
	{ "kmem_cache_alloc", true, false }, { "kmem_cache_alloc_node", true, false },
	{ "kfree", false, true }, { "kmem_cache_free", false, false },
};

/* The value of "key=" in fields, up to the next space; NULL if absent. */
static char *field(const char *fields, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = fields; (p = strstr(p, key)); p += n) {
		if ((p == fields || p[-1] == ' ') && p[n] == '=') {
			const char *v = p + n + 1, *end;
			while (*v == ' ')            /* "ptr=  (null)" */
				v++;
			end = v + strcspn(v, " \t\r\n");
			return g_strndup(v, end - v);
		}
	}
	return NULL;
}

/* Find the event name and where its fields start; -1 if not kmem. */
static int find_event(const char *line, const char **fields, const char **colon)
{
	for (const char *p = strstr(line, ": "); p; p = strstr(p + 1, ": ")) {
		const char *name = p + 2;
		while (*name == ' ')          /* perf script pads the event name */
			name++;
		if (g_str_has_prefix(name, "kmem:"))
			name += 5;
		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			size_t n = strlen(kinds[k].name);
			if (strncmp(name, kinds[k].name, n) == 0 && name[n] == ':') {
				*fields = name + n + 1;
				*colon = p;
				return (int)k;
			}
		}
	}
	return -1;
}

/* A decimal integer from 0 to max at s (digits up to the first
 * non-digit), else -1; never overflows (atoi would). */
static long long bounded(const char *s, long long max)
{
	long long v = 0;

	if (!g_ascii_isdigit(*s))
		return -1;
	for (; g_ascii_isdigit(*s); s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return -1;
	return v;
}

/* The CPU in the first [NNN] and the timestamp just before `colon`. */
static bool prefix(const char *line, const char *colon, int *cpu, double *ts)
{
	const char *b = strchr(line, '['), *t = colon;
	long long c;

	if (!b || b > colon || (c = bounded(b + 1, G_MAXINT)) < 0)
		return false;
	*cpu = (int)c;
	while (t > line && (g_ascii_isdigit(t[-1]) || t[-1] == '.'))
		t--;
	if (t == colon)
		return false;
	*ts = g_ascii_strtod(t, NULL);
	return true;
}

bool ktrace_parse_line(const char *line, ktrace_event_t *ev, double *ts, GError **err)
{
	const char *fields, *colon;
	int k = find_event(line, &fields, &colon);
	char *v;

	if (k < 0)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->alloc = kinds[k].alloc;
	ev->kmalloc = kinds[k].kmalloc;
	ev->node = -1;
	ev->ptr = field(fields, "ptr");
	if (!prefix(line, colon, &ev->cpu, ts) || !ev->ptr) {
		g_set_error(err, SLABSIM_ERROR, 1, "expected 'TASK [CPU] ... TIMESTAMP: %s: ... ptr=...'",
		            kinds[k].name);
		g_free(ev->ptr);
		return false;
	}
	if (!(*ts < KTRACE_MAX_SECONDS)) {
		g_set_error(err, SLABSIM_ERROR, 1, "timestamp: expected seconds below %g", KTRACE_MAX_SECONDS);
		g_free(ev->ptr);
		return false;
	}
	if (ev->alloc) {
		char *req = field(fields, "bytes_req"), *al = field(fields, "bytes_alloc");
		long long r = req ? bounded(req, G_MAXUINT32) : 0;
		long long a = al ? bounded(al, G_MAXUINT32) : r;
		g_free(req);
		g_free(al);
		if (r < 0 || a < 0) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s: bytes_req/bytes_alloc: expected an integer "
			            "from 0 to %u", kinds[k].name, G_MAXUINT32);
			g_free(ev->ptr);
			return false;
		}
		ev->bytes_req = (uint32_t)r;
		ev->bytes_alloc = (uint32_t)a;
		if (!ev->bytes_alloc) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s without bytes_req/bytes_alloc", kinds[k].name);
			g_free(ev->ptr);
			return false;
		}
	}
	if ((v = field(fields, "node"))) {
		long long n = bounded(v + (*v == '-'), G_MAXINT);
		ev->node = n < 0 ? -1 : *v == '-' ? -(int)n : (int)n;
		g_free(v);
	}
	if ((v = field(fields, "accounted"))) {
		ev->accounted = strcmp(v, "true") == 0;
		g_free(v);
	}
	ev->name = field(fields, "name");
	return true;
}

GArray *ktrace_load(const char *path, GError **err)
{
	char *text = NULL;
	GArray *evs;

	if (!g_file_get_contents(path, &text, NULL, err))
		return NULL;
	evs = ktrace_parse_text(path, text, err);
	g_free(text);
	return evs;
}

GArray *ktrace_parse_text(const char *path, const char *text, GError **err)
{
	GArray *evs = g_array_new(FALSE, FALSE, sizeof(ktrace_event_t));
	char **lines = g_strsplit(text, "\n", -1);
	double t0 = -1;

	for (int i = 0; lines[i]; i++) {
		ktrace_event_t ev;
		GError *e = NULL;
		double ts;
		if (!ktrace_parse_line(lines[i], &ev, &ts, &e)) {
			if (!e)
				continue;
			g_set_error(err, SLABSIM_ERROR, 1, "%s:%d: %s", path, i + 1, e->message);
			g_error_free(e);
			g_strfreev(lines);
			ktrace_free(evs);
			return NULL;
		}
		if (t0 < 0)
			t0 = ts;
		ev.t_ns = ts > t0 ? (uint64_t)((ts - t0) * 1e9 + 0.5) : 0;
		g_array_append_val(evs, ev);
	}
	g_strfreev(lines);
	return evs;
}

void ktrace_free(GArray *events)
{
	if (!events)
		return;
	for (guint i = 0; i < events->len; i++) {
		ktrace_event_t *ev = &g_array_index(events, ktrace_event_t, i);
		g_free(ev->ptr);
		g_free(ev->name);
	}
	g_array_free(events, TRUE);
}
