/*
 * slub6.c -- slub-6: SLUB as in Linux 6.18 (reference: shared/reference/
 * slub-modern.md, "the reference"; section numbers are its): slabs, the
 * lockless cpu slab, per-CPU and per-node partial lists, deactivation, the
 * bulk paths the sheaves use, flush and shrink.  Sheaves and barns are in
 * slub6_sheaf.c, sizing, kmalloc caches, merging and the ops in
 * slub6_cache.c.
 *
 * Design.  A slab is a compound page whose struct page is the struct slab
 * overlay: freelist and the counters (inuse, objects, frozen; here
 * page->inuse, page->objects and PG_frozen), updated together by a LOCKed
 * cmpxchg16b (kpage_cmpxchg_double), never under a slab lock.  Free
 * objects are chained through a free pointer inside the object (the middle
 * word unless the object is RCU-freed).  Each CPU has a kmem_cache_cpu in
 * its per-CPU area: freelist and tid (one 16-byte pair), the cpu slab
 * (frozen, on no list) and a chain of cpu partial slabs (not frozen).  The
 * fast paths pop from and push to c->freelist with a per-CPU cmpxchg16b
 * (this_cpu_cmpxchg_double: no LOCK, no irq disabling, no lock).  The slow
 * path takes the cpu slab's remotely freed objects, then a cpu partial
 * slab, then the node's partial list (moving up to cpu_partial_slabs / 2
 * + 1 more slabs to the cpu partial list), then other nodes' lists, then
 * a new slab.  A free to any other slab is one LOCKed cmpxchg on that
 * slab; a full slab that gets a free goes to the freeing CPU's partial
 * chain, which is drained to the node lists when it holds
 * cpu_partial_slabs; n->list_lock is taken only when a slab changes lists.
 * An empty slab is discarded only while its node keeps min_partial
 * partial slabs.  A constructor runs on every object of a new slab,
 * __GFP_ZERO clears an allocated object, slab pages count in NR_SLAB_*,
 * and a SLAB_DESTROY_BY_RCU cache's empty slabs go back to the page
 * allocator a grace period later (common.c's slab_free_pages).
 *
 * Pricing: every load and store the code makes is priced -- free pointers
 * in objects (kload64/kstore64), struct page (kpage_touch), kmem_cache,
 * kmem_cache_cpu and kmem_cache_node (ktouch at their metadata or per-CPU
 * addresses).  local_lock_irqsave(&s->cpu_slab->lock) is local_irq_save:
 * on !PREEMPT_RT without lockdep the local lock is only irqs off.  The
 * SLUB_STATS counters and the debug checks are host bookkeeping.
 *
 * Lock order: n->list_lock ("slub-6.list_lock") only; barn->lock
 * ("slub-6.barn_lock", slub6_sheaf.c) is never held with it.
 *
 * Deviations from 6.18 (the model runs an operation on one CPU without
 * preemption or interrupts, so every "the cpu slab changed while the
 * lock was dropped" re-check of the kernel never fires and is left out):
 *  - no pfmemalloc slabs, no kfence, no memcg charging, no KASAN hooks;
 *    no debug caches (alloc_single_from_*, free_to_partial_list);
 *  - freelists in address order (no CONFIG_SLAB_FREELIST_RANDOM) and not
 *    XOR-hardened (computation only);
 *  - flush_all sends an IPI to every CPU (on_each_cpu) instead of queueing
 *    work on the CPUs that have something to flush;
 *  - no prefetch of the next free object.
 */
#include "slub6_int.h"

/* ---- priced access to the modelled structures ---- */

/* raw_cpu_ptr(s->cpu_slab): this CPU's kmem_cache_cpu, the pointer read
 * from struct kmem_cache. */
static struct kmem_cache_cpu *slub6_cpu_slab(kmem_cache_t *s)
{
	ktouch(s->addr + KC_CPU_SLAB, 8, false);
	return &s->cpu_slab[smp_processor_id()];
}

/* s->node[node]: a load from struct kmem_cache. */
struct kmem_cache_node *slub6_get_node(kmem_cache_t *s, int node)
{
	ktouch(s->addr + KC_NODE + 8 * (saddr_t)node, 8, false);
	return &s->node[node];
}

static uint64_t next_tid(const kmem_cache_t *s, uint64_t tid)
{
	return tid + s->sl->tid_step;
}

/* slab_nid(): the node bits of the slab's page flags. */
static int slab_nid(const page_t *slab)
{
	kpage_touch(slab, false);
	return page_to_nid(slab);
}

/* spin_lock_irqsave(&n->list_lock). */
static void list_lock(kmem_cache_t *s, struct kmem_cache_node *n, unsigned long *flags)
{
	local_irq_save(flags);
	spin_lock(&n->list_lock, s->sl->list_lock_cls, n->addr);
}

