/*
 * slqb.c -- SLQB as in Nick Piggin's "[patch] SLQB slab allocator (try 2)",
 * LKML 2009-01-23 ([Piggin 2009b] in docs/references.md).  Section numbers
 * below are those of the project's step-by-step SLQB specification written
 * from that patch (its section 15 notes where a later SLQB differs).
 *
 * Design.  Every cache has one kmem_cache_list per CPU (in kmem_cache_cpu)
 * and one per node (in kmem_cache_node).  A list holds a LIFO freelist of
 * free objects (linked through the free pointer in the objects, in
 * simulated memory), the partial slab pages it owns (page->priv records the
 * owner) and a remote_free queue, on its own cache line under its own lock,
 * into which other CPUs splice objects of the list's pages.  Each CPU also
 * stages frees bound for one other list in its rlist, flushed to that
 * list's remote_free queue when it holds more than freebatch objects or
 * when the target changes; the flush that lifts the queue to freebatch sets
 * the owner's remote_free_check.  Only the owner (the CPU with irqs off, or
 * a holder of the node's list_lock) touches page state; empty pages go back
 * to the page allocator at once.  Allocation: LIFO pop; else claim the
 * remote queue if flagged; else one object from the first partial page;
 * else a new page (to the CPU list if it is on the CPU's node, else to that
 * node's list).  Frees of home-node objects push onto the freeing CPU's
 * LIFO (one batch from the head goes back when it passes hiwater); frees of
 * other nodes' objects go to the rlist.  A per-CPU delayed work
 * (cache_trim_worker, every 3 s rounded to the second, first run about 1 s
 * after boot skewed by CPU) claims and flushes one batch on the home node's
 * list and on the CPU's list for every cache, then drains the rlist.
 *
 * Kernel features (as the patch): allocate_slab / __free_slab count pages
 * in NR_SLAB_(UN)RECLAIMABLE; new_slab_page runs the constructor on every
 * object; a constructor or SLAB_DESTROY_BY_RCU puts the free pointer
 * behind the object; slab_alloc clears objsize bytes for __GFP_ZERO;
 * free_slab of an RCU cache frees the pages from rcu_free_slab.
 *
 * Lock order: (slqb_lock, not modelled) -> kmem_cache_node->list_lock
 * ("slqb.list_lock") -> kmem_cache_remote_free->lock ("slqb.remote_free").
 * Only one remote_free lock is held at a time.
 *
 * Pricing (spec section 13): kmem_cache_list lines L0 (freelist, flag,
 * partial head), L1 (nr_slabs), L2 (remote_free lock and queue), the
 * CPU-private line L3 (colour_next, rlist) and the node's list_lock line
 * are ktouch'ed at the addresses their metadata accounting returned; free
 * pointers with kload64/kstore64; struct page with kpage_touch;
 * s->cpu_slab[cpu] and s->node[nid] as 8-byte loads from struct kmem_cache.
 * The other read-mostly kmem_cache fields are never charged (spec 1.6).
 * Statistics (CONFIG_SLQB_STATS) and debug checks are host bookkeeping,
 * free of charge.
 *
 * Metadata (owner: the cache name; 2009 LP64 layouts, no STATS):
 *  - "kmem_cache": bootstrap and kmalloc caches are static, the full
 *    88 + 8*MAX_NUMNODES + 8*NR_CPUS bytes; a kmem_cache_create'd one is an
 *    object of the "kmem_cache" cache, of kmem_size = 88 + 8*MAX_NUMNODES +
 *    8*nr_cpu_ids, accounted as its share of that cache's slab,
 *    (PAGE_SIZE << order) / objects (64 KiB at 4,096 CPUs, 1,024 nodes).
 *  - "kmem_cache_cpu": 256 B per online CPU, on the CPU's node; static
 *    per-CPU variables for the three bootstrap caches.
 *  - "kmem_cache_node": 256 B per node, on that node; static for the
 *    bootstrap caches.
 * 256 is a kmalloc class, so kmeta's kmalloc rounding leaves it unchanged.
 * Those objects are accounted as metadata; the "kmem_cache_cpu" and
 * "kmem_cache_node" caches exist but stay empty.
 *
 * kmalloc (spec 2.7): kmalloc-96 if the line is < 64 B, kmalloc-192 if it
 * is < 128 B, kmalloc-8 .. kmalloc-(PAGE_SIZE << 9) (2 MiB with 4 KiB
 * pages), created in that order after the three bootstrap caches, then
 * the same list again as kmalloc_dma-N.  Sizes up to 192 use get_slab's
 * size_index rule, larger ones the next power of two.
 *
 * Statistics: the 14 CONFIG_SLQB_STATS counters of spec 8.1, kept per
 * list as the patch keeps them (slqb_stat_inc(l, ...)); ops->stats sums
 * them over caches and lists, ops->stats_split over caches for each CPU's
 * list and each node's (the patch's sysfs files show the per-CPU lists as
 * C<cpu>=; per cache and CPU at once is not reported).  In enum stat_item
 * order: alloc,
 * alloc_slab_fill, alloc_slab_new, free, free_remote, flush_free_list,
 * flush_free_list_objects, flush_free_list_remote, flush_slab_partial,
 * flush_slab_free, flush_rfree_list, flush_rfree_list_objects,
 * claim_remote_list, claim_remote_list_objects.
 *
 * Queue capacity (ops->queue_capacity): "percpu" = nr_cpu_ids * hiwater
 * (a CPU's LIFO freelist up to its watermark) and "remote" = nr_cpu_ids *
 * freebatch (a full rlist).  remote_free queues and node freelists have no
 * bound in SLQB and are not reported.
 *
 * active_objs (cache_info) is slabinfo's nr_inuse (spec 8.2): objects not
 * on their page's freelist, so objects parked on LIFOs, rlists and
 * remote_free queues count as in use (open question 16-15).
 *
 * Choices on the spec's open questions (section 16), and deviations:
 *  - 16-1/16-4/16-5: no kmem_cache_destroy and no CPU or memory hotplug;
 *    every online CPU and every node has its structures from creation on.
 *  - 16-8: kmalloc of more than 2 MiB returns NULL (the later version's
 *    check) rather than indexing past kmalloc_caches[].
 *  - 16-11: a cache whose order would be >= the page allocator's MAX_ORDER
 *    is refused at creation.
 *  - 16-12: the trim worker first runs at __round_jiffies_relative(HZ, cpu)
 *    and re-arms with round_jiffies_relative(3*HZ), both from the kernel
 *    API's deterministic rounding; it visits caches newest first (the
 *    order list_add gives slab_caches).
 *  - slqb_lock (an rwsem) is not modelled: cache creation completes within
 *    one simulated operation, so the trim worker's down_read_trylock never
 *    fails.
 *  - No __GFP_WAIT: irqs stay off across the page allocation, so no
 *    migration window (16-10).  No mempolicy or cpuset: node -1 is the
 *    local node.  The zonelist walk after a failed node-specific
 *    allocation tries the other nodes in increasing id order from `node`.
 *  - hiwater and freebatch are writable per cache in the patch's sysfs;
 *    here the tunables of the same names set them for every cache, in
 *    place of calculate_sizes' rule (hiwater still 4 * freebatch unless
 *    set), within the store functions' bounds (slqb_check_tunables).
 *  - No SLQB_DEBUG layout or colouring switch-off, no sysfs.  The DMA
 *    twins kmalloc_dma-N exist with their metadata but kmalloc never picks
 *    them.
 *  - virt_to_head_page of an order > 0 slab charges only the head struct
 *    page (spec 13, "1 line is a reasonable simplification").
 *  - debug=1 adds simulator checks (not SLQB_DEBUG): foreign pointers,
 *    double frees (a host bitmap of handed-out objects per slab) and free
 *    pointers that do not name an object of the cache.
 */
#include "allocator.h"
#include "slqb.h"

#define SLQB_ALIGN(x, a)        (((x) + (a) - 1) & ~((unsigned long)(a) - 1))

#define MAX_ORDER               PA_MAX_ORDER   /* 11 */
#define KMALLOC_ORDER_HIGH      9              /* KMALLOC_SHIFT_SLQB_HIGH = PAGE_SHIFT + 9 */
#define MAX_OBJS_PER_PAGE       65535          /* page->inuse is 16 bits here */
#define TRIM_PERIOD             3              /* seconds */

