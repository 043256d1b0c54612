/*
 * lock.h -- ticket spinlocks, test-and-set bit spinlocks, and lockstat.
 *
 * Owns: lock state (holder, last holder, waiting CPUs) and per-class
 * statistics.  A lock word lives at a simulated address the caller names,
 * so taking it is priced by the coherence model (an RMW; a hand-off pulls
 * the line from the releaser; the release store invalidates every
 * spinner's copy).  Acquire and release are synchronisation points: they
 * run in exact global time order.  A waiter blocks its CPU and is woken by
 * the releaser at the release time; its spin time is charged as
 * COST_LOCK_WAIT.  spin_* are ticket locks (FIFO, x86 2.6.25+); bit_spin_*
 * are test-and-set locks (SLUB's slab_lock on page->flags), where the
 * spinner nearest the releaser wins each release (lock.c).  In a native
 * run context every call is a real lock on host threads (native_lock.h).
 */
#ifndef SLABSIM_LOCK_H
#define SLABSIM_LOCK_H

#include "types.h"
#include "coherence.h"
#include "simctx.h"

typedef struct lock_class {
	const char *name;
	uint64_t acquisitions;
	uint64_t contentions;
	simtime_t wait;
	simtime_t max_wait;
	simtime_t hold;
	uint64_t con_bounces;      /* contentions whose last holder was another CPU */
	uint64_t acq_bounces;      /* acquisitions whose last holder was another CPU */
} lock_class_t;

typedef struct lock_waitq lock_waitq_t;

/* All-zero is an unlocked lock, so zeroed memory (a fresh struct page)
 * holds valid unlocked locks. */
typedef struct spinlock {
	int32_t holder;            /* CPU id + 1, or 0 when free */
	int32_t last;              /* the last holder's CPU id + 1, 0: none yet */
	simtime_t since;           /* when the holder got it */
	lock_waitq_t *waitq;       /* waiting CPUs, only while someone waits */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0, 0, NULL }

typedef struct lock_registry lock_registry_t;

lock_registry_t *lock_registry_new(void);
void lock_registry_free(lock_registry_t *r);
/* The class called `name`, created on first use. */
lock_class_t *lock_class(lock_registry_t *r, const char *name);
/* Classes in name order (for reports). */
GPtrArray *lock_classes_sorted(lock_registry_t *r);

/* The coherence model locks are priced by, and the seed of bit-spinlock
 * races, in the run context. */
void lock_set_model(coh_t *coh, const machine_t *m, uint64_t seed);

void spin_init(spinlock_t *l);
void spin_destroy(spinlock_t *l);
void spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
bool spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
void spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
void bit_spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
bool bit_spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
void bit_spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr);

bool native_spin_is_locked(const spinlock_t *l);

static inline bool spin_is_locked(const spinlock_t *l)
{
	return sim_ctx()->native ? native_spin_is_locked(l) : l->holder != 0;
}

#endif
