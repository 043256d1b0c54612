/*
 * native_run_int.h -- what native_run.c (threads, the loop, the end) and
 * native_exec.c (one operation) share; internal to sim/exec.
 *
 * Owns: the native run's tasks, channels, barriers and host threads, and
 * each thread's figures (merged into runs[0] when the run ends: no
 * thread writes a line another thread writes while the run goes on).
 */
#ifndef SLABSIM_NATIVE_RUN_INT_H
#define SLABSIM_NATIVE_RUN_INT_H

#include <pthread.h>
#include "native_run.h"
#include "native_obj.h"
#include "native.h"

typedef struct ntask {
	task_t *t;               /* in its thread's run */
	int id, cpu, thread;
	enum task_state state;
	int on;                  /* TASK_RECV: the channel; TASK_BARRIER: the barrier */
	simtime_t since;         /* when it blocked, slept or returned (native_now) */
	simtime_t wake;          /* TASK_SLEEPING: when it is ready again */
	GBytes *msg;             /* handed over by a sender while it waited in recv */
	int nres;                /* values pushed for its next resume; -1 first */
	uint64_t ops[OP_STAT_N];
	simtime_t busy;          /* host time inside its operations */
} ntask_t;

typedef struct nchan {
	pthread_mutex_t lock;
	GQueue msgs;             /* GBytes *, packed values */
	GQueue waiters;          /* ntask_t * in recv */
} nchan_t;

typedef struct nbarrier {
	pthread_mutex_t lock;
	int parties;
	GPtrArray *waiting;      /* ntask_t * */
} nbarrier_t;

typedef struct nthr {
	struct native_run *nr;
	int index;
	run_t *run;              /* its workload instance's run */
	GArray *cpus;            /* int: the CPUs it serves */
	GQueue ready;            /* ntask_t *, its thread only */
	GPtrArray *sleeping;     /* ntask_t * in t:sleep, its thread only */
	pthread_mutex_t lock;    /* inbox, cond */
	pthread_cond_t cond;
	GQueue inbox;            /* ntask_t * made ready by other threads */
	int pending;             /* atomic: the inbox or the CPUs' work wants a look */
	pthread_t tid;
	/* figures, its thread only until the run ends */
	hist_t lat[OP_STAT_N], kmalloc_lat[OP_STAT_N];
	hist_t (*cache_lat)[OP_STAT_N];         /* [ncaches] */
	int64_t *cache_objs, *cache_bytes;      /* [ncaches]: live objects and bytes moved */
	int64_t live_bytes;
	uint64_t ops[OP_STAT_N], failed, free_rcu;
	uint64_t (*cpu_ops)[OP_STAT_N];         /* [ncpus] */
	uint64_t alloc_remote_node, free_remote_cpu, free_remote_node;
} KPCPU_HOST nthr_t;

struct native_run {
	run_t **runs;
	int n;                   /* host threads */
	run_t *r;                /* runs[0]: kernel, allocator, caches */
	nthr_t *th;              /* [n], KPCPU_HOST slots */
	ntask_t *tasks;          /* [ntasks] */
	int ntasks;
	nchan_t *chans;
	int nchans;
	nbarrier_t *barriers;
	int nbarriers;
	nobj_t *objs;
	int alive;               /* atomic: tasks neither returned nor idle */
	int active;              /* atomic: tasks runnable or sleeping */
	int stopped;             /* atomic */
	enum run_end end;
	simtime_t t0, deadline, t_end;
	pthread_mutex_t err_lock;
	char *error;             /* the first error */
};

/* native_run.c: tk is ready again (runnable; from `self`'s thread). */
void nrun_make_ready(nthr_t *self, ntask_t *tk);
/* tk blocks (recv, barrier) or sleeps or idles: the counts follow. */
void nrun_block(nthr_t *self, ntask_t *tk, enum task_state state);
/* The run ends now for `why` (the first reason sticks). */
void nrun_stop(struct native_run *nr, enum run_end why);
/* Stop the run on an error (a message, taken). */
void nrun_fail(struct native_run *nr, char *msg);

/* native_exec.c: execute tk's pending operation on its thread; false if
 * tk is now blocked. */
bool nrun_execute(nthr_t *th, ntask_t *tk);

#endif
