/*
 * rcu.h -- RCU-deferred freeing: call_rcu and the grace periods of the
 * modelled kernel.
 *
 * Owns: each CPU's callback lists (queued, waiting for a grace period,
 * done), the grace-period state (rcu_ctrlblk: the current and the last
 * completed grace period, the CPUs that still owe a quiescent state), the
 * scheduler-tick checks that run while a CPU owes one, and the figures of
 * what waits for a grace period.
 *
 * The model (after 2.6.29's classic RCU, kernel/rcuclassic.c): a grace
 * period starts at the next tick of a CPU that queued a callback while
 * none was in progress (or, for callbacks queued during one, when that one
 * ends), and ends when every CPU has
 * passed a quiescent state after its start: a scheduler tick (a jiffy
 * boundary; the tick is taken when the CPU is not inside an operation, so
 * at the boundary on an idle or computing CPU, else at its next operation
 * boundary, and it then always finds the CPU in the workload's own code),
 * an idle period (a CPU idle when the grace period starts owes nothing, as
 * a dynticks-idle CPU; one that goes idle later passes one then), or a
 * context switch (rcu_note_context_switch).  The callbacks then run on the
 * CPU that queued them, as softirq work (rcu_process_callbacks, at most
 * blimit = 10 a run), charged there as housekeeping.
 */
#ifndef SLABSIM_RCU_H
#define SLABSIM_RCU_H

#include "types.h"
#include "machine.h"
#include "memory.h"

/* What a callback gives back, for the report. */
typedef enum rcu_kind {
	RCU_OBJECT,     /* one object (kfree_rcu, SLOB's SLAB_DESTROY_BY_RCU) */
	RCU_SLAB,       /* a slab's pages (SLAB_DESTROY_BY_RCU elsewhere) */
	RCU_KINDS
} rcu_kind_t;

typedef void (*rcu_fn)(void *arg);

/* What waits for grace periods, and what they took. */
typedef struct rcu_stats {
	uint64_t grace_periods;             /* completed */
	simtime_t gp_total, gp_longest;     /* their lengths */
	uint64_t queued, invoked;           /* callbacks */
	uint64_t waiting[RCU_KINDS];        /* queued, not yet invoked: now */
	uint64_t waiting_bytes[RCU_KINDS];
	uint64_t peak_waiting[RCU_KINDS];   /* the largest of each */
	uint64_t peak_waiting_bytes[RCU_KINDS];
} rcu_stats_t;

/* The RCU state of a kernel (kernel_t.rcu), made on first use; callbacks
 * still waiting when the kernel goes are dropped, never run. */
typedef struct krcu krcu_t;

/* call_rcu on this CPU: write the rcu_head at `head` (simulated memory:
 * the 16 bytes of next and func) and queue fn on a copy of the arg_size
 * bytes at arg, to run on this CPU once a grace period has passed; it
 * gives back `bytes` of memory of `kind` then. */
void call_rcu(saddr_t head, rcu_fn fn, const void *arg, size_t arg_size, rcu_kind_t kind,
              uint64_t bytes);

/* A context switch on this CPU (a task switch, or a task blocking): a
 * quiescent state. */
void rcu_note_context_switch(void);
/* This CPU is about to sleep in its idle loop for want of anything to
 * run (an idle period, a quiescent state).  False: it may sleep now
 * (kernel_idle_loop).  True: it reported a quiescent state it owed,
 * taking a lock (a synchronisation point), so work may have come
 * meanwhile (and a kick before its sleep is lost): it must look for work
 * again first.  A CPU asleep in its idle loop when a grace period starts
 * owes nothing, whatever its clock. */
bool rcu_idle_enter(void);

/* Free of charge, for reports and tests: the figures of r (NULL: a kernel
 * that never used RCU), or of kern(). */
const rcu_stats_t *rcu_stats_of(const krcu_t *r);
const rcu_stats_t *rcu_stats(void);
/* The grace periods started and completed so far. */
uint64_t rcu_gp_started(void);
uint64_t rcu_gp_completed(void);
/* When the last grace period started and when it ended (0 if none). */
simtime_t rcu_gp_start_time(void);
simtime_t rcu_gp_end_time(void);

#endif
