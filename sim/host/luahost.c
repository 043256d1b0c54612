/*
 * luahost.c -- the Lua host (see luahost.h).
 *
 * A workload script returns a table:
 *   { description = "...",
 *     params = { name = { default = V, help = "..." }, ... },
 *     setup = function(sim, p) ... end }
 * setup() creates caches, channels and barriers and spawns tasks; each task
 * is a function run as a coroutine with a task object `t` whose methods
 * (t:alloc, t:free, ...) yield one operation each to the simulator.
 * t:now, t:random, t:record and t:count run here without yielding.
 * Caches are named by their object or by name (a string); an unknown name,
 * a stale handle or a bad argument raises a Lua error at the call, which
 * run.c turns into a run-stopping error with the traceback.  The API is
 * documented in docs/lua-api.md; the distributions (uniform, exponential,
 * Zipf, histograms) are Lua, in workloads/lib/dist.lua, on top of
 * t:random's per-task splitmix64 stream.
 */
#include <stdio.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "luahost.h"
#include "ktrace.h"

typedef struct luahost {
	lua_State *L;
	run_t *run;
	const char *path;
} luahost_t;

#define CACHE_MT   "slabsim.cache"
#define TASK_MT    "slabsim.task"
#define CHAN_MT    "slabsim.channel"
#define BARRIER_MT "slabsim.barrier"

typedef struct { int id; } ref_ud;

static int check_cache(lua_State *L, int idx);

/* sim.cache sizes go up to PAGE_SIZE << CACHE_MAX_ORDER (order 3, the
 * kernel's PAGE_ALLOC_COSTLY_ORDER): caches such as task_struct that
 * replayed traces name are larger than a page. */
#define CACHE_MAX_ORDER 3

static luahost_t *host_of(lua_State *L)
{
	luahost_t *lh;
	lua_getfield(L, LUA_REGISTRYINDEX, "slabsim.host");
	lh = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return lh;
}

static void push_ref(lua_State *L, const char *mt, int id)
{
	ref_ud *u = lua_newuserdatauv(L, sizeof(ref_ud), 0);
	u->id = id;
	luaL_setmetatable(L, mt);
}

/* ---- the `sim` table (setup time) ---- */

