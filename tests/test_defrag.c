/*
 * test_defrag.c -- seed 001 on SLUB: slab_ops, defragmentation in
 * kmem_cache_shrink, kmem_cache_vacate, the KMEM_CACHE / legacy
 * kmem_cache_create alignment rule, and page-block mobility types.
 *
 * Machines come from harness_machine: 4 KiB pages, 64-byte lines, one CPU
 * unless said otherwise.  Every expected figure is derived in the comments
 * from the rule it checks, never read back from the program.
 */
#include "harness.h"
#include "slub.h"

static const allocator_ops_t *ops = &slub_allocator;

/* The owner of the test caches' objects (harness_owner_t): every word of
 * object i holds MAGIC ^ i. */
#define MAGIC 0x5eedf00dULL

/* ---- 1. SLAB_HWCACHE_ALIGN, legacy create and KMEM_CACHE ---- */

struct obj24 { uint64_t w[3]; };
struct obj100 { uint32_t w[25]; };

static void align_body(void *arg)
{
	/* 64-byte lines, the 2.6.2x rule: ralign = 64, halved while
	 * size <= ralign / 2.  24: 24 <= 32 -> 32, 24 > 16 -> 32.
	 * 32: 32 <= 32 -> 32, 32 > 16 -> 32.  40: 40 > 32 -> 64.
	 * 100: 100 > 32 -> 64.  Stride = size rounded up to the alignment. */
	static const struct { size_t size; unsigned align, stride; } rule[] = {
		{ 24, 32, 32 }, { 32, 32, 32 }, { 40, 64, 64 }, { 100, 64, 128 },
	};
	kmem_cache_t *s;

	(void)arg;
	for (unsigned i = 0; i < G_N_ELEMENTS(rule); i++) {
		char name[32];

		g_assert_cmpuint(slab_calculate_alignment(SLAB_HWCACHE_ALIGN, 0, rule[i].size, 64),
		                 ==, rule[i].align);
		g_snprintf(name, sizeof(name), "legacy-%zu", rule[i].size);
		/* SLAB_NO_MERGE: a cache of its own (merged, legacy-24 would
		 * be kmalloc-32, whose own alignment is 8). */
		s = kmem_cache_create_legacy(ops, harness_a, name, rule[i].size, 0,
		                             SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE, NULL);
		g_assert_cmpuint(harness_cache_info(s).align, ==, rule[i].align);
		g_assert_cmpuint(harness_cache_info(s).size, ==, rule[i].stride);
		/* Only objects larger than half a line are line aligned. */
		g_assert_cmpint(harness_cache_info(s).align == 64, ==, rule[i].size > 32);
	}
	/* Without the flag the alignment is the caller's (at least SLUB's 8). */
	g_assert_cmpuint(slab_calculate_alignment(0, 16, 40, 64), ==, 16);

	/* KMEM_CACHE: name, size and __alignof__ from the declaration; the
	 * flag is not understood there.  struct obj24: 3 words, align 8,
	 * stride 24; struct obj100: 25 u32, align 4 -> SLUB's minimum 8,
	 * stride ALIGN(100, 8) = 104. */
	s = KMEM_CACHE(ops, harness_a, obj24, SLAB_HWCACHE_ALIGN);
	g_assert_cmpstr(harness_cache_info(s).name, ==, "obj24");
	g_assert_cmpuint(harness_cache_info(s).object_size, ==, 24);
	g_assert_cmpuint(harness_cache_info(s).align, ==, 8);
	g_assert_cmpuint(harness_cache_info(s).size, ==, 24);
	s = KMEM_CACHE(ops, harness_a, obj100, 0);
	g_assert_cmpuint(harness_cache_info(s).align, ==, 8);
	g_assert_cmpuint(harness_cache_info(s).size, ==, 104);
}

static void test_hwcache_align(void)
{
	harness_run_alone(ops, align_body, NULL);
}

/* ---- 2. fragmentation: allocate, free a random 80 %, shrink ---- */

#define FRAG_N     2000
#define FRAG_FREE  1600        /* 80 % */
#define FRAG_LIVE  (FRAG_N - FRAG_FREE)
#define FRAG_SIZE  64
#define FRAG_SEED  7

