/*
 * native_run.c -- a native run's host threads, their loop, the end of the
 * run and its figures (see native_run.h).
 */
#include <string.h>
#include <unistd.h>
#include "native_run_int.h"

int native_run_threads(const machine_t *m)
{
	long host = sysconf(_SC_NPROCESSORS_ONLN);

	return (int)MIN((long)m->ncpus, MAX(host, 1L));
}

/* ---- what the workload instances declared ---- */

/* Every instance's setup must declare what the first one did. */
static char *compare_setup(const run_t *a, const run_t *b)
{
	if (a->caches->len != b->caches->len || a->tasks->len != b->tasks->len ||
	    a->chans->len != b->chans->len || a->barriers->len != b->barriers->len)
		return g_strdup("caches, tasks, channels or barriers");
	for (guint i = 0; i < a->caches->len; i++) {
		const cache_rec_t *x = a->caches->pdata[i], *y = b->caches->pdata[i];
		if (strcmp(x->name, y->name) || x->size != y->size || x->align != y->align ||
		    x->flags != y->flags)
			return g_strdup_printf("cache %u", i);
	}
	for (int i = 0; i < run_ntasks(a); i++)
		if (task_cpu(a->tasks->pdata[i]) != task_cpu(b->tasks->pdata[i]))
			return g_strdup_printf("the CPU of task %d", i);
	return NULL;
}

/* What a native run cannot do, found at setup; NULL if nothing. */
static char *unsupported(const run_t *r)
{
	if (r->pools->len)
		return g_strdup("sim.mempool (critical pools)");
	for (guint i = 0; i < r->caches->len; i++)
		if (((cache_rec_t *)r->caches->pdata[i])->kick_ref != RUN_NO_FN)
			return g_strdup("slab_ops (a cache with ops)");
	return NULL;
}

static bool check_runs(run_t **runs, int n, GError **err)
{
	char *bad = unsupported(runs[0]);

	if (bad) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: the workload uses %s, which "
		            "cannot run natively (simulation only)", runs[0]->sc->workload_path, bad);
		g_free(bad);
		return false;
	}
	for (int i = 1; i < n; i++) {
		if ((bad = compare_setup(runs[0], runs[i]))) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: the workload's setup "
			            "declared different %s in two Lua states: a native run needs a setup "
			            "that depends only on its parameters and the seed",
			            runs[0]->sc->workload_path, bad);
			g_free(bad);
			return false;
		}
	}
	return true;
}

/* ---- construction ---- */

static void init_thread(native_run_t *nr, nthr_t *th, int i)
{
	int ncaches = (int)nr->r->caches->len, ncpus = nr->r->sc->machine->ncpus;

	th->nr = nr;
	th->index = i;
	th->run = nr->runs[i];
	th->cpus = g_array_new(FALSE, FALSE, sizeof(int));
	for (int c = i; c < ncpus; c += nr->n)
		g_array_append_val(th->cpus, c);
	g_queue_init(&th->ready);
	g_queue_init(&th->inbox);
	th->sleeping = g_ptr_array_new();
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&th->lock, NULL);
	pthread_cond_init(&th->cond, &ca);
	pthread_condattr_destroy(&ca);
	th->cache_lat = g_malloc0_n((gsize)MAX(ncaches, 1), sizeof(*th->cache_lat));
	th->cache_objs = g_new0(int64_t, ncaches);
	th->cache_bytes = g_new0(int64_t, ncaches);
	th->cpu_ops = g_malloc0_n((gsize)ncpus, sizeof(*th->cpu_ops));
}

/* Each task, with its thread's instance of it. */
static void init_tasks(native_run_t *nr)
{
	nr->ntasks = run_ntasks(nr->r);
	nr->tasks = g_new0(ntask_t, nr->ntasks);
	for (int i = 0; i < nr->ntasks; i++) {
		ntask_t *tk = &nr->tasks[i];

		tk->id = i;
		tk->cpu = task_cpu(nr->r->tasks->pdata[i]);
		tk->thread = tk->cpu % nr->n;
		tk->t = nr->runs[tk->thread]->tasks->pdata[i];
		tk->nres = -1;
		tk->state = TASK_RUNNABLE;
		g_queue_push_tail(&nr->th[tk->thread].ready, tk);
	}
	nr->alive = nr->active = nr->ntasks;
}

