/*
 * test_lock.c -- spinlocks: FIFO hand-off (in arrival order, not by CPU
 * id), lockstat figures (acquisitions, contentions, wait, max wait, hold)
 * on hand-built two-, three- and four-CPU cases with exact times, trylock
 * (priced even when it fails, never a contention), bit spinlocks priced at
 * the struct page, and the class registry.
 *
 * Harness machine prices (ns): hit 1, xfer_socket 20, xfer_remote 120 at
 * distance 20, mem_local 60 (100 at distance 20), rmw 5, inval 3.  On 4
 * CPUs over 2 nodes: CPUs 0,1 on node 0 (one socket), CPUs 2,3 on node 1.
 * The lock word is on node 0 unless said otherwise.
 */
#include "harness.h"

static spinlock_t lock = SPINLOCK_INIT;
static saddr_t lock_addr;
static GString *order;
static simtime_t got_at[4];

/* CPU c arrives at start[c] ns, holds the lock hold[c] ns. */
static const simtime_t start[3] = { 0, 100, 200 };
static const simtime_t hold[3] = { 1000, 500, 0 };

static void contend(void *arg, int cpu)
{
	lock_class_t *cls = klock_class("test.lock");

	(void)arg;
	engine_charge(COST_THINK, start[cpu] * PS_PER_NS - know());
	spin_lock(&lock, cls, lock_addr);
	got_at[cpu] = know() / PS_PER_NS;
	g_string_append_printf(order, "%d", cpu);
	engine_charge(COST_THINK, hold[cpu] * PS_PER_NS);
	spin_unlock(&lock, cls, lock_addr);
}

static void test_handoff(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[3] = { 0, 1, 2 };
	lock_class_t *cls;

	order = g_string_new(NULL);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_many(k, cpus, 3, contend, NULL);
	cls = klock_class("test.lock");
	/* CPU 0: cold RMW = 60 + 5, holds from 65 to 1065; its release is a
	 * hit (1066), hands over and invalidates the 2 spinners (6): 1072.
	 * CPU 1 pulls the line from CPU 0 on its socket (20), invalidates
	 * CPU 0's copy (3) and does the RMW (5): has it at 1100, waited
	 * 1100 - 100 = 1000; holds to 1600, release hit 1601, one spinner
	 * invalidated: 1604.
	 * CPU 2 pulls it across nodes (120), invalidates CPU 1's copy (3),
	 * RMW (5): 1732, waited 1532; releases at 1733. */
	g_assert_cmpstr(order->str, ==, "012");
	g_assert_cmpuint(got_at[0], ==, 65);
	g_assert_cmpuint(got_at[1], ==, 1100);
	g_assert_cmpuint(got_at[2], ==, 1732);
	g_assert_cmpuint(cls->acquisitions, ==, 3);
	g_assert_cmpuint(cls->contentions, ==, 2);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 1000 + 1532);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 1532);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1001 + 501 + 1);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1072 - 100);
	spin_destroy(&lock);
	g_string_free(order, TRUE);
	harness_free(k, m);
}

static void try_twice(void *arg)
{
	lock_class_t *cls = klock_class("test.try");
	bool *res = arg;

	res[0] = spin_trylock(&lock, cls, lock_addr);
	res[1] = spin_trylock(&lock, cls, lock_addr);
	spin_unlock(&lock, cls, lock_addr);
}

static void test_trylock(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	bool res[2];

	spin_init(&lock);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_on(k, 0, try_twice, res);
	g_assert_true(res[0]);
	g_assert_false(res[1]);
	g_assert_cmpuint(klock_class("test.try")->acquisitions, ==, 1);
	harness_free(k, m);
}

/* ---- FIFO in arrival order ---- */

static const simtime_t start4[4] = { 0, 200, 300, 100 };
static const simtime_t hold4[4] = { 1000, 300, 0, 200 };

static void contend4(void *arg, int cpu)
{
	lock_class_t *cls = klock_class("test.fifo");

	(void)arg;
	engine_charge(COST_THINK, start4[cpu] * PS_PER_NS - know());
	spin_lock(&lock, cls, lock_addr);
	got_at[cpu] = know() / PS_PER_NS;
	g_string_append_printf(order, "%d", cpu);
	engine_charge(COST_THINK, hold4[cpu] * PS_PER_NS);
	spin_unlock(&lock, cls, lock_addr);
}

