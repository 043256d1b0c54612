/*
 * test_coherence.c -- prices of hand-built access sequences: first touch
 * priced as local or remote memory by SLIT distance, then a hit; a store
 * invalidates every other copy (3 ns each) and the next read elsewhere is
 * a transfer priced by distance; clean lines from the socket; the
 * private cache's capacity and its 8-way LRU sets, the host memory its
 * sets hold (only those filled, grown as they fill), and the write-back of
 * an evicted Modified line; the shared LLC, inclusive (filled with every
 * line, its evictions taking the private copies) and not (filled with the
 * private caches' victims); counts by kind of memory; a range access
 * against the same lines one by one.
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
	const coh_counts_t *st = &coh_stats(k->coh)->all;

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
	g_assert_cmpuint(coh_stats(k->coh)->all.memory_local, ==, 3);
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
	const coh_counts_t *st = &coh_stats(k->coh)->all;
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

/* ---- prices by SLIT distance ----
 *
 * 4 CPUs on 4 nodes (one each, one socket per node), node 0 at distance
 * 20, 30 and 40 from nodes 1, 2 and 3: memory from CPU 0 costs
 * 60 + 4 * (d - 10) = 100, 140, 180; a line held by CPU n reaches CPU 0
 * in 100 + 2 * (d - 10) = 120, 140, 160. */
static machine_t *distance_machine(void)
{
	machine_t *m = harness_machine(4, 4, 16);

	harness_set_distance(m, 0, 2, 30);
	harness_set_distance(m, 0, 3, 40);
	return m;
}

static saddr_t on_node(kernel_t *k, int node)
{
	return mem_pfn_addr(k->mem, (uint64_t)node * k->mem->pages_per_node);
}

static void test_first_touch_by_distance(void)
{
	machine_t *m = distance_machine();
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	static const simtime_t mem[4] = { 60, 100, 140, 180 };
	const coh_counts_t *st = &coh_stats(k->coh)->all;

	for (int n = 0; n < 4; n++)
		g_assert_cmpuint(on(k, 0, on_node(k, n), COH_READ), ==, mem[n]);
	for (int n = 0; n < 4; n++)
		g_assert_cmpuint(on(k, 0, on_node(k, n), COH_READ), ==, 1);
	/* A cold store costs the same fetch, and nothing to invalidate. */
	g_assert_cmpuint(on(k, 0, on_node(k, 3) + 64, COH_WRITE), ==, 180);
	g_assert_cmpuint(st->memory_local, ==, 1);
	g_assert_cmpuint(st->memory_remote, ==, 4);
	g_assert_cmpuint(st->hits, ==, 4);
	g_assert_cmpuint(st->invalidations, ==, 0);
	harness_free(k, m);
}

/* One line on node 0, read by CPU 0, then written by CPU 3, 2 and 1 in
 * turn, CPU 0 reading after each store.  A store fetches the line from
 * its last filler (CPU 0: by distance from node 0) and invalidates every
 * other valid copy; CPU 0's next read pulls the Modified line from the
 * writer, priced by the writer's distance. */
static void test_transfer_by_distance(void)
{
	machine_t *m = distance_machine();
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	saddr_t x = on_node(k, 0);
	const coh_counts_t *st = &coh_stats(k->coh)->all;

	g_assert_cmpuint(on(k, 0, x, COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 3, x, COH_WRITE), ==, 160 + 3);     /* CPU 0's copy */
	g_assert_cmpuint(on(k, 0, x, COH_READ), ==, 160);
	g_assert_cmpuint(on(k, 2, x, COH_WRITE), ==, 140 + 2 * 3); /* CPU 3's and 0's */
	g_assert_cmpuint(on(k, 0, x, COH_READ), ==, 140);
	g_assert_cmpuint(on(k, 1, x, COH_WRITE), ==, 120 + 2 * 3); /* CPU 2's and 0's */
	g_assert_cmpuint(on(k, 0, x, COH_READ), ==, 120);
	/* CPU 2's copy went with CPU 1's store: a transfer from the last
	 * filler, CPU 0, at distance 30. */
	g_assert_cmpuint(on(k, 2, x, COH_READ), ==, 140);
	g_assert_cmpuint(st->transfers_remote_node, ==, 7);
	g_assert_cmpuint(st->transfers_same_node, ==, 0);
	g_assert_cmpuint(st->invalidations, ==, 1 + 2 + 2);
	harness_free(k, m);
}

/* 4 CPUs on one socket: three clean copies come from the socket (llc
 * 10 after the first DRAM read); a store by the fourth CPU takes the line
 * from the last reader (10) and invalidates all three (9); an RMW on the
 * now Modified line is a hit plus the atomic (1 + 5). */