/* Modelled LP64 layouts (spec 1.3-1.6). */
#define KC_FIXED                88             /* struct kmem_cache up to node[] */
#define KMEM_LIST_CACHE         32             /* kmem_cache_list.cache */
#define KMEM_LIST_NR_SLABS      64             /* line L1 */
#define KMEM_LIST_RFREE         128            /* line L2: remote_free.lock, .list */
#define KMEM_CPU_L3             192            /* colour_next, rlist, remote_cache_list */
#define KMEM_NODE_LOCK          192            /* kmem_cache_node.list_lock */
#define KMEM_CPU_SIZE           256
#define KMEM_NODE_SIZE          256
#define SLQB_PAGE_RCU           32             /* offsetof(struct slqb_page, rcu_head) */

enum stat_item {
	ALLOC, ALLOC_SLAB_FILL, ALLOC_SLAB_NEW, FREE, FREE_REMOTE,
	FLUSH_FREE_LIST, FLUSH_FREE_LIST_OBJECTS, FLUSH_FREE_LIST_REMOTE,
	FLUSH_SLAB_PARTIAL, FLUSH_SLAB_FREE, FLUSH_RFREE_LIST,
	FLUSH_RFREE_LIST_OBJECTS, CLAIM_REMOTE_LIST, CLAIM_REMOTE_LIST_OBJECTS,
	NR_SLQB_STAT_ITEMS
};

static const char *const stat_names[NR_SLQB_STAT_ITEMS] = {
	"alloc", "alloc_slab_fill", "alloc_slab_new", "free", "free_remote",
	"flush_free_list", "flush_free_list_objects", "flush_free_list_remote",
	"flush_slab_partial", "flush_slab_free", "flush_rfree_list",
	"flush_rfree_list_objects", "claim_remote_list",
	"claim_remote_list_objects",
};

/* A singly linked list with a count; tail is valid only while nr > 0. */
typedef struct kmlist {
	saddr_t head, tail;
	uint32_t nr;
} kmlist_t;

typedef struct kmem_cache_list {
	kmlist_t freelist;              /* LIFO */
	int remote_free_check;
	uint32_t nr_partial;
	klist_t partial;                /* owned pages, 0 < inuse < objects */
	uint64_t nr_slabs;
	struct {
		spinlock_t lock;
		kmlist_t list;          /* FIFO */
	} remote_free;
	saddr_t addr;                   /* the modelled struct */
	uint64_t stats[NR_SLQB_STAT_ITEMS];     /* CONFIG_SLQB_STATS, this list's */
} kmem_cache_list_t;

struct kmem_cache_cpu {
	kmem_cache_list_t list;
	uint32_t colour_next;
	kmlist_t rlist;
	kmem_cache_list_t *remote_cache_list;
	int64_t inuse, live;            /* host: this CPU's moves of s's inuse and live */
} KPCPU_HOST;

struct kmem_cache_node {
	kmem_cache_list_t list;
	spinlock_t list_lock;
};

/* Host record of one slab page (page->priv). */
typedef struct slqb_slab {
	klist_t link;                   /* on s->slab_records */
	page_t *page;                   /* its page (for the audit) */
	kmem_cache_list_t *list;        /* page->list: the owner, never changes */
	uint32_t colour;                /* offset of the first object */
	uint32_t nsynth;                /* bits set in synth */
	uint8_t *synth;                 /* bit set: free pointer not stored yet (the next object) */
	uint8_t map[];                  /* debug only: bit set = handed out; then synth's bits */
} slqb_slab_t;

typedef struct slqb slqb_t;

/* The caches being made, as boot goes on: bootstrap caches, every struct
 * static; kmalloc caches, the struct in the static kmalloc_caches[], lists
 * from the bootstrap caches; user caches, everything allocated. */
enum cache_kind { CACHE_BOOT, CACHE_KMALLOC, CACHE_USER };

struct kmem_cache {
	slqb_t *sq;
	char *name;
	unsigned flags;
	bool numa;                      /* SLAB_NUMA */
	size_t objsize;
	unsigned size, offset, align, eff_align;
	unsigned order, objects;
	unsigned freebatch, hiwater;
	unsigned colour_off, colour_range;
	gfp_t allocflags;
	saddr_t addr;                   /* struct kmem_cache */
	struct kmem_cache_cpu *cpu_slab;        /* [nr_cpu_ids] */
	struct kmem_cache_node *node;   /* [nr_node_ids] */
	uint64_t slabs;                 /* host total for slabinfo (inuse, live: per CPU) */
	klist_t slab_records;           /* slqb_slab_t of every slab */
	pthread_mutex_t records_lock;   /* slab_records (host: slab birth and death) */
	kmem_ctor_t *ctor;              /* the constructor, or NULL */
};

typedef struct trim_cpu {
	slqb_t *sq;
	int cpu;
} trim_cpu_t;

struct slqb {
	bool debug;
	long tun_hiwater, tun_freebatch;  /* -1: the patch's size rule */
	enum cache_kind making;         /* what the next cache_create makes */
	int ncpus, nnodes;
	unsigned cpu_slab_off;          /* offsetof(struct kmem_cache, cpu_slab) */
	GPtrArray *caches;              /* creation order */
	int cache_line;
	int kmalloc_shift_high;         /* PAGE_SHIFT + 9: 2 MiB with 4 KiB pages */
	kmem_cache_t **kmalloc_caches;  /* [kmalloc_shift_high + 1] */
	kmem_cache_t *kmem_cache_cache;
	trim_cpu_t *trim;               /* [ncpus] */
	lock_class_t *list_lock_cls, *remote_cls;
	kcounters_t *stat;              /* [NR_SLQB_STAT_ITEMS] per CPU */
};

/* ---- geometry (calculate_sizes, calculate_order; spec 2 and 5) ---- */

/* The first order from the smallest that fits one object up to max_order
 * whose waste * frac <= slab; max_order + 1 if none. */
static int slab_order(unsigned long size, int page_shift, int max_order, unsigned long frac)
{
	int order = fls_long(size - 1) <= page_shift ? 0 : fls_long(size - 1) - page_shift;

	for (; order <= max_order; order++) {
		unsigned long slab = 1UL << (page_shift + order);
		unsigned long waste = slab - slab / size * size;

		if (waste * frac <= slab)
			break;
	}
	return order;
}

/* Order 0 or 1 if it wastes at most a quarter, else the smallest order that
 * fits; -1 if that is not a valid page order. */
static int calculate_order(unsigned long size, int page_shift)
{
	int order = slab_order(size, page_shift, 1, 4);

	if (order <= 1)
		return order;
	order = slab_order(size, page_shift, MAX_ORDER, 0);
	return order < PA_MAX_ORDER ? order : -1;
}

/* See slqb.h. */
unsigned slqb_freebatch(unsigned size, int page_size)
{
	unsigned long ps = (unsigned long)page_size;
	unsigned long fb = MAX(4 * ps / size, MIN(256UL, 64 * ps / size));

	return fb ? (unsigned)fb : 1;
}

/* See slqb.h. */
unsigned slqb_hiwater(unsigned size, int page_size)
{
	return 4 * slqb_freebatch(size, page_size);
}

typedef struct slqb_layout {
	unsigned size, offset, eff_align, order, objects;
} slqb_layout_t;

/* Fill *l for an object of objsize; false if no slab can hold it. */
static bool calculate_sizes(size_t objsize, size_t align, unsigned flags,
                            int page_shift, int line, slqb_layout_t *l)
{
	unsigned long size = SLQB_ALIGN(objsize, sizeof(uint64_t));
	int order;

	if (objsize < sizeof(uint64_t))
		return false;
	l->offset = 0;
	if (flags & (SLAB_DESTROY_BY_RCU | __SLAB_CTOR)) {
		l->offset = (unsigned)size;     /* the object must survive a free */
		size += sizeof(uint64_t);
	}
	l->eff_align = (unsigned)slab_word_alignment(flags, align, objsize, (size_t)line);
	size = SLQB_ALIGN(size, l->eff_align);
	order = calculate_order(size, page_shift);
	if (order < 0)
		return false;
	l->size = (unsigned)size;
	l->order = (unsigned)order;
	l->objects = (unsigned)((1UL << (page_shift + order)) / size);
	return l->objects <= MAX_OBJS_PER_PAGE;
}