static unsigned parse_flags(lua_State *L, int idx)
{
	static const struct { const char *name; unsigned flag; } names[] = {
		{ "HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN }, { "CACHE_DMA", SLAB_CACHE_DMA },
		{ "DESTROY_BY_RCU", SLAB_DESTROY_BY_RCU }, { "RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT },
		{ "PANIC", SLAB_PANIC },
	};
	unsigned flags = 0;
	const char *s = lua_isnil(L, idx) ? "" : luaL_checkstring(L, idx);
	char **parts = g_strsplit(s, "|", -1);

	for (int i = 0; parts[i]; i++) {
		char *p = g_strstrip(parts[i]);
		size_t j;
		if (!*p)
			continue;
		for (j = 0; j < G_N_ELEMENTS(names) && strcmp(names[j].name, p); j++)
			;
		if (j == G_N_ELEMENTS(names)) {
			char *bad = g_strdup(p);
			g_strfreev(parts);
			lua_pushfstring(L, "unknown cache flag '%s' (expected HWCACHE_ALIGN, "
			                "CACHE_DMA, DESTROY_BY_RCU, RECLAIM_ACCOUNT or PANIC)", bad);
			g_free(bad);
			return (unsigned)lua_error(L);
		}
		flags |= names[j].flag;
	}
	g_strfreev(parts);
	return flags;
}

/* Raise an error unless the workload is still in setup(). */
static void check_setup(lua_State *L, const char *what)
{
	if (host_of(L)->run->booted)
		luaL_error(L, "%s may only be called from setup()", what);
}

/* sim.cache{name=, size=, align=, flags="A|B"} -> cache */
/* A function field of the ops table at idx, as a registry reference. */
static int ops_function(lua_State *L, int idx, const char *field, const char *cache)
{
	if (lua_getfield(L, idx, field) == LUA_TNIL) {
		lua_pop(L, 1);
		return RUN_NO_FN;
	}
	if (!lua_isfunction(L, -1))
		return luaL_error(L, "cache '%s': ops.%s must be a function", cache, field);
	return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The cache declared by the table at 1, called `name`; `decl` for
 * KMEM_CACHE (no SLAB_HWCACHE_ALIGN rule). */
static int add_cache(lua_State *L, const char *name, bool decl)
{
	luahost_t *lh = host_of(L);
	lua_Integer size, align;
	unsigned flags;
	int i;

	if (g_str_has_prefix(name, "kmalloc-") || g_str_has_prefix(name, "size-") ||
	    run_find_cache(lh->run, name) >= 0)
		return luaL_error(L, "cache name '%s' is taken (kmalloc-* and size-* belong "
		                  "to the allocators; names must be unique)", name);
	lua_getfield(L, 1, "size");
	size = luaL_checkinteger(L, -1);
	lua_getfield(L, 1, "align");
	align = luaL_optinteger(L, -1, 0);
	lua_getfield(L, 1, "flags");
	flags = parse_flags(L, -1);
	if (size < 1 || size > (lua_Integer)lh->run->sc->machine->page_size << CACHE_MAX_ORDER)
		return luaL_error(L, "cache '%s': size %d out of range 1..%d", name, (int)size,
		                  (int)lh->run->sc->machine->page_size << CACHE_MAX_ORDER);
	if (align < 0 || (align & (align - 1)))
		return luaL_error(L, "cache '%s': align must be 0 or a power of two", name);
	i = run_add_cache(lh->run, name, (uint32_t)size, (uint32_t)align, flags, decl);
	if (lua_getfield(L, 1, "ops") == LUA_TTABLE) {
		int get = ops_function(L, lua_gettop(L), "get_reference", name);
		int kick = ops_function(L, lua_gettop(L), "kick", name);
		if (kick == RUN_NO_FN)
			return luaL_error(L, "cache '%s': ops needs a kick function", name);
		run_set_cache_ops(lh->run, i, get, kick);
	} else if (!lua_isnil(L, -1)) {
		return luaL_error(L, "cache '%s': ops must be a table", name);
	}
	push_ref(L, CACHE_MT, i);
	return 1;
}

/* sim.cache{name=, size=, align=, flags=, ops=}: the legacy
 * kmem_cache_create, which alone understands HWCACHE_ALIGN */
static int l_cache(lua_State *L)
{
	check_setup(L, "sim.cache");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "name");
	return add_cache(L, luaL_checkstring(L, -1), false);
}

/* sim.KMEM_CACHE{struct=, size=, align=, flags=, ops=}: a cache named
 * after the struct, size and alignment from its declaration */
static int l_kmem_cache(lua_State *L)
{
	check_setup(L, "sim.KMEM_CACHE");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "struct");
	return add_cache(L, luaL_checkstring(L, -1), true);
}

/* sim.mempool{cache=, variant=, min_nr=, also={...}}: critical pool
 * backing a cache (seed 004) */
static int l_mempool(lua_State *L)
{
	luahost_t *lh = host_of(L);
	critpool_variant_t v;
	lua_Integer min_nr;
	int cache, pool;

	check_setup(L, "sim.mempool");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "cache");
	cache = check_cache(L, -1);
	lua_getfield(L, 1, "variant");
	if (!critpool_variant_parse(luaL_optstring(L, -1, "dobson"), &v))
		return luaL_error(L, "mempool: variant must be dobson, dobson-return, dobson-exclusive, "
		                  "dobson-fixed or object-pool");
	lua_getfield(L, 1, "min_nr");
	min_nr = luaL_checkinteger(L, -1);
	if (min_nr < 1 || min_nr > 1 << 20)
		return luaL_error(L, "mempool: min_nr out of range 1..%d", 1 << 20);
	pool = run_add_pool(lh->run, cache, v, (int)min_nr);
	if (pool < 0)
		return luaL_error(L, "mempool: cache '%s' already has a pool", run_cache_name(lh->run, cache));
	if (lua_getfield(L, 1, "also") == LUA_TTABLE) {
		for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
			int also = check_cache(L, -1);
			if (v == CRITPOOL_OBJECT_POOL || !run_pool_also(lh->run, pool, also))
				return luaL_error(L, "mempool: cannot also back cache '%s' (it has a pool, "
				                  "or the variant is object-pool)", run_cache_name(lh->run, also));
			lua_pop(L, 1);
		}
	}
	return 0;
}

/* sim.spawn(cpu, fn, ...) -> task id */
static int l_spawn(lua_State *L)
{
	luahost_t *lh = host_of(L);
	int ncpus = lh->run->sc->machine->ncpus;
	lua_Integer cpu = luaL_checkinteger(L, 1);
	int nargs = lua_gettop(L) - 2;
	lua_State *co;
	task_t *t;

	check_setup(L, "sim.spawn");
	luaL_argcheck(L, cpu >= 0 && cpu < ncpus, 1, "no such CPU");
	luaL_checktype(L, 2, LUA_TFUNCTION);
	co = lua_newthread(L);
	luaL_ref(L, LUA_REGISTRYINDEX);         /* keeps the coroutine alive */
	t = run_spawn(lh->run, (int)cpu, co);
	/* The coroutine's stack: fn, t, extra args (the first resume passes them). */
	lua_pushvalue(L, 2);
	lua_xmove(L, co, 1);
	task_t **ud = lua_newuserdatauv(co, sizeof(task_t *), 0);
	*ud = t;
	luaL_setmetatable(co, TASK_MT);
	for (int i = 0; i < nargs; i++) {
		lua_pushvalue(L, 3 + i);
		lua_xmove(L, co, 1);
	}
	lua_pushinteger(L, task_id(t));
	return 1;
}

