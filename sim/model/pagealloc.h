/*
 * pagealloc.h -- struct page and the per-node buddy page allocator.
 *
 * Owns: the page_t array (one per simulated page frame, host-side fields,
 * priced at its MEMMAP address), each node's buddy free lists under its
 * zone lock, the per-CPU order-0 lists (one per CPU and node, as in
 * 2.6.29's per_cpu_pages), each node's zonelist (the run's one node
 * fallback order), the memory limit, failure injection and the
 * page-allocator statistics.  Runs on the current CPU (engine_current()) and
 * prices itself through coherence and locks; never looks inside pages.
 *
 * Page blocks of 2^pageblock_order pages carry a migratetype (unmovable,
 * reclaimable, movable); each order has one free list per migratetype and
 * an allocation falls back to, and may steal, other types' blocks.
 *
 * Locking: pcp lists are per CPU and used with irqs off (no lock);
 * zone->lock ("zone.lock" class) guards a node's free lists.
 */
#ifndef SLABSIM_PAGEALLOC_H
#define SLABSIM_PAGEALLOC_H

#include <glib.h>
#include "types.h"
#include "klist.h"
#include "lock.h"
#include "memory.h"
#include "coherence.h"

#define PA_MAX_ORDER 11                 /* orders 0..10, as MAX_ORDER = 11 */
/* struct per_cpu_pageset (2.6.29, NUMA, SMP): per_cpu_pages (count, high,
 * batch, list: 32 B), expire, stat_threshold, vm_stat_diff[25];
 * ____cacheline_aligned_in_smp, so one 64-byte line. */
#define PA_PAGESET_SIZE 64
#define PA_PAGESET_VM_DIFF 34            /* offsetof(vm_stat_diff) */

/* page_t.flags */
enum {
	PG_slab     = 1u << 0,
	PG_frozen   = 1u << 1,   /* SLUB: PG_active, a CPU's cpu slab */
	PG_head     = 1u << 2,   /* first page of a compound page */
	PG_tail     = 1u << 3,
	PG_buddy    = 1u << 4,   /* free, on a buddy list; order in page.order */
	PG_pcp      = 1u << 5,   /* free, on a per-CPU list */
};

typedef struct page {
	uint32_t flags;
	uint8_t order;           /* buddy order when free; compound order when head */
	uint8_t mt;              /* migratetype while free (page_private) */
	uint16_t inuse;          /* SLUB: objects in use (union with _mapcount) */
	uint16_t objects;        /* SLUB: objects in the slab */
	int32_t count;           /* reference count (0 = free) */
	saddr_t freelist;        /* SLUB: first free object */
	void *slab;              /* the kmem_cache owning this slab */
	void *priv;              /* allocator-private */
	struct page *first_page; /* head of the compound page, for tails */
	klist_t lru;             /* buddy, pcp or allocator list links */
	spinlock_t lock;         /* PG_locked as a bit spinlock */
} page_t;

/* page->flags read as a relaxed atomic load: a plain load on x86, and no
 * data race for ThreadSanitizer where host threads update other bits of
 * the word atomically (the native backend: slub-6's frozen and partial
 * bits). */
static inline uint32_t page_flags(const page_t *p)
{
	return __atomic_load_n(&p->flags, __ATOMIC_RELAXED);
}

/* gfp flags: the subset slab allocators use. */
typedef unsigned gfp_t;
enum {
	GFP_KERNEL     = 0,
	__GFP_THISNODE = 1u << 0,  /* no fallback to other nodes */
	__GFP_NORETRY  = 1u << 1,
	__GFP_NOWARN   = 1u << 2,
	__GFP_COMP     = 1u << 3,  /* make a compound page */
	__GFP_COLD     = 1u << 4,
	__GFP_RECLAIMABLE = 1u << 5,  /* migratetype RECLAIMABLE (2.6.24+) */
	__GFP_MOVABLE  = 1u << 6,  /* migratetype MOVABLE */
	__GFP_ZERO     = 1u << 7,  /* the caller gets zeroed memory */
};

/* Page-block migratetypes (2.6.24+, without RESERVE and ISOLATE). */
enum {
	MIGRATE_UNMOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_MOVABLE,
	MIGRATE_TYPES,
};

/* allocflags_to_migratetype(): the gfp mobility bits as a migratetype. */
static inline int gfp_migratetype(gfp_t gfp)
{
	return (gfp & __GFP_MOVABLE) ? MIGRATE_MOVABLE :
	       (gfp & __GFP_RECLAIMABLE) ? MIGRATE_RECLAIMABLE : MIGRATE_UNMOVABLE;
}

