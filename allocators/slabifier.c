/*
 * slabifier.c -- the Slabifier, Christoph Lameter's 2006 slab allocator
 * with minimal meta information (seed 000; thread-results.md section 5.1,
 * claims C9 note, C14, C23).
 *
 * Design.  A slab is a page (compound if order > 0) and all its state
 * lives in its struct page: inuse, freelist (first free object), slab (the
 * owning cache), lru (partial-list link), the bit lock PG_locked (the
 * per-slab lock, "slabifier.slab_lock") and the flags PG_active (here
 * PG_frozen: a CPU's active slab, or pinned), PG_referenced (used since
 * the last flush check) and PG_slabsingle (one object, no freelist).
 * Object 0 starts at the page boundary; alignment only rounds the size up.
 * Free objects are chained through a free pointer inside the object (at
 * offset 0, or behind the object for SLAB_DESTROY_BY_RCU caches).
 * Each CPU allocates only from its active slab, under the slab lock, with
 * no list lock.  One central list of partial slabs (all nodes) sits under
 * the cache's one list_lock ("slabifier.list_lock"), taken only when a
 * slab changes state:
 *   (a) a free makes a full slab partial: add it to the list;
 *   (b) a free empties a partial slab: take it off and free the page;
 *   (c) a CPU needs an active slab and the list is not empty: take one
 *       (the local node's first, any node's if no node was asked for);
 *   (d) an active slab is deactivated while partial: add it to the list.
 * Full slabs are on no list; empty slabs go back to the page allocator at
 * once; fresh slabs come from the page allocator without the list_lock.
 * A flusher (delayed work, 2 s, on the CPU that armed it) IPIs every CPU
 * with on_each_cpu: an active slab not referenced since the last pass is
 * deactivated, a referenced one loses PG_referenced.  Armed by the first
 * slab activation, it re-arms after every pass while CPUs are online (the
 * seed's active_cpus starts each pass at num_online_cpus), so it runs
 * every 2 s for ever, idle cache or not.  kmem_cache_shrink cancels it and
 * deactivates every active slab (drain_all); the next activation arms it
 * again.  No object queues, no per-CPU or per-node structures.
 *
 * Defragmentation and targeted reclaim (the seed's kmem_cache_shrink with
 * a move_object callback, in seed 001's form; docs/defrag.md).  A cache
 * may carry slab_ops (get_reference, put_reference, kick_object, moved).
 * To empty a slab the Slabifier pins it as the seed's shrink does: under
 * list_lock it trylocks the slab, takes it off the partial list (a full
 * slab is on none) and sets PG_active (PG_frozen) without making it any
 * CPU's active slab, so no CPU allocates from it and frees leave it in
 * place even empty.  It lists the objects in use by walking
 * page->freelist, takes a reference on every one (all or none), then,
 * holding no lock, kicks each: a reclaimed object is freed, a moved one
 * gets a replacement from slab_alloc on the slab's node (never from the
 * pinned slab), a charged copy of objsize bytes, moved() and a free of
 * the old object.  An empty slab then goes back to the page allocator;
 * otherwise it is unpinned as at deactivation.  kmem_cache_shrink of a
 * cache with ops (and the defrag op) drains, sorts the central partial
 * list most used first (2.6.29's shrink sort), then per node empties the
 * sparsest partial slab while more than `keep` of the node's slabs are
 * partial and the node's other partial slabs and this CPU's active slab
 * have room for its objects, and finally deactivates the active slab the
 * moves filled.  keep defaults to 1 per node: the seed's shrink loops
 * while nr_partial > 1.  kmem_cache_vacate(page) empties one slab: this
 * CPU's active slab is deactivated first, another CPU's is VACATE_BUSY;
 * a one-object slab needs no pinning (its free frees the page).  A cache
 * without ops shrinks exactly as before (drain_all only).
 *
 * Kernel features, which the seed leaves to the allocator framework's
 * layers (allocator.c, not in the seed): its page layer counts slab pages
 * in NR_SLAB_(UN)RECLAIMABLE and, for SLAB_DESTROY_BY_RCU caches, frees
 * them after an RCU grace period (the rcu_head over page->lru); its
 * constructor layer runs the constructor on every object of a new slab;
 * the free pointer goes behind the object for RCU and constructors (the
 * seed's comment); __GFP_ZERO clears objsize bytes after allocation.
 *
 * Critical mempool backing (seed 004; docs/mempool.md).  The seed's page
 * source is pluggable (page_alloc->allocate): with Dobson's patch it is
 * mempool_alloc_node for a __GFP_CRITICAL request of a cache whose order
 * is its pool's (the page allocator first, then the reserve).  A slab on a
 * reserve page records its pool (the planned pointer, in the host record).
 * As posted it becomes an active slab every request uses (objects handed
 * to non-critical requests count as leaked) and its page goes to the page
 * allocator once it empties and is deactivated.  SLAB_MEMPOOL_RETURN sends
 * that page to mempool_free; SLAB_MEMPOOL_EXCLUSIVE keeps reserve slabs
 * inactive, on a pool list under list_lock (its head priced on the partial
 * list's line of struct slab, which has no slot for it) that only
 * critical requests use, after the partial list and before growing; a new
 * reserve slab gives its first object to the request that built it.
 * Reserve slabs of an exclusive pool are not vacated (VACATE_PINNED).
 *
 * Lock order: slab_lock (bit spinlock in page->flags) before list_lock
 * before mempool.lock (inside mempool_alloc_node / mempool_free only).
 * Walkers of the partial list (get_partial, the defrag candidate search,
 * pinning for vacate) hold list_lock and only trylock slabs.  The slab_ops
 * callbacks run with irqs on and no allocator lock held.  The
 * Slabifier owns page->lock while the page is a slab: new_slab initialises
 * it, discard_slab releases its wait queue.
 *
 * Pricing: the free pointers in the objects (kload64/kstore64), struct
 * page (kpage_touch, the bit lock), and struct slab (ktouch at the address
 * of its metadata account: active[cpu], active_cpus, nr_slabs, list_lock,
 * partial, nr_partial).  Stats counters and debug checks are host
 * bookkeeping and cost nothing.
 *
 * Metadata (owner: the cache name): one struct slab per cache, category
 * "kmem_cache", of 256 + 8 * NR_CPUS bytes (modelled LP64 layout of the
 * seed's struct slab: the generic slab_cache, the flushing mutex,
 * active_cpus, the flush work, refcount, nr_slabs, size/offset/objects,
 * list_lock, partial, nr_partial, then active[NR_CPUS]).  User caches
 * kmalloc it (rounded to this allocator's kmalloc classes); the kmalloc
 * caches are static, accounted exactly.  Nothing else: no per-CPU or
 * per-node structures, no queues (queue_capacity is NULL).
 *
 * kmalloc: the seed has no kmalloc layer, so the classes are SLUB 2.6.29's
 * (8, 16, 32, 64, 96, 128, 192, 256 ... PAGE_SIZE; larger sizes are
 * compound pages from the page allocator; kmalloc(0) is ZERO_SIZE_PTR).
 *
 * Slab order: the seed takes the order from the cache's creator
 * (objects = (PAGE_SIZE << order) / size).  slabsim's creator asks for the
 * slabifier_order tunable (default 0), raised to the smallest order that
 * holds one object; objects > 65535 (u16 inuse) is refused.
 *
 * Deviations from the seed:
 *  - No __GFP_WAIT: irqs stay off across new_slab, so the "another active
 *    slab appeared meanwhile" race of __slab_alloc cannot happen and is
 *    not modelled.
 *  - The flushing mutex is priced as atomics on its line but never
 *    sleeps: drain_all cannot wait for a pass running on another CPU (a
 *    spinning CPU could not answer that pass's IPIs), so it goes ahead and
 *    cancels the pass's re-arm instead, the end state of the seed's
 *    mutex_lock, cancel_delayed_work, active_cpus = 0.  The flusher's
 *    mutex_trylock cannot fail (one flusher at most is ever pending).
 *  - kmem_cache_shrink: the seed's second step takes the partial slabs in
 *    list order, pins each and calls move_object(object) on every object
 *    (the owner allocates and copies; 1 frees the old object), keeping
 *    one partial slab.  slabsim uses seed 001's contract instead (all-or-
 *    none references, kick_object, the allocator moves and prices the
 *    copy), sorts the list and empties the sparsest slabs first, and only
 *    while the others have room, so no new slab is allocated for moves;
 *    a cache without ops is only drained (the seed re-queues each slab,
 *    which changes nothing here, the Slabifier keeping no empty slabs).
 *    The keep count applies per node because moves keep the node.  The
 *    transient sort buckets and vacate scratch arrays are not accounted.
 *    No kmem_cache_destroy, dup() or refcount (the interface has none).
 *  - page->offset is not a page_t field: the free-pointer offset is read
 *    from the cache (the same struct slab line as active[cpu]).
 *  - SLAB_RECLAIM_ACCOUNT slabs are __GFP_RECLAIMABLE (as in every
 *    slabsim allocator; 2.6.19 had no mobility grouping).
 *  - debug=1 adds simulator checks (the seed's SLABIFIER_DEBUG checks as
 *    kbug): foreign pointers, double frees (a host bitmap of handed-out
 *    objects per slab, O(1) per free, instead of walking the freelist)
 *    and free pointers leaving their slab.
 */
