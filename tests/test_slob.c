/*
 * test_slob.c -- SLOB 2.6.29: unit arithmetic and the in-page encoding of
 * free blocks, first-fit placement, the size-bucketed lists, large
 * kmallocs, the one global lock, randomised alloc/free consistency across
 * NUMA nodes, and SLOB's own debug checks (a double free whose page is
 * gone, a free to the wrong cache; the common ones are test_conformance's).
 *
 * Expected numbers come from the rules of mm/slob.c read by hand: SLOB_UNIT
 * is 2 bytes (slobidx_t is an s16 for 4 KiB pages), a page holds 2048
 * units, kmalloc adds an 8-byte header and aligns to 8, a free block of
 * more than one unit stores {units, offset of next} and a one-unit block
 * stores -offset, and kmalloc from PAGE_SIZE - 8 on takes whole pages of
 * get_order(size).  kmem_cache_create takes the 32-byte struct kmem_cache
 * with slob_alloc(32, ARCH_KMALLOC_MINALIGN 8) from the small list, so a
 * test's caches sit first in its first slob page (16 units each) and that
 * page stays.  With 64 KiB pages slobidx_t is an s32: 4-byte units.
 * Machines come from harness_machine (4 KiB pages unless said).
 */
#include "harness.h"

extern const allocator_ops_t slob_allocator;

static const allocator_ops_t *ops = &slob_allocator;

/* The raw slobidx_t at a, read host-side (free of charge): an s16, or
 * with 64 KiB pages an s32. */
static int unit_at(saddr_t a)
{
	int16_t v16;
	int32_t v32;

	if (kpage_size() > 32767 * 2) {
		memcpy(&v32, mem_host(kern()->mem, a), sizeof(v32));
		return v32;
	}
	memcpy(&v16, mem_host(kern()->mem, a), sizeof(v16));
	return v16;
}

/* ---- 1. units ---- */

static void units_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "u13", 13, 0, 0, NULL);
	cache_info_t ci = harness_cache_info(s);
	saddr_t a, b, c, p, x;

	(void)arg;
	/* kmalloc_size = 2 * ceil((size + 8) / 2) below 4088, pages from there. */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 0), ==, 0);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 1), ==, 10);      /* 9 B: 5 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 100), ==, 108);   /* 54 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 255), ==, 264);   /* 263 B: 132 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4087), ==, 4096); /* 2048 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4088), ==, 4096); /* order 0 page */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4097), ==, 8192); /* order 1 */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 40000), ==, 65536); /* order 4 */

	/* A 13-byte cache: 7 units = 14 B a block, 4096 / 14 = 292 per page,
	 * aligned to ARCH_SLAB_MINALIGN (8). */
	g_assert_cmpuint(ci.size, ==, 14);
	g_assert_cmpuint(ci.objects_per_slab, ==, 292);
	g_assert_cmpuint(ci.align, ==, 8);

	/* u13's struct kmem_cache is units 0-15.  Units 16-22 for a; the free
	 * block at unit 23 (byte 46) is not 8-aligned, so b leaves a one-unit
	 * fragment at unit 23 and takes units 24-30; c likewise leaves unit 31
	 * and takes units 32-38.  The rest, units 39..2047, is 2009 units. */
	a = ops->cache_alloc(harness_a, s, 0, -1);
	b = ops->cache_alloc(harness_a, s, 0, -1);
	c = ops->cache_alloc(harness_a, s, 0, -1);
	p = page_address(virt_to_page(a));
	g_assert_cmpuint(a, ==, p + 32);
	g_assert_cmpuint(b, ==, p + 48);
	g_assert_cmpuint(c, ==, p + 64);
	g_assert_cmpuint(virt_to_page(a)->inuse, ==, 2048 - 16 - 3 * 7);
	g_assert_cmpuint(virt_to_page(a)->freelist, ==, p + 46);
	/* One-unit fragments hold -(offset of the next free block). */
	g_assert_cmpint(unit_at(p + 46), ==, -31);
	g_assert_cmpint(unit_at(p + 62), ==, -39);
	/* The tail block: {2009 units, next = the page end, offset 2048}. */
	g_assert_cmpint(unit_at(p + 78), ==, 2009);
	g_assert_cmpint(unit_at(p + 80), ==, 2048);

	/* kmalloc(100): 108 bytes at the first 8-aligned room, byte 80 (unit
	 * 40: a one-unit fragment at unit 39), the size in the header. */
	x = ops->kmalloc(harness_a, 100, 0, -1);
	g_assert_cmpuint(x, ==, p + 80 + 8);
	g_assert_cmpuint(*(uint32_t *)mem_host(kern()->mem, x - 8), ==, 100);
	g_assert_cmpuint(virt_to_page(a)->inuse, ==, 2048 - 16 - 3 * 7 - 54);

	/* Freeing b merges it with the fragments on both sides: units 23..31,
	 * whose next free block is the fragment at unit 39. */
	ops->cache_free(harness_a, s, b);
	g_assert_cmpint(unit_at(p + 46), ==, 9);
	g_assert_cmpint(unit_at(p + 48), ==, 39);
	ops->cache_free(harness_a, s, a);
	ops->cache_free(harness_a, s, c);
	ops->kfree(harness_a, x);
	/* The page holding the struct kmem_cache stays. */
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
}

