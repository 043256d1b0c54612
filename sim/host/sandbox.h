/*
 * sandbox.h -- the Lua state every script of slabsim runs in.
 *
 * Owns: the construction of a Lua 5.4 state for workload scripts and the
 * validation claims: the base, table, string, math and utf8 libraries;
 * require() limited to the workload library (workloads/lib); no io, os,
 * dofile or loadfile; math.random seeded from the scenario seed; print()
 * to stderr.  Nothing outside sim/host (and the command line's validate,
 * through this constructor) embeds Lua.
 */
#ifndef SLABSIM_SANDBOX_H
#define SLABSIM_SANDBOX_H

#include <stdint.h>
#include <lua.h>

/* A new state as above, math.random seeded with `seed`; lua_close() it. */
lua_State *lh_sandbox_new(uint64_t seed);

#endif
