/*
 * sandbox.h -- the Lua state every script of slabsim runs in.
 *
 * Owns: the construction of a Lua 5.4 state for workload scripts and the
 * validation claims, and the limits on the Lua code it runs:
 *  - libraries: base, table, string, math and utf8; no io, os, debug,
 *    coroutine or package; dofile, loadfile and string.dump removed; load
 *    takes text only (no precompiled bytecode); require() is the host's own
 *    and finds only Lua files of the workload library (workloads/lib);
 *  - determinism: math.random seeded from the scenario seed; pairs/next in
 *    a fixed order (lh_order.c); tostring and string.format never show a
 *    host address;
 *  - limits (lh_guard.c): a memory cap through the state's allocator and a
 *    time budget per entry into Lua, both in force between
 *    lh_sandbox_enter() and lh_sandbox_leave().
 * print() writes to stderr.  Nothing outside sim/host (and the command
 * line's validate, through this constructor) embeds Lua.
 */
#ifndef SLABSIM_SANDBOX_H
#define SLABSIM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>

/* The limits, from the environment when the first state is made:
 *   SLABSIM_LUA_TIME   seconds of host CPU one entry into Lua may take
 *                      (default 60);
 *   SLABSIM_LUA_MEM    MiB the Lua heap of one state may hold (default 2048);
 *   SLABSIM_LUA_STALL  task resumes in a row without simulated time
 *                      advancing before a run stops (default 1000000). */
typedef struct lh_limits {
	double time_s;
	size_t mem_bytes;
	uint64_t stall_resumes;
} lh_limits_t;

const lh_limits_t *lh_limits(void);

/* A new state as above, math.random seeded with `seed`; lua_close() it. */
lua_State *lh_sandbox_new(uint64_t seed);

/* Lua runs on the host's behalf in L (a state or one of its threads) from
 * lh_sandbox_enter() to lh_sandbox_leave(): the memory cap applies and the
 * time budget counts.  Cost: three stores each; no system call. */
void lh_sandbox_enter(lua_State *L);
void lh_sandbox_leave(void);

/* NULL, or if L's state refused memory (the cap was hit) "FILE:LINE" of
 * the Lua code that asked for it. */
const char *lh_sandbox_out_of_memory(lua_State *L);

/* "FILE:LINE" of the innermost Lua function running (or suspended) in L,
 * into buf; "?" if there is none. */
void lh_sandbox_where(lua_State *L, char *buf, size_t size);

#endif
