/*
 * run.h -- one simulation run: one scenario, one allocator.
 *
 * Owns: the kernel of the run, the workload's tasks and their per-CPU run
 * queues, object handles, channels and barriers, the execution of task
 * operations on the simulated CPUs, and the figures a report needs
 * (latency histograms, footprint samples and peaks).  A workload (the Lua
 * host) adds caches and tasks with the run_* calls below and is driven
 * through workload.h; this module knows no scripting language.
 */
#ifndef SLABSIM_RUN_H
#define SLABSIM_RUN_H

#include <glib.h>
#include "kernel.h"
#include "hist.h"
#include "scenario.h"
#include "allocator.h"
#include "critpool.h"
#include "workload.h"

typedef struct run run_t;
typedef struct task task_t;

enum op_kind {
	OP_NONE,
	OP_ALLOC,        /* cache (or kmalloc size), node -> handle or nil */
	OP_ALLOC_N,      /* n of them -> table of handles */
	OP_FREE,         /* handle */
	OP_FREE_N,       /* handles[] */
	OP_TOUCH,        /* handle, bytes, write */
	OP_TOUCH_N,      /* handles[], bytes, write */
	OP_THINK,        /* ns, computing on the CPU */
	OP_SLEEP,        /* ns, off the CPU */
	OP_SEND,         /* channel, value (registry ref) */
	OP_RECV,         /* channel -> value */
	OP_BARRIER,      /* barrier */
	OP_SHRINK,       /* cache */
	OP_DEFRAG,       /* cache, n = partial slabs to keep (-1: default) -> report */
	OP_VACATE,       /* the object whose slab page to empty -> result, moved */
	OP_IDLE,         /* the task is done but idles on its CPU to the end of the run */
	OP_FREE_RCU,     /* handle: freed after an RCU grace period (kfree_rcu) */
};

typedef struct op {
	enum op_kind kind;
	int cache;               /* index into run caches, -1 = kmalloc */
	uint32_t size;           /* kmalloc size */
	int node;                /* -1 = local */
	int n;
	uint32_t bytes;
	bool write;
	bool critical;           /* OP_ALLOC*: a critical request */
	bool accounted;          /* OP_ALLOC*: __GFP_ACCOUNT (kmalloc-cg-N where there are) */
	bool zero;               /* OP_ALLOC*: __GFP_ZERO */
	bool untraced;           /* OP_FREE: a free the kernel does not trace per object */
	uint32_t touch;          /* OP_ALLOC: bytes written in the new object at once (0: none) */
	simtime_t not_before;    /* workload time before which the task sleeps (as t:sleep), then
	                            executes the operation without resuming (0: at once) */
	simtime_t ps;
	int chan;
	int barrier;
	int ref;                 /* Lua registry reference of a sent value */
	struct object *obj;      /* OP_FREE, OP_TOUCH: the object, copied */
	GArray *objs;            /* OP_FREE_N, OP_TOUCH_N: object_t copies, owned by the task */
} op_t;

struct object {
	saddr_t addr;            /* 0 when the slot is free */
	int32_t cache;           /* -1 = kmalloc */
	uint32_t size;           /* bytes the workload asked for */
	uint32_t gen;            /* bumped on free: stale handles are caught */
	int32_t cpu;             /* the CPU that allocated it */
	bool critical;           /* a critical request's object (mempools) */
	bool accounted;          /* allocated with __GFP_ACCOUNT */
};
typedef struct object object_t;

enum { OP_STAT_ALLOC, OP_STAT_FREE, OP_STAT_N };

