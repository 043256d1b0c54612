/*
 * test_mempool.c -- seed 004 on SLUB: mempools (mm/mempool.c semantics),
 * Dobson's critical page pool backing slab growth as posted (the pool
 * drains, critical pages leak to non-critical users), his two planned
 * fixes (return, exclusivity) and Pekka Enberg's object pool over the slab.
 *
 * Every run but the last (4 CPUs on 2 nodes): 1 CPU, 1 node, 16 MiB,
 * 4 KiB pages; a cache "crit" of 256 B objects.  SLUB gives it order-0
 * slabs of 4096 / 256 = 16 objects (one CPU: min_objects 4 * (fls(1) + 1)
 * = 8, and 8 * 256 B fit one page with no waste) and min_partial
 * clamp(ilog2(256), 5, 10) = 8.  Memory pressure
 * is the page allocator's limit: LIMIT = 12 pages.  The critical reserve
 * is 4 pages (Dobson) or 64 objects = 4 slabs (object pool): the same 4
 * pages either way, so 8 pages are left for everything else.  Every figure
 * is derived in the comments from this setup.
 */
#include "harness.h"
#include "slub.h"
#include "critpool.h"

static const allocator_ops_t *ops = &slub_allocator;

#define OBJ_SIZE        256
#define PER_SLAB        16              /* 4096 / 256 */
#define LIMIT           12              /* pages */
#define POOL_PAGES      4
#define POOL_OBJECTS    (POOL_PAGES * PER_SLAB)         /* 64 */
#define HOG_SLABS       (LIMIT - POOL_PAGES)            /* 8 */

static const int variants[] = {
	CRITPOOL_DOBSON, CRITPOOL_DOBSON_RETURN, CRITPOOL_DOBSON_EXCLUSIVE,
	CRITPOOL_DOBSON_FIXED, CRITPOOL_OBJECT_POOL,
};
#define NVARIANTS ((int)G_N_ELEMENTS(variants))

static bool is_exclusive(int v)
{
	return v == CRITPOOL_DOBSON_EXCLUSIVE || v == CRITPOOL_DOBSON_FIXED ||
	       v == CRITPOOL_OBJECT_POOL;
}

static bool returns(int v)
{
	return v == CRITPOOL_DOBSON_RETURN || v == CRITPOOL_DOBSON_FIXED ||
	       v == CRITPOOL_OBJECT_POOL;
}

static int pool_size(int v)
{
	return v == CRITPOOL_OBJECT_POOL ? POOL_OBJECTS : POOL_PAGES;
}

/* ---- the pressured system ---- */

typedef struct press {
	int variant;
	kmem_cache_t *s;
	critpool_t *cp;
	GArray *hog;            /* non-critical objects holding memory */
	uint64_t boot_pages, pool_pages;
} press_t;

/* Non-critical allocations until the first failure; returns the successes. */
static int hog_fill(press_t *p)
{
	int n = 0;
	saddr_t x;

	while ((x = critpool_alloc(p->cp, false, -1))) {
		g_array_append_val(p->hog, x);
		n++;
	}
	return n;
}

static void hog_release(press_t *p)
{
	for (unsigned i = 0; i < p->hog->len; i++)
		critpool_free(p->cp, g_array_index(p->hog, saddr_t, i), false);
	g_array_set_size(p->hog, 0);
}

/* The cache, the pool, and a hog that fills memory up to the limit. */
static void press_setup(press_t *p)
{
	cache_info_t ci;

	p->boot_pages = pa_pages_in_use(kern()->pa, 0);
	p->s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	ci = harness_cache_info(p->s);
	g_assert_cmpuint(ci.objects_per_slab, ==, PER_SLAB);
	g_assert_cmpuint(ci.order, ==, 0);
	p->cp = critpool_create(ops, harness_a, p->s, (critpool_variant_t)p->variant,
	                        pool_size(p->variant));
	g_assert_nonnull(p->cp);
	p->pool_pages = pa_pages_in_use(kern()->pa, 0);
	p->hog = g_array_new(FALSE, FALSE, sizeof(saddr_t));
	/* The 8 pages under the limit hold 8 * 16 = 128 objects; the 129th
	 * request fails. */
	g_assert_cmpint(hog_fill(p), ==, HOG_SLABS * PER_SLAB);
}

static kernel_t *press_kernel(machine_t **m)
{
	pa_config_t pa = { .limit_pages = LIMIT };

	*m = harness_machine(1, 1, 16);
	return harness_kernel(*m, ops, NULL, &pa);
}

static void press_teardown(press_t *p)
{
	hog_release(p);
	g_array_free(p->hog, TRUE);
	critpool_destroy(p->cp);
	ops->shrink(harness_a, p->s);
}

