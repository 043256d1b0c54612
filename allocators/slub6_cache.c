/*
 * slub6_cache.c -- slub-6's caches: 6.18's sizing rules (the reference's
 * 5.1-5.3), cache creation and merging (5.7), the kmalloc caches (5.6)
 * and the allocator ops with their introspection.
 *
 * Caches.  kmem_cache_node and kmem_cache first (empty: the structures
 * they stand for are metadata, see below), then per kmalloc type --
 * kmalloc-, kmalloc-rcl- (__GFP_RECLAIMABLE, SLAB_RECLAIM_ACCOUNT) and
 * kmalloc-cg- (__GFP_ACCOUNT, SLAB_ACCOUNT) -- the classes 96, 192 and 8 up
 * to 2 * PAGE_SIZE (KMALLOC_MAX_CACHE_SIZE), naturally aligned; a larger
 * kmalloc is a compound page of its own.  Merging is on unless
 * slub_nomerge: a new cache without SLAB_DESTROY_BY_RCU or SLAB_NO_MERGE
 * aliases the newest cache it fits (stride at least its aligned size and
 * less than a word more, a multiple of its alignment, the same
 * RECLAIM_ACCOUNT / CACHE_DMA / ACCOUNT bits).  kmalloc and boot caches
 * never merge (a kernel with CONFIG_HARDENED_USERCOPY gives every kmalloc
 * cache a usercopy region, which forbids it; this machine's 6.18 lists
 * each of them as a cache of its own), nor do caches with sheaves, which
 * are created with SLAB_NO_MERGE (allocator.h, cache_set_sheaves).
 *
 * Metadata (owner: the cache name): "kmem_cache", the struct (offsetof
 * node + 8 * nr_node_ids) at the stride of the SLAB_HWCACHE_ALIGN cache
 * kmem_cache; "kmem_cache_node", 72 B per node at that cache's stride;
 * "kmem_cache_cpu", 40 B per CPU in the per-CPU areas (16-byte aligned);
 * with sheaves "slub_percpu_sheaves" (32 B per CPU), "node_barn" (56 B per
 * node, kmalloc_node) and "slab_sheaf" (32 + 8 * capacity, per sheaf while
 * it exists).
 *
 * Deviations: no DMA or random kmalloc caches, no SLAB_BUCKETS, no debug
 * layouts, no sysfs, no cpusets or mempolicies; kmem_cache_node and
 * kmem_cache structures are metadata, not objects of their caches; a
 * merged cache keeps its first name, the others are its aliases (listed by
 * cache_info, as sysfs links).
 */
#include "slub6_int.h"

#define S6_ALIGN(x, a)          (((x) + (a) - 1) & ~((unsigned long)(a) - 1))
#define SLAB_NEVER_MERGE        (SLAB_DESTROY_BY_RCU | SLAB_NO_MERGE)
#define SLAB_MERGE_SAME         (SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_ACCOUNT)
#define MAX_PARTIAL_TO_SCAN     10000   /* count_partial_free_approx() */

/* ---- sizing ---- */

/* What calculate_sizes() decides. */
typedef struct slub6_layout {
	unsigned size;          /* stride */
	unsigned offset;        /* free pointer offset */
	unsigned align;
	kmem_oo_t oo, min;
} slub6_layout_t;

static unsigned long order_objects(const slub6_t *sl, long order, unsigned long size)
{
	return (1UL << (sl->page_shift + order)) / size;
}

/* calc_slab_order(): the smallest order from min_order up to
 * slub_max_order whose slab wastes at most 1/fract of itself;
 * slub_max_order + 1 if none does. */
static long calc_slab_order(const slub6_t *sl, unsigned long size, long min_order, int fract)
{
	long order;

	for (order = min_order; order <= sl->max_order; order++) {
		unsigned long slab_size = 1UL << (sl->page_shift + order);

		if (slab_size % size <= slab_size / (unsigned long)fract)
			break;
	}
	return order;
}

/* calculate_order(): min_objects = 4 * (fls(present CPUs) + 1) unless
 * given, capped by what slub_max_order holds; waste bounds 1/16, 1/8, 1/4,
 * 1/2 from the order that holds min_objects; else get_order(size).  -1
 * if that is no page order. */
static long calculate_order(const slub6_t *sl, unsigned long size)
{
	unsigned long min_objects = sl->min_objects, max_objects;
	long min_order, order;

	if (!min_objects)
		min_objects = 4 * (unsigned long)(fls_long((unsigned long)sl->ncpus) + 1);
	max_objects = MAX(order_objects(sl, sl->max_order, size), 1UL);
	min_objects = MIN(min_objects, max_objects);
	min_order = MAX(sl->min_order, (long)get_order(min_objects * size, sl->page_shift));
	if (order_objects(sl, min_order, size) > MAX_OBJS_PER_PAGE)
		return (long)get_order(size * MAX_OBJS_PER_PAGE, sl->page_shift) - 1;
	for (int fract = 16; fract > 1; fract /= 2) {
		order = calc_slab_order(sl, size, min_order, fract);
		if (order <= sl->max_order)
			return order;
	}
	order = (long)get_order(size, sl->page_shift);
	return order < PA_MAX_ORDER ? order : -1;
}

static kmem_oo_t oo_make(const slub6_t *sl, long order, unsigned long size)
{
	return (kmem_oo_t){ (unsigned)order, (unsigned)order_objects(sl, order, size) };
}