static void list_unlock(kmem_cache_t *s, struct kmem_cache_node *n, unsigned long flags)
{
	spin_unlock(&n->list_lock, s->sl->list_lock_cls, n->addr);
	local_irq_restore(flags);
}

/* ---- the slab's freelist and counters ---- */

typedef struct slab_fc {
	saddr_t freelist;
	unsigned inuse;
	bool frozen;
} slab_fc_t;

static slab_fc_t fc_of(const page_t *slab)
{
	return (slab_fc_t){ slab->freelist, slab->inuse, (page_flags(slab) & PG_frozen) != 0 };
}

/* READ_ONCE of both words. */
static slab_fc_t slab_read(page_t *slab)
{
	slab_fc_t fc;

	kpage_touch(slab, false);
	kpage_pair_lock(slab);
	fc = fc_of(slab);
	kpage_pair_unlock(slab);
	return fc;
}

/* slab_update_freelist(): the LOCKed cmpxchg16b from old to new; false
 * (CMPXCHG_DOUBLE_FAIL) if another CPU changed the words since old was
 * read ("objects" never changes while the slab lives). */
static bool slab_update_freelist(kmem_cache_t *s, page_t *slab, const slab_fc_t *old,
                                 const slab_fc_t *new)
{
	slab_fc_t now;

	kpage_cmpxchg_double(slab);
	kpage_pair_lock(slab);
	now = fc_of(slab);
	if (now.freelist != old->freelist || now.inuse != old->inuse || now.frozen != old->frozen) {
		kpage_pair_unlock(slab);
		stat(s, CMPXCHG_DOUBLE_FAIL);
		return false;
	}
	slab->freelist = new->freelist;
	/* inuse is also read without the pair (put_partials, shrink): a
	 * relaxed store as the kernel's word store. */
	__atomic_store_n(&slab->inuse, (uint16_t)new->inuse, __ATOMIC_RELAXED);
	if (new->frozen)
		kpage_flags_set(slab, PG_frozen);
	else
		kpage_flags_clear(slab, PG_frozen);
	kpage_pair_unlock(slab);
	return true;
}

/* get_freelist() / freeze_slab(): take the slab's whole freelist; the slab
 * stays frozen if there was one (freeze: always). */
static saddr_t take_freelist(kmem_cache_t *s, page_t *slab, bool freeze)
{
	slab_fc_t old, new;

	do {
		old = slab_read(slab);
		new = (slab_fc_t){ 0, slab->objects, freeze || old.freelist };
	} while (!slab_update_freelist(s, slab, &old, &new));
	return old.freelist;
}

/* ---- slab life cycle ---- */

static void inc_slabs_node(kmem_cache_t *s, int node, unsigned objects)
{
	struct kmem_cache_node *n = slub6_get_node(s, node);

	katomic_add(n->addr + KN_NR_SLABS, &n->nr_slabs, 1);
	katomic_add(n->addr + KN_TOTAL_OBJECTS, &n->total_objects, objects);
}

static void dec_slabs_node(kmem_cache_t *s, int node, unsigned objects)
{
	struct kmem_cache_node *n = slub6_get_node(s, node);

	katomic_add(n->addr + KN_NR_SLABS, &n->nr_slabs, -1);
	katomic_add(n->addr + KN_TOTAL_OBJECTS, &n->total_objects, -(int64_t)objects);
}

/* allocate_slab(): the preferred order without retrying, else the
 * minimal order with the caller's flags (ORDER_FALLBACK). */
static page_t *allocate_slab(kmem_cache_t *s, gfp_t gfp, int node)
{
	kmem_oo_t oo = s->oo;
	page_t *slab;

	gfp = (gfp & (__GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN | __GFP_COLD)) | s->allocflags;
	slab = alloc_pages_node(node, gfp | __GFP_NOWARN | __GFP_NORETRY, oo.order);
	if (!slab) {
		oo = s->min;
		slab = alloc_pages_node(node, gfp, oo.order);
		if (!slab)
			return NULL;
		stat(s, ORDER_FALLBACK);
	}
	slab->objects = (uint16_t)oo.objects;
	return slab;
}

static unsigned slab_order(const page_t *slab)
{
	return (page_flags(slab) & PG_head) ? slab->order : 0;
}

/* new_slab(): a fresh slab, its objects chained in address order and
 * constructed (setup_object), on no list, not frozen. */
