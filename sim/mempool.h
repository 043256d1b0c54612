/*
 * mempool.h -- memory pools (Linux mm/mempool.c, 2.6.16) and the critical
 * pools of seed 004 (Dobson's mempool-backed slab pages, Pekka Enberg's
 * object pool over the slab).
 *
 * Owns: mempool_t, a reserve of min_nr preallocated elements (order-n pages
 * or slab objects, each named by its simulated address) behind an element
 * allocator; and critpool_t, one subsystem's critical allocations from one
 * cache in one of the five variants of docs/mempool.md.  Part of the kernel
 * API (kernel.h includes this header): allocators may call mempool_*; the
 * critpool_* layer is the subsystem and is called by tests and the Lua host.
 *
 * Lock order: pool->lock ("mempool.lock") is innermost: it is taken with
 * irqs off around the reserve only, never while calling the element
 * allocator; allocator locks may be held when a pool is called.
 */
#ifndef SLABSIM_MEMPOOL_H
#define SLABSIM_MEMPOOL_H

#include <stdbool.h>
#include "types.h"
#include "lock.h"
#include "pagealloc.h"

struct allocator_ops;
struct kmem_cache;

/* The element allocator behind a pool: returns an element (0: none) on
 * `node` (-1: any), or frees one. */
typedef saddr_t (*mempool_alloc_t)(gfp_t gfp, int node, void *pool_data);
typedef void (*mempool_free_t)(saddr_t element, void *pool_data);

/* What a pool did (host counters, free to read). */
typedef struct mempool_stats {
	uint64_t allocs;          /* mempool_alloc calls */
	uint64_t reserve_hits;    /* elements handed out from the reserve */
	uint64_t failures;        /* allocator and reserve both empty: NULL */
	uint64_t refills;         /* freed elements taken back into the reserve */
	uint64_t low_water;       /* lowest reserve level seen */
	uint64_t leaked;          /* objects of reserve-page slabs given to
	                             non-critical requests (bumped by the slab
	                             allocator) */
} mempool_stats_t;

typedef struct mempool {
	char *name;               /* metadata owner "mempool:NAME" */
	spinlock_t lock;
	int min_nr;               /* elements reserved at creation */
	int curr_nr;              /* elements in the reserve now */
	saddr_t *elements;        /* the reserve (host copy of the kmalloc'd array) */
	int page_order;           /* page pools: order of each element; -1 otherwise */
	mempool_alloc_t alloc;
	mempool_free_t free;
	void *pool_data;
	void *owned;              /* host data freed with the pool, or NULL */
	saddr_t addr;             /* struct mempool_s */
	saddr_t elements_addr;    /* the element array */
	lock_class_t *cls;
	mempool_stats_t stats;
} mempool_t;

/* mempool_create: a pool of min_nr elements taken from alloc at once;
 * NULL (nothing kept) if alloc cannot supply them.  Runs on a CPU. */
mempool_t *mempool_create(const char *name, int min_nr, mempool_alloc_t alloc,
                          mempool_free_t free, void *pool_data);
/* A pool of 2^order pages (elements are page addresses). */
mempool_t *mempool_create_page_pool(const char *name, int min_nr, unsigned order);
/* A pool of objects of cache s of allocator (ops, a). */
mempool_t *mempool_create_slab_pool(const char *name, int min_nr,
                                    const struct allocator_ops *ops, void *a,
                                    struct kmem_cache *s);
/* Give every reserved element back and free the pool. */
void mempool_destroy(mempool_t *pool);
/* The element allocator first, then the reserve; 0 if both are empty.
 * *reserved (may be NULL) tells whether the element came from the reserve. */
saddr_t mempool_alloc_node_from(mempool_t *pool, gfp_t gfp, int node, bool *reserved);
saddr_t mempool_alloc_node(mempool_t *pool, gfp_t gfp, int node);
saddr_t mempool_alloc(mempool_t *pool, gfp_t gfp);
/* Refill the reserve if it is below min_nr, else free to the allocator. */
void mempool_free(saddr_t element, mempool_t *pool);
/* Elements in the reserve now (free, for reports). */
int mempool_level(const mempool_t *pool);

