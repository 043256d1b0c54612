/*
 * slob.c -- SLOB as in Linux 2.6.29 (mm/slob.c, Matt Mackall's "simple list
 * of blocks" allocator, as of 2.6.29: three size-bucketed free lists, the
 * search-start rotation, NUMA node filtering; reference: the 2.6.29 source
 * of mm/slob.c, read for behaviour, and the 2010 patch "slob_free: free
 * objects to their own list" that shows 2.6.29's free_slob_small refill).
 *
 * Design.  Every object, whatever its cache, is a block carved first-fit out
 * of order-0 "slob pages".  Sizes are counted in units of SLOB_UNIT =
 * sizeof(slobidx_t) bytes: 2 (an s16) while PAGE_SIZE <= 32767 * 2, else 4
 * (an s32: 64 KiB pages).  The free blocks of
 * a page are chained in address order inside the page, in simulated memory:
 * a free block of more than one unit holds its size in units at s[0] and the
 * offset (in units from the page start) of the next free block at s[1]; a
 * one-unit block holds minus that offset at s[0].  The last free block
 * points at the page end.  The struct page is the struct slob_page: free
 * units (page->inuse, which overlays _mapcount as sp->units does), first
 * free block (page->freelist) and the list link (page->lru).  Pages with
 * free room sit on one of three global lists chosen by request size: small
 * (< 256 B), medium (< 1 KiB), large (the rest below PAGE_SIZE).  An
 * allocation walks its list, skipping pages of another node when a node is
 * named and pages with too few free units, and takes the first block that
 * fits, splitting off a head fragment to honour alignment.  After a success
 * the list head is moved so that the next search starts at the page that
 * succeeded (Knuth vol 1, 2.5).  If no page fits, a new page is taken from
 * the page allocator (on the named node) with the lock dropped.  A free
 * reinserts the block in address order, coalescing with both neighbours; a
 * page whose last block comes back goes to the page allocator at once, and
 * a full page that gets a block back goes on the small list (2.6.29 always
 * uses free_slob_small there, whatever the block's size).
 *
 * kmalloc(size) below PAGE_SIZE - 8 is slob_alloc(size + 8) aligned to 8,
 * the requested size stored as an unsigned int in the 8-byte header; larger
 * requests are compound pages of get_order(size), the size remembered in
 * the struct page (page->private, here page->priv).  kmem_cache_alloc of a
 * cache below PAGE_SIZE is slob_alloc(c->size, c->align); larger objects
 * are pages of get_order(c->size).  Caches own nothing: there are no slabs,
 * queues, per-CPU or per-node structures.
 *
 * Kernel features: kmem_cache_alloc_node runs the cache's constructor on
 * every allocation; slob_alloc clears the block for __GFP_ZERO (pages come
 * from the page allocator uncleared); kmem_cache_free of a
 * SLAB_DESTROY_BY_RCU cache writes the slob_rcu footer and frees the
 * object from an RCU callback (kmem_rcu_free).  Like 2.6.29's, SLOB counts
 * no slab pages in NR_SLAB_* (slob_new_pages calls the page allocator
 * alone).
 *
 * LOCK ORDER: one global spinlock, slob_lock ("slob_lock"), taken with irqs
 * off around every list walk, block split and block free; never held
 * across the page allocator (which takes zone.lock on its own).
 *
 * Pricing: the block headers (slobidx_t units) and the kmalloc size header are
 * read and written in simulated memory at their addresses; the struct page
 * of every page the walk visits, the list heads and slob_lock (one cache
 * line of kernel data) and the struct kmem_cache (at its metadata address)
 * are priced with ktouch/kpage_touch.  Counters and debug checks are host
 * bookkeeping and cost nothing.
 *
 * Metadata: the static slob_lock and three list heads, owner "(boot)",
 * category "slob_globals" (56 B).  A cache's struct kmem_cache (size,
 * align, flags, name, ctor: 32 B on LP64) is a block of a slob page, as
 * 2.6.29's kmem_cache_create takes it with slob_alloc(sizeof, GFP_KERNEL,
 * ARCH_KMALLOC_MINALIGN, -1): slab bytes, not metadata.
 *
 * cache_info: SLOB has no slabs.  A cache reports as "slabs" (and
 * active_slabs) the pages its live objects touch, objects_per_slab the
 * blocks of its size one empty page would hold, and num_objs = active_objs
 * (the objects in use: no free object belongs to a cache), so num_objs is
 * not slabs * objects_per_slab here.  A cache of objects of PAGE_SIZE or
 * more reports one "slab" of order get_order(size) per object.
 *
 * Deviations from 2.6.29:
 *  - A cache of size 0 is refused at creation (kmem_cache_create, as for
 *    every allocator), and so is one whose objects are larger than the
 *    page allocator's largest block, PAGE_SIZE << (MAX_ORDER - 1) (the
 *    kernel creates it and fails every allocation).
 *  - debug=1 adds simulator checks: foreign pointers, double frees, and a
 *    kmalloc header or cache size that does not match the block, with host
 *    bitmaps of block starts and used units per page.
 */
