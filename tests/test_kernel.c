/*
 * test_kernel.c -- the kernel API: delayed work and IPIs interrupt a
 * computing CPU on time and push the end of the computation out by exactly
 * their own duration; work is labelled for the jitter report; delayed work
 * runs at an operation boundary at or after its delay; the
 * __round_jiffies rule; on_each_cpu's arrival times and wait; idle and
 * kick; metadata accounting with and without the kmalloc rounding hook;
 * irq, atomic and page-allocator pricing; get_order and fls_long.
 *
 * Harness machine (tests/harness.h): HZ 250 (a jiffy is 4 ms), xfer_socket
 * 20 ns, xfer_remote 120 ns at distance 20, mem_local 60, rmw 5, irq 2.
 */
#include "harness.h"

#define WORK_PS   PS_PER_US            /* what each handler costs */

typedef struct rec {
	simtime_t work_at, ipi_at, compute_end, ipi_sender_done;
} rec_t;

static void work(void *arg)
{
	rec_t *r = arg;

	r->work_at = know();
	engine_charge(COST_OP, WORK_PS);
}

static void ipi(void *arg)
{
	rec_t *r = arg;

	if (smp_processor_id() == 1)
		r->ipi_at = know();
	engine_charge(COST_OP, WORK_PS);
}

/* CPU 1 computes for 5 s with work due at 2 s; CPU 0 computes for 1 s,
 * then IPIs every CPU and waits for them. */
static void body(void *arg, int cpu)
{
	rec_t *r = arg;

	if (cpu == 1) {
		schedule_delayed_work_on(1, 2 * PS_PER_SEC, work, r);
		kernel_compute(5 * PS_PER_SEC, COST_THINK);
		r->compute_end = know();
	} else {
		kernel_compute(PS_PER_SEC, COST_THINK);
		on_each_cpu(ipi, r);
		r->ipi_sender_done = know();
	}
}

static void test_interrupt_on_time(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	rec_t r = { 0 };

	kwork_label(work, "test work");
	harness_run_many(k, cpus, 2, body, &r);
	/* on time: the IPI when it reaches CPU 1 (CPU 0 sends it at 1 s; the
	 * interrupt takes one line transfer), the work when it falls due */
	g_assert_cmpuint(r.ipi_at, ==, PS_PER_SEC + 20 * PS_PER_NS);   /* harness xfer_socket */
	g_assert_cmpuint(r.work_at, ==, 2 * PS_PER_SEC);
	/* 5 s of computing plus the two interruptions, nothing else */
	g_assert_cmpuint(r.compute_end, ==, 5 * PS_PER_SEC + 2 * WORK_PS);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_THINK], ==, 5 * PS_PER_SEC);
	/* the sender waits for CPU 1's handler, which runs at once */
	g_assert_cmpuint(r.ipi_sender_done, <=, r.ipi_at + WORK_PS);
	/* CPU 1's IPI handler and the work; the sender's own call of the
	 * handler is part of its operation, not an interruption */
	g_assert_cmpuint(k->housekeeping, ==, 2 * WORK_PS);
	for (guint i = 0; i < k->work_sources->len; i++) {
		kwork_source_t *w = &g_array_index(k->work_sources, kwork_source_t, i);
		if (w->fn == (const void *)work) {
			g_assert_cmpstr(w->label, ==, "test work");
			g_assert_cmpuint(w->runs, ==, 1);
			g_assert_cmpuint(w->longest, ==, WORK_PS);
		}
	}
	harness_free(k, m);
}

/* ---- delayed work runs at or after its delay ---- */

typedef struct late {
	simtime_t ran_at[2];
	int ran_on[2];
	int n;
} late_t;

static void note_run(void *arg)
{
	late_t *l = arg;

	l->ran_at[l->n] = know();
	l->ran_on[l->n++] = smp_processor_id();
	engine_charge(COST_OP, WORK_PS);
}

/* CPU 0 queues work for CPU 1 (idle) due at 3 ms and for itself due at
 * 1 us, then computes 10 us without an operation boundary: CPU 1's work
 * runs on CPU 1 exactly when due, CPU 0's only at its next boundary (a
 * sync point, where the engine delivers the due event, then
 * kernel_do_pending), at 10 us. */
