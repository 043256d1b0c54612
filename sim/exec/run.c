/*
 * run.c -- one simulation run (see run.h).
 *
 * CPU 0 boots the allocator and creates the workload's caches; the workload
 * starts when that is done (t0), every CPU is started then, and each loops:
 * run due housekeeping, step the first ready task by one operation, or go
 * idle.  Ready tasks on a CPU take turns one operation at a time.  The run
 * ends when every task has finished, at the scenario's duration, or on a
 * script error.
 */
#include <string.h>
#include "run.h"
#include "native.h"
#include "native_obj.h"
#include "runtrace.h"

struct task {
	run_t *run;
	int id;
	int cpu;
	void *co;                /* the workload's handle of the task */
	op_t op;
	object_t obj;            /* op.obj points here */
	int nres;                /* values pushed for the next resume; -1 first */
	simtime_t ready_at;
	uint64_t rng;
	bool done;
	bool held;               /* slept until op.not_before: execute op without resuming */
	enum task_state state;
	simtime_t since;         /* when it blocked, went to sleep or returned (absolute) */
	uint64_t ops[OP_STAT_N];
	simtime_t busy;
};

const char *const run_end_names[] = {
	[RUN_COMPLETED] = "completed", [RUN_DURATION] = "duration", [RUN_DEADLOCK] = "deadlock",
	[RUN_IDLE] = "idle",
};

typedef struct chan {
	GQueue msgs;             /* GINT_TO_POINTER(registry ref) */
	GQueue waiters;          /* task_t* */
} chan_t;

typedef struct barrier {
	int parties;
	GPtrArray *waiting;      /* task_t* */
} barrier_t;

/* ---- setup, called by the Lua host ---- */

int run_add_cache(run_t *r, const char *name, uint32_t size, uint32_t align, unsigned flags,
                  bool decl)
{
	cache_rec_t *c = g_new0(cache_rec_t, 1);

	c->name = g_strdup(name);
	c->size = size;
	c->align = align;
	c->flags = flags;
	c->decl = decl;
	c->get_ref = c->kick_ref = RUN_NO_FN;
	c->pool = -1;
	c->run = r;
	g_ptr_array_add(r->caches, c);
	return (int)r->caches->len - 1;
}

/* Sheaves asked for by the workload (0: none). */
void run_set_cache_sheaves(run_t *r, int i, unsigned capacity)
{
	((cache_rec_t *)r->caches->pdata[i])->sheaf_capacity = capacity;
}

void run_set_cache_ops(run_t *r, int i, int get_ref, int kick_ref)
{
	cache_rec_t *c = r->caches->pdata[i];

	c->get_ref = get_ref;
	c->kick_ref = kick_ref;
}

void run_set_cache_ctor(run_t *r, int i, const kmem_ctor_t *ctor)
{
	cache_rec_t *c = r->caches->pdata[i];

	c->has_ctor = true;
	c->ctor = *ctor;
}

int run_add_pool(run_t *r, int cache, critpool_variant_t v, int min_nr)
{
	cache_rec_t *c = r->caches->pdata[cache];
	pool_rec_t *p;

	if (c->pool >= 0)
		return -1;
	p = g_new0(pool_rec_t, 1);
	p->cache = cache;
	p->also = g_array_new(FALSE, FALSE, sizeof(int));
	p->variant = v;
	p->min_nr = min_nr;
	c->pool = (int)r->pools->len;
	g_ptr_array_add(r->pools, p);
	return c->pool;
}

bool run_pool_also(run_t *r, int p, int cache)
{
	cache_rec_t *c = r->caches->pdata[cache];

	if (c->pool >= 0)
		return false;
	c->pool = p;
	g_array_append_val(((pool_rec_t *)r->pools->pdata[p])->also, cache);
	return true;
}

int run_find_cache(const run_t *r, const char *name)
{
	for (guint i = 0; i < r->caches->len; i++)
		if (strcmp(((cache_rec_t *)r->caches->pdata[i])->name, name) == 0)
			return (int)i;
	return -1;
}

task_t *run_spawn(run_t *r, int cpu, void *co)
{
	task_t *t = g_new0(task_t, 1);

	t->run = r;
	t->id = (int)r->tasks->len;
	t->cpu = cpu;
	t->co = co;
	t->nres = -1;
	t->op.obj = &t->obj;
	t->op.objs = g_array_new(FALSE, FALSE, sizeof(object_t));
	/* A distinct, seed-derived stream per task. */
	t->rng = r->sc->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t->id * 0xd1b54a32d192ed03ULL + 1;
	g_ptr_array_add(r->tasks, t);
	g_queue_push_tail(&r->runq[cpu], t);
	r->tasks_alive++;
	return t;
}

int run_add_channel(run_t *r)
{
	g_ptr_array_add(r->chans, g_new0(chan_t, 1));
	return (int)r->chans->len - 1;
}

int run_add_barrier(run_t *r, int parties)
{
	barrier_t *b = g_new0(barrier_t, 1);

	b->parties = parties;
	b->waiting = g_ptr_array_new();
	g_ptr_array_add(r->barriers, b);
	return (int)r->barriers->len - 1;
}

int run_barrier_parties(const run_t *r, int i)
{
	return ((const barrier_t *)r->barriers->pdata[i])->parties;
}

op_t *task_op(task_t *t) { return &t->op; }
void *task_co(const task_t *t) { return t->co; }
int task_id(const task_t *t) { return t->id; }
int task_cpu(const task_t *t) { return t->cpu; }
uint64_t *task_rng(task_t *t) { return &t->rng; }

const char *run_cache_name(const run_t *r, int i)
{
	return i < 0 ? "kmalloc" : ((cache_rec_t *)r->caches->pdata[i])->name;
}

simtime_t run_now(const run_t *r)
{
	if (r->nobj)
		return native_now() - r->t0;
	return engine_current() ? engine_current()->clock - r->t0 : 0;
}