/* ---- 1. the mempool itself ---- */

typedef struct unit {
	uint64_t meta_delta, meta_after;
	uint64_t in_use[8];
	int level[8];
	bool got[8];
	uint64_t locks, hits, failures, refills;
} unit_t;

static void unit_body(void *arg)
{
	unit_t *u = arg;
	uint64_t meta0 = kmeta_total();
	lock_class_t *cls = klock_class("mempool.lock");
	saddr_t x[6];
	mempool_t *pool = mempool_create_page_pool("unit", 3, 0);

	u->meta_delta = kmeta_total() - meta0;
	u->in_use[0] = pa_pages_in_use(kern()->pa, 0);
	for (int i = 0; i < 6; i++) {
		x[i] = mempool_alloc(pool, GFP_KERNEL);
		u->got[i] = x[i] != 0;
		u->level[i] = mempool_level(pool);
	}
	u->in_use[1] = pa_pages_in_use(kern()->pa, 0);
	for (int i = 0; i < 5; i++)
		mempool_free(x[i], pool);
	u->level[6] = mempool_level(pool);
	u->in_use[2] = pa_pages_in_use(kern()->pa, 0);
	u->locks = cls->acquisitions;
	u->hits = pool->stats.reserve_hits;
	u->failures = pool->stats.failures;
	u->refills = pool->stats.refills;
	mempool_destroy(pool);
	u->in_use[3] = pa_pages_in_use(kern()->pa, 0);
	u->meta_after = kmeta_total() - meta0;
}

/* A page pool of 3 under a 5-page limit: the page allocator serves the
 * first two requests (5 pages in use), the reserve the next three, the
 * sixth fails.  Frees refill the reserve up to 3, the other two go back. */
static void test_page_pool(void)
{
	pa_config_t pa = { .limit_pages = 5 };
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, &pa);
	unit_t u = { 0 };
	static const int level[6] = { 3, 3, 2, 1, 0, 0 };

	harness_run_on(k, 0, unit_body, &u);
	/* struct mempool_s (72 B -> kmalloc-96) + 3 pointers (24 B -> kmalloc-32). */
	g_assert_cmpuint(u.meta_delta, ==, 96 + 32);
	g_assert_cmpuint(u.meta_after, ==, 0);
	g_assert_cmpuint(u.in_use[0], ==, 3);
	for (int i = 0; i < 6; i++) {
		g_assert_cmpint(u.level[i], ==, level[i]);
		g_assert_true(u.got[i] == (i < 5));
	}
	g_assert_cmpuint(u.in_use[1], ==, 5);
	g_assert_cmpint(u.level[6], ==, 3);
	/* Frees 1..3 refill (level 0 -> 3), frees 4 and 5 go to the page
	 * allocator: 3 reserve pages stay in use, none after destroy. */
	g_assert_cmpuint(u.in_use[2], ==, 3);
	g_assert_cmpuint(u.in_use[3], ==, 0);
	g_assert_cmpuint(u.hits, ==, 3);
	g_assert_cmpuint(u.failures, ==, 1);
	g_assert_cmpuint(u.refills, ==, 3);
	/* The lock guards the reserve only: 3 hits + 1 empty look + 3 refills;
	 * page-allocator successes and frees past min_nr take no lock. */
	g_assert_cmpuint(u.locks, ==, 7);
	harness_free(k, m);
}

/* ---- 2. alloc/free cycles under pressure: the pool drains without a
 * return path ---- */

#define CYCLES 6

typedef struct cycles {
	int variant;
	int level[CYCLES];
	int hog_gain[CYCLES];
	critpool_stats_t st;
	uint64_t pool_pages, boot_pages;
} cycles_t;

/* Each cycle: one critical allocation and its free, kmem_cache_shrink,
 * then the hog takes whatever memory came free. */
static void cycles_body(void *arg)
{
	cycles_t *c = arg;
	press_t p = { .variant = c->variant };

	press_setup(&p);
	c->boot_pages = p.boot_pages;
	c->pool_pages = p.pool_pages;
	for (int i = 0; i < CYCLES; i++) {
		saddr_t x = critpool_alloc(p.cp, true, -1);

		if (x)
			critpool_free(p.cp, x, true);
		ops->shrink(harness_a, p.s);
		c->hog_gain[i] = hog_fill(&p);
		c->level[i] = critpool_level(p.cp);
	}
	critpool_stats(p.cp, &c->st);
	press_teardown(&p);
}

