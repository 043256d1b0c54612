/*
 * test_agree.c -- the noise rule and the agreement arithmetic (sim/base/agree.c)
 * against small tables worked out by hand.
 */
#include <math.h>
#include <glib.h>
#include "agree.h"

static void test_spread(void)
{
	const double x[] = { 1, 2, 3, 4 };
	double mean, sd;

	agree_spread(x, 4, &mean, &sd);
	g_assert_cmpfloat_with_epsilon(mean, 2.5, 1e-12);
	/* squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3 */
	g_assert_cmpfloat_with_epsilon(sd, sqrt(5.0 / 3.0), 1e-12);
	agree_spread(x, 1, &mean, &sd);
	g_assert_cmpfloat(sd, ==, 0);
}

static void test_differ(void)
{
	/* 4 seeds, sd 0.01 each: 2 * sqrt(0.0002 / 4) = 0.014142 */
	g_assert_true(agree_differ(1.00, 0.01, 1.015, 0.01, 4));
	g_assert_false(agree_differ(1.00, 0.01, 1.014, 0.01, 4));
	/* no spread: any difference counts, equality does not */
	g_assert_true(agree_differ(1.0, 0, 1.0000001, 0, 1));
	g_assert_false(agree_differ(1.0, 0, 1.0, 0, 1));
}

/* Row 1: real A 1.00, B 1.02, C 0.99; simulated 1.00, 1.01, 1.005 exactly.
 *   A-B concordant, A-C discordant, B-C concordant: C 2, D 1, n0 3.
 *   best: B real, B alone simulated: 1.
 * Row 2: real 1.00, 1.00, 1.03; simulated 1.00, 1.02, 1.02, sd 0.01 over
 *   4 seeds (2 SE = 0.0141): A-B real tie (n1), A-C concordant, B-C
 *   simulated tie (n2).  best: C real; B and C tied simulated: 1/2.
 * Pooled: C 3, D 1, n0 6, n1 1, n2 1: tau-b = 2 / sqrt(5 * 5) = 0.4;
 * mean best match 0.75. */
static void test_table(void)
{
	const double r1[] = { 1.00, 1.02, 0.99 }, m1[] = { 1.00, 1.01, 1.005 }, s1[] = { 0, 0, 0 };
	const double r2[] = { 1.00, 1.00, 1.03 }, m2[] = { 1.00, 1.02, 1.02 }, s2[] = { 0.01, 0.01, 0.01 };
	agree_row_t rows[] = { { 3, r1, m1, s1, 1 }, { 3, r2, m2, s2, 4 } };
	agree_pairs_t p = { 0 };
	double tau;

	agree_count_pairs(&rows[0], &p);
	g_assert_cmpfloat(p.concordant, ==, 2);
	g_assert_cmpfloat(p.discordant, ==, 1);
	agree_count_pairs(&rows[1], &p);
	g_assert_cmpfloat(p.pairs, ==, 6);
	g_assert_cmpfloat(p.tied_real, ==, 1);
	g_assert_cmpfloat(p.tied_sim, ==, 1);
	g_assert_true(agree_tau_b(&p, &tau));
	g_assert_cmpfloat_with_epsilon(tau, 0.4, 1e-12);
	g_assert_cmpfloat_with_epsilon(agree_best_match(&rows[0]), 1.0, 1e-12);
	g_assert_cmpfloat_with_epsilon(agree_best_match(&rows[1]), 0.5, 1e-12);
}

/* A simulation that separates nothing has no tau; its best match is 1/k. */
static void test_all_tied(void)
{
	const double r[] = { 1.0, 1.1, 0.9, 1.05 }, m[] = { 1.0, 1.0, 1.0, 1.0 }, s[] = { 0, 0, 0, 0 };
	agree_row_t row = { 4, r, m, s, 1 };
	agree_pairs_t p = { 0 };
	double tau;

	agree_count_pairs(&row, &p);
	g_assert_false(agree_tau_b(&p, &tau));
	g_assert_cmpfloat_with_epsilon(agree_best_match(&row), 0.25, 1e-12);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/agree/spread", test_spread);
	g_test_add_func("/agree/noise-rule", test_differ);
	g_test_add_func("/agree/table", test_table);
	g_test_add_func("/agree/all-tied", test_all_tied);
	return g_test_run();
}