/* CPU 0 holds from 65 (cold local RMW 60 + 5) to 1065; CPUs 3, 1, 2 queue
 * at 100, 200, 300.  Hand-offs in that order:
 *   CPU 0 releases: hit (1066), invalidates the 3 spinners (9): 1075.
 *   CPU 3 pulls the line from CPU 0's socket across nodes (120), drops
 *   CPU 0's copy (3), RMW (5): 1203, waited 1103; holds 200, release hit
 *   1404, 2 spinners (6): 1410.
 *   CPU 1 pulls it from CPU 3 (120 + 3 + 5): 1538, waited 1338; holds
 *   300, release 1839, 1 spinner (3): 1842.
 *   CPU 2 pulls it from CPU 1 (128): 1970, waited 1670; release 1971.
 * Hold: 1001 + 201 + 301 + 1. */
static void test_fifo_arrival_order(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[4] = { 0, 1, 2, 3 };
	lock_class_t *cls;

	spin_init(&lock);
	order = g_string_new(NULL);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_many(k, cpus, 4, contend4, NULL);
	cls = klock_class("test.fifo");
	g_assert_cmpstr(order->str, ==, "0312");
	g_assert_cmpuint(got_at[0], ==, 65);
	g_assert_cmpuint(got_at[3], ==, 1203);
	g_assert_cmpuint(got_at[1], ==, 1538);
	g_assert_cmpuint(got_at[2], ==, 1970);
	g_assert_cmpuint(cls->acquisitions, ==, 4);
	g_assert_cmpuint(cls->contentions, ==, 3);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 1103 + 1338 + 1670);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 1670);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1001 + 201 + 301 + 1);
	/* Spinning is the gap from asking to the releaser's hand-over. */
	g_assert_cmpuint(engine_cpu(k->engine, 3)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1075 - 100);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1410 - 200);
	g_assert_cmpuint(engine_cpu(k->engine, 2)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1842 - 300);
	g_assert_false(spin_is_locked(&lock));
	g_string_free(order, TRUE);
	harness_free(k, m);
}

/* ---- two CPUs on one socket ---- */

static simtime_t release_at[2];

static void twice(void *arg, int cpu)
{
	lock_class_t *cls = klock_class("test.two");

	(void)arg;
	if (cpu == 1) {
		engine_charge(COST_THINK, 100 * PS_PER_NS);
		spin_lock(&lock, cls, lock_addr);
		got_at[1] = know() / PS_PER_NS;
		engine_charge(COST_THINK, 50 * PS_PER_NS);
		spin_unlock(&lock, cls, lock_addr);
		return;
	}
	spin_lock(&lock, cls, lock_addr);
	got_at[0] = know() / PS_PER_NS;
	engine_charge(COST_THINK, 500 * PS_PER_NS);
	spin_unlock(&lock, cls, lock_addr);
	release_at[0] = know() / PS_PER_NS;
	engine_charge(COST_THINK, 700 * PS_PER_NS - know());
	spin_lock(&lock, cls, lock_addr);
	got_at[2] = know() / PS_PER_NS;
	engine_charge(COST_THINK, 10 * PS_PER_NS);
	spin_unlock(&lock, cls, lock_addr);
	release_at[1] = know() / PS_PER_NS;
}

/* CPU 0 takes it at 65 (cold RMW) and releases at 566 (hit), handing it
 * to CPU 1 (asked at 100) with one spinner invalidated: 569.  CPU 1 pulls
 * the Modified line from its socket (20), drops CPU 0's copy (3), RMW (5):
 * 597, waited 497; releases at 648 (hit).  CPU 0 retakes it uncontended
 * at 700: the line is CPU 1's, 20 + 3 + 5 = 728; releases at 739. */
static void test_two_cpus(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	lock_class_t *cls;

	spin_init(&lock);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_many(k, cpus, 2, twice, NULL);
	cls = klock_class("test.two");
	g_assert_cmpuint(got_at[0], ==, 65);
	g_assert_cmpuint(release_at[0], ==, 569);
	g_assert_cmpuint(got_at[1], ==, 597);
	g_assert_cmpuint(got_at[2], ==, 728);
	g_assert_cmpuint(release_at[1], ==, 739);
	g_assert_cmpuint(cls->acquisitions, ==, 3);
	g_assert_cmpuint(cls->contentions, ==, 1);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 497);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 497);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 501 + 51 + 11);
	harness_free(k, m);
}

/* ---- trylock against another CPU ---- */

static bool try_res[2];
static simtime_t try_at[2];