#include "allocator.h"
#include "slabifier.h"

#define SF_ALIGN(x, a)          (((x) + (a) - 1) / (a) * (a))

#define MAX_OBJS_PER_SLAB       65535          /* page->inuse is a u16 */
#define MIN_ALIGN               8              /* sizeof(void *) */
#define FLUSH_SECONDS           2              /* schedule_delayed_work(2 * HZ) */

/* Page flags the seed adds (pagealloc.h defines bits 0-5); PG_active is
 * pagealloc.h's PG_frozen. */
#define PG_REFERENCED           (1u << 16)
#define PG_SLABSINGLE           (1u << 17)

/* Modelled LP64 layout of struct slab (2.6.19, SMP, NUMA, no debug). */
#define KS_FLUSHING             72             /* struct mutex flushing */
#define KS_ACTIVE_CPUS          96             /* atomic_t */
#define KS_NR_SLABS             208            /* atomic_long_t */
#define KS_LIST_LOCK            228            /* spinlock_t */
#define KS_PARTIAL              232            /* list_head, then nr_partial */
#define KS_NR_PARTIAL           248
#define KS_ACTIVE               256            /* struct page *active[NR_CPUS] */
#define PAGE_LRU                40             /* offsetof(struct page, lru): the rcu_head */

enum stat_item {
	ALLOC_FASTPATH, ALLOC_SLOWPATH, ALLOC_FROM_PARTIAL, ALLOC_NEW_SLAB,
	ALLOC_SINGLE, FREE_ACTIVE, FREE_PARTIAL, FREE_SINGLE,
	FREE_FULL_TO_PARTIAL, FREE_PARTIAL_TO_EMPTY, GET_PARTIAL_LOCKED,
	GET_PARTIAL_MISS, SLABS_ACTIVATED, DEACTIVATE_FULL, DEACTIVATE_PARTIAL,
	DEACTIVATE_EMPTY, DEACTIVATE_NODE_MISMATCH, FREE_SLAB, FLUSH_RUNS,
	FLUSH_REFERENCED, FLUSH_DEACTIVATED, DRAIN_RUNS, DEFRAG_RUNS, SLABS_VACATED,
	OBJECTS_MOVED, OBJECTS_RECLAIMED, VACATE_FAILED, NR_STAT_ITEMS
};

static const char *const stat_names[NR_STAT_ITEMS] = {
	"alloc_fastpath", "alloc_slowpath", "alloc_from_partial",
	"alloc_new_slab", "alloc_single", "free_active", "free_partial",
	"free_single", "free_full_to_partial", "free_partial_to_empty",
	"get_partial_locked", "get_partial_miss", "slabs_activated",
	"deactivate_full", "deactivate_partial", "deactivate_empty",
	"deactivate_node_mismatch", "free_slab", "flush_runs",
	"flush_referenced", "flush_deactivated", "drain_runs", "defrag_runs",
	"slabs_vacated", "objects_moved", "objects_reclaimed", "vacate_failed",
};

/* What the geometry rule decides. */
typedef struct sf_layout {
	unsigned size;          /* stride */
	unsigned offset;        /* free pointer offset */
	unsigned order;
	unsigned objects;
} sf_layout_t;

typedef struct slabifier slabifier_t;

/* One CPU's active slab (a host slot of its own: no false sharing). */
struct active_slab {
	page_t *page;
} KPCPU_HOST;

struct kmem_cache {
	slabifier_t *sa;
	char *name;
	unsigned flags;
	size_t objsize;
	unsigned order, objects, align;
	slab_objs_t objs;               /* stride, free pointer, slab records */
	gfp_t allocflags;
	saddr_t addr;                   /* the struct slab */
	spinlock_t list_lock;
	klist_t partial;                /* partial slabs of every node */
	unsigned long nr_partial;
	uint64_t nr_slabs;
	uint64_t discarded;             /* slabs given back (host count) */
	int active_cpus;                /* > 0: a flusher is pending or running (the
	                                 * seed's atomic_t: every CPU reads and bumps it) */
	bool flushing;                  /* the flushing mutex: a pass runs */
	bool rearm_cancelled;           /* drain_all ran during the pass */
	struct active_slab *active;     /* [ncpus] */
	const slab_ops_t *ops;          /* seed 001: NULL, no defragmentation */
	void *ops_ctx;
	mempool_t *pool;                /* critical page pool (seed 004), or NULL */
	unsigned pool_flags;            /* SLAB_MEMPOOL_* */
	uint64_t pool_slabs;            /* slabs on reserve pages (host count) */
	klist_t pool_partial;           /* exclusive reserve slabs with free objects */
	unsigned long nr_pool_partial;
	kmem_ctor_t *ctor;              /* the constructor, or NULL */
};

struct slabifier {
	int page_shift;
	long min_order;
	bool debug;
	bool booted;                    /* create() is done: structs are kmalloc'd */
	int ncpus, nnodes;
	size_t struct_size;             /* sizeof(struct slab) */
	GPtrArray *caches;              /* creation order */
	kmem_cache_t **kmalloc_caches;  /* [page_shift + 1] */
	lock_class_t *slab_lock_cls, *list_lock_cls;
	kcounters_t *stat;              /* [NR_STAT_ITEMS] per CPU */
};

/* ---- geometry ---- */

/* Size rounded to a word (and the alignment), the free pointer behind the
 * object for RCU caches, the order asked for or the smallest holding one
 * object; false if no slab can hold the object. */
static bool calculate_layout(size_t objsize, size_t align, unsigned flags,
                             int page_shift, long min_order, sf_layout_t *l)
{
	unsigned long size = SF_ALIGN(objsize, MIN_ALIGN);
	unsigned order;

	if (!objsize)
		return false;
	l->offset = 0;
	if (flags & (SLAB_DESTROY_BY_RCU | __SLAB_CTOR)) {
		l->offset = (unsigned)size;     /* the object must survive a free */
		size += sizeof(uint64_t);
	}
	if (align > MIN_ALIGN)
		size = SF_ALIGN(size, align);
	order = MAX((unsigned)min_order, get_order(size, page_shift));
	if (order >= PA_MAX_ORDER)
		return false;
	l->size = (unsigned)size;
	l->order = order;
	l->objects = (unsigned)((1UL << (page_shift + order)) / size);
	return l->objects <= MAX_OBJS_PER_SLAB;
}

