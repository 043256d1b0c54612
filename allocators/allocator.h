/*
 * allocator.h -- the interface every slab allocator implements.
 *
 * Owns: the contract between the simulator and an allocator core, the
 * registry of allocators by name, and what the allocators share (common.c,
 * as Linux's mm/slab_common.c).  An allocator instance lives for one run;
 * it sees the machine only through sim/kernel.h.  Every call below is made
 * on a simulated CPU (engine_current()) and is priced by the model, except
 * create(), which runs at boot on CPU 0, and the introspection calls
 * (cache_info, stats, queued_bytes), which are free and must not charge.
 */
#ifndef SLABSIM_ALLOCATOR_H
#define SLABSIM_ALLOCATOR_H

#include <pthread.h>
#include "kernel.h"
#include "mempool.h"

typedef struct kmem_cache kmem_cache_t;  /* each allocator defines its own */

/* kmem_cache_create flags (values are slabsim's own). */
enum {
	SLAB_HWCACHE_ALIGN    = 1u << 0,
	SLAB_CACHE_DMA        = 1u << 1,
	SLAB_DESTROY_BY_RCU   = 1u << 2,
	SLAB_RECLAIM_ACCOUNT  = 1u << 3,
	SLAB_PANIC            = 1u << 4,
	/* Not a creation flag: an allocator adds it to the flags it hands its
	 * layout rule when the cache has a constructor (the free pointer then
	 * goes behind the object, as for SLAB_DESTROY_BY_RCU). */
	__SLAB_CTOR           = 1u << 5,
	/* Linux 6.x flags (2.6.29 has neither).  The 2.6.29-era allocators
	 * ignore SLAB_ACCOUNT; the 2.6.29 SLUB honours SLAB_NO_MERGE, which the
	 * executor gives every cache with slab_ops (seed 001's ops replace the
	 * constructor, and a cache with a constructor is never merged). */
	SLAB_ACCOUNT          = 1u << 6,   /* memcg-accounted objects (merging: must match) */
	SLAB_NO_MERGE         = 1u << 7,   /* never merge with another cache */
};

/* A constructor (kmem_cache_create's ctor) as the simulator runs it: what
 * one call computes (charged to the "ctor" account) and the bytes of the
 * object it writes, from the start (priced stores).  A cache keeps its own
 * copy in a field `ctor` of its struct kmem_cache (NULL: no constructor),
 * where the original allocators keep the function pointer. */
typedef struct kmem_ctor {
	simtime_t cost;           /* picoseconds of compute a call */
	uint32_t bytes;           /* written from the object's start */
} kmem_ctor_t;

/* ---- slab_ops (seed 001, C): what a cache's owner lets the allocator do
 * with its objects.  Every callback runs on the simulated CPU doing the
 * defrag or vacate, with no allocator lock held.
 *
 * get_reference(obj): pin obj; false means the object is pinned by its
 *   owner and cannot be kicked.  Once it returned true, the owner must not
 *   free obj nor use its address until kick_object or put_reference.
 * put_reference(obj): drop a reference taken by get_reference without a
 *   kick (the allocator gave up on the slab); may be NULL.
 * kick_object(obj): KICK_RECLAIM -- the owner has forgotten obj and the
 *   allocator frees it; KICK_MOVE -- the allocator allocates a replacement
 *   from the same cache, copies the object (charged loads and stores),
 *   calls moved(old, new) and frees old; KICK_FAILED -- obj stays.
 * moved(old, new): the owner's handles to old must now name new.
 */
typedef enum kick_result {
	KICK_FAILED = 0,
	KICK_RECLAIM,
	KICK_MOVE,
} kick_result_t;

typedef struct slab_ops {
	bool (*get_reference)(void *ctx, kmem_cache_t *s, saddr_t obj);
	void (*put_reference)(void *ctx, kmem_cache_t *s, saddr_t obj);
	kick_result_t (*kick_object)(void *ctx, kmem_cache_t *s, saddr_t obj);
	void (*moved)(void *ctx, kmem_cache_t *s, saddr_t old, saddr_t new_obj);
} slab_ops_t;

