/*
 * slub.c -- SLUB as in Linux 2.6.29 (reference: kernel-params.md section B).
 *
 * Design.  A slab is a page (compound if order > 0) whose struct page holds
 * the slab state: freelist, inuse, objects, the owning cache, PG_slab and
 * PG_frozen.  Free objects are chained through a free pointer stored in the
 * object itself, in simulated memory (the freelist slabs of allocator.h).
 * Each CPU owns one cpu slab per cache (frozen, on no list) whose whole
 * freelist it has moved to c->freelist: allocations and frees of its
 * objects on that CPU use c->freelist with irqs off and no lock.  Every other free goes to
 * page->freelist under slab_lock.  Each node keeps a list of partial slabs;
 * full slabs are on no list; a slab that becomes empty on free goes back to
 * the page allocator at once, one that is empty at deactivation is kept
 * while the node has fewer than min_partial partial slabs.  No queues, no
 * timers: kmem_cache_shrink is the only reclaim.  kmalloc above
 * SLUB_MAX_SIZE (PAGE_SIZE in 2.6.29; the slub_max_size tunable) goes to
 * the page allocator as a compound page (kmalloc_large).
 *
 * Defragmentation and targeted reclaim (seed 001, the 2007 RFC "Slab
 * Defrag / Slab Targeted Reclaim"; docs/defrag.md).  A cache may carry
 * slab_ops (get_reference, put_reference, kick_object, moved).  To vacate
 * a slab, SLUB takes it off its list and freezes it (no CPU can allocate
 * from it), lists its objects in use by walking page->freelist, takes a
 * reference on every one (all or none), then kicks each: reclaimed objects
 * are freed, moved ones get a replacement from slab_alloc on the slab's
 * node, a charged copy, moved() and a free of the old object (the
 * FREE_FROZEN path).  An empty slab is discarded; otherwise it is
 * unfrozen as at deactivation.  kmem_cache_shrink of a cache with ops
 * then vacates, per node, the sparsest partial slabs while more than
 * min_partial are partial (the seed keeps "a few" without a number) and
 * the other partial slabs and this CPU's cpu slab have room for the
 * candidate's objects; the cpu slab the moves filled is given back at the
 * end.  kmem_cache_vacate(page) does one slab.  SLAB_RECLAIM_ACCOUNT caches
 * allocate their slabs __GFP_RECLAIMABLE (reclaimable page blocks).
 *
 * Critical mempool backing (seed 004, Dobson's "[patch 9/9] slab -
 * Implement single mempool backing for slab allocator"; docs/mempool.md).
 * A cache may carry a page pool (cache_set_mempool).  A __GFP_CRITICAL
 * request that grows the cache, when the cache's order is the pool's, gets
 * its page from mempool_alloc_node (the page allocator first, then the
 * reserve), as the patch's kmem_getpages.  A slab built on a reserve page
 * remembers its pool (Dobson's planned pointer in struct slab, here in the
 * host record, priced with the struct page).  As posted, such a slab is an
 * ordinary slab: it becomes the cpu slab or a partial slab that every
 * request uses (objects handed to non-critical requests count as leaked),
 * and when it empties its page goes to the page allocator.  The planned
 * fixes are attach flags: SLAB_MEMPOOL_RETURN gives an emptied reserve
 * slab to mempool_free (never kept as a spare empty partial slab);
 * SLAB_MEMPOOL_EXCLUSIVE keeps reserve slabs off the cpu slabs and the
 * partial lists, on a per-node pool list that only critical requests use,
 * after the partial list and before growing.
 *
 * Kernel features: new_slab counts the slab's pages in
 * NR_SLAB_(UN)RECLAIMABLE (allocate_slab's mod_zone_page_state) and runs
 * the constructor on every object (setup_object); a cache with a
 * constructor, like a SLAB_DESTROY_BY_RCU one, keeps the free pointer
 * behind the object (calculate_sizes: stride + 8); slab_alloc clears
 * objsize bytes for __GFP_ZERO; free_slab of a SLAB_DESTROY_BY_RCU cache
 * frees the pages (__free_slab: the count, then the pages) from an RCU
 * callback, the rcu_head overlaying page->lru.
 *
 * Lock order: slab_lock (bit spinlock in page->flags, "slub.slab_lock")
 * before n->list_lock ("slub.list_lock") before mempool.lock (taken inside
 * mempool_alloc_node / mempool_free only).  The pool list of a node is
 * guarded by its list_lock.  Walkers of a partial list hold
 * list_lock and only slab_trylock the pages.  SLUB owns page->lock while
 * the page is a slab: new_slab initialises it (PG_locked is clear on a new
 * page), discard_slab and destroy release its wait queue.  The slab_ops
 * callbacks run with no lock held and irqs on; a slab being vacated is
 * frozen by the vacating CPU, which holds no lock across the kicks.
 *
 * Pricing: every load and store the kernel code makes is priced -- the free
 * pointers in the objects (kload64/kstore64), struct page, kmem_cache_cpu,
 * kmem_cache_node and the s->cpu_slab[] / s->node[] pointers (ktouch at the
 * addresses their metadata accounting returned).  The SLUB_STATS counters
 * and the debug checks are host bookkeeping and cost nothing.
 *
 * Merging (kmem_cache_create, find_mergeable): a new cache whose slot
 * (ALIGN(size, 8) aligned) an existing cache's slot holds with less than a
 * word to spare, with the same RECLAIM_ACCOUNT and CACHE_DMA flags and
 * neither side DESTROY_BY_RCU, NO_MERGE or constructed, becomes an alias of
 * the newest such cache: the same kmem_cache, refcount + 1, object size
 * the largest asked; kmem_cache_node is never merged into.  cache_info
 * lists the aliases; ncaches counts only the caches, as /proc/slabinfo.
 *
 * Metadata (owner: the cache name): user caches kmalloc kmem_size =
 * offsetof(cpu_slab) + 8 * nr_cpu_ids ("kmem_cache"); the boot caches live
 * in the static kmalloc_caches[] array, a whole struct kmem_cache each
 * (NR_CPUS and MAX_NUMNODES slots).  One kmem_cache_node per node except the
 * one embedded in kmem_cache; one kmem_cache_cpu per CPU, from a static
 * pool of 100 per CPU, then kmalloc_node(ALIGN(32, cache line)).
 *
 * Deviations from 2.6.29:
 *  - kmem_cache_node structs are accounted as 72 B of metadata instead of
 *    being objects of the "kmem_cache_node" slab cache (which exists, as
 *    index 0, but stays empty; no boot-time slab per node either).
 *  - Cache merging follows find_mergeable (slub_nomerge turns it off); a
 *    merged name's sysfs symlink and the kmem_cache_cpu
 *    objsize update of online CPUs are priced as stores, the alias list is
 *    host bookkeeping.  No DMA caches, no sysfs, no SLUB_DEBUG object
 *    layout (red zones, poison, tracking).
 *  - __GFP_WAIT does not exist here: irqs stay off across new_slab, so the
 *    "cpu slab appeared while irqs were on" flush of __slab_alloc cannot
 *    happen and is not modelled.
 *  - A cache whose calculate_order result is not a valid page order, or
 *    whose slab would hold more than 65535 objects, is refused at creation
 *    (the kernel would create it and fail every allocation).
 *  - The zonelist get_any_partial walks is the page allocator's: the node
 *    itself, then the others by SLIT distance, ties by node id.
 *  - The transient slabs_by_inuse array of kmem_cache_shrink is not
 *    accounted as metadata, nor are the scratch arrays of a vacate.
 *  - Defrag and vacate are from the 2007 RFC (2.6.22-rc era), not 2.6.29;
 *    the room check before vacating a partial slab reads the cpu slab's
 *    free objects from host bookkeeping (objects - live) instead of
 *    walking c->freelist.
 *  - The pool list of exclusive reserve slabs (seed 004) is priced at
 *    offset 56 of kmem_cache_node, where CONFIG_SLUB_DEBUG's full list
 *    lives (not modelled otherwise); a critical request searches it on
 *    its own node only.  Reserve slabs of an exclusive pool are not
 *    vacated (VACATE_PINNED).
 *  - debug=1 adds simulator checks (not SLUB_DEBUG): foreign pointers,
 *    double frees and corrupted free pointers.  Double frees are found with
 *    a host bitmap of allocated objects per slab, O(1) per free, rather
 *    than by walking the freelists.
 */
#include <limits.h>
#include "allocator.h"
#include "slub.h"

#define SLUB_ALIGN(x, a)        (((x) + (a) - 1) & ~((unsigned long)(a) - 1))

#define MAX_ORDER               PA_MAX_ORDER   /* 11 */
#define MAX_OBJS_PER_PAGE       65535          /* page->objects is a u16 */
#define MIN_PARTIAL             5
#define MAX_PARTIAL             10
#define NR_KMEM_CACHE_CPU       100            /* static kmem_cache_cpu per CPU */

/* Modelled LP64 layouts (2.6.29, CONFIG_SLUB_DEBUG, NUMA, SMP). */
#define KMEM_CACHE_CPU_SIZE     32             /* freelist, page, node, offset, objsize */
#define KMEM_CACHE_NODE_SIZE    72
#define KC_LOCAL_NODE           24             /* offsetof(struct kmem_cache, local_node) */
#define KC_REFCOUNT             124            /* ... refcount, then ctor */
#define KC_LIST                 152            /* ... list (slab_caches) */
#define KC_DEFRAG_RATIO         232            /* ... remote_node_defrag_ratio */
#define KCC_OBJSIZE             24             /* offsetof(struct kmem_cache_cpu, objsize) */
#define KC_NODE                 240            /* ... node[MAX_NUMNODES] */
#define KN_NR_PARTIAL           8              /* offsetof(struct kmem_cache_node, nr_partial) */
#define KN_LISTS_END            40             /* nr_partial, min_partial, partial */
#define KN_NR_SLABS             40
#define KN_TOTAL_OBJECTS        48
#define KN_POOL_LIST            56             /* the full list's slot: pool list */
#define KN_POOL_LIST_SIZE       16
#define PAGE_LRU                40             /* offsetof(struct page, lru): the rcu_head */

