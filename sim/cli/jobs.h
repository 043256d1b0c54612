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

/* Runs every allocator of sc (each over its seeds) into rep; returns 0 or
 * the exit status of the run that failed. */
typedef int (*jobs_run_fn)(scenario_t *sc, report_t *rep);

/* Run sc's allocators with `run`, in up to `jobs` worker processes; the
 * parent draws one progress line for every worker when stderr is a
 * terminal.  Returns 0 or the status of the first allocator (in the
 * scenario's order) that failed. */
int jobs_run(scenario_t *sc, report_t *rep, int jobs, jobs_run_fn run);

/* Inside a worker: record run r's progress for the parent's line and
 * return true; elsewhere return false (the caller draws its own). */
bool jobs_worker_progress(const run_t *r, simtime_t now);

#endif
