/*
 * test_slabifier.c -- the 2006 Slabifier (seed 000): slab geometry, claim
 * C14 (list_lock only on slab state transitions: none while CPUs only
 * allocate, hand-counted transitions otherwise, a random sequence against
 * an independent model of the seed's rules), randomised alloc/free
 * consistency on NUMA machines, single-object slabs, the 2 s flusher,
 * metadata accounting and the debug checks.
 *
 * Machines come from harness_machine (4 KiB pages, 64-byte lines) with
 * HZ = 250.
 */
#include "harness.h"
#include "../allocators/slabifier.h"

static const allocator_ops_t *ops = &slabifier_allocator;

static machine_t *machine(int ncpus, int nnodes)
{
	machine_t *m = harness_machine(ncpus, nnodes, 64);

	m->hz = 250;
	return m;
}

static cache_info_t info_of(kmem_cache_t *s)
{
	cache_info_t ci;

	ops->cache_info(kern->alloc, s, &ci);
	return ci;
}

static kmem_cache_t *find_cache(const char *name)
{
	for (int i = 0; i < ops->ncaches(kern->alloc); i++) {
		kmem_cache_t *s = ops->cache_at(kern->alloc, i);

		if (strcmp(info_of(s).name, name) == 0)
			return s;
	}
	return NULL;
}

static void collect_stat(void *ctx, const char *name, uint64_t value)
{
	g_hash_table_insert(ctx, g_strdup(name), g_memdup2(&value, sizeof(value)));
}

static uint64_t stat_now(const char *name)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	uint64_t *v, r;

	ops->stats(kern->alloc, collect_stat, h);
	v = g_hash_table_lookup(h, name);
	g_assert_nonnull(v);
	r = *v;
	g_hash_table_destroy(h);
	return r;
}

static uint64_t list_locks(void)
{
	return klock_class("slabifier.list_lock")->acquisitions;
}

static uint64_t slab_locks(void)
{
	return klock_class("slabifier.slab_lock")->acquisitions;
}

/* fn(arg) on CPU 0 while the other CPUs answer its IPIs. */
typedef struct served {
	void (*fn)(void *);
	void *arg;
	bool done;
} served_t;

static void served_body(void *arg, int cpu)
{
	served_t *sv = arg;

	if (cpu != 0) {
		while (!sv->done) {
			kernel_do_pending();
			if (!sv->done)
				kernel_idle();
		}
		return;
	}
	sv->fn(sv->arg);
	sv->done = true;
	for (int c = 1; c < kern->m->ncpus; c++)
		kernel_kick(c, know());
}

static void run_served(kernel_t *k, void (*fn)(void *), void *arg)
{
	served_t sv = { fn, arg, false };
	int cpus[8];

	for (int c = 0; c < k->m->ncpus; c++)
		cpus[c] = c;
	harness_run_many(k, cpus, k->m->ncpus, served_body, &sv);
}

static uint64_t pages_in_use(void)
{
	return pa_stats(kern->pa)->pages_in_use;
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
	kmem_cache_t *a = ops->cache_create(kern->alloc, "g-rcu", 40, 0, SLAB_DESTROY_BY_RCU);
	kmem_cache_t *b = kmem_cache_create_legacy(ops, kern->alloc, "g-hw", 100, 0,
	                                           SLAB_HWCACHE_ALIGN);
	kmem_cache_t *c = ops->cache_create(kern->alloc, "g-big", 9000, 0, 0);
	cache_info_t ci;

	(void)arg;
	ci = info_of(a);
	g_assert_cmpuint(ci.size, ==, 48);
	g_assert_cmpuint(ci.objects_per_slab, ==, 85);
	ci = info_of(b);
	g_assert_cmpuint(ci.size, ==, 128);
	g_assert_cmpuint(ci.objects_per_slab, ==, 32);
	ci = info_of(c);
	g_assert_cmpuint(ci.order, ==, 2);
	g_assert_cmpuint(ci.objects_per_slab, ==, 1);
	g_assert_null(ops->cache_create(kern->alloc, "g-none", (4096u << 10) + 1, 0, 0));
	/* kmalloc-96 and -192 sit in size order among the powers of two. */
	g_assert_cmpstr(info_of(ops->cache_at(kern->alloc, 4)).name, ==, "kmalloc-96");
	g_assert_cmpstr(info_of(ops->cache_at(kern->alloc, 6)).name, ==, "kmalloc-192");
	g_assert_cmpuint(info_of(find_cache("kmalloc-4096")).objects_per_slab, ==, 1);
}

