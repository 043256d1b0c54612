/*
 * test_kfeatures.c -- kernel features every allocator of allocator_table
 * honours as its 2.6.29 (or seed) original does, named
 * /kfeatures/ALLOCATOR/TEST:
 *
 *   ctor      a constructor runs once per object of every new slab (SLAB's
 *             cache_init_objs, SLUB's and SLQB's setup_object, the
 *             Slabifier's constructor layer), and on every allocation in
 *             SLOB (kmem_cache_alloc_node); its compute lands in the ctor
 *             account.  Where free objects carry a free pointer (SLUB,
 *             slub-6, SLQB, the Slabifier), a cache with a constructor keeps it
 *             behind the object (stride + 8 B, calculate_sizes) so a freed
 *             object keeps its constructed contents.
 *   zero      __GFP_ZERO hands out an object whose bytes are all 0, kmalloc
 *             included.
 *   vmstat    NR_SLAB_RECLAIMABLE counts the pages of SLAB_RECLAIM_ACCOUNT
 *             caches' slabs, NR_SLAB_UNRECLAIMABLE the others' (the zone
 *             counters plus every CPU's differential), and both are 0 once
 *             every slab is gone; SLOB (slob_new_pages) counts nothing.
 *   rcu       a SLAB_DESTROY_BY_RCU cache's memory goes back only after a
 *             grace period: its slabs (SLAB, SLUB, SLQB, the Slabifier) or
 *             each object (SLOB).
 *
 * Machines come from harness_machine (4 KiB pages, HZ 250).
 */
#include <string.h>
#include "harness.h"

#define CTOR_PS         PS_PER_US
#define OBJ             200

/* Allocators whose free objects hold a free pointer (moved behind the
 * object for a constructor), and SLOB, which constructs on every
 * allocation. */
static bool has_free_pointer(const allocator_ops_t *ops)
{
	return !strcmp(ops->name, "slub") || !strcmp(ops->name, "slub-6") ||
	       !strcmp(ops->name, "slqb") || !strcmp(ops->name, "slabifier");
}

static bool is_slob(const allocator_ops_t *ops)
{
	return !strcmp(ops->name, "slob");
}

static simtime_t ctor_time(void)
{
	return engine_current()->cost[COST_CTOR];
}

/* ---- ctor ---- */

static void ctor_body(void *arg)
{
	const allocator_ops_t *ops = arg;
	kmem_ctor_t ctor = { CTOR_PS, 64 };
	kmem_cache_t *plain = ops->cache_create(harness_a, "plain", OBJ, 0, 0, NULL);
	kmem_cache_t *s = ops->cache_create(harness_a, "ctor", OBJ, 0, 0, &ctor);
	cache_info_t pi = harness_cache_info(plain), ci = harness_cache_info(s);
	simtime_t t0 = ctor_time();
	saddr_t x, y;

	x = ops->cache_alloc(harness_a, s, 0, -1);
	ci = harness_cache_info(s);
	/* the first allocation made the first slab (SLOB: one object) */
	g_assert_cmpuint(ctor_time() - t0, ==, (is_slob(ops) ? 1 : ci.objects_per_slab) * CTOR_PS);
	y = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(ctor_time() - t0, ==, (is_slob(ops) ? 2 : ci.objects_per_slab) * CTOR_PS);
	g_assert_cmpuint(ci.size, ==, pi.size + (has_free_pointer(ops) ? 8 : 0));
	/* the constructed contents outlive a free */
	if (!is_slob(ops)) {
		for (unsigned off = 0; off < OBJ; off += 8)
			kstore64(x + off, 0xc0ffee00u + off);
		ops->cache_free(harness_a, s, x);
		for (unsigned off = 0; off < OBJ; off += 8)
			g_assert_cmphex(kload64(x + off), ==, 0xc0ffee00u + off);
	}
	ops->cache_free(harness_a, s, y);
}

static void test_ctor(gconstpointer data)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);

	harness_run_on(k, 0, ctor_body, (void *)data);
	harness_free(k, m);
}

/* ---- __GFP_ZERO ---- */

static void assert_zero(saddr_t x, size_t len)
{
	for (size_t off = 0; off + 8 <= len; off += 8)
		g_assert_cmphex(kload64(x + off), ==, 0);
}

/* Dirty an object, free it, and ask for a zeroed one: LIFO reuse gives
 * the dirty one back in every allocator, cleared. */
static void zero_body(void *arg)
{
	const allocator_ops_t *ops = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "zero", OBJ, 0, 0, NULL);
	saddr_t x = ops->cache_alloc(harness_a, s, 0, -1), y;

	for (unsigned off = 0; off < OBJ; off += 8)
		kstore64(x + off, ~(uint64_t)0);
	ops->cache_free(harness_a, s, x);
	y = ops->cache_alloc(harness_a, s, __GFP_ZERO, -1);
	assert_zero(y, OBJ);
	x = ops->kmalloc(harness_a, 100, 0, -1);
	for (unsigned off = 0; off < 96; off += 8)
		kstore64(x + off, ~(uint64_t)0);
	ops->kfree(harness_a, x);
	x = ops->kmalloc(harness_a, 100, __GFP_ZERO, -1);
	assert_zero(x, 100);
}

static void test_zero(gconstpointer data)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);

	harness_run_on(k, 0, zero_body, (void *)data);
	harness_free(k, m);
}

/* ---- vmstat ---- */

typedef struct vm_run {
	const allocator_ops_t *ops;
	kmem_cache_t *rcl, *plain;
	saddr_t objs[2][400];
} vm_run_t;

/* A counter over every zone and every CPU's differential. */
static long slab_counter(enum zone_stat_item item)
{
	long sum = 0;

	for (int n = 0; n < nr_node_ids(); n++) {
		sum += zone_page_state(n, item);
		for (int c = 0; c < nr_cpu_ids(); c++)
			sum += vmstat_cpu_diff(c, n, item);
	}
	return sum;
}