enum stat_item {
	ALLOC_FASTPATH, ALLOC_SLOWPATH, FREE_FASTPATH, FREE_SLOWPATH,
	FREE_FROZEN, FREE_ADD_PARTIAL, FREE_REMOVE_PARTIAL, ALLOC_FROM_PARTIAL,
	ALLOC_SLAB, ALLOC_REFILL, FREE_SLAB, CPUSLAB_FLUSH, DEACTIVATE_FULL,
	DEACTIVATE_EMPTY, DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL,
	DEACTIVATE_REMOTE_FREES, ORDER_FALLBACK, NR_SLUB_STAT_ITEMS
};

static const char *const stat_names[NR_SLUB_STAT_ITEMS] = {
	"alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath",
	"free_frozen", "free_add_partial", "free_remove_partial",
	"alloc_from_partial", "alloc_slab", "alloc_refill", "free_slab",
	"cpuslab_flush", "deactivate_full", "deactivate_empty",
	"deactivate_to_head", "deactivate_to_tail", "deactivate_remote_frees",
	"order_fallback",
};

/* The inputs of calculate_sizes(). */
typedef struct slub_geom {
	int page_shift;
	int cache_line;
	int nr_cpu_ids;
	long min_order, max_order, min_objects;
} slub_geom_t;

typedef struct kmem_oo {
	unsigned order;
	unsigned objects;
} kmem_oo_t;

/* What calculate_sizes() decides. */
typedef struct slub_layout {
	unsigned size;          /* stride */
	unsigned offset;        /* free pointer offset */
	unsigned align;
	kmem_oo_t oo;           /* preferred order and its objects */
	kmem_oo_t min;          /* fallback: get_order(size) */
} slub_layout_t;

struct kmem_cache_cpu {
	saddr_t freelist;       /* objects of page this CPU may take lock-free */
	page_t *page;           /* the cpu slab */
	int node;               /* page's node */
	saddr_t addr;           /* simulated address of the struct */
} KPCPU_HOST;

struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	unsigned long min_partial;
	klist_t partial;
	uint64_t nr_slabs;      /* CONFIG_SLUB_DEBUG counters */
	uint64_t total_objects;
	klist_t pool_partial;   /* exclusive reserve slabs with free objects */
	unsigned long nr_pool_partial;
	saddr_t addr;
};

typedef struct slub slub_t;

struct kmem_cache {
	slub_t *sl;
	char *name;
	unsigned flags;
	size_t objsize;
	unsigned align;
	slab_objs_t objs;               /* stride, free pointer, slab records */
	kmem_oo_t oo, min;
	gfp_t allocflags;
	int remote_node_defrag_ratio;
	saddr_t addr;                   /* the struct kmem_cache */
	struct kmem_cache_node *node;   /* [nr_node_ids] */
	struct kmem_cache_cpu *cpu_slab;        /* [nr_cpu_ids] */
	uint64_t discarded;             /* slabs given back, ever */
	const slab_ops_t *ops;          /* slab_ops (seed 001), or NULL */
	void *ops_ctx;
	mempool_t *pool;                /* critical page pool (seed 004), or NULL */
	unsigned pool_flags;            /* SLAB_MEMPOOL_* */
	int refcount;                   /* names using it; -1: never merged into */
	GPtrArray *aliases;             /* names merged into it, NULL-terminated */
	kmem_ctor_t *ctor;              /* the constructor, or NULL */
};

struct slub {
	slub_geom_t geom;
	int defrag_ratio;
	bool nomerge;                   /* slub_nomerge */
	bool debug;
	bool booted;                    /* create() is done: caches are kmalloc'd */
	int ncpus, nnodes;
	unsigned cpu_slab_off;          /* offsetof(struct kmem_cache, cpu_slab) */
	GPtrArray *caches;              /* creation order */
	kmem_cache_t **kmalloc_caches;  /* [kmalloc_shift(max_size) + 1] */
	int pcpu_slots;                 /* static kmem_cache_cpu slots used, per CPU */
	size_t max_size;                /* SLUB_MAX_SIZE: larger kmallocs go to the page allocator */
	lock_class_t *slab_lock_cls, *list_lock_cls;
	kcounters_t *stat;              /* [NR_SLUB_STAT_ITEMS] per CPU */
};

/* ---- geometry (calculate_sizes, calculate_order) ---- */

/* The smallest order from slub_min_order up to max_order that holds
 * min_objects and wastes at most 1/fract of the slab; max_order + 1 if
 * none does. */
static long slab_order(const slub_geom_t *g, unsigned long size,
                       unsigned long min_objects, long max_order, int fract)
{
	unsigned long page = 1UL << g->page_shift;
	long order;

	if ((page << g->min_order) / size > MAX_OBJS_PER_PAGE)
		return get_order(size * MAX_OBJS_PER_PAGE, g->page_shift) - 1;
	order = MAX(g->min_order, fls_long(min_objects * size - 1) - g->page_shift);
	for (; order <= max_order; order++) {
		unsigned long slab_size = page << order;

		if (slab_size < min_objects * size)
			continue;
		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

/* Halve min_objects while relaxing the waste bound 1/16, 1/8, 1/4; then one
 * object with any waste up to slub_max_order, then up to MAX_ORDER. */
static long calculate_order(const slub_geom_t *g, unsigned long size)
{
	unsigned long min_objects = g->min_objects;
	long order;

	if (!min_objects)
		min_objects = 4 * (fls_long(g->nr_cpu_ids) + 1);
	for (; min_objects > 1; min_objects /= 2) {
		for (int fract = 16; fract >= 4; fract /= 2) {
			order = slab_order(g, size, min_objects, g->max_order, fract);
			if (order <= g->max_order)
				return order;
		}
	}
	order = slab_order(g, size, 1, g->max_order, 1);
	if (order <= g->max_order)
		return order;
	order = slab_order(g, size, 1, MAX_ORDER, 1);
	return order <= MAX_ORDER ? order : -1;
}

static kmem_oo_t oo_make(unsigned order, unsigned size, int page_shift)
{
	return (kmem_oo_t){ order, (unsigned)((1UL << (page_shift + order)) / size) };
}

/* Fill *l for an object of objsize, in slabs of forced_order if >= 0 (as
 * sysfs order_store asks), else of calculate_order's; false if no slab can
 * hold it. */
static bool calculate_sizes(const slub_geom_t *g, size_t objsize, size_t align,
                            unsigned flags, long forced_order, slub_layout_t *l)
{
	unsigned long size = SLUB_ALIGN(objsize, sizeof(uint64_t));
	long order;

	if (!objsize)
		return false;
	l->offset = 0;
	if (flags & (SLAB_DESTROY_BY_RCU | __SLAB_CTOR)) {
		l->offset = size;               /* the object must survive a free */
		size += sizeof(uint64_t);
	}
	l->align = (unsigned)slab_word_alignment(flags, align, objsize, (size_t)g->cache_line);
	size = SLUB_ALIGN(size, l->align);
	l->size = size;
	order = forced_order >= 0 ? forced_order : calculate_order(g, size);
	if (order < 0 || order >= PA_MAX_ORDER)
		return false;
	l->oo = oo_make(order, size, g->page_shift);
	l->min = oo_make(get_order(size, g->page_shift), size, g->page_shift);
	return l->oo.objects && l->oo.objects <= MAX_OBJS_PER_PAGE;
}

/* The geometry kmem_cache_create would give an object of objsize bytes on
 * the described kernel: stride, slab order and objects per slab. */
void slub_geometry(size_t objsize, unsigned flags, int ncpus, int page_size,
                   int cache_line, long min_order, long max_order,
                   long min_objects, unsigned *order, unsigned *objects,
                   unsigned *size)
{
	slub_geom_t g = {
		.page_shift = fls_long(page_size) - 1, .cache_line = cache_line,
		.nr_cpu_ids = ncpus, .min_order = min_order,
		.max_order = max_order, .min_objects = min_objects,
	};
	slub_layout_t l = { 0 };

	if (!calculate_sizes(&g, objsize, 0, flags, -1, &l))
		l.oo = (kmem_oo_t){ 0, 0 };
	*order = l.oo.order;
	*objects = l.oo.objects;
	*size = l.size;
}

/* ---- priced access to the modelled structures ---- */

static inline void stat(kmem_cache_t *s, enum stat_item si)
{
	kcounter_inc(s->sl->stat, si);
}

/* s->cpu_slab[cpu]: a load from struct kmem_cache. */
static struct kmem_cache_cpu *get_cpu_slab(kmem_cache_t *s, int cpu)
{
	ktouch(s->addr + s->sl->cpu_slab_off + 8 * (saddr_t)cpu, 8, false);
	return &s->cpu_slab[cpu];
}

/* s->node[node]: a load from struct kmem_cache. */
static struct kmem_cache_node *get_node(kmem_cache_t *s, int node)
{
	ktouch(s->addr + KC_NODE + 8 * (saddr_t)node, 8, false);
	return &s->node[node];
}

static inline bool node_match(const struct kmem_cache_cpu *c, int node)
{
	return node == -1 || c->node == node;
}

static void slab_lock(kmem_cache_t *s, page_t *page)
{
	bit_spin_lock_page(page, s->sl->slab_lock_cls);
}

static bool slab_trylock(kmem_cache_t *s, page_t *page)
{
	return bit_spin_trylock_page(page, s->sl->slab_lock_cls);
}

static void slab_unlock(kmem_cache_t *s, page_t *page)
{
	bit_spin_unlock_page(page, s->sl->slab_lock_cls);
}

static void list_lock(kmem_cache_t *s, struct kmem_cache_node *n)
{
	spin_lock(&n->list_lock, s->sl->list_lock_cls, n->addr);
}

static void list_unlock(kmem_cache_t *s, struct kmem_cache_node *n)
{
	spin_unlock(&n->list_lock, s->sl->list_lock_cls, n->addr);
}

/* ---- reserve slabs (seed 004) ---- */

/* The pool whose reserve page the slab is built on, or NULL. */
static mempool_t *slab_pool(const page_t *page)
{
	return slab_rec_pool(page);
}

/* A reserve slab of an exclusive pool: on the pool list, never a cpu slab. */
static bool pool_exclusive(const kmem_cache_t *s, const page_t *page)
{
	return slab_rec_pool_flag(s->pool_flags, SLAB_MEMPOOL_EXCLUSIVE, page);
}

/* A reserve slab that goes back to its pool when it empties. */
static bool pool_returns(const kmem_cache_t *s, const page_t *page)
{
	return slab_rec_pool_flag(s->pool_flags, SLAB_MEMPOOL_RETURN, page);
}

/* An object of a reserve slab handed to a non-critical request. */
static void note_leak(page_t *page, gfp_t gfp)
{
	mempool_t *pool = slab_pool(page);

	if (pool && !(gfp & __GFP_CRITICAL))
		pool->stats.leaked++;
}

/* ---- partial lists (list_lock held) ---- */

/* Price the link change of a neighbour on n's partial list. */
static void touch_neighbour(struct kmem_cache_node *n, klist_t *l)
{
	if (l != &n->partial && l != &n->pool_partial)
		kpage_touch(klist_entry(l, page_t, lru), true);
}

static void partial_link(struct kmem_cache_node *n, page_t *page, int tail)
{
	klist_t *prev = tail ? n->partial.prev : &n->partial;

	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, true);
	touch_neighbour(n, prev);
	touch_neighbour(n, prev->next);
	kpage_touch(page, true);
	klist_insert(&page->lru, prev, prev->next);
	n->nr_partial++;
}

/* Unlink page from whatever list it is on (nr_partial untouched). */
static void lru_unlink(struct kmem_cache_node *n, page_t *page)
{
	touch_neighbour(n, page->lru.prev);
	touch_neighbour(n, page->lru.next);
	kpage_touch(page, true);
	klist_del(&page->lru);
}

static void partial_unlink(struct kmem_cache_node *n, page_t *page)
{
	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, true);
	lru_unlink(n, page);
	n->nr_partial--;
}

