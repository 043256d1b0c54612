/*
 * stats.h -- the figures of one finished run, apart from the run.
 *
 * Owns: run_stats_t, a self-contained copy of everything a report shows of
 * one allocator's run: operation counts and latency distributions, the
 * footprint (peak, final, by node, over time), caches, metadata accounts,
 * locks, cacheline traffic, page-allocator figures, housekeeping, the
 * allocator's own counters, where simulated time went, workload metrics
 * and critical pools.  run_stats() takes it when the run has ended; the
 * writers (sim/out) read only this, never the run, the kernel or the
 * allocator, so the run can be freed first and another backend can fill
 * the same structure.  Every list is in a fixed order (creation order or
 * name order), never in hash order.
 */
#ifndef SLABSIM_STATS_H
#define SLABSIM_STATS_H

#include "run.h"
#include "reuse.h"

/* A latency distribution pair (alloc, free) under a name. */
typedef struct named_lat {
	char *name;
	hist_t lat[OP_STAT_N];
} named_lat_t;

/* One kind of queue of a cache, full (allocator_ops.queue_capacity). */
typedef struct queue_cap {
	char *kind;
	uint64_t objects, bytes;
} queue_cap_t;

/* One cache as the allocator describes it, with what the workload did to it. */
typedef struct cache_stats {
	cache_info_t info;        /* info.name points at name, info.aliases at aliases */
	char *name;
	char **aliases;           /* names merged into it, NULL-terminated; NULL if none */
	bool has_capacity;        /* the allocator reports queue capacity */
	GArray *capacity;         /* queue_cap_t, in the allocator's order */
	bool workload;            /* a workload cache (else the allocator's own) */
	uint64_t live_objects, live_bytes;   /* workload caches: the workload's objects at the end, its aliases' included */
	uint64_t defrags;         /* t:defrag runs; totals and last histograms: */
	defrag_report_t defrag;
	uint64_t vacates[VACATE_NOT_SLAB + 1];   /* t:vacate results */
} cache_stats_t;

/* One metadata account. */
typedef struct meta_stats {
	char *owner, *category;
	uint64_t bytes;
} meta_stats_t;

/* One lock class (lockstat). */
typedef struct lock_stats {
	char *name;
	uint64_t acquisitions, contentions;
	simtime_t wait, max_wait, hold;
	uint64_t con_bounces, acq_bounces;
} lock_stats_t;

/* Housekeeping done by one work function. */
typedef struct work_stats {
	const char *label;        /* a string literal (kwork_label) */
	uint64_t runs;
	simtime_t total, longest;
} work_stats_t;

/* Page blocks of one migratetype at the end, over all nodes. */
typedef struct block_stats {
	uint64_t blocks, wholly_free;
} block_stats_t;

/* A workload counter (t:count). */
typedef struct counter_stats {
	char *name;
	int64_t value;
} counter_stats_t;

/* One CPU's or one node's share of the allocator's counters
 * (allocator_ops.stats_split). */
typedef struct split_stats {
	char *kind;               /* "cpu" or "node" */
	int id;
	GArray *counters;         /* counter_stats_t, in the allocator's order */
} split_stats_t;

/* A workload metric (t:record). */
typedef struct metric_stats {
	char *name;
	hist_t h;
} metric_stats_t;

/* A critical pool, by the name of its cache. */
typedef struct pool_stats {
	char *cache;
	critpool_variant_t variant;
	critpool_stats_t st;
} pool_stats_t;

/* One CPU's share of the run. */
typedef struct cpu_stats {
	int node;
	int tasks;                /* tasks pinned to it */
	uint64_t ops[OP_STAT_N];
	simtime_t busy;           /* every account but idle and housekeeping */
	simtime_t housekeeping, idle;
} cpu_stats_t;