static void init_sync(native_run_t *nr)
{
	nr->nchans = (int)nr->r->chans->len;
	nr->chans = g_new0(nchan_t, nr->nchans);
	for (int i = 0; i < nr->nchans; i++)
		pthread_mutex_init(&nr->chans[i].lock, NULL);
	nr->nbarriers = (int)nr->r->barriers->len;
	nr->barriers = g_new0(nbarrier_t, nr->nbarriers);
	for (int i = 0; i < nr->nbarriers; i++) {
		pthread_mutex_init(&nr->barriers[i].lock, NULL);
		nr->barriers[i].parties = run_barrier_parties(nr->r, i);
		nr->barriers[i].waiting = g_ptr_array_new();
	}
	pthread_mutex_init(&nr->err_lock, NULL);
}

native_run_t *native_run_new(run_t **runs, int n, GError **err)
{
	native_run_t *nr = g_new0(native_run_t, 1);

	nr->runs = g_memdup2(runs, sizeof(run_t *) * (gsize)n);
	nr->n = n;
	nr->r = runs[0];
	if (!check_runs(runs, n, err)) {
		native_run_free(nr);
		return NULL;
	}
	nr->objs = nobj_new(n);
	for (int i = 0; i < n; i++)
		runs[i]->nobj = nr->objs;
	nr->th = kpcpu_host_new((size_t)n, sizeof(nthr_t));
	for (int i = 0; i < n; i++)
		init_thread(nr, &nr->th[i], i);
	init_tasks(nr);
	init_sync(nr);
	return nr;
}

/* ---- readiness and the end ---- */

static bool stopped(native_run_t *nr)
{
	return __atomic_load_n(&nr->stopped, __ATOMIC_ACQUIRE);
}

/* Wake th (its inbox, or work for its CPUs). */
static void poke(nthr_t *th)
{
	pthread_mutex_lock(&th->lock);
	__atomic_store_n(&th->pending, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&th->cond);
	pthread_mutex_unlock(&th->lock);
}