/* calculate_sizes(): the word-aligned object, the free pointer after it
 * for an RCU-freed cache or one with a constructor (__SLAB_CTOR) and in
 * its middle word otherwise, the stride aligned, the orders.  False if no
 * slab can hold the object. */
static bool slub6_calculate_sizes(const slub6_t *sl, size_t object_size, size_t align,
                                  unsigned flags, slub6_layout_t *l)
{
	unsigned long size = S6_ALIGN(object_size, sizeof(uint64_t));
	long order;

	if (!object_size || object_size > (size_t)1 << (sl->page_shift + PA_MAX_ORDER - 1))
		return false;
	if (flags & (SLAB_DESTROY_BY_RCU | __SLAB_CTOR)) {
		l->offset = (unsigned)size;
		size += sizeof(uint64_t);
	} else {
		l->offset = (unsigned)((object_size / 2) & ~(sizeof(uint64_t) - 1));
	}
	l->align = (unsigned)slab_word_alignment(flags, align, object_size, (size_t)sl->cache_line);
	size = S6_ALIGN(size, l->align);
	l->size = (unsigned)size;
	order = calculate_order(sl, size);
	if (order < 0)
		return false;
	l->oo = oo_make(sl, order, size);
	l->min = oo_make(sl, get_order(size, sl->page_shift), size);
	return l->oo.objects >= 1 && l->oo.objects <= MAX_OBJS_PER_PAGE;
}

/* set_min_partial(): clamp(ilog2(size) / 2, 5, 10). */
static unsigned long min_partial_of(unsigned size)
{
	return CLAMP((unsigned long)(fls_long(size) - 1) / 2, MIN_PARTIAL, MAX_PARTIAL);
}

/* set_cpu_partial(): objects by stride. */
static unsigned cpu_partial_of(const slub6_t *sl, unsigned size)
{
	return size >= 1u << sl->page_shift ? 6 : size >= 1024 ? 24 : size >= 256 ? 52 : 120;
}

/* slub_set_cpu_partial(): as many slabs as hold 2 * cpu_partial objects. */
static unsigned cpu_partial_slabs_of(unsigned cpu_partial, unsigned objects)
{
	return (2 * cpu_partial + objects - 1) / objects;
}

/* The geometry and tuning a cache would get, without a simulation. */
bool slub6_geometry(size_t objsize, size_t align, unsigned flags, int ncpus, int page_size,
                    int cache_line, long min_order, long max_order, long min_objects,
                    slub6_geom_t *out)
{
	slub6_t sl = {
		.page_shift = fls_long((unsigned long)page_size) - 1, .cache_line = cache_line,
		.ncpus = ncpus, .min_order = min_order, .max_order = max_order,
		.min_objects = min_objects,
	};
	slub6_layout_t l;

	if (!slub6_calculate_sizes(&sl, objsize, align, flags, &l))
		return false;
	*out = (slub6_geom_t){
		.size = l.size, .offset = l.offset, .align = l.align, .order = l.oo.order,
		.objects = l.oo.objects, .min_order = l.min.order,
		.min_partial = min_partial_of(l.size), .cpu_partial = cpu_partial_of(&sl, l.size),
	};
	out->cpu_partial_slabs = cpu_partial_slabs_of(out->cpu_partial, l.oo.objects);
	return true;
}

/* ---- kmem_cache_create ---- */

/* The stride of a structure of `bytes` in a SLAB_HWCACHE_ALIGN cache. */
static size_t hwaligned(const slub6_t *sl, size_t bytes)
{
	return S6_ALIGN(bytes, slab_word_alignment(SLAB_HWCACHE_ALIGN, 0, bytes, (size_t)sl->cache_line));
}

/* init_kmem_cache_nodes(): one kmem_cache_node on each node. */
static void init_kmem_cache_nodes(kmem_cache_t *s)
{
	slub6_t *sl = s->sl;

	s->node = g_new0(struct kmem_cache_node, sl->nnodes);
	for (int node = 0; node < sl->nnodes; node++) {
		struct kmem_cache_node *n = &s->node[node];

		spin_init(&n->list_lock);
		klist_init(&n->partial);
		n->addr = kmeta_static(s->name, "kmem_cache_node", hwaligned(sl, KN_SIZE), node);
		ktouch(n->addr, KN_SIZE, true);
	}
}

/* alloc_kmem_cache_cpus() and init_kmem_cache_cpus(): each CPU's
 * kmem_cache_cpu in its per-CPU area, tid = cpu. */
static void alloc_kmem_cache_cpus(kmem_cache_t *s)
{
	slub6_t *sl = s->sl;
	uint64_t off = percpu_alloc(s->name, "kmem_cache_cpu", KCC_SIZE, KCC_ALIGN);

	s->cpu_slab = kpcpu_host_new((size_t)sl->ncpus, sizeof(struct kmem_cache_cpu));
	for (int cpu = 0; cpu < sl->ncpus; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		c->addr = per_cpu_addr(off, cpu);
		c->tid = (uint64_t)cpu;
		klist_init(&c->partial);
		ktouch(c->addr, KCC_SIZE, true);
	}
}

/* do_kmem_cache_create(): a new, unmerged cache; NULL if no slab can hold
 * the object. */