#include "allocator.h"

#define SLOB_BREAK1             256
#define SLOB_BREAK2             1024
#define SLOB_S16_PAGE_MAX       (32767 * 2)    /* slobidx_t is an s16 up to here */
#define KMALLOC_ALIGN           8              /* max of the two */
#define SLOB_ALIGN_UP(x, a)     (((x) + (a) - 1) & ~((saddr_t)(a) - 1))

/* Modelled LP64 layouts. */
#define KMEM_CACHE_SIZE         32             /* size, align, flags, name, ctor */
#define SLOB_RCU_SIZE           24             /* rcu_head, int size */
#define SLOB_RCU_HEAD           16             /* sizeof(struct rcu_head): size follows */
#define SLOB_G_LOCK             0              /* slob_lock in the globals line */
#define SLOB_G_LIST(i)          (8 + 16 * (i)) /* free_slob_{small,medium,large} */
#define SLOB_GLOBALS_SIZE       56

enum { SLOB_SMALL, SLOB_MEDIUM, SLOB_LARGE, SLOB_NLISTS };

enum stat_item {
	SLOB_ALLOC, SLOB_FREE, PAGE_ALLOC, PAGE_FREE, PAGES_SEARCHED,
	PAGE_MISS, BLOCKS_SCANNED, FREE_WALK, LIST_ROTATE, BIG_ALLOC, BIG_FREE,
	NR_SLOB_STAT_ITEMS
};

static const char *const stat_names[NR_SLOB_STAT_ITEMS] = {
	"slob_alloc", "slob_free", "page_alloc", "page_free", "pages_searched",
	"page_miss", "blocks_scanned", "free_walk", "list_rotate", "big_alloc",
	"big_free",
};

/* Host record of one slob page (page->priv): the debug bitmaps of block
 * starts and used units. */
typedef struct slob_rec {
	klist_t link;           /* on sl->pages */
	page_t *page;
	uint8_t map[];          /* debug only: starts, then used, a bit a unit */
} slob_rec_t;

typedef struct slob slob_ctx_t;

struct kmem_cache {
	slob_ctx_t *sl;
	char *name;
	size_t objsize;         /* as asked */
	unsigned size;          /* c->size: objsize, plus the RCU footer */
	unsigned align;
	unsigned flags;
	saddr_t addr;           /* the struct kmem_cache */
	uint64_t active_objs;
	uint64_t big_pages;     /* pages of objects >= PAGE_SIZE */
	GHashTable *pages;      /* page_t * -> objects of this cache on it */
	pthread_mutex_t pages_lock;     /* pages (host bookkeeping, for host threads) */
	kmem_ctor_t *ctor;      /* the constructor, or NULL */
};

struct slob {
	bool debug;
	unsigned unit;          /* SLOB_UNIT = sizeof(slobidx_t): 2, or 4 above SLOB_S16_PAGE_MAX */
	unsigned page_size, page_units, map_bytes;
	spinlock_t lock;
	lock_class_t *lock_cls;
	saddr_t globals;        /* slob_lock and the three list heads */
	klist_t lists[SLOB_NLISTS];
	klist_t pages;          /* slob_rec_t of every slob page */
	pthread_mutex_t pages_lock;     /* pages (host bookkeeping, for host threads) */
	GPtrArray *caches;      /* creation order */
	kcounters_t *stat;              /* [NR_SLOB_STAT_ITEMS] per CPU */
};

static inline void stat(slob_ctx_t *sl, enum stat_item si)
{
	kcounter_inc(sl->stat, si);
}

/* ---- units in simulated memory ---- */

/* Units of SLOB_UNIT bytes that `size` bytes take (SLOB_UNITS). */
static unsigned units_of(const slob_ctx_t *sl, size_t size)
{
	return (unsigned)((size + sl->unit - 1) / sl->unit);
}

/* One slobidx_t at a: a signed 16-bit value, or 32-bit with big pages. */
static int slob_get(const slob_ctx_t *sl, saddr_t a)
{
	return sl->unit == 2 ? (int16_t)kload16(a) : (int32_t)kload32(a);
}

static void slob_put(const slob_ctx_t *sl, saddr_t a, int v)
{
	if (sl->unit == 2)
		kstore16(a, (uint16_t)(int16_t)v);
	else
		kstore32(a, (uint32_t)v);
}

/* The kmalloc header: an unsigned int at an 8-aligned address. */
static unsigned header_get(saddr_t m)
{
	return kload32(m);
}

static void header_put(saddr_t m, unsigned size)
{
	kstore32(m, size);
}

static saddr_t slob_base(const slob_ctx_t *sl, saddr_t s)
{
	return s & ~((saddr_t)sl->page_size - 1);
}