/* ---- critical pools (seed 004) ---- */

typedef enum critpool_variant {
	CRITPOOL_DOBSON,            /* the patch as posted: no return, shared slabs */
	CRITPOOL_DOBSON_RETURN,     /* + reserve pages go back to the pool */
	CRITPOOL_DOBSON_EXCLUSIVE,  /* + non-critical requests never use them */
	CRITPOOL_DOBSON_FIXED,      /* both planned fixes */
	CRITPOOL_OBJECT_POOL,       /* Pekka Enberg: a mempool of objects over the slab */
	CRITPOOL_NVARIANTS,
} critpool_variant_t;

/* What a critical pool did; the level is in pages (Dobson variants) or
 * objects (object pool). */
typedef struct critpool_stats {
	uint64_t min_nr, level, low_water;
	uint64_t pool_hits;         /* elements handed out from the reserve */
	uint64_t pool_refills;      /* elements given back to the reserve */
	uint64_t crit_allocs, crit_failures;
	uint64_t noncrit_allocs, noncrit_failures;
	uint64_t leaked;            /* objects of reserve-page slabs given to
	                               non-critical requests */
} critpool_stats_t;

typedef struct critpool {
	critpool_variant_t variant;
	const struct allocator_ops *ops;
	void *a;
	struct kmem_cache *s;       /* the cache the pool was created for */
	GPtrArray *caches;          /* every cache the pool backs, s first */
	mempool_t *pool;
	uint64_t crit_allocs, crit_failures, noncrit_allocs, noncrit_failures;
} critpool_t;

/* "dobson", "dobson-return", "dobson-exclusive", "dobson-fixed", "object-pool". */
const char *critpool_variant_name(critpool_variant_t v);
/* The variant called `name`; false if none is. */
bool critpool_variant_parse(const char *name, critpool_variant_t *out);
/* A critical pool of min_nr elements (pages or objects) for cache s.  NULL
 * if min_nr < 1, for the Dobson variants if the allocator has no
 * cache_set_mempool or the cache's slabs are not order 0 (the patch's
 * limit), or if the reserve cannot be filled.  Runs on a CPU. */
critpool_t *critpool_create(const struct allocator_ops *ops, void *a,
                            struct kmem_cache *s, critpool_variant_t v, int min_nr);
/* Detach from every cache and destroy (runs on a CPU; the pool's objects
 * should have been freed: reserve slabs still in use become ordinary). */
void critpool_destroy(critpool_t *cp);
/* Teardown without a CPU, before the allocator is destroyed: host
 * structures only; reserve pages and metadata stay with the run. */
void critpool_free_host(critpool_t *cp);
/* Dobson variants: let the same pool back cache s too (one pool for all
 * slab allocations of a subsystem).  False for a cache whose slabs are
 * not order 0, and for the object pool, whose elements are objects of one
 * size. */
bool critpool_attach(critpool_t *cp, struct kmem_cache *s);
/* One object of cache s (the pool's own cache, or an attached one) for a
 * critical or an ordinary request; 0 on failure. */
saddr_t critpool_cache_alloc(critpool_t *cp, struct kmem_cache *s, bool critical, int node);
/* Free an object critpool_cache_alloc returned with the same s and
 * `critical` (0: no-op). */
void critpool_cache_free(critpool_t *cp, struct kmem_cache *s, saddr_t obj, bool critical);
/* critpool_cache_alloc / _free on the pool's own cache. */
saddr_t critpool_alloc(critpool_t *cp, bool critical, int node);
void critpool_free(critpool_t *cp, saddr_t obj, bool critical);
/* Elements in the reserve now (free). */
int critpool_level(const critpool_t *cp);
void critpool_stats(const critpool_t *cp, critpool_stats_t *out);

#endif
