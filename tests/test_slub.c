/*
 * test_slub.c -- SLUB 2.6.29: slab geometry, invariants after randomised
 * alloc/free sequences on one CPU and across NUMA nodes, metadata
 * accounting, fast-path pricing, large kmallocs, a fresh slab's free
 * pointers kept host-side until stored, and SLUB's own debug check (a
 * double free from another CPU; the common ones are test_conformance's).
 *
 * Machines come from harness_machine: 4 KiB pages, 64-byte lines, hit 1 ns,
 * irq save+restore 2 ns.
 */
#include "harness.h"
#include "slub.h"

static const allocator_ops_t *ops = &slub_allocator;

/* ---- 1. geometry ---- */

static int fls_int(unsigned long x)
{
	int n = 0;

	for (; x; x >>= 1)
		n++;
	return n;
}

/* kernel-params B.6 read plainly: for min_objects = 4 * (fls(cpus) + 1),
 * halving while > 1, and waste bounds 1/16, 1/8, 1/4, the first order up to
 * 3 whose slab holds min_objects with at most that waste; else the first
 * order that holds one object. */
static void rule_order(unsigned long size, int ncpus, unsigned *order, unsigned *objects)
{
	for (unsigned long mo = 4 * (fls_int(ncpus) + 1); mo > 1; mo /= 2) {
		for (int fract = 16; fract >= 4; fract /= 2) {
			for (unsigned o = 0; o <= 3; o++) {
				unsigned long slab = 4096UL << o;

				if (slab >= mo * size && slab % size <= slab / fract) {
					*order = o;
					*objects = slab / size;
					return;
				}
			}
		}
	}
	for (unsigned o = 0; o < 11; o++) {
		if ((4096UL << o) >= size) {
			*order = o;
			*objects = (4096UL << o) / size;
			return;
		}
	}
	g_assert_not_reached();
}