/* Encode the free block s: `size` units, next free block at `next`. */
static void set_slob(slob_ctx_t *sl, saddr_t s, int size, saddr_t next)
{
	int offset = (int)((next - slob_base(sl, s)) / sl->unit);

	if (size > 1) {
		slob_put(sl, s, size);
		slob_put(sl, s + sl->unit, offset);
	} else {
		slob_put(sl, s, -offset);
	}
}

static int slob_units(const slob_ctx_t *sl, saddr_t s)
{
	int v = slob_get(sl, s);

	return v > 0 ? v : 1;
}

static saddr_t slob_next(slob_ctx_t *sl, saddr_t s)
{
	int v = slob_get(sl, s);
	int next = v < 0 ? -v : slob_get(sl, s + sl->unit);

	return slob_base(sl, s) + (saddr_t)next * sl->unit;
}

/* Is s the last free block of its page (its next is the page end)? */
static bool slob_last(slob_ctx_t *sl, saddr_t s)
{
	return (slob_next(sl, s) & ((saddr_t)sl->page_size - 1)) == 0;
}

/* ---- the lock and the free-page lists ---- */

static void slob_lock(slob_ctx_t *sl, unsigned long *flags)
{
	local_irq_save(flags);
	spin_lock(&sl->lock, sl->lock_cls, sl->globals + SLOB_G_LOCK);
}

static void slob_unlock(slob_ctx_t *sl, unsigned long flags)
{
	spin_unlock(&sl->lock, sl->lock_cls, sl->globals + SLOB_G_LOCK);
	local_irq_restore(flags);
}

/* Price touching a list node: a list head in the globals line, or the
 * struct page holding the link. */
static void touch_node(slob_ctx_t *sl, klist_t *l, bool write)
{
	for (int i = 0; i < SLOB_NLISTS; i++) {
		if (l == &sl->lists[i]) {
			ktouch(sl->globals + SLOB_G_LIST(i), 16, write);
			return;
		}
	}
	kpage_touch(klist_entry(l, page_t, lru), write);
}

static int list_of_size(size_t size)
{
	return size < SLOB_BREAK1 ? SLOB_SMALL : size < SLOB_BREAK2 ? SLOB_MEDIUM : SLOB_LARGE;
}

static bool slob_page_free(const page_t *page)
{
	return !klist_empty(&page->lru);
}

/* set_slob_page_free: the page goes at the head of `head`. */
static void set_slob_page_free(slob_ctx_t *sl, page_t *page, klist_t *head)
{
	touch_node(sl, head, true);
	touch_node(sl, head->next, true);
	kpage_touch(page, true);
	klist_add(&page->lru, head);
}

static void clear_slob_page_free(slob_ctx_t *sl, page_t *page)
{
	touch_node(sl, page->lru.prev, true);
	touch_node(sl, page->lru.next, true);
	kpage_touch(page, true);
	klist_del(&page->lru);
}

/* list_move_tail(head, at): the next search of `head` starts at `at`. */
static void rotate_list(slob_ctx_t *sl, klist_t *head, klist_t *at)
{
	touch_node(sl, head, true);
	touch_node(sl, head->prev, true);
	touch_node(sl, head->next, true);
	touch_node(sl, at->prev, true);
	touch_node(sl, at, true);
	klist_del(head);
	klist_insert(head, at->prev, at);
	stat(sl, LIST_ROTATE);
}

/* ---- debug checks and host bookkeeping (free of charge) ---- */

static unsigned unit_index(const slob_ctx_t *sl, saddr_t b)
{
	return (unsigned)((b - slob_base(sl, b)) / sl->unit);
}

/* Bit i of a debug map (an atomic load: other CPUs set bits of the same
 * byte on host threads; acquire, so mark_block's order is seen). */
static bool map_test(const uint8_t *map, unsigned i)
{
	return __atomic_load_n(&map[i / 8], __ATOMIC_ACQUIRE) & (1u << (i % 8));
}

static void map_set(uint8_t *map, unsigned i, bool on)
{
	if (on)
		kbit_test_and_set(map, i);
	else
		kbit_test_and_clear(map, i);
}

/* Mark the block of `units` at b allocated (on) or free (off).  Both run
 * outside slob_lock, so on host threads check_block may scan a neighbour
 * being marked: its start bit is set before its units and cleared after
 * them, so a scan always stops at the neighbour's first unit. */
static void mark_block(slob_ctx_t *sl, page_t *page, saddr_t b, int units, bool on)
{
	slob_rec_t *r = page->priv;
	unsigned i = unit_index(sl, b);

	if (!sl->debug)
		return;
	if (on)
		map_set(r->map, i, true);
	for (int u = 0; u < units; u++)
		map_set(r->map + sl->map_bytes, i + u, on);
	if (!on)
		map_set(r->map, i, false);
}

