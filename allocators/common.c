/*
 * common.c -- what every allocator shares, as Linux's mm/slab_common.c:
 * strategy-independent code, once (see allocator.h).
 */
#include <limits.h>
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
                                       size_t size, size_t align, unsigned flags,
                                       const kmem_ctor_t *ctor)
{
	kmem_cache_t *s = name && size ? ops->cache_create(a, name, size, align, flags, ctor) : NULL;

	return slab_check_created(ops->name, name, flags, s);
}

/* The legacy creator: SLAB_HWCACHE_ALIGN becomes an alignment. */
kmem_cache_t *kmem_cache_create_legacy(const allocator_ops_t *ops, void *a, const char *name,
                                       size_t size, size_t align, unsigned flags,
                                       const kmem_ctor_t *ctor)
{
	align = slab_calculate_alignment(flags, align, size, (size_t)cache_line_size());
	return kmem_cache_create(ops, a, name, size, align, flags & ~(unsigned)SLAB_HWCACHE_ALIGN,
	                         ctor);
}

/* KMEM_CACHE's creator: SLAB_HWCACHE_ALIGN is dropped. */
kmem_cache_t *kmem_cache_create_decl(const allocator_ops_t *ops, void *a, const char *name,
                                     size_t size, size_t align, unsigned flags,
                                     const kmem_ctor_t *ctor)
{
	return kmem_cache_create(ops, a, name, size, align, flags & ~(unsigned)SLAB_HWCACHE_ALIGN,
	                         ctor);
}

/* Names only: the terminator is the list's last element. */
GPtrArray *slab_aliases_new(void)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, NULL);
	return a;
}

/* Before the terminator. */
void slab_alias_add(GPtrArray *aliases, const char *name)
{
	g_ptr_array_insert(aliases, (gint)aliases->len - 1, g_strdup(name));
}

/* pdata when a name precedes the terminator. */
const char *const *slab_aliases(const GPtrArray *aliases)
{
	return aliases->len > 1 ? (const char *const *)aliases->pdata : NULL;
}

/* One object in a block of the page allocator's highest order. */
size_t slab_max_order_size(int page_shift)
{
	return (size_t)1 << (page_shift + PA_MAX_ORDER - 1);
}

/* In creation order. */
void slab_caches_free(GPtrArray *caches, void (*free_cache)(kmem_cache_t *s))
{
	for (unsigned i = 0; i < caches->len; i++)
		free_cache(g_ptr_array_index(caches, i));
	g_ptr_array_free(caches, TRUE);
}

/* ---- allocation ---- */

/* An allocation's node: online, or -1. */
void slab_check_node(const char *allocator, int node)
{
	if (node < -1 || node >= nr_node_ids())
		kbug("%s: allocation on node %d of %d", allocator, node, nr_node_ids());
}

/* ---- constructors, __GFP_ZERO, slab page accounting ---- */

/* A copy the cache owns. */
kmem_ctor_t *slab_ctor_dup(const kmem_ctor_t *ctor)
{
	return ctor ? g_memdup2(ctor, sizeof(*ctor)) : NULL;
}

/* ctor(obj): the bytes it writes, then its compute. */
void slab_run_ctor(const kmem_ctor_t *ctor, saddr_t obj)
{
	if (ctor->bytes)
		ktouch(obj, ctor->bytes, true);
	engine_charge(COST_CTOR, ctor->cost);
}

/* Every object of a new slab, in address order. */
void slab_run_ctor_all(const kmem_ctor_t *ctor, saddr_t start, unsigned stride, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		slab_run_ctor(ctor, start + (saddr_t)i * stride);
}

/* memset(obj, 0, size) for __GFP_ZERO. */
void slab_zero(gfp_t gfp, saddr_t obj, size_t size)
{
	if (obj && (gfp & __GFP_ZERO))
		kzero(obj, (uint32_t)size);
}