/*
 * Dobson as posted (and with exclusivity alone): the critical request
 * finds the page allocator at its limit and builds its slab on a reserve
 * page; the free empties the slab, which kmem_cache_shrink (or, for an
 * exclusive reserve slab, the free itself) gives to the page allocator,
 * and the hog takes it: 16 more hog objects per cycle, one reserve page
 * fewer.  After POOL_PAGES = 4 cycles the level is 0, and cycles 5 and 6
 * fail their critical request.  With the return path the page goes back
 * to the reserve: the level stays 4 and the hog never gains.  The object
 * pool takes one of its 64 objects and mempool_free puts it back.
 */
static void test_cycles(void)
{
	for (int vi = 0; vi < NVARIANTS; vi++) {
		int v = variants[vi];
		machine_t *m;
		kernel_t *k = press_kernel(&m);
		cycles_t c = { .variant = v };
		bool drains = !returns(v);

		harness_run_on(k, 0, cycles_body, &c);
		g_test_message("%s: levels %d %d %d %d %d %d, critical failures %" G_GUINT64_FORMAT,
		               critpool_variant_name(v), c.level[0], c.level[1], c.level[2],
		               c.level[3], c.level[4], c.level[5], c.st.crit_failures);
		g_assert_cmpuint(c.boot_pages, ==, 0);
		g_assert_cmpuint(c.pool_pages, ==, POOL_PAGES);
		for (int i = 0; i < CYCLES; i++) {
			int want = drains ? MAX(POOL_PAGES - (i + 1), 0) : pool_size(v);

			g_assert_cmpint(c.level[i], ==, want);
			g_assert_cmpint(c.hog_gain[i], ==, drains && i < POOL_PAGES ? PER_SLAB : 0);
		}
		g_assert_cmpuint(c.st.crit_allocs, ==, CYCLES);
		g_assert_cmpuint(c.st.crit_failures, ==, drains ? CYCLES - POOL_PAGES : 0);
		g_assert_cmpuint(c.st.pool_hits, ==, drains ? POOL_PAGES : CYCLES);
		g_assert_cmpuint(c.st.pool_refills, ==, drains ? 0 : CYCLES);
		g_assert_cmpuint(c.st.low_water, ==, drains ? 0 : (uint64_t)pool_size(v) - 1);
		g_assert_cmpuint(c.st.leaked, ==, 0);
		/* The hog's last request fails once in setup and once per cycle. */
		g_assert_cmpuint(c.st.noncrit_failures, ==, 1 + CYCLES);
		harness_free(k, m);
	}
}

/* ---- 3. critical and ordinary requests side by side: leakage ---- */

#define ROUNDS 64

typedef struct side {
	int variant;
	int crit_ok, noncrit_ok;
	int level_end, level_crit_freed, level_all_freed;
	critpool_stats_t st;
	uint64_t in_use_crit_freed;
} side_t;

/* ROUNDS rounds of one critical then one ordinary request, nothing freed;
 * then the critical objects are freed (and the cache shrunk), then the
 * ordinary ones. */
static void side_body(void *arg)
{
	side_t *sd = arg;
	press_t p = { .variant = sd->variant };
	saddr_t crit[ROUNDS], plain[ROUNDS];

	press_setup(&p);
	for (int i = 0; i < ROUNDS; i++) {
		crit[i] = critpool_alloc(p.cp, true, -1);
		plain[i] = critpool_alloc(p.cp, false, -1);
		sd->crit_ok += crit[i] != 0;
		sd->noncrit_ok += plain[i] != 0;
	}
	sd->level_end = critpool_level(p.cp);
	critpool_stats(p.cp, &sd->st);
	for (int i = 0; i < ROUNDS; i++)
		if (crit[i])
			critpool_free(p.cp, crit[i], true);
	ops->shrink(harness_a, p.s);
	sd->level_crit_freed = critpool_level(p.cp);
	sd->in_use_crit_freed = pa_pages_in_use(kern()->pa, 0);
	for (int i = 0; i < ROUNDS; i++)
		if (plain[i])
			critpool_free(p.cp, plain[i], false);
	ops->shrink(harness_a, p.s);
	sd->level_all_freed = critpool_level(p.cp);
	press_teardown(&p);
}

/*
 * Shared reserve slabs (Dobson, Dobson + return): the critical request
 * builds a slab on a reserve page, it becomes the cpu slab, and the
 * ordinary request of the same round takes the next object of it: each
 * reserve page serves 8 rounds (16 objects, alternately), so 4 pages serve
 * 32 critical and 32 leaked ordinary objects; rounds 33..64 fail both.
 * Exclusive reserve slabs (exclusive, fixed) and the object pool: every
 * ordinary request fails (the 8 hog pages are full) and the 4 reserve
 * pages serve all 64 critical requests.
 *
 * Recovery: freeing the critical objects empties the exclusive reserve
 * slabs: with the return fix their 4 pages refill the reserve, without it
 * they go to the page allocator (8 hog pages in use).  The shared slabs
 * still hold the 8 leaked objects each: nothing comes back until those
 * are freed too, and then only with the return fix.
 */
