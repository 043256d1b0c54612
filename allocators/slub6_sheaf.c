/*
 * slub6_sheaf.c -- slub-6's per-CPU sheaves and per-node barns (Linux
 * 6.18, the reference's 2.5, 3.3-3.4, 4.3, 4.9), for caches created with a
 * sheaf capacity.
 *
 * Design.  A sheaf is an array of up to sheaf_capacity object pointers
 * used as a LIFO.  Each CPU has a main sheaf (never missing) and maybe a
 * spare, in its slub_percpu_sheaves, under a local trylock: on !RT that
 * is preemption off and a flag byte, no atomic and irqs on.  Allocation
 * pops the main sheaf; an empty main is swapped with a non-empty spare,
 * else exchanged at the node's barn for a full sheaf, else an empty
 * sheaf (the spare, one from the barn, or a new one) is refilled with
 * capacity objects by the bulk path and installed.  A free of an object
 * of this CPU's node pushes onto the main sheaf (other nodes' objects go
 * to their slabs); a full main becomes the spare with an empty sheaf
 * from the barn or a new one taking its place, or is swapped with a
 * non-full spare, or is put in the barn for an empty one; a barn already
 * holding MAX_FULL_SHEAVES full ones makes the full spare flush to its
 * slabs.  Node requests off this CPU's node, and objects of another node
 * on top of the main sheaf, go to the cpu slab path.  A barn (spinlock
 * "slub-6.barn_lock") keeps full and empty sheaves, newest first.
 * kfree_rcu of an object of this CPU's node fills the CPU's rcu_free
 * sheaf; a full one goes to call_rcu, and after its grace period into its
 * node's barn as a full sheaf (objects reused as they are), or, with
 * MAX_FULL_SHEAVES there already, back to its slabs.
 *
 * Sheaves are kzalloc'd in 6.18 (SHEAF_HEADER + 8 * capacity bytes); here
 * they are metadata ("slab_sheaf", rounded as kmalloc rounds, on the
 * allocating CPU's node), so their kzalloc and kfree cost only the
 * zeroing stores and never fail: the kernel's fallbacks for a failed
 * GFP_NOWAIT sheaf allocation are left out.  The sheaves lock is dropped
 * around refills and flushes as in 6.18, but nothing else runs on the CPU
 * meanwhile, so what is installed afterwards finds the sheaves as they
 * were left.  The gfp of every request here allows blocking.
 */
#include "slub6_int.h"

#define SHEAF_SIZE_FIELD        24      /* slab_sheaf.size */
#define BARN_COUNTS             40      /* node_barn.nr_full, nr_empty */

/* ---- sheaves ---- */

static size_t sheaf_bytes(const kmem_cache_t *s)
{
	return SHEAF_HEADER + 8 * (size_t)s->sheaf_capacity;
}

/* alloc_empty_sheaf(): kzalloc on this CPU's node (SHEAF_ALLOC). */
static slab_sheaf_t *alloc_empty_sheaf(kmem_cache_t *s)
{
	slab_sheaf_t *sh = g_malloc0(sizeof(*sh) + s->sheaf_capacity * sizeof(saddr_t));

	klist_init(&sh->barn_list);
	sh->addr = kmeta_alloc(s->name, "slab_sheaf", sheaf_bytes(s), numa_node_id());
	ktouch(sh->addr, (uint32_t)sheaf_bytes(s), true);
	stat(s, SHEAF_ALLOC);
	return sh;
}

/* free_empty_sheaf(): kfree (SHEAF_FREE). */
static void free_empty_sheaf(kmem_cache_t *s, slab_sheaf_t *sh)
{
	kmeta_release(s->name, "slab_sheaf", sheaf_bytes(s), sh->addr);
	g_free(sh);
	stat(s, SHEAF_FREE);
}

/* sheaf->size, read. */
static unsigned sheaf_size(const slab_sheaf_t *sh)
{
	ktouch(sh->addr + SHEAF_SIZE_FIELD, 4, false);
	return sh->size;
}