static void test_geometry(void)
{
	/* The B.6 table: order/objects at 4 CPUs (16) and 1024 CPUs (48). */
	static const struct {
		unsigned size, order4, objs4, order1k, objs1k;
	} table[] = {
		{ 8, 0, 512, 0, 512 }, { 96, 0, 42, 1, 85 }, { 128, 0, 32, 1, 64 },
		{ 192, 0, 21, 2, 85 }, { 256, 0, 16, 2, 64 }, { 512, 1, 16, 3, 64 },
		{ 1024, 2, 16, 3, 32 }, { 2048, 3, 16, 3, 16 }, { 4096, 3, 8, 3, 8 },
	};
	unsigned order, objects, size, ro, rn;

	for (unsigned i = 0; i < G_N_ELEMENTS(table); i++) {
		slub_geometry(table[i].size, 0, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
		g_assert_cmpuint(size, ==, table[i].size);
		g_assert_cmpuint(order, ==, table[i].order4);
		g_assert_cmpuint(objects, ==, table[i].objs4);
		rule_order(table[i].size, 4, &ro, &rn);
		g_assert_cmpuint(order, ==, ro);
		g_assert_cmpuint(objects, ==, rn);

		slub_geometry(table[i].size, 0, 1024, 4096, 64, 0, 3, 0, &order, &objects, &size);
		g_assert_cmpuint(order, ==, table[i].order1k);
		g_assert_cmpuint(objects, ==, table[i].objs1k);
		rule_order(table[i].size, 1024, &ro, &rn);
		g_assert_cmpuint(order, ==, ro);
		g_assert_cmpuint(objects, ==, rn);
	}

	/* slub_min_objects=8 is the 1-CPU column: 1024 -> 1/8. */
	slub_geometry(1024, 0, 1024, 4096, 64, 0, 3, 8, &order, &objects, &size);
	g_assert_cmpuint(order, ==, 1);
	g_assert_cmpuint(objects, ==, 8);

	/* HWCACHE_ALIGN: 64 halved while objsize <= half -> 20 B gets 32, 100 B
	 * gets 64 (stride 128); RCU adds a free-pointer word: 40 -> 48. */
	slub_geometry(20, SLAB_HWCACHE_ALIGN, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
	g_assert_cmpuint(size, ==, 32);
	slub_geometry(100, SLAB_HWCACHE_ALIGN, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
	g_assert_cmpuint(size, ==, 128);
	slub_geometry(100, 0, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
	g_assert_cmpuint(size, ==, 104);
	slub_geometry(40, SLAB_DESTROY_BY_RCU, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
	g_assert_cmpuint(size, ==, 48);
	/* Beyond slub_max_order: the smallest order holding one object. */
	slub_geometry(40000, 0, 4, 4096, 64, 0, 3, 0, &order, &objects, &size);
	g_assert_cmpuint(order, ==, 4);
	g_assert_cmpuint(objects, ==, 1);
}

/* ---- 2. consistency under random operations ---- */

enum kind { K_KMALLOC, K_USER, K_RCU, K_LARGE };

typedef struct live {
	saddr_t addr;
	kmem_cache_t *cache;    /* NULL for a large kmalloc */
	size_t size;
	int kind;
	int cpu;
} live_t;

typedef struct mix {
	int ncpus;
	int ops_per_cpu;
	GArray *live;                   /* live_t, shared by all CPUs */
	kmem_cache_t *user, *rcu;
	uint64_t boot_pages;
	uint64_t slab_allocs, slab_frees;
	uint64_t cross_cpu_frees, cross_node_frees;
	uint64_t rng[8];
	GHashTable *stats;              /* name -> value, filled at the end */
} mix_t;

/* The kmalloc class of a size, from B.6: 8, 16, 32, 64, 96, 128, 192, then
 * powers of two. */
static size_t class_of(size_t size)
{
	static const size_t small[] = { 8, 16, 32, 64, 96, 128, 192 };

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++)
		if (size <= small[i])
			return small[i];
	size_t c = 256;
	while (c < size)
		c *= 2;
	return c;
}

static kmem_cache_t *kmalloc_cache_of(size_t size)
{
	char name[32];

	g_snprintf(name, sizeof(name), "kmalloc-%zu", class_of(size));
	return harness_find_cache(name);
}

static void mix_boot(void *arg)
{
	mix_t *mx = arg;

	mx->boot_pages = pa_stats(kern()->pa)->pages_in_use;
	mx->user = ops->cache_create(harness_a, "test-obj", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	mx->rcu = ops->cache_create(harness_a, "test-rcu", 40, 0, SLAB_DESTROY_BY_RCU, NULL);
	g_assert_nonnull(mx->user);
	g_assert_nonnull(mx->rcu);
}

static live_t mix_alloc(mix_t *mx, int cpu)
{
	uint64_t *r = &mx->rng[cpu];
	live_t o = { .cpu = cpu };
	int node = harness_rand(r) % 4 == 0 ? (int)(harness_rand(r) % kern()->m->nnodes) : -1;

	switch (harness_rand(r) % 10) {
	case 6:
		o.kind = K_USER;
		o.cache = mx->user;
		o.size = 200;
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, node);
		break;
	case 7:
		o.kind = K_RCU;
		o.cache = mx->rcu;
		o.size = 40;
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, node);
		break;
	case 8:
		o.kind = K_LARGE;
		o.size = 4097 + harness_rand(r) % 16000;
		o.addr = ops->kmalloc(harness_a, o.size, 0, node);
		break;
	default:
		o.kind = K_KMALLOC;
		o.size = 1 + harness_rand(r) % (harness_rand(r) % 2 ? 192 : 4096);
		o.cache = kmalloc_cache_of(o.size);
		o.addr = ops->kmalloc(harness_a, o.size, 0, node);
		break;
	}
	g_assert_cmpuint(o.addr, !=, 0);
	mx->slab_allocs += o.kind != K_LARGE;
	return o;
}

static void mix_free(mix_t *mx, live_t o, int cpu)
{
	page_t *page = virt_to_page(o.addr);

	mx->cross_cpu_frees += o.cpu != cpu;
	mx->cross_node_frees += page_to_nid(page) != cpu_to_node(cpu);
	mx->slab_frees += o.kind != K_LARGE;
	if (o.kind == K_USER || o.kind == K_RCU)
		ops->cache_free(harness_a, o.cache, o.addr);
	else
		ops->kfree(harness_a, o.addr);
}

/* Each CPU allocates (55%, while fewer than 1500 objects live) or frees a
 * random live object, whoever allocated it. */
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

static int order_of_size(size_t size)
{
	int o = 0;

	while ((4096UL << o) < size)
		o++;
	return o;
}

/* Every live object is unique and sits at an object boundary of a slab of
 * its cache; the caches' slabs and the large kmallocs account for every
 * page in use since boot; active_objs counts exactly the live objects.
 * The caller shrank every cache first: with no cpu slab left, every slab
 * that is not full is on a partial list, so s_show's active_objs (objects
 * less the free ones of partial slabs) is the objects in use. */
static void mix_check(void *arg)
{
	mix_t *mx = arg;
	GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	GHashTable *per_cache = g_hash_table_new(NULL, NULL);
	uint64_t pages = mx->boot_pages;

	for (guint i = 0; i < mx->live->len; i++) {
		live_t *o = &g_array_index(mx->live, live_t, i);
		page_t *page = virt_to_page(o->addr);

		g_assert_nonnull(page);
		g_assert_false(g_hash_table_contains(seen, &o->addr));
		g_hash_table_add(seen, &o->addr);
		if (o->kind == K_LARGE) {
			g_assert_false(page->flags & PG_slab);
			g_assert_true(page->flags & PG_head);
			g_assert_cmpuint(page_address(page), ==, o->addr);
			g_assert_cmpuint(page->order, ==, order_of_size(o->size));
			pages += 1u << page->order;
			continue;
		}
		cache_info_t ci = harness_cache_info(o->cache);
		saddr_t off = o->addr - page_address(page);

		g_assert_true(page->flags & PG_slab);
		g_assert_true(page->slab == (void *)o->cache);
		g_assert_cmpuint(off % ci.size, ==, 0);
		g_assert_cmpuint(off / ci.size, <, page->objects);
		g_assert_cmpuint(o->size, <=, ci.object_size);
		g_hash_table_insert(per_cache, o->cache, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, o->cache)) + 1));
	}
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = ops->cache_at(harness_a, i);
		cache_info_t ci = harness_cache_info(s);

		g_assert_cmpuint(ci.active_objs, ==,
		                 GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)));
		g_assert_cmpuint(ci.num_objs, ==, ci.slabs * ci.objects_per_slab);
		g_assert_cmpuint(ci.active_slabs, <=, ci.slabs);
		g_assert_cmpuint(ci.active_objs, <=, ci.num_objs);
		pages += ci.slabs << ci.order;
	}
	pages += harness_rcu_slab_pages();      /* SLAB_DESTROY_BY_RCU slabs not yet freed */
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, pages);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(per_cache);
}