static void test_side_by_side(void)
{
	for (int vi = 0; vi < NVARIANTS; vi++) {
		int v = variants[vi];
		machine_t *m;
		kernel_t *k = press_kernel(&m);
		side_t sd = { .variant = v };
		bool excl = is_exclusive(v);
		int crit_ok = excl ? ROUNDS : POOL_PAGES * PER_SLAB / 2;
		int full = pool_size(v);

		harness_run_on(k, 0, side_body, &sd);
		g_test_message("%s: critical %d/%d, ordinary %d/%d, leaked %" G_GUINT64_FORMAT
		               ", level after critical frees %d, after all frees %d",
		               critpool_variant_name(v), sd.crit_ok, ROUNDS, sd.noncrit_ok, ROUNDS,
		               sd.st.leaked, sd.level_crit_freed, sd.level_all_freed);
		g_assert_cmpint(sd.crit_ok, ==, crit_ok);
		g_assert_cmpint(sd.noncrit_ok, ==, excl ? 0 : crit_ok);
		g_assert_cmpuint(sd.st.leaked, ==, excl ? 0 : (uint64_t)crit_ok);
		g_assert_cmpuint(sd.st.crit_failures, ==, (uint64_t)(ROUNDS - crit_ok));
		/* + 1: the hog's last request in setup. */
		g_assert_cmpuint(sd.st.noncrit_failures, ==, (uint64_t)(ROUNDS - sd.noncrit_ok) + 1);
		g_assert_cmpuint(sd.st.pool_hits, ==, (uint64_t)(v == CRITPOOL_OBJECT_POOL ?
		                                                 ROUNDS : POOL_PAGES));
		g_assert_cmpint(sd.level_end, ==, 0);
		g_assert_cmpint(sd.level_crit_freed, ==, excl && returns(v) ? full : 0);
		g_assert_cmpuint(sd.in_use_crit_freed, ==,
		                 excl && !returns(v) ? HOG_SLABS : LIMIT);
		g_assert_cmpint(sd.level_all_freed, ==, returns(v) ? full : 0);
		harness_free(k, m);
	}
}

/* ---- 4. the cost of exclusivity once the pressure is gone ---- */

typedef struct growth {
	int variant;
	int got;
	uint64_t slabs, leaked, pa_allocs;
	simtime_t took;
} growth_t;

/* One critical object on a reserve slab; the hog lets go (its 8 slabs
 * empty and go back); then 15 ordinary requests. */
static void growth_body(void *arg)
{
	growth_t *g = arg;
	press_t p = { .variant = g->variant };
	saddr_t crit, plain[PER_SLAB - 1];
	uint64_t allocs0;
	critpool_stats_t st;

	press_setup(&p);
	crit = critpool_alloc(p.cp, true, -1);
	g_assert_cmpuint(crit, !=, 0);
	hog_release(&p);
	allocs0 = pa_stats(kern()->pa)->allocs_by_order[0];
	g->took = know();
	for (int i = 0; i < PER_SLAB - 1; i++) {
		plain[i] = critpool_alloc(p.cp, false, -1);
		g->got += plain[i] != 0;
	}
	g->took = know() - g->took;
	g->pa_allocs = pa_stats(kern()->pa)->allocs_by_order[0] - allocs0;
	g->slabs = harness_cache_info(p.s).slabs;
	critpool_stats(p.cp, &st);
	g->leaked = st.leaked;
	for (int i = 0; i < PER_SLAB - 1; i++)
		critpool_free(p.cp, plain[i], false);
	critpool_free(p.cp, crit, true);
	press_teardown(&p);
}

/* Shared: the reserve slab is the cpu slab with 15 free objects, which the
 * 15 ordinary requests take (15 leaked, no growth, 1 slab).  Exclusive:
 * they may not, so the cache grows one slab from the page allocator
 * (2 slabs, 1 page allocation). */
