/*
 * lock.c -- ticket spinlocks and test-and-set bit spinlocks, priced by the
 * coherence model (see lock.h).
 *
 * Both kinds take the lock word with an atomic RMW on its line.  A waiter
 * blocks its CPU; while it waits it spins reading the word, so it holds a
 * shared copy of the line, which the release's store invalidates (the
 * coherence model charges the releaser for every copy).  The spinners'
 * re-reads after a hand-off, and for bit spinlocks the losers' failed
 * test-and-set attempts, are replayed in the directory on the spinners'
 * behalf (coh_access_as) right after the new holder took the line, so the
 * holder's later touches of that line find it elsewhere.
 *
 * Ticket lock (spinlock_t on x86 since 2.6.25): the waiter's ticket is an
 * RMW when it arrives; hand-off is strictly FIFO and costs the next holder
 * a read of the line the releaser wrote.
 *
 * Bit spinlock (bit_spin_lock, 2.6.29): a failed test_and_set_bit is an
 * RMW; on release every spinner re-reads the word and races to set it.
 * The spinner whose read arrives first wins: the one nearest the releaser
 * (the transfer price by distance), ties broken by a hash of the seed, the
 * lock's address and the release count, never by CPU id or arrival order.
 */
#include <pthread.h>
#include <string.h>
#include <glib.h>
#include "lock.h"
#include "engine.h"
#include "native_lock.h"

struct lock_waitq {
	GArray *cpus;              /* int: the waiting CPUs' ids, in arrival order (dense,
	                            * so a release's passes over them stay in cache) */
	uint64_t releases;         /* hand-offs so far (tie-break input) */
	GArray *storm;             /* int: spinners to replay after the next take */
	bool storm_rmw;            /* their replay is a failed test-and-set */
};

#define WAITER(q, i) g_array_index((q)->cpus, int, (i))

struct lock_registry {
	GHashTable *by_name;       /* name -> lock_class_t*; lookups only */
	pthread_mutex_t mutex;     /* by_name, for native host threads (pthread: seen by TSan) */
};

void lock_set_model(coh_t *coh, const machine_t *m, uint64_t seed)
{
	sim_ctx()->coh = coh;
	sim_ctx()->machine = m;
	sim_ctx()->lock_seed = seed;
}

static void class_free(gpointer p)
{
	lock_class_t *c = p;
	g_free((char *)c->name);
	g_free(c);
}

lock_registry_t *lock_registry_new(void)
{
	lock_registry_t *r = g_new0(lock_registry_t, 1);
	r->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, class_free);
	pthread_mutex_init(&r->mutex, NULL);
	return r;
}

void lock_registry_free(lock_registry_t *r)
{
	if (!r)
		return;
	g_hash_table_destroy(r->by_name);
	pthread_mutex_destroy(&r->mutex);
	g_free(r);
}

lock_class_t *lock_class(lock_registry_t *r, const char *name)
{
	lock_class_t *c;

	pthread_mutex_lock(&r->mutex);
	c = g_hash_table_lookup(r->by_name, name);
	if (!c) {
		c = g_new0(lock_class_t, 1);
		c->name = g_strdup(name);
		g_hash_table_insert(r->by_name, (char *)c->name, c);
	}
	pthread_mutex_unlock(&r->mutex);
	return c;
}

static gint class_cmp(gconstpointer a, gconstpointer b)
{
	const lock_class_t *x = *(lock_class_t *const *)a;
	const lock_class_t *y = *(lock_class_t *const *)b;
	return strcmp(x->name, y->name);
}

GPtrArray *lock_classes_sorted(lock_registry_t *r)
{
	GPtrArray *a = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, r->by_name);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(a, v);
	g_ptr_array_sort(a, class_cmp);
	return a;
}

void spin_init(spinlock_t *l)
{
	*l = (spinlock_t)SPINLOCK_INIT;
}

void spin_destroy(spinlock_t *l)
{
	if (l->waitq) {
		g_array_free(l->waitq->cpus, TRUE);
		g_array_free(l->waitq->storm, TRUE);
		g_free(l->waitq);
		l->waitq = NULL;
	}
}

static lock_waitq_t *waitq(spinlock_t *l)
{
	if (!l->waitq) {
		l->waitq = g_new0(lock_waitq_t, 1);
		l->waitq->cpus = g_array_new(FALSE, FALSE, sizeof(int));
		l->waitq->storm = g_array_new(FALSE, FALSE, sizeof(int));
	}
	return l->waitq;
}

/* ---- the holder ---- */

/* The running CPU now holds l (lockstat: an acquisition, a bounce when
 * the last holder was another CPU). */
static void take(spinlock_t *l, lock_class_t *cls)
{
	cpu_t *self = engine_current();

	if (l->last && l->last != self->id + 1)
		cls->acq_bounces++;
	l->holder = self->id + 1;
	l->last = l->holder;
	l->since = self->clock;
	cls->acquisitions++;
}

/* Replay the spinners' accesses that followed the hand-off to the running
 * CPU: their re-reads, or their failed test-and-sets. */
static void replay_storm(spinlock_t *l, saddr_t addr)
{
	lock_waitq_t *q = l->waitq;

	if (!q)
		return;
	coh_access_as_many(sim_ctx()->coh, (const int *)q->storm->data, (int)q->storm->len, addr,
	                   q->storm_rmw ? COH_RMW : COH_READ, COH_LOCK);
	g_array_set_size(q->storm, 0);
	if (!q->cpus->len)
		spin_destroy(l);          /* nobody waits: no state kept */
}

