/*
 * test_slqb.c -- SLQB try-2: watermark formulas, slab order rule,
 * remote-free batching (lock acquisitions per remotely freed object),
 * invariants after randomised alloc/free across NUMA nodes with shrink
 * returning every page, node-specific allocation and floating objects,
 * the LIFO-head flush, the 3 s trim worker, metadata (also on a 4,096-CPU,
 * 1,024-node machine with 200 caches), stats order and queue capacity.
 *
 * Machines come from harness_machine: 4 KiB pages, 64-byte lines.  The
 * expected numbers are derived here from slqb-spec.md (sections 2, 4, 5,
 * 6), never copied from the allocator's output.
 */
#include "harness.h"
#include "slqb.h"

static const allocator_ops_t *ops = &slqb_allocator;

/* ---- 1. freebatch and hiwater (spec 5.1) ---- */

/* "freebatch = max(4*PAGE_SIZE/size, min(256, 64*PAGE_SIZE/size)), at
 * least 1; hiwater = 4*freebatch", computed here step by step. */
static unsigned rule_freebatch(unsigned size)
{
	unsigned a = 4 * 4096 / size, b = 64 * 4096 / size;

	if (b > 256)
		b = 256;
	if (a < b)
		a = b;
	return a ? a : 1;
}

static void test_watermarks(void)
{
	/* The same by hand: 16384/32 = 512; 16384/64 = 256; 256 from the
	 * min(256, ...) arm for 256 and 1024; 262144/2048 = 128;
	 * 262144/4096 = 64. */
	static const unsigned size[] = { 32, 64, 256, 1024, 2048, 4096 };
	static const unsigned fb[] = { 512, 256, 256, 256, 128, 64 };

	for (unsigned i = 0; i < G_N_ELEMENTS(size); i++) {
		g_assert_cmpuint(rule_freebatch(size[i]), ==, fb[i]);
		g_assert_cmpuint(slqb_freebatch(size[i], 4096), ==, fb[i]);
		g_assert_cmpuint(slqb_hiwater(size[i], 4096), ==, 4 * fb[i]);
	}
	/* Beyond 256 KiB one object per batch, 4 per LIFO. */
	g_assert_cmpuint(slqb_freebatch(1u << 19, 4096), ==, 1);
	g_assert_cmpuint(slqb_hiwater(1u << 19, 4096), ==, 4);
}

/* The live kmalloc caches carry them as slabinfo's limit/batchcount. */
static void watermark_cache_body(void *arg)
{
	static const unsigned size[] = { 32, 64, 256, 1024, 2048, 4096 };

	(void)arg;
	for (unsigned i = 0; i < G_N_ELEMENTS(size); i++) {
		char name[32];
		cache_info_t ci;

		g_snprintf(name, sizeof(name), "kmalloc-%u", size[i]);
		ci = harness_cache_info(harness_find_cache(name));
		g_assert_cmpint(ci.batchcount, ==, rule_freebatch(size[i]));
		g_assert_cmpint(ci.limit, ==, 4 * rule_freebatch(size[i]));
	}
}

static void test_watermarks_caches(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, watermark_cache_body, NULL);
	harness_free(k, m);
}

/* ---- 2. slab order (spec 2.3) ---- */

static void test_order(void)
{
	/* Worked by hand (4 KiB pages, align 8 unless said):
	 *  600: order 0 holds 6, waste 496 <= 1024 -> order 0, 6.
	 * 1400: order 0 holds 2, waste 1296 > 1024; order 1 holds 5, waste
	 *       1192 <= 2048 -> order 1, 5.
	 * 2100 -> stride 2104: order 0 holds 1, waste 1992 > 1024; order 1
	 *       holds 3, waste 1880 <= 2048 -> order 1, 3.
	 * 3000: order 0 waste 1096 > 1024; order 1 holds 2, waste 2192 >
	 *       2048 -> smallest order that fits: order 0, 1.
	 * 5000: order 1 holds 1, waste 3192 > 2048 -> smallest fit, order 1.
	 * 40000: order 4 (65536) is the smallest fit.
	 * 192 with SLAB_HWCACHE_ALIGN: align 64, stride 192, order 0, 21. */
	static const struct { unsigned objsize, flags, size, order, objects; } t[] = {
		{ 600, 0, 600, 0, 6 }, { 1400, 0, 1400, 1, 5 },
		{ 2100, 0, 2104, 1, 3 }, { 3000, 0, 3000, 0, 1 },
		{ 5000, 0, 5000, 1, 1 }, { 40000, 0, 40000, 4, 1 },
		{ 192, SLAB_HWCACHE_ALIGN, 192, 0, 21 },
		{ 24, 0, 24, 0, 170 }, { 100, 0, 104, 0, 39 },
	};
	unsigned size, order, objects;

	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		slqb_geometry(t[i].objsize, 0, t[i].flags, 4096, 64, &size, &order, &objects);
		g_assert_cmpuint(size, ==, t[i].size);
		g_assert_cmpuint(order, ==, t[i].order);
		g_assert_cmpuint(objects, ==, t[i].objects);
	}
	/* RCU relocates the free pointer after the object: 40 -> 48. */
	slqb_geometry(40, 0, SLAB_DESTROY_BY_RCU, 4096, 64, &size, &order, &objects);
	g_assert_cmpuint(size, ==, 48);
}