/* See slqb.h. */
void slqb_geometry(size_t objsize, size_t align, unsigned flags, int page_size,
                   int cache_line, unsigned *size, unsigned *order,
                   unsigned *objects)
{
	slqb_layout_t l = { 0 };

	if (!calculate_sizes(objsize, align, flags, fls_long(page_size) - 1,
	                     cache_line, &l))
		l = (slqb_layout_t){ 0 };
	*size = l.size;
	*order = l.order;
	*objects = l.objects;
}

/* ---- priced access to the modelled structures ---- */

/* slqb_stat_add: list l's counter (the patch keeps them per list), and
 * the allocator's total. */
static inline void stat_add(kmem_cache_t *s, kmem_cache_list_t *l, enum stat_item si, uint64_t n)
{
	kcounter_add(s->sq->stat, si, (int64_t)n);
	l->stats[si] += n;
}

static inline void stat(kmem_cache_t *s, kmem_cache_list_t *l, enum stat_item si)
{
	stat_add(s, l, si, 1);
}

/* s->cpu_slab[cpu]: a load from struct kmem_cache. */
static struct kmem_cache_cpu *get_cpu_slab(kmem_cache_t *s, int cpu)
{
	ktouch(s->addr + s->sq->cpu_slab_off + 8 * (saddr_t)cpu, 8, false);
	return &s->cpu_slab[cpu];
}

/* s->node[node]: a load from struct kmem_cache. */
static struct kmem_cache_node *get_node(kmem_cache_t *s, int node)
{
	ktouch(s->addr + KC_FIXED + 8 * (saddr_t)node, 8, false);
	return &s->node[node];
}

/* Line L0 of list l (freelist, flag, partial head). */
static inline void touch_l0(const kmem_cache_list_t *l, bool write)
{
	ktouch(l->addr, 8, write);
}

static inline void touch_cpu_l3(const struct kmem_cache_cpu *c, bool write)
{
	ktouch(c->list.addr + KMEM_CPU_L3, 8, write);
}

static void list_lock(kmem_cache_t *s, struct kmem_cache_node *n)
{
	spin_lock(&n->list_lock, s->sq->list_lock_cls, n->list.addr + KMEM_NODE_LOCK);
}

static void list_unlock(kmem_cache_t *s, struct kmem_cache_node *n)
{
	spin_unlock(&n->list_lock, s->sq->list_lock_cls, n->list.addr + KMEM_NODE_LOCK);
}

static void rfree_lock(kmem_cache_t *s, kmem_cache_list_t *l)
{
	spin_lock(&l->remote_free.lock, s->sq->remote_cls, l->addr + KMEM_LIST_RFREE);
}

static void rfree_unlock(kmem_cache_t *s, kmem_cache_list_t *l)
{
	spin_unlock(&l->remote_free.lock, s->sq->remote_cls, l->addr + KMEM_LIST_RFREE);
}

/* ---- debug checks and host bookkeeping (free of charge) ---- */

static saddr_t slab_start(const page_t *page)
{
	return page_address(page) + ((const slqb_slab_t *)page->priv)->colour;
}

static bool object_in_slab(const kmem_cache_t *s, const page_t *page, saddr_t x)
{
	saddr_t base = slab_start(page);

	return x >= base && x < base + (saddr_t)page->objects * s->size &&
	       (x - base) % s->size == 0;
}

/* x is an object of a slab page of s. */
static bool object_of_cache(const kmem_cache_t *s, saddr_t x)
{
	page_t *page = kaddr_valid(x) ? virt_to_page(x) : NULL;

	return page && (page_flags(page) & PG_slab) && page->slab == s &&
	       object_in_slab(s, page, x);
}

static unsigned object_index(const kmem_cache_t *s, const page_t *page, saddr_t x)
{
	return (unsigned)((x - slab_start(page)) / s->size);
}

/* A new slab's free pointers are priced as the stores they are but, in a
 * simulation, kept host-side until an object's own pointer is first
 * stored (allocator.h says why: a fresh slab costs no host memory).  The
 * index of object on page if its pointer is still host-side, else -1. */
static long synthesised(const kmem_cache_t *s, const page_t *page, saddr_t object)
{
	const slqb_slab_t *r = page && page->slab == s ? page->priv : NULL;
	uint64_t i;

	if (!r || !r->nsynth || object < slab_start(page) || (object - slab_start(page)) % s->size)
		return -1;
	i = (object - slab_start(page)) / s->size;
	return i < page->objects && (r->synth[i / 8] >> (i % 8) & 1) ? (long)i : -1;
}

/* What the host-side pointer of object i (at x) names: the next object. */
static saddr_t synthesised_next(const kmem_cache_t *s, const page_t *page, long i, saddr_t x)
{
	return (uint32_t)i + 1 < page->objects ? x + s->size : 0;
}

/* The free pointer of object x, free of charge (the audit's walks). */
static saddr_t peek_freepointer(const kmem_cache_t *s, saddr_t x)
{
	page_t *page = kaddr_valid(x) ? virt_to_page(x) : NULL;
	long i = synthesised(s, page, x);

	return i >= 0 ? synthesised_next(s, page, i, x) : kpeek64(x + s->offset);
}

/* The free pointer of object (one still host-side: priced the same, the
 * next object), checked to name an object of s. */
static saddr_t get_freepointer(kmem_cache_t *s, saddr_t object)
{
	page_t *page = kaddr_valid(object) ? virt_to_page(object) : NULL;
	long i = synthesised(s, page, object);
	saddr_t p;

	if (i >= 0) {
		ktouch(object + s->offset, 8, false);
		p = synthesised_next(s, page, i, object);
	} else {
		p = kload64(object + s->offset);
	}

	if (s->sq->debug && p && !object_of_cache(s, p))
		kbug("%s: freelist corrupted: object %#" G_GINT64_MODIFIER "x has free pointer %#"
		     G_GINT64_MODIFIER "x outside the cache", s->name, object, p);
	return p;
}

/* The store (the pointer is host-side no more). */
static void set_freepointer(kmem_cache_t *s, saddr_t object, saddr_t fp)
{
	page_t *page = kaddr_valid(object) ? virt_to_page(object) : NULL;
	long i = synthesised(s, page, object);

	if (i >= 0) {
		slqb_slab_t *r = page->priv;

		r->synth[i / 8] &= (uint8_t)~(1u << (i % 8));
		r->nsynth--;
	}
	kstore64(object + s->offset, fp);
}

/* An object left the allocator. */
static void note_alloc(kmem_cache_t *s, saddr_t x)
{
	if (s->sq->debug) {
		page_t *page = virt_to_page(x);

		slab_map_alloc(((slqb_slab_t *)page->priv)->map, object_index(s, page, x),
		               s->name, x);
	}
	s->cpu_slab[smp_processor_id()].live++;
}

/* With debug, checks that x is a handed-out object of s. */
static void check_free(kmem_cache_t *s, page_t *page, saddr_t x)
{
	if (!s->sq->debug)
		return;
	if (!page || !(page_flags(page) & PG_slab) || page->slab != s || !object_in_slab(s, page, x))
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", s->name, x);
	slab_map_free(((slqb_slab_t *)page->priv)->map, object_index(s, page, x), s->name, x);
}

/* A LIFO count that disagrees with its chain is a corruption. */
static void check_list(kmem_cache_t *s, const kmlist_t *fl)
{
	if (s->sq->debug && (fl->nr == 0) != (fl->head == 0))
		kbug("%s: freelist corrupted: %u objects counted, head %#" G_GINT64_MODIFIER "x",
		     s->name, fl->nr, fl->head);
}

/* ---- slab pages (owner only) ---- */

/* Price the link change of a neighbour on l's partial list. */
static void touch_neighbour(kmem_cache_list_t *l, klist_t *k)
{
	if (k != &l->partial)
		kpage_touch(klist_entry(k, page_t, lru), true);
}

/* Add page at the head of l->partial. */
static void partial_add(kmem_cache_list_t *l, page_t *page)
{
	touch_l0(l, true);
	touch_neighbour(l, l->partial.next);
	kpage_touch(page, true);
	klist_add(&page->lru, &l->partial);
	l->nr_partial++;
}

