/*
 * native_int.h -- what the native backend's files share (native.c,
 * native_work.c, native_rcu.c; internal to sim/kernel).
 *
 * Owns: struct knative (kernel_t.native) and each CPU's native state,
 * which sits on cache lines of its own: its work queue is written by other
 * CPUs' threads (under its lock), its RCU state is read by them.
 */
#ifndef SLABSIM_NATIVE_INT_H
#define SLABSIM_NATIVE_INT_H

#include <pthread.h>
#include "native.h"

#define NATIVE_LINE 128         /* two lines: no false sharing with the adjacent-line prefetcher */

/* A delayed work item or an IPI queued for a CPU. */
typedef struct nwork {
	struct nwork *next;         /* in due order */
	simtime_t due;              /* native_now() when it may run */
	kwork_fn fn;
	void *arg;
	int *ipi_pending;           /* on_each_cpu: the caller's count of CPUs to go, or NULL */
	bool cancelled;
} nwork_t;

/* An RCU callback waiting on its CPU. */
typedef struct nrcb {
	struct nrcb *next;
	uint64_t target;            /* runs once every CPU's `seen` reaches it */
	rcu_fn fn;
	rcu_kind_t kind;
	uint64_t bytes;
	uint64_t arg[];             /* the caller's argument, copied */
} nrcb_t;

typedef struct ncpu {
	pthread_mutex_t lock;       /* work (pthread, not GMutex: ThreadSanitizer sees it) */
	nwork_t *work;              /* queued, by due time */
	simtime_t next_due;         /* atomic: the first item's due, or SIMTIME_MAX */
	simtime_t in_work;          /* time this CPU spent in work (its thread only) */
	uint64_t seen;              /* atomic: the RCU sequence at its last quiescent state */
	nrcb_t *cb_head, **cb_tail; /* RCU callbacks (its thread only) */
	rcu_stats_t rcu;            /* its call_rcu figures (its thread only) */
} ncpu_t;

struct knative {
	int ncpus;
	simtime_t epoch;            /* host ps when the kernel was made */
	simtime_t timer_cost;       /* one clock read, ps */
	pthread_mutex_t pa_lock, meta_lock;
	lock_class_t *pair_cls;     /* the bit lock emulating cmpxchg16b */
	void (*wake)(int cpu, void *ctx);
	void *wake_ctx;
	uint64_t rcu_seq;           /* atomic: call_rcu's sequence */
	uint8_t *cpu_mem;           /* the ncpu_t slots, NATIVE_LINE apart */
};

/* Bytes between two CPUs' states. */
#define NCPU_STRIDE (NATIVE_LINE * ((sizeof(ncpu_t) + NATIVE_LINE - 1) / NATIVE_LINE))

/* CPU cpu's native state in n, and in the current kernel. */
static inline ncpu_t *ncpu_of(const struct knative *n, int cpu)
{
	return (ncpu_t *)(n->cpu_mem + (size_t)cpu * NCPU_STRIDE);
}

static inline ncpu_t *ncpu(int cpu)
{
	return ncpu_of(kern()->native, cpu);
}

/* Set up and tear down the per-CPU parts (native.c calls them). */
void native_work_init(kernel_t *k);
void native_work_free(kernel_t *k);
void native_rcu_init(kernel_t *k);
void native_rcu_free(kernel_t *k);

#endif
