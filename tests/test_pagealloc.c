/*
 * test_pagealloc.c -- the buddy allocator, per-CPU lists, fallback, limits,
 * failure injection and zone-lock pricing.
 *
 * Every machine comes from harness_machine (4 KiB pages).  A node of M MiB
 * holds M*256 pages; zone_batchsize gives batch 1, high 0 below 8 MiB
 * (present/1024 < 8 -> /4 < 2 -> 1 -> (1 << (fls(1) - 1)) - 1 = 0 -> high
 * 6*0 = 0, batch max(1, 0) = 1) and batch 31, high 186 from 512 MiB on.
 */
#include "harness.h"

/* Free buddy blocks of `order` on `node`, counted from the page flags. */
static uint64_t blocks(kernel_t *k, int node, unsigned order)
{
	uint64_t first = (uint64_t)node * k->mem->pages_per_node, n = 0;

	for (uint64_t pfn = first; pfn < first + k->mem->pages_per_node; pfn++) {
		page_t *p = pa_pfn_to_page(k->pa, pfn);
		n += (p->flags & PG_buddy) && p->order == order;
	}
	return n;
}

/* Free pages on `node`'s buddy lists, counted from the page flags. */
static uint64_t buddy_pages(kernel_t *k, int node)
{
	uint64_t n = 0;

	for (unsigned o = 0; o < PA_MAX_ORDER; o++)
		n += blocks(k, node, o) << o;
	return n;
}

static uint64_t pfn_of(kernel_t *k, page_t *p)
{
	return pa_page_to_pfn(k->pa, p);
}

/* A test body run on a simulated CPU: one step of a scripted sequence. */
typedef struct job {
	kernel_t *k;
	page_t *page[200];
	int n;
	unsigned order;
	gfp_t gfp;
	int node;
} job_t;

static void do_alloc(void *arg)
{
	job_t *j = arg;
	j->page[j->n++] = pa_alloc(j->k->pa, j->node, j->order, j->gfp);
}

static void do_release_all(void *arg)
{
	job_t *j = arg;
	while (j->n > 0)
		pa_release(j->k->pa, j->page[--j->n], j->order);
}

/* Allocate on `cpu`; returns the page (or NULL) and keeps it in j. */
static page_t *alloc_on(job_t *j, int cpu, int node, unsigned order, gfp_t gfp)
{
	j->node = node;
	j->order = order;
	j->gfp = gfp;
	harness_run_on(j->k, cpu, do_alloc, j);
	return j->page[j->n - 1];
}

/* Release every page j holds (all of j->order) on `cpu`. */
static void release_on(job_t *j, int cpu)
{
	harness_run_on(j->k, cpu, do_release_all, j);
}

static void test_init_layout(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k;

	/* 1500 pages: 1024 + 256 + 128 + 64 + 16 + 8 + 4, blocks at pfn
	 * 0 (o10), 1024 (o8), 1280 (o7), 1408 (o6), 1472 (o4), 1488 (o3),
	 * 1496 (o2): each aligned to its size. */
	m->mem_per_node = 1500 * 4096;
	k = harness_kernel(m, NULL, NULL, NULL);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1500);
	static const unsigned expect[PA_MAX_ORDER] = { 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1 };
	for (unsigned o = 0; o < PA_MAX_ORDER; o++)
		g_assert_cmpuint(blocks(k, 0, o), ==, expect[o]);
	g_assert_true(pa_pfn_to_page(k->pa, 1496)->flags & PG_buddy);
	g_assert_cmpuint(pa_pfn_to_page(k->pa, 1408)->order, ==, 6);
	harness_free(k, m);
}

