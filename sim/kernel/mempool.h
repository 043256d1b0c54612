/*
 * mempool.h -- memory pools (Linux mm/mempool.c, 2.6.16), the reserve
 * behind seed 004's critical pools (Dobson's mempool-backed slab pages).
 *
 * Owns: mempool_t, a reserve of min_nr preallocated elements (order-n pages
 * or slab objects, each named by its simulated address) behind an element
 * allocator.  Part of the kernel API: allocators may call mempool_*; the
 * critical pools that use them (exec/critpool.h) sit above the allocators.
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
/* Give every reserved element back and free the pool. */
void mempool_destroy(mempool_t *pool);
/* Free the host structures only (teardown without a CPU). */
void mempool_free_host(mempool_t *pool);
/* The element allocator first, then the reserve; 0 if both are empty.
 * *reserved (may be NULL) tells whether the element came from the reserve. */
saddr_t mempool_alloc_node_from(mempool_t *pool, gfp_t gfp, int node, bool *reserved);
saddr_t mempool_alloc_node(mempool_t *pool, gfp_t gfp, int node);
saddr_t mempool_alloc(mempool_t *pool, gfp_t gfp);
/* Refill the reserve if it is below min_nr, else free to the allocator. */
void mempool_free(saddr_t element, mempool_t *pool);
/* Elements in the reserve now (free, for reports). */
int mempool_level(const mempool_t *pool);

#endif