/* The geometry slab_create gives an object of objsize bytes (see
 * slabifier.h). */
void slabifier_geometry(size_t objsize, size_t align, unsigned flags, int page_size,
                        long min_order, unsigned *order, unsigned *objects,
                        unsigned *size, unsigned *offset)
{
	sf_layout_t l = { 0 };

	if (!calculate_layout(objsize, align, flags, fls_long((unsigned long)page_size) - 1,
	                      min_order, &l))
		l = (sf_layout_t){ 0 };
	*order = l.order;
	*objects = l.objects;
	*size = l.size;
	*offset = l.offset;
}

/* ---- priced access to the modelled structures ---- */

static inline void stat(kmem_cache_t *s, enum stat_item si)
{
	kcounter_inc(s->sa->stat, si);
}

/* s->active[cpu]: a load from struct slab. */
static page_t *get_active(kmem_cache_t *s, int cpu)
{
	ktouch(s->addr + KS_ACTIVE + 8 * (saddr_t)cpu, 8, false);
	return s->active[cpu].page;
}

static void set_active(kmem_cache_t *s, int cpu, page_t *page)
{
	ktouch(s->addr + KS_ACTIVE + 8 * (saddr_t)cpu, 8, true);
	s->active[cpu].page = page;
}

static void slab_lock(kmem_cache_t *s, page_t *page)
{
	bit_spin_lock_page(page, s->sa->slab_lock_cls);
}

static bool slab_trylock(kmem_cache_t *s, page_t *page)
{
	return bit_spin_trylock_page(page, s->sa->slab_lock_cls);
}

static void slab_unlock(kmem_cache_t *s, page_t *page)
{
	bit_spin_unlock_page(page, s->sa->slab_lock_cls);
}

static void list_lock(kmem_cache_t *s)
{
	spin_lock(&s->list_lock, s->sa->list_lock_cls, s->addr + KS_LIST_LOCK);
}

static void list_unlock(kmem_cache_t *s)
{
	spin_unlock(&s->list_lock, s->sa->list_lock_cls, s->addr + KS_LIST_LOCK);
}

/* ---- the partial list (list_lock held) ---- */

/* Price the link change of a neighbour on the partial (or pool) list. */
static void touch_neighbour(kmem_cache_t *s, klist_t *l)
{
	if (l != &s->partial && l != &s->pool_partial)
		kpage_touch(klist_entry(l, page_t, lru), true);
}

static void partial_link_tail(kmem_cache_t *s, page_t *page)
{
	ktouch(s->addr + KS_PARTIAL, KS_ACTIVE - KS_PARTIAL, true);
	touch_neighbour(s, s->partial.prev);
	kpage_touch(page, true);
	klist_add_tail(&page->lru, &s->partial);
	s->nr_partial++;
}

/* Take page out of the list's links (its neighbours and itself priced). */
static void lru_unlink(kmem_cache_t *s, page_t *page)
{
	touch_neighbour(s, page->lru.prev);
	touch_neighbour(s, page->lru.next);
	kpage_touch(page, true);
	klist_del(&page->lru);
}

static void partial_unlink(kmem_cache_t *s, page_t *page)
{
	ktouch(s->addr + KS_PARTIAL, KS_ACTIVE - KS_PARTIAL, true);
	lru_unlink(s, page);
	s->nr_partial--;
}

/* ---- reserve slabs (seed 004) ---- */

/* A reserve slab of an exclusive pool: on the pool list, never active. */
static bool pool_exclusive(const kmem_cache_t *s, const page_t *page)
{
	return slab_rec_pool_flag(s->pool_flags, SLAB_MEMPOOL_EXCLUSIVE, page);
}

/* The pool list (list_lock held): its head is priced on the partial
 * list's line of struct slab, which has no slot for it. */
static void pool_link(kmem_cache_t *s, page_t *page)
{
	ktouch(s->addr + KS_PARTIAL, 16, true);
	touch_neighbour(s, s->pool_partial.prev);
	kpage_touch(page, true);
	klist_add_tail(&page->lru, &s->pool_partial);
	s->nr_pool_partial++;
}

static void pool_unlink(kmem_cache_t *s, page_t *page)
{
	ktouch(s->addr + KS_PARTIAL, 16, true);
	lru_unlink(s, page);
	s->nr_pool_partial--;
}

/* An object of a reserve slab handed to a non-critical request is leaked
 * (host bookkeeping, looked up only while the cache has reserve slabs). */
static void note_leak(kmem_cache_t *s, saddr_t object, gfp_t gfp)
{
	mempool_t *pool;

	if (!object || !s->pool_slabs || (gfp & __GFP_CRITICAL))
		return;
	pool = slab_rec_pool(virt_to_head_page(object));
	if (pool)
		pool->stats.leaked++;
}

/* The partial list, or the pool list for an exclusive reserve slab. */
static void add_partial(kmem_cache_t *s, page_t *page)
{
	list_lock(s);
	if (pool_exclusive(s, page))
		pool_link(s, page);
	else
		partial_link_tail(s, page);
	list_unlock(s);
}

static void remove_partial(kmem_cache_t *s, page_t *page)
{
	list_lock(s);
	if (pool_exclusive(s, page))
		pool_unlink(s, page);
	else
		partial_unlink(s, page);
	list_unlock(s);
}

/* The first slab on the list that is on node nid (-1: any) and can be
 * locked, locked and unlinked. */
static page_t *lock_first_partial(kmem_cache_t *s, int nid)
{
	klist_t *pos;

	klist_for_each(pos, &s->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);       /* flags (node), lru.next */
		if ((nid < 0 || page_to_nid(page) == nid) && slab_trylock(s, page)) {
			partial_unlink(s, page);
			return page;
		}
	}
	return NULL;
}

/* A partial slab, locked: the wanted node's (the local one for node -1),
 * else, when no node was asked for, any node's.  The racy nr_partial test
 * spares the list_lock while the list is empty. */
static page_t *get_partial(kmem_cache_t *s, int node)
{
	int searchnode = node == -1 ? numa_node_id() : node;
	page_t *page;

	ktouch(s->addr + KS_NR_PARTIAL, 8, false);
	if (!kdata_race_ul(&s->nr_partial))
		return NULL;
	list_lock(s);
	stat(s, GET_PARTIAL_LOCKED);
	ktouch(s->addr + KS_PARTIAL, 16, false);
	page = lock_first_partial(s, searchnode);
	if (!page && node == -1)
		page = lock_first_partial(s, -1);
	if (!page)
		stat(s, GET_PARTIAL_MISS);
	list_unlock(s);
	return page;
}

/* ---- slab life cycle ---- */

/* The page source (the seed's pluggable page_alloc): the page allocator,
 * or with Dobson's patch, for a critical request of a cache whose order
 * is its pool's, mempool_alloc_node (the page allocator first, then the
 * reserve; *from: the pool if from the reserve). */
static page_t *slab_pages(kmem_cache_t *s, gfp_t gfp, int node, mempool_t **from)
{
	gfp_t g = (gfp & (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN | __GFP_COLD)) |
	          s->allocflags;

	*from = NULL;
	if (!(gfp & __GFP_CRITICAL) || !s->pool || s->pool->page_order != (int)s->order)
		return alloc_pages_node(node, g, s->order);
	return slab_mempool_pages(s->pool, g, node, from);
}

/* A fresh slab from the page source, counted in the zone's slab pages, on
 * no list: objects constructed and chained in address order, or
 * PG_slabsingle without a freelist. */