static void test_units(void)
{
	harness_run_alone(ops, units_body, NULL);
}

/* With 64 KiB pages (ia64, ppc64) 2.6.29's slobidx_t is an s32
 * (PAGE_SIZE > 32767 * 2), so SLOB_UNIT is 4 bytes and a page holds 16384
 * units; every other rule is the same. */
static void units64k_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "u13", 13, 0, 0, NULL);
	cache_info_t ci = harness_cache_info(s);
	saddr_t a, b, p;

	(void)arg;
	/* kmalloc_size = 4 * ceil((size + 8) / 4) below 65528, pages from there. */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 1), ==, 12);         /* 3 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 100), ==, 108);      /* 27 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 65527), ==, 65536);  /* 16384 units */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 65528), ==, 65536);  /* order 0 page */
	/* 13 B: 4 units = 16 B a block, 65536 / 16 = 4096 per page. */
	g_assert_cmpuint(ci.size, ==, 16);
	g_assert_cmpuint(ci.objects_per_slab, ==, 4096);
	/* The struct kmem_cache: units 0-7 (32 B); a: units 8-11, b: 12-15;
	 * the tail block {16384 - 16 units, next = the page end} at unit 16,
	 * as two s32 values. */
	a = ops->cache_alloc(harness_a, s, 0, -1);
	b = ops->cache_alloc(harness_a, s, 0, -1);
	p = page_address(virt_to_page(a));
	g_assert_cmpuint(a, ==, p + 32);
	g_assert_cmpuint(b, ==, p + 48);
	g_assert_cmpuint(virt_to_page(a)->inuse, ==, 16384 - 16);
	g_assert_cmpint(unit_at(p + 64), ==, 16384 - 16);
	g_assert_cmpint(unit_at(p + 68), ==, 16384);
	ops->cache_free(harness_a, s, a);
	ops->cache_free(harness_a, s, b);
	g_assert_cmpint(unit_at(p + 32), ==, 16384 - 8);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
}

static void test_units_64k(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k;

	m->page_size = 65536;
	m->page_shift = 16;
	k = harness_kernel(m, ops, NULL, NULL);
	harness_run_on(k, 0, units64k_body, NULL);
	harness_free(k, m);
}

/* ---- 2. first fit ---- */

