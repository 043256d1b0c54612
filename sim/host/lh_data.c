/*
 * lh_data.c -- data files a workload reads: /proc/slabinfo 2.1 tables
 * (sim.slabinfo) and kmem trace events (sim.kmem_trace, parsed by ktrace.c).
 * A path is taken as given if it exists, else under the repository root.
 */
#include <stdio.h>
#include <string.h>
#include "lh_int.h"
#include "ktrace.h"

static char *data_path(const char *p)
{
	const char *root = g_getenv("SLABSIM_ROOT");

	if (g_path_is_absolute(p) || g_file_test(p, G_FILE_TEST_EXISTS) || !root)
		return g_strdup(p);
	return g_build_filename(root, p, NULL);
}

/* Parse one slabinfo row into a table {name, objsize, active_objs, num_objs,
 * objperslab, pagesperslab, limit}; false if the row is malformed.  limit is
 * the first number after ": tunables" (SLAB's per-cache array limit; the
 * allocators without per-CPU arrays print 0), 0 when the row has none. */
static bool push_slabinfo_row(lua_State *L, const char *line)
{
	char name[128];
	unsigned long active, num, objsize, perslab, pages, limit = 0;
	const char *tun = strstr(line, ": tunables");

	if (sscanf(line, "%127s %lu %lu %lu %lu %lu", name, &active, &num, &objsize,
	           &perslab, &pages) != 6 || objsize == 0)
		return false;
	if (tun && sscanf(tun, ": tunables %lu", &limit) != 1)
		return false;
	lua_createtable(L, 0, 7);
	lua_pushinteger(L, (lua_Integer)limit);
	lua_setfield(L, -2, "limit");
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
	char *path = data_path(luaL_checkstring(L, 1)), *text = NULL, **lines;
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

/* Lines of a text file (a last line without a newline counts); -1 if it
 * cannot be read. */
static long count_lines(const char *path)
{
	char *text = NULL;
	gsize len = 0;
	long n = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return -1;
	for (gsize i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	g_free(text);
	return n;
}

/* sim.kmem_trace(path) -> events, info: the kmem events of an ftrace/perf
 * text trace (an array of tables), and {lines = N, skipped = N} where
 * skipped counts the lines that are not kmem events. */
int lh_kmem_trace(lua_State *L)
{
	char *path = data_path(luaL_checkstring(L, 1));
	GError *e = NULL;
	GArray *evs = ktrace_load(path, &e);
	long lines = evs ? count_lines(path) : 0;

	g_free(path);
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

