/*
 * test_native.c -- every allocator of allocator_table on the native
 * backend (sim/kernel/native.h): two host threads, real memory, real locks.
 * Built and run under ThreadSanitizer too (scons tsan=1), where a data
 * race fails the program.  Named /native/ALLOCATOR/TEST:
 *
 *   conformance   the conformance suite's workload on two threads (CPUs
 *                 on two nodes): four caches (24, 200 -- sheaves where
 *                 the allocator has them --, 40 with SLAB_DESTROY_BY_RCU,
 *                 1500) and kmallocs of 1 B to 16 KiB, a quarter asking
 *                 for a node; a third of the objects each thread
 *                 allocates go to the other thread, which frees them.
 *                 Uniqueness: no object handed out overlaps a live one
 *                 (a registry under a test lock) and none changes while
 *                 live (tag words).  Containment: once both threads have
 *                 stopped, every survivor lies in RAM, aligned, on the
 *                 node asked for, in a slab page (or a large kmalloc's
 *                 block).  Shrink: everything freed, grace periods over,
 *                 kmem_cache_shrink passes (CPU 0, the other CPU answering
 *                 IPIs) give every page back to the level after boot.
 *   fastpath-locks  after a warm-up, each thread allocates and frees one
 *                 object at a time in a cache of its own: the allocator's
 *                 counters show only fast paths, and the thread took only
 *                 the locks the allocator's kernel original takes on its
 *                 fast path (fast_locks below: none, but the Slabifier's
 *                 slab_lock) -- no other spinlock or bit spinlock and none
 *                 of the backend's own locks, every one of them shared
 *                 between CPUs -- while the warm-up, which grows slabs,
 *                 took some (the count works).  An allocator without a
 *                 fast path (no path_split: SLOB) is skipped.
 */
#include <pthread.h>
#include <string.h>
#include "harness.h"
#include "native.h"

#define NCPUS        2
#define NNODES       2
#define OPS          2500
#define MAX_LIVE     600
#define LARGE_MAX    16384

typedef struct spec {
	const char *name;
	size_t size, align;
	unsigned flags;
	unsigned sheaf_capacity;
} spec_t;

static const spec_t specs[] = {
	{ "nconf-24", 24, 8, 0, 0 },
	{ "nconf-200", 200, 64, 0, 6 },
	{ "nconf-rcu", 40, 0, SLAB_DESTROY_BY_RCU, 0 },
	{ "nconf-1500", 1500, 0, SLAB_RECLAIM_ACCOUNT, 0 },
};
#define NSPECS ((int)G_N_ELEMENTS(specs))

typedef struct obj {
	saddr_t addr;
	size_t len;
	int spec;               /* -1: kmalloc */
	int node;               /* asked for, or -1 */
	uint64_t tag;
} obj_t;

typedef struct run {
	const allocator_ops_t *ops;
	kmem_cache_t *cache[NSPECS];
	pthread_mutex_t lock;   /* registry, inbox, counts */
	GTree *live;            /* addr -> obj_t*, every live object */
	GQueue inbox[NCPUS];    /* obj_t* handed to each CPU to free */
	GPtrArray *mine[NCPUS]; /* obj_t* each CPU holds (its thread only) */
	uint64_t rng[NCPUS];
	uint64_t serial;
	uint64_t remote_frees, large, node_asked;
	uint64_t boot_pages;
} run_t;

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	saddr_t x = *(const saddr_t *)a, y = *(const saddr_t *)b;

	(void)unused;
	return x < y ? -1 : x > y;
}

/* The registry, locked: the new object overlaps neither neighbour. */
static void register_obj(run_t *r, obj_t *o)
{
	GTreeNode *prev, *next;

	pthread_mutex_lock(&r->lock);
	next = g_tree_upper_bound(r->live, &o->addr);
	prev = next ? g_tree_node_previous(next) : g_tree_node_last(r->live);
	if (prev) {
		const obj_t *p = g_tree_node_value(prev);
		if (p->addr + p->len > o->addr)
			g_error("%s: new object [%#" G_GINT64_MODIFIER "x, +%zu) overlaps live [%#"
			        G_GINT64_MODIFIER "x, +%zu)", r->ops->name, o->addr, o->len, p->addr, p->len);
	}
	if (next) {
		const obj_t *x = g_tree_node_value(next);
		if (o->addr + o->len > x->addr)
			g_error("%s: new object [%#" G_GINT64_MODIFIER "x, +%zu) overlaps live [%#"
			        G_GINT64_MODIFIER "x, +%zu)", r->ops->name, o->addr, o->len, x->addr, x->len);
	}
	g_tree_insert(r->live, &o->addr, o);
	o->tag = 0xc0f0000000000000ULL | ++r->serial;
	pthread_mutex_unlock(&r->lock);
}