static void test_split_merge(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	job_t j = { .k = k };
	page_t *p;

	/* 4 MiB = 1024 pages = one order-10 block at pfn 0. */
	g_assert_cmpuint(blocks(k, 0, 10), ==, 1);
	p = alloc_on(&j, 0, 0, 1, __GFP_THISNODE);
	/* Order 1 splits the order-10 block: pfn 0 is handed out, the upper
	 * halves 512 (o9), 256 (o8), ..., 2 (o1) go back: one block of each
	 * order 1..9, none of 0 or 10; 1024 - 2 = 1022 pages free. */
	g_assert_nonnull(p);
	g_assert_cmpuint(pfn_of(k, p), ==, 0);
	g_assert_cmpint(p->count, ==, 1);
	g_assert_cmpint(pa_page_nid(k->pa, p), ==, 0);
	g_assert_false(p->flags & (PG_buddy | PG_pcp | PG_head));
	g_assert_cmpuint(blocks(k, 0, 0), ==, 0);
	for (unsigned o = 1; o <= 9; o++)
		g_assert_cmpuint(blocks(k, 0, o), ==, 1);
	g_assert_cmpuint(blocks(k, 0, 10), ==, 0);
	g_assert_cmpuint(pa_pfn_to_page(k->pa, 512)->order, ==, 9);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1022);
	release_on(&j, 0);
	/* 0 merges with 2 (o1), then 4 (o2), ..., 512 (o9): one order-10 block. */
	for (unsigned o = 0; o < 10; o++)
		g_assert_cmpuint(blocks(k, 0, o), ==, 0);
	g_assert_cmpuint(blocks(k, 0, 10), ==, 1);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1024);
	const pa_stats_t *st = pa_stats(k->pa);
	g_assert_cmpuint(st->allocs_by_order[1], ==, 1);
	g_assert_cmpuint(st->frees, ==, 1);
	g_assert_cmpuint(st->pages_in_use, ==, 0);
	g_assert_cmpuint(st->peak_pages_in_use, ==, 2);
	harness_free(k, m);
}

static void test_zone_edge(void)
{
	machine_t *m = harness_machine(1, 1, 5);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	job_t j = { .k = k };
	page_t *p;

	/* 5 MiB = 1280 pages: 0 (o10) and 1024 (o8).  Order 8 takes the block
	 * at 1024 whole; freeing it, its order-8 buddy 1280 lies past the zone
	 * (and past the page array), so it stays an order-8 block. */
	g_assert_cmpuint(blocks(k, 0, 8), ==, 1);
	p = alloc_on(&j, 0, 0, 8, 0);
	g_assert_cmpuint(pfn_of(k, p), ==, 1024);
	g_assert_cmpuint(blocks(k, 0, 8), ==, 0);
	release_on(&j, 0);
	g_assert_cmpuint(blocks(k, 0, 8), ==, 1);
	g_assert_cmpuint(blocks(k, 0, 9), ==, 0);
	g_assert_cmpuint(blocks(k, 0, 10), ==, 1);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1280);
	harness_free(k, m);
}

static void test_compound(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	job_t j = { .k = k };
	page_t *p = alloc_on(&j, 0, -1, 2, __GFP_COMP);
	saddr_t a = pa_page_address(k->pa, p);

	/* Order 2 at pfn 0: head 0, tails 1..3. */
	g_assert_cmpuint(a, ==, MEM_BASE);
	g_assert_true(p->flags & PG_head);
	g_assert_cmpuint(p->order, ==, 2);
	for (int i = 1; i < 4; i++) {
		g_assert_true(p[i].flags & PG_tail);
		g_assert_true(p[i].first_page == p);
	}
	g_assert_true(pa_virt_to_page(k->pa, a + 3 * 4096 + 100) == p);
	g_assert_true(pa_virt_to_page(k->pa, a + 4 * 4096) == pa_pfn_to_page(k->pa, 4));
	g_assert_null(pa_virt_to_page(k->pa, k->mem->ram_end));
	release_on(&j, 0);
	g_assert_false(p->flags & PG_head);
	for (int i = 1; i < 4; i++) {
		g_assert_false(p[i].flags & PG_tail);
		g_assert_null(p[i].first_page);
	}
	g_assert_cmpuint(blocks(k, 0, 10), ==, 1);
	harness_free(k, m);
}

