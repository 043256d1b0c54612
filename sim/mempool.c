/*
 * mempool.c -- memory pools as Linux 2.6.16 mm/mempool.c, and the critical
 * pools of seed 004 ("[patch 9/9] slab - Implement single mempool backing
 * for slab allocator", Matthew Dobson, 2006, with Pekka Enberg's critique;
 * docs/mempool.md).
 *
 * Owns: mempool_t (a reserve of min_nr elements, filled at creation from
 * the pool's element allocator) and critpool_t (one subsystem's critical
 * and ordinary requests on the caches its pool backs -- one for the object
 * pool -- in one of five variants).  Results depend only on simulated
 * addresses and call order, never on host addresses.
 *
 * Design.  mempool_alloc tries the element allocator first, with
 * __GFP_NORETRY | __GFP_NOWARN, and only then takes an element from the
 * reserve under pool->lock; there is no __GFP_WAIT in slabsim, so an empty
 * reserve means failure, never sleeping.  mempool_free peeks at curr_nr
 * without the lock and refills the reserve (under the lock) while it is
 * below min_nr, else frees the element to the allocator.  Page pools hold
 * page addresses; slab pools (mempool_create_slab_pool) hold objects.
 *
 * The critical pool variants:
 *  - Dobson (the four CRITPOOL_DOBSON*): a page pool attached to the cache
 *    with allocator_ops.cache_set_mempool; critical requests carry
 *    __GFP_CRITICAL, and the allocator grows the cache from the pool when
 *    the page allocator fails (kmem_getpages -> mempool_alloc_node).  The
 *    _RETURN and _EXCLUSIVE flags are Dobson's planned fixes.
 *  - Object pool (Pekka Enberg): a slab pool of min_nr objects of the
 *    cache; critical requests use mempool_alloc / mempool_free, ordinary
 *    ones kmem_cache_alloc / kmem_cache_free.  The allocator knows nothing.
 *
 * Pricing: struct mempool_s (72 B: lock, min_nr, curr_nr, elements,
 * pool_data, alloc, free, wait) and the element array are kmalloc'd
 * metadata (owner "mempool:NAME"); the reserve is touched at the array
 * slot it reads or writes, the lock is a spinlock at the struct.  The
 * critpool layer is the subsystem's own code and costs nothing itself.
 *
 * Lock order: pool->lock is innermost and held only around the reserve;
 * the element allocator is never called under it.
 */
#include "kernel.h"
#include "../allocators/allocator.h"

#define MEMPOOL_STRUCT_SIZE     72     /* struct mempool_s, LP64 */
#define MP_NR                   4      /* offsetof min_nr; curr_nr at 8 */
#define MP_WAIT                 48     /* offsetof wait (wait_queue_head_t) */

/* ---- the reserve (pool->lock held) ---- */

static void add_element(mempool_t *pool, saddr_t element)
{
	ktouch(pool->elements_addr + 8 * (saddr_t)pool->curr_nr, 8, true);
	ktouch(pool->addr + MP_NR, 8, true);
	pool->elements[pool->curr_nr++] = element;
}

static saddr_t remove_element(mempool_t *pool)
{
	saddr_t element;

	ktouch(pool->addr + MP_NR, 8, true);
	element = pool->elements[--pool->curr_nr];
	ktouch(pool->elements_addr + 8 * (saddr_t)pool->curr_nr, 8, false);
	if ((uint64_t)pool->curr_nr < pool->stats.low_water)
		pool->stats.low_water = (uint64_t)pool->curr_nr;
	return element;
}

static void pool_lock(mempool_t *pool, unsigned long *flags)
{
	local_irq_save(flags);
	spin_lock(&pool->lock, pool->cls, pool->addr);
}

static void pool_unlock(mempool_t *pool, unsigned long flags)
{
	spin_unlock(&pool->lock, pool->cls, pool->addr);
	local_irq_restore(flags);
}

/* ---- creation and destruction ---- */

static char *pool_owner(const mempool_t *pool)
{
	return g_strconcat("mempool:", pool->name, NULL);
}

static void pool_release_meta(mempool_t *pool)
{
	char *owner = pool_owner(pool);

	kmeta_release(owner, "mempool_t", MEMPOOL_STRUCT_SIZE);
	kmeta_release(owner, "mempool_elements", 8 * (size_t)pool->min_nr);
	g_free(owner);
}

