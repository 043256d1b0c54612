/*
 * test_slub6.c -- slub-6 (Linux 6.18 SLUB with sheaves), against figures
 * worked by hand from the rules of shared/reference/slub-modern.md ("the
 * reference"): sizing and tuning (5.1-5.3, and this machine's own 6.18
 * kernel), the kmalloc caches (5.6), merging (5.7), the lock-free fast
 * paths (3.5, 4.4), remote frees (4.5), the cpu partial lists (3.7, 4.6),
 * sheaves and barns (3.3-3.4, 4.3, 4.9) and the sheaves-off path.  The
 * common checks are test_conformance's.
 *
 * Machines come from harness_machine: 4 KiB pages, 64-byte lines, rmw
 * 5 ns, irq save+restore 2 ns.
 */
#include "harness.h"
#include "slub6.h"

static const allocator_ops_t *ops = &slub6_allocator;

/* Tunables in slub6_tunables' order: slub_min_order, slub_max_order,
 * slub_min_objects, remote_node_defrag_ratio, slub_nomerge, sheaves, debug. */
static const long defaults[] = { 0, 3, 0, 1000, 0, 1, 1 };
static const long nomerge[] = { 0, 3, 0, 1000, 1, 1, 1 };
static const long no_sheaves[] = { 0, 3, 0, 1000, 0, 0, 1 };

/* ---- sizing ---- */

static int fls_int(unsigned long x)
{
	int n = 0;

	for (; x; x >>= 1)
		n++;
	return n;
}

static unsigned order_of(unsigned long bytes)
{
	unsigned o = 0;

	while ((4096UL << o) < bytes)
		o++;
	return o;
}

/* 5.2 read plainly, 4 KiB pages, slub_max_order 3: min_objects =
 * 4 * (fls(cpus) + 1), at most what order 3 holds; from the order that
 * holds min_objects, the first order up to 3 wasting at most 1/16, then
 * 1/8, 1/4, 1/2 of the slab; else the order of one object. */
static unsigned rule_order(unsigned long size, int ncpus)
{
	unsigned long mo = 4 * (unsigned long)(fls_int((unsigned long)ncpus) + 1);
	unsigned long most = 32768 / size ? 32768 / size : 1;
	unsigned from = order_of(MIN(mo, most) * size);

	for (unsigned long fract = 16; fract >= 2; fract /= 2)
		for (unsigned o = from; o <= 3; o++)
			if ((4096UL << o) % size <= (4096UL << o) / fract)
				return o;
	return order_of(size);
}

/* The reference's 5.5 table (its author's computation from the rules):
 * order/objects at 4, 16 and 64 CPUs, cpu_partial, cpu_partial_slabs at
 * 16 CPUs, min_partial. */
static void test_geometry_table(void)
{
	static const struct {
		unsigned size, o4, n4, o16, n16, o64, n64, cp, cps16, mp;
	} t[] = {
		{ 8, 0, 512, 0, 512, 0, 512, 120, 1, 5 },
		{ 16, 0, 256, 0, 256, 0, 256, 120, 1, 5 },
		{ 32, 0, 128, 0, 128, 0, 128, 120, 2, 5 },
		{ 64, 0, 64, 0, 64, 0, 64, 120, 4, 5 },
		{ 96, 0, 42, 0, 42, 0, 42, 120, 6, 5 },
		{ 128, 0, 32, 0, 32, 0, 32, 120, 8, 5 },
		{ 192, 0, 21, 1, 42, 1, 42, 120, 6, 5 },
		{ 256, 0, 16, 1, 32, 1, 32, 52, 4, 5 },
		{ 512, 1, 16, 2, 32, 2, 32, 52, 4, 5 },
		{ 1024, 2, 16, 3, 32, 3, 32, 24, 2, 5 },
		{ 2048, 3, 16, 3, 16, 3, 16, 24, 3, 5 },
		{ 4096, 3, 8, 3, 8, 3, 8, 6, 2, 6 },
		{ 8192, 3, 4, 3, 4, 3, 4, 6, 3, 6 },
	};
	slub6_geom_t g;

	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		g_assert_true(slub6_geometry(t[i].size, 8, 0, 4, 4096, 64, 0, 3, 0, &g));
		g_assert_cmpuint(g.size, ==, t[i].size);
		g_assert_cmpuint(g.order, ==, t[i].o4);
		g_assert_cmpuint(g.objects, ==, t[i].n4);
		g_assert_true(slub6_geometry(t[i].size, 8, 0, 16, 4096, 64, 0, 3, 0, &g));
		g_assert_cmpuint(g.order, ==, t[i].o16);
		g_assert_cmpuint(g.objects, ==, t[i].n16);
		g_assert_cmpuint(g.cpu_partial, ==, t[i].cp);
		g_assert_cmpuint(g.cpu_partial_slabs, ==, t[i].cps16);
		g_assert_cmpuint(g.min_partial, ==, t[i].mp);
		g_assert_true(slub6_geometry(t[i].size, 8, 0, 64, 4096, 64, 0, 3, 0, &g));
		g_assert_cmpuint(g.order, ==, t[i].o64);
		g_assert_cmpuint(g.objects, ==, t[i].n64);
	}
}