/* get_reference on every object of objs[0..n), or on none: on a refusal
 * the references already taken are dropped again (seed 001's
 * all-or-nothing vacate). */
static inline bool slab_ops_reference_all(const slab_ops_t *ops, void *ctx, kmem_cache_t *s,
                                          const saddr_t *objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (ops->get_reference(ctx, s, objs[i]))
			continue;
		for (unsigned j = 0; ops->put_reference && j < i; j++)
			ops->put_reference(ctx, s, objs[j]);
		return false;
	}
	return true;
}

/* KICK_MOVE done by the allocator: copy the objsize bytes of old to its
 * replacement new_obj (charged loads and stores), then tell the owner. */
static inline void slab_ops_copy(const slab_ops_t *ops, void *ctx, kmem_cache_t *s,
                                 size_t objsize, saddr_t old, saddr_t new_obj)
{
	for (size_t off = 0; off < objsize; off += sizeof(uint64_t))
		kstore64(new_obj + off, kload64(old + off));
	if (ops->moved)
		ops->moved(ctx, s, old, new_obj);
}

/* Partial-slab occupancy histogram: bucket i counts the partial slabs with
 * inuse * DEFRAG_HIST_BUCKETS / objects == i (bucket 0: less than 10 %). */
#define DEFRAG_HIST_BUCKETS 10

/* What a defragmenting kmem_cache_shrink did (all nodes). */
typedef struct defrag_report {
	uint64_t slabs_before, slabs_after;     /* slabs the cache holds */
	uint64_t partial_before, partial_after; /* of which partial (cpu slabs flushed) */
	uint64_t slabs_freed;                   /* given back to the page allocator */
	uint64_t slabs_vacated;                 /* emptied by kicking objects */
	uint64_t objects_moved;                 /* KICK_MOVE */
	uint64_t objects_reclaimed;             /* KICK_RECLAIM */
	uint64_t vacate_failures;               /* sparse slabs left: pinned or no memory */
	uint64_t hist_before[DEFRAG_HIST_BUCKETS];
	uint64_t hist_after[DEFRAG_HIST_BUCKETS];
} defrag_report_t;

/* Host bookkeeping of one defrag pass: its report, and the sparse slabs
 * it could not vacate (not tried again). */
typedef struct defrag_pass {
	defrag_report_t *rep;
	GPtrArray *tried;
} defrag_pass_t;

typedef enum vacate_result {
	VACATE_OK = 0,      /* the page went back to the page allocator */
	VACATE_PINNED,      /* no ops, or get_reference or kick_object refused */
	VACATE_BUSY,        /* another CPU's cpu slab, or its slab lock is held */
	VACATE_NOMEM,       /* no replacement object could be allocated */
	VACATE_NOT_SLAB,    /* not a slab page of this allocator */
} vacate_result_t;

typedef struct tunable {
	const char *name;         /* key in [allocator.NAME] */
	long def;                 /* default */
	long min, max;
	const char *help;
} tunable_t;

/* One cache as /proc/slabinfo and results.json show it. */
typedef struct cache_info {
	const char *name;
	uint32_t object_size;     /* as asked */
	uint32_t size;            /* stride */
	uint32_t align;
	uint32_t objects_per_slab;
	uint32_t order;
	uint64_t slabs;           /* slabs the cache holds now */
	uint64_t active_slabs;    /* slabs with at least one object in use */
	uint64_t num_objs;        /* slabs * objects_per_slab */
	uint64_t active_objs;     /* objects in use (by the workload or parked in queues) */
	long limit, batchcount, sharedfactor;   /* SLAB tunables; 0 elsewhere */
	uint64_t sharedavail;
	/* The names created as aliases of this cache (SLUB's merging), in
	 * creation order, NULL-terminated; NULL if none. */
	const char *const *aliases;
} cache_info_t;

/* Receives allocator-specific counters, in a fixed order. */
typedef void (*stat_sink)(void *ctx, const char *name, uint64_t value);

/* Receives one counter of one CPU's share (kind "cpu", id the CPU) or one
 * node's ("node", id the node) of the allocator's counters. */
typedef void (*stat_split_sink)(void *ctx, const char *kind, int id, const char *name,
                                uint64_t value);