/* mod_zone_page_state of the slab counter the cache's pages count in. */
void slab_account_pages(const page_t *page, unsigned flags, long pages)
{
	mod_zone_page_state(page, (flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE :
	                    NR_SLAB_UNRECLAIMABLE, pages);
}

/* __free_slab: uncounted, then to the pool (mempool_free refills the
 * reserve if it is short, else frees them) or the page allocator. */
static void free_pages_now(const slab_pages_t *sp)
{
	slab_account_pages(sp->page, sp->flags, -(1L << sp->order));
	if (sp->pool)
		mempool_free(page_address(sp->page), sp->pool);
	else
		__free_pages(sp->page, sp->order);
}

/* rcu_free_slab. */
static void rcu_free_pages(void *arg)
{
	free_pages_now(arg);
}

/* Now, or a grace period later. */
void slab_free_pages(const slab_pages_t *sp, saddr_t head)
{
	if (sp->flags & SLAB_DESTROY_BY_RCU)
		call_rcu(head, rcu_free_pages, sp, sizeof(*sp), RCU_SLAB,
		         (uint64_t)kpage_size() << sp->order);
	else
		free_pages_now(sp);
}

/* ---- debug bitmaps ---- */

static bool map_test(const uint8_t *map, unsigned i)
{
	return map[i / 8] & (1u << (i % 8));
}

static void map_set(uint8_t *map, unsigned i)
{
	map[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* One bit per object, rounded up to bytes. */
size_t slab_map_bytes(unsigned objects)
{
	return (objects + 7u) / 8;
}

/* Set bit i; a set bit is an object handed out twice. */
void slab_map_alloc(uint8_t *map, unsigned i, const char *name, saddr_t x)
{
	if (kbit_test_and_set(map, i))
		kbug("%s: freelist corrupted: object %#" G_GINT64_MODIFIER "x handed out twice",
		     name, x);
}

/* Clear bit i; a clear bit is a double free. */
void slab_map_free(uint8_t *map, unsigned i, const char *name, saddr_t x)
{
	if (!kbit_test_and_clear(map, i))
		kbug("%s: double free of object %#" G_GINT64_MODIFIER "x", name, x);
}

/* ---- freelist slabs ---- */

/* The cache side: no slab yet. */
void slab_objs_init(slab_objs_t *o, const void *cache, const char *name, unsigned size,
                    unsigned offset, bool debug)
{
	*o = (slab_objs_t){ .cache = cache, .name = name, .size = size, .offset = offset,
	                    .debug = debug };
	klist_init(&o->recs);
	pthread_mutex_init(&o->recs_lock, NULL);
}

/* Every record goes, and with it the page lock of its slab. */
void slab_objs_release(slab_objs_t *o)
{
	while (!klist_empty(&o->recs)) {
		slab_rec_t *r = klist_entry(o->recs.next, slab_rec_t, link);

		spin_destroy(&r->page->lock);
		slab_rec_free(o, r->page);
	}
	pthread_mutex_destroy(&o->recs_lock);
}

/* Walk the records. */
void slab_objs_active(slab_objs_t *o, uint64_t *objs, uint64_t *slabs)
{
	klist_t *pos;

	*objs = *slabs = 0;
	pthread_mutex_lock(&o->recs_lock);
	klist_for_each(pos, &o->recs) {
		uint32_t live = klist_entry(pos, slab_rec_t, link)->live;

		*objs += live;
		*slabs += live > 0;
	}
	pthread_mutex_unlock(&o->recs_lock);
}

/* A record with a bitmap under debug, then the synthesised pointers'
 * bitmap (all set), last on the cache's list. */
void slab_rec_new(slab_objs_t *o, page_t *page, unsigned objects)
{
	size_t map = o->debug ? slab_map_bytes(objects) : 0, synth = slab_map_bytes(objects);
	slab_rec_t *r = g_malloc0(sizeof(*r) + map + synth);

	r->page = page;
	r->objects = objects;
	r->synth = r->map + map;
	r->nsynth = knative() ? 0 : objects;
	if (r->nsynth)
		memset(r->synth, 0xff, synth);
	pthread_mutex_lock(&o->recs_lock);
	klist_add_tail(&r->link, &o->recs);
	pthread_mutex_unlock(&o->recs_lock);
	page->priv = r;
}

/* Unlink and free page's record. */
void slab_rec_free(slab_objs_t *o, page_t *page)
{
	slab_rec_t *r = slab_rec(page);

	pthread_mutex_lock(&o->recs_lock);
	klist_del(&r->link);
	pthread_mutex_unlock(&o->recs_lock);
	page->priv = NULL;
	g_free(r);
}

/* Is x the start of an object of page's slab? */
static bool object_in_slab(const slab_objs_t *o, const page_t *page, saddr_t x)
{
	saddr_t base = page_address(page);

	return x >= base && x < base + (saddr_t)slab_rec(page)->objects * o->size &&
	       (x - base) % o->size == 0;
}

/* The index of object on page if its free pointer is still host-side
 * (never stored since the slab was made), else -1. */
static long synthesised(const slab_objs_t *o, const page_t *page, saddr_t object)
{
	const slab_rec_t *r = page ? slab_rec(page) : NULL;
	saddr_t base;
	uint64_t i;

	if (!r || !r->nsynth || object < (base = page_address(page)) || (object - base) % o->size)
		return -1;
	i = (object - base) / o->size;
	return i < r->objects && (r->synth[i / 8] >> (i % 8) & 1) ? (long)i : -1;
}

/* What the host-side free pointer of object i (at x) of page's slab
 * names: the next object, or 0 after the last. */
static saddr_t synthesised_next(const slab_objs_t *o, const page_t *page, long i, saddr_t x)
{
	return (uint32_t)i + 1 < slab_rec(page)->objects ? x + o->size : 0;
}

/* The free pointer of object x (of page's slab), free of charge. */
static saddr_t peek_freepointer(const slab_objs_t *o, const page_t *page, saddr_t x)
{
	long i = synthesised(o, page, x);

	return i >= 0 ? synthesised_next(o, page, i, x) : kpeek64(x + o->offset);
}

unsigned slab_freelist_count(const slab_objs_t *o, const page_t *page, saddr_t head)
{
	unsigned n = 0, max = slab_rec(page)->objects;

	for (saddr_t x = head; x; x = peek_freepointer(o, page, x))
		if (!object_in_slab(o, page, x) || ++n > max)
			return UINT_MAX;
	return n;
}

/* (x - slab start) / stride. */
unsigned slab_object_index(const slab_objs_t *o, const page_t *page, saddr_t x)
{
	return (unsigned)((x - page_address(page)) / o->size);
}

/* The load (of a pointer still host-side: priced the same, the next
 * object), then the debug check of where it points. */
saddr_t slab_get_freepointer(const slab_objs_t *o, const page_t *page, saddr_t object)
{
	long i = synthesised(o, page, object);
	saddr_t p;

	if (i >= 0) {
		ktouch(object + o->offset, 8, false);
		p = synthesised_next(o, page, i, object);
	} else {
		p = kload64(object + o->offset);
	}

	if (o->debug && p && !object_in_slab(o, page, p))
		kbug("%s: freelist corrupted: object %#" G_GINT64_MODIFIER "x has free pointer %#"
		     G_GINT64_MODIFIER "x outside its slab", o->name, object, p);
	return p;
}

/* The store (the pointer is host-side no more). */
void slab_set_freepointer(const slab_objs_t *o, saddr_t object, saddr_t fp)
{
	page_t *page = virt_to_page(object);
	long i = synthesised(o, page, object);

	if (i >= 0) {
		slab_rec(page)->synth[i / 8] &= (uint8_t)~(1u << (i % 8));
		slab_rec(page)->nsynth--;
	}
	kstore64(object + o->offset, fp);
}

/* Mark x handed out (debug) and count it in its slab's record. */
void slab_note_alloc(slab_objs_t *o, page_t *page, saddr_t x)
{
	slab_rec_t *r = slab_rec(page);

	if (o->debug)
		slab_map_alloc(r->map, slab_object_index(o, page, x), o->name, x);
	khost_add32(&r->live, 1);
}

/* The page must be a slab of the cache and x one of its objects, handed
 * out; its mark is cleared. */
void slab_check_free(const slab_objs_t *o, page_t *page, saddr_t x)
{
	if (!o->debug)
		return;
	if (!page || !(page_flags(page) & PG_slab) || page->slab != o->cache ||
	    !object_in_slab(o, page, x))
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", o->name, x);
	slab_map_free(slab_rec(page)->map, slab_object_index(o, page, x), o->name, x);
}

/* Uncount an object in its slab's record. */
void slab_note_free(slab_objs_t *o, page_t *page)
{
	(void)o;
	khost_add32(&slab_rec(page)->live, -1);
}

/* Each object in address order, its free pointer naming the next: in a
 * simulation the stores priced, their values kept host-side by the record
 * slab_rec_new() makes next; on host threads stored. */
void slab_init_objects(const slab_objs_t *o, page_t *page, unsigned objects)
{
	saddr_t start = page_address(page);

	for (unsigned i = 0; i < objects; i++) {
		saddr_t fp = start + (saddr_t)i * o->size + o->offset;

		if (knative())
			kstore64(fp, i + 1 < objects ? start + (saddr_t)(i + 1) * o->size : 0);
		else
			ktouch(fp, 8, true);
	}
	page->freelist = start;
	page->inuse = 0;
}

/* Mark the free ones in a host bitmap, list the others. */
unsigned slab_objects_in_use(const slab_objs_t *o, page_t *page, saddr_t *objs)
{
	unsigned objects = slab_rec(page)->objects, n = 0;
	uint8_t *listed = g_new0(uint8_t, slab_map_bytes(objects));
	saddr_t base = page_address(page);

	kpage_touch(page, false);
	for (saddr_t p = page->freelist; p; p = slab_get_freepointer(o, page, p))
		map_set(listed, slab_object_index(o, page, p));
	for (unsigned i = 0; i < objects; i++)
		if (!map_test(listed, i))
			objs[n++] = base + (saddr_t)i * o->size;
	g_free(listed);
	return n;
}

/* ---- critical mempool backing (seed 004) ---- */

/* The pages from the pool; from it when they were its reserve's. */
page_t *slab_mempool_pages(mempool_t *pool, gfp_t gfp, int node, mempool_t **from)
{
	bool reserved;
	saddr_t x = mempool_alloc_node_from(pool, gfp, node, &reserved);

	*from = x && reserved ? pool : NULL;
	return x ? virt_to_page(x) : NULL;
}

/* Every record's pool pointer cleared. */
void slab_objs_forget_pool(slab_objs_t *o)
{
	klist_t *pos;

	pthread_mutex_lock(&o->recs_lock);
	klist_for_each(pos, &o->recs)
		klist_entry(pos, slab_rec_t, link)->pool = NULL;
	pthread_mutex_unlock(&o->recs_lock);
}

/* ---- pages ---- */

/* virt_to_head_page, and the read of the head's struct page. */
page_t *slab_object_page(saddr_t x)
{
	page_t *page = virt_to_head_page(x);

	if (page)
		kpage_touch(page, false);
	return page;
}

/* b's first and last pages and head's last page (if any) change links. */
void slab_lru_splice_tail(klist_t *head, klist_t *b)
{
	if (klist_empty(b))
		return;
	kpage_touch(klist_entry(b->next, page_t, lru), true);
	kpage_touch(klist_entry(b->prev, page_t, lru), true);
	if (head->prev != head)
		kpage_touch(klist_entry(head->prev, page_t, lru), true);
	b->next->prev = head->prev;
	head->prev->next = b->next;
	b->prev->next = head;
	head->prev = b->prev;
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

/* Zero, large or a class. */
saddr_t kmalloc_classes(kmem_cache_t *const *caches, slab_alloc_fn alloc, size_t size,
                        gfp_t gfp, int node)
{
	return kmalloc_classes_upto(caches, alloc, (size_t)kpage_size(), size, gfp, node);
}

/* Zero, large above max_size, or a class. */
saddr_t kmalloc_classes_upto(kmem_cache_t *const *caches, slab_alloc_fn alloc, size_t max_size,
                             size_t size, gfp_t gfp, int node)
{
	if (size > max_size)
		return kmalloc_large(size, gfp, node);
	if (!size)
		return ZERO_SIZE_PTR;
	return alloc(caches[kmalloc_index(size)], gfp, node);
}

/* The page of x decides: a slab's, or a compound page's head. */
void kfree_classes(saddr_t x, bool debug, slab_free_fn cache_free)
{
	kfree_classes_upto(x, debug, cache_free, (size_t)kpage_size());
}

/* A page kmalloc_large may have handed out: a compound head, or (limits
 * below PAGE_SIZE) an order-0 page in use; x its start. */
static bool large_kmalloc_page(const page_t *page, saddr_t x, bool order0)
{
	if (x != page_address(page))
		return false;
	if (page_flags(page) & PG_head)
		return true;
	return order0 && page->count > 0 && !(page_flags(page) & (PG_tail | PG_buddy | PG_pcp));
}

/* As kfree_classes; below PAGE_SIZE, max_size makes order-0 pass-through
 * pages, which are not compound and go back at order 0. */
void kfree_classes_upto(saddr_t x, bool debug, slab_free_fn cache_free, size_t max_size)
{
	page_t *page;

	if (x <= ZERO_SIZE_PTR)
		return;
	page = slab_object_page(x);
	if (debug && (!page || (!(page_flags(page) & PG_slab) &&
	                        !large_kmalloc_page(page, x, max_size < (size_t)kpage_size()))))
		kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x", x);
	if (!(page_flags(page) & PG_slab)) {
		__free_pages(page, page->order);
		return;
	}
	cache_free(page->slab, page, x);
}

/* What kmalloc(size) hands out: its class, or whole pages above PAGE_SIZE.
 * Reads only the machine (it runs before the instance `a` exists). */
size_t kmalloc_class_size(void *a, size_t size)
{
	(void)a;
	return kmalloc_class_size_upto((size_t)kpage_size(), size);
}

/* Its class up to max_size, whole pages above. */
size_t kmalloc_class_size_upto(size_t max_size, size_t size)
{
	if (size > max_size)
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