enum { PLAIN, DEFRAG_DEFAULT, DEFRAG_ALL };

typedef struct frag {
	int mode;
	simtime_t shrink_ns, free64_ns;
	uint64_t add_partial_all;       /* free_add_partial while freeing every object */
	uint64_t slabs_before, slabs_after, pages_before, pages_after;
	uint64_t objects_per_slab, active_objs;
	defrag_report_t rep;
	harness_owner_t o;
} frag_t;

static uint64_t hist_sum(const uint64_t *h)
{
	uint64_t n = 0;

	for (int i = 0; i < DEFRAG_HIST_BUCKETS; i++)
		n += h[i];
	return n;
}

static char *hist_str(const uint64_t *h)
{
	GString *g = g_string_new(NULL);

	for (int i = 0; i < DEFRAG_HIST_BUCKETS; i++)
		g_string_append_printf(g, "%s%" G_GUINT64_FORMAT, i ? " " : "", h[i]);
	return g_string_free(g, FALSE);
}

static void stat_pick(void *ctx, const char *name, uint64_t value)
{
	if (strcmp(name, "free_add_partial") == 0)
		*(uint64_t *)ctx = value;
}

static uint64_t add_partial_now(void)
{
	uint64_t v = 0;

	ops->stats(harness_a, stat_pick, &v);
	return v;
}

/* Free every live object in handle order; the first 64 frees timed. */
static void free_live(frag_t *f)
{
	uint64_t ap = add_partial_now();
	simtime_t t0 = know();
	int done = 0;

	for (int i = 0; i < f->o.n; i++) {
		if (!f->o.h[i])
			continue;
		ops->cache_free(harness_a, f->o.s, f->o.h[i]);
		f->o.h[i] = 0;
		if (++done == 64)
			f->free64_ns = (know() - t0) / PS_PER_NS;
	}
	f->add_partial_all = add_partial_now() - ap;
}

static void frag_body(void *arg)
{
	frag_t *f = arg;
	simtime_t t0;

	f->o = (harness_owner_t){ .magic = MAGIC, .objsize = FRAG_SIZE, .answer = KICK_MOVE };
	f->o.s = ops->cache_create(harness_a, "frag", FRAG_SIZE, 0, SLAB_NO_MERGE, NULL);
	f->objects_per_slab = harness_cache_info(f->o.s).objects_per_slab;
	harness_owner_alloc(&f->o, FRAG_N);
	harness_owner_free_random(&f->o, FRAG_FREE, FRAG_SEED);
	f->slabs_before = harness_cache_info(f->o.s).slabs;
	f->pages_before = pa_stats(kern()->pa)->pages_in_use;
	t0 = know();
	if (f->mode == PLAIN) {
		ops->shrink(harness_a, f->o.s);
	} else {
		ops->cache_set_ops(harness_a, f->o.s, &harness_owner_ops, &f->o);
		ops->defrag(harness_a, f->o.s, f->mode == DEFRAG_ALL ? 0 : -1, &f->rep);
	}
	f->shrink_ns = (know() - t0) / PS_PER_NS;
	f->slabs_after = harness_cache_info(f->o.s).slabs;
	f->pages_after = pa_stats(kern()->pa)->pages_in_use;
	f->active_objs = harness_cache_info(f->o.s).active_objs;
	harness_owner_check(&f->o);
	free_live(f);
}

static void run_frag(frag_t *f, int mode)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	f->mode = mode;
	harness_run_on(k, 0, frag_body, f);
	harness_free(k, m);
	g_free(f->o.h);
}

