/*
 * test_slab.c -- SLAB 2.6.29 (NUMA): slab geometry and tunables of the
 * kmalloc caches (kernel-params A.8), kmalloc classes, metadata and the
 * alien formula (A.6, A.9), queue capacity, the object invariant under
 * random alloc/free across nodes, cache_reap's per-CPU and alien drains,
 * fallback to another node, and SLAB's own debug checks (a remote double
 * free, a free to the wrong cache; the common ones are test_conformance's).
 *
 * Machines come from harness_machine (4 KiB pages, 64-byte lines, HZ 250).
 */
#include "harness.h"
#include "slab.h"

static const allocator_ops_t *ops = &slab_allocator;

static slab_audit_t audit_of(kmem_cache_t *s)
{
	slab_audit_t a;

	slab_audit(harness_a, s, &a);
	return a;
}

/* A.7 with 4 KiB pages and 64-byte lines: 32, 64, 128, 192, then powers
 * of two up to 4 MiB; bigger sizes round to pages (metadata only). */
static uint64_t K(uint64_t size)
{
	static const uint64_t small[] = { 32, 64, 128, 192 };

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++)
		if (size <= small[i])
			return small[i];
	for (uint64_t c = 256; c <= 4u << 20; c *= 2)
		if (size <= c)
			return c;
	return (size + 4095) / 4096 * 4096;
}

/* ---- 1. geometry ---- */

static void test_geometry_table(void)
{
	/* kernel-params A.8: class, num, order, off-slab, left_over, colours. */
	static const struct {
		unsigned size, num, order;
		bool off;
		unsigned left, colours;
	} t[] = {
		{ 32, 112, 0, false, 0, 0 }, { 64, 59, 0, false, 0, 0 },
		{ 128, 30, 0, false, 64, 1 }, { 192, 20, 0, false, 128, 2 },
		{ 256, 15, 0, false, 128, 2 }, { 512, 8, 0, true, 0, 0 },
		{ 1024, 4, 0, true, 0, 0 }, { 2048, 2, 0, true, 0, 0 },
		{ 4096, 1, 0, true, 0, 0 }, { 8192, 1, 1, true, 0, 0 },
		{ 16384, 1, 2, true, 0, 0 }, { 131072, 1, 5, true, 0, 0 },
		{ 262144, 1, 6, true, 0, 0 }, { 4194304, 1, 10, true, 0, 0 },
	};
	slab_layout_t l;

	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		g_assert_true(slab_geometry(t[i].size, 8, SLAB_HWCACHE_ALIGN, 4096, 64, true, &l));
		g_assert_cmpuint(l.buffer_size, ==, t[i].size);
		g_assert_cmpuint(l.num, ==, t[i].num);
		g_assert_cmpuint(l.order, ==, t[i].order);
		g_assert_cmpint(l.off_slab, ==, t[i].off);
		g_assert_cmpuint(l.left_over, ==, t[i].left);
		g_assert_cmpuint(l.colour, ==, t[i].colours);
	}
	/* size-512's off-slab descriptor: 48 + 8*4 = 80 B (-> size-128). */
	slab_geometry(512, 8, SLAB_HWCACHE_ALIGN, 4096, 64, true, &l);
	g_assert_cmpuint(l.slab_size, ==, 80);
	/* On-slab management: ALIGN(48 + 4*num, align); size-32: 496 -> 512. */
	slab_geometry(32, 8, SLAB_HWCACHE_ALIGN, 4096, 64, true, &l);
	g_assert_cmpuint(l.slab_size, ==, 512);
	g_assert_cmpuint(l.align, ==, 32);
}