static void test_pcp_tiny_zone(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	job_t j = { .k = k };
	page_t *p = alloc_on(&j, 0, 0, 0, 0);

	/* batch 1, high 0: the refill moves one page (pfn 0, handed out at
	 * once); the free puts it on the list, 1 >= 0, so a batch of 1 goes
	 * straight back and everything merges again. */
	g_assert_cmpuint(pfn_of(k, p), ==, 0);
	g_assert_false(p->flags & PG_pcp);
	g_assert_cmpuint(pa_stats(k->pa)->pcp_refills, ==, 1);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1023);
	release_on(&j, 0);
	g_assert_cmpuint(pa_stats(k->pa)->pcp_drains, ==, 1);
	g_assert_cmpuint(blocks(k, 0, 10), ==, 1);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1024);
	harness_free(k, m);
}

static void test_pcp_batch(void)
{
	machine_t *m = harness_machine(1, 1, 512);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	const pa_stats_t *st = pa_stats(k->pa);
	job_t j = { .k = k };
	page_t *p;

	/* 512 MiB = 131072 pages: 131072/1024 = 128 (the 512 KiB cap is also
	 * 128 pages), /4 = 32, fls(32 + 16) = 6 -> 2^5 - 1 = 31; high 186. */
	p = alloc_on(&j, 0, 0, 0, 0);
	/* The refill takes pfns 0..30 off the buddy, in order head to tail
	 * (splitting the first order-10 block); the hot allocation takes the
	 * head, pfn 0.  Left in that block: 31 (o0), 32 (o5), 64 (o6),
	 * 128 (o7), 256 (o8), 512 (o9) = 993 pages, with 127 order-10 blocks:
	 * buddy 131072 - 31 = 131041, plus 30 on the pcp list = 131071. */
	g_assert_cmpuint(pfn_of(k, p), ==, 0);
	g_assert_cmpuint(st->pcp_refills, ==, 1);
	g_assert_cmpuint(buddy_pages(k, 0), ==, 131041);
	g_assert_cmpuint(blocks(k, 0, 0), ==, 1);
	g_assert_cmpuint(blocks(k, 0, 5), ==, 1);
	g_assert_cmpuint(blocks(k, 0, 10), ==, 127);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 131071);
	g_assert_true(pa_pfn_to_page(k->pa, 1)->flags & PG_pcp);

	/* A cold allocation takes the tail: pfn 30. */
	p = alloc_on(&j, 0, 0, 0, __GFP_COLD);
	g_assert_cmpuint(pfn_of(k, p), ==, 30);
	g_assert_cmpuint(st->pcp_refills, ==, 1);

	/* Both back: the list holds 31 < 186, no drain. */
	release_on(&j, 0);
	g_assert_cmpuint(st->pcp_drains, ==, 0);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 131072);
	g_assert_cmpuint(buddy_pages(k, 0), ==, 131041);

	/* 186 allocations: 31 from the list, then 155 = 5 refills of 31;
	 * 6 refills in all, the list ends empty, buddy 131072 - 186. */
	for (int i = 0; i < 186; i++)
		alloc_on(&j, 0, 0, 0, 0);
	g_assert_cmpuint(st->pcp_refills, ==, 6);
	g_assert_cmpuint(buddy_pages(k, 0), ==, 130886);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 130886);
	g_assert_cmpuint(st->pages_in_use, ==, 186);

	/* 185 frees fill the list to 185 < 186; the 186th reaches high and
	 * sends a batch of 31 from the tail back: 155 stay, buddy 130917. */
	job_t last = { .k = k, .n = 1 };
	last.page[0] = j.page[--j.n];
	release_on(&j, 0);
	g_assert_cmpuint(st->pcp_drains, ==, 0);
	g_assert_cmpuint(buddy_pages(k, 0), ==, 130886);
	release_on(&last, 0);
	g_assert_cmpuint(st->pcp_drains, ==, 1);
	g_assert_cmpuint(buddy_pages(k, 0), ==, 130917);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 131072);
	g_assert_cmpuint(st->pages_in_use, ==, 0);
	g_assert_cmpuint(st->frees, ==, 188);
	harness_free(k, m);
}