static kmem_cache_t *cache_open(slub6_t *sl, const char *name, size_t size, size_t align,
                                unsigned flags, const kmem_ctor_t *ctor)
{
	slub6_layout_t l;
	kmem_cache_t *s;

	if (!slub6_calculate_sizes(sl, size, align, flags | (ctor ? __SLAB_CTOR : 0), &l))
		return NULL;
	s = g_new0(kmem_cache_t, 1);
	s->sl = sl;
	s->name = g_strdup(name);
	s->flags = flags;
	s->object_size = size;
	slab_objs_init(&s->objs, s, s->name, l.size, l.offset, sl->debug);
	s->align = l.align;
	s->oo = l.oo;
	s->min = l.min;
	s->allocflags = __GFP_COMP | ((flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0);
	s->min_partial = min_partial_of(l.size);
	s->cpu_partial = cpu_partial_of(sl, l.size);
	s->cpu_partial_slabs = cpu_partial_slabs_of(s->cpu_partial, l.oo.objects);
	s->refcount = 1;
	s->aliases = slab_aliases_new();
	s->ctor = slab_ctor_dup(ctor);
	klist_init(&s->rcu_sheaves);
	s->remote_node_defrag_ratio = sl->defrag_ratio;
	s->addr = kmeta_static(name, "kmem_cache", hwaligned(sl, KC_NODE + 8 * (size_t)sl->nnodes),
	                       numa_node_id());
	ktouch(s->addr, KC_NODE, true);
	init_kmem_cache_nodes(s);
	alloc_kmem_cache_cpus(s);
	g_ptr_array_add(sl->caches, s);
	return s;
}

/* slab_unmergeable(). */
static bool unmergeable(const kmem_cache_t *s)
{
	return s->sl->nomerge || (s->flags & SLAB_NEVER_MERGE) || s->ctor || s->cpu_sheaves ||
	       s->refcount < 0;
}

/* find_mergeable(): the newest cache a request of size, align, flags and
 * ctor may alias, or NULL. */
static kmem_cache_t *find_mergeable(slub6_t *sl, size_t size, size_t align, unsigned flags,
                                    const kmem_ctor_t *ctor)
{
	if (sl->nomerge || (flags & SLAB_NEVER_MERGE) || ctor)
		return NULL;
	size = S6_ALIGN(size, sizeof(uint64_t));
	align = slab_word_alignment(flags, align, size, (size_t)sl->cache_line);
	size = S6_ALIGN(size, align);
	for (guint i = sl->caches->len; i-- > 0;) {
		kmem_cache_t *s = g_ptr_array_index(sl->caches, i);

		if (unmergeable(s) || size > s->objs.size ||
		    (flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME) ||
		    (s->objs.size & (align - 1)) || s->objs.size - size >= sizeof(uint64_t))
			continue;
		return s;
	}
	return NULL;
}

/* kmem_cache_create(): an alias of a mergeable cache (refcount and
 * object_size raised), else a new cache; NULL if no slab can hold size. */
static kmem_cache_t *slub6_cache_create(void *a, const char *name, size_t size, size_t align,
                                        unsigned flags, const kmem_ctor_t *ctor)
{
	slub6_t *sl = a;
	kmem_cache_t *s = find_mergeable(sl, size, align, flags, ctor);

	if (!s)
		return cache_open(sl, name, size, align, flags, ctor);
	s->refcount++;
	s->object_size = MAX(s->object_size, size);
	slab_alias_add(s->aliases, name);
	ktouch(s->addr, KC_NODE, true);
	return s;
}

/* ---- the kmalloc caches ---- */

static const char *const kmalloc_prefix[NR_KMALLOC_TYPES] = {
	"kmalloc-", "kmalloc-rcl-", "kmalloc-cg-",
};
static const unsigned kmalloc_type_flags[NR_KMALLOC_TYPES] = {
	0, SLAB_RECLAIM_ACCOUNT, SLAB_ACCOUNT,
};

/* new_kmalloc_cache(): kmalloc_caches[type][index], named as 6.x names
 * it (kmalloc-96, kmalloc-1k, ...), aligned to its size's largest power
 * of two; never merged. */
static void new_kmalloc_cache(slub6_t *sl, int type, int index)
{
	size_t size = kmalloc_index_size(index);
	char *name = size >= 1024 ? g_strdup_printf("%s%zuk", kmalloc_prefix[type], size / 1024) :
	             g_strdup_printf("%s%zu", kmalloc_prefix[type], size);
	kmem_cache_t *s = slab_check_created(SLUB6_NAME, name, SLAB_PANIC,
	                                     cache_open(sl, name, size, MAX((size_t)8, size & -size),
	                                                kmalloc_type_flags[type], NULL));

	s->refcount = -1;
	sl->kmalloc_caches[type][index] = s;
	g_free(name);
}

/* create_boot_cache(): a cache the allocator cannot do without. */
static void boot_cache(slub6_t *sl, const char *name, size_t size)
{
	kmem_cache_t *s = cache_open(sl, name, size, 0, SLAB_HWCACHE_ALIGN, NULL);

	slab_check_created(SLUB6_NAME, name, SLAB_PANIC, s)->refcount = -1;
}

/* kmalloc_type(): RECLAIMABLE before ACCOUNT (5.6). */
static int kmalloc_type(gfp_t gfp)
{
	if (gfp & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return (gfp & __GFP_ACCOUNT) ? KMALLOC_CGROUP : KMALLOC_NORMAL;
}

/* KMALLOC_MAX_CACHE_SIZE: 2 << PAGE_SHIFT. */
static size_t kmalloc_max_cache_size(int page_shift)
{
	return (size_t)2 << page_shift;
}

/* What kmalloc(size) hands out: its class up to 2 * PAGE_SIZE, whole
 * pages above.  Reads only the machine (it runs before `a` exists). */
static size_t slub6_kmalloc_size(void *a, size_t size)
{
	int shift = kpage_shift();

	(void)a;
	if (size > kmalloc_max_cache_size(shift))
		return (size_t)kpage_size() << get_order(size, shift);
	return size ? kmalloc_index_size(kmalloc_index(size)) : 0;
}

/* ---- the allocator_ops ---- */

static const tunable_t slub6_tunables[] = {
	{ "slub_min_order", 0, 0, PA_MAX_ORDER - 1,
	  "lowest slab order (boot option slab_min_order=)" },
	{ "slub_max_order", 3, 0, PA_MAX_ORDER - 1,
	  "highest order calculate_order prefers (PAGE_ALLOC_COSTLY_ORDER)" },
	{ "slub_min_objects", 0, 0, MAX_OBJS_PER_PAGE,
	  "objects a slab should hold; 0 derives 4 * (fls(CPUs) + 1), capped by what "
	  "slub_max_order holds" },
	{ "remote_node_defrag_ratio", 1000, 0, 1000,
	  "search other nodes' partial lists unless get_cycles() % 1024 > ratio "
	  "(sysfs shows ratio / 10)" },
	{ "slub_nomerge", 0, 0, 1,
	  "1: no cache merging (boot option slab_nomerge)" },
	{ "sheaves", 1, 0, 1,
	  "0: no cache gets per-CPU sheaves, whatever its sheaf_capacity (Linux 6.8-6.17)" },
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees) and free pointers "
	  "(only while the run's kdebug_checks is on)" },
	{ NULL, 0, 0, 0, NULL },
};