static void test_geometry_rules(void)
{
	slab_layout_t l;

	/* HWCACHE_ALIGN halves the line while size <= align/2: 20 -> 24 B
	 * with align 32; 100 -> align 64, stride 128; without: word aligned. */
	slab_geometry(20, 0, SLAB_HWCACHE_ALIGN, 4096, 64, true, &l);
	g_assert_cmpuint(l.align, ==, 32);
	g_assert_cmpuint(l.buffer_size, ==, 32);
	slab_geometry(100, 0, SLAB_HWCACHE_ALIGN, 4096, 64, true, &l);
	g_assert_cmpuint(l.buffer_size, ==, 128);
	slab_geometry(100, 0, 0, 4096, 64, true, &l);
	g_assert_cmpuint(l.buffer_size, ==, 104);
	g_assert_false(l.off_slab);
	/* (4096 - 48) / 108 = 37; ALIGN(48 + 148, 8) + 37*104 = 4048 fits;
	 * left 48, colour_off 64: no colour. */
	g_assert_cmpuint(l.num, ==, 37);
	g_assert_cmpuint(l.left_over, ==, 48);
	g_assert_cmpuint(l.colour, ==, 0);

	/* 600 B: >= 512 so off-slab first; 6 per page leave 496 >= the 72-byte
	 * descriptor (48 + 6*4, word aligned), so it moves back on-slab with
	 * 424 left: 6 colours of 64. */
	slab_geometry(600, 0, 0, 4096, 64, true, &l);
	g_assert_false(l.off_slab);
	g_assert_cmpuint(l.num, ==, 6);
	g_assert_cmpuint(l.left_over, ==, 424);
	g_assert_cmpuint(l.colour, ==, 6);
	/* 512 B without HWCACHE_ALIGN: 8 per page, nothing left: off-slab. */
	slab_geometry(512, 0, 0, 4096, 64, true, &l);
	g_assert_true(l.off_slab);
	/* 511 -> 512 stride, still decided on the rounded size 512. */
	slab_geometry(505, 0, 0, 4096, 64, true, &l);
	g_assert_true(l.off_slab);
	g_assert_cmpuint(l.buffer_size, ==, 512);
	/* 504 stays on-slab: (4096-48)/508 = 7, left 4096 - 3528 - 80 = 488. */
	slab_geometry(504, 0, 0, 4096, 64, true, &l);
	g_assert_false(l.off_slab);
	g_assert_cmpuint(l.num, ==, 7);
	g_assert_cmpuint(l.left_over, ==, 488);

	/* ia64: 16 KiB pages, 128-byte lines.  1024 B is below PAGE_SIZE/8 =
	 * 2048: on-slab, (16384-48)/1028 = 15, ALIGN(108, 128) = 128, left
	 * 16384 - 15360 - 128 = 896 (<= 1/8), 7 colours of 128. */
	slab_geometry(1024, 0, SLAB_HWCACHE_ALIGN, 16384, 128, true, &l);
	g_assert_false(l.off_slab);
	g_assert_cmpuint(l.num, ==, 15);
	g_assert_cmpuint(l.left_over, ==, 896);
	g_assert_cmpuint(l.colour, ==, 7);

	/* 3000 B wastes 1096 of a page (> 1/8); RAM > 32 MB allows order 1
	 * (slab_break_gfp_order): 2 objects in 8 KiB; with little RAM the
	 * order-0 choice stands. */
	slab_geometry(3000, 0, 0, 4096, 64, true, &l);
	g_assert_cmpuint(l.order, ==, 1);
	g_assert_cmpuint(l.num, ==, 2);
	slab_geometry(3000, 0, 0, 4096, 64, false, &l);
	g_assert_cmpuint(l.order, ==, 0);
	g_assert_cmpuint(l.num, ==, 1);
}

/* enable_cpucache (A.3) on the boot kmalloc caches of a 2-CPU machine. */
static void tunables_body(void *arg)
{
	static const struct {
		const char *name;
		long limit, batch, shared;
	} t[] = {
		{ "size-32", 120, 60, 8 }, { "size-64", 120, 60, 8 },
		{ "size-128", 120, 60, 8 }, { "size-192", 120, 60, 8 },
		{ "size-256", 120, 60, 8 }, { "size-512", 54, 27, 8 },
		{ "size-1024", 54, 27, 8 }, { "size-2048", 24, 12, 8 },
		{ "size-4096", 24, 12, 8 }, { "size-8192", 8, 4, 0 },
		{ "size-131072", 8, 4, 0 }, { "size-262144", 1, 1, 0 },
		{ "size-4194304", 1, 1, 0 }, { "size-256(DMA)", 120, 60, 8 },
	};

	(void)arg;
	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		kmem_cache_t *s = harness_find_cache(t[i].name);
		cache_info_t ci;

		g_assert_nonnull(s);
		ci = harness_cache_info(s);
		g_assert_cmpint(ci.limit, ==, t[i].limit);
		g_assert_cmpint(ci.batchcount, ==, t[i].batch);
		g_assert_cmpint(ci.sharedfactor, ==, t[i].shared);
	}
}

