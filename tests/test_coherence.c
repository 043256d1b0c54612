/*
 * test_coherence.c -- prices of hand-built access sequences.
 *
 * Harness machine (tests/harness.h): 4 CPUs, 2 nodes, one socket per node
 * (CPUs 0,1 on node 0; 2,3 on node 1), remote distance 20.  Prices in ns:
 * hit 1, llc 10, xfer_socket 20, xfer_remote 100 + 2 per distance unit
 * (so 120 at distance 20), mem_local 60 + 4 per distance unit (100 remote),
 * rmw 5, inval 3 per copy.
 */
#include "harness.h"

typedef struct step {
	saddr_t addr;
	enum coh_op op;
	simtime_t took;
} step_t;

static void do_step(void *arg)
{
	step_t *s = arg;
	simtime_t t0 = know();

	coh_access(kern()->coh, s->addr, 8, s->op);
	s->took = know() - t0;
}

static simtime_t on(kernel_t *k, int cpu, saddr_t a, enum coh_op op)
{
	step_t s = { a, op, 0 };

	harness_run_on(k, cpu, do_step, &s);
	return s.took / PS_PER_NS;
}

static void test_sequence(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	saddr_t a = mem_pfn_addr(k->mem, 0);                         /* node 0 */
	saddr_t b = mem_pfn_addr(k->mem, 1);                         /* node 0 */
	const coh_stats_t *st = coh_stats(k->coh);

	g_assert_cmpuint(on(k, 0, a, COH_READ), ==, 60);   /* cold: local DRAM */
	g_assert_cmpuint(on(k, 0, a, COH_READ), ==, 1);    /* hit */
	g_assert_cmpuint(on(k, 1, a, COH_READ), ==, 10);   /* clean copy on the socket */
	/* CPU 2 (node 1) writes: fetched from CPU 1's socket at distance 20
	 * (120), and the two copies on node 0 are invalidated (2 * 3). */
	g_assert_cmpuint(on(k, 2, a, COH_WRITE), ==, 126);
	g_assert_cmpuint(on(k, 2, a, COH_WRITE), ==, 1);   /* Modified: hit */
	g_assert_cmpuint(on(k, 0, a, COH_READ), ==, 120);  /* dirty, remote */
	/* CPU 2 still holds a valid shared copy: upgrade = hit + one
	 * invalidation (CPU 0's copy) + the RMW itself. */
	g_assert_cmpuint(on(k, 2, a, COH_RMW), ==, 1 + 3 + 5);
	g_assert_cmpuint(on(k, 3, b, COH_READ), ==, 100);  /* remote DRAM */
	g_assert_cmpuint(st->accesses, ==, 8);
	g_assert_cmpuint(st->hits, ==, 2);            /* an upgrade is not a hit */
	g_assert_cmpuint(st->memory_local, ==, 1);
	g_assert_cmpuint(st->memory_remote, ==, 1);
	g_assert_cmpuint(st->transfers_same_node, ==, 1);
	g_assert_cmpuint(st->transfers_remote_node, ==, 2);
	g_assert_cmpuint(st->invalidations, ==, 3);
	harness_free(k, m);
}

static void read_span(void *arg)
{
	step_t *s = arg;
	simtime_t t0 = know();

	coh_access(kern()->coh, s->addr, 100, COH_READ);
	s->took = know() - t0;
}

/* 100 bytes from 8 bytes before a line boundary cover bytes 56..155 of
 * the page: lines 0, 1 and 2, three cold local misses (3 * 60). */
static void test_span(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	step_t s = { mem_pfn_addr(k->mem, 2) + 56, COH_READ, 0 };

	harness_run_on(k, 0, read_span, &s);
	g_assert_cmpuint(s.took / PS_PER_NS, ==, 180);
	g_assert_cmpuint(coh_stats(k->coh)->memory_local, ==, 3);
	harness_free(k, m);
}

typedef struct sweep {
	saddr_t base;
	int lines;
} sweep_t;

static void read_lines(void *arg)
{
	sweep_t *s = arg;
	for (int i = 0; i < s->lines; i++)
		coh_access(kern()->coh, s->base + (saddr_t)i * 64, 8, COH_READ);
}

/* The harness cache holds 1024 lines (128 sets x 8 ways): re-reading 1024
 * distinct lines hits every time, re-reading 2048 in order misses every
 * time (LRU evicts each line before it comes round again). */
static void test_capacity(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	sweep_t fit = { mem_pfn_addr(k->mem, 16), 1024 };
	sweep_t spill = { mem_pfn_addr(k->mem, 64), 2048 };
	const coh_stats_t *st = coh_stats(k->coh);
	uint64_t hits;

	harness_run_on(k, 0, read_lines, &fit);
	hits = st->hits;
	harness_run_on(k, 0, read_lines, &fit);
	g_assert_cmpuint(st->hits - hits, ==, 1024);
	harness_run_on(k, 1, read_lines, &spill);
	hits = st->hits;
	harness_run_on(k, 1, read_lines, &spill);
	g_assert_cmpuint(st->hits - hits, ==, 0);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/coherence/sequence", test_sequence);
	g_test_add_func("/coherence/span", test_span);
	g_test_add_func("/coherence/capacity", test_capacity);
	return g_test_run();
}
