/*
 * test_slabifier.c -- the 2006 Slabifier (seed 000): slab geometry, claim
 * C14 (list_lock only on slab state transitions: none while CPUs only
 * allocate, hand-counted transitions otherwise, a random sequence against
 * an independent model of the seed's rules), randomised alloc/free
 * consistency on NUMA machines, single-object slabs, the 2 s flusher,
 * metadata accounting, and slab_ops (seed 001 on the
 * seed's shrink): defragmentation of a fragmented cache against bounds
 * derived from the objects per slab, on one node and two, and
 * kmem_cache_vacate's results.
 *
 * Machines come from harness_machine (4 KiB pages, 64-byte lines) with
 * HZ = 250.
 */
#include "harness.h"
#include "slabifier.h"

static const allocator_ops_t *ops = &slabifier_allocator;

static uint64_t list_locks(void)
{
	return klock_class("slabifier.list_lock")->acquisitions;
}

static uint64_t slab_locks(void)
{
	return klock_class("slabifier.slab_lock")->acquisitions;
}

static page_t *page_of(saddr_t x)
{
	return virt_to_page(x);
}

/* ---- 1. geometry ---- */

/* The seed's rules by hand: size rounded up to 8 (and to the alignment),
 * a word more for the free pointer of an RCU cache, order = the larger of
 * slabifier_order and the smallest order holding one object,
 * objects = (4096 << order) / size. */
static void test_geometry(void)
{
	static const struct {
		size_t objsize, align;
		unsigned flags;
		long min_order;
		unsigned size, offset, order, objects;
	} t[] = {
		{ 8, 0, 0, 0, 8, 0, 0, 512 },
		{ 20, 0, 0, 0, 24, 0, 0, 170 },         /* 4096 / 24 = 170.7 */
		{ 100, 0, 0, 0, 104, 0, 0, 39 },        /* 4096 / 104 = 39.4 */
		{ 100, 64, 0, 0, 128, 0, 0, 32 },
		{ 40, 0, SLAB_DESTROY_BY_RCU, 0, 48, 40, 0, 85 },
		{ 256, 0, 0, 0, 256, 0, 0, 16 },
		{ 256, 0, 0, 2, 256, 0, 2, 64 },        /* slabifier_order=2 */
		{ 2048, 0, 0, 0, 2048, 0, 0, 2 },
		{ 2049, 0, 0, 0, 2056, 0, 0, 1 },       /* single-object slabs */
		{ 4096, 0, 0, 0, 4096, 0, 0, 1 },
		{ 5000, 0, 0, 0, 5000, 0, 1, 1 },       /* 8192 / 5000 */
		{ 9000, 0, 0, 0, 9000, 0, 2, 1 },
		{ 3000, 0, 0, 1, 3000, 0, 1, 2 },
	};
	unsigned order, objects, size, offset;

	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
		slabifier_geometry(t[i].objsize, t[i].align, t[i].flags, 4096, t[i].min_order,
		                   &order, &objects, &size, &offset);
		g_assert_cmpuint(size, ==, t[i].size);
		g_assert_cmpuint(offset, ==, t[i].offset);
		g_assert_cmpuint(order, ==, t[i].order);
		g_assert_cmpuint(objects, ==, t[i].objects);
	}
	/* Nothing, or more than an order-10 slab: refused. */
	slabifier_geometry(0, 0, 0, 4096, 0, &order, &objects, &size, &offset);
	g_assert_cmpuint(objects, ==, 0);
	slabifier_geometry((4096u << 10) + 1, 0, 0, 4096, 0, &order, &objects, &size, &offset);
	g_assert_cmpuint(objects, ==, 0);
}

/* A created cache reports the same geometry; HWCACHE_ALIGN through the
 * legacy creator aligns 100 B to 64 (stride 128). */
static void geometry_body(void *arg)
{
	kmem_cache_t *a = ops->cache_create(harness_a, "g-rcu", 40, 0, SLAB_DESTROY_BY_RCU, NULL);
	kmem_cache_t *b = kmem_cache_create_legacy(ops, harness_a, "g-hw", 100, 0,
	                                           SLAB_HWCACHE_ALIGN, NULL);
	kmem_cache_t *c = ops->cache_create(harness_a, "g-big", 9000, 0, 0, NULL);
	cache_info_t ci;

	(void)arg;
	ci = harness_cache_info(a);
	g_assert_cmpuint(ci.size, ==, 48);
	g_assert_cmpuint(ci.objects_per_slab, ==, 85);
	ci = harness_cache_info(b);
	g_assert_cmpuint(ci.size, ==, 128);
	g_assert_cmpuint(ci.objects_per_slab, ==, 32);
	ci = harness_cache_info(c);
	g_assert_cmpuint(ci.order, ==, 2);
	g_assert_cmpuint(ci.objects_per_slab, ==, 1);
	g_assert_null(ops->cache_create(harness_a, "g-none", (4096u << 10) + 1, 0, 0, NULL));
	/* kmalloc-96 and -192 sit in size order among the powers of two. */
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 4)).name, ==, "kmalloc-96");
	g_assert_cmpstr(harness_cache_info(ops->cache_at(harness_a, 6)).name, ==, "kmalloc-192");
	g_assert_cmpuint(harness_cache_info(harness_find_cache("kmalloc-4096")).objects_per_slab, ==, 1);
}

static void test_geometry_caches(void)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, geometry_body, NULL);
	harness_free(k, m);
}

/* ---- 2. claim C14 ---- */

typedef struct c14 {
	kmem_cache_t *s;
	int per_cpu;                    /* objects each CPU allocates now */
	saddr_t x[4][100];
	int done[4];
} c14_t;

static void c14_create(void *arg)
{
	c14_t *c = arg;

	c->s = ops->cache_create(harness_a, "c14", 256, 0, 0, NULL);
	g_assert_cmpuint(harness_cache_info(c->s).objects_per_slab, ==, 16);
}

static void c14_alloc(void *arg, int cpu)
{
	c14_t *c = arg;

	for (; c->done[cpu] < c->per_cpu; c->done[cpu]++)
		c->x[cpu][c->done[cpu]] = ops->cache_alloc(harness_a, c->s, 0, -1);
}

/* Four CPUs only allocate 256-byte objects (16 per order-0 slab), all at
 * once.  "As long as all processors are just allocating no list_lock is
 * needed at all": a CPU's first slab and every slab after a full one
 * come from the page allocator, full slabs are forgotten.
 * Phase 1, 10 objects each, fits in one active slab per CPU.  Phase 2
 * takes each CPU to 100 objects: ceil(100 / 16) = 7 slabs per CPU.
 * Slab locks: one per allocation, plus one per full active slab found
 * full (at allocations 17, 33, 49, 65, 81, 97): 100 + 6 per CPU. */
