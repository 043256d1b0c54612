/*
 * luahost.h -- the Lua 5.4 host for workload scripts.
 *
 * Owns: the lua_State of a run, the workload's declared parameters and the
 * Lua API (the `sim` table at setup, the task methods while tasks run).
 * Lua never runs across a fiber switch: run.c resumes a task's coroutine,
 * which returns one operation in task_op(); run.c executes it and pushes
 * its results with the lh_push_* calls before the next resume.
 * Scripts get no io, os or coroutine library; math.random is seeded from
 * the scenario seed.
 */
#ifndef SLABSIM_LUAHOST_H
#define SLABSIM_LUAHOST_H

#include <glib.h>
#include "run.h"

/* Load the workload of r's scenario, check [workload] against its params,
 * add them to the resolved scenario and call its setup(). */
luahost_t *lh_new(run_t *r, GKeyFile *resolved, GError **err);
void lh_free(luahost_t *lh);

enum lh_status { LH_OP, LH_DONE, LH_ERROR };

/* Resume task t with the `nres` values pushed since its last yield.  On
 * LH_ERROR the message (file:line and traceback) is in *msg (g_free it). */
enum lh_status lh_resume(luahost_t *lh, task_t *t, void *co, int nres, char **msg);

void lh_push_nil(void *co);
void lh_push_int(void *co, int64_t v);
void lh_push_handles(void *co, const int64_t *h, int n);
void lh_push_string(void *co, const char *s);
/* The report of a t:defrag, as a table. */
void lh_push_defrag(void *co, const defrag_report_t *r);
/* Call the Lua function with registry reference `ref` on an object
 * handle (a slab_ops callback, run between task resumes).  Its result as
 * a string ("true" for a true non-string), NULL for nil or false; on an
 * error NULL, and *err (g_free it) holds file, message and traceback. */
char *lh_call_handle(luahost_t *lh, int ref, int64_t handle, char **err);
/* Push a value stored with a registry reference and release the reference. */
void lh_push_ref(luahost_t *lh, void *co, int ref);
void lh_unref(luahost_t *lh, int ref);

/* The description and parameter list of a workload script, for `list`. */
bool lh_describe(const char *path, char **description, GError **err);

#endif