/* With debug, b must start a live block of exactly `units` units. */
static void check_block(slob_ctx_t *sl, page_t *page, saddr_t b, int units,
                        const char *what)
{
	slob_rec_t *r;
	unsigned i, end;

	if (!sl->debug)
		return;
	r = page->priv;
	i = unit_index(sl, b);
	if (!map_test(r->map, i)) {
		if (map_test(r->map + sl->map_bytes, i))
			kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed (inside a live block)",
			     what, b);
		kbug("%s: double free of block %#" G_GINT64_MODIFIER "x", what, b);
	}
	for (end = i + 1; end < sl->page_units && !map_test(r->map, end) &&
	                  map_test(r->map + sl->map_bytes, end); end++)
		;
	if ((int)(end - i) != units)
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed: block of %u units, "
		     "freed as %d", what, b, end - i, units);
}

static void slob_record_new(slob_ctx_t *sl, page_t *page)
{
	slob_rec_t *r = g_malloc0(sizeof(*r) + (sl->debug ? 2 * sl->map_bytes : 0));

	r->page = page;
	pthread_mutex_lock(&sl->pages_lock);
	klist_add_tail(&r->link, &sl->pages);
	pthread_mutex_unlock(&sl->pages_lock);
	page->priv = r;
}

static void slob_record_free(slob_ctx_t *sl, page_t *page)
{
	slob_rec_t *r = page->priv;

	pthread_mutex_lock(&sl->pages_lock);
	klist_del(&r->link);
	pthread_mutex_unlock(&sl->pages_lock);
	page->priv = NULL;
	g_free(r);
}

/* A cache object came into use on page (+1) or went back (-1). */
static void note_cache_page(kmem_cache_t *c, page_t *page, int delta)
{
	uintptr_t n;

	pthread_mutex_lock(&c->pages_lock);
	n = GPOINTER_TO_SIZE(g_hash_table_lookup(c->pages, page)) + (uintptr_t)delta;
	if (n)
		g_hash_table_insert(c->pages, page, GSIZE_TO_POINTER(n));
	else
		g_hash_table_remove(c->pages, page);
	pthread_mutex_unlock(&c->pages_lock);
}

/* ---- pages ---- */

/* slob_new_pages(): any node's pages for -1, else the named node's. */
static page_t *slob_new_pages(gfp_t gfp, unsigned order, int node)
{
	return alloc_pages_node(node, gfp, order);
}

/* A new slob page holding one free block of the whole page. */
static page_t *slob_new_page(slob_ctx_t *sl, gfp_t gfp, int node)
{
	page_t *page = slob_new_pages(gfp, 0, node);

	if (!page)
		return NULL;
	stat(sl, PAGE_ALLOC);
	kpage_flags_set(page, PG_slab);         /* set_slob_page() */
	kpage_touch(page, true);
	klist_init(&page->lru);
	slob_record_new(sl, page);
	return page;
}

static void slob_free_page(slob_ctx_t *sl, page_t *page)
{
	stat(sl, PAGE_FREE);
	kpage_flags_clear(page, PG_slab);       /* clear_slob_page() */
	page->inuse = 0;
	page->freelist = 0;
	kpage_touch(page, true);
	slob_record_free(sl, page);
	__free_pages(page, 0);
}

/* ---- allocation (slob_lock held) ---- */

/* Carve the block at cur (avail units, prev the free block before it or
 * 0) down to `units`, splitting off an alignment head of `delta` units. */
static saddr_t take_block(slob_ctx_t *sl, page_t *page, saddr_t prev, saddr_t cur,
                          int avail, int units, int delta)
{
	saddr_t next, rest;

	if (delta) {
		saddr_t aligned = cur + (saddr_t)delta * sl->unit;

		next = slob_next(sl, cur);
		set_slob(sl, aligned, avail - delta, next);
		set_slob(sl, cur, delta, aligned);
		prev = cur;
		cur = aligned;
		avail = slob_units(sl, cur);
	}
	next = slob_next(sl, cur);
	rest = avail == units ? next : cur + (saddr_t)units * sl->unit;
	if (prev)
		set_slob(sl, prev, slob_units(sl, prev), rest);
	else
		page->freelist = rest;
	if (avail != units)
		set_slob(sl, rest, avail - units, next);
	page->inuse -= units;
	kpage_touch(page, true);
	if (!page->inuse)
		clear_slob_page_free(sl, page);
	return cur;
}

/* slob_page_alloc(): the first free block of page that holds `size` bytes
 * aligned to `align`, or 0. */
static saddr_t slob_page_alloc(slob_ctx_t *sl, page_t *page, size_t size, unsigned align)
{
	int units = (int)units_of(sl, size);
	saddr_t prev = 0, cur;

	kpage_touch(page, false);
	for (cur = page->freelist;; prev = cur, cur = slob_next(sl, cur)) {
		int avail = slob_units(sl, cur);
		int delta = 0;

		stat(sl, BLOCKS_SCANNED);
		if (align)
			delta = (int)((SLOB_ALIGN_UP(cur, align) - cur) / sl->unit);
		if (avail >= units + delta)
			return take_block(sl, page, prev, cur, avail, units, delta);
		if (slob_last(sl, cur))
			return 0;
	}
}