void run_record_metric(run_t *r, const char *name, simtime_t value)
{
	hist_t *h = g_hash_table_lookup(r->metrics, name);

	if (!h) {
		h = g_new0(hist_t, 1);
		g_hash_table_insert(r->metrics, g_strdup(name), h);
	}
	hist_record(h, value);
}

int64_t *run_counter(run_t *r, const char *name)
{
	int64_t *c = g_hash_table_lookup(r->counters, name);

	if (!c) {
		c = g_new0(int64_t, 1);
		g_hash_table_insert(r->counters, g_strdup(name), c);
	}
	return c;
}

bool run_count(run_t *r, const char *name, int64_t n)
{
	int64_t *c = run_counter(r, name), sum;

	if (__builtin_add_overflow(*c, n, &sum))
		return false;
	*c = sum;
	return true;
}

/* from's workload metrics and counters added to into's. */
void run_merge_workload(run_t *into, const run_t *from)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, from->counters);
	while (g_hash_table_iter_next(&it, &k, &v))
		run_count(into, k, *(int64_t *)v);
	g_hash_table_iter_init(&it, from->metrics);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		hist_t *h = g_hash_table_lookup(into->metrics, k);

		if (!h) {
			h = g_new0(hist_t, 1);
			g_hash_table_insert(into->metrics, g_strdup(k), h);
		}
		hist_merge(h, v);
	}
}

static void free_hist(gpointer p)
{
	hist_clear(p);
	g_free(p);
}

/* ---- object handles: (generation << 32) | slot ---- */

/* Objects of caches with slab_ops are found by address too (kicks). */
static bool has_ops(const run_t *r, int cache)
{
	return cache >= 0 && ((cache_rec_t *)r->caches->pdata[cache])->kick_ref != RUN_NO_FN;
}

static int64_t new_object(run_t *r, saddr_t addr, const op_t *op, uint32_t size)
{
	int cache = op->cache;
	uint32_t slot;
	object_t *o;

	if (r->free_slots->len) {
		slot = g_array_index(r->free_slots, uint32_t, r->free_slots->len - 1);
		g_array_set_size(r->free_slots, r->free_slots->len - 1);
	} else {
		slot = r->objects->len;
		g_array_set_size(r->objects, slot + 1);
		g_array_index(r->objects, object_t, slot).gen = 1;
	}
	o = &g_array_index(r->objects, object_t, slot);
	o->addr = addr;
	o->cache = cache;
	o->size = size;
	o->critical = op->critical;
	o->accounted = op->accounted;
	o->cpu = engine_current() ? smp_processor_id() : 0;
	r->live_objects++;
	if (has_ops(r, cache))
		g_hash_table_insert(r->by_addr, GSIZE_TO_POINTER(addr), GUINT_TO_POINTER(slot + 1));
	return ((int64_t)o->gen << 32) | slot;
}

object_t *run_object(run_t *r, int64_t handle, const char **why)
{
	uint64_t slot = (uint64_t)handle & 0xffffffffu;
	uint32_t gen = (uint32_t)((uint64_t)handle >> 32);
	object_t *o;

	if (r->nobj)
		return nobj_get(r->nobj, handle, why);
	if (handle <= 0 || slot >= r->objects->len || gen == 0) {
		*why = "is not an object this run handed out";
		return NULL;
	}
	o = &g_array_index(r->objects, object_t, slot);
	if (o->gen > gen || (o->gen == gen && !o->addr)) {
		*why = "was freed already (double free or use after free)";
		return NULL;
	}
	if (o->gen != gen) {
		*why = "is not an object this run handed out";
		return NULL;
	}
	return o;
}

void run_retire(run_t *r, int64_t handle, object_t *saved)
{
	uint32_t slot = (uint32_t)((uint64_t)handle & 0xffffffffu);
	object_t *o;

	if (r->nobj) {
		nobj_retire(r->nobj, handle, saved);
		return;
	}
	o = &g_array_index(r->objects, object_t, slot);
	*saved = *o;
	r->live_objects--;
	if (has_ops(r, o->cache))
		g_hash_table_remove(r->by_addr, GSIZE_TO_POINTER(o->addr));
	o->addr = 0;
	o->gen++;
	g_array_append_val(r->free_slots, slot);
}

/* ---- slab_ops: the allocator may kick the workload's objects ---- */

static void stop(run_t *r);
static void count_op(run_t *r, int k);

/* The slot of the live object at addr, or -1. */
static int64_t slot_at(run_t *r, saddr_t addr)
{
	gpointer v = g_hash_table_lookup(r->by_addr, GSIZE_TO_POINTER(addr));

	return v ? (int64_t)GPOINTER_TO_UINT(v) - 1 : -1;
}

static int64_t slot_handle(run_t *r, int64_t slot)
{
	return ((int64_t)g_array_index(r->objects, object_t, slot).gen << 32) | slot;
}

/* Call the cache's Lua function `ref` on the object in `slot`; its answer
 * as a string ("true" for true), NULL for nil or false.  An error in the
 * function stops the run. */
static char *ask_workload(cache_rec_t *c, int ref, int64_t slot)
{
	run_t *r = c->run;
	char *err = NULL, *answer = r->wl_ops->call_handle(r->wl, ref, slot_handle(r, slot), &err);

	if (err) {
		if (!r->error)
			r->error = err;
		else
			g_free(err);
		stop(r);
	}
	return answer;
}

static bool ops_get_reference(void *ctx, kmem_cache_t *s, saddr_t obj)
{
	cache_rec_t *c = ctx;
	int64_t slot = slot_at(c->run, obj);
	char *yes;

	if (slot < 0 || c->run->error)
		return false;           /* not the workload's (a free is under way) */
	if (c->get_ref == RUN_NO_FN)
		return true;
	yes = ask_workload(c, c->get_ref, slot);
	g_free(yes);
	return yes != NULL;
}

