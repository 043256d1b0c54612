/*
 * slab.c -- SLAB as in Linux 2.6.29 with NUMA (reference: kernel-params.md
 * section A; thread-results.md C1, C2, C3, C12).
 *
 * Design.  A slab is 2^gfporder pages carved into `num` objects; its
 * descriptor (struct slab: list, colouroff, s_mem, inuse, free, nodeid)
 * and the bufctl chain of free object indexes sit at the start of the slab
 * after the colour offset (on-slab) or in an object of a kmalloc cache of
 * this allocator (off-slab, size >= PAGE_SIZE/8 unless the leftover fits
 * the descriptor).  Objects are never touched by the allocator: free
 * objects are found through pointer arrays and the bufctl chain.  Each
 * cache has a per-CPU array_cache (LIFO, limit/batchcount from
 * enable_cpucache, used with irqs off and no lock), per node a kmem_list3
 * (slabs_partial/full/free, free_objects, free_limit, colour_next), a
 * shared array (shared * batchcount entries) and an alien set: one
 * 12-entry array (1 if limit is 1) per remote node, shared by the node's
 * CPUs under its own lock, for frees of objects whose slab is on that
 * remote node.  Refills take from the shared array, then from partial and
 * free slabs, then cache_grow; overflowing frees flush the oldest batch to
 * the shared array or free_block them.  cache_reap runs as delayed work on
 * every CPU every 2 s (first run and skew by round_jiffies), drains one
 * alien array per pass (reap_node round-robin), trims untouched per-CPU
 * and, every 4 s per node, shared arrays by (limit+4)/5 and free slabs.
 *
 * Critical mempool backing (seed 004, Dobson's "[patch 9/9] slab -
 * Implement single mempool backing for slab allocator", written for this
 * allocator; docs/mempool.md).  A cache may carry a page pool
 * (cache_set_mempool).  A __GFP_CRITICAL request reaches cache_grow as the
 * patch threads its pool down (____cache_alloc -> cache_alloc_refill ->
 * cache_grow, __cache_alloc_node -> cache_grow, and fallback_alloc), and
 * kmem_getpages takes the pages from mempool_alloc_node when the cache's
 * gfporder is the pool's: the page allocator first, then the reserve.  A
 * slab built on a reserve page remembers its pool (Dobson's planned
 * pointer in struct slab, kept in the host record and priced with the
 * descriptor).  As posted it is an ordinary slab: a refill moves its
 * objects into the per-CPU array, where any request takes them (objects
 * handed to non-critical requests count as leaked), and once empty it
 * waits on slabs_free for a shrink or the reaper like any slab.  The
 * planned fixes are attach flags: SLAB_MEMPOOL_RETURN sends an emptied
 * reserve slab's page to mempool_free at once (free_block never keeps it);
 * SLAB_MEMPOOL_EXCLUSIVE keeps reserve slabs off the three lists, on a
 * per-node pool list that only critical requests use, one object at a
 * time under list_lock, after the arrays and the slab lists and before
 * growing (a new reserve slab gives its first object to the request that
 * built it), and frees their objects straight to the slab, never into an
 * array; such a slab is destroyed as soon as it empties.
 *
 * Kernel features: kmem_getpages / kmem_freepages count the slab's pages
 * in NR_SLAB_(UN)RECLAIMABLE (mod_zone_page_state); cache_init_objs runs
 * the cache's constructor on every object of a new slab; __GFP_ZERO
 * clears obj_size bytes after allocation; slab_destroy of a
 * SLAB_DESTROY_BY_RCU cache frees the pages (and the off-slab descriptor)
 * from an RCU callback (kmem_rcu_free, the rcu_head in the descriptor).
 *
 * Lock order: cache_chain_mutex ("cache_chain_mutex", a spinlock taken
 * with trylock by cache_reap) before alien->lock ("alien->lock") before
 * l3->list_lock ("l3->list_lock") before mempool.lock (inside
 * mempool_alloc_node / mempool_free only).  A list_lock may be held while an
 * off-slab descriptor is freed to another (kmalloc) cache, which takes
 * that cache's locks (as in the kernel).  Shared arrays are guarded by
 * their node's list_lock; per-CPU arrays by irqs off.
 *
 * Pricing: the modelled kernel's structures are host structs priced with
 * ktouch at the addresses their metadata accounting returned: struct
 * kmem_cache (array[] and nodelists[] pointers, fields), array_cache
 * headers and entry slots, kmem_list3 fields and list heads, the alien
 * pointer arrays, struct slab and its bufctl[] (in the slab or in the
 * off-slab descriptor object), struct page (virt_to_slab, virt_to_cache,
 * slab_map_pages).  STATS counters and debug checks are free.
 *
 * Metadata (owner: the cache name), 2.6.29, LP64, no DEBUG/lockdep:
 *  - "kmem_cache": the struct kmem_cache is an object of cache_cache, of
 *    size ALIGN(8*NR_CPUS + 104 + 8*nr_node_ids, cache line) (NR_CPUS the
 *    machine's nr_cpus, at least the online CPUs); accounted as its share
 *    of cache_cache's slab, (PAGE_SIZE << order) / num (64 KiB at 4,096
 *    CPUs and 1,024 nodes: one object per order-4 slab).  The "kmem_cache"
 *    cache's own static struct counts 8*NR_CPUS + 104 + 8*MAX_NUMNODES.
 *  - "array_cache_percpu": one K(24 + 8*limit) per online CPU.
 *  - "kmem_list3": one K(104) per node.
 *  - "array_cache_shared": one K(24 + 8*shared*batchcount) per node.
 *  - "alien" (more than one node, aliens on): per node a pointer array
 *    K(8*nr_node_ids), and N*(N-1) arrays K(24 + 8*A), A = 12 or 1.  They
 *    are accounted in bulk at cache creation; a host array_cache is only
 *    materialised (and placed in simulated memory) when a CPU of the node
 *    first frees to that remote node.
 *  - "slab_mgmt": off-slab descriptors, K(slab_size) each, while the slab
 *    lives (they are also real objects of the kmalloc cache, so their
 *    pages count in slab bytes too).
 * K() is this allocator's kmalloc rounding (kmeta_* calls kmalloc_size).
 *
 * Statistics (summed over caches, in this order): the kernel's STATS
 * allochit/allocmiss/freehit/freemiss, refill_shared (refills served by
 * the shared array), flush_shared (flushes into it), grown,
 * slabs_destroyed, reaped (slabs freed by cache_reap's drain_freelist),
 * node_allocs (objects taken by ____cache_alloc_node), node_frees (frees
 * of remote objects), alien_overflow (full alien arrays drained on free),
 * alien_reaped (alien arrays drained by cache_reap), fallback_allocs,
 * reap_runs and reap_skipped (cache_chain_mutex trylock failed).
 *
 * Deviations from 2.6.29:
 *  - No mempolicy or cpuset: alternate_node_alloc never runs and
 *    fallback_alloc walks the CPU's node, then the others by SLIT
 *    distance (ties by node id).
 *  - The largest kmalloc class is 2^min(MAX_ORDER + PAGE_SHIFT - 1, 25)
 *    with the simulator's MAX_ORDER of 11 (16 MiB with 16 KiB pages,
 *    where an ia64 kernel with a larger MAX_ORDER reaches 32 MiB).
 *  - No __GFP_WAIT: irqs stay off across cache_grow.  No DMA zone: the
 *    size-N(DMA) twins exist (with their metadata) but allocate normal
 *    pages, and kmalloc never picks them.
 *  - No CPU hotplug, no kmem_cache_destroy, no DEBUG
 *    layout (red zones, poison); the transient structures of
 *    do_tune_cpucache and cpuup_prepare are not accounted, only the
 *    steady state.  cache_cache ("kmem_cache") exists but its objects are
 *    accounted as metadata rather than allocated from it.
 *  - kmem_cache_shrink does not take cache_chain_mutex (the simulated
 *    mutex is a spinlock; holding it across the drain IPIs could stall a
 *    CPU spinning on it in cache_create).
 *  - Tunables from the scenario apply to every cache, like writing
 *    "name limit batchcount shared" for each line of /proc/slabinfo;
 *    a batchcount above the limit is capped at the limit.
 *  - Seed 004 (2.6.16's slab.c, here on 2.6.29's): struct slab does not
 *    grow by the planned pool pointer (the geometry of every cache would
 *    change; it is a host field); the pool list head is priced on the line
 *    of the three list heads; the off-slab descriptor of a critical
 *    growth is a critical request on slabp_cache, which uses a pool only
 *    if one is attached to it (the patch passes the grower's pool to
 *    kmem_cache_alloc_mempool); a reserve page may lie on another node
 *    than the one growing (the pool's pages come from where it was
 *    created) and the slab goes on the growing node's list, as the patch
 *    labels it (slabp->nodeid = nodeid).
 *  - debug=1 adds simulator checks: foreign pointers and double frees,
 *    found with a host bitmap of handed-out objects per slab.
 */
#include "allocator.h"
#include "slab.h"

#define SLAB_ALIGN(x, a)        (((x) + (a) - 1) & ~((unsigned long)(a) - 1))

#define BYTES_PER_WORD          8
#define SLAB_DESC_SIZE          48              /* struct slab */
#define BUFCTL_SIZE             4               /* kmem_bufctl_t */
#define BUFCTL_END              UINT32_MAX
#define SLAB_LIMIT              (UINT32_MAX - 3)
#define AC_HEADER               24              /* struct array_cache */
#define AC_LOCK                 16              /* offsetof(array_cache, lock) */
#define L3_SIZE                 104             /* struct kmem_list3 */
#define ALIEN_ENTRIES           12
#define BATCHREFILL_LIMIT       16
#define REAPTIMEOUT_CPUC        2               /* seconds (2*HZ) */
#define REAPTIMEOUT_LIST3       4               /* seconds (4*HZ) */
#define KMALLOC_SHIFT_CAP       25
#define GFP_THISNODE            (__GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY)

/* struct kmem_cache after array[NR_CPUS]: tunables, buffer_size, ...,
 * next, then nodelists[]. */
#define KC_BUFFER_SIZE          12              /* buffer_size, reciprocal, flags, num */
#define KC_COLOUR               40              /* colour .. slab_size */
#define KC_COLOUR_END           68
#define KC_NEXT                 88
#define KC_FIELDS               104             /* offsetof(nodelists) - 8*NR_CPUS */

/* struct kmem_list3 fields. */
#define L3_PARTIAL              0
#define L3_FULL                 16
#define L3_FREE                 32
#define L3_FREE_OBJECTS         48
#define L3_FREE_LIMIT           56
#define L3_COLOUR_NEXT          60
#define L3_LIST_LOCK            64
#define L3_SHARED               72
#define L3_ALIEN                80
#define L3_NEXT_REAP            88
#define L3_FREE_TOUCHED         96

enum stat_item {
	ALLOCHIT, ALLOCMISS, FREEHIT, FREEMISS, REFILL_SHARED, FLUSH_SHARED,
	GROWN, SLABS_DESTROYED, REAPED, NODE_ALLOCS, NODE_FREES, ALIEN_OVERFLOW,
	ALIEN_REAPED, FALLBACK_ALLOCS, REAP_RUNS, REAP_SKIPPED, NR_SLAB_STAT_ITEMS
};

static const char *const stat_names[NR_SLAB_STAT_ITEMS] = {
	"allochit", "allocmiss", "freehit", "freemiss", "refill_shared",
	"flush_shared", "grown", "slabs_destroyed", "reaped", "node_allocs",
	"node_frees", "alien_overflow", "alien_reaped", "fallback_allocs",
	"reap_runs", "reap_skipped",
};