/* Every word-multiple size to 8 KiB at 1, 2, 4, 16, 64 and 1024 CPUs
 * agrees with rule_order; cpu_partial_slabs is DIV_ROUND_UP(2 *
 * cpu_partial, objects) and min_partial clamp(ilog2(size) / 2, 5, 10). */
static void test_geometry_rule(void)
{
	static const int cpus[] = { 1, 2, 4, 16, 64, 1024 };
	slub6_geom_t g;

	for (unsigned c = 0; c < G_N_ELEMENTS(cpus); c++) {
		for (unsigned long size = 8; size <= 8192; size += 8) {
			unsigned cp = size >= 4096 ? 6 : size >= 1024 ? 24 : size >= 256 ? 52 : 120;

			g_assert_true(slub6_geometry(size, 8, 0, cpus[c], 4096, 64, 0, 3, 0, &g));
			g_assert_cmpuint(g.order, ==, rule_order(size, cpus[c]));
			g_assert_cmpuint(g.objects, ==, (4096UL << g.order) / size);
			g_assert_cmpuint(g.min_order, ==, order_of(size));
			g_assert_cmpuint(g.cpu_partial, ==, cp);
			g_assert_cmpuint(g.cpu_partial_slabs, ==, (2 * cp + g.objects - 1) / g.objects);
			g_assert_cmpuint(g.min_partial, ==, CLAMP((fls_int(size) - 1) / 2, 5, 10));
		}
	}
}

/* This machine's own Linux 6.18.44, 2 CPUs, read from /sys/kernel/slab
 * (slab_size, align, order, objs_per_slab, cpu_partial, min_partial) when
 * the test was written: slabsim's rules give the same for each. */
static void test_geometry_this_kernel(void)
{
	static const struct {
		const char *name;
		unsigned size, align, order, objs, cp, mp;
	} t[] = {
		{ "vm_area_struct", 192, 64, 0, 21, 120, 5 },
		{ "maple_node", 256, 256, 0, 16, 52, 5 },
		{ "task_struct", 5888, 64, 3, 5, 6, 6 },
		{ "kmalloc-96", 96, 32, 0, 42, 120, 5 },
		{ "kmalloc-1k", 1024, 1024, 2, 16, 24, 5 },
		{ "kmalloc-8k", 8192, 8192, 3, 4, 6, 6 },
		{ "mm_struct", 1600, 64, 3, 20, 24, 5 },
		{ "signal_cache", 1152, 64, 2, 14, 24, 5 },
		{ "files_cache", 704, 64, 2, 23, 52, 5 },
		{ "inode_cache", 624, 8, 1, 13, 52, 5 },
		{ "radix_tree_node", 584, 8, 1, 14, 52, 5 },
		{ "ext4_inode_cache", 1128, 8, 2, 14, 24, 5 },
		{ "names_cache", 4096, 64, 3, 8, 6, 6 },
	};
	slub6_geom_t g;

	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		g_test_message("%s", t[i].name);
		g_assert_true(slub6_geometry(t[i].size, t[i].align, 0, 2, 4096, 64, 0, 3, 0, &g));
		g_assert_cmpuint(g.size, ==, t[i].size);
		g_assert_cmpuint(g.order, ==, t[i].order);
		g_assert_cmpuint(g.objects, ==, t[i].objs);
		g_assert_cmpuint(g.cpu_partial, ==, t[i].cp);
		g_assert_cmpuint(g.min_partial, ==, t[i].mp);
	}
}

/* The free pointer sits in the middle word (ALIGN_DOWN(size / 2, 8)),
 * after the object of an RCU-freed cache (stride one word more). */
static void test_free_pointer(void)
{
	slub6_geom_t g;

	g_assert_true(slub6_geometry(64, 8, 0, 4, 4096, 64, 0, 3, 0, &g));
	g_assert_cmpuint(g.offset, ==, 32);
	g_assert_true(slub6_geometry(100, 8, 0, 4, 4096, 64, 0, 3, 0, &g));
	g_assert_cmpuint(g.offset, ==, 48);
	g_assert_cmpuint(g.size, ==, 104);
	g_assert_true(slub6_geometry(8, 8, 0, 4, 4096, 64, 0, 3, 0, &g));
	g_assert_cmpuint(g.offset, ==, 0);
	g_assert_true(slub6_geometry(40, 8, SLAB_DESTROY_BY_RCU, 4, 4096, 64, 0, 3, 0, &g));
	g_assert_cmpuint(g.offset, ==, 40);
	g_assert_cmpuint(g.size, ==, 48);
}

/* ---- the booted allocator ---- */