static page_t *new_slab(kmem_cache_t *s, gfp_t gfp, int node)
{
	page_t *slab = allocate_slab(s, gfp, node);

	if (!slab)
		return NULL;
	slab_account_pages(slab, s->flags, 1L << slab_order(slab));
	inc_slabs_node(s, page_to_nid(slab), slab->objects);
	spin_init(&slab->lock);         /* PG_locked, never taken (no slab_lock) */
	slab->slab = s;
	kpage_flags_clear(slab, PG_frozen | SL_PARTIAL);
	kpage_flags_set(slab, PG_slab);
	slab_init_objects(&s->objs, slab, slab->objects);
	if (s->ctor)
		slab_run_ctor_all(s->ctor, page_address(slab), s->objs.size, slab->objects);
	kpage_touch(slab, true);
	slab_rec_new(&s->objs, slab, slab->objects);
	return slab;
}

/* discard_slab(): back to the page allocator, a grace period later for a
 * SLAB_DESTROY_BY_RCU cache (free_slab). */
static void discard_slab(kmem_cache_t *s, page_t *slab)
{
	slab_pages_t sp = { slab, slab_order(slab), s->flags, NULL };

	dec_slabs_node(s, page_to_nid(slab), slab->objects);
	kpage_flags_clear(slab, PG_slab | PG_frozen | SL_PARTIAL);
	slab->inuse = slab->objects = 0;
	slab->freelist = 0;
	slab->slab = NULL;
	kpage_touch(slab, true);
	slab_rec_free(&s->objs, slab);
	spin_destroy(&slab->lock);
	slab_free_pages(&sp, page_struct_addr(slab) + SLAB_RCU_HEAD);
}

/* ---- node partial lists (list_lock held) ---- */

/* Price the link change of a neighbour on n's partial list. */
static void touch_neighbour(struct kmem_cache_node *n, klist_t *l)
{
	if (l != &n->partial)
		kpage_touch(klist_entry(l, page_t, lru), true);
}

/* __add_partial(): at the head or the tail, marked SL_partial. */
static void add_partial(struct kmem_cache_node *n, page_t *slab, bool tail)
{
	klist_t *prev = tail ? n->partial.prev : &n->partial;

	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, true);
	touch_neighbour(n, prev);
	touch_neighbour(n, prev->next);
	klist_insert(&slab->lru, prev, prev->next);
	kpage_flags_set(slab, SL_PARTIAL);
	kpage_touch(slab, true);
	n->nr_partial++;
}

/* Unlink slab from n's partial list, nr_partial untouched. */
static void partial_unlink(struct kmem_cache_node *n, page_t *slab)
{
	touch_neighbour(n, slab->lru.prev);
	touch_neighbour(n, slab->lru.next);
	klist_del(&slab->lru);
	kpage_touch(slab, true);
}

/* remove_partial(). */
static void remove_partial(struct kmem_cache_node *n, page_t *slab)
{
	ktouch(n->addr + KN_NR_PARTIAL, KN_LISTS_END - KN_NR_PARTIAL, true);
	partial_unlink(n, slab);
	kpage_flags_clear(slab, SL_PARTIAL);
	n->nr_partial--;
}

/* n->nr_partial >= s->min_partial: an empty slab may go. */
static bool node_keeps_enough(kmem_cache_t *s, struct kmem_cache_node *n)
{
	ktouch(n->addr + KN_NR_PARTIAL, 8, false);
	ktouch(s->addr + KC_MIN_PARTIAL, 8, false);
	return kdata_race_ul(&n->nr_partial) >= s->min_partial;
}

/* ---- per-CPU partial slabs ---- */

/* Move every slab of src (a list through page->lru) to dst, emptied. */
static void chain_move(klist_t *dst, klist_t *src)
{
	klist_init(dst);
	if (klist_empty(src))
		return;
	dst->next = src->next;
	dst->prev = src->prev;
	dst->next->prev = dst;
	dst->prev->next = dst;
	klist_init(src);
}

/* __put_partials(): every slab of the chain to its node's partial list
 * (the tail), an empty one discarded instead while its node keeps
 * min_partial. */
static void put_partials_chain(kmem_cache_t *s, klist_t *chain)
{
	struct kmem_cache_node *n = NULL;
	unsigned long flags = 0;
	klist_t discard;

	klist_init(&discard);
	while (!klist_empty(chain)) {
		page_t *slab = klist_entry(chain->next, page_t, lru);
		struct kmem_cache_node *n2;

		kpage_touch(slab, false);               /* slab->next, inuse */
		klist_del(&slab->lru);
		n2 = slub6_get_node(s, page_to_nid(slab));
		if (n != n2) {
			if (n)
				list_unlock(s, n, flags);
			n = n2;
			list_lock(s, n, &flags);
		}
		if (!__atomic_load_n(&slab->inuse, __ATOMIC_RELAXED) && node_keeps_enough(s, n)) {
			klist_add(&slab->lru, &discard);
		} else {
			add_partial(n, slab, true);
			stat(s, FREE_ADD_PARTIAL);
		}
	}
	if (n)
		list_unlock(s, n, flags);
	while (!klist_empty(&discard)) {
		page_t *slab = klist_entry(discard.next, page_t, lru);

		klist_del(&slab->lru);
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(s, slab);
		stat(s, FREE_SLAB);
	}
}

