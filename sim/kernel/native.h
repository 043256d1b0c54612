/*
 * native.h -- the native backend of the kernel API: the allocators run on
 * host threads, with real memory, real atomics and real locks.
 *
 * Owns: the native state of a kernel (kernel_t.native): the host clock and
 * the cost of reading it, the host threads' run contexts (one per host
 * thread, each naming the kernel and the CPU the thread runs as), the
 * backend's own locks (page allocator, metadata, the jitter accounts),
 * each CPU's queue of delayed work and IPIs (native_work.c), and native
 * RCU (native_rcu.c).  Everything else of kernel.h works natively as it
 * is: see kernel.h's "Two backends".
 *
 * A native kernel is made by kernel_new with cfg->native; it has no
 * coherence model (kernel_t.coh is NULL), its page allocator is unpriced,
 * and its engine never runs: it only holds the CPUs (cpu_t), whose clock
 * each host thread sets to the host time at operation boundaries
 * (native_tick), so know(), kjiffies() and delayed work follow the host
 * clock.  The thread that called kernel_new runs as CPU 0 until
 * native_leave (it boots the allocator there).
 *
 * Threads and CPUs: each host thread serves a set of CPUs (native_serve)
 * and runs as one of them at a time (native_switch_cpu); a CPU's per-CPU
 * data, delayed work and RCU callbacks are touched only by the thread
 * serving it.  Waiting for other CPUs (on_each_cpu, the executor's idle
 * loop) runs the due work of every CPU the thread serves
 * (native_serve_work), so a thread serving several CPUs never waits for
 * itself.
 */
#ifndef SLABSIM_NATIVE_H
#define SLABSIM_NATIVE_H

#include "kernel.h"

/* ---- life cycle (kernel_new and kernel_free call them) ---- */

/* Make k's native state; the calling thread runs as CPU 0. */
void native_init(kernel_t *k);
/* Free it (every host thread has left). */
void native_free(kernel_t *k);

/* ---- threads ---- */

/* Run the calling host thread as `cpu` of the native kernel k (its run
 * context names k, the CPU, and native). */
void native_enter(kernel_t *k, int cpu);
/* Run as `cpu` from now on (a CPU this thread serves). */
void native_switch_cpu(int cpu);
/* The calling thread leaves the kernel (its context is cleared). */
void native_leave(void);
/* The CPUs the calling thread serves: cpus[0..n), copied. */
void native_serve(const int *cpus, int n);
/* Run the due delayed work and IPIs of every CPU the calling thread
 * serves (each as that CPU), and report a quiescent state for each;
 * returns as the CPU it was called on. */
void native_serve_work(void);
/* Pin the calling thread to host CPU `host_cpu` (modulo the host's
 * CPUs); false if the host refuses (the thread then floats). */
bool native_pin(int host_cpu);

/* Called with the CPU whose thread should look for work now (delayed work
 * or an IPI queued for it); the executor's wake-up, NULL: none. */
void native_set_wake(void (*wake)(int cpu, void *ctx), void *ctx);

/* ---- the host clock ---- */

/* Host nanoseconds (the TSC where the host has a constant one, else
 * CLOCK_MONOTONIC), from an arbitrary origin. */
uint64_t native_clock_ns(void);
/* Picoseconds since the kernel was made. */
simtime_t native_now(void);
/* What one native_now() costs (ps, the least of many back-to-back reads,
 * measured when the kernel was made): latencies subtract it. */
simtime_t native_timer_cost(void);
/* Set the running CPU's clock to native_now() (an operation boundary). */
void native_tick(void);
/* What the host clock reads ("tsc" or "clock_gettime"), for reports. */
const char *native_clock_source(void);

/* ---- the backend's own locks (each counts as a lock taken) ---- */

void native_pa_lock(void);
void native_pa_unlock(void);
void native_meta_lock(void);
void native_meta_unlock(void);

/* ---- delayed work and IPIs (native_work.c; kernel.c calls them) ---- */

void native_schedule_work(int cpu, simtime_t delay, kwork_fn fn, void *arg);
bool native_cancel_work(kwork_fn fn, void *arg);
void native_do_pending(void);
void native_compute(simtime_t ps);
void native_on_each_cpu(kwork_fn fn, void *arg);
/* kernel.c's jitter accounts: a run of fn that took dt. */
void kernel_note_work(kwork_fn fn, simtime_t dt);

/* ---- RCU (native_rcu.c; rcu.c calls them) ----
 *
 * Quiescent-state based: a CPU passes a quiescent state at every
 * operation boundary, context switch and idle wait of its thread; a
 * callback runs on the CPU that queued it once every CPU has passed one
 * since (a CPU no thread serves any more counts as passing one always). */

void native_call_rcu(saddr_t head, rcu_fn fn, const void *arg, size_t arg_size,
                     rcu_kind_t kind, uint64_t bytes);
/* A quiescent state of the running CPU. */
void native_rcu_qs(void);
/* The running CPU's thread is gone: it owes no quiescent state again. */
void native_rcu_offline(void);
/* Run the running CPU's callbacks whose grace period has passed. */
void native_rcu_process(void);
/* Callbacks queued on any CPU and not yet run (read when no thread runs). */
uint64_t native_rcu_waiting(void);
/* Callbacks queued on the running CPU and not yet run. */
uint64_t native_rcu_waiting_here(void);
/* call_rcu's figures (queued, invoked, waiting and their peaks, summed
 * over CPUs; grace periods are not counted natively). */
void native_rcu_stats(rcu_stats_t *out);

#endif
