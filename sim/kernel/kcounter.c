/*
 * kcounter.c -- host counters kept per CPU (see kcounter.h).
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "kcounter.h"

#define KCOUNTER_ROW 128        /* bytes a row is rounded to: two lines */

kcounters_t *kcounters_new(int n, int ncpus)
{
	kcounters_t *c = g_new0(kcounters_t, 1);
	size_t row = ((size_t)n * sizeof(int64_t) + KCOUNTER_ROW - 1) / KCOUNTER_ROW * KCOUNTER_ROW;

	c->n = n;
	c->ncpus = ncpus;
	c->stride = row / sizeof(int64_t);
	if (posix_memalign((void **)&c->v, KCOUNTER_ROW, row * (size_t)ncpus))
		g_error("kcounters: out of memory");
	memset(c->v, 0, row * (size_t)ncpus);
	return c;
}

void kcounters_free(kcounters_t *c)
{
	if (!c)
		return;
	free(c->v);
	g_free(c);
}

int64_t kcounter_cpu(const kcounters_t *c, int cpu, int i)
{
	return c->v[(size_t)cpu * c->stride + (size_t)i];
}

int64_t kcounter_sum(const kcounters_t *c, int i)
{
	int64_t s = 0;

	for (int cpu = 0; cpu < c->ncpus; cpu++)
		s += kcounter_cpu(c, cpu, i);
	return s;
}