static void first_fit_body(void *arg)
{
	kmem_cache_t *s64 = ops->cache_create(harness_a, "ff64", 64, 0, 0, NULL);
	kmem_cache_t *s40 = ops->cache_create(harness_a, "ff40", 40, 0, 0, NULL);
	saddr_t a, b, c, d, e, p, med;

	(void)arg;
	/* The two struct kmem_cache take bytes 0-63 of the first page. */
	a = ops->cache_alloc(harness_a, s64, 0, -1);
	b = ops->cache_alloc(harness_a, s64, 0, -1);
	c = ops->cache_alloc(harness_a, s64, 0, -1);
	p = page_address(virt_to_page(a));
	g_assert_cmpuint(a, ==, p + 64);
	g_assert_cmpuint(b, ==, p + 128);
	g_assert_cmpuint(c, ==, p + 192);
	ops->cache_free(harness_a, s64, b);
	/* b's hole (32 units) is now the first free block. */
	g_assert_cmpuint(virt_to_page(a)->freelist, ==, p + 128);

	/* 40 B (20 units) fits in the hole: d takes its start; the 12 units
	 * left (24 B) cannot hold e, which goes after c. */
	d = ops->cache_alloc(harness_a, s40, 0, -1);
	e = ops->cache_alloc(harness_a, s40, 0, -1);
	g_assert_cmpuint(d, ==, p + 128);
	g_assert_cmpuint(e, ==, p + 256);
	g_assert_cmpuint(harness_cache_info(s40).slabs, ==, 1);
	g_assert_cmpuint(harness_cache_info(s40).active_objs, ==, 2);

	/* kmalloc(300) asks slob_alloc for 308 B: the medium list, which is
	 * empty, so a second page although the first has room. */
	med = ops->kmalloc(harness_a, 300, 0, -1);
	g_assert_true(virt_to_page(med) != virt_to_page(a));
	g_assert_cmpuint(med, ==, page_address(virt_to_page(med)) + 8);
	g_assert_cmpuint(harness_stat("page_alloc"), ==, 2);
	g_assert_cmpuint(harness_pages_in_use(), ==, 2);

	/* A page goes back when its last block does; the first keeps the
	 * struct kmem_cache blocks. */
	ops->kfree(harness_a, med);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	ops->cache_free(harness_a, s64, a);
	ops->cache_free(harness_a, s64, c);
	ops->cache_free(harness_a, s40, d);
	ops->cache_free(harness_a, s40, e);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	g_assert_cmpuint(harness_stat("page_free"), ==, 1);
	g_assert_cmpuint(harness_cache_info(s40).slabs, ==, 0);
}

static void test_first_fit(void)
{
	harness_run_alone(ops, first_fit_body, NULL);
}

/* A full page that gets a block back goes on the small list, whatever the
 * block's size (2.6.29), and the next small allocation uses it. */
static void refill_body(void *arg)
{
	saddr_t x[4], y;

	(void)arg;
	/* kmalloc(1016): 1024 B = 512 units, four fill a page exactly. */
	for (int i = 0; i < 4; i++)
		x[i] = ops->kmalloc(harness_a, 1016, 0, -1);
	g_assert_cmpuint(virt_to_page(x[0])->inuse, ==, 0);
	g_assert_true(klist_empty(&virt_to_page(x[0])->lru));
	ops->kfree(harness_a, x[1]);
	y = ops->kmalloc(harness_a, 16, 0, -1);
	g_assert_cmpuint(y, ==, x[1]);
	g_assert_cmpuint(harness_stat("page_alloc"), ==, 1);
	ops->kfree(harness_a, y);
	for (int i = 0; i < 4; i++)
		if (i != 1)
			ops->kfree(harness_a, x[i]);
	g_assert_cmpuint(harness_pages_in_use(), ==, 0);
}

static void test_refill_small_list(void)
{
	harness_run_alone(ops, refill_body, NULL);
}

/* The list rotation: after a success on a page that is not first, the
 * next search of that list starts at it.  kmalloc only (no cache, so no
 * struct kmem_cache in the pages): kmalloc(n) is a block of n + 8 bytes,
 * the object 8 bytes in. */
