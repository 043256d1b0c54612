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
} luahost_t;

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

/* sim.cache's largest sheaf_capacity: 6.18 takes any unsigned int; a
 * sheaf of this many pointers is already a 32 KiB kmalloc. */
#define SHEAF_CAPACITY_MAX 4096

/* A cache, channel or barrier as Lua sees it: its index in the run. */
typedef struct { int id; } ref_ud;

/* ---- lh_state.c ---- */

/* The host of the state L belongs to. */
luahost_t *lh_host(lua_State *L);
/* Push a ref_ud of metatable mt naming index id. */
void lh_push_id(lua_State *L, const char *mt, int id);
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