static void test_c14_alloc_only(void)
{
	machine_t *m = harness_machine(4, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	int cpus[4] = { 0, 1, 2, 3 };
	c14_t c = { 0 };
	uint64_t pages0, slab0;

	harness_run_on(k, 0, c14_create, &c);
	pages0 = pa_stats(k->pa)->pages_in_use;
	slab0 = slab_locks();

	c.per_cpu = 10;
	harness_run_many(k, cpus, 4, c14_alloc, &c);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, pages0 + 4);
	g_assert_cmpuint(slab_locks(), ==, slab0 + 4 * 10);

	c.per_cpu = 100;
	harness_run_many(k, cpus, 4, c14_alloc, &c);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, pages0 + 4 * 7);
	g_assert_cmpuint(slab_locks(), ==, slab0 + 4 * (100 + 6));
	/* Each CPU's objects fill its own slabs, in address order. */
	for (int cpu = 0; cpu < 4; cpu++)
		for (int i = 0; i < 100; i++)
			g_assert_cmpuint(c.x[cpu][i], ==,
			                 page_address(page_of(c.x[cpu][i - i % 16])) +
			                 (saddr_t)(i % 16) * 256);
	harness_free(k, m);
}

/* One CPU, 16 objects per slab: every list_lock acquisition counted by
 * hand from the seed's three cases, plus none at all for frees into the
 * active slab and for the drain of an empty active slab. */
static void transitions_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "trans", 256, 0, 0, NULL);
	uint64_t boot = *(uint64_t *)arg;
	saddr_t x[48], y, z;
	page_t *s1, *s2, *s3;

	for (int i = 0; i < 48; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	s1 = page_of(x[0]);
	s2 = page_of(x[16]);
	s3 = page_of(x[32]);
	g_assert_true(s1 != s2 && s2 != s3 && s1 != s3);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 3);

	/* (a) S1 and S2 were full: their first frees put them on the list. */
	ops->cache_free(harness_a, s, x[0]);
	g_assert_cmpuint(list_locks(), ==, 1);
	ops->cache_free(harness_a, s, x[1]);          /* still partial */
	g_assert_cmpuint(list_locks(), ==, 1);
	ops->cache_free(harness_a, s, x[16]);
	g_assert_cmpuint(list_locks(), ==, 2);

	/* (c) The active S3 is full: it is forgotten, and the head of the
	 * list, S1, becomes active; its freelist is LIFO. */
	y = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(y, ==, x[1]);
	g_assert_cmpuint(list_locks(), ==, 3);
	z = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(z, ==, x[0]);
	g_assert_cmpuint(list_locks(), ==, 3);

	/* (a) again for S3; (b) S2 and S3 empty: off the list, pages freed. */
	ops->cache_free(harness_a, s, x[32]);
	g_assert_cmpuint(list_locks(), ==, 4);
	for (int i = 17; i < 32; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 5);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 2);
	for (int i = 33; i < 48; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 1);

	/* Frees into the active S1 take no list_lock, even the last one;
	 * the empty active slab stays until it is deactivated. */
	for (int i = 0; i < 16; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 1);
	ops->shrink(harness_a, s);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, 0);

	g_assert_cmpuint(harness_stat("free_full_to_partial"), ==, 3);
	g_assert_cmpuint(harness_stat("free_partial_to_empty"), ==, 2);
	g_assert_cmpuint(harness_stat("get_partial_locked"), ==, 1);
	/* S1, S2, S3 were each found full in turn; S1 was drained empty. */
	g_assert_cmpuint(harness_stat("deactivate_full"), ==, 3);
	g_assert_cmpuint(harness_stat("deactivate_empty"), ==, 1);
	g_assert_cmpuint(harness_stat("drain_runs"), ==, 1);
}

static void test_c14_transitions(void)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	uint64_t boot;

	boot = harness_boot(k);
	harness_run_on(k, 0, transitions_body, &boot);
	harness_free(k, m);
}

/* Two nodes, everything on CPU 0 (node 0).  A node-specific request for
 * another node deactivates the partial active slab (list_lock: it goes
 * on the list) and searches the one list for a slab of that node
 * (list_lock again, nothing found): a new slab there. */
static void numa_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "numa", 256, 0, 0, NULL);
	uint64_t boot = *(uint64_t *)arg;
	saddr_t a, b, c, d;

	a = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpint(page_to_nid(page_of(a)), ==, 0);
	b = ops->cache_alloc(harness_a, s, 0, 1);
	g_assert_cmpint(page_to_nid(page_of(b)), ==, 1);
	g_assert_cmpuint(list_locks(), ==, 2);
	g_assert_cmpuint(harness_stat("get_partial_miss"), ==, 1);
	/* Any node will do: the node-1 active slab serves it. */
	c = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(c, ==, b + 256);
	g_assert_cmpuint(list_locks(), ==, 2);
	/* Back to node 0: node 1's slab goes on the list, node 0's comes
	 * off it. */
	d = ops->cache_alloc(harness_a, s, 0, 0);
	g_assert_cmpuint(d, ==, a + 256);
	g_assert_cmpuint(list_locks(), ==, 4);
	g_assert_cmpuint(harness_stat("deactivate_node_mismatch"), ==, 2);
	g_assert_cmpuint(harness_stat("deactivate_partial"), ==, 2);

	ops->cache_free(harness_a, s, a);             /* active */
	ops->cache_free(harness_a, s, d);             /* active, now empty */
	ops->cache_free(harness_a, s, b);             /* partial stays */
	g_assert_cmpuint(list_locks(), ==, 4);
	ops->cache_free(harness_a, s, c);             /* (b) */
	g_assert_cmpuint(list_locks(), ==, 5);
	ops->shrink(harness_a, s);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot);
}

static void test_c14_numa(void)
{
	machine_t *m = harness_machine(2, 2, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	uint64_t boot;

	boot = harness_boot(k);
	harness_run_served(k, numa_body, &boot);
	harness_free(k, m);
}

/* One CPU allocates 256 objects of 256 B and frees them in allocation
 * order.  With n objects per slab, the 256 / n - 1 slabs before the last
 * are full and on no list: each takes the list_lock twice, at its first
 * free (full -> partial) and its last (partial -> empty); the last slab
 * is the active one and takes none.  Order 0: n = 16, 30 acquisitions;
 * order 2: n = 64, 6. */
static void order_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "order", 256, 0, 0, NULL);
	unsigned n = harness_cache_info(s).objects_per_slab;
	saddr_t x[256];

	g_assert_cmpuint(n, ==, *(unsigned *)arg);
	for (int i = 0; i < 256; i++)
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(list_locks(), ==, 0);
	for (int i = 0; i < 256; i++)
		ops->cache_free(harness_a, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 2 * (256 / n - 1));
}

static void check_order(long order, unsigned objects)
{
	machine_t *m = harness_machine(1, 1, 64);
	long tun[2] = { order, 1 };
	kernel_t *k = harness_kernel(m, ops, tun, NULL);

	harness_run_on(k, 0, order_body, &objects);
	harness_free(k, m);
}

static void test_c14_order(void)
{
	check_order(0, 16);
	check_order(2, 64);
}

/* ---- C14 against a model of the seed's rules ---- */

enum mstate { M_ACTIVE, M_PARTIAL, M_FULL };

typedef struct mslab {
	page_t *page;
	unsigned inuse;
	enum mstate state;
} mslab_t;

/* One CPU, one node: the active slab, the FIFO partial list (added at the
 * tail, taken from the head) and full slabs, as the seed describes them. */
typedef struct model {
	unsigned objects;
	mslab_t *active;
	GQueue partial;
	GHashTable *slabs;              /* page_t * -> mslab_t */
	uint64_t locks, add, remove, get;
} model_t;