static void kmalloc_body(void *arg)
{
	uint64_t pages = harness_pages_in_use();
	saddr_t big;

	(void)arg;
	/* kmem_cache_node, kmem_cache, then 3 types x (96, 192, 8 .. 8k). */
	g_assert_cmpint(ops->ncaches(harness_a), ==, 2 + 3 * (2 + 11));
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 0)).name, ==, "kmem_cache_node");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 2)).name, ==, "kmalloc-96");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 14)).name, ==, "kmalloc-8k");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 40)).name, ==, "kmalloc-cg-8k");
	ops->kmalloc(harness_a, 100, __GFP_ACCOUNT, -1);
	ops->kmalloc(harness_a, 100, __GFP_RECLAIMABLE | __GFP_ACCOUNT, -1);
	ops->kmalloc(harness_a, 100, __GFP_RECLAIMABLE, -1);
	ops->kmalloc(harness_a, 8192, 0, -1);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmalloc-128")).slabs, ==, 0);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmalloc-cg-128")).slabs, ==, 1);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmalloc-rcl-128")).slabs, ==, 1);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmalloc-8k")).slabs, ==, 1);
	/* Two order-0 slabs of 128 B objects and an order-3 slab of 8 KiB
	 * ones; 8193 B is a compound page of order 2 of its own. */
	g_assert_cmpuint(harness_pages_in_use() - pages, ==, 2 + 8);
	big = ops->kmalloc(harness_a, 8193, 0, -1);
	g_assert_cmpuint(harness_pages_in_use() - pages, ==, 2 + 8 + 4);
	g_assert_false(virt_to_page(big)->flags & PG_slab);
	ops->kfree(harness_a, big);
	g_assert_cmpuint(harness_pages_in_use() - pages, ==, 2 + 8);
}

static void test_kmalloc(void)
{
	machine_t *m = harness_machine(16, 1, 64);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);
	cache_info_t ci;

	harness_run_on(k, 0, kmalloc_body, NULL);
	/* 16 CPUs: kmalloc-192 has order 1 and 42 objects (5.5), aligned to
	 * 64, its largest power of two. */
	ci = harness_cache_info(harness_find_cache("kmalloc-192"));
	g_assert_cmpuint(ci.order, ==, 1);
	g_assert_cmpuint(ci.objects_per_slab, ==, 42);
	g_assert_cmpuint(ci.align, ==, 64);
	harness_free(k, m);
}

/* ---- merging (5.7), on a set built for it ---- */

typedef struct merge_case {
	const char *name;
	size_t size, align;
	unsigned flags;
	int with;               /* the index of the case it aliases, -1: none */
} merge_case_t;

/* Worked by hand, newest cache first; kmalloc and boot caches never
 * merge.  Strides: a 48, c 40, d 48 (RECLAIM), e 56 (RCU), f 48, i 40. */
static const merge_case_t merges[] = {
	{ "m-a", 48, 8, 0, -1 },
	{ "m-b", 44, 8, 0, 0 },                       /* 48: a fits, 0 B left over */
	{ "m-c", 40, 8, 0, -1 },                      /* a is 8 B larger: not < a word */
	{ "m-d", 48, 8, SLAB_RECLAIM_ACCOUNT, -1 },   /* RECLAIM_ACCOUNT must match */
	{ "m-e", 48, 8, SLAB_DESTROY_BY_RCU, -1 },    /* never merged */
	{ "m-f", 48, 8, SLAB_NO_MERGE, -1 },          /* never merged */
	{ "m-g", 41, 8, 0, 0 },                       /* 48: f, e, d, c refuse; a */
	{ "m-h", 33, 16, 0, 0 },                      /* 48, aligned 16: a's 48 is */
	{ "m-i", 36, 8, SLAB_ACCOUNT, -1 },           /* no other ACCOUNT cache */
	{ "m-j", 40, 8, SLAB_ACCOUNT, 8 },            /* i */
};

static void merge_body(void *arg)
{
	bool merging = *(bool *)arg;
	kmem_cache_t *got[G_N_ELEMENTS(merges)];
	int before = ops->ncaches(harness_a), fresh = 0;

	for (unsigned i = 0; i < G_N_ELEMENTS(merges); i++) {
		got[i] = ops->cache_create(harness_a, merges[i].name, merges[i].size, merges[i].align,
		                           merges[i].flags, NULL);
		g_assert_nonnull(got[i]);
		if (merging && merges[i].with >= 0)
			g_assert_true(got[i] == got[merges[i].with]);
		else
			fresh++;
	}
	g_assert_cmpint(ops->ncaches(harness_a), ==, before + fresh);
	g_assert_cmpuint(harness_cache_info(got[0]).object_size, ==, 48);
	g_assert_cmpuint(harness_cache_info(got[4]).size, ==, 56);
	/* Aliases share the objects: one allocation from each of a, b, g and
	 * h comes from one slab. */
	if (merging) {
		static const int alias[] = { 0, 1, 6, 7 };
		page_t *slab = NULL;

		for (unsigned i = 0; i < G_N_ELEMENTS(alias); i++) {
			saddr_t x = ops->cache_alloc(harness_a, got[alias[i]], 0, -1);

			g_assert_true(!slab || virt_to_page(x) == slab);
			slab = virt_to_page(x);
		}
		g_assert_cmpuint(harness_cache_info(got[0]).slabs, ==, 1);
	}
}