/* Block the running CPU on l until a release hands it the lock; account
 * the wait. */
static void wait_for(spinlock_t *l, lock_class_t *cls)
{
	cpu_t *self = engine_current();
	simtime_t asked = self->clock, waited;

	g_array_append_val(waitq(l)->cpus, self->id);
	cls->contentions++;
	if (l->last && l->last != self->id + 1)
		cls->con_bounces++;
	engine_block();
	waited = self->clock - asked;
	cls->wait += waited;
	if (waited > cls->max_wait)
		cls->max_wait = waited;
}

/* ---- ticket spinlocks ---- */

void spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		native_spin_lock(l, cls);
		return;
	}
	cpu_t *self = engine_current();

	engine_sync();
	g_assert(l->holder != self->id + 1);    /* recursive locking is a bug */
	coh_access_kind(sim_ctx()->coh, addr, 8, COH_RMW, COH_LOCK);     /* take a ticket */
	if (l->holder) {
		wait_for(l, cls);
		coh_access_kind(sim_ctx()->coh, addr, 8, COH_READ, COH_LOCK);  /* see our turn */
	}
	take(l, cls);
	replay_storm(l, addr);
}

bool spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		return native_spin_trylock(l, cls);
	}
	engine_sync();
	coh_access_kind(sim_ctx()->coh, addr, 8, COH_RMW, COH_LOCK);
	if (l->holder)
		return false;
	take(l, cls);
	return true;
}

/* Release: store to the word (invalidating the spinners' copies), then
 * hand the lock to the waiter at index `win` of the queue (-1: nobody
 * waits), whose wait ends now.  The other spinners' replay is queued for
 * the new holder. */
static void hand_off(spinlock_t *l, lock_class_t *cls, saddr_t addr, int win, bool rmw_storm)
{
	cpu_t *self = engine_current(), *next;
	lock_waitq_t *q = l->waitq;

	if (q)                                                  /* spinning readers */
		coh_access_as_many(sim_ctx()->coh, (const int *)q->cpus->data, (int)q->cpus->len,
		                   addr, COH_READ, COH_LOCK);
	coh_access_kind(sim_ctx()->coh, addr, 8, COH_WRITE, COH_LOCK);
	cls->hold += self->clock - l->since;
	if (win < 0) {
		l->holder = 0;
		return;
	}
	next = engine_cpu(sim_ctx()->engine, WAITER(q, win));
	g_array_remove_index(q->cpus, (guint)win);
	q->releases++;
	q->storm_rmw = rmw_storm;
	g_array_append_vals(q->storm, q->cpus->data, q->cpus->len);
	l->holder = next->id + 1;
	engine_wake(next, self->clock, COST_LOCK_WAIT);
}

void spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		native_spin_unlock(l);
		return;
	}
	cpu_t *self = engine_current();

	engine_sync();
	g_assert(l->holder == self->id + 1);
	hand_off(l, cls, addr, l->waitq && l->waitq->cpus->len ? 0 : -1, false);
}

/* ---- test-and-set bit spinlocks ---- */

/* splitmix64 finaliser: the tie-break of spinners racing for a word. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The spinner that sees the cleared word first (its index in the queue):
 * least transfer price from the releaser, then the least hash. */
static int race_winner(spinlock_t *l, saddr_t addr)
{
	const machine_t *m = sim_ctx()->machine;
	int self = engine_current()->id;
	uint64_t round = mix(sim_ctx()->lock_seed ^ mix(addr ^ mix(l->waitq->releases)));
	int best = -1;
	simtime_t best_t = 0;
	uint64_t best_h = 0;

	for (guint i = 0; i < l->waitq->cpus->len; i++) {
		int id = WAITER(l->waitq, i);
		simtime_t t = machine_xfer_price(m, self, id);
		uint64_t h = mix(round ^ (uint64_t)id);

		if (best < 0 || t < best_t || (t == best_t && h < best_h)) {
			best = (int)i;
			best_t = t;
			best_h = h;
		}
	}
	return best;
}

void bit_spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		native_bit_spin_lock(l, cls);
		return;
	}
	cpu_t *self = engine_current();

	engine_sync();
	g_assert(l->holder != self->id + 1);
	coh_access_kind(sim_ctx()->coh, addr, 8, COH_RMW, COH_LOCK);     /* test_and_set_bit */
	if (l->holder) {
		wait_for(l, cls);
		coh_access_kind(sim_ctx()->coh, addr, 8, COH_RMW, COH_LOCK);  /* the winning test_and_set */
	}
	take(l, cls);
	replay_storm(l, addr);
}

bool bit_spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		return native_bit_spin_trylock(l, cls);
	}
	return spin_trylock(l, cls, addr);
}

void bit_spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	if (sim_ctx()->native) {
		native_bit_spin_unlock(l);
		return;
	}
	cpu_t *self = engine_current();

	engine_sync();
	g_assert(l->holder == self->id + 1);
	hand_off(l, cls, addr, l->waitq && l->waitq->cpus->len ? race_winner(l, addr) : -1, true);
}