static void test_fragmentation(void)
{
	frag_t plain = { 0 }, def = { 0 }, all = { 0 };
	/* 64-byte objects, no flags: stride 64, order 0 (SLUB's min_objects
	 * 4 * (fls(1) + 1) = 8 fit in one page with no waste), 4096 / 64 = 64
	 * per slab.  The best any allocator can do with 400 live objects is
	 * ceil(400 / 64) = 7 slabs.  min_partial = clamp(ilog2(64), 5, 10) = 6. */
	const uint64_t per_slab = 4096 / 64;
	const uint64_t best = (FRAG_LIVE + per_slab - 1) / per_slab;
	const uint64_t keep = 6;
	char *hb, *ha;

	run_frag(&plain, PLAIN);
	run_frag(&def, DEFRAG_DEFAULT);
	run_frag(&all, DEFRAG_ALL);
	g_assert_cmpuint(plain.objects_per_slab, ==, per_slab);

	/* The same seeded workload gives the same starting point. */
	g_assert_cmpuint(def.slabs_before, ==, plain.slabs_before);
	g_assert_cmpuint(all.slabs_before, ==, plain.slabs_before);
	g_assert_cmpuint(plain.slabs_before, >=, FRAG_N / per_slab);

	/* Defragmentation frees more than the plain shrink, never goes below
	 * the best count, and keeps at most `keep` spare partial slabs: with p
	 * slabs not full, S * 64 - live <= p * 63, so S <= best + p - 1, and
	 * p <= keep + 1 (the partial slabs left plus the cpu slab given back). */
	g_assert_cmpuint(def.slabs_after, <, plain.slabs_after);
	g_assert_cmpuint(def.slabs_after, >=, best);
	g_assert_cmpuint(def.slabs_after, <=, best + keep);
	/* keep_partial 0: the loop stops only when no partial slab is left or
	 * the free objects of all others cannot take the sparsest one's, so
	 * fewer than 64 objects are free in the whole cache: S == best. */
	g_assert_cmpuint(all.slabs_after, ==, best);
	g_assert_cmpuint(plain.slabs_after, >, best);

	/* The reports add up: slabs freed went back to the page allocator,
	 * every vacated slab is one freed, nothing was reclaimed (the owner
	 * answers KICK_MOVE), every live object survived its moves. */
	for (frag_t *f = &def; f; f = f == &def ? &all : NULL) {
		g_assert_cmpuint(f->rep.slabs_before, ==, f->slabs_before);
		g_assert_cmpuint(f->rep.slabs_after, ==, f->slabs_after);
		g_assert_cmpuint(f->rep.slabs_freed, ==, f->slabs_before - f->slabs_after);
		g_assert_cmpuint(f->pages_before - f->pages_after, ==, f->rep.slabs_freed);
		g_assert_cmpuint(f->rep.objects_moved, ==, (uint64_t)f->o.moves);
		g_assert_cmpuint(f->rep.objects_moved, >, 0);
		g_assert_cmpuint(f->rep.objects_reclaimed, ==, 0);
		g_assert_cmpuint(f->rep.vacate_failures, ==, 0);
		g_assert_cmpuint(f->o.refs, ==, 0);
		g_assert_cmpuint(f->active_objs, ==, FRAG_LIVE);
		g_assert_cmpuint(hist_sum(f->rep.hist_before), ==, f->rep.partial_before);
		g_assert_cmpuint(hist_sum(f->rep.hist_after), ==, f->rep.partial_after);
		g_assert_cmpuint(f->rep.partial_after, <, f->rep.partial_before);
		/* Moving objects costs time: the defragmenting shrink is slower. */
		g_assert_cmpuint(f->shrink_ns, >, plain.shrink_ns);
		/* After the shrink no slab is a cpu slab, so freeing everything
		 * turns each full slab partial once: full = slabs - partial. */
		g_assert_cmpuint(f->add_partial_all, ==, f->rep.slabs_after - f->rep.partial_after);
		g_test_message("keep %s: slabs %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
		               " (plain shrink %" G_GUINT64_FORMAT ", best %" G_GUINT64_FORMAT
		               "), moved %" G_GUINT64_FORMAT ", partial %" G_GUINT64_FORMAT
		               " -> %" G_GUINT64_FORMAT, f == &def ? "default" : "0",
		               f->slabs_before, f->slabs_after, plain.slabs_after, best,
		               f->rep.objects_moved, f->rep.partial_before, f->rep.partial_after);
		hb = hist_str(f->rep.hist_before);
		ha = hist_str(f->rep.hist_after);
		g_test_message("  occupancy deciles before [%s] after [%s]", hb, ha);
		g_test_message("  shrink %" G_GUINT64_FORMAT " ns (plain %" G_GUINT64_FORMAT
		               " ns); then the first 64 frees %" G_GUINT64_FORMAT " ns, %"
		               G_GUINT64_FORMAT " full slabs made partial freeing all",
		               (uint64_t)f->shrink_ns, (uint64_t)plain.shrink_ns,
		               (uint64_t)f->free64_ns, f->add_partial_all);
		g_free(hb);
		g_free(ha);
	}
	/* Emptied slabs (inuse 0) are all freed by the plain shrink: every
	 * slab it keeps holds a live object, so plain.slabs_after <= live. */
	g_assert_cmpuint(plain.slabs_after, <=, FRAG_LIVE);
}