/* put_cpu_partial(): slab becomes the head of this CPU's partial chain;
 * with drain, a chain already holding cpu_partial_slabs goes to the node
 * lists first (CPU_PARTIAL_DRAIN). */
static void put_cpu_partial(kmem_cache_t *s, page_t *slab, bool drain)
{
	struct kmem_cache_cpu *c;
	unsigned long flags;
	klist_t chain;
	bool detached = false;

	local_irq_save(&flags);
	c = slub6_cpu_slab(s);
	ktouch(c->addr + KCC_PARTIAL, 8, false);
	if (!klist_empty(&c->partial)) {
		kpage_touch(klist_entry(c->partial.next, page_t, lru), false);    /* oldslab->slabs */
		ktouch(s->addr + KC_CPU_PARTIAL_SLABS, 4, false);
		if (drain && c->partial_slabs >= s->cpu_partial_slabs) {
			chain_move(&chain, &c->partial);
			c->partial_slabs = 0;
			detached = true;
		}
	}
	klist_add(&slab->lru, &c->partial);
	c->partial_slabs++;
	kpage_touch(slab, true);                /* slab->slabs, slab->next */
	ktouch(c->addr + KCC_PARTIAL, 8, true);
	local_irq_restore(flags);
	if (detached) {
		put_partials_chain(s, &chain);
		stat(s, CPU_PARTIAL_DRAIN);
	}
}

/* __put_partials() of one slab. */
static void put_one_partial(kmem_cache_t *s, page_t *slab)
{
	klist_t one;

	klist_init(&one);
	klist_add(&slab->lru, &one);
	put_partials_chain(s, &one);
}

/* put_partials(): this CPU's whole partial chain to the node lists. */
static void put_partials(kmem_cache_t *s)
{
	struct kmem_cache_cpu *c;
	unsigned long flags;
	klist_t chain;

	local_irq_save(&flags);
	c = slub6_cpu_slab(s);
	ktouch(c->addr + KCC_PARTIAL, 8, true);
	chain_move(&chain, &c->partial);
	c->partial_slabs = 0;
	local_irq_restore(flags);
	put_partials_chain(s, &chain);
}

/* ---- taking slabs off the node partial lists ---- */

/* get_partial_node(): the first partial slab of n, and up to
 * cpu_partial_slabs / 2 + 1 more onto this CPU's partial chain. */
static page_t *get_partial_node(kmem_cache_t *s, struct kmem_cache_node *n)
{
	page_t *partial = NULL;
	unsigned extra = 0;
	unsigned long flags;
	klist_t *pos, *t;

	ktouch(n->addr + KN_NR_PARTIAL, 8, false);
	if (!kdata_race_ul(&n->nr_partial))
		return NULL;
	list_lock(s, n, &flags);
	klist_for_each_safe(pos, t, &n->partial) {
		page_t *slab = klist_entry(pos, page_t, lru);

		remove_partial(n, slab);
		ktouch(s->addr + KC_CPU_PARTIAL_SLABS, 4, false);
		if (!partial) {
			partial = slab;
			stat(s, ALLOC_FROM_PARTIAL);
			if (!s->cpu_partial_slabs)
				break;
		} else {
			put_cpu_partial(s, slab, false);
			stat(s, CPU_PARTIAL_NODE);
			if (++extra > s->cpu_partial_slabs / 2)
				break;
		}
	}
	list_unlock(s, n, flags);
	return partial;
}

/* get_any_partial(): another node's partial slab, if the defrag ratio
 * allows a search and a node has more than min_partial of them. */
static page_t *get_any_partial(kmem_cache_t *s)
{
	const int *zl;

	ktouch(s->addr + KC_DEFRAG_RATIO, 4, false);
	if (!s->remote_node_defrag_ratio ||
	    get_cycles() % 1024 > (uint64_t)s->remote_node_defrag_ratio)
		return NULL;
	zl = node_zonelist(numa_node_id());
	for (int i = 0; i < s->sl->nnodes; i++) {
		struct kmem_cache_node *n = slub6_get_node(s, zl[i]);
		page_t *slab;

		ktouch(n->addr + KN_NR_PARTIAL, 8, false);
		ktouch(s->addr + KC_MIN_PARTIAL, 8, false);
		if (kdata_race_ul(&n->nr_partial) <= s->min_partial)
			continue;
		slab = get_partial_node(s, n);
		if (slab)
			return slab;
	}
	return NULL;
}