static int l_channel(lua_State *L)
{
	check_setup(L, "sim.channel");
	push_ref(L, CHAN_MT, run_add_channel(host_of(L)->run));
	return 1;
}

static int l_barrier(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	check_setup(L, "sim.barrier");
	luaL_argcheck(L, n >= 1, 1, "a barrier needs at least one party");
	push_ref(L, BARRIER_MT, run_add_barrier(host_of(L)->run, (int)n));
	return 1;
}

static int l_cpu_node(lua_State *L)
{
	const machine_t *m = host_of(L)->run->sc->machine;
	lua_Integer cpu = luaL_checkinteger(L, 1);
	luaL_argcheck(L, cpu >= 0 && cpu < m->ncpus, 1, "no such CPU");
	lua_pushinteger(L, m->cpu_node[cpu]);
	return 1;
}

static int l_cpu_socket(lua_State *L)
{
	const machine_t *m = host_of(L)->run->sc->machine;
	lua_Integer cpu = luaL_checkinteger(L, 1);
	luaL_argcheck(L, cpu >= 0 && cpu < m->ncpus, 1, "no such CPU");
	lua_pushinteger(L, m->cpu_socket[cpu]);
	return 1;
}

static int l_cpus_on_node(lua_State *L)
{
	const machine_t *m = host_of(L)->run->sc->machine;
	lua_Integer node = luaL_checkinteger(L, 1);
	int k = 1;

	luaL_argcheck(L, node >= 0 && node < m->nnodes, 1, "no such node");
	lua_newtable(L);
	for (int c = 0; c < m->ncpus; c++)
		if (m->cpu_node[c] == node) {
			lua_pushinteger(L, c);
			lua_rawseti(L, -2, k++);
		}
	return 1;
}

/* Resolve a data path: as given if it exists, else under the repository root. */
static char *data_path(const char *p)
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
static int l_slabinfo(lua_State *L)
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

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* One trace event as a table. */
static void push_event(lua_State *L, const ktrace_event_t *ev)
{
	lua_createtable(L, 0, 9);
	set_int(L, "t_ns", (lua_Integer)ev->t_ns);
	set_int(L, "cpu", ev->cpu);
	lua_pushstring(L, ev->alloc ? "alloc" : "free");
	lua_setfield(L, -2, "op");
	lua_pushboolean(L, ev->kmalloc);
	lua_setfield(L, -2, "kmalloc");
	lua_pushstring(L, ev->ptr);
	lua_setfield(L, -2, "ptr");
	if (ev->alloc) {
		set_int(L, "bytes_req", ev->bytes_req);
		set_int(L, "bytes_alloc", ev->bytes_alloc);
	}
	set_int(L, "node", ev->node);
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
static int l_kmem_trace(lua_State *L)
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
	set_int(L, "lines", lines);
	set_int(L, "skipped", lines - (long)evs->len);
	ktrace_free(evs);
	return 2;
}

static void push_sim_table(luahost_t *lh)
{
	static const luaL_Reg fns[] = {
		{ "kmem_trace", l_kmem_trace },
		{ "cache", l_cache }, { "KMEM_CACHE", l_kmem_cache }, { "mempool", l_mempool },
		{ "spawn", l_spawn }, { "channel", l_channel },
		{ "slabinfo", l_slabinfo },
		{ "barrier", l_barrier }, { "cpu_node", l_cpu_node }, { "cpu_socket", l_cpu_socket },
		{ "cpus_on_node", l_cpus_on_node }, { NULL, NULL },
	};
	const machine_t *m = lh->run->sc->machine;
	lua_State *L = lh->L;

	luaL_newlib(L, fns);
	lua_pushinteger(L, m->ncpus);
	lua_setfield(L, -2, "ncpus");
	lua_pushinteger(L, m->nnodes);
	lua_setfield(L, -2, "nnodes");
	lua_pushinteger(L, m->nsockets);
	lua_setfield(L, -2, "nsockets");
	lua_pushinteger(L, m->hz);
	lua_setfield(L, -2, "hz");
	lua_pushinteger(L, m->page_size);
	lua_setfield(L, -2, "page_size");
	lua_pushinteger(L, m->cache_line);
	lua_setfield(L, -2, "cache_line");
	lua_pushstring(L, lh->run->ops->name);
	lua_setfield(L, -2, "allocator");
}

