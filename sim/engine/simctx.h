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
 * One simulation runs at a time per host thread: the context is reached
 * only through sim_ctx(), which can become thread-local (one context per
 * host thread) without touching its users.
 */
#ifndef SLABSIM_SIMCTX_H
#define SLABSIM_SIMCTX_H

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
} sim_ctx_t;

extern sim_ctx_t sim_ctx_state;

static inline sim_ctx_t *sim_ctx(void)
{
	return &sim_ctx_state;
}

#endif
