/*
 * native.c -- the native backend's kernel state, host threads, host clock
 * and own locks (see native.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "native_int.h"
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* ---- the host clock ----
 *
 * The TSC where it ticks at a constant rate whatever the CPU's state
 * (constant_tsc and nonstop_tsc), scaled to ns by a rate measured against
 * CLOCK_MONOTONIC once per process; else CLOCK_MONOTONIC itself (a vDSO
 * call, about 27 ns on a KVM guest against a few for rdtsc). */

static struct {
	bool tsc;
	uint64_t base;              /* TSC at calibration */
	uint64_t mult;              /* ns per tick << 32 */
} clk;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Both TSC flags in /proc/cpuinfo. */
static bool tsc_is_constant(void)
{
#if defined(__x86_64__)
	char *info = NULL;
	bool ok = g_file_get_contents("/proc/cpuinfo", &info, NULL, NULL) &&
	          strstr(info, " constant_tsc") && strstr(info, " nonstop_tsc");

	g_free(info);
	return ok;
#else
	return false;
#endif
}

static uint64_t tsc_now(void)
{
#if defined(__x86_64__)
	_mm_lfence();
	return __rdtsc();
#else
	return 0;
#endif
}

/* Ticks per ns over 20 ms of CLOCK_MONOTONIC. */
static void calibrate(void)
{
	uint64_t t0, c0, t1, c1;

	clk.tsc = tsc_is_constant();
	if (!clk.tsc)
		return;
	t0 = mono_ns();
	c0 = tsc_now();
	while ((t1 = mono_ns()) - t0 < 20000000u)
		;
	c1 = tsc_now();
	clk.base = c0;
	clk.mult = (uint64_t)(((unsigned __int128)(t1 - t0) << 32) / (c1 - c0));
}

uint64_t native_clock_ns(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, calibrate);
	if (!clk.tsc)
		return mono_ns();
	return (uint64_t)(((unsigned __int128)(tsc_now() - clk.base) * clk.mult) >> 32);
}

const char *native_clock_source(void)
{
	native_clock_ns();
	return clk.tsc ? "tsc" : "clock_gettime";
}

simtime_t native_now(void)
{
	return native_clock_ns() * PS_PER_NS - kern()->native->epoch;
}

simtime_t native_timer_cost(void)
{
	return kern()->native->timer_cost;
}

void native_tick(void)
{
	engine_current()->clock = native_now();
}

/* The least gap between two back-to-back clock reads. */
static simtime_t measure_timer(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 2000; i++) {
		uint64_t a = native_clock_ns(), b = native_clock_ns();
		best = MIN(best, b - a);
	}
	return (simtime_t)best * PS_PER_NS;
}

/* ---- life cycle ---- */

void native_init(kernel_t *k)
{
	struct knative *n = g_new0(struct knative, 1);

	n->ncpus = k->m->ncpus;
	n->epoch = native_clock_ns() * PS_PER_NS;
	n->timer_cost = measure_timer();
	pthread_mutex_init(&n->pa_lock, NULL);
	pthread_mutex_init(&n->meta_lock, NULL);
	if (posix_memalign((void **)&n->cpu_mem, NATIVE_LINE, NCPU_STRIDE * (size_t)n->ncpus))
		g_error("native: out of memory");
	memset(n->cpu_mem, 0, NCPU_STRIDE * (size_t)n->ncpus);
	k->native = n;
	n->pair_cls = lock_class(k->locks, "native.cmpxchg_double");
	native_work_init(k);
	native_rcu_init(k);
	native_enter(k, 0);
}

void native_free(kernel_t *k)
{
	struct knative *n = k->native;

	native_rcu_free(k);
	native_work_free(k);
	pthread_mutex_destroy(&n->pa_lock);
	pthread_mutex_destroy(&n->meta_lock);
	free(n->cpu_mem);
	g_free(n);
	k->native = NULL;
}

/* ---- threads ---- */

static __thread struct {
	int *cpus;                  /* the CPUs this thread serves */
	int n;
} served;

void native_enter(kernel_t *k, int cpu)
{
	sim_ctx_t *x = sim_ctx();

	*x = (sim_ctx_t){ .engine = k->engine, .cpu = engine_cpu(k->engine, cpu),
	                  .machine = k->m, .kernel = k, .native = true };
	native_serve(&cpu, 1);
	native_tick();
}

void native_switch_cpu(int cpu)
{
	sim_ctx()->cpu = engine_cpu(kern()->engine, cpu);
}

void native_leave(void)
{
	g_free(served.cpus);
	served.cpus = NULL;
	served.n = 0;
	*sim_ctx() = (sim_ctx_t){ 0 };
}

void native_serve(const int *cpus, int n)
{
	g_free(served.cpus);
	served.cpus = g_memdup2(cpus, sizeof(int) * (gsize)n);
	served.n = n;
}

void native_serve_work(void)
{
	int self = smp_processor_id();

	for (int i = 0; i < served.n; i++) {
		native_switch_cpu(served.cpus[i]);
		native_do_pending();
	}
	native_switch_cpu(self);
}

bool native_pin(int host_cpu)
{
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(host_cpu % (ncpu > 0 ? ncpu : 1), &set);
	return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

void native_set_wake(void (*wake)(int cpu, void *ctx), void *ctx)
{
	kern()->native->wake = wake;
	kern()->native->wake_ctx = ctx;
}

/* ---- the backend's own locks ---- */

void native_pa_lock(void)
{
	pthread_mutex_lock(&kern()->native->pa_lock);
	native_lock_note();
}

void native_pa_unlock(void)
{
	pthread_mutex_unlock(&kern()->native->pa_lock);
}

void native_meta_lock(void)
{
	pthread_mutex_lock(&kern()->native->meta_lock);
	native_lock_note();
}

void native_meta_unlock(void)
{
	pthread_mutex_unlock(&kern()->native->meta_lock);
}

/* ---- the pair of a struct slab ---- */

/* p's bit lock, of the class the emulation of cmpxchg16b counts in. */
void native_page_pair_lock(page_t *p)
{
	native_bit_spin_lock(&p->lock, kern()->native->pair_cls);
}

void native_page_pair_unlock(page_t *p)
{
	native_bit_spin_unlock(&p->lock);
}

/* ---- the page allocator ---- */

/* pa_alloc under the page allocator lock; __GFP_ZERO clears the pages
 * outside it. */
page_t *native_alloc_pages(int node, gfp_t gfp, unsigned order)
{
	page_t *p;

	native_pa_lock();
	p = pa_alloc(kern()->pa, node, order, gfp & ~(gfp_t)__GFP_ZERO);
	native_pa_unlock();
	if (p && (gfp & __GFP_ZERO))
		memset(mem_host(kern()->mem, pa_page_address(kern()->pa, p)), 0,
		       (size_t)kern()->m->page_size << order);
	return p;
}

void native_free_pages(page_t *page, unsigned order)
{
	native_pa_lock();
	pa_release(kern()->pa, page, order);
	native_pa_unlock();
}