static page_t *new_slab(kmem_cache_t *s, gfp_t gfp, int node)
{
	mempool_t *from;
	page_t *page = slab_pages(s, gfp, node, &from);

	if (!page)
		return NULL;
	slab_account_pages(page, s->flags, 1L << s->order);
	katomic_add(s->addr + KS_NR_SLABS, &s->nr_slabs, 1);
	spin_init(&page->lock);         /* PG_locked is clear on a new page */
	page->slab = s;
	kpage_flags_set(page, PG_slab);
	if (s->objects > 1)
		slab_init_objects(&s->objs, page, s->objects);
	else
		kpage_flags_set(page, PG_SLABSINGLE);
	if (s->ctor)
		slab_run_ctor_all(s->ctor, page_address(page), s->objs.size, s->objects);
	kpage_touch(page, true);
	slab_rec_new(&s->objs, page, s->objects);
	slab_rec(page)->pool = from;
	if (from)
		s->pool_slabs++;
	return page;
}

/* The slab's pages go back (free_slab, at once or for SLAB_DESTROY_BY_RCU
 * after a grace period, the rcu_head overlaying page->lru) to the page
 * allocator or, for a reserve slab with the return fix, to its pool. */
static void discard_slab(kmem_cache_t *s, page_t *page)
{
	slab_pages_t sp = { page, s->order, s->flags,
	                    slab_rec_pool_flag(s->pool_flags, SLAB_MEMPOOL_RETURN, page) ?
	                    slab_rec_pool(page) : NULL };

	katomic_add(s->addr + KS_NR_SLABS, &s->nr_slabs, -1);
	khost_add64(&s->discarded, 1);
	if (slab_rec_pool(page))
		s->pool_slabs--;
	stat(s, FREE_SLAB);
	kpage_flags_clear(page, PG_slab | PG_frozen | PG_REFERENCED | PG_SLABSINGLE);
	page->inuse = 0;
	page->freelist = 0;
	page->slab = NULL;
	kpage_touch(page, true);
	slab_rec_free(&s->objs, page);
	spin_destroy(&page->lock);
	slab_free_pages(&sp, page_struct_addr(page) + PAGE_LRU);
}

/* Give up this CPU's active slab (slab_lock held on entry, released on
 * return): a partial slab goes to the list, a full one to no list, an
 * empty one back to the page allocator. */
static void deactivate_slab(kmem_cache_t *s, page_t *page, int cpu)
{
	set_active(s, cpu, NULL);
	kpage_flags_clear(page, PG_frozen | PG_REFERENCED);
	kpage_touch(page, true);
	if (!page->inuse) {
		slab_unlock(s, page);
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(s, page);
		return;
	}
	if (page->inuse < s->objects) {
		add_partial(s, page);
		stat(s, DEACTIVATE_PARTIAL);
	} else {
		stat(s, DEACTIVATE_FULL);
	}
	slab_unlock(s, page);
}

/* ---- the flusher ---- */

static simtime_t flush_delay(void)
{
	return jiffies_to_time((uint64_t)FLUSH_SECONDS * (uint64_t)HZ);
}

/* IPI handler of a flush pass: keep a referenced active slab (clearing
 * PG_referenced), deactivate an unreferenced one. */
static void check_flush_active(void *arg)
{
	kmem_cache_t *s = arg;
	int cpu = smp_processor_id();
	page_t *page = get_active(s, cpu);

	if (!page)
		return;
	kpage_touch(page, false);
	if (page_flags(page) & PG_REFERENCED) {
		kpage_flags_clear(page, PG_REFERENCED);
		kpage_touch(page, true);
		katomic(s->addr + KS_ACTIVE_CPUS);
		__atomic_fetch_add(&s->active_cpus, 1, __ATOMIC_RELAXED);
		stat(s, FLUSH_REFERENCED);
		return;
	}
	slab_lock(s, page);
	stat(s, FLUSH_DEACTIVATED);
	deactivate_slab(s, page, cpu);
}

/* The delayed work: one pass over every CPU under the flushing mutex.
 * As the seed: active_cpus starts at num_online_cpus() and each kept slab
 * adds one, so the pass re-arms while CPUs are online, until drain_all
 * cancels it (also when drain_all ran during this pass: the seed's
 * drain_all waits for the mutex, then cancels the work re-armed here). */
static void flusher(void *arg)
{
	kmem_cache_t *s = arg;

	katomic(s->addr + KS_FLUSHING);         /* mutex_trylock: never contended here */
	s->flushing = true;
	katomic(s->addr + KS_ACTIVE_CPUS);
	__atomic_store_n(&s->active_cpus, s->sa->ncpus, __ATOMIC_RELAXED);
	stat(s, FLUSH_RUNS);
	on_each_cpu(check_flush_active, s);
	ktouch(s->addr + KS_ACTIVE_CPUS, 4, false);
	if (__atomic_load_n(&s->active_cpus, __ATOMIC_RELAXED) && !s->rearm_cancelled)
		schedule_delayed_work_on(smp_processor_id(), flush_delay(), flusher, s);
	s->rearm_cancelled = false;
	katomic(s->addr + KS_FLUSHING);         /* mutex_unlock */
	s->flushing = false;
}

/* A slab became active: arm the flusher unless one is pending (active_cpus
 * is 0 only before the first activation and after drain_all). */
static void arm_flusher(kmem_cache_t *s)
{
	ktouch(s->addr + KS_ACTIVE_CPUS, 4, false);
	if (__atomic_load_n(&s->active_cpus, __ATOMIC_RELAXED))
		return;
	katomic(s->addr + KS_ACTIVE_CPUS);
	__atomic_fetch_add(&s->active_cpus, 1, __ATOMIC_RELAXED);
	schedule_delayed_work_on(smp_processor_id(), flush_delay(), flusher, s);
}

/* drain_all's IPI handler: deactivate this CPU's active slab. */
static void flush_active(void *arg)
{
	kmem_cache_t *s = arg;
	int cpu = smp_processor_id();
	page_t *page = get_active(s, cpu);

	if (page) {
		slab_lock(s, page);
		deactivate_slab(s, page, cpu);
	}
}

/* Cancel the flusher and deactivate every CPU's active slab (none is
 * active unless a flusher is armed), under the flushing mutex. */
static void drain_all(kmem_cache_t *s)
{
	ktouch(s->addr + KS_ACTIVE_CPUS, 4, false);
	if (!__atomic_load_n(&s->active_cpus, __ATOMIC_RELAXED))
		return;
	stat(s, DRAIN_RUNS);
	katomic(s->addr + KS_FLUSHING);         /* mutex_lock */
	cancel_delayed_work(flusher, s);
	if (s->flushing)
		s->rearm_cancelled = true;
	katomic(s->addr + KS_ACTIVE_CPUS);
	__atomic_store_n(&s->active_cpus, 0, __ATOMIC_RELAXED);
	on_each_cpu(flush_active, s);
	katomic(s->addr + KS_FLUSHING);         /* mutex_unlock */
}

/* ---- allocation ---- */

/* Pop the first free object of page (slab_lock held, freelist not empty). */
static saddr_t take_object(kmem_cache_t *s, page_t *page)
{
	saddr_t object = page->freelist;

	page->freelist = slab_get_freepointer(&s->objs, page, object);
	page->inuse++;
	kpage_flags_set(page, PG_REFERENCED);
	kpage_touch(page, true);
	slab_note_alloc(&s->objs, page, object);
	return object;
}

/* page (locked) becomes cpu's active slab. */
static void activate_slab(kmem_cache_t *s, page_t *page, int cpu)
{
	set_active(s, cpu, page);
	kpage_flags_set(page, PG_frozen);
	kpage_touch(page, true);
	stat(s, SLABS_ACTIVATED);
	arm_flusher(s);
}

