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
 * deactivated, a referenced one loses PG_referenced.  It re-arms while a
 * CPU kept its slab.  kmem_cache_shrink deactivates every active slab
 * (drain_all).  No object queues, no per-CPU or per-node structures.
 *
 * Lock order: slab_lock (bit spinlock in page->flags) before list_lock.
 * Walkers of the partial list hold list_lock and only trylock slabs.  The
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
 *  - The flusher's counter: the seed sets active_cpus to num_online_cpus
 *    before its IPIs, so the flusher would re-arm for ever; here the pass
 *    sets it to 1 (its own reference), each CPU that keeps a referenced
 *    slab adds one, and so does a slab activated while the pass runs
 *    (the flushing mutex is held); the pass drops its reference and
 *    re-arms if anything is left.  active_cpus > 0 exactly while a flusher
 *    is pending or running, so there is never more than one.
 *  - drain_all neither takes the flushing mutex nor cancels the pending
 *    flusher (slabsim's kernel has neither a sleeping mutex nor
 *    cancel_delayed_work; a spinning CPU could not answer the IPIs of a
 *    concurrent pass): the pending flusher later finds the active slabs
 *    gone and disarms (one IPI round more than the seed).
 *  - kmem_cache_shrink is drain_all.  The seed's second step walks the
 *    partial list calling a move_object callback on each object in use;
 *    without a callback it only re-queues each slab (the Slabifier never
 *    keeps empty slabs), so it is left to the issue that adds kick
 *    callbacks.  No kmem_cache_destroy, dup() or refcount (the interface
 *    has none).
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
#define KMALLOC_SHIFT_LOW       3              /* kmalloc-8 */
#define ZERO_SIZE_PTR           ((saddr_t)16)
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

enum stat_item {
	ALLOC_FASTPATH, ALLOC_SLOWPATH, ALLOC_FROM_PARTIAL, ALLOC_NEW_SLAB,
	ALLOC_SINGLE, FREE_ACTIVE, FREE_PARTIAL, FREE_SINGLE,
	FREE_FULL_TO_PARTIAL, FREE_PARTIAL_TO_EMPTY, GET_PARTIAL_LOCKED,
	GET_PARTIAL_MISS, SLABS_ACTIVATED, DEACTIVATE_FULL, DEACTIVATE_PARTIAL,
	DEACTIVATE_EMPTY, DEACTIVATE_NODE_MISMATCH, FREE_SLAB, FLUSH_RUNS,
	FLUSH_REFERENCED, FLUSH_DEACTIVATED, DRAIN_RUNS, NR_STAT_ITEMS
};

static const char *const stat_names[NR_STAT_ITEMS] = {
	"alloc_fastpath", "alloc_slowpath", "alloc_from_partial",
	"alloc_new_slab", "alloc_single", "free_active", "free_partial",
	"free_single", "free_full_to_partial", "free_partial_to_empty",
	"get_partial_locked", "get_partial_miss", "slabs_activated",
	"deactivate_full", "deactivate_partial", "deactivate_empty",
	"deactivate_node_mismatch", "free_slab", "flush_runs",
	"flush_referenced", "flush_deactivated", "drain_runs",
};

/* What the geometry rule decides. */
typedef struct sf_layout {
	unsigned size;          /* stride */
	unsigned offset;        /* free pointer offset */
	unsigned order;
	unsigned objects;
} sf_layout_t;

/* Host bookkeeping of one slab (page->priv): objects held by callers and
 * the debug bitmap of handed-out objects. */
typedef struct sf_slab {
	klist_t link;           /* on s->slabs */
	page_t *page;
	uint32_t live;
	uint8_t map[];          /* debug only: bit set = allocated */
} sf_slab_t;

typedef struct slabifier slabifier_t;

struct kmem_cache {
	slabifier_t *sa;
	char *name;
	size_t objsize;
	unsigned size, offset, order, objects, align;
	gfp_t allocflags;
	saddr_t addr;                   /* the struct slab */
	spinlock_t list_lock;
	klist_t partial;                /* partial slabs of every node */
	unsigned long nr_partial;
	uint64_t nr_slabs;
	int active_cpus;                /* > 0: a flusher is pending or running */
	bool flushing;                  /* the flushing mutex: a pass runs */
	page_t **active;                /* [ncpus] */
	klist_t slabs;                  /* sf_slab_t of every slab */
	uint64_t active_objs;
	uint64_t active_slabs;
};