/* sheaf_flush_unused(): every object back to its slab (SHEAF_FLUSH). */
static void sheaf_flush_unused(kmem_cache_t *s, slab_sheaf_t *sh)
{
	if (sh->size)
		ktouch(sh->addr + SHEAF_HEADER, 8 * sh->size, true);
	stat_add(s, SHEAF_FLUSH, sh->size);
	queued_add(s, -(int64_t)sh->size);
	slub6_free_bulk(s, sh->size, sh->objects);
	sh->size = 0;
	ktouch(sh->addr + SHEAF_SIZE_FIELD, 4, true);
}

/* refill_sheaf(): fill sh to capacity through the bulk path, all or
 * nothing (SHEAF_REFILL). */
static bool refill_sheaf(kmem_cache_t *s, slab_sheaf_t *sh, gfp_t gfp)
{
	unsigned to_fill = s->sheaf_capacity - sh->size;

	if (!slub6_alloc_bulk(s, gfp, to_fill, &sh->objects[sh->size]))
		return false;
	ktouch(sh->addr + SHEAF_HEADER + 8 * (saddr_t)sh->size, 8 * to_fill, true);
	sh->size += to_fill;
	ktouch(sh->addr + SHEAF_SIZE_FIELD, 4, true);
	queued_add(s, to_fill);
	stat_add(s, SHEAF_REFILL, to_fill);
	return true;
}

/* ---- the per-CPU sheaves ---- */

/* local_trylock(&s->cpu_sheaves->lock), which cannot fail here: the
 * pointer read from struct kmem_cache, the acquired byte set. */
static struct slub_percpu_sheaves *pcs_lock(kmem_cache_t *s)
{
	struct slub_percpu_sheaves *pcs;

	ktouch(s->addr + KC_CPU_SHEAVES, 8, false);
	pcs = &s->cpu_sheaves[smp_processor_id()];
	ktouch(pcs->addr, 1, true);
	ktouch(pcs->addr + PCS_MAIN, 16, false);        /* main, spare */
	return pcs;
}

static void pcs_unlock(struct slub_percpu_sheaves *pcs)
{
	ktouch(pcs->addr, 1, true);
}

/* main and spare changed. */
static void pcs_write(struct slub_percpu_sheaves *pcs)
{
	ktouch(pcs->addr + PCS_MAIN, 16, true);
}

/* ---- barns ---- */

/* get_barn(): the barn of this CPU's node. */
static node_barn_t *get_barn(kmem_cache_t *s)
{
	struct kmem_cache_node *n = slub6_get_node(s, numa_node_id());

	ktouch(n->addr + KN_BARN, 8, false);
	return n->barn;
}

static void barn_lock(kmem_cache_t *s, node_barn_t *b, unsigned long *flags)
{
	local_irq_save(flags);
	spin_lock(&b->lock, s->sl->barn_lock_cls, b->addr);
}

static void barn_unlock(kmem_cache_t *s, node_barn_t *b, unsigned long flags)
{
	spin_unlock(&b->lock, s->sl->barn_lock_cls, b->addr);
	local_irq_restore(flags);
}

/* A racy read of nr_full and nr_empty. */
static void barn_peek(const node_barn_t *b)
{
	ktouch(b->addr + BARN_COUNTS, 16, false);
}

/* list_add of sh at the head of l (barn lock held): the barn's list head
 * and counts, sh's links and the old first sheaf's change. */
static void barn_link(node_barn_t *b, klist_t *l, slab_sheaf_t *sh)
{
	ktouch(b->addr + BARN_LISTS, BARN_SIZE - BARN_LISTS, true);
	if (!klist_empty(l))
		ktouch(klist_entry(l->next, slab_sheaf_t, barn_list)->addr, 16, true);
	ktouch(sh->addr, 16, true);
	klist_add(&sh->barn_list, l);
}

