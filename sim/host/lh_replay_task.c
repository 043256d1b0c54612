/*
 * lh_replay_task.c -- the tasks of a replay (see lh_replay.h): one per
 * simulated CPU with events, a C function that states one operation at a
 * time and yields (lua_yieldk), so no Lua runs per event.
 *
 * Reading: a task whose queue is empty reads the spool on, queueing each
 * event on its CPU's queue, until one of its own comes; it stops early
 * when the event just read lies in its future (it then sleeps until
 * then) or when RP_BUFFERED events wait in queues (it then sleeps
 * RP_POLL and looks again), so the queues hold only what the CPUs have not
 * yet reached.  Pairing: a free pairs with the newest live allocation of
 * its pointer; an allocation of a pointer still live ends the older
 * object, whose free was not traced: it was marked by the scan and is
 * freed through kfree_rcu right after its allocation (its last traced
 * use), or, with untraced = "immediate", freed just before the new
 * allocation, on its CPU.  Neither is written to --trace-out.  A free of
 * an object another CPU allocates later in simulated time waits on a
 * channel for that allocation; waits point only back in trace order, so
 * the replay cannot deadlock.
 */
#include <string.h>
#include "lh_replay.h"

#define RP_BUFFERED (1u << 16)
#define RP_POLL ((simtime_t)10 * 1000 * 1000)     /* 10 us */

static uint32_t obj_new(replay_t *rp)
{
	uint32_t id;

	if (rp->free_objs->len) {
		id = g_array_index(rp->free_objs, uint32_t, rp->free_objs->len - 1);
		g_array_set_size(rp->free_objs, rp->free_objs->len - 1);
	} else {
		id = rp->objs->len;
		g_array_set_size(rp->objs, id + 1);
	}
	memset(&g_array_index(rp->objs, rp_obj_t, id), 0, sizeof(rp_obj_t));
	g_array_index(rp->objs, rp_obj_t, id).waiter = -1;
	return id;
}

static rp_obj_t *obj(replay_t *rp, uint32_t id)
{
	return &g_array_index(rp->objs, rp_obj_t, id);
}

static void obj_release(replay_t *rp, uint32_t id)
{
	g_array_append_val(rp->free_objs, id);
}

static void enqueue(replay_t *rp, int cpu, simtime_t t, uint32_t id, enum rp_kind kind)
{
	rp_ev_t e = { t, id, (uint8_t)kind };

	g_array_append_val(rp->cpu[cpu].q, e);
	rp->buffered++;
}

static rp_ev_t *head(rp_cpu_t *c)
{
	return c->head < c->q->len ? &g_array_index(c->q, rp_ev_t, c->head) : NULL;
}

static void pop(replay_t *rp, rp_cpu_t *c)
{
	rp->buffered--;
	if (++c->head == c->q->len) {
		g_array_set_size(c->q, 0);
		c->head = 0;
	} else if (c->head >= 4096 && c->head * 2 >= c->q->len) {
		g_array_remove_range(c->q, 0, c->head);
		c->head = 0;
	}
}

/* Is allocation number n one the scan found never freed in the trace? */
static bool untraced(replay_t *rp, uint64_t n)
{
	GArray *u = rp->untraced;

	while (rp->untraced_next < u->len && g_array_index(u, uint64_t, rp->untraced_next) < n)
		rp->untraced_next++;
	return rp->untraced_next < u->len && g_array_index(u, uint64_t, rp->untraced_next) == n;
}

static void read_alloc(replay_t *rp, const rp_rec_t *ev, simtime_t t)
{
	gpointer p = (gpointer)ev->ptr, old;
	uint32_t id;
	rp_obj_t *o;

	if (!ev->ptr) {
		(*rp->n.traced_failures)++;
		return;
	}
	id = obj_new(rp);
	o = obj(rp, id);
	o->cache = ev->cache >= 0 ? g_array_index(rp->cache_ids, int, ev->cache) : -1;
	o->size = o->cache >= 0 ? ((cache_rec_t *)rp->run->caches->pdata[o->cache])->size : ev->size;
	o->node = ev->node;
	o->owner = ev->cpu;
	o->accounted = o->cache < 0 && (ev->flags & RP_REC_ACCOUNTED);
	o->untraced_rcu = !rp->immediate && untraced(rp, rp->allocs_read);
	rp->allocs_read++;
	if (g_hash_table_lookup_extended(rp->live, p, NULL, &old)) {
		(*rp->n.untraced)++;
		if (rp->immediate)
			enqueue(rp, ev->cpu, t, (uint32_t)GPOINTER_TO_UINT(old) - 1, RP_DROP);
	}
	g_hash_table_insert(rp->live, p, GUINT_TO_POINTER(id + 1));
	enqueue(rp, ev->cpu, t, id, RP_ALLOC);
}

static void read_free(replay_t *rp, const rp_rec_t *ev, simtime_t t)
{
	gpointer p = (gpointer)ev->ptr, v;

	if (!ev->ptr) {
		(*rp->n.null_frees)++;
	} else if (g_hash_table_lookup_extended(rp->live, p, NULL, &v)) {
		uint32_t id = GPOINTER_TO_UINT(v) - 1;
		g_hash_table_remove(rp->live, p);
		*rp->n.cross += obj(rp, id)->owner != ev->cpu;
		enqueue(rp, ev->cpu, t, id, RP_FREE);
	} else {
		(*rp->n.unmatched)++;
	}
}

