/*
 * luahost.h -- the Lua 5.4 host for workload scripts.
 *
 * Owns: the lua_State of a run, the workload's declared parameters and the
 * Lua API (the `sim` table at setup, the task methods while tasks run).
 * It implements the run's workload interface (workload.h): Lua never runs
 * across a fiber switch; the run resumes a task's coroutine, which states
 * one operation in task_op(), and pushes the results before the next
 * resume.
 * Scripts run in the sandbox of sandbox.h (no io, os, coroutine or
 * package; text-only load; limits on time and memory; deterministic
 * pairs); math.random is seeded from the scenario seed.
 */
#ifndef SLABSIM_LUAHOST_H
#define SLABSIM_LUAHOST_H

#include <glib.h>
#include "run.h"
#include "native_run.h"

/* A run of sc with allocator `allocator`, driven by sc's workload script:
 * the script is loaded, [workload] checked against its params (added to
 * the resolved scenario) and its setup() called.  NULL and *err on a bad
 * parameter or a script error. */
run_t *lh_run_new(const scenario_t *sc, const char *allocator, GError **err);

/* The same run on the native backend: a Lua state per host thread (each
 * running setup()), the run made with native_run_new.  NULL and *err on
 * a bad parameter, a script error or what a native run refuses. */
native_run_t *lh_native_run_new(const scenario_t *sc, const char *allocator, GError **err);

/* The description of a workload script, for `list`. */
bool lh_describe(const char *path, char **description, GError **err);

/* A declared parameter of a workload script. */
typedef struct lh_param {
	char *name;
	char *def;                /* the default as [workload] would write it */
	const char *type;         /* "integer", "number", "boolean", "string" */
	char *help;               /* "" if none */
} lh_param_t;

/* The parameters a workload script declares (lh_param_t, by name) and its
 * description, for `list params`; NULL and *err if it does not load.
 * Free with lh_params_free. */
GArray *lh_list_params(const char *path, char **description, GError **err);
void lh_params_free(GArray *params);

#endif