static void test_merge(void)
{
	bool on = true, off = false;
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);

	harness_run_on(k, 0, merge_body, &on);
	harness_free(k, m);
	m = harness_machine(1, 1, 16);
	k = harness_kernel(m, ops, nomerge, NULL);
	harness_run_on(k, 0, merge_body, &off);
	harness_free(k, m);
}

/* ---- the lock-free fast paths ---- */

static uint64_t lock_acquisitions(void)
{
	GPtrArray *cls = lock_classes_sorted(kern()->locks);
	uint64_t n = 0;

	for (guint i = 0; i < cls->len; i++)
		n += ((lock_class_t *)cls->pdata[i])->acquisitions;
	g_ptr_array_free(cls, TRUE);
	return n;
}

typedef struct snap {
	uint64_t acq;
	simtime_t atomic, irq;
} snap_t;

static snap_t take_snap(void)
{
	return (snap_t){ lock_acquisitions(), engine_current()->cost[COST_ATOMIC],
	                 engine_current()->cost[COST_IRQ] };
}

#define ROUNDS 100

/* After one warm-up round, ROUNDS alloc/free pairs from a cache without
 * sheaves (c->freelist and the per-CPU cmpxchg) and from one with sheaves
 * of 8 (the main sheaf) take no lock and no irq disabling; the only
 * atomics are the per-CPU cmpxchgs of the first cache, one per alloc and
 * one per free (rmw 5 ns each): the sheaves need none. */
static void fast_body(void *arg)
{
	kmem_cache_t *plain = ops->cache_create(harness_a, "plain", 256, 0, 0, NULL);
	kmem_cache_t *sheafed = ops->cache_create(harness_a, "sheafed", 256, 0, SLAB_NO_MERGE, NULL);
	uint64_t af = 0, ff = 0, ap = 0, fp = 0;
	snap_t s0 = { 0 }, s1;

	(void)arg;
	ops->cache_set_sheaves(harness_a, sheafed, 8);
	for (int i = 0; i <= ROUNDS; i++) {
		if (i == 1) {
			s0 = take_snap();
			af = harness_stat("alloc_fastpath");
			ff = harness_stat("free_fastpath");
			ap = harness_stat("alloc_cpu_sheaf");
			fp = harness_stat("free_cpu_sheaf");
		}
		ops->cache_free(harness_a, plain, ops->cache_alloc(harness_a, plain, 0, -1));
		ops->cache_free(harness_a, sheafed, ops->cache_alloc(harness_a, sheafed, 0, -1));
	}
	s1 = take_snap();
	g_assert_cmpuint(s1.acq, ==, s0.acq);
	g_assert_cmpuint(s1.atomic - s0.atomic, ==, 2 * ROUNDS * 5 * PS_PER_NS);
	g_assert_cmpuint(s1.irq, ==, s0.irq);
	g_assert_cmpuint(harness_stat("alloc_fastpath") - af, ==, ROUNDS);
	g_assert_cmpuint(harness_stat("free_fastpath") - ff, ==, ROUNDS);
	g_assert_cmpuint(harness_stat("alloc_cpu_sheaf") - ap, ==, ROUNDS);
	g_assert_cmpuint(harness_stat("free_cpu_sheaf") - fp, ==, ROUNDS);
}

static void test_fast_paths(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);

	harness_boot(k);
	harness_run_on(k, 1, fast_body, NULL);
	harness_free(k, m);
}

/* ---- remote frees and the cpu partial lists ---- */

typedef struct two {
	kmem_cache_t *s;
	saddr_t x[96];
	unsigned n;
} two_t;

static void alloc_n(void *arg)
{
	two_t *t = arg;

	for (unsigned i = 0; i < t->n; i++)
		t->x[i] = ops->cache_alloc(harness_a, t->s, 0, -1);
}

static void make_256(void *arg)
{
	two_t *t = arg;

	t->s = ops->cache_create(harness_a, "remote", 256, 0, 0, NULL);
	t->n = 17;
}

typedef struct cpu_stat {
	int cpu;
	const char *name;
	uint64_t value;
} cpu_stat_t;

static void cpu_stat_visit(void *ctx, const char *kind, int id, const char *name, uint64_t value)
{
	cpu_stat_t *c = ctx;

	if (strcmp(kind, "cpu") == 0 && id == c->cpu && strcmp(name, c->name) == 0)
		c->value = value;
}

/* The counter `name` of CPU `cpu` (stats_split: 6.18 counts per CPU). */
static uint64_t stat_on(int cpu, const char *name)
{
	cpu_stat_t c = { cpu, name, 0 };

	ops->stats_split(harness_a, cpu_stat_visit, &c);
	return c.value;
}

