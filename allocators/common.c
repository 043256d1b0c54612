/*
 * common.c -- what every allocator shares, as Linux's mm/slab_common.c:
 * strategy-independent code, once (see allocator.h).
 */
#include "allocator.h"

/* ---- cache creation ---- */

/* SLAB_PANIC: a cache the allocator could not make stops the run. */
kmem_cache_t *slab_check_created(const char *allocator, const char *name, unsigned flags,
                                 kmem_cache_t *s)
{
	if (!s && (flags & SLAB_PANIC))
		kbug("%s: cannot create slab cache %s", allocator, name);
	return s;
}

/* kmem_cache_create: a named cache of objects of at least one byte, made
 * by the allocator, under SLAB_PANIC or else NULL if it cannot be. */
static kmem_cache_t *kmem_cache_create(const allocator_ops_t *ops, void *a, const char *name,
                                       size_t size, size_t align, unsigned flags)
{
	kmem_cache_t *s = name && size ? ops->cache_create(a, name, size, align, flags) : NULL;

	return slab_check_created(ops->name, name, flags, s);
}

/* The legacy creator: SLAB_HWCACHE_ALIGN becomes an alignment. */
kmem_cache_t *kmem_cache_create_legacy(const allocator_ops_t *ops, void *a, const char *name,
                                       size_t size, size_t align, unsigned flags)
{
	align = slab_calculate_alignment(flags, align, size, (size_t)cache_line_size());
	return kmem_cache_create(ops, a, name, size, align, flags & ~(unsigned)SLAB_HWCACHE_ALIGN);
}

/* KMEM_CACHE's creator: SLAB_HWCACHE_ALIGN is dropped. */
kmem_cache_t *kmem_cache_create_decl(const allocator_ops_t *ops, void *a, const char *name,
                                     size_t size, size_t align, unsigned flags)
{
	return kmem_cache_create(ops, a, name, size, align, flags & ~(unsigned)SLAB_HWCACHE_ALIGN);
}

/* ---- allocation ---- */

/* An allocation's node: online, or -1. */
void slab_check_node(const char *allocator, int node)
{
	if (node < -1 || node >= nr_node_ids())
		kbug("%s: allocation on node %d of %d", allocator, node, nr_node_ids());
}

/* ---- kmalloc size classes ---- */

/* (size - 1) / 8 -> kmalloc_caches[] index for sizes up to 192. */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7,
	2, 2, 2, 2, 2, 2, 2, 2,
};

/* kmalloc-96 and kmalloc-192 in between the powers of two up to 256. */
int kmalloc_index(size_t size)
{
	return size <= 192 ? size_index[(size - 1) / 8] : fls_long(size - 1);
}

/* 96, 192 or 2^index bytes. */
size_t kmalloc_index_size(int index)
{
	return index == 1 ? 96 : index == 2 ? 192 : (size_t)1 << index;
}

/* kmalloc_large: a compound page of get_order(size). */
saddr_t kmalloc_large(size_t size, gfp_t gfp, int node)
{
	page_t *page = alloc_pages_node(node, gfp | __GFP_COMP,
	                                get_order(size, kpage_shift()));

	return page ? page_address(page) : 0;
}

/* What kmalloc(size) hands out: its class, or whole pages above PAGE_SIZE.
 * Reads only the machine (it runs before the instance `a` exists). */
size_t kmalloc_class_size(void *a, size_t size)
{
	(void)a;
	if (size > (size_t)kpage_size())
		return (size_t)kpage_size() << get_order(size, kpage_shift());
	return size ? kmalloc_index_size(kmalloc_index(size)) : 0;
}

/* ---- boot and shutdown ---- */

/* Boot ops on the running CPU.  Its create() already kmallocs bootstrap
 * structures, rounded by its own kmalloc before the instance exists (the
 * rounding hooks ignore the instance, or read only what is fixed before
 * create runs). */
void *allocator_boot(const allocator_ops_t *ops, const long *tunables)
{
	void *a;

	kernel_set_kmalloc_size(ops->kmalloc_size, NULL);
	a = ops->create(tunables);
	kernel_set_kmalloc_size(ops->kmalloc_size, a);
	return a;
}

/* Destroy an instance allocator_boot made (host side: no CPU needed). */
void allocator_shutdown(const allocator_ops_t *ops, void *a)
{
	if (a)
		ops->destroy(a);
	kernel_set_kmalloc_size(NULL, NULL);
}
