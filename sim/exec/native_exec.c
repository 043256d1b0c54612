/*
 * native_exec.c -- one task operation on its host thread (see
 * native_run.h): allocations and frees timed by the host clock, touches of
 * real memory, compute, sleeps, messages, barriers.
 */
#include <string.h>
#include "native_run_int.h"

/* The mean of one of n operations timed together, less the clock's cost. */
static simtime_t per_op(simtime_t t0, simtime_t t1, uint64_t n)
{
	simtime_t d = t1 - t0, timer = native_timer_cost();

	return (d > timer ? d - timer : 0) / n;
}

static hist_t *cache_hist(nthr_t *th, int cache, int kind)
{
	return cache >= 0 ? &th->cache_lat[cache][kind] : &th->kmalloc_lat[kind];
}

static void count_op(nthr_t *th, ntask_t *tk, int kind)
{
	th->ops[kind]++;
	th->cpu_ops[tk->cpu][kind]++;
	tk->ops[kind]++;
}

/* The op's n allocations, timed as one batch; their handles (failures
 * left out) go to h. */
static void do_alloc(nthr_t *th, ntask_t *tk, const op_t *op, int n, GArray *h)
{
	run_t *r = th->nr->r;
	cache_rec_t *c = op->cache >= 0 ? r->caches->pdata[op->cache] : NULL;
	gfp_t gfp = GFP_KERNEL | (op->zero ? __GFP_ZERO : 0) | (op->accounted ? __GFP_ACCOUNT : 0);
	uint32_t size = c ? c->size : op->size;
	saddr_t *addr = g_new(saddr_t, n > 0 ? n : 1);
	simtime_t t0, t1, lat = 0;

	t0 = native_now();
	for (int i = 0; i < n; i++)
		addr[i] = c ? r->ops->cache_alloc(r->alloc, c->kc, gfp, op->node) :
		              r->ops->kmalloc(r->alloc, op->size, gfp, op->node);
	t1 = native_now();
	if (n)
		lat = per_op(t0, t1, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		object_t o = { .addr = addr[i], .cache = op->cache, .size = size,
		               .cpu = smp_processor_id() };
		int64_t handle;

		hist_record(&th->lat[OP_STAT_ALLOC], lat);
		hist_record(cache_hist(th, op->cache, OP_STAT_ALLOC), lat);
		if (!addr[i]) {
			th->failed++;
			continue;
		}
		count_op(th, tk, OP_STAT_ALLOC);
		th->live_bytes += size;
		if (c) {
			th->cache_objs[op->cache]++;
			th->cache_bytes[op->cache] += size;
		}
		if (kaddr_valid(addr[i]) && page_to_nid(virt_to_page(addr[i])) != numa_node_id())
			th->alloc_remote_node++;
		handle = nobj_add(th->nr->objs, &o);
		g_array_append_val(h, handle);
	}
	g_free(addr);
}

/* The workload holds o no more. */
static void note_gone(nthr_t *th, const object_t *o)
{
	th->live_bytes -= o->size;
	if (o->cache >= 0) {
		th->cache_objs[o->cache]--;
		th->cache_bytes[o->cache] -= o->size;
	}
}

/* Free objs[0..n), timed as one batch. */
static void do_free(nthr_t *th, ntask_t *tk, const object_t *objs, int n)
{
	run_t *r = th->nr->r;
	simtime_t t0, t1, lat;

	if (!n)
		return;
	t0 = native_now();
	for (int i = 0; i < n; i++)
		run_free_object(r, &objs[i]);
	t1 = native_now();
	lat = per_op(t0, t1, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		const object_t *o = &objs[i];

		hist_record(&th->lat[OP_STAT_FREE], lat);
		hist_record(cache_hist(th, o->cache, OP_STAT_FREE), lat);
		count_op(th, tk, OP_STAT_FREE);
		note_gone(th, o);
		th->free_remote_cpu += o->cpu != smp_processor_id();
		if (kaddr_valid(o->addr) && page_to_nid(virt_to_page(o->addr)) != numa_node_id())
			th->free_remote_node++;
	}
}

/* kfree_rcu: the allocator's own path, or call_rcu on this CPU. */
static void do_free_rcu(nthr_t *th, const object_t *o)
{
	run_free_after_gp(th->nr->r, o);
	th->free_rcu++;
	note_gone(th, o);
}

/* The first `bytes` of o, read or written for real. */
static void touch(const object_t *o, const op_t *op)
{
	uint32_t len = MIN(op->bytes, o->size);
	uint8_t *p = mem_host(kern()->mem, o->addr);
	volatile uint64_t sink = 0;

	if (op->write) {
		memset(p, 0x5a, len);
		return;
	}
	for (uint32_t i = 0; i + sizeof(uint64_t) <= len; i += sizeof(uint64_t)) {
		uint64_t v;
		memcpy(&v, p + i, sizeof v);
		sink += v;
	}
	(void)sink;
}

