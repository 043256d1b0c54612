/*
 * test_hist.c -- percentiles of the log-linear histogram, merging, the
 * bucket walk, and the edges (empty, p0, merging into or from nothing).
 */
#include <glib.h>
#include "hist.h"

/* Values 1..100000 once each: the exact p50 is 50000, p99 99000.  A
 * bucket spans at most 1/64 of its value, so the reported upper edge lies
 * in [exact, exact * (1 + 1/64)]. */
static void test_uniform(void)
{
	hist_t h = { 0 };
	const unsigned q[] = { 500, 900, 990, 999 };
	uint64_t prev = 0;

	for (uint64_t v = 1; v <= 100000; v++)
		hist_record(&h, v);
	for (size_t i = 0; i < G_N_ELEMENTS(q); i++) {
		uint64_t exact = 100000ULL * q[i] / 1000, got = hist_quantile(&h, q[i]);
		g_assert_cmpuint(got, >=, exact);
		g_assert_cmpuint(got, <=, exact + exact / 64);
		g_assert_cmpuint(got, >=, prev);
		prev = got;
	}
	g_assert_cmpuint(hist_quantile(&h, 1000), ==, 100000);
	g_assert_cmpuint(h.min, ==, 1);
	g_assert_cmpuint(h.sum, ==, 100000ULL * 100001 / 2);
	hist_clear(&h);
}

/* Small values (< 128) are exact. */
static void test_small_exact(void)
{
	hist_t h = { 0 };

	for (uint64_t v = 0; v < 100; v++)
		hist_record(&h, v);
	g_assert_cmpuint(hist_quantile(&h, 500), ==, 49);   /* rank 50 of 0..99 */
	g_assert_cmpuint(hist_quantile(&h, 990), ==, 98);
	hist_clear(&h);
}

/* Merging equals recording everything in one. */
static void test_merge(void)
{
	hist_t a = { 0 }, b = { 0 }, all = { 0 };

	for (uint64_t v = 1; v < 5000; v += 3) {
		hist_record(v % 2 ? &a : &b, v * 997);
		hist_record(&all, v * 997);
	}
	hist_merge(&a, &b);
	for (unsigned q = 100; q <= 1000; q += 100)
		g_assert_cmpuint(hist_quantile(&a, q), ==, hist_quantile(&all, q));
	g_assert_cmpuint(a.count, ==, all.count);
	hist_clear(&a);
	hist_clear(&b);
	hist_clear(&all);
}

static void sum_counts(void *ctx, uint64_t value, uint64_t count)
{
	uint64_t *acc = ctx;

	g_assert_cmpuint(value, >, acc[1]);     /* increasing */
	acc[0] += count;
	acc[1] = value;
}

/* An empty histogram answers 0; p0 is the smallest value's bucket, the
 * minimum when it is exact (< 128); merging nothing changes nothing;
 * merging into an empty one copies count, sum, min and max; the bucket
 * walk counts every value once, in increasing order, capped at max. */
static void test_edges(void)
{
	hist_t h = { 0 }, none = { 0 }, copy = { 0 };
	uint64_t acc[2] = { 0, 0 };

	g_assert_cmpuint(hist_quantile(&h, 500), ==, 0);
	hist_record(&h, 7);
	hist_record(&h, 100);
	hist_record(&h, 1000000);
	g_assert_cmpuint(hist_quantile(&h, 0), ==, 7);
	g_assert_cmpuint(hist_quantile(&h, 1000), ==, 1000000);
	hist_merge(&h, &none);
	g_assert_cmpuint(h.count, ==, 3);
	hist_merge(&copy, &h);
	g_assert_cmpuint(copy.count, ==, 3);
	g_assert_cmpuint(copy.sum, ==, 7 + 100 + 1000000);
	g_assert_cmpuint(copy.min, ==, 7);
	g_assert_cmpuint(copy.max, ==, 1000000);
	g_assert_cmpuint(hist_quantile(&copy, 500), ==, 100);
	hist_foreach(&copy, sum_counts, acc);
	g_assert_cmpuint(acc[0], ==, 3);
	g_assert_cmpuint(acc[1], ==, 1000000);
	hist_clear(&h);
	hist_clear(&copy);
	g_assert_cmpuint(h.count, ==, 0);
	g_assert_null(h.buckets);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hist/uniform", test_uniform);
	g_test_add_func("/hist/small-exact", test_small_exact);
	g_test_add_func("/hist/merge", test_merge);
	g_test_add_func("/hist/edges", test_edges);
	return g_test_run();
}
