/*
 * lh_sim.c -- the `sim` table a workload's setup() receives: caches,
 * critical pools, tasks, channels, barriers and the machine's shape.
 * Every call but the topology queries is refused once the run has booted.
 */
#include <string.h>
#include "lh_int.h"

/* The largest object the run's allocator takes in a cache on this
 * machine (sim.max_cache_size): its max_cache_size at the machine's page
 * size. */
lua_Integer lh_max_cache_size(const luahost_t *lh)
{
	return (lua_Integer)lh->run->ops->max_cache_size(fls_long((unsigned long)
	                                                 lh->run->sc->machine->page_size) - 1);
}

static unsigned parse_flags(lua_State *L, int idx)
{
	static const struct { const char *name; unsigned flag; } names[] = {
		{ "HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN }, { "CACHE_DMA", SLAB_CACHE_DMA },
		{ "DESTROY_BY_RCU", SLAB_DESTROY_BY_RCU }, { "RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT },
		{ "PANIC", SLAB_PANIC }, { "ACCOUNT", SLAB_ACCOUNT }, { "NO_MERGE", SLAB_NO_MERGE },
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
			luaL_where(L, 1);
			lua_pushfstring(L, "unknown cache flag '%s' (expected HWCACHE_ALIGN, "
			                "CACHE_DMA, DESTROY_BY_RCU, RECLAIM_ACCOUNT, PANIC, ACCOUNT "
			                "or NO_MERGE)", p);
			lua_concat(L, 2);
			g_strfreev(parts);
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
	if (lh_host(L)->run->booted)
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

/* A number field of the table at the top, nil giving def; an error
 * naming the cache unless it lies in [lo, hi]. */
static lua_Number ctor_number(lua_State *L, const char *field, const char *cache,
                              lua_Number def, lua_Number lo, lua_Number hi)
{
	int t = lua_getfield(L, -1, field);
	lua_Number v = t == LUA_TNIL ? def : lua_tonumber(L, -1);

	if ((t != LUA_TNIL && t != LUA_TNUMBER) || v < lo || v > hi)
		luaL_error(L, "cache '%s': ctor.%s must be a number in %f..%f", cache, field, lo, hi);
	lua_pop(L, 1);
	return v;
}

/* The constructor of the cache table at 1 (field ctor), if any: true (no
 * compute of its own, writes the whole object) or {ns=, bytes=}: its
 * compute per call and the bytes it writes from the object's start. */
static void add_ctor(lua_State *L, int i, const char *cache, lua_Integer size)
{
	kmem_ctor_t ctor = { 0, (uint32_t)size };
	int t = lua_getfield(L, 1, "ctor");

	if (t == LUA_TTABLE) {
		ctor.cost = (simtime_t)(ctor_number(L, "ns", cache, 0, 0, 1e9) * PS_PER_NS + 0.5);
		ctor.bytes = (uint32_t)ctor_number(L, "bytes", cache, (lua_Number)size, 0,
		                                   (lua_Number)size);
	} else if (t != LUA_TNIL && !(t == LUA_TBOOLEAN)) {
		luaL_error(L, "cache '%s': ctor must be true or a table {ns=, bytes=}", cache);
	}
	if (t == LUA_TTABLE || (t == LUA_TBOOLEAN && lua_toboolean(L, -1)))
		run_set_cache_ctor(lh_host(L)->run, i, &ctor);
	lua_pop(L, 1);
}

/* The cache declared by the table at 1, called `name`; `decl` for
 * KMEM_CACHE (no SLAB_HWCACHE_ALIGN rule). */
static int add_cache(lua_State *L, const char *name, bool decl)
{
	luahost_t *lh = lh_host(L);
	lua_Integer size, align, sheaves;
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
	if (size < 1 || size > lh_max_cache_size(lh))
		return luaL_error(L, "cache '%s': size %I out of range 1..%I (sim.max_cache_size "
		                  "of %s)", name, size, lh_max_cache_size(lh), lh->run->ops->name);
	if (align < 0 || (align & (align - 1)) || align > lh->run->sc->machine->page_size)
		return luaL_error(L, "cache '%s': align must be 0 or a power of two up to the page "
		                  "size (%d), got %I", name, lh->run->sc->machine->page_size, align);
	i = run_add_cache(lh->run, name, (uint32_t)size, (uint32_t)align, flags, decl);
	add_ctor(L, i, name, size);
	lua_getfield(L, 1, "sheaf_capacity");
	sheaves = luaL_optinteger(L, -1, 0);
	if (sheaves < 0 || sheaves > SHEAF_CAPACITY_MAX)
		return luaL_error(L, "cache '%s': sheaf_capacity %d out of range 0..%d", name,
		                  (int)sheaves, SHEAF_CAPACITY_MAX);
	run_set_cache_sheaves(lh->run, i, (unsigned)sheaves);
	if (lua_getfield(L, 1, "ops") == LUA_TTABLE) {
		int get = ops_function(L, lua_gettop(L), "get_reference", name);
		int kick = ops_function(L, lua_gettop(L), "kick", name);
		if (kick == RUN_NO_FN)
			return luaL_error(L, "cache '%s': ops needs a kick function", name);
		run_set_cache_ops(lh->run, i, get, kick);
	} else if (!lua_isnil(L, -1)) {
		return luaL_error(L, "cache '%s': ops must be a table", name);
	}
	lh_push_id(L, CACHE_MT, lh_tag_cache, i);
	return 1;
}

/* sim.cache{name=, size=, align=, flags=, ops=, sheaf_capacity=}: the legacy
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
	luahost_t *lh = lh_host(L);
	critpool_variant_t v;
	lua_Integer min_nr;
	int cache, pool;

	check_setup(L, "sim.mempool");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "cache");
	cache = lh_check_cache(L, -1);
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
			int also = lh_check_cache(L, -1);
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
	luahost_t *lh = lh_host(L);
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
	lh_push_task(co, t);
	lh_set_thread(lh, co, t);            /* whose methods co may call */
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
	lh_push_id(L, CHAN_MT, lh_tag_chan, run_add_channel(lh_host(L)->run));
	return 1;
}

/* sim.barrier(n): n from 1 to INT_MAX (t:barrier refuses one of more
 * parties than there are tasks) */
static int l_barrier(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	check_setup(L, "sim.barrier");
	luaL_argcheck(L, n >= 1 && n <= G_MAXINT, 1, "a barrier needs 1 to 2147483647 parties");
	lh_push_id(L, BARRIER_MT, lh_tag_barrier, run_add_barrier(lh_host(L)->run, (int)n));
	return 1;
}

static int l_cpu_node(lua_State *L)
{
	const machine_t *m = lh_host(L)->run->sc->machine;
	lua_Integer cpu = luaL_checkinteger(L, 1);
	luaL_argcheck(L, cpu >= 0 && cpu < m->ncpus, 1, "no such CPU");
	lua_pushinteger(L, m->cpu_node[cpu]);
	return 1;
}

static int l_cpu_socket(lua_State *L)
{
	const machine_t *m = lh_host(L)->run->sc->machine;
	lua_Integer cpu = luaL_checkinteger(L, 1);
	luaL_argcheck(L, cpu >= 0 && cpu < m->ncpus, 1, "no such CPU");
	lua_pushinteger(L, m->cpu_socket[cpu]);
	return 1;
}

static int l_cpus_on_node(lua_State *L)
{
	const machine_t *m = lh_host(L)->run->sc->machine;
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
void lh_open_sim(luahost_t *lh)
{
	static const luaL_Reg fns[] = {
		{ "kmem_trace", lh_kmem_trace }, { "replay", lh_replay },
		{ "cache", l_cache }, { "KMEM_CACHE", l_kmem_cache }, { "mempool", l_mempool },
		{ "spawn", l_spawn }, { "channel", l_channel },
		{ "slabinfo", lh_slabinfo },
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
	lua_pushinteger(L, lh_max_cache_size(lh));
	lua_setfield(L, -2, "max_cache_size");
}

