/*
 * native_obj.h -- the workload's object handles on a native run, which
 * every host thread shares.
 *
 * Owns: the table of object_t behind handles ((generation << 32) | slot,
 * as run.c's), in chunks that never move: a thread takes slots from a
 * chunk of its own or from the slots it freed, so it never waits for
 * another thread; a chunk's pointer is published with a release store.
 * A handle reaches another thread only in a message (a channel's lock
 * orders it).  Each thread counts the objects it added and retired.
 */
#ifndef SLABSIM_NATIVE_OBJ_H
#define SLABSIM_NATIVE_OBJ_H

#include "run.h"

typedef struct nobj nobj_t;

/* A table for nthreads host threads (threads number 0 .. nthreads-1). */
nobj_t *nobj_new(int nthreads);
void nobj_free(nobj_t *o);
/* The calling host thread's number for the tables (set by the thread). */
void nobj_set_thread(int thread);
/* A new handle for the object `src` describes (addr, cache, size, cpu,
 * critical); never 0. */
int64_t nobj_add(nobj_t *o, const object_t *src);
/* The live object behind handle, or NULL with a message (as run_object). */
object_t *nobj_get(nobj_t *o, int64_t handle, const char **why);
/* Retire handle (as run_retire): its contents to *saved. */
void nobj_retire(nobj_t *o, int64_t handle, object_t *saved);
/* Objects added and not retired, over every thread (no thread running). */
uint64_t nobj_live(const nobj_t *o);

#endif
