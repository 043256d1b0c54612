/*
 * hist.c -- log-linear histograms (see hist.h).
 */
#include <glib.h>
#include "hist.h"

/* Values below HIST_SUB map one-to-one; above, each power of two is split
 * into HIST_SUB/2 .. HIST_SUB-1 sub-buckets by its top HIST_SUB_BITS bits. */
static unsigned bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63 - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - (HIST_SUB_BITS - 1);
	return shift * (HIST_SUB / 2) + (unsigned)(v >> shift);
}

/* Largest value that falls in bucket b. */
static uint64_t bucket_top(unsigned b)
{
	if (b < HIST_SUB)
		return b;
	unsigned shift = b / (HIST_SUB / 2) - 1;
	uint64_t sub = b - (uint64_t)shift * (HIST_SUB / 2);
	return ((sub + 1) << shift) - 1;
}

/* Record one value. */
void hist_record(hist_t *h, uint64_t v)
{
	if (G_UNLIKELY(!h->buckets))
		h->buckets = g_new0(uint64_t, HIST_BUCKETS);
	h->buckets[bucket_of(v)]++;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

/* The value at rank ceil(count * q / 1000), clamped to [min, max]. */
uint64_t hist_quantile(const hist_t *h, unsigned q_per_mille)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	rank = (h->count * q_per_mille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank) {
			uint64_t top = bucket_top(b);
			return top > h->max ? h->max : (top < h->min ? h->min : top);
		}
	}
	return h->max;
}

/* Add every value of `from` into `into`. */
void hist_merge(hist_t *into, const hist_t *from)
{
	if (!from->count)
		return;
	if (!into->buckets)
		into->buckets = g_new0(uint64_t, HIST_BUCKETS);
	for (unsigned b = 0; b < HIST_BUCKETS; b++)
		into->buckets[b] += from->buckets[b];
	if (into->count == 0 || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
}

/* Free the buckets and zero the histogram. */
void hist_clear(hist_t *h)
{
	g_free(h->buckets);
	*h = (hist_t){ 0 };
}

/* Visit the non-empty buckets in increasing order. */
void hist_foreach(const hist_t *h, void (*fn)(void *ctx, uint64_t value, uint64_t count), void *ctx)
{
	for (unsigned b = 0; h->buckets && b < HIST_BUCKETS; b++)
		if (h->buckets[b])
			fn(ctx, MIN(bucket_top(b), h->max), h->buckets[b]);
}
