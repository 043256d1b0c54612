/*
 * workload.h -- the interface through which the executor drives a workload.
 *
 * Owns: the contract between a run (run.c) and whatever scripts its tasks
 * (the Lua host, sim/host/).  A workload adds caches, tasks, channels and
 * barriers to the run while it sets up (run_add_*, run_spawn); then the
 * run resumes one task at a time.  A resumed task states one operation in
 * task_op() and yields; the run executes it on the task's CPU and delivers
 * the operation's results with the push calls before the next resume.
 * The workload never runs across a fiber switch, and the run never sees
 * the workload's language.
 *
 * `task` below is the workload's own handle of a task, as given to
 * run_spawn().  `ref` names a value the workload keeps for the run (a sent
 * message, a slab_ops callback).
 */
#ifndef SLABSIM_WORKLOAD_H
#define SLABSIM_WORKLOAD_H

#include <stdint.h>
#include <glib.h>
#include "allocator.h"

enum wl_status { WL_OP, WL_DONE, WL_ERROR };

typedef struct workload_ops {
	/* Resume task with the `nres` values pushed since its last yield (-1:
	 * the first resume).  WL_OP: it stated an operation; WL_DONE: it
	 * returned; WL_ERROR: *msg (g_free it) holds file:line and traceback. */
	enum wl_status (*resume)(void *wl, void *task, int nres, char **msg);

	/* Results of an operation, pushed in order. */
	void (*push_nil)(void *task);
	void (*push_int)(void *task, int64_t v);
	void (*push_string)(void *task, const char *s);
	void (*push_handles)(void *task, const int64_t *h, int n);
	void (*push_defrag)(void *task, const defrag_report_t *r);
	/* Push the value kept as `ref` and release it (a received message). */
	void (*push_ref)(void *wl, void *task, int ref);

	/* For a native run, whose tasks run in one workload instance per host
	 * thread: the value kept as `ref`, released and packed into bytes any
	 * instance can push (NULL and *err, g_free it, when the value cannot
	 * leave its instance: the workload cannot run natively); push a packed
	 * value to task (the bytes stay the caller's). */
	GBytes *(*pack_ref)(void *wl, int ref, char **err);
	void (*push_packed)(void *wl, void *task, GBytes *packed);

	/* Call the function kept as `ref` on an object handle, between
	 * resumes (a slab_ops callback).  Its answer as a string ("true" for a
	 * true non-string), NULL for nil or false; on an error NULL and *err
	 * (g_free it). */
	char *(*call_handle)(void *wl, int ref, int64_t handle, char **err);

	/* Where task stands in the workload's source ("file:line"), for
	 * messages about blocked tasks; NULL if unknown.  May be NULL. */
	char *(*where)(void *wl, void *task);

	void (*free)(void *wl);
} workload_ops_t;

#endif
