/*
 * test_native_run.c -- `run --native` and `check-model` end to end
 * (docs/native.md): every allocator runs quickstart's pair on host
 * threads, results.json leaves out what only a simulation has, the
 * operation counts are the workload's own, check-model's prediction is
 * the simulation's figure, and a workload that cannot run natively says
 * so.  Built in the tsan variant too, so the executor's threads, queues
 * and Lua states run under ThreadSanitizer.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include "harness.h"

#define BATCHES "40"            /* batches of 32 objects per producer */

static char *scratch, *profile;

/* A quick profile of this host, once (the native runs use it). */
static void make_profile(void)
{
	harness_result_t r;

	scratch = g_dir_make_tmp("native-run-XXXXXX", NULL);
	profile = g_build_filename(scratch, "host.machine", NULL);
	r = harness_slabsim("machine", "--from-host", "--quick", "--out", profile);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
}

static JsonNode *load_json(const char *dir, const char *name)
{
	char *text = harness_read_text(dir, name);
	JsonNode *n = json_from_string(text, NULL);

	g_assert_nonnull(n);
	g_free(text);
	return n;
}

static bool has(JsonNode *root, const char *alloc, const char *member)
{
	JsonObject *a = json_object_get_object_member(
		json_object_get_object_member(json_node_get_object(root), "allocators"), alloc);

	return json_object_has_member(a, member);
}

/* Each allocator's counts are the workload's (producer: BATCHES x 32
 * allocations; consumer: as many frees); what only a simulation has is
 * absent, not zero. */
static void test_run(void)
{
	char *out = g_build_filename(scratch, "run", NULL), *all = harness_all_allocators();
	char **names = g_strsplit(all, ",", -1), *set_alloc = g_strconcat("--allocators=", all, NULL);
	harness_result_t r = harness_slabsim("run", "scenarios/quickstart.scn", "--native",
	                                     "--host-machine", profile, "--quiet", "--no-plots",
	                                     "--force", "--out", out, set_alloc,
	                                     "--set", "workload.placement=local",
	                                     "--set", "workload.pairs=1",
	                                     "--set", "workload.batches=" BATCHES);
	JsonNode *res, *prov;

	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	res = load_json(out, "results.json");
	prov = load_json(out, "provenance.json");
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(prov), "mode"), ==,
	                "native");
	for (int i = 0; names[i]; i++) {
		char *p = g_strdup_printf("allocators/%s/ops/alloc", names[i]);
		char *q = g_strdup_printf("allocators/%s/ops/free", names[i]);
		char *t = g_strdup_printf("allocators/%s/native/timer_cost_ns", names[i]);
		char *l = g_strdup_printf("allocators/%s/end/live_objects", names[i]);

		g_assert_cmpfloat(harness_num(res, p), ==, atoi(BATCHES) * 32);
		g_assert_cmpfloat(harness_num(res, q), ==, atoi(BATCHES) * 32);
		g_assert_cmpfloat(harness_num(res, l), ==, 0);
		g_assert_cmpfloat(harness_num(res, t), >, 0);
		g_assert_false(has(res, names[i], "cachelines"));
		g_assert_false(has(res, names[i], "locks"));
		g_assert_false(has(res, names[i], "breakdown_ns_per_op"));
		g_assert_false(has(res, names[i], "cpu_time_ns"));
		g_assert_false(has(res, names[i], "simulated_ns"));
		g_free(p);
		g_free(q);
		g_free(t);
		g_free(l);
	}
	json_node_unref(res);
	json_node_unref(prov);
	g_strfreev(names);
	g_free(set_alloc);
	g_free(all);
	g_free(out);
}

/* check-model: every figure of both allocators, the prediction equal to
 * the simulated run's throughput on the same profile, and a verdict. */
static void test_check_model(void)
{
	char *out = g_build_filename(scratch, "check", NULL);
	char *sim = g_build_filename(scratch, "sim", NULL);
	char *mset = g_strconcat("scenario.machine=", profile, NULL);
	harness_result_t r = harness_slabsim("check-model", "scenarios/quickstart.scn", "--runs", "2",
	                                     "--host-machine", profile, "--no-plots", "--force",
	                                     "--out", out, "--allocators=slab,slub",
	                                     "--set", "workload.placement=local",
	                                     "--set", "workload.pairs=1",
	                                     "--set", "workload.batches=" BATCHES);
	JsonNode *mc, *res;

	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "ordering by ops/s"));
	g_assert_nonnull(strstr(r.out, "pred/meas"));
	harness_result_free(&r);
	mc = load_json(out, "model-check.json");
	res = harness_run_scenario("scenarios/quickstart.scn", sim, "--allocators=slab,slub",
	                           "--set", mset, "--set", "workload.placement=local",
	                           "--set", "workload.pairs=1", "--set", "workload.batches=" BATCHES,
	                           NULL);
	g_assert_cmpfloat(harness_num(mc, "native_runs"), ==, 2);
	for (int i = 0; i < 2; i++) {
		const char *a = i ? "slub" : "slab";
		char *p = g_strdup_printf("allocators/%s/throughput_ops_per_sec/predicted", a);
		char *s = g_strdup_printf("allocators/%s/throughput_ops_per_sec", a);
		char *m = g_strdup_printf("allocators/%s/alloc_p99_ns/measured", a);
		char *lo = g_strdup_printf("allocators/%s/alloc_p99_ns/measured_min", a);
		char *hi = g_strdup_printf("allocators/%s/alloc_p99_ns/measured_max", a);

		g_assert_cmpfloat_with_epsilon(harness_num(mc, p), harness_num(res, s),
		                               harness_num(res, s) * 1e-9);
		g_assert_cmpfloat(harness_num(mc, lo), <=, harness_num(mc, m));
		g_assert_cmpfloat(harness_num(mc, m), <=, harness_num(mc, hi));
		g_free(p);
		g_free(s);
		g_free(m);
		g_free(lo);
		g_free(hi);
	}
	g_assert_true(json_object_has_member(json_object_get_object_member(
		json_node_get_object(mc), "ordering"), "throughput_ops_per_sec"));
	json_node_unref(mc);
	json_node_unref(res);
	g_free(mset);
	g_free(sim);
	g_free(out);
}

/* A workload using what a native run cannot do is refused by name. */
static void test_refused(void)
{
	char *out = g_build_filename(scratch, "refused", NULL);

	harness_expect_error(harness_slabsim("run", "scenarios/mempool.scn", "--native", "--quiet",
	                                     "--host-machine", profile, "--no-plots", "--force",
	                                     "--out", out, "--allocators=slab"),
	                     2, "cannot run natively", "mempool");
	g_free(out);
}

int main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	make_profile();
	g_test_add_func("/native-run/run", test_run);
	g_test_add_func("/native-run/check-model", test_check_model);
	g_test_add_func("/native-run/refused", test_refused);
	status = g_test_run();
	harness_rm_rf(scratch);
	g_free(profile);
	g_free(scratch);
	return status;
}