static kick_result_t ops_kick(void *ctx, kmem_cache_t *s, saddr_t obj)
{
	cache_rec_t *c = ctx;
	run_t *r = c->run;
	int64_t slot = slot_at(r, obj);
	kick_result_t res = KICK_FAILED;
	char *what;
	object_t gone;

	if (slot < 0 || r->error)
		return KICK_FAILED;
	what = ask_workload(c, c->kick_ref, slot);
	if (what && strcmp(what, "move") == 0) {
		res = KICK_MOVE;
	} else if (what && strcmp(what, "reclaim") == 0 && !r->error) {
		run_retire(r, slot_handle(r, slot), &gone);
		r->live_bytes -= gone.size;
		c->live_objects--;
		c->live_bytes -= gone.size;
		count_op(r, OP_STAT_FREE);
		res = KICK_RECLAIM;
	}
	g_free(what);
	return res;
}

static void ops_moved(void *ctx, kmem_cache_t *s, saddr_t old, saddr_t new_obj)
{
	cache_rec_t *c = ctx;
	int64_t slot = slot_at(c->run, old);

	if (slot < 0)
		return;
	g_hash_table_remove(c->run->by_addr, GSIZE_TO_POINTER(old));
	g_array_index(c->run->objects, object_t, slot).addr = new_obj;
	g_hash_table_insert(c->run->by_addr, GSIZE_TO_POINTER(new_obj), GUINT_TO_POINTER(slot + 1));
}

static const slab_ops_t workload_slab_ops = {
	.get_reference = ops_get_reference,
	.kick_object = ops_kick,
	.moved = ops_moved,
};

/* ---- footprint ---- */

static footprint_t footprint_now(run_t *r)
{
	const pa_stats_t *ps = pa_stats(r->k->pa);

	return (footprint_t){
		.slab_bytes = ps->pages_in_use * (uint64_t)r->sc->machine->page_size,
		.live_bytes = r->live_bytes,
		.queued_bytes = r->ops->queued_bytes(r->alloc),
		.metadata_bytes = kmeta_total(),
	};
}

static void note_peak(footprint_t *peak, const footprint_t *f)
{
	peak->slab_bytes = MAX(peak->slab_bytes, f->slab_bytes);
	peak->live_bytes = MAX(peak->live_bytes, f->live_bytes);
	peak->queued_bytes = MAX(peak->queued_bytes, f->queued_bytes);
	peak->metadata_bytes = MAX(peak->metadata_bytes, f->metadata_bytes);
}

/* Note each node's slab pages now, into the series when it is kept. */
static void sample_nodes(run_t *r)
{
	for (int n = 0; n < r->k->m->nnodes; n++) {
		uint64_t pages = pa_pages_in_use(r->k->pa, n);
		r->node_peak[n] = MAX(r->node_peak[n], pages);
		if (r->k->m->nnodes <= RUN_NODE_SERIES_MAX)
			g_array_append_val(r->node_series, pages);
	}
}

static void sample_event(void *arg, simtime_t when)
{
	run_t *r = arg;
	footprint_t f = footprint_now(r);
	sample_t s = { when - r->t0, f.slab_bytes, f.live_bytes, f.queued_bytes, f.metadata_bytes,
	               { r->window_max[OP_STAT_ALLOC], r->window_max[OP_STAT_FREE] },
	               r->k->housekeeping - r->housekeeping_seen };

	g_array_append_val(r->samples, s);
	sample_nodes(r);
	for (guint i = 0; i < r->pools->len; i++) {
		pool_rec_t *p = r->pools->pdata[i];
		int level = p->cp ? critpool_level(p->cp) : 0;
		g_array_append_val(r->pool_levels, level);
	}
	memset(r->window_max, 0, sizeof r->window_max);
	r->housekeeping_seen = r->k->housekeeping;
	note_peak(&r->peak, &f);
	if (r->progress)
		r->progress(r, when - r->t0, r->progress_ctx);
	engine_at(r->k->engine, when + r->sc->sample, sample_event, r);
}

static void deadline_event(void *arg, simtime_t when)
{
	run_t *r = arg;

	r->t_end = when;
	r->stopped = true;
	engine_stop(r->k->engine);
}

/* ---- operations ---- */

/* Record one operation: its latency, and where its time went (the
 * accounts charged since snap). */
static void record(run_t *r, int cache, int kind, simtime_t lat, const simtime_t *snap)
{
	for (int k = 0; k < COST_NKINDS; k++)
		r->breakdown[kind][k] += engine_current()->cost[k] - snap[k];
	hist_record(&r->lat[kind], lat);
	r->window_max[kind] = MAX(r->window_max[kind], lat);
	if (cache >= 0)
		hist_record(&((cache_rec_t *)r->caches->pdata[cache])->lat[kind], lat);
	else
		hist_record(&r->kmalloc_lat[kind], lat);
}

static critpool_t *pool_of(run_t *r, const cache_rec_t *c)
{
	return ((pool_rec_t *)r->pools->pdata[c->pool])->cp;
}

/* Count one operation of kind k for the task running on this CPU, and
 * for the CPU. */
static void count_op(run_t *r, int k)
{
	int cpu = smp_processor_id();
	task_t *t = r->running[cpu];

	r->ops_done[k]++;
	r->cpu_ops[cpu][k]++;
	if (t)
		t->ops[k]++;
}