static void tag(const obj_t *o)
{
	if (o->len >= 8)
		kstore64(o->addr, o->tag);
	if (o->len >= 16)
		kstore64(o->addr + o->len - 8, ~o->tag);
}

static void check_intact(const obj_t *o)
{
	if (o->len >= 8)
		g_assert_cmphex(kload64(o->addr), ==, o->tag);
	if (o->len >= 16)
		g_assert_cmphex(kload64(o->addr + o->len - 8), ==, ~o->tag);
}

/* What the address alone says (no page is read: other threads write
 * struct pages meanwhile). */
static void check_address(const obj_t *o)
{
	size_t align = o->spec >= 0 ? specs[o->spec].align : ARCH_KMALLOC_MINALIGN;

	g_assert_true(kaddr_valid(o->addr));
	g_assert_true(kaddr_valid(o->addr + o->len - 1));
	if (align)
		g_assert_cmpuint(o->addr % align, ==, 0);
	if (o->node >= 0)
		g_assert_cmpint(page_to_nid(virt_to_page(o->addr)), ==, o->node);
}

static obj_t *alloc_one(run_t *r, int cpu)
{
	uint64_t *rng = &r->rng[cpu];
	obj_t *o = g_new0(obj_t, 1);
	uint64_t pick = harness_rand(rng) % 10;

	o->spec = -1;
	o->node = harness_rand(rng) % 4 == 0 ? (int)(harness_rand(rng) % NNODES) : -1;
	if (pick < 4) {
		o->spec = (int)pick;
		o->len = specs[pick].size;
		o->addr = r->ops->cache_alloc(harness_a, r->cache[pick], 0, o->node);
	} else {
		o->len = pick == 9 ? 4097 + harness_rand(rng) % (LARGE_MAX - 4096) :
		         pick < 7 ? 1 + harness_rand(rng) % 256 : 1 + harness_rand(rng) % 4096;
		o->addr = r->ops->kmalloc(harness_a, o->len, 0, o->node);
	}
	g_assert_cmpuint(o->addr, !=, 0);
	check_address(o);
	register_obj(r, o);
	tag(o);
	pthread_mutex_lock(&r->lock);
	r->large += pick == 9;
	r->node_asked += o->node >= 0;
	pthread_mutex_unlock(&r->lock);
	return o;
}

/* Out of the registry first, then back to the allocator. */
static void free_one(run_t *r, obj_t *o, int cpu, bool remote)
{
	check_intact(o);
	pthread_mutex_lock(&r->lock);
	g_tree_remove(r->live, &o->addr);
	r->remote_frees += remote;
	pthread_mutex_unlock(&r->lock);
	if (o->spec >= 0)
		r->ops->cache_free(harness_a, r->cache[o->spec], o->addr);
	else
		r->ops->kfree(harness_a, o->addr);
	g_free(o);
}

/* An object the other CPU handed over, if any. */
static obj_t *take_inbox(run_t *r, int cpu)
{
	obj_t *o;

	pthread_mutex_lock(&r->lock);
	o = g_queue_pop_head(&r->inbox[cpu]);
	pthread_mutex_unlock(&r->lock);
	return o;
}

static void give(run_t *r, int cpu, obj_t *o)
{
	pthread_mutex_lock(&r->lock);
	g_queue_push_tail(&r->inbox[cpu], o);
	pthread_mutex_unlock(&r->lock);
}

/* Allocate (55 % while fewer than MAX_LIVE are held) or free one held
 * object; a third of the allocations go to the other CPU, and whatever it
 * handed over is freed first. */