void nrun_stop(native_run_t *nr, enum run_end why)
{
	int no = 0;

	if (!__atomic_compare_exchange_n(&nr->stopped, &no, 1, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return;
	nr->end = why;
	nr->t_end = native_now();
	for (int i = 0; i < nr->n; i++)
		poke(&nr->th[i]);
}

void nrun_fail(native_run_t *nr, char *msg)
{
	pthread_mutex_lock(&nr->err_lock);
	if (!nr->error)
		nr->error = msg;
	else
		g_free(msg);
	pthread_mutex_unlock(&nr->err_lock);
	nrun_stop(nr, RUN_COMPLETED);
}

void nrun_make_ready(nthr_t *self, ntask_t *tk)
{
	nthr_t *to = &self->nr->th[tk->thread];

	__atomic_fetch_add(&self->nr->active, 1, __ATOMIC_ACQ_REL);
	tk->state = TASK_RUNNABLE;
	if (to == self) {
		g_queue_push_tail(&self->ready, tk);
		return;
	}
	pthread_mutex_lock(&to->lock);
	g_queue_push_tail(&to->inbox, tk);
	__atomic_store_n(&to->pending, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&to->cond);
	pthread_mutex_unlock(&to->lock);
}

/* No task can run again (every unfinished one waits in recv or at a
 * barrier), or none is left. */
static void note_inactive(native_run_t *nr, bool finished)
{
	int alive = finished ? __atomic_sub_fetch(&nr->alive, 1, __ATOMIC_ACQ_REL) :
	                       __atomic_load_n(&nr->alive, __ATOMIC_ACQUIRE);

	if (__atomic_sub_fetch(&nr->active, 1, __ATOMIC_ACQ_REL))
		return;
	nrun_stop(nr, alive ? RUN_DEADLOCK : RUN_COMPLETED);
}

void nrun_block(nthr_t *self, ntask_t *tk, enum task_state state)
{
	tk->state = state;
	tk->since = native_now();
	if (state != TASK_SLEEPING)
		note_inactive(self->nr, state == TASK_IDLE);
}

/* ---- a thread ---- */

static void take_inbox(nthr_t *th)
{
	ntask_t *tk;

	if (!__atomic_load_n(&th->pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&th->lock);
	__atomic_store_n(&th->pending, 0, __ATOMIC_RELAXED);
	while ((tk = g_queue_pop_head(&th->inbox)))
		g_queue_push_tail(&th->ready, tk);
	pthread_mutex_unlock(&th->lock);
}

/* Sleepers whose time has come are ready; the earliest wake-up left. */
static simtime_t wake_sleepers(nthr_t *th, simtime_t now)
{
	simtime_t next = SIMTIME_MAX;

	for (guint i = th->sleeping->len; i-- > 0;) {
		ntask_t *tk = th->sleeping->pdata[i];

		if (tk->wake <= now) {
			g_ptr_array_remove_index(th->sleeping, i);
			tk->state = TASK_RUNNABLE;
			g_queue_push_tail(&th->ready, tk);
		} else {
			next = MIN(next, tk->wake);
		}
	}
	return next;
}

#define IDLE_SPINS 4000                 /* PAUSEs before sleeping: tens of µs */
#define IDLE_SLEEP_NS 1000000           /* at most 1 ms asleep: work runs on time */

/* Nothing to run: serve the CPUs' work, spin a while, then sleep until
 * poked, the next sleeper or a millisecond. */
static void idle_wait(nthr_t *th, simtime_t next)
{
	struct timespec ts;
	simtime_t now;
	uint64_t ns;

	for (int i = 0; i < IDLE_SPINS; i++) {
		native_serve_work();
		if (__atomic_load_n(&th->pending, __ATOMIC_ACQUIRE) || stopped(th->nr) ||
		    native_now() >= next)
			return;
		native_pause();
	}
	now = native_now();
	ns = next > now ? MIN((next - now) / PS_PER_NS, (uint64_t)IDLE_SLEEP_NS) : 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns += (uint64_t)ts.tv_nsec;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	pthread_mutex_lock(&th->lock);
	if (!__atomic_load_n(&th->pending, __ATOMIC_ACQUIRE) && !stopped(th->nr))
		pthread_cond_timedwait(&th->cond, &th->lock, &ts);
	pthread_mutex_unlock(&th->lock);
}

/* Resume tk for one operation and execute it. */
static void step(nthr_t *th, ntask_t *tk)
{
	const workload_ops_t *w = th->run->wl_ops;
	simtime_t t0;
	char *msg = NULL;
	int nres = tk->nres;

	if (tk->msg) {                  /* handed over while it waited */
		w->push_packed(th->run->wl, task_co(tk->t), tk->msg);
		g_bytes_unref(tk->msg);
		tk->msg = NULL;
		nres = 1;
	}
	tk->nres = 0;
	task_op(tk->t)->kind = OP_NONE;
	switch (w->resume(th->run->wl, task_co(tk->t), nres, &msg)) {
	case WL_DONE:
		tk->state = TASK_DONE;
		tk->since = native_now();
		note_inactive(th->nr, true);
		return;
	case WL_ERROR:
		nrun_fail(th->nr, msg);
		return;
	case WL_OP:
		t0 = native_now();
		if (nrun_execute(th, tk))
			g_queue_push_tail(&th->ready, tk);
		tk->busy += native_now() - t0;
		return;
	}
}

/* A host thread: its CPUs' tasks, one operation at a time, until the run
 * ends; then its CPUs owe RCU nothing more. */
static void *thread_main(void *arg)
{
	nthr_t *th = arg;
	native_run_t *nr = th->nr;

	native_enter(nr->r->k, g_array_index(th->cpus, int, 0));
	native_serve((int *)th->cpus->data, (int)th->cpus->len);
	native_pin(th->index);
	nobj_set_thread(th->index);
	while (!stopped(nr)) {
		simtime_t now = native_now(), next;
		ntask_t *tk;

		if (now >= nr->deadline) {
			nrun_stop(nr, RUN_DURATION);
			break;
		}
		take_inbox(th);
		next = wake_sleepers(th, now);
		tk = g_queue_pop_head(&th->ready);
		if (!tk) {
			idle_wait(th, next);
			continue;
		}
		native_switch_cpu(tk->cpu);
		kernel_do_pending();    /* an operation boundary */
		step(th, tk);
	}
	for (guint i = 0; i < th->cpus->len; i++) {
		native_switch_cpu(g_array_index(th->cpus, int, i));
		native_rcu_offline();
	}
	native_leave();
	return NULL;
}

/* The executor's wake-up for work queued on `cpu`. */
static void wake_cpu(int cpu, void *ctx)
{
	native_run_t *nr = ctx;

	poke(&nr->th[cpu % nr->n]);
}

bool native_run_execute(native_run_t *nr, GError **err)
{
	run_t *r = nr->r;

	if (!run_boot_allocator(r)) {
		g_set_error(err, SLABSIM_ERROR, 2, "%s", r->error);
		return false;
	}
	native_set_wake(wake_cpu, nr);
	nr->t0 = native_now();
	nr->deadline = nr->t0 + r->sc->duration;
	for (int i = 0; i < nr->n; i++) {
		nr->runs[i]->t0 = nr->t0;
		nr->runs[i]->booted = true;
	}
	if (!nr->ntasks)
		nrun_stop(nr, RUN_COMPLETED);
	for (int i = 0; i < nr->n; i++)
		pthread_create(&nr->th[i].tid, NULL, thread_main, &nr->th[i]);
	for (int i = 0; i < nr->n; i++)
		pthread_join(nr->th[i].tid, NULL);
	native_set_wake(NULL, NULL);
	if (nr->error) {
		g_set_error(err, SLABSIM_ERROR, 2, "%s", nr->error);
		return false;
	}
	return true;
}

void native_run_free(native_run_t *nr)
{
	if (!nr)
		return;
	for (int i = nr->n; i-- > 1;)
		run_free(nr->runs[i]);
	if (nr->th)
		for (int i = 0; i < nr->n; i++) {
			nthr_t *th = &nr->th[i];
			for (int k = 0; k < OP_STAT_N; k++) {
				hist_clear(&th->lat[k]);
				hist_clear(&th->kmalloc_lat[k]);
				for (guint c = 0; c < nr->r->caches->len; c++)
					hist_clear(&th->cache_lat[c][k]);
			}
			g_free(th->cache_lat);
			g_free(th->cache_objs);
			g_free(th->cache_bytes);
			g_free(th->cpu_ops);
			g_ptr_array_free(th->sleeping, TRUE);
			g_queue_clear(&th->ready);
			g_queue_clear(&th->inbox);
			g_array_free(th->cpus, TRUE);
			pthread_mutex_destroy(&th->lock);
			pthread_cond_destroy(&th->cond);
		}
	for (int i = 0; i < nr->nchans; i++) {
		g_queue_clear_full(&nr->chans[i].msgs, (GDestroyNotify)g_bytes_unref);
		g_queue_clear(&nr->chans[i].waiters);
		pthread_mutex_destroy(&nr->chans[i].lock);
	}
	for (int i = 0; i < nr->nbarriers; i++) {
		g_ptr_array_free(nr->barriers[i].waiting, TRUE);
		pthread_mutex_destroy(&nr->barriers[i].lock);
	}
	for (int i = 0; i < nr->ntasks; i++)
		if (nr->tasks[i].msg)
			g_bytes_unref(nr->tasks[i].msg);
	run_free(nr->r);
	nobj_free(nr->objs);
	kpcpu_host_free(nr->th);
	g_free(nr->tasks);
	g_free(nr->chans);
	g_free(nr->barriers);
	g_free(nr->runs);
	g_free(nr->error);
	g_free(nr);
}

/* ---- the figures ---- */

/* Each thread's figures into runs[0], as a simulated run keeps them. */
static void merge_thread(native_run_t *nr, nthr_t *th)
{
	run_t *r = nr->r;

	for (int k = 0; k < OP_STAT_N; k++) {
		hist_merge(&r->lat[k], &th->lat[k]);
		hist_merge(&r->kmalloc_lat[k], &th->kmalloc_lat[k]);
		r->ops_done[k] += th->ops[k];
		for (int c = 0; c < r->sc->machine->ncpus; c++)
			r->cpu_ops[c][k] += th->cpu_ops[c][k];
	}
	for (guint i = 0; i < r->caches->len; i++) {
		cache_rec_t *c = r->caches->pdata[i];

		for (int k = 0; k < OP_STAT_N; k++)
			hist_merge(&c->lat[k], &th->cache_lat[i][k]);
		c->live_objects += (uint64_t)th->cache_objs[i];
		c->live_bytes += (uint64_t)th->cache_bytes[i];
	}
	r->failed += th->failed;
	r->free_rcu += th->free_rcu;
	r->live_bytes += (uint64_t)th->live_bytes;
	r->alloc_remote_node += th->alloc_remote_node;
	r->free_remote_cpu += th->free_remote_cpu;
	r->free_remote_node += th->free_remote_node;
	if (th->run != r)
		run_merge_workload(r, th->run);
}

/* The footprint at the end; peaks the page allocator and the metadata
 * accounts keep (a native run takes no samples). */
static void take_footprint(native_run_t *nr)
{
	run_t *r = nr->r;
	const pa_stats_t *ps = pa_stats(r->k->pa);
	uint64_t page = (uint64_t)r->sc->machine->page_size;

	r->final = (footprint_t){ .slab_bytes = ps->pages_in_use * page, .live_bytes = r->live_bytes,
	                          .queued_bytes = r->ops->queued_bytes(r->alloc),
	                          .metadata_bytes = kmeta_total() };
	r->peak = (footprint_t){ .slab_bytes = MAX(ps->peak_pages_in_use * page, r->final.slab_bytes),
	                         .metadata_bytes = MAX(kmeta_peak(), r->final.metadata_bytes) };
	for (int n = 0; n < r->k->m->nnodes; n++)
		r->node_final[n] = r->node_peak[n] = pa_pages_in_use(r->k->pa, n);
}

/* Why the run ended: as it stopped, an idle end told from a completed one. */
static enum run_end end_reason(const native_run_t *nr)
{
	if (nr->end != RUN_COMPLETED)
		return nr->end;
	for (int i = 0; i < nr->ntasks; i++)
		if (nr->tasks[i].state == TASK_IDLE)
			return RUN_IDLE;
	return RUN_COMPLETED;
}

/* Task i as the run ended. */
static task_info_t task_info(const native_run_t *nr, int i)
{
	const ntask_t *tk = &nr->tasks[i];
	const run_t *run = nr->runs[tk->thread];
	task_info_t t = { .id = tk->id, .cpu = tk->cpu, .state = tk->state, .on = -1,
	                  .busy = tk->busy };

	memcpy(t.ops, tk->ops, sizeof t.ops);
	if (tk->state == TASK_RECV || tk->state == TASK_BARRIER)
		t.on = tk->on;
	if (tk->state == TASK_BARRIER) {
		t.arrived = (int)nr->barriers[tk->on].waiting->len;
		t.parties = nr->barriers[tk->on].parties;
	}
	if (tk->state != TASK_RUNNABLE)
		t.since = tk->since > nr->t0 ? tk->since - nr->t0 : 0;
	if (tk->state == TASK_DONE)
		t.done_at = t.since;
	if (tk->state != TASK_DONE && run->wl_ops->where)
		t.where = run->wl_ops->where(run->wl, task_co(tk->t));
	return t;
}

static void take_tasks(native_run_t *nr, run_stats_t *st)
{
	for (guint i = 0; i < st->tasks->len; i++)
		g_free(g_array_index(st->tasks, task_info_t, i).where);
	g_array_set_size(st->tasks, 0);
	st->unfinished = st->blocked = 0;
	for (int i = 0; i < nr->ntasks; i++) {
		task_info_t t = task_info(nr, i);

		g_array_append_val(st->tasks, t);
		st->unfinished += t.state != TASK_DONE && t.state != TASK_IDLE;
		st->blocked += t.state == TASK_RECV || t.state == TASK_BARRIER;
	}
}

run_stats_t *native_run_stats(native_run_t *nr)
{
	run_t *r = nr->r;
	run_stats_t *st;

	for (int i = 0; i < nr->n; i++)
		merge_thread(nr, &nr->th[i]);
	r->live_objects = nobj_live(nr->objs);
	r->t0 = nr->t0;
	r->t_end = nr->t_end ? nr->t_end : native_now();
	r->end_reason = end_reason(nr);
	take_footprint(nr);
	st = run_stats(r);
	take_tasks(nr, st);
	native_rcu_stats(&st->rcu);
	st->timer_cost = native_timer_cost();
	st->clock = native_clock_source();
	return st;
}