/* The first sheaf of l, unlinked (barn lock held, l not empty). */
static slab_sheaf_t *barn_unlink_first(node_barn_t *b, klist_t *l)
{
	slab_sheaf_t *sh = klist_entry(l->next, slab_sheaf_t, barn_list);

	ktouch(b->addr + BARN_LISTS, BARN_SIZE - BARN_LISTS, true);
	ktouch(sh->addr, 16, true);
	if (sh->barn_list.next != l)
		ktouch(klist_entry(sh->barn_list.next, slab_sheaf_t, barn_list)->addr, 16, true);
	klist_del(&sh->barn_list);
	return sh;
}

/* barn_get_empty_sheaf(): an empty sheaf, or NULL. */
static slab_sheaf_t *barn_get_empty_sheaf(kmem_cache_t *s, node_barn_t *b)
{
	slab_sheaf_t *sh = NULL;
	unsigned long flags;

	barn_peek(b);
	if (!b->nr_empty)
		return NULL;
	barn_lock(s, b, &flags);
	if (b->nr_empty) {
		sh = barn_unlink_first(b, &b->sheaves_empty);
		b->nr_empty--;
	}
	barn_unlock(s, b, flags);
	return sh;
}

/* barn_put_empty_sheaf() / barn_put_full_sheaf(): no limit checked. */
static void barn_put(kmem_cache_t *s, node_barn_t *b, slab_sheaf_t *sh, bool full)
{
	unsigned long flags;

	barn_lock(s, b, &flags);
	barn_link(b, full ? &b->sheaves_full : &b->sheaves_empty, sh);
	if (full)
		b->nr_full++;
	else
		b->nr_empty++;
	barn_unlock(s, b, flags);
}

/* barn_replace_empty_sheaf(): a full sheaf for the empty one, or NULL. */
static slab_sheaf_t *barn_replace_empty_sheaf(kmem_cache_t *s, node_barn_t *b, slab_sheaf_t *empty)
{
	slab_sheaf_t *full = NULL;
	unsigned long flags;

	barn_peek(b);
	if (!b->nr_full)
		return NULL;
	barn_lock(s, b, &flags);
	if (b->nr_full) {
		full = barn_unlink_first(b, &b->sheaves_full);
		barn_link(b, &b->sheaves_empty, empty);
		b->nr_full--;
		b->nr_empty++;
	}
	barn_unlock(s, b, flags);
	return full;
}

enum { BARN_TOO_FULL = 1, BARN_NO_EMPTY };

/* barn_replace_full_sheaf(): an empty sheaf for the full one, or NULL and
 * *why: BARN_TOO_FULL (MAX_FULL_SHEAVES full ones, -E2BIG) or
 * BARN_NO_EMPTY (-ENOMEM). */
static slab_sheaf_t *barn_replace_full_sheaf(kmem_cache_t *s, node_barn_t *b, slab_sheaf_t *full,
                                             int *why)
{
	slab_sheaf_t *empty = NULL;
	unsigned long flags;

	barn_peek(b);
	*why = b->nr_full >= MAX_FULL_SHEAVES ? BARN_TOO_FULL : !b->nr_empty ? BARN_NO_EMPTY : 0;
	if (*why)
		return NULL;
	barn_lock(s, b, &flags);
	if (b->nr_empty) {
		empty = barn_unlink_first(b, &b->sheaves_empty);
		barn_link(b, &b->sheaves_full, full);
		b->nr_empty--;
		b->nr_full++;
	} else {
		*why = BARN_NO_EMPTY;
	}
	barn_unlock(s, b, flags);
	return empty;
}