/* ---- task methods ---- */

static task_t *check_task(lua_State *L)
{
	return *(task_t **)luaL_checkudata(L, 1, TASK_MT);
}

/* A cache argument: a cache object, or the name of a workload cache. */
static int check_cache(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *name = lua_tostring(L, idx);
		int i = run_find_cache(host_of(L)->run, name);
		if (i < 0)
			luaL_error(L, "unknown cache '%s' (no sim.cache of that name)", name);
		return i;
	}
	return ((ref_ud *)luaL_checkudata(L, idx, CACHE_MT))->id;
}

/* An allocation target: a cache (object or name), or a size for kmalloc. */
static void check_target(lua_State *L, int idx, op_t *op)
{
	luahost_t *lh = host_of(L);

	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Integer sz = 0;
		luaL_argcheck(L, lua_isinteger(L, idx), idx, "kmalloc size must be an integer");
		sz = lua_tointeger(L, idx);
		luaL_argcheck(L, sz >= 1 && sz <= (lua_Integer)1 << 30, idx, "kmalloc size out of range");
		op->cache = -1;
		op->size = (uint32_t)sz;
	} else {
		op->cache = check_cache(L, idx);
		op->size = 0;
	}
	int nidx = idx + 1 + (op->kind == OP_ALLOC_N);
	lua_Integer node = luaL_optinteger(L, nidx, -1);
	luaL_argcheck(L, node >= -1 && node < lh->run->sc->machine->nnodes, nidx, "no such node");
	op->node = (int)node;
	op->critical = false;
	if (!lua_isnoneornil(L, nidx + 1)) {
		luaL_argcheck(L, lua_type(L, nidx + 1) == LUA_TSTRING &&
		              strcmp(lua_tostring(L, nidx + 1), "critical") == 0,
		              nidx + 1, "expected \"critical\" or nothing");
		op->critical = true;
	}
}

static int yield_op(lua_State *L)
{
	return lua_yield(L, 0);
}

/* t:alloc(cache_or_size [, node [, "critical"]]) -> handle or nil */
static int t_alloc(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->kind = OP_ALLOC;
	check_target(L, 2, op);
	return yield_op(L);
}

/* t:alloc_n(cache_or_size, n [, node [, "critical"]]) -> table of handles
 * (failures omitted) */
static int t_alloc_n(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->kind = OP_ALLOC_N;
	check_target(L, 2, op);
	lua_Integer n = luaL_checkinteger(L, 3);
	luaL_argcheck(L, n >= 0 && n <= 1 << 24, 3, "count out of range");
	op->n = (int)n;
	return yield_op(L);
}

static void take_object(lua_State *L, int idx, bool retire, object_t *out)
{
	luahost_t *lh = host_of(L);
	lua_Integer h;
	const char *why;
	object_t *o;

	if (!lua_isinteger(L, idx))
		luaL_error(L, "bad argument #%d: expected an object handle, got %s", idx - 1,
		           luaL_typename(L, idx));
	h = lua_tointeger(L, idx);
	o = run_object(lh->run, h, &why);
	if (!o)
		luaL_error(L, "object handle %I: %s", h, why);
	if (retire)
		run_retire(lh->run, h, out);
	else
		*out = *o;
}

/* t:free(handle) */
static int t_free(lua_State *L)
{
	task_t *t = check_task(L);
	op_t *op = task_op(t);
	op->kind = OP_FREE;
	take_object(L, 2, true, op->obj);
	return yield_op(L);
}

/* Copy handles[1..n] of the table at idx into op->objs. */
static void take_objects(lua_State *L, int idx, lua_Integer n, bool retire, op_t *op)
{
	luaL_argcheck(L, n >= 0 && n <= (lua_Integer)luaL_len(L, idx), idx + 1, "count out of range");
	g_array_set_size(op->objs, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		object_t o;
		lua_rawgeti(L, idx, i);
		take_object(L, lua_gettop(L), retire, &o);
		lua_pop(L, 1);
		g_array_append_val(op->objs, o);
	}
}

/* t:free_n(handles [, n]): frees handles[1..n] (n defaults to #handles) */
static int t_free_n(lua_State *L)
{
	op_t *op = task_op(check_task(L));

	luaL_checktype(L, 2, LUA_TTABLE);
	take_objects(L, 2, luaL_optinteger(L, 3, (lua_Integer)luaL_len(L, 2)), true, op);
	op->kind = OP_FREE_N;
	return yield_op(L);
}