static void test_fan_out(void)
{
	machine_t *m = harness_machine(4, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	saddr_t x = mem_pfn_addr(k->mem, 3);
	const coh_counts_t *st = &coh_stats(k->coh)->all;

	g_assert_cmpuint(on(k, 1, x, COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 2, x, COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 3, x, COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 0, x, COH_WRITE), ==, 10 + 3 * 3);
	g_assert_cmpuint(on(k, 0, x, COH_RMW), ==, 1 + 5);
	g_assert_cmpuint(on(k, 1, x, COH_READ), ==, 20);          /* Modified on the socket */
	g_assert_cmpuint(st->invalidations, ==, 3);
	g_assert_cmpuint(st->transfers_same_node, ==, 4);
	harness_free(k, m);
}

/* ---- the private cache's sets ----
 *
 * 1024 lines in 8 ways: 128 sets.  Below 2^17 lines the set is the line
 * index mod 128, so lines 128 apart (8 KiB) share a set: A(j) below. */
static saddr_t line_a(kernel_t *k, int j)
{
	return mem_pfn_addr(k->mem, 4) + (saddr_t)j * 128 * 64;
}

/* LRU within a set: A0..A7 fill it; A0 is touched again, so A8 evicts
 * A1, the least recent; after A0 and A2 are touched, A1 evicts A3, and
 * A3 evicts A4.  The set then holds A3 A1 A2 A0 A8 A7 A6 A5. */
static void test_lru_set(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);

	for (int j = 0; j < 8; j++)
		g_assert_cmpuint(on(k, 0, line_a(k, j), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line_a(k, 0), COH_READ), ==, 1);
	g_assert_cmpuint(on(k, 0, line_a(k, 8), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line_a(k, 0), COH_READ), ==, 1);
	g_assert_cmpuint(on(k, 0, line_a(k, 2), COH_READ), ==, 1);
	g_assert_cmpuint(on(k, 0, line_a(k, 1), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line_a(k, 3), COH_READ), ==, 60);
	for (int j = 5; j <= 8; j++)
		g_assert_cmpuint(on(k, 0, line_a(k, j), COH_READ), ==, 1);
	g_assert_cmpuint(on(k, 0, line_a(k, 4), COH_READ), ==, 60);
	/* A line of another set never competes: A0 + 64 bytes is set + 1. */
	g_assert_cmpuint(on(k, 0, line_a(k, 0) + 64, COH_READ), ==, 60);
	harness_free(k, m);
}

/* A private cache holds host memory for the sets it filled only, in
 * 16-byte slots: a set's first line gives it room for one way (2 slots
 * with its recency list), a fill that finds it full doubles the room, up
 * to the 8 ways (3, 5, then 9 slots).  CPU 0 reads 5 consecutive lines
 * (5 sets: 10 slots), then A0..A2 of one other set (5 slots: 15), then
 * A3..A8 (room for 8, the ninth evicting: 9 slots, 19); CPU 1, one line
 * (2); CPU 2, nothing (0). */
static void test_sets_on_demand(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	saddr_t run = mem_pfn_addr(k->mem, 64) + 8 * 64;      /* sets 8..12; A: set 0 */

	for (int i = 0; i < 5; i++)
		on(k, 0, run + (saddr_t)i * 64, COH_READ);
	g_assert_cmpuint(coh_private_slots(k->coh, 0), ==, 10);
	for (int j = 0; j < 3; j++)
		on(k, 0, line_a(k, j), COH_READ);
	g_assert_cmpuint(coh_private_slots(k->coh, 0), ==, 15);
	for (int j = 3; j <= 8; j++)
		on(k, 0, line_a(k, j), COH_READ);
	g_assert_cmpuint(coh_private_slots(k->coh, 0), ==, 19);
	g_assert_cmpuint(on(k, 0, line_a(k, 0), COH_READ), ==, 60);   /* A0 was evicted */
	on(k, 1, line_a(k, 8), COH_WRITE);
	g_assert_cmpuint(coh_private_slots(k->coh, 0), ==, 19);
	g_assert_cmpuint(coh_private_slots(k->coh, 1), ==, 2);
	g_assert_cmpuint(coh_private_slots(k->coh, 2), ==, 0);
	harness_free(k, m);
}

/* An evicted Modified line is written back: the next reader finds no
 * cached copy and reads DRAM (60), where a line still held Modified on
 * the socket would have been a transfer (20). */
static void test_writeback(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	saddr_t kept = line_a(k, 0) + 64;          /* set 1: never evicted here */

	g_assert_cmpuint(on(k, 0, kept, COH_WRITE), ==, 60);
	g_assert_cmpuint(on(k, 0, line_a(k, 0), COH_WRITE), ==, 60);
	for (int j = 1; j <= 8; j++)                    /* A8 evicts A0 */
		g_assert_cmpuint(on(k, 0, line_a(k, j), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 1, line_a(k, 0), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 1, kept, COH_READ), ==, 20);
	harness_free(k, m);
}