static void pool_free_host(mempool_t *pool)
{
	spin_destroy(&pool->lock);
	g_free(pool->owned);
	g_free(pool->elements);
	g_free(pool->name);
	g_free(pool);
}

/* mempool_create(): the struct and element array (kmalloc'd metadata),
 * then min_nr elements from `alloc`.  min_nr must be at least 1. */
mempool_t *mempool_create(const char *name, int min_nr, mempool_alloc_t alloc,
                          mempool_free_t free, void *pool_data)
{
	mempool_t *pool;
	char *owner;

	if (min_nr < 1)
		kbug("mempool %s: min_nr %d", name, min_nr);
	pool = g_new0(mempool_t, 1);
	pool->name = g_strdup(name);
	pool->min_nr = min_nr;
	pool->elements = g_new0(saddr_t, min_nr);
	pool->page_order = -1;
	pool->alloc = alloc;
	pool->free = free;
	pool->pool_data = pool_data;
	owner = pool_owner(pool);
	pool->addr = kmeta_alloc(owner, "mempool_t", MEMPOOL_STRUCT_SIZE, -1);
	pool->elements_addr = kmeta_alloc(owner, "mempool_elements", 8 * (size_t)min_nr, -1);
	g_free(owner);
	spin_init(&pool->lock);
	pool->cls = klock_class("mempool.lock");
	ktouch(pool->addr, MEMPOOL_STRUCT_SIZE, true);
	while (pool->curr_nr < min_nr) {
		saddr_t element = alloc(GFP_KERNEL, -1, pool_data);

		if (!element) {
			mempool_destroy(pool);
			return NULL;
		}
		add_element(pool, element);
	}
	pool->stats.low_water = (uint64_t)min_nr;
	return pool;
}

/* mempool_destroy(): every reserved element goes back to the allocator. */
void mempool_destroy(mempool_t *pool)
{
	while (pool->curr_nr)
		pool->free(remove_element(pool), pool->pool_data);
	pool_release_meta(pool);
	pool_free_host(pool);
}

/* ---- page pools ---- */

static saddr_t page_pool_alloc(gfp_t gfp, int node, void *data)
{
	unsigned order = GPOINTER_TO_UINT(data);
	page_t *page = alloc_pages_node(node, gfp | (order ? __GFP_COMP : 0), order);

	return page ? page_address(page) : 0;
}

static void page_pool_free(saddr_t element, void *data)
{
	__free_pages(virt_to_page(element), GPOINTER_TO_UINT(data));
}

/* mempool_create_page_pool(): elements are 2^order pages (compound if
 * order > 0), named by their address. */
mempool_t *mempool_create_page_pool(const char *name, int min_nr, unsigned order)
{
	mempool_t *pool = mempool_create(name, min_nr, page_pool_alloc, page_pool_free,
	                                 GUINT_TO_POINTER(order));

	if (pool)
		pool->page_order = (int)order;
	return pool;
}

/* ---- slab pools ---- */

typedef struct slab_pool_data {
	const allocator_ops_t *ops;
	void *a;
	kmem_cache_t *s;
} slab_pool_data_t;

static saddr_t slab_pool_alloc(gfp_t gfp, int node, void *data)
{
	slab_pool_data_t *d = data;

	return d->ops->cache_alloc(d->a, d->s, gfp, node);
}

static void slab_pool_free(saddr_t element, void *data)
{
	slab_pool_data_t *d = data;

	d->ops->cache_free(d->a, d->s, element);
}

/* mempool_create_slab_pool(): elements are objects of cache s. */
mempool_t *mempool_create_slab_pool(const char *name, int min_nr,
                                    const allocator_ops_t *ops, void *a,
                                    kmem_cache_t *s)
{
	slab_pool_data_t *d = g_new(slab_pool_data_t, 1);
	mempool_t *pool;

	*d = (slab_pool_data_t){ ops, a, s };
	pool = mempool_create(name, min_nr, slab_pool_alloc, slab_pool_free, d);
	if (!pool) {
		g_free(d);
		return NULL;
	}
	pool->owned = d;
	return pool;
}

/* ---- allocation and free ---- */

/* mempool_alloc_node(): the element allocator without retries or warnings,
 * then the reserve; 0 when both are empty (nothing sleeps here). */
