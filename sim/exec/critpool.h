/*
 * critpool.h -- the critical pools of seed 004: Dobson's mempool-backed
 * slab pages (four variants) and Pekka Enberg's object pool over the slab.
 *
 * Owns: critpool_t, one subsystem's critical and ordinary allocations from
 * one cache in one of the five variants of docs/mempool.md, and the slab
 * pool (a mempool of objects of one cache).  Sits above the allocators:
 * it calls them through allocator_ops; called by the run and by tests.
 */
#ifndef SLABSIM_CRITPOOL_H
#define SLABSIM_CRITPOOL_H

#include "allocator.h"

/* A pool of objects of cache s of allocator (ops, a). */
mempool_t *mempool_create_slab_pool(const char *name, int min_nr,
                                    const allocator_ops_t *ops, void *a,
                                    kmem_cache_t *s);

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
	const allocator_ops_t *ops;
	void *a;
	kmem_cache_t *s;            /* the cache the pool was created for */
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
critpool_t *critpool_create(const allocator_ops_t *ops, void *a,
                            kmem_cache_t *s, critpool_variant_t v, int min_nr);
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
bool critpool_attach(critpool_t *cp, kmem_cache_t *s);
/* One object of cache s (the pool's own cache, or an attached one) for a
 * critical or an ordinary request; 0 on failure. */
saddr_t critpool_cache_alloc(critpool_t *cp, kmem_cache_t *s, bool critical, int node);
/* Free an object critpool_cache_alloc returned with the same s and
 * `critical` (0: no-op). */
void critpool_cache_free(critpool_t *cp, kmem_cache_t *s, saddr_t obj, bool critical);
/* critpool_cache_alloc / _free on the pool's own cache. */
saddr_t critpool_alloc(critpool_t *cp, bool critical, int node);
void critpool_free(critpool_t *cp, saddr_t obj, bool critical);
/* Elements in the reserve now (free). */
int critpool_level(const critpool_t *cp);
void critpool_stats(const critpool_t *cp, critpool_stats_t *out);

#endif
