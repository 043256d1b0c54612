/*
 * test_engine.c -- the run heap, the event queue and fiber switching:
 * the CPU with the smallest clock runs, ties by lowest id; events at t run
 * before CPUs at t, equal times in queue order; engine_sync yields only to
 * an earlier CPU or a due event; engine_run's end and engine_stop;
 * engine_wake never moves a clock back; engine_cost_fold moves exactly
 * what was charged since the mark.  Every expected log is derived by hand
 * in the comments (clocks in ps).
 */
#include <stdarg.h>
#include <glib.h>
#include "engine.h"

typedef struct trace {
	GString *log;
	engine_t *e;
} trace_t;

/* Each CPU charges (id+1)*10 ps per step, syncing after each, 3 steps. */
static void stepper(cpu_t *cpu, void *arg)
{
	trace_t *t = arg;

	for (int i = 0; i < 3; i++) {
		g_string_append_printf(t->log, "%d@%" G_GUINT64_FORMAT " ", cpu->id, cpu->clock);
		engine_charge(COST_OP, (simtime_t)(cpu->id + 1) * 10);
		engine_sync();
	}
}

static void test_clock_order(void)
{
	trace_t t = { g_string_new(NULL), NULL };
	engine_t *e = engine_new(2, stepper, &t);

	t.e = e;
	engine_wake(engine_cpu(e, 0), 0, COST_IDLE);
	engine_wake(engine_cpu(e, 1), 0, COST_IDLE);
	engine_run(e, SIMTIME_MAX);
	/* By hand: cpu0 steps at 0,10,20; cpu1 at 0,20,40; the smallest clock
	 * runs first and ties go to the lower id. */
	g_assert_cmpstr(t.log->str, ==, "0@0 1@0 0@10 0@20 1@20 1@40 ");
	g_assert_cmpuint(engine_cpu(e, 0)->clock, ==, 30);
	g_assert_cmpuint(engine_cpu(e, 1)->clock, ==, 60);
	engine_free(e);
	g_string_free(t.log, TRUE);
}

static GString *ev_log;

static void note(void *arg, simtime_t when)
{
	g_string_append_printf(ev_log, "%s@%" G_GUINT64_FORMAT " ", (const char *)arg, when);
}

static void idle_main(cpu_t *cpu, void *arg)
{
	(void)cpu;
	(void)arg;
}

static void test_event_order(void)
{
	engine_t *e = engine_new(1, idle_main, NULL);

	ev_log = g_string_new(NULL);
	engine_at(e, 50, note, "b");
	engine_at(e, 10, note, "a");
	engine_at(e, 50, note, "c");      /* same time as b: queued later, runs later */
	engine_at(e, 99, note, "late");
	engine_run(e, 60);                /* "late" is beyond the end */
	g_assert_cmpstr(ev_log->str, ==, "a@10 b@50 c@50 ");
	engine_free(e);
	g_string_free(ev_log, TRUE);
}

/* An event wakes a sleeping CPU, which records the time it woke. */
static simtime_t woke_at;
static engine_t *wake_engine;

static void wake_cpu0(void *arg, simtime_t when)
{
	(void)arg;
	engine_wake(engine_cpu(wake_engine, 0), when, COST_IDLE);
}

static void sleeper(cpu_t *cpu, void *arg)
{
	(void)arg;
	engine_block();
	woke_at = cpu->clock;
}

static void test_wake(void)
{
	engine_t *e = engine_new(1, sleeper, NULL);

	wake_engine = e;
	engine_wake(engine_cpu(e, 0), 5, COST_IDLE);
	engine_at(e, 700, wake_cpu0, NULL);
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpuint(woke_at, ==, 700);
	g_assert_cmpuint(engine_cpu(e, 0)->cost[COST_IDLE], ==, 700);
	engine_free(e);
}

/* ---- ties, events before CPUs, queue order ---- */

static GString *out;
static engine_t *eng;

static void outf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void outf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(out, fmt, ap);
	va_end(ap);
}

/* Three steps of 10 ps, a sync after each. */
static void tie_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		outf("%d@%" G_GUINT64_FORMAT " ", cpu->id, cpu->clock);
		engine_charge(COST_OP, 10);
		engine_sync();
	}
}