/* t:touch_n(handles, bytes [, write]): touch the first `bytes` of each */
static int t_touch_n(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	lua_Integer bytes = luaL_checkinteger(L, 3);

	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_argcheck(L, bytes >= 0 && bytes <= 1 << 30, 3, "byte count out of range");
	take_objects(L, 2, (lua_Integer)luaL_len(L, 2), false, op);
	op->kind = OP_TOUCH_N;
	op->bytes = (uint32_t)bytes;
	op->write = lua_toboolean(L, 4);
	return yield_op(L);
}

/* t:touch(handle, bytes [, write]) */
static int t_touch(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	lua_Integer bytes = luaL_checkinteger(L, 3);

	take_object(L, 2, false, op->obj);
	luaL_argcheck(L, bytes >= 0 && bytes <= op->obj->size, 3, "more bytes than the object has");
	op->kind = OP_TOUCH;
	op->bytes = (uint32_t)bytes;
	op->write = lua_toboolean(L, 4);
	return yield_op(L);
}

/* An operation that takes argument 2, a time in ns. */
static int yield_timed(lua_State *L, enum op_kind kind)
{
	op_t *op = task_op(check_task(L));
	lua_Number ns = luaL_checknumber(L, 2);

	luaL_argcheck(L, ns >= 0 && ns < 1e15, 2, "time out of range");
	op->kind = kind;
	op->ps = (simtime_t)(ns * PS_PER_NS + 0.5);
	return yield_op(L);
}

/* t:think(ns): compute on the CPU */
static int t_think(lua_State *L)
{
	return yield_timed(L, OP_THINK);
}

/* t:sleep(ns): off the CPU, which runs other tasks or idles meanwhile */
static int t_sleep(lua_State *L)
{
	return yield_timed(L, OP_SLEEP);
}

/* t:send(channel, value) */
static int t_send(lua_State *L)
{
	op_t *op = task_op(check_task(L));

	op->chan = ((ref_ud *)luaL_checkudata(L, 2, CHAN_MT))->id;
	luaL_checkany(L, 3);
	lua_pushvalue(L, 3);
	op->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	op->kind = OP_SEND;
	return yield_op(L);
}

/* t:recv(channel) -> value (blocks until one is sent) */
static int t_recv(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->chan = ((ref_ud *)luaL_checkudata(L, 2, CHAN_MT))->id;
	op->kind = OP_RECV;
	return yield_op(L);
}

/* t:barrier(b) */
static int t_barrier(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->barrier = ((ref_ud *)luaL_checkudata(L, 2, BARRIER_MT))->id;
	op->kind = OP_BARRIER;
	return yield_op(L);
}

/* t:shrink(cache) */
static int t_shrink(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->cache = check_cache(L, 2);
	op->kind = OP_SHRINK;
	return yield_op(L);
}

/* t:defrag(cache [, keep]): kmem_cache_shrink with defragmentation,
 * keeping `keep` partial slabs per node (default: the allocator's) ->
 * report table */
static int t_defrag(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	lua_Integer keep = luaL_optinteger(L, 3, -1);

	op->cache = check_cache(L, 2);
	luaL_argcheck(L, keep >= -1 && keep <= G_MAXINT, 3, "keep: -1 (default) or a count");
	op->n = (int)keep;
	op->kind = OP_DEFRAG;
	return yield_op(L);
}

/* t:vacate(handle): kmem_cache_vacate of the slab page holding the object
 * -> "ok" | "pinned" | "busy" | "nomem" | "not_slab" | "unsupported",
 * objects moved or reclaimed */
static int t_vacate(lua_State *L)
{
	op_t *op = task_op(check_task(L));

	take_object(L, 2, false, op->obj);
	op->kind = OP_VACATE;
	return yield_op(L);
}

/* t:record(name, ns): add a value to the workload metric `name` (a
 * distribution reported like latencies under workload_metrics) */
static int t_record(lua_State *L)
{
	check_task(L);
	const char *name = luaL_checkstring(L, 2);
	lua_Number ns = luaL_checknumber(L, 3);

	luaL_argcheck(L, ns >= 0 && ns < 1e15, 3, "value out of range");
	run_record_metric(host_of(L)->run, name, (simtime_t)(ns * PS_PER_NS + 0.5));
	return 0;
}

