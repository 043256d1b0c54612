/*
 * arrpool.h -- small zeroed arrays of a few fixed sizes, carved from large
 * blocks.
 *
 * Owns: the blocks, and a free list per size class.  The caller numbers
 * its classes (0 .. ARRPOOL_CLASSES-1) and promises that every array of
 * one class has the same length; an array given back is handed out again,
 * zeroed, for its class.  Everything goes at once in arrpool_free, so
 * millions of small arrays (the cache sets of coherence.c) cost neither a
 * malloc header each nor a free each.
 */
#ifndef SLABSIM_ARRPOOL_H
#define SLABSIM_ARRPOOL_H

#include <stddef.h>

#define ARRPOOL_CLASSES 24

typedef struct arrpool arrpool_t;

arrpool_t *arrpool_new(size_t elem);
void arrpool_free(arrpool_t *p);

void *arrpool_get(arrpool_t *p, unsigned cls, size_t n);
void arrpool_put(arrpool_t *p, void *a, unsigned cls);

#endif