typedef struct cache_rec {
	char *name;
	uint32_t size, align;
	unsigned flags;
	bool decl;               /* KMEM_CACHE-style: no SLAB_HWCACHE_ALIGN rule */
	unsigned sheaf_capacity; /* per-CPU sheaves asked for (0: none) */
	bool has_ctor;           /* a constructor, ctor */
	kmem_ctor_t ctor;
	int get_ref, kick_ref;   /* Lua registry refs of its slab_ops, or RUN_NO_FN */
	int pool;                /* the critical pool backing it, or -1 */
	struct run *run;         /* for the slab_ops callbacks */
	kmem_cache_t *kc;        /* once created on CPU 0 */
	hist_t lat[OP_STAT_N];
	uint64_t vacates[VACATE_NOT_SLAB + 1];   /* t:vacate results */
	defrag_report_t defrag;                   /* t:defrag totals; the last run's histograms */
	uint64_t defrags;
	uint64_t live_objects, live_bytes;        /* the workload's objects in it now */
} cache_rec_t;

/* A critical pool (seed 004) the workload asked for. */
typedef struct pool_rec {
	int cache;               /* the pool's own cache */
	GArray *also;            /* int: further caches it backs */
	critpool_variant_t variant;
	int min_nr;
	critpool_t *cp;          /* once created on CPU 0 */
} pool_rec_t;

typedef struct sample {
	simtime_t t;             /* since workload start */
	uint64_t slab_bytes, live_bytes, queued_bytes, metadata_bytes;
	simtime_t max_lat[OP_STAT_N];   /* longest operation in the window */
	simtime_t housekeeping;         /* housekeeping time in the window */
} sample_t;

#define RUN_NODE_SERIES_MAX 64
#define RUN_NO_FN (-1)           /* no Lua function */
#define RUN_RCU_HEAD 16          /* t:free_rcu: the rcu_head at the object's start */

typedef struct footprint {
	uint64_t slab_bytes, live_bytes, queued_bytes, metadata_bytes;
} footprint_t;

/* What the workload script declares about itself (set by the workload
 * before the run; the report reads it). */
typedef struct workload_decl {
	bool frees_all;          /* it frees every object it allocates */
	char *merit;             /* the counter that is its figure of merit, or NULL */
	char *merit_label;       /* what the counter counts ("transactions/s") */
	bool merit_lower;        /* lower is better */
} workload_decl_t;

/* Where a task stands when the run ends. */
enum task_state {
	TASK_RUNNABLE,           /* ready, or running an operation */
	TASK_SLEEPING,           /* in t:sleep */
	TASK_RECV,               /* blocked in t:recv on an empty channel */
	TASK_BARRIER,            /* blocked at a barrier */
	TASK_DONE,               /* its function returned */
	TASK_IDLE,               /* in t:idle: done, idling until the run ends */
};

/* Why a run ended (run_t.end_reason). */
enum run_end {
	RUN_COMPLETED,           /* every task returned */
	RUN_DURATION,            /* [scenario] duration reached with tasks still able to run */
	RUN_DEADLOCK,            /* every unfinished task waits in recv or at a barrier:
	                            none can ever run again (the run idles to its duration) */
	RUN_IDLE,                /* every task returned or idles in t:idle, as the workload
	                            meant: the run went on to its duration */
};
extern const char *const run_end_names[];

/* One task as the run saw it (run_task_info). */
typedef struct task_info {
	int id, cpu;
	enum task_state state;
	int on;                  /* TASK_RECV: the channel; TASK_BARRIER: the barrier */
	int arrived, parties;    /* TASK_BARRIER: tasks waiting there, of how many */
	simtime_t since;         /* when it blocked or went to sleep, since t0 */
	simtime_t done_at;       /* TASK_DONE: when it returned, since t0 */
	uint64_t ops[2];         /* OP_STAT_ALLOC, OP_STAT_FREE */
	simtime_t busy;          /* CPU time of its operations (no idle, no housekeeping) */
	char *where;             /* the workload's place of the task ("file:line"), or NULL */
} task_info_t;