static int64_t do_alloc(run_t *r, const op_t *op)
{
	void *a = r->alloc;
	simtime_t t0, snap[COST_NKINDS];
	gfp_t gfp = GFP_KERNEL | (op->zero ? __GFP_ZERO : 0) | (op->accounted ? __GFP_ACCOUNT : 0);
	saddr_t addr;
	uint32_t size;

	engine_sync();
	t0 = know();
	engine_cost_mark(snap);
	engine_charge(COST_OP, r->k->m->op);
	if (op->cache >= 0) {
		cache_rec_t *c = r->caches->pdata[op->cache];
		addr = c->pool >= 0 ?
			critpool_cache_alloc(pool_of(r, c), c->kc, op->critical, op->node) :
			r->ops->cache_alloc(a, c->kc, gfp, op->node);
		size = c->size;
	} else {
		addr = r->ops->kmalloc(a, op->size, gfp, op->node);
		size = op->size;
	}
	record(r, op->cache, OP_STAT_ALLOC, know() - t0, snap);
	runtrace_alloc(r, op, addr, t0);
	if (!addr) {
		r->failed++;
		return 0;
	}
	count_op(r, OP_STAT_ALLOC);
	r->live_bytes += size;
	r->peak.live_bytes = MAX(r->peak.live_bytes, r->live_bytes);
	if (op->cache >= 0) {
		cache_rec_t *c = r->caches->pdata[op->cache];
		c->live_objects++;
		c->live_bytes += size;
	}
	if (kaddr_valid(addr) && page_to_nid(virt_to_page(addr)) != numa_node_id())
		r->alloc_remote_node++;      /* introspection: free of charge */
	if (op->touch) {                 /* as a t:touch right after */
		engine_sync();
		ktouch(addr, MIN(op->touch, size), true);
	}
	return new_object(r, addr, op, size);
}

/* The allocator's free of o: kmem_cache_free, its pool's, or kfree. */
void run_free_object(run_t *r, const object_t *o)
{
	if (o->cache >= 0) {
		cache_rec_t *c = r->caches->pdata[o->cache];
		if (c->pool >= 0)
			critpool_cache_free(pool_of(r, c), c->kc, o->addr, o->critical);
		else
			r->ops->cache_free(r->alloc, c->kc, o->addr);
	} else {
		r->ops->kfree(r->alloc, o->addr);
	}
}

/* The workload holds o no more. */
static void note_gone(run_t *r, const object_t *o)
{
	r->live_bytes -= o->size;
	if (o->cache >= 0) {
		cache_rec_t *c = r->caches->pdata[o->cache];
		c->live_objects--;
		c->live_bytes -= o->size;
	}
}

/* A free of o; an untraced one (the kernel frees it without a per-object
 * tracepoint) is not recorded in the run's trace. */
static void do_free(run_t *r, const object_t *o, bool untraced)
{
	simtime_t t0, snap[COST_NKINDS];

	engine_sync();
	t0 = know();
	engine_cost_mark(snap);
	engine_charge(COST_OP, r->k->m->op);
	run_free_object(r, o);
	record(r, o->cache, OP_STAT_FREE, know() - t0, snap);
	if (!untraced)
		runtrace_free(r, o, t0);
	count_op(r, OP_STAT_FREE);
	note_gone(r, o);
	r->free_remote_cpu += o->cpu != smp_processor_id();
	if (kaddr_valid(o->addr) && page_to_nid(virt_to_page(o->addr)) != numa_node_id())
		r->free_remote_node++;       /* introspection: free of charge */
}

/* What a t:free_rcu callback frees. */
typedef struct rcu_free {
	run_t *r;
	object_t o;
} rcu_free_t;

static void free_rcu_callback(void *arg)
{
	rcu_free_t *f = arg;

	run_free_object(f->r, &f->o);
}

/* The allocator's own kfree_rcu path took o (6.18's rcu sheaves); never
 * for a critical pool's object. */
static bool allocator_took_rcu(run_t *r, const object_t *o)
{
	if (!r->ops->free_rcu ||
	    (o->cache >= 0 && ((cache_rec_t *)r->caches->pdata[o->cache])->pool >= 0))
		return false;
	return r->ops->free_rcu(r->alloc, o->addr);
}

void run_free_after_gp(run_t *r, const object_t *o)
{
	rcu_free_t f = { r, *o };

	if (!allocator_took_rcu(r, o))
		call_rcu(o->addr, free_rcu_callback, &f, sizeof(f), RCU_OBJECT, o->size);
}

/* kfree_rcu: the object leaves the workload now and is freed after a
 * grace period: by the allocator, if its own path takes it, else by the
 * callback, on this CPU (the rcu_head is its first 16 bytes). */
static void do_free_rcu(run_t *r, const object_t *o)
{
	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	run_free_after_gp(r, o);
	r->free_rcu++;
	note_gone(r, o);
}

static void make_ready(run_t *r, task_t *t, simtime_t when)
{
	t->ready_at = when;
	t->state = TASK_RUNNABLE;
	g_queue_push_tail(&r->runq[t->cpu], t);
	kernel_kick(t->cpu, when);
}

static void sleep_done(void *arg, simtime_t when)
{
	task_t *t = arg;

	make_ready(t->run, t, when);
}

/* The task leaves its CPU (free for other tasks, or idle) for `ps`. */
static bool do_sleep(run_t *r, task_t *t)
{
	engine_sync();
	engine_at(r->k->engine, know() + t->op.ps, sleep_done, t);
	t->state = TASK_SLEEPING;
	t->since = know();
	return false;
}

static bool do_send(run_t *r, const op_t *op)
{
	chan_t *ch = r->chans->pdata[op->chan];
	task_t *w;

	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	w = g_queue_pop_head(&ch->waiters);
	if (!w) {
		g_queue_push_tail(&ch->msgs, GINT_TO_POINTER(op->ref));
		return true;
	}
	r->wl_ops->push_ref(r->wl, w->co, op->ref);
	w->nres = 1;
	make_ready(r, w, know());
	return true;
}

static bool do_recv(run_t *r, task_t *t)
{
	chan_t *ch = r->chans->pdata[t->op.chan];

	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	if (g_queue_is_empty(&ch->msgs)) {
		g_queue_push_tail(&ch->waiters, t);
		t->state = TASK_RECV;
		t->since = know();
		return false;
	}
	r->wl_ops->push_ref(r->wl, t->co, GPOINTER_TO_INT(g_queue_pop_head(&ch->msgs)));
	t->nres = 1;
	return true;
}

