/*
 * test_seeds.c -- `--seeds N`: each allocator runs with seeds SEED..
 * SEED+N-1; results.json keeps the first seed's figures whole, every
 * seed's headline figures under `seeds`, and their mean and sample
 * standard deviation under `spread`, which must equal those of N separate
 * runs with --seed computed here; with several allocators the comparison
 * table shows mean ± sd.
 */
#include <math.h>
#include <string.h>
#include "harness.h"

#define SCN "scenarios/quickstart.scn"

static double throughput(JsonNode *r)
{
	return harness_num(r, "allocators/slob/throughput_ops_per_sec");
}

static void test_seeds(void)
{
	char *dir = g_dir_make_tmp("slabsim-seeds-XXXXXX", NULL);
	char *all = g_build_filename(dir, "all", NULL), *report, *text = NULL;
	double x[3], mean = 0, sq = 0;
	JsonNode *r;

	for (int i = 0; i < 3; i++) {
		char *one = g_strdup_printf("%s/seed%d", dir, i + 1), *seed = g_strdup_printf("%d", i + 1);
		r = harness_run_scenario(SCN, one, "-a", "slob", "--seed", seed,
		                         "--set", "workload.batches=50", NULL);
		x[i] = throughput(r);
		mean += x[i] / 3;
		json_node_unref(r);
		g_free(one);
		g_free(seed);
	}
	for (int i = 0; i < 3; i++)
		sq += (x[i] - mean) * (x[i] - mean);
	r = harness_run_scenario(SCN, all, "-a", "slob,slab", "--seed", "1", "--seeds", "3",
	                         "--set", "workload.batches=50", NULL);
	g_assert_cmpfloat(throughput(r), ==, x[0]);             /* seed 1, whole */
	g_assert_cmpfloat_with_epsilon(harness_num(r, "allocators/slob/spread/throughput_ops_per_sec/mean"),
	                               mean, mean * 1e-12);
	g_assert_cmpfloat_with_epsilon(harness_num(r, "allocators/slob/spread/throughput_ops_per_sec/sd"),
	                               sqrt(sq / 2), mean * 1e-12);
	g_assert_cmpfloat(harness_num(r, "allocators/slob/spread/throughput_ops_per_sec/n"), ==, 3);
	json_node_unref(r);
	report = g_build_filename(all, "report.txt", NULL);
	g_assert_true(g_file_get_contents(report, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "±"));
	g_free(text);
	g_free(report);
	harness_rm_rf(dir);
	g_free(all);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/seeds/spread", test_seeds);
	return g_test_run();
}
