/*
 * lh_data.c -- data files a workload reads: /proc/slabinfo 2.1 tables
 * (sim.slabinfo) and kmem trace events (sim.kmem_trace, parsed by ktrace.c).
 * A path is taken as given if it exists, else under the repository root.
 */
#include <stdio.h>
#include "lh_int.h"
#include "ktrace.h"

char *lh_data_path(const char *p)
{
	const char *root = g_getenv("SLABSIM_ROOT");

	if (g_path_is_absolute(p) || g_file_test(p, G_FILE_TEST_EXISTS) || !root)
		return g_strdup(p);
	return g_build_filename(root, p, NULL);
}

/* Parse one slabinfo row into a table {name, objsize, active_objs, num_objs,
 * objperslab, pagesperslab}; false if the row is malformed. */
static bool push_slabinfo_row(lua_State *L, const char *line)
{
	char name[128];
	unsigned long active, num, objsize, perslab, pages;

	if (sscanf(line, "%127s %lu %lu %lu %lu %lu", name, &active, &num, &objsize,
	           &perslab, &pages) != 6 || objsize == 0)
		return false;
	lua_createtable(L, 0, 6);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, (lua_Integer)objsize);
	lua_setfield(L, -2, "objsize");
	lua_pushinteger(L, (lua_Integer)active);
	lua_setfield(L, -2, "active_objs");
	lua_pushinteger(L, (lua_Integer)num);
	lua_setfield(L, -2, "num_objs");
	lua_pushinteger(L, (lua_Integer)perslab);
	lua_setfield(L, -2, "objperslab");
	lua_pushinteger(L, (lua_Integer)pages);
	lua_setfield(L, -2, "pagesperslab");
	return true;
}

/* sim.slabinfo(path) -> array of rows of a /proc/slabinfo 2.1 file */
int lh_slabinfo(lua_State *L)
{
	char *path = lh_data_path(luaL_checkstring(L, 1)), *text = NULL, **lines;
	GError *e = NULL;
	int n = 0;

	if (!g_file_get_contents(path, &text, NULL, &e)) {
		lua_pushfstring(L, "%s: %s", path, e->message);
		g_error_free(e);
		g_free(path);
		return lua_error(L);
	}
	lines = g_strsplit(text, "\n", -1);
	g_free(text);
	if (!lines[0] || !g_str_has_prefix(lines[0], "slabinfo - version: 2.1")) {
		lua_pushfstring(L, "%s:1: expected 'slabinfo - version: 2.1'", path);
		g_strfreev(lines);
		g_free(path);
		return lua_error(L);
	}
	lua_newtable(L);
	for (int i = 1; lines[i]; i++) {
		if (lines[i][0] == '#' || !*g_strstrip(lines[i]))
			continue;
		if (!push_slabinfo_row(L, lines[i])) {
			lua_pushfstring(L, "%s:%d: expected 'name active_objs num_objs objsize "
			                "objperslab pagesperslab ...'", path, i + 1);
			g_strfreev(lines);
			g_free(path);
			return lua_error(L);
		}
		lua_rawseti(L, -2, ++n);
	}
	g_strfreev(lines);
	g_free(path);
	return 1;
}

/* One trace event as a table. */
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

/* sim.kmem_trace(path) -> events, info: the kmem events of an ftrace/perf
 * text trace (plain, .gz or .xz) as an array of tables (for small traces:
 * sim.replay streams a large one), and {lines, skipped, lost, truncated}. */
int lh_kmem_trace(lua_State *L)
{
	char *path = lh_data_path(luaL_checkstring(L, 1));
	GError *e = NULL;
	ktrace_reader_t *rd = ktrace_open(path, &e);
	ktrace_event_t ev;
	uint64_t t0 = 0;
	lua_Integer n = 0;
	int got = -1;

	g_free(path);
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
