/*
 * lh_data.c -- data files a workload reads: /proc/slabinfo 2.1 tables
 * (sim.slabinfo, parsed by slabinfo.c) and kmem trace events
 * (sim.kmem_trace, parsed by ktrace.c).
 *
 * Only files the scenario names reach a workload: a parameter declared
 * with `type = "file"` names one (in [workload], with --set, or as its
 * default), the host checks it can be read before any workload code runs
 * (a relative path is taken from the working directory if it exists
 * there, else from the repository root) and the workload holds an opaque
 * handle.  A path made in Lua opens nothing.  A file's text is read when
 * first needed (sim.slabinfo); a trace is streamed (sim.kmem_trace,
 * sim.replay), never held whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lh_int.h"
#include "ktrace.h"
#include "error.h"
#include "slabinfo.h"

static char *lh_data_path(const char *p)
{
	const char *root = g_getenv("SLABSIM_ROOT");

	if (g_path_is_absolute(p) || g_file_test(p, G_FILE_TEST_EXISTS) || !root)
		return g_strdup(p);
	return g_build_filename(root, p, NULL);
}

/* Can path be opened for reading? */
static bool readable(const char *path, GError **err)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s", g_strerror(errno));
		return false;
	}
	fclose(f);
	return true;
}

lh_file_t *lh_file_read(const scenario_t *sc, const char *key, const char *given, GError **err)
{
	lh_file_t *f = g_new0(lh_file_t, 1);
	GError *e = NULL;

	f->given = g_strdup(given);
	f->path = lh_data_path(given);
	if (!g_file_test(f->path, G_FILE_TEST_IS_REGULAR) || !readable(f->path, &e)) {
		scenario_key_error(sc, err, "workload", key, "cannot read '%s'%s%s%s: %s", given,
		                   strcmp(given, f->path) ? " (as " : "", strcmp(given, f->path) ? f->path : "",
		                   strcmp(given, f->path) ? ")" : "", e ? e->message : "not a regular file");
		g_clear_error(&e);
		lh_file_free(f);
		return NULL;
	}
	return f;
}

void lh_file_free(gpointer p)
{
	lh_file_t *f = p;

	g_free(f->given);
	g_free(f->path);
	g_free(f->text);
	g_free(f);
}

lh_file_t *lh_check_file(lua_State *L, int idx, const char *fn)
{
	ref_ud *u = lh_test_ud(L, idx, lh_tag_file);

	if (!u)
		luaL_error(L, "%s: expected a file parameter (declare it in params with type = \"file\" "
		           "and pass p.NAME), got %s: a path made in Lua is refused", fn,
		           luaL_typename(L, idx));
	return lh_host(L)->files->pdata[u->id];
}

/* The text of f, read on first use; NULL and a Lua error if it cannot be. */
static const char *file_text(lua_State *L, lh_file_t *f)
{
	GError *e = NULL;

	if (!f->text && !g_file_get_contents(f->path, &f->text, &f->len, &e)) {
		lua_pushfstring(L, "%s: %s", f->path, e->message);
		g_error_free(e);
		lua_error(L);
	}
	return f->text;
}

/* sim.slabinfo(file) -> array of rows of a /proc/slabinfo 2.1 file */
int lh_slabinfo(lua_State *L)
{
	lh_file_t *f = lh_check_file(L, 1, "sim.slabinfo");
	const char *text = file_text(L, f);      /* sets f->len */
	GError *e = NULL;
	GArray *rows = slabinfo_parse(f->path, text, f->len, &e);

	if (!rows) {
		lua_pushstring(L, e->message);
		g_error_free(e);
		return lua_error(L);
	}
	lua_createtable(L, (int)rows->len, 0);
	for (guint i = 0; i < rows->len; i++) {
		const slabinfo_row_t *r = &g_array_index(rows, slabinfo_row_t, i);
		lua_createtable(L, 0, 7);
		lua_pushstring(L, r->name);
		lua_setfield(L, -2, "name");
		lh_setint(L, "objsize", (lua_Integer)r->objsize);
		lh_setint(L, "active_objs", (lua_Integer)r->active_objs);
		lh_setint(L, "num_objs", (lua_Integer)r->num_objs);
		lh_setint(L, "objperslab", (lua_Integer)r->objperslab);
		lh_setint(L, "pagesperslab", (lua_Integer)r->pagesperslab);
		lh_setint(L, "limit", (lua_Integer)r->limit);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	slabinfo_free(rows);
	return 1;
}

/* One trace event as a table (t_ns from t0, the first event's). */
static void push_event(lua_State *L, const ktrace_event_t *ev, uint64_t t0)
{
	char ptr[32];

	lua_createtable(L, 0, 10);
	lua_pushstring(L, ev->alloc ? "alloc" : "free");
	lua_setfield(L, -2, "op");
	lua_pushboolean(L, ev->kmalloc);
	lua_setfield(L, -2, "kmalloc");
	lh_setint(L, "t_ns", (lua_Integer)(ev->t_ns - MIN(t0, ev->t_ns)));
	lh_setint(L, "cpu", ev->cpu);
	if (ev->ptr)
		g_snprintf(ptr, sizeof ptr, "0x%" G_GINT64_MODIFIER "x", ev->ptr);
	lua_pushstring(L, ev->ptr ? ptr : "(null)");
	lua_setfield(L, -2, "ptr");
	if (ev->alloc) {
		lh_setint(L, "bytes_req", ev->bytes_req);
		lh_setint(L, "bytes_alloc", ev->bytes_alloc);
		lua_pushboolean(L, ev->accounted);
		lua_setfield(L, -2, "accounted");
	}
	lh_setint(L, "node", ev->node);
	if (ev->name) {
		lua_pushstring(L, ev->name);
		lua_setfield(L, -2, "name");
	}
}

/* sim.kmem_trace(file) -> events, info: the kmem events of an ftrace/perf
 * text trace (plain, .gz or .xz) as an array of tables (for small traces:
 * sim.replay streams a large one), and {lines, skipped, lost, truncated}. */
int lh_kmem_trace(lua_State *L)
{
	const lh_file_t *f = lh_check_file(L, 1, "sim.kmem_trace");
	GError *e = NULL;
	ktrace_reader_t *rd = ktrace_open(f->path, &e);
	ktrace_event_t ev;
	uint64_t t0 = 0;
	lua_Integer n = 0;
	int got = -1;

	if (rd) {
		lua_newtable(L);
		while ((got = ktrace_next(rd, &ev, &e)) > 0) {
			if (n == 0)
				t0 = ev.t_ns;
			push_event(L, &ev, t0);
			lua_rawseti(L, -2, ++n);
		}
	}
	if (got < 0) {
		ktrace_close(rd);
		lua_pushstring(L, e->message);
		g_error_free(e);
		return lua_error(L);
	}
	const ktrace_info_t *in = ktrace_info(rd);
	lua_createtable(L, 0, 4);
	lh_setint(L, "lines", (lua_Integer)in->lines);
	lh_setint(L, "skipped", (lua_Integer)in->skipped);
	lh_setint(L, "lost", (lua_Integer)in->lost);
	lua_pushboolean(L, in->truncated);
	lua_setfield(L, -2, "truncated");
	ktrace_close(rd);
	return 2;
}
