/*
 * native_lock.c -- ticket and test-and-set spinlocks on host threads (see
 * native_lock.h).
 */
#include <sched.h>
#include "native_lock.h"
#include "engine.h"

static __thread uint64_t locks_taken;

uint64_t native_locks_taken(void)
{
	return locks_taken;
}

void native_lock_note(void)
{
	locks_taken++;
}

void native_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* PAUSE; now and then, give the CPU away (the holder may be descheduled). */
void native_cpu_relax(unsigned *spins)
{
	if (++*spins % NATIVE_SPIN_YIELD == 0)
		sched_yield();
	else
		native_pause();
}

/* The lock word's halves: [0] the ticket served (or the bit), [1] the next. */
static uint32_t *word(spinlock_t *l)
{
	return (uint32_t *)&l->since;
}

/* The lock is ours: count it; note the holder for spin_is_locked. */
static void took(spinlock_t *l, lock_class_t *cls, bool contended)
{
	locks_taken++;
	__atomic_fetch_add(&cls->acquisitions, 1, __ATOMIC_RELAXED);
	if (contended)
		__atomic_fetch_add(&cls->contentions, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->holder, engine_current()->id + 1, __ATOMIC_RELAXED);
}

/* Take a ticket, spin until it is served. */
void native_spin_lock(spinlock_t *l, lock_class_t *cls)
{
	uint32_t *w = word(l);
	uint32_t ticket = __atomic_fetch_add(&w[1], 1, __ATOMIC_ACQUIRE);
	unsigned spins = 0;

	while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) != ticket)
		native_cpu_relax(&spins);
	took(l, cls, spins > 0);
}

/* Take the next ticket only if no ticket is out (next == served): only a
 * holder moves `served`, and there is none, so the ticket is ours. */
bool native_spin_trylock(spinlock_t *l, lock_class_t *cls)
{
	uint32_t *w = word(l);
	uint32_t served = __atomic_load_n(&w[0], __ATOMIC_ACQUIRE);
	uint32_t next = served;

	if (!__atomic_compare_exchange_n(&w[1], &next, served + 1, false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED))
		return false;
	took(l, cls, false);
	return true;
}

/* Serve the next ticket. */
void native_spin_unlock(spinlock_t *l)
{
	uint32_t *w = word(l);

	__atomic_store_n(&l->holder, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w[0], __atomic_load_n(&w[0], __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

/* test_and_set_bit until it finds the bit clear, reading while it is set. */
void native_bit_spin_lock(spinlock_t *l, lock_class_t *cls)
{
	uint32_t *w = word(l);
	unsigned spins = 0;

	while (__atomic_fetch_or(&w[0], 1u, __ATOMIC_ACQUIRE) & 1u)
		while (__atomic_load_n(&w[0], __ATOMIC_RELAXED) & 1u)
			native_cpu_relax(&spins);
	took(l, cls, spins > 0);
}

bool native_bit_spin_trylock(spinlock_t *l, lock_class_t *cls)
{
	if (__atomic_fetch_or(&word(l)[0], 1u, __ATOMIC_ACQUIRE) & 1u)
		return false;
	took(l, cls, false);
	return true;
}

/* clear_bit_unlock. */
void native_bit_spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->holder, 0, __ATOMIC_RELAXED);
	__atomic_fetch_and(&word(l)[0], ~1u, __ATOMIC_RELEASE);
}

bool native_spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->holder, __ATOMIC_RELAXED) != 0;
}
