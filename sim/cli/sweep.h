/*
 * sweep.h -- parameter sweeps: one deterministic run per point.
 *
 * Owns: the points of a sweep (the cartesian product of the values of
 * every varied key, times the seeds), the fan-out of `slabsim run`
 * processes over them, and the collection of their results.json into
 * sweep.csv (long format: one column per varied key, then
 * seed,allocator,metric,value) and sweep-summary.csv (mean, standard
 * deviation, min and max over the seeds).  Each point is an ordinary
 * results directory, DIR/KEY=VALUE,KEY=VALUE[,seed=N], so any point can
 * be re-run or inspected on its own.
 */
#ifndef SLABSIM_SWEEP_H
#define SLABSIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct sweep_key {
	char *key;                /* section.key */
	char **values;            /* NULL-terminated */
} sweep_key_t;

typedef struct sweep_spec {
	const char *scenario;
	GPtrArray *keys;          /* sweep_key_t*, in --vary order (the first varies slowest) */
	char **sets;              /* --set overrides for every point (with -a, --seed) */
	int seeds;                /* seeds per point: the scenario's seed and the next ones */
	uint64_t first_seed;      /* set by sweep_check */
	const char *out;          /* where the points are written now */
	const char *final_out;    /* the sweep directory they end up in (emitted commands) */
	int jobs;                 /* processes at once */
} sweep_spec_t;

/* Add "section.key=v1,v2,..." (a repeated key is an error). */
bool sweep_add_vary(sweep_spec_t *spec, const char *vary, GError **err);
void sweep_spec_clear(sweep_spec_t *spec);
/* Check the scenario at every combination of values (file, line and key
 * of the first bad one) and note the first seed. */
bool sweep_check(sweep_spec_t *spec, const char *root, GError **err);
/* Points: combinations x seeds. */
int sweep_npoints(const sweep_spec_t *spec);
/* The command line that runs point i into final_out (argv, NULL-terminated). */
char **sweep_point_argv(const sweep_spec_t *spec, const char *self, int i);
/* Run every point (at most spec->jobs at once) into spec->out, then
 * collect them. */
bool sweep_run(const sweep_spec_t *spec, const char *self, GError **err);
/* Collect each point directory's results.json into DIR/sweep.csv and
 * DIR/sweep-summary.csv. */
bool sweep_collect(const sweep_spec_t *spec, GError **err);

#endif