/* get_partial(): the node asked for (this CPU's for -1), then, unless
 * __GFP_THISNODE binds a node, the others. */
static page_t *get_partial(kmem_cache_t *s, gfp_t gfp, int node)
{
	int searchnode = node == -1 ? numa_node_id() : node;
	page_t *slab = get_partial_node(s, slub6_get_node(s, searchnode));

	if (slab || (node != -1 && (gfp & __GFP_THISNODE)))
		return slab;
	return get_any_partial(s);
}

/* ---- deactivation ---- */

/* deactivate_slab(): splice the cpu freelist back in front of the slab's
 * own, unfreeze with one cmpxchg, then discard the slab, list it (at the
 * tail if it had remote frees) or leave it full on no list. */
static void deactivate_slab(kmem_cache_t *s, page_t *slab, saddr_t freelist)
{
	struct kmem_cache_node *n = slub6_get_node(s, page_to_nid(slab));
	saddr_t tail = 0;
	unsigned free_delta = 0;
	bool to_tail = false;
	unsigned long flags;
	slab_fc_t old, new;

	if (slab_read(slab).freelist) {
		stat(s, DEACTIVATE_REMOTE_FREES);
		to_tail = true;
	}
	for (saddr_t p = freelist; p; p = slab_get_freepointer(&s->objs, slab, p)) {
		tail = p;
		free_delta++;
	}
	do {
		old = slab_read(slab);
		new = old;
		new.frozen = false;
		if (tail) {
			new.inuse -= free_delta;
			slab_set_freepointer(&s->objs, tail, old.freelist);
			new.freelist = freelist;
		}
	} while (!slab_update_freelist(s, slab, &old, &new));
	if (!new.inuse && node_keeps_enough(s, n)) {
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(s, slab);
		stat(s, FREE_SLAB);
	} else if (new.freelist) {
		list_lock(s, n, &flags);
		add_partial(n, slab, to_tail);
		list_unlock(s, n, flags);
		stat(s, to_tail ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD);
	} else {
		stat(s, DEACTIVATE_FULL);
	}
}

/* Take c's slab and freelist away (tid advanced), then deactivate. */
static void detach_cpu_slab(kmem_cache_t *s, struct kmem_cache_cpu *c)
{
	page_t *slab = c->slab;
	saddr_t freelist = c->freelist;
	unsigned long flags;

	local_irq_save(&flags);
	c->slab = NULL;
	c->freelist = 0;
	c->tid = next_tid(s, c->tid);
	ktouch(c->addr, 24, true);
	local_irq_restore(flags);
	deactivate_slab(s, slab, freelist);
}

/* ---- allocation ---- */

/* load_freelist: hand out freelist's first object and leave the rest on
 * c (irqs were saved into flags and are restored). */
static saddr_t load_freelist(kmem_cache_t *s, struct kmem_cache_cpu *c, page_t *slab,
                             saddr_t freelist, unsigned long flags)
{
	c->slab = slab;
	c->freelist = slab_get_freepointer(&s->objs, slab, freelist);
	c->tid = next_tid(s, c->tid);
	ktouch(c->addr, 24, true);
	local_irq_restore(flags);
	return freelist;
}

/* The first slab of this CPU's partial chain (irqs saved into *flags), or
 * NULL (irqs as they were). */
static page_t *pop_cpu_partial(kmem_cache_t *s, struct kmem_cache_cpu *c, unsigned long *flags)
{
	page_t *slab;

	ktouch(c->addr + KCC_PARTIAL, 8, false);
	if (klist_empty(&c->partial))
		return NULL;
	local_irq_save(flags);
	slab = klist_entry(c->partial.next, page_t, lru);
	kpage_touch(slab, false);               /* slab->next */
	klist_del(&slab->lru);
	c->partial_slabs--;
	ktouch(c->addr + KCC_PARTIAL, 8, true);
	return slab;
}

/* ___slab_alloc()'s new_slab and new_objects: a cpu partial slab on the
 * right node, else a node partial slab (first on the node asked for with
 * __GFP_THISNODE, then anywhere), else a new slab; it becomes c's slab. */