static void test_fallback(void)
{
	machine_t *m = harness_machine(2, 2, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	const pa_stats_t *st = pa_stats(k->pa);
	job_t j = { .k = k }, keep = { .k = k };
	page_t *p;

	/* Each node is one order-10 block; take node 0's. */
	p = alloc_on(&keep, 0, 0, 10, __GFP_THISNODE);
	g_assert_cmpint(pa_page_nid(k->pa, p), ==, 0);
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 0);

	/* Asked for node 0, served by node 1. */
	p = alloc_on(&j, 0, 0, 10, 0);
	g_assert_nonnull(p);
	g_assert_cmpint(pa_page_nid(k->pa, p), ==, 1);
	g_assert_cmpuint(st->fallbacks, ==, 1);

	/* __GFP_THISNODE: node 0 has nothing, so nothing. */
	j.order = 10;
	release_on(&j, 0);
	p = alloc_on(&j, 0, 0, 0, __GFP_THISNODE);
	g_assert_null(p);
	g_assert_cmpuint(st->failures, ==, 1);
	g_assert_cmpuint(st->fallbacks, ==, 1);
	j.n = 0;

	/* Order 0 for this CPU's node (-1 = node 0) falls back to node 1,
	 * through CPU 0's list for zone 1 (a refill of 1). */
	p = alloc_on(&j, 0, -1, 0, 0);
	g_assert_cmpint(pa_page_nid(k->pa, p), ==, 1);
	g_assert_cmpuint(st->fallbacks, ==, 2);
	g_assert_cmpuint(pa_free_pages(k->pa, 1), ==, 1023);
	release_on(&j, 0);
	g_assert_cmpuint(pa_free_pages(k->pa, 1), ==, 1024);

	/* CPU 1 lives on node 1: -1 means node 1, no fallback. */
	p = alloc_on(&j, 1, -1, 0, 0);
	g_assert_cmpint(pa_page_nid(k->pa, p), ==, 1);
	g_assert_cmpuint(st->fallbacks, ==, 2);
	release_on(&j, 1);
	keep.order = 10;
	release_on(&keep, 0);
	g_assert_cmpuint(st->pages_in_use, ==, 0);
	harness_free(k, m);
}

static void test_zonelist_order(void)
{
	machine_t *m = harness_machine(4, 4, 4);
	static const int expect[] = { 3, 1, 2 };
	kernel_t *k;
	job_t j;

	/* From node 0: node 3 at 15, nodes 1 and 2 at 20 (tie: 1 first). */
	harness_set_distance(m, 0, 3, 15);
	k = harness_kernel(m, NULL, NULL, NULL);
	j = (job_t){ .k = k };
	g_assert_nonnull(alloc_on(&j, 0, 0, 10, 0));
	g_assert_cmpint(pa_page_nid(k->pa, j.page[0]), ==, 0);
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(pa_page_nid(k->pa, alloc_on(&j, 0, 0, 10, 0)), ==, expect[i]);
	g_assert_cmpuint(pa_stats(k->pa)->fallbacks, ==, 3);
	g_assert_null(alloc_on(&j, 0, 0, 10, 0));
	j.n--;
	g_assert_cmpuint(pa_stats(k->pa)->failures, ==, 1);
	release_on(&j, 0);
	harness_free(k, m);
}

/* The zonelist of `node` equals expect[0..n). */
static void assert_zonelist(kernel_t *k, int node, const int *expect, int n)
{
	const int *zl = pa_zonelist(k->pa, node);

	for (int i = 0; i < n; i++)
		g_assert_cmpint(zl[i], ==, expect[i]);
}

