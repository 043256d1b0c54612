/*
 * slub.h -- SLUB (Linux 2.6.29): the allocator and its slab geometry.
 *
 * Owns: nothing beyond slub.c.  Exposes the allocator's ops and the
 * calculate_sizes()/calculate_order() rule, so that tests and tools can
 * compute a cache's geometry without running a simulation.
 */
#ifndef SLABSIM_SLUB_H
#define SLABSIM_SLUB_H

#include "allocator.h"

extern const allocator_ops_t slub_allocator;

/* The stride (*size), slab order and objects per slab SLUB 2.6.29 picks for
 * an object of objsize bytes created with `flags` (SLAB_HWCACHE_ALIGN,
 * SLAB_DESTROY_BY_RCU) on a kernel with ncpus possible CPUs, the given page
 * and cache-line sizes and the slub_min_order / slub_max_order /
 * slub_min_objects boot parameters (min_objects 0: derived).  A size no
 * slab can hold gives order 0, 0 objects. */
void slub_geometry(size_t objsize, unsigned flags, int ncpus, int page_size,
                   int cache_line, long min_order, long max_order,
                   long min_objects, unsigned *order, unsigned *objects,
                   unsigned *size);

#endif