/* Receives, per kind of queue ("percpu", "shared", "alien", "remote", ...),
 * how many objects, and bytes of objects, the cache's queues of that kind
 * can hold when every one of them is full (summed over CPUs and nodes). */
typedef void (*queue_sink)(void *ctx, const char *kind, uint64_t objects, uint64_t bytes);

typedef struct allocator_ops {
	const char *name;
	const char *summary;
	const tunable_t *tunables;            /* NULL-name terminated */

	/* The checks of the tunables that one range cannot say (a value set,
	 * a bound that depends on another tunable or on the page size), on a
	 * machine of page_size-byte pages: NULL if `tun` (one value per
	 * tunable, in order) is valid, else a message (g_free it) about the
	 * tunable whose index goes to *bad.  Run when a scenario is loaded,
	 * after each value passed its range; NULL op: ranges only. */
	char *(*check_tunables)(const long *tun, int page_size, int *bad);

	/* Boot the allocator: kmalloc caches, bootstrap structures. `tun` holds
	 * one value per tunable, in order. */
	void *(*create)(const long *tun);
	void (*destroy)(void *a);

	/* The allocator's part of kmem_cache_create (name set, size > 0):
	 * the cache, or NULL if no slab can hold the object.  The argument
	 * checks and SLAB_PANIC are kmem_cache_create's (common.c).  ctor may
	 * be NULL (no constructor); the cache keeps a copy. */
	kmem_cache_t *(*cache_create)(void *a, const char *name, size_t size,
	                              size_t align, unsigned flags, const kmem_ctor_t *ctor);
	/* The largest object size cache_create takes (no flags, no
	 * alignment) on a machine with pages of 2^page_shift bytes: the
	 * original's own limit.  Pure: callable before boot, on the host. */
	size_t (*max_cache_size)(int page_shift);
	/* Per-cache tunables ([allocator.NAME.cache.CACHE] in a scenario),
	 * NULL-name terminated; NULL for an allocator without them.  The
	 * executor calls cache_tune (once per cache it names, after every
	 * workload cache is created, before any allocation) with one value
	 * per tunable; false refuses, saying why in *why (g_malloc'd). */
	const tunable_t *cache_tunables;
	bool (*cache_tune)(void *a, kmem_cache_t *s, const long *vals, char **why);
	saddr_t (*cache_alloc)(void *a, kmem_cache_t *s, gfp_t gfp, int node);
	void (*cache_free)(void *a, kmem_cache_t *s, saddr_t obj);
	saddr_t (*kmalloc)(void *a, size_t size, gfp_t gfp, int node);
	void (*kfree)(void *a, saddr_t obj);
	void (*shrink)(void *a, kmem_cache_t *s);

	/* What kmalloc(size) really hands out (bytes), for metadata accounting;
	 * sizes above the largest class are whole pages of the page order. */
	size_t (*kmalloc_size)(void *a, size_t size);

	/* Introspection, free of charge.  Caches are enumerated in creation
	 * order, kmalloc caches included. */
	int (*ncaches)(void *a);
	kmem_cache_t *(*cache_at)(void *a, int i);
	void (*cache_info)(void *a, kmem_cache_t *s, cache_info_t *out);
	uint64_t (*queued_bytes)(void *a);    /* free objects parked in queues */
	void (*stats)(void *a, stat_sink sink, void *ctx);
	/* stats() split by where the allocator keeps its counters: every CPU,
	 * then every node, each with every counter in stats' order (summed
	 * over caches); NULL when they are only global. */
	void (*stats_split)(void *a, stat_split_sink sink, void *ctx);
	/* Queue capacity of cache s; NULL for allocators without queues. */
	void (*queue_capacity)(void *a, kmem_cache_t *s, queue_sink sink, void *ctx);

	/* ---- slab defragmentation and targeted reclaim (seed 001) ----
	 * NULL in allocators that do not support them. */
	/* Attach ops (ctx passed back to each callback) to cache s; ops NULL
	 * detaches.  A cache without ops pins every slab it has objects in. */
	void (*cache_set_ops)(void *a, kmem_cache_t *s, const slab_ops_t *ops, void *ctx);
	/* kmem_cache_shrink with defragmentation: kick the objects out of the
	 * sparsest partial slabs while a node has more than keep_partial
	 * partial slabs (-1: the allocator's default) and the others can take
	 * them; fills *out.  The plain shrink op does the same with the
	 * default when the cache has ops. */
	void (*defrag)(void *a, kmem_cache_t *s, int keep_partial, defrag_report_t *out);
	/* kmem_cache_vacate: empty the slab page `page` (a slab head page) by
	 * kicking every object; *moved (may be NULL) gets the objects moved or
	 * reclaimed.  Never frees or moves anything unless it can empty the
	 * page, except when a replacement allocation fails (VACATE_NOMEM). */
	vacate_result_t (*vacate)(void *a, page_t *page, uint32_t *moved);

	/* ---- critical mempool backing (seed 004, Dobson) ----
	 * Attach the page pool `pool` (NULL: detach) to cache s: a request
	 * with __GFP_CRITICAL whose slab growth fails in the page allocator
	 * builds the slab on a page of the pool's reserve, if the cache's slab
	 * order is the pool's.  flags: SLAB_MEMPOOL_RETURN, _EXCLUSIVE.
	 * NULL in allocators that do not support it. */
	void (*cache_set_mempool)(void *a, kmem_cache_t *s, mempool_t *pool, unsigned flags);

	/* Allocations and frees so far that took the fast path ([0]: only
	 * the CPU's own structures) and the slow path ([1]), from the
	 * allocator's counters; free of charge.  NULL for an allocator
	 * without a fast path (SLOB). */
	void (*path_split)(void *a, uint64_t alloc[2], uint64_t free[2]);

	/* ---- per-CPU sheaves (Linux 6.18, kmem_cache_args.sheaf_capacity) ----
	 * Give cache s, created with SLAB_NO_MERGE and not yet used, sheaves of
	 * `capacity` objects (0: none).  NULL for allocators without sheaves. */
	void (*cache_set_sheaves)(void *a, kmem_cache_t *s, unsigned capacity);
	/* kfree_rcu(obj) as 6.18's kfree_rcu_sheaf: true if the allocator took
	 * obj, to give it back after a grace period itself; false (or a NULL
	 * op): the caller queues it with call_rcu. */
	bool (*free_rcu)(void *a, saddr_t obj);

	/* Structural self-check, free of charge, between operations (tests
	 * after randomised sequences; every run of the sanitizer build, and
	 * `run --audit`): the allocator's lists, counts and freelists must
	 * agree with each other, else the run stops in kbug() naming the
	 * first disagreement.  NULL for an allocator without one. */
	void (*audit)(void *a);
} allocator_ops_t;