static saddr_t new_cpu_slab(kmem_cache_t *s, gfp_t gfp, int node, struct kmem_cache_cpu *c)
{
	gfp_t pc = gfp;
	unsigned long flags;
	saddr_t freelist;
	page_t *slab;

	while ((slab = pop_cpu_partial(s, c, &flags))) {
		if (node == -1 || slab_nid(slab) == node) {
			freelist = take_freelist(s, slab, false);
			stat(s, CPU_PARTIAL_ALLOC);
			return load_freelist(s, c, slab, freelist, flags);
		}
		local_irq_restore(flags);
		put_one_partial(s, slab);
	}
	if (node != -1 && !(gfp & __GFP_THISNODE))
		pc = gfp | __GFP_THISNODE;      /* GFP_NOWAIT: no reclaim in the model */
	for (;;) {
		slab = get_partial(s, pc, node);
		if (slab) {
			freelist = take_freelist(s, slab, true);
			break;
		}
		slab = new_slab(s, pc, node);
		if (slab) {
			stat(s, ALLOC_SLAB);
			freelist = slab->freelist;
			slab->freelist = 0;
			slab->inuse = slab->objects;
			kpage_flags_set(slab, PG_frozen);
			kpage_touch(slab, true);
			break;
		}
		if (pc == gfp)
			return 0;
		pc = gfp;
	}
	local_irq_save(&flags);
	return load_freelist(s, c, slab, freelist, flags);
}

/* ___slab_alloc(): refill from the cpu slab's remotely freed objects
 * (ALLOC_REFILL), or let the slab go (a node mismatch deactivates it, an
 * exhausted one is simply dropped: DEACTIVATE_BYPASS), then a new cpu
 * slab.  0 if no memory. */
static saddr_t slab_alloc_slow(kmem_cache_t *s, gfp_t gfp, int node, struct kmem_cache_cpu *c)
{
	unsigned long flags;
	saddr_t freelist;
	page_t *slab;

	stat(s, ALLOC_SLOWPATH);
	ktouch(c->addr, 24, false);
	slab = c->slab;
	if (slab && node != -1 && slab_nid(slab) != node) {
		stat(s, ALLOC_NODE_MISMATCH);
		detach_cpu_slab(s, c);
	} else if (slab) {
		local_irq_save(&flags);
		freelist = take_freelist(s, slab, false);
		if (freelist) {
			stat(s, ALLOC_REFILL);
			return load_freelist(s, c, slab, freelist, flags);
		}
		c->slab = NULL;
		c->tid = next_tid(s, c->tid);
		ktouch(c->addr, 24, true);
		local_irq_restore(flags);
		stat(s, DEACTIVATE_BYPASS);
	}
	return new_cpu_slab(s, gfp, node, c);
}

/* __slab_alloc_node(): the lockless pop from c->freelist with the per-CPU
 * cmpxchg of (freelist, tid); the slow path when it is empty or on the
 * wrong node.  *fast: it took the pop. */
static saddr_t slab_alloc_cpu(kmem_cache_t *s, gfp_t gfp, int node, bool *fast)
{
	struct kmem_cache_cpu *c = slub6_cpu_slab(s);
	saddr_t object;

	ktouch(c->addr, 24, false);             /* tid, freelist, slab */
	object = c->freelist;
	if (!object || (node != -1 && slab_nid(c->slab) != node)) {
		*fast = false;
		return slab_alloc_slow(s, gfp, node, c);
	}
	c->freelist = slab_get_freepointer(&s->objs, c->slab, object);
	this_cpu_cmpxchg_double(c->addr);
	c->tid = next_tid(s, c->tid);
	stat(s, ALLOC_FASTPATH);
	*fast = true;
	return object;
}

/* slab_alloc_node(): the main sheaf first if the cache has sheaves, then
 * the cpu slab; __GFP_ZERO clears the object.  0 if no memory. */
saddr_t slub6_slab_alloc(kmem_cache_t *s, gfp_t gfp, int node)
{
	bool fast = true;
	saddr_t x = s->cpu_sheaves ? slub6_alloc_from_pcs(s, gfp, node, &fast) : 0;

	if (!x)
		x = slab_alloc_cpu(s, gfp, node, &fast);
	if (!x)
		return 0;
	slab_note_alloc(&s->objs, virt_to_page(x), x);
	kcounter_inc(s->sl->paths, fast ? PATH_ALLOC_FAST : PATH_ALLOC_SLOW);
	slab_zero(gfp, x, s->object_size);
	return x;
}

/* __kmem_cache_alloc_bulk(): n objects into p[] from c->freelist with
 * irqs off, the slow path whenever it runs dry; all or none. */
