/*
 * test_slub_tune.c -- SLUB's per-cache tunables ([allocator.slub.cache.NAME]
 * order and min_objects): each changes the slab geometry as the kernel rule
 * says, the refusals of 2.6.29's order_store, and the scenario path.
 *
 * A 256-byte cache on 2 CPUs, 4 KiB pages (kernel-params B.6): min_objects
 * = 4 * (fls(2) + 1) = 12, and 12 * 256 = 3072 fits an order-0 slab with
 * no waste, so calculate_order gives order 0, 4096 / 256 = 16 objects.
 *   order = 2        (PAGE_SIZE << 2) / 256 = 64 objects, order 2;
 *   min_objects = 32 32 * 256 = 8192 needs order 1, waste 0 <= 1/16:
 *                    order 1, 32 objects.
 * order_store refuses an order above slub_max_order (3).
 */
#include <string.h>
#include "harness.h"
#include "slub.h"

static const allocator_ops_t *ops = &slub_allocator;

typedef struct tune {
	long vals[2];           /* order, min_objects */
	bool ok;
	char *why;
	cache_info_t ci;
	unsigned slab_order;    /* compound order of the first slab */
} tune_t;

static void tune_body(void *arg)
{
	tune_t *t = arg;
	kmem_cache_t *s = ops->cache_create(harness_a, "t256", 256, 0, SLAB_NO_MERGE, NULL);
	saddr_t x;

	t->ok = ops->cache_tune(harness_a, s, t->vals, &t->why);
	t->ci = harness_cache_info(s);
	x = ops->cache_alloc(harness_a, s, 0, -1);
	t->slab_order = virt_to_head_page(x)->order;
	ops->cache_free(harness_a, s, x);
}

static tune_t run_tune(long order, long min_objects)
{
	machine_t *m = harness_machine(2, 1, 32);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);
	tune_t t = { .vals = { order, min_objects } };

	harness_run_on(k, 0, tune_body, &t);
	harness_free(k, m);
	return t;
}

static void test_geometry(void)
{
	tune_t def = run_tune(-1, 0), ord = run_tune(2, 0), mo = run_tune(-1, 32);

	g_assert_true(def.ok && ord.ok && mo.ok);
	g_assert_cmpuint(def.ci.order, ==, 0);
	g_assert_cmpuint(def.ci.objects_per_slab, ==, 16);
	g_assert_cmpuint(ord.ci.order, ==, 2);
	g_assert_cmpuint(ord.ci.objects_per_slab, ==, 64);
	g_assert_cmpuint(ord.slab_order, ==, 2);
	g_assert_cmpuint(mo.ci.order, ==, 1);
	g_assert_cmpuint(mo.ci.objects_per_slab, ==, 32);
	g_assert_cmpuint(mo.slab_order, ==, 1);
}

static void test_refusals(void)
{
	tune_t high = run_tune(4, 0), both = run_tune(1, 8);

	g_assert_false(high.ok);
	g_assert_nonnull(strstr(high.why, "slub_max_order"));
	g_assert_cmpuint(high.ci.order, ==, 0);         /* unchanged */
	g_assert_false(both.ok);
	g_free(high.why);
	g_free(both.why);
}

/* [allocator.slub.cache.remote-free] order = 2 in a scenario: the cache
 * (of its own with slub_nomerge) has order-2 slabs of 64 objects; a name
 * that no cache has is an error naming it. */
static void test_scenario(void)
{
	char *dir = g_dir_make_tmp("slabsim-tune-XXXXXX", NULL), *err;
	JsonNode *root = harness_run_scenario("scenarios/quickstart.scn", dir,
	                                      "--allocators", "slub", "--set", "workload.batches=20",
	                                      "--set", "allocator.slub.slub_nomerge=1",
	                                      "--set", "allocator.slub.cache.remote-free.order=2",
	                                      NULL);

	g_assert_cmpfloat(harness_num(root, "allocators/slub/caches/remote-free/order"), ==, 2);
	g_assert_cmpfloat(harness_num(root, "allocators/slub/caches/remote-free/objects_per_slab"),
	                  ==, 64);
	json_node_unref(root);
	err = g_build_filename(dir, "err", NULL);
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "--quiet",
	                                     "--no-plots", "--out", err, "--allocators", "slub",
	                                     "--set", "allocator.slub.cache.nosuch.order=1"),
	                     2, "[allocator.slub.cache.nosuch]", "no cache called 'nosuch'");
	harness_rm_rf(dir);
	g_free(err);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slub-tune/geometry", test_geometry);
	g_test_add_func("/slub-tune/refusals", test_refusals);
	g_test_add_func("/slub-tune/scenario", test_scenario);
	return g_test_run();
}