/* ---- the shared last-level cache ---- */

/* The line of index i, in node 0's RAM. */
static saddr_t line(kernel_t *k, uint64_t i)
{
	return mem_pfn_addr(k->mem, 0) + i * 64;
}

/* A harness machine whose private caches are 4 direct-mapped lines (line
 * i in set i mod 4) and whose LLC per socket has llc_lines lines of
 * llc_ways ways. */
static machine_t *llc_machine(int llc_lines, int llc_ways, bool inclusive)
{
	machine_t *m = harness_machine(4, 2, 16);

	m->cache_lines = 4;
	m->cache_ways = 1;
	m->llc_lines = llc_lines;
	m->llc_ways = llc_ways;
	m->llc_inclusive = inclusive;
	return m;
}

/* Inclusive: A and E (lines 0 and 4) share a private set.  CPU 0 reads
 * A, then E, which evicts A from its private cache; the LLC still holds A,
 * so the next read of A is an LLC hit (10).  CPU 1 on the socket finds E
 * in the LLC (10); CPU 2 on the other socket finds it in nobody's LLC and
 * pulls a clean copy across nodes (120). */
static void test_llc_inclusive(void)
{
	machine_t *m = llc_machine(64, 4, true);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	const coh_counts_t *st = &coh_stats(k->coh)->all;

	g_assert_cmpuint(on(k, 0, line(k, 0), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 4), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 0), COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 1, line(k, 4), COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 2, line(k, 4), COH_READ), ==, 120);
	g_assert_cmpuint(st->llc_hits, ==, 2);
	g_assert_cmpuint(st->memory_local, ==, 2);
	g_assert_cmpuint(st->transfers_remote_node, ==, 1);
	harness_free(k, m);
}

/* Not inclusive: the LLC takes what the private caches evict.  A comes
 * back from the LLC once E pushed it out (10), and pushes E out in turn,
 * so CPU 1 finds E in the LLC too (10).  G (line 1, another private set)
 * was never evicted: only CPU 0's private cache has it, and CPU 1 gets it
 * as a clean copy on the socket (10, counted a transfer, not an LLC hit). */
static void test_llc_victim(void)
{
	machine_t *m = llc_machine(64, 4, false);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	const coh_counts_t *st = &coh_stats(k->coh)->all;

	g_assert_cmpuint(on(k, 0, line(k, 0), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 4), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 0), COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 1, line(k, 4), COH_READ), ==, 10);
	g_assert_cmpuint(on(k, 0, line(k, 1), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 1, line(k, 1), COH_READ), ==, 10);
	g_assert_cmpuint(st->llc_hits, ==, 2);
	g_assert_cmpuint(st->transfers_same_node, ==, 1);
	harness_free(k, m);
}

/* An inclusive LLC of 4 direct-mapped lines: reading line 1 after line 5
 * (the same LLC set, another private set) evicts 5 from the LLC and with
 * it CPU 0's private copy: the next read of 5 goes to DRAM again. */
static void test_llc_back_invalidation(void)
{
	machine_t *m = llc_machine(4, 1, true);
	kernel_t *k;

	m->cache_lines = 64;                 /* private: 8 sets of 8, no conflict */
	m->cache_ways = 8;
	k = harness_kernel(m, NULL, NULL, NULL);
	g_assert_cmpuint(on(k, 0, line(k, 5), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 5), COH_READ), ==, 1);
	g_assert_cmpuint(on(k, 0, line(k, 1), COH_READ), ==, 60);
	g_assert_cmpuint(on(k, 0, line(k, 5), COH_READ), ==, 60);
	g_assert_cmpuint(coh_stats(k->coh)->all.memory_local, ==, 3);
	harness_free(k, m);
}

/* Each count is also kept by the kind of memory: object memory (RAM), a
 * struct page (the memmap window), metadata (the META window), and lock
 * words when the caller says so. */
static void kinds(void *arg)
{
	(void)arg;
	coh_access(kern()->coh, mem_pfn_addr(kern()->mem, 0), 8, COH_READ);
	coh_access(kern()->coh, mem_page_struct_addr(kern()->mem, 0), 8, COH_READ);
	coh_access(kern()->coh, kmeta_alloc("t", "t", 8, 0), 8, COH_WRITE);
	coh_access_kind(kern()->coh, mem_pfn_addr(kern()->mem, 1), 8, COH_RMW, COH_LOCK);
}