/* The free of x[i] on this CPU: one LOCKed cmpxchg (rmw 5 ns), no lock. */
static void free_one_locklessly(two_t *t, unsigned i)
{
	snap_t s0 = take_snap(), s1;

	ops->cache_free(harness_a, t->s, t->x[i]);
	s1 = take_snap();
	g_assert_cmpuint(s1.acq, ==, s0.acq);
	g_assert_cmpuint(s1.atomic - s0.atomic, ==, 5 * PS_PER_NS);
}

/* 2 CPUs, 256 B: 4 * (fls(2) + 1) = 12 objects want 3 KiB, order 0 holds
 * 16.  CPU 0 took x[0..15] (slab A, full, on no list) and x[16] (slab B,
 * its cpu slab).  On CPU 1: x[0] -- A was full: it goes to CPU 1's
 * partial list; x[1] -- partial to partial; x[16] -- B is frozen; then
 * x[2..15] empty A: only the last free takes n->list_lock (A might leave
 * a list), finds A on a CPU's partial list and leaves it there. */
static void remote_body(void *arg)
{
	two_t *t = arg;
	uint64_t acq;

	free_one_locklessly(t, 0);
	g_assert_cmpuint(harness_stat("cpu_partial_free"), ==, 1);
	free_one_locklessly(t, 1);
	free_one_locklessly(t, 16);
	g_assert_cmpuint(harness_stat("free_frozen"), ==, 1);
	g_assert_cmpuint(harness_stat("free_slowpath"), ==, 3);
	g_assert_cmpuint(stat_on(1, "free_slowpath"), ==, 3);
	g_assert_cmpuint(stat_on(0, "free_slowpath"), ==, 0);
	g_assert_cmpuint(stat_on(0, "alloc_fastpath"), ==, 17 - 2);   /* A and B each began slow */
	g_assert_cmpuint(harness_stat("cpu_partial_free"), ==, 1);
	acq = lock_acquisitions();
	for (unsigned i = 2; i < 16; i++)
		ops->cache_free(harness_a, t->s, t->x[i]);
	g_assert_cmpuint(lock_acquisitions() - acq, ==, 1);
	g_assert_cmpuint(harness_stat("free_slab"), ==, 0);
	g_assert_cmpuint(harness_stat("cmpxchg_double_fail"), ==, 0);
}

static void test_remote_free(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);
	two_t t = { 0 };

	harness_run_on(k, 0, make_256, &t);
	harness_run_on(k, 0, alloc_n, &t);
	harness_run_on(k, 1, remote_body, &t);
	harness_free(k, m);
}

static void make_1024(void *arg)
{
	two_t *t = arg;

	t->s = ops->cache_create(harness_a, "partial", 1024, 0, 0, NULL);
	t->n = 96;
}

/* CPU 1 frees the first object of each of S0..S4 (x[16 i]), full slabs
 * on no list; S5 is CPU 0's cpu slab.  1024 B on 2 CPUs: order 2, 16
 * objects, cpu_partial 24, so cpu_partial_slabs = 48 / 16 = 3.  The
 * chain grows to 3; S3 finds 3 and drains them (one list_lock) to the
 * node list, S2, S1, S0 in that order; S4 makes the chain S4, S3. */
static void drain_body(void *arg)
{
	two_t *t = arg;
	uint64_t acq = lock_acquisitions();
	cache_info_t ci;

	for (unsigned i = 0; i < 5; i++)
		ops->cache_free(harness_a, t->s, t->x[16 * i]);
	g_assert_cmpuint(harness_stat("cpu_partial_free"), ==, 5);
	g_assert_cmpuint(harness_stat("cpu_partial_drain"), ==, 1);
	g_assert_cmpuint(harness_stat("free_add_partial"), ==, 3);
	g_assert_cmpuint(lock_acquisitions() - acq, ==, 1);
	/* /proc/slabinfo: only the free objects of node partial slabs are
	 * inactive. */
	ci = harness_cache_info(t->s);
	g_assert_cmpuint(ci.num_objs, ==, 96);
	g_assert_cmpuint(ci.active_objs, ==, 96 - 3);
	g_assert_cmpuint(ci.order, ==, 2);
}

/* CPU 1 allocates: its chain gives S4's and S3's free object (each a
 * cpu slab, the second after S4 ran dry: DEACTIVATE_BYPASS); then the
 * node list gives S2 and moves up to 3 / 2 + 1 = 2 more, S1 and S0, to
 * the chain. */
static void refill_body(void *arg)
{
	two_t *t = arg;

	g_assert_cmpuint(ops->cache_alloc(harness_a, t->s, 0, -1), ==, t->x[64]);
	g_assert_cmpuint(harness_stat("cpu_partial_alloc"), ==, 1);
	g_assert_cmpuint(ops->cache_alloc(harness_a, t->s, 0, -1), ==, t->x[48]);
	g_assert_cmpuint(harness_stat("cpu_partial_alloc"), ==, 2);
	g_assert_cmpuint(harness_stat("deactivate_bypass"), ==, 1 + 5);
	g_assert_cmpuint(ops->cache_alloc(harness_a, t->s, 0, -1), ==, t->x[32]);
	g_assert_cmpuint(harness_stat("alloc_from_partial"), ==, 1);
	g_assert_cmpuint(harness_stat("cpu_partial_node"), ==, 2);
	g_assert_cmpuint(harness_cache_info(t->s).active_objs, ==, 96);
	/* The chain is S0, S1: each was put at its head. */
	g_assert_cmpuint(ops->cache_alloc(harness_a, t->s, 0, -1), ==, t->x[0]);
	g_assert_cmpuint(ops->cache_alloc(harness_a, t->s, 0, -1), ==, t->x[16]);
	g_assert_cmpuint(harness_stat("cpu_partial_alloc"), ==, 4);
}