static void late_body(void *arg, int cpu)
{
	late_t *l = arg;

	if (cpu == 1) {
		while (l->n < 2) {
			kernel_do_pending();
			if (l->n < 2)
				kernel_idle();
		}
		return;
	}
	schedule_delayed_work_on(1, 3 * PS_PER_MS, note_run, l);
	schedule_delayed_work_on(0, PS_PER_US, note_run, l);
	engine_charge(COST_THINK, 10 * PS_PER_US);
	engine_sync();
	kernel_do_pending();
}

static void test_delayed_work_boundary(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	late_t l = { { 0 }, { 0 }, 0 };

	harness_run_many(k, cpus, 2, late_body, &l);
	g_assert_cmpint(l.n, ==, 2);
	g_assert_cmpint(l.ran_on[0], ==, 0);
	g_assert_cmpuint(l.ran_at[0], ==, 10 * PS_PER_US);
	g_assert_cmpint(l.ran_on[1], ==, 1);
	g_assert_cmpuint(l.ran_at[1], ==, 3 * PS_PER_MS);
	/* Both handlers are housekeeping, on their own CPUs. */
	g_assert_cmpuint(k->housekeeping, ==, 2 * WORK_PS);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_HOUSEKEEPING], ==, WORK_PS);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_OP], ==, 0);
	harness_free(k, m);
}

/* ---- kernel_compute: three works, one due exactly at the end ---- */

typedef struct three {
	simtime_t at[3];
	int n;
	simtime_t end;
} three_t;

static void stamp(void *arg)
{
	three_t *t = arg;

	t->at[t->n++] = know();
	engine_charge(COST_OP, WORK_PS);
}

/* Works due at 0.5 ms, 1 ms and 3 ms; compute 1 ms from 0.  The first
 * runs at 0.5 ms and ends at 0.501 ms with 0.5 ms left; the second falls
 * due at 1 ms with 1 us left, runs then, and the last 1 us ends the
 * computation at 1.002 ms.  The third is due after the end: it waits. */
static void compute_body(void *arg)
{
	three_t *t = arg;

	schedule_delayed_work_on(0, PS_PER_MS / 2, stamp, t);
	schedule_delayed_work_on(0, PS_PER_MS, stamp, t);
	schedule_delayed_work_on(0, 3 * PS_PER_MS, stamp, t);
	kernel_compute(PS_PER_MS, COST_THINK);
	t->end = know();
}

static void test_compute_interrupted(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	three_t t = { { 0 }, 0, 0 };
	cpu_t *c;

	harness_run_on(k, 0, compute_body, &t);
	c = engine_cpu(k->engine, 0);
	g_assert_cmpint(t.n, ==, 2);
	g_assert_cmpuint(t.at[0], ==, PS_PER_MS / 2);
	g_assert_cmpuint(t.at[1], ==, PS_PER_MS);
	g_assert_cmpuint(t.end, ==, PS_PER_MS + 2 * WORK_PS);
	g_assert_cmpuint(c->cost[COST_THINK], ==, PS_PER_MS);
	g_assert_cmpuint(c->cost[COST_HOUSEKEEPING], ==, 2 * WORK_PS);
	g_assert_cmpuint(c->cost[COST_IDLE], ==, 0);       /* folded into the computation */
	harness_free(k, m);
}

/* ---- round_jiffies ---- */

typedef struct rj {
	uint64_t j, now;
	int cpu;
	uint64_t expect;
} rj_t;

/* HZ 250: one second is 250 jiffies, a quarter second 62 (250 / 4).
 * t = now + j + 3 * cpu; rem = t mod 250; down by rem if rem < 62, else
 * up to the next second; minus 3 * cpu; if that is not after now, the
 * unrounded now + j.  Returned: t - now. */
static const rj_t rj_cases[] = {
	{ 250, 0, 0, 250 },     /* t 250, rem 0: stays */
	{ 250, 0, 1, 247 },     /* t 253, rem 3: down to 250, less 3 */
	{ 100, 0, 0, 250 },     /* rem 100: up to 250 */
	{ 61, 0, 0, 61 },       /* rem 61: down to 0, not after now: 61 */
	{ 62, 0, 0, 250 },      /* rem 62: up */
	{ 10, 0, 0, 10 },       /* down to 0: the unrounded 10 */
	{ 250, 375, 0, 375 },   /* t 625, rem 125: up to 750 */
	{ 250, 375, 2, 369 },   /* t 631, rem 131: up to 750, less 6: 744 */
	{ 130, 375, 0, 125 },   /* t 505, rem 5: down to 500 */
	{ 130, 375, 3, 116 },   /* t 514, rem 14: down to 500, less 9: 491 */
};