/* First fit over the list for `size`; 0 if no page on it has room. */
static saddr_t search_list(slob_ctx_t *sl, klist_t *head, size_t size,
                           unsigned align, int node, page_t **where)
{
	klist_t *pos;

	touch_node(sl, head, false);
	klist_for_each(pos, head) {
		page_t *page = klist_entry(pos, page_t, lru);
		klist_t *prev;
		saddr_t b;

		stat(sl, PAGES_SEARCHED);
		kpage_touch(page, false);       /* flags (node), units, list */
		if (node != -1 && page_to_nid(page) != node)
			continue;
		if (page->inuse < units_of(sl, size))
			continue;
		prev = pos->prev;
		b = slob_page_alloc(sl, page, size, align);
		if (!b) {
			stat(sl, PAGE_MISS);
			continue;
		}
		if (prev != head->prev && head->next != prev->next)
			rotate_list(sl, head, prev->next);
		*where = page;
		return b;
	}
	return 0;
}

/* slob_alloc(): a block of `size` bytes aligned to `align` from a page of
 * `node` (-1: any); 0 if the page allocator has nothing. */
static saddr_t slob_alloc(slob_ctx_t *sl, size_t size, gfp_t gfp, unsigned align,
                          int node)
{
	klist_t *head = &sl->lists[list_of_size(size)];
	page_t *page = NULL;
	unsigned long flags;
	saddr_t b;

	stat(sl, SLOB_ALLOC);
	slob_lock(sl, &flags);
	b = search_list(sl, head, size, align, node, &page);
	slob_unlock(sl, flags);
	if (!b) {
		saddr_t base;

		page = slob_new_page(sl, gfp & ~(gfp_t)__GFP_ZERO, node);
		if (!page)
			return 0;
		base = page_address(page);
		slob_lock(sl, &flags);
		page->inuse = (uint16_t)sl->page_units;
		page->freelist = base;
		set_slob(sl, base, (int)sl->page_units, base + sl->page_size);
		set_slob_page_free(sl, page, head);
		b = slob_page_alloc(sl, page, size, align);
		if (!b)
			kbug("slob: a new page cannot hold %zu bytes", size);
		slob_unlock(sl, flags);
	}
	mark_block(sl, page, b, (int)units_of(sl, size), true);
	slab_zero(gfp, b, size);
	return b;
}

/* ---- free ---- */

/* Insert b (units) in the address-ordered free list of a page already on
 * a free list, coalescing with its neighbours. */
static void reinsert_block(slob_ctx_t *sl, page_t *page, saddr_t b, int units)
{
	saddr_t prev, next;

	if (b < page->freelist) {
		if (b + (saddr_t)units * sl->unit == page->freelist) {
			units += slob_units(sl, page->freelist);
			page->freelist = slob_next(sl, page->freelist);
		}
		set_slob(sl, b, units, page->freelist);
		page->freelist = b;
		return;
	}
	prev = page->freelist;
	next = slob_next(sl, prev);
	while (b > next) {
		stat(sl, FREE_WALK);
		prev = next;
		next = slob_next(sl, prev);
	}
	if (!slob_last(sl, prev) && b + (saddr_t)units * sl->unit == next) {
		units += slob_units(sl, next);
		set_slob(sl, b, units, slob_next(sl, next));
	} else {
		set_slob(sl, b, units, next);
	}
	if (prev + (saddr_t)slob_units(sl, prev) * sl->unit == b)
		set_slob(sl, prev, slob_units(sl, b) + slob_units(sl, prev), slob_next(sl, b));
	else
		set_slob(sl, prev, slob_units(sl, prev), b);
}

/* slob_free(): give back the block of `size` bytes at b (a slob page). */
static void slob_free(slob_ctx_t *sl, page_t *page, saddr_t b, size_t size,
                      const char *what)
{
	int units = (int)units_of(sl, size);
	unsigned long flags;

	check_block(sl, page, b, units, what);
	mark_block(sl, page, b, units, false);
	stat(sl, SLOB_FREE);
	slob_lock(sl, &flags);
	kpage_touch(page, false);
	if (page->inuse + units == (int)sl->page_units) {
		if (slob_page_free(page))
			clear_slob_page_free(sl, page);
		slob_unlock(sl, flags);
		slob_free_page(sl, page);
		return;
	}
	if (!slob_page_free(page)) {
		/* A full page becomes partially free: always the small list. */
		page->inuse = (uint16_t)units;
		page->freelist = b;
		set_slob(sl, b, units, slob_base(sl, b) + sl->page_size);
		set_slob_page_free(sl, page, &sl->lists[SLOB_SMALL]);
	} else {
		page->inuse += units;
		reinsert_block(sl, page, b, units);
		kpage_touch(page, true);
	}
	slob_unlock(sl, flags);
}