static void rotation_body(void *arg)
{
	saddr_t x[40], y0, y1, z, pa_, pb;

	(void)arg;
	/* 20 blocks of 200 B (100 units) fill page A to 2000 units, 48 left;
	 * the 21st does not fit and opens page B, which goes first: [B, A]. */
	for (int i = 0; i < 40; i++)
		x[i] = ops->kmalloc(harness_a, 192, 0, -1);
	pa_ = page_address(virt_to_page(x[0]));
	pb = page_address(virt_to_page(x[20]));
	g_assert_cmpuint(page_address(virt_to_page(x[19])), ==, pa_);
	g_assert_cmpuint(pb, !=, pa_);
	g_assert_cmpuint(virt_to_page(x[0])->inuse, ==, 48);
	/* 80 B (40 units) fits the first page, B: no rotation. */
	y0 = ops->kmalloc(harness_a, 72, 0, -1);
	g_assert_cmpuint(y0, ==, pb + 4000 + 8);
	g_assert_cmpuint(harness_stat("list_rotate"), ==, 0);
	/* B has 8 units left; A takes the next one, and the list turns to
	 * [A, B]. */
	y1 = ops->kmalloc(harness_a, 72, 0, -1);
	g_assert_cmpuint(y1, ==, pa_ + 4000 + 8);
	g_assert_cmpuint(harness_stat("list_rotate"), ==, 1);
	/* Both have 8 units at byte 4080; the search starts at A. */
	z = ops->kmalloc(harness_a, 8, 0, -1);
	g_assert_cmpuint(z, ==, pa_ + 4080 + 8);
	g_assert_cmpuint(harness_stat("page_alloc"), ==, 2);

	ops->kfree(harness_a, z);
	ops->kfree(harness_a, y0);
	ops->kfree(harness_a, y1);
	for (int i = 0; i < 40; i++)
		ops->kfree(harness_a, x[i]);
	g_assert_cmpuint(harness_pages_in_use(), ==, 0);
}

static void test_rotation(void)
{
	harness_run_alone(ops, rotation_body, NULL);
}

/* ---- 3. large kmalloc ---- */

static void large_body(void *arg)
{
	const pa_stats_t *st = pa_stats(kern()->pa);
	kmem_cache_t *s = ops->cache_create(harness_a, "big5000", 5000, 0, 0, NULL);
	lock_class_t *lk = klock_class("slob_lock");
	uint64_t acq = lk->acquisitions;
	saddr_t x, y, z, w, o;
	page_t *page;

	(void)arg;
	/* 5000 B > 4096: order 1, a compound page, not a slob page. */
	x = ops->kmalloc(harness_a, 5000, 0, -1);
	page = virt_to_page(x);
	g_assert_cmpuint(st->allocs_by_order[1], ==, 1);
	g_assert_cmpuint(page_address(page), ==, x);
	g_assert_true(page->flags & PG_head);
	g_assert_false(page->flags & PG_slab);
	g_assert_cmpuint(page->order, ==, 1);
	/* 20000 B: 16384 < 20000 <= 32768, order 3. */
	y = ops->kmalloc(harness_a, 20000, 0, -1);
	g_assert_cmpuint(st->allocs_by_order[3], ==, 1);
	g_assert_cmpuint(virt_to_page(y)->order, ==, 3);
	/* 4088 = PAGE_SIZE - 8 is the first size given whole pages: order 0
	 * (the other order-0 page holds big5000's struct kmem_cache). */
	z = ops->kmalloc(harness_a, 4088, 0, -1);
	g_assert_cmpuint(st->allocs_by_order[0], ==, 1 + 1);
	g_assert_false(virt_to_page(z)->flags & PG_slab);
	g_assert_cmpuint(z, ==, page_address(virt_to_page(z)));
	g_assert_cmpuint(harness_pages_in_use(), ==, 1 + 2 + 8 + 1);
	g_assert_cmpuint(lk->acquisitions, ==, acq);
	/* 4087 + 8 = 4095 B = 2048 units: a whole slob page, under the lock
	 * (not the struct's page, 16 units short). */
	w = ops->kmalloc(harness_a, 4087, 0, -1);
	g_assert_true(virt_to_page(w)->flags & PG_slab);
	g_assert_cmpuint(virt_to_page(w)->inuse, ==, 0);
	g_assert_cmpuint(lk->acquisitions, ==, acq + 2);
	/* A cache of 5000 B objects: pages of order 1, not compound. */
	o = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(st->allocs_by_order[1], ==, 2);
	g_assert_false(virt_to_page(o)->flags & (PG_head | PG_slab));
	g_assert_cmpuint(harness_cache_info(s).order, ==, 1);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 1);

	ops->kfree(harness_a, x);
	ops->kfree(harness_a, y);
	ops->kfree(harness_a, z);
	ops->kfree(harness_a, w);
	ops->cache_free(harness_a, s, o);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	g_assert_cmpuint(harness_stat("big_alloc"), ==, 4);
	g_assert_cmpuint(harness_stat("big_free"), ==, 4);
	/* kmalloc(0) is ZERO_SIZE_PTR, and kfree takes it back. */
	g_assert_cmpuint(ops->kmalloc(harness_a, 0, 0, -1), ==, 16);
	ops->kfree(harness_a, 16);
}