static void test_tunables(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, tunables_body, NULL);
	harness_free(k, m);
}

/* The scenario's overrides apply to every cache; batchcount is capped. */
static void override_body(void *arg)
{
	cache_info_t a = harness_cache_info(harness_find_cache("size-64"));
	cache_info_t b = harness_cache_info(harness_find_cache("size-8192"));

	(void)arg;
	g_assert_cmpint(a.limit, ==, 10);
	g_assert_cmpint(a.batchcount, ==, 10);
	g_assert_cmpint(a.sharedfactor, ==, 0);
	g_assert_cmpint(b.limit, ==, 10);
	g_assert_cmpint(b.sharedfactor, ==, 0);
}

static void test_tunable_overrides(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	long tun[] = { 10, 30, 0, 0, 1 };
	kernel_t *k = harness_kernel(m, ops, tun, NULL);

	harness_run_on(k, 0, override_body, NULL);
	harness_free(k, m);
}

/* ---- 2. kmalloc classes ---- */

static void classes_body(void *arg)
{
	static const char *const first[] = {
		"kmem_cache", "size-32", "size-128", "size-32(DMA)", "size-64",
		"size-64(DMA)", "size-128(DMA)", "size-192", "size-192(DMA)",
		"size-256", "size-256(DMA)", "size-512",
	};

	(void)arg;
	/* 19 classes (32 .. 4 MiB) and their DMA twins, plus kmem_cache. */
	g_assert_cmpint(ops->ncaches(harness_a), ==, 39);
	for (unsigned i = 0; i < G_N_ELEMENTS(first); i++)
		g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, (int)i)).name, ==, first[i]);
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 38)).name, ==, "size-4194304(DMA)");
	for (size_t sz = 1; sz <= 9000; sz += 37)
		g_assert_cmpuint(ops->kmalloc_size(harness_a, sz), ==, K(sz));
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4u << 20), ==, 4u << 20);

	/* kmalloc picks the class; beyond 4 MiB it fails. */
	saddr_t x = ops->kmalloc(harness_a, 129, 0, -1);
	g_assert_true(virt_to_page(x)->slab == (void *)harness_find_cache("size-192"));
	ops->kfree(harness_a, x);
	g_assert_cmpuint(ops->kmalloc(harness_a, (4u << 20) + 1, 0, -1), ==, 0);
	g_assert_cmpuint(ops->kmalloc(harness_a, 0, 0, -1), ==, 16);
	ops->kfree(harness_a, 16);
}

static void test_kmalloc_classes(void)
{
	harness_run_alone(ops, classes_body, NULL);
}

/* ---- 3. metadata ---- */

/* A.6: N pointer arrays K(8N) and N(N-1) arrays K(24 + 8A). */
static uint64_t alien_formula(uint64_t n, uint64_t entries)
{
	return n > 1 ? n * K(8 * n) + n * (n - 1) * K(24 + 8 * entries) : 0;
}

/* cache_cache's slab share per struct kmem_cache, A.1/A.8 on-slab rule
 * with line alignment (NR_CPUS = cpus, nr_node_ids = nodes). */
static uint64_t kmem_cache_formula(uint64_t cpus, uint64_t nodes)
{
	uint64_t size = (8 * cpus + 104 + 8 * nodes + 63) / 64 * 64;

	for (unsigned order = 0;; order++) {
		uint64_t slab = 4096ull << order, num = (slab - 48) / (size + 4);

		if (((48 + 4 * num + 63) / 64 * 64) + num * size > slab)
			num--;
		if (num)
			return slab / num;
	}
}

typedef struct meta_case {
	int ncpus, nnodes;
	bool noalien;
} meta_case_t;