/* With debug, x must be the start of a live page block of the allocator. */
static void check_big(slob_ctx_t *sl, page_t *page, saddr_t x, const char *what)
{
	if (!sl->debug)
		return;
	if (page && page->count <= 0)
		kbug("%s: double free of %#" G_GINT64_MODIFIER "x (its page is free)", what, x);
	if (!page || x != page_address(page))
		kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", what, x);
}

/* ---- the allocator_ops ---- */

static const tunable_t slob_tunables[] = {
	{ "debug", 1, 0, 1,
	  "check frees (foreign pointers, double frees, sizes that do not match "
	  "the block) (only while the run's kdebug_checks is on)" },
	{ NULL, 0, 0, 0, NULL },
};

/* Boot SLOB: the lock and the three empty lists; no caches. */
static void *slob_create(const long *tun)
{
	slob_ctx_t *sl = g_new0(slob_ctx_t, 1);

	sl->debug = tun[0] && kdebug_checks;
	sl->page_size = (unsigned)kpage_size();
	sl->unit = sl->page_size <= SLOB_S16_PAGE_MAX ? 2 : 4;
	sl->page_units = units_of(sl, sl->page_size);
	sl->map_bytes = (sl->page_units + 7) / 8;
	spin_init(&sl->lock);
	sl->lock_cls = klock_class("slob_lock");
	sl->globals = kmeta_static("(boot)", "slob_globals", SLOB_GLOBALS_SIZE, 0);
	for (int i = 0; i < SLOB_NLISTS; i++)
		klist_init(&sl->lists[i]);
	klist_init(&sl->pages);
	pthread_mutex_init(&sl->pages_lock, NULL);
	sl->caches = g_ptr_array_new();
	sl->stat = kcounters_new(NR_SLOB_STAT_ITEMS, nr_cpu_ids());
	return sl;
}

static void cache_free_host(kmem_cache_t *c)
{
	g_hash_table_destroy(c->pages);
	pthread_mutex_destroy(&c->pages_lock);
	g_free(c->ctor);
	g_free(c->name);
	g_free(c);
}

/* Free the host side (slob pages stay with the run). */
static void slob_destroy(void *a)
{
	slob_ctx_t *sl = a;

	while (!klist_empty(&sl->pages))
		slob_record_free(sl, klist_entry(sl->pages.next, slob_rec_t, link)->page);
	pthread_mutex_destroy(&sl->pages_lock);
	slab_caches_free(sl->caches, cache_free_host);
	spin_destroy(&sl->lock);
	kcounters_free(sl->stat);
	g_free(sl);
}

/* kmem_cache_create(): alignment only when forced (HWCACHE_ALIGN gives a
 * whole cache line), at least ARCH_SLAB_MINALIGN; NULL for objects (with
 * the RCU footer) larger than the page allocator's largest block. */
static kmem_cache_t *slob_cache_create(void *a, const char *name, size_t size,
                                       size_t align, unsigned flags, const kmem_ctor_t *ctor)
{
	slob_ctx_t *sl = a;
	kmem_cache_t *c;
	saddr_t addr;

	if (size + (flags & SLAB_DESTROY_BY_RCU ? SLOB_RCU_SIZE : 0) >
	    slab_max_order_size(kpage_shift()))
		return NULL;
	addr = slob_alloc(sl, KMEM_CACHE_SIZE, 0, ARCH_KMALLOC_MINALIGN, -1);
	if (!addr)
		return NULL;
	c = g_new0(kmem_cache_t, 1);
	c->sl = sl;
	c->addr = addr;
	c->name = g_strdup(name);
	c->objsize = size;
	c->ctor = slab_ctor_dup(ctor);
	c->size = (unsigned)size + (flags & SLAB_DESTROY_BY_RCU ? SLOB_RCU_SIZE : 0);
	c->flags = flags;
	c->align = flags & SLAB_HWCACHE_ALIGN ? (unsigned)cache_line_size() : 0;
	c->align = MAX(c->align, ARCH_SLAB_MINALIGN);
	c->align = MAX(c->align, (unsigned)align);
	ktouch(c->addr, KMEM_CACHE_SIZE, true);
	c->pages = g_hash_table_new(NULL, NULL);
	pthread_mutex_init(&c->pages_lock, NULL);
	g_ptr_array_add(sl->caches, c);
	return c;
}


/* kmem_cache_alloc_node() (node -1: kmem_cache_alloc()). */
static saddr_t slob_cache_alloc(void *a, kmem_cache_t *c, gfp_t gfp, int node)
{
	slob_ctx_t *sl = a;
	saddr_t b;

	slab_check_node("slob", node);
	ktouch(c->addr, KMEM_CACHE_SIZE, false);        /* size, align, ctor */
	if (c->size < sl->page_size) {
		b = slob_alloc(sl, c->size, gfp, c->align, node);
		if (b)
			note_cache_page(c, virt_to_page(b), 1);
	} else {
		page_t *page = slob_new_pages(gfp, get_order(c->size, kpage_shift()), node);

		b = page ? page_address(page) : 0;
		if (b) {
			stat(sl, BIG_ALLOC);
			khost_add64(&c->big_pages, 1 << get_order(c->size, kpage_shift()));
		}
	}
	if (b)
		khost_add64(&c->active_objs, 1);
	if (b && c->ctor)
		slab_run_ctor(c->ctor, b);      /* on every allocation */
	return b;
}