typedef struct run_stats {
	/* A native run's (native_run.h): the figures that exist only in a
	 * simulation -- cacheline traffic, lock waits, holds and bounces, the
	 * cost accounts and breakdown, samples, peaks of live and queued
	 * bytes, grace periods, CPUs' busy and idle time -- are not kept, and
	 * reports leave them out; times are host times. */
	bool native;
	simtime_t timer_cost;             /* native: the host clock's own cost, subtracted */
	const char *clock;                /* native: the host clock read ("tsc", ...) */
	char *allocator;                  /* the label in the scenario */
	char *base;                       /* the registered allocator */
	int nnodes;
	uint64_t page_size;

	uint64_t ops[OP_STAT_N], failed;
	hist_t lat[OP_STAT_N];            /* over all caches */
	GArray *cache_lat;                /* named_lat_t: workload caches, then "kmalloc" if used */

	footprint_t peak, final;
	uint64_t *node_peak_pages, *node_final_pages;   /* [nnodes] */
	uint64_t *node_meta_bytes;        /* [nnodes]: metadata homed on each node, final */
	uint64_t node_ram;                /* bytes of RAM per node */
	uint64_t meta_unbacked;           /* metadata bytes no node had room for */

	GArray *caches;                   /* cache_stats_t, creation order */
	bool has_capacity;                /* the allocator has queues */
	GArray *meta;                     /* meta_stats_t, by (owner, category) */
	GArray *locks;                    /* lock_stats_t, by name */
	coh_stats_t lines;
	pa_stats_t pages;
	block_stats_t blocks[MIGRATE_TYPES];
	simtime_t housekeeping, longest_interruption;
	GArray *work;                     /* work_stats_t, first use order */
	bool has_paths;                   /* the allocator splits fast/slow */
	uint64_t path_alloc[2], path_free[2];
	GArray *alloc_counters;           /* counter_stats_t: the allocator's, its order */
	bool has_split;                   /* the allocator keeps them per CPU and node */
	GArray *split_counters;           /* split_stats_t: CPUs, then nodes, with a counter above 0 */

	simtime_t span;                   /* workload start to end */
	simtime_t cost[COST_NKINDS];      /* summed over CPUs */
	simtime_t breakdown[OP_STAT_N][COST_NKINDS];   /* summed over ops */

	uint64_t free_rcu;                /* t:free_rcu calls */
	rcu_stats_t rcu;                  /* call_rcu and its grace periods */
	vmstat_summary_t vmstat;          /* the slab zone counters at the end */

	GArray *metrics;                  /* metric_stats_t, by name */
	GArray *counters;                 /* counter_stats_t, by name */
	GArray *pools;                    /* pool_stats_t, creation order */

	enum run_end end;                 /* why the run ended */
	GArray *tasks;                    /* task_info_t, by id (where owned) */
	int unfinished, blocked;          /* tasks not done; of those, in recv or at a barrier */
	uint64_t live_objects;            /* the workload's objects at the end */
	bool frees_all;                   /* the workload declares it frees everything */
	char *merit, *merit_label;        /* its figure of merit, a counter (or NULL) */
	bool merit_lower;
	uint64_t alloc_remote_node, free_remote_cpu, free_remote_node;
	int ncpus;
	cpu_stats_t *cpus;                /* [ncpus] */

	GArray *samples;                  /* sample_t */
	GArray *node_series;              /* uint64_t pages, [sample][node]; empty above RUN_NODE_SERIES_MAX nodes */
	GArray *pool_levels;              /* int, [sample][pool] */
	/* LIFO reuse (runtrace.h): of the input trace (NULL unless a replay),
	 * and of the simulated run (NULL unless tracked). */
	reuse_t *reuse_input, *reuse_sim;
	bool reuse_input_accounted;       /* the input has accounted kmalloc allocations */
	bool reuse_has_cg;                /* the allocator has kmalloc-cg-N caches */
} run_stats_t;

/* The figures of r, which has run to its end (run_execute returned true). */
run_stats_t *run_stats(run_t *r);
void run_stats_free(run_stats_t *st);

#endif