static void test_kinds(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	const coh_stats_t *st = coh_stats(k->coh);

	harness_run_on(k, 0, kinds, NULL);
	g_assert_cmpuint(st->kind[COH_OBJECT].accesses, ==, 1);
	g_assert_cmpuint(st->kind[COH_PAGE].accesses, ==, 1);
	g_assert_cmpuint(st->kind[COH_METADATA].accesses, ==, 1);
	g_assert_cmpuint(st->kind[COH_LOCK].accesses, ==, 1);
	g_assert_cmpuint(st->all.accesses, ==, 4);
	g_assert_cmpuint(st->all.memory_local, ==, 4);
	harness_free(k, m);
}

/* ---- a range access against the same lines one by one ----
 *
 * A seeded random sequence of touches (CPU, start, length up to 5 lines,
 * read, write or atomic) over 96 lines of both nodes, on small private
 * caches (8 lines, 2 ways) and a small LLC so that evictions, LLC victims
 * and back-invalidations all happen.  Run two ways: each touch as one
 * range call, and each touch as one call per line, in address order.
 * Both must end with the same counts and the same CPU clocks and cost
 * accounts. */
enum { SEQ_TOUCHES = 1500, SEQ_RANGE, SEQ_LINES };

typedef struct seq {
	int mode;
	saddr_t base;
	int cpu;
	saddr_t addr;
	uint32_t len;
	enum coh_op op;
} seq_t;

typedef struct seq_end {
	coh_stats_t st;
	simtime_t clock[4];
	simtime_t cost[4][COST_NKINDS];
} seq_end_t;

static void seq_touch(void *arg)
{
	seq_t *s = arg;

	if (s->mode != SEQ_LINES) {
		coh_access(kern()->coh, s->addr, s->len, s->op);
		return;
	}
	for (saddr_t l = s->addr & ~63ULL; l < s->addr + s->len; l += 64)
		coh_access(kern()->coh, l, 1, s->op);
}

static void run_sequence(int mode, bool inclusive, seq_end_t *out)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k;
	uint64_t rng = 16;
	seq_t s = { .mode = mode };

	m->cache_lines = 8;
	m->cache_ways = 2;
	m->llc_lines = 16;
	m->llc_ways = 4;
	m->llc_inclusive = inclusive;
	k = harness_kernel(m, NULL, NULL, NULL);
	for (int i = 0; i < SEQ_TOUCHES; i++) {
		uint64_t r = harness_rand(&rng);
		saddr_t base = mem_pfn_addr(k->mem, r % 2 ? 0 : k->mem->pages_per_node);

		s.cpu = (int)((r >> 8) % 4);
		s.addr = base + (r >> 16) % (48 * 64);
		s.len = 1 + (uint32_t)((r >> 32) % (5 * 64));
		s.op = (enum coh_op)((r >> 48) % 3);
		harness_run_on(k, s.cpu, seq_touch, &s);
	}
	out->st = *coh_stats(k->coh);
	for (int c = 0; c < 4; c++) {
		out->clock[c] = engine_cpu(k->engine, c)->clock;
		memcpy(out->cost[c], engine_cpu(k->engine, c)->cost, sizeof(out->cost[c]));
	}
	harness_free(k, m);
}

static void check_range_against_lines(bool inclusive)
{
	seq_end_t range, lines;

	run_sequence(SEQ_RANGE, inclusive, &range);
	run_sequence(SEQ_LINES, inclusive, &lines);
	g_assert_cmpuint(range.st.all.accesses, >, SEQ_TOUCHES);
	g_assert_cmpuint(range.st.all.llc_hits, >, 0);
	g_assert_cmpuint(range.st.all.invalidations, >, 0);
	g_assert_true(memcmp(&range, &lines, sizeof(range)) == 0);
}

static void test_range_inclusive(void)
{
	check_range_against_lines(true);
}

static void test_range_victim(void)
{
	check_range_against_lines(false);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/coherence/sequence", test_sequence);
	g_test_add_func("/coherence/span", test_span);
	g_test_add_func("/coherence/capacity", test_capacity);
	g_test_add_func("/coherence/first-touch-by-distance", test_first_touch_by_distance);
	g_test_add_func("/coherence/transfer-by-distance", test_transfer_by_distance);
	g_test_add_func("/coherence/fan-out", test_fan_out);
	g_test_add_func("/coherence/lru-set", test_lru_set);
	g_test_add_func("/coherence/sets-on-demand", test_sets_on_demand);
	g_test_add_func("/coherence/writeback", test_writeback);
	g_test_add_func("/coherence/llc-inclusive", test_llc_inclusive);
	g_test_add_func("/coherence/llc-victim", test_llc_victim);
	g_test_add_func("/coherence/llc-back-invalidation", test_llc_back_invalidation);
	g_test_add_func("/coherence/kinds", test_kinds);
	g_test_add_func("/coherence/range-inclusive", test_range_inclusive);
	g_test_add_func("/coherence/range-victim", test_range_victim);
	return g_test_run();
}
