/*
 * lock.h -- spinlocks and bit spinlocks with FIFO hand-off and lockstat.
 *
 * Owns: lock state (holder, FIFO of waiting CPUs) and per-class statistics.
 * A lock word lives at a simulated address the caller names, so taking it
 * is priced by the coherence model (an RMW; a hand-off pulls the line from
 * the releaser).  Acquire and release are synchronisation points: they run
 * in exact global time order.  A waiter blocks its CPU and is woken by the
 * releaser at the release time; its spin time is charged as COST_LOCK_WAIT.
 * A bit spinlock (SLUB's slab_lock on page->flags) is the same thing at the
 * address of the struct page.
 */
#ifndef SLABSIM_LOCK_H
#define SLABSIM_LOCK_H

#include "types.h"
#include "coherence.h"

typedef struct lock_class {
	const char *name;
	uint64_t acquisitions;
	uint64_t contentions;
	simtime_t wait;
	simtime_t max_wait;
	simtime_t hold;
} lock_class_t;

typedef struct lock_waitq lock_waitq_t;

/* All-zero is an unlocked lock, so zeroed memory (a fresh struct page)
 * holds valid unlocked locks. */
typedef struct spinlock {
	int32_t holder;            /* CPU id + 1, or 0 when free */
	simtime_t since;           /* when the holder got it */
	lock_waitq_t *waitq;       /* FIFO of waiting CPUs, only while someone waits */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0, NULL }

typedef struct lock_registry lock_registry_t;

lock_registry_t *lock_registry_new(void);
void lock_registry_free(lock_registry_t *r);
/* The class called `name`, created on first use. */
lock_class_t *lock_class(lock_registry_t *r, const char *name);
/* Classes in name order (for reports). */
GPtrArray *lock_classes_sorted(lock_registry_t *r);

/* The coherence model locks are priced by, in the run context. */
void lock_set_model(coh_t *coh, const machine_t *m);

void spin_init(spinlock_t *l);
void spin_destroy(spinlock_t *l);
void spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
bool spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr);
void spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr);

static inline bool spin_is_locked(const spinlock_t *l)
{
	return l->holder != 0;
}

#endif
