/*
 * agree.c -- spread, the noise rule and agreement (see agree.h).
 */
#include <math.h>
#include "agree.h"

void agree_spread(const double *x, int n, double *mean, double *sd)
{
	double sum = 0, sq = 0;

	for (int i = 0; i < n; i++)
		sum += x[i];
	*mean = n > 0 ? sum / n : 0;
	for (int i = 0; i < n; i++)
		sq += (x[i] - *mean) * (x[i] - *mean);
	*sd = n > 1 ? sqrt(sq / (n - 1)) : 0;
}

bool agree_differ(double ma, double sa, double mb, double sb, int n)
{
	double se = n > 0 ? sqrt((sa * sa + sb * sb) / n) : 0;

	return fabs(ma - mb) > 2 * se;
}

static int sign(double d)
{
	return (d > 0) - (d < 0);
}

void agree_count_pairs(const agree_row_t *r, agree_pairs_t *p)
{
	for (int i = 0; i < r->k; i++)
		for (int j = i + 1; j < r->k; j++) {
			bool tie_real = r->real[i] == r->real[j];
			bool tie_sim = !agree_differ(r->mean[i], r->sd[i], r->mean[j], r->sd[j], r->n);

			p->pairs++;
			p->tied_real += tie_real;
			p->tied_sim += tie_sim;
			if (tie_real || tie_sim)
				continue;
			if (sign(r->real[i] - r->real[j]) == sign(r->mean[i] - r->mean[j]))
				p->concordant++;
			else
				p->discordant++;
		}
}

bool agree_tau_b(const agree_pairs_t *p, double *tau)
{
	double a = p->pairs - p->tied_real, b = p->pairs - p->tied_sim;

	if (a <= 0 || b <= 0)
		return false;
	*tau = (p->concordant - p->discordant) / sqrt(a * b);
	return true;
}

double agree_best_match(const agree_row_t *r)
{
	double best_real = -INFINITY;
	int top = 0, nr = 0, ns = 0, both = 0;

	for (int i = 0; i < r->k; i++) {
		best_real = fmax(best_real, r->real[i]);
		if (r->mean[i] > r->mean[top])
			top = i;
	}
	for (int i = 0; i < r->k; i++) {
		bool in_real = r->real[i] == best_real;
		bool in_sim = !agree_differ(r->mean[i], r->sd[i], r->mean[top], r->sd[top], r->n);

		nr += in_real;
		ns += in_sim;
		both += in_real && in_sim;
	}
	return (double)both / ((double)nr * (double)ns);
}
