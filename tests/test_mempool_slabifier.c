/*
 * test_mempool_slabifier.c -- seed 004 on the Slabifier, whose page source
 * is pluggable in the seed (page_alloc->allocate): Dobson's critical page
 * pool behind it, as posted (the pool drains; a reserve slab is an active
 * slab every request uses) and with his two planned fixes (return,
 * exclusivity: reserve slabs never active, on a pool list).
 *
 * One CPU, one node, 16 MiB, 4 KiB pages; a cache "crit" of 256 B objects:
 * order 0 (slabifier_order 0), 4096 / 256 = 16 per slab.  An active slab
 * stays active, even empty, until the flusher or a shrink (drain_all)
 * deactivates it; an emptied slab that is not active goes back at once.
 * The reserve is 4 pages; memory pressure is a hog holding every page the
 * page allocator has left under its limit.  Every figure is derived in the
 * comments from these rules.
 */
#include "harness.h"
#include "slabifier.h"
#include "critpool.h"

static const allocator_ops_t *ops = &slabifier_allocator;

#define OBJ_SIZE        256
#define PER_SLAB        16
#define LIMIT           256             /* pages: boot, the reserve, the hog */
#define POOL_PAGES      4
#define CYCLES          6

static const int variants[] = {
	CRITPOOL_DOBSON, CRITPOOL_DOBSON_RETURN, CRITPOOL_DOBSON_EXCLUSIVE, CRITPOOL_DOBSON_FIXED,
};

static bool exclusive(int v)
{
	return v == CRITPOOL_DOBSON_EXCLUSIVE || v == CRITPOOL_DOBSON_FIXED;
}

static bool returns(int v)
{
	return v == CRITPOOL_DOBSON_RETURN || v == CRITPOOL_DOBSON_FIXED;
}

typedef struct press {
	int variant;
	kmem_cache_t *s;
	critpool_t *cp;
	GPtrArray *hog;         /* order-0 pages held */
} press_t;

/* Take every page the page allocator still gives; returns how many. */
static int hog_fill(press_t *p)
{
	page_t *page;
	int n = 0;

	while ((page = alloc_pages_node(-1, 0, 0))) {
		g_ptr_array_add(p->hog, page);
		n++;
	}
	return n;
}

static void press_setup(press_t *p)
{
	cache_info_t ci;

	p->s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0);
	ci = harness_cache_info(p->s);
	g_assert_cmpuint(ci.objects_per_slab, ==, PER_SLAB);
	g_assert_cmpuint(ci.order, ==, 0);
	p->cp = critpool_create(ops, harness_a, p->s, (critpool_variant_t)p->variant, POOL_PAGES);
	g_assert_nonnull(p->cp);
	p->hog = g_ptr_array_new();
	g_assert_cmpint(hog_fill(p), >, 0);
}

static void press_teardown(press_t *p)
{
	for (unsigned i = 0; i < p->hog->len; i++)
		__free_pages(g_ptr_array_index(p->hog, i), 0);
	g_ptr_array_free(p->hog, TRUE);
	critpool_destroy(p->cp);
	ops->shrink(harness_a, p->s);
}

static kernel_t *press_kernel(machine_t **m)
{
	pa_config_t pa = { .limit_pages = LIMIT };

	*m = harness_machine(1, 1, 16);
	return harness_kernel(*m, ops, NULL, &pa);
}

/* ---- 1. the patch's growth path, and where reserve objects go ---- */

typedef struct path {
	int variant;
	bool crit1, ord, crit2;
	int level_alloc, level_end;
	critpool_stats_t st;
	uint64_t slabs_end;
} path_t;

static void path_body(void *arg)
{
	path_t *t = arg;
	press_t p = { .variant = t->variant };
	saddr_t c1, o, c2;

	press_setup(&p);
	c1 = critpool_alloc(p.cp, true, -1);
	o = critpool_alloc(p.cp, false, -1);
	c2 = critpool_alloc(p.cp, true, -1);
	t->crit1 = c1 != 0;
	t->ord = o != 0;
	t->crit2 = c2 != 0;
	t->level_alloc = critpool_level(p.cp);
	critpool_free(p.cp, c1, true);
	critpool_free(p.cp, o, false);
	critpool_free(p.cp, c2, true);
	ops->shrink(harness_a, p.s);
	t->level_end = critpool_level(p.cp);
	t->slabs_end = harness_cache_info(p.s).slabs;
	critpool_stats(p.cp, &t->st);
	press_teardown(&p);
}