/* The page the seed's allocation must use; NULL: a new slab. */
static mslab_t *model_alloc(model_t *md)
{
	if (md->active && md->active->inuse < md->objects)
		return md->active;
	if (md->active)
		md->active->state = M_FULL;     /* forgotten, no lock */
	md->active = NULL;
	if (g_queue_is_empty(&md->partial))
		return NULL;
	md->locks++;
	md->get++;
	md->active = g_queue_pop_head(&md->partial);
	md->active->state = M_ACTIVE;
	return md->active;
}

static void model_free(model_t *md, mslab_t *m)
{
	m->inuse--;
	if (m->state == M_ACTIVE)
		return;
	if (m->state == M_FULL) {
		md->locks++;
		md->add++;
		m->state = M_PARTIAL;
		g_queue_push_tail(&md->partial, m);
	} else if (m->inuse == 0) {
		md->locks++;
		md->remove++;
		g_queue_remove(&md->partial, m);
		g_hash_table_remove(md->slabs, m->page);
	}
}

/* 6000 random allocations and frees of a random live object, 8 objects
 * per slab, in waves (3 allocations to 1 free up to 300 live, then the
 * other way round down to 20): the page of every allocation and the
 * list_lock count follow the model after every operation. */
static void model_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(harness_a, "model", 512, 0, 0, NULL);
	model_t md = { .objects = 8 };
	GArray *live = g_array_new(FALSE, FALSE, sizeof(saddr_t));
	GRand *rnd = g_rand_new_with_seed(14);
	uint64_t locks0 = list_locks();
	bool grow = true;

	(void)arg;
	g_queue_init(&md.partial);
	md.slabs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	g_assert_cmpuint(harness_cache_info(s).objects_per_slab, ==, 8);
	for (int i = 0; i < 6000; i++) {
		if (live->len >= 300 || live->len <= 20)
			grow = live->len <= 20;
		if (live->len == 0 || g_rand_int_range(rnd, 0, 100) < (grow ? 75 : 25)) {
			mslab_t *want = model_alloc(&md);
			saddr_t x = ops->cache_alloc(harness_a, s, 0, -1);
			page_t *page = page_of(x);

			if (want) {
				g_assert_true(page == want->page);
			} else {
				g_assert_null(g_hash_table_lookup(md.slabs, page));
				want = g_new0(mslab_t, 1);
				want->page = page;
				want->state = M_ACTIVE;
				g_hash_table_insert(md.slabs, page, want);
				md.active = want;
			}
			want->inuse++;
			g_array_append_val(live, x);
		} else {
			guint j = (guint)g_rand_int_range(rnd, 0, (gint32)live->len);
			saddr_t x = g_array_index(live, saddr_t, j);

			g_array_remove_index_fast(live, j);
			model_free(&md, g_hash_table_lookup(md.slabs, page_of(x)));
			ops->cache_free(harness_a, s, x);
		}
		g_assert_cmpuint(list_locks() - locks0, ==, md.locks);
	}
	g_assert_cmpuint(md.add, >, 100);
	g_assert_cmpuint(md.remove, >, 10);
	g_assert_cmpuint(md.get, >, 100);
	g_assert_cmpuint(harness_stat("free_full_to_partial"), ==, md.add);
	g_assert_cmpuint(harness_stat("free_partial_to_empty"), ==, md.remove);
	g_assert_cmpuint(harness_stat("get_partial_locked"), ==, md.get);
	g_assert_cmpuint(harness_cache_info(s).slabs, ==, g_hash_table_size(md.slabs));
	g_hash_table_destroy(md.slabs);
	g_array_free(live, TRUE);
	g_rand_free(rnd);
}

static void test_c14_model(void)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, model_body, NULL);
	harness_free(k, m);
}

/* ---- 3. consistency under random operations on NUMA machines ---- */

enum kind { K_KMALLOC, K_USER, K_RCU, K_LARGE };

typedef struct live {
	saddr_t addr;
	kmem_cache_t *cache;            /* NULL for a large kmalloc */
	size_t size;
	int kind;
} live_t;

typedef struct mix {
	int ncpus;
	int ops_per_cpu;
	GArray *live;
	kmem_cache_t *user, *rcu;
	uint64_t boot_pages, allocs, frees;
	uint64_t rng[8];
} mix_t;

/* SLUB 2.6.29's kmalloc classes: 8, 16, 32, 64, 96, 128, 192, then powers
 * of two up to the page size. */
static kmem_cache_t *kmalloc_cache_of(size_t size)
{
	static const size_t small[] = { 8, 16, 32, 64, 96, 128, 192 };
	size_t c = 256;
	char name[32];

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++)
		if (size <= small[i]) {
			c = small[i];
			goto found;
		}
	while (c < size)
		c *= 2;
found:
	g_snprintf(name, sizeof(name), "kmalloc-%zu", c);
	return harness_find_cache(name);
}

static void mix_boot(void *arg)
{
	mix_t *mx = arg;

	mx->boot_pages = harness_pages_in_use();
	mx->user = ops->cache_create(harness_a, "mix-user", 200, 64, 0, NULL);
	mx->rcu = ops->cache_create(harness_a, "mix-rcu", 40, 0, SLAB_DESTROY_BY_RCU, NULL);
}

static live_t mix_alloc(mix_t *mx, int cpu)
{
	uint64_t *r = &mx->rng[cpu];
	live_t o = { 0 };
	int node = harness_rand(r) % 4 == 0 ? (int)(harness_rand(r) % kern()->m->nnodes) : -1;

	switch (harness_rand(r) % 10) {
	case 6:
		o = (live_t){ 0, mx->user, 200, K_USER };
		o.addr = ops->cache_alloc(harness_a, o.cache, 0, node);
		break;
	case 7:
		o = (live_t){ 0, mx->rcu, 40, K_RCU };
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
	mx->allocs += o.kind != K_LARGE;
	return o;
}

static void mix_free(mix_t *mx, live_t o)
{
	mx->frees += o.kind != K_LARGE;
	if (o.kind == K_USER || o.kind == K_RCU)
		ops->cache_free(harness_a, o.cache, o.addr);
	else
		ops->kfree(harness_a, o.addr);
}

static void mix_step(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (int i = 0; i < mx->ops_per_cpu; i++) {
		uint64_t *r = &mx->rng[cpu];

		if (mx->live->len == 0 || (harness_rand(r) % 100 < 55 && mx->live->len < 1500)) {
			live_t o = mix_alloc(mx, cpu);
			g_array_append_val(mx->live, o);
		} else {
			guint j = harness_rand(r) % mx->live->len;
			live_t o = g_array_index(mx->live, live_t, j);

			g_array_remove_index_fast(mx->live, j);
			mix_free(mx, o);
		}
	}
}

/* Every live object is unique and sits at an object boundary inside a
 * slab page of its cache; slabs and large kmallocs account for every page
 * in use since boot; active_objs counts the live objects. */
static void mix_check(void *arg)
{
	mix_t *mx = arg;
	GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	GHashTable *per_cache = g_hash_table_new(NULL, NULL);
	uint64_t pages = mx->boot_pages;

	for (guint i = 0; i < mx->live->len; i++) {
		live_t *o = &g_array_index(mx->live, live_t, i);
		page_t *page = page_of(o->addr);

		g_assert_nonnull(page);
		g_assert_false(g_hash_table_contains(seen, &o->addr));
		g_hash_table_add(seen, &o->addr);
		if (o->kind == K_LARGE) {
			g_assert_false(page->flags & PG_slab);
			g_assert_cmpuint(page_address(page), ==, o->addr);
			pages += 1u << page->order;
			continue;
		}
		cache_info_t ci = harness_cache_info(o->cache);
		saddr_t off = o->addr - page_address(page);

		g_assert_true(page->flags & PG_slab);
		g_assert_true(page->slab == (void *)o->cache);
		g_assert_cmpuint(off % ci.size, ==, 0);
		g_assert_cmpuint(off / ci.size, <, ci.objects_per_slab);
		g_assert_cmpuint(o->size, <=, ci.object_size);
		g_hash_table_insert(per_cache, o->cache, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, o->cache)) + 1));
	}
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = ops->cache_at(harness_a, i);
		cache_info_t ci = harness_cache_info(s);

		g_assert_cmpuint(ci.active_objs, ==,
		                 GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)));
		g_assert_cmpuint(ci.active_slabs, <=, ci.slabs);
		pages += ci.slabs << ci.order;
	}
	pages += harness_rcu_slab_pages();      /* SLAB_DESTROY_BY_RCU slabs not yet freed */
	g_assert_cmpuint(harness_pages_in_use(), ==, pages);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(per_cache);
}