static void meta_body(void *arg)
{
	meta_case_t *c = arg;
	uint64_t n = (uint64_t)c->nnodes, cpus = (uint64_t)c->ncpus;
	uint64_t small_alien, big_alien;

	ops->cache_create(harness_a, "small", 200, 0, 0, NULL);     /* limit 120 */
	ops->cache_create(harness_a, "big", 200000, 0, 0, NULL);    /* limit 1 */
	small_alien = c->noalien ? 0 : alien_formula(n, 12);
	big_alien = c->noalien ? 0 : alien_formula(n, 1);
	g_assert_cmpuint(harness_meta("small", "alien"), ==, small_alien);
	if (n == 1024)          /* A.6's worked number */
		g_assert_cmpuint(harness_meta("small", "alien"), ==, 142475264);
	g_assert_cmpuint(harness_meta("size-256", "alien"), ==, small_alien);
	g_assert_cmpuint(harness_meta("big", "alien"), ==, big_alien);
	g_assert_cmpuint(harness_meta("small", "kmem_list3"), ==, n * 128);
	g_assert_cmpuint(harness_meta("small", "array_cache_percpu"), ==, cpus * K(24 + 8 * 120));
	g_assert_cmpuint(harness_meta("big", "array_cache_percpu"), ==, cpus * K(24 + 8 * 1));
	g_assert_cmpuint(harness_meta("small", "array_cache_shared"), ==,
	                 cpus > 1 ? n * K(24 + 8 * 8 * 60) : 0);
	g_assert_cmpuint(harness_meta("big", "array_cache_shared"), ==, 0);
	g_assert_cmpuint(harness_meta("small", "kmem_cache"), ==, kmem_cache_formula(cpus, n));
	g_assert_cmpuint(harness_meta("small", "slab_mgmt"), ==, 0);
	if (n > 1 && !c->noalien)
		g_test_message("%d nodes: alien bytes per limit-120 cache %" G_GUINT64_FORMAT
		               " (formula %" G_GUINT64_FORMAT ")", c->nnodes,
		               harness_meta("small", "alien"), alien_formula(n, 12));
}

static void run_meta(int ncpus, int nnodes, bool noalien)
{
	machine_t *m = harness_machine(ncpus, nnodes, 16);
	long tun[] = { 0, 0, -1, noalien, 1 };
	kernel_t *k = harness_kernel(m, ops, tun, NULL);
	meta_case_t c = { ncpus, nnodes, noalien };

	harness_run_on(k, 0, meta_body, &c);
	harness_free(k, m);
}

static void test_metadata_alien(void)
{
	run_meta(4, 4, false);
	run_meta(16, 16, false);
	run_meta(64, 64, false);
	run_meta(1024, 1024, false);    /* 142,475,264 B: A.6's 135.9 MiB */
	run_meta(8, 4, false);
	run_meta(4, 4, true);
	run_meta(2, 1, false);
	run_meta(1, 1, false);
}

/* Off-slab descriptors are K(slab_size) of "slab_mgmt" while their slab
 * lives, and objects of the kmalloc cache. */
static void mgmt_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "offslab", 1024, 0, 0, NULL);
	kmem_cache_t *d = harness_find_cache("size-64");        /* 48 + 4*4 = 64 */
	saddr_t x = ops->cache_alloc(harness_a, s, 0, -1);

	(void)arg;
	g_assert_cmpuint(harness_meta("offslab", "slab_mgmt"), ==, 64);
	g_assert_cmpuint(audit_of(d).mgmt_live, ==, 1);
	g_assert_cmpuint(audit_of(d).live, ==, 1);
	ops->cache_free(harness_a, s, x);
	ops->shrink(harness_a, s);
	g_assert_cmpuint(harness_meta("offslab", "slab_mgmt"), ==, 0);
	/* The descriptor came from a refill of 16 (untouched array) and went
	 * back on top of the other 15. */
	g_assert_cmpuint(audit_of(d).live, ==, 0);
	g_assert_cmpuint(audit_of(d).percpu, ==, 16);
}

static void test_slab_mgmt(void)
{
	harness_run_alone(ops, mgmt_body, NULL);
}

/* ---- 4. queue capacity ---- */

typedef struct cap {
	uint64_t objs[3], bytes[3];
} cap_t;