static void test_large_kmalloc(void)
{
	harness_run_alone(ops, large_body, NULL);
}

/* ---- 4. the one lock ---- */

static void lock_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "l96", 96, 0, 0, NULL);
	lock_class_t *lk = klock_class("slob_lock");
	uint64_t acq0 = lk->acquisitions;
	saddr_t x[40], big;

	(void)arg;
	/* 40 objects of 96 B (48 units, 8-aligned, no fragments) fill 3840 B
	 * of the page that holds l96's struct (2032 units free): each takes
	 * the lock once, none needs a new page. */
	for (int i = 0; i < 40; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(lk->acquisitions - acq0, ==, 40);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	/* Each free takes it once; the page stays (the struct). */
	for (int i = 0; i < 40; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(lk->acquisitions - acq0, ==, 40 + 40);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	/* kmalloc(56): 64 B blocks, ten in the same page: 10, then 10 frees. */
	for (int i = 0; i < 10; i++)
		x[i] = ops->kmalloc(harness_a, 56, 0, -1);
	for (int i = 0; i < 10; i++)
		ops->kfree(harness_a, x[i]);
	g_assert_cmpuint(lk->acquisitions - acq0, ==, 80 + 10 + 10);
	/* Large kmallocs never take it. */
	big = ops->kmalloc(harness_a, 9000, 0, -1);
	ops->kfree(harness_a, big);
	g_assert_cmpuint(lk->acquisitions - acq0, ==, 100);
	g_assert_cmpuint(lk->contentions, ==, 0);
}

static void test_one_lock(void)
{
	harness_run_alone(ops, lock_body, NULL);
}

/* One hot kmem_cache_alloc + kmem_cache_free on 1 CPU, every access
 * counted by hand.  State: hot's struct kmem_cache at units 0-15 of the
 * page, a at units 16-47, one free block {2000 units, next = page end} at
 * unit 48; x takes units 48-79.
 *  alloc: struct kmem_cache, the list head, the struct page (walk), the
 *    struct page (slob_page_alloc), the block's units, its units and next
 *    offset again (slob_next), the two units of the new rest block, the
 *    struct page store: 10; slob_lock RMW and release: 2.
 *  free: the struct page (virt_to_page), struct kmem_cache, the struct page
 *    under the lock, the next block's units, its units and next offset,
 *    the two units of the merged block, the struct page store: 9; the lock:
 *    2.
 * All hits (1 ns), two lock RMWs (5 ns each), two irq pairs (2 ns). */
static void pricing_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "hot", 64, 0, 0, NULL);
	coh_stats_t before;
	simtime_t t0, *dt = arg;
	saddr_t a, x;

	a = ops->cache_alloc(harness_a, s, 0, -1);
	x = ops->cache_alloc(harness_a, s, 0, -1);
	ops->cache_free(harness_a, s, x);
	before = *coh_stats(kern()->coh);
	t0 = know();
	x = ops->cache_alloc(harness_a, s, 0, -1);
	ops->cache_free(harness_a, s, x);
	*dt = know() - t0;
	g_assert_cmpuint(x, ==, a + 64);
	g_assert_cmpuint(coh_stats(kern()->coh)->all.accesses - before.all.accesses, ==, 10 + 2 + 9 + 2);
	g_assert_cmpuint(coh_stats(kern()->coh)->all.hits - before.all.hits, ==, 23);
	ops->cache_free(harness_a, s, a);
}

