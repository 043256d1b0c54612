/*
 * test_lock.c -- FIFO hand-off and lockstat figures on a hand-built case.
 *
 * Harness machine prices (ns): hit 1, xfer_socket 20, xfer_remote 120 at
 * distance 20, mem_local 60, rmw 5, inval 3.  CPUs 0,1 on node 0 (one
 * socket), CPU 2 on node 1.
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lock/fifo-handoff", test_handoff);
	g_test_add_func("/lock/trylock", test_trylock);
	return g_test_run();
}
