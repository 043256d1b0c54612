/*
 * bench.h -- the simulator's speed benchmark: its shapes, its measurements
 * and its report.
 *
 * Owns: the shapes the benchmark knows (a scenario, an allocator or all of
 * the scenario's, --set overrides, plots on or off), one measured result
 * per shape and allocator, and bench/results.json.  Every measurement runs
 * the slabsim binary as a child process, so host CPU time (user + system,
 * the child's own children included) and peak RSS are the child's alone;
 * instructions per operation come from a run under callgrind.  Host time
 * never enters a simulation's results.
 */
#ifndef SLABSIM_BENCH_H
#define SLABSIM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define BENCH_MAX_SETS 12

typedef struct bench_shape {
	const char *name;
	const char *scenario;            /* path from the repository root */
	const char *alloc;               /* -a value; NULL: the scenario's allocators, one run */
	const char *sets[BENCH_MAX_SETS];/* --set values, NULL-terminated */
	bool plots;                      /* as a user runs it, plots drawn */
	bool heavy;                      /* measured only when named (or --all) */
	int jobs;                        /* --jobs of its runs (0: bench's --jobs, if given) */
	/* A replay: before the timed runs, this scenario runs once (SLUB, with
	 * trace_sets, untimed) writing a trace into the scratch directory, and
	 * the shape's runs replay it (--set workload.trace=FILE); NULL: none. */
	const char *trace_scenario;
	const char *trace_sets[BENCH_MAX_SETS];
} bench_shape_t;

typedef struct bench_result {
	char *shape;
	char *alloc;                     /* "all" when the run had every allocator */
	char *command;                   /* the measured command line */
	uint64_t ops;                    /* allocations + frees, all allocators */
	uint64_t events;                 /* trace events replayed (replay shapes), else 0 */
	GArray *cpu;                     /* double: CPU seconds of each run */
	double cpu_median;
	double rss_mib;                  /* largest peak RSS of the runs */
	double ir_per_op;                /* < 0: not measured */
} bench_result_t;

/* The built-in shapes, NULL-name terminated. */
extern const bench_shape_t bench_shapes[];

/* The shape called `name`, or NULL. */
const bench_shape_t *bench_shape_find(const char *name);

typedef struct bench_opts {
	const char *root;                /* repository root */
	const char *bin;                 /* the slabsim binary measured */
	int runs;                        /* timed runs per shape (median) */
	bool instructions;               /* one more run under callgrind */
	int jobs;                        /* --jobs passed to the binary, 0: not passed */
} bench_opts_t;

/* Measure one shape with allocator `alloc` (NULL: as the shape says).
 * Returns NULL with err set when a run fails. */
bench_result_t *bench_measure(const bench_opts_t *o, const bench_shape_t *s, const char *alloc,
                              GError **err);
void bench_result_free(bench_result_t *r);

/* Write results (bench_result_t *) as JSON to path. */
gboolean bench_write_json(const char *path, const bench_opts_t *o, GPtrArray *results,
                          GError **err);
/* Print the table, each row with its ratio to the same shape and
 * allocator in the baseline file (when it has them). */
void bench_print(GPtrArray *results, const char *baseline_path);

#endif