static void test_geometry_caches(void)
{
	machine_t *m = machine(1, 1);
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

	c->s = ops->cache_create(kern->alloc, "c14", 256, 0, 0);
	g_assert_cmpuint(info_of(c->s).objects_per_slab, ==, 16);
}

static void c14_alloc(void *arg, int cpu)
{
	c14_t *c = arg;

	for (; c->done[cpu] < c->per_cpu; c->done[cpu]++)
		c->x[cpu][c->done[cpu]] = ops->cache_alloc(kern->alloc, c->s, 0, -1);
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
	machine_t *m = machine(4, 1);
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
	kmem_cache_t *s = ops->cache_create(kern->alloc, "trans", 256, 0, 0);
	uint64_t boot = *(uint64_t *)arg;
	saddr_t x[48], y, z;
	page_t *s1, *s2, *s3;

	for (int i = 0; i < 48; i++)
		x[i] = ops->cache_alloc(kern->alloc, s, 0, -1);
	s1 = page_of(x[0]);
	s2 = page_of(x[16]);
	s3 = page_of(x[32]);
	g_assert_true(s1 != s2 && s2 != s3 && s1 != s3);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(pages_in_use(), ==, boot + 3);

	/* (a) S1 and S2 were full: their first frees put them on the list. */
	ops->cache_free(kern->alloc, s, x[0]);
	g_assert_cmpuint(list_locks(), ==, 1);
	ops->cache_free(kern->alloc, s, x[1]);          /* still partial */
	g_assert_cmpuint(list_locks(), ==, 1);
	ops->cache_free(kern->alloc, s, x[16]);
	g_assert_cmpuint(list_locks(), ==, 2);

	/* (c) The active S3 is full: it is forgotten, and the head of the
	 * list, S1, becomes active; its freelist is LIFO. */
	y = ops->cache_alloc(kern->alloc, s, 0, -1);
	g_assert_cmpuint(y, ==, x[1]);
	g_assert_cmpuint(list_locks(), ==, 3);
	z = ops->cache_alloc(kern->alloc, s, 0, -1);
	g_assert_cmpuint(z, ==, x[0]);
	g_assert_cmpuint(list_locks(), ==, 3);

	/* (a) again for S3; (b) S2 and S3 empty: off the list, pages freed. */
	ops->cache_free(kern->alloc, s, x[32]);
	g_assert_cmpuint(list_locks(), ==, 4);
	for (int i = 17; i < 32; i++)
		ops->cache_free(kern->alloc, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 5);
	g_assert_cmpuint(pages_in_use(), ==, boot + 2);
	for (int i = 33; i < 48; i++)
		ops->cache_free(kern->alloc, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(pages_in_use(), ==, boot + 1);

	/* Frees into the active S1 take no list_lock, even the last one;
	 * the empty active slab stays until it is deactivated. */
	for (int i = 0; i < 16; i++)
		ops->cache_free(kern->alloc, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(pages_in_use(), ==, boot + 1);
	ops->shrink(kern->alloc, s);
	g_assert_cmpuint(list_locks(), ==, 6);
	g_assert_cmpuint(pages_in_use(), ==, boot);
	g_assert_cmpuint(info_of(s).slabs, ==, 0);

	g_assert_cmpuint(stat_now("free_full_to_partial"), ==, 3);
	g_assert_cmpuint(stat_now("free_partial_to_empty"), ==, 2);
	g_assert_cmpuint(stat_now("get_partial_locked"), ==, 1);
	/* S1, S2, S3 were each found full in turn; S1 was drained empty. */
	g_assert_cmpuint(stat_now("deactivate_full"), ==, 3);
	g_assert_cmpuint(stat_now("deactivate_empty"), ==, 1);
	g_assert_cmpuint(stat_now("drain_runs"), ==, 1);
}

static void boot_pages_body(void *arg)
{
	*(uint64_t *)arg = pages_in_use();
}

static void test_c14_transitions(void)
{
	machine_t *m = machine(1, 1);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	uint64_t boot;

	harness_run_on(k, 0, boot_pages_body, &boot);
	harness_run_on(k, 0, transitions_body, &boot);
	harness_free(k, m);
}

/* Two nodes, everything on CPU 0 (node 0).  A node-specific request for
 * another node deactivates the partial active slab (list_lock: it goes
 * on the list) and searches the one list for a slab of that node
 * (list_lock again, nothing found): a new slab there. */
static void numa_body(void *arg)
{
	kmem_cache_t *s = ops->cache_create(kern->alloc, "numa", 256, 0, 0);
	uint64_t boot = *(uint64_t *)arg;
	saddr_t a, b, c, d;

	a = ops->cache_alloc(kern->alloc, s, 0, -1);
	g_assert_cmpint(page_to_nid(page_of(a)), ==, 0);
	b = ops->cache_alloc(kern->alloc, s, 0, 1);
	g_assert_cmpint(page_to_nid(page_of(b)), ==, 1);
	g_assert_cmpuint(list_locks(), ==, 2);
	g_assert_cmpuint(stat_now("get_partial_miss"), ==, 1);
	/* Any node will do: the node-1 active slab serves it. */
	c = ops->cache_alloc(kern->alloc, s, 0, -1);
	g_assert_cmpuint(c, ==, b + 256);
	g_assert_cmpuint(list_locks(), ==, 2);
	/* Back to node 0: node 1's slab goes on the list, node 0's comes
	 * off it. */
	d = ops->cache_alloc(kern->alloc, s, 0, 0);
	g_assert_cmpuint(d, ==, a + 256);
	g_assert_cmpuint(list_locks(), ==, 4);
	g_assert_cmpuint(stat_now("deactivate_node_mismatch"), ==, 2);
	g_assert_cmpuint(stat_now("deactivate_partial"), ==, 2);

	ops->cache_free(kern->alloc, s, a);             /* active */
	ops->cache_free(kern->alloc, s, d);             /* active, now empty */
	ops->cache_free(kern->alloc, s, b);             /* partial stays */
	g_assert_cmpuint(list_locks(), ==, 4);
	ops->cache_free(kern->alloc, s, c);             /* (b) */
	g_assert_cmpuint(list_locks(), ==, 5);
	ops->shrink(kern->alloc, s);
	g_assert_cmpuint(pages_in_use(), ==, boot);
}

static void test_c14_numa(void)
{
	machine_t *m = machine(2, 2);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	uint64_t boot;

	harness_run_on(k, 0, boot_pages_body, &boot);
	run_served(k, numa_body, &boot);
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
	kmem_cache_t *s = ops->cache_create(kern->alloc, "order", 256, 0, 0);
	unsigned n = info_of(s).objects_per_slab;
	saddr_t x[256];

	g_assert_cmpuint(n, ==, *(unsigned *)arg);
	for (int i = 0; i < 256; i++)
		x[i] = ops->cache_alloc(kern->alloc, s, 0, -1);
	g_assert_cmpuint(list_locks(), ==, 0);
	for (int i = 0; i < 256; i++)
		ops->cache_free(kern->alloc, s, x[i]);
	g_assert_cmpuint(list_locks(), ==, 2 * (256 / n - 1));
}

static void check_order(long order, unsigned objects)
{
	machine_t *m = machine(1, 1);
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
	kmem_cache_t *s = ops->cache_create(kern->alloc, "model", 512, 0, 0);
	model_t md = { .objects = 8 };
	GArray *live = g_array_new(FALSE, FALSE, sizeof(saddr_t));
	GRand *rnd = g_rand_new_with_seed(14);
	uint64_t locks0 = list_locks();
	bool grow = true;

	(void)arg;
	g_queue_init(&md.partial);
	md.slabs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	g_assert_cmpuint(info_of(s).objects_per_slab, ==, 8);
	for (int i = 0; i < 6000; i++) {
		if (live->len >= 300 || live->len <= 20)
			grow = live->len <= 20;
		if (live->len == 0 || g_rand_int_range(rnd, 0, 100) < (grow ? 75 : 25)) {
			mslab_t *want = model_alloc(&md);
			saddr_t x = ops->cache_alloc(kern->alloc, s, 0, -1);
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
			ops->cache_free(kern->alloc, s, x);
		}
		g_assert_cmpuint(list_locks() - locks0, ==, md.locks);
	}
	g_assert_cmpuint(md.add, >, 100);
	g_assert_cmpuint(md.remove, >, 10);
	g_assert_cmpuint(md.get, >, 100);
	g_assert_cmpuint(stat_now("free_full_to_partial"), ==, md.add);
	g_assert_cmpuint(stat_now("free_partial_to_empty"), ==, md.remove);
	g_assert_cmpuint(stat_now("get_partial_locked"), ==, md.get);
	g_assert_cmpuint(info_of(s).slabs, ==, g_hash_table_size(md.slabs));
	g_hash_table_destroy(md.slabs);
	g_array_free(live, TRUE);
	g_rand_free(rnd);
}

static void test_c14_model(void)
{
	machine_t *m = machine(1, 1);
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
	bool done;
} mix_t;

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

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
	return find_cache(name);
}

static void mix_boot(void *arg)
{
	mix_t *mx = arg;

	mx->boot_pages = pages_in_use();
	mx->user = ops->cache_create(kern->alloc, "mix-user", 200, 64, 0);
	mx->rcu = ops->cache_create(kern->alloc, "mix-rcu", 40, 0, SLAB_DESTROY_BY_RCU);
}

static live_t mix_alloc(mix_t *mx, int cpu)
{
	uint64_t *r = &mx->rng[cpu];
	live_t o = { 0 };
	int node = next_rand(r) % 4 == 0 ? (int)(next_rand(r) % kern->m->nnodes) : -1;

	switch (next_rand(r) % 10) {
	case 6:
		o = (live_t){ 0, mx->user, 200, K_USER };
		o.addr = ops->cache_alloc(kern->alloc, o.cache, 0, node);
		break;
	case 7:
		o = (live_t){ 0, mx->rcu, 40, K_RCU };
		o.addr = ops->cache_alloc(kern->alloc, o.cache, 0, node);
		break;
	case 8:
		o.kind = K_LARGE;
		o.size = 4097 + next_rand(r) % 16000;
		o.addr = ops->kmalloc(kern->alloc, o.size, 0, node);
		break;
	default:
		o.kind = K_KMALLOC;
		o.size = 1 + next_rand(r) % (next_rand(r) % 2 ? 192 : 4096);
		o.cache = kmalloc_cache_of(o.size);
		o.addr = ops->kmalloc(kern->alloc, o.size, 0, node);
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
		ops->cache_free(kern->alloc, o.cache, o.addr);
	else
		ops->kfree(kern->alloc, o.addr);
}

static void mix_step(void *arg, int cpu)
{
	mix_t *mx = arg;

	for (int i = 0; i < mx->ops_per_cpu; i++) {
		uint64_t *r = &mx->rng[cpu];

		if (mx->live->len == 0 || (next_rand(r) % 100 < 55 && mx->live->len < 1500)) {
			live_t o = mix_alloc(mx, cpu);
			g_array_append_val(mx->live, o);
		} else {
			guint j = next_rand(r) % mx->live->len;
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
		cache_info_t ci = info_of(o->cache);
		saddr_t off = o->addr - page_address(page);

		g_assert_true(page->flags & PG_slab);
		g_assert_true(page->slab == (void *)o->cache);
		g_assert_cmpuint(off % ci.size, ==, 0);
		g_assert_cmpuint(off / ci.size, <, ci.objects_per_slab);
		g_assert_cmpuint(o->size, <=, ci.object_size);
		g_hash_table_insert(per_cache, o->cache, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, o->cache)) + 1));
	}
	for (int i = 0; i < ops->ncaches(kern->alloc); i++) {
		kmem_cache_t *s = ops->cache_at(kern->alloc, i);
		cache_info_t ci = info_of(s);

		g_assert_cmpuint(ci.active_objs, ==,
		                 GPOINTER_TO_SIZE(g_hash_table_lookup(per_cache, s)));
		g_assert_cmpuint(ci.active_slabs, <=, ci.slabs);
		pages += ci.slabs << ci.order;
	}
	g_assert_cmpuint(pages_in_use(), ==, pages);
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
static void mix_shrink(void *arg, int cpu)
{
	mix_t *mx = arg;

	if (cpu != 0) {
		while (!mx->done) {
			kernel_do_pending();
			if (!mx->done)
				kernel_idle();
		}
		return;
	}
	for (int i = 0; i < ops->ncaches(kern->alloc); i++)
		ops->shrink(kern->alloc, ops->cache_at(kern->alloc, i));
	mx->done = true;
	for (int c = 1; c < mx->ncpus; c++)
		kernel_kick(c, know());
}

/* Every allocation took one path, every free one of the five, and every
 * list_lock acquisition was one of the four state transitions. */
static void mix_stats(void *arg)
{
	mix_t *mx = arg;

	g_assert_cmpuint(stat_now("alloc_fastpath") + stat_now("alloc_slowpath"), ==, mx->allocs);
	g_assert_cmpuint(stat_now("free_active") + stat_now("free_partial") +
	                 stat_now("free_single") + stat_now("free_full_to_partial") +
	                 stat_now("free_partial_to_empty"), ==, mx->frees);
	g_assert_cmpuint(list_locks(), ==,
	                 stat_now("free_full_to_partial") + stat_now("free_partial_to_empty") +
	                 stat_now("get_partial_locked") + stat_now("deactivate_partial"));
	g_assert_cmpuint(stat_now("alloc_single"), ==, stat_now("free_single"));
	g_assert_cmpuint(stat_now("alloc_single"), >, 0);
	g_assert_cmpuint(stat_now("deactivate_node_mismatch"), >, 0);
	g_assert_cmpuint(stat_now("free_slab"), ==,
	                 stat_now("alloc_new_slab") + stat_now("alloc_single"));
}

static void run_mix(int ncpus, int nnodes, int ops_per_cpu)
{
	machine_t *m = machine(ncpus, nnodes);
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
	harness_run_many(k, cpus, ncpus, mix_shrink, &mx);
	harness_run_on(k, 0, mix_check, &mx);
	g_assert_cmpuint(pa_stats(k->pa)->pages_in_use, ==, mx.boot_pages);
	for (int i = 0; i < ops->ncaches(k->alloc); i++)
		g_assert_cmpuint(info_of(ops->cache_at(k->alloc, i)).slabs, ==, 0);
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
	uint64_t boot = pages_in_use(), sl = slab_locks();
	saddr_t x = ops->kmalloc(kern->alloc, 3000, 0, -1);
	saddr_t y = ops->kmalloc(kern->alloc, 4096, 0, -1);
	page_t *page = page_of(x);

	(void)arg;
	g_assert_cmpuint(page_address(page), ==, x);
	g_assert_cmpuint(page_address(page_of(y)), ==, y);
	g_assert_true(page->flags & PG_slab);
	g_assert_true(page->slab == (void *)find_cache("kmalloc-4096"));
	g_assert_cmpuint(pages_in_use(), ==, boot + 2);
	g_assert_cmpuint(stat_now("slabs_activated"), ==, 0);
	ops->kfree(kern->alloc, x);
	g_assert_cmpuint(pages_in_use(), ==, boot + 1);
	ops->kfree(kern->alloc, y);
	g_assert_cmpuint(pages_in_use(), ==, boot);
	g_assert_cmpuint(slab_locks(), ==, sl);
	g_assert_cmpuint(list_locks(), ==, 0);
	g_assert_cmpuint(stat_now("alloc_single"), ==, 2);
	g_assert_cmpuint(stat_now("free_single"), ==, 2);
}

static void test_single_object(void)
{
	machine_t *m = machine(1, 1);
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
	engine_at(kern->engine, t, wake_cpu, GINT_TO_POINTER(smp_processor_id()));
	while (know() < t) {
		kernel_do_pending();
		if (know() < t)
			kernel_idle();
	}
	kernel_do_pending();
}

static uint64_t work_runs(const char *label)
{
	for (guint i = 0; i < kern->work_sources->len; i++) {
		kwork_source_t *w = &g_array_index(kern->work_sources, kwork_source_t, i);

		if (strcmp(w->label, label) == 0)
			return w->runs;
	}
	return 0;
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
		f->x1 = ops->cache_alloc(kern->alloc, f->s, 0, -1);
		while (!f->done) {
			kernel_do_pending();
			if (!f->done)
				kernel_idle();
		}
		return;
	}
	f->x0 = ops->cache_alloc(kern->alloc, f->s, 0, -1);
	f->started = true;
	run_until(sec / 1000);
	g_assert_cmpuint(f->x1, !=, 0);
	g_assert_cmpuint(pages_in_use(), ==, f->boot + 2);

	/* 2 s after the first activation: both slabs were used, both stay
	 * and lose PG_referenced. */
	run_until(2 * sec + sec / 2);
	g_assert_cmpuint(stat_now("flush_runs"), ==, 1);
	g_assert_cmpuint(stat_now("flush_referenced"), ==, 2);
	g_assert_cmpuint(stat_now("flush_deactivated"), ==, 0);
	g_assert_cmpuint(list_locks(), ==, 0);

	/* CPU 0 uses its slab again; CPU 1's stays untouched for 2 s and is
	 * deactivated (one object in use: onto the partial list). */
	f->y0 = ops->cache_alloc(kern->alloc, f->s, 0, -1);
	run_until(4 * sec + sec / 2);
	g_assert_cmpuint(stat_now("flush_runs"), ==, 2);
	g_assert_cmpuint(stat_now("flush_referenced"), ==, 3);
	g_assert_cmpuint(stat_now("flush_deactivated"), ==, 1);
	g_assert_cmpuint(stat_now("deactivate_partial"), ==, 1);
	g_assert_cmpuint(list_locks(), ==, 1);

	/* Now CPU 0's slab is idle too; no CPU keeps a slab, so the flusher
	 * does not re-arm. */
	run_until(6 * sec + sec / 2);
	g_assert_cmpuint(stat_now("flush_runs"), ==, 3);
	g_assert_cmpuint(stat_now("flush_deactivated"), ==, 2);
	g_assert_cmpuint(list_locks(), ==, 2);
	run_until(20 * sec);
	g_assert_cmpuint(stat_now("flush_runs"), ==, 3);
	/* Each pass IPIed CPU 1 once. */
	g_assert_cmpuint(work_runs("slabifier check_flush_active"), ==, 3);
	g_assert_cmpuint(work_runs("slabifier flusher"), ==, 3);

	/* Both slabs sit on the partial list: their last frees empty them
	 * (list_lock each) and the pages go back. */
	ops->cache_free(kern->alloc, f->s, f->x1);
	ops->cache_free(kern->alloc, f->s, f->x0);
	ops->cache_free(kern->alloc, f->s, f->y0);
	g_assert_cmpuint(list_locks(), ==, 4);
	g_assert_cmpuint(pages_in_use(), ==, f->boot);
	f->done = true;
	kernel_kick(1, know());
}