struct array_cache {
	uint32_t avail, limit, batchcount, touched;
	saddr_t addr;                   /* the struct in simulated memory */
	saddr_t *entry;                 /* [limit], allocated on first push */
	spinlock_t lock;                /* alien arrays only */
	int64_t live;                   /* per-CPU arrays: objects handed out on this CPU less
	                                   those freed on it (host; their sum is s's live) */
} KPCPU_HOST;

/* The host side of one slab: struct slab, bufctl[] and the debug bitmap. */
typedef struct slab {
	klist_t list;                   /* on one of the node's three lists */
	page_t *page;                   /* first page */
	saddr_t s_mem;                  /* first object */
	saddr_t desc;                   /* where struct slab lives */
	uint32_t inuse;
	uint32_t free;                  /* first free index or BUFCTL_END */
	int nodeid;
	mempool_t *pool;                /* seed 004: built on a page of this pool's reserve */
	uint8_t *live;                  /* debug: bit set = held by a caller */
	uint32_t bufctl[];
} slab_t;

struct kmem_list3 {
	klist_t slabs_partial, slabs_full, slabs_free;
	klist_t slabs_pool;             /* seed 004: reserve slabs of an exclusive pool */
	unsigned long free_objects;
	unsigned free_limit, colour_next;
	spinlock_t list_lock;
	struct array_cache *shared;     /* NULL without a shared array */
	struct array_cache **alien;     /* [nnodes] host, on first alien free */
	int *alien_nodes;               /* materialised remote nodes, in order */
	int nr_alien;
	saddr_t alien_addr;             /* pointer array; 0 without aliens */
	uint64_t next_reap;             /* jiffies */
	int free_touched;
	uint64_t nr_slabs;
	uint64_t inuse;                 /* objects out of the node's slabs (host, under list_lock) */
	uint64_t active_slabs;          /* of its slabs, those with one out */
	saddr_t addr;
};

typedef struct slab_sys slab_sys_t;

struct kmem_cache {
	slab_sys_t *sl;
	char *name;
	size_t obj_size;
	unsigned flags;
	slab_layout_t l;
	kmem_cache_t *slabp_cache;      /* off-slab descriptors come from here */
	long limit, batchcount, shared;
	unsigned alien_entries;         /* 0: no alien caches */
	saddr_t addr;                   /* struct kmem_cache */
	struct array_cache *array;      /* [ncpus] */
	struct kmem_list3 *nodelists;   /* [nnodes] */
	mempool_t *pool;                /* critical page pool (seed 004), or NULL */
	unsigned pool_flags;            /* SLAB_MEMPOOL_* */
	uint64_t pool_slabs;            /* slabs on reserve pages (host count) */
	kmem_ctor_t *ctor;              /* the constructor, or NULL */
};

/* Per-CPU state of cache_reap. */
typedef struct KPCPU_HOST reap_cpu {
	slab_sys_t *sl;
	int cpu;
	int reap_node;
} reap_cpu_t;

struct slab_sys {
	bool debug, use_alien;
	long tun_limit, tun_batch, tun_shared;
	int ncpus, nnodes, page_size, page_shift, cache_line;
	bool big_ram;
	unsigned nr_cpus_kernel;
	unsigned nodelists_off;         /* offsetof(struct kmem_cache, nodelists) */
	slab_layout_t cache_cache;      /* the layout of struct kmem_cache objects */
	GPtrArray *caches;              /* creation order */
	size_t *class_size;             /* [nclasses] */
	kmem_cache_t **kmalloc_caches;  /* [nclasses] */
	int nclasses;
	int *cpus_on_node;              /* [nnodes] */
	reap_cpu_t *reap;               /* [ncpus] */
	spinlock_t chain_mutex;
	saddr_t chain_mutex_addr;
	lock_class_t *list_lock_cls, *alien_lock_cls, *chain_cls;
	kcounters_t *stat;              /* [NR_SLAB_STAT_ITEMS] per CPU */
};

static saddr_t __cache_alloc_node(kmem_cache_t *s, gfp_t flags, int nodeid);
static void __cache_free(kmem_cache_t *s, saddr_t objp);
static void check_free(kmem_cache_t *s, saddr_t x);

/* ---- geometry (kmem_cache_create, cache_estimate, calculate_slab_order) ---- */

static unsigned long slab_mgmt_size(unsigned long nr_objs, unsigned long align)
{
	return SLAB_ALIGN(SLAB_DESC_SIZE + nr_objs * BUFCTL_SIZE, align);
}

/* Objects of `size` in a slab of 2^order pages, and the bytes left over. */
static void cache_estimate(unsigned order, unsigned long size, unsigned long align,
                           bool off_slab, int page_size, unsigned *num,
                           unsigned long *left_over)
{
	unsigned long slab_size = (unsigned long)page_size << order;
	unsigned long nr_objs, mgmt_size;

	if (off_slab) {
		mgmt_size = 0;
		nr_objs = slab_size / size;
	} else {
		nr_objs = (slab_size - SLAB_DESC_SIZE) / (size + BUFCTL_SIZE);
		if (slab_mgmt_size(nr_objs, align) + nr_objs * size > slab_size)
			nr_objs--;
		mgmt_size = slab_mgmt_size(nr_objs, align);
	}
	if (nr_objs > SLAB_LIMIT)
		nr_objs = SLAB_LIMIT;
	*num = (unsigned)nr_objs;
	*left_over = slab_size - nr_objs * size - mgmt_size;
}

/* KMALLOC_MAX_ORDER: 2^min(MAX_ORDER + PAGE_SHIFT - 1, 25) bytes. */
static unsigned kmalloc_max_order(int page_shift)
{
	return (unsigned)(MIN(PA_MAX_ORDER + page_shift - 1, KMALLOC_SHIFT_CAP) - page_shift);
}

/* kmem_cache_create's limit: KMALLOC_MAX_SIZE, the largest object a slab
 * of KMALLOC_MAX_ORDER holds (2.6.29 refuses anything larger). */
static size_t slab_max_cache_size(int page_shift)
{
	return (size_t)1 << (kmalloc_max_order(page_shift) + (unsigned)page_shift);
}

/* The lowest order that wastes at most 1/8, up to slab_break_gfp_order. */
static unsigned long calculate_slab_order(slab_layout_t *l, unsigned long size,
                                          unsigned long align, unsigned flags,
                                          int page_size, bool big_ram)
{
	unsigned break_order = big_ram ? 1 : 0;
	unsigned long left_over = 0, remainder;
	unsigned num;

	l->num = 0;
	for (unsigned order = 0; order <= kmalloc_max_order(fls_long(page_size) - 1); order++) {
		cache_estimate(order, size, align, l->off_slab, page_size, &num, &remainder);
		if (!num)
			continue;
		if (l->off_slab && num > (size - SLAB_DESC_SIZE) / BUFCTL_SIZE)
			break;
		l->num = num;
		l->order = order;
		left_over = remainder;
		if (flags & SLAB_RECLAIM_ACCOUNT)
			break;
		if (order >= break_order)
			break;
		if (left_over * 8 <= ((unsigned long)page_size << order))
			break;
	}
	return left_over;
}

/* kmem_cache_create's layout rules (A.2, A.8). */
bool slab_geometry(size_t size, size_t align, unsigned flags, int page_size,
                   int cache_line, bool big_ram, slab_layout_t *out)
{
	unsigned long ralign, left_over;
	slab_layout_t l = { 0 };

	if (!size)
		return false;
	size = SLAB_ALIGN(size, BYTES_PER_WORD);
	ralign = MAX(slab_calculate_alignment(flags, align, size, (size_t)cache_line),
	             (size_t)BYTES_PER_WORD);
	l.align = (unsigned)ralign;
	l.off_slab = size >= (size_t)page_size / 8;
	size = SLAB_ALIGN(size, ralign);
	left_over = calculate_slab_order(&l, size, ralign, flags, page_size, big_ram);
	if (!l.num)
		return false;
	l.buffer_size = (unsigned)size;
	l.slab_size = (unsigned)slab_mgmt_size(l.num, ralign);
	if (l.off_slab && left_over >= l.slab_size) {
		l.off_slab = false;
		left_over -= l.slab_size;
	}
	if (l.off_slab)
		l.slab_size = l.num * BUFCTL_SIZE + SLAB_DESC_SIZE;
	l.colour_off = MAX((unsigned)cache_line, l.align);
	l.colour = (unsigned)(left_over / l.colour_off);
	l.left_over = (unsigned)left_over;
	*out = l;
	return true;
}

/* enable_cpucache (A.3). */
void slab_default_tunables(unsigned buffer_size, int page_size, int ncpus,
                           long *limit, long *batchcount, long *shared)
{
	if (buffer_size > 131072)
		*limit = 1;
	else if (buffer_size > (unsigned)page_size)
		*limit = 8;
	else if (buffer_size > 1024)
		*limit = 24;
	else if (buffer_size > 256)
		*limit = 54;
	else
		*limit = 120;
	*shared = buffer_size <= (unsigned)page_size && ncpus > 1 ? 8 : 0;
	*batchcount = (*limit + 1) / 2;
}

/* ---- kmalloc classes (A.7) ---- */

/* The smallest class holding size on this machine, 0 above the largest. */
static size_t kmalloc_class(size_t size)
{
	static const size_t small[] = { 32, 64, 96, 128, 192 };
	int page_size = kpage_size(), line = cache_line_size();
	size_t max = (size_t)1 << MIN(PA_MAX_ORDER + kpage_shift() - 1, KMALLOC_SHIFT_CAP);

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++) {
		if ((small[i] == 32 && page_size != 4096) || (small[i] == 96 && line >= 64) ||
		    (small[i] == 192 && line >= 128))
			continue;
		if (size <= small[i])
			return small[i];
	}
	for (size_t c = 256; c <= max; c *= 2)
		if (size <= c)
			return c;
	return 0;
}

static void build_classes(slab_sys_t *sl)
{
	GArray *c = g_array_new(FALSE, FALSE, sizeof(size_t));

	for (size_t v = kmalloc_class(1); v; v = kmalloc_class(v + 1))
		g_array_append_val(c, v);
	sl->nclasses = (int)c->len;
	sl->class_size = (size_t *)g_array_free(c, FALSE);
}

/* Index of the smallest class holding `size`, -1 if none does. */
static int class_index(const slab_sys_t *sl, size_t size)
{
	for (int i = 0; i < sl->nclasses; i++)
		if (size <= sl->class_size[i])
			return i;
	return -1;
}

/* ---- priced access to the modelled structures ---- */

static inline void stat(slab_sys_t *sl, enum stat_item si)
{
	kcounter_inc(sl->stat, si);
}

/* cachep->array[smp_processor_id()]. */
static struct array_cache *cpu_cache_get(kmem_cache_t *s)
{
	int cpu = smp_processor_id();

	ktouch(s->addr + 8 * (saddr_t)cpu, 8, false);
	return &s->array[cpu];
}

/* cachep->nodelists[node]. */
static struct kmem_list3 *get_l3(kmem_cache_t *s, int node)
{
	ktouch(s->addr + s->sl->nodelists_off + 8 * (saddr_t)node, 8, false);
	return &s->nodelists[node];
}

/* Read fields of struct kmem_cache past array[NR_CPUS]. */
static void kc_touch(kmem_cache_t *s, unsigned off, unsigned len)
{
	ktouch(s->addr + s->sl->nodelists_off - KC_FIELDS + off, len, false);
}

static void ac_head(struct array_cache *ac, bool write)
{
	ktouch(ac->addr, 16, write);
}