static void add_partial(kmem_cache_t *s, struct kmem_cache_node *n,
                        page_t *page, int tail)
{
	list_lock(s, n);
	partial_link(n, page, tail);
	list_unlock(s, n);
}

static void remove_partial(kmem_cache_t *s, page_t *page)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));

	list_lock(s, n);
	partial_unlink(n, page);
	list_unlock(s, n);
}

/* The pool list of exclusive reserve slabs (list_lock held). */
static void pool_link(struct kmem_cache_node *n, page_t *page)
{
	ktouch(n->addr + KN_POOL_LIST, KN_POOL_LIST_SIZE, true);
	touch_neighbour(n, n->pool_partial.prev);
	kpage_touch(page, true);
	klist_add_tail(&page->lru, &n->pool_partial);
	n->nr_pool_partial++;
}

static void pool_unlink(struct kmem_cache_node *n, page_t *page)
{
	ktouch(n->addr + KN_POOL_LIST, KN_POOL_LIST_SIZE, true);
	lru_unlink(n, page);
	n->nr_pool_partial--;
}

/* A slab that got its first free object back: onto its node's partial
 * list, or its pool list if it is an exclusive reserve slab. */
static void add_partial_any(kmem_cache_t *s, page_t *page)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));

	if (!pool_exclusive(s, page)) {
		add_partial(s, n, page, 1);
		return;
	}
	list_lock(s, n);
	pool_link(n, page);
	list_unlock(s, n);
}

static void remove_partial_any(kmem_cache_t *s, page_t *page)
{
	struct kmem_cache_node *n;

	if (!pool_exclusive(s, page)) {
		remove_partial(s, page);
		return;
	}
	n = get_node(s, page_to_nid(page));
	list_lock(s, n);
	pool_unlink(n, page);
	list_unlock(s, n);
}

/* ---- slab life cycle ---- */

static void inc_slabs_node(kmem_cache_t *s, int node, unsigned objects)
{
	struct kmem_cache_node *n = get_node(s, node);

	katomic_add(n->addr + KN_NR_SLABS, &n->nr_slabs, 1);
	katomic_add(n->addr + KN_TOTAL_OBJECTS, &n->total_objects, objects);
}

static void dec_slabs_node(kmem_cache_t *s, int node, unsigned objects)
{
	struct kmem_cache_node *n = get_node(s, node);

	katomic_add(n->addr + KN_NR_SLABS, &n->nr_slabs, -1);
	katomic_add(n->addr + KN_TOTAL_OBJECTS, &n->total_objects, -(int64_t)objects);
}

static page_t *alloc_slab_page(kmem_cache_t *s, gfp_t gfp, int node, kmem_oo_t oo)
{
	return alloc_pages_node(node, (gfp & ~(gfp_t)__GFP_CRITICAL) | s->allocflags, oo.order);
}

/* Dobson's kmem_getpages with a pool: mempool_alloc_node, which tries the
 * page allocator, then the reserve; *from is the pool if the page came
 * from its reserve. */
static page_t *pool_slab_page(kmem_cache_t *s, gfp_t gfp, int node, mempool_t **from)
{
	page_t *page = slab_mempool_pages(s->pool, (gfp & ~(gfp_t)__GFP_CRITICAL) | s->allocflags,
	                                  node, from);

	if (page)
		page->objects = s->oo.objects;
	return page;
}

/* The preferred order without retrying, else the minimal order; a
 * critical request of a cache with a pool of its order goes to the pool
 * (*from: the pool if the page is from its reserve, else NULL). */
static page_t *allocate_slab(kmem_cache_t *s, gfp_t gfp, int node, mempool_t **from)
{
	kmem_oo_t oo = s->oo;
	page_t *page;

	*from = NULL;
	if ((gfp & __GFP_CRITICAL) && s->pool && s->pool->page_order == (int)oo.order)
		return pool_slab_page(s, gfp, node, from);
	page = alloc_slab_page(s, gfp | __GFP_NOWARN | __GFP_NORETRY, node, oo);
	if (!page) {
		oo = s->min;
		page = alloc_slab_page(s, gfp, node, oo);
		if (!page)
			return NULL;
		stat(s, ORDER_FALLBACK);
	}
	page->objects = oo.objects;
	return page;
}

static unsigned slab_order_of(const kmem_cache_t *s, const page_t *page)
{
	return page->objects == s->oo.objects ? s->oo.order : s->min.order;
}

/* A fresh slab, counted in the zone's slab pages, all objects chained in
 * address order and constructed, on no list. */
static page_t *new_slab(kmem_cache_t *s, gfp_t gfp, int node)
{
	mempool_t *from;
	page_t *page = allocate_slab(s, gfp & (__GFP_THISNODE | __GFP_NORETRY |
	                                       __GFP_NOWARN | __GFP_COLD | __GFP_CRITICAL),
	                             node, &from);

	if (!page)
		return NULL;
	slab_account_pages(page, s->flags, 1L << slab_order_of(s, page));
	inc_slabs_node(s, page_to_nid(page), page->objects);
	spin_init(&page->lock);         /* PG_locked is clear on a new page */
	page->slab = s;
	kpage_flags_set(page, PG_slab);
	slab_init_objects(&s->objs, page, page->objects);
	if (s->ctor)
		slab_run_ctor_all(s->ctor, page_address(page), s->objs.size, page->objects);
	kpage_touch(page, true);
	slab_rec_new(&s->objs, page, page->objects);
	slab_rec(page)->pool = from;
	return page;
}


/* An empty slab is no more: its pages are freed (free_slab, at once or a
 * grace period later, the rcu_head overlaying page->lru), to the page
 * allocator or, for a reserve slab with the return fix, to its pool. */
static void discard_slab(kmem_cache_t *s, page_t *page)
{
	slab_pages_t sp = { page, slab_order_of(s, page), s->flags,
	                    pool_returns(s, page) ? slab_pool(page) : NULL };

	dec_slabs_node(s, page_to_nid(page), page->objects);
	khost_add64(&s->discarded, 1);
	kpage_flags_clear(page, PG_slab | PG_frozen);
	page->inuse = page->objects = 0;
	page->freelist = 0;
	page->slab = NULL;
	kpage_touch(page, true);
	slab_rec_free(&s->objs, page);
	spin_destroy(&page->lock);
	slab_free_pages(&sp, page_struct_addr(page) + PAGE_LRU);
}

/* ---- taking slabs off the partial lists ---- */

static bool lock_and_freeze_slab(kmem_cache_t *s, struct kmem_cache_node *n,
                                 page_t *page)
{
	if (!slab_trylock(s, page))
		return false;
	partial_unlink(n, page);
	kpage_flags_set(page, PG_frozen);
	return true;
}

/* The first partial slab of n that can be locked, locked and frozen. */
static page_t *get_partial_node(kmem_cache_t *s, struct kmem_cache_node *n)
{
	page_t *page = NULL;
	klist_t *pos;

	ktouch(n->addr + KN_NR_PARTIAL, 8, false);
	if (!kdata_race_ul(&n->nr_partial))
		return NULL;
	list_lock(s, n);
	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, false);
	klist_for_each(pos, &n->partial) {
		page_t *p = klist_entry(pos, page_t, lru);

		if (lock_and_freeze_slab(s, n, p)) {
			page = p;
			break;
		}
		kpage_touch(p, false);  /* p->lru.next */
	}
	list_unlock(s, n);
	return page;
}

/* Another node's partial slab, if the defrag ratio allows a search and a
 * node has more than min_partial of them. */