/* A critical request of an exclusive pool: an object of a reserve slab on
 * the pool list (of `node`, any for -1) that can be locked, or 0. */
static saddr_t pool_list_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	saddr_t object = 0;
	klist_t *pos;

	if (!(gfp & __GFP_CRITICAL) || !s->pool || !(s->pool_flags & SLAB_MEMPOOL_EXCLUSIVE))
		return 0;
	ktouch(s->addr + KS_PARTIAL, 16, false);
	if (!s->nr_pool_partial)
		return 0;
	list_lock(s);
	klist_for_each(pos, &s->pool_partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);
		if ((node < 0 || page_to_nid(page) == node) && slab_trylock(s, page)) {
			object = take_object(s, page);
			if (!page->freelist)
				pool_unlink(s, page);
			slab_unlock(s, page);
			break;
		}
	}
	list_unlock(s);
	return object;
}

/* No usable active slab: a partial slab or a new one becomes active (a
 * single-object slab is handed out whole); a critical request of an
 * exclusive pool tries the pool list before growing, and a new reserve
 * slab gives it one object and goes on the pool list, never active.  0 if
 * no memory. */
static saddr_t alloc_slow(kmem_cache_t *s, gfp_t gfp, int node, int cpu)
{
	page_t *page = get_partial(s, node);
	saddr_t object;

	if (page) {
		stat(s, ALLOC_FROM_PARTIAL);
	} else {
		object = pool_list_alloc(s, gfp, node);
		if (object)
			return object;
		page = new_slab(s, gfp, node);
		if (!page)
			return 0;
		if (page_flags(page) & PG_SLABSINGLE) {
			stat(s, ALLOC_SINGLE);
			slab_note_alloc(&s->objs, page, page_address(page));
			return page_address(page);
		}
		stat(s, ALLOC_NEW_SLAB);
		slab_lock(s, page);
		if (pool_exclusive(s, page)) {
			object = take_object(s, page);
			if (page->freelist)
				add_partial(s, page);
			slab_unlock(s, page);
			return object;
		}
	}
	activate_slab(s, page, cpu);
	object = take_object(s, page);
	slab_unlock(s, page);
	return object;
}

static saddr_t slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	int cpu = smp_processor_id();
	unsigned long flags;
	saddr_t object;
	page_t *page;

	local_irq_save(&flags);
	page = get_active(s, cpu);
	if (page) {
		slab_lock(s, page);
		kpage_touch(page, false);
		if (page->freelist && (node == -1 || page_to_nid(page) == node)) {
			object = take_object(s, page);
			slab_unlock(s, page);
			stat(s, ALLOC_FASTPATH);
			local_irq_restore(flags);
			note_leak(s, object, gfp);
			return object;
		}
		if (page->freelist)
			stat(s, DEACTIVATE_NODE_MISMATCH);
		deactivate_slab(s, page, cpu);
	}
	object = alloc_slow(s, gfp, node, cpu);
	if (object)
		stat(s, ALLOC_SLOWPATH);
	local_irq_restore(flags);
	note_leak(s, object, gfp);
	return object;
}

/* ---- free ---- */

static void slab_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	unsigned long flags;
	saddr_t prior;

	slab_note_free(&s->objs, page);
	local_irq_save(&flags);
	if (page_flags(page) & PG_SLABSINGLE) {
		stat(s, FREE_SINGLE);
		discard_slab(s, page);
		local_irq_restore(flags);
		return;
	}
	slab_lock(s, page);
	kpage_touch(page, true);
	prior = page->freelist;
	slab_set_freepointer(&s->objs, x, prior);
	page->freelist = x;
	page->inuse--;
	if (page_flags(page) & PG_frozen) {
		stat(s, FREE_ACTIVE);
	} else if (page->inuse && prior) {
		stat(s, FREE_PARTIAL);
	} else if (!prior) {
		add_partial(s, page);
		stat(s, FREE_FULL_TO_PARTIAL);
	} else {
		remove_partial(s, page);
		slab_unlock(s, page);
		stat(s, FREE_PARTIAL_TO_EMPTY);
		discard_slab(s, page);
		local_irq_restore(flags);
		return;
	}
	slab_unlock(s, page);
	local_irq_restore(flags);
}

/* kmem_cache_free() of x on page: the debug check, then slab_free.  On a
 * pinned slab this is the FREE_ACTIVE path: the slab stays, even empty. */
static void checked_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	slab_check_free(&s->objs, page, x);
	slab_free(s, page, x);
}

/* ---- defragmentation and targeted reclaim (seed 000's shrink, seed 001) ---- */

/* Partial slabs a node keeps when defrag is asked for the default: the
 * seed's slab_shrink walks the partial list while nr_partial > 1. */
#define DEFRAG_KEEP             1

/* Add the slabs on the partial list to hist (host walk, free). */
static void partial_histogram(kmem_cache_t *s, uint64_t *hist, uint64_t *nr)
{
	klist_t *pos;

	klist_for_each(pos, &s->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		hist[MIN(page->inuse * DEFRAG_HIST_BUCKETS / s->objects,
		         DEFRAG_HIST_BUCKETS - 1)]++;
		(*nr)++;
	}
}

/* Rebuild the central partial list most used first, keeping the order of
 * slabs with equal use (the 2.6.29 kmem_cache_shrink sort; no empty slab
 * stays listed here: one a concurrent free is emptying sorts last until
 * that free unlinks it).  get_partial then hands out the densest slabs
 * first and the sparsest sit at the tail. */
static void sort_partial(kmem_cache_t *s)
{
	klist_t *by_inuse = g_new(klist_t, s->objects), *pos, *t;
	unsigned long flags;

	for (unsigned i = 0; i < s->objects; i++)
		klist_init(&by_inuse[i]);
	local_irq_save(&flags);
	list_lock(s);
	ktouch(s->addr + KS_PARTIAL, KS_ACTIVE - KS_PARTIAL, true);
	klist_for_each_safe(pos, t, &s->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);
		lru_unlink(s, page);
		klist_add_tail(&page->lru, &by_inuse[page->inuse]);
	}
	for (unsigned i = s->objects; i-- > 0;)
		slab_lru_splice_tail(&s->partial, &by_inuse[i]);
	list_unlock(s);
	local_irq_restore(flags);
	g_free(by_inuse);
}

/* Pin page for vacating (list_lock held), as the seed's slab_shrink does
 * with PageActive: off the partial list if it is on it, PG_frozen so that
 * no CPU activates or lists it and frees leave it in place.  The slab lock
 * is only tried and only held for the change.  False if the slab is
 * frozen already (a CPU's active slab, or being vacated), not yet in use
 * (a new slab on its way to becoming active) or locked. */
static bool pin_slab(kmem_cache_t *s, page_t *page)
{
	if (!slab_trylock(s, page))
		return false;
	kpage_touch(page, false);
	if ((page_flags(page) & PG_frozen) || !page->inuse) {
		slab_unlock(s, page);
		return false;
	}
	if (page->freelist)
		partial_unlink(s, page);
	kpage_flags_set(page, PG_frozen);
	kpage_touch(page, true);
	slab_unlock(s, page);
	return true;
}

/* Let a pinned slab go: empty, it goes back to the page allocator (true);
 * partial, to the partial list; full, to no list. */
static bool unpin_slab(kmem_cache_t *s, page_t *page)
{
	unsigned long flags;

	local_irq_save(&flags);
	slab_lock(s, page);
	kpage_flags_clear(page, PG_frozen);
	kpage_touch(page, true);
	if (!page->inuse) {
		slab_unlock(s, page);
		discard_slab(s, page);
		local_irq_restore(flags);
		return true;
	}
	if (page->inuse < s->objects)
		add_partial(s, page);
	slab_unlock(s, page);
	local_irq_restore(flags);
	return false;
}

