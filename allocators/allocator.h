/*
 * allocator.h -- the interface every slab allocator implements.
 *
 * Owns: the contract between the simulator and an allocator core, and the
 * registry of allocators by name.  An allocator instance lives for one run;
 * it sees the machine only through sim/kernel.h.  Every call below is made
 * on a simulated CPU (engine_current) and is priced by the model, except
 * create(), which runs at boot on CPU 0, and the introspection calls
 * (cache_info, stats, queued_bytes), which are free and must not charge.
 */
#ifndef SLABSIM_ALLOCATOR_H
#define SLABSIM_ALLOCATOR_H

#include "../sim/kernel.h"

typedef struct kmem_cache kmem_cache_t;  /* each allocator defines its own */

/* kmem_cache_create flags (values are slabsim's own). */
enum {
	SLAB_HWCACHE_ALIGN    = 1u << 0,
	SLAB_CACHE_DMA        = 1u << 1,
	SLAB_DESTROY_BY_RCU   = 1u << 2,
	SLAB_RECLAIM_ACCOUNT  = 1u << 3,
	SLAB_PANIC            = 1u << 4,
};

typedef struct tunable {
	const char *name;         /* key in [allocator.NAME] */
	long def;                 /* default */
	long min, max;
	const char *help;
} tunable_t;

/* One cache as /proc/slabinfo and results.json show it. */
typedef struct cache_info {
	const char *name;
	uint32_t object_size;     /* as asked */
	uint32_t size;            /* stride */
	uint32_t align;
	uint32_t objects_per_slab;
	uint32_t order;
	uint64_t slabs;           /* slabs the cache holds now */
	uint64_t active_slabs;    /* slabs with at least one object in use */
	uint64_t num_objs;        /* slabs * objects_per_slab */
	uint64_t active_objs;     /* objects in use (by the workload or parked in queues) */
	long limit, batchcount, sharedfactor;   /* SLAB tunables; 0 elsewhere */
	uint64_t sharedavail;
} cache_info_t;

/* Receives allocator-specific counters, in a fixed order. */
typedef void (*stat_sink)(void *ctx, const char *name, uint64_t value);

/* Receives, per kind of queue ("percpu", "shared", "alien", "remote", ...),
 * how many objects, and bytes of objects, the cache's queues of that kind
 * can hold when every one of them is full (summed over CPUs and nodes). */
typedef void (*queue_sink)(void *ctx, const char *kind, uint64_t objects, uint64_t bytes);

typedef struct allocator_ops {
	const char *name;
	const char *summary;
	const tunable_t *tunables;            /* NULL-name terminated */

	/* Boot the allocator: kmalloc caches, bootstrap structures. `tun` holds
	 * one value per tunable, in order. */
	void *(*create)(const long *tun);
	void (*destroy)(void *a);

	kmem_cache_t *(*cache_create)(void *a, const char *name, size_t size,
	                              size_t align, unsigned flags);
	saddr_t (*cache_alloc)(void *a, kmem_cache_t *s, gfp_t gfp, int node);
	void (*cache_free)(void *a, kmem_cache_t *s, saddr_t obj);
	saddr_t (*kmalloc)(void *a, size_t size, gfp_t gfp, int node);
	void (*kfree)(void *a, saddr_t obj);
	void (*shrink)(void *a, kmem_cache_t *s);

	/* What kmalloc(size) really hands out (bytes), for metadata accounting;
	 * sizes above the largest class are whole pages of the page order. */
	size_t (*kmalloc_size)(void *a, size_t size);

	/* Introspection, free of charge.  Caches are enumerated in creation
	 * order, kmalloc caches included. */
	int (*ncaches)(void *a);
	kmem_cache_t *(*cache_at)(void *a, int i);
	void (*cache_info)(void *a, kmem_cache_t *s, cache_info_t *out);
	uint64_t (*queued_bytes)(void *a);    /* free objects parked in queues */
	void (*stats)(void *a, stat_sink sink, void *ctx);
	/* Queue capacity of cache s; NULL for allocators without queues. */
	void (*queue_capacity)(void *a, kmem_cache_t *s, queue_sink sink, void *ctx);
} allocator_ops_t;

const allocator_ops_t *allocator_find(const char *name);
/* All allocators, NULL-terminated, in the order `slabsim list` shows them. */
extern const allocator_ops_t *const allocator_table[];

#endif