static void partial_del(kmem_cache_list_t *l, page_t *page)
{
	touch_l0(l, true);
	touch_neighbour(l, page->lru.prev);
	touch_neighbour(l, page->lru.next);
	kpage_touch(page, true);
	klist_del(&page->lru);
	l->nr_partial--;
}

static void slab_record_new(kmem_cache_t *s, page_t *page, unsigned colour)
{
	size_t map = s->sq->debug ? slab_map_bytes(page->objects) : 0, synth = slab_map_bytes(page->objects);
	slqb_slab_t *r = g_malloc0(sizeof(*r) + map + synth);

	r->colour = colour;
	r->page = page;
	r->synth = r->map + map;
	r->nsynth = knative() ? 0 : page->objects;
	if (r->nsynth)
		memset(r->synth, 0xff, synth);
	pthread_mutex_lock(&s->records_lock);
	klist_add_tail(&r->link, &s->slab_records);
	pthread_mutex_unlock(&s->records_lock);
	page->priv = r;
}

/* new_slab_page(): 2^order pages counted in the zone's slab pages
 * (allocate_slab), objects constructed and chained in address order from
 * the colour offset. */
static page_t *new_slab_page(kmem_cache_t *s, gfp_t gfp, int node, unsigned colour)
{
	page_t *page = alloc_pages_node(node, (gfp & (__GFP_THISNODE | __GFP_NORETRY |
	                                              __GFP_NOWARN | __GFP_COLD)) |
	                                s->allocflags, s->order);
	saddr_t start;

	if (!page)
		return NULL;
	slab_account_pages(page, s->flags, 1L << s->order);
	kpage_flags_set(page, PG_slab);
	page->slab = s;
	page->objects = s->objects;
	page->inuse = 0;
	slab_record_new(s, page, colour);
	start = page_address(page) + colour;
	if (s->ctor)
		slab_run_ctor_all(s->ctor, start, s->size, s->objects);
	for (unsigned i = 0; i < s->objects; i++) {             /* host-side in a simulation */
		saddr_t fp = start + (saddr_t)i * s->size + s->offset;

		if (knative())
			kstore64(fp, i + 1 < s->objects ? start + (saddr_t)(i + 1) * s->size : 0);
		else
			ktouch(fp, 8, true);
	}
	page->freelist = start;
	kpage_touch(page, true);
	khost_add64(&s->slabs, 1);
	return page;
}

/* free_slab: the pages go at once, or for SLAB_DESTROY_BY_RCU after a
 * grace period (the rcu_head overlays slqb_page.lru). */
static void free_slab(kmem_cache_t *s, page_t *page)
{
	slab_pages_t sp = { page, s->order, s->flags, NULL };

	kpage_flags_clear(page, PG_slab);
	page->inuse = page->objects = 0;
	page->freelist = 0;
	page->slab = NULL;
	kpage_touch(page, true);
	pthread_mutex_lock(&s->records_lock);
	klist_del(&((slqb_slab_t *)page->priv)->link);
	pthread_mutex_unlock(&s->records_lock);
	g_free(page->priv);
	page->priv = NULL;
	khost_add64(&s->slabs, -1);
	slab_free_pages(&sp, page_struct_addr(page) + SLQB_PAGE_RCU);
}

/* Take one object from the first partial page of l (spec 3.6). */
static saddr_t cache_list_get_page(kmem_cache_t *s, kmem_cache_list_t *l)
{
	page_t *page;
	saddr_t object;

	if (!l->nr_partial)
		return 0;
	page = klist_entry(l->partial.next, page_t, lru);
	kpage_touch(page, true);
	if (page->inuse + 1u == page->objects)
		partial_del(l, page);
	page->inuse++;
	s->cpu_slab[smp_processor_id()].inuse++;
	object = page->freelist;
	if (s->sq->debug && !object_in_slab(s, page, object))
		kbug("%s: freelist corrupted: page freelist names %#" G_GINT64_MODIFIER "x",
		     s->name, object);
	page->freelist = get_freepointer(s, object);
	stat(s, l, ALLOC_SLAB_FILL);
	return object;
}

/* Give object back to its page, owned by l (spec 4.5). */
static void free_object_to_page(kmem_cache_t *s, kmem_cache_list_t *l,
                                page_t *page, saddr_t object)
{
	kpage_touch(page, true);
	set_freepointer(s, object, page->freelist);
	page->freelist = object;
	page->inuse--;
	s->cpu_slab[smp_processor_id()].inuse--;
	if (!page->inuse) {
		if (page->objects > 1)
			partial_del(l, page);
		ktouch(l->addr + KMEM_LIST_NR_SLABS, 8, true);
		l->nr_slabs--;
		stat(s, l, FLUSH_SLAB_FREE);
		free_slab(s, page);
	} else if (page->inuse + 1u == page->objects) {
		partial_add(l, page);
		stat(s, l, FLUSH_SLAB_PARTIAL);
	}
}

/* ---- remote frees (spec 4.6) ---- */

/* Splice c's rlist onto its target's remote_free queue. */
static void flush_remote_free_cache(kmem_cache_t *s, struct kmem_cache_cpu *c)
{
	kmem_cache_list_t *dst = c->remote_cache_list;
	kmlist_t *q;
	bool was_below;

	touch_cpu_l3(c, false);
	if (!c->rlist.nr)
		return;
	stat(s, &c->list, FLUSH_RFREE_LIST);
	stat_add(s, &c->list, FLUSH_RFREE_LIST_OBJECTS, c->rlist.nr);
	q = &dst->remote_free.list;
	rfree_lock(s, dst);
	ktouch(dst->addr + KMEM_LIST_RFREE + 8, 24, true);
	if (!q->nr)
		q->head = c->rlist.head;
	else
		set_freepointer(s, q->tail, c->rlist.head);
	q->tail = c->rlist.tail;
	was_below = q->nr < s->freebatch;
	q->nr += c->rlist.nr;
	if (was_below && q->nr >= s->freebatch) {
		dst->remote_free_check = 1;
		touch_l0(dst, true);
	}
	rfree_unlock(s, dst);
	c->rlist = (kmlist_t){ 0 };
	touch_cpu_l3(c, true);
}

/* Append object (of page) to c's rlist, switching target if needed. */
static void slab_free_to_remote(kmem_cache_t *s, page_t *page, saddr_t object,
                                struct kmem_cache_cpu *c)
{
	kmem_cache_list_t *dst = ((slqb_slab_t *)page->priv)->list;

	touch_cpu_l3(c, true);
	if (dst != c->remote_cache_list) {
		flush_remote_free_cache(s, c);
		c->remote_cache_list = dst;
	}
	if (!c->rlist.nr)
		c->rlist.head = object;
	else
		set_freepointer(s, c->rlist.tail, object);
	set_freepointer(s, object, 0);
	c->rlist.tail = object;
	c->rlist.nr++;
	if (c->rlist.nr > s->freebatch)
		flush_remote_free_cache(s, c);
}

/* Move l's remote_free queue to the tail of its LIFO (spec 3.5). */
static void claim_remote_free_list(kmem_cache_t *s, kmem_cache_list_t *l)
{
	kmlist_t chain;

	ktouch(l->addr + KMEM_LIST_RFREE + 8, 8, false);
	if (!kdata_race_u32(&l->remote_free.list.nr))
		return;
	rfree_lock(s, l);
	ktouch(l->addr + KMEM_LIST_RFREE + 8, 24, true);
	l->remote_free_check = 0;
	chain = l->remote_free.list;
	l->remote_free.list = (kmlist_t){ 0 };
	rfree_unlock(s, l);
	touch_l0(l, true);
	if (!l->freelist.nr) {
		l->freelist = chain;
	} else {
		set_freepointer(s, l->freelist.tail, chain.head);
		l->freelist.tail = chain.tail;
		l->freelist.nr += chain.nr;
	}
	stat(s, l, CLAIM_REMOTE_LIST);
	stat_add(s, l, CLAIM_REMOTE_LIST_OBJECTS, chain.nr);
}