/* The objects of the pinned slab page in use, found with irqs off and
 * the slab locked; fills objs[], returns how many. */
static unsigned objects_in_use(kmem_cache_t *s, page_t *page, saddr_t *objs)
{
	unsigned long flags;
	unsigned n;

	local_irq_save(&flags);
	slab_lock(s, page);
	n = slab_objects_in_use(&s->objs, page, objs);
	slab_unlock(s, page);
	local_irq_restore(flags);
	return n;
}

/* Move x to a new object of s on the same node: the pinned slab is neither
 * active nor listed, so the replacement comes from elsewhere.  Copies
 * objsize bytes (charged loads and stores), tells the owner, frees x.
 * False if no memory. */
static bool move_object(kmem_cache_t *s, page_t *page, saddr_t x)
{
	saddr_t y = slab_alloc(s, 0, page_to_nid(page));

	if (!y)
		return false;
	slab_ops_copy(s->ops, s->ops_ctx, s, s->objsize, x, y);
	checked_free(s, page, x);
	return true;
}

/* Kick objs[0..n) out of their slab page, no allocator lock held: all
 * references first (none kept on a refusal, VACATE_PINNED), then a kick
 * per object, reclaimed ones freed, moved ones moved.  A failed kick or
 * replacement stops the walk; the references not kicked yet are dropped
 * (the failed object's went with its kick).  Adds what left to *rep. */
static vacate_result_t kick_objects(kmem_cache_t *s, page_t *page, const saddr_t *objs,
                                    unsigned n, defrag_report_t *rep)
{
	if (!slab_ops_reference_all(s->ops, s->ops_ctx, s, objs, n))
		return VACATE_PINNED;
	for (unsigned i = 0; i < n; i++) {
		kick_result_t k = s->ops->kick_object(s->ops_ctx, s, objs[i]);

		if (k == KICK_RECLAIM) {
			checked_free(s, page, objs[i]);
			rep->objects_reclaimed++;
			stat(s, OBJECTS_RECLAIMED);
		} else if (k == KICK_MOVE && move_object(s, page, objs[i])) {
			rep->objects_moved++;
			stat(s, OBJECTS_MOVED);
		} else {
			for (unsigned j = i + 1; s->ops->put_reference && j < n; j++)
				s->ops->put_reference(s->ops_ctx, s, objs[j]);
			return k == KICK_MOVE ? VACATE_NOMEM : VACATE_PINNED;
		}
	}
	return VACATE_OK;
}

/* Kick every object out of the pinned slab page, then free the page, or
 * unpin it if objects stayed. */
static vacate_result_t empty_pinned(kmem_cache_t *s, page_t *page, defrag_report_t *rep)
{
	saddr_t *objs = g_new(saddr_t, s->objects);
	unsigned n = objects_in_use(s, page, objs);
	vacate_result_t r = kick_objects(s, page, objs, n, rep);

	g_free(objs);
	if (!unpin_slab(s, page)) {
		stat(s, VACATE_FAILED);
		return r == VACATE_OK ? VACATE_PINNED : r;
	}
	rep->slabs_vacated++;
	stat(s, SLABS_VACATED);
	return VACATE_OK;
}

/* The next slab to vacate on node: the sparsest of the node's partial
 * slabs not tried before (the tail-most of equals), while more than `keep`
 * of them are partial and the node's other partial slabs and this CPU's
 * active slab (if on the node) have room for its objects.  One walk of
 * the list under list_lock; the slab found is pinned there (*pinned false
 * if that failed).  NULL when the node is done. */
static page_t *defrag_candidate(kmem_cache_t *s, int node, unsigned long keep,
                                const defrag_pass_t *dp, bool *pinned)
{
	page_t *active, *best = NULL;
	unsigned long flags, nr = 0;
	uint64_t nfree = 0;
	klist_t *pos;

	local_irq_save(&flags);
	active = get_active(s, smp_processor_id());
	if (active) {
		kpage_touch(active, false);
		if (page_to_nid(active) == node)
			nfree += s->objects - active->inuse;
	}
	list_lock(s);
	ktouch(s->addr + KS_PARTIAL, KS_ACTIVE - KS_PARTIAL, false);
	klist_for_each(pos, &s->partial) {
		page_t *page = klist_entry(pos, page_t, lru);

		kpage_touch(page, false);       /* flags (node), inuse, lru.next */
		if (page_to_nid(page) != node || !page->inuse)
			continue;               /* another node's, or being freed */
		nr++;
		nfree += s->objects - page->inuse;
		if (!g_ptr_array_find(dp->tried, page, NULL) && (!best || page->inuse <= best->inuse))
			best = page;
	}
	if (best && (nr <= keep || best->inuse > nfree - (s->objects - best->inuse)))
		best = NULL;
	if (best)
		*pinned = pin_slab(s, best);
	list_unlock(s);
	local_irq_restore(flags);
	return best;
}

/* Vacate the sparsest partial slabs of one node until `keep` are left or
 * the rest cannot take the next one's objects. */
static void defrag_node(kmem_cache_t *s, int node, unsigned long keep, defrag_pass_t *dp)
{
	page_t *page;
	bool pinned;

	while ((page = defrag_candidate(s, node, keep, dp, &pinned))) {
		if (pinned && empty_pinned(s, page, dp->rep) == VACATE_OK)
			continue;
		if (!pinned)
			stat(s, VACATE_FAILED);
		g_ptr_array_add(dp->tried, page);
		dp->rep->vacate_failures++;
	}
}

/* Deactivate this CPU's active slab (the one the moves filled). */
static void drain_this_cpu(kmem_cache_t *s)
{
	unsigned long flags;

	local_irq_save(&flags);
	flush_active(s);
	local_irq_restore(flags);
}

/* kmem_cache_shrink(): drain_all; then, if s has slab_ops, sort the
 * partial list most used first and, per node, kick the objects out of the
 * sparsest partial slabs while more than `keep` (-1: DEFRAG_KEEP) are
 * partial, and give back this CPU's active slab the kicks filled.  Fills
 * *rep. */
static void shrink_cache(kmem_cache_t *s, long keep, defrag_report_t *rep)
{
	defrag_pass_t dp = { rep, g_ptr_array_new() };
	uint64_t discarded = s->discarded;

	*rep = (defrag_report_t){ .slabs_before = s->nr_slabs };
	drain_all(s);
	partial_histogram(s, rep->hist_before, &rep->partial_before);
	if (s->ops) {
		stat(s, DEFRAG_RUNS);
		sort_partial(s);
		for (int node = 0; node < s->sa->nnodes; node++)
			defrag_node(s, node, keep < 0 ? DEFRAG_KEEP : (unsigned long)keep, &dp);
		drain_this_cpu(s);
	}
	partial_histogram(s, rep->hist_after, &rep->partial_after);
	rep->slabs_after = s->nr_slabs;
	rep->slabs_freed = s->discarded - discarded;
	g_ptr_array_free(dp.tried, TRUE);
}

/* kmem_cache_vacate of a multi-object slab: this CPU's active slab is
 * deactivated first; another CPU's is busy. */
static vacate_result_t vacate_slab(kmem_cache_t *s, page_t *page, defrag_report_t *rep)
{
	int cpu = smp_processor_id();
	unsigned long flags;
	bool pinned;

	local_irq_save(&flags);
	if (get_active(s, cpu) == page) {
		slab_lock(s, page);
		deactivate_slab(s, page, cpu);
	}
	kpage_touch(page, false);
	if (!(page_flags(page) & PG_slab) || page->slab != s) {
		local_irq_restore(flags);
		return VACATE_OK;       /* it was empty and went back */
	}
	list_lock(s);
	pinned = pin_slab(s, page);
	list_unlock(s);
	local_irq_restore(flags);
	if (!pinned) {
		stat(s, VACATE_FAILED);
		return VACATE_BUSY;
	}
	return empty_pinned(s, page, rep);
}