/* t:count(name [, n]): add n (default 1) to the workload counter `name` */
static int t_count(lua_State *L)
{
	check_task(L);
	const char *name = luaL_checkstring(L, 2);
	lua_Integer n = luaL_optinteger(L, 3, 1);

	run_count(host_of(L)->run, name, n);
	return 0;
}

/* t:now() -> simulated ns since the workload started */
static int t_now(lua_State *L)
{
	check_task(L);
	lua_pushinteger(L, (lua_Integer)(run_now(host_of(L)->run) / PS_PER_NS));
	return 1;
}

/* splitmix64: the per-task random stream. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* t:random() -> [0,1); t:random(n) -> 1..n; t:random(m, n) -> m..n */
static int t_random(lua_State *L)
{
	uint64_t r = next_random(task_rng(check_task(L)));

	if (lua_gettop(L) == 1) {
		lua_pushnumber(L, (double)(r >> 11) * 0x1.0p-53);
		return 1;
	}
	lua_Integer lo = 1, hi = luaL_checkinteger(L, 2);
	if (lua_gettop(L) >= 3) {
		lo = hi;
		hi = luaL_checkinteger(L, 3);
	}
	luaL_argcheck(L, lo <= hi, 2, "empty interval");
	lua_pushinteger(L, lo + (lua_Integer)(r % (uint64_t)(hi - lo + 1)));
	return 1;
}

static int t_index(lua_State *L)
{
	task_t *t = check_task(L);
	const char *k = luaL_checkstring(L, 2);

	if (strcmp(k, "cpu") == 0)
		lua_pushinteger(L, task_cpu(t));
	else if (strcmp(k, "node") == 0)
		lua_pushinteger(L, host_of(L)->run->sc->machine->cpu_node[task_cpu(t)]);
	else if (strcmp(k, "id") == 0)
		lua_pushinteger(L, task_id(t));
	else {
		luaL_getmetafield(L, 1, "methods");
		lua_getfield(L, -1, k);
	}
	return 1;
}

static void register_types(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "alloc", t_alloc }, { "alloc_n", t_alloc_n }, { "free", t_free },
		{ "free_n", t_free_n }, { "touch", t_touch }, { "touch_n", t_touch_n },
		{ "think", t_think }, { "sleep", t_sleep },
		{ "send", t_send }, { "recv", t_recv }, { "barrier", t_barrier },
		{ "shrink", t_shrink }, { "defrag", t_defrag }, { "vacate", t_vacate }, { "now", t_now }, { "random", t_random },
		{ "record", t_record }, { "count", t_count },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, TASK_MT);
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "methods");
	lua_pushcfunction(L, t_index);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newmetatable(L, CACHE_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, CHAN_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, BARRIER_MT);
	lua_pop(L, 1);
}

/* print(...) writes to stderr, so it never mixes into the report. */
static int l_print(lua_State *L)
{
	int n = lua_gettop(L);

	for (int i = 1; i <= n; i++) {
		fputs(luaL_tolstring(L, i, NULL), stderr);
		fputs(i < n ? "\t" : "\n", stderr);
		lua_pop(L, 1);
	}
	if (n == 0)
		fputs("\n", stderr);
	return 0;
}

/* ---- loading ---- */