/* ---- 3. remote-free batching (spec 4.6, 3.5) ---- */

#define RB_BATCHES 20

typedef struct rb {
	kmem_cache_t *s;
	unsigned fb;
	unsigned n;
	saddr_t *obj;
	uint64_t acq_before, acq_after_free, acq_after_claim;
} rb_t;

static lock_class_t *remote_cls(void)
{
	return klock_class("slqb.remote_free");
}

static void rb_produce(void *arg)
{
	rb_t *rb = arg;

	rb->s = ops->cache_create(harness_a, "rb", 256, 0, 0, NULL);
	rb->fb = (unsigned)harness_cache_info(rb->s).batchcount;
	g_assert_cmpuint(rb->fb, ==, rule_freebatch(256));
	rb->n = RB_BATCHES * rb->fb;
	rb->obj = g_new(saddr_t, rb->n);
	for (unsigned i = 0; i < rb->n; i++)
		rb->obj[i] = ops->cache_alloc(harness_a, rb->s, 0, -1);
	rb->acq_before = remote_cls()->acquisitions;
}

static void rb_consume(void *arg)
{
	rb_t *rb = arg;

	for (unsigned i = 0; i < rb->n; i++)
		ops->cache_free(harness_a, rb->s, rb->obj[i]);
	rb->acq_after_free = remote_cls()->acquisitions;
}

/* The producer's next allocation finds an empty LIFO and the flag set. */
static void rb_claim(void *arg)
{
	rb_t *rb = arg;
	saddr_t x = ops->cache_alloc(harness_a, rb->s, 0, -1);

	rb->acq_after_claim = remote_cls()->acquisitions;
	ops->cache_free(harness_a, rb->s, x);
}

/* CPU 0 (node 0) allocates N = 20 * freebatch objects, CPU 1 (node 1)
 * frees them all: each is an off-node free straight to CPU 1's rlist,
 * all for one target (CPU 0's list), flushed when it holds freebatch+1.
 * So floor(N / (fb+1)) lock round trips for N objects, about N/fb. */
static void test_remote_batching(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	rb_t rb = { 0 };
	uint64_t flushes, queued;

	harness_run_on(k, 0, rb_produce, &rb);
	harness_run_on(k, 1, rb_consume, &rb);
	flushes = rb.n / (rb.fb + 1);
	queued = flushes * (rb.fb + 1);
	g_assert_cmpuint(rb.acq_after_free - rb.acq_before, ==, flushes);
	g_assert_cmpuint(flushes, <=, rb.n / rb.fb);
	g_assert_cmpuint(flushes + 1, >=, rb.n / rb.fb);
	g_assert_cmpuint(slqb_cpu_remote_nr(rb.s, 0), ==, queued);
	/* Counters: every free counted, all remote; one claim of everything. */
	harness_run_on(k, 0, rb_claim, &rb);
	g_assert_cmpuint(rb.acq_after_claim - rb.acq_after_free, ==, 1);
	g_assert_cmpuint(slqb_cpu_remote_nr(rb.s, 0), ==, 0);
	g_free(rb.obj);
	harness_free(k, m);
}

/* ---- 4. consistency under random operations ---- */

enum kind { K_KMALLOC, K_USER, K_RCU };

typedef struct live {
	saddr_t addr;
	kmem_cache_t *cache;
	size_t size;
	int kind;
	int cpu;
} live_t;

typedef struct mix {
	int ncpus;
	int ops_per_cpu;
	GArray *live;
	kmem_cache_t *user, *rcu;
	uint64_t boot_pages;
	uint64_t slab_allocs, slab_frees, cross_node_frees;
	uint64_t rng[8];
	int rounds;
} mix_t;

/* The kmalloc class (spec 2.7, 64-byte lines): 8, 16, 32, 64, 128, 192,
 * then powers of two. */
