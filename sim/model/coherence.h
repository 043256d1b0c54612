/*
 * coherence.h -- cacheline coherence and the price of every memory access.
 *
 * Owns: the directory (one entry per touched line: write version, Modified
 * owner, count of valid private copies, last filler), each CPU's finite
 * private cache, and the shared last-level caches (one per socket or per
 * node, when the machine has them), all set-associative with LRU
 * replacement.  A contiguous touch [a, a+len) is priced in one call, line
 * by line in address order.  A cached copy is valid while its recorded version equals
 * the line's; a store bumps the version, which invalidates every other
 * copy without enumerating sharers.  Prices come from the machine profile
 * and are charged to the running CPU (engine_current()).  Never touches
 * simulated memory contents.
 *
 * A private miss is served, in order, by the CPU holding the line Modified
 * (a transfer priced by distance), the last-level cache of the CPU's
 * socket (llc), a clean copy in another CPU's private cache (llc on the
 * socket, a remote transfer elsewhere), or DRAM (local, or by distance).
 * An inclusive LLC takes every line its CPUs fill, and evicting a line
 * from it invalidates their private copies; a non-inclusive one takes the
 * lines its CPUs' private caches evict.  Every count is also kept by what
 * the access was for: object memory (RAM), struct page (the memmap), the
 * allocators' metadata, or a lock word (the lock model says so).
 */
#ifndef SLABSIM_COHERENCE_H
#define SLABSIM_COHERENCE_H

#include "types.h"
#include "machine.h"
#include "memory.h"

typedef struct coh coh_t;

/* What an access was for. */
enum coh_kind { COH_OBJECT, COH_PAGE, COH_METADATA, COH_LOCK, COH_KINDS };

/* The kinds' names, as reports show them. */
extern const char *const coh_kind_names[COH_KINDS];

typedef struct coh_counts {
	uint64_t accesses;
	uint64_t hits;                  /* in the CPU's private cache */
	uint64_t llc_hits;              /* in its socket's (or node's) LLC */
	uint64_t transfers_same_node;   /* served by another CPU's cache, same node */
	uint64_t transfers_remote_node; /* served by a cache on another node */
	uint64_t memory_local;          /* DRAM fills from the CPU's node */
	uint64_t memory_remote;         /* DRAM fills from another node */
	uint64_t invalidations;         /* copies invalidated by stores */
} coh_counts_t;

typedef struct coh_stats {
	coh_counts_t all;
	coh_counts_t kind[COH_KINDS];
} coh_stats_t;

enum coh_op { COH_READ, COH_WRITE, COH_RMW };

coh_t *coh_new(const machine_t *m, const memory_t *mem);
void coh_free(coh_t *c);

/* Charge the running CPU for touching [a, a+len), counted by the kind of
 * memory a lies in. */
void coh_access(coh_t *c, saddr_t a, uint32_t len, enum coh_op op);
/* The same for an access of kind `kind` (a lock word). */
void coh_access_kind(coh_t *c, saddr_t a, uint32_t len, enum coh_op op, enum coh_kind kind);

/* The line holding a, accessed by `cpu` on its own behalf while the
 * running CPU goes on (a spinner re-reading a lock word): the directory,
 * the caches and the statistics change, nobody is charged. */
void coh_access_as(coh_t *c, int cpu, saddr_t a, enum coh_op op, enum coh_kind kind);
/* coh_access_as for each CPU of cpus[0..n), in that order (the spinners of
 * a lock word): the same as n calls, the next CPUs' cache state fetched
 * into the host's cache ahead of use. */
void coh_access_as_many(coh_t *c, const int *cpus, int n, saddr_t a, enum coh_op op,
                        enum coh_kind kind);

static inline void coh_read(coh_t *c, saddr_t a, uint32_t len)
{
	coh_access(c, a, len, COH_READ);
}

static inline void coh_write(coh_t *c, saddr_t a, uint32_t len)
{
	coh_access(c, a, len, COH_WRITE);
}

const coh_stats_t *coh_stats(const coh_t *c);

/* Host memory held by cpu's private cache, in way-sized slots (16 bytes):
 * for each set that ever held a line, one slot per way it has room for
 * (1, 2, 4, ... up to the associativity, doubled when a fill finds it
 * full) and one for its recency list.  A set never filled holds none. */
uint64_t coh_private_slots(const coh_t *c, int cpu);

#endif