/* Every CPU frees its share of what is live, mostly others' objects. */
static void mix_free_all(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (guint i = cpu; i < mx->live->len; i += mx->ncpus)
		mix_free(mx, g_array_index(mx->live, live_t, i), cpu);
}

/* CPU 0 shrinks every cache while the others answer its flush IPIs. */
static void mix_shrink(void *arg)
{
	mix_t *mx = arg;

	harness_shrink_all();
	ops->stats(harness_a, harness_collect_stat, mx->stats);
}

static uint64_t stat_of(mix_t *mx, const char *name)
{
	uint64_t *v = g_hash_table_lookup(mx->stats, name);

	g_assert_nonnull(v);
	return *v;
}

static void run_mix(int ncpus, int nnodes, int ops_per_cpu)
{
	machine_t *m = harness_machine(ncpus, nnodes, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	mix_t mx = { .ncpus = ncpus, .ops_per_cpu = ops_per_cpu };
	int cpus[8];

	mx.live = g_array_new(FALSE, FALSE, sizeof(live_t));
	mx.stats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (int c = 0; c < ncpus; c++) {
		cpus[c] = c;
		mx.rng[c] = 0x5eed0000u + c;
	}
	harness_run_on(k, 0, mix_boot, &mx);
	harness_run_many(k, cpus, ncpus, mix_step, &mx);
	g_assert_cmpuint(mx.live->len, >, 100);
	harness_run_served(k, mix_shrink, &mx);
	harness_run_on(k, 0, mix_check, &mx);
	harness_run_many(k, cpus, ncpus, mix_free_all, &mx);
	g_array_set_size(mx.live, 0);
	/* The shrink left no cpu slab and no empty slab, so each slab went
	 * back to the page allocator at its last free (2.6.29's __slab_free
	 * discards an empty slab whatever min_partial says; a
	 * SLAB_DESTROY_BY_RCU slab once its grace period is over). */
	harness_rcu_barrier(k);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	harness_run_served(k, mix_shrink, &mx);

	/* Nothing is live and shrink gave back every slab, the min_partial
	 * empty ones included, and the RCU slabs' grace periods are over: the
	 * page allocator is where boot left it. */
	harness_run_on(k, 0, mix_check, &mx);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		cache_info_t ci = harness_cache_info(ops->cache_at(harness_a, i));
		g_assert_cmpuint(ci.slabs, ==, 0);
	}
	/* Every slab allocation and free took exactly one path. */
	g_assert_cmpuint(stat_of(&mx, "alloc_fastpath") + stat_of(&mx, "alloc_slowpath"),
	                 ==, mx.slab_allocs);
	g_assert_cmpuint(stat_of(&mx, "free_fastpath") + stat_of(&mx, "free_slowpath"),
	                 ==, mx.slab_frees);
	g_assert_cmpuint(stat_of(&mx, "alloc_slab"), >, 0);
	if (ncpus > 1) {
		g_assert_cmpuint(mx.cross_cpu_frees, >, 0);
		g_assert_cmpuint(mx.cross_node_frees, >, 0);
		g_assert_cmpuint(stat_of(&mx, "free_frozen"), >, 0);
		g_assert_cmpuint(stat_of(&mx, "cpuslab_flush"), >, 0);
	}
	g_hash_table_destroy(mx.stats);
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

/* ---- deactivation, empty slabs, shrink order ---- */

/* 2 CPUs on 2 nodes, everything on CPU 0 (node 0).  Size 1024 with
 * min_objects 12: order 2, 16 objects per slab. */
static void deactivate_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "deact", 1024, 0, 0, NULL);
	cache_info_t ci = harness_cache_info(s);
	unsigned n = ci.objects_per_slab;
	saddr_t x[16], y, z;

	(void)arg;
	g_assert_cmpuint(ci.order, ==, 2);
	g_assert_cmpuint(n, ==, 16);
	/* Fill the cpu slab S0 and give every object back to c->freelist. */
	for (unsigned i = 0; i < n; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	for (unsigned i = 0; i < n; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(harness_stat("free_fastpath"), ==, n);

	/* A node-1 request deactivates S0: empty, and node 0 has fewer than
	 * min_partial (10) partial slabs, so S0 stays on its partial list;
	 * node 1 has nothing, so S1 is a new slab there. */
	y = ops->cache_alloc(harness_a, s, 0, 1);
	g_assert_cmpint(page_to_nid(virt_to_page(y)), ==, 1);
	g_assert_cmpuint(harness_stat("deactivate_empty"), ==, 1);
	g_assert_cmpuint(harness_stat("alloc_slab"), ==, 2);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 2);

	/* A node-0 request deactivates S1 (15 objects come back from the cpu
	 * freelist: it goes to the head of node 1's list) and takes S0 from
	 * node 0's partial list.  Merging the cpu freelist pushes its objects
	 * one by one, so S0's freelist now starts at x[0]. */
	z = ops->cache_alloc(harness_a, s, 0, 0);
	g_assert_cmpuint(harness_stat("deactivate_to_head"), ==, 1);
	g_assert_cmpuint(harness_stat("alloc_from_partial"), ==, 1);
	g_assert_cmpuint(z, ==, x[0]);

	/* Freeing y empties S1, which sits on node 1's partial list: it is
	 * removed and freed at once, min_partial notwithstanding. */
	ops->cache_free(harness_a, s, y);
	g_assert_cmpuint(harness_stat("free_remove_partial"), ==, 1);
	g_assert_cmpuint(harness_stat("free_slab"), ==, 1);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 1);
	ops->cache_free(harness_a, s, z);
	/* S0, the cpu slab, has all 16 objects on c->freelist; s_show counts
	 * them as active (it subtracts only partial slabs' free objects). */
	g_assert_cmpuint(harness_cache_info(s).active_objs, ==, 16);
}