static page_t *get_any_partial(kmem_cache_t *s)
{
	const int *zl;

	ktouch(s->addr + KC_DEFRAG_RATIO, 4, false);
	if (!s->remote_node_defrag_ratio ||
	    get_cycles() % 1024 > (uint64_t)s->remote_node_defrag_ratio)
		return NULL;
	zl = node_zonelist(numa_node_id());
	for (int i = 0; i < s->sl->nnodes; i++) {
		struct kmem_cache_node *n = get_node(s, zl[i]);
		page_t *page;

		ktouch(n->addr + KN_NR_PARTIAL, 16, false);
		if (kdata_race_ul(&n->nr_partial) <= n->min_partial)
			continue;
		page = get_partial_node(s, n);
		if (page)
			return page;
	}
	return NULL;
}

static page_t *get_partial(kmem_cache_t *s, gfp_t gfp, int node)
{
	int searchnode = node == -1 ? numa_node_id() : node;
	page_t *page = get_partial_node(s, get_node(s, searchnode));

	if (page || (gfp & __GFP_THISNODE))
		return page;
	return get_any_partial(s);
}

/* ---- deactivation (slab_lock held on entry, released on return) ---- */

static void unfreeze_slab(kmem_cache_t *s, page_t *page, int tail)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));

	kpage_flags_clear(page, PG_frozen);
	kpage_touch(page, true);
	if (page->inuse) {
		if (page->freelist) {
			add_partial(s, n, page, tail);
			stat(s, tail ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD);
		} else {
			stat(s, DEACTIVATE_FULL);
		}
		slab_unlock(s, page);
		return;
	}
	stat(s, DEACTIVATE_EMPTY);
	ktouch(n->addr + KN_NR_PARTIAL, 16, false);
	if (kdata_race_ul(&n->nr_partial) < n->min_partial && !pool_returns(s, page)) {
		add_partial(s, n, page, 1);
		slab_unlock(s, page);
	} else {
		slab_unlock(s, page);
		stat(s, FREE_SLAB);
		discard_slab(s, page);
	}
}

/* Give c's objects back to its slab and let the slab go. */
static void deactivate_slab(kmem_cache_t *s, struct kmem_cache_cpu *c)
{
	page_t *page = c->page;
	int tail = 1;

	kpage_touch(page, false);
	if (page->freelist)
		stat(s, DEACTIVATE_REMOTE_FREES);
	while (c->freelist) {
		saddr_t object = c->freelist;

		tail = 0;       /* hot objects: the slab goes to the head */
		c->freelist = slab_get_freepointer(&s->objs, page, object);
		slab_set_freepointer(&s->objs, object, page->freelist);
		page->freelist = object;
		page->inuse--;
		kpage_touch(page, true);
	}
	c->page = NULL;
	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, true);
	unfreeze_slab(s, page, tail);
}

static void flush_slab(kmem_cache_t *s, struct kmem_cache_cpu *c)
{
	stat(s, CPUSLAB_FLUSH);
	slab_lock(s, c->page);
	deactivate_slab(s, c);
}

/* IPI handler: drop this CPU's cpu slab of the cache `arg`. */
static void flush_cpu_slab(void *arg)
{
	kmem_cache_t *s = arg;
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());

	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, false);
	if (c->page)
		flush_slab(s, c);
}

static void flush_all(kmem_cache_t *s)
{
	on_each_cpu(flush_cpu_slab, s);
}

/* ---- allocation ---- */

/* Take one object of an exclusive reserve slab (slab_lock and list_lock
 * held): a listed slab that fills leaves the pool list, a new slab with
 * objects left joins it. */
static saddr_t pool_take_object(kmem_cache_t *s, struct kmem_cache_node *n,
                                page_t *page, bool listed)
{
	saddr_t object;

	kpage_touch(page, true);
	object = page->freelist;
	page->freelist = slab_get_freepointer(&s->objs, page, object);
	page->inuse++;
	if (listed && !page->freelist)
		pool_unlink(n, page);
	else if (!listed && page->freelist)
		pool_link(n, page);
	return object;
}

/* A critical request of an exclusive pool: an object of a reserve slab on
 * the pool list of the node asked for (this CPU's for -1), or 0. */
static saddr_t pool_list_alloc(kmem_cache_t *s, int node, page_t **pagep)
{
	struct kmem_cache_node *n = get_node(s, node == -1 ? numa_node_id() : node);
	saddr_t object = 0;
	klist_t *pos;

	ktouch(n->addr + KN_POOL_LIST, KN_POOL_LIST_SIZE, false);
	if (!n->nr_pool_partial)
		return 0;
	list_lock(s, n);
	klist_for_each(pos, &n->pool_partial) {
		page_t *p = klist_entry(pos, page_t, lru);

		if (slab_trylock(s, p)) {
			object = pool_take_object(s, n, p, true);
			slab_unlock(s, p);
			*pagep = p;
			break;
		}
		kpage_touch(p, false);  /* p->lru.next */
	}
	list_unlock(s, n);
	return object;
}

/* The first object of a new exclusive reserve slab; the rest of it goes
 * on the pool list (slab_lock before list_lock). */
static saddr_t pool_slab_first(kmem_cache_t *s, page_t *page, page_t **pagep)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));
	saddr_t object;

	slab_lock(s, page);
	list_lock(s, n);
	object = pool_take_object(s, n, page, false);
	list_unlock(s, n);
	slab_unlock(s, page);
	*pagep = page;
	return object;
}

/* The slow path: refill c->freelist from the cpu slab, a partial slab or
 * a new slab, and return one object (0 if no memory); *pagep gets its
 * slab.  A critical request of an exclusive pool tries the pool list
 * before growing, and takes a new reserve slab's object directly. */
static saddr_t __slab_alloc(kmem_cache_t *s, gfp_t gfp, int node,
                            struct kmem_cache_cpu *c, page_t **pagep)
{
	saddr_t object;
	page_t *new;

	if (!c->page)
		goto new_slab;
	slab_lock(s, c->page);
	if (!node_match(c, node))
		goto another_slab;
	stat(s, ALLOC_REFILL);
load_freelist:
	kpage_touch(c->page, true);
	object = c->page->freelist;
	if (!object)
		goto another_slab;
	c->freelist = slab_get_freepointer(&s->objs, c->page, object);
	c->page->inuse = c->page->objects;
	c->page->freelist = 0;
	c->node = page_to_nid(c->page);
	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, true);
	slab_unlock(s, c->page);
	stat(s, ALLOC_SLOWPATH);
	*pagep = c->page;
	return object;
another_slab:
	deactivate_slab(s, c);
new_slab:
	new = get_partial(s, gfp, node);
	if (new) {
		c->page = new;
		stat(s, ALLOC_FROM_PARTIAL);
		goto load_freelist;
	}
	if ((gfp & __GFP_CRITICAL) && (s->pool_flags & SLAB_MEMPOOL_EXCLUSIVE)) {
		object = pool_list_alloc(s, node, pagep);
		if (object)
			return object;
	}
	new = new_slab(s, gfp, node);
	if (!new)
		return 0;
	stat(s, ALLOC_SLAB);
	if (pool_exclusive(s, new))
		return pool_slab_first(s, new, pagep);
	slab_lock(s, new);
	kpage_flags_set(new, PG_frozen);
	c->page = new;
	goto load_freelist;
}

static saddr_t slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	struct kmem_cache_cpu *c;
	unsigned long flags;
	saddr_t object;
	page_t *page = NULL;

	local_irq_save(&flags);
	c = get_cpu_slab(s, smp_processor_id());
	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, false);
	if (!c->freelist || !node_match(c, node)) {
		object = __slab_alloc(s, gfp, node, c, &page);
	} else {
		object = c->freelist;
		page = c->page;
		c->freelist = slab_get_freepointer(&s->objs, c->page, object);
		ktouch(c->addr, 8, true);
		stat(s, ALLOC_FASTPATH);
	}
	if (object) {
		slab_note_alloc(&s->objs, page, object);
		note_leak(page, gfp);
	}
	local_irq_restore(flags);
	slab_zero(gfp, object, s->objsize);
	return object;
}

/* ---- free ---- */

/* Free to a slab that is not this CPU's cpu slab. */
static void __slab_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	saddr_t prior;

	stat(s, FREE_SLOWPATH);
	slab_lock(s, page);
	kpage_touch(page, true);
	prior = page->freelist;
	slab_set_freepointer(&s->objs, x, prior);
	page->freelist = x;
	page->inuse--;
	if (page_flags(page) & PG_frozen) {
		stat(s, FREE_FROZEN);
		goto out_unlock;
	}
	if (!page->inuse)
		goto slab_empty;
	if (!prior) {
		add_partial_any(s, page);
		stat(s, FREE_ADD_PARTIAL);
	}
out_unlock:
	slab_unlock(s, page);
	return;
slab_empty:
	if (prior) {
		remove_partial_any(s, page);
		stat(s, FREE_REMOVE_PARTIAL);
	}
	slab_unlock(s, page);
	stat(s, FREE_SLAB);
	discard_slab(s, page);
}

static void slab_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	struct kmem_cache_cpu *c;
	unsigned long flags;

	slab_note_free(&s->objs, page);
	local_irq_save(&flags);
	c = get_cpu_slab(s, smp_processor_id());
	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, false);
	if (page == c->page && c->node >= 0) {
		slab_set_freepointer(&s->objs, x, c->freelist);
		c->freelist = x;
		ktouch(c->addr, 8, true);
		stat(s, FREE_FASTPATH);
	} else {
		__slab_free(s, page, x);
	}
	local_irq_restore(flags);
}

/* kmem_cache_free() of x on page: the debug check, then slab_free. */
static void checked_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	slab_check_free(&s->objs, page, x);
	slab_free(s, page, x);
}

/* ---- kmem_cache_create ---- */