/* Boot: kmem_cache_node, kmem_cache, then per type kmalloc 96, 192 and 8
 * up to 2 * PAGE_SIZE. */
static void *slub6_create(const long *tun)
{
	slub6_t *sl = g_new0(slub6_t, 1);
	uint64_t step = 1;

	sl->page_shift = kpage_shift();
	sl->cache_line = cache_line_size();
	sl->min_order = tun[0];
	sl->max_order = tun[1];
	sl->min_objects = tun[2];
	sl->defrag_ratio = (int)tun[3];
	sl->nomerge = tun[4];
	sl->sheaves = tun[5];
	sl->debug = tun[6] && kdebug_checks;
	sl->ncpus = nr_cpu_ids();
	sl->nnodes = nr_node_ids();
	while (step < (uint64_t)NR_CPUS)
		step <<= 1;
	sl->tid_step = step;            /* TID_STEP with CONFIG_PREEMPTION */
	sl->caches = g_ptr_array_new();
	sl->paths = kcounters_new(NR_PATHS, sl->ncpus);
	sl->list_lock_cls = klock_class("slub-6.list_lock");
	sl->barn_lock_cls = klock_class("slub-6.barn_lock");
	boot_cache(sl, "kmem_cache_node", KN_SIZE);
	boot_cache(sl, "kmem_cache", KC_NODE + 8 * (size_t)sl->nnodes);
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		new_kmalloc_cache(sl, type, 1);
		new_kmalloc_cache(sl, type, 2);
		for (int i = KMALLOC_SHIFT_LOW; i <= sl->page_shift + 1; i++)
			new_kmalloc_cache(sl, type, i);
	}
	return sl;
}

static void cache_free_host(kmem_cache_t *s)
{
	slub6_free_sheaves_host(s);
	slub6_release_slabs(s);
	g_free(s->ctor);
	g_free(s->node);
	kpcpu_host_free(s->cpu_slab);
	g_ptr_array_free(s->aliases, TRUE);
	g_free(s->name);
	g_free(s);
}

/* Free the host side of every cache (slab pages stay with the run). */
static void slub6_destroy(void *a)
{
	slub6_t *sl = a;

	slab_caches_free(sl->caches, cache_free_host);
	kcounters_free(sl->paths);
	g_free(sl);
}

/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slub6_cache_alloc(void *a, kmem_cache_t *s, gfp_t gfp, int node)
{
	(void)a;
	slab_check_node(SLUB6_NAME, node);
	return slub6_slab_alloc(s, gfp, node);
}

/* kmem_cache_free(): the object's slab read, then slab_free. */
static void slub6_cache_free(void *a, kmem_cache_t *s, saddr_t x)
{
	(void)a;
	slub6_slab_free(s, slab_object_page(x), x);
}

/* __kmalloc_node(): a kmalloc cache of gfp's type up to 2 * PAGE_SIZE,
 * pages beyond. */
static saddr_t slub6_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slub6_t *sl = a;

	slab_check_node(SLUB6_NAME, node);
	if (size > kmalloc_max_cache_size(sl->page_shift))
		return kmalloc_large(size, gfp & ~(gfp_t)(__GFP_ACCOUNT | __GFP_CRITICAL), node);
	if (!size)
		return ZERO_SIZE_PTR;
	return slub6_slab_alloc(sl->kmalloc_caches[kmalloc_type(gfp)][kmalloc_index(size)], gfp, node);
}

/* kfree(): a slab object, or a compound page from kmalloc_large. */
static void slub6_kfree(void *a, saddr_t x)
{
	kfree_classes(x, ((slub6_t *)a)->debug, slub6_slab_free);
}

static int slub6_ncaches(void *a)
{
	return (int)((slub6_t *)a)->caches->len;
}

static kmem_cache_t *slub6_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slub6_t *)a)->caches, i);
}

/* count_partial_free_approx(): free objects on n's partial slabs; past
 * MAX_PARTIAL_TO_SCAN slabs, estimated from the first and last half of
 * that many, capped at the node's objects. */