static void test_fresh_slab(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, harness_fresh_slab_body, NULL);
	harness_free(k, m);
}

static void test_deactivate(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, deactivate_body, NULL);
	harness_free(k, m);
}

/* ---- /proc/slabinfo rows (2.6.29 s_show) ----
 *
 * s_show prints, per cache, num_objs = the nodes' total_objects, active_objs
 * = num_objs less count_partial(n, count_free) (the free objects of the
 * partial slabs only), and num_slabs = active_slabs = the nodes' nr_slabs.
 * A 256-byte cache on 2 CPUs: min_objects 12, 12 * 256 fits order 0, so
 * slabs of 16.  CPU 0 takes 40 objects: slabs A and B fill and are
 * deactivated full (on no list), C is CPU 0's cpu slab with 8 taken and 8
 * on c->freelist.  CPU 0 frees 4 of A (A goes on the partial list, 4
 * free); CPU 1 frees 2 of C (a frozen slab: on no list).  Then
 * num_objs = 48, active_objs = 48 - 4 = 44 (C's 8 + 2 free count as
 * active), slabs = active_slabs = 3; objects in use: 34.  Freeing A's
 * other 12 empties it and __slab_free discards it: 32 objects, 32 active,
 * 2 slabs. */
typedef struct sshow {
	kmem_cache_t *s;
	saddr_t x[40];
} sshow_t;

static void sshow_alloc(void *arg)
{
	sshow_t *sh = arg;

	sh->s = ops->cache_create(harness_a, "sshow", 256, 0, SLAB_NO_MERGE, NULL);
	for (int i = 0; i < 40; i++)
		sh->x[i] = ops->cache_alloc(harness_a, sh->s, 0, -1);
}

static void sshow_free(sshow_t *sh, int from, int to)
{
	for (int i = from; i < to; i++)
		ops->cache_free(harness_a, sh->s, sh->x[i]);
}

static void sshow_free_a4(void *arg) { sshow_free(arg, 0, 4); }
static void sshow_free_c2(void *arg) { sshow_free(arg, 32, 34); }
static void sshow_free_a12(void *arg) { sshow_free(arg, 4, 16); }

