/*
 * simctx.h -- the run context: what is "current" about the simulation
 * being run, in one place.
 *
 * Owns: one struct holding the state each layer keeps for the run in
 * progress instead of file-scope globals: the engine running and its
 * running CPU (engine), the coherence model and machine that price locks
 * (model), the kernel API's state (kernel).  Each layer sets and reads
 * only its own fields; the types above the engine are opaque here.
 *
 * The context is thread-local: one simulation runs at a time per host
 * thread, and the native backend (sim/kernel/native.h) gives each of its
 * host threads a context of its own naming the same kernel, with its CPU
 * in `cpu` and `native` set.
 */
#ifndef SLABSIM_SIMCTX_H
#define SLABSIM_SIMCTX_H

#include <stdbool.h>

struct engine;
struct cpu;
struct coh;
struct machine;
struct kernel;

typedef struct sim_ctx {
	struct engine *engine;          /* in engine_run(), else NULL */
	struct cpu *cpu;                /* the CPU running, NULL in events */
	struct coh *coh;                /* what locks are priced by ... */
	const struct machine *machine;  /* ... and on which machine */
	uint64_t lock_seed;             /* bit-spinlock races (model) */
	struct kernel *kernel;          /* the kernel API's state */
	bool native;                    /* the kernel API runs on the host (native.h) */
} sim_ctx_t;

extern __thread sim_ctx_t sim_ctx_state;

static inline sim_ctx_t *sim_ctx(void)
{
	sim_ctx_t *c = &sim_ctx_state;

#if defined(__SANITIZE_ADDRESS__)
	/* GCC 12 with -fsanitize=null at -O1 null-checks the address of a
	 * thread-local with a branch on flags its address computation never
	 * set (an lea), and so reports a null member access that is not
	 * there; hiding the address from the optimiser makes it test it. */
	__asm__("" : "+r"(c));
#endif
	return c;
}

#endif