/* One page block as pa_pageblock_info() shows it. */
typedef struct pa_block_info {
	int migratetype;
	uint32_t pages;          /* pages of the block inside the zone */
	uint32_t free;           /* of which free (buddy or pcp) */
} pa_block_info_t;

typedef struct pa_config {
	uint64_t limit_pages;    /* 0 = no limit beyond physical memory */
	uint32_t fail_ppm;       /* injected failure rate, parts per million */
	uint64_t seed;           /* for failure injection */
} pa_config_t;

typedef struct pa_stats {
	uint64_t allocs_by_order[PA_MAX_ORDER];
	uint64_t frees;
	uint64_t failures;
	uint64_t fallbacks;       /* satisfied from another node than asked */
	uint64_t pcp_refills;
	uint64_t pcp_drains;
	uint64_t pages_in_use;    /* now */
	uint64_t steals;          /* fallback allocations from another migratetype */
	uint64_t blocks_converted; /* page blocks whose type a steal changed */
	uint64_t peak_pages_in_use;
	uint64_t meta_pages;      /* pages set aside for kernel metadata */
} pa_stats_t;

typedef struct pa pa_t;

/* A page allocator over mem; coh NULL: nothing is priced (the native
 * backend, which also serialises every call, sim/kernel/native.h). */
pa_t *pa_new(const machine_t *m, memory_t *mem, coh_t *coh,
             lock_registry_t *locks, const pa_config_t *cfg);
void pa_free(pa_t *pa);

/* Allocate 2^order pages on `node` (-1: the current CPU's node), falling
 * back to other nodes by distance unless __GFP_THISNODE.  Returns the head
 * page (refcount 1) or NULL.  Priced on engine_current(). */
page_t *pa_alloc(pa_t *pa, int node, unsigned order, gfp_t gfp);
/* Free a block previously returned by pa_alloc with the same order. */
void pa_release(pa_t *pa, page_t *page, unsigned order);

/* The zonelist of `node`: all nnodes nodes in the order an allocation for
 * `node` falls back through them, `node` first.  The page allocator's own
 * order, and the kernel API's node_zonelist for the slab allocators. */
const int *pa_zonelist(const pa_t *pa, int node);

/* Where CPU cpu's per_cpu_pageset of node's zone lives: its order-0 list
 * and its vmstat differentials (every CPU's pagesets sit together on its
 * own node, as 2.6.29's process_zones kmallocs them there). */
saddr_t pa_pageset_addr(const pa_t *pa, int cpu, int node);

page_t *pa_pfn_to_page(pa_t *pa, uint64_t pfn);
uint64_t pa_page_to_pfn(pa_t *pa, const page_t *page);
saddr_t pa_page_address(pa_t *pa, const page_t *page);
page_t *pa_virt_to_page(pa_t *pa, saddr_t addr);   /* the head for compound pages */
page_t *pa_virt_to_pfn_page(pa_t *pa, saddr_t addr);  /* the page itself, tails too */
int pa_page_nid(pa_t *pa, const page_t *page);
/* Price touching the struct page of `page`. */
void pa_touch_page(pa_t *pa, const page_t *page, bool write);

const pa_stats_t *pa_stats(const pa_t *pa);
/* Free pages on `node` (buddy plus pcp), for tests and reports. */
uint64_t pa_free_pages(const pa_t *pa, int node);
/* Pages handed out from `node` and not yet freed (metadata pages aside). */
uint64_t pa_pages_in_use(const pa_t *pa, int node);
/* Pages of `node` set aside for kernel metadata. */
uint64_t pa_meta_pages(const pa_t *pa, int node);
/* Set up to `pages` of node's zone aside for kernel metadata (capacity
 * only: unpriced, placement not modelled, outside the memory limit);
 * returns the pages set aside, fewer when the node has no more room. */
uint64_t pa_reserve_meta(pa_t *pa, int node, uint64_t pages);

/* pageblock_order: 2^order pages per page block. */
unsigned pa_pageblock_order(const pa_t *pa);
/* Page blocks of `node`'s zone (the last may be short). */
uint64_t pa_pageblocks(const pa_t *pa, int node);
/* Block `block` of `node`: its migratetype, size and free pages. */
void pa_pageblock_info(const pa_t *pa, int node, uint64_t block, pa_block_info_t *out);
/* Blocks of `node` of migratetype mt, and of those the wholly free ones. */
uint64_t pa_pageblocks_of(const pa_t *pa, int node, int mt, uint64_t *wholly_free);

#endif