static void rj_body(void *arg)
{
	uint64_t *got = arg;

	for (unsigned i = 0; i < G_N_ELEMENTS(rj_cases); i++) {
		if (rj_cases[i].now * jiffies_to_time(1) > know())
			engine_charge(COST_THINK, rj_cases[i].now * jiffies_to_time(1) - know());
		g_assert_cmpuint(kjiffies(), ==, rj_cases[i].now);
		got[i] = round_jiffies_relative_on(rj_cases[i].j, rj_cases[i].cpu);
	}
	/* Half a jiffy later it is still jiffy 375. */
	engine_charge(COST_THINK, jiffies_to_time(1) / 2);
	g_assert_cmpuint(kjiffies(), ==, 375);
}

static void rj_cpu2(void *arg)
{
	*(uint64_t *)arg = round_jiffies_relative(250);
}

static void test_round_jiffies(void)
{
	machine_t *m = harness_machine(4, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	uint64_t got[G_N_ELEMENTS(rj_cases)], mine = 0;

	harness_run_on(k, 0, rj_body, got);
	for (unsigned i = 0; i < G_N_ELEMENTS(rj_cases); i++)
		g_assert_cmpuint(got[i], ==, rj_cases[i].expect);
	/* round_jiffies_relative is the running CPU's: CPU 2 at 0, j 250:
	 * t 256, rem 6, down to 250, less 6: 244. */
	harness_run_on(k, 2, rj_cpu2, &mine);
	g_assert_cmpuint(mine, ==, 244);
	g_assert_cmpuint(jiffies_to_time(250), ==, PS_PER_SEC);
	harness_free(k, m);
}

/* ---- on_each_cpu ---- */

typedef struct ipi_rec {
	simtime_t at[4];
	int runs[4];
	simtime_t done;
} ipi_rec_t;

#define IPI_T PS_PER_MS

static void ipi_fn(void *arg)
{
	ipi_rec_t *r = arg;

	r->at[smp_processor_id()] = know();
	r->runs[smp_processor_id()]++;
	engine_charge(COST_OP, WORK_PS);
}

static void ipi_caller(void *arg)
{
	ipi_rec_t *r = arg;

	engine_charge(COST_THINK, IPI_T - know());
	on_each_cpu(ipi_fn, r);
	r->done = know();
}

/* 4 CPUs on 2 nodes, CPU 0 calls at 1 ms while the others idle.  It runs
 * fn itself at once; the IPI reaches CPU 1 (its socket) after 20 ns and
 * CPUs 2, 3 (the other node, distance 20) after 120 ns, each running fn
 * for 1 us.  CPU 3, the last to finish (1 ms + 1.12 us), wakes the
 * caller, which slept from 1 ms + 1 us. */
static void test_on_each_cpu(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	ipi_rec_t r = { { 0 }, { 0 }, 0 };
	cpu_t *c0;

	harness_run_served(k, ipi_caller, &r);
	c0 = engine_cpu(k->engine, 0);
	for (int c = 0; c < 4; c++)
		g_assert_cmpint(r.runs[c], ==, 1);
	g_assert_cmpuint(r.at[0], ==, IPI_T);
	g_assert_cmpuint(r.at[1], ==, IPI_T + 20 * PS_PER_NS);
	g_assert_cmpuint(r.at[2], ==, IPI_T + 120 * PS_PER_NS);
	g_assert_cmpuint(r.at[3], ==, IPI_T + 120 * PS_PER_NS);
	g_assert_cmpuint(r.done, ==, IPI_T + 120 * PS_PER_NS + WORK_PS);
	/* The caller's own call is its operation; the others' are
	 * housekeeping; the caller idles from 1 ms + 1 us to the wake-up. */
	g_assert_cmpuint(c0->cost[COST_OP], ==, WORK_PS);
	g_assert_cmpuint(c0->cost[COST_IDLE], ==, 120 * PS_PER_NS);
	g_assert_cmpuint(k->housekeeping, ==, 3 * WORK_PS);
	g_assert_cmpuint(k->longest_interruption, ==, WORK_PS);
	harness_free(k, m);
}

/* ---- idle and kick ---- */

typedef struct kick {
	simtime_t woke;
} kick_t;

static void kick_body(void *arg, int cpu)
{
	kick_t *kk = arg;

	if (cpu == 1) {
		kernel_idle();
		kk->woke = know();
		return;
	}
	engine_charge(COST_THINK, 5 * PS_PER_US);
	engine_sync();                  /* CPU 1 goes idle at 0 first */
	kernel_kick(1, know());
	kernel_kick(1, know() + PS_PER_US);     /* no longer idle: nothing */
}

/* CPU 1 sleeps from 0; CPU 0 kicks it at 5 us: it wakes then, the gap
 * charged as idle; the second kick finds it awake and does nothing. */
static void test_idle_kick(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	kick_t kk = { 0 };

	harness_run_many(k, cpus, 2, kick_body, &kk);
	g_assert_cmpuint(kk.woke, ==, 5 * PS_PER_US);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_IDLE], ==, 5 * PS_PER_US);
	harness_free(k, m);
}