static void test_pricing(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	simtime_t dt = 0;

	harness_run_on(k, 0, pricing_body, &dt);
	g_assert_cmpuint(dt, ==, 23 * m->hit + 2 * m->rmw + 2 * m->irq);
	g_assert_cmpuint(dt, ==, 37 * PS_PER_NS);
	harness_free(k, m);
}

/* Four CPUs: every slob_alloc takes the lock once plus once more per new
 * page, every slob_free once; they contend. */
typedef struct contend {
	kmem_cache_t *s;
	int rounds;
} contend_t;

static void contend_boot(void *arg)
{
	contend_t *ct = arg;

	ct->s = ops->cache_create(harness_a, "c64", 64, 0, 0, NULL);
}

static void contend_step(void *arg, int cpu)
{
	contend_t *ct = arg;
	saddr_t x[8];

	(void)cpu;
	for (int r = 0; r < ct->rounds; r++) {
		for (int i = 0; i < 8; i++)
			x[i] = ops->cache_alloc(harness_a, ct->s, 0, -1);
		for (int i = 0; i < 8; i++)
			ops->cache_free(harness_a, ct->s, x[i]);
	}
}

static void contend_check(void *arg)
{
	contend_t *ct = arg;
	lock_class_t *lk = klock_class("slob_lock");
	uint64_t ops_done = 4ULL * ct->rounds * 16 + 1;     /* + c64's struct kmem_cache */

	g_assert_cmpuint(harness_stat("slob_alloc") + harness_stat("slob_free"), ==, ops_done);
	g_assert_cmpuint(lk->acquisitions, ==, ops_done + harness_stat("page_alloc"));
	g_assert_cmpuint(lk->contentions, >, 0);
	g_assert_cmpuint(lk->wait, >, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);    /* the struct's page */
}

static void test_lock_contention(void)
{
	machine_t *m = harness_machine(4, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	contend_t ct = { .rounds = 50 };
	int cpus[4] = { 0, 1, 2, 3 };

	harness_run_on(k, 0, contend_boot, &ct);
	harness_run_many(k, cpus, 4, contend_step, &ct);
	harness_run_on(k, 0, contend_check, &ct);
	harness_free(k, m);
}

/* ---- 5. consistency under random operations on 2 nodes ---- */

enum kind { K_KMALLOC, K_BIG, K_USER, K_RCU };

typedef struct live {
	saddr_t addr;
	saddr_t start, end;     /* the bytes the object's block covers */
	kmem_cache_t *cache;
	int kind;
	int node;               /* asked for, or -1 */
} live_t;

typedef struct mix {
	int ncpus, ops_per_cpu;
	GArray *live;
	kmem_cache_t *user, *rcu;
	uint64_t rng[8];
	uint64_t node_asked;
} mix_t;

static void mix_boot(void *arg)
{
	mix_t *mx = arg;

	mx->user = ops->cache_create(harness_a, "test-obj", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	mx->rcu = ops->cache_create(harness_a, "test-rcu", 40, 0, SLAB_DESTROY_BY_RCU, NULL);
}

static live_t mix_alloc(mix_t *mx, int cpu)
{
	uint64_t *r = &mx->rng[cpu];
	live_t o = { .node = harness_rand(r) % 3 == 0 ? (int)(harness_rand(r) % 2) : -1 };
	size_t size;

	switch (harness_rand(r) % 10) {
	case 0:
		o.kind = K_BIG;
		size = 4088 + harness_rand(r) % 16000;
		o.addr = ops->kmalloc(harness_a, size, 0, o.node);
		o.start = o.addr;
		o.end = o.addr + size;
		break;
	case 1: case 2:
		o.kind = K_USER;
		o.cache = mx->user;
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, o.node);
		o.start = o.addr;
		o.end = o.addr + 200;
		g_assert_cmpuint(o.addr % 64, ==, 0);   /* HWCACHE_ALIGN: a line */
		break;
	case 3:
		o.kind = K_RCU;
		o.cache = mx->rcu;
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, o.node);
		o.start = o.addr;
		o.end = o.addr + 40 + 24;               /* slob_rcu footer */
		break;
	default:
		o.kind = K_KMALLOC;
		size = 1 + harness_rand(r) % (harness_rand(r) % 2 ? 200 : 3000);
		o.addr = ops->kmalloc(harness_a, size, 0, o.node);
		o.start = o.addr - 8;
		o.end = o.addr + size;
		break;
	}
	g_assert_cmpuint(o.addr, !=, 0);
	g_assert_cmpuint(o.start % 8, ==, 0);
	if (o.node != -1) {
		g_assert_cmpint(page_to_nid(virt_to_page(o.addr)), ==, o.node);
		mx->node_asked++;
	}
	return o;
}

