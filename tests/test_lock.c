/*
 * test_lock.c -- ticket spinlocks: FIFO hand-off (in arrival order, not by
 * CPU id), lockstat figures (acquisitions, contentions, wait, max wait,
 * hold, bounces) on hand-built two-, three- and four-CPU cases with exact
 * times; test-and-set bit spinlocks, whose release goes to the nearest
 * spinner and whose losers' failed test-and-sets steal the line; trylock
 * (priced even when it fails, never a contention), bit spinlocks priced at
 * the struct page, and the class registry.
 *
 * The lock model (lock.c): a ticket is an RMW on the lock's line when the
 * CPU arrives; a waiter holds a shared copy while it spins, which the
 * release's store invalidates; the next holder then reads the line the
 * releaser wrote.  Wait is counted from the failed attempt to the hand-off.
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
	/* CPU 0: cold RMW = 60 + 5, holds from 65 to 1065.
	 * CPU 1 at 100 takes a ticket: the line is Modified at CPU 0 on its
	 * socket (20), CPU 0's copy goes (3), RMW (5): 128, waits.
	 * CPU 2 at 200: the line is Modified at CPU 1, across nodes (120 + 3
	 * + 5): 328, waits.
	 * CPU 0 releases at 1065: the spinners re-read (CPU 1 from CPU 2, CPU
	 * 2 a hit); its store finds the line clean at CPU 1 on its socket
	 * (llc 10) and invalidates 2 copies (6): 1081, held 1016.  CPU 1,
	 * woken at 1081 (waited 1081 - 128 = 953), reads the line from CPU 0
	 * (20): has it at 1101; CPU 2 re-reads it.  CPU 1 holds to 1601; its
	 * store upgrades its valid copy (1) and invalidates 2 (6): 1608, held
	 * 507.  CPU 2, woken at 1608 (waited 1280), reads from CPU 1 across
	 * nodes (120): 1728; its release upgrades (1) and invalidates CPU 1's
	 * copy (3): 1732, held 4.  Every contention and every acquisition but
	 * the first found the lock last held by another CPU: 2 bounces each. */
	g_assert_cmpstr(order->str, ==, "012");
	g_assert_cmpuint(got_at[0], ==, 65);
	g_assert_cmpuint(got_at[1], ==, 1101);
	g_assert_cmpuint(got_at[2], ==, 1728);
	g_assert_cmpuint(cls->acquisitions, ==, 3);
	g_assert_cmpuint(cls->contentions, ==, 2);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 953 + 1280);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 1280);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1016 + 507 + 4);
	g_assert_cmpuint(cls->con_bounces, ==, 2);
	g_assert_cmpuint(cls->acq_bounces, ==, 2);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1081 - 128);
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

/* CPU 0 holds from 65 (cold local RMW 60 + 5) to 1065; CPUs 3, 1, 2 take
 * tickets at 100, 200, 300, each pulling the Modified line from the last
 * taker across nodes (120 + 3 + 5): 228, 328, 428.  Hand-offs in ticket
 * order:
 *   CPU 0 releases at 1065: the spinners re-read (3 from 2, 1 from 3, 2 a
 *   hit); its store gets the clean line from CPU 1 on its socket (llc 10)
 *   and invalidates 3 copies (9): 1084.  CPU 3 (waited 1084 - 228 = 856)
 *   reads it from CPU 0 across nodes (120): 1204; CPUs 1 and 2 re-read.
 *   CPU 3 holds 200: its store upgrades (1) and invalidates 3 (9): 1414.
 *   CPU 1 (waited 1086) reads from CPU 3 (120): 1534; CPU 2 re-reads.
 *   CPU 1 holds 300: 1834, upgrade (1) and 2 copies (6): 1841.
 *   CPU 2 (waited 1413) reads from CPU 1 (120): 1961; its release
 *   upgrades (1) and drops CPU 1's copy (3): 1965.
 * Hold: 1019 + 210 + 307 + 4. */
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
	g_assert_cmpuint(got_at[3], ==, 1204);
	g_assert_cmpuint(got_at[1], ==, 1534);
	g_assert_cmpuint(got_at[2], ==, 1961);
	g_assert_cmpuint(cls->acquisitions, ==, 4);
	g_assert_cmpuint(cls->contentions, ==, 3);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 856 + 1086 + 1413);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 1413);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1019 + 210 + 307 + 4);
	g_assert_cmpuint(cls->con_bounces, ==, 3);
	g_assert_cmpuint(cls->acq_bounces, ==, 3);
	/* Spinning is the gap from the ticket to the releaser's hand-over. */
	g_assert_cmpuint(engine_cpu(k->engine, 3)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1084 - 228);
	g_assert_cmpuint(engine_cpu(k->engine, 1)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1414 - 328);
	g_assert_cmpuint(engine_cpu(k->engine, 2)->cost[COST_LOCK_WAIT] / PS_PER_NS, ==, 1841 - 428);
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