/* NUMA: 4 CPUs on 2 nodes allocate 500 objects each; CPU 0 frees a
 * random 80 % (remote frees included) and defragments with keep 0.  Moves
 * stay on the slab's node, so each node ends at its own best count,
 * ceil(live objects on the node / 64). */
typedef struct numa {
	harness_owner_t o;
	uint64_t slabs_after, best;
	defrag_report_t rep;
} numa_t;

static void numa_alloc(void *arg, int cpu)
{
	numa_t *nu = arg;

	for (int i = cpu * 500; i < (cpu + 1) * 500; i++) {
		nu->o.h[i] = ops->cache_alloc(harness_a, nu->o.s, 0, -1);
		g_assert_cmpuint(nu->o.h[i], !=, 0);
		harness_owner_fill(&nu->o, i);
	}
}

static void numa_setup(void *arg)
{
	numa_t *nu = arg;

	nu->o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = KICK_MOVE, .n = 2000 };
	nu->o.s = ops->cache_create(harness_a, "numa", 64, 0, SLAB_NO_MERGE, NULL);
	nu->o.h = g_new0(saddr_t, 2000);
}

/* On CPU 0, while the others answer its flush IPIs. */
static void numa_defrag(void *arg)
{
	numa_t *nu = arg;
	uint64_t live[2] = { 0, 0 };

	harness_owner_free_random(&nu->o, 1600, 3);
	for (int i = 0; i < 2000; i++)
		if (nu->o.h[i])
			live[page_to_nid(virt_to_page(nu->o.h[i]))]++;
	nu->best = (live[0] + 63) / 64 + (live[1] + 63) / 64;
	ops->cache_set_ops(harness_a, nu->o.s, &harness_owner_ops, &nu->o);
	ops->defrag(harness_a, nu->o.s, 0, &nu->rep);
	nu->slabs_after = harness_cache_info(nu->o.s).slabs;
	harness_owner_check(&nu->o);
	g_assert_cmpuint(harness_cache_info(nu->o.s).active_objs, ==, 400);
	for (int i = 0; i < 2000; i++)
		if (nu->o.h[i])
			live[page_to_nid(virt_to_page(nu->o.h[i]))]--;
	g_assert_cmpuint(live[0], ==, 0);       /* nothing changed node */
	g_assert_cmpuint(live[1], ==, 0);
}

static void test_defrag_numa(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	static const int cpus[] = { 0, 1, 2, 3 };
	numa_t nu = { 0 };

	harness_run_on(k, 0, numa_setup, &nu);
	harness_run_many(k, cpus, 4, numa_alloc, &nu);
	harness_run_served(k, numa_defrag, &nu);
	harness_free(k, m);
	g_free(nu.o.h);
	g_assert_cmpuint(nu.slabs_after, ==, nu.best);
	g_assert_cmpuint(nu.rep.slabs_freed, ==, nu.rep.slabs_before - nu.rep.slabs_after);
	g_test_message("numa: slabs %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
	               " (best %" G_GUINT64_FORMAT "), moved %" G_GUINT64_FORMAT,
	               nu.rep.slabs_before, nu.slabs_after, nu.best, nu.rep.objects_moved);
}

/* ---- 3. kmem_cache_vacate ---- */

typedef struct vac {
	kick_result_t answer;
	bool pin, no_ops;
	vacate_result_t r;
	uint32_t moved;
	harness_owner_t o;
} vac_t;

/* Three full slabs of 64 objects (192 objects of 64 bytes, order 0); the
 * page of object 0 is the first, full, slab, on no list. */