static bool do_send(nthr_t *th, const op_t *op)
{
	nchan_t *ch = &th->nr->chans[op->chan];
	char *err = NULL;
	GBytes *b = th->run->wl_ops->pack_ref(th->run->wl, op->ref, &err);
	ntask_t *w;

	if (!b) {
		nrun_fail(th->nr, err);
		return true;
	}
	pthread_mutex_lock(&ch->lock);
	w = g_queue_pop_head(&ch->waiters);
	if (!w)
		g_queue_push_tail(&ch->msgs, b);
	pthread_mutex_unlock(&ch->lock);
	if (w) {
		w->msg = b;
		nrun_make_ready(th, w);
	}
	return true;
}

static bool do_recv(nthr_t *th, ntask_t *tk)
{
	nchan_t *ch = &th->nr->chans[task_op(tk->t)->chan];
	GBytes *b;

	pthread_mutex_lock(&ch->lock);
	b = g_queue_pop_head(&ch->msgs);
	if (!b) {
		tk->on = task_op(tk->t)->chan;
		g_queue_push_tail(&ch->waiters, tk);
		nrun_block(th, tk, TASK_RECV);
	}
	pthread_mutex_unlock(&ch->lock);
	if (!b)
		return false;
	th->run->wl_ops->push_packed(th->run->wl, task_co(tk->t), b);
	g_bytes_unref(b);
	tk->nres = 1;
	return true;
}

static bool do_barrier(nthr_t *th, ntask_t *tk)
{
	nbarrier_t *b = &th->nr->barriers[task_op(tk->t)->barrier];
	GPtrArray *go = NULL;

	pthread_mutex_lock(&b->lock);
	if ((int)b->waiting->len + 1 < b->parties) {
		tk->on = task_op(tk->t)->barrier;
		g_ptr_array_add(b->waiting, tk);
		nrun_block(th, tk, TASK_BARRIER);
	} else {
		go = b->waiting;
		b->waiting = g_ptr_array_new();
	}
	pthread_mutex_unlock(&b->lock);
	if (!go)
		return false;
	for (guint i = 0; i < go->len; i++)
		nrun_make_ready(th, go->pdata[i]);
	g_ptr_array_free(go, TRUE);
	return true;
}

/* t:alloc and t:alloc_n: the handles pushed. */
static void alloc_op(nthr_t *th, ntask_t *tk, const op_t *op)
{
	GArray *h = g_array_new(FALSE, FALSE, sizeof(int64_t));
	void *co = task_co(tk->t);
	const workload_ops_t *w = th->run->wl_ops;

	do_alloc(th, tk, op, op->kind == OP_ALLOC ? 1 : op->n, h);
	if (op->kind == OP_ALLOC_N)
		w->push_handles(co, (int64_t *)h->data, (int)h->len);
	else if (h->len)
		w->push_int(co, g_array_index(h, int64_t, 0));
	else
		w->push_nil(co);
	tk->nres = 1;
	g_array_free(h, TRUE);
}

/* What a native run refuses while it runs. */
static bool refuse(nthr_t *th, const char *what)
{
	nrun_fail(th->nr, g_strdup_printf("%s: %s cannot run natively (simulation only)",
	                                  th->nr->r->sc->workload_path, what));
	return true;
}

bool nrun_execute(nthr_t *th, ntask_t *tk)
{
	op_t *op = task_op(tk->t);
	run_t *r = th->nr->r;

	switch (op->kind) {
	case OP_ALLOC:
	case OP_ALLOC_N:
		alloc_op(th, tk, op);
		return true;
	case OP_FREE:
		do_free(th, tk, op->obj, 1);
		return true;
	case OP_FREE_N:
		do_free(th, tk, (object_t *)op->objs->data, (int)op->objs->len);
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
		tk->wake = native_now() + op->ps;
		nrun_block(th, tk, TASK_SLEEPING);
		g_ptr_array_add(th->sleeping, tk);
		return false;
	case OP_SEND:
		return do_send(th, op);
	case OP_RECV:
		return do_recv(th, tk);
	case OP_IDLE:
		nrun_block(th, tk, TASK_IDLE);
		return false;
	case OP_BARRIER:
		return do_barrier(th, tk);
	case OP_SHRINK:
		r->ops->shrink(r->alloc, ((cache_rec_t *)r->caches->pdata[op->cache])->kc);
		return true;
	case OP_FREE_RCU:
		do_free_rcu(th, op->obj);
		return true;
	case OP_DEFRAG:
		return refuse(th, "t:defrag");
	case OP_VACATE:
		return refuse(th, "t:vacate");
	case OP_NONE:
		break;
	}
	g_assert_not_reached();
}
