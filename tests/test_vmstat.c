/*
 * test_vmstat.c -- the slab zone counters (sim/kernel/vmstat.c) against
 * 2.6.29's mm/vmstat.c: calculate_threshold against the sample thresholds
 * its comment tabulates; __mod_zone_page_state's differential, folded
 * into the zone and global counters only past the threshold; and the
 * acceptance rule of issue 14: over S simulated seconds every CPU folds
 * its differentials S times (within one), as housekeeping labelled
 * vmstat_update.
 *
 * Harness machine (tests/harness.h): HZ 250, 4 KiB pages, 16 MiB a node
 * here: 4,096 pages less a mem_map of 56 pages, so 4,040 present pages,
 * under 128 MiB: threshold 2 * fls(ncpus) * (1 + fls(0)) = 2 * fls(ncpus).
 */
#include "harness.h"

#define GIB(x)  ((uint64_t)((x) * (1 << 18)))   /* 4 KiB pages in x GiB */

/* The rows of calculate_threshold's table that its formula reproduces
 * (threshold, processors, zone size). */
static void test_threshold(void)
{
	static const struct { int threshold, cpus; uint64_t pages; } rows[] = {
		{ 8, 1, GIB(0.95) }, { 16, 2, GIB(0.95) }, { 20, 2, GIB(1.5) },
		{ 24, 2, GIB(3) }, { 28, 2, GIB(6) }, { 32, 2, GIB(12) },
		{ 4, 2, GIB(0.1) }, { 48, 4, GIB(12) }, { 10, 16, GIB(0.1) },
		{ 40, 16, GIB(0.88) }, { 125, 1024, GIB(12) }, { 125, 1024, GIB(24) },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++)
		g_assert_cmpint(vmstat_threshold(rows[i].pages, rows[i].cpus, 12), ==, rows[i].threshold);
}

/* The harness machine's zones: 4,040 present pages, 2 CPUs -> 4. */
static void test_machine_threshold(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);

	g_assert_cmpint(vmstat_zone_threshold(0), ==, 2 * 2 * (1 + 0));
	g_assert_cmpint(vmstat_zone_threshold(1), ==, 4);
	harness_free(k, m);
}

typedef struct diff_run {
	long diff[8], zone[8];
	uint64_t atomics[8];
} diff_run_t;

/* Eight single-page updates on node 1's zone from CPU 0: +1 five times,
 * then -1 three times. */
static void diff_body(void *arg)
{
	diff_run_t *d = arg;
	page_t *page = pa_pfn_to_page(kern()->pa, kern()->mem->pages_per_node);   /* node 1 */

	for (int i = 0; i < 8; i++) {
		uint64_t rmw0 = engine_current()->cost[COST_ATOMIC];

		mod_zone_page_state(page, NR_SLAB_UNRECLAIMABLE, i < 5 ? 1 : -1);
		d->diff[i] = vmstat_cpu_diff(0, 1, NR_SLAB_UNRECLAIMABLE);
		d->zone[i] = zone_page_state(1, NR_SLAB_UNRECLAIMABLE);
		d->atomics[i] = (engine_current()->cost[COST_ATOMIC] - rmw0) / (5 * PS_PER_NS);
	}
}

/* Threshold 4: x = diff + delta goes to the zone (and vm_stat) when it
 * leaves [-4, 4], with two atomic adds; else it stays in the CPU's s8. */
static void test_differential(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	diff_run_t d = { 0 };
	static const long diff[8] = { 1, 2, 3, 4, 0, -1, -2, -3 };
	static const long zone[8] = { 0, 0, 0, 0, 5, 5, 5, 5 };

	harness_run_on(k, 0, diff_body, &d);
	for (int i = 0; i < 8; i++) {
		g_assert_cmpint(d.diff[i], ==, diff[i]);
		g_assert_cmpint(d.zone[i], ==, zone[i]);
		g_assert_cmpuint(d.atomics[i], ==, i == 4 ? 2 : 0);    /* harness rmw: 5 ns */
	}
	g_assert_cmpint(global_page_state(NR_SLAB_UNRECLAIMABLE), ==, 5);
	g_assert_cmpint(zone_page_state(0, NR_SLAB_UNRECLAIMABLE), ==, 0);
	harness_free(k, m);
}

#define SECONDS 5

/* Every CPU puts 3 pages in its differential of its own zone, starts the
 * timers (CPU 0) and computes for SECONDS seconds. */
static void fold_body(void *arg, int cpu)
{
	page_t *page = pa_pfn_to_page(kern()->pa, kern()->mem->pages_per_node * (uint64_t)numa_node_id());

	(void)arg;
	mod_zone_page_state(page, NR_SLAB_RECLAIMABLE, 3);
	if (cpu == 0)
		vmstat_start();
	kernel_compute(SECONDS * PS_PER_SEC, COST_THINK);
}

static void test_fold_each_second(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[4] = { 0, 1, 2, 3 };
	const kwork_source_t *w;
	uint64_t folds = 0;

	harness_run_many(k, cpus, 4, fold_body, NULL);
	for (int c = 0; c < 4; c++) {
		g_assert_cmpuint(vmstat_cpu_folds(c), >=, SECONDS - 1);
		g_assert_cmpuint(vmstat_cpu_folds(c), <=, SECONDS + 1);
		g_assert_cmpint(vmstat_cpu_diff(c, cpu_to_node(c), NR_SLAB_RECLAIMABLE), ==, 0);
		folds += vmstat_cpu_folds(c);
	}
	/* two CPUs a node, 3 pages each: folded into the zones and vm_stat */
	g_assert_cmpint(zone_page_state(0, NR_SLAB_RECLAIMABLE), ==, 6);
	g_assert_cmpint(zone_page_state(1, NR_SLAB_RECLAIMABLE), ==, 6);
	g_assert_cmpint(global_page_state(NR_SLAB_RECLAIMABLE), ==, 12);
	/* priced, and reported as housekeeping of its own */
	w = harness_work_source("vmstat_update");
	g_assert_nonnull(w);
	g_assert_cmpuint(w->runs, ==, folds);
	g_assert_cmpuint(w->total, >, 0);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vmstat/threshold", test_threshold);
	g_test_add_func("/vmstat/machine-threshold", test_machine_threshold);
	g_test_add_func("/vmstat/differential", test_differential);
	g_test_add_func("/vmstat/fold-each-second", test_fold_each_second);
	return g_test_run();
}