static size_t class_of(size_t size)
{
	static const size_t small[] = { 8, 16, 32, 64, 128, 192 };
	size_t c = 256;

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++)
		if (size <= small[i])
			return small[i];
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
	mx->user = ops->cache_create(harness_a, "test-obj", 200, 0, 0, NULL);
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
	default:
		o.kind = K_KMALLOC;
		o.size = 1 + harness_rand(r) % (harness_rand(r) % 2 ? 192 : 8192);
		o.cache = kmalloc_cache_of(o.size);
		o.addr = ops->kmalloc(harness_a, o.size, 0, node);
		break;
	}
	g_assert_cmpuint(o.addr, !=, 0);
	mx->slab_allocs++;
	return o;
}

static void mix_free(mix_t *mx, live_t o, int cpu)
{
	mx->cross_node_frees += page_to_nid(virt_to_page(o.addr)) != cpu_to_node(cpu);
	mx->slab_frees++;
	if (o.kind == K_KMALLOC)
		ops->kfree(harness_a, o.addr);
	else
		ops->cache_free(harness_a, o.cache, o.addr);
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

static gint cmp_addr(gconstpointer a, gconstpointer b)
{
	saddr_t x = ((const live_t *)a)->addr, y = ((const live_t *)b)->addr;

	return x < y ? -1 : x > y;
}

/* Every live object lies inside a slab page of its cache, objects do not
 * overlap; the caches' slabs account for every page used since boot;
 * active_objs (queued objects included) covers the live ones. */
static void mix_check(void *arg)
{
	mix_t *mx = arg;
	GArray *sorted = g_array_copy(mx->live);
	GHashTable *per_cache = g_hash_table_new(NULL, NULL);
	uint64_t pages = mx->boot_pages;

	g_array_sort(sorted, cmp_addr);
	for (guint i = 0; i < sorted->len; i++) {
		live_t *o = &g_array_index(sorted, live_t, i);
		page_t *page = virt_to_page(o->addr);
		cache_info_t ci = harness_cache_info(o->cache);
		saddr_t off = o->addr - page_address(page);

		g_assert_nonnull(page);
		g_assert_true(page->flags & PG_slab);
		g_assert_true(page->slab == (void *)o->cache);
		g_assert_cmpuint(off + ci.size, <=, 4096UL << ci.order);
		g_assert_cmpuint(o->size, <=, ci.object_size);
		if (i > 0)
			g_assert_cmpuint(g_array_index(sorted, live_t, i - 1).addr +
			                 harness_cache_info(g_array_index(sorted, live_t, i - 1).cache).size,
			                 <=, o->addr);
		g_hash_table_insert(per_cache, o->cache, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, o->cache)) + 1));
	}
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = ops->cache_at(harness_a, i);
		cache_info_t ci = harness_cache_info(s);

		g_assert_cmpuint(ci.active_objs, >=,
		                 GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)));
		g_assert_cmpuint(ci.num_objs, ==, ci.slabs * ci.objects_per_slab);
		g_assert_cmpuint(ci.active_objs, <=, ci.num_objs);
		pages += ci.slabs << ci.order;
	}
	pages += harness_rcu_slab_pages();      /* SLAB_DESTROY_BY_RCU slabs not yet freed */
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, pages);
	g_array_free(sorted, TRUE);
	g_hash_table_destroy(per_cache);
}

static void mix_free_all(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (guint i = cpu; i < mx->live->len; i += mx->ncpus)
		mix_free(mx, g_array_index(mx->live, live_t, i), cpu);
}

/* CPU 0 shrinks every cache (the others answer its IPIs) until the page
 * allocator is back where boot left it but for the slabs waiting for a
 * grace period; shrink frees one batch per list, so it takes a few
 * rounds. */
static void mix_shrink(void *arg)
{
	mix_t *mx = arg;

	for (mx->rounds = 0; mx->rounds < 64 &&
	     harness_pages_in_use() - harness_rcu_slab_pages() != mx->boot_pages; mx->rounds++)
		harness_shrink_all();
}

static void test_consistency_numa(void)
{
	machine_t *m = harness_machine(4, 2, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	mix_t mx = { .ncpus = 4, .ops_per_cpu = 3000 };
	int cpus[4] = { 0, 1, 2, 3 };

	mx.live = g_array_new(FALSE, FALSE, sizeof(live_t));
	for (int c = 0; c < 4; c++)
		mx.rng[c] = 0x5eed0000u + c;
	harness_run_on(k, 0, mix_boot, &mx);
	harness_run_many(k, cpus, 4, mix_step, &mx);
	g_assert_cmpuint(mx.live->len, >, 100);
	harness_run_on(k, 0, mix_check, &mx);
	harness_run_many(k, cpus, 4, mix_free_all, &mx);
	g_array_set_size(mx.live, 0);
	harness_run_served(k, mix_shrink, &mx);
	harness_rcu_barrier(k);
	harness_run_on(k, 0, mix_check, &mx);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	g_assert_cmpuint(mx.rounds, >, 0);
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		cache_info_t ci = harness_cache_info(ops->cache_at(harness_a, i));

		g_assert_cmpuint(ci.slabs, ==, 0);
		g_assert_cmpuint(ci.active_objs, ==, 0);
	}
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
	g_assert_cmpuint(mx.cross_node_frees, >, 0);
	/* ALLOC counts each allocation once, FREE each free. */
	g_assert_cmpuint(harness_stat("alloc"), ==, mx.slab_allocs);
	g_assert_cmpuint(harness_stat("free"), ==, mx.slab_frees);
	g_assert_cmpuint(harness_stat("free_remote"), >, 0);
	g_assert_cmpuint(harness_stat("claim_remote_list"), >, 0);
	g_array_free(mx.live, TRUE);
	harness_free(k, m);
}