/* ---- metadata accounting ---- */

static int hook_calls;
static int hook_ctx;

/* A kmalloc that hands out powers of two from 8 bytes. */
static size_t pow2_size(void *ctx, size_t size)
{
	size_t c = 8;

	g_assert_true(ctx == &hook_ctx);
	hook_calls++;
	while (c < size)
		c *= 2;
	return c;
}

static void visit(void *ctx, const char *owner, const char *category, uint64_t bytes)
{
	g_string_append_printf(ctx, "%s/%s=%" G_GUINT64_FORMAT " ", owner, category, bytes);
}

static void meta_body(void *arg)
{
	GString *order = arg;
	saddr_t a, b;

	/* No hook: exact.  100 bytes on node 1, aligned to the smallest
	 * power of two from 8 that is >= 100, capped at the 64-byte line. */
	a = kmeta_alloc("c", "cat", 100, 1);
	g_assert_cmpint(mem_home_node(kern()->mem, a), ==, 1);
	g_assert_cmpuint(a % 64, ==, 0);
	g_assert_false(kaddr_valid(a));                 /* the META window, not RAM */
	g_assert_cmpuint(kmeta_total(), ==, 100);
	g_assert_cmpuint(kmeta_rounded(100), ==, 100);

	/* The hook rounds kmeta_alloc and kmeta_account_n, not kmeta_static;
	 * node -1 is the running CPU's (CPU 0: node 0); 24 bytes round to 32
	 * and align to 32. */
	kernel_set_kmalloc_size(pow2_size, &hook_ctx);
	b = kmeta_alloc("c", "cat", 24, -1);
	g_assert_cmpint(mem_home_node(kern()->mem, b), ==, 0);
	g_assert_cmpuint(b % 32, ==, 0);
	g_assert_cmpuint(kmeta_total(), ==, 100 + 32);
	kmeta_static("c", "static", 100, 0);
	g_assert_cmpuint(kmeta_total(), ==, 100 + 32 + 100);
	kmeta_account_n("c", "percpu", 24, 4, KMETA_SPREAD);   /* 4 * 32, 2 per node */
	kmeta_account_n("c2", "y", 1000, 1, 1);               /* 1024 on node 1 */
	kmeta_static("b", "x", 8, 0);
	g_assert_cmpuint(kmeta_total(), ==, 232 + 128 + 1024 + 8);
	/* Node 0: 32 + 100 + 64 + 8; node 1: 100 + 64 + 1024. */
	g_assert_cmpuint(kmeta_node_bytes(0), ==, 204);
	g_assert_cmpuint(kmeta_node_bytes(1), ==, 1188);
	g_assert_cmpuint(hook_calls, ==, 3);
	kmeta_release("c", "cat", 24, b);
	kmeta_release_n("c", "percpu", 24, 4, KMETA_SPREAD);
	kmeta_release_n("c2", "y", 1000, 1, 1);
	g_assert_cmpuint(kmeta_total(), ==, 100 + 100 + 8);
	g_assert_cmpuint(kmeta_node_bytes(0), ==, 108);
	g_assert_cmpuint(kmeta_node_bytes(1), ==, 100);
	/* Each node's metadata set one 4 KiB page of its zone aside, kept. */
	g_assert_cmpuint(pa_meta_pages(kern()->pa, 0), ==, 1);
	g_assert_cmpuint(pa_meta_pages(kern()->pa, 1), ==, 1);
	g_assert_cmpuint(pa_stats(kern()->pa)->pages_in_use, ==, 0);
	g_assert_cmpuint(kmeta_peak(), ==, 232 + 128 + 1024 + 8);
	g_assert_cmpuint(harness_meta("c", "cat"), ==, 100);
	/* Sorted by owner, then category ("c" before "c2"). */
	kmeta_foreach(visit, order);
	kernel_set_kmalloc_size(NULL, NULL);
	g_assert_cmpuint(kmeta_rounded(24), ==, 24);
}