static uint64_t partial_free(const struct kmem_cache_node *n)
{
	uint64_t x = 0, scanned = 0;
	const klist_t *pos;

	if (n->nr_partial <= MAX_PARTIAL_TO_SCAN) {
		klist_for_each(pos, &n->partial) {
			const page_t *slab = klist_entry(pos, page_t, lru);

			x += (uint64_t)slab->objects - slab->inuse;
		}
		return x;
	}
	for (pos = n->partial.next; scanned < MAX_PARTIAL_TO_SCAN / 2; pos = pos->next, scanned++)
		x += (uint64_t)klist_entry(pos, page_t, lru)->objects - klist_entry(pos, page_t, lru)->inuse;
	for (pos = n->partial.prev; scanned < MAX_PARTIAL_TO_SCAN; pos = pos->prev, scanned++)
		x += (uint64_t)klist_entry(pos, page_t, lru)->objects - klist_entry(pos, page_t, lru)->inuse;
	return MIN(x * n->nr_partial / scanned, n->total_objects);
}

/* A /proc/slabinfo row as 6.18's s_show writes it: every object not free
 * on a node partial list is active (cpu slabs, cpu partial slabs and
 * sheaves included), and so is every slab. */
static void slub6_cache_info(void *a, kmem_cache_t *s, cache_info_t *out)
{
	slub6_t *sl = a;
	uint64_t nr_free = 0;

	*out = (cache_info_t){
		.name = s->name, .object_size = (uint32_t)s->object_size,
		.size = s->objs.size, .align = s->align,
		.objects_per_slab = s->oo.objects, .order = s->oo.order,
		.aliases = slab_aliases(s->aliases),
	};
	for (int node = 0; node < sl->nnodes; node++) {
		out->slabs += s->node[node].nr_slabs;
		out->num_objs += s->node[node].total_objects;
		nr_free += partial_free(&s->node[node]);
	}
	out->active_slabs = out->slabs;
	out->active_objs = out->num_objs - nr_free;
}

/* The cache's queued objects: the sum of every CPU's moves. */
static uint64_t cache_queued(const kmem_cache_t *s)
{
	int64_t n = 0;

	for (int cpu = 0; cpu < s->sl->ncpus; cpu++)
		n += s->cpu_slab[cpu].queued;
	return (uint64_t)n;
}

/* Objects parked in sheaves and barns. */
static uint64_t slub6_queued_bytes(void *a)
{
	slub6_t *sl = a;
	uint64_t bytes = 0;

	for (guint i = 0; i < sl->caches->len; i++) {
		const kmem_cache_t *s = g_ptr_array_index(sl->caches, i);

		bytes += cache_queued(s) * s->objs.size;
	}
	return bytes;
}

/* The sysfs names of the SLUB_STATS items. */
static const char *const stat_names[NR_SLUB_STAT_ITEMS] = {
	"alloc_cpu_sheaf", "alloc_fastpath", "alloc_slowpath", "free_cpu_sheaf",
	"free_rcu_sheaf", "free_fastpath", "free_slowpath", "free_frozen", "free_add_partial",
	"free_remove_partial", "alloc_from_partial", "alloc_slab", "alloc_refill",
	"alloc_node_mismatch", "free_slab", "cpuslab_flush", "deactivate_full",
	"deactivate_empty", "deactivate_to_head", "deactivate_to_tail",
	"deactivate_remote_frees", "deactivate_bypass", "order_fallback",
	"cmpxchg_double_fail", "cpu_partial_alloc", "cpu_partial_free",
	"cpu_partial_node", "cpu_partial_drain", "sheaf_flush", "sheaf_refill",
	"sheaf_alloc", "sheaf_free", "barn_get", "barn_get_fail", "barn_put",
	"barn_put_fail",
};

/* Every counter of CPU `cpu` (-1: all CPUs) summed over caches into sum. */
static void stats_of(const slub6_t *sl, int cpu, uint64_t *sum)
{
	for (guint i = 0; i < sl->caches->len; i++) {
		const kmem_cache_t *s = g_ptr_array_index(sl->caches, i);

		for (int c = cpu < 0 ? 0 : cpu; c < (cpu < 0 ? sl->ncpus : cpu + 1); c++)
			for (int si = 0; si < NR_SLUB_STAT_ITEMS; si++)
				sum[si] += s->cpu_slab[c].stat[si];
	}
}

/* The SLUB_STATS counters summed over caches and CPUs (the sysfs files'
 * first figure). */
static void slub6_stats(void *a, stat_sink sink, void *ctx)
{
	uint64_t sum[NR_SLUB_STAT_ITEMS] = { 0 };

	stats_of(a, -1, sum);
	for (int i = 0; i < NR_SLUB_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], sum[i]);
}

/* The counters per CPU (the sysfs files' C<cpu>= figures), summed over
 * caches; SLUB keeps none per node. */
static void slub6_stats_split(void *a, stat_split_sink sink, void *ctx)
{
	slub6_t *sl = a;

	for (int cpu = 0; cpu < sl->ncpus; cpu++) {
		uint64_t sum[NR_SLUB_STAT_ITEMS] = { 0 };

		stats_of(sl, cpu, sum);
		for (int i = 0; i < NR_SLUB_STAT_ITEMS; i++)
			sink(ctx, "cpu", cpu, stat_names[i], sum[i]);
	}
}