static void test_slabinfo_rows(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	sshow_t sh = { 0 };
	cache_info_t ci;

	harness_run_on(k, 0, sshow_alloc, &sh);
	g_assert_cmpuint(harness_cache_info(sh.s).objects_per_slab, ==, 16);
	g_assert_true(virt_to_head_page(sh.x[0]) == virt_to_head_page(sh.x[15]));
	g_assert_true(virt_to_head_page(sh.x[32]) == virt_to_head_page(sh.x[39]));
	harness_run_on(k, 0, sshow_free_a4, &sh);
	harness_run_on(k, 1, sshow_free_c2, &sh);
	ci = harness_cache_info(sh.s);
	g_assert_cmpuint(ci.num_objs, ==, 48);
	g_assert_cmpuint(ci.active_objs, ==, 44);
	g_assert_cmpuint(ci.slabs, ==, 3);
	g_assert_cmpuint(ci.active_slabs, ==, 3);
	harness_run_on(k, 0, sshow_free_a12, &sh);
	ci = harness_cache_info(sh.s);
	g_assert_cmpuint(ci.num_objs, ==, 32);
	g_assert_cmpuint(ci.active_objs, ==, 32);
	g_assert_cmpuint(ci.active_slabs, ==, 2);
	harness_free(k, m);
}

/* 1 CPU: size 1024 with min_objects 8 gives order 1, 8 objects. */
static void shrink_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "sort", 1024, 0, 0, NULL);
	unsigned n = harness_cache_info(s).objects_per_slab;
	uint64_t boot = *(uint64_t *)arg;
	saddr_t a[24];

	g_assert_cmpuint(n, ==, 8);
	/* Three full slabs S0, S1, S2 (S2 the cpu slab). */
	for (unsigned i = 0; i < 3 * n; i++)
		a[i] = ops->cache_alloc(harness_a, s, 0, -1);
	/* S0 and S1 were full: each first free puts them at the tail of the
	 * partial list, [S0 (6 in use), S1 (7 in use)]. */
	ops->cache_free(harness_a, s, a[0]);
	ops->cache_free(harness_a, s, a[1]);
	ops->cache_free(harness_a, s, a[n]);
	g_assert_cmpuint(harness_stat("free_add_partial"), ==, 2);

	/* Shrink flushes S2 (full: on no list) and sorts most used first:
	 * [S1, S0].  The next allocations drain S1 (a[n]), then S0 (a[1],
	 * its last freed object). */
	ops->shrink(harness_a, s);
	g_assert_cmpuint(harness_stat("cpuslab_flush"), ==, 1);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, a[n]);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, a[1]);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, a[0]);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 3);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, boot + 3 * 2);

	for (unsigned i = 0; i < 3 * n; i++)
		ops->cache_free(harness_a, s, a[i]);
	ops->shrink(harness_a, s);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 0);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, boot);
}

static void test_shrink_order(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	uint64_t boot;

	boot = harness_boot(k);
	harness_run_on(k, 0, shrink_body, &boot);
	harness_free(k, m);
}

/* ---- order fallback ---- */

/* 1 CPU, a page limit of 1: size 1024 prefers order 1 (8 objects), which
 * the limit refuses, so the slab falls back to get_order(1024) = 0 with
 * 4 objects; a second slab fails altogether. */
static void fallback_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "fallback", 1024, 0, 0, NULL);
	saddr_t x[4];

	(void)arg;
	g_assert_cmpuint(harness_cache_info(s).order, ==, 1);
	for (int i = 0; i < 4; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(harness_stat("order_fallback"), ==, 1);
	g_assert_cmpuint(virt_to_page(x[0])->objects, ==, 4);
	g_assert_cmpuint(harness_cache_info(s).num_objs, ==, 4);
	g_assert_cmpuint(x[3], ==, x[0] + 3 * 1024);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, 0);
	g_assert_cmpuint(pa_stats(kern()->pa)->failures, ==, 3);

	/* The order-0 slab goes back as order 0. */
	for (int i = 0; i < 4; i++)
		ops->cache_free(harness_a, s, x[i]);
	ops->shrink(harness_a, s);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, 0);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 0);
}

static void test_order_fallback(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	pa_config_t pa = { .limit_pages = 1 };
	kernel_t *k = harness_kernel(m, ops, NULL, &pa);

	harness_run_on(k, 0, fallback_body, NULL);
	harness_free(k, m);
}

/* ---- stats order ---- */