/* Return one batch from the head of l's LIFO (spec 4.4). */
static void flush_free_list(kmem_cache_t *s, kmem_cache_list_t *l)
{
	struct kmem_cache_cpu *c;
	uint32_t nr = MIN(s->freebatch, l->freelist.nr);
	saddr_t head;

	if (!nr)
		return;
	stat(s, l, FLUSH_FREE_LIST);
	stat_add(s, l, FLUSH_FREE_LIST_OBJECTS, nr);
	c = get_cpu_slab(s, smp_processor_id());
	touch_l0(l, true);
	l->freelist.nr -= nr;
	head = l->freelist.head;
	while (nr--) {
		saddr_t object = head;
		page_t *page;

		head = get_freepointer(s, object);
		page = slab_object_page(object);
		if (((slqb_slab_t *)page->priv)->list != l) {
			slab_free_to_remote(s, page, object, c);
			stat(s, l, FLUSH_FREE_LIST_REMOTE);
		} else {
			free_object_to_page(s, l, page, object);
		}
	}
	l->freelist.head = head;
	if (!l->freelist.nr)
		l->freelist.tail = 0;
	check_list(s, &l->freelist);
}

/* ---- allocation (spec 3) ---- */

static saddr_t freelist_pop(kmem_cache_t *s, kmem_cache_list_t *l)
{
	saddr_t object = l->freelist.head;

	l->freelist.head = get_freepointer(s, object);
	l->freelist.nr--;
	touch_l0(l, true);
	return object;
}

/* The LIFO, or a flagged remote_free queue (spec 3.4). */
static saddr_t cache_list_get_object(kmem_cache_t *s, kmem_cache_list_t *l)
{
	touch_l0(l, false);
	check_list(s, &l->freelist);
	if (l->freelist.head)
		return freelist_pop(s, l);
	if (!kdata_race_int(&l->remote_free_check))
		return 0;
	claim_remote_free_list(s, l);
	if (l->freelist.nr > s->hiwater)
		flush_free_list(s, l);
	return l->freelist.head ? freelist_pop(s, l) : 0;
}

/* A new slab: to this CPU's list if it is on the CPU's node, else to the
 * list of its node under list_lock; one object from it (spec 3.7). */
static saddr_t slab_alloc_page(kmem_cache_t *s, gfp_t gfp, int node)
{
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());
	struct kmem_cache_node *n = NULL;
	kmem_cache_list_t *l;
	unsigned colour;
	page_t *page;
	saddr_t object;

	touch_cpu_l3(c, true);
	colour = c->colour_next;
	c->colour_next += s->colour_off;
	if (c->colour_next >= s->colour_range)
		c->colour_next = 0;
	page = new_slab_page(s, gfp, node, colour);
	if (!page)
		return 0;
	if (page_to_nid(page) == numa_node_id()) {
		l = &c->list;
	} else {
		n = get_node(s, page_to_nid(page));
		list_lock(s, n);
		l = &n->list;
	}
	((slqb_slab_t *)page->priv)->list = l;
	ktouch(l->addr + KMEM_LIST_NR_SLABS, 8, true);
	l->nr_slabs++;
	partial_add(l, page);
	stat(s, l, ALLOC);
	stat(s, l, ALLOC_SLAB_NEW);
	object = cache_list_get_page(s, l);
	if (n)
		list_unlock(s, n);
	return object;
}

/* Node `node`'s list under its list_lock, else a new page there. */
static saddr_t remote_slab_alloc_node(kmem_cache_t *s, gfp_t gfp, int node)
{
	struct kmem_cache_node *n = get_node(s, node);
	saddr_t object;

	list_lock(s, n);
	object = cache_list_get_object(s, &n->list);
	if (!object)
		object = cache_list_get_page(s, &n->list);
	if (!object) {
		list_unlock(s, n);
		return slab_alloc_page(s, gfp, node);
	}
	stat(s, &n->list, ALLOC);
	list_unlock(s, n);
	return object;
}

/* __remote_slab_alloc: `node`, then (without __GFP_THISNODE) the others
 * in the order of its zonelist. */
static saddr_t remote_slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	saddr_t object = remote_slab_alloc_node(s, gfp, node);
	const int *zl = node_zonelist(node);

	for (int i = 1; !object && !(gfp & __GFP_THISNODE) && i < s->sq->nnodes; i++)
		object = remote_slab_alloc_node(s, gfp, zl[i]);
	return object;
}

/* __slab_alloc with irqs off (spec 3.3). */
static saddr_t __slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	kmem_cache_list_t *l;
	saddr_t object;

	if (node != -1 && node != numa_node_id())
		return remote_slab_alloc(s, gfp, node);
	l = &get_cpu_slab(s, smp_processor_id())->list;
	object = cache_list_get_object(s, l);
	if (!object)
		object = cache_list_get_page(s, l);
	if (object) {
		stat(s, l, ALLOC);
		return object;
	}
	object = slab_alloc_page(s, gfp, node);
	if (!object && s->sq->nnodes > 1)
		object = remote_slab_alloc(s, gfp, numa_node_id());
	return object;
}

static saddr_t slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	unsigned long flags;
	saddr_t object;

	local_irq_save(&flags);
	object = __slab_alloc(s, gfp, node);
	local_irq_restore(flags);
	if (object)
		note_alloc(s, object);
	slab_zero(gfp, object, s->objsize);
	return object;
}

/* ---- free (spec 4) ---- */

static void __slab_free(kmem_cache_t *s, page_t *page, saddr_t object)
{
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());
	kmem_cache_list_t *l = &c->list;

	stat(s, l, FREE);
	if (!s->numa || page_to_nid(page) == numa_node_id()) {
		touch_l0(l, true);
		set_freepointer(s, object, l->freelist.head);
		l->freelist.head = object;
		if (!l->freelist.nr)
			l->freelist.tail = object;
		l->freelist.nr++;
		if (l->freelist.nr > s->hiwater)
			flush_free_list(s, l);
	} else {
		slab_free_to_remote(s, page, object, c);
		stat(s, l, FREE_REMOTE);
	}
}

static void slab_free(kmem_cache_t *s, page_t *page, saddr_t object)
{
	unsigned long flags;

	s->cpu_slab[smp_processor_id()].live--;
	local_irq_save(&flags);
	__slab_free(s, page, object);
	local_irq_restore(flags);
}

/* ---- periodic trim and shrink (spec 6) ---- */

/* kmem_cache_trim_percpu: claim, one batch, drain the rlist. */
static void trim_cpu_list(void *arg)
{
	kmem_cache_t *s = arg;
	struct kmem_cache_cpu *c = get_cpu_slab(s, smp_processor_id());
	unsigned long flags;

	local_irq_save(&flags);
	claim_remote_free_list(s, &c->list);
	flush_free_list(s, &c->list);
	flush_remote_free_cache(s, c);
	local_irq_restore(flags);
}

/* Node list `node` under its list_lock: claim, one batch. */
static void trim_node_list(kmem_cache_t *s, int node)
{
	struct kmem_cache_node *n = get_node(s, node);
	unsigned long flags;

	local_irq_save(&flags);
	list_lock(s, n);
	claim_remote_free_list(s, &n->list);
	flush_free_list(s, &n->list);
	list_unlock(s, n);
	local_irq_restore(flags);
}

/* cache_trim_worker: every cache, newest first: the home node's list, then
 * this CPU's list; again in 3 s rounded to the second. */
static void cache_trim_worker(void *arg)
{
	trim_cpu_t *t = arg;
	slqb_t *sq = t->sq;
	int node = numa_node_id();

	for (int i = (int)sq->caches->len - 1; i >= 0; i--) {
		kmem_cache_t *s = g_ptr_array_index(sq->caches, i);

		trim_node_list(s, node);
		trim_cpu_list(s);
	}
	schedule_delayed_work_on(t->cpu, jiffies_delay(round_jiffies_relative(
	                         (uint64_t)TRIM_PERIOD * (uint64_t)HZ)),
	                         cache_trim_worker, t);
}

/* start_cpu_timer for every CPU: __round_jiffies_relative(HZ, cpu). */
static void start_cpu_timers(slqb_t *sq)
{
	kwork_label(cache_trim_worker, "cache_trim_worker");
	sq->trim = g_new(trim_cpu_t, sq->ncpus);
	for (int cpu = 0; cpu < sq->ncpus; cpu++) {
		sq->trim[cpu] = (trim_cpu_t){ sq, cpu };
		schedule_delayed_work_on(cpu, jiffies_delay(round_jiffies_relative_on(
		                         (uint64_t)HZ, cpu)), cache_trim_worker,
		                         &sq->trim[cpu]);
	}
}