static void ac_slots(struct array_cache *ac, unsigned from, unsigned n, bool write)
{
	if (n)
		ktouch(ac->addr + AC_HEADER + 8 * (saddr_t)from, 8 * n, write);
}

static saddr_t *ac_entry(struct array_cache *ac)
{
	if (!ac->entry)
		ac->entry = g_new(saddr_t, ac->limit);
	return ac->entry;
}

/* Take the newest entry of this CPU's array (not empty), marking it used. */
static saddr_t ac_pop(struct array_cache *ac)
{
	ac->touched = 1;
	ac->avail--;
	ac_slots(ac, ac->avail, 1, false);
	ac_head(ac, true);
	return ac->entry[ac->avail];
}

static void l3_touch(struct kmem_list3 *l3, unsigned off, unsigned len, bool write)
{
	ktouch(l3->addr + off, len, write);
}

static void list_lock(kmem_cache_t *s, struct kmem_list3 *l3)
{
	spin_lock(&l3->list_lock, s->sl->list_lock_cls, l3->addr + L3_LIST_LOCK);
}

static void list_unlock(kmem_cache_t *s, struct kmem_list3 *l3)
{
	spin_unlock(&l3->list_lock, s->sl->list_lock_cls, l3->addr + L3_LIST_LOCK);
}

static void alien_lock(kmem_cache_t *s, struct array_cache *ac)
{
	spin_lock(&ac->lock, s->sl->alien_lock_cls, ac->addr + AC_LOCK);
}

static bool alien_trylock(kmem_cache_t *s, struct array_cache *ac)
{
	return spin_trylock(&ac->lock, s->sl->alien_lock_cls, ac->addr + AC_LOCK);
}

static void alien_unlock(kmem_cache_t *s, struct array_cache *ac)
{
	spin_unlock(&ac->lock, s->sl->alien_lock_cls, ac->addr + AC_LOCK);
}

/* virt_to_slab / virt_to_cache: page->lru of the object's page. */
static slab_t *virt_to_slab(saddr_t objp)
{
	page_t *page = virt_to_page(objp);

	kpage_touch(page, false);
	return page->priv;
}

static saddr_t bufctl_addr(const slab_t *slabp, unsigned i)
{
	return slabp->desc + SLAB_DESC_SIZE + (saddr_t)BUFCTL_SIZE * i;
}

/* ---- slab lists (list_lock held) ---- */

/* Price a link change of a list element: a descriptor or a list head. */
static void touch_link(struct kmem_list3 *l3, klist_t *l)
{
	if (l == &l3->slabs_partial)
		l3_touch(l3, L3_PARTIAL, 16, true);
	else if (l == &l3->slabs_full)
		l3_touch(l3, L3_FULL, 16, true);
	else if (l == &l3->slabs_free || l == &l3->slabs_pool)
		l3_touch(l3, L3_FREE, 16, true);        /* the pool list: on the heads' line */
	else
		ktouch(klist_entry(l, slab_t, list)->desc, 16, true);
}

static void slab_list_del(struct kmem_list3 *l3, slab_t *slabp)
{
	touch_link(l3, slabp->list.prev);
	touch_link(l3, slabp->list.next);
	klist_del(&slabp->list);
}

static void slab_list_add(struct kmem_list3 *l3, slab_t *slabp, klist_t *head, bool tail)
{
	klist_t *prev = tail ? head->prev : head;

	touch_link(l3, prev);
	touch_link(l3, prev->next);
	ktouch(slabp->desc, 16, true);
	klist_insert(&slabp->list, prev, prev->next);
}

/* Move slabp to the head of full or partial, as its free chain says. */
static void slab_relist(struct kmem_list3 *l3, slab_t *slabp)
{
	slab_list_del(l3, slabp);
	slab_list_add(l3, slabp, slabp->free == BUFCTL_END ? &l3->slabs_full
	                                                   : &l3->slabs_partial, false);
}

/* ---- objects in a slab ---- */

/* The index of objp in slabp. */
static unsigned obj_to_index(const kmem_cache_t *s, const slab_t *slabp, saddr_t objp)
{
	return (unsigned)((objp - slabp->s_mem) / s->l.buffer_size);
}

/* Host bookkeeping of an object leaving (d 1) or entering (d -1) slabp,
 * in its node's counters (under its list_lock); `edge`: the slab's first
 * object out, or its last one back. */
static void count_out(kmem_cache_t *s, const slab_t *slabp, bool edge, int d)
{
	struct kmem_list3 *l3 = &s->nodelists[slabp->nodeid];

	l3->inuse += (uint64_t)(int64_t)d;
	if (edge)
		l3->active_slabs += (uint64_t)(int64_t)d;
}

static saddr_t slab_get_obj(kmem_cache_t *s, slab_t *slabp)
{
	saddr_t objp = slabp->s_mem + (saddr_t)s->l.buffer_size * slabp->free;

	ktouch(slabp->desc, SLAB_DESC_SIZE, true);
	ktouch(bufctl_addr(slabp, slabp->free), BUFCTL_SIZE, false);
	slabp->free = slabp->bufctl[slabp->free];
	count_out(s, slabp, slabp->inuse++ == 0, 1);
	return objp;
}

static void slab_put_obj(kmem_cache_t *s, slab_t *slabp, saddr_t objp)
{
	unsigned i = obj_to_index(s, slabp, objp);

	ktouch(slabp->desc, SLAB_DESC_SIZE, true);
	ktouch(bufctl_addr(slabp, i), BUFCTL_SIZE, true);
	slabp->bufctl[i] = slabp->free;
	slabp->free = i;
	count_out(s, slabp, --slabp->inuse == 0, -1);
}

/* ---- slab life cycle ---- */

static bool off_slab(const kmem_cache_t *s)
{
	return s->l.off_slab;
}

/* kmem_getpages: 2^gfporder pages on nodeid (-1: this node, may fall
 * back), counted in the zone's slab pages.  With Dobson's patch (seed 004),
 * a critical request of a cache whose gfporder is its pool's gets them
 * from mempool_alloc_node: the page allocator first, then the reserve
 * (*from: the pool if from the reserve). */
static page_t *kmem_getpages(kmem_cache_t *s, gfp_t flags, int nodeid, mempool_t **from)
{
	gfp_t gfp = flags & (GFP_THISNODE | __GFP_COLD);
	page_t *page;

	*from = NULL;
	if (!(flags & __GFP_CRITICAL) || !s->pool || s->pool->page_order != (int)s->l.order)
		page = alloc_pages_node(nodeid, gfp, s->l.order);
	else
		page = slab_mempool_pages(s->pool, gfp, nodeid, from);
	if (page)
		slab_account_pages(page, s->flags, 1L << s->l.order);
	return page;
}

/* kmem_freepages: uncounted, PG_slab cleared, back to the page allocator,
 * or, with Dobson's return fix, a reserve slab's to its pool
 * (mempool_free refills the reserve if it is short, else frees them). */
static void kmem_freepages(kmem_cache_t *s, page_t *page, mempool_t *to)
{
	slab_account_pages(page, s->flags, -(1L << s->l.order));
	for (unsigned i = 0; i < 1u << s->l.order; i++) {
		kpage_flags_clear(&page[i], PG_slab);
		page[i].slab = page[i].priv = NULL;
		kpage_touch(&page[i], true);
	}
	if (to)
		mempool_free(page_address(page), to);
	else
		__free_pages(page, s->l.order);
}

/* ---- reserve slabs (seed 004) ---- */

/* A reserve slab of an exclusive pool: on the node's pool list, its
 * objects never in an array. */
static bool pool_exclusive(const kmem_cache_t *s, const slab_t *slabp)
{
	return slabp->pool && (s->pool_flags & SLAB_MEMPOOL_EXCLUSIVE);
}

/* A reserve slab that goes back to its pool, at once, when it empties. */
static bool pool_returns(const kmem_cache_t *s, const slab_t *slabp)
{
	return slabp->pool && (s->pool_flags & SLAB_MEMPOOL_RETURN);
}

/* A request that may take objects of exclusive reserve slabs. */
static bool pool_exclusive_request(const kmem_cache_t *s, gfp_t flags)
{
	return (flags & __GFP_CRITICAL) && s->pool && (s->pool_flags & SLAB_MEMPOOL_EXCLUSIVE);
}

/* alloc_slabmgmt: the descriptor on-slab after the colour, or a kmalloc'd
 * object on the slab's node. */
static slab_t *alloc_slabmgmt(kmem_cache_t *s, page_t *page, unsigned colour_off,
                              gfp_t flags, int nodeid)
{
	saddr_t objp = page_address(page), desc;
	slab_t *slabp;

	if (off_slab(s)) {
		desc = __cache_alloc_node(s->slabp_cache, flags & ~GFP_THISNODE, nodeid);
		if (!desc)
			return NULL;
		kmeta_account_n(s->name, "slab_mgmt", s->l.slab_size, 1, KMETA_IN_SLAB);
	} else {
		desc = objp + colour_off;
		colour_off += s->l.slab_size;
	}
	slabp = g_malloc0(sizeof(*slabp) + (size_t)BUFCTL_SIZE * s->l.num);
	if (s->sl->debug)
		slabp->live = g_malloc0(slab_map_bytes(s->l.num));
	klist_init(&slabp->list);
	slabp->page = page;
	slabp->desc = desc;
	slabp->s_mem = objp + colour_off;
	slabp->nodeid = nodeid;
	slabp->inuse = 0;
	slabp->free = 0;
	ktouch(desc, SLAB_DESC_SIZE, true);
	return slabp;
}

/* slab_map_pages: page->lru.next = cache, page->lru.prev = slab, PG_slab. */
static void slab_map_pages(kmem_cache_t *s, page_t *page, slab_t *slabp)
{
	for (unsigned i = 0; i < 1u << s->l.order; i++) {
		kpage_flags_set(&page[i], PG_slab);
		page[i].slab = s;
		page[i].priv = slabp;
		kpage_touch(&page[i], true);
	}
}

/* cache_init_objs: every object constructed (if the cache has a
 * constructor), every index chained in order. */
static void cache_init_objs(kmem_cache_t *s, slab_t *slabp)
{
	if (s->ctor)
		slab_run_ctor_all(s->ctor, slabp->s_mem, s->l.buffer_size, s->l.num);
	for (unsigned i = 0; i < s->l.num; i++)
		slabp->bufctl[i] = i + 1 < s->l.num ? i + 1 : BUFCTL_END;
	ktouch(bufctl_addr(slabp, 0), BUFCTL_SIZE * s->l.num, true);
}

static void slab_free_host(slab_t *slabp)
{
	g_free(slabp->live);
	g_free(slabp);
}

/* What a slab leaves to free: its pages (and the pool a returning reserve
 * slab gives them to) and its off-slab descriptor (struct slab_rcu
 * overlays the descriptor). */
typedef struct slab_remains {
	kmem_cache_t *s;
	page_t *page;
	mempool_t *to;
	saddr_t desc;
} slab_remains_t;

/* The pages back, then the off-slab descriptor back to its cache (may run
 * with a list_lock held). */
static void free_remains(const slab_remains_t *r)
{
	kmem_cache_t *s = r->s;

	kmem_freepages(s, r->page, r->to);
	if (off_slab(s)) {
		kmeta_release_n(s->name, "slab_mgmt", s->l.slab_size, 1, KMETA_IN_SLAB);
		check_free(s->slabp_cache, r->desc);
		__cache_free(s->slabp_cache, r->desc);
	}
}

/* kmem_rcu_free: the remains of a SLAB_DESTROY_BY_RCU slab. */
static void kmem_rcu_free(void *arg)
{
	free_remains(arg);
}

