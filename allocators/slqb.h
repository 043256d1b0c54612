/*
 * slqb.h -- SLQB (Nick Piggin, "[patch] SLQB slab allocator (try 2)",
 * 2009-01-23): the allocator, its geometry and watermark formulas.
 *
 * Owns: nothing beyond slqb.c.  Exposes the allocator's ops, the
 * calculate_sizes()/calculate_order() rule and the freebatch/hiwater
 * formulas (slqb-spec.md sections 2 and 5), so that tests and tools can
 * compute a cache's geometry without running a simulation, plus two
 * free-of-charge probes of a CPU's queues for tests.
 */
#ifndef SLABSIM_SLQB_H
#define SLABSIM_SLQB_H

#include "allocator.h"

extern const allocator_ops_t slqb_allocator;

/* freebatch for an object stride of `size` bytes:
 * max(4*PAGE_SIZE/size, min(256, 64*PAGE_SIZE/size)), at least 1. */
unsigned slqb_freebatch(unsigned size, int page_size);
/* hiwater = 4 * freebatch. */
unsigned slqb_hiwater(unsigned size, int page_size);

/* The stride (*size), slab order and objects per slab SLQB try-2 picks
 * for an object of objsize bytes with the requested align and `flags`
 * (SLAB_HWCACHE_ALIGN, SLAB_DESTROY_BY_RCU).  A size no slab can hold
 * gives order 0, 0 objects. */
void slqb_geometry(size_t objsize, size_t align, unsigned flags, int page_size,
                   int cache_line, unsigned *size, unsigned *order,
                   unsigned *objects);

/* Objects on `cpu`'s LIFO freelist of s, and on its remote_free queue
 * (test probes, free of charge). */
uint64_t slqb_cpu_freelist_nr(kmem_cache_t *s, int cpu);
uint64_t slqb_cpu_remote_nr(kmem_cache_t *s, int cpu);

#endif