static void mix_free_all(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (guint i = cpu; i < mx->live->len; i += mx->ncpus)
		mix_free(mx, g_array_index(mx->live, live_t, i));
}

/* CPU 0 shrinks every cache while the others answer its drain IPIs. */
static void mix_shrink(void *arg)
{
	(void)arg;
	harness_shrink_all();
}

/* Every allocation took one path, every free one of the five, and every
 * list_lock acquisition was one of the four state transitions. */
static void mix_stats(void *arg)
{
	mix_t *mx = arg;

	g_assert_cmpuint(harness_stat("alloc_fastpath") + harness_stat("alloc_slowpath"), ==, mx->allocs);
	g_assert_cmpuint(harness_stat("free_active") + harness_stat("free_partial") +
	                 harness_stat("free_single") + harness_stat("free_full_to_partial") +
	                 harness_stat("free_partial_to_empty"), ==, mx->frees);
	g_assert_cmpuint(list_locks(), ==,
	                 harness_stat("free_full_to_partial") + harness_stat("free_partial_to_empty") +
	                 harness_stat("get_partial_locked") + harness_stat("deactivate_partial"));
	g_assert_cmpuint(harness_stat("alloc_single"), ==, harness_stat("free_single"));
	g_assert_cmpuint(harness_stat("alloc_single"), >, 0);
	g_assert_cmpuint(harness_stat("deactivate_node_mismatch"), >, 0);
	g_assert_cmpuint(harness_stat("free_slab"), ==,
	                 harness_stat("alloc_new_slab") + harness_stat("alloc_single"));
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
		mx.rng[c] = 0x51ab0000u + c;
	}
	harness_run_on(k, 0, mix_boot, &mx);
	harness_run_many(k, cpus, ncpus, mix_step, &mx);
	g_assert_cmpuint(mx.live->len, >, 100);
	harness_run_on(k, 0, mix_check, &mx);
	harness_run_many(k, cpus, ncpus, mix_free_all, &mx);
	g_array_set_size(mx.live, 0);
	/* Empty, yet the CPUs' active slabs are still held. */
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, >, mx.boot_pages);
	harness_run_served(k, mix_shrink, NULL);
	harness_rcu_barrier(k);
	harness_run_on(k, 0, mix_check, &mx);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	for (int i = 0; i < ops->ncaches(harness_a); i++)
		g_assert_cmpuint(harness_cache_info(ops->cache_at(harness_a, i)).slabs, ==, 0);
	harness_run_on(k, 0, mix_stats, &mx);
	g_array_free(mx.live, TRUE);
	harness_free(k, m);
}

static void test_consistency_numa(void)
{
	run_mix(4, 2, 1500);
}

static void test_consistency_numa4(void)
{
	run_mix(8, 4, 1000);
}

/* ---- 4. single-object slabs ---- */

/* kmalloc-4096 holds one object per order-0 slab: the object is the page,
 * no freelist, no slab lock, no list lock, no active slab; its free gives
 * the page back at once. */
static void single_body(void *arg)
{
	uint64_t boot = harness_pages_in_use(), sl = slab_locks();
	saddr_t x = ops->kmalloc(harness_a, 3000, 0, -1);
	saddr_t y = ops->kmalloc(harness_a, 4096, 0, -1);
	page_t *page = page_of(x);

	(void)arg;
	g_assert_cmpuint(page_address(page), ==, x);
	g_assert_cmpuint(page_address(page_of(y)), ==, y);
	g_assert_true(page->flags & PG_slab);
	g_assert_true(page->slab == (void *)harness_find_cache("kmalloc-4096"));
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 2);
	g_assert_cmpuint(harness_stat("slabs_activated"), ==, 0);
	ops->kfree(harness_a, x);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot + 1);
	ops->kfree(harness_a, y);
	g_assert_cmpuint(harness_pages_in_use(), ==, boot);
	g_assert_cmpuint(slab_locks(), ==, sl);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(harness_stat("alloc_single"), ==, 2);
	g_assert_cmpuint(harness_stat("free_single"), ==, 2);
}

static void test_single_object(void)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, single_body, NULL);
	harness_free(k, m);
}

/* ---- 5. the flusher ---- */

typedef struct fl {
	kmem_cache_t *s;
	saddr_t x0, x1, y0;
	uint64_t boot;
	bool started, done;
} fl_t;

static void wake_cpu(void *arg, simtime_t when)
{
	kernel_kick(GPOINTER_TO_INT(arg), when);
}

/* Sleep on this CPU until simulated time `t`, running its work (timers,
 * IPIs) when it falls due. */
static void run_until(simtime_t t)
{
	engine_at(kern()->engine, t, wake_cpu, GINT_TO_POINTER(smp_processor_id()));
	while (know() < t) {
		kernel_do_pending();
		if (know() < t)
			kernel_idle();
	}
	kernel_do_pending();
}

