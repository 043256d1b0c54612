/*
 * checkmodel.h -- `slabsim check-model`: a scenario simulated on the
 * host's own machine profile and run natively on the host, several times,
 * the prediction put beside the measurement (docs/native.md).
 *
 * Owns: the figures compared (throughput, alloc and free latency mean,
 * p50 and p99), the native runs' medians and spread, the ordering
 * verdict, the printed table, model-check.json and model-check.csv (the
 * plot's data).
 */
#ifndef SLABSIM_CHECKMODEL_H
#define SLABSIM_CHECKMODEL_H

#include <stdbool.h>
#include <glib.h>
#include "scenario.h"

typedef struct checkmodel_opts {
	int runs;                /* native runs per allocator (>= 1) */
	const char *profile;     /* the host's machine profile in use */
	const char *loadavg;     /* /proc/loadavg when it started */
	const char *scenario;    /* as the user named it */
	bool quiet;              /* no table on stdout */
} checkmodel_opts_t;

/* Simulate every allocator of sc once (its seed) and run it natively
 * o->runs times (the allocators taking turns, so that the host's noise
 * falls on all of them alike); print the comparison (unless quiet) and
 * write model-check.json and model-check.csv into dir.  False and *err
 * (a run's or a file's error). */
bool checkmodel_run(scenario_t *sc, const checkmodel_opts_t *o, const char *dir, GError **err);

#endif