/* ---- kmem_cache_open ---- */

static void init_list(kmem_cache_list_t *l, saddr_t addr)
{
	klist_init(&l->partial);
	spin_init(&l->remote_free.lock);
	l->addr = addr;
}

/* Per-CPU and per-node structs: static per-CPU variables for the
 * bootstrap caches, objects of kmem_cpu_cache/kmem_node_cache else. */
static void alloc_lists(slqb_t *sq, kmem_cache_t *s, bool boot)
{
	s->cpu_slab = kpcpu_host_new((size_t)sq->ncpus, sizeof(struct kmem_cache_cpu));
	s->node = g_new0(struct kmem_cache_node, sq->nnodes);
	if (!boot) {
		kmeta_account_n(s->name, "kmem_cache_cpu", KMEM_CPU_SIZE, (uint64_t)sq->ncpus, KMETA_SPREAD);
		kmeta_account_n(s->name, "kmem_cache_node", KMEM_NODE_SIZE, (uint64_t)sq->nnodes, KMETA_SPREAD);
	}
	uint64_t off = boot ? percpu_alloc(s->name, "kmem_cache_cpu", KMEM_CPU_SIZE,
	                                   (size_t)cache_line_size()) : 0;

	unsigned colours = s->colour_off ? s->colour_range / s->colour_off : 0;

	for (int cpu = 0; cpu < sq->ncpus; cpu++) {
		init_list(&s->cpu_slab[cpu].list, boot ? per_cpu_addr(off, cpu) :
		          kmeta_place(KMEM_CPU_SIZE, cpu_to_node(cpu)));
		/* The first colour: 0 on a real boot, seeded with layout noise. */
		s->cpu_slab[cpu].colour_next = colours ? s->colour_off * (uint32_t)
			(kernel_layout(g_str_hash(s->name) ^ ((uint64_t)cpu << 32)) % colours) : 0;
	}
	for (int node = 0; node < sq->nnodes; node++) {
		init_list(&s->node[node].list, boot ?
		          kmeta_static(s->name, "kmem_cache_node", KMEM_NODE_SIZE, node) :
		          kmeta_place(KMEM_NODE_SIZE, node));
		spin_init(&s->node[node].list_lock);
	}
}

/* kmem_size = offsetof(struct kmem_cache, cpu_slab) + 8 * nr_cpu_ids. */
static size_t kmem_size(const slqb_t *sq)
{
	return sq->cpu_slab_off + 8 * (size_t)sq->ncpus;
}

/* A kmem_cache_create'd struct kmem_cache: its share of a slab of the
 * "kmem_cache" cache. */
static size_t kmem_cache_share(const slqb_t *sq)
{
	const kmem_cache_t *kc = sq->kmem_cache_cache;

	return ((size_t)kpage_size() << kc->order) / kc->objects;
}

/* calculate_sizes' freebatch and hiwater = freebatch << 2, each replaced
 * by its tunable when the scenario sets it (see slqb_check_tunables). */
static void set_watermarks(const slqb_t *sq, kmem_cache_t *s)
{
	s->freebatch = sq->tun_freebatch >= 0 ? (unsigned)sq->tun_freebatch
	                                      : slqb_freebatch(s->size, kpage_size());
	s->hiwater = sq->tun_hiwater >= 0 ? (unsigned)sq->tun_hiwater : s->freebatch << 2;
}

/* kmem_cache_create() (kmem_cache_open); NULL if no slab can hold `size`. */
static kmem_cache_t *slqb_cache_create(void *a, const char *name, size_t size,
                                       size_t align, unsigned flags, const kmem_ctor_t *ctor)
{
	slqb_t *sq = a;
	slqb_layout_t l;
	kmem_cache_t *s;

	if (!calculate_sizes(size, align, flags | (ctor ? __SLAB_CTOR : 0), kpage_shift(),
	                     cache_line_size(), &l))
		return NULL;
	s = g_new0(kmem_cache_t, 1);
	s->sq = sq;
	s->name = g_strdup(name);
	s->flags = flags;
	s->numa = sq->nnodes > 1;
	s->objsize = size;
	s->ctor = slab_ctor_dup(ctor);
	s->size = l.size;
	s->offset = l.offset;
	s->align = (unsigned)align;
	s->eff_align = l.eff_align;
	s->order = l.order;
	s->objects = l.objects;
	set_watermarks(sq, s);
	s->colour_off = MAX((unsigned)cache_line_size(), s->align);
	s->colour_range = (unsigned)(((size_t)kpage_size() << l.order) - (size_t)l.objects * l.size);
	s->allocflags = (l.order ? __GFP_COMP : 0) |
	                ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
	klist_init(&s->slab_records);
	pthread_mutex_init(&s->records_lock, NULL);
	if (sq->making == CACHE_USER)
		s->addr = kmeta_static(name, "kmem_cache", kmem_cache_share(sq), -1);
	else
		s->addr = kmeta_static(name, "kmem_cache", sq->cpu_slab_off +
		                       8 * (size_t)NR_CPUS, 0);
	alloc_lists(sq, s, sq->making == CACHE_BOOT);
	g_ptr_array_add(sq->caches, s);
	return s;
}

/* A cache SLQB cannot boot without. */
static kmem_cache_t *create_boot_cache(slqb_t *sq, const char *name, size_t size,
                                       size_t align)
{
	return slab_check_created("slqb", name, SLAB_PANIC,
	                          slqb_cache_create(sq, name, size, align, SLAB_HWCACHE_ALIGN, NULL));
}

/* ---- kmalloc (spec 2.7) ---- */

/* get_slab(): kmalloc_caches[] index of a size (0 < size <= 2^high);
 * kmalloc-96 exists only with lines < 64 B, kmalloc-192 with < 128 B. */
static int get_slab_index(int cache_line, size_t size)
{
	if (size <= 8)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96 && cache_line < 64)
		return 1;
	if (size > 128 && size <= 192 && cache_line < 128)
		return 2;
	return fls_long(size - 1);
}

/* kmalloc-96 and kmalloc-192 (when they exist), kmalloc-8 ..
 * kmalloc-(PAGE_SIZE << 9), then the DMA twins. */
static void create_kmalloc_caches(slqb_t *sq)
{
	static const char *const prefix[2] = { "kmalloc", "kmalloc_dma" };

	for (int dma = 0; dma < 2; dma++) {
		for (int i = 1; i <= sq->kmalloc_shift_high; i++) {
			size_t size = kmalloc_index_size(i);
			kmem_cache_t *s;
			char *name;

			if ((i == 1 && sq->cache_line >= 64) || (i == 2 && sq->cache_line >= 128) ||
			    (i > 2 && i < KMALLOC_SHIFT_LOW))
				continue;
			name = g_strdup_printf("%s-%zu", prefix[dma], size);
			s = create_boot_cache(sq, name, size, ARCH_KMALLOC_MINALIGN);
			if (!dma)
				sq->kmalloc_caches[i] = s;
			g_free(name);
		}
	}
}

/* ---- the allocator_ops ---- */

static const tunable_t slqb_tunables[] = {
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees) and free pointers "
	  "(only while the run's kdebug_checks is on)" },
	{ "hiwater", -1, -1, INT_MAX,
	  "LIFO freelist high watermark of every cache (sysfs hiwater, >= 0); "
	  "-1: 4 * freebatch" },
	{ "freebatch", -1, -1, INT_MAX,
	  "LIFO and rlist flush batch of every cache (sysfs freebatch, 1 .. hiwater + 1); "
	  "-1: max(4 * PAGE_SIZE / size, min(256, 64 * PAGE_SIZE / size))" },
	{ NULL, 0, 0, 0, NULL },
};

enum { TUN_DEBUG, TUN_HIWATER, TUN_FREEBATCH };

/* The bounds of the patch's sysfs store functions: hiwater_store refuses a
 * value below 0 (the range), freebatch_store one below 1 or above hiwater
 * + 1, against the hiwater the cache then has: the one set, or 4 *
 * freebatch when only freebatch is set (the bound then always holds). */