/* CPU 0 drives time; CPU 1 takes one object and then only answers IPIs. */
static void flusher_body(void *arg, int cpu)
{
	fl_t *f = arg;
	simtime_t sec = PS_PER_SEC;

	if (cpu == 1) {
		while (!f->started) {
			engine_charge(COST_IDLE, PS_PER_NS);
			engine_sync();
		}
		f->x1 = ops->cache_alloc(harness_a, f->s, 0, -1);
		while (!f->done) {
			kernel_do_pending();
			if (!f->done)
				kernel_idle();
		}
		return;
	}
	f->x0 = ops->cache_alloc(harness_a, f->s, 0, -1);
	f->started = true;
	run_until(sec / 1000);
	g_assert_cmpuint(f->x1, !=, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, f->boot + 2);

	/* 2 s after the first activation: both slabs were used, both stay
	 * and lose PG_referenced. */
	run_until(2 * sec + sec / 2);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 1);
	g_assert_cmpuint(harness_stat("flush_referenced"), ==, 2);
	g_assert_cmpuint(harness_stat("flush_deactivated"), ==, 0);
	g_assert_cmpuint(list_locks(), ==, 0);

	/* CPU 0 uses its slab again; CPU 1's stays untouched for 2 s and is
	 * deactivated (one object in use: onto the partial list). */
	f->y0 = ops->cache_alloc(harness_a, f->s, 0, -1);
	run_until(4 * sec + sec / 2);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 2);
	g_assert_cmpuint(harness_stat("flush_referenced"), ==, 3);
	g_assert_cmpuint(harness_stat("flush_deactivated"), ==, 1);
	g_assert_cmpuint(harness_stat("deactivate_partial"), ==, 1);
	g_assert_cmpuint(list_locks(), ==, 1);

	/* Now CPU 0's slab is idle too: the third pass deactivates it. */
	run_until(6 * sec + sec / 2);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 3);
	g_assert_cmpuint(harness_stat("flush_deactivated"), ==, 2);
	g_assert_cmpuint(list_locks(), ==, 2);

	/* The seed's flusher sets active_cpus to num_online_cpus() before its
	 * IPIs and re-arms while it is not 0: with no slab active it still
	 * runs every 2 s.  Pass k runs at t0 + 2k s plus the passes before it
	 * (t0 > 0, the first activation), so by 20 s passes 1..9 have run and
	 * the 10th is just ahead. */
	run_until(20 * sec);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 9);
	g_assert_cmpuint(harness_stat("flush_deactivated"), ==, 2);
	/* Each pass IPIed CPU 1 once. */
	g_assert_cmpuint(harness_work_source("slabifier check_flush_active")->runs, ==, 9);
	g_assert_cmpuint(harness_work_source("slabifier flusher")->runs, ==, 9);

	/* Both slabs sit on the partial list: their last frees empty them
	 * (list_lock each) and the pages go back. */
	ops->cache_free(harness_a, f->s, f->x1);
	ops->cache_free(harness_a, f->s, f->x0);
	ops->cache_free(harness_a, f->s, f->y0);
	g_assert_cmpuint(list_locks(), ==, 4);
	g_assert_cmpuint(harness_pages_in_use(), ==, f->boot);

	/* kmem_cache_shrink is drain_all: it cancels the flusher (the seed's
	 * cancel_delayed_work, active_cpus = 0); no pass until a slab is
	 * activated again, which arms it for 2 s later. */
	ops->shrink(harness_a, f->s);
	g_assert_cmpuint(harness_stat("drain_runs"), ==, 1);
	run_until(30 * sec);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 9);
	f->x0 = ops->cache_alloc(harness_a, f->s, 0, -1);
	run_until(31 * sec + sec / 2);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 9);
	run_until(32 * sec + sec / 2);
	g_assert_cmpuint(harness_stat("flush_runs"), ==, 10);
	g_assert_cmpuint(harness_stat("flush_referenced"), ==, 4);
	ops->cache_free(harness_a, f->s, f->x0);
	f->done = true;
	kernel_kick(1, know());
}

static void flusher_create(void *arg)
{
	fl_t *f = arg;

	f->s = ops->cache_create(harness_a, "flush", 256, 0, 0, NULL);
	f->boot = harness_pages_in_use();
}

static void test_flusher(void)
{
	machine_t *m = harness_machine(2, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	int cpus[2] = { 0, 1 };
	fl_t f = { 0 };

	harness_run_on(k, 0, flusher_create, &f);
	harness_run_many(k, cpus, 2, flusher_body, &f);
	harness_free(k, m);
}

/* ---- 6. metadata ---- */

typedef struct meta_q {
	const char *owner, *category;
	uint64_t bytes;
	int categories;                 /* of owner */
} meta_q_t;

static void meta_visit(void *ctx, const char *owner, const char *category, uint64_t bytes)
{
	meta_q_t *q = ctx;

	if (strcmp(owner, q->owner) != 0)
		return;
	q->categories++;
	if (strcmp(category, q->category) == 0)
		q->bytes = bytes;
}

static meta_q_t meta_of(const char *owner, const char *category)
{
	meta_q_t q = { owner, category, 0, 0 };

	kmeta_foreach(meta_visit, &q);
	return q;
}

/* 4 CPUs (NR_CPUS 4): struct slab is 256 B of fields and 8 * 4 B of
 * active[] = 288 B; static for the kmalloc caches, a kmalloc (512) for a
 * user cache; nothing per CPU or per node. */
static void meta_body(void *arg)
{
	meta_q_t q;

	(void)arg;
	q = meta_of("kmalloc-8", "kmem_cache");
	g_assert_cmpuint(q.bytes, ==, 288);
	g_assert_cmpint(q.categories, ==, 1);
	ops->cache_create(harness_a, "user", 100, 0, 0, NULL);
	q = meta_of("user", "kmem_cache");
	g_assert_cmpuint(q.bytes, ==, 512);
	g_assert_cmpint(q.categories, ==, 1);
	/* 12 kmalloc caches, 8 .. 4096 with 96 and 192. */
	g_assert_cmpint(ops->ncaches(harness_a), ==, 13);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 65), ==, 96);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 129), ==, 192);
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 4097), ==, 8192);
	g_assert_null(ops->queue_capacity);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
}

static void test_metadata(void)
{
	machine_t *m = harness_machine(4, 2, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, meta_body, NULL);
	harness_free(k, m);
}

/* ---- 7. fast-path pricing ---- */

typedef struct fp {
	simtime_t dt;
	uint64_t accesses, hits, slab_locks, list_locks;
} fp_t;

static void fastpath_body(void *arg)
{
	fp_t *f = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "hot", 64, 0, 0, NULL);
	coh_stats_t before;
	simtime_t t0;
	saddr_t x;

	for (int i = 0; i < 2; i++)
		ops->cache_free(harness_a, s, ops->cache_alloc(harness_a, s, 0, -1));
	before = *coh_stats(kern()->coh);
	f->slab_locks = slab_locks();
	f->list_locks = list_locks();
	t0 = know();
	x = ops->cache_alloc(harness_a, s, 0, -1);
	ops->cache_free(harness_a, s, x);
	f->dt = know() - t0;
	f->accesses = coh_stats(kern()->coh)->all.accesses - before.all.accesses;
	f->hits = coh_stats(kern()->coh)->all.hits - before.all.hits;
	f->slab_locks = slab_locks() - f->slab_locks;
	f->list_locks = list_locks() - f->list_locks;
}

/* Alloc: s->active[cpu], the slab lock (an atomic on the struct page),
 * the struct page (freelist), the object's free pointer, the struct page
 * (freelist, inuse, PG_referenced), the unlock.  Free: the struct page
 * (virt_to_page), the slab lock, the struct page, the free pointer store,
 * the unlock.  All hot: 11 hits of 1 ns, two atomics of 5 ns and two irq
 * save/restore pairs of 2 ns. */