static void vacate_body(void *arg)
{
	vac_t *v = arg;
	saddr_t before[64];
	page_t *page;
	uint64_t slabs;

	v->o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = v->answer };
	v->o.s = ops->cache_create(harness_a, "vac", 64, 0, SLAB_NO_MERGE, NULL);
	harness_owner_alloc(&v->o, 192);
	page = virt_to_page(v->o.h[0]);
	for (int i = 0; i < 64; i++)
		before[i] = v->o.h[i];
	if (v->pin)
		v->o.pinned = v->o.h[37];
	if (!v->no_ops)
		ops->cache_set_ops(harness_a, v->o.s, &harness_owner_ops, &v->o);
	slabs = harness_cache_info(v->o.s).slabs;
	v->r = ops->vacate(harness_a, page, &v->moved);
	harness_owner_check(&v->o);
	g_assert_cmpuint(v->o.refs, ==, 0);
	if (v->r != VACATE_OK) {
		/* Failure: nothing moved, the page is the same slab, full. */
		for (int i = 0; i < 64; i++)
			g_assert_cmpuint(v->o.h[i], ==, before[i]);
		g_assert_true(page->flags & PG_slab);
		g_assert_cmpuint(page->inuse, ==, 64);
		g_assert_cmpuint(v->moved, ==, 0);
		g_assert_cmpuint(harness_cache_info(v->o.s).slabs, ==, slabs);
		g_assert_cmpuint(harness_cache_info(v->o.s).active_objs, ==, 192);
		return;
	}
	/* Success: the page is free, no handle points into it. */
	g_assert_false(page->flags & PG_slab);
	g_assert_cmpint(page->count, ==, 0);
	for (int i = 0; i < 192; i++)
		g_assert_true(!v->o.h[i] || virt_to_page(v->o.h[i]) != page);
	g_assert_cmpuint(v->moved, ==, 64);
}

static void run_vacate(vac_t *v)
{
	harness_run_alone(ops, vacate_body, v);
}

static void test_vacate(void)
{
	vac_t move = { .answer = KICK_MOVE }, reclaim = { .answer = KICK_RECLAIM };
	vac_t pinned = { .answer = KICK_MOVE, .pin = true };
	vac_t no_ops = { .answer = KICK_MOVE, .no_ops = true };
	int live = 0;

	run_vacate(&move);
	g_assert_cmpint(move.r, ==, VACATE_OK);
	g_assert_cmpint(move.o.moves, ==, 64);
	for (int i = 0; i < 192; i++)
		live += move.o.h[i] != 0;
	g_assert_cmpint(live, ==, 192);

	run_vacate(&reclaim);
	g_assert_cmpint(reclaim.r, ==, VACATE_OK);
	g_assert_cmpint(reclaim.o.moves, ==, 0);
	for (int i = 0; i < 64; i++)
		g_assert_cmpuint(reclaim.o.h[i], ==, 0);

	/* Object 37 pinned: get_reference refuses, the 37 references taken
	 * before are put back, no object is kicked. */
	run_vacate(&pinned);
	g_assert_cmpint(pinned.r, ==, VACATE_PINNED);
	g_assert_cmpint(pinned.o.kicks, ==, 0);

	run_vacate(&no_ops);
	g_assert_cmpint(no_ops.r, ==, VACATE_PINNED);
	g_free(move.o.h);
	g_free(reclaim.o.h);
	g_free(pinned.o.h);
	g_free(no_ops.o.h);
}

/* Not a slab page, or another CPU's cpu slab. */
static void vacate_refusals_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "busy", 64, 0, 0, NULL);
	saddr_t x = ops->cache_alloc(harness_a, s, 0, -1);
	page_t *big = alloc_pages_node(-1, 0, 0);

	(void)arg;
	g_assert_cmpint(ops->vacate(harness_a, big, NULL), ==, VACATE_NOT_SLAB);
	__free_pages(big, 0);
	*(saddr_t *)arg = x;
}

static void vacate_busy_body(void *arg)
{
	saddr_t x = *(saddr_t *)arg;

	/* CPU 1 asks for CPU 0's cpu slab. */
	g_assert_cmpint(ops->vacate(harness_a, virt_to_page(x), NULL), ==, VACATE_BUSY);
}