static void test_exclusive_growth(void)
{
	static const int vs[] = { CRITPOOL_DOBSON, CRITPOOL_DOBSON_FIXED };

	for (int vi = 0; vi < 2; vi++) {
		machine_t *m;
		kernel_t *k = press_kernel(&m);
		growth_t g = { .variant = vs[vi] };
		bool excl = is_exclusive(vs[vi]);

		harness_run_on(k, 0, growth_body, &g);
		g_test_message("%s: 15 ordinary allocations took %.1f ns", critpool_variant_name(vs[vi]),
		               (double)g.took / PS_PER_NS);
		g_assert_cmpint(g.got, ==, PER_SLAB - 1);
		g_assert_cmpuint(g.leaked, ==, excl ? 0 : PER_SLAB - 1);
		g_assert_cmpuint(g.slabs, ==, excl ? 2 : 1);
		g_assert_cmpuint(g.pa_allocs, ==, excl ? 1 : 0);
		harness_free(k, m);
	}
}

/* ---- 5. no pressure: the pool is not touched ---- */

static void calm_body(void *arg)
{
	critpool_stats_t *st = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	critpool_t *cp = critpool_create(ops, harness_a, s, CRITPOOL_DOBSON, POOL_PAGES);
	saddr_t x[2 * PER_SLAB];

	for (int i = 0; i < 2 * PER_SLAB; i++)
		x[i] = critpool_alloc(cp, i % 2 == 0, -1);
	critpool_stats(cp, st);
	for (int i = 0; i < 2 * PER_SLAB; i++)
		critpool_free(cp, x[i], i % 2 == 0);
	critpool_destroy(cp);
	ops->shrink(harness_a, s);
}

/* Without a limit the critical growth is served by the page allocator
 * (mempool_alloc tries it first): no reserve page is used, nothing leaks. */
static void test_no_pressure(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	critpool_stats_t st = { 0 };

	harness_run_on(k, 0, calm_body, &st);
	g_assert_cmpuint(st.level, ==, POOL_PAGES);
	g_assert_cmpuint(st.pool_hits, ==, 0);
	g_assert_cmpuint(st.leaked, ==, 0);
	g_assert_cmpuint(st.crit_failures + st.noncrit_failures, ==, 0);
	harness_free(k, m);
}

/* ---- 6. failure injection ---- */

#define INJ_PPM         250000          /* a quarter of page requests fail */
#define INJ_BURSTS      60
#define INJ_BURST       48              /* objects of each kind per burst */

typedef struct inject {
	int variant;
	critpool_stats_t st;
	int level_end, creations;
} inject_t;

/* Bursts of INJ_BURST critical and INJ_BURST ordinary allocations,
 * alternately; then everything is freed and the cache shrunk, so every
 * burst grows the cache again. */
static void inject_body(void *arg)
{
	inject_t *in = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	saddr_t crit[INJ_BURST], plain[INJ_BURST];
	critpool_t *cp = NULL;

	while (!cp) {   /* creation itself may meet an injected failure */
		cp = critpool_create(ops, harness_a, s, (critpool_variant_t)in->variant,
		                     pool_size(in->variant));
		in->creations++;
	}
	for (int b = 0; b < INJ_BURSTS; b++) {
		for (int i = 0; i < INJ_BURST; i++) {
			crit[i] = critpool_alloc(cp, true, -1);
			plain[i] = critpool_alloc(cp, false, -1);
		}
		for (int i = 0; i < INJ_BURST; i++) {
			critpool_free(cp, crit[i], true);
			critpool_free(cp, plain[i], false);
		}
		ops->shrink(harness_a, s);
	}
	critpool_stats(cp, &in->st);
	in->level_end = critpool_level(cp);
	critpool_destroy(cp);
}

/*
 * Fixed Dobson: a reserve slab holds only critical objects and a new one
 * is built only when every reserve slab is full, so with at most 48
 * critical objects at most 48 / 16 + 1 = 4 reserve pages are ever in use:
 * the pool (4) never runs dry and no critical request fails; every reserve
 * slab empties and returns by the end.  Object pool: at most 48 objects
 * are out of a reserve of 64: no critical request fails either.  Dobson as
 * posted: a reserve page spent on a growth that met an injected failure
 * never comes back, so the pool drains (level 0) and later critical
 * growths that meet a failure fail; ordinary requests use reserve slabs.
 * Ordinary requests fail in every variant (a growth meeting two failed
 * page requests, oo and then min order: 1/16 of growths).
 */