static void init_kmem_cache_node(kmem_cache_t *s, struct kmem_cache_node *n,
                                 saddr_t addr)
{
	spin_init(&n->list_lock);
	n->min_partial = CLAMP(fls_long(s->objs.size) - 1, MIN_PARTIAL, MAX_PARTIAL);
	klist_init(&n->partial);
	klist_init(&n->pool_partial);
	n->addr = addr;
}

/* The embedded local_node serves the node the struct lives on. */
static void init_kmem_cache_nodes(kmem_cache_t *s, int local_node)
{
	s->node = g_new0(struct kmem_cache_node, s->sl->nnodes);
	for (int node = 0; node < s->sl->nnodes; node++)
		init_kmem_cache_node(s, &s->node[node], node == local_node ?
		                     s->addr + KC_LOCAL_NODE :
		                     kmeta_static(s->name, "kmem_cache_node",
		                                  KMEM_CACHE_NODE_SIZE, node));
}

/* alloc_kmem_cache_cpus(): a slot of every CPU's static pool (a per-CPU
 * array, so each CPU's structs sit in its own per-CPU area), then
 * kmalloc_node, cache-line aligned, on each CPU's node. */
static void alloc_kmem_cache_cpus(kmem_cache_t *s)
{
	slub_t *sl = s->sl;
	uint64_t off = 0;
	bool pool = sl->pcpu_slots < NR_KMEM_CACHE_CPU;

	s->cpu_slab = kpcpu_host_new((size_t)sl->ncpus, sizeof(struct kmem_cache_cpu));
	if (pool) {
		off = percpu_alloc(s->name, "kmem_cache_cpu", KMEM_CACHE_CPU_SIZE, 8);
		sl->pcpu_slots++;
	}
	for (int cpu = 0; cpu < sl->ncpus; cpu++)
		s->cpu_slab[cpu].addr = pool ? per_cpu_addr(off, cpu) :
			kmeta_alloc(s->name, "kmem_cache_cpu",
			            SLUB_ALIGN(KMEM_CACHE_CPU_SIZE, sl->geom.cache_line), cpu_to_node(cpu));
}

/* kmem_cache_open() and list_add to slab_caches; NULL if no slab can hold
 * `size`.  The caches made while SLUB boots live in the static
 * kmalloc_caches[]. */
static kmem_cache_t *kmem_cache_open(slub_t *sl, const char *name, size_t size,
                                     size_t align, unsigned flags, const kmem_ctor_t *ctor)
{
	slub_layout_t l;
	kmem_cache_t *s;
	int local_node = 0;

	if (!calculate_sizes(&sl->geom, size, align, flags | (ctor ? __SLAB_CTOR : 0), -1, &l))
		return NULL;
	s = g_new0(kmem_cache_t, 1);
	s->sl = sl;
	s->name = g_strdup(name);
	s->flags = flags;
	s->objsize = size;
	slab_objs_init(&s->objs, s, s->name, l.size, l.offset, sl->debug);
	s->align = l.align;
	s->oo = l.oo;
	s->min = l.min;
	s->allocflags = (l.oo.order ? __GFP_COMP : 0) |
	                ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
	s->remote_node_defrag_ratio = sl->defrag_ratio;
	s->refcount = 1;
	s->aliases = slab_aliases_new();
	s->ctor = slab_ctor_dup(ctor);
	if (!sl->booted) {
		s->addr = kmeta_static(name, "kmem_cache", sl->cpu_slab_off +
		                       8 * (size_t)NR_CPUS, 0);
	} else {
		s->addr = kmeta_alloc(name, "kmem_cache", sl->cpu_slab_off +
		                      8 * (size_t)sl->ncpus, -1);
		local_node = numa_node_id();
	}
	init_kmem_cache_nodes(s, local_node);
	alloc_kmem_cache_cpus(s);
	g_ptr_array_add(sl->caches, s);
	return s;
}

/* ---- cache merging (2.6.29 find_mergeable) ----
 *
 * kmem_cache_create first looks for an existing cache that can hold the
 * new objects as they are: same slot size to within a word, alignment and
 * accounting flags compatible.  If one exists, the new name becomes an
 * alias of it (sysfs symlink; /proc/slabinfo lists only the cache). */

/* Flags that forbid merging, on either side (2.6.29 adds the debug flags
 * RED_ZONE, POISON, STORE_USER and TRACE, which slabsim does not have). */
#define SLUB_NEVER_MERGE        (SLAB_DESTROY_BY_RCU | SLAB_NO_MERGE)
/* Flags both sides must agree on (2.6.29 adds DEBUG_FREE). */
#define SLUB_MERGE_SAME         (SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA)

/* Whether cache s was made with a constructor (s->ctor, read with the
 * struct by slab_unmergeable). */
static bool slub_cache_has_ctor(const kmem_cache_t *s)
{
	return s->ctor != NULL;
}

/* slab_unmergeable(): merging off, a never-merge flag, a constructor, or a
 * cache marked at boot (kmem_cache_node).  Reads the struct (charged). */
static bool slab_unmergeable(const kmem_cache_t *s)
{
	ktouch(s->addr, 8, false);                                 /* flags */
	ktouch(s->addr + KC_REFCOUNT, KC_LIST + 8 - KC_REFCOUNT, false);   /* .. list.next */
	return s->sl->nomerge || (s->flags & SLUB_NEVER_MERGE) || slub_cache_has_ctor(s) ||
	       s->refcount < 0;
}

/* find_mergeable(): the newest cache (slab_caches is in list_add order)
 * whose slot holds size bytes aligned to align with less than a word to
 * spare, with the same SLUB_MERGE_SAME flags; NULL if none, or if the
 * request itself cannot merge (a constructor, a never-merge flag). */
static kmem_cache_t *find_mergeable(slub_t *sl, size_t size, size_t align, unsigned flags,
                                    bool ctor)
{
	if (sl->nomerge || (flags & SLUB_NEVER_MERGE) || ctor)
		return NULL;
	size = SLUB_ALIGN(size, sizeof(uint64_t));
	align = slab_word_alignment(flags, align, size, (size_t)sl->geom.cache_line);
	size = SLUB_ALIGN(size, align);
	for (guint i = sl->caches->len; i-- > 0;) {
		kmem_cache_t *s = g_ptr_array_index(sl->caches, i);

		if (slab_unmergeable(s))
			continue;
		ktouch(s->addr + 8, 4, false);                     /* size */
		if (size > s->objs.size || s->objs.size % align ||
		    (flags & SLUB_MERGE_SAME) != (s->flags & SLUB_MERGE_SAME) ||
		    s->objs.size - size >= sizeof(uint64_t))
			continue;
		return s;
	}
	return NULL;
}

/* The alias `name` of s: s->refcount++, and the object size grows to the
 * largest asked for (kzalloc clears all of it), in kmem_cache and in every
 * CPU's kmem_cache_cpu (charged stores). */
static kmem_cache_t *merge_alias(kmem_cache_t *s, const char *name, size_t size)
{
	s->refcount++;
	s->objsize = MAX(s->objsize, size);
	ktouch(s->addr + KC_REFCOUNT, 4, true);
	ktouch(s->addr + 12, 4, true);                             /* objsize */
	for (int cpu = 0; cpu < s->sl->ncpus; cpu++)
		ktouch(get_cpu_slab(s, cpu)->addr + KCC_OBJSIZE, 4, true);
	slab_alias_add(s->aliases, name);
	return s;
}

/* kmem_cache_create(): an alias of a mergeable cache, else a new cache
 * (kmem_cache_open); NULL if no slab can hold `size`. */
static kmem_cache_t *slub_cache_create(void *a, const char *name, size_t size,
                                       size_t align, unsigned flags, const kmem_ctor_t *ctor)
{
	kmem_cache_t *s = find_mergeable(a, size, align, flags, ctor != NULL);

	return s ? merge_alias(s, name, size) : kmem_cache_open(a, name, size, align, flags, ctor);
}

/* A boot cache: kmem_cache_open without looking for a merge. */
static kmem_cache_t *create_kmalloc_cache(slub_t *sl, const char *name, size_t size)
{
	return slab_check_created("slub", name, SLAB_PANIC,
	                          kmem_cache_open(sl, name, size, ARCH_SLAB_MINALIGN, 0, NULL));
}

/* ---- the allocator_ops ---- */

static const tunable_t slub_tunables[] = {
	{ "slub_min_order", 0, 0, PA_MAX_ORDER - 1,
	  "lowest slab order (boot option slub_min_order=)" },
	{ "slub_max_order", 3, 0, PA_MAX_ORDER - 1,
	  "highest order calculate_order prefers (PAGE_ALLOC_COSTLY_ORDER)" },
	{ "slub_min_objects", 0, 0, MAX_OBJS_PER_PAGE,
	  "objects a slab should hold; 0 derives 4 * (fls(nr_cpu_ids) + 1)" },
	{ "remote_node_defrag_ratio", 1000, 0, 1000,
	  "search other nodes' partial lists unless get_cycles() % 1024 > ratio "
	  "(sysfs shows ratio / 10)" },
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees) and free pointers "
	  "(only while the run's kdebug_checks is on)" },
	{ "slub_max_size", 0, 0, 1L << 30,
	  "SLUB_MAX_SIZE: the largest kmalloc served by a kmalloc cache, larger ones "
	  "go to the page allocator; 0 is PAGE_SIZE (2.6.29), else a power of two "
	  "from 256 to PAGE_SIZE << (MAX_ORDER - 1)" },
	{ "slub_nomerge", 0, 0, 1,
	  "1: never merge caches (boot option slub_nomerge); 0: kmem_cache_create "
	  "makes a new name an alias of a compatible cache (find_mergeable)" },
	{ NULL, 0, 0, 0, NULL },
};

enum { TUN_SLUB_MAX_SIZE = 5, TUN_SLUB_NOMERGE = 6 };   /* indexes in slub_tunables */
#define SLUB_MAX_SIZE_MIN       256