/* Sheaves when every one is full: main and spare on every CPU
 * ("percpu"), MAX_FULL_SHEAVES in every node's barn ("barn"); nothing for
 * a cache without sheaves. */
static void slub6_queue_capacity(void *a, kmem_cache_t *s, queue_sink sink, void *ctx)
{
	slub6_t *sl = a;
	uint64_t percpu = 2 * (uint64_t)sl->ncpus * s->sheaf_capacity;
	uint64_t barn = (uint64_t)sl->nnodes * MAX_FULL_SHEAVES * s->sheaf_capacity;

	if (!s->cpu_sheaves)
		return;
	sink(ctx, "percpu", percpu, percpu * s->objs.size);
	sink(ctx, "barn", barn, barn * s->objs.size);
}

/* Fast: an object from or to this CPU's own structures (its sheaves
 * without the barn, or its cpu slab's lockless freelist); slow: anything
 * else. */
static void slub6_path_split(void *a, uint64_t alloc[2], uint64_t free[2])
{
	slub6_t *sl = a;

	alloc[0] = (uint64_t)kcounter_sum(sl->paths, PATH_ALLOC_FAST);
	alloc[1] = (uint64_t)kcounter_sum(sl->paths, PATH_ALLOC_SLOW);
	free[0] = (uint64_t)kcounter_sum(sl->paths, PATH_FREE_FAST);
	free[1] = (uint64_t)kcounter_sum(sl->paths, PATH_FREE_SLOW);
}

/* kmem_cache_args.sheaf_capacity: per-CPU sheaves for s unless the
 * sheaves tunable is off. */
static void slub6_cache_set_sheaves(void *a, kmem_cache_t *s, unsigned capacity)
{
	slub6_t *sl = a;

	if (sl->sheaves && capacity && !s->cpu_sheaves)
		slub6_init_sheaves(s, capacity);
}

/* kfree_rcu_sheaf(): an object of a cache with sheaves, on this CPU's
 * node, goes to the CPU's rcu_free sheaf; anything else is the caller's
 * to call_rcu. */
static bool slub6_free_rcu(void *a, saddr_t x)
{
	page_t *slab = slab_object_page(x);
	kmem_cache_t *s;

	(void)a;
	if (!slab || !(page_flags(slab) & PG_slab))
		return false;
	s = slab->slab;
	if (!s->cpu_sheaves || page_to_nid(slab) != numa_node_id())
		return false;
	slab_check_free(&s->objs, slab, x);
	slab_note_free(&s->objs, slab);
	slub6_free_rcu_sheaf(s, x);
	return true;
}

/* ---- audit: structure checks between operations (allocator.h) ----
 * 6.18's rules (the reference's 1.3, 2.2-2.5, 4.3-4.8).  A slab is in one
 * of four states: on its node's partial list (SL_partial, not frozen, not
 * full), on one CPU's partial chain (not frozen, not full), one CPU's cpu
 * slab (frozen), or full on no list; only the first has SL_partial, only
 * the third is frozen.  nr_partial is the partial list's length, a CPU's
 * partial_slabs its chain's, a CPU's tid is its own (tid % TID_STEP ==
 * cpu); nr_slabs and total_objects count the node's slabs.  Per slab, the
 * freelist holds objects - inuse objects; those in use are held by
 * callers, on the freelist of the CPU it is the cpu slab of, or in a
 * sheaf.  A sheaf (main, spare, rcu_free, a barn's, or one waiting for
 * its grace period) is in one place, holds at most capacity objects of
 * the cache's slabs; a spare is empty or full, an rcu_free one neither
 * (it leaves full), a barn's full sheaves are full, its empty ones empty,
 * and nr_full / nr_empty count them; s->queued counts the sheaves'
 * objects.  Free of charge (host fields, kpeek64); the helpers return the
 * first disagreement and slub6_audit kbug()s with it. */
enum { AU_NONE, AU_NODE, AU_CPU_PARTIAL, AU_CPU_SLAB };
static const char *const au_where[] = {
	"on no list", "on a node partial list", "on a cpu partial chain", "a cpu slab",
};

typedef struct audit6_slab {
	int where;              /* AU_* */
	unsigned held;          /* in use, not by callers: on a cpu freelist or in sheaves */
} audit6_slab_t;

typedef struct audit6 {
	kmem_cache_t *s;
	GHashTable *slabs;      /* page_t * -> audit6_slab_t */
	GHashTable *sheaves;    /* the sheaves seen */
	uint64_t queued;        /* objects in them */
} audit6_t;

static audit6_slab_t *audit_slab_of(audit6_t *au, page_t *slab)
{
	audit6_slab_t *as = g_hash_table_lookup(au->slabs, slab);

	if (!as) {
		as = g_new0(audit6_slab_t, 1);
		g_hash_table_insert(au->slabs, slab, as);
	}
	return as;
}

/* slab was found `where`: it must be a slab of the cache, in no other place. */
static char *audit_place(audit6_t *au, page_t *slab, int where)
{
	audit6_slab_t *as;

	if (!(slab->flags & PG_slab) || slab->slab != au->s)
		return g_strdup_printf("%s: a page %s is not a slab of the cache", au->s->name,
		                       au_where[where]);
	as = audit_slab_of(au, slab);
	if (as->where != AU_NONE)
		return g_strdup_printf("%s: a slab is %s and %s", au->s->name, au_where[as->where],
		                       au_where[where]);
	as->where = where;
	return NULL;
}

/* A sheaf (`what`) of min..max objects, each an object of the cache's
 * slabs, counted on its slab. */