/* A critical request (seed 004): the subsystem's kmem_cache_alloc_mempool.
 * Above the page allocator's bits, which ignore it. */
enum { __GFP_CRITICAL = 1u << 16 };

/* kmalloc(..., __GFP_ACCOUNT) (Linux 5.14+): the memcg-accounted
 * kmalloc-cg-N caches in allocators that have them; the others ignore it
 * (their kmalloc-N serve it).  Above the page allocator's bits. */
enum { __GFP_ACCOUNT = 1u << 17 };

/* cache_set_mempool flags: Dobson's planned fixes. */
enum {
	SLAB_MEMPOOL_RETURN    = 1u << 0,  /* an emptied reserve-page slab goes back to its pool */
	SLAB_MEMPOOL_EXCLUSIVE = 1u << 1,  /* non-critical requests never use reserve-page slabs */
};

/* ---- cache creation: KMEM_CACHE and the legacy kmem_cache_create (seed 001, D, E) ----
 *
 * SLAB_HWCACHE_ALIGN as 2.6.2x's calculate_alignment: start from the cache
 * line and halve it while the object fits in half of it, so only objects
 * larger than half a line are line aligned (64-byte lines: 24 -> 32,
 * 32 -> 32, 40 -> 64, 100 -> 64).  Returns max(align, that); without the
 * flag, align.  Each allocator still applies its own minimum alignment. */