static char *slqb_check_tunables(const long *tun, int page_size, int *bad)
{
	long hi = tun[TUN_HIWATER], fb = tun[TUN_FREEBATCH];

	(void)page_size;
	*bad = TUN_FREEBATCH;
	if (fb == 0)
		return g_strdup("expected -1 (the size rule) or a batch of at least 1 "
		                "(freebatch_store refuses 0), got '0'");
	if (fb > 0 && hi >= 0 && fb - 1 > hi)
		return g_strdup_printf("expected at most hiwater + 1 = %ld (freebatch_store), got '%ld'",
		                       hi + 1, fb);
	return NULL;
}

/* Boot SLQB: the three bootstrap caches, the kmalloc caches and their DMA
 * twins, and the per-CPU trim timers. */
static void *slqb_create(const long *tun)
{
	slqb_t *sq = g_new0(slqb_t, 1);

	sq->debug = tun[TUN_DEBUG] && kdebug_checks;
	sq->tun_hiwater = tun[TUN_HIWATER];
	sq->tun_freebatch = tun[TUN_FREEBATCH];
	sq->ncpus = nr_cpu_ids();
	sq->nnodes = nr_node_ids();
	sq->cache_line = cache_line_size();
	sq->kmalloc_shift_high = kpage_shift() + KMALLOC_ORDER_HIGH;
	sq->kmalloc_caches = g_new0(kmem_cache_t *, sq->kmalloc_shift_high + 1);
	sq->cpu_slab_off = KC_FIXED + 8 * (unsigned)MAX_NUMNODES;
	sq->caches = g_ptr_array_new();
	sq->stat = kcounters_new(NR_SLQB_STAT_ITEMS, sq->ncpus);
	sq->list_lock_cls = klock_class("slqb.list_lock");
	sq->remote_cls = klock_class("slqb.remote_free");

	sq->making = CACHE_BOOT;
	sq->kmem_cache_cache = create_boot_cache(sq, "kmem_cache", kmem_size(sq), 0);
	create_boot_cache(sq, "kmem_cache_cpu", KMEM_CPU_SIZE, 0);
	create_boot_cache(sq, "kmem_cache_node", KMEM_NODE_SIZE, 0);
	sq->making = CACHE_KMALLOC;
	create_kmalloc_caches(sq);
	sq->making = CACHE_USER;
	start_cpu_timers(sq);
	return sq;
}

static void cache_free_host(kmem_cache_t *s)
{
	while (!klist_empty(&s->slab_records)) {
		slqb_slab_t *r = klist_entry(s->slab_records.next, slqb_slab_t, link);

		klist_del(&r->link);
		g_free(r);
	}
	pthread_mutex_destroy(&s->records_lock);
	for (int cpu = 0; cpu < s->sq->ncpus; cpu++)
		spin_destroy(&s->cpu_slab[cpu].list.remote_free.lock);
	for (int node = 0; node < s->sq->nnodes; node++) {
		spin_destroy(&s->node[node].list.remote_free.lock);
		spin_destroy(&s->node[node].list_lock);
	}
	kpcpu_host_free(s->cpu_slab);
	g_free(s->node);
	g_free(s->ctor);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slqb_destroy(void *a)
{
	slqb_t *sq = a;

	slab_caches_free(sq->caches, cache_free_host);
	g_free(sq->kmalloc_caches);
	g_free(sq->trim);
	kcounters_free(sq->stat);
	g_free(sq);
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slqb_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	slab_check_node("slqb", node);
	return slab_alloc(s, gfp, node);
}

/* kmem_cache_free(): the struct page is read only with SLAB_NUMA. */
static void slqb_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	page_t *page;

	(void)a;
	page = kaddr_valid(x) ? virt_to_page(x) : NULL;
	if (!page || page->slab != s)
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", s->name, x);
	if (s->numa)
		kpage_touch(page, false);
	check_free(s, page, x);
	slab_free(s, page, x);
}

/* __kmalloc_node(): the kmalloc cache of the size; NULL above
 * PAGE_SIZE << 9. */
static saddr_t slqb_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slqb_t *sq = a;

	slab_check_node("slqb", node);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > ((size_t)1 << sq->kmalloc_shift_high))
		return 0;
	return slab_alloc(sq->kmalloc_caches[get_slab_index(sq->cache_line, size)], gfp, node);
}

/* kfree(): reads the struct page, then page->list->cache (the owner
 * list's L0 line). */
static void slqb_kfree(void *a, saddr_t x)
{
	page_t *page;
	kmem_cache_t *s;

	(void)a;
	if (x <= ZERO_SIZE_PTR)
		return;
	page = kaddr_valid(x) ? virt_to_page(x) : NULL;
	if (!page || !(page_flags(page) & PG_slab))
		kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x", x);
	kpage_touch(page, false);
	ktouch(((slqb_slab_t *)page->priv)->list->addr + KMEM_LIST_CACHE, 8, false);
	s = page->slab;
	check_free(s, page, x);
	slab_free(s, page, x);
}

/* kmem_cache_shrink(): every CPU trims its list (IPI), then each node's
 * list gives back one batch. */
static void slqb_shrink(void *a, kmem_cache_t *s)
{
	slqb_t *sq = a;

	on_each_cpu(trim_cpu_list, s);
	for (int node = 0; node < sq->nnodes; node++)
		trim_node_list(s, node);
}

/* What kmalloc(size) hands out: its class; whole pages of the page
 * order above the largest class.  Runs during create (a is NULL then). */
static size_t slqb_kmalloc_size(void *a, size_t size)
{
	(void)a;
	if (!size)
		return 0;
	if (size > ((size_t)kpage_size() << KMALLOC_ORDER_HIGH))
		return (size_t)kpage_size() << fls_long((size - 1) >> kpage_shift());
	return kmalloc_index_size(get_slab_index(cache_line_size(), size));
}

static int slqb_ncaches(void *a)
{
	return (int)((slqb_t *)a)->caches->len;
}

static kmem_cache_t *slqb_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slqb_t *)a)->caches, i);
}

/* Objects out of s's pages, and held by callers (host bookkeeping,
 * summed over the CPUs that moved them). */
static uint64_t cache_inuse(const kmem_cache_t *s)
{
	int64_t n = 0;

	for (int cpu = 0; cpu < s->sq->ncpus; cpu++)
		n += s->cpu_slab[cpu].inuse;
	return (uint64_t)n;
}

static uint64_t cache_live(const kmem_cache_t *s)
{
	int64_t n = 0;

	for (int cpu = 0; cpu < s->sq->ncpus; cpu++)
		n += s->cpu_slab[cpu].live;
	return (uint64_t)n;
}

/* A slabinfo row: limit = hiwater, batchcount = freebatch; active_objs
 * counts queued objects as in use; no slab is ever empty. */
static void slqb_cache_info(void *a, kmem_cache_t *s, cache_info_t *out)
{
	(void)a;
	*out = (cache_info_t){
		.name = s->name, .object_size = (uint32_t)s->objsize,
		.size = s->size, .align = s->eff_align,
		.objects_per_slab = s->objects, .order = s->order,
		.slabs = s->slabs, .active_slabs = s->slabs,
		.num_objs = s->slabs * s->objects, .active_objs = cache_inuse(s),
		.limit = s->hiwater, .batchcount = s->freebatch,
	};
}

/* Objects parked on LIFOs, rlists and remote_free queues. */
static uint64_t slqb_queued_bytes(void *a)
{
	slqb_t *sq = a;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < sq->caches->len; i++) {
		kmem_cache_t *s = g_ptr_array_index(sq->caches, i);

		bytes += (cache_inuse(s) - cache_live(s)) * s->size;
	}
	return bytes;
}

/* The 14 CONFIG_SLQB_STATS counters summed over caches and lists, in
 * enum stat_item order. */
static void slqb_stats(void *a, stat_sink sink, void *ctx)
{
	slqb_t *sq = a;

	for (int i = 0; i < NR_SLQB_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], (uint64_t)kcounter_sum(sq->stat, i));
}

/* The counters per list, as the patch keeps them (its sysfs files show
 * each CPU's list as C<cpu>=; slqbinfo the node lists too): every CPU's
 * list, then every node's, summed over caches. */
