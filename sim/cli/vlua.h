/*
 * vlua.h -- what `slabsim validate` gives claims.lua.
 *
 * Owns: turning a results.json into a Lua table, and the `validate`
 * library claims use to state figures over seeds and agreement with the
 * thread's tables (the arithmetic is sim/base/agree.c):
 *   validate.spread(list)              -> mean, sample sd
 *   validate.differ(ma, sa, mb, sb, n) -> the noise rule (docs/model.md)
 *   validate.agreement(rows)           -> { best = mean match, tau = pooled
 *       tau-b or nil, rows = n }, rows = { { real = {...}, mean = {...},
 *       sd = {...}, n = seeds }, ... }, values higher-is-better
 */
#ifndef SLABSIM_VLUA_H
#define SLABSIM_VLUA_H

#include <stdbool.h>
#include <glib.h>
#include <lua.h>

/* Push the results.json of results directory `dir` as a table. */
bool vlua_push_results(lua_State *L, const char *dir, GError **err);
/* Set the global `validate` library in L. */
void vlua_open(lua_State *L);

#endif