static inline size_t slab_calculate_alignment(unsigned flags, size_t align,
                                              size_t size, size_t line)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		size_t ralign = line;

		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	return align;
}

/* The modelled architecture's smallest object alignments (LP64). */
#define ARCH_SLAB_MINALIGN      8              /* __alignof__(unsigned long long) */
#define ARCH_KMALLOC_MINALIGN   8              /* __alignof__(unsigned long) */

/* SLUB's and SLQB's calculate_alignment: the SLAB_HWCACHE_ALIGN rule, at
 * least ARCH_SLAB_MINALIGN, rounded up to a multiple of the word. */
static inline size_t slab_word_alignment(unsigned flags, size_t align, size_t size, size_t line)
{
	align = slab_calculate_alignment(flags, align, size, line);
	if (align < ARCH_SLAB_MINALIGN)
		align = ARCH_SLAB_MINALIGN;
	return (align + sizeof(uint64_t) - 1) & ~(sizeof(uint64_t) - 1);
}

/* The legacy kmem_cache_create emulation: the only creator that
 * understands SLAB_HWCACHE_ALIGN; it turns the flag into an alignment, so
 * the allocator never sees it.  Like every creator it refuses a cache
 * without a name or of size 0 (NULL), and stops the run when a cache
 * created with SLAB_PANIC cannot be made. */
kmem_cache_t *kmem_cache_create_legacy(const allocator_ops_t *ops, void *a, const char *name,
                                       size_t size, size_t align, unsigned flags,
                                       const kmem_ctor_t *ctor);

/* __kmem_cache_create behind KMEM_CACHE: name, size and alignment come from
 * the declaration; SLAB_HWCACHE_ALIGN has no meaning here and is dropped.
 * Checks and SLAB_PANIC as kmem_cache_create_legacy. */
kmem_cache_t *kmem_cache_create_decl(const allocator_ops_t *ops, void *a, const char *name,
                                     size_t size, size_t align, unsigned flags,
                                     const kmem_ctor_t *ctor);

/* KMEM_CACHE(ops, a, foo, flags): a cache of struct foo named "foo". */
#define KMEM_CACHE(ops, a, __struct, flags) \
	kmem_cache_create_decl((ops), (a), #__struct, sizeof(struct __struct), \
	                       __alignof__(struct __struct), (flags), NULL)

/* ---- what the allocators share (common.c, as Linux's mm/slab_common.c) ---- */

/* The largest block of the page allocator, PAGE_SIZE << (MAX_ORDER - 1):
 * the max_cache_size of allocators that take any slab order the page
 * allocator can give (SLUB, SLQB, the Slabifier) or pass big objects to it
 * (SLOB). */
size_t slab_max_order_size(int page_shift);

/* What kmalloc(0) returns: an address no object has; kfree ignores it. */
#define ZERO_SIZE_PTR           ((saddr_t)16)

/* The end of every cache creation: s; but if `allocator` could not make
 * the cache `name` (s NULL) and flags hold SLAB_PANIC, the run stops.
 * Boot caches, which an allocator cannot do without, pass SLAB_PANIC. */
kmem_cache_t *slab_check_created(const char *allocator, const char *name, unsigned flags,
                                 kmem_cache_t *s);

/* ---- cache merging: the names merged into a cache (host bookkeeping) ---- */

/* An empty list of alias names (NULL-terminated, as cache_info shows it). */
GPtrArray *slab_aliases_new(void);
/* `name` was merged into the cache owning the list: append a copy. */
void slab_alias_add(GPtrArray *aliases, const char *name);
/* The list as cache_info's aliases: NULL when empty. */
const char *const *slab_aliases(const GPtrArray *aliases);

/* Free each cache of an allocator's list with free_cache, then the list
 * (host side, at destroy). */
void slab_caches_free(GPtrArray *caches, void (*free_cache)(kmem_cache_t *s));

/* Allocations name an online node or -1 (any); on any other node the run
 * stops, blaming `allocator`. */
void slab_check_node(const char *allocator, int node);

/* ---- constructors, __GFP_ZERO, slab page accounting ---- */