/* Woken 2, 0, 1, all at 0: at every step all three clocks are equal, so
 * each round runs 0, 1, 2 whatever the wake order. */
static void test_ties_by_id(void)
{
	engine_t *e = engine_new(3, tie_main, NULL);

	out = g_string_new(NULL);
	engine_wake(engine_cpu(e, 2), 0, COST_IDLE);
	engine_wake(engine_cpu(e, 0), 0, COST_IDLE);
	engine_wake(engine_cpu(e, 1), 0, COST_IDLE);
	g_assert_cmpuint(engine_run(e, SIMTIME_MAX), ==, 30);
	g_assert_cmpstr(out->str, ==, "0@0 1@0 2@0 0@10 1@10 2@10 0@20 1@20 2@20 ");
	engine_free(e);
	g_string_free(out, TRUE);
}

static void ev_note(void *arg, simtime_t when)
{
	outf("%s@%" G_GUINT64_FORMAT " ", (const char *)arg, when);
}

/* Woken at 100 with e1 queued at 100: e1 first.  An event the CPU queues
 * at its own clock is due, so engine_sync yields to it; one queued 50 ps
 * ahead is not (no yield) until the CPU's clock reaches it. */
static void ev_cpu_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	outf("cpu@%" G_GUINT64_FORMAT " ", cpu->clock);
	engine_at(eng, cpu->clock, ev_note, "e2");
	engine_sync();
	outf("cpu@%" G_GUINT64_FORMAT " ", cpu->clock);
	engine_at(eng, cpu->clock + 50, ev_note, "e3");
	engine_sync();
	outf("cpu@%" G_GUINT64_FORMAT " ", cpu->clock);
	engine_charge(COST_OP, 50);
	engine_sync();
	outf("cpu@%" G_GUINT64_FORMAT " ", cpu->clock);
}

static void test_events_before_cpus(void)
{
	engine_t *e = engine_new(1, ev_cpu_main, NULL);

	eng = e;
	out = g_string_new(NULL);
	engine_wake(engine_cpu(e, 0), 100, COST_IDLE);
	engine_at(e, 100, ev_note, "e1");
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpstr(out->str, ==, "e1@100 cpu@100 e2@100 cpu@100 cpu@100 e3@150 cpu@150 ");
	engine_free(e);
	g_string_free(out, TRUE);
}

static void ev_index(void *arg, simtime_t when)
{
	int i = GPOINTER_TO_INT(arg);

	outf("%d ", i);
	if (i == 0)             /* queued last: after every event already at 0 */
		engine_at(eng, when, ev_index, GINT_TO_POINTER(99));
}

static void no_cpu(cpu_t *cpu, void *arg)
{
	(void)cpu;
	(void)arg;
}

/* Sixteen events, event i at 10 * (7i mod 5) ps: times 0 20 40 10 30
 * repeating.  By (time, queue order): 0 5 10 15 at 0 (then 99, which the
 * handler of 0 queues at 0), 3 8 13 at 10, 1 6 11 at 20, 4 9 14 at 30,
 * 2 7 12 at 40. */
static void test_event_queue_order(void)
{
	engine_t *e = engine_new(1, no_cpu, NULL);

	eng = e;
	out = g_string_new(NULL);
	for (int i = 0; i < 16; i++)
		engine_at(e, (simtime_t)(7 * i % 5) * 10, ev_index, GINT_TO_POINTER(i));
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpstr(out->str, ==, "0 5 10 15 99 3 8 13 1 6 11 4 9 14 2 7 12 ");
	engine_free(e);
	g_string_free(out, TRUE);
}

/* ---- engine_sync yields only to earlier CPUs ---- */

static const int steps_of[2] = { 3, 5 };

/* Steps of 500 ps; each logs the clock and whether the sync after it must
 * yield (y) or not (n). */
static void yield_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	for (int i = 0; i < steps_of[cpu->id]; i++) {
		outf("%d@%" G_GUINT64_FORMAT, cpu->id, cpu->clock);
		engine_charge(COST_OP, 500);
		outf("%s ", engine_must_yield(eng, cpu) ? "y" : "n");
		engine_sync();
	}
}