static void test_stats_order(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	char *names;

	harness_boot(k);
	names = harness_stat_names();
	g_assert_cmpstr(names, ==,
	                "alloc_fastpath alloc_slowpath free_fastpath free_slowpath "
	                "free_frozen free_add_partial free_remove_partial "
	                "alloc_from_partial alloc_slab alloc_refill free_slab "
	                "cpuslab_flush deactivate_full deactivate_empty "
	                "deactivate_to_head deactivate_to_tail "
	                "deactivate_remote_frees order_fallback ");
	g_free(names);
	harness_free(k, m);
}

/* ---- metadata and caches at boot ---- */

static void meta_body(void *arg)
{
	static const char *const boot[] = {
		"kmem_cache_node", "kmalloc-96", "kmalloc-192", "kmalloc-8",
		"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128",
		"kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
		"kmalloc-4096",
	};
	char name[32];

	(void)arg;
	g_assert_cmpint(ops->ncaches(harness_a), ==, G_N_ELEMENTS(boot));
	for (unsigned i = 0; i < G_N_ELEMENTS(boot); i++)
		g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i)).name, ==, boot[i]);

	/* 4 CPUs, 2 nodes (NR_CPUS 4, MAX_NUMNODES 2).  Boot caches are static
	 * structs of 240 + 8*2 + 8*4 = 288 B; a user cache kmallocs
	 * kmem_size = 288 B -> kmalloc-512.  One kmem_cache_node (72 B) for
	 * the node whose struct is not embedded, 32 B of kmem_cache_cpu per
	 * CPU from the static pools. */
	g_assert_cmpuint(harness_meta("kmalloc-8", "kmem_cache"), ==, 288);
	g_assert_cmpuint(harness_meta("kmalloc-8", "kmem_cache_node"), ==, 72);
	g_assert_cmpuint(harness_meta("kmalloc-8", "kmem_cache_cpu"), ==, 4 * 32);
	/* SLAB_NO_MERGE: each a cache of its own (merged, user-1 .. would be
	 * aliases of user-0, with no structures of their own). */
	ops->cache_create(harness_a, "user-0", 100, 0, SLAB_NO_MERGE, NULL);
	g_assert_cmpuint(harness_meta("user-0", "kmem_cache"), ==, 512);
	g_assert_cmpuint(harness_meta("user-0", "kmem_cache_node"), ==, 72);
	g_assert_cmpuint(harness_meta("user-0", "kmem_cache_cpu"), ==, 4 * 32);

	/* Each CPU's pool of 100 holds the 13 boot caches and 87 user caches
	 * (user-0 .. user-86); from the 101st cache on, kmem_cache_cpu is
	 * kmalloc(ALIGN(32, 64)). */
	for (int i = 1; i < 87; i++) {
		g_snprintf(name, sizeof(name), "user-%d", i);
		ops->cache_create(harness_a, name, 100, 0, SLAB_NO_MERGE, NULL);
	}
	g_assert_cmpuint(harness_meta("user-86", "kmem_cache_cpu"), ==, 4 * 32);
	ops->cache_create(harness_a, "user-87", 100, 0, SLAB_NO_MERGE, NULL);
	g_assert_cmpuint(harness_meta("user-87", "kmem_cache_cpu"), ==, 4 * 64);

	/* The kmalloc rounding used for metadata. */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 1), ==, 8);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 65), ==, 96);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 129), ==, 192);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 193), ==, 256);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4096), ==, 4096);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4097), ==, 8192);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 41200), ==, 65536);
}

static void test_metadata(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, meta_body, NULL);
	harness_free(k, m);
}

/* ---- 3. fast-path pricing ---- */

typedef struct fp {
	simtime_t dt;
	uint64_t accesses, hits, lock_acq;
	bool use_kmalloc;
} fp_t;

static saddr_t fp_alloc(fp_t *f, kmem_cache_t *s)
{
	return f->use_kmalloc ? ops->kmalloc(harness_a, 64, 0, -1)
	                      : ops->cache_alloc(harness_a, s, 0, -1);
}

static void fp_free(fp_t *f, kmem_cache_t *s, saddr_t x)
{
	if (f->use_kmalloc)
		ops->kfree(harness_a, x);
	else
		ops->cache_free(harness_a, s, x);
}

static void fastpath_body(void *arg)
{
	fp_t *f = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "hot", 64, 0, 0, NULL);
	lock_class_t *sl = klock_class("slub.slab_lock");
	lock_class_t *ll = klock_class("slub.list_lock");
	coh_stats_t before;
	simtime_t t0;
	saddr_t x;

	for (int i = 0; i < 2; i++)
		fp_free(f, s, fp_alloc(f, s));
	before = *coh_stats(kern()->coh);
	f->lock_acq = sl->acquisitions + ll->acquisitions;
	t0 = know();
	x = fp_alloc(f, s);
	fp_free(f, s, x);
	f->dt = know() - t0;
	f->accesses = coh_stats(kern()->coh)->all.accesses - before.all.accesses;
	f->hits = coh_stats(kern()->coh)->all.hits - before.all.hits;
	f->lock_acq = sl->acquisitions + ll->acquisitions - f->lock_acq;
}