static void test_vacate_refusals(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	saddr_t x = 0;

	harness_run_on(k, 0, vacate_refusals_body, &x);
	harness_run_on(k, 1, vacate_busy_body, &x);
	harness_free(k, m);
}

/* ---- 4. page blocks: reclaimable slabs in reclaimable blocks ---- */

typedef struct blocks {
	uint64_t recl_blocks, recl_free_after, unmov_slab_pages;
	uint64_t recl_slab_pages;
	defrag_report_t rep;
	harness_owner_t o;
} blocks_t;

static int block_type_of(saddr_t x)
{
	page_t *page = virt_to_page(x);
	uint64_t pfn = pa_page_to_pfn(kern()->pa, page);
	pa_block_info_t bi;

	pa_pageblock_info(kern()->pa, 0, pfn >> pa_pageblock_order(kern()->pa), &bi);
	return bi.migratetype;
}

static void blocks_body(void *arg)
{
	blocks_t *b = arg;
	kmem_cache_t *plain = ops->cache_create(harness_a, "plain", 256, 0, 0, NULL);
	saddr_t x[64];
	uint64_t wholly_free;

	/* 2 MiB huge pages over 4 KiB pages: pageblock_order 21 - 12 = 9. */
	g_assert_cmpuint(pa_pageblock_order(kern()->pa), ==, 9);
	/* 16 MiB = 4096 pages = 8 blocks of 512, all UNMOVABLE at boot. */
	g_assert_cmpuint(pa_pageblocks(kern()->pa, 0), ==, 8);
	g_assert_cmpuint(pa_pageblocks_of(kern()->pa, 0, MIGRATE_UNMOVABLE, NULL), ==, 8);

	b->o = (harness_owner_t){ .magic = MAGIC, .objsize = 256, .answer = KICK_MOVE };
	b->o.s = kmem_cache_create_legacy(ops, harness_a, "dentry-like", 256, 0,
	                                  SLAB_RECLAIM_ACCOUNT | SLAB_NO_MERGE, NULL);
	ops->cache_set_ops(harness_a, b->o.s, &harness_owner_ops, &b->o);
	for (int i = 0; i < 64; i++)
		x[i] = ops->cache_alloc(harness_a, plain, 0, -1);
	harness_owner_alloc(&b->o, 1600);
	b->recl_slab_pages = harness_cache_info(b->o.s).slabs << harness_cache_info(b->o.s).order;
	for (int i = 0; i < 1600; i++)
		g_assert_cmpint(block_type_of(b->o.h[i]), ==, MIGRATE_RECLAIMABLE);
	for (int i = 0; i < 64; i++)
		g_assert_cmpint(block_type_of(x[i]), ==, MIGRATE_UNMOVABLE);
	b->recl_blocks = pa_pageblocks_of(kern()->pa, 0, MIGRATE_RECLAIMABLE, NULL);

	/* Free 80 %, defragment: reclaimable blocks get pages back. */
	harness_owner_free_random(&b->o, 1280, 11);
	ops->defrag(harness_a, b->o.s, 0, &b->rep);
	harness_owner_check(&b->o);
	/* The last 320 objects: reclaim them all, by vacating every slab. */
	b->o.answer = KICK_RECLAIM;
	for (int i = 0; i < 1600; i++) {
		if (!b->o.h[i])
			continue;
		g_assert_cmpint(ops->vacate(harness_a, virt_to_page(b->o.h[i]), NULL),
		                ==, VACATE_OK);
	}
	g_assert_cmpuint(harness_cache_info(b->o.s).slabs, ==, 0);
	/* Every reclaimable block is whole and free again. */
	g_assert_cmpuint(pa_pageblocks_of(kern()->pa, 0, MIGRATE_RECLAIMABLE, &wholly_free),
	                 ==, b->recl_blocks);
	b->recl_free_after = wholly_free;
	for (int i = 0; i < 64; i++)
		ops->cache_free(harness_a, plain, x[i]);
}