static void test_cpu_partial(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);
	two_t t = { 0 };

	harness_run_on(k, 0, make_1024, &t);
	harness_run_on(k, 0, alloc_n, &t);
	/* CPU 0 dropped S0..S4 as it exhausted them. */
	g_assert_cmpuint(harness_stat("deactivate_bypass"), ==, 5);
	harness_run_on(k, 1, drain_body, &t);
	harness_run_on(k, 1, refill_body, &t);
	harness_free(k, m);
}

/* ---- sheaves and barns ---- */

/* One CPU, 512 B (8 objects, order 0), sheaves of one object.  Allocs
 * a0..a7 (slab A), b0..b7 (slab B, then the cpu slab): each finds the
 * main sheaf empty, no spare and no full sheaf in the barn (barn_get_fail)
 * and refills one object; the first needs a new sheaf, the others take the
 * empty one the previous refill left in the barn.  Frees b0, b1, a0..a7,
 * b2..b7: b0 fills the main sheaf, b1 makes it the spare (the barn's
 * empty sheaf is the new main); from a0 on main and spare are full and
 * the barn has no empty sheaf: a new one, and the full main goes to the
 * barn -- ten times (a0..a7, b2, b3), then the barn holds
 * MAX_FULL_SHEAVES: b4..b7 flush the spare (b0, b3, b4, b5 back to B, the
 * cpu slab) and it becomes the main. */
static void sheaf_seq(kmem_cache_t *s, saddr_t *x)
{
	static const int order[16] = { 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15 };

	for (int i = 0; i < 16; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	for (int i = 0; i < 16; i++)
		ops->cache_free(harness_a, s, x[order[i]]);
}

typedef struct sheaf_run {
	kmem_cache_t *s;
	saddr_t x[16];
	uint64_t boot;
} sheaf_run_t;

static void capacity_visit(void *ctx, const char *kind, uint64_t objects, uint64_t bytes)
{
	uint64_t *v = ctx;

	(void)bytes;
	v[strcmp(kind, "percpu") == 0 ? 0 : 1] = objects;
}

static void sheaves_body(void *arg)
{
	sheaf_run_t *r = arg;
	uint64_t cap[2] = { 0, 0 };

	r->s = ops->cache_create(harness_a, "sheaf-512", 512, 0, SLAB_NO_MERGE, NULL);
	ops->cache_set_sheaves(harness_a, r->s, 1);
	sheaf_seq(r->s, r->x);
	g_assert_cmpuint(harness_stat("alloc_cpu_sheaf"), ==, 16);
	g_assert_cmpuint(harness_stat("barn_get_fail"), ==, 16);
	g_assert_cmpuint(harness_stat("sheaf_refill"), ==, 16);
	g_assert_cmpuint(harness_stat("free_cpu_sheaf"), ==, 16);
	g_assert_cmpuint(harness_stat("barn_put"), ==, 10);
	g_assert_cmpuint(harness_stat("barn_put_fail"), ==, 4);
	g_assert_cmpuint(harness_stat("sheaf_flush"), ==, 4);
	g_assert_cmpuint(harness_stat("free_fastpath"), ==, 4);
	g_assert_cmpuint(harness_stat("sheaf_alloc"), ==, 1 + 1 + 10);
	/* Main 1 + spare 1 + barn 10 objects parked; at most 2 per CPU. */
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 12 * 512);
	ops->queue_capacity(harness_a, r->s, capacity_visit, cap);
	g_assert_cmpuint(cap[0], ==, 2);
	g_assert_cmpuint(cap[1], ==, 10);
	/* kmalloc caches have no sheaves. */
	cap[0] = cap[1] = 0;
	ops->queue_capacity(harness_a, harness_find_cache("kmalloc-512"), capacity_visit, cap);
	g_assert_cmpuint(cap[0] + cap[1], ==, 0);
	ops->audit(harness_a);                  /* full main, spare and barn */
}

/* kmem_cache_shrink: flush_all (spare b6 and main b7 to B's freelist; B
 * deactivated with b1 and b2 still in the barn), then the barn: b2 to B;
 * a7 finds A full -- CPU 0's partial list takes it; a6..a0 empty it
 * there; b1 empties B, which the list walk frees.  A stays until the
 * second shrink's flush_all puts it on the node list. */