/* CPU 1 from 0, CPU 0 from 1000.  CPU 1 at 500 (CPU 0 later): no yield;
 * at 1000 it ties with CPU 0, whose lower id makes it earlier: yield.
 * From then on each sync finds the other CPU 500 ps behind (or tied with
 * a lower id) and yields; CPU 0's last sync, at 2500, yields to CPU 1 at
 * 2000; CPU 1's last, at 2500, ties with CPU 0: yield. */
static void test_sync_yields_to_earlier(void)
{
	engine_t *e = engine_new(2, yield_main, NULL);

	eng = e;
	out = g_string_new(NULL);
	engine_wake(engine_cpu(e, 1), 0, COST_IDLE);
	engine_wake(engine_cpu(e, 0), 1000, COST_IDLE);
	g_assert_cmpuint(engine_run(e, SIMTIME_MAX), ==, 2500);
	g_assert_cmpstr(out->str, ==, "1@0n 1@500y 0@1000y 1@1000y 0@1500y 1@1500y "
	                "0@2000y 1@2000y ");
	engine_free(e);
	g_string_free(out, TRUE);
}

/* ---- engine_run's end, engine_stop ---- */

static void step100_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		outf("%" G_GUINT64_FORMAT " ", cpu->clock);
		engine_charge(COST_OP, 100);
		engine_sync();
	}
}

/* One CPU stepping 100 ps, an event at 250, end 220: the CPU only looks
 * at the queue at a sync that must yield, at 300 (event due); the event
 * lies beyond the end, so the run stops there, having reached 300.  The
 * next run takes the event first, then the CPU to 500. */
static void test_run_end(void)
{
	engine_t *e = engine_new(1, step100_main, NULL);

	eng = e;
	out = g_string_new(NULL);
	engine_wake(engine_cpu(e, 0), 0, COST_IDLE);
	engine_at(e, 250, ev_note, "ev");
	g_assert_cmpuint(engine_run(e, 220), ==, 300);
	g_assert_cmpstr(out->str, ==, "0 100 200 ");
	g_assert_false(engine_is_blocked(engine_cpu(e, 0)));     /* still runnable */
	g_assert_cmpuint(engine_run(e, SIMTIME_MAX), ==, 500);
	g_assert_cmpstr(out->str, ==, "0 100 200 ev@250 300 400 ");
	engine_free(e);
	g_string_free(out, TRUE);
}

static void stop_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	outf("%d@%" G_GUINT64_FORMAT " ", cpu->id, cpu->clock);
	if (cpu->id == 0) {
		engine_charge(COST_OP, 100);
		engine_stop(eng);
		engine_charge(COST_OP, 100);
		engine_sync();          /* CPU 1 at 150 is earlier: reschedule, stop */
		outf("%d@%" G_GUINT64_FORMAT " ", cpu->id, cpu->clock);
	}
}

/* engine_stop takes effect at the next reschedule: CPU 0 stops at 200
 * before CPU 1 (woken at 150) ever runs; the next run resumes both in
 * clock order. */
static void test_stop(void)
{
	engine_t *e = engine_new(2, stop_main, NULL);

	eng = e;
	out = g_string_new(NULL);
	engine_wake(engine_cpu(e, 0), 0, COST_IDLE);
	engine_wake(engine_cpu(e, 1), 150, COST_IDLE);
	g_assert_cmpuint(engine_run(e, SIMTIME_MAX), ==, 200);
	g_assert_cmpstr(out->str, ==, "0@0 ");
	g_assert_false(engine_cpu(e, 1)->started);
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpstr(out->str, ==, "0@0 1@150 0@200 ");
	engine_free(e);
	g_string_free(out, TRUE);
}

/* ---- engine_wake ---- */

static void wake_late(void *arg, simtime_t when)
{
	engine_wake(arg, when, COST_IDLE);
}

static void block_main(cpu_t *cpu, void *arg)
{
	(void)arg;
	engine_charge(COST_OP, 500);
	engine_block();
	outf("woke@%" G_GUINT64_FORMAT, cpu->clock);
}

