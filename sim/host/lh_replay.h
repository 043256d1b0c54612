/*
 * lh_replay.h -- sim.replay: a recorded kmem trace replayed as it is read
 * (internal to sim/host; lh_replay.c sets it up, lh_replay_task.c runs it).
 *
 * Owns: the replay's state.  Setup reads the trace once (the scan: its
 * caches, CPUs, the allocations whose free was not traced, the input's
 * LIFO reuse, refusal of a trace with no usable event), writing each
 * event as a fixed record to an unlinked temporary file (the spool, 32
 * bytes an event); the tasks then read the records back in order, each
 * simulated CPU replaying its trace CPUs' events from a queue that holds
 * only the records read but not yet replayed.
 */
#ifndef SLABSIM_LH_REPLAY_H
#define SLABSIM_LH_REPLAY_H

#include "lh_int.h"
#include "ktrace.h"

#define REPLAY_MT "slabsim.replay"

/* One traced object of the replay. */
typedef struct rp_obj {
	int64_t handle;          /* once allocated */
	int32_t cache;           /* run cache, or -1: kmalloc */
	uint32_t size;           /* kmalloc(size); the cache's size */
	int32_t node;            /* -1: local */
	int32_t owner;           /* simulated CPU that allocates it */
	int32_t waiter;          /* simulated CPU waiting to free it, or -1 */
	bool accounted;
	bool allocated, failed;  /* its allocation ran: got an object, or none */
	bool untraced_rcu;       /* its free is not traced: freed after a grace period */
} rp_obj_t;

/* One event as the scan spools it and the tasks read it back. */
typedef struct rp_rec {
	uint64_t t_ns;           /* timestamp as recorded */
	uint64_t ptr;            /* 0: NULL */
	uint32_t size;           /* bytes_req (bytes_alloc when 0): kmalloc's size */
	int32_t cache;           /* allocations: the scan's cache ordinal, -1: kmalloc */
	uint16_t cpu;            /* simulated CPU (trace CPU mod ncpus) */
	int16_t node;            /* the node asked for, -1: any */
	uint8_t flags;           /* RP_REC_* */
} rp_rec_t;

enum { RP_REC_ALLOC = 1, RP_REC_ACCOUNTED = 2 };

enum rp_kind { RP_ALLOC, RP_FREE, RP_DROP /* untraced free, placed before a reuse */ };

typedef struct rp_ev {
	simtime_t t;             /* replay time (ps since the workload start), 0: none */
	uint32_t obj;
	uint8_t kind;            /* enum rp_kind */
} rp_ev_t;

/* Where a task stands between two of its operations. */
enum rp_stage { RP_NEXT, RP_ALLOCATED };

typedef struct rp_cpu {
	GArray *q;               /* rp_ev_t queued for it, from index head */
	guint head;
	int chan;                /* where it waits for an allocation on another CPU */
	enum rp_stage stage;
	uint32_t obj;            /* the object of its current event */
} rp_cpu_t;

/* The replay's workload counters (cells of run_counter). */
typedef struct rp_counters {
	int64_t *objects, *frees, *cross, *unmatched, *null_frees, *never_freed;
	int64_t *alloc_failed, *traced_failures, *untraced;
} rp_counters_t;

typedef struct replay {
	run_t *run;
	char *path;
	FILE *spool;             /* rp_rec_t of every event, unlinked: the tasks read it */
	double ps_per_ns;        /* trace ns to replay ps (1000 / compress); 0: no waits */
	uint64_t t0_ns;          /* the first event's timestamp */
	uint32_t touch;          /* bytes written in each new object */
	bool numa, immediate;    /* honour node=; untraced frees placed before the reuse */
	uint32_t max_cache_size; /* larger kmem_cache objects go to kmalloc (sim.max_cache_size) */
	GArray *cache_ids;       /* int: the run cache of each scan ordinal */
	GArray *untraced;        /* uint64_t, sorted: allocations (by number) never freed in the trace */
	guint untraced_next;
	uint64_t allocs_read;    /* successful allocations read so far */
	GArray *objs;            /* rp_obj_t */
	GArray *free_objs;       /* uint32_t: free slots of objs */
	GHashTable *live;        /* traced pointer -> obj + 1 */
	simtime_t last_t;        /* the time of the last event read */
	guint buffered;          /* events queued, over all CPUs */
	bool eof;
	int ncpus;
	rp_cpu_t *cpu;           /* [ncpus] */
	bool *used;              /* [ncpus]: simulated CPUs with events */
	rp_counters_t n;
} replay_t;

/* The task function: sim.spawn(cpu, replay.task, replay, cpu)
 * (lh_replay_task.c). */
int replay_task(lua_State *co);

#endif