static void check_fastpath(bool use_kmalloc)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	fp_t f = { .use_kmalloc = use_kmalloc };

	harness_run_on(k, 0, fastpath_body, &f);
	/* Alloc: s->cpu_slab[cpu], the kmem_cache_cpu, the object's free
	 * pointer, the c->freelist store.  Free: the struct page
	 * (virt_to_head_page), s->cpu_slab[cpu], the kmem_cache_cpu, the free
	 * pointer store, c->freelist.  All hot: 9 hits of 1 ns, plus two irq
	 * save/restore pairs of 2 ns; no lock. */
	g_assert_cmpuint(f.accesses, ==, 9);
	g_assert_cmpuint(f.hits, ==, 9);
	g_assert_cmpuint(f.lock_acq, ==, 0);
	g_assert_cmpuint(f.dt, ==, 9 * m->hit + 2 * m->irq);
	g_assert_cmpuint(f.dt, ==, 13 * PS_PER_NS);
	harness_free(k, m);
}

static void test_fastpath_cache(void)
{
	check_fastpath(false);
}

static void test_fastpath_kmalloc(void)
{
	check_fastpath(true);
}

/* ---- 4. large kmalloc ---- */

static void large_body(void *arg)
{
	const pa_stats_t *st = pa_stats(kern()->pa);
	uint64_t order1 = st->allocs_by_order[1], used = st->pages_in_use;
	uint64_t frees = st->frees;
	saddr_t x, y;
	page_t *page;

	(void)arg;
	x = ops->kmalloc(harness_a, 8192, 0, -1);
	g_assert_cmpuint(x, !=, 0);
	g_assert_cmpuint(st->allocs_by_order[1], ==, order1 + 1);
	g_assert_cmpuint(st->pages_in_use, ==, used + 2);
	page = virt_to_page(x);
	g_assert_true(page->flags & PG_head);
	g_assert_false(page->flags & PG_slab);
	g_assert_cmpuint(page->order, ==, 1);
	g_assert_cmpuint(page_address(page), ==, x);
	ops->kfree(harness_a, x);
	g_assert_cmpuint(st->pages_in_use, ==, used);
	g_assert_cmpuint(st->frees, ==, frees + 1);

	/* PAGE_SIZE itself is still a slab object of kmalloc-4096. */
	y = ops->kmalloc(harness_a, 4096, 0, -1);
	page = virt_to_page(y);
	g_assert_true(page->flags & PG_slab);
	g_assert_true(page->slab == (void *)harness_find_cache("kmalloc-4096"));
	ops->kfree(harness_a, y);

	/* kmalloc(0) is ZERO_SIZE_PTR, and kfree takes it back. */
	x = ops->kmalloc(harness_a, 0, 0, -1);
	g_assert_cmpuint(x, ==, 16);
	ops->kfree(harness_a, x);
}

static void test_large_kmalloc(void)
{
	harness_run_alone(ops, large_body, NULL);
}

/* ---- 4b. the pass-through threshold (slub_max_size, SLUB_MAX_SIZE) ----
 *
 * 2.6.29: kmalloc(size > PAGE_SIZE) is a compound page of get_order(size)
 * (kmalloc_large); with SLUB_MAX_SIZE = 8192 (the thread's patch), sizes up
 * to 8192 come from kmalloc-8192, whose geometry is B.6's rule for 8 KiB
 * objects (rule_order above: order 3, 4 objects on one CPU).  So 64
 * kmalloc(4096 + 320) are 64 order-1 page allocations at the default and
 * 64 / 4 = 16 order-3 ones (new slabs) with the limit 8192, and kmalloc(8193)
 * is still an order-2 page.  A limit of PAGE_SIZE is 2.6.29's.  A limit
 * below PAGE_SIZE (Christoph Lameter's PAGE_SIZE / 2) passes kmalloc(3000)
 * through as one order-0 page although kmalloc-4096 exists, and kfree
 * gives it back (pages in use as before). */

typedef struct max_size_case {
	long limit;
	size_t size;
	int n;
	const char *cache;          /* the cache the objects come from, or NULL */
	unsigned order;             /* the order of every page allocation */
	int page_allocs;
} max_size_case_t;

