/*
 * lh_int.h -- what the Lua host's modules share (internal to sim/host).
 *
 * Owns: the host state of one run (luahost_t), the userdata types of the
 * Lua API and the helpers the modules call across files.  The modules:
 * luahost.c (loading and the workload interface), lh_state.c (the helpers
 * below), lh_sandbox.c (the Lua state every script runs in) with
 * lh_guard.c (its limits) and lh_order.c (deterministic pairs, tostring),
 * lh_params.c (the workload's parameters), lh_sim.c (the `sim` table, at
 * setup), lh_task.c (task methods, while tasks run), lh_data.c (data
 * files a workload reads, parsed by slabinfo.c and ktrace.c).  Each
 * depends on lh_state.c only; luahost.c on all.
 */
#ifndef SLABSIM_LH_INT_H
#define SLABSIM_LH_INT_H

#include <lua.h>
#include <lauxlib.h>
#include "luahost.h"
#include "sandbox.h"

typedef struct luahost {
	lua_State *L;
	run_t *run;
	const char *path;
	GPtrArray *files;          /* lh_file_t*: what file parameters named */
	simtime_t stall_clock;     /* the watchdog: clock at the last resume */
	uint64_t stalls;           /* resumes since it last moved */
	GPtrArray *threads;        /* lh_thread_t*: the main state's, each coroutine's */
} luahost_t;

/* What a Lua thread's extra space points to: its host and, in a task's
 * coroutine, the task whose methods it may call (NULL in the main state).
 * A coroutine inherits the main state's when created (lh_sim.c sets its
 * own). */
typedef struct lh_thread {
	luahost_t *lh;
	task_t *task;
} lh_thread_t;

/* A file a `type = "file"` parameter names, checked readable before Lua
 * runs; the workload holds it as a FILE_MT userdata (its index in files). */
typedef struct lh_file {
	char *given;               /* as written in the scenario */
	char *path;                /* as opened */
	char *text;                /* its contents once read (sim.slabinfo), else NULL */
	gsize len;
} lh_file_t;

/* Metatables of the API's userdata. */
#define CACHE_MT   "slabsim.cache"
#define TASK_MT    "slabsim.task"
#define CHAN_MT    "slabsim.channel"
#define BARRIER_MT "slabsim.barrier"
#define FILE_MT    "slabsim.file"

/* Every userdata of the API starts with the address of its type's tag
 * (lh_tag_*), so checking an argument's type is a pointer compare. */
extern const char lh_tag_cache[], lh_tag_task[], lh_tag_chan[], lh_tag_barrier[], lh_tag_file[];

/* sim.cache's largest sheaf_capacity: 6.18 takes any unsigned int; a
 * sheaf of this many pointers is already a 32 KiB kmalloc. */
#define SHEAF_CAPACITY_MAX 4096

/* A cache, channel or barrier as Lua sees it: its index in the run. */
typedef struct { const char *tag; int id; } ref_ud;

/* A task as Lua sees it (its own metatable: __index is a table of its
 * fields cpu, node and id, whose own __index is the methods table). */
typedef struct { const char *tag; task_t *t; } task_ud;

/* ---- lh_state.c ---- */

/* L's thread record: a load from its extra space. */
static inline lh_thread_t *lh_thread(lua_State *L)
{
	return *(lh_thread_t **)lua_getextraspace(L);
}

/* The host of the state L belongs to. */
static inline luahost_t *lh_host(lua_State *L)
{
	return lh_thread(L)->lh;
}

/* Push a ref_ud of metatable mt and tag `tag` naming index id. */
void lh_push_id(lua_State *L, const char *mt, const char *tag, int id);
/* The userdata at idx if its tag is `tag`, else a Lua type error naming
 * mt ("slabsim.cache expected, got ..."); lh_test_ud: else NULL. */
void *lh_check_ud(lua_State *L, int idx, const char *tag, const char *mt);
void *lh_test_ud(lua_State *L, int idx, const char *tag);
/* Point L's extra space at a new thread record {lh, task} (lh keeps it). */
void lh_set_thread(luahost_t *lh, lua_State *L, task_t *task);
/* t[k] = v for the table on top of the stack. */
void lh_setint(lua_State *L, const char *k, lua_Integer v);
/* A cache argument: a cache object, or the name of a workload cache. */
int lh_check_cache(lua_State *L, int idx);

/* A host for run r: the script loaded, its parameters checked (each
 * value recorded in `resolved`), its setup() run (luahost.c). */
luahost_t *lh_new(run_t *r, GKeyFile *resolved, GError **err);
/* The workload interface of a host (luahost.c). */
extern const workload_ops_t lh_workload_ops;

/* A message's value packed to cross Lua states, and pushed (lh_pack.c). */
GBytes *lh_pack_ref(void *wl, int ref, char **err);
void lh_push_packed(void *wl, void *co, GBytes *packed);

/* Push the `sim` table of lh's run (lh_sim.c). */
void lh_open_sim(luahost_t *lh);
/* The largest object the run's allocator takes in a cache on this
 * machine (sim.max_cache_size; lh_sim.c). */
lua_Integer lh_max_cache_size(const luahost_t *lh);
/* Register the task methods and the API's metatables (lh_task.c). */
void lh_open_task(lua_State *L);
/* Push task t's object (lh_task.c). */
void lh_push_task(lua_State *L, task_t *t);
/* sim.slabinfo and sim.kmem_trace (lh_data.c). */
int lh_slabinfo(lua_State *L);
int lh_kmem_trace(lua_State *L);
/* The file handle at idx (a file parameter's); a Lua error naming fn if
 * it is none. */
lh_file_t *lh_check_file(lua_State *L, int idx, const char *fn);
/* sim.replay and the metatable of what it returns (lh_replay.c). */
int lh_replay(lua_State *L);
void lh_open_replay(lua_State *L);
/* Read the file a file parameter names (given, resolved as data files
 * are) is readable; NULL and *err naming the scenario key if it cannot
 * be read (lh_data.c).  lh_file_free frees one. */
lh_file_t *lh_file_read(const scenario_t *sc, const char *key, const char *given, GError **err);
void lh_file_free(gpointer f);

/* With the script's table on top of the stack, push the parameter table
 * p built from its declared params and [workload]; record every value in
 * `resolved` (lh_params.c). */
bool lh_build_params(luahost_t *lh, GKeyFile *resolved, GError **err);

#endif