/* __kmem_cache_free(): the block, or the pages, of object x of c go back. */
static void __kmem_cache_free(slob_ctx_t *sl, kmem_cache_t *c, saddr_t x)
{
	page_t *page = slab_object_page(x);

	if (c->size < sl->page_size) {
		if (sl->debug && (!page || !(page_flags(page) & PG_slab)))
			kbug("%s: foreign pointer %#" G_GINT64_MODIFIER "x freed", c->name, x);
		slob_free(sl, page, x, c->size, c->name);
		note_cache_page(c, page, -1);
	} else {
		check_big(sl, page, x, c->name);
		stat(sl, BIG_FREE);
		khost_add64(&c->big_pages, -(1 << get_order(c->size, kpage_shift())));
		__free_pages(page, get_order(c->size, kpage_shift()));
	}
	khost_add64(&c->active_objs, -1);
}

/* What kmem_rcu_free frees (slob_rcu->size names the cache's size). */
typedef struct slob_rcu_arg {
	slob_ctx_t *sl;
	kmem_cache_t *c;
	saddr_t x;
} slob_rcu_arg_t;

static void kmem_rcu_free(void *arg)
{
	slob_rcu_arg_t *r = arg;

	__kmem_cache_free(r->sl, r->c, r->x);
}

/* kmem_cache_free(): the object goes back at once, or for a
 * SLAB_DESTROY_BY_RCU cache after a grace period (the slob_rcu footer at
 * its end: the rcu_head and the size). */
static void slob_cache_free(void *a, kmem_cache_t *c, saddr_t x)
{
	slob_rcu_arg_t r = { a, c, x };
	saddr_t footer = x + c->size - SLOB_RCU_SIZE;

	ktouch(c->addr, KMEM_CACHE_SIZE, false);        /* flags, size */
	if (!(c->flags & SLAB_DESTROY_BY_RCU)) {
		__kmem_cache_free(a, c, x);
		return;
	}
	ktouch(footer + SLOB_RCU_HEAD, sizeof(uint32_t), true);
	call_rcu(footer, kmem_rcu_free, &r, sizeof(r), RCU_OBJECT, c->size);
}

/* __kmalloc_node(): a block with an 8-byte size header below
 * PAGE_SIZE - 8, compound pages from there on. */
static saddr_t slob_kmalloc(void *a, size_t size, gfp_t gfp, int node)
{
	slob_ctx_t *sl = a;
	page_t *page;
	saddr_t m;

	slab_check_node("slob", node);
	if (size < sl->page_size - KMALLOC_ALIGN) {
		if (!size)
			return ZERO_SIZE_PTR;
		m = slob_alloc(sl, size + KMALLOC_ALIGN, gfp, KMALLOC_ALIGN, node);
		if (!m)
			return 0;
		header_put(m, (unsigned)size);
		return m + KMALLOC_ALIGN;
	}
	page = slob_new_pages(gfp | __GFP_COMP, get_order(size, kpage_shift()), node);
	if (!page)
		return 0;
	stat(sl, BIG_ALLOC);
	page->priv = GSIZE_TO_POINTER(size);    /* page->private = size */
	kpage_touch(page, true);
	return page_address(page);
}

/* kfree(): a slob block (its header gives the size), or the pages of a
 * large kmalloc. */
static void slob_kfree(void *a, saddr_t x)
{
	slob_ctx_t *sl = a;
	page_t *page;
	saddr_t m;

	if (x <= ZERO_SIZE_PTR)
		return;
	page = slab_object_page(x);
	if (page && (page_flags(page) & PG_slab)) {
		m = x - KMALLOC_ALIGN;
		if (sl->debug && slob_base(sl, m) != slob_base(sl, x))
			kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x", x);
		slob_free(sl, page, m, header_get(m) + KMALLOC_ALIGN, "kfree");
		return;
	}
	check_big(sl, page, x, "kfree");
	if (sl->debug && !page->priv)
		kbug("kfree: foreign pointer %#" G_GINT64_MODIFIER "x (not a kmalloc page)", x);
	stat(sl, BIG_FREE);
	page->priv = NULL;
	__free_pages(page, page->order);
}

/* kmem_cache_shrink() is a no-op in SLOB: empty pages are already gone. */
static void slob_shrink(void *a, kmem_cache_t *c)
{
	(void)a;
	(void)c;
}

/* What kmalloc(size) takes: the header and the object rounded to units;
 * whole pages of get_order(size) from PAGE_SIZE - 8 on. */
