/*
 * hist.h -- log-linear latency histograms (HDR style).
 *
 * Owns: one histogram of picosecond values: exact count, sum, min and max;
 * buckets of 2/HIST_SUB of a power of two, so a percentile is reported
 * with a relative error below 2/HIST_SUB (1/64).  Percentiles return the
 * upper edge of the bucket holding the requested rank (never below the
 * true value, never above max).
 */
#ifndef SLABSIM_HIST_H
#define SLABSIM_HIST_H

#include "types.h"

#define HIST_SUB_BITS 7
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((64 - HIST_SUB_BITS + 2) * (HIST_SUB / 2))

typedef struct hist {
	uint64_t count;
	uint64_t sum;             /* ps; wraps only past 213 days of total */
	uint64_t min, max;
	uint64_t *buckets;        /* HIST_BUCKETS, allocated on first record */
} hist_t;

void hist_record(hist_t *h, uint64_t v);
/* Value at quantile q_permille/1000 (e.g. 500 = p50, 999 = p99.9). */
uint64_t hist_quantile(const hist_t *h, unsigned q_per_mille);
void hist_merge(hist_t *into, const hist_t *from);
void hist_clear(hist_t *h);
/* Call fn(ctx, upper edge of bucket, count) for each non-empty bucket, in
 * increasing value order. */
void hist_foreach(const hist_t *h, void (*fn)(void *ctx, uint64_t value, uint64_t count), void *ctx);

#endif
