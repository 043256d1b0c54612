/*
 * test_mempool_dobson.c -- seed 004 on SLAB, the allocator the patch was
 * written for (kmem_getpages / cache_grow), and on the Slabifier, whose
 * page source is pluggable in its seed: Dobson's critical page pool as
 * posted (the pool drains; reserve objects reach ordinary users) and with
 * his two planned fixes (return, exclusivity).  SLUB's are in
 * test_mempool.c.
 *
 * One CPU, one node, 16 MiB, 4 KiB pages; a cache "crit" of 256 B objects:
 *  - SLAB (kernel-params A.2): on-slab, (4096 - 48) / (256 + 4) = 15
 *    objects, and 48 + 15 * 4 = 108 -> 112 B of descriptor + 15 * 256 B =
 *    3952 B fit one page: order 0, 15 per slab.  enable_cpucache: limit
 *    120, batchcount 60; the first refill of an untouched array takes at
 *    most BATCHREFILL_LIMIT = 16, here the slab's 15; free_limit = (1 + 1)
 *    * 60 + 15 = 135 free objects per node.
 *  - The Slabifier: order 0 (slabifier_order 0), 4096 / 256 = 16 per slab;
 *    an active slab stays active, even empty, until the flusher or a
 *    shrink (drain_all) deactivates it; an emptied slab that is not active
 *    goes back at once.
 * The reserve is 4 pages; memory pressure is a hog holding every page the
 * page allocator has left under its limit.  Every figure is derived in the
 * comments from these rules.
 */
#include "harness.h"
#include "slab.h"
#include "slabifier.h"
#include "critpool.h"

#define OBJ_SIZE        256
#define LIMIT           256             /* pages: boot, the reserve, the hog */
#define POOL_PAGES      4
#define CYCLES          6

static const int variants[] = {
	CRITPOOL_DOBSON, CRITPOOL_DOBSON_RETURN, CRITPOOL_DOBSON_EXCLUSIVE, CRITPOOL_DOBSON_FIXED,
};

/* The allocator under test and its objects per slab. */
typedef struct target {
	const allocator_ops_t *ops;
	unsigned per_slab;
} target_t;

static const target_t targets[] = { { &slab_allocator, 15 }, { &slabifier_allocator, 16 } };
static const target_t *cur;

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

/* The cache, its pool, and the hog on everything else (keep: pages given
 * back to the page allocator afterwards). */
static void press_setup(press_t *p, int min_nr, int keep)
{
	cache_info_t ci;

	p->s = cur->ops->cache_create(harness_a, "crit", OBJ_SIZE, 0, 0, NULL);
	ci = harness_cache_info(p->s);
	g_assert_cmpuint(ci.objects_per_slab, ==, cur->per_slab);
	g_assert_cmpuint(ci.order, ==, 0);
	p->cp = critpool_create(cur->ops, harness_a, p->s, (critpool_variant_t)p->variant, min_nr);
	g_assert_nonnull(p->cp);
	p->hog = g_ptr_array_new();
	g_assert_cmpint(hog_fill(p), >, keep);
	for (int i = 0; i < keep; i++)
		__free_pages(g_ptr_array_steal_index(p->hog, p->hog->len - 1), 0);
}

static void press_teardown(press_t *p)
{
	for (unsigned i = 0; i < p->hog->len; i++)
		__free_pages(g_ptr_array_index(p->hog, i), 0);
	g_ptr_array_free(p->hog, TRUE);
	critpool_destroy(p->cp);
	cur->ops->shrink(harness_a, p->s);
}

static kernel_t *press_kernel(machine_t **m)
{
	pa_config_t pa = { .limit_pages = LIMIT };

	*m = harness_machine(1, 1, 16);
	return harness_kernel(*m, cur->ops, NULL, &pa);
}

/* ---- 1. the patch's growth path, and where reserve objects go ---- */

typedef struct path {
	int variant;
	bool crit1, ord, crit2;
	int level_alloc, level_end;
	unsigned avail_after;           /* SLAB: this CPU's array after the three requests */
	critpool_stats_t st;
	uint64_t slabs_end;
	slab_audit_t audit;
} path_t;

/* A critical, an ordinary and a critical request; then their frees and a
 * shrink. */