struct run {
	const scenario_t *sc;
	const char *label;       /* the allocator's label in the scenario */
	const allocator_ops_t *ops;
	long *tunables;
	kernel_t *k;
	void *alloc;             /* the allocator instance, once booted */
	const workload_ops_t *wl_ops;
	void *wl;                /* the workload driving the tasks */
	GPtrArray *caches;       /* cache_rec_t*, in creation order */
	GPtrArray *tasks;        /* task_t* */
	GQueue *runq;            /* [ncpus] ready tasks */
	GArray *objects;         /* object_t, indexed by handle slot */
	GHashTable *by_addr;     /* address -> slot + 1, objects of caches with ops */
	GPtrArray *pools;        /* pool_rec_t* */
	GArray *pool_levels;     /* int, [sample][pool]: each pool's reserve */
	GArray *free_slots;      /* uint32 */
	GPtrArray *chans;
	GPtrArray *barriers;
	int tasks_alive;
	bool booted;
	bool stopped;
	simtime_t t0;            /* workload start (end of boot) */
	simtime_t t_end;
	uint64_t ops_done[OP_STAT_N];
	uint64_t failed;
	uint64_t free_rcu;       /* t:free_rcu calls */
	task_t **last_task;      /* [ncpus]: the task each CPU ran last */
	hist_t lat[OP_STAT_N];   /* over all caches */
	simtime_t breakdown[OP_STAT_N][COST_NKINDS];   /* summed over ops */
	hist_t kmalloc_lat[OP_STAT_N];
	uint64_t live_bytes;
	footprint_t peak;
	footprint_t final;
	GArray *samples;         /* sample_t */
	/* Slab pages per node: at every sample (only when the machine has at
	 * most RUN_NODE_SERIES_MAX nodes; [sample][node]), peak and final. */
	GArray *node_series;     /* uint64_t */
	uint64_t *node_peak, *node_final;
	simtime_t window_max[OP_STAT_N];   /* since the last sample */
	simtime_t housekeeping_seen;       /* kern()->housekeeping at the last sample */
	/* Called at every sample with the simulated time since t0; for
	 * progress displays only (never feeds results).  May be NULL. */
	void (*progress)(const run_t *r, simtime_t now, void *ctx);
	void *progress_ctx;
	char *error;             /* a script error stops the run */
	GHashTable *metrics;     /* name -> hist_t*, from t:record */
	GHashTable *counters;    /* name -> int64_t*, from t:count */
	workload_decl_t decl;    /* what the workload declares */
	uint64_t (*cpu_ops)[OP_STAT_N];   /* [ncpus]: operations run on each CPU */
	task_t **running;        /* [ncpus]: the task whose operation the CPU executes */
	uint64_t live_objects;   /* objects the workload holds now */
	uint64_t alloc_remote_node;   /* objects on another node than the allocating CPU's */
	uint64_t free_remote_cpu;     /* frees on another CPU than the allocating one */
	uint64_t free_remote_node;    /* frees of objects on another node than the freeing CPU's */
	enum run_end end_reason; /* once run_execute has returned true */
	struct nobj *nobj;       /* a native run's object handles (native_obj.h), or NULL */
	struct run_trace *rt;    /* --trace-out and the reuse statistic (runtrace.c), or NULL */
	bool audit;              /* audit the allocator after the run (run_execute) */
	bool audit_skipped;      /* it ended inside allocator code: no audit */
};

/* Audits are on by default in the sanitizer build (the test suite's). */
#if defined(__SANITIZE_ADDRESS__)
#define RUN_AUDIT_DEFAULT true
#else
#define RUN_AUDIT_DEFAULT false
#endif

/* Set up a run of `sc` with the allocator labelled `label` in the
 * scenario (a registered allocator's name, or a variant's label); the
 * workload is attached with run_set_workload() before run_execute(). */
run_t *run_new(const scenario_t *sc, const char *label);
/* The same over a native kernel (native.h), for native_run.h: the
 * calling thread becomes its CPU 0. */
run_t *run_new_native(const scenario_t *sc, const char *label);
/* A run without a kernel: what one more Lua state's setup declares, for a
 * native run's further host threads (native_run.h). */