static void test_injection(void)
{
	static const int vs[] = { CRITPOOL_DOBSON, CRITPOOL_DOBSON_FIXED, CRITPOOL_OBJECT_POOL };

	for (int vi = 0; vi < 3; vi++) {
		pa_config_t pa = { .fail_ppm = INJ_PPM, .seed = 7 };
		machine_t *m = harness_machine(1, 1, 16);
		kernel_t *k = harness_kernel(m, ops, NULL, &pa);
		inject_t in = { .variant = vs[vi] };

		harness_run_on(k, 0, inject_body, &in);
		g_test_message("%s: critical failures %" G_GUINT64_FORMAT ", ordinary failures %"
		               G_GUINT64_FORMAT ", pool hits %" G_GUINT64_FORMAT ", low water %"
		               G_GUINT64_FORMAT ", leaked %" G_GUINT64_FORMAT ", level at end %d",
		               critpool_variant_name(vs[vi]), in.st.crit_failures,
		               in.st.noncrit_failures, in.st.pool_hits, in.st.low_water,
		               in.st.leaked, in.level_end);
		g_assert_cmpuint(in.st.crit_allocs, ==, INJ_BURSTS * INJ_BURST);
		g_assert_cmpuint(in.st.noncrit_failures, >, 0);
		if (vs[vi] == CRITPOOL_DOBSON) {
			g_assert_cmpuint(in.st.low_water, ==, 0);
			g_assert_cmpuint(in.st.crit_failures, >, 0);
			g_assert_cmpuint(in.st.leaked, >, 0);
			g_assert_cmpint(in.level_end, ==, 0);
		} else {
			g_assert_cmpuint(in.st.crit_failures, ==, 0);
			g_assert_cmpuint(in.st.pool_hits, >, 0);
			g_assert_cmpuint(in.st.leaked, ==, 0);
			g_assert_cmpint(in.level_end, ==, pool_size(vs[vi]));
		}
		harness_free(k, m);
	}
}

/* ---- 7. one pool for all slab allocations of a subsystem ---- */

typedef struct subsys {
	int a_ok, b_ok;
	bool a16, b8_first, b8_retry, attach_obj;
	int level_freed;
	critpool_stats_t st;
} subsys_t;

static void subsys_body(void *arg)
{
	subsys_t *sb = arg;
	/* Three caches of their own: merged, a and c would both be
	 * kmalloc-256 and b kmalloc-512. */
	kmem_cache_t *a = ops->cache_create(harness_a, "subsys-a", 256, 0, SLAB_NO_MERGE, NULL);
	kmem_cache_t *b = ops->cache_create(harness_a, "subsys-b", 512, 0, SLAB_NO_MERGE, NULL);
	kmem_cache_t *c = ops->cache_create(harness_a, "subsys-c", 256, 0, SLAB_NO_MERGE, NULL);
	critpool_t *op = critpool_create(ops, harness_a, c, CRITPOOL_OBJECT_POOL, 1);
	critpool_t *cp = critpool_create(ops, harness_a, a, CRITPOOL_DOBSON_FIXED, 2);
	saddr_t xa[PER_SLAB], xb[8];

	g_assert_nonnull(op);
	g_assert_nonnull(cp);
	g_assert_true(critpool_attach(cp, b));
	sb->attach_obj = critpool_attach(op, b);
	xb[0] = critpool_cache_alloc(cp, b, true, -1);
	sb->b_ok += xb[0] != 0;
	for (int i = 0; i < PER_SLAB; i++)
		sb->a_ok += (xa[i] = critpool_cache_alloc(cp, a, true, -1)) != 0;
	sb->a16 = critpool_cache_alloc(cp, a, true, -1) != 0;
	for (int i = 1; i < 8; i++)
		sb->b_ok += (xb[i] = critpool_cache_alloc(cp, b, true, -1)) != 0;
	sb->b8_first = critpool_cache_alloc(cp, b, true, -1) != 0;
	critpool_cache_alloc(cp, a, false, -1);
	for (int i = 0; i < PER_SLAB; i++)
		critpool_cache_free(cp, a, xa[i], true);
	sb->level_freed = critpool_level(cp);
	xa[0] = critpool_cache_alloc(cp, b, true, -1);
	sb->b8_retry = xa[0] != 0;
	critpool_stats(cp, &sb->st);
	critpool_cache_free(cp, b, xa[0], true);
	for (int i = 0; i < 8; i++)
		critpool_cache_free(cp, b, xb[i], true);
	critpool_destroy(cp);
	critpool_destroy(op);
	ops->shrink(harness_a, c);
}

/*
 * A 3-page limit: an object pool of 1 object of subsys-c takes a slab
 * page (and cannot back another cache: its elements are objects of one
 * size); the fixed Dobson pool takes the other 2 pages and backs caches of
 * 256 B (16 per slab) and 512 B (8 per slab, 8 * 512 B = one page).  B's
 * first critical request takes one reserve page, A's the other: A serves
 * 16 critical objects and B 8, then each fails, as does an ordinary
 * request.  Freeing A's 16 objects empties A's reserve slab, whose page
 * returns to the shared pool (level 1), and B's retry grows on it.
 */