/* ---- 4b. node-specific allocation and floating objects (spec 3.8, 4.8) ---- */

typedef struct na {
	kmem_cache_t *s;
	saddr_t x, y;
	uint64_t locks0;
} na_t;

static lock_class_t *list_cls(void)
{
	return klock_class("slqb.list_lock");
}

/* CPU 0 (node 0) asks for node 1 twice.  The first request locks node 1's
 * list, finds nothing, unlocks, and the new page (on node 1, not CPU 0's
 * node) goes to node 1's list under the lock again: 2 acquisitions; the
 * second is a partial-page hit under one.  Freeing x on CPU 0 is an
 * off-node free: straight to the rlist, no lock yet. */
static void na_cpu0(void *arg)
{
	na_t *na = arg;

	na->s = ops->cache_create(harness_a, "na", 256, 0, 0, NULL);
	na->locks0 = list_cls()->acquisitions;
	na->x = ops->cache_alloc(harness_a, na->s, 0, 1);
	g_assert_cmpint(page_to_nid(virt_to_page(na->x)), ==, 1);
	g_assert_cmpuint(list_cls()->acquisitions - na->locks0, ==, 2);
	na->y = ops->cache_alloc(harness_a, na->s, 0, 1);
	g_assert_cmpuint(list_cls()->acquisitions - na->locks0, ==, 3);
	g_assert_cmpuint(harness_stat("alloc_slab_new"), ==, 1);
	g_assert_cmpuint(harness_stat("alloc_slab_fill"), ==, 2);
	ops->cache_free(harness_a, na->s, na->x);
	g_assert_cmpuint(harness_stat("free_remote"), ==, 1);
	g_assert_cmpuint(slqb_cpu_freelist_nr(na->s, 0), ==, 0);
}

/* CPU 1 (node 1) frees y, a node-1 object owned by node 1's list: a
 * home-node free onto CPU 1's own LIFO, from which CPU 1 reuses it. */
static void na_cpu1(void *arg)
{
	na_t *na = arg;

	ops->cache_free(harness_a, na->s, na->y);
	g_assert_cmpuint(harness_stat("free_remote"), ==, 1);
	g_assert_cmpuint(slqb_cpu_freelist_nr(na->s, 1), ==, 1);
	g_assert_cmpuint(ops->cache_alloc(harness_a, na->s, 0, -1), ==, na->y);
	g_assert_cmpuint(harness_stat("alloc"), ==, 3);
	g_assert_cmpuint(list_cls()->acquisitions - na->locks0, ==, 3);
}

static void test_node_alloc(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	na_t na = { 0 };

	harness_run_on(k, 0, na_cpu0, &na);
	harness_run_on(k, 1, na_cpu1, &na);
	harness_free(k, m);
}

/* ---- 5. LIFO flush from the head (spec 4.2, 4.4, 4.5) ---- */

/* 1 CPU, 256-byte objects: 16 per order-0 page, freebatch 256, hiwater
 * 1024.  Allocating 1025 objects fills pages 0..63 and puts one object in
 * page 64.  Freeing them in allocation order pushes onto the LIFO; the
 * 1025th free passes hiwater and returns the 256 most recently freed,
 * objects 769..1024: page 64 (partial) and pages 49..63 become empty and
 * are freed at once (16 pages), page 48 gets 15 of its 16 back and turns
 * partial; each of pages 48..63 went full -> partial once (16). */