/* A cache's own copy of ctor (NULL stays NULL); g_free it with the cache. */
kmem_ctor_t *slab_ctor_dup(const kmem_ctor_t *ctor);
/* The constructor run on obj: its stores, then its compute. */
void slab_run_ctor(const kmem_ctor_t *ctor, saddr_t obj);
/* The constructor run on the n objects of a new slab, from start on,
 * stride bytes apart (SLAB's, SLUB's, SLQB's and the Slabifier's
 * setup_object / cache_init_objs). */
void slab_run_ctor_all(const kmem_ctor_t *ctor, saddr_t start, unsigned stride, unsigned n);
/* __GFP_ZERO: memset(obj, 0, size), a charged store, when gfp asks for it
 * and obj is not NULL. */
void slab_zero(gfp_t gfp, saddr_t obj, size_t size);
/* NR_SLAB_RECLAIMABLE (a SLAB_RECLAIM_ACCOUNT cache) or
 * NR_SLAB_UNRECLAIMABLE of page's zone moves by `pages` (negative when a
 * slab's pages go back): mod_zone_page_state, as SLAB's kmem_getpages and
 * kmem_freepages, SLUB's and SLQB's allocate_slab and __free_slab do. */
void slab_account_pages(const page_t *page, unsigned flags, long pages);

/* The pages a slab leaves when it is gone (SLUB's, SLQB's and the
 * Slabifier's __free_slab). */
typedef struct slab_pages {
	page_t *page;
	unsigned order;
	unsigned flags;           /* the cache's (SLAB_RECLAIM_ACCOUNT, SLAB_DESTROY_BY_RCU) */
	mempool_t *pool;          /* the critical pool they go back to, or NULL */
} slab_pages_t;

/* free_slab: the pages leave NR_SLAB_* and go to their pool or the page
 * allocator, at once, or for a SLAB_DESTROY_BY_RCU cache from an RCU
 * callback after a grace period (the rcu_head at `head`, where the
 * allocator's struct page keeps it). */
void slab_free_pages(const slab_pages_t *sp, saddr_t head);

/* ---- debug bitmaps of handed-out objects (a bit an object) ---- */

/* Bytes of a bitmap for `objects` objects. */
size_t slab_map_bytes(unsigned objects);
/* Object i (at x) of cache `name` leaves the allocator: its bit is set;
 * set already, the freelist handed it out twice and the run stops. */
void slab_map_alloc(uint8_t *map, unsigned i, const char *name, saddr_t x);
/* Object i (at x) comes back: its bit is cleared; clear already, it is
 * a double free and the run stops. */
void slab_map_free(uint8_t *map, unsigned i, const char *name, saddr_t x);

/* ---- freelist slabs: host records and debug checks (SLUB, the Slabifier) ----
 *
 * A freelist slab is a page (compound if order > 0) whose objects start at
 * its address, one every `size` bytes, the free ones chained through a
 * free pointer at `offset` in the object.  Each has a host record
 * (page->priv): its objects, those callers hold and, with debug, the
 * bitmap of those handed out.  A cache's side (slab_objs_t, in its struct
 * kmem_cache) lists the records, which count the objects in use.  All
 * of it is free of charge but the free pointers, which are loaded and
 * stored in simulated memory.  The allocator owns page->lock while the
 * page is a slab.  On host threads (the native backend) the records are
 * shared: the list is under recs_lock (a host lock, never priced nor
 * counted: slab creation and destruction only), and a record's count of
 * objects held moves atomically (kernel.h's khost_add32).
 *
 * A new slab's free pointers (each object naming the next) are priced as
 * the stores they are, but in a simulation kept host-side until an
 * object's own pointer is first stored: until then its bit in `synth` is
 * set and a load of it yields the next object.  So a fresh slab's
 * simulated memory costs no host memory until its objects come back to
 * it.  On host threads they are stored for real, as the kernel does
 * (what the native backend measures), and no bit is set. */
typedef struct slab_rec {
	klist_t link;           /* on the cache's recs */
	page_t *page;
	uint32_t objects;       /* in the slab */
	uint32_t live;          /* held by callers */
	mempool_t *pool;        /* built on a page of this pool's reserve (seed 004), or NULL */
	uint32_t nsynth;        /* bits set in synth */
	uint8_t *synth;         /* bit set: free pointer not stored yet (the next object) */
	uint8_t map[];          /* debug only: bit set = handed out; then synth's bits */
} slab_rec_t;