/*
 * A critical, an ordinary, then a critical request with the page
 * allocator at its limit.  The first critical request has no active slab
 * and no partial slab: new_slab asks the page source, mempool_alloc_node,
 * whose page allocator attempt fails, so the slab is built on a reserve
 * page (level 3, one pool hit).
 *  - As posted (and with return only): it becomes the CPU's active slab;
 *    the ordinary request takes the next object of it on the fast path (1
 *    leaked), the second critical one the next.  The frees leave the
 *    active slab empty and active; the shrink's drain_all deactivates it
 *    and it goes to the page allocator (level stays 3) or, with return, to
 *    mempool_free, which refills the reserve (level 4, one refill).
 *  - Exclusive (and fixed): the reserve slab gives the request one object
 *    and goes on the pool list, never active; the ordinary request finds
 *    no active, partial or pool slab it may use and cannot grow (a
 *    failure, nothing leaked); the second critical request takes an object
 *    of the pool list's slab (no second reserve page: level 3).  The last
 *    free empties it and it goes back at once: to the page allocator
 *    (exclusive: level 3) or to the pool (fixed: level 4).
 * No slab is left in any case.
 */
static void test_patch_path(void)
{
	for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
		int v = variants[vi];
		machine_t *m;
		kernel_t *k = press_kernel(&m);
		path_t t = { .variant = v };

		harness_run_on(k, 0, path_body, &t);
		g_assert_true(t.crit1);
		g_assert_true(t.crit2);
		g_assert_cmpint(t.ord, ==, !exclusive(v));
		g_assert_cmpint(t.level_alloc, ==, POOL_PAGES - 1);
		g_assert_cmpuint(t.st.pool_hits, ==, 1);
		g_assert_cmpuint(t.st.leaked, ==, exclusive(v) ? 0 : 1);
		g_assert_cmpuint(t.st.noncrit_failures, ==, exclusive(v) ? 1 : 0);
		g_assert_cmpuint(t.st.crit_failures, ==, 0);
		g_assert_cmpint(t.level_end, ==, returns(v) ? POOL_PAGES : POOL_PAGES - 1);
		g_assert_cmpuint(t.st.pool_refills, ==, returns(v) ? 1 : 0);
		g_assert_cmpuint(t.slabs_end, ==, 0);
		harness_free(k, m);
	}
}

/* ---- 2. Pekka Enberg's first objection: the pool runs dry ---- */

typedef struct cycles {
	int variant;
	int level[CYCLES], hog_gain[CYCLES];
	critpool_stats_t st;
} cycles_t;

/* Each cycle: one critical allocation and its free, kmem_cache_shrink,
 * then the hog takes whatever page came free. */
static void cycles_body(void *arg)
{
	cycles_t *c = arg;
	press_t p = { .variant = c->variant };

	press_setup(&p);
	for (int i = 0; i < CYCLES; i++) {
		saddr_t x = critpool_alloc(p.cp, true, -1);

		critpool_free(p.cp, x, true);
		ops->shrink(harness_a, p.s);
		c->hog_gain[i] = hog_fill(&p);
		c->level[i] = critpool_level(p.cp);
	}
	critpool_stats(p.cp, &c->st);
	press_teardown(&p);
}

/*
 * Without the return path the emptied reserve slab's page goes to the page
 * allocator (at the shrink's drain_all for the active slab as posted, at
 * the last free for an exclusive slab) and
 * the hog takes it: one page per cycle, one reserve page fewer, so the
 * level reads 3 2 1 0 0 0 and the critical requests of cycles 5 and 6
 * fail.  With it the page goes back to the reserve: 4 every cycle, the hog
 * gains nothing.
 */
static void test_cycles(void)
{
	for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
		int v = variants[vi];
		machine_t *m;
		kernel_t *k = press_kernel(&m);
		cycles_t c = { .variant = v };
		bool drains = !returns(v);

		harness_run_on(k, 0, cycles_body, &c);
		for (int i = 0; i < CYCLES; i++) {
			g_assert_cmpint(c.level[i], ==, drains ? MAX(POOL_PAGES - (i + 1), 0) : POOL_PAGES);
			g_assert_cmpint(c.hog_gain[i], ==, drains && i < POOL_PAGES ? 1 : 0);
		}
		g_assert_cmpuint(c.st.crit_failures, ==, drains ? CYCLES - POOL_PAGES : 0);
		g_assert_cmpuint(c.st.pool_hits, ==, drains ? POOL_PAGES : CYCLES);
		g_assert_cmpuint(c.st.pool_refills, ==, drains ? 0 : CYCLES);
		harness_free(k, m);
	}
}

/* ---- 3. four CPUs on two nodes: remote frees, flush IPIs ---- */

#define SMP_CPUS        4
#define SMP_SLOTS       120
#define SMP_ITERS       (20 * SMP_SLOTS)
#define SMP_LIMIT       200             /* pages, with the hog's */
#define SMP_POOL        6

typedef struct smp {
	press_t p;
	saddr_t held[SMP_CPUS][SMP_SLOTS];
	bool crit[SMP_CPUS][SMP_SLOTS];
	uint64_t rng;
	int done;
} smp_t;

