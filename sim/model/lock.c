/*
 * lock.c -- FIFO spinlocks priced by the coherence model.
 */
#include <string.h>
#include <glib.h>
#include "lock.h"
#include "engine.h"

struct lock_waitq {
	GQueue cpus;               /* cpu_t *, oldest first */
};

struct lock_registry {
	GHashTable *by_name;       /* name -> lock_class_t*; lookups only */
};

void lock_set_model(coh_t *coh, const machine_t *m)
{
	sim_ctx()->coh = coh;
	sim_ctx()->machine = m;
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
	return r;
}

void lock_registry_free(lock_registry_t *r)
{
	if (!r)
		return;
	g_hash_table_destroy(r->by_name);
	g_free(r);
}

lock_class_t *lock_class(lock_registry_t *r, const char *name)
{
	lock_class_t *c = g_hash_table_lookup(r->by_name, name);

	if (!c) {
		c = g_new0(lock_class_t, 1);
		c->name = g_strdup(name);
		g_hash_table_insert(r->by_name, (char *)c->name, c);
	}
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
		g_queue_clear(&l->waitq->cpus);
		g_free(l->waitq);
		l->waitq = NULL;
	}
}

static void take(spinlock_t *l, lock_class_t *cls)
{
	l->holder = engine_current()->id + 1;
	l->since = engine_current()->clock;
	cls->acquisitions++;
}

void spin_lock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	cpu_t *self = engine_current();

	engine_sync();
	g_assert(l->holder != self->id + 1);    /* recursive locking is a bug */
	if (!l->holder) {
		coh_access(sim_ctx()->coh, addr, 8, COH_RMW);
		take(l, cls);
		return;
	}
	/* Contended: queue up and sleep until the releaser hands it over. */
	simtime_t asked = self->clock;
	if (!l->waitq)
		l->waitq = g_new0(lock_waitq_t, 1);
	g_queue_push_tail(&l->waitq->cpus, self);
	cls->contentions++;
	engine_block();
	/* Woken at the release time, now owner: pull the line and RMW it. */
	coh_access(sim_ctx()->coh, addr, 8, COH_RMW);
	simtime_t waited = self->clock - asked;
	cls->wait += waited;
	if (waited > cls->max_wait)
		cls->max_wait = waited;
	l->since = self->clock;
}

bool spin_trylock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	engine_sync();
	coh_access(sim_ctx()->coh, addr, 8, COH_RMW);
	if (l->holder)
		return false;
	take(l, cls);
	return true;
}

void spin_unlock(spinlock_t *l, lock_class_t *cls, saddr_t addr)
{
	cpu_t *self = engine_current();
	cpu_t *next;

	engine_sync();
	g_assert(l->holder == self->id + 1);
	coh_access(sim_ctx()->coh, addr, 8, COH_WRITE);
	cls->hold += self->clock - l->since;
	next = l->waitq ? g_queue_pop_head(&l->waitq->cpus) : NULL;
	if (!next) {
		l->holder = 0;
		return;
	}
	/* Spinners hold the line Shared; the release invalidates them all. */
	engine_charge(COST_INVAL, sim_ctx()->machine->inval *
	              (simtime_t)(g_queue_get_length(&l->waitq->cpus) + 1));
	if (g_queue_is_empty(&l->waitq->cpus))
		spin_destroy(l);
	l->holder = next->id + 1;
	cls->acquisitions++;
	engine_wake(next, self->clock, COST_LOCK_WAIT);
}
