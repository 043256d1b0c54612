/*
 * slabifier.h -- the 2006 Slabifier (seed 000): the allocator and its slab
 * geometry.
 *
 * Owns: nothing beyond slabifier.c.  Exposes the allocator's ops and its
 * size/order rule, so that tests and tools can compute a cache's geometry
 * without running a simulation.
 */
#ifndef SLABSIM_SLABIFIER_H
#define SLABSIM_SLABIFIER_H

#include "allocator.h"

extern const allocator_ops_t slabifier_allocator;

/* The stride (*size), free-pointer offset (*offset), slab order and
 * objects per slab the Slabifier gives an object of objsize bytes with
 * alignment `align` and `flags` (SLAB_DESTROY_BY_RCU moves the free
 * pointer behind the object) on a kernel with the given page size and the
 * slabifier_order tunable.  A size no slab can hold gives 0 objects. */
void slabifier_geometry(size_t objsize, size_t align, unsigned flags, int page_size,
                        long min_order, unsigned *order, unsigned *objects,
                        unsigned *size, unsigned *offset);

#endif