/* slab_destroy: the slab's remains are freed at once, or after a grace
 * period for SLAB_DESTROY_BY_RCU (the rcu_head in the descriptor). */
static void slab_destroy(kmem_cache_t *s, slab_t *slabp)
{
	slab_remains_t r = { s, slabp->page, pool_returns(s, slabp) ? slabp->pool : NULL,
	                     slabp->desc };

	s->nodelists[slabp->nodeid].nr_slabs--;
	stat(s->sl, SLABS_DESTROYED);
	if (slabp->pool)
		s->pool_slabs--;
	slab_free_host(slabp);
	if (s->flags & SLAB_DESTROY_BY_RCU)
		call_rcu(r.desc, kmem_rcu_free, &r, sizeof(r), RCU_SLAB,
		         (uint64_t)kpage_size() << s->l.order);
	else
		free_remains(&r);
}

/* cache_grow: one more slab on nodeid's free list (pages given by
 * fallback_alloc with the pool they came from, or allocated here); a
 * reserve slab of an exclusive pool goes on the pool list instead, its
 * first object taken at once for the critical request that built it
 * (*first; 0 for an ordinary slab).  Returns false on failure. */
static bool cache_grow(kmem_cache_t *s, gfp_t flags, int nodeid, page_t *page, mempool_t *from,
                       saddr_t *first)
{
	struct kmem_list3 *l3 = get_l3(s, nodeid);
	unsigned offset;
	slab_t *slabp;

	kc_touch(s, KC_COLOUR, KC_COLOUR_END - KC_COLOUR);
	list_lock(s, l3);
	l3_touch(l3, L3_COLOUR_NEXT, 4, true);
	offset = l3->colour_next;
	if (++l3->colour_next >= s->l.colour)
		l3->colour_next = 0;
	list_unlock(s, l3);
	offset *= s->l.colour_off;
	if (!page)
		page = kmem_getpages(s, flags, nodeid, &from);
	if (!page)
		return false;
	slabp = alloc_slabmgmt(s, page, offset, flags, nodeid);
	if (!slabp) {
		kmem_freepages(s, page, from);
		return false;
	}
	slabp->pool = from;
	if (from)
		s->pool_slabs++;
	slab_map_pages(s, page, slabp);
	cache_init_objs(s, slabp);
	list_lock(s, l3);
	*first = 0;
	if (pool_exclusive(s, slabp)) {
		slab_list_add(l3, slabp, &l3->slabs_pool, true);
		*first = slab_get_obj(s, slabp);
	} else {
		slab_list_add(l3, slabp, &l3->slabs_free, true);
		l3_touch(l3, L3_FREE_OBJECTS, 8, true);
		l3->free_objects += s->l.num;
	}
	l3->nr_slabs++;
	stat(s->sl, GROWN);
	list_unlock(s, l3);
	return true;
}

/* free_block: n objects of node's slabs back on their chains (list_lock
 * held); a slab that empties is destroyed at once if the node holds more
 * than free_limit free objects. */
static void free_block(kmem_cache_t *s, const saddr_t *objpp, unsigned n, int node)
{
	struct kmem_list3 *l3 = &s->nodelists[node];

	kc_touch(s, KC_BUFFER_SIZE, 16);
	for (unsigned i = 0; i < n; i++) {
		slab_t *slabp = virt_to_slab(objpp[i]);

		slab_list_del(l3, slabp);
		slab_put_obj(s, slabp, objpp[i]);
		l3_touch(l3, L3_FREE_OBJECTS, 16, true);
		l3->free_objects++;
		if (slabp->inuse) {
			slab_list_add(l3, slabp, &l3->slabs_partial, true);
		} else if (l3->free_objects > l3->free_limit || pool_returns(s, slabp)) {
			l3->free_objects -= s->l.num;
			slab_destroy(s, slabp);
		} else {
			slab_list_add(l3, slabp, &l3->slabs_free, false);
		}
	}
}

/* Take the oldest n entries off ac (memmove of the rest down). */
static void ac_drop_bottom(struct array_cache *ac, unsigned n)
{
	ac->avail -= n;
	memmove(ac->entry, ac->entry + n, sizeof(saddr_t) * ac->avail);
	ac_slots(ac, 0, ac->avail + n, true);
	ac_head(ac, true);
}

/* transfer_objects: up to max from the top of `from` onto `to`. */
static unsigned transfer_objects(struct array_cache *to, struct array_cache *from,
                                 unsigned max)
{
	unsigned nr = MIN(MIN(from->avail, max), to->limit - to->avail);

	ac_head(from, false);
	ac_head(to, false);
	if (!nr)
		return 0;
	from->avail -= nr;
	memcpy(ac_entry(to) + to->avail, from->entry + from->avail, sizeof(saddr_t) * nr);
	ac_slots(from, from->avail, nr, false);
	ac_slots(to, to->avail, nr, true);
	to->avail += nr;
	to->touched = 1;
	ac_head(from, true);
	ac_head(to, true);
	return nr;
}

/* ---- allocation ---- */

/* The slab lists of l3 give one object (list_lock held): the head of
 * partial, else of free (noting free_touched); 0 if both are empty. */
static slab_t *first_slab(struct kmem_list3 *l3)
{
	l3_touch(l3, L3_PARTIAL, 16, false);
	if (!klist_empty(&l3->slabs_partial))
		return klist_entry(l3->slabs_partial.next, slab_t, list);
	l3_touch(l3, L3_FREE, 16, false);
	l3_touch(l3, L3_FREE_TOUCHED, 4, true);
	l3->free_touched = 1;
	if (!klist_empty(&l3->slabs_free))
		return klist_entry(l3->slabs_free.next, slab_t, list);
	return NULL;
}

/* A critical request of an exclusive pool: an object of the first reserve
 * slab on node's pool list that has one, taken under list_lock as
 * ____cache_alloc_node takes one; 0 for any other request. */
static saddr_t pool_list_alloc(kmem_cache_t *s, gfp_t flags, int node)
{
	struct kmem_list3 *l3;
	saddr_t obj = 0;
	klist_t *pos;

	if (!pool_exclusive_request(s, flags))
		return 0;
	l3 = get_l3(s, node);
	list_lock(s, l3);
	l3_touch(l3, L3_FREE, 16, false);
	klist_for_each(pos, &l3->slabs_pool) {
		slab_t *slabp = klist_entry(pos, slab_t, list);

		ktouch(slabp->desc, SLAB_DESC_SIZE, false);
		if (slabp->inuse < s->l.num) {
			obj = slab_get_obj(s, slabp);
			break;
		}
	}
	list_unlock(s, l3);
	return obj;
}

/* No ordinary object on node: a critical request of an exclusive pool
 * takes one of a reserve slab; else cache_grow, whose new slab gives its
 * first object if it is a reserve slab.  The object, or 0 with *grown. */
static saddr_t grow_for(kmem_cache_t *s, gfp_t flags, int node, bool *grown)
{
	saddr_t obj = pool_list_alloc(s, flags, node);

	*grown = false;
	if (obj)
		return obj;
	*grown = cache_grow(s, flags | GFP_THISNODE, node, NULL, NULL, &obj);
	return obj;
}

/* Fill this CPU's empty array with a batch (16 if untouched) from the
 * shared array or the local slabs, growing if needed; pop one. */
static saddr_t cache_alloc_refill(kmem_cache_t *s, gfp_t flags)
{
	slab_sys_t *sl = s->sl;
	struct array_cache *ac;
	struct kmem_list3 *l3;
	unsigned batchcount;
	int node;

retry:
	node = numa_node_id();
	ac = cpu_cache_get(s);
	ac_head(ac, false);
	batchcount = ac->batchcount;
	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;
	l3 = get_l3(s, node);
	list_lock(s, l3);
	l3_touch(l3, L3_SHARED, 8, false);
	kc_touch(s, KC_BUFFER_SIZE, 16);
	if (l3->shared && transfer_objects(ac, l3->shared, batchcount)) {
		stat(sl, REFILL_SHARED);
		goto alloc_done;
	}
	while (batchcount > 0) {
		slab_t *slabp = first_slab(l3);

		if (!slabp)
			break;
		while (slabp->inuse < s->l.num && batchcount > 0) {
			batchcount--;
			ac_entry(ac)[ac->avail] = slab_get_obj(s, slabp);
			ac_slots(ac, ac->avail++, 1, true);
		}
		slab_relist(l3, slabp);
	}
	l3_touch(l3, L3_FREE_OBJECTS, 8, true);
	l3->free_objects -= ac->avail;
alloc_done:
	list_unlock(s, l3);
	if (!ac->avail) {
		bool grown;
		saddr_t obj = grow_for(s, flags, node, &grown);

		if (obj)
			return obj;
		ac = cpu_cache_get(s);
		ac_head(ac, false);
		if (!grown && !ac->avail)
			return 0;
		if (!ac->avail)
			goto retry;
	}
	return ac_pop(ac);
}

/* ____cache_alloc: this CPU's array, refilled when empty. */
static saddr_t ____cache_alloc(kmem_cache_t *s, gfp_t flags)
{
	struct array_cache *ac = cpu_cache_get(s);

	ac_head(ac, false);
	if (ac->avail) {
		stat(s->sl, ALLOCHIT);
		return ac_pop(ac);
	}
	stat(s->sl, ALLOCMISS);
	return cache_alloc_refill(s, flags);
}

static saddr_t ____cache_alloc_node(kmem_cache_t *s, gfp_t flags, int nodeid);

/* fallback_alloc: any node with free objects, by distance; else pages
 * from anywhere, grown as a slab of the node they came from. */
static saddr_t fallback_alloc(kmem_cache_t *s, gfp_t flags)
{
	slab_sys_t *sl = s->sl;
	const int *zl;
	saddr_t obj;
	mempool_t *from;
	page_t *page;
	saddr_t first;
	int nid;

	if (flags & __GFP_THISNODE)
		return 0;
	stat(sl, FALLBACK_ALLOCS);
	zl = node_zonelist(numa_node_id());
retry:
	for (int i = 0; i < sl->nnodes; i++) {
		struct kmem_list3 *l3 = get_l3(s, zl[i]);

		l3_touch(l3, L3_FREE_OBJECTS, 8, false);
		if (!l3->free_objects)
			continue;
		obj = ____cache_alloc_node(s, flags | GFP_THISNODE, zl[i]);
		if (obj)
			return obj;
	}
	page = kmem_getpages(s, flags, -1, &from);
	if (!page)
		return 0;
	nid = page_to_nid(page);
	if (!cache_grow(s, flags, nid, page, from, &first))
		return 0;
	if (first)
		return first;
	obj = ____cache_alloc_node(s, flags | GFP_THISNODE, nid);
	if (!obj)
		goto retry;
	return obj;
}

/* One object from nodeid's slabs under its list_lock, growing there,
 * else fallback_alloc. */
static saddr_t ____cache_alloc_node(kmem_cache_t *s, gfp_t flags, int nodeid)
{
	struct kmem_list3 *l3 = get_l3(s, nodeid);
	slab_t *slabp;
	saddr_t obj;
	bool grown;

retry:
	list_lock(s, l3);
	slabp = first_slab(l3);
	if (!slabp) {
		list_unlock(s, l3);
		obj = grow_for(s, flags, nodeid, &grown);
		if (obj)
			return obj;
		if (grown)
			goto retry;
		return fallback_alloc(s, flags);
	}
	stat(s->sl, NODE_ALLOCS);
	obj = slab_get_obj(s, slabp);
	l3_touch(l3, L3_FREE_OBJECTS, 8, true);
	l3->free_objects--;
	slab_relist(l3, slabp);
	list_unlock(s, l3);
	return obj;
}