static void shrink_body(void *arg)
{
	sheaf_run_t *r = arg;

	ops->shrink(harness_a, r->s);
	g_assert_cmpuint(harness_stat("cpu_partial_free"), ==, 1);
	g_assert_cmpuint(harness_stat("deactivate_to_head"), ==, 1);
	g_assert_cmpuint(harness_pages_in_use(), ==, r->boot + 1);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
	ops->audit(harness_a);                  /* an empty slab on the cpu partial chain */
	ops->shrink(harness_a, r->s);
	g_assert_cmpuint(harness_stat("free_add_partial"), ==, 1);
	g_assert_cmpuint(harness_pages_in_use(), ==, r->boot);
}

static void test_sheaves(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);
	sheaf_run_t r = { 0 };

	r.boot = harness_boot(k);
	harness_run_on(k, 0, sheaves_body, &r);
	harness_run_served(k, shrink_body, &r);
	harness_free(k, m);
}

/* sheaves = 0 (6.8-6.17): the same sequence on the cpu slab.  Allocs:
 * two slow (A, then B), 14 fast.  Frees: b0, b1 and b2..b7 to B (the cpu
 * slab), a0 parks A on the partial list, a1..a7 partial to partial.  One
 * shrink returns every page. */
static void no_sheaves_body(void *arg)
{
	sheaf_run_t *r = arg;

	r->s = ops->cache_create(harness_a, "sheaf-512", 512, 0, SLAB_NO_MERGE, NULL);
	ops->cache_set_sheaves(harness_a, r->s, 1);
	sheaf_seq(r->s, r->x);
	g_assert_cmpuint(harness_stat("alloc_fastpath"), ==, 14);
	g_assert_cmpuint(harness_stat("alloc_slowpath"), ==, 2);
	g_assert_cmpuint(harness_stat("free_fastpath"), ==, 8);
	g_assert_cmpuint(harness_stat("free_slowpath"), ==, 8);
	g_assert_cmpuint(harness_stat("cpu_partial_free"), ==, 1);
	g_assert_cmpuint(harness_stat("alloc_cpu_sheaf") + harness_stat("free_cpu_sheaf") +
	                 harness_stat("sheaf_alloc"), ==, 0);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
}

static void shrink_once(void *arg)
{
	sheaf_run_t *r = arg;

	ops->shrink(harness_a, r->s);
	g_assert_cmpuint(harness_pages_in_use(), ==, r->boot);
}

static void test_sheaves_off(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, no_sheaves, NULL);
	sheaf_run_t r = { 0 };

	r.boot = harness_boot(k);
	harness_run_on(k, 0, no_sheaves_body, &r);
	harness_run_served(k, shrink_once, &r);
	harness_free(k, m);
}

/* CPU 0 of node 0, sheaves of 4.  alloc(node 1): not a sheaf's (another
 * node), a new node-1 slab becomes the cpu slab; its free goes to that
 * slab, not to a sheaf (a remote object).  alloc(node 0): the empty main
 * sheaf is refilled from the cpu slab -- node-1 objects -- so the top one
 * is refused and the cpu slab path switches node (alloc_node_mismatch).
 * alloc(-1) then gets a node-1 object from the sheaf: 6.18's sheaves do
 * not keep NUMA placement (3.3). */
static void numa_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "numa", 64, 0, SLAB_NO_MERGE, NULL);
	saddr_t x;

	(void)arg;
	ops->cache_set_sheaves(harness_a, s, 4);
	x = ops->cache_alloc(harness_a, s, 0, 1);
	g_assert_cmpint(page_to_nid(virt_to_page(x)), ==, 1);
	ops->cache_free(harness_a, s, x);
	g_assert_cmpuint(harness_stat("free_cpu_sheaf"), ==, 0);
	g_assert_cmpuint(harness_stat("free_fastpath"), ==, 1);
	x = ops->cache_alloc(harness_a, s, 0, 0);
	g_assert_cmpint(page_to_nid(virt_to_page(x)), ==, 0);
	g_assert_cmpuint(harness_stat("alloc_node_mismatch"), ==, 1);
	g_assert_cmpuint(harness_stat("sheaf_refill"), ==, 4);
	g_assert_cmpuint(harness_stat("alloc_cpu_sheaf"), ==, 0);
	x = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpint(page_to_nid(virt_to_page(x)), ==, 1);
	g_assert_cmpuint(harness_stat("alloc_cpu_sheaf"), ==, 1);
}

static void test_numa_sheaves(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);

	harness_run_on(k, 0, numa_body, NULL);
	harness_free(k, m);
}

/* ---- kernel features: constructors, __GFP_ZERO, kfree_rcu ---- */

/* One CPU, 64 B objects with a constructor of 16 B and 3 ns: the free
 * pointer goes behind the object (stride 72; min_objects 8 want 576 B,
 * order 0 holds 4096 / 72 = 56), and the first allocation builds a slab:
 * 56 constructor calls.  A cache with a constructor never merges, and
 * __GFP_ZERO clears what was written before. */