saddr_t mempool_alloc_node_from(mempool_t *pool, gfp_t gfp, int node, bool *reserved)
{
	saddr_t element;
	unsigned long flags;

	pool->stats.allocs++;
	if (reserved)
		*reserved = false;
	element = pool->alloc(gfp | __GFP_NORETRY | __GFP_NOWARN, node, pool->pool_data);
	if (element)
		return element;
	pool_lock(pool, &flags);
	ktouch(pool->addr + MP_NR, 8, false);
	if (pool->curr_nr) {
		element = remove_element(pool);
		pool->stats.reserve_hits++;
		if (reserved)
			*reserved = true;
	}
	pool_unlock(pool, flags);
	if (!element)
		pool->stats.failures++;
	return element;
}

/* mempool_alloc_node() without telling where the element came from. */
saddr_t mempool_alloc_node(mempool_t *pool, gfp_t gfp, int node)
{
	return mempool_alloc_node_from(pool, gfp, node, NULL);
}

/* mempool_alloc(): any node. */
saddr_t mempool_alloc(mempool_t *pool, gfp_t gfp)
{
	return mempool_alloc_node_from(pool, gfp, -1, NULL);
}

/* mempool_free(): an unlocked peek at curr_nr, then, if the reserve is
 * short, a locked recheck and refill (and the waitqueue check of the
 * wake_up); otherwise the element goes back to its allocator. */
void mempool_free(saddr_t element, mempool_t *pool)
{
	unsigned long flags;

	if (!element)
		return;
	ktouch(pool->addr + MP_NR, 8, false);
	if (pool->curr_nr < pool->min_nr) {
		pool_lock(pool, &flags);
		if (pool->curr_nr < pool->min_nr) {
			add_element(pool, element);
			pool->stats.refills++;
			pool_unlock(pool, flags);
			ktouch(pool->addr + MP_WAIT, 8, false);
			return;
		}
		pool_unlock(pool, flags);
	}
	pool->free(element, pool->pool_data);
}

/* Elements in the reserve now (free of charge). */
int mempool_level(const mempool_t *pool)
{
	return pool->curr_nr;
}

/* ---- critical pools (seed 004) ---- */

static const char *const variant_names[CRITPOOL_NVARIANTS] = {
	"dobson", "dobson-return", "dobson-exclusive", "dobson-fixed", "object-pool",
};

/* The variant's name as scenarios and reports spell it. */
const char *critpool_variant_name(critpool_variant_t v)
{
	return (unsigned)v < CRITPOOL_NVARIANTS ? variant_names[v] : "?";
}

/* Parse a variant name. */
bool critpool_variant_parse(const char *name, critpool_variant_t *out)
{
	for (int v = 0; v < CRITPOOL_NVARIANTS; v++) {
		if (!strcmp(name, variant_names[v])) {
			*out = (critpool_variant_t)v;
			return true;
		}
	}
	return false;
}

/* The cache_set_mempool flags of a Dobson variant. */
static unsigned dobson_flags(critpool_variant_t v)
{
	switch (v) {
	case CRITPOOL_DOBSON_RETURN:
		return SLAB_MEMPOOL_RETURN;
	case CRITPOOL_DOBSON_EXCLUSIVE:
		return SLAB_MEMPOOL_EXCLUSIVE;
	case CRITPOOL_DOBSON_FIXED:
		return SLAB_MEMPOOL_RETURN | SLAB_MEMPOOL_EXCLUSIVE;
	default:
		return 0;
	}
}

/* A critical pool for cache s: order-0 pages attached to the cache
 * (Dobson), or min_nr objects of it (object pool). */
critpool_t *critpool_create(const allocator_ops_t *ops, void *a, kmem_cache_t *s,
                            critpool_variant_t v, int min_nr)
{
	critpool_t *cp;
	cache_info_t ci;
	mempool_t *pool;

	if ((unsigned)v >= CRITPOOL_NVARIANTS || min_nr < 1 ||
	    (v != CRITPOOL_OBJECT_POOL && !ops->cache_set_mempool))
		return NULL;
	ops->cache_info(a, s, &ci);
	if (v != CRITPOOL_OBJECT_POOL && ci.order != 0)
		return NULL;    /* the patch supports order-0 slabs only */
	pool = v == CRITPOOL_OBJECT_POOL ?
	       mempool_create_slab_pool(ci.name, min_nr, ops, a, s) :
	       mempool_create_page_pool(ci.name, min_nr, 0);
	if (!pool)
		return NULL;
	cp = g_new0(critpool_t, 1);
	*cp = (critpool_t){ .variant = v, .ops = ops, .a = a, .s = s, .pool = pool,
	                    .caches = g_ptr_array_new() };
	g_ptr_array_add(cp->caches, s);
	if (v != CRITPOOL_OBJECT_POOL)
		ops->cache_set_mempool(a, s, pool, dobson_flags(v));
	return cp;
}