static void test_subsystem(void)
{
	pa_config_t pa = { .limit_pages = 3 };
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, &pa);
	subsys_t sb = { 0 };

	harness_run_on(k, 0, subsys_body, &sb);
	g_assert_false(sb.attach_obj);
	g_assert_cmpint(sb.a_ok, ==, PER_SLAB);
	g_assert_false(sb.a16);
	g_assert_cmpint(sb.b_ok, ==, 8);
	g_assert_false(sb.b8_first);
	g_assert_cmpint(sb.level_freed, ==, 1);
	g_assert_true(sb.b8_retry);
	g_assert_cmpuint(sb.st.crit_allocs, ==, 1 + PER_SLAB + 1 + 7 + 1 + 1);
	g_assert_cmpuint(sb.st.crit_failures, ==, 2);
	g_assert_cmpuint(sb.st.noncrit_failures, ==, 1);
	g_assert_cmpuint(sb.st.pool_hits, ==, 3);
	g_assert_cmpuint(sb.st.pool_refills, ==, 1);
	harness_free(k, m);
}

/* ---- 8. refusals and teardown ---- */

typedef struct refuse {
	bool big_dobson, big_object, zero, attached;
	uint64_t in_use;
} refuse_t;

static void refuse_body(void *arg)
{
	refuse_t *r = arg;
	kmem_cache_t *big = ops->cache_create(harness_a, "big", 1024, 0, 0, NULL);
	kmem_cache_t *s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	critpool_t *cp, *op;

	g_assert_cmpuint(harness_cache_info(big).order, ==, 1);
	r->big_dobson = critpool_create(ops, harness_a, big, CRITPOOL_DOBSON, 2) != NULL;
	op = critpool_create(ops, harness_a, big, CRITPOOL_OBJECT_POOL, 2);
	r->big_object = op != NULL;
	r->zero = critpool_create(ops, harness_a, s, CRITPOOL_DOBSON, 0) != NULL;
	cp = critpool_create(ops, harness_a, s, CRITPOOL_DOBSON_FIXED, 2);
	r->attached = critpool_attach(cp, big);
	critpool_alloc(cp, true, -1);
	r->in_use = pa_pages_in_use(kern()->pa, 0);
	critpool_free_host(cp);
	critpool_free_host(op);
}

/* SLUB gives 1024 B objects order-1 slabs (8 objects need 8 KiB): the
 * Dobson pool, order 0 only as in the patch, neither takes nor attaches
 * the cache; the object pool takes it.  A pool needs min_nr >= 1.
 * Teardown without a CPU frees the host side only: the object pool's slab
 * (order 1, 2 pages), the 2 reserve pages and the slab of the critical
 * object (1 page from the page allocator, which has no limit here) stay
 * with the run. */
static void test_refusals(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	refuse_t r = { 0 };

	harness_run_on(k, 0, refuse_body, &r);
	g_assert_false(r.big_dobson);
	g_assert_true(r.big_object);
	g_assert_false(r.zero);
	g_assert_false(r.attached);
	g_assert_cmpuint(r.in_use, ==, 2 + 2 + 1);
	harness_free(k, m);
}

/* ---- 9. four CPUs on two nodes ---- */

#define SMP_CPUS        4
#define SMP_SLOTS       300
#define SMP_ITERS       (40 * SMP_SLOTS)
#define SMP_LIMIT       36              /* pages: far below the ~40 slabs wanted */
#define SMP_POOL        6

typedef struct smp {
	int variant;
	critpool_t *cp;
	kmem_cache_t *s;
	saddr_t held[SMP_CPUS][SMP_SLOTS];
	bool crit[SMP_CPUS][SMP_SLOTS];
	uint64_t rng[SMP_CPUS];
	int done;
} smp_t;

static void smp_setup(void *arg)
{
	smp_t *x = arg;

	x->s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	x->cp = critpool_create(ops, harness_a, x->s, (critpool_variant_t)x->variant, SMP_POOL);
	g_assert_nonnull(x->cp);
}

/* Answer the other CPUs' flush IPIs until every CPU is done. */
static void smp_quiesce(smp_t *x, int cpu)
{
	if (++x->done == SMP_CPUS)
		for (int c = 0; c < SMP_CPUS; c++)
			if (c != cpu)
				kernel_kick(c, know());
	while (x->done < SMP_CPUS) {
		kernel_do_pending();
		if (x->done < SMP_CPUS)
			kernel_idle();
	}
}

/* Each CPU churns its own slots (a seeded coin decides free or keep, and
 * critical or ordinary), shrinking the cache now and then (flush IPIs to
 * every CPU), then frees everything it holds. */