/* ---- the kmalloc pass-through threshold (SLUB_MAX_SIZE) ----
 *
 * 2.6.29 sends every kmalloc above PAGE_SIZE to the page allocator
 * (kmalloc_large); the patch merged after the SLQB thread (slab-2.6 commit
 * 8573e124) sets SLUB_MAX_SIZE = 2 * PAGE_SIZE and sizes kmalloc_caches[]
 * to SLUB_PAGE_SHIFT so that kmalloc-8192 exists.  The tunable makes the
 * limit a value: kmalloc caches are built up to max(PAGE_SIZE, limit), and
 * kmalloc, kmalloc_node and the kernel's metadata rounding send what is
 * above the limit to the page allocator.  A limit below PAGE_SIZE (Pekka
 * Enberg's fixed 8 KiB on 64 KiB pages, Christoph Lameter's future
 * PAGE_SIZE / 2) makes order-0 pass-through pages, which are not compound:
 * 2.6.29's kfree would hit BUG_ON(!PageCompound(page)); slabsim's kfree
 * frees them at order 0, the fix such a limit needs. */

/* SLUB_MAX_SIZE in bytes: the tunable, 0 meaning PAGE_SIZE. */
static size_t slub_max_size(long tun, int page_size)
{
	return tun ? (size_t)tun : (size_t)page_size;
}

/* The largest kmalloc cache, log2: the limit's or PAGE_SIZE's. */
static int slub_kmalloc_shift(const slub_t *sl)
{
	return MAX(sl->geom.page_shift, fls_long(sl->max_size) - 1);
}

/* slub_max_size is 0 or a power of two from 256 (above the kmalloc-96 and
 * kmalloc-192 classes) to the largest slab the page allocator gives
 * (PAGE_SIZE << (MAX_ORDER - 1)). */
static char *slub_check_tunables(const long *tun, int page_size, int *bad)
{
	long v = tun[TUN_SLUB_MAX_SIZE];
	long top = (long)page_size << (PA_MAX_ORDER - 1);

	*bad = TUN_SLUB_MAX_SIZE;
	if (v && (v < SLUB_MAX_SIZE_MIN || v > top || (v & (v - 1))))
		return g_strdup_printf("expected 0 (PAGE_SIZE) or a power of two from %d to "
		                       "PAGE_SIZE << (MAX_ORDER - 1) (%ld), got '%ld'",
		                       SLUB_MAX_SIZE_MIN, top, v);
	return NULL;
}

/* What kmalloc(size) hands out: its class up to SLUB_MAX_SIZE, whole pages
 * above (before the instance exists, while SLUB boots: PAGE_SIZE). */
static size_t slub_kmalloc_size(void *a, size_t size)
{
	return a ? kmalloc_class_size_upto(((slub_t *)a)->max_size, size)
	         : kmalloc_class_size(NULL, size);
}

/* Boot SLUB: the kmem_cache_node bootstrap cache and the kmalloc caches
 * kmalloc-96, kmalloc-192, kmalloc-8 .. kmalloc-PAGE_SIZE (or up to
 * SLUB_MAX_SIZE if larger), in that order. */
static void *slub_create(const long *tun)
{
	slub_t *sl = g_new0(slub_t, 1);
	int shift;

	sl->geom = (slub_geom_t){
		.page_shift = kpage_shift(), .cache_line = cache_line_size(),
		.nr_cpu_ids = nr_cpu_ids(), .min_order = tun[0],
		.max_order = tun[1], .min_objects = tun[2],
	};
	sl->nomerge = tun[TUN_SLUB_NOMERGE];
	sl->defrag_ratio = (int)tun[3];
	sl->debug = tun[4] && kdebug_checks;
	sl->max_size = slub_max_size(tun[TUN_SLUB_MAX_SIZE], kpage_size());
	shift = slub_kmalloc_shift(sl);
	sl->ncpus = nr_cpu_ids();
	sl->nnodes = nr_node_ids();
	sl->cpu_slab_off = KC_NODE + 8 * MAX_NUMNODES;
	sl->caches = g_ptr_array_new();
	sl->stat = kcounters_new(NR_SLUB_STAT_ITEMS, sl->ncpus);
	sl->kmalloc_caches = g_new0(kmem_cache_t *, shift + 1);
	sl->slab_lock_cls = klock_class("slub.slab_lock");
	sl->list_lock_cls = klock_class("slub.list_lock");

	sl->kmalloc_caches[0] = create_kmalloc_cache(sl, "kmem_cache_node",
	                                             KMEM_CACHE_NODE_SIZE);
	sl->kmalloc_caches[0]->refcount = -1;   /* never merged into */
	sl->kmalloc_caches[1] = create_kmalloc_cache(sl, "kmalloc-96", 96);
	sl->kmalloc_caches[2] = create_kmalloc_cache(sl, "kmalloc-192", 192);
	for (int i = KMALLOC_SHIFT_LOW; i <= shift; i++) {
		char *name = g_strdup_printf("kmalloc-%d", 1 << i);

		sl->kmalloc_caches[i] = create_kmalloc_cache(sl, name, (size_t)1 << i);
		g_free(name);
	}
	sl->booted = true;
	return sl;
}

static void cache_free_host(kmem_cache_t *s)
{
	g_ptr_array_free(s->aliases, TRUE);
	slab_objs_release(&s->objs);
	for (int node = 0; node < s->sl->nnodes; node++)
		spin_destroy(&s->node[node].list_lock);
	g_free(s->node);
	kpcpu_host_free(s->cpu_slab);
	g_free(s->ctor);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slub_destroy(void *a)
{
	slub_t *sl = a;

	slab_caches_free(sl->caches, cache_free_host);
	g_free(sl->kmalloc_caches);
	kcounters_free(sl->stat);
	g_free(sl);
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slub_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	slab_check_node("slub", node);
	return slab_alloc(s, gfp, node);
}

/* kmem_cache_free(). */
static void slub_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	(void)a;
	checked_free(s, slab_object_page(x), x);
}

/* __kmalloc_node(): a kmalloc cache up to SLUB_MAX_SIZE, pages beyond. */
static saddr_t slub_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slub_t *sl = a;

	slab_check_node("slub", node);
	return kmalloc_classes_upto(sl->kmalloc_caches, slab_alloc, sl->max_size, size, gfp, node);
}

/* kfree(): a slab object, or a page from kmalloc_large. */
static void slub_kfree(void *a, saddr_t x)
{
	slub_t *sl = a;

	kfree_classes_upto(x, sl->debug, checked_free, sl->max_size);
}

/* One node of kmem_cache_shrink: free the empty partial slabs that can be
 * locked, then rebuild the list most used first, least used last. */
static void shrink_node(kmem_cache_t *s, struct kmem_cache_node *n,
                        klist_t *by_inuse, unsigned objects)
{
	unsigned long flags;
	klist_t *pos, *t;

	for (unsigned i = 0; i < objects; i++)
		klist_init(&by_inuse[i]);
	local_irq_save(&flags);
	list_lock(s, n);
	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, true);
	klist_for_each_safe(pos, t, &n->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);
		if (!page->inuse && slab_trylock(s, page)) {
			partial_unlink(n, page);
			slab_unlock(s, page);
			discard_slab(s, page);
		} else {
			lru_unlink(n, page);
			klist_add(&page->lru, &by_inuse[page->inuse]);
		}
	}
	for (unsigned i = objects; i-- > 0;)
		slab_lru_splice_tail(&n->partial, &by_inuse[i]);
	list_unlock(s, n);
	local_irq_restore(flags);
}

/* ---- defragmentation and targeted reclaim (seed 001) ---- */

/* Add the partial slabs of every node to hist (host walk, free). */
static void partial_histogram(kmem_cache_t *s, uint64_t *hist, uint64_t *nr)
{
	klist_t *pos;

	for (int node = 0; node < s->sl->nnodes; node++) {
		klist_for_each(pos, &s->node[node].partial) {
			page_t *page = klist_entry(pos, page_t, lru);

			hist[MIN(page->inuse * DEFRAG_HIST_BUCKETS / page->objects,
			         DEFRAG_HIST_BUCKETS - 1)]++;
			(*nr)++;
		}
	}
}

static uint64_t cache_slabs(const kmem_cache_t *s)
{
	uint64_t n = 0;

	for (int node = 0; node < s->sl->nnodes; node++)
		n += s->node[node].nr_slabs;
	return n;
}

/* Take page for vacating: off its partial list (or, if full, off no
 * list), slab-locked only for the change, frozen so that no CPU allocates
 * from it.  This CPU's cpu slab is deactivated first; another CPU's is
 * busy.  Returns VACATE_OK with the page frozen, or why not. */
static vacate_result_t freeze_for_vacate(kmem_cache_t *s, page_t *page)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());
	vacate_result_t r = VACATE_OK;
	unsigned long flags;

	local_irq_save(&flags);
	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, false);
	if (c->page == page)
		flush_slab(s, c);
	kpage_touch(page, false);
	if (!(page_flags(page) & PG_slab) || page->slab != s) {
		local_irq_restore(flags);
		return VACATE_OK;       /* it was empty and went back */
	}
	list_lock(s, n);
	if ((page_flags(page) & PG_frozen) || !slab_trylock(s, page)) {
		r = VACATE_BUSY;
	} else {
		if (page->freelist)
			partial_unlink(n, page);
		kpage_flags_set(page, PG_frozen);
		kpage_touch(page, true);
		slab_unlock(s, page);
	}
	list_unlock(s, n);
	local_irq_restore(flags);
	return r;
}

static void put_references(kmem_cache_t *s, const saddr_t *objs, unsigned from, unsigned n)
{
	for (unsigned i = from; s->ops->put_reference && i < n; i++)
		s->ops->put_reference(s->ops_ctx, s, objs[i]);
}

/* Move x to a new object of s on the same node: copy objsize bytes (charged
 * loads and stores), tell the owner, free x.  False if no memory. */
