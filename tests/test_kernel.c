/*
 * test_kernel.c -- the kernel API's housekeeping: delayed work and IPIs
 * interrupt a computing CPU on time, and push the end of the computation
 * out by exactly their own duration; work is labelled for the jitter
 * report.
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kernel/interrupt-on-time", test_interrupt_on_time);
	return g_test_run();
}