/* A ring of 4 nodes: neighbours at 20, the opposite node at 30.  The rank
 * of node n from local l is distance + (n < l) + 1 (every node has CPUs),
 * then the round-robin load, then the id; the load of the first node of
 * each new distance group is the number of nodes still to place, and it
 * carries over to the next local node's zonelist.
 *   node 0: 1, 3 tie at 21 (loads 0): 1, 3; then 2 (31).  Loads: 1 -> 3,
 *           2 -> 1.
 *   node 1: 2 at 21, 0 at 22, 3 at 31.  Loads: 2 -> 3, 3 -> 1.
 *   node 2: 3 at 21, 1 at 22, 0 at 32.  Loads: 3 -> 3, 0 -> 1.
 *   node 3: 0 and 2 tie at 22; load 1 before 3: 0, 2; then 1 at 32.
 * (By distance and id alone node 1 would go 0, 2, 3 and node 2 1, 3, 0.) */
static void test_zonelist_ring(void)
{
	machine_t *m = harness_machine(4, 4, 4);
	static const int z[4][4] = { { 0, 1, 3, 2 }, { 1, 2, 0, 3 }, { 2, 3, 1, 0 }, { 3, 0, 2, 1 } };
	kernel_t *k;

	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			if (a != b)
				harness_set_distance(m, a, b, (a - b + 4) % 4 == 2 ? 30 : 20);
	k = harness_kernel(m, NULL, NULL, NULL);
	for (int n = 0; n < 4; n++)
		assert_zonelist(k, n, z[n], 4);
	harness_free(k, m);
}

/* A fat tree of 8-port routers over 16 nodes: 13 within a group of 8
 * (one router), 19 across (three).  Node 0 goes 1..7, 8..15 (loads 1 ->
 * 15, 8 -> 8).  Each local l < 5 of the first group then gives load 15 to
 * the node after it and load 8 to its first node of the other group
 * (8 + l).  So node 5 takes 6 and 7 (13, no penalty), then 0..4 (13 + 1;
 * 0 has load 0, 1..4 have 15), then 13, 14, 15 (load 0) before 8..12
 * (load 8): not node 0 first, as distance and id alone would have it. */
static void test_zonelist_fattree(void)
{
	machine_t *m = harness_machine(16, 16, 1);
	static const int z5[16] = { 5, 6, 7, 0, 1, 2, 3, 4, 13, 14, 15, 8, 9, 10, 11, 12 };
	static const int z0[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	kernel_t *k;

	for (int a = 0; a < 16; a++)
		for (int b = 0; b < 16; b++)
			if (a != b)
				harness_set_distance(m, a, b, a / 8 == b / 8 ? 13 : 19);
	k = harness_kernel(m, NULL, NULL, NULL);
	assert_zonelist(k, 0, z0, 16);
	assert_zonelist(k, 5, z5, 16);
	harness_free(k, m);
}

/* struct page: 56-byte entries, each node's mem_map page-aligned on that
 * node.  With 64-byte lines, pages 1 and 2 (bytes 56-111 and 112-167)
 * share the line 64-127; page 0 (0-55) and page 8 (448-503) start one.
 * 4 MiB nodes of 4 KiB pages: 1024 entries, 57344 bytes, a mem_map of 14
 * pages. */
static void test_memmap(void)
{
	machine_t *m = harness_machine(2, 2, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	memory_t *mem = k->mem;
	saddr_t base = mem_page_struct_addr(mem, 0);

	g_assert_cmpuint(mem_page_struct_addr(mem, 1) - base, ==, 56);
	g_assert_cmpuint(mem_line(mem, mem_page_struct_addr(mem, 1) + 55), ==,
	                 mem_line(mem, mem_page_struct_addr(mem, 2)));
	g_assert_cmpuint((mem_page_struct_addr(mem, 8) - base) % 64, ==, 0);
	g_assert_cmpuint(mem_page_struct_addr(mem, 1024) - base, ==, 14 * 4096);
	g_assert_cmpint(mem_home_node(mem, mem_page_struct_addr(mem, 1023)), ==, 0);
	g_assert_cmpint(mem_home_node(mem, mem_page_struct_addr(mem, 1024)), ==, 1);
	harness_free(k, m);
}

/* virt_to_head_page on an address in a tail page reads the tail's struct
 * page too: the lines its 56 bytes span, which prep_compound_page just
 * wrote, so one hit (1 ns) per line. */
static void head_lookup(void *arg)
{
	simtime_t *dt = arg, t0;
	page_t *p = alloc_pages_node(0, __GFP_COMP, 1);
	saddr_t tail = page_address(p) + 4096;
	saddr_t entry = mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p) + 1);

	dt[2] = mem_line(kern()->mem, entry + MEM_PAGE_STRUCT - 1) - mem_line(kern()->mem, entry) + 1;

	t0 = know();
	g_assert_true(virt_to_head_page(page_address(p)) == p);
	dt[0] = know() - t0;
	t0 = know();
	g_assert_true(virt_to_head_page(tail) == p);
	dt[1] = know() - t0;
	__free_pages(p, 1);
}