static lua_State *new_state(uint64_t seed)
{
	lua_State *L = luaL_newstate();
	const char *root = g_getenv("SLABSIM_ROOT");
	char *lib;
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL },
	};

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	/* require() finds only the workload library, Lua files in workloads/lib. */
	luaL_requiref(L, LUA_LOADLIBNAME, luaopen_package, 1);
	lib = g_build_filename(root ? root : ".", "workloads", "lib", "?.lua", NULL);
	lua_pushstring(L, lib);
	lua_setfield(L, -2, "path");
	lua_pushstring(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_getfield(L, -1, "searchers");       /* keep preload and Lua searchers */
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pushnil(L);
	lua_rawseti(L, -2, 3);
	lua_pop(L, 2);
	g_free(lib);
	/* Determinism: a seeded math.random, and no file loading at run time. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	lua_pushcfunction(L, l_print);
	lua_setglobal(L, "print");
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
	return L;
}

/* Run the script; leave its returned table on the stack. */
static bool load_script(lua_State *L, const char *path, GError **err)
{
	if (luaL_loadfile(L, path) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s", lua_tostring(L, -1));
		return false;
	}
	if (!lua_istable(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: a workload must return a table "
		            "{ description = ..., params = {...}, setup = function(sim, p) ... end }", path);
		return false;
	}
	return true;
}

bool lh_describe(const char *path, char **description, GError **err)
{
	lua_State *L = new_state(0);
	bool ok = load_script(L, path, err);

	if (ok) {
		lua_getfield(L, -1, "description");
		*description = g_strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
	}
	lua_close(L);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Convert one [workload] value to the type of the parameter's default. */
static bool push_param(lua_State *L, const scenario_t *sc, const char *key,
                       const char *v, GError **err)
{
	int type = lua_type(L, -1);  /* the default */
	char *end;

	if (type == LUA_TNUMBER) {
		double d = g_ascii_strtod(v, &end);
		if (!*v || *end) {
			scenario_key_error(sc, err, "workload", key, "expected a number, got '%s'", v);
			return false;
		}
		bool integral = !strchr(v, '.') && !strchr(v, 'e') && !strchr(v, 'E');
		if (lua_isinteger(L, -1) && (!integral || d != (double)(lua_Integer)d)) {
			scenario_key_error(sc, err, "workload", key, "expected an integer, got '%s'", v);
			return false;
		}
		if (integral)
			lua_pushinteger(L, (lua_Integer)d);
		else
			lua_pushnumber(L, d);
	} else if (type == LUA_TBOOLEAN) {
		if (strcmp(v, "true") && strcmp(v, "false")) {
			scenario_key_error(sc, err, "workload", key, "expected true or false, got '%s'", v);
			return false;
		}
		lua_pushboolean(L, strcmp(v, "true") == 0);
	} else {
		lua_pushstring(L, v);
	}
	return true;
}

/* Build the parameter table p from the declared params and [workload];
 * record every effective value in the resolved scenario. */
static bool build_params(luahost_t *lh, GKeyFile *resolved, GError **err)
{
	lua_State *L = lh->L;
	const scenario_t *sc = lh->run->sc;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char **keys;
	bool ok = true;

	lua_getfield(L, -1, "params");              /* script, params */
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
		if (lua_type(L, -2) == LUA_TSTRING)
			g_ptr_array_add(names, g_strdup(lua_tostring(L, -2)));
	g_ptr_array_sort(names, cmp_str);
	g_ptr_array_add(names, NULL);
	keys = g_key_file_get_keys(sc->kf, "workload", NULL, NULL);
	for (int i = 0; keys && keys[i] && ok; i++) {
		lua_getfield(L, -1, keys[i]);
		if (lua_isnil(L, -1)) {
			char *list = g_strjoinv(", ", (char **)names->pdata);
			scenario_key_error(sc, err, "workload", keys[i], "unknown parameter of workload %s (expected one of: %s)",
			                   sc->workload, names->len > 1 ? list : "none");
			g_free(list);
			ok = false;
		}
		lua_pop(L, 1);
	}
	g_strfreev(keys);
	lua_newtable(L);                             /* script, params, p */
	for (guint i = 0; ok && names->pdata[i]; i++) {
		const char *name = names->pdata[i];
		char *v = g_key_file_get_value(sc->kf, "workload", name, NULL);
		lua_getfield(L, -2, name);
		if (lua_istable(L, -1))
			lua_getfield(L, -1, "default");  /* ..., decl, default */
		else
			lua_pushvalue(L, -1);            /* a bare default */
		if (v)
			ok = push_param(L, sc, name, g_strstrip(v), err);
		else
			lua_pushvalue(L, -1);
		if (ok) {
			g_key_file_set_string(resolved, "workload", name, luaL_tolstring(L, -1, NULL));
			lua_pop(L, 1);
			lua_setfield(L, -4, name);   /* p[name] = value */
			lua_pop(L, 2);
		}
		g_free(v);
	}
	g_ptr_array_free(names, TRUE);
	lua_remove(L, -2);                           /* script, p */
	return ok;
}

static int traceback(lua_State *L)
{
	luaL_traceback(L, L, lua_tostring(L, 1), 1);
	return 1;
}

static void lh_free(void *wl)
{
	luahost_t *lh = wl;

	if (!lh)
		return;
	lua_close(lh->L);
	g_free(lh);
}

static luahost_t *lh_new(run_t *r, GKeyFile *resolved, GError **err)
{
	luahost_t *lh = g_new0(luahost_t, 1);
	lua_State *L;

	lh->run = r;
	lh->path = r->sc->workload_path;
	lh->L = L = new_state(r->sc->seed);
	lua_pushlightuserdata(L, lh);
	lua_setfield(L, LUA_REGISTRYINDEX, "slabsim.host");
	register_types(L);
	if (!load_script(L, lh->path, err) || !build_params(lh, resolved, err))
		goto fail;
	lua_pushcfunction(L, traceback);             /* script, p, tb */
	lua_getfield(L, -3, "setup");
	if (!lua_isfunction(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: the workload has no setup function", lh->path);
		goto fail;
	}
	push_sim_table(lh);
	lua_pushvalue(L, -4);                        /* p */
	if (lua_pcall(L, 2, 0, -4) != LUA_OK) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s", lua_tostring(L, -1));
		goto fail;
	}
	lua_settop(L, 0);
	return lh;
fail:
	lh_free(lh);
	return NULL;
}

static enum wl_status lh_resume(void *wl, void *task, int nres, char **msg)
{
	luahost_t *lh = wl;
	lua_State *co = task;
	int nout, st;

	if (nres < 0)                   /* first resume: fn's arguments */
		nres = lua_gettop(co) - 1;
	st = lua_resume(co, lh->L, nres, &nout);
	if (st == LUA_YIELD) {
		lua_pop(co, nout);
		return WL_OP;
	}
	if (st == LUA_OK) {
		lua_pop(co, nout);
		return WL_DONE;
	}
	luaL_traceback(lh->L, co, lua_tostring(co, -1), 0);
	*msg = g_strdup(lua_tostring(lh->L, -1));
	lua_pop(lh->L, 1);
	return WL_ERROR;
}

static void lh_push_nil(void *co)
{
	lua_pushnil(co);
}

static void lh_push_int(void *co, int64_t v)
{
	lua_pushinteger(co, v);
}

static void lh_push_string(void *co, const char *s)
{
	lua_pushstring(co, s);
}

static void set_counts(lua_State *L, const char *name, const uint64_t *v, int n)
{
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)v[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, name);
}

static void lh_push_defrag(void *co, const defrag_report_t *r)
{
	const struct { const char *name; uint64_t v; } f[] = {
		{ "slabs_before", r->slabs_before }, { "slabs_after", r->slabs_after },
		{ "partial_before", r->partial_before }, { "partial_after", r->partial_after },
		{ "slabs_freed", r->slabs_freed }, { "slabs_vacated", r->slabs_vacated },
		{ "objects_moved", r->objects_moved }, { "objects_reclaimed", r->objects_reclaimed },
		{ "vacate_failures", r->vacate_failures },
	};

	lua_createtable(co, 0, (int)G_N_ELEMENTS(f) + 2);
	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		lua_pushinteger(co, (lua_Integer)f[i].v);
		lua_setfield(co, -2, f[i].name);
	}
	set_counts(co, "hist_before", r->hist_before, DEFRAG_HIST_BUCKETS);
	set_counts(co, "hist_after", r->hist_after, DEFRAG_HIST_BUCKETS);
}

