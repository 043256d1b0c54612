/*
 * test_demos.c -- the allocator demonstration scenarios, asserted from
 * their results.json (claims C10, C11, C12, C14 of thread-results.md).
 *
 * Expected figures are derived here from the references:
 *  - SLQB's freebatch from slqb-spec.md 5.1:
 *      max(4*PAGE_SIZE/size, min(256, 64*PAGE_SIZE/size));
 *    an rlist is flushed when it holds freebatch+1 objects (spec 5.2);
 *  - SLAB's alien bytes per cache from kernel-params.md A.6: one
 *    array_cache of 12 entries (16 + 12*8 bytes, the 128-byte kmalloc class)
 *    per (node, other node), plus one pointer array of 8 bytes per node id
 *    per node, rounded up to its kmalloc class (a power of two here);
 *  - the Slabifier's list_lock cases from seed 000 (full->partial,
 *    partial->empty, taking a partial slab, deactivating a partial slab).
 */
#include <math.h>
#include "harness.h"

static char *tmpdir;

static char *out_dir(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static double alloc_num(JsonNode *r, const char *alloc, const char *path)
{
	char *full = g_strdup_printf("allocators/%s/%s", alloc, path);
	double v = harness_num(r, full);

	g_free(full);
	return v;
}

static long slqb_freebatch(long size, long page)
{
	long fb = MAX(4 * page / size, MIN(256, 64 * page / size));

	return fb ? fb : 1;
}

static double transfers(JsonNode *r, const char *alloc)
{
	return alloc_num(r, alloc, "cachelines/transfers_same_node") +
	       alloc_num(r, alloc, "cachelines/transfers_remote_node");
}

/* C10: remote frees reach the owner in batches of freebatch+1 objects, one
 * remote_free lock round trip each way, where SLUB locks the slab of every
 * remotely freed object.  On one node SLQB also moves far fewer lines;
 * across nodes it does not (SLUB's consumer empties slabs that go back to
 * the page allocator, and the producer's next slabs come from memory,
 * while SLQB recycles every object between the two CPUs). */
static void check_remote_free(const char *placement, bool same_node)
{
	char *dir = out_dir(placement), *set = g_strdup_printf("workload.placement=%s", placement);
	JsonNode *r = harness_run_scenario("scenarios/slqb-remote-free.scn", dir,
	                                   "--set", set, "--allocators", "slqb,slub", NULL);
	long fb = slqb_freebatch(64, 4096);
	double frees = alloc_num(r, "slqb", "ops/free");
	double flushes = alloc_num(r, "slqb", "stats/flush_rfree_list");
	double claims = alloc_num(r, "slqb", "stats/claim_remote_list");
	double locked = alloc_num(r, "slqb", "locks/slqb.remote_free/acquisitions");

	g_assert_cmpint(fb, ==, 256);
	g_assert_cmpfloat(alloc_num(r, "slqb", "stats/flush_rfree_list_objects"), ==, flushes * (double)(fb + 1));
	g_assert_cmpfloat(locked, ==, flushes + claims);
	g_assert_cmpfloat(claims, <=, flushes);
	/* every object went through an rlist, but those still waiting on the
	 * freeing CPU: at most hiwater (4 * freebatch) in its LIFO (same-node
	 * frees land there first) and freebatch in its rlist */
	g_assert_cmpfloat(flushes, >=, floor((frees - 5.0 * (double)fb) / (double)(fb + 1)));
	g_assert_cmpfloat(locked / frees, <=, 2.0 / (double)fb);
	g_assert_cmpfloat(alloc_num(r, "slub", "locks/slub.slab_lock/acquisitions"), >=, frees);
	if (same_node)
		g_assert_cmpfloat(transfers(r, "slqb"), <, 0.5 * transfers(r, "slub"));
	json_node_unref(r);
	g_free(set);
	g_free(dir);
}

static void test_slqb_remote_free_same_node(void)
{
	check_remote_free("local", true);
}

static void test_slqb_remote_free_cross_node(void)
{
	check_remote_free("node", false);
}

/* C14: no list_lock while CPUs only allocate; otherwise one acquisition
 * per slab state change. */
static void test_slabifier_list_lock(void)
{
	char *a = out_dir("phase-alloc"), *m = out_dir("phase-mixed");
	JsonNode *ra = harness_run_scenario("scenarios/slabifier-phases.scn", a,
	                                    "--allocators", "slabifier", NULL);
	JsonNode *rm = harness_run_scenario("scenarios/slabifier-phases.scn", m,
	                                    "--allocators", "slabifier", "--set", "workload.phase=mixed", NULL);
	const char *lock = "locks/slabifier.list_lock/acquisitions";

	g_assert_cmpfloat(alloc_num(ra, "slabifier", "ops/alloc"), ==, 16 * 2000);
	g_assert_cmpfloat(alloc_num(ra, "slabifier", lock), ==, 0);
	g_assert_cmpfloat(alloc_num(rm, "slabifier", lock), >, 0);
	g_assert_cmpfloat(alloc_num(rm, "slabifier", lock), ==,
	                  alloc_num(rm, "slabifier", "stats/free_full_to_partial") +
	                  alloc_num(rm, "slabifier", "stats/free_partial_to_empty") +
	                  alloc_num(rm, "slabifier", "stats/get_partial_locked") +
	                  alloc_num(rm, "slabifier", "stats/deactivate_partial"));
	json_node_unref(ra);
	json_node_unref(rm);
	g_free(a);
	g_free(m);
}

static double pow2_ceil(double x)
{
	double p = 8;

	while (p < x)
		p *= 2;
	return p;
}

/* C12: SLAB's alien arrays grow with nodes squared; SLQB's per-cache
 * structures with CPUs plus nodes. */
static void test_queue_growth(void)
{
	static const int nodes[] = { 64, 256, 1024 };
	double slqb[G_N_ELEMENTS(nodes)];

	for (guint i = 0; i < G_N_ELEMENTS(nodes); i++) {
		double n = nodes[i];
		char *set = g_strdup_printf("machine.nodes=%d", nodes[i]);
		char *dir = out_dir(set);
		JsonNode *r = harness_run_scenario("scenarios/queue-growth.scn", dir, "--set", set,
		                                   "--allocators", "slab,slqb", NULL);

		g_assert_cmpfloat(alloc_num(r, "slab", "caches/phases/metadata_by_category/alien"), ==,
		                  n * (n - 1) * 128 + n * pow2_ceil(8 * n));
		slqb[i] = alloc_num(r, "slqb", "caches/phases/metadata_bytes");
		json_node_unref(r);
		g_free(dir);
		g_free(set);
	}
	/* 16x the nodes on the same 1,024 CPUs: SLAB's aliens grow ~256x,
	 * SLQB's structures by less than 2x. */
	g_assert_cmpfloat(slqb[2], <, 2 * slqb[0]);
	g_assert_cmpfloat(slqb[1], <, slqb[2]);
}

static double counter(JsonNode *r, const char *alloc, const char *name)
{
	char *path = g_strdup_printf("workload_counters/%s", name);
	double v = alloc_num(r, alloc, path);

	g_free(path);
	return v;
}

/* Seed 001: shrink with defragmentation ends near the best possible slab
 * count; the plain shrink keeps every sparse slab. */
static void test_defrag(void)
{
	char *d = out_dir("defrag"), *p = out_dir("plain");
	JsonNode *rd = harness_run_scenario("scenarios/defrag.scn", d, "--allocators", "slub",
	                                    "--set", "workload.vacates=0", NULL);
	JsonNode *rp = harness_run_scenario("scenarios/defrag.scn", p, "--allocators", "slub",
	                                    "--set", "workload.vacates=0", "--set", "workload.ops=false",
	                                    "--set", "workload.shrink=plain", NULL);
	/* SLUB 2.6.29 on 16 CPUs: min_objects = 4 * (fls(16) + 1) = 24, so a
	 * 256-byte cache takes order 1: 8192 / 256 = 32 objects per slab;
	 * min_partial = clamp(ilog2(256) / 2, 5, 10) = 5 partial slabs kept,
	 * plus the CPU slab. */
	double live = counter(rd, "slub", "defrag.live");
	double best = ceil(live / 32);
	double after = alloc_num(rd, "slub", "caches/defrag/slabs");

	g_assert_cmpfloat(alloc_num(rd, "slub", "caches/defrag/objects_per_slab"), ==, 32);
	g_assert_cmpfloat(live, ==, counter(rp, "slub", "defrag.live"));
	g_assert_cmpfloat(after, >=, best);
	g_assert_cmpfloat(after, <=, best + 5 + 1);
	g_assert_cmpfloat(alloc_num(rp, "slub", "caches/defrag/slabs"), >, 2 * after);
	g_assert_cmpfloat(alloc_num(rd, "slub", "caches/defrag/active_objs"), ==, live);
	json_node_unref(rd);
	json_node_unref(rp);
	g_free(d);
	g_free(p);
}

/* Seed 001: vacate empties a page of kickable objects, and fails without
 * harm when the objects are pinned. */
static void test_vacate(void)
{
	char *k = out_dir("vacate-kick"), *p = out_dir("vacate-pinned");
	JsonNode *rk = harness_run_scenario("scenarios/defrag.scn", k, "--allocators", "slub",
	                                    "--set", "workload.shrink=none", NULL);
	JsonNode *rp = harness_run_scenario("scenarios/defrag.scn", p, "--allocators", "slub",
	                                    "--set", "workload.shrink=none",
	                                    "--set", "workload.pinned_fraction=1", NULL);

	g_assert_cmpfloat(counter(rk, "slub", "vacate.ok"), ==, 8);
	g_assert_cmpfloat(counter(rk, "slub", "vacate.moved"), >, 0);
	g_assert_cmpfloat(counter(rp, "slub", "vacate.pinned"), ==, 8);
	g_assert_cmpfloat(counter(rp, "slub", "vacate.moved"), ==, 0);
	/* nothing lost: every survivor is still allocated.  Pinned, nothing
	 * moved and no cpu slab has free objects: active (2.6.29's s_show:
	 * objects less the free ones of partial slabs) is the survivors.
	 * Kicked, the moves filled CPU 0's cpu slab, whose free objects
	 * s_show counts as active too: at most one slab more. */
	g_assert_cmpfloat(alloc_num(rp, "slub", "caches/defrag/active_objs"), ==,
	                  counter(rp, "slub", "defrag.live"));
	g_assert_cmpfloat(alloc_num(rk, "slub", "caches/defrag/active_objs"), >=,
	                  counter(rk, "slub", "defrag.live"));
	g_assert_cmpfloat(alloc_num(rk, "slub", "caches/defrag/active_objs"), <=,
	                  counter(rk, "slub", "defrag.live") +
	                  alloc_num(rk, "slub", "caches/defrag/objects_per_slab"));
	json_node_unref(rk);
	json_node_unref(rp);
	g_free(k);
	g_free(p);
}

/* The pool of a mempool run under allocator `a`:
 * allocators/A/mempools/critical_data/KEY. */
static double apool(JsonNode *r, const char *a, const char *key)
{
	char *path = g_strdup_printf("mempools/critical_data/%s", key);
	double v = alloc_num(r, a, path);

	g_free(path);
	return v;
}

static double pool(JsonNode *r, const char *key)
{
	return apool(r, "slub", key);
}

static JsonNode *mempool_run(const char *variant)
{
	char *dir = out_dir(variant), *set = g_strdup_printf("workload.variant=%s", variant);
	JsonNode *r = harness_run_scenario("scenarios/mempool.scn", dir, "--set", set, NULL);

	/* 200 rounds x 4 objects for each user (scenario and workload defaults) */
	for (int i = 0; i < 3; i++) {
		const char *a = (const char *[]){ "slub", "slab", "slabifier" }[i];

		g_assert_cmpfloat(counter(r, a, "crit.ok") + counter(r, a, "crit.failed"), ==, 800);
		g_assert_cmpfloat(apool(r, a, "crit_allocs"), ==, 800);
		g_assert_cmpfloat(apool(r, a, "crit_failures"), ==, counter(r, a, "crit.failed"));
		g_assert_cmpfloat(apool(r, a, "noncrit_failures"), ==, counter(r, a, "ordinary.failed"));
	}
	g_free(set);
	g_free(dir);
	return r;
}

/* Seed 004 under a page limit: Dobson's pool drains and leaks; with both
 * fixes, or Pekka Enberg's object pool, critical allocations keep
 * succeeding while ordinary ones fail. */
static void test_mempool(void)
{
	JsonNode *d = mempool_run("dobson"), *ret = mempool_run("dobson-return");
	JsonNode *ex = mempool_run("dobson-exclusive"), *fx = mempool_run("dobson-fixed");
	JsonNode *op = mempool_run("object-pool");
	char *csv = NULL, *path = g_build_filename(tmpdir, "dobson", "mempool-slub.csv", NULL);

	g_assert_cmpfloat(pool(d, "level"), ==, 0);          /* no return path */
	g_assert_cmpfloat(pool(d, "leaked"), >, 0);
	g_assert_cmpfloat(pool(d, "crit_failures"), >, 0);
	g_assert_cmpfloat(pool(ret, "leaked"), >, 0);        /* return alone still shares */
	g_assert_cmpfloat(pool(ex, "leaked"), ==, 0);        /* exclusive alone still drains */
	g_assert_cmpfloat(pool(ex, "level"), ==, 0);
	g_assert_cmpfloat(pool(fx, "crit_failures"), ==, 0);
	g_assert_cmpfloat(pool(fx, "leaked"), ==, 0);
	g_assert_cmpfloat(pool(fx, "level"), ==, 4);
	g_assert_cmpfloat(pool(fx, "noncrit_failures"), >, pool(d, "noncrit_failures"));
	g_assert_cmpfloat(pool(op, "crit_failures"), ==, 0);
	g_assert_cmpfloat(pool(op, "min_nr"), ==, 4 * (4096 / 256));
	/* SLAB, the patch's own allocator: the same directions, but the
	 * critical user's per-CPU array recycles its objects, so as posted it
	 * drains the pool and leaks without failing. */
	g_assert_cmpfloat(apool(d, "slab", "level"), ==, 0);
	g_assert_cmpfloat(apool(d, "slab", "leaked"), >, 0);
	g_assert_cmpfloat(apool(ret, "slab", "leaked"), >, 0);
	g_assert_cmpfloat(apool(ex, "slab", "leaked"), ==, 0);
	g_assert_cmpfloat(apool(fx, "slab", "crit_failures"), ==, 0);
	g_assert_cmpfloat(apool(fx, "slab", "leaked"), ==, 0);
	g_assert_cmpfloat(apool(fx, "slab", "noncrit_failures"), >, apool(d, "slab", "noncrit_failures"));
	g_assert_cmpfloat(apool(op, "slab", "crit_failures"), ==, 0);
	/* The Slabifier's active slab plays SLUB's cpu slab: the same run. */
	g_assert_cmpfloat(apool(d, "slabifier", "level"), ==, 0);
	g_assert_cmpfloat(apool(d, "slabifier", "leaked"), >, 0);
	g_assert_cmpfloat(apool(d, "slabifier", "crit_failures"), >, 0);
	g_assert_cmpfloat(apool(ex, "slabifier", "leaked"), ==, 0);
	g_assert_cmpfloat(apool(fx, "slabifier", "crit_failures"), ==, 0);
	g_assert_cmpfloat(apool(fx, "slabifier", "level"), ==, 4);
	g_assert_cmpfloat(apool(fx, "slabifier", "noncrit_failures"), >,
	                  apool(d, "slabifier", "noncrit_failures"));
	/* the level over time, from a full reserve */
	g_assert_true(g_file_get_contents(path, &csv, NULL, NULL));
	g_assert_true(g_str_has_prefix(csv, "allocator,time_ns,critical_data_level\nslub,0,4\n"));
	json_node_unref(d);
	json_node_unref(ret);
	json_node_unref(ex);
	json_node_unref(fx);
	json_node_unref(op);
	g_free(csv);
	g_free(path);
}

int main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-demos-XXXXXX", NULL);
	g_test_add_func("/demos/slqb-remote-free-same-node", test_slqb_remote_free_same_node);
	g_test_add_func("/demos/slqb-remote-free-cross-node", test_slqb_remote_free_cross_node);
	g_test_add_func("/demos/slabifier-list-lock", test_slabifier_list_lock);
	g_test_add_func("/demos/queue-growth", test_queue_growth);
	g_test_add_func("/demos/defrag", test_defrag);
	g_test_add_func("/demos/vacate", test_vacate);
	g_test_add_func("/demos/mempool", test_mempool);
	status = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return status;
}