/* t:idle: charged as a recv that finds its channel empty, then never
 * runs again. */
static bool do_idle(run_t *r, task_t *t)
{
	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	t->state = TASK_IDLE;
	t->since = know();
	return false;
}

static bool do_barrier(run_t *r, task_t *t)
{
	barrier_t *b = r->barriers->pdata[t->op.barrier];

	engine_sync();
	if ((int)b->waiting->len + 1 < b->parties) {
		g_ptr_array_add(b->waiting, t);
		t->state = TASK_BARRIER;
		t->since = know();
		return false;
	}
	for (guint i = 0; i < b->waiting->len; i++)
		make_ready(r, b->waiting->pdata[i], know());
	g_ptr_array_set_size(b->waiting, 0);
	return true;
}

static void do_alloc_n(run_t *r, task_t *t)
{
	GArray *h = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), (guint)t->op.n);

	for (int i = 0; i < t->op.n; i++) {
		int64_t v = do_alloc(r, &t->op);
		if (v)
			g_array_append_val(h, v);
	}
	r->wl_ops->push_handles(t->co, (int64_t *)h->data, (int)h->len);
	g_array_free(h, TRUE);
	t->nres = 1;
}

static void touch(const object_t *o, const op_t *op)
{
	engine_sync();
	if (op->bytes)
		ktouch(o->addr, MIN(op->bytes, o->size), op->write);
}

/* kmem_cache_shrink with defragmentation; pushes the report.  Allocators
 * without it shrink plainly (the report then holds the slab counts). */
static void do_defrag(run_t *r, task_t *t)
{
	cache_rec_t *c = r->caches->pdata[t->op.cache];
	defrag_report_t rep = { 0 };
	cache_info_t before, after;

	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	if (r->ops->defrag) {
		r->ops->defrag(r->alloc, c->kc, t->op.n, &rep);
	} else {
		r->ops->cache_info(r->alloc, c->kc, &before);
		r->ops->shrink(r->alloc, c->kc);
		r->ops->cache_info(r->alloc, c->kc, &after);
		rep.slabs_before = before.slabs;
		rep.slabs_after = after.slabs;
		rep.slabs_freed = before.slabs - MIN(before.slabs, after.slabs);
	}
	c->defrags++;
	c->defrag.slabs_freed += rep.slabs_freed;
	c->defrag.objects_moved += rep.objects_moved;
	c->defrag.objects_reclaimed += rep.objects_reclaimed;
	c->defrag.vacate_failures += rep.vacate_failures;
	memcpy(c->defrag.hist_before, rep.hist_before, sizeof rep.hist_before);
	memcpy(c->defrag.hist_after, rep.hist_after, sizeof rep.hist_after);
	r->wl_ops->push_defrag(t->co, &rep);
	t->nres = 1;
}

static const char *const vacate_names[] = {
	[VACATE_OK] = "ok", [VACATE_PINNED] = "pinned", [VACATE_BUSY] = "busy",
	[VACATE_NOMEM] = "nomem", [VACATE_NOT_SLAB] = "not_slab",
};

/* kmem_cache_vacate of the page holding the object; pushes the result and
 * the objects moved or reclaimed. */
static void do_vacate(run_t *r, task_t *t)
{
	page_t *page = virt_to_page(t->op.obj->addr);
	vacate_result_t res;
	uint32_t moved = 0;

	engine_sync();
	engine_charge(COST_OP, r->k->m->op);
	if (!r->ops->vacate) {
		r->wl_ops->push_string(t->co, "unsupported");
	} else {
		if (page->flags & PG_tail)
			page = page->first_page;
		res = r->ops->vacate(r->alloc, page, &moved);
		if (t->op.obj->cache >= 0)
			((cache_rec_t *)r->caches->pdata[t->op.obj->cache])->vacates[res]++;
		r->wl_ops->push_string(t->co, vacate_names[res]);
	}
	r->wl_ops->push_int(t->co, moved);
	t->nres = 2;
}

/* Execute t's pending operation; false if t is now blocked. */
static bool execute_op(run_t *r, task_t *t);

/* An operation that runs allocator code counts the CPU as busy while it
 * does (kernel_t.busy: an audit looks only when no CPU is). */
static bool execute(run_t *r, task_t *t)
{
	enum op_kind k = t->op.kind;
	bool alloc = k == OP_ALLOC || k == OP_ALLOC_N || k == OP_FREE || k == OP_FREE_N ||
	             k == OP_SHRINK || k == OP_DEFRAG || k == OP_VACATE;
	bool ready;

	r->k->busy += alloc;
	ready = execute_op(r, t);
	r->k->busy -= alloc;
	return ready;
}

static bool execute_op(run_t *r, task_t *t)
{
	op_t *op = &t->op;

	switch (op->kind) {
	case OP_ALLOC: {
		int64_t h = do_alloc(r, op);
		if (h)
			r->wl_ops->push_int(t->co, h);
		else
			r->wl_ops->push_nil(t->co);
		t->nres = 1;
		return true;
	}
	case OP_ALLOC_N:
		do_alloc_n(r, t);
		return true;
	case OP_FREE:
		do_free(r, op->obj, op->untraced);
		return true;
	case OP_FREE_N:
		for (guint i = 0; i < op->objs->len; i++)
			do_free(r, &g_array_index(op->objs, object_t, i), false);
		return true;
	case OP_TOUCH:
		touch(op->obj, op);
		return true;
	case OP_TOUCH_N:
		for (guint i = 0; i < op->objs->len; i++)
			touch(&g_array_index(op->objs, object_t, i), op);
		return true;
	case OP_THINK:
		kernel_compute(op->ps, COST_THINK);
		return true;
	case OP_SLEEP:
		return do_sleep(r, t);
	case OP_SEND:
		return do_send(r, op);
	case OP_RECV:
		return do_recv(r, t);
	case OP_IDLE:
		return do_idle(r, t);
	case OP_BARRIER:
		return do_barrier(r, t);
	case OP_SHRINK:
		engine_sync();
		engine_charge(COST_OP, r->k->m->op);
		r->ops->shrink(r->alloc, ((cache_rec_t *)r->caches->pdata[op->cache])->kc);
		return true;
	case OP_DEFRAG:
		do_defrag(r, t);
		return true;
	case OP_VACATE:
		do_vacate(r, t);
		return true;
	case OP_FREE_RCU:
		do_free_rcu(r, op->obj);
		return true;
	case OP_NONE:
		break;
	}
	g_assert_not_reached();
}