bool slub6_alloc_bulk(kmem_cache_t *s, gfp_t gfp, unsigned n, saddr_t *p)
{
	struct kmem_cache_cpu *c = slub6_cpu_slab(s);
	unsigned long flags;

	local_irq_save(&flags);
	ktouch(c->addr, 24, false);
	for (unsigned i = 0; i < n; i++) {
		if (!c->freelist) {
			c->tid = next_tid(s, c->tid);
			ktouch(c->addr, 16, true);
			local_irq_restore(flags);
			p[i] = slab_alloc_slow(s, gfp, -1, c);
			if (!p[i]) {
				slub6_free_bulk(s, i, p);
				return false;
			}
			local_irq_save(&flags);
			continue;
		}
		p[i] = c->freelist;
		c->freelist = slab_get_freepointer(&s->objs, c->slab, p[i]);
		stat(s, ALLOC_FASTPATH);
	}
	c->tid = next_tid(s, c->tid);
	ktouch(c->addr, 16, true);
	local_irq_restore(flags);
	return true;
}

/* ---- free ---- */

/* __slab_free(): one LOCKed cmpxchg on the slab.  n->list_lock only when
 * a listed slab may become empty; a full slab that was on no list goes to
 * this CPU's partial chain. */
static void slab_free_slow(kmem_cache_t *s, page_t *slab, saddr_t head, saddr_t tail, unsigned cnt)
{
	struct kmem_cache_node *n = NULL;
	bool on_node_partial = false;
	unsigned long flags = 0;
	slab_fc_t old, new;

	stat(s, FREE_SLOWPATH);
	do {
		if (n) {
			list_unlock(s, n, flags);
			n = NULL;
		}
		old = slab_read(slab);
		slab_set_freepointer(&s->objs, tail, old.freelist);
		new = old;
		new.freelist = head;
		new.inuse -= cnt;
		if (!new.inuse && old.freelist && !old.frozen) {
			n = slub6_get_node(s, page_to_nid(slab));
			list_lock(s, n, &flags);
			on_node_partial = page_flags(slab) & SL_PARTIAL;
		}
	} while (!slab_update_freelist(s, slab, &old, &new));
	if (!n) {
		if (old.frozen) {
			stat(s, FREE_FROZEN);
		} else if (!old.freelist) {
			put_cpu_partial(s, slab, true);
			stat(s, CPU_PARTIAL_FREE);
		}
		return;
	}
	if (!on_node_partial || !node_keeps_enough(s, n)) {
		list_unlock(s, n, flags);       /* on a CPU's partial chain, or kept */
		return;
	}
	remove_partial(n, slab);
	stat(s, FREE_REMOVE_PARTIAL);
	list_unlock(s, n, flags);
	stat(s, FREE_SLAB);
	discard_slab(s, slab);
}

/* do_slab_free(): the chain head..tail of cnt objects of slab; a lockless
 * push onto c->freelist if slab is this CPU's cpu slab.  True if it was. */
static bool do_slab_free(kmem_cache_t *s, page_t *slab, saddr_t head, saddr_t tail, unsigned cnt)
{
	struct kmem_cache_cpu *c = slub6_cpu_slab(s);

	ktouch(c->addr, 24, false);             /* tid, freelist, slab */
	if (slab != c->slab) {
		slab_free_slow(s, slab, head, tail, cnt);
		return false;
	}
	slab_set_freepointer(&s->objs, tail, c->freelist);
	this_cpu_cmpxchg_double(c->addr);
	c->freelist = head;
	c->tid = next_tid(s, c->tid);
	stat_add(s, FREE_FASTPATH, cnt);
	return true;
}

/* slab_free(): the main sheaf if the cache has sheaves and the object is
 * on this CPU's node, else do_slab_free.  slab is x's (read already). */
void slub6_slab_free(kmem_cache_t *s, page_t *slab, saddr_t x)
{
	bool fast = true;

	slab_check_free(&s->objs, slab, x);
	slab_note_free(&s->objs, slab);
	if (s->cpu_sheaves && page_to_nid(slab) == numa_node_id())
		slub6_free_to_pcs(s, x, &fast);
	else
		fast = do_slab_free(s, slab, x, x, 1);
	kcounter_inc(s->sl->paths, fast ? PATH_FREE_FAST : PATH_FREE_SLOW);
}

/* build_detached_freelist() from p[0..n) (read from the top): a chain of
 * the top object's slab, looking past at most 3 objects of other slabs;
 * the objects taken become 0.  Returns how many entries are left to
 * process; *slab NULL if none was found. */
static unsigned detach_freelist(kmem_cache_t *s, unsigned n, saddr_t *p, page_t **slab,
                                saddr_t *head, saddr_t *tail, unsigned *cnt)
{
	unsigned lookahead = 3, first_skipped = 0;
	saddr_t object;

	*slab = NULL;
	do {
		object = p[--n];
	} while (!object && n);
	if (!object)
		return 0;
	*slab = slab_object_page(object);
	*head = *tail = object;
	*cnt = 1;
	slab_set_freepointer(&s->objs, object, 0);
	p[n] = 0;
	while (n) {
		object = p[--n];
		if (object && slab_object_page(object) == *slab) {
			slab_set_freepointer(&s->objs, object, *head);
			*head = object;
			(*cnt)++;
			p[n] = 0;
			continue;
		}
		if (!--lookahead)
			break;
		if (!first_skipped)
			first_skipped = n + 1;
	}
	return first_skipped;
}