struct slabifier {
	int page_shift;
	long min_order;
	bool debug;
	int ncpus, nnodes;
	size_t struct_size;             /* sizeof(struct slab) */
	GPtrArray *caches;              /* creation order */
	kmem_cache_t **kmalloc_caches;  /* [page_shift + 1] */
	lock_class_t *slab_lock_cls, *list_lock_cls;
	uint64_t stat[NR_STAT_ITEMS];
};

/* ---- geometry ---- */

static int fls_long(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

static unsigned get_order(unsigned long size, int page_shift)
{
	return (unsigned)fls_long((size - 1) >> page_shift);
}

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
	if (flags & SLAB_DESTROY_BY_RCU) {
		l->offset = (unsigned)size;
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
	s->sa->stat[si]++;
}

/* s->active[cpu]: a load from struct slab. */
static page_t *get_active(kmem_cache_t *s, int cpu)
{
	ktouch(s->addr + KS_ACTIVE + 8 * (saddr_t)cpu, 8, false);
	return s->active[cpu];
}

static void set_active(kmem_cache_t *s, int cpu, page_t *page)
{
	ktouch(s->addr + KS_ACTIVE + 8 * (saddr_t)cpu, 8, true);
	s->active[cpu] = page;
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

/* ---- debug checks and host bookkeeping (free of charge) ---- */

static bool object_in_slab(const kmem_cache_t *s, const page_t *page, saddr_t x)
{
	saddr_t base = page_address(page);

	return x >= base && x < base + (saddr_t)s->objects * s->size &&
	       (x - base) % s->size == 0;
}

static unsigned object_index(const kmem_cache_t *s, const page_t *page, saddr_t x)
{
	return (unsigned)((x - page_address(page)) / s->size);
}

/* The free pointer stored in object, checked to stay inside its slab. */
static saddr_t get_freepointer(kmem_cache_t *s, page_t *page, saddr_t object)
{
	saddr_t p = kload64(object + s->offset);

	if (s->sa->debug && p && !object_in_slab(s, page, p))
		kbug("%s: freelist corrupted: object %#" G_GINT64_MODIFIER "x has free pointer %#"
		     G_GINT64_MODIFIER "x outside its slab", s->name, object, p);
	return p;
}

static void set_freepointer(kmem_cache_t *s, saddr_t object, saddr_t fp)
{
	kstore64(object + s->offset, fp);
}

/* An object left the allocator. */
static void note_alloc(kmem_cache_t *s, page_t *page, saddr_t x)
{
	sf_slab_t *r = page->priv;

	if (s->sa->debug) {
		unsigned i = object_index(s, page, x);

		if (r->map[i / 8] & (1u << (i % 8)))
			kbug("%s: freelist corrupted: object %#" G_GINT64_MODIFIER
			     "x handed out twice", s->name, x);
		r->map[i / 8] |= 1u << (i % 8);
	}
	s->active_objs++;
	if (r->live++ == 0)
		s->active_slabs++;
}

/* With debug, checks that x is a live object of s (page: its head page or
 * NULL) and clears its bit. */
static void check_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	sf_slab_t *r;
	unsigned i;

	if (!s->sa->debug)
		return;
	if (!page || !(page->flags & PG_slab) || page->slab != s || !object_in_slab(s, page, x))
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", s->name, x);
	r = page->priv;
	i = object_index(s, page, x);
	if (!(r->map[i / 8] & (1u << (i % 8))))
		kbug("%s: double free of object %#" G_GINT64_MODIFIER "x", s->name, x);
	r->map[i / 8] &= ~(1u << (i % 8));
}

/* An object came back. */
static void note_free(kmem_cache_t *s, page_t *page)
{
	sf_slab_t *r = page->priv;

	s->active_objs--;
	if (--r->live == 0)
		s->active_slabs--;
}

static void slab_record_new(kmem_cache_t *s, page_t *page)
{
	size_t map = s->sa->debug ? (s->objects + 7u) / 8 : 0;
	sf_slab_t *r = g_malloc0(sizeof(*r) + map);

	r->page = page;
	klist_add_tail(&r->link, &s->slabs);
	page->priv = r;
}

static void slab_record_free(page_t *page)
{
	sf_slab_t *r = page->priv;

	klist_del(&r->link);
	page->priv = NULL;
	g_free(r);
}

/* ---- the partial list (list_lock held) ---- */

/* Price the link change of a neighbour on the partial list. */
static void touch_neighbour(kmem_cache_t *s, klist_t *l)
{
	if (l != &s->partial)
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

static void partial_unlink(kmem_cache_t *s, page_t *page)
{
	ktouch(s->addr + KS_PARTIAL, KS_ACTIVE - KS_PARTIAL, true);
	touch_neighbour(s, page->lru.prev);
	touch_neighbour(s, page->lru.next);
	kpage_touch(page, true);
	klist_del(&page->lru);
	s->nr_partial--;
}

static void add_partial(kmem_cache_t *s, page_t *page)
{
	list_lock(s);
	partial_link_tail(s, page);
	list_unlock(s);
}

static void remove_partial(kmem_cache_t *s, page_t *page)
{
	list_lock(s);
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
	if (!s->nr_partial)
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

/* A fresh slab from the page allocator, on no list: objects chained in
 * address order, or PG_slabsingle without a freelist. */
static page_t *new_slab(kmem_cache_t *s, gfp_t gfp, int node)
{
	page_t *page = alloc_pages_node(node, (gfp & (__GFP_THISNODE | __GFP_NORETRY |
	                                              __GFP_NOWARN | __GFP_COLD)) |
	                                s->allocflags, s->order);
	saddr_t start;

	if (!page)
		return NULL;
	katomic(s->addr + KS_NR_SLABS);
	s->nr_slabs++;
	spin_init(&page->lock);         /* PG_locked is clear on a new page */
	page->slab = s;
	page->flags |= PG_slab;
	if (s->objects > 1) {
		start = page_address(page);
		for (unsigned i = 0; i < s->objects; i++)
			set_freepointer(s, start + (saddr_t)i * s->size,
			                i + 1 < s->objects ? start + (saddr_t)(i + 1) * s->size : 0);
		page->freelist = start;
		page->inuse = 0;
	} else {
		page->flags |= PG_SLABSINGLE;
	}
	kpage_touch(page, true);
	slab_record_new(s, page);
	return page;
}

static void discard_slab(kmem_cache_t *s, page_t *page)
{
	katomic(s->addr + KS_NR_SLABS);
	s->nr_slabs--;
	stat(s, FREE_SLAB);
	page->flags &= ~(PG_slab | PG_frozen | PG_REFERENCED | PG_SLABSINGLE);
	page->inuse = 0;
	page->freelist = 0;
	page->slab = NULL;
	kpage_touch(page, true);
	slab_record_free(page);
	spin_destroy(&page->lock);
	__free_pages(page, s->order);
}

/* Give up this CPU's active slab (slab_lock held on entry, released on
 * return): a partial slab goes to the list, a full one to no list, an
 * empty one back to the page allocator. */
static void deactivate_slab(kmem_cache_t *s, page_t *page, int cpu)
{
	set_active(s, cpu, NULL);
	page->flags &= ~(PG_frozen | PG_REFERENCED);
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
	return jiffies_to_time((uint64_t)FLUSH_SECONDS * (uint64_t)kern->m->hz);
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
	if (page->flags & PG_REFERENCED) {
		page->flags &= ~PG_REFERENCED;
		kpage_touch(page, true);
		katomic(s->addr + KS_ACTIVE_CPUS);
		s->active_cpus++;
		stat(s, FLUSH_REFERENCED);
		return;
	}
	slab_lock(s, page);
	stat(s, FLUSH_DEACTIVATED);
	deactivate_slab(s, page, cpu);
}

/* The delayed work: one pass over every CPU, re-armed on this CPU while a
 * CPU kept its active slab. */
static void flusher(void *arg)
{
	kmem_cache_t *s = arg;

	katomic(s->addr + KS_FLUSHING);
	s->flushing = true;
	katomic(s->addr + KS_ACTIVE_CPUS);
	s->active_cpus = 1;
	stat(s, FLUSH_RUNS);
	on_each_cpu(check_flush_active, s);
	katomic(s->addr + KS_ACTIVE_CPUS);
	if (--s->active_cpus)
		schedule_delayed_work_on(smp_processor_id(), flush_delay(), flusher, s);
	katomic(s->addr + KS_FLUSHING);
	s->flushing = false;
}

/* A slab became active: arm the flusher unless one is pending; while a
 * pass runs, count the slab as kept so that the pass re-arms. */
static void arm_flusher(kmem_cache_t *s)
{
	ktouch(s->addr + KS_FLUSHING, KS_ACTIVE_CPUS + 4 - KS_FLUSHING, false);
	if (s->active_cpus && !s->flushing)
		return;
	katomic(s->addr + KS_ACTIVE_CPUS);
	if (s->active_cpus++ == 0)
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

/* Deactivate every CPU's active slab (none is active unless a flusher is
 * armed). */
static void drain_all(kmem_cache_t *s)
{
	ktouch(s->addr + KS_ACTIVE_CPUS, 4, false);
	if (!s->active_cpus)
		return;
	stat(s, DRAIN_RUNS);
	on_each_cpu(flush_active, s);
}

/* ---- allocation ---- */

/* Pop the first free object of page (slab_lock held, freelist not empty). */
static saddr_t take_object(kmem_cache_t *s, page_t *page)
{
	saddr_t object = page->freelist;

	page->freelist = get_freepointer(s, page, object);
	page->inuse++;
	page->flags |= PG_REFERENCED;
	kpage_touch(page, true);
	note_alloc(s, page, object);
	return object;
}

/* page (locked) becomes cpu's active slab. */
static void activate_slab(kmem_cache_t *s, page_t *page, int cpu)
{
	set_active(s, cpu, page);
	page->flags |= PG_frozen;
	kpage_touch(page, true);
	stat(s, SLABS_ACTIVATED);
	arm_flusher(s);
}

/* No usable active slab: a partial slab or a new one becomes active (a
 * single-object slab is handed out whole).  0 if no memory. */
static saddr_t alloc_slow(kmem_cache_t *s, gfp_t gfp, int node, int cpu)
{
	page_t *page = get_partial(s, node);
	saddr_t object;

	if (page) {
		stat(s, ALLOC_FROM_PARTIAL);
	} else {
		page = new_slab(s, gfp, node);
		if (!page)
			return 0;
		if (page->flags & PG_SLABSINGLE) {
			stat(s, ALLOC_SINGLE);
			note_alloc(s, page, page_address(page));
			return page_address(page);
		}
		stat(s, ALLOC_NEW_SLAB);
		slab_lock(s, page);
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
	return object;
}

/* ---- free ---- */

static void slab_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	unsigned long flags;
	saddr_t prior;

	note_free(s, page);
	local_irq_save(&flags);
	if (page->flags & PG_SLABSINGLE) {
		stat(s, FREE_SINGLE);
		discard_slab(s, page);
		local_irq_restore(flags);
		return;
	}
	slab_lock(s, page);
	kpage_touch(page, true);
	prior = page->freelist;
	set_freepointer(s, x, prior);
	page->freelist = x;
	page->inuse--;
	if (page->flags & PG_frozen) {
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

/* virt_to_page() with compound heads: reads the struct page (NULL: not
 * RAM). */
static page_t *object_page(saddr_t x)
{
	page_t *page = virt_to_page(x);

	if (page)
		kpage_touch(page, false);
	return page;
}

/* ---- slab_create ---- */

static kmem_cache_t *cache_open(slabifier_t *sa, const char *name, size_t size,
                                size_t align, unsigned flags, bool boot)
{
	sf_layout_t l;
	kmem_cache_t *s;

	align = MAX(slab_calculate_alignment(flags, align, size, (size_t)cache_line_size()),
	            (size_t)MIN_ALIGN);
	if (!calculate_layout(size, align, flags, sa->page_shift, sa->min_order, &l))
		return NULL;
	s = g_new0(kmem_cache_t, 1);
	s->sa = sa;
	s->name = g_strdup(name);
	s->objsize = size;
	s->size = l.size;
	s->offset = l.offset;
	s->order = l.order;
	s->objects = l.objects;
	s->align = (unsigned)align;
	s->allocflags = (l.order ? __GFP_COMP : 0) |
	                ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
	s->addr = boot ? kmeta_static(name, "kmem_cache", sa->struct_size, 0)
	               : kmeta_alloc(name, "kmem_cache", sa->struct_size, -1);
	spin_init(&s->list_lock);
	klist_init(&s->partial);
	klist_init(&s->slabs);
	s->active = g_new0(page_t *, sa->ncpus);
	g_ptr_array_add(sa->caches, s);
	return s;
}

/* ---- kmalloc ---- */

/* (size - 1) / 8 -> kmalloc_caches[] index for sizes up to 192. */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7,
	2, 2, 2, 2, 2, 2, 2, 2,
};

static int kmalloc_index(size_t size)
{
	return size <= 192 ? size_index[(size - 1) / 8] : fls_long(size - 1);
}

static size_t kmalloc_index_size(int index)
{
	return index == 1 ? 96 : index == 2 ? 192 : (size_t)1 << index;
}

static saddr_t kmalloc_large(size_t size, gfp_t gfp, int node)
{
	page_t *page = alloc_pages_node(node, gfp | __GFP_COMP,
	                                get_order(size, kpage_shift()));

	return page ? page_address(page) : 0;
}

/* kmalloc_caches[index], a static struct slab. */
static void create_kmalloc_cache(slabifier_t *sa, int index)
{
	size_t size = kmalloc_index_size(index);
	char *name = g_strdup_printf("kmalloc-%zu", size);

	sa->kmalloc_caches[index] = cache_open(sa, name, size, MIN_ALIGN, 0, true);
	if (!sa->kmalloc_caches[index])
		kbug("slabifier: cannot create kmalloc cache %s", name);
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
	sa->struct_size = KS_ACTIVE + 8 * (size_t)MAX(kern->m->nr_cpus, sa->ncpus);
	sa->caches = g_ptr_array_new();
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
	return sa;
}

static void cache_free_host(kmem_cache_t *s)
{
	while (!klist_empty(&s->slabs)) {
		sf_slab_t *r = klist_entry(s->slabs.next, sf_slab_t, link);

		spin_destroy(&r->page->lock);
		slab_record_free(r->page);
	}
	spin_destroy(&s->list_lock);
	g_free(s->active);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slabifier_destroy(void *a)
{
	slabifier_t *sa = a;

	for (unsigned i = 0; i < sa->caches->len; i++)
		cache_free_host(g_ptr_array_index(sa->caches, i));
	g_ptr_array_free(sa->caches, TRUE);
	g_free(sa->kmalloc_caches);
	g_free(sa);
}

/* kmem_cache_create(); NULL if no slab can hold `size`. */
static kmem_cache_t *slabifier_cache_create(void *a, const char *name, size_t size,
                                            size_t align, unsigned flags)
{
	kmem_cache_t *s = cache_open(a, name, size, align, flags, false);

	if (!s && (flags & SLAB_PANIC))
		kbug("slabifier: cannot create slab cache %s", name);
	return s;
}

/* Allocations name an online node or -1 (any). */
static void check_node(const slabifier_t *sa, int node)
{
	if (node < -1 || node >= sa->nnodes)
		kbug("slabifier: allocation on node %d of %d", node, sa->nnodes);
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slabifier_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	check_node(a, node);
	return slab_alloc(s, gfp, node);
}

/* kmem_cache_free(). */
static void slabifier_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	page_t *page = object_page(x);

	(void)a;
	check_free(s, page, x);
	slab_free(s, page, x);
}

/* kmalloc_node(): a kmalloc cache up to PAGE_SIZE, pages beyond. */
static saddr_t slabifier_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slabifier_t *sa = a;

	check_node(sa, node);
	if (size > (size_t)kpage_size())
		return kmalloc_large(size, gfp, node);
	if (!size)
		return ZERO_SIZE_PTR;
	return slab_alloc(sa->kmalloc_caches[kmalloc_index(size)], gfp, node);
}

/* kfree(): a slab object, or a compound page from kmalloc_large. */
static void slabifier_kfree(void *a, saddr_t x)
{
	slabifier_t *sa = a;
	page_t *page;

	if (x <= ZERO_SIZE_PTR)
		return;
	page = object_page(x);
	if (sa->debug && (!page || (!(page->flags & PG_slab) &&
	                            (!(page->flags & PG_head) || x != page_address(page)))))
		kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x", x);
	if (!(page->flags & PG_slab)) {
		__free_pages(page, page->order);
		return;
	}
	check_free(page->slab, page, x);
	slab_free(page->slab, page, x);
}

/* kmem_cache_shrink(): deactivate every CPU's active slab. */
static void slabifier_shrink(void *a, kmem_cache_t *s)
{
	(void)a;
	drain_all(s);
}

/* What kmalloc(size) hands out: its class, or whole pages above PAGE_SIZE. */
static size_t slabifier_kmalloc_size(void *a, size_t size)
{
	(void)a;
	if (size > (size_t)kpage_size())
		return (size_t)kpage_size() << get_order(size, kpage_shift());
	return size ? kmalloc_index_size(kmalloc_index(size)) : 0;
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
		.size = s->size, .align = s->align,
		.objects_per_slab = s->objects, .order = s->order,
		.slabs = s->nr_slabs, .active_slabs = s->active_slabs,
		.num_objs = s->nr_slabs * s->objects, .active_objs = s->active_objs,
	};
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
		sink(ctx, stat_names[i], sa->stat[i]);
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
	.cache_alloc = slabifier_cache_alloc,
	.cache_free = slabifier_cache_free,
	.kmalloc = slabifier_kmalloc,
	.kfree = slabifier_kfree,
	.shrink = slabifier_shrink,
	.kmalloc_size = slabifier_kmalloc_size,
	.ncaches = slabifier_ncaches,
	.cache_at = slabifier_cache_at,
	.cache_info = slabifier_cache_info,
	.queued_bytes = slabifier_queued_bytes,
	.stats = slabifier_stats,
};
