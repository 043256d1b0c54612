/*
 * native_work.c -- delayed work, IPIs and compute time on host threads
 * (see native.h).
 *
 * Each CPU has a queue of work in due order under its own lock (other
 * CPUs queue IPIs and work there) and the first item's due time in an
 * atomic, which its thread reads at every operation boundary: only work
 * that is due takes the lock.  Work runs on the CPU it was queued for, at
 * an operation boundary or while its thread waits, by the host clock, and
 * its host time counts in the jitter accounts.
 */
#include "native_int.h"

void native_work_init(kernel_t *k)
{
	for (int c = 0; c < k->native->ncpus; c++) {
		ncpu_t *nc = ncpu_of(k->native, c);

		pthread_mutex_init(&nc->lock, NULL);
		nc->next_due = SIMTIME_MAX;
	}
}

/* Work never run is dropped. */
void native_work_free(kernel_t *k)
{
	for (int c = 0; c < k->native->ncpus; c++) {
		ncpu_t *nc = ncpu_of(k->native, c);

		while (nc->work) {
			nwork_t *w = nc->work;
			nc->work = w->next;
			g_free(w);
		}
		pthread_mutex_destroy(&nc->lock);
	}
}

/* Queue w on cpu in due order (after items due at the same time). */
static void enqueue(int cpu, nwork_t *w)
{
	ncpu_t *nc = ncpu(cpu);
	nwork_t **p;

	pthread_mutex_lock(&nc->lock);
	native_lock_note();
	for (p = &nc->work; *p && (*p)->due <= w->due; p = &(*p)->next)
		;
	w->next = *p;
	*p = w;
	__atomic_store_n(&nc->next_due, nc->work->due, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&nc->lock);
	if (cpu != smp_processor_id() && kern()->native->wake)
		kern()->native->wake(cpu, kern()->native->wake_ctx);
}

void native_schedule_work(int cpu, simtime_t delay, kwork_fn fn, void *arg)
{
	nwork_t *w = g_new0(nwork_t, 1);

	w->due = native_now() + delay;
	w->fn = fn;
	w->arg = arg;
	enqueue(cpu, w);
}

/* The first queued (fn, arg) that is not an IPI will not run. */
bool native_cancel_work(kwork_fn fn, void *arg)
{
	for (int c = 0; c < kern()->native->ncpus; c++) {
		ncpu_t *nc = ncpu(c);
		bool found = false;

		pthread_mutex_lock(&nc->lock);
		native_lock_note();
		for (nwork_t *w = nc->work; w && !found; w = w->next)
			if (w->fn == fn && w->arg == arg && !w->ipi_pending && !w->cancelled)
				found = w->cancelled = true;
		pthread_mutex_unlock(&nc->lock);
		if (found)
			return true;
	}
	return false;
}

/* Take the items due by now off this CPU's queue, in order. */
static nwork_t *take_due(ncpu_t *nc, simtime_t now)
{
	nwork_t *due = NULL, **tail = &due;

	pthread_mutex_lock(&nc->lock);
	native_lock_note();
	while (nc->work && nc->work->due <= now) {
		*tail = nc->work;
		nc->work = nc->work->next;
		tail = &(*tail)->next;
	}
	*tail = NULL;
	__atomic_store_n(&nc->next_due, nc->work ? nc->work->due : SIMTIME_MAX, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&nc->lock);
	return due;
}

/* Run w, timed by the host clock. */
static void run_work(ncpu_t *nc, nwork_t *w)
{
	simtime_t t0 = native_now(), dt;

	w->fn(w->arg);
	dt = native_now() - t0;
	nc->in_work += dt;
	kernel_note_work(w->fn, dt);
	if (w->ipi_pending)
		__atomic_fetch_sub(w->ipi_pending, 1, __ATOMIC_RELEASE);
}

/* An operation boundary: a quiescent state, due RCU callbacks, due work. */
void native_do_pending(void)
{
	ncpu_t *nc = ncpu(smp_processor_id());
	simtime_t now;
	nwork_t *w;

	native_tick();
	native_rcu_qs();
	native_rcu_process();
	now = engine_current()->clock;
	if (__atomic_load_n(&nc->next_due, __ATOMIC_ACQUIRE) > now)
		return;
	w = take_due(nc, now);
	while (w) {
		nwork_t *next = w->next;

		if (!w->cancelled)
			run_work(nc, w);
		g_free(w);
		w = next;
	}
	native_tick();
}

/* Busy for ps of host time of its own: work that runs meanwhile pushes
 * the end out by its duration. */
void native_compute(simtime_t ps)
{
	ncpu_t *nc = ncpu(smp_processor_id());
	simtime_t worked = nc->in_work, end = native_now() + ps;

	for (;;) {
		native_do_pending();
		end += nc->in_work - worked;
		worked = nc->in_work;
		if (native_now() >= end)
			return;
		native_pause();
	}
}

/* fn on every other CPU (an IPI each, due now), then here; wait for all,
 * serving this thread's CPUs meanwhile. */
void native_on_each_cpu(kwork_fn fn, void *arg)
{
	int self = smp_processor_id(), pending = kern()->native->ncpus - 1;
	unsigned spins = 0;

	for (int c = 0; c < kern()->native->ncpus; c++) {
		nwork_t *w;

		if (c == self)
			continue;
		w = g_new0(nwork_t, 1);
		w->due = 0;
		w->fn = fn;
		w->arg = arg;
		w->ipi_pending = &pending;
		enqueue(c, w);
	}
	fn(arg);
	while (__atomic_load_n(&pending, __ATOMIC_ACQUIRE) > 0) {
		native_serve_work();
		native_cpu_relax(&spins);
	}
}