static void test_head_lookup(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	simtime_t dt[3];

	harness_run_on(k, 0, head_lookup, dt);
	g_assert_cmpuint(dt[0], ==, 0);              /* a head: nothing read here */
	g_assert_cmpuint(dt[1], ==, dt[2] * PS_PER_NS);   /* a tail: its struct page */
	harness_free(k, m);
}

static void test_limit(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	pa_config_t cfg = { .limit_pages = 10 };
	kernel_t *k = harness_kernel(m, NULL, NULL, &cfg);
	const pa_stats_t *st = pa_stats(k->pa);
	job_t j = { .k = k }, one = { .k = k };

	/* 4 + 4 = 8 fit; 8 + 4 = 12 > 10 fails; 8 + 2 = 10 fits; 10 + 1 fails. */
	g_assert_nonnull(alloc_on(&j, 0, 0, 2, 0));
	g_assert_nonnull(alloc_on(&j, 0, 0, 2, 0));
	g_assert_null(alloc_on(&j, 0, 0, 2, 0));
	j.n--;
	g_assert_cmpuint(st->failures, ==, 1);
	g_assert_cmpuint(st->pages_in_use, ==, 8);
	g_assert_nonnull(alloc_on(&one, 0, 0, 1, 0));
	g_assert_cmpuint(st->pages_in_use, ==, 10);
	g_assert_null(alloc_on(&one, 0, 0, 0, 0));
	one.n--;
	g_assert_cmpuint(st->failures, ==, 2);
	/* Memory was there all along: 1024 - 10 pages free. */
	g_assert_cmpuint(pa_free_pages(k->pa, 0), ==, 1014);
	one.order = 1;
	release_on(&one, 0);
	j.order = 2;
	release_on(&j, 0);
	g_assert_nonnull(alloc_on(&j, 0, 0, 2, 0));
	release_on(&j, 0);
	g_assert_cmpuint(st->peak_pages_in_use, ==, 10);
	harness_free(k, m);
}

/* 100 order-0 allocations with fail_ppm 500000: '1' success, '0' failure. */
static uint64_t fail_pattern(uint64_t seed, char out[101])
{
	machine_t *m = harness_machine(1, 1, 4);
	pa_config_t cfg = { .fail_ppm = 500000, .seed = seed };
	kernel_t *k = harness_kernel(m, NULL, NULL, &cfg);
	job_t j = { .k = k };
	uint64_t failures;

	for (int i = 0; i < 100; i++) {
		out[i] = alloc_on(&j, 0, 0, 0, 0) ? '1' : '0';
		if (out[i] == '0')
			j.n--;
	}
	out[100] = '\0';
	failures = pa_stats(k->pa)->failures;
	release_on(&j, 0);
	harness_free(k, m);
	return failures;
}

static void test_fail_injection(void)
{
	char a[101], b[101], c[101];
	uint64_t fa = fail_pattern(42, a), fb = fail_pattern(42, b);
	int zeros = 0;

	g_assert_cmpstr(a, ==, b);
	g_assert_cmpuint(fa, ==, fb);
	for (int i = 0; i < 100; i++)
		zeros += a[i] == '0';
	g_assert_cmpuint(fa, ==, (uint64_t)zeros);
	/* Binomial(100, 1/2): mean 50, sd 5; 30..70 is +-4 sd. */
	g_assert_cmpuint(fa, >=, 30);
	g_assert_cmpuint(fa, <=, 70);
	/* Another seed, another pattern (equal with probability 2^-100). */
	fail_pattern(43, c);
	g_assert_cmpstr(a, !=, c);
}