static void churn(void *arg, int cpu)
{
	run_t *r = arg;
	GPtrArray *mine = r->mine[cpu];
	uint64_t *rng = &r->rng[cpu];

	for (int i = 0; i < OPS; i++) {
		obj_t *o = take_inbox(r, cpu);

		if (o) {
			free_one(r, o, cpu, true);
		} else if (mine->len == 0 || (harness_rand(rng) % 100 < 55 && mine->len < MAX_LIVE)) {
			o = alloc_one(r, cpu);
			if (harness_rand(rng) % 3 == 0)
				give(r, (cpu + 1) % NCPUS, o);
			else
				g_ptr_array_add(mine, o);
		} else {
			free_one(r, g_ptr_array_steal_index_fast(mine, harness_rand(rng) % mine->len),
			         cpu, false);
		}
		kernel_do_pending();    /* an operation boundary */
	}
}

/* Every object still held or handed over, freed by its holder. */
static void free_all(void *arg, int cpu)
{
	run_t *r = arg;
	obj_t *o;

	while (r->mine[cpu]->len)
		free_one(r, g_ptr_array_steal_index_fast(r->mine[cpu], 0), cpu, false);
	while ((o = take_inbox(r, cpu)))
		free_one(r, o, cpu, true);
}

static void create_caches(run_t *r)
{
	for (int i = 0; i < NSPECS; i++) {
		bool sheaves = specs[i].sheaf_capacity && r->ops->cache_set_sheaves;

		r->cache[i] = r->ops->cache_create(harness_a, specs[i].name, specs[i].size,
		                                   specs[i].align,
		                                   specs[i].flags | (sheaves ? SLAB_NO_MERGE : 0), NULL);
		g_assert_nonnull(r->cache[i]);
		if (sheaves)
			r->ops->cache_set_sheaves(harness_a, r->cache[i], specs[i].sheaf_capacity);
	}
}

/* With every thread stopped: what the struct pages say of a survivor. */
static gboolean check_contained(gpointer key, gpointer value, gpointer unused)
{
	const obj_t *o = value;
	page_t *p = virt_to_page(o->addr), *q = virt_to_page(o->addr + o->len - 1);

	(void)key;
	(void)unused;
	check_intact(o);
	g_assert_false(p->flags & (PG_buddy | PG_pcp));
	g_assert_false(q->flags & (PG_buddy | PG_pcp));
	if (p->flags & PG_slab) {
		if (p->flags & PG_head)
			g_assert_true(q == p);
		for (page_t *x = p + 1; !(p->flags & PG_head) && x <= q; x++)
			g_assert_true((x->flags & PG_slab) && x->slab == p->slab);
		return FALSE;
	}
	g_assert_cmpint(o->spec, ==, -1);
	g_assert_cmpuint(o->len, >, (size_t)kpage_size() / 2);
	g_assert_cmpuint(o->addr, ==, page_address(p));
	return FALSE;
}

/* ---- shrink returns every page (rules as test_conformance's) ---- */

static int shrink_passes_of(const char *name)
{
	static const struct { const char *name; int passes; } rules[] = {
		{ "slab", 1 }, { "slub", 1 }, { "slub-6", 2 }, { "slabifier", 1 }, { "slob", 0 },
		{ "slqb", -1 },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(rules); i++)
		if (strcmp(rules[i].name, name) == 0)
			return rules[i].passes;
	return -1;
}

static void shrink_pass(void *arg)
{
	(void)arg;
	harness_shrink_all();
}

#define MAX_PASSES 64

static void check_shrink(kernel_t *k, run_t *r)
{
	int rule = shrink_passes_of(r->ops->name), passes = 0;

	harness_native_rcu_barrier(k);
	if (rule == 0)
		g_assert_cmpuint(harness_pages_in_use(), ==, r->boot_pages);
	while (rule >= 0 ? passes < rule : passes < MAX_PASSES && r->ops->queued_bytes(harness_a)) {
		harness_native_served(k, shrink_pass, NULL);
		passes++;
	}
	harness_native_rcu_barrier(k);
	g_assert_cmpint(passes, <, MAX_PASSES);
	g_assert_cmpuint(r->ops->queued_bytes(harness_a), ==, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, r->boot_pages);
	for (int i = 0; i < r->ops->ncaches(harness_a); i++) {
		cache_info_t ci = harness_cache_info(r->ops->cache_at(harness_a, i));

		g_assert_cmpuint(ci.active_objs, ==, 0);
		g_assert_cmpuint(ci.slabs, ==, 0);
	}
}

