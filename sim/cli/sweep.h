/*
 * sweep.h -- parameter sweeps: one deterministic run per value of a key.
 *
 * Owns: the fan-out of `slabsim run` processes over the values of one
 * scenario key, and the collection of their results.json into sweep.csv
 * (long format: param,param_value,allocator,metric,value).  Each point is
 * an ordinary results directory, DIR/point-VALUE, so any point can be
 * re-run or inspected on its own.
 */
#ifndef SLABSIM_SWEEP_H
#define SLABSIM_SWEEP_H

#include <stdbool.h>
#include <glib.h>

typedef struct sweep_spec {
	const char *scenario;
	const char *key;          /* section.key */
	char **values;            /* NULL-terminated */
	char **sets;              /* extra --set overrides for every point */
	const char *out;          /* results directory of the sweep */
	int jobs;                 /* processes at once */
} sweep_spec_t;

/* Parse "section.key=v1,v2,..." into spec->key and spec->values. */
bool sweep_parse_vary(sweep_spec_t *spec, const char *vary, GError **err);
/* The command line that runs point `value` (argv, NULL-terminated). */
char **sweep_point_argv(const sweep_spec_t *spec, const char *self, const char *value);
/* Run every point (at most spec->jobs at once), then write sweep.csv. */
bool sweep_run(const sweep_spec_t *spec, const char *self, GError **err);
/* Collect each point directory's results.json into DIR/sweep.csv. */
bool sweep_collect(const sweep_spec_t *spec, GError **err);

#endif