/* barn_shrink(): flush and free every sheaf the barn holds. */
void slub6_barn_shrink(kmem_cache_t *s, node_barn_t *b)
{
	klist_t full, empty;
	unsigned long flags;

	klist_init(&full);
	klist_init(&empty);
	barn_lock(s, b, &flags);
	ktouch(b->addr + BARN_LISTS, BARN_SIZE - BARN_LISTS, true);
	while (!klist_empty(&b->sheaves_full))
		klist_add_tail(&barn_unlink_first(b, &b->sheaves_full)->barn_list, &full);
	while (!klist_empty(&b->sheaves_empty))
		klist_add_tail(&barn_unlink_first(b, &b->sheaves_empty)->barn_list, &empty);
	b->nr_full = b->nr_empty = 0;
	barn_unlock(s, b, flags);
	while (!klist_empty(&full)) {
		slab_sheaf_t *sh = klist_entry(full.next, slab_sheaf_t, barn_list);

		klist_del(&sh->barn_list);
		sheaf_flush_unused(s, sh);
		free_empty_sheaf(s, sh);
	}
	while (!klist_empty(&empty)) {
		slab_sheaf_t *sh = klist_entry(empty.next, slab_sheaf_t, barn_list);

		klist_del(&sh->barn_list);
		free_empty_sheaf(s, sh);
	}
}

/* ---- allocation ---- */

/* __pcs_replace_empty_main(): give pcs a non-empty main sheaf; false if
 * no memory (the sheaves lock is then dropped).  *fast: only this CPU's
 * sheaves were used. */
static bool replace_empty_main(kmem_cache_t *s, struct slub_percpu_sheaves **pcsp, gfp_t gfp,
                               bool *fast)
{
	struct slub_percpu_sheaves *pcs = *pcsp;
	slab_sheaf_t *full, *empty;
	node_barn_t *b;

	if (pcs->spare && sheaf_size(pcs->spare)) {
		full = pcs->spare;
		pcs->spare = pcs->main;
		pcs->main = full;
		pcs_write(pcs);
		return true;
	}
	*fast = false;
	b = get_barn(s);
	full = barn_replace_empty_sheaf(s, b, pcs->main);
	if (full) {
		stat(s, BARN_GET);
		pcs->main = full;
		pcs_write(pcs);
		return true;
	}
	stat(s, BARN_GET_FAIL);
	empty = pcs->spare;
	if (empty) {
		pcs->spare = NULL;
		pcs_write(pcs);
	} else {
		empty = barn_get_empty_sheaf(s, b);
	}
	pcs_unlock(pcs);
	if (!empty)
		empty = alloc_empty_sheaf(s);
	if (!refill_sheaf(s, empty, gfp)) {
		free_empty_sheaf(s, empty);
		return false;
	}
	pcs = *pcsp = pcs_lock(s);
	barn_put(s, b, pcs->main, false);       /* still the empty main */
	pcs->main = empty;
	pcs_write(pcs);
	return true;
}

/* alloc_from_pcs(): an object from this CPU's main sheaf, or 0 (the cpu
 * slab path follows).  *fast: only this CPU's sheaves were used. */
saddr_t slub6_alloc_from_pcs(kmem_cache_t *s, gfp_t gfp, int node, bool *fast)
{
	struct slub_percpu_sheaves *pcs;
	slab_sheaf_t *main;
	saddr_t x;

	if (node != -1 && node != numa_node_id())
		return 0;
	pcs = pcs_lock(s);
	if (!sheaf_size(pcs->main) && !replace_empty_main(s, &pcs, gfp, fast))
		return 0;
	main = pcs->main;
	ktouch(main->addr + SHEAF_HEADER + 8 * (saddr_t)(main->size - 1), 8, false);
	x = main->objects[main->size - 1];
	if (node != -1 && page_to_nid(slab_object_page(x)) != node) {
		pcs_unlock(pcs);
		return 0;
	}
	main->size--;
	ktouch(main->addr + SHEAF_SIZE_FIELD, 4, true);
	queued_add(s, -1);
	pcs_unlock(pcs);
	stat(s, ALLOC_PCS);
	return x;
}

/* ---- free ---- */

/* __pcs_install_empty_sheaf() as it is reached here: the full main
 * becomes the spare, or, with a full spare, goes to the barn (its limit
 * ignored, BARN_PUT). */
