/*
 * native_run.h -- one run of one allocator on the native backend: the
 * workload's tasks on host threads, the allocator on host memory.
 *
 * Owns: the host threads of a run (one per CPU, at most one per host CPU;
 * CPU c runs on thread c modulo their number, its tasks taking turns one
 * operation at a time, as on a simulated CPU), channels and barriers over
 * real queues and locks, the execution of task operations, the host-clock
 * timing of allocations and frees, and the figures a report needs.  Each
 * thread drives its tasks through a workload instance of its own (one Lua
 * state per thread: messages cross threads packed, workload.h's
 * pack_ref); runs[0] holds the kernel, the allocator and the caches, the
 * other runs only what their instance's setup declared.
 *
 * Timing (docs/native.md): an allocation or a free is timed with the host
 * clock (native.h) around the allocator call, less the clock's own cost
 * (native_timer_cost); a batch (t:alloc_n, t:free_n) is timed whole and
 * each of its operations counts the batch's mean.  What a native run
 * cannot do (critical pools, slab_ops callbacks, t:defrag, t:vacate) is
 * refused with a message.  The run ends when every task has returned or
 * idles in t:idle (natively it does not idle on to the duration), when
 * every unfinished task waits in recv or at a barrier (a deadlock), at the
 * scenario's duration in host time, or on an error.
 */
#ifndef SLABSIM_NATIVE_RUN_H
#define SLABSIM_NATIVE_RUN_H

#include "run.h"
#include "stats.h"

typedef struct native_run native_run_t;

/* Host threads a native run of machine m uses: one per CPU, at most one
 * per online host CPU. */
int native_run_threads(const machine_t *m);

/* A native run over runs[0..n), n = native_run_threads: runs[0] made by
 * run_new_native, the others by run_new_shadow, each with its workload
 * instance attached and set up.  NULL and *err if the instances declared
 * different caches, tasks, channels or barriers, or the workload uses
 * what a native run cannot do.  The native run takes the runs (freed with
 * it, also on failure). */
native_run_t *native_run_new(run_t **runs, int n, GError **err);
/* Boot the allocator on the calling thread (CPU 0), run the tasks on the
 * host threads to the end; false and *err on a workload error. */
bool native_run_execute(native_run_t *nr, GError **err);
/* The figures of a finished run; those a native run has not (run_stats_t
 * native: cacheline traffic, simulated lock waits, cost accounts, ...)
 * are left out of reports. */
run_stats_t *native_run_stats(native_run_t *nr);
void native_run_free(native_run_t *nr);

#endif