static void cap_visit(void *ctx, const char *kind, uint64_t objects, uint64_t bytes)
{
	cap_t *c = ctx;
	int i = strcmp(kind, "percpu") == 0 ? 0 : strcmp(kind, "shared") == 0 ? 1 : 2;

	g_assert_true(i < 2 || strcmp(kind, "alien") == 0);
	c->objs[i] = objects;
	c->bytes[i] = bytes;
}

static void capacity_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "cap", 256, 0, 0, NULL);
	cap_t c = { { 0 }, { 0 } };

	(void)arg;
	ops->queue_capacity(harness_a, s, cap_visit, &c);
	/* 8 CPUs x 120, 4 nodes x 8 x 60, 4 x 3 x 12. */
	g_assert_cmpuint(c.objs[0], ==, 8 * 120);
	g_assert_cmpuint(c.objs[1], ==, 4 * 480);
	g_assert_cmpuint(c.objs[2], ==, 4 * 3 * 12);
	g_assert_cmpuint(c.bytes[2], ==, 4 * 3 * 12 * 256);
}

static void test_queue_capacity(void)
{
	machine_t *m = harness_machine(8, 4, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, capacity_body, NULL);
	harness_free(k, m);
}

/* ---- 5. consistency under random operations ---- */

typedef struct live {
	saddr_t addr;
	kmem_cache_t *cache;    /* NULL for kmalloc */
	int cpu;
} live_t;

typedef struct mix {
	int ncpus;
	int ops_per_cpu;
	GArray *live;
	kmem_cache_t *user, *offs;
	uint64_t boot_pages;
	uint64_t cross_node_frees;
	uint64_t rng[8];
} mix_t;

static void mix_boot(void *arg)
{
	mix_t *mx = arg;

	mx->boot_pages = pa_stats(kern()->pa)->pages_in_use;
	mx->user = ops->cache_create(harness_a, "test-obj", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	mx->offs = ops->cache_create(harness_a, "test-off", 700, 0, 0, NULL);
	g_assert_nonnull(mx->user);
	g_assert_nonnull(mx->offs);
}

static live_t mix_alloc(mix_t *mx, int cpu)
{
	uint64_t *r = &mx->rng[cpu];
	live_t o = { .cpu = cpu };
	int node = harness_rand(r) % 4 == 0 ? (int)(harness_rand(r) % kern()->m->nnodes) : -1;

	switch (harness_rand(r) % 10) {
	case 6:
	case 7:
		o.cache = harness_rand(r) % 2 ? mx->user : mx->offs;
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, node);
		break;
	default:
		o.addr = ops->kmalloc(harness_a, 1 + harness_rand(r) %
		                      (harness_rand(r) % 2 ? 192 : 9000), 0, node);
		break;
	}
	g_assert_cmpuint(o.addr, !=, 0);
	return o;
}

static void mix_free(mix_t *mx, live_t o, int cpu)
{
	mx->cross_node_frees += page_to_nid(virt_to_page(o.addr)) != cpu_to_node(cpu);
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
			mix_free(mx, o, cpu);
		}
	}
}

/* Every object of every cache is found exactly once (the audit), the
 * objects held are the workload's plus the off-slab descriptors, and the
 * slabs account for every page in use since boot. */
static void mix_check(void *arg)
{
	mix_t *mx = arg;
	GHashTable *per_cache = g_hash_table_new(NULL, NULL);
	uint64_t pages = mx->boot_pages, parked = 0;

	for (guint i = 0; i < mx->live->len; i++) {
		live_t *o = &g_array_index(mx->live, live_t, i);
		void *s = virt_to_page(o->addr)->slab;

		g_assert_true(!o->cache || s == (void *)o->cache);
		g_hash_table_insert(per_cache, s, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)) + 1));
	}
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = ops->cache_at(harness_a, i);
		slab_audit_t a = audit_of(s);
		cache_info_t ci = harness_cache_info(s);

		g_assert_cmpuint(a.live, ==, a.mgmt_live +
		                 GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)));
		g_assert_cmpuint(a.slab_free + a.percpu + a.shared + a.alien + a.live, ==, a.total);
		g_assert_cmpuint(ci.num_objs, ==, a.total);
		g_assert_cmpuint(ci.active_objs, ==, a.total - a.slab_free);
		g_assert_cmpuint(ci.sharedavail, ==, a.shared);
		parked += (a.percpu + a.shared + a.alien) * ci.size;
		pages += a.pages;
	}
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, parked);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, pages);
	g_hash_table_destroy(per_cache);
}