static void install_empty(kmem_cache_t *s, struct slub_percpu_sheaves *pcs, slab_sheaf_t *empty,
                          node_barn_t *b)
{
	if (!pcs->spare) {
		pcs->spare = pcs->main;
	} else {
		barn_put(s, b, pcs->main, true);
		stat(s, BARN_PUT);
	}
	pcs->main = empty;
	pcs_write(pcs);
}

/* __pcs_replace_full_main(): give pcs a main sheaf with room. */
static struct slub_percpu_sheaves *replace_full_main(kmem_cache_t *s,
                                                     struct slub_percpu_sheaves *pcs, bool *fast)
{
	node_barn_t *b = get_barn(s);
	slab_sheaf_t *empty;
	int why;

	if (pcs->spare && sheaf_size(pcs->spare) < s->sheaf_capacity) {
		empty = pcs->spare;
		pcs->spare = pcs->main;
		pcs->main = empty;
		pcs_write(pcs);
		return pcs;
	}
	*fast = false;
	if (!pcs->spare) {
		empty = barn_get_empty_sheaf(s, b);
		if (empty) {
			install_empty(s, pcs, empty, b);
			return pcs;
		}
	} else {
		empty = barn_replace_full_sheaf(s, b, pcs->main, &why);
		if (empty) {
			stat(s, BARN_PUT);
			pcs->main = empty;
			pcs_write(pcs);
			return pcs;
		}
		if (why == BARN_TOO_FULL) {
			empty = pcs->spare;
			stat(s, BARN_PUT_FAIL);
			pcs->spare = NULL;
			pcs_write(pcs);
			pcs_unlock(pcs);
			sheaf_flush_unused(s, empty);
			pcs = pcs_lock(s);
			install_empty(s, pcs, empty, b);
			return pcs;
		}
	}
	pcs_unlock(pcs);
	empty = alloc_empty_sheaf(s);
	pcs = pcs_lock(s);
	install_empty(s, pcs, empty, b);
	return pcs;
}

/* free_to_pcs(): x onto this CPU's main sheaf (FREE_PCS).  *fast: only
 * this CPU's sheaves were used. */
void slub6_free_to_pcs(kmem_cache_t *s, saddr_t x, bool *fast)
{
	struct slub_percpu_sheaves *pcs = pcs_lock(s);
	slab_sheaf_t *main;

	if (sheaf_size(pcs->main) == s->sheaf_capacity)
		pcs = replace_full_main(s, pcs, fast);
	main = pcs->main;
	ktouch(main->addr + SHEAF_HEADER + 8 * (saddr_t)main->size, 8, true);
	main->objects[main->size++] = x;
	ktouch(main->addr + SHEAF_SIZE_FIELD, 4, true);
	queued_add(s, 1);
	pcs_unlock(pcs);
	stat(s, FREE_PCS);
}

/* ---- kfree_rcu ---- */

/* What an rcu_free sheaf's callback needs. */
typedef struct rcu_sheaf {
	kmem_cache_t *s;
	slab_sheaf_t *sh;
	bool barn;              /* false: a flushed sheaf, straight back to its slabs */
} rcu_sheaf_t;

/* rcu_free_sheaf() (barn) and rcu_free_sheaf_nobarn(): after the grace
 * period, into the barn of the node it was filled on while that barn has
 * fewer than MAX_FULL_SHEAVES full ones (BARN_PUT); else (BARN_PUT_FAIL)
 * its objects back to their slabs, the sheaf kept empty while the barn
 * has fewer than MAX_EMPTY_SHEAVES empty ones, else freed. */