static size_t slob_kmalloc_size(void *a, size_t size)
{
	slob_ctx_t *sl = a;

	if (!size)
		return 0;
	if (size < sl->page_size - KMALLOC_ALIGN)
		return units_of(sl, size + KMALLOC_ALIGN) * sl->unit;
	return (size_t)sl->page_size << get_order(size, kpage_shift());
}

static int slob_ncaches(void *a)
{
	return (int)((slob_ctx_t *)a)->caches->len;
}

static kmem_cache_t *slob_cache_at(void *a, int i)
{
	return g_ptr_array_index(((slob_ctx_t *)a)->caches, i);
}

/* A cache as SLOB can describe it (see the header comment). */
static void slob_cache_info(void *a, kmem_cache_t *c, cache_info_t *out)
{
	slob_ctx_t *sl = a;
	bool big = c->size >= sl->page_size;
	unsigned stride = big ? sl->page_size << get_order(c->size, kpage_shift())
	                      : units_of(sl, c->size) * sl->unit;

	*out = (cache_info_t){
		.name = c->name, .object_size = (uint32_t)c->objsize,
		.size = stride, .align = c->align,
		.objects_per_slab = big ? 1 : sl->page_size / stride,
		.order = big ? get_order(c->size, kpage_shift()) : 0,
		.active_objs = c->active_objs, .num_objs = c->active_objs,
	};
	out->slabs = big ? c->active_objs : g_hash_table_size(c->pages);
	out->active_slabs = out->slabs;
}

/* SLOB parks no objects. */
static uint64_t slob_queued_bytes(void *a)
{
	(void)a;
	return 0;
}

/* SLOB's counters, in a fixed order. */
static void slob_stats(void *a, stat_sink sink, void *ctx)
{
	slob_ctx_t *sl = a;

	for (int i = 0; i < NR_SLOB_STAT_ITEMS; i++)
		sink(ctx, stat_names[i], (uint64_t)kcounter_sum(sl->stat, i));
}


/* ---- audit: structure checks between operations (allocator.h) ----
 * The pages on the three lists are exactly the slob pages with free units;
 * each page's free blocks, read free of charge (kpeek16/kpeek32), lie in
 * address order inside it, add up to its free units (page->inuse) and end
 * at the page end. */
static int audit_get(const slob_ctx_t *sl, saddr_t a)
{
	return sl->unit == 2 ? (int16_t)kpeek16(a) : (int32_t)kpeek32(a);
}

static void slob_audit(void *a)
{
	slob_ctx_t *sl = a;
	uint64_t listed = 0, with_room = 0;
	klist_t *pos;

	for (int i = 0; i < SLOB_NLISTS; i++)
		klist_for_each(pos, &sl->lists[i]) {
			page_t *page = klist_entry(pos, page_t, lru);
			listed++;
			if (!(page->flags & PG_slab) || !page->inuse)
				kbug("audit slob: a page on list %d is %s", i,
				     !(page->flags & PG_slab) ? "not a slob page" : "full");
		}
	klist_for_each(pos, &sl->pages) {
		page_t *page = klist_entry(pos, slob_rec_t, link)->page;
		saddr_t base = page_address(page), end = base + sl->page_size, b = page->freelist, prev = 0;
		unsigned units = 0;

		with_room += page->inuse != 0;
		while (units < page->inuse) {
			int v;
			if (b < base || b >= end || (prev && b <= prev))
				kbug("audit slob: a free block outside its page or out of order");
			v = audit_get(sl, b);
			units += v > 0 ? (unsigned)v : 1;
			prev = b;
			b = base + (saddr_t)(v < 0 ? -v : audit_get(sl, b + sl->unit)) * sl->unit;
		}
		if (units != page->inuse || (page->inuse && b != end))
			kbug("audit slob: a page counts %u free units, its blocks hold %u%s", page->inuse,
			     units, b != end ? " and do not end at the page end" : "");
	}
	if (listed != with_room)
		kbug("audit slob: %" G_GUINT64_FORMAT " pages on the lists, %" G_GUINT64_FORMAT
		     " with free units", listed, with_room);
}

/* SLOB as the simulator's registry sees it. */
const allocator_ops_t slob_allocator = {
	.name = "slob",
	.summary = "SLOB, Linux 2.6.29: first-fit blocks in shared pages on three "
	           "size-bucketed lists, one global lock",
	.tunables = slob_tunables,
	.create = slob_create,
	.destroy = slob_destroy,
	.cache_create = slob_cache_create,
	.max_cache_size = slab_max_order_size,
	.cache_alloc = slob_cache_alloc,
	.cache_free = slob_cache_free,
	.kmalloc = slob_kmalloc,
	.kfree = slob_kfree,
	.shrink = slob_shrink,
	.kmalloc_size = slob_kmalloc_size,
	.ncaches = slob_ncaches,
	.cache_at = slob_cache_at,
	.cache_info = slob_cache_info,
	.queued_bytes = slob_queued_bytes,
	.stats = slob_stats,
	.queue_capacity = NULL,
	.audit = slob_audit,
};