static void mix_free_all(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (guint i = cpu; i < mx->live->len; i += mx->ncpus)
		mix_free(mx, g_array_index(mx->live, live_t, i), cpu);
}

/* CPU 0 shrinks every cache, newest first (off-slab descriptors go back
 * to older kmalloc caches), while the others answer its drain IPIs. */
static void mix_shrink(void *arg)
{
	(void)arg;
	harness_shrink_all();
}

static void mix_stats(void *arg)
{
	mix_t *mx = arg;

	g_assert_cmpuint(harness_stat("grown"), >, 0);
	g_assert_cmpuint(harness_stat("grown"), ==, harness_stat("slabs_destroyed"));
	if (mx->ncpus > 1) {
		g_assert_cmpuint(mx->cross_node_frees, >, 0);
		g_assert_cmpuint(harness_stat("node_frees"), >, 0);
		g_assert_cmpuint(harness_stat("node_allocs"), >, 0);
		g_assert_cmpuint(harness_stat("refill_shared"), >, 0);
	}
}

static void run_mix(int ncpus, int nnodes, int ops_per_cpu)
{
	machine_t *m = harness_machine(ncpus, nnodes, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	mix_t mx = { .ncpus = ncpus, .ops_per_cpu = ops_per_cpu };
	int cpus[8];

	mx.live = g_array_new(FALSE, FALSE, sizeof(live_t));
	for (int c = 0; c < ncpus; c++) {
		cpus[c] = c;
		mx.rng[c] = 0x5eed0000u + c;
	}
	harness_run_on(k, 0, mix_boot, &mx);
	harness_run_many(k, cpus, ncpus, mix_step, &mx);
	g_assert_cmpuint(mx.live->len, >, 100);
	harness_run_on(k, 0, mix_check, &mx);
	harness_run_many(k, cpus, ncpus, mix_free_all, &mx);
	g_array_set_size(mx.live, 0);
	harness_run_on(k, 0, mix_check, &mx);
	/* Empty, yet objects are parked in the arrays. */
	g_assert_cmpuint(ops->queued_bytes(harness_a), >, 0);
	harness_run_served(k, mix_shrink, NULL);
	harness_run_on(k, 0, mix_check, &mx);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
	for (int i = 0; i < ops->ncaches(harness_a); i++)
		g_assert_cmpuint(harness_cache_info(ops->cache_at(harness_a, i)).slabs, ==, 0);
	harness_run_on(k, 0, mix_stats, &mx);
	g_array_free(mx.live, TRUE);
	harness_free(k, m);
}

static void test_consistency_one_cpu(void)
{
	run_mix(1, 1, 4000);
}

static void test_consistency_numa(void)
{
	run_mix(4, 2, 1500);
}

static void test_consistency_numa4(void)
{
	run_mix(8, 4, 1000);
}

/* ---- 6. cache_reap ---- */

/* 2 CPUs on one node, everything on CPU 0.  "reap" has 104-byte objects
 * (limit 120, batch 60, shared 480, 37 per slab).  A refill takes what
 * the node's slabs hold, growing one slab only when they are empty: 16
 * (untouched array) of the first slab, its other 21, then 37 from each new
 * slab: after 200 allocations 16 + 21 + 5*37 - 200 = 22 stay per-CPU.
 * 200 frees fill it to 120 (98 frees) and flush 60 to the shared array at
 * frees 99 and 159 (each leaving 60, then the freed one): 102 stay
 * per-CPU, 120 shared, touched.
 * The first pass only clears touched; each later 2 s pass frees
 * (120+4)/5 = 24, or half of what is left (rounded up) if that is less. */
static void reap_body(void *arg)
{
	static const unsigned expect[] = { 102, 78, 54, 30, 6, 3, 1, 0 };
	kmem_cache_t *s = ops->cache_create(harness_a, "reap", 100, 0, 0, NULL);
	saddr_t x[200];

	(void)arg;
	for (int i = 0; i < 200; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(slab_cpu_avail(s, 0), ==, 22);
	for (int i = 0; i < 200; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(slab_cpu_avail(s, 0), ==, 102);
	g_assert_cmpuint(audit_of(s).shared, ==, 120);

	/* The first pass is due 1 s after boot (CPU 0: no skew). */
	harness_pass_time(PS_PER_SEC);
	g_assert_cmpuint(harness_stat("reap_runs"), ==, 1);
	g_assert_cmpuint(slab_cpu_avail(s, 0), ==, expect[0]);
	for (unsigned i = 1; i < G_N_ELEMENTS(expect); i++) {
		harness_pass_time(2 * PS_PER_SEC);
		g_assert_cmpuint(harness_stat("reap_runs"), ==, i + 1);
		g_assert_cmpuint(slab_cpu_avail(s, 0), ==, expect[i]);
	}
	/* Every 4 s the node work trims the shared array and, once
	 * free_touched has been cleared, frees free slabs: within 80 s every
	 * page is back. */
	for (int i = 0; i < 40; i++)
		harness_pass_time(2 * PS_PER_SEC);
	g_assert_cmpuint(audit_of(s).shared, ==, 0);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 0);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, 0);
	g_assert_cmpuint(harness_stat("reaped"), >, 0);
}

static void test_reap_percpu(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, reap_body, NULL);
	harness_free(k, m);
}