/* An object leaves the allocator; one of a reserve slab handed to a
 * non-critical request is leaked (seed 004; host bookkeeping). */
static void note_alloc(kmem_cache_t *s, saddr_t obj, gfp_t flags)
{
	s->array[smp_processor_id()].live++;
	if (s->pool_slabs && !(flags & __GFP_CRITICAL)) {
		slab_t *slabp = virt_to_page(obj)->priv;

		if (slabp->pool)
			slabp->pool->stats.leaked++;
	}
	if (s->sl->debug) {
		slab_t *slabp = virt_to_page(obj)->priv;

		slab_map_alloc(slabp->live, obj_to_index(s, slabp, obj), s->name, obj);
	}
}

/* kmem_cache_alloc: __do_cache_alloc without mempolicy. */
static saddr_t __cache_alloc(kmem_cache_t *s, gfp_t flags)
{
	unsigned long irqflags;
	saddr_t obj;

	local_irq_save(&irqflags);
	obj = ____cache_alloc(s, flags);
	if (!obj)
		obj = ____cache_alloc_node(s, flags, numa_node_id());
	local_irq_restore(irqflags);
	if (obj)
		note_alloc(s, obj, flags);
	return obj;
}

/* kmem_cache_alloc_node: the per-CPU array only for the local node. */
static saddr_t __cache_alloc_node(kmem_cache_t *s, gfp_t flags, int nodeid)
{
	unsigned long irqflags;
	saddr_t obj = 0;

	local_irq_save(&irqflags);
	if (nodeid == -1)
		nodeid = numa_node_id();
	if (nodeid == numa_node_id())
		obj = ____cache_alloc(s, flags);
	if (!obj)
		obj = ____cache_alloc_node(s, flags, nodeid);
	local_irq_restore(irqflags);
	if (obj)
		note_alloc(s, obj, flags);
	return obj;
}

/* ---- free ---- */

/* __drain_alien_cache: ac's objects to node's shared array as far as it
 * has room, the rest to node's slabs (alien->lock held). */
static void __drain_alien_cache(kmem_cache_t *s, struct array_cache *ac, int node)
{
	struct kmem_list3 *rl3 = get_l3(s, node);

	ac_head(ac, false);
	if (!ac->avail)
		return;
	list_lock(s, rl3);
	l3_touch(rl3, L3_SHARED, 8, false);
	if (rl3->shared)
		transfer_objects(rl3->shared, ac, ac->limit);
	ac_slots(ac, 0, ac->avail, false);
	free_block(s, ac->entry, ac->avail, node);
	ac->avail = 0;
	ac_head(ac, true);
	list_unlock(s, rl3);
}

/* l3->alien[nodeid], materialised on first use. */
static struct array_cache *alien_get(kmem_cache_t *s, struct kmem_list3 *l3,
                                     int node, int nodeid)
{
	struct array_cache *ac;

	l3_touch(l3, L3_ALIEN, 8, false);
	ktouch(l3->alien_addr + 8 * (saddr_t)nodeid, 8, false);
	if (!l3->alien)
		l3->alien = g_new0(struct array_cache *, s->sl->nnodes);
	ac = l3->alien[nodeid];
	if (ac)
		return ac;
	ac = kpcpu_host_new(1, sizeof(*ac));
	ac->limit = s->alien_entries;
	ac->batchcount = 0xbaadf00d;
	ac->addr = kmeta_place(AC_HEADER + 8 * (size_t)ac->limit, node);
	l3->alien[nodeid] = ac;
	l3->alien_nodes = g_renew(int, l3->alien_nodes, l3->nr_alien + 1);
	l3->alien_nodes[l3->nr_alien++] = nodeid;
	return ac;
}

/* cache_free_alien: an object of a remote node's slab goes to this node's
 * alien array for that node (draining it first if full), or straight to
 * the remote slabs without alien caches.  False for a local object. */
static bool cache_free_alien(kmem_cache_t *s, saddr_t objp)
{
	slab_t *slabp = virt_to_slab(objp);
	int node = numa_node_id(), nodeid = slabp->nodeid;
	struct kmem_list3 *l3;
	struct array_cache *alien;

	ktouch(slabp->desc, SLAB_DESC_SIZE, false);
	if (nodeid == node)
		return false;
	stat(s->sl, NODE_FREES);
	l3 = get_l3(s, node);
	if (!s->alien_entries) {
		struct kmem_list3 *rl3 = get_l3(s, nodeid);

		list_lock(s, rl3);
		free_block(s, &objp, 1, nodeid);
		list_unlock(s, rl3);
		return true;
	}
	alien = alien_get(s, l3, node, nodeid);
	alien_lock(s, alien);
	ac_head(alien, false);
	if (alien->avail == alien->limit) {
		stat(s->sl, ALIEN_OVERFLOW);
		__drain_alien_cache(s, alien, nodeid);
	}
	ac_entry(alien)[alien->avail] = objp;
	ac_slots(alien, alien->avail++, 1, true);
	ac_head(alien, true);
	alien_unlock(s, alien);
	return true;
}

/* cache_flusharray: the oldest batch to the shared array if it has room,
 * else back to the slabs. */
static void cache_flusharray(kmem_cache_t *s, struct array_cache *ac)
{
	int node = numa_node_id();
	struct kmem_list3 *l3 = get_l3(s, node);
	unsigned batchcount = ac->batchcount;
	struct array_cache *shared;

	list_lock(s, l3);
	l3_touch(l3, L3_SHARED, 8, false);
	shared = l3->shared;
	if (shared) {
		unsigned max;

		ac_head(shared, false);
		max = shared->limit - shared->avail;
		if (max) {
			batchcount = MIN(batchcount, max);
			memcpy(ac_entry(shared) + shared->avail, ac->entry,
			       sizeof(saddr_t) * batchcount);
			ac_slots(ac, 0, batchcount, false);
			ac_slots(shared, shared->avail, batchcount, true);
			shared->avail += batchcount;
			ac_head(shared, true);
			stat(s->sl, FLUSH_SHARED);
			goto free_done;
		}
	}
	ac_slots(ac, 0, batchcount, false);
	free_block(s, ac->entry, batchcount, node);
free_done:
	list_unlock(s, l3);
	ac_drop_bottom(ac, batchcount);
}

/* An object of an exclusive reserve slab goes straight back to its slab
 * under its node's list_lock, never into an array (where any request could
 * take it); the slab is destroyed once empty (to the pool with the return
 * fix).  False for any other object (checked only while the cache has
 * reserve slabs of an exclusive pool). */
static bool pool_slab_free(kmem_cache_t *s, saddr_t objp)
{
	struct kmem_list3 *l3;
	slab_t *slabp;

	if (!s->pool_slabs || !(s->pool_flags & SLAB_MEMPOOL_EXCLUSIVE))
		return false;
	slabp = virt_to_slab(objp);
	if (!pool_exclusive(s, slabp))
		return false;
	l3 = get_l3(s, slabp->nodeid);
	list_lock(s, l3);
	slab_put_obj(s, slabp, objp);
	if (!slabp->inuse) {
		slab_list_del(l3, slabp);
		slab_destroy(s, slabp);
	}
	list_unlock(s, l3);
	return true;
}

/* __cache_free: a reserve slab's own list (exclusive pool), alien (NUMA),
 * then this CPU's array. */
static void __cache_free(kmem_cache_t *s, saddr_t objp)
{
	struct array_cache *ac;
	unsigned long irqflags;

	local_irq_save(&irqflags);
	if (pool_slab_free(s, objp))
		goto out;
	if (s->sl->nnodes > 1 && cache_free_alien(s, objp))
		goto out;
	ac = cpu_cache_get(s);
	ac_head(ac, false);
	if (ac->avail < ac->limit) {
		stat(s->sl, FREEHIT);
	} else {
		stat(s->sl, FREEMISS);
		cache_flusharray(s, ac);
	}
	ac_entry(ac)[ac->avail] = objp;
	ac_slots(ac, ac->avail++, 1, true);
	ac_head(ac, true);
out:
	local_irq_restore(irqflags);
}

/* The slab of an object being freed; with debug, checks it is an object
 * of s handed out and not yet freed.  Host-only: free of charge. */
static void check_free(kmem_cache_t *s, saddr_t x)
{
	page_t *page;
	slab_t *slabp;

	s->array[smp_processor_id()].live--;
	if (!s->sl->debug)
		return;
	page = kaddr_valid(x) ? virt_to_page(x) : NULL;
	if (!page || !(page_flags(page) & PG_slab) || page->slab != s)
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", s->name, x);
	slabp = page->priv;
	if (x < slabp->s_mem || (x - slabp->s_mem) % s->l.buffer_size ||
	    (x - slabp->s_mem) / s->l.buffer_size >= s->l.num)
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", s->name, x);
	slab_map_free(slabp->live, obj_to_index(s, slabp, x), s->name, x);
}

/* ---- draining and reaping ---- */

/* drain_array: trim ac by (limit+4)/5 (half of what is left if fewer),
 * unless it was touched since the last pass; all of it if forced. */
static void drain_array(kmem_cache_t *s, struct kmem_list3 *l3,
                        struct array_cache *ac, bool force, int node)
{
	unsigned long irqflags;
	unsigned tofree;

	if (!ac)
		return;
	ac_head(ac, false);
	if (!ac->avail)
		return;
	if (ac->touched && !force) {
		ac->touched = 0;
		ac_head(ac, true);
		return;
	}
	local_irq_save(&irqflags);
	list_lock(s, l3);
	if (ac->avail) {
		tofree = force ? ac->avail : (ac->limit + 4) / 5;
		if (tofree > ac->avail)
			tofree = (ac->avail + 1) / 2;
		ac_slots(ac, 0, tofree, false);
		free_block(s, ac->entry, tofree, node);
		ac_drop_bottom(ac, tofree);
	}
	list_unlock(s, l3);
	local_irq_restore(irqflags);
}

/* drain_freelist: up to tofree slabs from the tail of slabs_free. */
static unsigned drain_freelist(kmem_cache_t *s, struct kmem_list3 *l3, unsigned long tofree)
{
	unsigned long irqflags;
	unsigned nr_freed = 0;

	while (nr_freed < tofree) {
		slab_t *slabp;

		l3_touch(l3, L3_FREE, 16, false);
		if (klist_empty(&l3->slabs_free))
			break;
		local_irq_save(&irqflags);
		list_lock(s, l3);
		if (klist_empty(&l3->slabs_free)) {
			list_unlock(s, l3);
			local_irq_restore(irqflags);
			break;
		}
		slabp = klist_entry(l3->slabs_free.prev, slab_t, list);
		slab_list_del(l3, slabp);
		l3_touch(l3, L3_FREE_OBJECTS, 8, true);
		l3->free_objects -= s->l.num;
		list_unlock(s, l3);
		slab_destroy(s, slabp);
		local_irq_restore(irqflags);
		nr_freed++;
	}
	return nr_freed;
}

/* reap_alien: drain alien[reap_node] of this node if it can be locked. */
static void reap_alien(kmem_cache_t *s, struct kmem_list3 *l3, int node, int reap_node)
{
	struct array_cache *ac;
	unsigned long irqflags;

	if (!s->alien_entries)
		return;
	l3_touch(l3, L3_ALIEN, 8, false);
	ktouch(l3->alien_addr + 8 * (saddr_t)reap_node, 8, false);
	ac = l3->alien && reap_node != node ? l3->alien[reap_node] : NULL;
	if (!ac)
		return;
	ac_head(ac, false);
	if (!ac->avail)
		return;
	local_irq_save(&irqflags);
	if (alien_trylock(s, ac)) {
		__drain_alien_cache(s, ac, reap_node);
		alien_unlock(s, ac);
		stat(s->sl, ALIEN_REAPED);
	}
	local_irq_restore(irqflags);
}

