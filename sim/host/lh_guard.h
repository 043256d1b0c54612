/*
 * lh_guard.h -- the sandbox's limits and object serials (internal to
 * sim/host; see sandbox.h for the contract).
 *
 * Owns: the Lua allocator of a sandboxed state (the memory cap, and a
 * creation serial stamped in a header before every table, function,
 * userdata and thread, which orders them deterministically), and the time
 * budget: one process-wide CPU-time timer whose signal arms a Lua hook on
 * the running state when an entry into Lua overstays (as lua.c's SIGINT
 * handler does).  lh_order.c reads the serials; lh_sandbox.c makes states.
 */
#ifndef SLABSIM_LH_GUARD_H
#define SLABSIM_LH_GUARD_H

#include "sandbox.h"

/* A state whose allocator is the guard's (cap from lh_limits()); NULL if
 * the host is out of memory. */
lua_State *lh_guard_newstate(void);

/* The creation serial of the collectable object at idx (a table, a Lua or
 * C closure, a full userdata); false for anything else (light C functions,
 * light userdata, threads) or an object the guard did not stamp. */
bool lh_guard_serial(lua_State *L, int idx, uint64_t *serial);

/* Start the time budget's timer (once per process). */
void lh_guard_start_timer(void);

#endif