static void path_body(void *arg)
{
	path_t *t = arg;
	press_t p = { .variant = t->variant };
	saddr_t c1, o, c2;

	press_setup(&p, POOL_PAGES, 0);
	c1 = critpool_alloc(p.cp, true, -1);
	o = critpool_alloc(p.cp, false, -1);
	c2 = critpool_alloc(p.cp, true, -1);
	t->crit1 = c1 != 0;
	t->ord = o != 0;
	t->crit2 = c2 != 0;
	t->level_alloc = critpool_level(p.cp);
	if (cur->ops == &slab_allocator) {
		t->avail_after = slab_cpu_avail(p.s, 0);
		slab_audit(harness_a, p.s, &t->audit);
	}
	critpool_free(p.cp, c1, true);
	critpool_free(p.cp, o, false);
	critpool_free(p.cp, c2, true);
	cur->ops->shrink(harness_a, p.s);
	t->level_end = critpool_level(p.cp);
	t->slabs_end = harness_cache_info(p.s).slabs;
	critpool_stats(p.cp, &t->st);
	press_teardown(&p);
}

/* What both allocators give (below): the first critical request finds no
 * object and grows from mempool_alloc_node, whose page allocator attempt
 * fails: a reserve page (level 3, one pool hit); as posted the ordinary
 * request takes a reserve object (1 leaked), with exclusivity it fails;
 * nothing grows a second reserve slab; after the frees and the shrink the
 * level is 3, or 4 with the return fix (one refill), and no slab is left. */
static void path_common(int v, const path_t *t)
{
	g_assert_true(t->crit1);
	g_assert_true(t->crit2);
	g_assert_cmpint(t->ord, ==, !exclusive(v));
	g_assert_cmpint(t->level_alloc, ==, POOL_PAGES - 1);
	g_assert_cmpuint(t->st.pool_hits, ==, 1);
	g_assert_cmpuint(t->st.leaked, ==, exclusive(v) ? 0 : 1);
	g_assert_cmpuint(t->st.noncrit_failures, ==, exclusive(v) ? 1 : 0);
	g_assert_cmpuint(t->st.crit_failures, ==, 0);
	g_assert_cmpint(t->level_end, ==, returns(v) ? POOL_PAGES : POOL_PAGES - 1);
	g_assert_cmpuint(t->st.pool_refills, ==, returns(v) ? 1 : 0);
	g_assert_cmpuint(t->slabs_end, ==, 0);
}

/* path_body for variant v on a fresh pressured kernel of the current
 * allocator, checked by path_common; *t keeps the figures. */
static void path_run(int v, path_t *t)
{
	machine_t *m;
	kernel_t *k = press_kernel(&m);

	*t = (path_t){ .variant = v };
	harness_run_on(k, 0, path_body, t);
	path_common(v, t);
	harness_free(k, m);
}

/*
 * SLAB.  As posted (and with return only): the reserve slab joins
 * slabs_free, the refill moves its 15 objects into the per-CPU array and
 * the request pops one; the ordinary request pops the next (leaked), the
 * second critical one the next: 12 left in the array.  The frees put the 3
 * back; the shrink drains them to the slab, which empties: as posted it
 * waits on slabs_free (15 <= free_limit 135) for the shrink's
 * drain_freelist, which gives it to the page allocator; with return,
 * free_block destroys it at once into mempool_free, which refills the
 * reserve.  Exclusive (and fixed): the reserve slab goes on the node's pool
 * list, the request takes one object and the array stays empty; the
 * ordinary request finds nothing and cannot grow; the second critical one
 * takes another object of the pool list's slab.  The frees go straight to
 * the slab; the last empties it and it is destroyed at once, to the page
 * allocator (exclusive) or to the pool (fixed).
 */
static void test_slab_path(void)
{
	cur = &targets[0];
	for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
		path_t t;

		path_run(variants[vi], &t);
		g_assert_cmpuint(t.avail_after, ==, exclusive(t.variant) ? 0 : cur->per_slab - 3);
		g_assert_cmpuint(t.audit.slabs, ==, 1);
		g_assert_cmpuint(t.audit.percpu, ==, t.avail_after);
	}
}

/*
 * The Slabifier.  As posted (and with return only): the reserve slab
 * becomes the CPU's active slab; the ordinary request takes its next
 * object on the fast path (leaked), the second critical one the next.
 * The frees leave it empty and active; the shrink's drain_all deactivates
 * it and it goes to the page allocator, or with return to mempool_free.
 * Exclusive (and fixed): the reserve slab gives the request one object and
 * goes on the pool list, never active; the ordinary request finds no
 * active, partial or pool slab it may use and cannot grow; the second
 * critical one takes an object of the pool list's slab.  The last free
 * empties it and it goes back at once.
 */