static void test_pageblocks(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	blocks_t b = { 0 };

	harness_run_on(k, 0, blocks_body, &b);
	harness_free(k, m);
	g_free(b.o.h);
	/* 1600 objects of 256 B: SLUB picks order 1 or more, at least
	 * 1600 * 256 / 4096 = 100 pages, so at least one 512-page block. */
	g_assert_cmpuint(b.recl_slab_pages, >=, 100);
	g_assert_cmpuint(b.recl_blocks, >=, 1);
	g_assert_cmpuint(b.recl_free_after, ==, b.recl_blocks);
	g_assert_cmpuint(b.rep.slabs_freed, >, 0);
	g_test_message("reclaimable blocks %" G_GUINT64_FORMAT ", all free after "
	               "defrag + vacate; defrag freed %" G_GUINT64_FORMAT " slabs, moved %"
	               G_GUINT64_FORMAT, b.recl_blocks, b.rep.slabs_freed, b.rep.objects_moved);
}

/* ---- 5. the page allocator alone: steal and conversion ---- */

typedef struct steal {
	page_t *recl, *mov;
	int recl_type, mov_type;
	uint64_t recl_blocks, recl_wholly_free, mov_blocks;
} steal_t;

static int type_of_page(page_t *p)
{
	pa_block_info_t bi;

	pa_pageblock_info(kern()->pa, 0, pa_page_to_pfn(kern()->pa, p) >> 9, &bi);
	return bi.migratetype;
}

static void steal_body(void *arg)
{
	steal_t *st = arg;
	page_t *u = alloc_pages_node(0, 0, 0);

	/* 4 MiB = 1024 pages: one order-10 block over blocks 0 and 1.  An
	 * unmovable page splits it on the unmovable lists; a reclaimable one
	 * then finds no reclaimable list and steals the largest unmovable
	 * block, order 9 (pfns 512..1023), whole: block 1 turns RECLAIMABLE. */
	st->recl = alloc_pages_node(0, __GFP_RECLAIMABLE, 0);
	st->recl_type = type_of_page(st->recl);
	g_assert_cmpuint(pa_page_to_pfn(kern()->pa, st->recl), >=, 512);
	st->recl_blocks = pa_pageblocks_of(kern()->pa, 0, MIGRATE_RECLAIMABLE, NULL);
	__free_pages(st->recl, 0);
	pa_pageblocks_of(kern()->pa, 0, MIGRATE_RECLAIMABLE, &st->recl_wholly_free);
	/* A movable order-9 request steals the free reclaimable block first
	 * (fallbacks[MOVABLE] = RECLAIMABLE, UNMOVABLE) and converts it. */
	st->mov = alloc_pages_node(0, __GFP_MOVABLE, 9);
	st->mov_type = type_of_page(st->mov);
	st->mov_blocks = pa_pageblocks_of(kern()->pa, 0, MIGRATE_MOVABLE, NULL);
	__free_pages(st->mov, 9);
	__free_pages(u, 0);
}

static void test_steal(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	steal_t st = { 0 };

	harness_run_on(k, 0, steal_body, &st);
	g_assert_cmpint(st.recl_type, ==, MIGRATE_RECLAIMABLE);
	g_assert_cmpuint(st.recl_blocks, ==, 1);
	g_assert_cmpuint(st.recl_wholly_free, ==, 1);
	g_assert_cmpint(st.mov_type, ==, MIGRATE_MOVABLE);
	g_assert_cmpuint(pa_page_to_pfn(k->pa, st.mov), ==, 512);
	g_assert_cmpuint(st.mov_blocks, ==, 1);
	g_assert_cmpuint(pa_pageblocks_of(k->pa, 0, MIGRATE_RECLAIMABLE, NULL), ==, 0);
	g_assert_cmpuint(pa_stats(k->pa)->blocks_converted, ==, 2);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/defrag/hwcache-align", test_hwcache_align);
	g_test_add_func("/defrag/fragmentation", test_fragmentation);
	g_test_add_func("/defrag/numa", test_defrag_numa);
	g_test_add_func("/defrag/vacate", test_vacate);
	g_test_add_func("/defrag/vacate-refusals", test_vacate_refusals);
	g_test_add_func("/defrag/pageblocks", test_pageblocks);
	g_test_add_func("/defrag/steal", test_steal);
	return g_test_run();
}