static void stop(run_t *r)
{
	r->stopped = true;
	if (!r->t_end)
		r->t_end = know();
	engine_stop(r->k->engine);
}

/* Charge t with the CPU time one of its operations took (idle and
 * housekeeping excluded; the CPU's accounts move only while it runs, so
 * other CPUs running meanwhile do not count). */
static void account(task_t *t, const simtime_t snap[COST_NKINDS])
{
	const cpu_t *cpu = engine_current();

	for (int k = 0; k < COST_NKINDS; k++)
		if (k != COST_IDLE && k != COST_HOUSEKEEPING)
			t->busy += cpu->cost[k] - snap[k];
}

/* Resume t for one operation and execute it. */
/* Hold t's operation until op.not_before: t sleeps until then. */
static bool hold(run_t *r, task_t *t)
{
	engine_sync();
	if (r->t0 + t->op.not_before <= know())
		return false;
	engine_at(r->k->engine, r->t0 + t->op.not_before, sleep_done, t);
	t->state = TASK_SLEEPING;
	t->since = know();
	t->held = true;
	rcu_note_context_switch();      /* the task sleeps */
	return true;
}

static void step(run_t *r, task_t *t)
{
	char *msg = NULL;
	int nres = t->nres;
	simtime_t snap[COST_NKINDS];

	if (!t->held) {
		t->nres = 0;
		t->op.kind = OP_NONE;
		t->op.not_before = 0;
		switch (r->wl_ops->resume(r->wl, t->co, nres, &msg)) {
		case WL_DONE:
			t->done = true;
			t->state = TASK_DONE;
			t->since = know();
			if (--r->tasks_alive == 0)
				stop(r);
			return;
		case WL_ERROR:
			r->error = msg;
			stop(r);
			return;
		case WL_OP:
			if (t->op.not_before && hold(r, t))
				return;
			break;
		}
	}
	t->held = false;
	engine_cost_mark(snap);
	r->running[t->cpu] = t;
	bool ready = execute(r, t);
	r->running[t->cpu] = NULL;
	account(t, snap);
	if (ready)
		g_queue_push_tail(&r->runq[t->cpu], t);
	else
		rcu_note_context_switch();      /* the task blocks */
}

/* ---- the CPUs ---- */

/* Create the workload's critical pools (on CPU 0, at boot); false and a
 * stopped run if the allocator cannot. */
static bool create_pools(run_t *r)
{
	for (guint i = 0; i < r->pools->len; i++) {
		pool_rec_t *p = r->pools->pdata[i];
		cache_rec_t *c = r->caches->pdata[p->cache];
		bool ok = (p->cp = critpool_create(r->ops, r->alloc, c->kc, p->variant, p->min_nr));

		for (guint j = 0; ok && j < p->also->len; j++)
			ok = critpool_attach(p->cp, ((cache_rec_t *)r->caches->pdata[
			                     g_array_index(p->also, int, j)])->kc);
		if (!ok) {
			r->error = g_strdup_printf("%s: %s cannot back cache '%s' with a %s mempool of %d "
			                           "(the Dobson variants need the allocator's mempool hook, "
			                           "SLUB's, and order-0 slabs; the reserve must fit in memory)",
			                           r->sc->workload_path, r->label, c->name,
			                           critpool_variant_name(p->variant), p->min_nr);
			return false;
		}
	}
	return true;
}

/* The run's cache called `name`: a workload cache (perhaps an alias of
 * another), else one of the allocator's own; NULL if none. */
static kmem_cache_t *cache_named(run_t *r, const char *name)
{
	int i = run_find_cache(r, name);

	if (i >= 0)
		return ((cache_rec_t *)r->caches->pdata[i])->kc;
	for (int j = 0; j < r->ops->ncaches(r->alloc); j++) {
		kmem_cache_t *s = r->ops->cache_at(r->alloc, j);
		cache_info_t ci;

		r->ops->cache_info(r->alloc, s, &ci);
		if (strcmp(ci.name, name) == 0)
			return s;
	}
	return NULL;
}

/* The scenario's [allocator.NAME.cache.CACHE] groups of this allocator, in
 * file order, once the workload's caches exist (as sysfs writes at boot);
 * false, with r->error, if a cache does not exist or the allocator
 * refuses. */
static bool apply_cache_tunings(run_t *r)
{
	GArray *t = scenario_cache_tunings(r->sc, r->label);

	for (guint i = 0; !r->error && i < t->len; i++) {
		const cache_tuning_t *ct = &g_array_index(t, cache_tuning_t, i);
		kmem_cache_t *s = cache_named(r, ct->cache);
		char *why = NULL;

		if (!s)
			r->error = g_strdup_printf("%s: [%s]: %s has no cache called '%s' (the "
			                           "workload's caches and the allocator's own)",
			                           r->sc->path, ct->group, r->label, ct->cache);
		else if (!r->ops->cache_tune(r->alloc, s, ct->vals, &why))
			r->error = g_strdup_printf("%s: [%s]: %s", r->sc->path, ct->group, why);
		g_free(why);
	}
	scenario_cache_tunings_free(t);
	return !r->error;
}