static void test_fastpath(void)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	fp_t f = { 0 };

	harness_run_on(k, 0, fastpath_body, &f);
	g_assert_cmpuint(f.accesses, ==, 11);
	g_assert_cmpuint(f.hits, ==, 11);
	g_assert_cmpuint(f.slab_locks, ==, 2);
	g_assert_cmpuint(f.list_locks, ==, 0);
	g_assert_cmpuint(f.dt, ==, 11 * m->hit + 2 * m->rmw + 2 * m->irq);
	g_assert_cmpuint(f.dt, ==, 25 * PS_PER_NS);
	harness_free(k, m);
}

/* ---- 8. defragmentation and targeted reclaim (seed 000's shrink, seed 001) ---- */

/* The owner of the test caches' objects (harness_owner_t): every word of
 * object i holds MAGIC ^ i; a move must land on another page. */
#define MAGIC 0x51ab1f1e00000000ULL

/* What the owner's handles say about the slabs (counted by the test): the
 * pages holding live objects, those not full among them (objects per
 * slab `per`), and their occupancy deciles. */
typedef struct census {
	uint64_t pages, not_full, hist[DEFRAG_HIST_BUCKETS];
} census_t;

static census_t own_census(const harness_owner_t *o, uint64_t per)
{
	GHashTable *live = g_hash_table_new(g_direct_hash, g_direct_equal);
	census_t c = { 0 };
	GHashTableIter it;
	gpointer key, val;

	for (int i = 0; i < o->n; i++) {
		gpointer p = virt_to_page(o->h[i]);

		if (o->h[i])
			g_hash_table_insert(live, p, GSIZE_TO_POINTER(
				GPOINTER_TO_SIZE(g_hash_table_lookup(live, p)) + 1));
	}
	g_hash_table_iter_init(&it, live);      /* counts only: order is irrelevant */
	while (g_hash_table_iter_next(&it, &key, &val)) {
		uint64_t n = GPOINTER_TO_SIZE(val);

		c.pages++;
		if (n < per) {
			c.not_full++;
			c.hist[n * DEFRAG_HIST_BUCKETS / per]++;
		}
	}
	g_hash_table_destroy(live);
	return c;
}

#define FRAG_N     2000
#define FRAG_FREE  1600        /* 80 % */
#define FRAG_LIVE  (FRAG_N - FRAG_FREE)
#define FRAG_SEED  11

enum { FRAG_PLAIN, FRAG_PLAIN_OPS, FRAG_DEFAULT, FRAG_ALL };

typedef struct frag {
	int mode;
	uint64_t per, slabs_before, slabs_after, pages_before, pages_after, active_objs;
	simtime_t shrink_ns;
	census_t before, after;
	defrag_report_t rep;
	harness_owner_t o;
} frag_t;

static void frag_body(void *arg)
{
	frag_t *f = arg;
	simtime_t t0;

	f->o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = KICK_MOVE };
	f->o.s = ops->cache_create(harness_a, "frag", 64, 0, 0, NULL);
	f->per = harness_cache_info(f->o.s).objects_per_slab;
	harness_owner_alloc(&f->o, FRAG_N);
	harness_owner_free_random(&f->o, FRAG_FREE, FRAG_SEED);
	f->before = own_census(&f->o, f->per);
	f->slabs_before = harness_cache_info(f->o.s).slabs;
	f->pages_before = harness_pages_in_use();
	if (f->mode != FRAG_PLAIN)
		ops->cache_set_ops(harness_a, f->o.s, &harness_owner_ops, &f->o);
	t0 = know();
	if (f->mode == FRAG_PLAIN || f->mode == FRAG_PLAIN_OPS)
		ops->shrink(harness_a, f->o.s);
	else
		ops->defrag(harness_a, f->o.s, f->mode == FRAG_ALL ? 0 : -1, &f->rep);
	f->shrink_ns = (know() - t0) / PS_PER_NS;
	f->slabs_after = harness_cache_info(f->o.s).slabs;
	f->pages_after = harness_pages_in_use();
	f->active_objs = harness_cache_info(f->o.s).active_objs;
	f->after = own_census(&f->o, f->per);
	harness_owner_check(&f->o);
}

static void run_frag(frag_t *f, int mode)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	f->mode = mode;
	harness_run_on(k, 0, frag_body, f);
	harness_free(k, m);
	g_free(f->o.h);
}

static char *deciles(const uint64_t *h)
{
	GString *g = g_string_new(NULL);

	for (int i = 0; i < DEFRAG_HIST_BUCKETS; i++)
		g_string_append_printf(g, "%s%" G_GUINT64_FORMAT, i ? " " : "", h[i]);
	return g_string_free(g, FALSE);
}

/* Allocate 2,000 objects of 64 B, free a seeded random 80 %, shrink. */
static void test_defrag_fragmentation(void)
{
	frag_t plain = { 0 }, plain_ops = { 0 }, def = { 0 }, all = { 0 };
	/* 64 B: stride 64, order 0, 4096 / 64 = 64 objects per slab; 400 live
	 * objects need at least ceil(400 / 64) = 7 slabs.  The default keeps
	 * one partial slab: the seed's slab_shrink loops while
	 * nr_partial > 1. */
	const uint64_t per = 4096 / 64, best = (FRAG_LIVE + per - 1) / per, keep = 1;
	char *hb, *ha;

	run_frag(&plain, FRAG_PLAIN);
	run_frag(&plain_ops, FRAG_PLAIN_OPS);
	run_frag(&def, FRAG_DEFAULT);
	run_frag(&all, FRAG_ALL);
	g_assert_cmpuint(plain.per, ==, per);

	/* The Slabifier frees a slab as soon as it empties, so every slab
	 * holds a live object, before and after any shrink. */
	for (frag_t *f = &plain; f; f = f == &plain ? &plain_ops : f == &plain_ops ? &def :
	                                f == &def ? &all : NULL) {
		g_assert_cmpuint(f->slabs_before, ==, plain.slabs_before);
		g_assert_cmpuint(f->slabs_before, ==, f->before.pages);
		g_assert_cmpuint(f->slabs_after, ==, f->after.pages);
		g_assert_cmpuint(f->active_objs, ==, FRAG_LIVE);
		g_assert_cmpuint(f->pages_before - f->pages_after, ==, f->slabs_before - f->slabs_after);
		g_assert_cmpuint(f->o.refs, ==, 0);
	}
	/* Without ops the shrink moves nothing and frees nothing. */
	g_assert_cmpuint(plain.slabs_after, ==, plain.slabs_before);
	g_assert_cmpint(plain.o.kicks, ==, 0);
	g_assert_cmpuint(plain.slabs_after, >, best);

	/* With ops: with p slabs not full, S * 64 - live <= 63 p, so
	 * S <= best + p - 1; the loop leaves at most `keep` partial slabs and
	 * gives back the active slab it filled (p <= keep + 1), unless it
	 * stopped because the others had no room: fewer than 64 free objects
	 * in all, S == best. */
	for (frag_t *f = &plain_ops; f; f = f == &plain_ops ? &def : f == &def ? &all : NULL) {
		uint64_t k = f == &all ? 0 : keep;

		g_assert_cmpuint(f->slabs_after, >=, best);
		g_assert_cmpuint(f->slabs_after, <=, best + k);
		g_assert_true(f->after.not_full <= k + 1 || f->slabs_after == best);
		g_assert_cmpuint(f->slabs_before - f->slabs_after, >,
		                 plain.slabs_before - plain.slabs_after);
		g_assert_cmpint(f->o.moves, >, 0);
		g_assert_cmpint(f->o.kicks, ==, f->o.moves);
		/* Moving objects costs time: slower than the plain shrink. */
		g_assert_cmpuint(f->shrink_ns, >, plain.shrink_ns);
	}
	/* keep 0: S == best (see above with p <= 1). */
	g_assert_cmpuint(all.slabs_after, ==, best);
	/* The plain shrink of a cache with ops is the default defrag. */
	g_assert_cmpuint(plain_ops.slabs_after, ==, def.slabs_after);
	g_assert_cmpint(plain_ops.o.moves, ==, def.o.moves);

	/* The reports agree with the handles: partial slabs and their deciles
	 * before (after the drain: the slabs not full) and after. */
	for (frag_t *f = &def; f; f = f == &def ? &all : NULL) {
		g_assert_cmpuint(f->rep.slabs_before, ==, f->slabs_before);
		g_assert_cmpuint(f->rep.slabs_after, ==, f->slabs_after);
		g_assert_cmpuint(f->rep.slabs_freed, ==, f->slabs_before - f->slabs_after);
		g_assert_cmpuint(f->rep.slabs_vacated, ==, f->rep.slabs_freed);
		g_assert_cmpuint(f->rep.objects_moved, ==, (uint64_t)f->o.moves);
		g_assert_cmpuint(f->rep.objects_reclaimed, ==, 0);
		g_assert_cmpuint(f->rep.vacate_failures, ==, 0);
		g_assert_cmpuint(f->rep.partial_before, ==, f->before.not_full);
		g_assert_cmpuint(f->rep.partial_after, ==, f->after.not_full);
		for (int b = 0; b < DEFRAG_HIST_BUCKETS; b++) {
			g_assert_cmpuint(f->rep.hist_before[b], ==, f->before.hist[b]);
			g_assert_cmpuint(f->rep.hist_after[b], ==, f->after.hist[b]);
		}
		g_test_message("keep %s: slabs %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
		               " (plain shrink %" G_GUINT64_FORMAT ", best %" G_GUINT64_FORMAT
		               "), moved %" G_GUINT64_FORMAT ", partial %" G_GUINT64_FORMAT
		               " -> %" G_GUINT64_FORMAT, f == &def ? "default" : "0",
		               f->slabs_before, f->slabs_after, plain.slabs_after, best,
		               f->rep.objects_moved, f->rep.partial_before, f->rep.partial_after);
		g_test_message("  shrink %" G_GUINT64_FORMAT " ns (plain %" G_GUINT64_FORMAT
		               " ns); deciles before [%s] after [%s]",
		               (uint64_t)f->shrink_ns, (uint64_t)plain.shrink_ns,
		               hb = deciles(f->rep.hist_before), ha = deciles(f->rep.hist_after));
		g_free(hb);
		g_free(ha);
	}
}