static void slqb_stats_split(void *a, stat_split_sink sink, void *ctx)
{
	slqb_t *sq = a;

	for (int kind = 0; kind < 2; kind++) {
		int n = kind ? sq->nnodes : sq->ncpus;

		for (int id = 0; id < n; id++) {
			uint64_t sum[NR_SLQB_STAT_ITEMS] = { 0 };

			for (unsigned c = 0; c < sq->caches->len; c++) {
				kmem_cache_t *s = g_ptr_array_index(sq->caches, c);
				const kmem_cache_list_t *l = kind ? &s->node[id].list : &s->cpu_slab[id].list;

				for (int i = 0; i < NR_SLQB_STAT_ITEMS; i++)
					sum[i] += l->stats[i];
			}
			for (int i = 0; i < NR_SLQB_STAT_ITEMS; i++)
				sink(ctx, kind ? "node" : "cpu", id, stat_names[i], sum[i]);
		}
	}
}

/* Fast paths: an object from, or to, the CPU's LIFO.  Slow: an object
 * taken from a page's freelist (alloc_slab_fill) and a free of another
 * node's object (free_remote, through the rlist). */
static void slqb_path_split(void *a, uint64_t alloc[2], uint64_t free[2])
{
	slqb_t *sq = a;

	alloc[1] = (uint64_t)kcounter_sum(sq->stat, ALLOC_SLAB_FILL);
	alloc[0] = (uint64_t)kcounter_sum(sq->stat, ALLOC) - alloc[1];
	free[1] = (uint64_t)kcounter_sum(sq->stat, FREE_REMOTE);
	free[0] = (uint64_t)kcounter_sum(sq->stat, FREE) - free[1];
}

/* Per-CPU LIFOs up to hiwater ("percpu"); rlists up to freebatch
 * ("remote"). */
static void slqb_queue_capacity(void *a, kmem_cache_t *s, queue_sink sink, void *ctx)
{
	slqb_t *sq = a;
	uint64_t percpu = (uint64_t)sq->ncpus * s->hiwater;
	uint64_t remote = (uint64_t)sq->ncpus * s->freebatch;

	sink(ctx, "percpu", percpu, percpu * s->size);
	sink(ctx, "remote", remote, remote * s->size);
}

/* See slqb.h. */
uint64_t slqb_cpu_freelist_nr(kmem_cache_t *s, int cpu)
{
	return s->cpu_slab[cpu].list.freelist.nr;
}

/* See slqb.h. */
uint64_t slqb_cpu_remote_nr(kmem_cache_t *s, int cpu)
{
	return s->cpu_slab[cpu].list.remote_free.list.nr;
}

/* ---- audit: structure checks between operations (allocator.h) ----
 * Per list (each CPU's and each node's): nr_partial is the length of the
 * partial list, whose pages it owns with 0 < inuse < objects; nr_slabs
 * counts the pages it owns; the freelist and remote_free queue hold as
 * many objects of the cache as their nr (the queue ending at its tail).
 * Per page: its freelist holds objects - inuse.  Per cache: slabs and
 * inuse are the pages' totals, and inuse - live objects sit in the
 * freelists, remote_free queues and rlists. */
static uint64_t audit_chain(kmem_cache_t *s, const kmlist_t *q, bool tail)
{
	saddr_t x = q->head, last = 0;

	for (uint32_t n = 0; n < q->nr; n++) {
		page_t *page = x ? virt_to_page(x) : NULL;
		if (!page || page->slab != s || !object_in_slab(s, page, x))
			return UINT64_MAX;
		last = x;
		x = peek_freepointer(s, x);
	}
	return !tail || !q->nr || last == q->tail ? q->nr : UINT64_MAX;
}

static void audit_list(kmem_cache_t *s, kmem_cache_list_t *l, const char *who, int id,
                       uint64_t *queued)
{
	uint64_t partial = 0, slabs = 0, f = audit_chain(s, &l->freelist, false),
	         q = audit_chain(s, &l->remote_free.list, true);
	klist_t *pos;

	klist_for_each(pos, &l->partial) {
		page_t *page = klist_entry(pos, page_t, lru);
		partial++;
		if (((slqb_slab_t *)page->priv)->list != l || !page->inuse || page->inuse >= page->objects)
			kbug("audit %s: %s %d: a page on the partial list is %s", s->name, who, id,
			     ((slqb_slab_t *)page->priv)->list != l ? "another list's" :
			     page->inuse ? "full" : "empty");
	}
	klist_for_each(pos, &s->slab_records)
		slabs += klist_entry(pos, slqb_slab_t, link)->list == l;
	if (partial != l->nr_partial || slabs != l->nr_slabs || f == UINT64_MAX || q == UINT64_MAX)
		kbug("audit %s: %s %d: nr_partial %u for %" G_GUINT64_FORMAT " pages, nr_slabs %"
		     G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT ", freelist of %u %s, remote_free of %u %s",
		     s->name, who, id, l->nr_partial, partial, l->nr_slabs, slabs, l->freelist.nr,
		     f == UINT64_MAX ? "broken" : "ok", l->remote_free.list.nr,
		     q == UINT64_MAX ? "broken" : "ok");
	*queued += f + q;
}

static void slqb_audit(void *a)
{
	slqb_t *sq = a;

	for (guint i = 0; i < sq->caches->len; i++) {
		kmem_cache_t *s = sq->caches->pdata[i];
		uint64_t queued = 0, slabs = 0, inuse = 0;
		klist_t *pos;

		for (int cpu = 0; cpu < sq->ncpus; cpu++) {
			uint64_t r = audit_chain(s, &s->cpu_slab[cpu].rlist, true);
			if (r == UINT64_MAX)
				kbug("audit %s: cpu %d: rlist of %u broken", s->name, cpu,
				     s->cpu_slab[cpu].rlist.nr);
			queued += r;
			audit_list(s, &s->cpu_slab[cpu].list, "cpu", cpu, &queued);
		}
		for (int node = 0; node < sq->nnodes; node++)
			audit_list(s, &s->node[node].list, "node", node, &queued);
		klist_for_each(pos, &s->slab_records) {
			page_t *page = klist_entry(pos, slqb_slab_t, link)->page;
			uint64_t nfree = 0;
			for (saddr_t x = page->freelist; x && nfree <= page->objects; x = peek_freepointer(s, x))
				nfree = object_in_slab(s, page, x) ? nfree + 1 : (uint64_t)page->objects + 1;
			if (nfree + page->inuse != page->objects)
				kbug("audit %s: a page of %u objects, %u in use, has %" G_GUINT64_FORMAT
				     " on its freelist", s->name, page->objects, page->inuse, nfree);
			slabs++;
			inuse += page->inuse;
		}
		if (slabs != s->slabs || inuse != cache_inuse(s) ||
		    cache_inuse(s) - cache_live(s) != queued)
			kbug("audit %s: %" G_GUINT64_FORMAT " slabs (count %" G_GUINT64_FORMAT "), %"
			     G_GUINT64_FORMAT " objects in use (count %" G_GUINT64_FORMAT "), %" G_GUINT64_FORMAT
			     " held, %" G_GUINT64_FORMAT " queued", s->name, slabs, s->slabs, inuse,
			     cache_inuse(s), cache_live(s), queued);
	}
}

/* SLQB as the simulator's registry sees it. */
const allocator_ops_t slqb_allocator = {
	.name = "slqb",
	.summary = "SLQB try-2 (2009-01-23): per-CPU LIFO queues, single-target "
	           "remote-free batching, pages freed when empty, 3 s trim",
	.tunables = slqb_tunables,
	.check_tunables = slqb_check_tunables,
	.create = slqb_create,
	.destroy = slqb_destroy,
	.cache_create = slqb_cache_create,
	.max_cache_size = slab_max_order_size,
	.cache_alloc = slqb_cache_alloc,
	.cache_free = slqb_cache_free,
	.kmalloc = slqb_kmalloc,
	.kfree = slqb_kfree,
	.shrink = slqb_shrink,
	.kmalloc_size = slqb_kmalloc_size,
	.ncaches = slqb_ncaches,
	.cache_at = slqb_cache_at,
	.cache_info = slqb_cache_info,
	.queued_bytes = slqb_queued_bytes,
	.stats = slqb_stats,
	.stats_split = slqb_stats_split,
	.path_split = slqb_path_split,
	.queue_capacity = slqb_queue_capacity,
	.audit = slqb_audit,
};