/* The pages of every cache's slabs, SLAB_RECLAIM_ACCOUNT ones (rcl) or
 * the others. */
static void slab_pages(const vm_run_t *v, long *rcl, long *other)
{
	*rcl = *other = 0;
	for (int i = 0; i < v->ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = v->ops->cache_at(harness_a, i);
		cache_info_t ci = harness_cache_info(s);

		*(s == v->rcl ? rcl : other) += (long)(ci.slabs << ci.order);
	}
}

static void vm_create(void *arg)
{
	vm_run_t *v = arg;

	v->rcl = v->ops->cache_create(harness_a, "vm-rcl", 300, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	v->plain = v->ops->cache_create(harness_a, "vm-plain", 100, 0, 0, NULL);
}

static void vm_alloc(void *arg, int cpu)
{
	vm_run_t *v = arg;

	for (int i = cpu; i < 400; i += 2) {
		v->objs[0][i] = v->ops->cache_alloc(harness_a, v->rcl, 0, -1);
		v->objs[1][i] = v->ops->cache_alloc(harness_a, v->plain, 0, -1);
	}
}

static void vm_free(void *arg, int cpu)
{
	vm_run_t *v = arg;

	for (int i = 1 - cpu; i < 400; i += 2) {    /* the other CPU's objects */
		v->ops->cache_free(harness_a, v->rcl, v->objs[0][i]);
		v->ops->cache_free(harness_a, v->plain, v->objs[1][i]);
	}
}

static void vm_check(void *arg)
{
	vm_run_t *v = arg;
	long rcl, other;

	slab_pages(v, &rcl, &other);
	if (is_slob(v->ops))
		rcl = other = 0;
	g_assert_cmpint(slab_counter(NR_SLAB_RECLAIMABLE), ==, rcl);
	g_assert_cmpint(slab_counter(NR_SLAB_UNRECLAIMABLE), ==, other);
}

/* Shrink until no object is queued (SLQB gives back a batch a pass). */
static void shrink_empty(void)
{
	for (int pass = 0; pass < 64 && harness_ops->queued_bytes(harness_a); pass++)
		harness_shrink_all();
	harness_shrink_all();
}

static void vm_shrink(void *arg)
{
	(void)arg;
	shrink_empty();
}

static void test_vmstat(gconstpointer data)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);
	vm_run_t v = { .ops = data };
	int cpus[2] = { 0, 1 };
	long rcl, other;

	harness_run_on(k, 0, vm_create, &v);
	harness_run_many(k, cpus, 2, vm_alloc, &v);
	harness_run_on(k, 0, vm_check, &v);
	slab_pages(&v, &rcl, &other);
	g_assert_cmpint(rcl, >, 1);             /* several slabs of each */
	g_assert_cmpint(other, >, 1);
	harness_run_many(k, cpus, 2, vm_free, &v);
	harness_run_served(k, vm_shrink, NULL);
	harness_run_on(k, 0, vm_check, &v);
	harness_free(k, m);
}

/* ---- SLAB_DESTROY_BY_RCU ---- */

typedef struct rcu_run {
	const allocator_ops_t *ops;
	kmem_cache_t *s;
	saddr_t objs[300];
	uint64_t boot, freed;
} rcu_run_t;

static void rcu_fill_free(void *arg)
{
	rcu_run_t *r = arg;

	r->s = r->ops->cache_create(harness_a, "rcu", 256, 0, SLAB_DESTROY_BY_RCU, NULL);
	/* the level to return to: after boot and the cache's creation (SLOB's
	 * struct kmem_cache is a block of a slob page, which stays) */
	r->boot = harness_pages_in_use();
	for (int i = 0; i < 300; i++)
		r->objs[i] = r->ops->cache_alloc(harness_a, r->s, 0, -1);
	for (int i = 0; i < 300; i++)
		r->ops->cache_free(harness_a, r->s, r->objs[i]);
	shrink_empty();
	r->freed = harness_pages_in_use();
}

static void test_rcu(gconstpointer data)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);
	rcu_run_t r = { .ops = data };
	const rcu_stats_t *st;

	harness_boot(k);
	harness_run_served(k, rcu_fill_free, &r);
	st = rcu_stats();
	/* everything freed and shrunk, yet the memory waits for a grace period */
	g_assert_cmpuint(r.freed, >, r.boot);
	if (is_slob(r.ops)) {
		g_assert_cmpuint(st->waiting[RCU_OBJECT], ==, 300);
		g_assert_cmpuint(st->waiting_bytes[RCU_OBJECT], ==, 300 * (256 + 24));
	} else {
		g_assert_cmpuint(st->waiting[RCU_SLAB], >, 0);
		g_assert_cmpuint(r.freed - r.boot, ==, harness_rcu_slab_pages());
	}
	harness_rcu_barrier(k);
	g_assert_cmpuint(harness_pages_in_use(), ==, r.boot);
	g_assert_cmpuint(st->grace_periods, >, 0);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; GTestDataFunc fn; } tests[] = {
		{ "ctor", test_ctor }, { "zero", test_zero }, { "vmstat", test_vmstat },
		{ "rcu", test_rcu },
	};

	g_test_init(&argc, &argv, NULL);
	for (int i = 0; allocator_table[i]; i++)
		for (unsigned t = 0; t < G_N_ELEMENTS(tests); t++) {
			char *path = g_strdup_printf("/kfeatures/%s/%s", allocator_table[i]->name,
			                             tests[t].name);
			g_test_add_data_func(path, allocator_table[i], tests[t].fn);
			g_free(path);
		}
	return g_test_run();
}