/* Boot the allocator on this CPU, create the workload's caches, apply
 * the scenario's cache tunings and create the critical pools; false
 * (r->error set) if one cannot be made. */
bool run_boot_allocator(run_t *r)
{
	const allocator_ops_t *ops = r->ops;

	vmstat_start();
	r->alloc = allocator_boot(ops, r->tunables);
	for (guint i = 0; i < r->caches->len; i++) {
		cache_rec_t *c = r->caches->pdata[i];
		bool sheaves = c->sheaf_capacity && ops->cache_set_sheaves;

		c->kc = (c->decl ? kmem_cache_create_decl : kmem_cache_create_legacy)
			(ops, r->alloc, c->name, c->size, c->align,
			 c->flags | (sheaves || c->kick_ref != RUN_NO_FN ? SLAB_NO_MERGE : 0),
			 c->has_ctor ? &c->ctor : NULL);
		if (c->kc && sheaves)
			ops->cache_set_sheaves(r->alloc, c->kc, c->sheaf_capacity);
		if (!c->kc) {
			r->error = g_strdup_printf("%s: %s could not create cache '%s'",
			                           r->sc->workload_path, r->label, c->name);
			return false;
		}
		if (c->kick_ref != RUN_NO_FN && ops->cache_set_ops)
			ops->cache_set_ops(r->alloc, c->kc, &workload_slab_ops, c);
	}
	return apply_cache_tunings(r) && create_pools(r);
}

static void boot(run_t *r)
{
	if (!run_boot_allocator(r)) {
		stop(r);
		return;
	}
	r->t0 = know();
	r->housekeeping_seen = r->k->housekeeping;
	r->booted = true;
	for (int cpu = 1; cpu < r->k->m->ncpus; cpu++)
		engine_wake(engine_cpu(r->k->engine, cpu), r->t0, COST_IDLE);
	engine_at(r->k->engine, r->t0, sample_event, r);
	engine_at(r->k->engine, r->t0 + r->sc->duration, deadline_event, r);
	if (r->tasks_alive == 0)
		stop(r);
}

static void cpu_main(cpu_t *cpu, void *arg)
{
	run_t *r = arg;

	if (!r->booted)
		boot(r);
	for (;;) {
		if (r->stopped)
			engine_block();         /* the engine is going home */
		kernel_do_pending();
		task_t *t = g_queue_pop_head(&r->runq[cpu->id]);
		if (!t) {
			r->last_task[cpu->id] = NULL;
			if (!rcu_idle_enter())
				kernel_idle_loop();
			continue;
		}
		if (t->ready_at > cpu->clock)
			engine_charge(COST_IDLE, t->ready_at - cpu->clock);
		if (t != r->last_task[cpu->id]) {
			r->last_task[cpu->id] = t;
			rcu_note_context_switch();      /* a task switch */
		}
		step(r, t);
	}
}

/* ---- life cycle ---- */

/* Everything of a run but its kernel. */
static run_t *run_alloc(const scenario_t *sc, const char *label)
{
	run_t *r = g_new0(run_t, 1);

	r->sc = sc;
	r->label = label;
	for (int i = 0; sc->allocators[i]; i++)
		if (strcmp(sc->allocators[i], label) == 0)
			r->label = sc->allocators[i];    /* outlives the caller's string */
	r->ops = allocator_find(scenario_base(sc, label));
	r->tunables = scenario_tunables(sc, label);
	r->cpu_ops = g_malloc0_n((gsize)sc->machine->ncpus, sizeof *r->cpu_ops);
	r->running = g_new0(task_t *, sc->machine->ncpus);
	r->caches = g_ptr_array_new();
	r->tasks = g_ptr_array_new();
	r->runq = g_new0(GQueue, sc->machine->ncpus);
	r->last_task = g_new0(task_t *, sc->machine->ncpus);
	r->objects = g_array_new(FALSE, TRUE, sizeof(object_t));
	r->by_addr = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->pools = g_ptr_array_new();
	r->pool_levels = g_array_new(FALSE, FALSE, sizeof(int));
	r->free_slots = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	r->chans = g_ptr_array_new();
	r->barriers = g_ptr_array_new();
	r->samples = g_array_new(FALSE, FALSE, sizeof(sample_t));
	r->node_series = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	r->node_peak = g_new0(uint64_t, sc->machine->nnodes);
	r->node_final = g_new0(uint64_t, sc->machine->nnodes);
	r->metrics = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_hist);
	r->counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->audit = RUN_AUDIT_DEFAULT;
	return r;
}

/* The kernel of r: simulated (fibers running cpu_main) or native. */
static void run_kernel(run_t *r, bool native)
{
	const scenario_t *sc = r->sc;
	kernel_config_t cfg = { 0 };

	cfg.m = sc->machine;
	cfg.seed = sc->seed;
	cfg.pa.seed = sc->seed;
	cfg.pa.limit_pages = (sc->mem_limit_mib << 20) >> sc->machine->page_shift;
	cfg.pa.fail_ppm = sc->page_fail_ppm;
	cfg.cpu_main = cpu_main;
	cfg.cpu_main_arg = r;
	cfg.native = native;
	r->k = kernel_new(&cfg);
}

run_t *run_new(const scenario_t *sc, const char *label)
{
	run_t *r = run_alloc(sc, label);

	run_kernel(r, false);
	return r;
}

run_t *run_new_native(const scenario_t *sc, const char *label)
{
	run_t *r = run_alloc(sc, label);

	run_kernel(r, true);
	return r;
}

run_t *run_new_shadow(const scenario_t *sc, const char *label)
{
	return run_alloc(sc, label);
}

void run_set_workload(run_t *r, const workload_ops_t *ops, void *wl)
{
	r->wl_ops = ops;
	r->wl = wl;
}

/* Completed when every task returned; a deadlock when every task that
 * did not waits in recv or at a barrier (only a task can send or arrive,
 * so none of them can run again); else the duration cut the run short. */