/* The reap work of one cache on this CPU (cache_chain_mutex held). */
static void reap_cache(kmem_cache_t *s, int node, int reap_node)
{
	struct kmem_list3 *l3;
	uint64_t now = kjiffies();

	kc_touch(s, KC_NEXT, 16);
	l3 = get_l3(s, node);
	reap_alien(s, l3, node, reap_node);
	drain_array(s, l3, cpu_cache_get(s), false, node);
	l3_touch(l3, L3_NEXT_REAP, 8, false);
	if (l3->next_reap > now)
		return;
	l3->next_reap = now + (uint64_t)REAPTIMEOUT_LIST3 * (uint64_t)HZ;
	l3_touch(l3, L3_NEXT_REAP, 8, true);
	l3_touch(l3, L3_SHARED, 8, false);
	drain_array(s, l3, l3->shared, false, node);
	l3_touch(l3, L3_FREE_TOUCHED, 4, false);
	if (l3->free_touched) {
		l3->free_touched = 0;
		l3_touch(l3, L3_FREE_TOUCHED, 4, true);
		return;
	}
	l3_touch(l3, L3_FREE_LIMIT, 4, false);
	kcounter_add(s->sl->stat, REAPED,
	             drain_freelist(s, l3, (l3->free_limit + 5 * s->l.num - 1) / (5 * s->l.num)));
}

/* cache_reap: every cache on the chain (newest first) for this CPU and
 * node, unless another CPU holds cache_chain_mutex; then the next
 * reap_node, and again in 2 s rounded to the second. */
static void cache_reap(void *arg)
{
	reap_cpu_t *r = arg;
	slab_sys_t *sl = r->sl;
	int node = numa_node_id();

	if (!spin_trylock(&sl->chain_mutex, sl->chain_cls, sl->chain_mutex_addr)) {
		stat(sl, REAP_SKIPPED);
		goto out;
	}
	stat(sl, REAP_RUNS);
	for (int i = (int)sl->caches->len - 1; i >= 0; i--)
		reap_cache(g_ptr_array_index(sl->caches, i), node, r->reap_node);
	spin_unlock(&sl->chain_mutex, sl->chain_cls, sl->chain_mutex_addr);
	r->reap_node = (r->reap_node + 1) % sl->nnodes;
out:
	schedule_delayed_work_on(r->cpu, jiffies_delay(round_jiffies_relative(
	                         (uint64_t)REAPTIMEOUT_CPUC * (uint64_t)HZ)),
	                         cache_reap, r);
}

/* start_cpu_timer for every CPU: first run about a second from boot,
 * skewed by CPU; reap_node starts at the node after the CPU's own. */
static void start_cpu_timers(slab_sys_t *sl)
{
	kwork_label(cache_reap, "cache_reap");
	sl->reap = kpcpu_host_new((size_t)sl->ncpus, sizeof(reap_cpu_t));
	for (int cpu = 0; cpu < sl->ncpus; cpu++) {
		reap_cpu_t *r = &sl->reap[cpu];

		*r = (reap_cpu_t){ sl, cpu, (cpu_to_node(cpu) + 1) % sl->nnodes };
		schedule_delayed_work_on(cpu, jiffies_delay(round_jiffies_relative_on(
		                         (uint64_t)HZ, cpu)), cache_reap, r);
	}
}

/* IPI handler of drain_cpu_caches: this CPU's array back to its slabs. */
static void do_drain(void *arg)
{
	kmem_cache_t *s = arg;
	int node = numa_node_id();
	struct array_cache *ac = cpu_cache_get(s);
	struct kmem_list3 *l3 = get_l3(s, node);

	list_lock(s, l3);
	ac_head(ac, false);
	ac_slots(ac, 0, ac->avail, false);
	free_block(s, ac->entry, ac->avail, node);
	list_unlock(s, l3);
	ac->avail = 0;
	ac_head(ac, true);
}

/* drain_alien_cache: every materialised alien array of l3. */
static void drain_alien_cache(kmem_cache_t *s, struct kmem_list3 *l3)
{
	for (int i = 0; i < l3->nr_alien; i++) {
		struct array_cache *ac = l3->alien[l3->alien_nodes[i]];
		unsigned long irqflags;

		local_irq_save(&irqflags);
		alien_lock(s, ac);
		__drain_alien_cache(s, ac, l3->alien_nodes[i]);
		alien_unlock(s, ac);
		local_irq_restore(irqflags);
	}
}

static void drain_cpu_caches(kmem_cache_t *s)
{
	on_each_cpu(do_drain, s);
	for (int node = 0; node < s->sl->nnodes; node++)
		drain_alien_cache(s, get_l3(s, node));
	for (int node = 0; node < s->sl->nnodes; node++) {
		struct kmem_list3 *l3 = get_l3(s, node);

		drain_array(s, l3, l3->shared, true, node);
	}
}

/* ---- kmem_cache_create ---- */

/* Tunables: enable_cpucache, then the scenario's overrides. */
static void set_tunables(slab_sys_t *sl, kmem_cache_t *s)
{
	slab_default_tunables(s->l.buffer_size, sl->page_size, sl->ncpus,
	                      &s->limit, &s->batchcount, &s->shared);
	if (sl->tun_limit > 0) {
		s->limit = sl->tun_limit;
		s->batchcount = (s->limit + 1) / 2;
	}
	if (sl->tun_batch > 0)
		s->batchcount = sl->tun_batch;
	if (s->batchcount > s->limit)
		s->batchcount = s->limit;
	if (sl->tun_shared >= 0)
		s->shared = sl->tun_shared;
	s->alien_entries = sl->use_alien ? (s->limit > 1 ? ALIEN_ENTRIES : 1) : 0;
}

static void init_array(struct array_cache *ac, unsigned limit, unsigned batch, saddr_t addr)
{
	*ac = (struct array_cache){ .limit = limit, .batchcount = batch, .addr = addr };
}

/* Per-CPU arrays on each CPU's node. */
static void alloc_cpu_arrays(slab_sys_t *sl, kmem_cache_t *s)
{
	size_t size = AC_HEADER + 8 * (size_t)s->limit;

	s->array = kpcpu_host_new((size_t)sl->ncpus, sizeof(struct array_cache));
	kmeta_account_n(s->name, "array_cache_percpu", size, (uint64_t)sl->ncpus, KMETA_SPREAD);
	for (int cpu = 0; cpu < sl->ncpus; cpu++)
		init_array(&s->array[cpu], (unsigned)s->limit, (unsigned)s->batchcount,
		           kmeta_place(size, cpu_to_node(cpu)));
}

/* alloc_kmemlist: per node the kmem_list3, the shared array and the alien
 * set (pointer array placed now, arrays accounted now, placed on use). */
static void alloc_kmemlist(slab_sys_t *sl, kmem_cache_t *s)
{
	size_t shared_size = AC_HEADER + 8 * (size_t)(s->shared * s->batchcount);
	size_t ptrs = 8 * (size_t)sl->nnodes;
	uint64_t n = (uint64_t)sl->nnodes;

	s->nodelists = g_new0(struct kmem_list3, sl->nnodes);
	kmeta_account_n(s->name, "kmem_list3", L3_SIZE, n, KMETA_SPREAD);
	if (s->shared)
		kmeta_account_n(s->name, "array_cache_shared", shared_size, n, KMETA_SPREAD);
	if (s->alien_entries) {
		kmeta_account_n(s->name, "alien", ptrs, n, KMETA_SPREAD);
		kmeta_account_n(s->name, "alien", AC_HEADER + 8 * (size_t)s->alien_entries,
		                n * (n - 1), KMETA_SPREAD);
	}
	for (int node = 0; node < sl->nnodes; node++) {
		struct kmem_list3 *l3 = &s->nodelists[node];

		klist_init(&l3->slabs_partial);
		klist_init(&l3->slabs_full);
		klist_init(&l3->slabs_free);
		klist_init(&l3->slabs_pool);
		spin_init(&l3->list_lock);
		l3->addr = kmeta_place(L3_SIZE, node);
		l3->free_limit = (unsigned)((1 + sl->cpus_on_node[node]) * s->batchcount + s->l.num);
		/* The colour the node starts at: 0 on a real boot, here a seeded
		 * one when the machine has layout noise (docs/model.md, Noise). */
		l3->colour_next = s->l.colour ?
			(unsigned)(kernel_layout(g_str_hash(s->name) ^ ((uint64_t)node << 32)) % s->l.colour) : 0;
		l3->next_reap = kjiffies() + (uint64_t)REAPTIMEOUT_LIST3 * HZ +
		                s->addr % ((uint64_t)REAPTIMEOUT_LIST3 * HZ);
		if (s->shared) {
			l3->shared = kpcpu_host_new(1, sizeof(struct array_cache));
			init_array(l3->shared, (unsigned)(s->shared * s->batchcount), 0xbaadf00d,
			           kmeta_place(shared_size, node));
		}
		if (s->alien_entries)
			l3->alien_addr = kmeta_place(ptrs, node);
	}
}

/* cache_cache's share of a slab per struct kmem_cache. */
static size_t kmem_cache_bytes(const slab_sys_t *sl)
{
	return ((size_t)sl->page_size << sl->cache_cache.order) / sl->cache_cache.num;
}

/* kmem_cache_create with a computed layout; `is_cache_cache` is the
 * static struct of cache_cache itself. */
static kmem_cache_t *cache_setup(slab_sys_t *sl, const char *name, size_t size,
                                 unsigned flags, const slab_layout_t *l,
                                 bool is_cache_cache)
{
	kmem_cache_t *s = g_new0(kmem_cache_t, 1);

	s->sl = sl;
	s->name = g_strdup(name);
	s->obj_size = size;
	s->flags = flags;
	s->l = *l;
	if (is_cache_cache)
		s->addr = kmeta_static(name, "kmem_cache", sl->nodelists_off +
		                       8 * (size_t)MAX_NUMNODES, 0);
	else
		s->addr = kmeta_static(name, "kmem_cache", kmem_cache_bytes(sl), numa_node_id());
	if (l->off_slab) {
		int idx = class_index(sl, l->slab_size);

		s->slabp_cache = idx >= 0 ? sl->kmalloc_caches[idx] : NULL;
		if (!s->slabp_cache)
			kbug("slab: no kmalloc cache for the %u-byte descriptors of %s",
			     l->slab_size, name);
	}
	set_tunables(sl, s);
	alloc_cpu_arrays(sl, s);
	alloc_kmemlist(sl, s);
	g_ptr_array_add(sl->caches, s);
	return s;
}

static kmem_cache_t *kmem_cache_create(slab_sys_t *sl, const char *name, size_t size,
                                       size_t align, unsigned flags)
{
	slab_layout_t l;

	if (!slab_geometry(size, align, flags, sl->page_size, sl->cache_line,
	                   sl->big_ram, &l))
		return NULL;
	return cache_setup(sl, name, size, flags, &l, false);
}

/* cache_cache: objects of offsetof(nodelists) + 8*nr_node_ids bytes,
 * line-aligned, on-slab in the lowest order that holds one. */