/* The cache side, embedded in the allocator's struct kmem_cache. */
typedef struct slab_objs {
	const void *cache;      /* the struct kmem_cache (page->slab of its slabs) */
	const char *name;       /* its name, for reports */
	unsigned size;          /* object stride */
	unsigned offset;        /* free pointer offset in an object */
	bool debug;             /* bitmap and pointer checks */
	klist_t recs;           /* slab_rec_t of every slab */
	pthread_mutex_t recs_lock;
} slab_objs_t;

/* The record of the slab on page. */
static inline slab_rec_t *slab_rec(const page_t *page)
{
	return page->priv;
}

/* Set up the cache side for `cache` named `name`. */
void slab_objs_init(slab_objs_t *o, const void *cache, const char *name, unsigned size,
                    unsigned offset, bool debug);
/* Drop every record and release the slabs' page locks (host side only:
 * the pages stay with the run). */
void slab_objs_release(slab_objs_t *o);
/* Objects held by callers, and slabs holding any (free of charge). */
void slab_objs_active(slab_objs_t *o, uint64_t *objs, uint64_t *slabs);
/* A new slab of `objects` objects on page, whose free pointers
 * slab_init_objects() made: its record, as page->priv, every pointer
 * still host-side in a simulation. */
void slab_rec_new(slab_objs_t *o, page_t *page, unsigned objects);
/* The slab on page is gone: so is its record (of o's). */
void slab_rec_free(slab_objs_t *o, page_t *page);
/* The index of object x of page's slab. */
unsigned slab_object_index(const slab_objs_t *o, const page_t *page, saddr_t x);
/* The free pointer of `object` (on page), a charged load; with debug, one
 * that leaves the slab stops the run (freelist corrupted). */
saddr_t slab_get_freepointer(const slab_objs_t *o, const page_t *page, saddr_t object);
/* Store fp as object's free pointer, a charged store. */
void slab_set_freepointer(const slab_objs_t *o, saddr_t object, saddr_t fp);
/* Object x of page's slab leaves the allocator. */
void slab_note_alloc(slab_objs_t *o, page_t *page, saddr_t x);
/* With debug, x (page: its head page, or NULL) must be an object of the
 * cache that is handed out: a foreign pointer or a double free stops the
 * run. */
void slab_check_free(const slab_objs_t *o, page_t *page, saddr_t x);
/* An object of page's slab came back. */
void slab_note_free(slab_objs_t *o, page_t *page);
/* Chain the `objects` objects of a new slab on page in address order
 * (charged stores) as page->freelist; none in use. */
void slab_init_objects(const slab_objs_t *o, page_t *page, unsigned objects);
/* The objects of page's slab that are in use, in address order: those not
 * on page->freelist, which is walked (the struct page read and each free
 * pointer loaded, charged; the caller holds the slab lock).  Fills objs[]
 * and returns how many. */
unsigned slab_objects_in_use(const slab_objs_t *o, page_t *page, saddr_t *objs);

/* Objects on the freelist of page's slab that starts at head, counted
 * free of charge (kpeek64, or the next object for a pointer still
 * host-side) for an audit; UINT_MAX if a free pointer leaves
 * the slab or the chain is longer than the slab (a cycle). */
unsigned slab_freelist_count(const slab_objs_t *o, const page_t *page, saddr_t head);

/* The (head) struct page of the object at x, read (charged); NULL if x is
 * not RAM. */
page_t *slab_object_page(saddr_t x);
/* Append the pages chained on b (through page->lru) at the tail of the
 * list head, pricing the struct pages whose links change. */
void slab_lru_splice_tail(klist_t *head, klist_t *b);

/* ---- critical mempool backing (seed 004), what the allocators share ---- */

/* Dobson's kmem_getpages with a pool: the pages of a slab from
 * mempool_alloc_node (the page allocator first, then the reserve);
 * *from is the pool if they came from its reserve, else NULL.  NULL if
 * neither has a page. */