static void lifo_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "lifo", 256, 0, 0, NULL);
	unsigned fb = rule_freebatch(256), n = 4 * fb + 1;
	saddr_t *x = g_new(saddr_t, n);

	(void)arg;
	for (unsigned i = 0; i < n; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, (n + 15) / 16);
	g_assert_cmpuint(harness_stat("alloc_slab_new"), ==, (n + 15) / 16);
	for (unsigned i = 0; i < n; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(slqb_cpu_freelist_nr(s, 0), ==, n - fb);
	g_assert_cmpuint(harness_stat("flush_free_list"), ==, 1);
	g_assert_cmpuint(harness_stat("flush_free_list_objects"), ==, fb);
	g_assert_cmpuint(harness_stat("flush_free_list_remote"), ==, 0);
	g_assert_cmpuint(harness_stat("flush_slab_free"), ==, 16);
	g_assert_cmpuint(harness_stat("flush_slab_partial"), ==, 16);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, (n + 15) / 16 - 16);
	/* LIFO: the next allocation is the newest object left, x[768]. */
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, x[n - fb - 1]);
	g_free(x);
}

static void test_lifo_flush(void)
{
	harness_run_alone(ops, lifo_body, NULL);
}

/* ---- 5b. hiwater and freebatch from the scenario (the sysfs files) ----
 *
 * One CPU, 25 objects of 256 bytes (16 per page) allocated, then freed in
 * order.  Every free pushes onto the LIFO and, if that makes it longer
 * than hiwater, flushes min(freebatch, nr) (__slab_free, flush_free_list):
 * so the LIFO never holds more than hiwater after a free, and for N frees
 * past hiwater there are k = (N - hiwater - 1) / freebatch + 1 flushes
 * (integer division) leaving N - k * freebatch.
 *  - hiwater 10, freebatch 4: k = 14 / 4 + 1 = 4 flushes, 9 left;
 *  - freebatch 4 alone: hiwater is 4 * 4 = 16, k = 8 / 4 + 1 = 3, 13 left;
 *  - hiwater 10 alone: freebatch keeps the size rule (256), so each flush
 *    takes the whole LIFO of 11: frees 11 and 22 flush, 3 left;
 *  - neither: hiwater 1024, no flush, 25 left. */

typedef struct wm_case {
	long hiwater, freebatch;
	unsigned limit, batch;      /* the cache's hiwater and freebatch */
	unsigned flushes, left;
} wm_case_t;

static void wm_body(void *arg)
{
	const wm_case_t *c = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "wm", 256, 0, 0, NULL);
	saddr_t x[25];
	cache_info_t ci = harness_cache_info(s);

	g_assert_cmpint(ci.limit, ==, c->limit);
	g_assert_cmpint(ci.batchcount, ==, c->batch);
	for (unsigned i = 0; i < G_N_ELEMENTS(x); i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	for (unsigned i = 0; i < G_N_ELEMENTS(x); i++) {
		ops->cache_free(harness_a, s, x[i]);
		g_assert_cmpuint(slqb_cpu_freelist_nr(s, 0), <=, c->limit);
	}
	g_assert_cmpuint(slqb_cpu_freelist_nr(s, 0), ==, c->left);
	g_assert_cmpuint(harness_stat("flush_free_list"), ==, c->flushes);
	g_assert_cmpuint(harness_stat("flush_free_list_objects"), ==, 25 - c->left);
}

static void test_watermark_tunables(void)
{
	const unsigned fb = rule_freebatch(256);
	const wm_case_t cases[] = {
		{ 10, 4, 10, 4, 4, 9 },
		{ -1, 4, 16, 4, 3, 13 },
		{ 10, -1, 10, fb, 2, 3 },
		{ -1, -1, 4 * fb, fb, 0, 25 },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		machine_t *m = harness_machine(1, 1, 16);
		long *tun = harness_tunables(ops, "hiwater", cases[i].hiwater,
		                             "freebatch", cases[i].freebatch, NULL);
		kernel_t *k = harness_kernel(m, ops, tun, NULL);

		harness_run_on(k, 0, wm_body, (void *)&cases[i]);
		harness_free(k, m);
		g_free(tun);
	}
}

/* The patch's store bounds are scenario errors: hiwater_store refuses a
 * negative value (-1 is the size rule), freebatch_store 0 and anything
 * above hiwater + 1. */
static void test_watermark_bounds(void)
{
	static const struct { const char *set[2], *msg; } bad[] = {
		{ { "allocator.slqb.freebatch=0", NULL }, "freebatch: expected -1" },
		{ { "allocator.slqb.hiwater=-2", NULL }, "hiwater: expected an integer from -1" },
		{ { "allocator.slqb.hiwater=10", "allocator.slqb.freebatch=12" },
		  "freebatch: expected at most hiwater + 1 = 11" },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *s2 = bad[i].set[1] ? "--set" : NULL;

		harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn",
		                                     "--set", bad[i].set[0], s2, bad[i].set[1]),
		                     1, bad[i].msg, NULL);
	}
}

/* ---- 6. the trim worker (spec 6.1) ---- */