static void rcu_free_sheaf(void *arg)
{
	rcu_sheaf_t *r = arg;
	kmem_cache_t *s = r->s;
	slab_sheaf_t *sh = r->sh;
	struct kmem_cache_node *n;
	node_barn_t *b;

	klist_del(&sh->barn_list);
	if (!r->barn) {
		sheaf_flush_unused(s, sh);
		free_empty_sheaf(s, sh);
		return;
	}
	n = slub6_get_node(s, sh->node);
	ktouch(n->addr + KN_BARN, 8, false);
	b = n->barn;
	barn_peek(b);
	if (b->nr_full < MAX_FULL_SHEAVES) {
		barn_put(s, b, sh, true);
		stat(s, BARN_PUT);
		return;
	}
	stat(s, BARN_PUT_FAIL);
	sheaf_flush_unused(s, sh);
	if (b->nr_empty < MAX_EMPTY_SHEAVES)
		barn_put(s, b, sh, false);
	else
		free_empty_sheaf(s, sh);
}

/* call_rcu on the sheaf (its rcu_head is its first 16 bytes), which waits
 * on the cache's list meanwhile. */
static void submit_rcu_sheaf(kmem_cache_t *s, slab_sheaf_t *sh, bool barn)
{
	rcu_sheaf_t r = { s, sh, barn };

	sh->node = numa_node_id();
	klist_add_tail(&sh->barn_list, &s->rcu_sheaves);
	call_rcu(sh->addr, rcu_free_sheaf, &r, sizeof(r), RCU_OBJECT,
	         (uint64_t)sh->size * s->objs.size);
}

/* __kfree_rcu_sheaf(): x (checked and uncounted) onto this CPU's rcu_free
 * sheaf -- the spare if empty, else an empty one from the barn, else a
 * new one; a full one goes to call_rcu (FREE_RCU_SHEAF). */
void slub6_free_rcu_sheaf(kmem_cache_t *s, saddr_t x)
{
	struct slub_percpu_sheaves *pcs = pcs_lock(s);
	slab_sheaf_t *rcu;

	ktouch(pcs->addr + PCS_RCU_FREE, 8, false);
	if (!pcs->rcu_free) {
		if (pcs->spare && !sheaf_size(pcs->spare)) {
			pcs->rcu_free = pcs->spare;
			pcs->spare = NULL;
		} else {
			pcs->rcu_free = barn_get_empty_sheaf(s, get_barn(s));
		}
		if (!pcs->rcu_free) {
			pcs_unlock(pcs);
			rcu = alloc_empty_sheaf(s);
			pcs = pcs_lock(s);
			pcs->rcu_free = rcu;
		}
		pcs_write(pcs);
	}
	rcu = pcs->rcu_free;
	ktouch(rcu->addr + SHEAF_HEADER + 8 * (saddr_t)rcu->size, 8, true);
	rcu->objects[rcu->size++] = x;
	ktouch(rcu->addr + SHEAF_SIZE_FIELD, 4, true);
	queued_add(s, 1);
	if (rcu->size == s->sheaf_capacity) {
		pcs->rcu_free = NULL;
		ktouch(pcs->addr + PCS_RCU_FREE, 8, true);
		submit_rcu_sheaf(s, rcu, true);
	}
	pcs_unlock(pcs);
	stat(s, FREE_RCU_SHEAF);
}

/* ---- flush ---- */

/* sheaf_flush_main(): the main sheaf's objects back to their slabs, at
 * most PCS_BATCH_MAX per batch, the lock dropped for each. */
static void sheaf_flush_main(kmem_cache_t *s)
{
	saddr_t batch[PCS_BATCH_MAX];
	unsigned n, left;

	do {
		struct slub_percpu_sheaves *pcs = pcs_lock(s);
		slab_sheaf_t *main = pcs->main;

		n = MIN(PCS_BATCH_MAX, sheaf_size(main));
		main->size -= n;
		memcpy(batch, &main->objects[main->size], n * sizeof(saddr_t));
		if (n)
			ktouch(main->addr + SHEAF_HEADER + 8 * (saddr_t)main->size, 8 * n, false);
		ktouch(main->addr + SHEAF_SIZE_FIELD, 4, true);
		left = main->size;
		pcs_unlock(pcs);
		queued_add(s, -(int64_t)n);
		slub6_free_bulk(s, n, batch);
		stat_add(s, SHEAF_FLUSH, n);
	} while (left);
}

