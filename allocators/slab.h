/*
 * slab.h -- SLAB (Linux 2.6.29, NUMA): the allocator, its slab geometry and
 * a consistency audit for tests.
 *
 * Owns: nothing beyond slab.c.  Exposes the allocator's ops, the
 * kmem_cache_create geometry rule (alignment, on/off-slab, cache_estimate,
 * calculate_slab_order, colouring), enable_cpucache's tunables, and an
 * audit that finds every object of a cache exactly once.
 */
#ifndef SLABSIM_SLAB_H
#define SLABSIM_SLAB_H

#include "allocator.h"

extern const allocator_ops_t slab_allocator;

/* What kmem_cache_create decides for a cache. */
typedef struct slab_layout {
	unsigned buffer_size;   /* object stride */
	unsigned align;
	unsigned num;           /* objects per slab */
	unsigned order;         /* gfporder */
	bool off_slab;          /* descriptor and bufctl kmalloc'd apart */
	unsigned slab_size;     /* management bytes (struct slab + bufctl) */
	unsigned left_over;     /* unused bytes of a slab */
	unsigned colour_off;
	unsigned colour;        /* number of colours */
} slab_layout_t;

/* The layout SLAB 2.6.29 gives an object of `size` bytes created with
 * `align` and `flags` (SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT) on a
 * kernel with the given page and cache-line sizes; `big_ram` is "more than
 * 32 MB of RAM" (slab_break_gfp_order 1).  False if no slab holds one. */
bool slab_geometry(size_t size, size_t align, unsigned flags, int page_size,
                   int cache_line, bool big_ram, slab_layout_t *out);

/* enable_cpucache's choice for an object stride on `ncpus` possible CPUs. */
void slab_default_tunables(unsigned buffer_size, int page_size, int ncpus,
                           long *limit, long *batchcount, long *shared);

/* Where a cache's objects are, each counted once (slab_audit kbug()s if
 * one is found twice, outside its slabs, on the wrong node's queue, or if
 * the slab lists and counters disagree). */
typedef struct slab_audit {
	uint64_t total;         /* slabs * objects per slab */
	uint64_t slab_free;     /* on the bufctl chains */
	uint64_t percpu, shared, alien;
	uint64_t live;          /* held by callers (workload and off-slab descriptors) */
	uint64_t mgmt_live;     /* of those, off-slab descriptors of other caches */
	uint64_t slabs, pages;
} slab_audit_t;

void slab_audit(void *allocator, kmem_cache_t *s, slab_audit_t *out);

/* Objects in this CPU's per-CPU array of s (free; for tests). */
unsigned slab_cpu_avail(kmem_cache_t *s, int cpu);

#endif
