/*
 * lh_order.h -- deterministic next/pairs, tostring, print and
 * string.format for the sandbox (internal to sim/host; see lh_order.c).
 */
#ifndef SLABSIM_LH_ORDER_H
#define SLABSIM_LH_ORDER_H

#include <lua.h>

/* Replace next, pairs, tostring, print and string.format in L's globals. */
void lh_order_open(lua_State *L);

/* Push tostring(value at idx) as the sandbox prints it (no host address);
 * returns it. */
const char *lh_order_tostring(lua_State *L, int idx, size_t *len);

#endif
