/*
 * test_local.c -- a purely local workload stays on its CPUs: two CPUs of
 * one node each allocate an object from the same cache, write it and free
 * it, a thousand times.  Each CPU's per-CPU structures live in its own
 * per-CPU area, so once warm the loop moves no cache line between the two
 * CPUs in SLUB, slub-6, SLAB and SLQB: a first run warms the caches (its slab
 * growth also folds the zone's shared vmstat counters, which do move
 * lines), a second one is measured (a handful of transfers is allowed:
 * under 1% of the operations).
 */
#include "harness.h"

#define ROUNDS 1000

static kmem_cache_t *cache;

static void loop(void *arg, int cpu)
{
	(void)arg;
	(void)cpu;
	for (int i = 0; i < ROUNDS; i++) {
		saddr_t x = harness_ops->cache_alloc(harness_a, cache, 0, -1);
		ktouch(x, 64, true);
		harness_ops->cache_free(harness_a, cache, x);
	}
}

static void make_cache(void *arg)
{
	(void)arg;
	cache = harness_ops->cache_create(harness_a, "local", 256, 0, 0, NULL);
}

static void test_local(gconstpointer data)
{
	machine_t *m = harness_machine(4, 1, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);
	int cpus[2] = { 0, 1 };
	uint64_t before;

	harness_run_on(k, 0, make_cache, NULL);
	harness_run_many(k, cpus, 2, loop, NULL);
	before = coh_stats(k->coh)->all.transfers_same_node;
	harness_run_many(k, cpus, 2, loop, NULL);
	g_assert_cmpuint(coh_stats(k->coh)->all.transfers_same_node - before, <, 2 * 2 * ROUNDS / 100);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "slub", "slub-6", "slab", "slqb" };

	g_test_init(&argc, &argv, NULL);
	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
		char *path = g_strdup_printf("/local/%s", names[i]);
		g_test_add_data_func(path, allocator_find(names[i]), test_local);
		g_free(path);
	}
	return g_test_run();
}
