/*
 * agree.h -- spread over seeds, the noise rule, and agreement between two
 * orderings.
 *
 * Owns: the arithmetic every comparison of allocators states: the mean and
 * sample standard deviation of a figure over seeds; the noise rule that
 * decides whether two allocators differ (docs/model.md, "Noise"); and the
 * agreement of a simulated table with a real one (best-allocator match and
 * pooled Kendall tau-b, docs/validation.md).  Pure functions of their
 * arguments; no simulation state.
 */
#ifndef SLABSIM_AGREE_H
#define SLABSIM_AGREE_H

#include <stdbool.h>

/* Mean and sample standard deviation (n - 1 in the denominator; 0 when
 * n < 2) of x[0..n). */
void agree_spread(const double *x, int n, double *mean, double *sd);

/* The noise rule: figures with means ma, mb and sample standard deviations
 * sa, sb, each over n seeds, differ when |ma - mb| > 2 * sqrt((sa^2 + sb^2) / n),
 * twice the standard error of the difference.  With no spread (sa = sb = 0)
 * any difference counts. */
bool agree_differ(double ma, double sa, double mb, double sb, int n);

/* One row of a table: k allocators' real values (higher is better),
 * their simulated means and standard deviations over n seeds. */
typedef struct agree_row {
	int k;
	const double *real;
	const double *mean;
	const double *sd;
	int n;
} agree_row_t;

/* Pair counts of a pooled Kendall tau-b. */
typedef struct agree_pairs {
	double concordant, discordant;
	double pairs;           /* n0: every pair of allocators in every row */
	double tied_real;       /* n1: equal real values */
	double tied_sim;        /* n2: simulated values that do not differ */
} agree_pairs_t;

/* Count the pairs of one row into *p.  A real tie is equality; a
 * simulated tie is a pair the noise rule does not separate. */
void agree_count_pairs(const agree_row_t *row, agree_pairs_t *p);

/* Kendall tau-b of pooled pair counts: (C - D) / sqrt((n0 - n1)(n0 - n2));
 * false (no value) when either factor is zero, e.g. when the simulation
 * separates no pair. */
bool agree_tau_b(const agree_pairs_t *p, double *tau);

/* Best-allocator match of one row: with B_r the allocators of highest real
 * value and B_s those the noise rule does not separate from the highest
 * simulated mean, |B_r & B_s| / (|B_r| |B_s|): 1 for the same single best,
 * 1/k when the simulation ties k allocators for best, one of them right. */
double agree_best_match(const agree_row_t *row);

#endif