static void ctor_body(void *arg)
{
	static const kmem_ctor_t ctor = { 3 * PS_PER_NS, 16 };
	kmem_cache_t *s = ops->cache_create(harness_a, "ctor-64", 64, 8, 0, &ctor);
	simtime_t before = engine_current()->cost[COST_CTOR];
	cache_info_t ci = harness_cache_info(s);
	saddr_t x;

	(void)arg;
	g_assert_cmpuint(ci.size, ==, 72);
	g_assert_cmpuint(ci.objects_per_slab, ==, 56);
	x = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(engine_current()->cost[COST_CTOR] - before, ==, 56 * 3 * PS_PER_NS);
	g_assert_true(ops->cache_create(harness_a, "ctor-64b", 64, 8, 0, &ctor) != s);
	g_assert_true(ops->cache_create(harness_a, "plain-72", 72, 8, 0, NULL) != s);
	for (saddr_t off = 0; off < 64; off += 8)
		kstore64(x + off, ~0ULL);
	ops->cache_free(harness_a, s, x);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, __GFP_ZERO, -1), ==, x);
	for (saddr_t off = 0; off < 64; off += 8)
		g_assert_cmphex(kload64(x + off), ==, 0);
}

static void test_ctor_zero(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);

	harness_run_on(k, 0, ctor_body, NULL);
	harness_free(k, m);
}

/* One CPU, 512 B, sheaves of 2.  Five allocations: refills of two, each
 * popped from the top, give a1, a0, a3, a2, a5 and leave a4 in the main
 * sheaf.  kfree_rcu of the first four: the barn's empty sheaf, then a new
 * one, each sent to call_rcu when full.  Before the grace period an
 * allocation gets a4; after it both sheaves are full sheaves of the barn
 * (the later one first), so the next four allocations reuse the freed
 * objects in the order x3, x2, x1, x0. */
typedef struct rcu_run {
	kmem_cache_t *s;
	saddr_t x[5];
} rcu_run_t;

static void rcu_free_body(void *arg)
{
	rcu_run_t *r = arg;

	r->s = ops->cache_create(harness_a, "rcu-512", 512, 0, SLAB_NO_MERGE, NULL);
	ops->cache_set_sheaves(harness_a, r->s, 2);
	for (int i = 0; i < 5; i++)
		r->x[i] = ops->cache_alloc(harness_a, r->s, 0, -1);
	g_assert_cmpuint(r->x[1], ==, r->x[0] - 512);
	g_assert_cmpuint(r->x[2], ==, r->x[0] + 2 * 512);
	for (int i = 0; i < 4; i++)
		g_assert_true(ops->free_rcu(harness_a, r->x[i]));
	g_assert_cmpuint(harness_stat("free_rcu_sheaf"), ==, 4);
	g_assert_cmpuint(rcu_stats()->waiting[RCU_OBJECT], ==, 2);
	g_assert_cmpuint(ops->cache_alloc(harness_a, r->s, 0, -1), ==, r->x[0] + 3 * 512);
	/* kmalloc caches have no sheaves: the caller's call_rcu. */
	g_assert_false(ops->free_rcu(harness_a, ops->kmalloc(harness_a, 64, 0, -1)));
	ops->audit(harness_a);                  /* two sheaves wait for the grace period */
}

static void rcu_reuse_body(void *arg)
{
	rcu_run_t *r = arg;

	g_assert_cmpuint(harness_stat("barn_put"), ==, 2);
	for (int i = 3; i >= 0; i--)
		g_assert_cmpuint(ops->cache_alloc(harness_a, r->s, 0, -1), ==, r->x[i]);
	g_assert_cmpuint(harness_stat("barn_get"), ==, 2);
	ops->audit(harness_a);
}

static void test_rcu_sheaves(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, defaults, NULL);
	rcu_run_t r = { 0 };

	harness_run_on(k, 0, rcu_free_body, &r);
	harness_rcu_barrier(k);
	harness_run_on(k, 0, rcu_reuse_body, &r);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slub6/geometry/table", test_geometry_table);
	g_test_add_func("/slub6/geometry/rule", test_geometry_rule);
	g_test_add_func("/slub6/geometry/this-kernel", test_geometry_this_kernel);
	g_test_add_func("/slub6/geometry/free-pointer", test_free_pointer);
	g_test_add_func("/slub6/kmalloc", test_kmalloc);
	g_test_add_func("/slub6/merge", test_merge);
	g_test_add_func("/slub6/fast-paths", test_fast_paths);
	g_test_add_func("/slub6/remote-free", test_remote_free);
	g_test_add_func("/slub6/cpu-partial", test_cpu_partial);
	g_test_add_func("/slub6/sheaves", test_sheaves);
	g_test_add_func("/slub6/sheaves-off", test_sheaves_off);
	g_test_add_func("/slub6/numa-sheaves", test_numa_sheaves);
	g_test_add_func("/slub6/ctor-zero", test_ctor_zero);
	g_test_add_func("/slub6/rcu-sheaves", test_rcu_sheaves);
	return g_test_run();
}
