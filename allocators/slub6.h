/*
 * slub6.h -- slub-6 (Linux 6.18 SLUB with sheaves): the allocator and its
 * sizing rules.
 *
 * Owns: nothing beyond slub6*.c.  Exposes the allocator's ops and the
 * geometry and tuning that calculate_sizes(), calculate_order(),
 * set_min_partial() and set_cpu_partial() give a cache, so that tests and
 * tools can compute them without running a simulation.
 */
#ifndef SLABSIM_SLUB6_H
#define SLABSIM_SLUB6_H

#include "allocator.h"

extern const allocator_ops_t slub6_allocator;

/* What 6.18 SLUB decides for a cache. */
typedef struct slub6_geom {
	unsigned size;                  /* stride */
	unsigned offset;                /* free pointer offset in an object */
	unsigned align;
	unsigned order, objects;        /* preferred slab order (oo) and its objects */
	unsigned min_order;             /* the fallback order, get_order(size) */
	unsigned long min_partial;
	unsigned cpu_partial;           /* objects */
	unsigned cpu_partial_slabs;
} slub6_geom_t;

/* The geometry of a cache of objsize bytes aligned to align, created with
 * flags (SLAB_DESTROY_BY_RCU moves the free pointer after the object), on
 * a kernel with ncpus present CPUs, the given page and cache-line sizes and
 * the slab_min_order / slab_max_order / slab_min_objects boot parameters
 * (min_objects 0: derived).  False if no slab can hold the object. */
bool slub6_geometry(size_t objsize, size_t align, unsigned flags, int ncpus, int page_size,
                    int cache_line, long min_order, long max_order, long min_objects,
                    slub6_geom_t *out);

#endif