/* pcs_flush_all(): flush and free the spare, send the rcu_free sheaf to
 * call_rcu (its objects go back to their slabs after the grace period,
 * bypassing the barn), flush the main sheaf. */
void slub6_pcs_flush(kmem_cache_t *s)
{
	struct slub_percpu_sheaves *pcs = pcs_lock(s);
	slab_sheaf_t *spare = pcs->spare, *rcu = pcs->rcu_free;

	pcs->spare = pcs->rcu_free = NULL;
	pcs_write(pcs);
	ktouch(pcs->addr + PCS_RCU_FREE, 8, true);
	pcs_unlock(pcs);
	if (spare) {
		sheaf_flush_unused(s, spare);
		free_empty_sheaf(s, spare);
	}
	if (rcu)
		submit_rcu_sheaf(s, rcu, false);
	sheaf_flush_main(s);
}

/* ---- creation and teardown ---- */

/* init_percpu_sheaves() and the barns: s gets sheaves of `capacity`
 * objects: a barn per node (kmalloc_node), slub_percpu_sheaves in the
 * per-CPU areas, an empty main sheaf for every CPU (allocated here, on
 * the creating CPU's node, as 6.18's kzalloc at creation does). */
void slub6_init_sheaves(kmem_cache_t *s, unsigned capacity)
{
	slub6_t *sl = s->sl;
	uint64_t off = percpu_alloc(s->name, "slub_percpu_sheaves", PCS_SIZE, 8);

	s->sheaf_capacity = capacity;
	for (int node = 0; node < sl->nnodes; node++) {
		node_barn_t *b = g_new0(node_barn_t, 1);

		spin_init(&b->lock);
		klist_init(&b->sheaves_full);
		klist_init(&b->sheaves_empty);
		b->addr = kmeta_alloc(s->name, "node_barn", BARN_SIZE, node);
		ktouch(b->addr, BARN_SIZE, true);
		s->node[node].barn = b;
		ktouch(s->node[node].addr + KN_BARN, 8, true);
	}
	s->cpu_sheaves = kpcpu_host_new((size_t)sl->ncpus, sizeof(struct slub_percpu_sheaves));
	for (int cpu = 0; cpu < sl->ncpus; cpu++) {
		struct slub_percpu_sheaves *pcs = &s->cpu_sheaves[cpu];

		pcs->addr = per_cpu_addr(off, cpu);
		pcs->main = alloc_empty_sheaf(s);
		ktouch(pcs->addr, PCS_SIZE, true);
	}
	ktouch(s->addr + KC_CPU_SHEAVES, 8, true);
}

static void free_sheaf_list(klist_t *l)
{
	while (!klist_empty(l)) {
		slab_sheaf_t *sh = klist_entry(l->next, slab_sheaf_t, barn_list);

		klist_del(&sh->barn_list);
		g_free(sh);
	}
}

/* The host side of every sheaf and barn (nothing simulated changes). */
void slub6_free_sheaves_host(kmem_cache_t *s)
{
	if (!s->cpu_sheaves)
		return;
	for (int cpu = 0; cpu < s->sl->ncpus; cpu++) {
		g_free(s->cpu_sheaves[cpu].main);
		g_free(s->cpu_sheaves[cpu].spare);
		g_free(s->cpu_sheaves[cpu].rcu_free);
	}
	kpcpu_host_free(s->cpu_sheaves);
	free_sheaf_list(&s->rcu_sheaves);       /* their callbacks are dropped with the kernel */
	for (int node = 0; node < s->sl->nnodes; node++) {
		node_barn_t *b = s->node[node].barn;

		free_sheaf_list(&b->sheaves_full);
		free_sheaf_list(&b->sheaves_empty);
		spin_destroy(&b->lock);
		g_free(b);
	}
}
