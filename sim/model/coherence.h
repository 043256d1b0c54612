/*
 * coherence.h -- cacheline coherence and the price of every memory access.
 *
 * Owns: the directory (one entry per touched line: write version, Modified
 * owner, count of valid copies, last filler) and each CPU's finite private
 * cache (set-associative, LRU).  A cached copy is valid while its recorded
 * version equals the line's; a store bumps the version, which invalidates
 * every other copy without enumerating sharers.  Prices come from the
 * machine profile and are charged to the running CPU (engine_current()).
 * Never touches simulated memory contents.
 */
#ifndef SLABSIM_COHERENCE_H
#define SLABSIM_COHERENCE_H

#include "types.h"
#include "machine.h"
#include "memory.h"

typedef struct coh coh_t;

typedef struct coh_stats {
	uint64_t accesses;
	uint64_t hits;
	uint64_t transfers_same_node;   /* served by another CPU's cache, same node */
	uint64_t transfers_remote_node; /* served by a cache on another node */
	uint64_t memory_local;
	uint64_t memory_remote;
	uint64_t invalidations;         /* copies invalidated by stores */
} coh_stats_t;

enum coh_op { COH_READ, COH_WRITE, COH_RMW };

coh_t *coh_new(const machine_t *m, const memory_t *mem);
void coh_free(coh_t *c);

/* Charge the running CPU for touching [a, a+len). */
void coh_access(coh_t *c, saddr_t a, uint32_t len, enum coh_op op);

static inline void coh_read(coh_t *c, saddr_t a, uint32_t len)
{
	coh_access(c, a, len, COH_READ);
}

static inline void coh_write(coh_t *c, saddr_t a, uint32_t len)
{
	coh_access(c, a, len, COH_WRITE);
}

const coh_stats_t *coh_stats(const coh_t *c);

#endif