typedef struct trim {
	kmem_cache_t *s;
	unsigned n;
	saddr_t *x;
} trim_t;

static void trim_produce(void *arg)
{
	trim_t *t = arg;

	t->s = ops->cache_create(harness_a, "trim", 256, 0, 0, NULL);
	t->n = 5 * (rule_freebatch(256) + 1);
	t->x = g_new(saddr_t, t->n);
	for (unsigned i = 0; i < t->n; i++)
		t->x[i] = ops->cache_alloc(harness_a, t->s, 0, -1);
}

static void trim_consume(void *arg)
{
	trim_t *t = arg;

	for (unsigned i = 0; i < t->n; i++)
		ops->cache_free(harness_a, t->s, t->x[i]);
}

/* 2 CPUs on 2 nodes, 256-byte objects (freebatch 256, hiwater 1024).  CPU
 * 1 frees CPU 0's 5 * 257 = 1285 objects: five rlist flushes of 257 leave
 * its rlist empty and CPU 0's remote queue at 1285, flagged.  CPU 0's next
 * allocation claims them all (1285 > 1024: one batch goes back, 1029),
 * and pops one: 1028, above the watermark.  The first trim is due at 1 s
 * (CPU 0: no skew), then every 3 s; each returns one batch:
 * 772, 516, 260, 4, 0.  (The harness leaves CPU 0 idle while CPU 1 runs,
 * so the 1 s run may already be queued when trim_body starts: it is only
 * checked after a whole second has passed.) */
static void trim_body(void *arg)
{
	static const unsigned expect[] = { 516, 260, 4, 0 };
	trim_t *t = arg;
	unsigned fb = rule_freebatch(256);
	saddr_t x = ops->cache_alloc(harness_a, t->s, 0, -1);

	g_assert_cmpuint(harness_stat("claim_remote_list"), ==, 1);
	g_assert_cmpuint(harness_stat("claim_remote_list_objects"), ==, t->n);
	g_assert_cmpuint(slqb_cpu_freelist_nr(t->s, 0), ==, t->n - fb - 1);
	g_assert_cmpuint(slqb_cpu_freelist_nr(t->s, 0), >, 4 * fb);
	/* The first run is due at 1 s on CPU 0's timeline. */
	g_assert_cmpuint(know(), <, PS_PER_SEC);
	harness_pass_time(PS_PER_SEC);
	g_assert_cmpuint(slqb_cpu_freelist_nr(t->s, 0), ==, t->n - 2 * fb - 1);
	for (unsigned i = 0; i < G_N_ELEMENTS(expect); i++) {
		harness_pass_time(3 * PS_PER_SEC);
		g_assert_cmpuint(slqb_cpu_freelist_nr(t->s, 0), ==, expect[i]);
	}
	/* Only x is left: one page. */
	g_assert_cmpuint(harness_cache_info(t->s).slabs, ==, 1);
	g_assert_cmpuint(harness_cache_info(t->s).active_objs, ==, 1);
	ops->cache_free(harness_a, t->s, x);
}

static void test_trim(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	trim_t t = { 0 };

	harness_run_on(k, 0, trim_produce, &t);
	harness_run_on(k, 1, trim_consume, &t);
	g_assert_cmpuint(slqb_cpu_remote_nr(t.s, 0), ==, t.n);
	harness_run_on(k, 0, trim_body, &t);
	g_free(t.x);
	harness_free(k, m);
}

/* ---- 6b. the counters per list (the patch's C<cpu>= sysfs views) ---- */

static void split_sink(void *ctx, const char *kind, int id, const char *name, uint64_t value)
{
	g_hash_table_insert(ctx, g_strdup_printf("%s%d.%s", kind, id, name),
	                    g_memdup2(&value, sizeof value));
}

/* The counter `name` of list `where` ("cpu0", "node1") after the run. */
static uint64_t split(GHashTable *t, const char *where, const char *name)
{
	char *key = g_strdup_printf("%s.%s", where, name);
	uint64_t *v = g_hash_table_lookup(t, key);

	g_assert_nonnull(v);
	g_free(key);
	return *v;
}

static void split_claim(void *arg)
{
	trim_t *t = arg;

	t->x[0] = ops->cache_alloc(harness_a, t->s, 0, -1);
}

/*
 * The patch counts on the list it works on (slqb_stat_inc(l, ...)): an
 * allocation on the list it came from, a free and a remote free on the
 * freeing CPU's list, an rlist flush on the flushing CPU's, a claim on the
 * claiming list's.  2 CPUs on 2 nodes; CPU 0 allocates n = 5 * 257 = 1285
 * objects of 256 B (16 per page: 81 new pages, every object from a page's
 * freelist), CPU 1 frees them all (another node's objects: the rlist,
 * flushed each time it passes freebatch 256, so 5 times), then CPU 0
 * allocates once more: it claims its remote queue (1 claim of 1285
 * objects) and pops one.  So CPU 0's list: alloc 1286, alloc_slab_new 81,
 * alloc_slab_fill 1285, claim 1 / 1285, free 0; CPU 1's: free and
 * free_remote 1285, flush_rfree_list 5 of 1285 objects, alloc 0; the node
 * lists did nothing.  The totals are the sums.
 */
