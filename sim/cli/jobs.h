/*
 * jobs.h -- run --jobs N: a scenario's allocators in parallel worker
 * processes.
 *
 * Owns: the workers (one forked process per allocator, at most N at once),
 * their progress slots in memory shared with the parent, and the merge of
 * their parts into the parent's report in the scenario's allocator order,
 * so results are byte-identical to a serial run.
 */
#ifndef SLABSIM_JOBS_H
#define SLABSIM_JOBS_H

#include "report.h"
#include "run.h"

/* Runs allocator i of sc (over its seeds) into rep, the first seed with
 * `first` if not NULL (set up already); returns 0 or the exit status of
 * the run that failed. */
typedef int (*jobs_run_fn)(scenario_t *sc, int i, run_t *first, report_t *rep);

/* Run sc's allocators with `run`, in up to `jobs` worker processes (the
 * first allocator's with `first`, which jobs_run frees); with `progress`
 * the parent draws one progress line for every worker on stderr.  Returns
 * 0 or the status of the first allocator (in the scenario's order) that
 * failed. */
int jobs_run(scenario_t *sc, run_t *first, report_t *rep, int jobs, bool progress,
             jobs_run_fn run);

/* Inside a worker: record run r's progress for the parent's line and
 * return true; elsewhere return false (the caller draws its own). */
bool jobs_worker_progress(const run_t *r, simtime_t now);

#endif
