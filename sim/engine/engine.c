/*
 * engine.c -- fibers, the run heap and the event queue.
 *
 * A fiber is started once with makecontext/swapcontext (the only syscalls,
 * one pair per CPU for the whole run) and from then on switched with
 * _setjmp/_longjmp.  Under AddressSanitizer every switch is announced with
 * __sanitizer_start/finish_switch_fiber; under valgrind each stack is
 * registered.  The file must be built without _FORTIFY_SOURCE, whose
 * longjmp_chk refuses to jump between stacks.
 */
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include <setjmp.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <glib.h>
#include "engine.h"

#if defined(__SANITIZE_ADDRESS__)
#define ENGINE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENGINE_ASAN 1
#endif
#endif
#ifdef ENGINE_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ENGINE_VALGRIND 1
#endif

struct fiber {
	jmp_buf jb;
	void *stack;
	size_t stack_size;
	unsigned valgrind_id;
};

typedef struct event {
	simtime_t when;
	uint64_t seq;
	event_fn fn;
	void *arg;
} event_t;

/* A runnable CPU in the run heap: its clock when queued, and its id. */
typedef struct run_ent {
	simtime_t clock;
	int id;
} run_ent_t;

struct engine {
	int ncpus;
	cpu_t *cpus;
	run_ent_t *heap;        /* run heap of runnable CPUs */
	int nheap;
	event_t *events;        /* event heap */
	size_t nevents, events_cap;
	uint64_t seq;
	cpu_main_fn main;
	void *main_arg;
	simtime_t end;
	simtime_t reached;
	bool stopping;
	fiber_t host;           /* the context engine_run() was called from */
	cpu_t *starting;        /* CPU whose fiber is being created */
	fiber_t *creator;       /* context that is creating it */
	jmp_buf boot_jb;        /* where a new fiber returns after parking */
};

__thread sim_ctx_t sim_ctx_state;

const char *const cost_kind_names[COST_NKINDS] = {
	"hit", "llc", "xfer_socket", "xfer_remote", "mem_local", "mem_remote",
	"inval", "atomic", "lock_wait", "irq", "op", "think", "idle",
	"page_allocator", "housekeeping", "ctor",
};

void engine_cost_fold(const simtime_t snap[COST_NKINDS], enum cost_kind into)
{
	cpu_t *c = engine_current();
	simtime_t moved = 0;

	for (int k = 0; k < COST_NKINDS; k++) {
		if (k == (int)into)
			continue;
		simtime_t d = c->cost[k] - snap[k];
		c->cost[k] -= d;
		moved += d;
	}
	c->cost[into] += moved;
}

/* ---- run heap: 4-ary, entries (clock, id) ---- */

static inline bool run_before(const run_ent_t *a, const run_ent_t *b)
{
	return a->clock < b->clock || (a->clock == b->clock && a->id < b->id);
}

static void heap_push(engine_t *e, cpu_t *c)
{
	run_ent_t ent = { c->clock, c->id };
	int i = e->nheap++;

	while (i > 0 && run_before(&ent, &e->heap[(i - 1) / 4])) {
		e->heap[i] = e->heap[(i - 1) / 4];
		i = (i - 1) / 4;
	}
	e->heap[i] = ent;
	c->queued = true;
}

static cpu_t *heap_pop(engine_t *e)
{
	cpu_t *top = &e->cpus[e->heap[0].id];
	run_ent_t last = e->heap[--e->nheap];
	int n = e->nheap, i = 0;

	for (;;) {
		int first = 4 * i + 1, best = first;

		if (first >= n)
			break;
		for (int k = first + 1; k < first + 4 && k < n; k++)
			if (run_before(&e->heap[k], &e->heap[best]))
				best = k;
		if (!run_before(&e->heap[best], &last))
			break;
		e->heap[i] = e->heap[best];
		i = best;
	}
	e->heap[i] = last;
	top->queued = false;
	return top;
}

/* ---- event heap, keyed by (when, seq) ---- */

