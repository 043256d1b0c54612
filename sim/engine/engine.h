/*
 * engine.h -- the discrete-event engine: simulated CPUs as fibers.
 *
 * Owns: the CPUs' fibers and local clocks, the run heap that always resumes
 * the CPU with the smallest (clock, id) (4-ary, keyed by copies of both),
 * and the event queue ordered by (time, sequence).  Knows nothing of memory, locks or allocators.
 *
 * Rules.  Exactly one CPU runs at a time.  A CPU advances its own clock with
 * engine_charge() and calls engine_sync() at synchronisation points (lock,
 * atomic, irq and operation boundaries); engine_sync() switches away only when
 * another CPU, or an event, is earlier.  Events at time t run before any CPU
 * whose clock is t.  Event handlers run on whatever stack is current: they
 * may wake CPUs and queue events but must never block, sync or charge.
 * A fiber switch is two _setjmp/_longjmp calls: no syscall.
 */
#ifndef SLABSIM_ENGINE_H
#define SLABSIM_ENGINE_H

#include "types.h"
#include "simctx.h"

/* Host bytes mapped for each simulated CPU's stack. */
#define ENGINE_FIBER_STACK (512 * 1024)

typedef struct engine engine_t;
typedef struct cpu cpu_t;
typedef struct fiber fiber_t;

/* Cost accounts: every picosecond charged to a CPU lands in one of these. */
enum cost_kind {
	COST_HIT,            /* private cache hits */
	COST_LLC,            /* clean line from another CPU on the socket */
	COST_XFER_SOCKET,    /* dirty line from another CPU on the socket */
	COST_XFER_REMOTE,    /* dirty line from another socket or node */
	COST_MEM_LOCAL,      /* DRAM of the CPU's own node */
	COST_MEM_REMOTE,     /* DRAM of another node */
	COST_INVAL,          /* invalidating sharers */
	COST_ATOMIC,         /* atomic RMW beyond the line fetch */
	COST_LOCK_WAIT,      /* spinning for a lock */
	COST_IRQ,            /* irq save/restore */
	COST_OP,             /* call overhead of an operation */
	COST_THINK,          /* workload compute time */
	COST_IDLE,           /* waiting for messages, barriers, work */
	COST_PAGEALLOC,      /* everything inside the page allocator */
	COST_HOUSEKEEPING,   /* everything inside delayed work and IPIs */
	COST_CTOR,           /* constructors' own compute (their stores are priced apart) */
	COST_NKINDS
};

/* The cost accounts' names, as reports show them. */
extern const char *const cost_kind_names[COST_NKINDS];

typedef void (*cpu_main_fn)(cpu_t *cpu, void *arg);
typedef void (*event_fn)(void *arg, simtime_t when);

struct cpu {
	int id;
	int node;
	int socket;
	simtime_t clock;              /* local simulated time, ps */
	bool queued;                  /* in the run heap (runnable, not running) */
	bool started;
	fiber_t *fiber;
	simtime_t cost[COST_NKINDS];  /* where this CPU's time went */
	engine_t *engine;
	void *user;                   /* owned by the layer above (sim run) */
};

engine_t *engine_new(int ncpus, cpu_main_fn main, void *arg);
void engine_free(engine_t *e);
cpu_t *engine_cpu(engine_t *e, int id);
int engine_ncpus(const engine_t *e);

/* Run until engine_stop(), until no CPU is runnable and no event is queued,
 * or until the earliest CPU or event lies beyond `end`.  Returns the time
 * reached (the largest clock of any CPU that ran). */
simtime_t engine_run(engine_t *e, simtime_t end);
void engine_stop(engine_t *e);

/* Queue an event.  Ties in time run in the order they were queued. */
void engine_at(engine_t *e, simtime_t when, event_fn fn, void *arg);

/* The running CPU (NULL outside engine_run and in event handlers). */
static inline cpu_t *engine_current(void)
{
	return sim_ctx()->cpu;
}

static inline void engine_charge(enum cost_kind kind, simtime_t ps)
{
	cpu_t *c = engine_current();

	c->clock += ps;
	c->cost[kind] += ps;
}

/* Attribute a stretch of work to one account: engine_cost_mark() saves the
 * running CPU's accounts, engine_cost_fold() moves everything charged
 * since then to `into` (so the page allocator's hits, transfers and lock
 * waits add up as "page allocator"). */
static inline void engine_cost_mark(simtime_t snap[COST_NKINDS])
{
	const cpu_t *c = engine_current();

	for (int k = 0; k < COST_NKINDS; k++)
		snap[k] = c->cost[k];
}

void engine_cost_fold(const simtime_t snap[COST_NKINDS], enum cost_kind into);

bool engine_must_yield(const engine_t *e, const cpu_t *c);
void engine_reschedule(bool keep_runnable);

/* Yield to any earlier CPU or event. */
static inline void engine_sync(void)
{
	if (engine_must_yield(sim_ctx()->engine, engine_current()))
		engine_reschedule(true);
}

/* Advance the running CPU's clock by ps, charged to `kind`, when it is
 * still the earliest afterwards (no CPU or event due at or before its new
 * clock, so nothing can happen meanwhile: the same as sleeping until then
 * and being woken, without the switch).  Otherwise change nothing and
 * return false. */
bool engine_try_advance(simtime_t ps, enum cost_kind kind);

/* Put the running CPU to sleep until engine_wake(); returns when woken. */
static inline void engine_block(void)
{
	engine_reschedule(false);
}

/* Make c runnable at `when` (its clock becomes max(clock, when); the gap is
 * charged to `kind`).  c must be blocked. */
void engine_wake(cpu_t *c, simtime_t when, enum cost_kind kind);
bool engine_is_blocked(const cpu_t *c);

#endif