static void create_cache_cache(slab_sys_t *sl)
{
	unsigned long size = SLAB_ALIGN(sl->nodelists_off + 8 * (size_t)sl->nnodes,
	                                 sl->cache_line), left = 0;
	slab_layout_t l = { .buffer_size = (unsigned)size, .align = (unsigned)sl->cache_line };

	for (l.order = 0; l.order < PA_MAX_ORDER; l.order++) {
		cache_estimate(l.order, size, sl->cache_line, false, sl->page_size, &l.num, &left);
		if (l.num)
			break;
	}
	l.slab_size = (unsigned)slab_mgmt_size(l.num, l.align);
	l.left_over = (unsigned)left;
	l.colour_off = (unsigned)sl->cache_line;
	l.colour = (unsigned)(left / l.colour_off);
	sl->cache_cache = l;
	cache_setup(sl, "kmem_cache", size, SLAB_HWCACHE_ALIGN, &l, true);
}

static void create_kmalloc_cache(slab_sys_t *sl, int idx, bool dma)
{
	char *name = g_strdup_printf(dma ? "size-%zu(DMA)" : "size-%zu", sl->class_size[idx]);
	kmem_cache_t *s = kmem_cache_create(sl, name, sl->class_size[idx], BYTES_PER_WORD,
	                                    SLAB_HWCACHE_ALIGN | (dma ? SLAB_CACHE_DMA : 0));

	slab_check_created("slab", name, SLAB_PANIC, s);
	if (!dma)
		sl->kmalloc_caches[idx] = s;
	g_free(name);
}

/* kmem_cache_init: cache_cache, the caches for array_cache and kmem_list3
 * sizes, then every class and its DMA twin. */
static void kmem_cache_init(slab_sys_t *sl)
{
	int idx_ac = class_index(sl, AC_HEADER + 8), idx_l3 = class_index(sl, L3_SIZE);

	create_cache_cache(sl);
	create_kmalloc_cache(sl, idx_ac, false);
	if (idx_l3 != idx_ac)
		create_kmalloc_cache(sl, idx_l3, false);
	for (int i = 0; i < sl->nclasses; i++) {
		if (!sl->kmalloc_caches[i])
			create_kmalloc_cache(sl, i, false);
		create_kmalloc_cache(sl, i, true);
	}
}

/* ---- the allocator_ops ---- */

static const tunable_t slab_tunables[] = {
	{ "limit", 0, 0, 1 << 20,
	  "per-CPU array entries for every cache; 0: enable_cpucache's choice by "
	  "object size (120, 54, 24, 8 or 1)" },
	{ "batchcount", 0, 0, 1 << 20,
	  "objects moved per refill or flush; 0: (limit + 1) / 2 (capped at limit)" },
	{ "shared", -1, -1, 1 << 10,
	  "shared array per node, in batches; -1: enable_cpucache's choice (8 for "
	  "objects up to PAGE_SIZE on SMP, else 0); 0 disables it" },
	{ "noaliencache", 0, 0, 1,
	  "1: no alien caches (boot option noaliencache): remote frees go "
	  "straight to the remote node's slabs" },
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees) (only while the run's "
	  "kdebug_checks is on)" },
	{ NULL, 0, 0, 0, NULL },
};

/* Boot SLAB: cache_cache and the kmalloc caches, then the reap timers. */
static void *slab_create(const long *tun)
{
	slab_sys_t *sl = g_new0(slab_sys_t, 1);

	sl->tun_limit = tun[0];
	sl->tun_batch = tun[1];
	sl->tun_shared = tun[2];
	sl->debug = tun[4] && kdebug_checks;
	sl->ncpus = nr_cpu_ids();
	sl->nnodes = nr_node_ids();
	sl->use_alien = !tun[3] && sl->nnodes > 1;
	sl->page_size = kpage_size();
	sl->page_shift = kpage_shift();
	sl->cache_line = cache_line_size();
	sl->big_ram = num_physpages() > (32u << 20) >> sl->page_shift;
	sl->nr_cpus_kernel = (unsigned)MAX(NR_CPUS, sl->ncpus);
	sl->nodelists_off = 8 * sl->nr_cpus_kernel + KC_FIELDS;
	sl->caches = g_ptr_array_new();
	sl->stat = kcounters_new(NR_SLAB_STAT_ITEMS, sl->ncpus);
	sl->cpus_on_node = g_new0(int, sl->nnodes);
	for (int cpu = 0; cpu < sl->ncpus; cpu++)
		sl->cpus_on_node[cpu_to_node(cpu)]++;
	sl->list_lock_cls = klock_class("l3->list_lock");
	sl->alien_lock_cls = klock_class("alien->lock");
	sl->chain_cls = klock_class("cache_chain_mutex");
	spin_init(&sl->chain_mutex);
	sl->chain_mutex_addr = kmeta_place(32, 0);
	build_classes(sl);
	sl->kmalloc_caches = g_new0(kmem_cache_t *, sl->nclasses);
	kmem_cache_init(sl);
	start_cpu_timers(sl);
	return sl;
}

static void free_array(struct array_cache *ac)
{
	if (!ac)
		return;
	spin_destroy(&ac->lock);
	g_free(ac->entry);
}

static void free_slab_list(klist_t *head)
{
	while (!klist_empty(head)) {
		slab_t *slabp = klist_entry(head->next, slab_t, list);

		klist_del(&slabp->list);
		slab_free_host(slabp);
	}
}

static void free_l3(struct kmem_list3 *l3)
{
	free_slab_list(&l3->slabs_partial);
	free_slab_list(&l3->slabs_full);
	free_slab_list(&l3->slabs_free);
	free_slab_list(&l3->slabs_pool);
	spin_destroy(&l3->list_lock);
	free_array(l3->shared);
	kpcpu_host_free(l3->shared);
	for (int i = 0; i < l3->nr_alien; i++) {
		free_array(l3->alien[l3->alien_nodes[i]]);
		kpcpu_host_free(l3->alien[l3->alien_nodes[i]]);
	}
	g_free(l3->alien);
	g_free(l3->alien_nodes);
}

static void cache_free_host(kmem_cache_t *s)
{
	for (int cpu = 0; cpu < s->sl->ncpus; cpu++)
		free_array(&s->array[cpu]);
	for (int node = 0; node < s->sl->nnodes; node++)
		free_l3(&s->nodelists[node]);
	kpcpu_host_free(s->array);
	g_free(s->nodelists);
	g_free(s->ctor);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slab_destroy_all(void *a)
{
	slab_sys_t *sl = a;

	slab_caches_free(sl->caches, cache_free_host);
	spin_destroy(&sl->chain_mutex);
	g_free(sl->kmalloc_caches);
	g_free(sl->class_size);
	g_free(sl->cpus_on_node);
	kpcpu_host_free(sl->reap);
	kcounters_free(sl->stat);
	g_free(sl);
}

/* kmem_cache_create() under cache_chain_mutex; NULL if no slab holds it. */
static kmem_cache_t *slab_cache_create(void *a, const char *name, size_t size,
                                       size_t align, unsigned flags, const kmem_ctor_t *ctor)
{
	slab_sys_t *sl = a;
	kmem_cache_t *s;

	spin_lock(&sl->chain_mutex, sl->chain_cls, sl->chain_mutex_addr);
	s = kmem_cache_create(sl, name, size, align, flags);
	if (s)
		s->ctor = slab_ctor_dup(ctor);
	spin_unlock(&sl->chain_mutex, sl->chain_cls, sl->chain_mutex_addr);
	return s;
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()); __GFP_ZERO
 * clears obj_size bytes. */
static saddr_t slab_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	saddr_t obj;

	slab_check_node("slab", node);
	obj = node == -1 ? __cache_alloc(s, gfp) : __cache_alloc_node(s, gfp, node);
	slab_zero(gfp, obj, s->obj_size);
	return obj;
}

/* kmem_cache_free(). */
static void slab_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	(void)a;
	check_free(s, x);
	__cache_free(s, x);
}

/* __kmalloc / __kmalloc_node: the smallest class; NULL above the largest. */
static saddr_t slab_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slab_sys_t *sl = a;
	int idx;

	slab_check_node("slab", node);
	if (!size)
		return ZERO_SIZE_PTR;
	idx = class_index(sl, size);
	if (idx < 0)
		return 0;
	return slab_cache_alloc(sl, sl->kmalloc_caches[idx], gfp, node);
}

/* kfree(): virt_to_cache, then the cache's free path. */
static void slab_kfree(void *a, saddr_t x)
{
	slab_sys_t *sl = a;
	page_t *page;

	if (x <= ZERO_SIZE_PTR)
		return;
	page = kaddr_valid(x) ? virt_to_page(x) : NULL;
	if (sl->debug && (!page || !(page_flags(page) & PG_slab)))
		kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x", x);
	kpage_touch(page, false);
	check_free(page->slab, x);
	__cache_free(page->slab, x);
}

/* kmem_cache_shrink(): drain every array, then free every free slab. */
static void slab_shrink(void *a, kmem_cache_t *s)
{
	(void)a;
	drain_cpu_caches(s);
	for (int node = 0; node < s->sl->nnodes; node++) {
		struct kmem_list3 *l3 = get_l3(s, node);

		drain_freelist(s, l3, l3->free_objects);
	}
}

/* What kmalloc(size) hands out: its class, or whole pages above the
 * largest class (for metadata rounding only; kmalloc itself fails).  Runs
 * before create() returns (a is NULL then): reads only the machine. */
static size_t slab_kmalloc_size(void *a, size_t size)
{
	size_t c = size ? kmalloc_class(size) : 0;

	(void)a;
	return c || !size ? c : SLAB_ALIGN(size, (size_t)kpage_size());
}

static int slab_ncaches(void *a)
{
	return (int)((slab_sys_t *)a)->caches->len;
}

static kmem_cache_t *slab_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slab_sys_t *)a)->caches, i);
}

/* Objects out of s's slabs, slabs with one out, and objects held by
 * callers (host bookkeeping, summed over nodes and CPUs). */
static uint64_t cache_inuse(const kmem_cache_t *s)
{
	uint64_t n = 0;

	for (int node = 0; node < s->sl->nnodes; node++)
		n += s->nodelists[node].inuse;
	return n;
}

static uint64_t cache_active_slabs(const kmem_cache_t *s)
{
	uint64_t n = 0;

	for (int node = 0; node < s->sl->nnodes; node++)
		n += s->nodelists[node].active_slabs;
	return n;
}

static uint64_t cache_live(const kmem_cache_t *s)
{
	int64_t n = 0;

	for (int cpu = 0; cpu < s->sl->ncpus; cpu++)
		n += s->array[cpu].live;
	return (uint64_t)n;
}

/* A slabinfo 2.1 row: objects in arrays count as active. */
static void slab_cache_info(void *a, kmem_cache_t *s, cache_info_t *out)
{
	slab_sys_t *sl = a;

	*out = (cache_info_t){
		.name = s->name, .object_size = (uint32_t)s->obj_size,
		.size = s->l.buffer_size, .align = s->l.align,
		.objects_per_slab = s->l.num, .order = s->l.order,
		.active_slabs = cache_active_slabs(s), .active_objs = cache_inuse(s),
		.limit = s->limit, .batchcount = s->batchcount,
		.sharedfactor = s->shared,
	};
	for (int node = 0; node < sl->nnodes; node++) {
		out->slabs += s->nodelists[node].nr_slabs;
		if (s->nodelists[node].shared)
			out->sharedavail += s->nodelists[node].shared->avail;
	}
	out->num_objs = out->slabs * s->l.num;
}

/* Free objects parked in per-CPU, shared and alien arrays. */
static uint64_t slab_queued_bytes(void *a)
{
	slab_sys_t *sl = a;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < sl->caches->len; i++) {
		kmem_cache_t *s = g_ptr_array_index(sl->caches, i);

		bytes += (cache_inuse(s) - cache_live(s)) * s->l.buffer_size;
	}
	return bytes;
}