static void flusher_create(void *arg)
{
	fl_t *f = arg;

	f->s = ops->cache_create(kern->alloc, "flush", 256, 0, 0);
	f->boot = pages_in_use();
}

static void test_flusher(void)
{
	machine_t *m = machine(2, 1);
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
	ops->cache_create(kern->alloc, "user", 100, 0, 0);
	q = meta_of("user", "kmem_cache");
	g_assert_cmpuint(q.bytes, ==, 512);
	g_assert_cmpint(q.categories, ==, 1);
	/* 12 kmalloc caches, 8 .. 4096 with 96 and 192. */
	g_assert_cmpint(ops->ncaches(kern->alloc), ==, 13);
	g_assert_cmpuint(ops->kmalloc_size(kern->alloc, 65), ==, 96);
	g_assert_cmpuint(ops->kmalloc_size(kern->alloc, 129), ==, 192);
	g_assert_cmpuint(ops->kmalloc_size(kern->alloc, 4097), ==, 8192);
	g_assert_null(ops->queue_capacity);
	g_assert_cmpuint(ops->queued_bytes(kern->alloc), ==, 0);
}

static void test_metadata(void)
{
	machine_t *m = machine(4, 2);
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
	kmem_cache_t *s = ops->cache_create(kern->alloc, "hot", 64, 0, 0);
	coh_stats_t before;
	simtime_t t0;
	saddr_t x;

	for (int i = 0; i < 2; i++)
		ops->cache_free(kern->alloc, s, ops->cache_alloc(kern->alloc, s, 0, -1));
	before = *coh_stats(kern->coh);
	f->slab_locks = slab_locks();
	f->list_locks = list_locks();
	t0 = know();
	x = ops->cache_alloc(kern->alloc, s, 0, -1);
	ops->cache_free(kern->alloc, s, x);
	f->dt = know() - t0;
	f->accesses = coh_stats(kern->coh)->accesses - before.accesses;
	f->hits = coh_stats(kern->coh)->hits - before.hits;
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
	machine_t *m = machine(1, 1);
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

/* ---- 8. debug checks (kbug exits: run in a subprocess) ---- */

static void double_free_body(void *arg)
{
	saddr_t x = ops->kmalloc(kern->alloc, 64, 0, -1);

	(void)arg;
	ops->kmalloc(kern->alloc, 64, 0, -1);
	ops->kfree(kern->alloc, x);
	ops->kfree(kern->alloc, x);
}

/* A use after free overwrites the free pointer of a free object in the
 * active slab; the allocation that pops it finds the corruption. */
static void corrupt_body(void *arg)
{
	saddr_t x = ops->kmalloc(kern->alloc, 64, 0, -1);

	(void)arg;
	ops->kfree(kern->alloc, x);
	kstore64(x, 0xdead0000);
	ops->kmalloc(kern->alloc, 64, 0, -1);
}

static void foreign_body(void *arg)
{
	saddr_t x = ops->kmalloc(kern->alloc, 64, 0, -1);

	(void)arg;
	ops->kfree(kern->alloc, x + 8);
}

static void in_subprocess(void (*body)(void *))
{
	machine_t *m = machine(1, 1);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, body, NULL);
	harness_free(k, m);
}

static void test_double_free(void)
{
	if (g_test_subprocess()) {
		in_subprocess(double_free_body);
		return;
	}
	harness_trap_kbug("*double free*");
}

static void test_foreign_pointer(void)
{
	if (g_test_subprocess()) {
		in_subprocess(foreign_body);
		return;
	}
	harness_trap_kbug("*foreign pointer*");
}

static void test_freelist_corruption(void)
{
	if (g_test_subprocess()) {
		in_subprocess(corrupt_body);
		return;
	}
	harness_trap_kbug("*freelist corrupted*");
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
	g_test_add_func("/slabifier/double-free", test_double_free);
	g_test_add_func("/slabifier/foreign-pointer", test_foreign_pointer);
	g_test_add_func("/slabifier/freelist-corruption", test_freelist_corruption);
	return g_test_run();
}
