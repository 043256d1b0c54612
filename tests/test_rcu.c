/*
 * test_rcu.c -- grace periods and call_rcu (sim/kernel/rcu.c).
 *
 * A hand-built case: two CPUs, HZ 250 (a tick every 4 ms).  CPU 0 runs
 * 1 ms, queues a callback and computes; its tick at 4 ms starts the grace
 * period.  CPU 1 is inside one long operation until `busy` ms and then
 * computes.  The grace period ends at the later of the two CPUs' first
 * quiescent states after 4 ms: CPU 0's tick at 8 ms (taken on time: it
 * computes), CPU 1's tick at 8 ms if it computes by then, else at the end
 * of its operation (a tick cannot be taken inside one) or at a context
 * switch it makes meanwhile, and nothing for CPU 1 if it is idle when the
 * grace period starts.  The callback then runs on CPU 0, interrupting its
 * computation, as rcu_process_callbacks.  Also: callbacks queued during a
 * grace period wait for the next one, and a softirq run invokes at most
 * 10 of them.
 */
#include "harness.h"

#define MS      PS_PER_MS
#define SLACK   (2 * PS_PER_US)         /* the work's own accesses and locks */

typedef struct gp_case {
	const char *name;
	simtime_t busy;         /* CPU 1's operation ends */
	simtime_t sw;           /* CPU 1 switches context at (0: never) */
	bool idle;              /* CPU 1 idles from the start instead */
	simtime_t end;          /* the grace period's end, by hand */
	simtime_t ran;          /* when the callback ran */
} gp_case_t;

static void callback(void *arg)
{
	gp_case_t *c = *(gp_case_t **)arg;

	c->ran = know();
}

static void op_until(simtime_t t)
{
	engine_charge(COST_OP, t - know());
}

static void gp_body(void *arg, int cpu)
{
	gp_case_t *c = arg;

	if (cpu == 0) {
		kernel_compute(1 * MS, COST_THINK);
		call_rcu(kern()->mem->meta_base, callback, &c, sizeof(c), RCU_OBJECT, 64);
		kernel_compute(30 * MS, COST_THINK);
		return;
	}
	if (c->idle) {
		kernel_idle_loop();             /* the callback's work never wakes it */
		return;
	}
	if (c->sw) {
		op_until(c->sw);
		rcu_note_context_switch();
	}
	op_until(c->busy);
	kernel_compute(30 * MS - know(), COST_THINK);
}

static void test_grace_period(void)
{
	gp_case_t cases[] = {
		{ "CPU 1 busy until 9 ms", .busy = 9 * MS, .end = 9 * MS },
		{ "CPU 1 busy until 3 ms", .busy = 3 * MS, .end = 8 * MS },
		{ "CPU 1 switches at 10 ms", .busy = 12 * MS, .sw = 10 * MS, .end = 10 * MS },
		{ "CPU 1 idle", .idle = true, .end = 8 * MS },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		gp_case_t *c = &cases[i];
		machine_t *m = harness_machine(2, 1, 16);
		kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
		int cpus[2] = { 0, 1 };

		harness_run_many(k, cpus, 2, gp_body, c);
		g_test_message("%s: grace period %.3f..%.3f ms, callback at %.3f ms", c->name,
		               (double)rcu_gp_start_time() / MS, (double)rcu_gp_end_time() / MS,
		               (double)c->ran / MS);
		g_assert_cmpuint(rcu_gp_completed(), ==, 1);
		g_assert_cmpuint(rcu_gp_start_time(), >=, 4 * MS);
		g_assert_cmpuint(rcu_gp_start_time(), <, 4 * MS + SLACK);
		g_assert_cmpuint(rcu_gp_end_time(), >=, c->end);
		g_assert_cmpuint(rcu_gp_end_time(), <, c->end + SLACK);
		g_assert_cmpuint(c->ran, >=, rcu_gp_end_time());
		g_assert_cmpuint(c->ran, <, rcu_gp_end_time() + SLACK);
		g_assert_cmpuint(rcu_stats()->invoked, ==, 1);
		g_assert_cmpuint(rcu_stats()->waiting[RCU_OBJECT], ==, 0);
		g_assert_cmpuint(rcu_stats()->peak_waiting_bytes[RCU_OBJECT], ==, 64);
		g_assert_nonnull(harness_work_source("rcu_process_callbacks"));
		g_assert_cmpuint(harness_work_source("rcu_process_callbacks")->runs, ==, 1);
		harness_free(k, m);
	}
}

typedef struct batch {
	int order[32];
	int n;
	uint64_t gp_of[32];
} batch_t;

typedef struct batch_arg {
	batch_t *b;
	int id;
} batch_arg_t;

static void batch_cb(void *arg)
{
	batch_arg_t *a = arg;

	a->b->gp_of[a->id] = rcu_gp_completed();
	a->b->order[a->b->n++] = a->id;
}

/* 5 callbacks queued at 0 ms go in the grace period CPU 0's tick starts
 * at 4 ms; 20 more queued during it (at 5 ms) wait for the next, which
 * starts when it ends; each softirq run invokes at most 10. */
static void batch_body(void *arg, int cpu)
{
	batch_t *b = arg;

	if (cpu == 1) {
		kernel_compute(20 * MS, COST_THINK);
		return;
	}
	for (int i = 0; i < 25; i++) {
		batch_arg_t a = { b, i };

		if (i == 5)
			kernel_compute(5 * MS, COST_THINK);
		call_rcu(kern()->mem->meta_base + 64 * (saddr_t)i, batch_cb, &a, sizeof(a),
		         RCU_OBJECT, 16);
	}
	kernel_compute(20 * MS, COST_THINK);
}

static void test_batches(void)
{
	machine_t *m = harness_machine(2, 1, 16);
	kernel_t *k = harness_kernel(m, NULL, NULL, NULL);
	int cpus[2] = { 0, 1 };
	batch_t b = { 0 };

	harness_run_many(k, cpus, 2, batch_body, &b);
	g_assert_cmpint(b.n, ==, 25);
	for (int i = 0; i < 25; i++) {
		g_assert_cmpint(b.order[i], ==, i);                     /* queue order */
		g_assert_cmpuint(b.gp_of[i], ==, i < 5 ? 1 : 2);
	}
	g_assert_cmpuint(rcu_stats()->grace_periods, ==, 2);
	/* 5, then 10 + 10: the second batch takes two runs */
	g_assert_cmpuint(harness_work_source("rcu_process_callbacks")->runs, ==, 1 + 2);
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rcu/grace-period", test_grace_period);
	g_test_add_func("/rcu/batches", test_batches);
	return g_test_run();
}