/* CPU 0 runs from 0 to 500 and blocks; the event at 300 wakes it "at
 * 300": its clock stays 500 and nothing is charged to the wake's
 * account.  Every picosecond of the clock is in one account. */
static void test_wake_never_backwards(void)
{
	engine_t *e = engine_new(1, block_main, NULL);
	cpu_t *c = engine_cpu(e, 0);
	simtime_t sum = 0;

	out = g_string_new(NULL);
	engine_wake(c, 0, COST_IDLE);
	engine_at(e, 300, wake_late, c);
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpstr(out->str, ==, "woke@500");
	g_assert_cmpuint(c->cost[COST_IDLE], ==, 0);
	g_assert_cmpuint(c->cost[COST_OP], ==, 500);
	for (int k = 0; k < COST_NKINDS; k++)
		sum += c->cost[k];
	g_assert_cmpuint(sum, ==, c->clock);
	engine_free(e);
	g_string_free(out, TRUE);
}

/* ---- engine_cost_fold ---- */

static void fold_main(cpu_t *cpu, void *arg)
{
	simtime_t outer[COST_NKINDS], inner[COST_NKINDS];

	(void)arg;
	engine_charge(COST_HIT, 3);             /* before any mark: stays */
	engine_cost_mark(outer);
	engine_charge(COST_LLC, 7);
	engine_charge(COST_OP, 11);
	engine_charge(COST_PAGEALLOC, 4);       /* already the target */
	engine_cost_fold(outer, COST_PAGEALLOC);
	g_assert_cmpuint(cpu->cost[COST_HIT], ==, 3);
	g_assert_cmpuint(cpu->cost[COST_LLC], ==, 0);
	g_assert_cmpuint(cpu->cost[COST_OP], ==, 0);
	g_assert_cmpuint(cpu->cost[COST_PAGEALLOC], ==, 4 + 7 + 11);
	g_assert_cmpuint(cpu->clock, ==, 3 + 7 + 11 + 4);
	/* Nested, as housekeeping that allocates pages: the inner fold makes
	 * page-allocator time, the outer moves all of it (and its own OP)
	 * to housekeeping; what was folded before the outer mark stays. */
	engine_cost_mark(outer);
	engine_charge(COST_OP, 2);
	engine_cost_mark(inner);
	engine_charge(COST_HIT, 1);
	engine_charge(COST_XFER_REMOTE, 120);
	engine_cost_fold(inner, COST_PAGEALLOC);
	g_assert_cmpuint(cpu->cost[COST_PAGEALLOC], ==, 22 + 121);
	engine_cost_fold(outer, COST_HOUSEKEEPING);
	g_assert_cmpuint(cpu->cost[COST_HOUSEKEEPING], ==, 2 + 121);
	g_assert_cmpuint(cpu->cost[COST_PAGEALLOC], ==, 22);
	g_assert_cmpuint(cpu->cost[COST_HIT], ==, 3);
	g_assert_cmpuint(cpu->cost[COST_XFER_REMOTE], ==, 0);
	g_assert_cmpuint(cpu->clock, ==, 25 + 123);
}

static void test_cost_fold(void)
{
	engine_t *e = engine_new(1, fold_main, NULL);

	engine_wake(engine_cpu(e, 0), 0, COST_IDLE);
	engine_run(e, SIMTIME_MAX);
	g_assert_cmpuint(engine_cpu(e, 0)->clock, ==, 148);
	engine_free(e);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engine/clock-order", test_clock_order);
	g_test_add_func("/engine/event-order", test_event_order);
	g_test_add_func("/engine/wake", test_wake);
	g_test_add_func("/engine/ties-by-id", test_ties_by_id);
	g_test_add_func("/engine/events-before-cpus", test_events_before_cpus);
	g_test_add_func("/engine/event-queue-order", test_event_queue_order);
	g_test_add_func("/engine/sync-yields-to-earlier", test_sync_yields_to_earlier);
	g_test_add_func("/engine/run-end", test_run_end);
	g_test_add_func("/engine/stop", test_stop);
	g_test_add_func("/engine/wake-never-backwards", test_wake_never_backwards);
	g_test_add_func("/engine/cost-fold", test_cost_fold);
	return g_test_run();
}