/* 2 CPUs on 2 nodes.  CPU 0 frees 5 objects of node 1: they wait in node
 * 0's alien array for node 1.  CPU 0's reap_node starts at node 1, so its
 * first pass drains that array into node 1's shared array. */
static void alien_reap_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "alien", 100, 0, 0, NULL);
	saddr_t x[5];

	(void)arg;
	for (int i = 0; i < 5; i++) {
		x[i] = ops->cache_alloc(harness_a, s, 0, 1);
		g_assert_cmpint(page_to_nid(virt_to_page(x[i])), ==, 1);
	}
	for (int i = 0; i < 5; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(audit_of(s).alien, ==, 5);
	g_assert_cmpuint(harness_stat("node_frees"), ==, 5);
	harness_pass_time(PS_PER_SEC);
	g_assert_cmpuint(audit_of(s).alien, ==, 0);
	g_assert_cmpuint(audit_of(s).shared, ==, 5);
	g_assert_cmpuint(harness_stat("alien_reaped"), ==, 1);

	/* 13 more remote frees overflow the 12-entry array once. */
	for (int i = 0; i < 13; i++)
		ops->cache_free(harness_a, s, ops->cache_alloc(harness_a, s, 0, 1));
	g_assert_cmpuint(harness_stat("alien_overflow"), ==, 1);
	g_assert_cmpuint(audit_of(s).alien, ==, 1);
}

static void test_reap_alien(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, alien_reap_body, NULL);
	harness_free(k, m);
}

/* ---- 7. fallback ---- */

/* 2 CPUs on 2 nodes of 1 MiB (256 pages each).  One-page objects from
 * CPU 0 fill node 0; then cache_grow on node 0 fails and fallback_alloc
 * takes pages from node 1. */
static void fallback_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "page", 4096, 0, 0, NULL);
	GArray *xs = g_array_new(FALSE, FALSE, sizeof(saddr_t));
	bool remote = false;

	(void)arg;
	while (!remote) {
		saddr_t x = ops->cache_alloc(harness_a, s, 0, -1);

		g_assert_cmpuint(x, !=, 0);
		g_array_append_val(xs, x);
		remote = page_to_nid(virt_to_page(x)) == 1;
		g_assert_cmpuint(xs->len, <=, 300);
	}
	g_assert_cmpuint(harness_stat("fallback_allocs"), >, 0);
	/* The node-1 object goes back through node 0's alien array. */
	for (guint i = 0; i < xs->len; i++)
		ops->cache_free(harness_a, s, g_array_index(xs, saddr_t, i));
	g_assert_cmpuint(audit_of(s).live, ==, 0);
	g_assert_cmpuint(audit_of(s).alien, ==, 1);
	g_array_free(xs, TRUE);
}

static void test_fallback(void)
{
	machine_t *m = harness_machine(2, 2, 1);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, fallback_body, NULL);
	harness_free(k, m);
}

/* ---- 8. stats order ---- */