static char *audit_sheaf(audit6_t *au, const slab_sheaf_t *sh, const char *what, unsigned min,
                         unsigned max)
{
	unsigned size = au->s->objs.size;

	if (!g_hash_table_add(au->sheaves, (gpointer)sh))
		return g_strdup_printf("%s: a %s sheaf is in two places", au->s->name, what);
	if (sh->size < min || sh->size > max)
		return g_strdup_printf("%s: a %s sheaf holds %u objects (capacity %u)", au->s->name,
		                       what, sh->size, au->s->sheaf_capacity);
	for (unsigned i = 0; i < sh->size; i++) {
		page_t *slab = virt_to_page(sh->objects[i]);
		saddr_t off = slab ? sh->objects[i] - page_address(slab) : 0;

		if (!slab || !(slab->flags & PG_slab) || slab->slab != au->s || off % size ||
		    off / size >= slab->objects)
			return g_strdup_printf("%s: a %s sheaf holds what is not an object of the cache",
			                       au->s->name, what);
		audit_slab_of(au, slab)->held++;
	}
	au->queued += sh->size;
	return NULL;
}

/* audit_sheaf of every sheaf on the list head (through barn_list);
 * *len gets how many. */
static char *audit_sheaves(audit6_t *au, const klist_t *head, const char *what, unsigned min,
                           unsigned max, unsigned *len)
{
	char *why = NULL;

	*len = 0;
	for (const klist_t *l = head->next; !why && l != head; l = l->next, (*len)++)
		why = audit_sheaf(au, klist_entry(l, slab_sheaf_t, barn_list), what, min, max);
	return why;
}

/* Node `node`'s partial list and barn. */
static char *audit_node(audit6_t *au, int node)
{
	struct kmem_cache_node *n = &au->s->node[node];
	unsigned cap = au->s->sheaf_capacity, nfull = 0, nempty = 0;
	node_barn_t *b = n->barn;
	unsigned long len = 0;
	char *why;
	klist_t *l;

	klist_for_each(l, &n->partial) {
		page_t *slab = klist_entry(l, page_t, lru);

		if ((why = audit_place(au, slab, AU_NODE)))
			return why;
		if (page_to_nid(slab) != node)
			return g_strdup_printf("%s node %d: another node's slab on the partial list",
			                       au->s->name, node);
		len++;
	}
	if (len != n->nr_partial)
		return g_strdup_printf("%s node %d: partial list of %lu slabs, nr_partial %lu",
		                       au->s->name, node, len, n->nr_partial);
	if (!b != !au->s->cpu_sheaves)
		return g_strdup_printf("%s node %d: a barn %s sheaves", au->s->name, node,
		                       b ? "without" : "missing, with");
	if (!b)
		return NULL;
	if ((why = audit_sheaves(au, &b->sheaves_full, "barn's full", cap, cap, &nfull)) ||
	    (why = audit_sheaves(au, &b->sheaves_empty, "barn's empty", 0, 0, &nempty)))
		return why;
	if (nfull != b->nr_full || nempty != b->nr_empty)
		return g_strdup_printf("%s node %d: a barn of %u full and %u empty sheaves counts %u "
		                       "and %u", au->s->name, node, nfull, nempty, b->nr_full, b->nr_empty);
	return NULL;
}

/* CPU `cpu`'s cpu slab and freelist, partial chain and sheaves. */
static char *audit_cpu(audit6_t *au, int cpu)
{
	kmem_cache_t *s = au->s;
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	struct slub_percpu_sheaves *pcs = s->cpu_sheaves ? &s->cpu_sheaves[cpu] : NULL;
	unsigned len = 0, cfree, cap = s->sheaf_capacity;
	char *why;
	klist_t *l;

	if (c->tid % s->sl->tid_step != (uint64_t)cpu)
		return g_strdup_printf("%s cpu %d: a tid of cpu %" G_GUINT64_FORMAT, s->name, cpu,
		                       c->tid % s->sl->tid_step);
	if (c->slab) {
		if ((why = audit_place(au, c->slab, AU_CPU_SLAB)))
			return why;
		cfree = slab_freelist_count(&s->objs, c->slab, c->freelist);
		if (cfree == UINT_MAX)
			return g_strdup_printf("%s cpu %d: a broken freelist chain", s->name, cpu);
		audit_slab_of(au, c->slab)->held += cfree;
	} else if (c->freelist) {
		return g_strdup_printf("%s cpu %d: a freelist without a cpu slab", s->name, cpu);
	}
	klist_for_each(l, &c->partial) {
		if ((why = audit_place(au, klist_entry(l, page_t, lru), AU_CPU_PARTIAL)))
			return why;
		len++;
	}
	if (len != c->partial_slabs)
		return g_strdup_printf("%s cpu %d: partial chain of %u slabs, partial_slabs %u",
		                       s->name, cpu, len, c->partial_slabs);
	if (!pcs)
		return NULL;
	if (!pcs->main)
		return g_strdup_printf("%s cpu %d: no main sheaf", s->name, cpu);
	if ((why = audit_sheaf(au, pcs->main, "main", 0, cap)))
		return why;
	if (pcs->spare && (why = audit_sheaf(au, pcs->spare, "spare", 0, cap)))
		return why;
	if (pcs->spare && pcs->spare->size && pcs->spare->size != cap)
		return g_strdup_printf("%s cpu %d: a spare sheaf neither empty nor full", s->name, cpu);
	return pcs->rcu_free ? audit_sheaf(au, pcs->rcu_free, "rcu_free", 1, cap - 1) : NULL;
}