static void test_zone_lock(void)
{
	machine_t *m = harness_machine(1, 1, 4);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	lock_class_t *cls = lock_class(k->locks, "zone.lock");
	cpu_t *cpu = engine_cpu(k->engine, 0);
	job_t j = { .k = k };

	/* Order 1: one trip to the buddy lists under zone->lock, one irq
	 * save/restore pair (m->irq = 2 ns) and one call (m->op = 2 ns). */
	alloc_on(&j, 0, 0, 1, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 1);
	g_assert_cmpuint(cls->contentions, ==, 0);
	g_assert_cmpuint(cpu->cost[COST_IRQ], ==, 2 * PS_PER_NS);
	g_assert_cmpuint(cpu->cost[COST_OP], ==, 2 * PS_PER_NS);
	g_assert_cmpuint(cpu->clock, >, 4 * PS_PER_NS);
	release_on(&j, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 2);
	/* Order 0 on a batch-1, high-0 zone: the refill and the drain. */
	alloc_on(&j, 0, 0, 0, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 3);
	release_on(&j, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 4);
	harness_free(k, m);
}

static void test_pcp_hot_no_lock(void)
{
	machine_t *m = harness_machine(1, 1, 512);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	lock_class_t *cls = lock_class(k->locks, "zone.lock");
	job_t j = { .k = k };

	/* batch 31: the first order-0 allocation refills under the lock, the
	 * next 30 come off the list without it; the 32nd refills again. */
	for (int i = 0; i < 31; i++)
		alloc_on(&j, 0, 0, 0, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 1);
	alloc_on(&j, 0, 0, 0, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 2);
	release_on(&j, 0);
	g_assert_cmpuint(cls->acquisitions, ==, 2);
	harness_free(k, m);
}

static void do_double_free(void *arg)
{
	job_t *j = arg;
	page_t *p = pa_alloc(j->k->pa, 0, 1, 0);

	pa_release(j->k->pa, p, 1);
	pa_release(j->k->pa, p, 1);
}

static void test_double_free(void)
{
	if (g_test_subprocess()) {
		machine_t *m = harness_machine(1, 1, 4);
		kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
		job_t j = { .k = k };

		harness_run_on(k, 0, do_double_free, &j);
		harness_free(k, m);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*bad free of pfn 0 order 1*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pagealloc/init-layout", test_init_layout);
	g_test_add_func("/pagealloc/split-merge", test_split_merge);
	g_test_add_func("/pagealloc/zone-edge", test_zone_edge);
	g_test_add_func("/pagealloc/compound", test_compound);
	g_test_add_func("/pagealloc/pcp-tiny-zone", test_pcp_tiny_zone);
	g_test_add_func("/pagealloc/pcp-batch", test_pcp_batch);
	g_test_add_func("/pagealloc/pcp-hot-no-lock", test_pcp_hot_no_lock);
	g_test_add_func("/pagealloc/fallback", test_fallback);
	g_test_add_func("/pagealloc/zonelist-order", test_zonelist_order);
	g_test_add_func("/pagealloc/zonelist-ring", test_zonelist_ring);
	g_test_add_func("/pagealloc/memmap", test_memmap);
	g_test_add_func("/pagealloc/head-lookup", test_head_lookup);
	g_test_add_func("/pagealloc/zonelist-fattree", test_zonelist_fattree);
	g_test_add_func("/pagealloc/limit", test_limit);
	g_test_add_func("/pagealloc/fail-injection", test_fail_injection);
	g_test_add_func("/pagealloc/zone-lock", test_zone_lock);
	g_test_add_func("/pagealloc/double-free", test_double_free);
	return g_test_run();
}