static void smp_setup(void *arg)
{
	smp_t *x = arg;
	page_t *page;

	x->p.s = ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0);
	x->p.cp = critpool_create(ops, harness_a, x->p.s, (critpool_variant_t)x->p.variant, SMP_POOL);
	g_assert_nonnull(x->p.cp);
	x->p.hog = g_ptr_array_new();
	/* Leave 12 pages to the cache: fewer than it wants. */
	hog_fill(&x->p);
	for (int i = 0; i < 12 && (page = g_ptr_array_steal_index(x->p.hog, x->p.hog->len - 1)); i++)
		__free_pages(page, 0);
}

/* Slots of CPU c are freed by CPU c ^ 2, on the other node: every other
 * free is to a slab another CPU may hold active or that sits on a list; a
 * shrink now and then sends drain IPIs to every CPU. */
static void smp_work(void *arg, int cpu)
{
	smp_t *x = arg;
	int other = cpu ^ 2;

	for (int it = 0; it < SMP_ITERS; it++) {
		int i = it % SMP_SLOTS, who = (it / SMP_SLOTS) % 2 ? other : cpu;
		uint64_t r = harness_rand(&x->rng);

		if (x->held[who][i] && (r & 1)) {
			saddr_t y = x->held[who][i];

			x->held[who][i] = 0;    /* before the free: the other CPU runs meanwhile */
			critpool_free(x->p.cp, y, x->crit[who][i]);
		} else if (!x->held[cpu][i]) {
			x->crit[cpu][i] = (r >> 1) & 1;
			x->held[cpu][i] = critpool_alloc(x->p.cp, x->crit[cpu][i], -1);
		}
		if (it % 499 == 0)
			ops->shrink(harness_a, x->p.s);
	}
	if (++x->done == SMP_CPUS)
		for (int c = 0; c < SMP_CPUS; c++)
			kernel_kick(c, know());
	while (x->done < SMP_CPUS) {
		kernel_do_pending();
		if (x->done < SMP_CPUS)
			kernel_idle();
	}
}

static void smp_free_all(void *arg)
{
	smp_t *x = arg;

	for (int c = 0; c < SMP_CPUS; c++)
		for (int i = 0; i < SMP_SLOTS; i++)
			critpool_free(x->p.cp, x->held[c][i], x->crit[c][i]);
}

static void smp_shrink(void *arg)
{
	smp_t *x = arg;

	ops->shrink(harness_a, x->p.s);
}

/*
 * Whatever succeeds or fails, once all is freed and the cache shrunk no
 * slab is left, the return variants have their 6 reserve pages back
 * (each reserve slab emptied, and mempool_free refills the reserve
 * first) and the others never refill; only shared reserve slabs leak.
 */
static void test_smp(void)
{
	for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
		pa_config_t pa = { .limit_pages = SMP_LIMIT };
		machine_t *m = harness_machine(SMP_CPUS, 2, 16);
		kernel_t *k = harness_kernel(m, ops, NULL, &pa);
		static const int cpus[SMP_CPUS] = { 0, 1, 2, 3 };
		smp_t *x = g_new0(smp_t, 1);
		critpool_stats_t st;
		int v = variants[vi];

		x->p.variant = v;
		x->rng = 7 + (uint64_t)vi;
		harness_run_on(k, 0, smp_setup, x);
		harness_run_many(k, cpus, SMP_CPUS, smp_work, x);
		harness_run_served(k, smp_free_all, x);
		harness_run_served(k, smp_shrink, x);
		critpool_stats(x->p.cp, &st);
		g_test_message("%s: critical failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
		               ", ordinary failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
		               ", pool hits %" G_GUINT64_FORMAT ", leaked %" G_GUINT64_FORMAT
		               ", level %" G_GUINT64_FORMAT, critpool_variant_name(v),
		               st.crit_failures, st.crit_allocs, st.noncrit_failures,
		               st.noncrit_allocs, st.pool_hits, st.leaked, st.level);
		g_assert_cmpuint(st.pool_hits, >, 0);
		g_assert_cmpuint(harness_cache_info(x->p.s).slabs, ==, 0);
		if (returns(v))
			g_assert_cmpuint(st.level, ==, SMP_POOL);
		else
			g_assert_cmpuint(st.pool_refills, ==, 0);
		if (exclusive(v))
			g_assert_cmpuint(st.leaked, ==, 0);
		else
			g_assert_cmpuint(st.leaked, >, 0);
		critpool_free_host(x->p.cp);
		g_ptr_array_free(x->p.hog, TRUE);
		g_free(x);
		harness_free(k, m);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mempool-slabifier/patch-path", test_patch_path);
	g_test_add_func("/mempool-slabifier/cycles", test_cycles);
	g_test_add_func("/mempool-slabifier/smp", test_smp);
	return g_test_run();
}