static void test_conformance(gconstpointer data)
{
	static const int cpus[NCPUS] = { 0, 1 };
	machine_t *m = harness_machine(NCPUS, NNODES, 64);
	kernel_t *k = harness_native_kernel(m, data, NULL);
	run_t r = { .ops = data };

	pthread_mutex_init(&r.lock, NULL);
	r.live = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
	for (int c = 0; c < NCPUS; c++) {
		g_queue_init(&r.inbox[c]);
		r.mine[c] = g_ptr_array_new();
		r.rng[c] = 0x6e6174000u + (uint64_t)c;
	}
	create_caches(&r);
	r.boot_pages = harness_pages_in_use();  /* SLOB's caches live in a slob page */
	harness_native_run(k, cpus, NCPUS, churn, &r);
	g_assert_cmpuint(r.remote_frees, >, 100);
	g_assert_cmpuint(r.large, >, 10);
	g_assert_cmpuint(r.node_asked, >, 100);
	g_tree_foreach(r.live, check_contained, NULL);
	harness_native_run(k, cpus, NCPUS, free_all, &r);
	g_assert_cmpint(g_tree_nnodes(r.live), ==, 0);
	check_shrink(k, &r);
	for (int c = 0; c < NCPUS; c++)
		g_ptr_array_free(r.mine[c], TRUE);
	g_tree_destroy(r.live);
	pthread_mutex_destroy(&r.lock);
	harness_free(k, m);
}

/* ---- no shared lock on the fast path ----
 *
 * The locks an allocator's fast path takes in its kernel original, per
 * allocation and per free: SLAB (an array_cache hit), SLUB 2.6.29 (the
 * cpu slab's freelist), SLQB (the CPU's freelist) and slub-6 (the CPU's
 * freelist or sheaf, a this-CPU cmpxchg) take none; the 2006 Slabifier
 * takes its active slab's slab_lock (a bit spinlock on the slab's page,
 * which other CPUs take when they free into the slab) for both.  An
 * allocator not listed takes none. */
static const struct {
	const char *name;
	const char *cls;        /* the class taken once per alloc and once per free */
} fast_locks[] = {
	{ "slabifier", "slabifier.slab_lock" },
};

static const char *fast_lock_class(const char *allocator)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(fast_locks); i++)
		if (strcmp(fast_locks[i].name, allocator) == 0)
			return fast_locks[i].cls;
	return NULL;
}

/* Every lock class's acquisitions now (name -> count). */
static GHashTable *class_counts(void)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GPtrArray *cls = lock_classes_sorted(kern()->locks);

	for (guint i = 0; i < cls->len; i++) {
		const lock_class_t *c = cls->pdata[i];
		g_hash_table_insert(t, g_strdup(c->name), g_memdup2(&c->acquisitions, sizeof(uint64_t)));
	}
	g_ptr_array_free(cls, TRUE);
	return t;
}

/* Each class took expected acquisitions between the two counts. */
static void check_classes(GHashTable *before, GHashTable *after, const char *expected_cls,
                          uint64_t expected)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, after);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		uint64_t *was = g_hash_table_lookup(before, k);
		uint64_t d = *(uint64_t *)v - (was ? *was : 0);

		if (d)
			g_test_message("fast path: %" G_GUINT64_FORMAT " acquisitions of %s", d, (char *)k);
		g_assert_cmpuint(d, ==, expected_cls && strcmp(k, expected_cls) == 0 ? expected : 0);
	}
}

#define WARM   64
#define ROUNDS 2000

typedef struct fast {
	const allocator_ops_t *ops;
	kmem_cache_t *cache[NCPUS];
	bool warm;              /* the warm-up pass (else the rounds) */
	uint64_t warm_locks[NCPUS], fast_locks[NCPUS];
} fast_t;