/* CPU 0 takes it at 65 (cold RMW).  CPU 1 takes a ticket at 100: the line
 * from CPU 0 on its socket (20), CPU 0's copy goes (3), RMW (5): 128.  CPU
 * 0 releases at 565: CPU 1's re-read is a hit; the store pulls the line
 * back (20) and invalidates CPU 1's copy (3): 588, held 523.  CPU 1 (waited
 * 588 - 128 = 460) reads it from CPU 0 (20): 608; releases at 658 with an
 * upgrade (1) dropping CPU 0's copy (3): 662, held 54.  CPU 0 retakes it
 * uncontended at 700: the line is CPU 1's, 20 + 3 + 5 = 728; releases at
 * 738 with a hit: 739, held 11. */
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
	g_assert_cmpuint(release_at[0], ==, 588);
	g_assert_cmpuint(got_at[1], ==, 608);
	g_assert_cmpuint(got_at[2], ==, 728);
	g_assert_cmpuint(release_at[1], ==, 739);
	g_assert_cmpuint(cls->acquisitions, ==, 3);
	g_assert_cmpuint(cls->contentions, ==, 1);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 460);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 460);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 523 + 54 + 11);
	g_assert_cmpuint(cls->acq_bounces, ==, 2);     /* CPU 1 after 0, CPU 0 after 1 */
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

/* ---- test-and-set: the nearest spinner wins ---- */

static const simtime_t start_tas[3] = { 0, 200, 100 };
static const simtime_t hold_tas[3] = { 1000, 500, 0 };

static void contend_tas(void *arg, int cpu)
{
	lock_class_t *cls = klock_class("test.tas");

	(void)arg;
	engine_charge(COST_THINK, start_tas[cpu] * PS_PER_NS - know());
	bit_spin_lock(&lock, cls, lock_addr);
	got_at[cpu] = know() / PS_PER_NS;
	g_string_append_printf(order, "%d", cpu);
	engine_charge(COST_THINK, hold_tas[cpu] * PS_PER_NS);
	bit_spin_unlock(&lock, cls, lock_addr);
}

/* CPU 0 holds from 65 to 1065.  CPU 2 (node 1) tries at 100: the line
 * Modified at CPU 0 across nodes (120 + 3 + 5): 228, spins.  CPU 1 (node
 * 0) tries at 200: the line is CPU 2's now (120 + 3 + 5): 328, spins.
 * CPU 0 releases at 1065: the spinners re-read (CPU 2 from CPU 1, CPU 1 a
 * hit); the store gets the clean line from CPU 2 across nodes (120) and
 * invalidates 2 copies (6): 1191, held 1126.  The cleared word reaches CPU
 * 1 on the releaser's socket (20) before CPU 2 (120): CPU 1 wins though it
 * asked last.  CPU 1 (waited 1191 - 328 = 863) test-and-sets the line from
 * CPU 0 (20 + 3 + 5): 1219; CPU 2's failed test-and-set then takes the line
 * away.  CPU 1 holds 500: its store fetches the line back from CPU 2 across
 * nodes (120) and drops that copy (3): 1842, held 623.  CPU 2 (waited 1842
 * - 228 = 1614) test-and-sets it from CPU 1 (120 + 3 + 5): 1970; release
 * hit: 1971. */
static void test_tas_nearest_wins(void)
{
	machine_t *m = harness_machine(4, 2, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[3] = { 0, 1, 2 };
	lock_class_t *cls;

	spin_init(&lock);
	order = g_string_new(NULL);
	lock_addr = mem_pfn_addr(k->mem, 0);
	harness_run_many(k, cpus, 3, contend_tas, NULL);
	cls = klock_class("test.tas");
	g_assert_cmpstr(order->str, ==, "012");
	g_assert_cmpuint(got_at[0], ==, 65);
	g_assert_cmpuint(got_at[1], ==, 1219);
	g_assert_cmpuint(got_at[2], ==, 1970);
	g_assert_cmpuint(cls->contentions, ==, 2);
	g_assert_cmpuint(cls->wait / PS_PER_NS, ==, 863 + 1614);
	g_assert_cmpuint(cls->max_wait / PS_PER_NS, ==, 1614);
	g_assert_cmpuint(cls->hold / PS_PER_NS, ==, 1126 + 623 + 1);
	g_assert_false(spin_is_locked(&lock));
	g_string_free(order, TRUE);
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
	g_test_add_func("/lock/tas-nearest-wins", test_tas_nearest_wins);
	g_test_add_func("/lock/trylock-other-cpu", test_trylock_other);
	g_test_add_func("/lock/bit-spinlock-page", test_bit_spinlock_page);
	g_test_add_func("/lock/classes", test_classes);
	return g_test_run();
}