static void try_other(void *arg, int cpu)
{
	lock_class_t *cls = klock_class("test.tryother");

	(void)arg;
	if (cpu == 0) {
		spin_lock(&lock, cls, lock_addr);
		engine_charge(COST_THINK, 1000 * PS_PER_NS);
		spin_unlock(&lock, cls, lock_addr);
		release_at[0] = know() / PS_PER_NS;
		return;
	}
	engine_charge(COST_THINK, 100 * PS_PER_NS);
	try_res[0] = spin_trylock(&lock, cls, lock_addr);
	try_at[0] = know() / PS_PER_NS;
	engine_charge(COST_THINK, 2000 * PS_PER_NS - know());
	try_res[1] = spin_trylock(&lock, cls, lock_addr);
	try_at[1] = know() / PS_PER_NS;
	if (try_res[1])
		spin_unlock(&lock, cls, lock_addr);
}

/* CPU 0 holds from 65 to 1065.  CPU 1's trylock at 100 fails but still
 * does its RMW: the line comes from CPU 0 on the socket (20), CPU 0's copy
 * goes (3), RMW (5): 128, and CPU 1 now owns the line; so CPU 0's release
 * pulls it back (20 + 3): 1088, held 1023.  At 2000 CPU 1's trylock
 * succeeds (20 + 3 + 5): 2028; its release is a hit (held 1).  A failed
 * trylock neither acquires nor counts as a contention. */
static void test_trylock_other(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	lock_class_t *cls;

	spin_init(&lock);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_many(k, cpus, 2, try_other, NULL);
	cls = klock_class("test.tryother");
	g_assert_false(try_res[0]);
	g_assert_cmpuint(try_at[0], ==, 128);
	g_assert_cmpuint(release_at[0], ==, 1088);
	g_assert_true(try_res[1]);
	g_assert_cmpuint(try_at[1], ==, 2028);
	g_assert_cmpuint(cls->acquisitions, ==, 2);
	g_assert_cmpuint(cls->contentions, ==, 0);
	g_assert_cmpuint(cls->wait, ==, 0);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1023 + 1);
	harness_free(k, m);
}

/* ---- a bit spinlock lives at the struct page ---- */

static void page_lock(void *arg)
{
	page_t *p = arg;
	lock_class_t *cls = klock_class("test.page");
	simtime_t t0 = know();

	bit_spin_lock_page(p, cls);
	got_at[0] = (know() - t0) / PS_PER_NS;
	g_assert_true(spin_is_locked(&p->lock));
	g_assert_false(bit_spin_trylock_page(p, cls));   /* held: and now Modified here */
	t0 = know();
	bit_spin_unlock_page(p, cls);
	got_at[1] = (know() - t0) / PS_PER_NS;
}

/* The struct page of a node-1 page sits in node 1's memory map: CPU 0's
 * first lock is a remote DRAM RMW (60 + 4 * 10 = 100, + 5); after the
 * failed trylock (a hit RMW) the release is a hit. */
static void test_bit_spinlock_page(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	page_t *p = pa_pfn_to_page(k->pa, k->mem->pages_per_node);

	g_assert_cmpint(page_to_nid(p), ==, 1);
	harness_run_on(k, 0, page_lock, p);
	g_assert_cmpuint(got_at[0], ==, 105);
	g_assert_cmpuint(got_at[1], ==, 1);
	g_assert_cmpuint(klock_class("test.page")->acquisitions, ==, 1);
	harness_free(k, m);
}

/* ---- the class registry ---- */

static void test_classes(void)
{
	lock_registry_t *r = lock_registry_new();
	lock_class_t *b = lock_class(r, "zone.lock");
	GPtrArray *all;

	lock_class(r, "slub.list_lock");
	lock_class(r, "alien->lock");
	g_assert_true(lock_class(r, "zone.lock") == b);     /* one class per name */
	all = lock_classes_sorted(r);
	g_assert_cmpuint(all->len, ==, 3);
	g_assert_cmpstr(((lock_class_t *)all->pdata[0])->name, ==, "alien->lock");
	g_assert_cmpstr(((lock_class_t *)all->pdata[1])->name, ==, "slub.list_lock");
	g_assert_cmpstr(((lock_class_t *)all->pdata[2])->name, ==, "zone.lock");
	g_ptr_array_free(all, TRUE);
	lock_registry_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lock/fifo-handoff", test_handoff);
	g_test_add_func("/lock/trylock", test_trylock);
	g_test_add_func("/lock/fifo-arrival-order", test_fifo_arrival_order);
	g_test_add_func("/lock/two-cpus", test_two_cpus);
	g_test_add_func("/lock/trylock-other-cpu", test_trylock_other);
	g_test_add_func("/lock/bit-spinlock-page", test_bit_spinlock_page);
	g_test_add_func("/lock/classes", test_classes);
	return g_test_run();
}