page_t *slab_mempool_pages(mempool_t *pool, gfp_t gfp, int node, mempool_t **from);

/* The pool a freelist slab's reserve page came from (Dobson's planned
 * pointer, in the slab's record), or NULL. */
static inline mempool_t *slab_rec_pool(const page_t *page)
{
	return slab_rec(page)->pool;
}

/* A reserve slab (freelist slabs) of a cache whose pool flags hold `flag`
 * (SLAB_MEMPOOL_RETURN, SLAB_MEMPOOL_EXCLUSIVE). */
static inline bool slab_rec_pool_flag(unsigned pool_flags, unsigned flag, const page_t *page)
{
	return (pool_flags & flag) && slab_rec_pool(page);
}

/* A cache's pool is detached: its slabs' records forget it (host work). */
void slab_objs_forget_pool(slab_objs_t *o);

/* ---- kmalloc size classes: SLUB 2.6.29's, which the Slabifier uses too;
 * SLQB shares the numbering.  kmalloc_caches[] index 1 is kmalloc-96, 2
 * kmalloc-192, n >= KMALLOC_SHIFT_LOW kmalloc-2^n. */
#define KMALLOC_SHIFT_LOW       3              /* kmalloc-8 */

/* The index of kmalloc(size), 0 < size <= 2 * PAGE_SIZE. */
int kmalloc_index(size_t size);
/* The object size of kmalloc_caches[index]. */
size_t kmalloc_index_size(int index);
/* A kmalloc above the largest class: whole compound pages on `node`, 0 if
 * the page allocator has none. */
saddr_t kmalloc_large(size_t size, gfp_t gfp, int node);
/* An allocator_ops kmalloc_size for these classes up to PAGE_SIZE and
 * whole pages above. */
size_t kmalloc_class_size(void *a, size_t size);

/* An allocator's slab_alloc, and its kmem_cache_free of x on page. */
typedef saddr_t (*slab_alloc_fn)(kmem_cache_t *s, gfp_t gfp, int node);
typedef void (*slab_free_fn)(kmem_cache_t *s, page_t *page, saddr_t x);
/* kmalloc_node with these classes: ZERO_SIZE_PTR for size 0, kmalloc_large
 * above PAGE_SIZE, else an object of caches[kmalloc_index(size)] from
 * alloc. */
saddr_t kmalloc_classes(kmem_cache_t *const *caches, slab_alloc_fn alloc, size_t size,
                        gfp_t gfp, int node);
/* kmalloc_classes with the classes up to max_size bytes (a power of two,
 * SLUB's SLUB_MAX_SIZE) instead of PAGE_SIZE: kmalloc_large above it. */
saddr_t kmalloc_classes_upto(kmem_cache_t *const *caches, slab_alloc_fn alloc, size_t max_size,
                             size_t size, gfp_t gfp, int node);
/* kmalloc_class_size with the classes up to max_size bytes, whole pages
 * above. */
size_t kmalloc_class_size_upto(size_t max_size, size_t size);
/* kfree for these classes over freelist slabs: ZERO_SIZE_PTR is ignored, a
 * page of kmalloc_large goes back to the page allocator, an object to its
 * cache through cache_free.  With debug, anything else stops the run. */
void kfree_classes(saddr_t x, bool debug, slab_free_fn cache_free);
/* kfree_classes for classes up to max_size: below PAGE_SIZE an order-0
 * page of kmalloc_large (not compound) is taken back too. */
void kfree_classes_upto(saddr_t x, bool debug, slab_free_fn cache_free, size_t max_size);

/* ---- boot and shutdown ---- */

/* Boot allocator ops on the running CPU with one value per tunable; its
 * kmalloc rounds the kernel's metadata from then on. */
void *allocator_boot(const allocator_ops_t *ops, const long *tunables);
/* Destroy an instance allocator_boot made; metadata is exact again. */
void allocator_shutdown(const allocator_ops_t *ops, void *a);

const allocator_ops_t *allocator_find(const char *name);
/* All allocators, NULL-terminated, in the order `slabsim list` shows them. */
extern const allocator_ops_t *const allocator_table[];

#endif
