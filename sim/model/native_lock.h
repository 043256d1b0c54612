/*
 * native_lock.h -- the spinlocks of lock.h on host threads (the native
 * backend, sim/kernel/native.h).
 *
 * Owns: real ticket and test-and-set locks over a spinlock_t's words, the
 * lock classes' native counters, and the count of locks each host thread
 * has taken (for the test that no shared lock is taken on a fast path).
 * lock.c hands every call here when the thread's run context is native.
 *
 * Words: a native spinlock_t keeps its lock word where the simulated one
 * keeps `since` (unused natively): a ticket lock's two 32-bit halves (the
 * next ticket above, the ticket served below; x86's arch_spinlock_t since
 * 2.6.25), or a bit spinlock's bit 0 (test_and_set_bit); `holder` names
 * the holding CPU + 1 (atomic, for spin_is_locked).  Classes count
 * acquisitions and contentions (an acquisition that found the lock held)
 * with relaxed atomic adds; waits, holds and bounces are simulation-only.
 */
#ifndef SLABSIM_NATIVE_LOCK_H
#define SLABSIM_NATIVE_LOCK_H

#include "lock.h"

void native_spin_lock(spinlock_t *l, lock_class_t *cls);
bool native_spin_trylock(spinlock_t *l, lock_class_t *cls);
void native_spin_unlock(spinlock_t *l);
void native_bit_spin_lock(spinlock_t *l, lock_class_t *cls);
bool native_bit_spin_trylock(spinlock_t *l, lock_class_t *cls);
void native_bit_spin_unlock(spinlock_t *l);
/* native_spin_is_locked: declared in lock.h, whose spin_is_locked calls it. */

/* Locks the calling host thread has taken so far: every spinlock and bit
 * spinlock, and every lock of the native backend itself (native_lock_note). */
uint64_t native_locks_taken(void);
/* Count one lock the backend takes (its page allocator, metadata and work
 * queue locks), so the fast-path test sees them too. */
void native_lock_note(void);

/* A spinning waiter's pause (the x86 PAUSE, which the kernel's cpu_relax
 * is); every NATIVE_SPIN_YIELD pauses it gives the host CPU away once, as
 * a user-space spinner must when the holder may be preempted. */
void native_cpu_relax(unsigned *spins);
/* The PAUSE alone (a busy loop that must keep its CPU). */
void native_pause(void);
#define NATIVE_SPIN_YIELD 1024

#endif
