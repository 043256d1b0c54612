/*
 * reuse.h -- the LIFO-reuse statistic of an allocation address stream.
 *
 * Owns: per cache key, how many allocations there were and how many of
 * them returned the object most recently freed on the same CPU from the
 * same cache (docs/workloads.md defines it exactly):
 *   - a free of address p on CPU c from cache k makes p the "last free" of
 *     (c, k), replacing the one before;
 *   - an allocation of p on CPU c from cache k is a LIFO reuse when p is
 *     the last free of (c, k);
 *   - an allocation of p on any CPU ends p's being a last free anywhere
 *     (it is in use again), so a later allocation cannot match it.
 * Failed allocations are not fed.  The same code computes the statistic of
 * a recorded trace and of a simulated run, so the two compare like with
 * like.  Memory: a slot per (CPU, cache) pair that has freed, and an
 * entry per address freed and not allocated since.
 */
#ifndef SLABSIM_REUSE_H
#define SLABSIM_REUSE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct reuse reuse_t;

/* Allocations and LIFO reuses of one cache key (or of all). */
typedef struct reuse_count {
	uint64_t allocs, reuses;
} reuse_count_t;

reuse_t *reuse_new(void);
void reuse_free(reuse_t *r);
/* The id of cache key `name` (interned: the same name, the same id). */
int reuse_key(reuse_t *r, const char *name);
void reuse_note_free(reuse_t *r, int key, int cpu, uint64_t addr);
/* Feed one allocation; true if it is a LIFO reuse. */
bool reuse_note_alloc(reuse_t *r, int key, int cpu, uint64_t addr);
/* Keys in the order they were first named, and their counts. */
int reuse_nkeys(const reuse_t *r);
const char *reuse_key_name(const reuse_t *r, int key);
reuse_count_t reuse_count(const reuse_t *r, int key);
reuse_count_t reuse_total(const reuse_t *r);

#endif