static void test_stats_per_cpu(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	trim_t tr = { 0 };
	unsigned n;

	harness_run_on(k, 0, trim_produce, &tr);
	n = tr.n;
	g_assert_cmpuint(n, ==, 1285);
	harness_run_on(k, 1, trim_consume, &tr);
	harness_run_on(k, 0, split_claim, &tr);
	ops->stats_split(harness_a, split_sink, t);
	g_assert_cmpuint(split(t, "cpu0", "alloc"), ==, n + 1);
	g_assert_cmpuint(split(t, "cpu0", "alloc_slab_new"), ==, (n + 15) / 16);
	g_assert_cmpuint(split(t, "cpu0", "alloc_slab_fill"), ==, n);
	g_assert_cmpuint(split(t, "cpu0", "claim_remote_list"), ==, 1);
	g_assert_cmpuint(split(t, "cpu0", "claim_remote_list_objects"), ==, n);
	g_assert_cmpuint(split(t, "cpu0", "free"), ==, 0);
	g_assert_cmpuint(split(t, "cpu1", "free"), ==, n);
	g_assert_cmpuint(split(t, "cpu1", "free_remote"), ==, n);
	g_assert_cmpuint(split(t, "cpu1", "flush_rfree_list"), ==, 5);
	g_assert_cmpuint(split(t, "cpu1", "flush_rfree_list_objects"), ==, n);
	g_assert_cmpuint(split(t, "cpu1", "alloc"), ==, 0);
	for (int node = 0; node < 2; node++) {
		char where[8];

		g_snprintf(where, sizeof where, "node%d", node);
		g_assert_cmpuint(split(t, where, "alloc"), ==, 0);
		g_assert_cmpuint(split(t, where, "free"), ==, 0);
	}
	g_assert_cmpuint(harness_stat("alloc"), ==, n + 1);
	g_assert_cmpuint(harness_stat("flush_free_list"), ==,
	                 split(t, "cpu0", "flush_free_list") + split(t, "cpu1", "flush_free_list"));
	g_hash_table_destroy(t);
	g_free(tr.x);
	harness_free(k, m);
}

/* ---- 7. metadata, caches at boot, stats order ---- */

/* 4 CPUs, 2 nodes (NR_CPUS 4, MAX_NUMNODES 2).  struct kmem_cache is
 * 88 + 8*2 (node[]) + 8*4 (cpu_slab[]) = 136 B, static for boot caches.
 * A user cache's is an object of "kmem_cache" (136 B, HWCACHE_ALIGN: 64,
 * stride 192, 21 per page): 4096/21 = 195 B.  One 256 B kmem_cache_cpu
 * per CPU, one 256 B kmem_cache_node per node. */
static void meta_body(void *arg)
{
	kmem_cache_t *s;
	char name[32];
	int i = 0;

	(void)arg;
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i++)).name, ==, "kmem_cache");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i++)).name, ==, "kmem_cache_cpu");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i++)).name, ==, "kmem_cache_node");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i++)).name, ==, "kmalloc-192");
	for (int sh = 3; sh <= 21; sh++) {
		g_snprintf(name, sizeof(name), "kmalloc-%d", 1 << sh);
		g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, i++)).name, ==, name);
	}
	g_assert_cmpint(ops->ncaches(harness_a), ==, 2 * 20 + 3);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmem_cache")).size, ==, 192);

	s = ops->cache_create(harness_a, "meta", 100, 0, 0, NULL);
	g_assert_nonnull(s);
	g_assert_cmpuint(harness_meta("meta", "kmem_cache"), ==, 4096 / 21);
	g_assert_cmpuint(harness_meta("meta", "kmem_cache_cpu"), ==, 4 * 256);
	g_assert_cmpuint(harness_meta("meta", "kmem_cache_node"), ==, 2 * 256);
	g_assert_cmpuint(harness_meta("kmalloc-64", "kmem_cache"), ==, 136);
	g_assert_cmpuint(harness_meta("kmalloc-64", "kmem_cache_cpu"), ==, 4 * 256);
	g_assert_cmpuint(harness_meta("kmem_cache_cpu", "kmem_cache_cpu"), ==, 4 * 256);
	g_assert_cmpuint(harness_meta("kmem_cache_cpu", "kmem_cache_node"), ==, 2 * 256);
	/* kmalloc rounding: classes 8 .. 2 MiB with 192 (no 96). */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 65), ==, 128);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 129), ==, 192);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 193), ==, 256);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 3), ==, 8);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 2u << 20), ==, 2u << 20);
	g_assert_cmpuint(ops->kmalloc(harness_a, (2u << 20) + 1, 0, -1), ==, 0);
}