/* Read one record into its CPU's queue; false at the end. */
static bool read_one(replay_t *rp)
{
	rp_rec_t ev;
	simtime_t t;

	if (fread(&ev, sizeof ev, 1, rp->spool) != 1) {
		rp->eof = true;
		*rp->n.never_freed = g_hash_table_size(rp->live);
		return false;
	}
	t = rp->ps_per_ns > 0 && ev.t_ns > rp->t0_ns ?
	    (simtime_t)((double)(ev.t_ns - rp->t0_ns) * rp->ps_per_ns) : 0;
	rp->last_t = t;
	if (ev.flags & RP_REC_ALLOC)
		read_alloc(rp, &ev, t);
	else
		read_free(rp, &ev, t);
	return true;
}

/* Read on until CPU cpu has an event, the last one read is in its future,
 * or the queues are full. */
static void fill(replay_t *rp, int cpu, simtime_t now)
{
	while (!head(&rp->cpu[cpu]) && !rp->eof && rp->buffered < RP_BUFFERED &&
	       (rp->ps_per_ns == 0 || rp->last_t <= now))
		read_one(rp);
}

static void op_sleep(op_t *op, simtime_t ps)
{
	op->kind = OP_SLEEP;
	op->ps = ps;
}

/* Retire object o's handle into op (an OP_FREE or OP_FREE_RCU). */
static void op_free(replay_t *rp, op_t *op, enum op_kind kind, rp_obj_t *o, bool untraced_free)
{
	op->kind = kind;
	op->untraced = untraced_free;
	run_retire(rp->run, o->handle, op->obj);
}

/* State the next operation of CPU cpu's task in op; false when it is done. */
static bool next_op(replay_t *rp, int cpu, op_t *op)
{
	rp_cpu_t *c = &rp->cpu[cpu];
	simtime_t now = run_now(rp->run);
	rp_ev_t *e;
	rp_obj_t *o;

	for (;;) {
		if (!(e = head(c))) {
			fill(rp, cpu, now);
			if (!(e = head(c))) {
				if (rp->eof)
					return false;
				op_sleep(op, rp->ps_per_ns > 0 && rp->last_t > now ? rp->last_t - now : RP_POLL);
				return true;
			}
		}
		o = obj(rp, e->obj);
		op->not_before = rp->ps_per_ns > 0 ? e->t : 0;
		if (e->kind == RP_ALLOC) {
			op->kind = OP_ALLOC;
			op->cache = o->cache;
			op->size = o->cache < 0 ? o->size : 0;
			op->node = o->node;
			op->critical = op->zero = false;
			op->accounted = o->accounted;
			op->touch = rp->touch;
			c->obj = e->obj;
			c->stage = RP_ALLOCATED;
			pop(rp, c);
			return true;
		}
		if (!o->allocated && !o->failed) {   /* allocated later, on another CPU */
			o->waiter = cpu;
			op->not_before = 0;
			op->kind = OP_RECV;
			op->chan = c->chan;
			return true;
		}
		uint32_t id = e->obj;
		pop(rp, c);
		if (o->failed) {
			obj_release(rp, id);
			op->not_before = 0;
			continue;
		}
		op_free(rp, op, OP_FREE, o, e->kind == RP_DROP);
		*rp->n.frees += e->kind == RP_FREE;
		obj_release(rp, id);
		return true;
	}
}

/* After the allocation of c->obj (and its touch): free it if its free is
 * not traced, wake the CPU waiting to free it; false if nothing is left
 * to do for it. */
static bool after_alloc(replay_t *rp, rp_cpu_t *c, op_t *op)
{
	rp_obj_t *o = obj(rp, c->obj);

	c->stage = RP_NEXT;
	if (o->untraced_rcu && o->allocated) {
		op_free(rp, op, o->size >= RUN_RCU_HEAD ? OP_FREE_RCU : OP_FREE, o, true);
		obj_release(rp, c->obj);
		return true;
	}
	if (o->waiter >= 0) {
		op->kind = OP_SEND;
		op->chan = rp->cpu[o->waiter].chan;
		op->ref = LUA_REFNIL;
		o->waiter = -1;
		return true;
	}
	return false;
}

/* The allocation's result (its touch done) is on top of co's stack. */
static bool allocated(replay_t *rp, lua_State *co, rp_cpu_t *c, op_t *op)
{
	rp_obj_t *o = obj(rp, c->obj);

	if (lua_isinteger(co, -1)) {
		o->handle = lua_tointeger(co, -1);
		o->allocated = true;
		(*rp->n.objects)++;
	} else {
		o->failed = true;
		(*rp->n.alloc_failed)++;
	}
	return after_alloc(rp, c, op);
}

static int replay_continue(lua_State *co, int status, lua_KContext ctx)
{
	replay_t *rp = lua_touserdata(co, 2);
	task_t *t = ((task_ud *)lua_touserdata(co, 1))->t;
	op_t *op = task_op(t);
	int cpu = (int)ctx;
	rp_cpu_t *c = &rp->cpu[cpu];
	bool go = false;

	(void)status;
	if (c->stage == RP_ALLOCATED)
		go = allocated(rp, co, c, op);
	lua_settop(co, 3);
	if (go || next_op(rp, cpu, op))
		return lua_yieldk(co, 0, ctx, replay_continue);
	return 0;
}

int replay_task(lua_State *co)
{
	task_t *t = ((task_ud *)lh_check_ud(co, 1, lh_tag_task, TASK_MT))->t;
	replay_t *rp = luaL_checkudata(co, 2, REPLAY_MT);
	lua_Integer cpu = luaL_checkinteger(co, 3);

	luaL_argcheck(co, cpu == task_cpu(t) && rp->cpu[cpu].q, 3,
	              "a replay task runs on a CPU of replay:cpus(), the one it is spawned on");
	rp->cpu[cpu].stage = RP_NEXT;
	return replay_continue(co, LUA_OK, (lua_KContext)cpu);
}