/* __kmem_cache_free_bulk(): p[0..n) back to their slabs, a chain of one
 * slab's objects per do_slab_free. */
void slub6_free_bulk(kmem_cache_t *s, unsigned n, saddr_t *p)
{
	while (n) {
		saddr_t head, tail;
		unsigned cnt;
		page_t *slab;

		n = detach_freelist(s, n, p, &slab, &head, &tail, &cnt);
		if (slab)
			do_slab_free(s, slab, head, tail, cnt);
	}
}

/* ---- flush and shrink ---- */

/* The flush work of one CPU: its sheaves, its cpu slab (CPUSLAB_FLUSH),
 * its partial chain. */
static void flush_cpu_slab(void *arg)
{
	kmem_cache_t *s = arg;
	struct kmem_cache_cpu *c;

	if (s->cpu_sheaves)
		slub6_pcs_flush(s);
	c = slub6_cpu_slab(s);
	ktouch(c->addr, 32, false);
	if (c->slab) {
		detach_cpu_slab(s, c);
		stat(s, CPUSLAB_FLUSH);
	}
	put_partials(s);
}

/* flush_all(): every CPU flushes (IPIs, see the deviations). */
static void slub6_flush_all(kmem_cache_t *s)
{
	on_each_cpu(flush_cpu_slab, s);
}

/* list_splice(l, &n->partial): l's slabs before the others (list_lock
 * held); the first and last of l and the old first change links. */
static void splice_head(struct kmem_cache_node *n, klist_t *l)
{
	if (klist_empty(l))
		return;
	kpage_touch(klist_entry(l->next, page_t, lru), true);
	kpage_touch(klist_entry(l->prev, page_t, lru), true);
	touch_neighbour(n, n->partial.next);
	l->prev->next = n->partial.next;
	n->partial.next->prev = l->prev;
	n->partial.next = l->next;
	l->next->prev = &n->partial;
	klist_init(l);
}

/* __kmem_cache_do_shrink() on one node: shrink the barn, free the empty
 * partial slabs, and put the slabs with 1..32 free objects first, fewest
 * free first. */
static void shrink_node(kmem_cache_t *s, int node)
{
	struct kmem_cache_node *n = slub6_get_node(s, node);
	klist_t discard, promote[SHRINK_PROMOTE_MAX];
	unsigned long flags;
	klist_t *pos, *t;

	ktouch(n->addr + KN_BARN, 8, false);
	if (n->barn)
		slub6_barn_shrink(s, n->barn);
	klist_init(&discard);
	for (int i = 0; i < SHRINK_PROMOTE_MAX; i++)
		klist_init(&promote[i]);
	list_lock(s, n, &flags);
	klist_for_each_safe(pos, t, &n->partial) {
		page_t *slab = klist_entry(pos, page_t, lru);
		unsigned free;

		kpage_touch(slab, false);
		free = (unsigned)slab->objects - __atomic_load_n(&slab->inuse, __ATOMIC_RELAXED);
		if (free == slab->objects) {
			remove_partial(n, slab);
			klist_add(&slab->lru, &discard);
		} else if (free <= SHRINK_PROMOTE_MAX) {
			partial_unlink(n, slab);
			klist_add(&slab->lru, &promote[free - 1]);
		}
	}
	for (int i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--)
		splice_head(n, &promote[i]);
	list_unlock(s, n, flags);
	while (!klist_empty(&discard)) {
		page_t *slab = klist_entry(discard.next, page_t, lru);

		klist_del(&slab->lru);
		discard_slab(s, slab);
	}
}

/* kmem_cache_shrink(): flush_all, then every node's barn and partial
 * list.  Objects a barn's full sheaves held may leave a slab on this
 * CPU's partial chain; the next shrink drains it. */
void slub6_shrink(void *a, kmem_cache_t *s)
{
	(void)a;
	slub6_flush_all(s);
	for (int node = 0; node < s->sl->nnodes; node++)
		shrink_node(s, node);
}

/* The host side of the cache's slabs and node locks (pages stay with the
 * run). */
void slub6_release_slabs(kmem_cache_t *s)
{
	slab_objs_release(&s->objs);
	for (int node = 0; node < s->sl->nnodes; node++)
		spin_destroy(&s->node[node].list_lock);
}