/* One slab of the cache: freelist, state, objects in use (its node's
 * slabs and objects counted). */
static char *audit_slab(audit6_t *au, page_t *slab, uint64_t *slabs, uint64_t *objs)
{
	kmem_cache_t *s = au->s;
	audit6_slab_t *as = audit_slab_of(au, slab);
	unsigned free = slab_freelist_count(&s->objs, slab, slab->freelist);
	bool frozen = slab->flags & PG_frozen, listed = slab->flags & SL_PARTIAL;
	bool full = slab->inuse == slab->objects;

	slabs[page_to_nid(slab)]++;
	objs[page_to_nid(slab)] += slab->objects;
	if (free == UINT_MAX || free + slab->inuse != slab->objects)
		return g_strdup_printf("%s: a slab of %u objects, %u in use, has %s on its freelist",
		                       s->name, slab->objects, slab->inuse,
		                       free == UINT_MAX ? "a broken chain" : "another number");
	if (frozen != (as->where == AU_CPU_SLAB) || listed != (as->where == AU_NODE) ||
	    (as->where != AU_CPU_SLAB && full != (as->where == AU_NONE)))
		return g_strdup_printf("%s: a slab %s is%s frozen, %s SL_partial, %s", s->name,
		                       au_where[as->where], frozen ? "" : " not",
		                       listed ? "marked" : "not marked", full ? "full" : "not full");
	if (as->held > slab->inuse || slab->inuse - as->held != slab_rec(slab)->live)
		return g_strdup_printf("%s: a slab (%s) with %u objects handed out has %u in use, %u of "
		                       "them in sheaves or on a cpu freelist", s->name,
		                       au_where[as->where], slab_rec(slab)->live, slab->inuse, as->held);
	return NULL;
}

/* Every check above on cache s. */
static char *audit_cache(slub6_t *sl, kmem_cache_t *s)
{
	audit6_t au = { s, g_hash_table_new_full(NULL, NULL, NULL, g_free),
	                g_hash_table_new(NULL, NULL), 0 };
	uint64_t *slabs = g_new0(uint64_t, sl->nnodes), *objs = g_new0(uint64_t, sl->nnodes);
	char *why = NULL;
	unsigned n;
	klist_t *l;

	for (int node = 0; !why && node < sl->nnodes; node++)
		why = audit_node(&au, node);
	for (int cpu = 0; !why && cpu < sl->ncpus; cpu++)
		why = audit_cpu(&au, cpu);
	if (!why)
		why = audit_sheaves(&au, &s->rcu_sheaves, "waiting rcu_free", 1, s->sheaf_capacity, &n);
	if (!why && au.queued != cache_queued(s))
		why = g_strdup_printf("%s: %" G_GUINT64_FORMAT " objects in sheaves, queued %"
		                      G_GUINT64_FORMAT, s->name, au.queued, cache_queued(s));
	for (l = s->objs.recs.next; !why && l != &s->objs.recs; l = l->next)
		why = audit_slab(&au, klist_entry(l, slab_rec_t, link)->page, slabs, objs);
	for (int node = 0; !why && node < sl->nnodes; node++)
		if (s->node[node].nr_slabs != slabs[node] || s->node[node].total_objects != objs[node])
			why = g_strdup_printf("%s node %d: nr_slabs %" G_GUINT64_FORMAT " total_objects %"
			                      G_GUINT64_FORMAT " for %" G_GUINT64_FORMAT " slabs of %"
			                      G_GUINT64_FORMAT " objects", s->name, node,
			                      s->node[node].nr_slabs, s->node[node].total_objects,
			                      slabs[node], objs[node]);
	g_hash_table_destroy(au.slabs);
	g_hash_table_destroy(au.sheaves);
	g_free(slabs);
	g_free(objs);
	return why;
}

/* The audit op: every cache; the first disagreement stops the run. */
static void slub6_audit(void *a)
{
	slub6_t *sl = a;
	char *why = NULL;

	for (guint i = 0; !why && i < sl->caches->len; i++)
		why = audit_cache(sl, g_ptr_array_index(sl->caches, i));
	if (why)
		kbug("audit: %s: %s", SLUB6_NAME, why);
}

/* slub-6 as the simulator's registry sees it. */
const allocator_ops_t slub6_allocator = {
	.name = SLUB6_NAME,
	.summary = "SLUB, Linux 6.18: lockless cmpxchg fast paths, per-CPU partial slabs, "
	           "per-CPU sheaves with per-node barns for caches that ask",
	.tunables = slub6_tunables,
	.create = slub6_create,
	.destroy = slub6_destroy,
	.cache_create = slub6_cache_create,
	.max_cache_size = slab_max_order_size,
	.cache_alloc = slub6_cache_alloc,
	.cache_free = slub6_cache_free,
	.kmalloc = slub6_kmalloc,
	.kfree = slub6_kfree,
	.shrink = slub6_shrink,
	.kmalloc_size = slub6_kmalloc_size,
	.ncaches = slub6_ncaches,
	.cache_at = slub6_cache_at,
	.cache_info = slub6_cache_info,
	.queued_bytes = slub6_queued_bytes,
	.stats = slub6_stats,
	.stats_split = slub6_stats_split,
	.queue_capacity = slub6_queue_capacity,
	.path_split = slub6_path_split,
	.cache_set_sheaves = slub6_cache_set_sheaves,
	.free_rcu = slub6_free_rcu,
	.audit = slub6_audit,
};
