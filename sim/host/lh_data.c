/*
 * lh_data.c -- data files a workload reads: /proc/slabinfo 2.1 tables
 * (sim.slabinfo, parsed by slabinfo.c) and kmem trace events
 * (sim.kmem_trace, parsed by ktrace.c).
 *
 * Only files the scenario names reach a workload: a parameter declared
 * with `type = "file"` names one (in [workload], with --set, or as its
 * default), the host reads it before any workload code runs (a relative
 * path is taken from the working directory if it exists there, else from
 * the repository root) and the workload holds an opaque handle.  A path
 * made in Lua opens nothing.
 */
#include <stdio.h>
#include <string.h>
#include "lh_int.h"
#include "ktrace.h"
#include "slabinfo.h"

static char *data_path(const char *p)
{
	const char *root = g_getenv("SLABSIM_ROOT");

	if (g_path_is_absolute(p) || g_file_test(p, G_FILE_TEST_EXISTS) || !root)
		return g_strdup(p);
	return g_build_filename(root, p, NULL);
}

lh_file_t *lh_file_read(const scenario_t *sc, const char *key, const char *given, GError **err)
{
	lh_file_t *f = g_new0(lh_file_t, 1);
	GError *e = NULL;

	f->given = g_strdup(given);
	f->path = data_path(given);
	if (!g_file_test(f->path, G_FILE_TEST_IS_REGULAR) ||
	    !g_file_get_contents(f->path, &f->text, &f->len, &e)) {
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

/* The file of argument 1, a handle from a file parameter. */
static const lh_file_t *check_file(lua_State *L, const char *fn)
{
	ref_ud *u = luaL_testudata(L, 1, FILE_MT);

	if (!u)
		luaL_error(L, "%s: expected a file parameter (declare it in params with type = \"file\" "
		           "and pass p.NAME), got %s: a path made in Lua is refused", fn, luaL_typename(L, 1));
	return lh_host(L)->files->pdata[u->id];
}

/* sim.slabinfo(file) -> array of rows of a /proc/slabinfo 2.1 file */
int lh_slabinfo(lua_State *L)
{
	const lh_file_t *f = check_file(L, "sim.slabinfo");
	GError *e = NULL;
	GArray *rows = slabinfo_parse(f->path, f->text, f->len, &e);

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

/* One trace event as a table. */
static void push_event(lua_State *L, const ktrace_event_t *ev)
{
	lua_createtable(L, 0, 10);
	lh_setint(L, "t_ns", (lua_Integer)ev->t_ns);
	lh_setint(L, "cpu", ev->cpu);
	lua_pushstring(L, ev->alloc ? "alloc" : "free");
	lua_setfield(L, -2, "op");
	lua_pushboolean(L, ev->kmalloc);
	lua_setfield(L, -2, "kmalloc");
	lua_pushstring(L, ev->ptr);
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

/* Lines of a text (a last line without a newline counts). */
static long count_lines(const char *text, gsize len)
{
	long n = 0;

	for (gsize i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	return n;
}

/* sim.kmem_trace(file) -> events, info: the kmem events of an ftrace/perf
 * text trace (an array of tables), and {lines = N, skipped = N} where
 * skipped counts the lines that are not kmem events. */
int lh_kmem_trace(lua_State *L)
{
	const lh_file_t *f = check_file(L, "sim.kmem_trace");
	GError *e = NULL;
	GArray *evs = ktrace_parse_text(f->path, f->text, &e);
	long lines = evs ? count_lines(f->text, f->len) : 0;

	if (!evs) {
		lua_pushstring(L, e->message);
		g_error_free(e);
		return lua_error(L);
	}
	lua_createtable(L, (int)evs->len, 0);
	for (guint i = 0; i < evs->len; i++) {
		push_event(L, &g_array_index(evs, ktrace_event_t, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_createtable(L, 0, 2);
	lh_setint(L, "lines", lines);
	lh_setint(L, "skipped", lines - (long)evs->len);
	ktrace_free(evs);
	return 2;
}