static void max_size_body(void *arg)
{
	const max_size_case_t *c = arg;
	const pa_stats_t *st = pa_stats(kern()->pa);
	uint64_t before[PA_MAX_ORDER], used = st->pages_in_use;
	saddr_t *x = g_new0(saddr_t, c->n);

	memcpy(before, st->allocs_by_order, sizeof(before));
	for (int i = 0; i < c->n; i++) {
		page_t *page;

		x[i] = ops->kmalloc(harness_a, c->size, 0, -1);
		g_assert_cmpuint(x[i], !=, 0);
		page = virt_to_head_page(x[i]);
		if (c->cache) {
			g_assert_true(page->flags & PG_slab);
			g_assert_true(page->slab == (void *)harness_find_cache(c->cache));
		} else {
			g_assert_false(page->flags & PG_slab);
			g_assert_cmpuint(page_address(page), ==, x[i]);
		}
	}
	for (unsigned o = 0; o < PA_MAX_ORDER; o++)
		g_assert_cmpuint(st->allocs_by_order[o] - before[o], ==,
		                 o == c->order ? (uint64_t)c->page_allocs : 0);
	for (int i = 0; i < c->n; i++)
		ops->kfree(harness_a, x[i]);
	if (!c->cache)
		g_assert_cmpuint(st->pages_in_use, ==, used);
	g_free(x);
}

static void test_max_size(void)
{
	unsigned order, objects;
	max_size_case_t cases[] = {
		{ 0, 4096 + 320, 64, NULL, 1, 64 },
		{ 8192, 4096 + 320, 64, "kmalloc-8192", 3, 0 },
		{ 8192, 8193, 8, NULL, 2, 8 },
		{ 4096, 4096 + 320, 8, NULL, 1, 8 },
		{ 2048, 3000, 8, NULL, 0, 8 },
	};

	rule_order(8192, 1, &order, &objects);
	g_assert_cmpuint(order, ==, 3);
	cases[1].page_allocs = 64 / (int)objects;
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		machine_t *m = harness_machine(1, 1, 16);
		long *tun = harness_tunables(ops, "slub_max_size", cases[i].limit, NULL);
		kernel_t *k = harness_kernel(m, ops, tun, NULL);

		harness_run_on(k, 0, max_size_body, &cases[i]);
		if (cases[i].limit <= 4096)
			g_assert_null(harness_find_cache("kmalloc-8192"));
		g_assert_nonnull(harness_find_cache("kmalloc-4096"));
		harness_free(k, m);
		g_free(tun);
	}
	/* A limit that is not a power of two from 256 up is a scenario error. */
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set",
	                                     "allocator.slub.slub_max_size=12288"),
	                     1, "slub_max_size: expected 0 (PAGE_SIZE) or a power of two", NULL);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set",
	                                     "allocator.slub.slub_max_size=128"),
	                     1, "got '128'", NULL);
}

/* ---- 5. SLUB's own debug check (kbug exits: run in a subprocess) ---- */

static void remote_double_free_body(void *arg, int cpu)
{
	static saddr_t x;
	static bool freed;

	(void)arg;
	if (cpu == 0) {
		x = ops->kmalloc(harness_a, 64, 0, -1);
		ops->kfree(harness_a, x);     /* back on cpu 0's freelist */
		freed = true;
		return;
	}
	while (!freed) {
		engine_charge(COST_IDLE, PS_PER_NS);
		engine_sync();
	}
	ops->kfree(harness_a, x);             /* cpu 1 frees it again */
}

static void test_double_free_remote(void)
{
	if (g_test_subprocess()) {
		machine_t *m = harness_machine(2, 1, 16);
		kernel_t *k = harness_kernel(m, ops, NULL, NULL);
		int cpus[2] = { 0, 1 };

		harness_run_many(k, cpus, 2, remote_double_free_body, NULL);
		harness_free(k, m);
		return;
	}
	harness_trap_kbug("*double free*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slub/geometry", test_geometry);
	g_test_add_func("/slub/consistency-one-cpu", test_consistency_one_cpu);
	g_test_add_func("/slub/consistency-numa", test_consistency_numa);
	g_test_add_func("/slub/deactivate", test_deactivate);
	g_test_add_func("/slub/fresh-slab-host-side", test_fresh_slab);
	g_test_add_func("/slub/slabinfo-rows", test_slabinfo_rows);
	g_test_add_func("/slub/shrink-order", test_shrink_order);
	g_test_add_func("/slub/order-fallback", test_order_fallback);
	g_test_add_func("/slub/stats-order", test_stats_order);
	g_test_add_func("/slub/metadata", test_metadata);
	g_test_add_func("/slub/fastpath-cache", test_fastpath_cache);
	g_test_add_func("/slub/fastpath-kmalloc", test_fastpath_kmalloc);
	g_test_add_func("/slub/large-kmalloc", test_large_kmalloc);
	g_test_add_func("/slub/max-size", test_max_size);
	g_test_add_func("/slub/double-free-remote", test_double_free_remote);
	return g_test_run();
}