run_t *run_new_shadow(const scenario_t *sc, const char *label);
/* Boot the allocator on the running CPU and create the workload's caches
 * and critical pools (what CPU 0 does first); false with r->error set if
 * one cannot be made. */
bool run_boot_allocator(run_t *r);
/* Drive the run's tasks through ops; run_free() frees wl. */
void run_set_workload(run_t *r, const workload_ops_t *ops, void *wl);
/* Execute it to the end; false (and *err) on a script error. */
bool run_execute(run_t *r, GError **err);
void run_free(run_t *r);

/* ---- for the Lua host, during setup ---- */
int run_add_cache(run_t *r, const char *name, uint32_t size, uint32_t align, unsigned flags,
                  bool decl);
/* Give cache i slab_ops: Lua functions get_reference(handle) -> bool and
 * kick(handle) -> "move" | "reclaim" | anything else (refuse), as
 * registry references (get_ref may be RUN_NO_FN: every object may be
 * referenced). */
void run_set_cache_ops(run_t *r, int i, int get_ref, int kick_ref);
/* Ask for per-CPU sheaves of `capacity` objects for cache i (allocators
 * with sheaves create it unmergeable and give it them; the others ignore
 * it). */
void run_set_cache_sheaves(run_t *r, int i, unsigned capacity);
/* Give cache i a constructor (kmem_cache_create's ctor). */
void run_set_cache_ctor(run_t *r, int i, const kmem_ctor_t *ctor);
/* A critical pool of min_nr elements backing cache i; its index, or -1 if
 * the cache has a pool already. */
int run_add_pool(run_t *r, int cache, critpool_variant_t v, int min_nr);
/* Let pool p back cache i too; false if cache i has a pool already. */
bool run_pool_also(run_t *r, int p, int cache);
/* Index of the workload cache called name, or -1. */
int run_find_cache(const run_t *r, const char *name);
task_t *run_spawn(run_t *r, int cpu, void *co);
int run_add_channel(run_t *r);
int run_add_barrier(run_t *r, int parties);
int run_barrier_parties(const run_t *r, int i);

/* ---- for the Lua host, while a task runs ---- */
op_t *task_op(task_t *t);
/* The workload's handle of t, as given to run_spawn. */
void *task_co(const task_t *t);
int task_id(const task_t *t);
int task_cpu(const task_t *t);
uint64_t *task_rng(task_t *t);
/* Validate a handle the script passes; NULL with a message if stale. */
object_t *run_object(run_t *r, int64_t handle, const char **why);
/* Mark a handle freed now (so a second free is caught at once); the
 * object's contents are copied to *saved for the free to execute. */
void run_retire(run_t *r, int64_t handle, object_t *saved);
/* Name of cache index i (for messages). */
const char *run_cache_name(const run_t *r, int i);
simtime_t run_now(const run_t *r);
void run_record_metric(run_t *r, const char *name, simtime_t value);
/* Add n to counter `name`; false (the counter unchanged) if the sum would
 * leave the 64-bit range. */
bool run_count(run_t *r, const char *name, int64_t n);
/* The cell of counter `name`, made (at 0) if new; it lives as long as the
 * run (a workload that adds to it directly keeps it in range). */
int64_t *run_counter(run_t *r, const char *name);
/* The allocator's free of o (kmem_cache_free, its pool's, or kfree), on
 * the running CPU, unpriced beyond what the allocator charges. */
void run_free_object(run_t *r, const object_t *o);
/* kfree_rcu of o on the running CPU: the allocator's own path if it takes
 * it, else call_rcu with run_free_object as the callback. */
void run_free_after_gp(run_t *r, const object_t *o);
/* Add from's t:record metrics and t:count counters to into's (a native
 * run's workload instances). */
void run_merge_workload(run_t *into, const run_t *from);

/* ---- after the run ---- */
int run_ntasks(const run_t *r);
/* Task i as the run ended; out->where is allocated (g_free it). */
void run_task_info(const run_t *r, int i, task_info_t *out);

#endif