/* A one-object slab is on no list and never active: kicking its object
 * frees the page (FREE_SINGLE). */
static vacate_result_t vacate_single(kmem_cache_t *s, page_t *page, defrag_report_t *rep)
{
	saddr_t x = page_address(page);
	vacate_result_t r = kick_objects(s, page, &x, 1, rep);

	if (r != VACATE_OK) {
		stat(s, VACATE_FAILED);
		return r;
	}
	rep->slabs_vacated++;
	stat(s, SLABS_VACATED);
	return VACATE_OK;
}

/* ---- slab_create ---- */

/* kmem_cache_create(); NULL if no slab can hold `size`.  The caches made
 * while the Slabifier boots have static structs. */
static kmem_cache_t *slabifier_cache_create(void *a, const char *name, size_t size,
                                            size_t align, unsigned flags,
                                            const kmem_ctor_t *ctor)
{
	slabifier_t *sa = a;
	sf_layout_t l;
	kmem_cache_t *s;

	align = MAX(slab_calculate_alignment(flags, align, size, (size_t)cache_line_size()),
	            (size_t)MIN_ALIGN);
	if (!calculate_layout(size, align, flags | (ctor ? __SLAB_CTOR : 0), sa->page_shift,
	                      sa->min_order, &l))
		return NULL;
	s = g_new0(kmem_cache_t, 1);
	s->sa = sa;
	s->name = g_strdup(name);
	s->flags = flags;
	s->objsize = size;
	s->ctor = slab_ctor_dup(ctor);
	slab_objs_init(&s->objs, s, s->name, l.size, l.offset, sa->debug);
	s->order = l.order;
	s->objects = l.objects;
	s->align = (unsigned)align;
	s->allocflags = (l.order ? __GFP_COMP : 0) |
	                ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
	s->addr = sa->booted ? kmeta_alloc(name, "kmem_cache", sa->struct_size, -1)
	                     : kmeta_static(name, "kmem_cache", sa->struct_size, 0);
	spin_init(&s->list_lock);
	klist_init(&s->partial);
	klist_init(&s->pool_partial);
	s->active = kpcpu_host_new((size_t)sa->ncpus, sizeof(*s->active));
	g_ptr_array_add(sa->caches, s);
	return s;
}

/* ---- kmalloc ---- */

/* kmalloc_caches[index], a static struct slab. */
static void create_kmalloc_cache(slabifier_t *sa, int index)
{
	size_t size = kmalloc_index_size(index);
	char *name = g_strdup_printf("kmalloc-%zu", size);

	sa->kmalloc_caches[index] = slab_check_created("slabifier", name, SLAB_PANIC,
	                                               slabifier_cache_create(sa, name, size,
	                                                                      MIN_ALIGN, 0, NULL));
	g_free(name);
}

/* ---- the allocator_ops ---- */

static const tunable_t slabifier_tunables[] = {
	{ "slabifier_order", 0, 0, PA_MAX_ORDER - 1,
	  "slab order every cache asks for (the seed leaves it to the cache's "
	  "creator); raised to the smallest order that holds one object" },
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees) and free pointers "
	  "(only while the run's kdebug_checks is on)" },
	{ NULL, 0, 0, 0, NULL },
};

/* Boot the Slabifier: the kmalloc caches kmalloc-8 .. kmalloc-PAGE_SIZE
 * with kmalloc-96 and kmalloc-192 in size order, each a static struct
 * slab. */
static void *slabifier_create(const long *tun)
{
	slabifier_t *sa = g_new0(slabifier_t, 1);
	int shift = kpage_shift();

	sa->page_shift = shift;
	sa->min_order = tun[0];
	sa->debug = tun[1] && kdebug_checks;
	sa->ncpus = nr_cpu_ids();
	sa->nnodes = nr_node_ids();
	sa->struct_size = KS_ACTIVE + 8 * (size_t)MAX(NR_CPUS, sa->ncpus);
	sa->caches = g_ptr_array_new();
	sa->stat = kcounters_new(NR_STAT_ITEMS, sa->ncpus);
	sa->kmalloc_caches = g_new0(kmem_cache_t *, shift + 1);
	sa->slab_lock_cls = klock_class("slabifier.slab_lock");
	sa->list_lock_cls = klock_class("slabifier.list_lock");
	kwork_label(flusher, "slabifier flusher");
	kwork_label(check_flush_active, "slabifier check_flush_active");
	kwork_label(flush_active, "slabifier flush_active");

	for (int i = KMALLOC_SHIFT_LOW; i <= shift; i++) {
		if (i == 7)     /* kmalloc-96 before kmalloc-128 */
			create_kmalloc_cache(sa, 1);
		if (i == 8)     /* kmalloc-192 before kmalloc-256 */
			create_kmalloc_cache(sa, 2);
		create_kmalloc_cache(sa, i);
	}
	sa->booted = true;
	return sa;
}

static void cache_free_host(kmem_cache_t *s)
{
	slab_objs_release(&s->objs);
	spin_destroy(&s->list_lock);
	kpcpu_host_free(s->active);
	g_free(s->ctor);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slabifier_destroy(void *a)
{
	slabifier_t *sa = a;

	slab_caches_free(sa->caches, cache_free_host);
	g_free(sa->kmalloc_caches);
	kcounters_free(sa->stat);
	g_free(sa);
}

/* slab_alloc, then __GFP_ZERO's memset of the object. */
static saddr_t alloc_object(kmem_cache_t *s, gfp_t gfp, int node)
{
	saddr_t x = slab_alloc(s, gfp, node);

	slab_zero(gfp, x, s->objsize);
	return x;
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slabifier_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	slab_check_node("slabifier", node);
	return alloc_object(s, gfp, node);
}

/* kmem_cache_free(). */
static void slabifier_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	(void)a;
	checked_free(s, slab_object_page(x), x);
}

/* kmalloc_node(): a kmalloc cache up to PAGE_SIZE, pages beyond. */
static saddr_t slabifier_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slab_check_node("slabifier", node);
	return kmalloc_classes(((slabifier_t *)a)->kmalloc_caches, alloc_object, size, gfp, node);
}

/* kfree(): a slab object, or a compound page from kmalloc_large. */
static void slabifier_kfree(void *a, saddr_t x)
{
	kfree_classes(x, ((slabifier_t *)a)->debug, checked_free);
}

/* kmem_cache_shrink(): deactivate every CPU's active slab; if the cache
 * has slab_ops, defragment it too, keeping DEFRAG_KEEP partial slabs per
 * node (the seed's shrink with a move_object callback). */
static void slabifier_shrink(void *a, kmem_cache_t *s)
{
	defrag_report_t rep;

	(void)a;
	if (s->ops)
		shrink_cache(s, -1, &rep);
	else
		drain_all(s);
}

/* kmem_cache_shrink with a report; keep_partial -1 keeps DEFRAG_KEEP. */
static void slabifier_defrag(void *a, kmem_cache_t *s, int keep_partial, defrag_report_t *out)
{
	(void)a;
	shrink_cache(s, keep_partial, out);
}

/* Attach slab_ops to s (NULL: detach). */
static void slabifier_cache_set_ops(void *a, kmem_cache_t *s, const slab_ops_t *ops, void *ctx)
{
	(void)a;
	s->ops = ops;
	s->ops_ctx = ctx;
}

/* Forget the cache's pool: its reserve slabs become ordinary slabs and
 * the pool list joins the partial list (host work, free). */