static void test_stats_order(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	char *names;

	harness_boot(k);
	names = harness_stat_names();
	g_assert_cmpstr(names, ==,
	                "allochit allocmiss freehit freemiss refill_shared flush_shared "
	                "grown slabs_destroyed reaped node_allocs node_frees "
	                "alien_overflow alien_reaped fallback_allocs reap_runs "
	                "reap_skipped ");
	g_free(names);
	harness_free(k, m);
}

/* ---- 9. fast path ---- */

static void fastpath_body(void *arg)
{
	simtime_t *dt = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "hot", 64, 0, 0, NULL);
	lock_class_t *ll = klock_class("l3->list_lock");
	uint64_t acq;
	simtime_t t0;
	saddr_t x;

	for (int i = 0; i < 2; i++)
		ops->cache_free(harness_a, s, ops->cache_alloc(harness_a, s, 0, -1));
	acq = ll->acquisitions;
	t0 = know();
	x = ops->cache_alloc(harness_a, s, 0, -1);
	ops->cache_free(harness_a, s, x);
	*dt = know() - t0;
	g_assert_cmpuint(ll->acquisitions, ==, acq);
}

static void test_fastpath(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	simtime_t dt;

	harness_run_on(k, 0, fastpath_body, &dt);
	/* Alloc: array[cpu], the ac header, the slot, the header store; free
	 * (one node: no page lookup): array[cpu], header, slot, header: 8 hot
	 * accesses of 1 ns and two irq pairs of 2 ns; the object itself is
	 * never touched. */
	g_assert_cmpuint(dt, ==, 8 * m->hit + 2 * m->irq);
	harness_free(k, m);
}

/* ---- 10. SLAB's own debug checks (kbug exits: run in a subprocess) ---- */

static void wrong_cache_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "mine", 64, 0, 0, NULL);
	saddr_t x = ops->kmalloc(harness_a, 64, 0, -1);

	(void)arg;
	ops->cache_free(harness_a, s, x);
}

/* The second free is from another node: it would go to an alien array. */
static void remote_double_free_body(void *arg, int cpu)
{
	static saddr_t x;
	static bool freed;

	(void)arg;
	if (cpu == 0) {
		x = ops->kmalloc(harness_a, 64, 0, -1);
		ops->kfree(harness_a, x);
		freed = true;
		return;
	}
	while (!freed) {
		engine_charge(COST_IDLE, PS_PER_NS);
		engine_sync();
	}
	ops->kfree(harness_a, x);
}

static void test_double_free_remote(void)
{
	if (g_test_subprocess()) {
		machine_t *m = harness_machine(2, 2, 16);
		kernel_t *k = harness_kernel(m, ops, NULL, NULL);
		int cpus[2] = { 0, 1 };

		harness_run_many(k, cpus, 2, remote_double_free_body, NULL);
		harness_free(k, m);
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
	g_test_add_func("/slab/geometry-table", test_geometry_table);
	g_test_add_func("/slab/geometry-rules", test_geometry_rules);
	g_test_add_func("/slab/tunables", test_tunables);
	g_test_add_func("/slab/tunable-overrides", test_tunable_overrides);
	g_test_add_func("/slab/kmalloc-classes", test_kmalloc_classes);
	g_test_add_func("/slab/metadata-alien", test_metadata_alien);
	g_test_add_func("/slab/slab-mgmt", test_slab_mgmt);
	g_test_add_func("/slab/queue-capacity", test_queue_capacity);
	g_test_add_func("/slab/consistency-one-cpu", test_consistency_one_cpu);
	g_test_add_func("/slab/consistency-numa", test_consistency_numa);
	g_test_add_func("/slab/consistency-numa4", test_consistency_numa4);
	g_test_add_func("/slab/reap-percpu", test_reap_percpu);
	g_test_add_func("/slab/reap-alien", test_reap_alien);
	g_test_add_func("/slab/fallback", test_fallback);
	g_test_add_func("/slab/stats-order", test_stats_order);
	g_test_add_func("/slab/fastpath", test_fastpath);
	g_test_add_func("/slab/double-free-remote", test_double_free_remote);
	g_test_add_func("/slab/wrong-cache", test_wrong_cache);
	return g_test_run();
}