/* Let the pool back one more cache (Dobson variants, order-0 caches). */
bool critpool_attach(critpool_t *cp, kmem_cache_t *s)
{
	cache_info_t ci;

	if (cp->variant == CRITPOOL_OBJECT_POOL)
		return false;
	cp->ops->cache_info(cp->a, s, &ci);
	if (ci.order != 0)
		return false;   /* order-0 slabs only, as at creation */
	for (unsigned i = 0; i < cp->caches->len; i++)
		if (g_ptr_array_index(cp->caches, i) == s)
			return true;
	g_ptr_array_add(cp->caches, s);
	cp->ops->cache_set_mempool(cp->a, s, cp->pool, dobson_flags(cp->variant));
	return true;
}

static void critpool_detach_all(critpool_t *cp)
{
	for (unsigned i = 0; cp->variant != CRITPOOL_OBJECT_POOL && i < cp->caches->len; i++)
		cp->ops->cache_set_mempool(cp->a, g_ptr_array_index(cp->caches, i), NULL, 0);
}

/* Detach the pool from every cache and give its reserve back. */
void critpool_destroy(critpool_t *cp)
{
	critpool_detach_all(cp);
	mempool_destroy(cp->pool);
	g_ptr_array_free(cp->caches, TRUE);
	g_free(cp);
}

/* At teardown, before the allocator is destroyed: detach (host work in
 * the allocators that implement the hook) and free the host structures;
 * the reserve pages and the metadata stay with the run, as slab pages do. */
void critpool_free_host(critpool_t *cp)
{
	critpool_detach_all(cp);
	pool_free_host(cp->pool);
	g_ptr_array_free(cp->caches, TRUE);
	g_free(cp);
}

/* A critical request: kmem_cache_alloc_mempool (Dobson) or mempool_alloc
 * of the object pool; an ordinary one: kmem_cache_alloc. */
saddr_t critpool_cache_alloc(critpool_t *cp, kmem_cache_t *s, bool critical, int node)
{
	saddr_t obj;

	if (critical && cp->variant == CRITPOOL_OBJECT_POOL && s == cp->s)
		obj = mempool_alloc_node(cp->pool, GFP_KERNEL, node);
	else
		obj = cp->ops->cache_alloc(cp->a, s, critical ? __GFP_CRITICAL : 0, node);
	if (critical) {
		cp->crit_allocs++;
		cp->crit_failures += !obj;
	} else {
		cp->noncrit_allocs++;
		cp->noncrit_failures += !obj;
	}
	return obj;
}

/* Free: mempool_free for the object pool's critical objects, else
 * kmem_cache_free; 0 (a failed allocation) is ignored. */
void critpool_cache_free(critpool_t *cp, kmem_cache_t *s, saddr_t obj, bool critical)
{
	if (!obj)
		return;
	if (critical && cp->variant == CRITPOOL_OBJECT_POOL && s == cp->s)
		mempool_free(obj, cp->pool);
	else
		cp->ops->cache_free(cp->a, s, obj);
}

/* critpool_cache_alloc on the pool's own cache. */
saddr_t critpool_alloc(critpool_t *cp, bool critical, int node)
{
	return critpool_cache_alloc(cp, cp->s, critical, node);
}

/* critpool_cache_free on the pool's own cache. */
void critpool_free(critpool_t *cp, saddr_t obj, bool critical)
{
	critpool_cache_free(cp, cp->s, obj, critical);
}

/* The reserve level now: pages (Dobson) or objects (object pool). */
int critpool_level(const critpool_t *cp)
{
	return mempool_level(cp->pool);
}

/* Everything a report shows about the pool (free). */
void critpool_stats(const critpool_t *cp, critpool_stats_t *out)
{
	const mempool_stats_t *ps = &cp->pool->stats;

	*out = (critpool_stats_t){
		.min_nr = (uint64_t)cp->pool->min_nr,
		.level = (uint64_t)cp->pool->curr_nr,
		.low_water = ps->low_water,
		.pool_hits = ps->reserve_hits,
		.pool_refills = ps->refills,
		.crit_allocs = cp->crit_allocs,
		.crit_failures = cp->crit_failures,
		.noncrit_allocs = cp->noncrit_allocs,
		.noncrit_failures = cp->noncrit_failures,
		.leaked = ps->leaked,
	};
}