static bool move_object(kmem_cache_t *s, page_t *page, saddr_t x)
{
	saddr_t y = slab_alloc(s, 0, page_to_nid(page));

	if (!y)
		return false;
	slab_ops_copy(s->ops, s->ops_ctx, s, s->objsize, x, y);
	checked_free(s, page, x);
	return true;
}

/* Kick every object in use out of the frozen slab page, then free the
 * page, or unfreeze it if objects stayed.  Adds what moved to *rep. */
static vacate_result_t vacate_frozen(kmem_cache_t *s, page_t *page, defrag_report_t *rep)
{
	saddr_t *objs = g_new(saddr_t, page->objects);
	vacate_result_t r = VACATE_OK;
	unsigned n, i = 0;

	slab_lock(s, page);
	n = slab_objects_in_use(&s->objs, page, objs);
	slab_unlock(s, page);
	if (n && (!s->ops || !slab_ops_reference_all(s->ops, s->ops_ctx, s, objs, n)))
		r = VACATE_PINNED;
	for (; r == VACATE_OK && i < n; i++) {
		kick_result_t k = s->ops->kick_object(s->ops_ctx, s, objs[i]);

		if (k == KICK_RECLAIM) {
			checked_free(s, page, objs[i]);
			rep->objects_reclaimed++;
		} else if (k == KICK_MOVE && move_object(s, page, objs[i])) {
			rep->objects_moved++;
		} else {
			r = k == KICK_MOVE ? VACATE_NOMEM : VACATE_PINNED;
			put_references(s, objs, i + 1, n);   /* the kick used objs[i]'s */
		}
	}
	g_free(objs);
	slab_lock(s, page);
	kpage_touch(page, false);
	if (page->inuse) {
		unfreeze_slab(s, page, 1);
		return r == VACATE_OK ? VACATE_PINNED : r;
	}
	kpage_flags_clear(page, PG_frozen);
	slab_unlock(s, page);
	stat(s, FREE_SLAB);
	discard_slab(s, page);
	rep->slabs_vacated++;
	return VACATE_OK;
}

/* Free objects outside `skip` that an allocation on n's node can use now:
 * n's other partial slabs (walked under list_lock) and this CPU's cpu
 * slab if it is on that node (objects minus its host in-use count). */
static uint64_t free_elsewhere(kmem_cache_t *s, struct kmem_cache_node *n,
                               int node, page_t *skip)
{
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());
	uint64_t nfree = 0;
	klist_t *pos;

	ktouch(c->addr, KMEM_CACHE_CPU_SIZE, false);
	if (c->page && c->node == node)
		nfree += c->page->objects - slab_rec(c->page)->live;
	klist_for_each(pos, &n->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);
		if (page != skip)
			nfree += page->objects - page->inuse;
	}
	return nfree;
}

/* The sparsest partial slab of n not tried before (the list is sorted
 * most used first), or NULL; under list_lock. */
static page_t *sparsest_partial(kmem_cache_t *s, struct kmem_cache_node *n,
                                const defrag_pass_t *dp)
{
	for (klist_t *pos = n->partial.prev; pos != &n->partial; pos = pos->prev) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);
		if (!g_ptr_array_find(dp->tried, page, NULL))
			return page;
	}
	return NULL;
}

/* Pick the next slab to vacate on node: the sparsest untried partial slab,
 * while more than `keep` are partial and the others can take its objects. */
static page_t *defrag_candidate(kmem_cache_t *s, struct kmem_cache_node *n, int node,
                                unsigned long keep, const defrag_pass_t *dp)
{
	page_t *page = NULL;
	unsigned long flags;

	local_irq_save(&flags);
	list_lock(s, n);
	ktouch(n->addr + KN_NR_PARTIAL, 8, false);
	if (n->nr_partial > keep) {
		page = sparsest_partial(s, n, dp);
		if (page && page->inuse > free_elsewhere(s, n, node, page))
			page = NULL;
	}
	list_unlock(s, n);
	local_irq_restore(flags);
	return page;
}

/* Vacate the sparsest partial slabs of one node (already sorted by
 * shrink_node) until `keep` partial slabs are left or the rest cannot
 * absorb the next one. */
static void defrag_node(kmem_cache_t *s, int node, long keep, defrag_pass_t *dp)
{
	struct kmem_cache_node *n = get_node(s, node);
	unsigned long k = keep < 0 ? n->min_partial : (unsigned long)keep;
	page_t *page;

	while ((page = defrag_candidate(s, n, node, k, dp))) {
		vacate_result_t r = freeze_for_vacate(s, page);

		if (r == VACATE_OK && (page_flags(page) & PG_slab) && page->slab == s)
			r = vacate_frozen(s, page, dp->rep);
		if (r != VACATE_OK) {
			g_ptr_array_add(dp->tried, page);
			dp->rep->vacate_failures++;
		}
	}
}

/* kmem_cache_shrink(), with defragmentation when s has slab_ops: flush
 * every cpu slab, free the empty partial slabs and sort the rest by use
 * (shrink_node); then, per node, kick the objects out of the sparsest
 * partial slabs while more than `keep` (-1: min_partial) are partial, and
 * finally give back this CPU's cpu slab the kicks filled.  Fills *rep. */
static void shrink_cache(kmem_cache_t *s, long keep, defrag_report_t *rep)
{
	slub_t *sl = s->sl;
	unsigned objects = s->oo.objects;
	klist_t *by_inuse = g_new(klist_t, objects);
	uint64_t discarded = s->discarded;
	defrag_pass_t dp = { rep, g_ptr_array_new() };

	*rep = (defrag_report_t){ .slabs_before = cache_slabs(s) };
	flush_all(s);
	partial_histogram(s, rep->hist_before, &rep->partial_before);
	for (int node = 0; node < sl->nnodes; node++) {
		struct kmem_cache_node *n = get_node(s, node);

		ktouch(n->addr + KN_NR_PARTIAL, 8, false);
		if (n->nr_partial)
			shrink_node(s, n, by_inuse, objects);
		if (s->ops)
			defrag_node(s, node, keep, &dp);
	}
	if (s->ops)
		flush_cpu_slab(s);
	partial_histogram(s, rep->hist_after, &rep->partial_after);
	rep->slabs_after = cache_slabs(s);
	rep->slabs_freed = s->discarded - discarded;
	g_ptr_array_free(dp.tried, TRUE);
	g_free(by_inuse);
}

/* kmem_cache_shrink(): as seed 001 has it, with defragmentation when the
 * cache has slab_ops (keeping min_partial partial slabs per node). */
static void slub_shrink(void *a, kmem_cache_t *s)
{
	defrag_report_t rep;

	(void)a;
	shrink_cache(s, -1, &rep);
}

/* kmem_cache_shrink with a report; keep_partial -1 keeps min_partial. */
static void slub_defrag(void *a, kmem_cache_t *s, int keep_partial, defrag_report_t *out)
{
	(void)a;
	shrink_cache(s, keep_partial, out);
}

/* Attach slab_ops to s (NULL: detach). */
static void slub_cache_set_ops(void *a, kmem_cache_t *s, const slab_ops_t *ops, void *ctx)
{
	(void)a;
	s->ops = ops;
	s->ops_ctx = ctx;
}

/* Forget the cache's pool: its reserve slabs become ordinary slabs and
 * the pool lists join the partial lists (host work, free). */
static void detach_mempool(kmem_cache_t *s)
{
	slab_objs_forget_pool(&s->objs);
	for (int node = 0; node < s->sl->nnodes; node++) {
		struct kmem_cache_node *n = &s->node[node];

		while (!klist_empty(&n->pool_partial)) {
			page_t *page = klist_entry(n->pool_partial.next, page_t, lru);

			klist_del(&page->lru);
			klist_add_tail(&page->lru, &n->partial);
			n->nr_pool_partial--;
			n->nr_partial++;
		}
	}
	s->pool = NULL;
	s->pool_flags = 0;
}

/* Attach the critical page pool `pool` to s with SLAB_MEMPOOL_* flags
 * (NULL: detach); slabs built on an earlier pool become ordinary. */
static void slub_cache_set_mempool(void *a, kmem_cache_t *s, mempool_t *pool, unsigned flags)
{
	(void)a;
	if (s->pool)
		detach_mempool(s);
	s->pool = pool;
	s->pool_flags = pool ? flags : 0;
}

/* kmem_cache_vacate(page): empty one slab page by kicking its objects. */
static vacate_result_t slub_vacate(void *a, page_t *page, uint32_t *moved)
{
	defrag_report_t rep = { 0 };
	vacate_result_t r;
	kmem_cache_t *s;

	if (moved)
		*moved = 0;
	if (!page || !(page_flags(page) & PG_slab) || (page_flags(page) & PG_tail) || !page->slab ||
	    ((kmem_cache_t *)page->slab)->sl != a)
		return VACATE_NOT_SLAB;
	s = page->slab;
	if (pool_exclusive(s, page))
		return VACATE_PINNED;
	r = freeze_for_vacate(s, page);
	if (r == VACATE_OK && (page_flags(page) & PG_slab) && page->slab == s)
		r = vacate_frozen(s, page, &rep);
	if (moved)
		*moved = (uint32_t)(rep.objects_moved + rep.objects_reclaimed);
	return r;
}

/* ---- per-cache tunables ---- */

static const tunable_t slub_cache_tunables[] = {
	{ "order", -1, -1, PA_MAX_ORDER - 1,
	  "slab order of this cache, within slub_min_order..slub_max_order "
	  "(/sys/kernel/slab/CACHE/order); -1: calculate_order's" },
	{ "min_objects", 0, 0, MAX_OBJS_PER_PAGE,
	  "objects a slab of this cache should hold (slub_min_objects for this "
	  "cache alone); 0: the boot value" },
	{ NULL, 0, 0, 0, NULL },
};

