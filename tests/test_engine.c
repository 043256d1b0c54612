/*
 * test_engine.c -- the run heap, the event queue and fiber switching.
 */
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engine/clock-order", test_clock_order);
	g_test_add_func("/engine/event-order", test_event_order);
	g_test_add_func("/engine/wake", test_wake);
	return g_test_run();
}