static void detach_mempool(kmem_cache_t *s)
{
	slab_objs_forget_pool(&s->objs);
	while (!klist_empty(&s->pool_partial)) {
		page_t *page = klist_entry(s->pool_partial.next, page_t, lru);

		klist_del(&page->lru);
		klist_add_tail(&page->lru, &s->partial);
		s->nr_pool_partial--;
		s->nr_partial++;
	}
	s->pool_slabs = 0;
	s->pool = NULL;
	s->pool_flags = 0;
}

/* Attach the critical page pool `pool` to s with SLAB_MEMPOOL_* flags
 * (NULL: detach); slabs built on an earlier pool become ordinary. */
static void slabifier_cache_set_mempool(void *a, kmem_cache_t *s, mempool_t *pool, unsigned flags)
{
	(void)a;
	if (s->pool)
		detach_mempool(s);
	s->pool = pool;
	s->pool_flags = pool ? flags : 0;
}

/* kmem_cache_vacate(page): empty one slab page by kicking its objects; a
 * cache without ops pins its pages, and so does an exclusive reserve slab. */
static vacate_result_t slabifier_vacate(void *a, page_t *page, uint32_t *moved)
{
	defrag_report_t rep = { 0 };
	vacate_result_t r;
	kmem_cache_t *s;

	if (moved)
		*moved = 0;
	if (!page || !(page_flags(page) & PG_slab) || (page_flags(page) & PG_tail) || !page->slab ||
	    ((kmem_cache_t *)page->slab)->sa != a)
		return VACATE_NOT_SLAB;
	s = page->slab;
	if (!s->ops || pool_exclusive(s, page))
		return VACATE_PINNED;
	if (page_flags(page) & PG_SLABSINGLE)
		r = vacate_single(s, page, &rep);
	else
		r = vacate_slab(s, page, &rep);
	if (moved)
		*moved = (uint32_t)(rep.objects_moved + rep.objects_reclaimed);
	return r;
}

static int slabifier_ncaches(void *a)
{
	return (int)((slabifier_t *)a)->caches->len;
}

static kmem_cache_t *slabifier_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slabifier_t *)a)->caches, i);
}

/* A slabinfo row (the seed's get_objects figures). */
static void slabifier_cache_info(void *a, kmem_cache_t *s, cache_info_t *out)
{
	(void)a;
	*out = (cache_info_t){
		.name = s->name, .object_size = (uint32_t)s->objsize,
		.size = s->objs.size, .align = s->align,
		.objects_per_slab = s->objects, .order = s->order,
		.slabs = s->nr_slabs, .num_objs = s->nr_slabs * s->objects,
	};
	slab_objs_active(&s->objs, &out->active_objs, &out->active_slabs);
}

/* The Slabifier parks no objects outside its slabs. */
static uint64_t slabifier_queued_bytes(void *a)
{
	(void)a;
	return 0;
}

/* The counters summed over caches, in stat_names order. */
static void slabifier_stats(void *a, stat_sink sink, void *ctx)
{
	slabifier_t *sa = a;

	for (int i = 0; i < NR_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], (uint64_t)kcounter_sum(sa->stat, i));
}

/* Fast paths: an allocation from the CPU's active slab, a free that
 * changes no list (to an active or a partial slab).  Slow: everything
 * that takes the list_lock or the page allocator. */
static void slabifier_path_split(void *a, uint64_t alloc[2], uint64_t free[2])
{
	slabifier_t *sa = a;

	alloc[0] = (uint64_t)kcounter_sum(sa->stat, ALLOC_FASTPATH);
	alloc[1] = (uint64_t)kcounter_sum(sa->stat, ALLOC_SLOWPATH);
	free[0] = (uint64_t)(kcounter_sum(sa->stat, FREE_ACTIVE) + kcounter_sum(sa->stat, FREE_PARTIAL));
	free[1] = (uint64_t)(kcounter_sum(sa->stat, FREE_SINGLE) +
	                     kcounter_sum(sa->stat, FREE_FULL_TO_PARTIAL) +
	                     kcounter_sum(sa->stat, FREE_PARTIAL_TO_EMPTY));
}


/* ---- audit: structure checks between operations (allocator.h) ----
 * nr_partial is the length of the partial list, which holds only
 * unfrozen slabs of the cache with 0 < inuse < objects; nr_slabs counts
 * the slabs; each slab's freelist holds objects - inuse, callers hold
 * inuse (no queues; a one-object slab has neither and lives while its
 * object is held); a frozen slab is some CPU's active slab. */
static void slabifier_audit(void *a)
{
	slabifier_t *sa = a;

	for (guint i = 0; i < sa->caches->len; i++) {
		kmem_cache_t *s = sa->caches->pdata[i];
		unsigned long partial = 0;
		uint64_t slabs = 0;
		klist_t *pos;

		klist_for_each(pos, &s->partial) {
			page_t *page = klist_entry(pos, page_t, lru);
			partial++;
			if (page->slab != s || (page->flags & PG_frozen) || !page->inuse ||
			    page->inuse >= s->objects)
				kbug("audit %s: a slab on the partial list is %s", s->name,
				     page->slab != s ? "another cache's" : (page->flags & PG_frozen) ?
				     "frozen" : page->inuse ? "full" : "empty");
		}
		klist_for_each(pos, &s->objs.recs) {
			page_t *page = klist_entry(pos, slab_rec_t, link)->page;
			bool single = page->flags & PG_SLABSINGLE;  /* lives while its object does */
			unsigned inuse = single ? 1 : page->inuse;
			unsigned nfree = single ? 0 : slab_freelist_count(&s->objs, page, page->freelist);
			int cpu = 0;
			while (cpu < sa->ncpus && s->active[cpu].page != page)
				cpu++;
			slabs++;
			if (nfree + inuse != s->objects || inuse != slab_rec(page)->live ||
			    !(page->flags & PG_frozen) != (cpu == sa->ncpus))
				kbug("audit %s: a slab of %u objects (%s) counts %u in use, %u handed out, "
				     "%u on its freelist", s->name, s->objects,
				     (page->flags & PG_frozen) ? "frozen" : "not frozen", page->inuse,
				     slab_rec(page)->live, nfree);
		}
		if (partial != s->nr_partial || slabs != s->nr_slabs)
			kbug("audit %s: nr_partial %lu for %lu slabs on the list, nr_slabs %"
			     G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT, s->name, s->nr_partial, partial,
			     s->nr_slabs, slabs);
	}
}

/* The Slabifier as the simulator's registry sees it. */
const allocator_ops_t slabifier_allocator = {
	.name = "slabifier",
	.summary = "Slabifier, Lameter 2006: per-CPU active slabs under a per-slab bit lock, "
	           "one central partial list, metadata only in struct page, 2 s IPI flusher",
	.tunables = slabifier_tunables,
	.create = slabifier_create,
	.destroy = slabifier_destroy,
	.cache_create = slabifier_cache_create,
	.max_cache_size = slab_max_order_size,
	.cache_alloc = slabifier_cache_alloc,
	.cache_free = slabifier_cache_free,
	.kmalloc = slabifier_kmalloc,
	.kfree = slabifier_kfree,
	.shrink = slabifier_shrink,
	.kmalloc_size = kmalloc_class_size,
	.ncaches = slabifier_ncaches,
	.cache_at = slabifier_cache_at,
	.cache_info = slabifier_cache_info,
	.queued_bytes = slabifier_queued_bytes,
	.stats = slabifier_stats,
	.path_split = slabifier_path_split,
	.cache_set_ops = slabifier_cache_set_ops,
	.defrag = slabifier_defrag,
	.vacate = slabifier_vacate,
	.cache_set_mempool = slabifier_cache_set_mempool,
	.audit = slabifier_audit,
};
