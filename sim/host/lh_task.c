/*
 * lh_task.c -- the task methods: t:alloc, t:free, t:touch, t:think, ...
 * Each yields one operation to the run (task_op()); t:now, t:random,
 * t:record and t:count answer at once without yielding.  A bad argument
 * or a stale handle raises a Lua error at the call.
 */
#include <string.h>
#include "lh_int.h"

/* The task object at 1, which must be the calling task's own: another
 * task's object (kept in a shared table or upvalue) would state the
 * operation for the wrong task.  Cost: two pointer compares (the type
 * tag, and the task owning the coroutine, in its thread record). */
static task_t *check_task(lua_State *L)
{
	task_t *t = ((task_ud *)lh_check_ud(L, 1, lh_tag_task, TASK_MT))->t;

	if (G_UNLIKELY(lh_thread(L)->task != t)) {
		task_t *self = lh_thread(L)->task;
		if (self)
			luaL_error(L, "task %d called a method of task %d's object: a task may use only "
			           "the t its function was given", task_id(self), task_id(t));
		luaL_error(L, "a method of task %d's object called outside any task (from setup or a "
		           "slab_ops callback)", task_id(t));
	}
	return t;
}

/* The request flags of an allocation at idx: nil, or any of "critical"
 * (a critical pool's request), "zero" (__GFP_ZERO) and "accounted"
 * (__GFP_ACCOUNT) joined by '|'.  __GFP_ZERO is refused on a cache backed
 * by a critical pool (mempool elements are not cleared). */
static void check_alloc_flags(lua_State *L, int idx, op_t *op)
{
	static const char *const expected =
		"expected \"critical\", \"zero\", \"accounted\" or several joined by '|'";
	char **parts;

	op->critical = op->zero = op->accounted = false;
	if (lua_isnoneornil(L, idx))
		return;
	luaL_argcheck(L, lua_type(L, idx) == LUA_TSTRING, idx, expected);
	parts = g_strsplit(lua_tostring(L, idx), "|", -1);
	for (int i = 0; parts[i]; i++) {
		const char *p = g_strstrip(parts[i]);
		bool *flag = strcmp(p, "critical") == 0 ? &op->critical :
		             strcmp(p, "zero") == 0 ? &op->zero :
		             strcmp(p, "accounted") == 0 ? &op->accounted : NULL;

		if (!flag) {
			g_strfreev(parts);
			luaL_argerror(L, idx, expected);
		}
		*flag = true;
	}
	g_strfreev(parts);
	if (op->zero && op->cache >= 0 &&
	    ((cache_rec_t *)lh_host(L)->run->caches->pdata[op->cache])->pool >= 0)
		luaL_argerror(L, idx, "\"zero\" on a cache backed by sim.mempool");
}

/* An allocation target: a cache (object or name), or a size for kmalloc. */
static void check_target(lua_State *L, int idx, op_t *op)
{
	luahost_t *lh = lh_host(L);

	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Integer sz = 0;
		luaL_argcheck(L, lua_isinteger(L, idx), idx, "kmalloc size must be an integer");
		sz = lua_tointeger(L, idx);
		luaL_argcheck(L, sz >= 1 && sz <= (lua_Integer)1 << 30, idx, "kmalloc size out of range");
		op->cache = -1;
		op->size = (uint32_t)sz;
	} else {
		op->cache = lh_check_cache(L, idx);
		op->size = 0;
	}
	int nidx = idx + 1 + (op->kind == OP_ALLOC_N);
	lua_Integer node = luaL_optinteger(L, nidx, -1);
	luaL_argcheck(L, node >= -1 && node < lh->run->sc->machine->nnodes, nidx, "no such node");
	op->node = (int)node;
	check_alloc_flags(L, nidx + 1, op);
}

static int yield_op(lua_State *L)
{
	return lua_yield(L, 0);
}

/* t:alloc(cache_or_size [, node [, flags]]) -> handle or nil */
static int t_alloc(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->kind = OP_ALLOC;
	op->touch = 0;
	check_target(L, 2, op);
	return yield_op(L);
}

/* t:alloc_n(cache_or_size, n [, node [, flags]]) -> table of handles
 * (failures omitted) */
static int t_alloc_n(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->kind = OP_ALLOC_N;
	op->touch = 0;
	check_target(L, 2, op);
	lua_Integer n = luaL_checkinteger(L, 3);
	luaL_argcheck(L, n >= 0 && n <= 1 << 24, 3, "count out of range");
	op->n = (int)n;
	return yield_op(L);
}

static void take_object(lua_State *L, int idx, bool retire, object_t *out)
{
	luahost_t *lh = lh_host(L);
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
	op->untraced = false;
	take_object(L, 2, true, op->obj);
	return yield_op(L);
}