static void smp_work(void *arg, int cpu)
{
	smp_t *x = arg;

	for (int it = 0; it < SMP_ITERS; it++) {
		int i = it % SMP_SLOTS;
		uint64_t r = harness_rand(&x->rng[cpu]);

		if (x->held[cpu][i] && (r & 1)) {
			critpool_free(x->cp, x->held[cpu][i], x->crit[cpu][i]);
			x->held[cpu][i] = 0;
		} else if (!x->held[cpu][i]) {
			x->crit[cpu][i] = (r >> 1) & 1;
			x->held[cpu][i] = critpool_alloc(x->cp, x->crit[cpu][i], -1);
		}
		if (it % 997 == 0)
			ops->shrink(harness_a, x->s);
	}
	for (int i = 0; i < SMP_SLOTS; i++)
		critpool_free(x->cp, x->held[cpu][i], x->crit[cpu][i]);
	ops->shrink(harness_a, x->s);
	smp_quiesce(x, cpu);
}

/*
 * Concurrency (locks, remote frees, flush IPIs) under a limit far below
 * the demand: whatever fails, once every object is freed and the cache
 * shrunk, a Dobson cache holds no slab; the return variants have every
 * reserve page back (each reserve slab emptied, and mempool_free refills
 * the reserve first), the others never refill; the object pool keeps its
 * 6 reserved objects allocated.  Failure rates are measured, not
 * asserted.
 */
static void test_smp(void)
{
	for (int vi = 0; vi < NVARIANTS; vi++) {
		pa_config_t pa = { .limit_pages = SMP_LIMIT };
		machine_t *m = harness_machine(SMP_CPUS, 2, 16);
		kernel_t *k = harness_kernel(m, ops, NULL, &pa);
		static const int cpus[SMP_CPUS] = { 0, 1, 2, 3 };
		smp_t *x = g_new0(smp_t, 1);
		critpool_stats_t st;
		cache_info_t ci;
		int v = variants[vi];

		x->variant = v;
		for (int c = 0; c < SMP_CPUS; c++)
			x->rng[c] = 100 + (uint64_t)c;
		harness_run_on(k, 0, smp_setup, x);
		harness_run_many(k, cpus, SMP_CPUS, smp_work, x);
		critpool_stats(x->cp, &st);
		ops->cache_info(harness_a, x->s, &ci);
		g_test_message("%s: critical failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
		               ", ordinary failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
		               ", pool hits %" G_GUINT64_FORMAT ", leaked %" G_GUINT64_FORMAT
		               ", level %" G_GUINT64_FORMAT ", slabs at end %" G_GUINT64_FORMAT,
		               critpool_variant_name(v), st.crit_failures, st.crit_allocs,
		               st.noncrit_failures, st.noncrit_allocs, st.pool_hits, st.leaked,
		               st.level, ci.slabs);
		g_assert_cmpuint(st.pool_hits, >, 0);
		if (v == CRITPOOL_OBJECT_POOL) {
			g_assert_cmpuint(ci.active_objs, ==, SMP_POOL);
		} else {
			g_assert_cmpuint(ci.active_objs, ==, 0);
			g_assert_cmpuint(ci.slabs, ==, 0);
		}
		if (returns(v))
			g_assert_cmpuint(st.level, ==, SMP_POOL);
		else
			g_assert_cmpuint(st.pool_refills, ==, 0);
		if (!is_exclusive(v))
			g_assert_cmpuint(st.leaked, >, 0);
		else
			g_assert_cmpuint(st.leaked, ==, 0);
		critpool_free_host(x->cp);
		harness_free(k, m);
		g_free(x);
	}
}

static void test_variant_names(void)
{
	for (int v = 0; v < CRITPOOL_NVARIANTS; v++) {
		critpool_variant_t back;

		g_assert_true(critpool_variant_parse(critpool_variant_name(v), &back));
		g_assert_cmpint(back, ==, v);
	}
	g_assert_false(critpool_variant_parse("dobson-", &(critpool_variant_t){ 0 }));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mempool/page-pool", test_page_pool);
	g_test_add_func("/mempool/variant-names", test_variant_names);
	g_test_add_func("/mempool/no-pressure", test_no_pressure);
	g_test_add_func("/mempool/cycles", test_cycles);
	g_test_add_func("/mempool/side-by-side", test_side_by_side);
	g_test_add_func("/mempool/exclusive-growth", test_exclusive_growth);
	g_test_add_func("/mempool/injection", test_injection);
	g_test_add_func("/mempool/subsystem", test_subsystem);
	g_test_add_func("/mempool/refusals", test_refusals);
	g_test_add_func("/mempool/smp", test_smp);
	return g_test_run();
}