static enum run_end end_reason(const run_t *r)
{
	int blocked = 0;

	if (r->tasks_alive == 0)
		return RUN_COMPLETED;
	for (guint i = 0; i < r->tasks->len; i++) {
		const task_t *t = r->tasks->pdata[i];
		if (t->state == TASK_RUNNABLE || t->state == TASK_SLEEPING)
			return RUN_DURATION;
		blocked += t->state == TASK_RECV || t->state == TASK_BARRIER;
	}
	return blocked ? RUN_DEADLOCK : RUN_IDLE;
}

int run_ntasks(const run_t *r)
{
	return (int)r->tasks->len;
}

void run_task_info(const run_t *r, int i, task_info_t *out)
{
	const task_t *t = r->tasks->pdata[i];

	*out = (task_info_t){ .id = t->id, .cpu = t->cpu, .state = t->state, .on = -1,
	                      .busy = t->busy };
	memcpy(out->ops, t->ops, sizeof out->ops);
	if (t->state == TASK_RECV)
		out->on = t->op.chan;
	if (t->state == TASK_BARRIER) {
		const barrier_t *b = r->barriers->pdata[t->op.barrier];
		out->on = t->op.barrier;
		out->arrived = (int)b->waiting->len;
		out->parties = b->parties;
	}
	if (t->state != TASK_RUNNABLE)
		out->since = t->since > r->t0 ? t->since - r->t0 : 0;
	if (t->state == TASK_DONE)
		out->done_at = out->since;
	if (t->state != TASK_DONE && r->wl_ops && r->wl_ops->where)
		out->where = r->wl_ops->where(r->wl, t->co);
}

bool run_execute(run_t *r, GError **err)
{
	engine_wake(engine_cpu(r->k->engine, 0), 0, COST_IDLE);
	engine_run(r->k->engine, SIMTIME_MAX);
	if (r->error) {
		g_set_error(err, SLABSIM_ERROR, 2, "%s", r->error);
		return false;
	}
	/* The structural audit, free of charge; kbug()s on a disagreement.
	 * Skipped if the run stopped with a CPU inside allocator code (at its
	 * duration), where the structures are legitimately mid-update. */
	if (r->audit && r->ops->audit && r->booted) {
		if (r->k->busy == 0)
			r->ops->audit(r->alloc);
		else
			r->audit_skipped = true;
	}
	r->final = footprint_now(r);
	note_peak(&r->peak, &r->final);
	for (int n = 0; n < r->k->m->nnodes; n++) {
		r->node_final[n] = pa_pages_in_use(r->k->pa, n);
		r->node_peak[n] = MAX(r->node_peak[n], r->node_final[n]);
	}
	r->peak.slab_bytes = MAX(r->peak.slab_bytes, pa_stats(r->k->pa)->peak_pages_in_use *
	                         (uint64_t)r->sc->machine->page_size);
	r->peak.metadata_bytes = MAX(r->peak.metadata_bytes, kmeta_peak());
	r->end_reason = end_reason(r);
	return runtrace_finish(r, err);
}

static void free_pool_rec(gpointer p)
{
	pool_rec_t *pr = p;

	if (pr->cp)
		critpool_free_host(pr->cp);
	g_array_free(pr->also, TRUE);
	g_free(pr);
}

static void free_cache_rec(gpointer p)
{
	cache_rec_t *c = p;

	for (int i = 0; i < OP_STAT_N; i++)
		hist_clear(&c->lat[i]);
	g_free(c->name);
	g_free(c);
}

static void free_task(gpointer p)
{
	task_t *t = p;

	g_array_free(t->op.objs, TRUE);
	g_free(t);
}

static void free_chan(gpointer p)
{
	chan_t *c = p;

	g_queue_clear(&c->msgs);
	g_queue_clear(&c->waiters);
	g_free(c);
}

static void free_barrier(gpointer p)
{
	barrier_t *b = p;

	g_ptr_array_free(b->waiting, TRUE);
	g_free(b);
}

void run_free(run_t *r)
{
	if (!r)
		return;
	runtrace_free_all(r);
	if (r->wl)
		r->wl_ops->free(r->wl);
	g_ptr_array_set_free_func(r->pools, free_pool_rec);
	g_ptr_array_free(r->pools, TRUE);       /* host side; before the allocator goes */
	g_array_free(r->pool_levels, TRUE);
	if (r->k) {
		allocator_shutdown(r->ops, r->alloc);
		kernel_free(r->k);
	}
	g_ptr_array_set_free_func(r->caches, free_cache_rec);
	g_ptr_array_free(r->caches, TRUE);
	g_ptr_array_set_free_func(r->tasks, free_task);
	g_ptr_array_free(r->tasks, TRUE);
	for (int i = 0; i < r->sc->machine->ncpus; i++)
		g_queue_clear(&r->runq[i]);
	g_free(r->runq);
	g_free(r->last_task);
	g_array_free(r->objects, TRUE);
	g_hash_table_destroy(r->by_addr);
	g_array_free(r->free_slots, TRUE);
	g_ptr_array_set_free_func(r->chans, free_chan);
	g_ptr_array_free(r->chans, TRUE);
	g_ptr_array_set_free_func(r->barriers, free_barrier);
	g_ptr_array_free(r->barriers, TRUE);
	g_array_free(r->samples, TRUE);
	g_array_free(r->node_series, TRUE);
	g_free(r->node_peak);
	g_free(r->node_final);
	g_hash_table_destroy(r->metrics);
	g_hash_table_destroy(r->counters);
	for (int i = 0; i < OP_STAT_N; i++) {
		hist_clear(&r->lat[i]);
		hist_clear(&r->kmalloc_lat[i]);
	}
	g_free(r->tunables);
	g_free(r->cpu_ops);
	g_free(r->running);
	g_free(r->decl.merit);
	g_free(r->decl.merit_label);
	g_free(r->error);
	g_free(r);
}