/* Call the registry function `ref` with an object handle on the main
 * state (no task is running Lua).  Its result as a string ("true" for a
 * true non-string), NULL for nil or false; on an error, NULL and *err. */
static char *lh_call_handle(void *wl, int ref, int64_t handle, char **err)
{
	luahost_t *lh = wl;
	lua_State *L = lh->L;
	char *answer = NULL;

	lua_pushcfunction(L, traceback);
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_pushinteger(L, handle);
	if (lua_pcall(L, 1, 1, -3) != LUA_OK)
		*err = g_strdup_printf("%s: in a slab_ops callback: %s", lh->path, lua_tostring(L, -1));
	else if (lua_type(L, -1) == LUA_TSTRING)
		answer = g_strdup(lua_tostring(L, -1));
	else if (lua_toboolean(L, -1))
		answer = g_strdup("true");
	lua_pop(L, 2);
	return answer;
}

static void lh_push_handles(void *co, const int64_t *h, int n)
{
	lua_createtable(co, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushinteger(co, h[i]);
		lua_rawseti(co, -2, i + 1);
	}
}

static void lh_push_ref(void *wl, void *co, int ref)
{
	luahost_t *lh = wl;

	lua_rawgeti(lh->L, LUA_REGISTRYINDEX, ref);
	lua_xmove(lh->L, co, 1);
	luaL_unref(lh->L, LUA_REGISTRYINDEX, ref);
}

static const workload_ops_t lua_workload = {
	.resume = lh_resume,
	.push_nil = lh_push_nil,
	.push_int = lh_push_int,
	.push_string = lh_push_string,
	.push_handles = lh_push_handles,
	.push_defrag = lh_push_defrag,
	.push_ref = lh_push_ref,
	.call_handle = lh_call_handle,
	.free = lh_free,
};

run_t *lh_run_new(const scenario_t *sc, const char *allocator, GError **err)
{
	run_t *r = run_new(sc, allocator);
	luahost_t *lh = lh_new(r, sc->resolved, err);

	if (!lh) {
		run_free(r);
		return NULL;
	}
	run_set_workload(r, &lua_workload, lh);
	return r;
}
