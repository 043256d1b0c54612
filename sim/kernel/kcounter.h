/*
 * kcounter.h -- host counters kept per CPU: allocators' statistics and the
 * host bookkeeping of objects in use.
 *
 * Owns: kcounters_t, n counters for every CPU, each CPU's row on cache
 * lines of its own.  A CPU adds to its own row only, with no atomic and
 * no lock (on the native backend only its thread touches it); readers sum
 * the rows (free of charge: at the end of a run, or natively when no
 * thread runs).  Free of charge in a simulated run too: host bookkeeping,
 * never priced.  Part of the kernel API (kernel.h includes it).
 */
#ifndef SLABSIM_KCOUNTER_H
#define SLABSIM_KCOUNTER_H

#include <stdint.h>
#include "engine.h"

typedef struct kcounters {
	int n, ncpus;
	size_t stride;          /* int64_t between two CPUs' rows */
	int64_t *v;             /* [ncpus][stride] */
} kcounters_t;

/* n counters, zero, for each of ncpus CPUs; kcounters_free frees them. */
kcounters_t *kcounters_new(int n, int ncpus);
void kcounters_free(kcounters_t *c);

/* Counter i of the running CPU moves by d. */
static inline void kcounter_add(kcounters_t *c, int i, int64_t d)
{
	c->v[(size_t)engine_current()->id * c->stride + (size_t)i] += d;
}

static inline void kcounter_inc(kcounters_t *c, int i)
{
	kcounter_add(c, i, 1);
}

/* Counter i of `cpu`, and summed over CPUs. */
int64_t kcounter_cpu(const kcounters_t *c, int cpu, int i);
int64_t kcounter_sum(const kcounters_t *c, int i);

#endif