static void test_slabifier_path(void)
{
	cur = &targets[1];
	for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
		path_t t;

		path_run(variants[vi], &t);
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

	press_setup(&p, POOL_PAGES, 0);
	for (int i = 0; i < CYCLES; i++) {
		saddr_t x = critpool_alloc(p.cp, true, -1);

		critpool_free(p.cp, x, true);
		cur->ops->shrink(harness_a, p.s);
		c->hog_gain[i] = hog_fill(&p);
		c->level[i] = critpool_level(p.cp);
	}
	critpool_stats(p.cp, &c->st);
	press_teardown(&p);
}

/*
 * Without the return path the emptied reserve slab's page goes to the page
 * allocator (at the shrink, or at the last free for an exclusive slab) and
 * the hog takes it: one page per cycle, one reserve page fewer, so the
 * level reads 3 2 1 0 0 0 and the critical requests of cycles 5 and 6
 * fail.  With it the page goes back to the reserve: 4 every cycle, the hog
 * gains nothing.  The same on both allocators.
 */
static void test_cycles(void)
{
	for (unsigned ti = 0; ti < G_N_ELEMENTS(targets); ti++) {
		cur = &targets[ti];
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
}

/* ---- 3. four CPUs on two nodes: remote frees, queues, IPIs ---- */

#define SMP_CPUS        4
#define SMP_SLOTS       120
#define SMP_ITERS       (20 * SMP_SLOTS)
#define SMP_LIMIT       200             /* pages, with the hog's */
#define SMP_POOL        6
#define SMP_FREE        12              /* pages the hog leaves: fewer than wanted */

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

	press_setup(&x->p, SMP_POOL, SMP_FREE);
}

/* Slots of CPU c are freed by CPU c ^ 2, on the other node, every other
 * pass (SLAB: alien arrays; exclusive reserve objects straight to their
 * slab); a shrink now and then sends drain IPIs to every CPU. */
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
			cur->ops->shrink(harness_a, x->p.s);
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

/* SLAB's audit (every object found once, slabs on the right lists), then
 * every held object freed. */
static void smp_free_all(void *arg)
{
	smp_t *x = arg;
	slab_audit_t au;

	if (cur->ops == &slab_allocator)
		slab_audit(harness_a, x->p.s, &au);
	for (int c = 0; c < SMP_CPUS; c++)
		for (int i = 0; i < SMP_SLOTS; i++)
			critpool_free(x->p.cp, x->held[c][i], x->crit[c][i]);
}

static void smp_shrink(void *arg)
{
	smp_t *x = arg;

	cur->ops->shrink(harness_a, x->p.s);
}

/*
 * Whatever succeeds or fails (SLAB: slab_audit finds every object exactly
 * once, exclusive reserve slabs only on the pool lists, nothing lost in
 * arrays), once all is freed and the cache shrunk no slab is left, the
 * return variants have their 6 reserve pages back (each reserve slab
 * emptied, and mempool_free refills the reserve first) and the others
 * never refill; only shared reserve slabs leak.
 */
static void test_smp(void)
{
	for (unsigned ti = 0; ti < G_N_ELEMENTS(targets); ti++) {
		cur = &targets[ti];
		for (unsigned vi = 0; vi < G_N_ELEMENTS(variants); vi++) {
			pa_config_t pa = { .limit_pages = SMP_LIMIT };
			machine_t *m = harness_machine(SMP_CPUS, 2, 16);
			kernel_t *k = harness_kernel(m, cur->ops, NULL, &pa);
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
			g_test_message("%s %s: critical failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
			               ", ordinary failures %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
			               ", pool hits %" G_GUINT64_FORMAT ", leaked %" G_GUINT64_FORMAT
			               ", level %" G_GUINT64_FORMAT, cur->ops->name, critpool_variant_name(v),
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
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mempool-dobson/slab-path", test_slab_path);
	g_test_add_func("/mempool-dobson/slabifier-path", test_slabifier_path);
	g_test_add_func("/mempool-dobson/cycles", test_cycles);
	g_test_add_func("/mempool-dobson/smp", test_smp);
	return g_test_run();
}