static inline bool ev_before(const event_t *a, const event_t *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

void engine_at(engine_t *e, simtime_t when, event_fn fn, void *arg)
{
	size_t i;

	if (e->nevents == e->events_cap) {
		e->events_cap = e->events_cap ? e->events_cap * 2 : 64;
		e->events = g_renew(event_t, e->events, e->events_cap);
	}
	i = e->nevents++;
	e->events[i] = (event_t){ when, e->seq++, fn, arg };
	while (i > 0 && ev_before(&e->events[i], &e->events[(i - 1) / 2])) {
		event_t t = e->events[i];
		e->events[i] = e->events[(i - 1) / 2];
		e->events[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static event_t ev_pop(engine_t *e)
{
	event_t top = e->events[0];
	size_t i = 0;

	e->events[0] = e->events[--e->nevents];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < e->nevents && ev_before(&e->events[l], &e->events[m]))
			m = l;
		if (r < e->nevents && ev_before(&e->events[r], &e->events[m]))
			m = r;
		if (m == i)
			break;
		event_t t = e->events[i];
		e->events[i] = e->events[m];
		e->events[m] = t;
		i = m;
	}
	return top;
}

/* ---- fibers ---- */

static void fiber_switch(fiber_t *from, fiber_t *to)
{
#ifdef ENGINE_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(&fake, to->stack, to->stack_size);
#endif
	if (_setjmp(from->jb) == 0)
		_longjmp(to->jb, 1);
#ifdef ENGINE_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

static void fiber_entry(void)
{
	engine_t *volatile e = sim_ctx()->engine;   /* live across _setjmp */
	cpu_t *c = e->starting;

#ifdef ENGINE_ASAN
	{
		const void *bottom;
		size_t size;
		__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
		if (e->creator == &e->host && !e->host.stack) {
			e->host.stack = (void *)bottom;
			e->host.stack_size = size;
		}
	}
#endif
	/* Park here; the first real switch to this fiber lands below. */
	if (_setjmp(c->fiber->jb) == 0) {
#ifdef ENGINE_ASAN
		void *fake = NULL;
		__sanitizer_start_switch_fiber(&fake, e->creator->stack, e->creator->stack_size);
#endif
		_longjmp(e->boot_jb, 1);
	}
#ifdef ENGINE_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	/* A CPU main that returns leaves the CPU asleep; woken, it runs again. */
	for (;;) {
		e = sim_ctx()->engine;
		e->main(sim_ctx()->cpu, e->main_arg);
		engine_reschedule(false);
	}
}

static void fiber_start(engine_t *e, cpu_t *c, fiber_t *creator)
{
	fiber_t *f = g_new0(fiber_t, 1);
	ucontext_t uc;

	f->stack_size = ENGINE_FIBER_STACK;
	f->stack = mmap(NULL, f->stack_size, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->stack == MAP_FAILED)
		g_error("engine: cannot map a fiber stack");
#ifdef ENGINE_VALGRIND
	f->valgrind_id = VALGRIND_STACK_REGISTER(f->stack, (char *)f->stack + f->stack_size);
#endif
	c->fiber = f;
	e->starting = c;
	e->creator = creator;
	getcontext(&uc);
	uc.uc_stack.ss_sp = f->stack;
	uc.uc_stack.ss_size = f->stack_size;
	uc.uc_link = NULL;
	makecontext(&uc, fiber_entry, 0);
	if (_setjmp(e->boot_jb) == 0) {
#ifdef ENGINE_ASAN
		void *fake = NULL;
		__sanitizer_start_switch_fiber(&fake, f->stack, f->stack_size);
#endif
		setcontext(&uc);
	}
#ifdef ENGINE_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	c->started = true;
}

static void fiber_free(fiber_t *f)
{
	if (!f)
		return;
#ifdef ENGINE_VALGRIND
	VALGRIND_STACK_DEREGISTER(f->valgrind_id);
#endif
	munmap(f->stack, f->stack_size);
	g_free(f);
}

/* ---- scheduling ---- */

bool engine_must_yield(const engine_t *e, const cpu_t *c)
{
	run_ent_t self = { c->clock, c->id };

	if (e->nheap && run_before(&e->heap[0], &self))
		return true;
	return e->nevents && e->events[0].when <= c->clock;
}

bool engine_try_advance(simtime_t ps, enum cost_kind kind)
{
	engine_t *e = sim_ctx()->engine;
	cpu_t *c = engine_current();

	c->clock += ps;
	if (c->clock > e->end || engine_must_yield(e, c)) {
		c->clock -= ps;
		return false;
	}
	c->cost[kind] += ps;
	return true;
}

/* Run due events; return the next CPU to resume, or NULL to go home. */
static cpu_t *pick_next(engine_t *e)
{
	for (;;) {
		if (e->stopping)
			return NULL;
		if (e->nevents && (!e->nheap || e->events[0].when <= e->heap[0].clock)) {
			if (e->events[0].when > e->end)
				return NULL;
			event_t ev = ev_pop(e);
			ev.fn(ev.arg, ev.when);
			continue;
		}
		if (!e->nheap)
			return NULL;
		if (e->heap[0].clock > e->end)
			return NULL;
		return heap_pop(e);
	}
}

static fiber_t *context_of(engine_t *e, cpu_t *c)
{
	return c ? c->fiber : &e->host;
}

void engine_reschedule(bool keep_runnable)
{
	sim_ctx_t *x = sim_ctx();
	engine_t *e = x->engine;
	cpu_t *self = x->cpu;
	cpu_t *next;

	if (self) {
		if (self->clock > e->reached)
			e->reached = self->clock;
		if (keep_runnable)
			heap_push(e, self);
	}
	x->cpu = NULL;              /* event handlers run on no CPU */
	next = pick_next(e);
	if (next == self) {
		x->cpu = self;
		return;
	}
	if (next && !next->started)
		fiber_start(e, next, context_of(e, self));
	x->cpu = next;
	fiber_switch(context_of(e, self), context_of(e, next));
	x->cpu = self;
}

void engine_wake(cpu_t *c, simtime_t when, enum cost_kind kind)
{
	g_assert(!c->queued && c != sim_ctx()->cpu);
	if (when > c->clock) {
		c->cost[kind] += when - c->clock;
		c->clock = when;
	}
	heap_push(c->engine, c);
}

bool engine_is_blocked(const cpu_t *c)
{
	return !c->queued && c != sim_ctx()->cpu;
}

/* ---- life cycle ---- */

engine_t *engine_new(int ncpus, cpu_main_fn main, void *arg)
{
	engine_t *e = g_new0(engine_t, 1);

	e->ncpus = ncpus;
	e->cpus = g_new0(cpu_t, ncpus);
	e->heap = g_new0(run_ent_t, ncpus);
	for (int i = 0; i < ncpus; i++) {
		e->cpus[i].id = i;
		e->cpus[i].engine = e;
	}
	e->main = main;
	e->main_arg = arg;
	return e;
}

void engine_free(engine_t *e)
{
	for (int i = 0; i < e->ncpus; i++)
		fiber_free(e->cpus[i].fiber);
	g_free(e->cpus);
	g_free(e->heap);
	g_free(e->events);
	g_free(e);
}

cpu_t *engine_cpu(engine_t *e, int id)
{
	return &e->cpus[id];
}

int engine_ncpus(const engine_t *e)
{
	return e->ncpus;
}

void engine_stop(engine_t *e)
{
	e->stopping = true;
}

simtime_t engine_run(engine_t *e, simtime_t end)
{
	sim_ctx_t *x = sim_ctx();

	g_assert(x->engine == NULL);
	x->engine = e;
	x->cpu = NULL;
	e->end = end;
	e->stopping = false;
	engine_reschedule(false);
	x->engine = NULL;
	x->cpu = NULL;
	return e->reached;
}