/* The slab geometry of s again, before its first slab: a forced order
 * (2.6.29's order_store, which refuses orders outside slub_min_order ..
 * slub_max_order) or calculate_order with the cache's own min_objects.
 * False and *why (g_malloc'd) if refused. */
static bool slub_cache_tune(void *a, kmem_cache_t *s, const long *vals, char **why)
{
	slub_t *sl = a;
	slub_geom_t g = sl->geom;
	long order = vals[0];
	slub_layout_t l;

	*why = NULL;
	if (order >= 0 && vals[1])
		*why = g_strdup("give order or min_objects, not both");
	else if (order >= 0 && (order < g.min_order || order > g.max_order))
		*why = g_strdup_printf("order %ld is outside slub_min_order .. slub_max_order "
		                       "(%ld .. %ld), which order_store refuses", order,
		                       g.min_order, g.max_order);
	else if (cache_slabs(s))
		*why = g_strdup_printf("cache %s has slabs already", s->name);
	if (*why)
		return false;
	if (vals[1])
		g.min_objects = vals[1];
	if (!calculate_sizes(&g, s->objsize, s->align, s->flags | (s->ctor ? __SLAB_CTOR : 0),
	                     order, &l)) {
		*why = g_strdup_printf("no slab of order %ld holds a %u-byte object", order,
		                       s->objs.size);
		return false;
	}
	s->oo = l.oo;
	s->allocflags = (s->allocflags & ~(gfp_t)__GFP_COMP) | (l.oo.order ? __GFP_COMP : 0);
	ktouch(s->addr + 16, 16, true);                            /* offset, oo */
	return true;
}

static int slub_ncaches(void *a)
{
	return (int)((slub_t *)a)->caches->len;
}

static kmem_cache_t *slub_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slub_t *)a)->caches, i);
}

/* count_partial(n, count_free): the free objects of n's partial slabs. */
static uint64_t partial_free(const struct kmem_cache_node *n)
{
	uint64_t nfree = 0;
	klist_t *pos;

	klist_for_each(pos, &n->partial) {
		const page_t *page = klist_entry(pos, page_t, lru);

		nfree += page->objects - page->inuse;
	}
	return nfree;
}

/* A /proc/slabinfo row as 2.6.29's s_show makes it: slabs and objects from
 * the nodes' counters, active_objs = num_objs less the free objects of
 * the partial slabs (so objects on cpu freelists, in frozen cpu slabs and
 * on exclusive pool lists count as active), active_slabs = slabs. */
static void slub_cache_info(void *a, kmem_cache_t *s, cache_info_t *out)
{
	slub_t *sl = a;
	uint64_t nfree = 0;

	*out = (cache_info_t){
		.name = s->name, .object_size = (uint32_t)s->objsize,
		.size = s->objs.size, .align = s->align,
		.objects_per_slab = s->oo.objects, .order = s->oo.order,
		.aliases = slab_aliases(s->aliases),
	};
	slab_objs_active(&s->objs, &out->active_objs, &out->active_slabs);
	for (int node = 0; node < sl->nnodes; node++) {
		out->slabs += s->node[node].nr_slabs;
		out->num_objs += s->node[node].total_objects;
		nfree += partial_free(&s->node[node]);
	}
	out->active_objs = out->num_objs - nfree;
	out->active_slabs = out->slabs;
}

/* SLUB parks no objects outside its slabs. */
static uint64_t slub_queued_bytes(void *a)
{
	(void)a;
	return 0;
}

/* The CONFIG_SLUB_STATS counters summed over caches and CPUs. */
static void slub_stats(void *a, stat_sink sink, void *ctx)
{
	slub_t *sl = a;

	for (int i = 0; i < NR_SLUB_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], (uint64_t)kcounter_sum(sl->stat, i));
}

/* Fast and slow paths: SLUB's own counters. */
static void slub_path_split(void *a, uint64_t alloc[2], uint64_t free[2])
{
	slub_t *sl = a;

	alloc[0] = (uint64_t)kcounter_sum(sl->stat, ALLOC_FASTPATH);
	alloc[1] = (uint64_t)kcounter_sum(sl->stat, ALLOC_SLOWPATH);
	free[0] = (uint64_t)kcounter_sum(sl->stat, FREE_FASTPATH);
	free[1] = (uint64_t)kcounter_sum(sl->stat, FREE_SLOWPATH);
}

/* ---- audit: structure checks between operations (allocator.h) ----
 * Per node: nr_partial (nr_pool_partial) is the length of the partial
 * (pool) list, which holds only unfrozen, not full slabs of the cache and
 * node; nr_slabs and total_objects count the node's slabs.  Per slab: its
 * freelist holds objects - inuse objects; callers hold inuse objects, less
 * those on c->freelist for a cpu slab; a frozen slab is some CPU's.  The
 * helpers return the first disagreement; slub_audit kbug()s with it. */
static char *audit_list(kmem_cache_t *s, int node, klist_t *head, unsigned long nr,
                        const char *what)
{
	unsigned long len = 0;
	klist_t *l;

	klist_for_each(l, head) {
		page_t *page = klist_entry(l, page_t, lru);
		len++;
		if (page->slab != s || page_to_nid(page) != node || (page->flags & PG_frozen) ||
		    page->inuse >= page->objects)
			return g_strdup_printf("slub: %s node %d: a slab on the %s list is %s", s->name, node,
			                       what, page->slab != s ? "another cache's" :
			                       page_to_nid(page) != node ? "another node's" :
			                       (page->flags & PG_frozen) ? "frozen" : "full");
	}
	if (len != nr)
		return g_strdup_printf("slub: %s node %d: %s list of %lu slabs, count %lu", s->name,
		                       node, what, len, nr);
	return NULL;
}

static char *audit_slab(kmem_cache_t *s, page_t *page, uint64_t *slabs, uint64_t *objs)
{
	slab_rec_t *r = slab_rec(page);
	unsigned free = slab_freelist_count(&s->objs, page, page->freelist), held = page->inuse;
	int cpu;

	slabs[page_to_nid(page)]++;
	objs[page_to_nid(page)] += page->objects;
	if (free == UINT_MAX || free + page->inuse != page->objects)
		return g_strdup_printf("slub: %s: a slab of %u objects, %u in use, has %s on its "
		                       "freelist", s->name, page->objects, page->inuse,
		                       free == UINT_MAX ? "a broken chain" : "another number");
	for (cpu = 0; cpu < s->sl->ncpus && s->cpu_slab[cpu].page != page; cpu++)
		;
	if (cpu < s->sl->ncpus) {
		unsigned cfree = slab_freelist_count(&s->objs, page, s->cpu_slab[cpu].freelist);
		held = cfree == UINT_MAX ? UINT_MAX : page->inuse - cfree;
	}
	if (!(page->flags & PG_frozen) != (cpu == s->sl->ncpus) || held != r->live)
		return g_strdup_printf("slub: %s: a slab (%s, cpu slab of %d CPUs) with %u objects "
		                       "handed out holds %u by its counts", s->name,
		                       (page->flags & PG_frozen) ? "frozen" : "not frozen",
		                       cpu < s->sl->ncpus, r->live, held);
	return NULL;
}

static void slub_audit(void *a)
{
	slub_t *sl = a;
	uint64_t *slabs = g_new(uint64_t, sl->nnodes), *objs = g_new(uint64_t, sl->nnodes);
	char *why = NULL;

	for (guint i = 0; !why && i < sl->caches->len; i++) {
		kmem_cache_t *s = sl->caches->pdata[i];
		klist_t *l;
		memset(slabs, 0, sizeof(uint64_t) * sl->nnodes);
		memset(objs, 0, sizeof(uint64_t) * sl->nnodes);
		klist_for_each(l, &s->objs.recs)
			if (!why)
				why = audit_slab(s, klist_entry(l, slab_rec_t, link)->page, slabs, objs);
		for (int node = 0; !why && node < sl->nnodes; node++) {
			struct kmem_cache_node *n = &s->node[node];
			why = audit_list(s, node, &n->partial, n->nr_partial, "partial");
			if (!why)
				why = audit_list(s, node, &n->pool_partial, n->nr_pool_partial, "pool");
			if (!why && (n->nr_slabs != slabs[node] || n->total_objects != objs[node]))
				why = g_strdup_printf("slub: %s node %d: nr_slabs %" G_GUINT64_FORMAT
				                      " total_objects %" G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT
				                      " slabs of %" G_GUINT64_FORMAT " objects", s->name, node,
				                      n->nr_slabs, n->total_objects, slabs[node], objs[node]);
		}
	}
	g_free(slabs);
	g_free(objs);
	if (why)
		kbug("audit: %s", why);
}

/* SLUB as the simulator's registry sees it. */
const allocator_ops_t slub_allocator = {
	.name = "slub",
	.summary = "SLUB, Linux 2.6.29: per-CPU slabs with lock-free freelists, "
	           "per-node partial lists, no queues",
	.tunables = slub_tunables,
	.cache_tunables = slub_cache_tunables,
	.cache_tune = slub_cache_tune,
	.check_tunables = slub_check_tunables,
	.create = slub_create,
	.destroy = slub_destroy,
	.cache_create = slub_cache_create,
	.max_cache_size = slab_max_order_size,
	.cache_alloc = slub_cache_alloc,
	.cache_free = slub_cache_free,
	.kmalloc = slub_kmalloc,
	.kfree = slub_kfree,
	.shrink = slub_shrink,
	.kmalloc_size = slub_kmalloc_size,
	.ncaches = slub_ncaches,
	.cache_at = slub_cache_at,
	.cache_info = slub_cache_info,
	.queued_bytes = slub_queued_bytes,
	.stats = slub_stats,
	.cache_set_ops = slub_cache_set_ops,
	.defrag = slub_defrag,
	.vacate = slub_vacate,
	.cache_set_mempool = slub_cache_set_mempool,
	.path_split = slub_path_split,
	.audit = slub_audit,
};
