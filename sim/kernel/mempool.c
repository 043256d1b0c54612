/*
 * mempool.c -- memory pools as Linux 2.6.16 mm/mempool.c (the reserve
 * behind seed 004's critical pools: docs/mempool.md).
 *
 * Owns: mempool_t, a reserve of min_nr elements filled at creation from
 * the pool's element allocator.  Results depend only on simulated
 * addresses and call order, never on host addresses.
 *
 * Design.  mempool_alloc tries the element allocator first, with
 * __GFP_NORETRY | __GFP_NOWARN, and only then takes an element from the
 * reserve under pool->lock; there is no __GFP_WAIT in slabsim, so an empty
 * reserve means failure, never sleeping.  mempool_free peeks at curr_nr
 * without the lock and refills the reserve (under the lock) while it is
 * below min_nr, else frees the element to the allocator.  Page pools hold
 * page addresses; slab pools (critpool.c) hold objects.
 *
 * Pricing: struct mempool_s (72 B: lock, min_nr, curr_nr, elements,
 * pool_data, alloc, free, wait) and the element array are kmalloc'd
 * metadata (owner "mempool:NAME"); the reserve is touched at the array
 * slot it reads or writes, the lock is a spinlock at the struct.
 *
 * Lock order: pool->lock is innermost and held only around the reserve;
 * the element allocator is never called under it.
 */
#include "kernel.h"
#include "mempool.h"

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

	kmeta_release(owner, "mempool_t", MEMPOOL_STRUCT_SIZE, pool->addr);
	kmeta_release(owner, "mempool_elements", 8 * (size_t)pool->min_nr, pool->elements_addr);
	g_free(owner);
}

/* Free the pool's host structures only (teardown without a CPU: its
 * elements and metadata stay with the run). */
void mempool_free_host(mempool_t *pool)
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
	mempool_free_host(pool);
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