static void test_kmeta(void)
{
	machine_t *m = harness_machine(2, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	GString *order = g_string_new(NULL);

	harness_run_on(k, 0, meta_body, order);
	g_assert_cmpstr(order->str, ==, "b/x=8 c/cat=100 c/percpu=0 c/static=100 c2/y=0 ");
	g_string_free(order, TRUE);
	harness_free(k, m);
}

/* ---- per-CPU areas ---- */

/* Two reservations of 24 and 8 bytes (alignment 16, then 8): offsets 0 and
 * 24, the same in every CPU's area; each CPU's copy is on its own node and
 * no two CPUs' copies share a line; 32 bytes per CPU are accounted. */
static void percpu_body(void *arg)
{
	uint64_t *off = arg;

	off[0] = percpu_alloc("c", "pcpu", 24, 16);
	off[1] = percpu_alloc("c", "pcpu", 8, 8);
}

static void test_percpu(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	uint64_t off[2];

	harness_run_on(k, 0, percpu_body, off);
	g_assert_cmpuint(off[0], ==, 0);
	g_assert_cmpuint(off[1], ==, 24);
	g_assert_cmpuint(harness_meta("c", "pcpu"), ==, 4 * (24 + 8));
	for (int cpu = 0; cpu < 4; cpu++) {
		g_assert_cmpint(mem_home_node(k->mem, per_cpu_addr(off[0], cpu)), ==, m->cpu_node[cpu]);
		g_assert_cmpuint(per_cpu_addr(off[1], cpu) - per_cpu_addr(off[0], cpu), ==, 24);
		for (int other = 0; other < cpu; other++)
			g_assert_cmpuint(mem_line(k->mem, per_cpu_addr(off[0], cpu)), !=,
			                 mem_line(k->mem, per_cpu_addr(off[0], other)));
	}
	harness_free(k, m);
}

/* ---- irqs, atomics, the page allocator's account ---- */

static void price_body(void *arg)
{
	simtime_t *dt = arg, t0 = know(), before[COST_NKINDS];
	cpu_t *c = engine_current();
	unsigned long flags;
	page_t *p;

	local_irq_save(&flags);
	dt[0] = know() - t0;
	t0 = know();
	local_irq_restore(flags);
	dt[1] = know() - t0;
	t0 = know();
	katomic(mem_pfn_addr(kern()->mem, 1));
	dt[2] = know() - t0;
	/* Everything alloc_pages_node and __free_pages charge is page
	 * allocator time: no other account moves. */
	engine_cost_mark(before);
	t0 = know();
	p = alloc_pages_node(0, GFP_KERNEL, 2);
	__free_pages(p, 2);
	dt[3] = know() - t0;
	g_assert_cmpuint(dt[3], >, 0);
	for (int kind = 0; kind < COST_NKINDS; kind++)
		if (kind != COST_PAGEALLOC)
			g_assert_cmpuint(c->cost[kind], ==, before[kind]);
	g_assert_cmpuint(c->cost[COST_PAGEALLOC] - before[COST_PAGEALLOC], ==, dt[3]);
}

/* An irq save/restore pair of 3.001 ns: save charges half (1.5 ns,
 * rounded down), restore the rest (1.501 ns); katomic on a cold local
 * line is a DRAM fetch and the RMW (60 + 5). */
static void test_prices(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k;
	simtime_t dt[4];

	m->irq = 3001;
	k = harness_kernel(m, NULL, NULL, NULL);
	harness_run_on(k, 0, price_body, dt);
	g_assert_cmpuint(dt[0], ==, 1500);
	g_assert_cmpuint(dt[1], ==, 1501);
	g_assert_cmpuint(dt[2], ==, 65 * PS_PER_NS);
	g_assert_cmpuint(engine_cpu(k->engine, 0)->cost[COST_IRQ], ==, 3001);
	harness_free(k, m);
}

/* The double-word compare-and-exchanges on a cold local line: each is
 * the fetch and the RMW (60 + 5), then a hit and the RMW (1 + 5), the
 * per-CPU one (no LOCK) and the LOCKed one alike; so is the one on a
 * struct page's freelist and counters (cold: 60 + 5). */
static void cmpxchg_body(void *arg)
{
	simtime_t *dt = arg, t0 = know(), atomic = engine_current()->cost[COST_ATOMIC];
	saddr_t a = mem_pfn_addr(kern()->mem, 1), b = mem_pfn_addr(kern()->mem, 2);
	page_t *p = virt_to_page(mem_pfn_addr(kern()->mem, 3));

	this_cpu_cmpxchg_double(a);
	dt[0] = know() - t0;
	t0 = know();
	this_cpu_cmpxchg_double(a);
	dt[1] = know() - t0;
	t0 = know();
	kcmpxchg_double(b);
	dt[2] = know() - t0;
	t0 = know();
	kcmpxchg_double(b);
	dt[3] = know() - t0;
	t0 = know();
	kpage_cmpxchg_double(p);
	dt[4] = know() - t0;
	g_assert_cmpuint(engine_current()->cost[COST_ATOMIC] - atomic, ==, 5 * 5 * PS_PER_NS);
}

static void test_cmpxchg(void)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	simtime_t dt[5];

	harness_run_on(k, 0, cmpxchg_body, dt);
	g_assert_cmpuint(dt[0], ==, 65 * PS_PER_NS);
	g_assert_cmpuint(dt[1], ==, 6 * PS_PER_NS);
	g_assert_cmpuint(dt[2], ==, 65 * PS_PER_NS);
	g_assert_cmpuint(dt[3], ==, 6 * PS_PER_NS);
	g_assert_cmpuint(dt[4], ==, 65 * PS_PER_NS);
	harness_free(k, m);
}