static void mix_free(live_t o)
{
	if (o.cache)
		ops->cache_free(harness_a, o.cache, o.addr);
	else
		ops->kfree(harness_a, o.addr);
}

static void mix_step(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (int i = 0; i < mx->ops_per_cpu; i++) {
		uint64_t *r = &mx->rng[cpu];
		bool alloc = mx->live->len == 0 ||
		             (harness_rand(r) % 100 < 55 && mx->live->len < 1500);

		if (alloc) {
			live_t o = mix_alloc(mx, cpu);
			g_array_append_val(mx->live, o);
		} else {
			guint j = harness_rand(r) % mx->live->len;
			live_t o = g_array_index(mx->live, live_t, j);

			g_array_remove_index_fast(mx->live, j);
			mix_free(o);
		}
	}
}

static gint by_start(gconstpointer a, gconstpointer b)
{
	const live_t *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Live blocks are unique and do not overlap; slob pages hold only small
 * objects; the caches count their objects exactly. */
static void mix_check(void *arg)
{
	mix_t *mx = arg;
	GArray *v = g_array_copy(mx->live);
	uint64_t user = 0, rcu = 0;

	g_array_sort(v, by_start);
	for (guint i = 0; i < v->len; i++) {
		live_t *o = &g_array_index(v, live_t, i);
		page_t *page = virt_to_page(o->addr);

		if (i > 0)
			g_assert_cmpuint(g_array_index(v, live_t, i - 1).end, <=, o->start);
		g_assert_cmpint(!!(page->flags & PG_slab), ==, o->kind != K_BIG);
		user += o->kind == K_USER;
		rcu += o->kind == K_RCU;
	}
	g_assert_cmpuint(harness_cache_info(mx->user).active_objs, ==, user);
	/* freed RCU objects keep their blocks until their grace period ends */
	g_assert_cmpuint(harness_cache_info(mx->rcu).active_objs, ==,
	                 rcu + rcu_stats()->waiting[RCU_OBJECT]);
	g_assert_cmpuint(harness_cache_info(mx->user).slabs, <=, user);
	g_array_free(v, TRUE);
}

static void mix_free_all(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (guint i = cpu; i < mx->live->len; i += mx->ncpus)
		mix_free(g_array_index(mx->live, live_t, i));
}

static void mix_final(void *arg)
{
	mix_t *mx = arg;

	/* One page stays: the two struct kmem_cache, made on CPU 0 (node 0). */
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	g_assert_cmpuint(harness_stat("page_alloc"), ==, harness_stat("page_free") + 1);
	g_assert_cmpuint(harness_stat("page_alloc"), >, 10);
	g_assert_cmpuint(harness_stat("big_alloc"), ==, harness_stat("big_free"));
	g_assert_cmpuint(harness_cache_info(mx->user).slabs, ==, 0);
	g_assert_cmpuint(harness_cache_info(mx->rcu).active_objs, ==, 0);
	g_assert_cmpuint(pa_pages_in_use(kern()->pa, 0), ==, 1);
	g_assert_cmpuint(pa_pages_in_use(kern()->pa, 1), ==, 0);
}

static void test_consistency_numa(void)
{
	machine_t *m = harness_machine(4, 2, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	mix_t mx = { .ncpus = 4, .ops_per_cpu = 2000 };
	int cpus[4] = { 0, 1, 2, 3 };

	mx.live = g_array_new(FALSE, FALSE, sizeof(live_t));
	for (int c = 0; c < 4; c++)
		mx.rng[c] = 0x510b0000u + c;
	harness_run_on(k, 0, mix_boot, &mx);
	harness_run_many(k, cpus, 4, mix_step, &mx);
	g_assert_cmpuint(mx.live->len, >, 100);
	g_assert_cmpuint(mx.node_asked, >, 100);
	harness_run_on(k, 0, mix_check, &mx);
	harness_run_many(k, cpus, 4, mix_free_all, &mx);
	g_array_set_size(mx.live, 0);
	harness_rcu_barrier(k);
	harness_run_on(k, 0, mix_final, &mx);
	g_array_free(mx.live, TRUE);
	harness_free(k, m);
}

/* ---- 6. metadata and stats ---- */

static void meta_body(void *arg)
{
	char *names;

	(void)arg;
	/* No caches at boot; a cache is a 32-byte struct kmem_cache, a block
	 * of 16 units in a slob page (slab bytes), not metadata. */
	g_assert_cmpint(ops->ncaches(harness_a), ==, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, 0);
	ops->cache_create(harness_a, "m1", 100, 0, 0, NULL);
	g_assert_cmpint(ops->ncaches(harness_a), ==, 1);
	g_assert_cmpuint(harness_meta("m1", "kmem_cache"), ==, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, 1);
	g_assert_cmpuint(harness_stat("slob_alloc"), ==, 1);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("m1")).active_objs, ==, 0);
	g_assert_cmpuint(harness_meta("(boot)", "slob_globals"), ==, 56);
	g_assert_null(ops->queue_capacity);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
	names = harness_stat_names();
	g_assert_cmpstr(names, ==,
	                "slob_alloc slob_free page_alloc page_free pages_searched "
	                "page_miss blocks_scanned free_walk list_rotate big_alloc big_free ");
	g_free(names);
}

