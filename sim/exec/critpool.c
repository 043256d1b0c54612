/*
 * critpool.c -- the critical pools of seed 004 ("[patch 9/9] slab -
 * Implement single mempool backing for slab allocator", Matthew Dobson,
 * 2006, with Pekka Enberg's critique; docs/mempool.md): a subsystem's
 * critical and ordinary requests on the caches its pool backs, above the
 * allocators (see critpool.h).
 *
 * The variants:
 *  - Dobson (the four CRITPOOL_DOBSON*): a page pool attached to the cache
 *    with allocator_ops.cache_set_mempool; critical requests carry
 *    __GFP_CRITICAL, and the allocator grows the cache from the pool when
 *    the page allocator fails (kmem_getpages -> mempool_alloc_node).  The
 *    _RETURN and _EXCLUSIVE flags are Dobson's planned fixes.
 *  - Object pool (Pekka Enberg): a slab pool of min_nr objects of the
 *    cache; critical requests use mempool_alloc / mempool_free, ordinary
 *    ones kmem_cache_alloc / kmem_cache_free.  The allocator knows nothing.
 *
 * The critpool layer is the subsystem's own code and costs nothing itself.
 */
#include "critpool.h"

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
	mempool_free_host(cp->pool);
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
