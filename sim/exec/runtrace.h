/*
 * runtrace.h -- what a run records of its own address stream.
 *
 * Owns: `--trace-out` (every traced allocation and free of the run as
 * `perf script` text of the kmem tracepoints, in the format the trace
 * importer reads, streamed to a file: plain, or gzip when it ends in .gz)
 * and the LIFO-reuse statistic of the simulated allocator (reuse.h),
 * beside the input trace's one a replay hands over.  A free the kernel
 * performs without a per-object tracepoint (an RCU callback's, the
 * replay's synthetic free of an object whose free was not traced) is
 * neither written nor counted, so the statistic of a written trace
 * equals the simulated one.
 */
#ifndef SLABSIM_RUNTRACE_H
#define SLABSIM_RUNTRACE_H

#include "run.h"
#include "reuse.h"

/* Write the run's trace to path; false (and *err) if it cannot be made. */
bool run_trace_out(run_t *r, const char *path, GError **err);
/* Compute the simulated LIFO reuse; `input` (may be NULL: taken over by
 * the run) is the input trace's, for the report.  merged_cg: the input
 * has accounted kmalloc allocations. */
void run_track_reuse(run_t *r, reuse_t *input, bool input_accounted);

/* ---- for run.c ---- */
/* A traced allocation (addr 0: it failed) of op at simulated time t. */
void runtrace_alloc(run_t *r, const op_t *op, saddr_t addr, simtime_t t);
/* A traced free of o at simulated time t. */
void runtrace_free(run_t *r, const object_t *o, simtime_t t);
/* Flush and close the trace file; false (and *err) on a write error. */
bool runtrace_finish(run_t *r, GError **err);
/* Hand the reuse statistics to a run_stats (NULL when none is tracked). */
void runtrace_take_reuse(run_t *r, reuse_t **input, reuse_t **sim, bool *input_accounted,
                         bool *has_cg);
void runtrace_free_all(run_t *r);

#endif