static void test_metadata(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, meta_body, NULL);
	harness_free(k, m);
}

/* The crossbar machine: 4,096 CPUs on 1,024 nodes (NR_CPUS 4096,
 * MAX_NUMNODES 1024), 200 caches.  kmem_size = 88 + 8*1024 + 8*4096 =
 * 41048, stride 41088: no order 0/1 fit, the smallest fit is order 4, one
 * object: 64 KiB.  Per cache 4096*256 + 1024*256 + 65536 bytes. */
static void crossbar_body(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		char name[32];
		kmem_cache_t *s;

		g_snprintf(name, sizeof(name), "xbar-%d", i);
		s = ops->cache_create(harness_a, name, 64 + 8 * i, 0, 0, NULL);
		g_assert_nonnull(s);
		if (i == 0 || i == 199) {
			g_assert_cmpuint(harness_meta(name, "kmem_cache"), ==, 65536);
			g_assert_cmpuint(harness_meta(name, "kmem_cache_cpu"), ==, 4096 * 256);
			g_assert_cmpuint(harness_meta(name, "kmem_cache_node"), ==, 1024 * 256);
		}
	}
}

static void test_crossbar(void)
{
	machine_t *m = harness_machine(4096, 1024, 4);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, crossbar_body, NULL);
	harness_free(k, m);
}

static void test_stats_order(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	char *names;

	harness_boot(k);
	names = harness_stat_names();
	g_assert_cmpstr(names, ==,
	                "alloc alloc_slab_fill alloc_slab_new free free_remote "
	                "flush_free_list flush_free_list_objects "
	                "flush_free_list_remote flush_slab_partial flush_slab_free "
	                "flush_rfree_list flush_rfree_list_objects "
	                "claim_remote_list claim_remote_list_objects ");
	g_free(names);
	harness_free(k, m);
}

/* Capacity: nr_cpu_ids * hiwater ("percpu") and nr_cpu_ids * freebatch
 * ("remote") objects. */
typedef struct cap {
	uint64_t percpu, remote, bytes;
} cap_t;

static void cap_visit(void *ctx, const char *kind, uint64_t objects, uint64_t bytes)
{
	cap_t *c = ctx;

	if (strcmp(kind, "percpu") == 0)
		c->percpu = objects;
	else if (strcmp(kind, "remote") == 0)
		c->remote = objects;
	c->bytes += bytes;
}

static void cap_body(void *arg)
{
	kmem_cache_t *s = harness_find_cache("kmalloc-2048");
	cap_t c = { 0 };

	(void)arg;
	ops->queue_capacity(harness_a, s, cap_visit, &c);
	g_assert_cmpuint(c.percpu, ==, 4 * 4 * rule_freebatch(2048));
	g_assert_cmpuint(c.remote, ==, 4 * rule_freebatch(2048));
	g_assert_cmpuint(c.bytes, ==, (c.percpu + c.remote) * 2048);
}

static void test_queue_capacity(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, cap_body, NULL);
	harness_free(k, m);
}

static void test_fresh_slab(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, harness_fresh_slab_body, NULL);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slqb/watermarks", test_watermarks);
	g_test_add_func("/slqb/watermarks-caches", test_watermarks_caches);
	g_test_add_func("/slqb/order", test_order);
	g_test_add_func("/slqb/remote-batching", test_remote_batching);
	g_test_add_func("/slqb/consistency-numa", test_consistency_numa);
	g_test_add_func("/slqb/node-alloc", test_node_alloc);
	g_test_add_func("/slqb/lifo-flush", test_lifo_flush);
	g_test_add_func("/slqb/watermark-tunables", test_watermark_tunables);
	g_test_add_func("/slqb/watermark-bounds", test_watermark_bounds);
	g_test_add_func("/slqb/trim", test_trim);
	g_test_add_func("/slqb/stats-per-cpu", test_stats_per_cpu);
	g_test_add_func("/slqb/metadata", test_metadata);
	g_test_add_func("/slqb/crossbar", test_crossbar);
	g_test_add_func("/slqb/stats-order", test_stats_order);
	g_test_add_func("/slqb/queue-capacity", test_queue_capacity);
	g_test_add_func("/slqb/fresh-slab-host-side", test_fresh_slab);
	return g_test_run();
}