/* The STATS counters summed over caches. */
static void slab_stats(void *a, stat_sink sink, void *ctx)
{
	slab_sys_t *sl = a;

	for (int i = 0; i < NR_SLAB_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], (uint64_t)kcounter_sum(sl->stat, i));
}

/* Fast paths: a hit in the CPU's array.  Slow: a refill (allocmiss), a
 * flush of a full array (freemiss) and every free of a remote object
 * (node_frees: the alien array, under its lock). */
static void slab_path_split(void *a, uint64_t alloc[2], uint64_t free[2])
{
	slab_sys_t *sl = a;

	alloc[0] = (uint64_t)kcounter_sum(sl->stat, ALLOCHIT);
	alloc[1] = (uint64_t)kcounter_sum(sl->stat, ALLOCMISS);
	free[0] = (uint64_t)kcounter_sum(sl->stat, FREEHIT);
	free[1] = (uint64_t)kcounter_sum(sl->stat, FREEMISS) + (uint64_t)kcounter_sum(sl->stat, NODE_FREES);
}

/* Capacity of every per-CPU, shared and alien array of s when full. */
static void slab_queue_capacity(void *a, kmem_cache_t *s, queue_sink sink, void *ctx)
{
	slab_sys_t *sl = a;
	uint64_t n = (uint64_t)sl->nnodes, size = s->l.buffer_size;
	uint64_t percpu = (uint64_t)sl->ncpus * (uint64_t)s->limit;
	uint64_t shared = n * (uint64_t)(s->shared * s->batchcount);
	uint64_t alien = n * (n - 1) * s->alien_entries;

	sink(ctx, "percpu", percpu, percpu * size);
	sink(ctx, "shared", shared, shared * size);
	sink(ctx, "alien", alien, alien * size);
}

/* ---- test helpers ---- */

/* Mark objp as found at `where`, checking it is an object of s seen once. */
static void audit_mark(kmem_cache_t *s, GHashTable *seen, saddr_t objp, const char *where)
{
	page_t *page = kaddr_valid(objp) ? virt_to_page(objp) : NULL;
	slab_t *slabp;

	if (!page || page->slab != s)
		kbug("audit %s: %#" G_GINT64_MODIFIER "x in %s is not its object",
		     s->name, objp, where);
	slabp = page->priv;
	if (objp < slabp->s_mem || (objp - slabp->s_mem) % s->l.buffer_size ||
	    (objp - slabp->s_mem) / s->l.buffer_size >= s->l.num)
		kbug("audit %s: %#" G_GINT64_MODIFIER "x in %s is misaligned", s->name, objp, where);
	if (!g_hash_table_add(seen, GSIZE_TO_POINTER(objp)))
		kbug("audit %s: %#" G_GINT64_MODIFIER "x found twice (%s)", s->name, objp, where);
}

static void audit_array(kmem_cache_t *s, GHashTable *seen, struct array_cache *ac,
                        int node, const char *where, uint64_t *count)
{
	if (!ac)
		return;
	if (ac->avail > ac->limit)
		kbug("audit %s: %s array holds %u of %u", s->name, where, ac->avail, ac->limit);
	for (unsigned i = 0; i < ac->avail; i++) {
		audit_mark(s, seen, ac->entry[i], where);
		if (node >= 0 && ((slab_t *)virt_to_page(ac->entry[i])->priv)->nodeid != node)
			kbug("audit %s: %s array holds an object of another node", s->name, where);
	}
	*count += ac->avail;
}

static uint64_t audit_slab(kmem_cache_t *s, GHashTable *seen, slab_t *slabp,
                           slab_audit_t *out)
{
	uint64_t nfree = 0;

	for (uint32_t i = slabp->free; i != BUFCTL_END; i = slabp->bufctl[i]) {
		if (i >= s->l.num || ++nfree > s->l.num)
			kbug("audit %s: bufctl chain corrupt", s->name);
		audit_mark(s, seen, slabp->s_mem + (saddr_t)i * s->l.buffer_size, "slab");
	}
	if (nfree != s->l.num - slabp->inuse)
		kbug("audit %s: slab inuse %u but %" G_GUINT64_FORMAT " free", s->name,
		     slabp->inuse, nfree);
	for (unsigned i = 0; s->sl->debug && i < s->l.num; i++)
		if (slabp->live[i / 8] & (1u << (i % 8))) {
			audit_mark(s, seen, slabp->s_mem + (saddr_t)i * s->l.buffer_size, "live");
			out->live++;
		}
	out->slab_free += nfree;
	out->slabs++;
	return nfree;
}

static void audit_list(kmem_cache_t *s, GHashTable *seen, klist_t *head, int node,
                       int kind, slab_audit_t *out, uint64_t *nfree)
{
	klist_t *pos;

	klist_for_each(pos, head) {
		slab_t *slabp = klist_entry(pos, slab_t, list);

		/* A reserve page may lie on another node: the patch labels the
		 * slab with the node that grew it, whatever the pool gave. */
		if (slabp->nodeid != node || (page_to_nid(slabp->page) != node && !slabp->pool))
			kbug("audit %s: slab on the wrong node's list", s->name);
		if (kind >= 0 && ((kind == 0) != (slabp->inuse == s->l.num) ||
		                  (kind == 2) != (slabp->inuse == 0)))
			kbug("audit %s: slab with %u in use on the wrong list", s->name, slabp->inuse);
		if ((kind < 0) != pool_exclusive(s, slabp))
			kbug("audit %s: reserve slab on the wrong list", s->name);
		if (kind < 0)
			audit_slab(s, seen, slabp, out);        /* not in free_objects */
		else
			*nfree += audit_slab(s, seen, slabp, out);
	}
}

/* Find every object of s exactly once; see slab.h. */
void slab_audit(void *allocator, kmem_cache_t *s, slab_audit_t *out)
{
	slab_sys_t *sl = allocator;
	GHashTable *seen = g_hash_table_new(NULL, NULL);

	*out = (slab_audit_t){ 0 };
	for (int node = 0; node < sl->nnodes; node++) {
		struct kmem_list3 *l3 = &s->nodelists[node];
		uint64_t nfree = 0;

		audit_list(s, seen, &l3->slabs_full, node, 0, out, &nfree);
		audit_list(s, seen, &l3->slabs_partial, node, 1, out, &nfree);
		audit_list(s, seen, &l3->slabs_free, node, 2, out, &nfree);
		audit_list(s, seen, &l3->slabs_pool, node, -1, out, &nfree);
		if (nfree != l3->free_objects)
			kbug("audit %s: node %d free_objects %lu, slabs hold %" G_GUINT64_FORMAT,
			     s->name, node, l3->free_objects, nfree);
		audit_array(s, seen, l3->shared, node, "shared", &out->shared);
		for (int i = 0; i < l3->nr_alien; i++)
			audit_array(s, seen, l3->alien[l3->alien_nodes[i]], l3->alien_nodes[i],
			            "alien", &out->alien);
	}
	for (int cpu = 0; cpu < sl->ncpus; cpu++)
		audit_array(s, seen, &s->array[cpu], cpu_to_node(cpu), "per-cpu", &out->percpu);
	for (unsigned i = 0; i < sl->caches->len; i++) {
		kmem_cache_t *c = g_ptr_array_index(sl->caches, i);

		if (c->slabp_cache != s)
			continue;
		for (int node = 0; node < sl->nnodes; node++)
			out->mgmt_live += c->nodelists[node].nr_slabs;
	}
	out->total = out->slabs * s->l.num;
	out->pages = out->slabs << s->l.order;
	if (!sl->debug)
		out->live = cache_live(s);
	if (out->live != cache_live(s) || cache_inuse(s) != out->total - out->slab_free ||
	    out->slab_free + out->percpu + out->shared + out->alien + out->live != out->total)
		kbug("audit %s: objects unaccounted for", s->name);
	g_hash_table_destroy(seen);
}

/* Every slab of one of l3's lists: pool pointer cleared (host work). */
static void forget_pools(klist_t *head)
{
	klist_t *pos;

	klist_for_each(pos, head)
		klist_entry(pos, slab_t, list)->pool = NULL;
}

/* Forget the cache's pool: its reserve slabs become ordinary slabs, the
 * pool lists join the slab lists their fill says (host work, free). */
static void detach_mempool(kmem_cache_t *s)
{
	for (int node = 0; node < s->sl->nnodes; node++) {
		struct kmem_list3 *l3 = &s->nodelists[node];

		forget_pools(&l3->slabs_partial);
		forget_pools(&l3->slabs_full);
		forget_pools(&l3->slabs_free);
		forget_pools(&l3->slabs_pool);
		while (!klist_empty(&l3->slabs_pool)) {
			slab_t *slabp = klist_entry(l3->slabs_pool.next, slab_t, list);

			klist_del(&slabp->list);
			klist_add_tail(&slabp->list, !slabp->inuse ? &l3->slabs_free :
			               slabp->free == BUFCTL_END ? &l3->slabs_full : &l3->slabs_partial);
			l3->free_objects += s->l.num - slabp->inuse;
		}
	}
	s->pool_slabs = 0;
	s->pool = NULL;
	s->pool_flags = 0;
}

/* Attach the critical page pool `pool` to s with SLAB_MEMPOOL_* flags
 * (NULL: detach); slabs built on an earlier pool become ordinary. */
static void slab_cache_set_mempool(void *a, kmem_cache_t *s, mempool_t *pool, unsigned flags)
{
	(void)a;
	if (s->pool)
		detach_mempool(s);
	s->pool = pool;
	s->pool_flags = pool ? flags : 0;
}

/* Objects in cpu's per-CPU array of s. */
unsigned slab_cpu_avail(kmem_cache_t *s, int cpu)
{
	return s->array[cpu].avail;
}

/* SLAB as the simulator's registry sees it. */
/* The audit op: slab_audit (above) of every cache, and each node's
 * nr_slabs against the slabs on its three lists. */
static void slab_audit_all(void *a)
{
	slab_sys_t *sl = a;

	for (guint i = 0; i < sl->caches->len; i++) {
		kmem_cache_t *s = sl->caches->pdata[i];
		slab_audit_t out;
		uint64_t nr = 0;

		slab_audit(sl, s, &out);
		for (int node = 0; node < sl->nnodes; node++)
			nr += s->nodelists[node].nr_slabs;
		if (nr != out.slabs)
			kbug("audit %s: nr_slabs %" G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT " slabs on the lists",
			     s->name, nr, out.slabs);
	}
}

const allocator_ops_t slab_allocator = {
	.name = "slab",
	.summary = "SLAB, Linux 2.6.29 NUMA: per-CPU, shared and alien object arrays, "
	           "per-node slab lists, periodic cache_reap",
	.tunables = slab_tunables,
	.create = slab_create,
	.destroy = slab_destroy_all,
	.cache_create = slab_cache_create,
	.max_cache_size = slab_max_cache_size,
	.cache_alloc = slab_cache_alloc,
	.cache_free = slab_cache_free,
	.kmalloc = slab_kmalloc,
	.kfree = slab_kfree,
	.shrink = slab_shrink,
	.kmalloc_size = slab_kmalloc_size,
	.ncaches = slab_ncaches,
	.cache_at = slab_cache_at,
	.cache_info = slab_cache_info,
	.queued_bytes = slab_queued_bytes,
	.stats = slab_stats,
	.path_split = slab_path_split,
	.queue_capacity = slab_queue_capacity,
	.cache_set_mempool = slab_cache_set_mempool,
	.audit = slab_audit_all,
};