/* Warm up (WARM objects allocated, then freed), or run the rounds. */
static void fast_body(void *arg, int cpu)
{
	fast_t *f = arg;
	kmem_cache_t *s = f->cache[cpu];
	uint64_t before = native_locks_taken();
	saddr_t objs[WARM];

	if (f->warm) {
		for (int i = 0; i < WARM; i++)
			objs[i] = f->ops->cache_alloc(harness_a, s, 0, -1);
		for (int i = WARM; i-- > 0;)
			f->ops->cache_free(harness_a, s, objs[i]);
		f->warm_locks[cpu] = native_locks_taken() - before;
		return;
	}
	for (int i = 0; i < ROUNDS; i++)
		f->ops->cache_free(harness_a, s, f->ops->cache_alloc(harness_a, s, 0, -1));
	f->fast_locks[cpu] = native_locks_taken() - before;
}

/* Fast and slow paths counted so far (alloc and free). */
static void paths(const allocator_ops_t *ops, uint64_t fast[2], uint64_t slow[2])
{
	uint64_t a[2], fr[2];

	ops->path_split(harness_a, a, fr);
	fast[0] = a[0];
	fast[1] = fr[0];
	slow[0] = a[1];
	slow[1] = fr[1];
}

static void test_fastpath_locks(gconstpointer data)
{
	static const int cpus[NCPUS] = { 0, 1 };
	const allocator_ops_t *ops = data;
	machine_t *m = harness_machine(NCPUS, 1, 64);
	kernel_t *k = harness_native_kernel(m, ops, NULL);
	fast_t f = { .ops = ops };
	uint64_t fast0[2], slow0[2], fast1[2], slow1[2];
	const char *cls = fast_lock_class(ops->name);
	uint64_t per_round = cls ? 2 : 0;      /* one per alloc, one per free */
	GHashTable *before, *after;

	for (int c = 0; c < NCPUS; c++) {
		char *name = g_strdup_printf("fast-%d", c);
		f.cache[c] = ops->cache_create(harness_a, name, 64, 8, 0, NULL);
		g_free(name);
	}
	f.warm = true;
	harness_native_run(k, cpus, NCPUS, fast_body, &f);
	paths(ops, fast0, slow0);
	before = class_counts();
	f.warm = false;
	harness_native_run(k, cpus, NCPUS, fast_body, &f);
	paths(ops, fast1, slow1);
	after = class_counts();
	check_classes(before, after, cls, per_round * NCPUS * ROUNDS);
	g_hash_table_destroy(before);
	g_hash_table_destroy(after);
	for (int c = 0; c < NCPUS; c++) {
		g_test_message("%s cpu %d: %" G_GUINT64_FORMAT " locks warming up, %" G_GUINT64_FORMAT
		               " in %d alloc+free rounds", ops->name, c, f.warm_locks[c],
		               f.fast_locks[c], ROUNDS);
		g_assert_cmpuint(f.warm_locks[c], >, 0);
		g_assert_cmpuint(f.fast_locks[c], ==, per_round * ROUNDS);
	}
	g_assert_cmpuint(fast1[0] - fast0[0], >=, (uint64_t)NCPUS * ROUNDS);
	g_assert_cmpuint(fast1[1] - fast0[1], >=, (uint64_t)NCPUS * ROUNDS);
	g_assert_cmpuint(slow1[0], ==, slow0[0]);
	g_assert_cmpuint(slow1[1], ==, slow0[1]);
	harness_free(k, m);
}

/* The count works: growing slabs takes the page allocator's lock at least. */
static void test_lock_count(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_native_kernel(m, NULL, NULL);
	uint64_t before = native_locks_taken();
	page_t *p = alloc_pages_node(0, GFP_KERNEL, 0);

	g_assert_nonnull(p);
	__free_pages(p, 0);
	g_assert_cmpuint(native_locks_taken() - before, >=, 2);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/native/lock-count", test_lock_count);
	for (int i = 0; allocator_table[i]; i++) {
		const allocator_ops_t *ops = allocator_table[i];
		char *path = g_strdup_printf("/native/%s/conformance", ops->name);

		g_test_add_data_func(path, ops, test_conformance);
		g_free(path);
		if (ops->path_split) {
			path = g_strdup_printf("/native/%s/fastpath-locks", ops->name);
			g_test_add_data_func(path, ops, test_fastpath_locks);
			g_free(path);
		}
	}
	return g_test_run();
}