/* t:free_rcu(handle): kfree_rcu, the object freed after a grace period;
 * its first 16 bytes hold the rcu_head, so it must have as many */
static int t_free_rcu(lua_State *L)
{
	op_t *op = task_op(check_task(L));

	take_object(L, 2, false, op->obj);
	luaL_argcheck(L, op->obj->size >= RUN_RCU_HEAD, 2,
	              "the object is smaller than an rcu_head (16 bytes)");
	take_object(L, 2, true, op->obj);
	op->kind = OP_FREE_RCU;
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

	op->chan = ((ref_ud *)lh_check_ud(L, 2, lh_tag_chan, CHAN_MT))->id;
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
	op->chan = ((ref_ud *)lh_check_ud(L, 2, lh_tag_chan, CHAN_MT))->id;
	op->kind = OP_RECV;
	return yield_op(L);
}

/* t:idle(): the task's work is done; it stays on its CPU, idle, until
 * the run ends at its duration (priced as a recv that never returns). */
static int t_idle(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->kind = OP_IDLE;
	return yield_op(L);
}

/* t:barrier(b): refused if b has more parties than the run has tasks (it
 * could never open; cost: a load and a compare) */
static int t_barrier(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	run_t *r = lh_host(L)->run;
	op->barrier = ((ref_ud *)lh_check_ud(L, 2, lh_tag_barrier, BARRIER_MT))->id;
	if (run_barrier_parties(r, op->barrier) > (int)r->tasks->len)
		return luaL_error(L, "t:barrier: a barrier of %d parties can never open: the workload "
		                  "has %d task%s", run_barrier_parties(r, op->barrier), (int)r->tasks->len,
		                  r->tasks->len == 1 ? "" : "s");
	op->kind = OP_BARRIER;
	return yield_op(L);
}

/* t:shrink(cache) */
static int t_shrink(lua_State *L)
{
	op_t *op = task_op(check_task(L));
	op->cache = lh_check_cache(L, 2);
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

	op->cache = lh_check_cache(L, 2);
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
	run_record_metric(lh_host(L)->run, name, (simtime_t)(ns * PS_PER_NS + 0.5));
	return 0;
}

/* t:count(name [, n]): add n (default 1) to the workload counter `name` */
static int t_count(lua_State *L)
{
	check_task(L);
	const char *name = luaL_checkstring(L, 2);
	lua_Integer n = luaL_optinteger(L, 3, 1);

	if (!run_count(lh_host(L)->run, name, n))   /* an add with an overflow check */
		return luaL_error(L, "t:count: counter '%s' would leave the 64-bit range (adding %I)",
		                  name, n);
	return 0;
}

/* t:now() -> simulated ns since the workload started */
static int t_now(lua_State *L)
{
	check_task(L);
	lua_pushinteger(L, (lua_Integer)(run_now(lh_host(L)->run) / PS_PER_NS));
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
	/* hi - lo + 1 in unsigned arithmetic: 0 for the whole 64-bit range. */
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	lua_pushinteger(L, (lua_Integer)((uint64_t)lo + (span ? r % span : r)));
	return 1;
}

void lh_push_task(lua_State *L, task_t *t)
{
	task_ud *u = lua_newuserdatauv(L, sizeof(task_ud), 0);

	u->tag = lh_tag_task;
	u->t = t;
	lua_createtable(L, 0, 2);               /* its metatable */
	lua_pushstring(L, TASK_MT);
	lua_setfield(L, -2, "__name");
	lua_createtable(L, 0, 3);               /* its fields */
	lh_setint(L, "cpu", task_cpu(t));
	lh_setint(L, "node", lh_host(L)->run->sc->machine->cpu_node[task_cpu(t)]);
	lh_setint(L, "id", task_id(t));
	luaL_setmetatable(L, TASK_MT);          /* then the methods */
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}

/* The methods are found without calling C: the task object's __index is
 * its fields table, whose __index is the methods table. */
void lh_open_task(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "alloc", t_alloc }, { "alloc_n", t_alloc_n }, { "free", t_free },
		{ "free_rcu", t_free_rcu },
		{ "free_n", t_free_n }, { "touch", t_touch }, { "touch_n", t_touch_n },
		{ "think", t_think }, { "sleep", t_sleep },
		{ "send", t_send }, { "recv", t_recv }, { "barrier", t_barrier }, { "idle", t_idle },
		{ "shrink", t_shrink }, { "defrag", t_defrag }, { "vacate", t_vacate }, { "now", t_now }, { "random", t_random },
		{ "record", t_record }, { "count", t_count },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, TASK_MT);          /* the fields tables' metatable */
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newmetatable(L, CACHE_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, CHAN_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, BARRIER_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, FILE_MT);
	lua_pop(L, 1);
}

/* print(...) writes to stderr, so it never mixes into the report. */