/* fls_long: the 1-based highest set bit; get_order: the smallest order
 * whose block of 2^page_shift-byte pages holds size bytes. */
static void test_order_helpers(void)
{
	g_assert_cmpint(fls_long(0), ==, 0);
	g_assert_cmpint(fls_long(1), ==, 1);
	g_assert_cmpint(fls_long(0x80), ==, 8);
	g_assert_cmpint(fls_long(~0UL), ==, 64);
	g_assert_cmpuint(get_order(1, 12), ==, 0);
	g_assert_cmpuint(get_order(4096, 12), ==, 0);
	g_assert_cmpuint(get_order(4097, 12), ==, 1);
	g_assert_cmpuint(get_order(8192, 12), ==, 1);
	g_assert_cmpuint(get_order(8193, 12), ==, 2);
	g_assert_cmpuint(get_order(1UL << 20, 12), ==, 8);
	g_assert_cmpuint(get_order(16384, 14), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kernel/interrupt-on-time", test_interrupt_on_time);
	g_test_add_func("/kernel/delayed-work-boundary", test_delayed_work_boundary);
	g_test_add_func("/kernel/compute-interrupted", test_compute_interrupted);
	g_test_add_func("/kernel/round-jiffies", test_round_jiffies);
	g_test_add_func("/kernel/on-each-cpu", test_on_each_cpu);
	g_test_add_func("/kernel/idle-kick", test_idle_kick);
	g_test_add_func("/kernel/kmeta", test_kmeta);
	g_test_add_func("/kernel/percpu", test_percpu);
	g_test_add_func("/kernel/prices", test_prices);
	g_test_add_func("/kernel/cmpxchg", test_cmpxchg);
	g_test_add_func("/kernel/order-helpers", test_order_helpers);
	return g_test_run();
}