/* NUMA: CPU 0 (node 0) and CPU 1 (node 1) allocate 1,000 objects each;
 * CPU 0 frees a random 80 % (remote frees included) and defragments with
 * keep 0 while CPU 1 answers the drain's IPIs.  Replacements come from
 * the vacated slab's node, so no object changes node and each node ends
 * at its own best count, ceil(live objects on the node / 64). */
typedef struct dnuma {
	harness_owner_t o;
	uint64_t best, slabs_after;
	defrag_report_t rep;
} dnuma_t;

static void dnuma_setup(void *arg)
{
	dnuma_t *d = arg;

	d->o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = KICK_MOVE, .n = 2000 };
	d->o.s = ops->cache_create(harness_a, "dnuma", 64, 0, 0, NULL);
	d->o.h = g_new0(saddr_t, 2000);
}

static void dnuma_alloc(void *arg)
{
	dnuma_t *d = arg;
	int cpu = smp_processor_id();

	for (int i = cpu * 1000; i < (cpu + 1) * 1000; i++) {
		d->o.h[i] = ops->cache_alloc(harness_a, d->o.s, 0, -1);
		g_assert_cmpint(page_to_nid(virt_to_page(d->o.h[i])), ==, cpu);
		harness_owner_fill(&d->o, i);
	}
}

static void dnuma_defrag(void *arg)
{
	dnuma_t *d = arg;
	int node_of[2000];
	uint64_t live[2] = { 0, 0 };

	harness_owner_free_random(&d->o, 1600, 5);
	for (int i = 0; i < 2000; i++) {
		node_of[i] = d->o.h[i] ? page_to_nid(virt_to_page(d->o.h[i])) : -1;
		if (d->o.h[i])
			live[node_of[i]]++;
	}
	d->best = (live[0] + 63) / 64 + (live[1] + 63) / 64;
	ops->cache_set_ops(harness_a, d->o.s, &harness_owner_ops, &d->o);
	ops->defrag(harness_a, d->o.s, 0, &d->rep);
	d->slabs_after = harness_cache_info(d->o.s).slabs;
	harness_owner_check(&d->o);
	for (int i = 0; i < 2000; i++)
		if (d->o.h[i])
			g_assert_cmpint(page_to_nid(virt_to_page(d->o.h[i])), ==, node_of[i]);
	g_assert_cmpuint(harness_cache_info(d->o.s).active_objs, ==, 400);
	g_assert_cmpint(d->o.refs, ==, 0);
}

static void test_defrag_numa(void)
{
	machine_t *m = harness_machine(2, 2, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	dnuma_t d = { 0 };

	harness_run_on(k, 0, dnuma_setup, &d);
	harness_run_on(k, 0, dnuma_alloc, &d);
	harness_run_on(k, 1, dnuma_alloc, &d);
	harness_run_served(k, dnuma_defrag, &d);
	harness_free(k, m);
	g_free(d.o.h);
	g_assert_cmpuint(d.slabs_after, ==, d.best);
	g_assert_cmpuint(d.rep.slabs_freed, ==, d.rep.slabs_before - d.rep.slabs_after);
	g_assert_cmpuint(d.rep.objects_moved, ==, (uint64_t)d.o.moves);
	g_test_message("numa: slabs %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
	               " (best %" G_GUINT64_FORMAT "), moved %" G_GUINT64_FORMAT,
	               d.rep.slabs_before, d.slabs_after, d.best, d.rep.objects_moved);
}

/* ---- kmem_cache_vacate ---- */

typedef struct vac {
	kick_result_t answer;
	bool pin, no_ops;
	vacate_result_t r;
	uint32_t moved;
	uint64_t slabs_before, slabs_after;
	harness_owner_t o;
} vac_t;

/* 192 objects of 64 B: three full slabs; vacate the page of object 0. */
static void vacate_body(void *arg)
{
	vac_t *v = arg;
	saddr_t before[64];
	page_t *page;

	v->o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = v->answer };
	v->o.s = ops->cache_create(harness_a, "vac", 64, 0, 0, NULL);
	harness_owner_alloc(&v->o, 192);
	page = virt_to_page(v->o.h[0]);
	memcpy(before, v->o.h, sizeof(before));
	if (v->pin)
		v->o.pinned = v->o.h[37];
	if (!v->no_ops)
		ops->cache_set_ops(harness_a, v->o.s, &harness_owner_ops, &v->o);
	v->slabs_before = harness_cache_info(v->o.s).slabs;
	v->r = ops->vacate(harness_a, page, &v->moved);
	v->slabs_after = harness_cache_info(v->o.s).slabs;
	harness_owner_check(&v->o);
	g_assert_cmpint(v->o.refs, ==, 0);
	if (v->r != VACATE_OK) {
		/* Nothing moved: same addresses, the page the same full slab. */
		g_assert_cmpmem(before, sizeof(before), v->o.h, sizeof(before));
		g_assert_true(page->flags & PG_slab);
		g_assert_cmpuint(page->inuse, ==, 64);
		g_assert_cmpuint(v->moved, ==, 0);
		g_assert_cmpint(v->o.kicks, ==, 0);
		g_assert_cmpuint(v->slabs_after, ==, v->slabs_before);
		g_assert_cmpuint(harness_cache_info(v->o.s).active_objs, ==, 192);
		return;
	}
	g_assert_false(page->flags & PG_slab);
	for (int i = 0; i < 192; i++)
		g_assert_true(!v->o.h[i] || virt_to_page(v->o.h[i]) != page);
	g_assert_cmpuint(v->moved, ==, 64);
}