static void test_metadata(void)
{
	harness_run_alone(ops, meta_body, NULL);
}

/* ---- 7. SLOB's own debug checks (kbug exits: run in a subprocess) ---- */

/* The page went back with the first free. */
static void double_free_page_body(void *arg)
{
	saddr_t x = ops->kmalloc(harness_a, 64, 0, -1);

	(void)arg;
	ops->kfree(harness_a, x);
	ops->kfree(harness_a, x);
}

static void wrong_cache_body(void *arg)
{
	kmem_cache_t *a = ops->cache_create(harness_a, "a32", 32, 0, 0, NULL);
	kmem_cache_t *b = ops->cache_create(harness_a, "b64", 64, 0, 0, NULL);
	saddr_t x = ops->cache_alloc(harness_a, a, 0, -1);

	(void)arg;
	ops->cache_alloc(harness_a, a, 0, -1);
	ops->cache_free(harness_a, b, x);
}

static void test_double_free_page(void)
{
	if (g_test_subprocess()) {
		harness_run_alone(ops, double_free_page_body, NULL);
		return;
	}
	harness_trap_kbug("*double free*");
}

static void test_wrong_cache(void)
{
	if (g_test_subprocess()) {
		harness_run_alone(ops, wrong_cache_body, NULL);
		return;
	}
	harness_trap_kbug("*foreign pointer*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slob/units", test_units);
	g_test_add_func("/slob/units-64k", test_units_64k);
	g_test_add_func("/slob/first-fit", test_first_fit);
	g_test_add_func("/slob/refill-small-list", test_refill_small_list);
	g_test_add_func("/slob/rotation", test_rotation);
	g_test_add_func("/slob/large-kmalloc", test_large_kmalloc);
	g_test_add_func("/slob/one-lock", test_one_lock);
	g_test_add_func("/slob/pricing", test_pricing);
	g_test_add_func("/slob/lock-contention", test_lock_contention);
	g_test_add_func("/slob/consistency-numa", test_consistency_numa);
	g_test_add_func("/slob/metadata", test_metadata);
	g_test_add_func("/slob/double-free-page", test_double_free_page);
	g_test_add_func("/slob/wrong-cache", test_wrong_cache);
	return g_test_run();
}