static void run_vacate(vac_t *v)
{
	machine_t *m = harness_machine(1, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, vacate_body, v);
	harness_free(k, m);
	g_free(v->o.h);
}

static void test_vacate(void)
{
	vac_t move = { .answer = KICK_MOVE }, reclaim = { .answer = KICK_RECLAIM };
	vac_t pinned = { .answer = KICK_MOVE, .pin = true };
	vac_t no_ops = { .answer = KICK_MOVE, .no_ops = true };

	/* 192 / 64 = 3 full slabs: the 64 replacements need a new slab and
	 * the vacated one goes, so 3 slabs again. */
	run_vacate(&move);
	g_assert_cmpint(move.r, ==, VACATE_OK);
	g_assert_cmpint(move.o.moves, ==, 64);
	g_assert_cmpuint(move.slabs_before, ==, 3);
	g_assert_cmpuint(move.slabs_after, ==, 3);
	/* Reclaimed: the owner forgot 64 objects, 2 slabs are left. */
	run_vacate(&reclaim);
	g_assert_cmpint(reclaim.r, ==, VACATE_OK);
	g_assert_cmpint(reclaim.o.moves, ==, 0);
	g_assert_cmpuint(reclaim.slabs_after, ==, 2);
	/* Object 37 refuses: the 37 references taken first are put back and
	 * nothing is kicked. */
	run_vacate(&pinned);
	g_assert_cmpint(pinned.r, ==, VACATE_PINNED);
	run_vacate(&no_ops);
	g_assert_cmpint(no_ops.r, ==, VACATE_PINNED);
}

/* The other results, and the slabs that are not on the partial list:
 * this CPU's active slab, a one-object slab, a page that is no slab. */
static void vacate_more_body(void *arg)
{
	harness_owner_t *o = arg;
	kmem_cache_t *big = ops->cache_create(harness_a, "big", 3000, 0, 0, NULL);
	page_t *page = alloc_pages_node(-1, 0, 0), *active;
	harness_owner_t single = { .magic = MAGIC, .s = big, .objsize = 3000, .answer = KICK_MOVE };
	saddr_t old;
	uint32_t moved;

	g_assert_cmpint(ops->vacate(harness_a, page, NULL), ==, VACATE_NOT_SLAB);
	__free_pages(page, 0);

	/* 70 objects of 64 B: slab 1 full, slab 2 this CPU's active slab with
	 * 6; vacating it deactivates it first, its 6 objects move. */
	*o = (harness_owner_t){ .magic = MAGIC, .objsize = 64, .answer = KICK_MOVE };
	o->s = ops->cache_create(harness_a, "own", 64, 0, 0, NULL);
	harness_owner_alloc(o, 70);
	ops->cache_set_ops(harness_a, o->s, &harness_owner_ops, o);
	active = virt_to_page(o->h[69]);
	g_assert_true(active == virt_to_page(o->h[64]) && active != virt_to_page(o->h[63]));
	g_assert_cmpint(ops->vacate(harness_a, active, &moved), ==, VACATE_OK);
	g_assert_cmpuint(moved, ==, 70 - 64);
	g_assert_cmpint(o->moves, ==, 6);
	harness_owner_check(o);

	/* 3000 B: one object per order-0 slab, no freelist; the move takes a
	 * new one-object slab and the old page goes. */
	ops->cache_set_ops(harness_a, big, &harness_owner_ops, &single);
	harness_owner_alloc(&single, 1);
	old = single.h[0];
	g_assert_cmpint(ops->vacate(harness_a, virt_to_page(old), &moved), ==, VACATE_OK);
	g_assert_cmpuint(moved, ==, 1);
	g_assert_cmpuint(single.h[0], !=, old);
	g_assert_false(virt_to_page(old)->flags & PG_slab);
	g_assert_cmpuint(harness_cache_info(big).slabs, ==, 1);
	harness_owner_check(&single);
	g_free(single.h);
	/* The 6 replacements came from a new slab (slab 1 is full, the list
	 * empty), now this CPU's active slab: hand its address to CPU 1. */
	g_assert_cmpuint(harness_cache_info(o->s).slabs, ==, 2);
	o->pinned = o->h[69];
}

/* CPU 1 asks for CPU 0's active slab. */
static void vacate_busy_body(void *arg)
{
	harness_owner_t *o = arg;
	uint32_t moved = 99;

	g_assert_cmpint(ops->vacate(harness_a, virt_to_page(o->pinned), &moved), ==, VACATE_BUSY);
	g_assert_cmpuint(moved, ==, 0);
	g_assert_cmpint(o->kicks, ==, 6);
}

static void test_vacate_more(void)
{
	machine_t *m = harness_machine(2, 1, 64);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	harness_owner_t o = { 0 };

	harness_run_on(k, 0, vacate_more_body, &o);
	harness_run_on(k, 1, vacate_busy_body, &o);
	harness_free(k, m);
	g_free(o.h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slabifier/geometry", test_geometry);
	g_test_add_func("/slabifier/geometry-caches", test_geometry_caches);
	g_test_add_func("/slabifier/c14-alloc-only", test_c14_alloc_only);
	g_test_add_func("/slabifier/c14-transitions", test_c14_transitions);
	g_test_add_func("/slabifier/c14-numa", test_c14_numa);
	g_test_add_func("/slabifier/c14-order", test_c14_order);
	g_test_add_func("/slabifier/c14-model", test_c14_model);
	g_test_add_func("/slabifier/consistency-numa", test_consistency_numa);
	g_test_add_func("/slabifier/consistency-numa4", test_consistency_numa4);
	g_test_add_func("/slabifier/single-object", test_single_object);
	g_test_add_func("/slabifier/flusher", test_flusher);
	g_test_add_func("/slabifier/metadata", test_metadata);
	g_test_add_func("/slabifier/fastpath", test_fastpath);
	g_test_add_func("/slabifier/defrag-fragmentation", test_defrag_fragmentation);
	g_test_add_func("/slabifier/defrag-numa", test_defrag_numa);
	g_test_add_func("/slabifier/vacate", test_vacate);
	g_test_add_func("/slabifier/vacate-more", test_vacate_more);
	return g_test_run();
}
