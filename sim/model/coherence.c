/*
 * coherence.c -- the directory, the private caches and the shared LLCs.
 *
 * The directory is a three-level radix over line indexes, with leaves
 * (256 lines each) allocated on first touch, so only lines that are used
 * cost host memory; the last leaf found for each kind of access (and for
 * victims) is remembered, so most accesses, and a range access after its
 * first line, do not walk it.  A cache's sets get host memory on their
 * first fill, room for one way, doubled when a fill finds them full up to
 * the associativity (the ways in use never move but for that copy), so a
 * CPU's cache costs what it holds, not its size: the sets come from one
 * pool per kind of cache (arrpool.h).
 *
 * Replacement state lives in the ways: each set keeps its ways in a
 * doubly linked recency list (indexes, most recent first, head and tail
 * in the slot before the set), so a touch and the choice of a victim (a
 * never-used way, else the tail) take constant time whatever the
 * associativity, and no way moves.  An invalidated way keeps its place in
 * the list.
 */
#include <stddef.h>
#include <string.h>
#include <glib.h>
#include "coherence.h"
#include "arrpool.h"
#include "engine.h"

#define LEAF_SHIFT 8                    /* 256 lines per directory leaf */
#define LEAF_LINES (1u << LEAF_SHIFT)
#define MID_SHIFT 12                    /* 4096 leaves per mid */
#define MID_LEAVES (1u << MID_SHIFT)
#define LLC_N_STICKY 127                /* line_t.llc_n saturates here */
#define PRIV_N_STICKY 255               /* line_t.priv_n saturates here */

const char *const coh_kind_names[COH_KINDS] = { "object", "page", "metadata", "lock" };

typedef struct line {
	uint32_t version;        /* bumped by every store */
	int32_t owner;           /* CPU holding it Modified, -1 if none */
	int32_t last;            /* CPU that last filled it, -1 if none */
	uint32_t ncopies : 17;   /* valid private copies, owner included (<= 65536 CPUs) */
	uint32_t llc_n : 7;      /* LLC ways tagged with it, any version (sticky at max) */
	uint32_t priv_n : 8;     /* private ways tagged with it, any version (sticky at max) */
} line_t;

typedef struct way {
	uint64_t tag;            /* line index + 1; 0 = empty */
	uint32_t version;
	uint16_t prev, next;     /* neighbours in the set's recency list, WAY_NIL: none */
} way_t;

/* A set's recency list, in the way-sized slot before its ways: ways
 * [0, used) are on it; the others were never used, and are the least
 * recent of all, taken in index order; ways [used, cap) have host memory
 * (all-zero), the rest none yet. */
typedef struct lru {
	uint16_t head, tail;     /* most and least recent way on the list */
	uint16_t used;
	uint16_t cap;            /* ways with host memory */
} lru_t;

#define WAY_NIL 0xffff           /* (so at most 65535 ways, machine.c) */

/* Where a line was last found in a private cache: the way (valid while
 * it still holds the line's tag), its set and the line's directory entry. */
typedef struct memo {
	uint64_t tag;            /* line index + 1; 0 = nothing */
	struct way *way;
	struct way *set;
	struct line *line;
} memo_t;

#define MEMO_LINES 8             /* remembered lines per private cache */

/* One set-associative cache. */
typedef struct cache {
	way_t **sets;            /* [nsets] (on the first fill), each set's ways after
	                          * its lru slot (on its first fill), or NULL */
	uint32_t nsets;          /* a power of two */
	uint32_t assoc;
	memo_t memo[MEMO_LINES]; /* private caches: recent lines, by index (inline: one
	                          * host cache miss less per access) */
	arrpool_t *pool;         /* where its sets come from (the coh's, by kind of cache) */
	uint64_t slots;          /* way-sized slots its sets hold, lru slots included */
} cache_t;

/* The directory: a radix of dense leaves (top -> mid -> leaf), each
 * level allocated on first use. */
typedef struct dir {
	line_t ***top;           /* [ntop] mids of MID_LEAVES leaves */
	uint64_t ntop;
	uint64_t last_key[COH_KINDS + 1];   /* leaf number + 1 found last, by kind */
	line_t *last_leaf[COH_KINDS + 1];   /* (and for victims) */
} dir_t;

#define DIR_VICTIM COH_KINDS             /* the leaf cache slot of victims */

struct coh {
	const machine_t *m;
	const memory_t *mem;
	dir_t dir;
	cache_t *priv;           /* [ncpus] */
	cache_t *llc;            /* [nscopes], or NULL without an LLC */
	arrpool_t *priv_sets;    /* the private caches' sets */
	arrpool_t *llc_sets;     /* the LLCs' sets */
	int nscopes;
	int *scope_of;           /* [ncpus]: the LLC serving each CPU */
	GArray **scope_cpus;     /* [nscopes]: the CPUs each LLC serves */
	coh_stats_t st;
};

/* ---- caches ---- */

static void cache_init(cache_t *k, int lines, int ways, arrpool_t *pool)
{
	uint32_t sets = (uint32_t)(lines / ways);

	k->assoc = (uint32_t)ways;
	k->pool = pool;
	k->nsets = 1;
	while (k->nsets * 2 <= sets)
		k->nsets *= 2;
}

static void cache_fini(cache_t *k)
{
	g_free(k->sets);                 /* the sets go with their pool */
}

static inline uint32_t cache_set_index(const cache_t *k, uint64_t idx)
{
	return (uint32_t)((idx ^ (idx >> 17)) & (k->nsets - 1));
}

/* The ways of idx's set, or NULL if the set was never filled. */
static inline way_t *cache_set(const cache_t *k, uint64_t idx)
{
	return k->sets ? k->sets[cache_set_index(k, idx)] : NULL;
}

static inline lru_t *set_lru(way_t *set)
{
	return (lru_t *)&set[-1];
}

/* Make w the most recent way of its set. */
static inline void way_touch(way_t *set, way_t *w)
{
	lru_t *h = set_lru(set);
	uint16_t i = (uint16_t)(w - set);

	if (h->head == i)
		return;
	set[w->prev].next = w->next;             /* not the head: it has a prev */
	if (w->next != WAY_NIL)
		set[w->next].prev = w->prev;
	else
		h->tail = w->prev;
	w->prev = WAY_NIL;
	w->next = h->head;
	set[h->head].prev = i;
	h->head = i;
}

/* The way tagged idx in its set (NULL: never filled), or NULL; the order
 * is not changed. */
static inline way_t *set_find(way_t *set, uint64_t idx)
{
	if (!set)
		return NULL;
	for (uint32_t w = 0, used = set_lru(set)->used; w < used; w++)
		if (set[w].tag == idx + 1)
			return &set[w];
	return NULL;
}

/* Find idx in its set and make it most recent.  Returns its way or NULL. */
static inline way_t *set_lookup(way_t *set, uint64_t idx)
{
	way_t *w = set_find(set, idx);

	if (w)
		way_touch(set, w);
	return w;
}

/* The pool class of a set with room for cap ways: cap is 1, 2, 4, ... or
 * the associativity. */
static unsigned set_class(uint32_t cap)
{
	return cap == 1 ? 0 : (unsigned)g_bit_storage(cap - 1);
}

/* Room for the next way of idx's set, whose ways are all in use (set:
 * NULL if never filled): its host memory made (one way) or doubled, up
 * to the associativity.  The ways keep their indexes, and the cache's
 * memos follow the set.  Returns the set. */
static G_GNUC_NO_INLINE way_t *set_grow(cache_t *k, uint64_t idx, way_t *set)
{
	uint32_t s = cache_set_index(k, idx);
	uint32_t cap = set ? set_lru(set)->cap : 0;
	uint32_t ncap = cap ? MIN(cap * 2, k->assoc) : 1;
	way_t *fresh;

	if (!k->sets)
		k->sets = g_new0(way_t *, k->nsets);
	fresh = (way_t *)arrpool_get(k->pool, set_class(ncap), ncap + 1) + 1;
	if (set) {
		memcpy(&fresh[-1], &set[-1], (cap + 1) * sizeof(way_t));
		arrpool_put(k->pool, &set[-1], set_class(cap));
		for (int i = 0; i < MEMO_LINES; i++) {
			memo_t *mo = &k->memo[i];
			if (mo->set == set) {
				mo->way = fresh + (mo->way - set);
				mo->set = fresh;
			}
		}
	}
	set_lru(fresh)->cap = (uint16_t)ncap;
	k->slots += ncap - cap + (set ? 0 : 1);
	k->sets[s] = fresh;
	return fresh;
}

/* The least recent way of idx's set (*setp: its ways, NULL if never
 * filled; updated when the set grows), made most recent; *victim gets
 * what it held. */
static inline way_t *set_insert(cache_t *k, uint64_t idx, way_t **setp, way_t *victim)
{
	way_t *set = *setp;
	lru_t *h;
	way_t *w;

	if (G_UNLIKELY(!set || (set_lru(set)->used == set_lru(set)->cap &&
	                        set_lru(set)->cap < k->assoc)))
		*setp = set = set_grow(k, idx, set);
	h = set_lru(set);
	if (h->used < k->assoc) {               /* a never-used way joins the list */
		uint16_t i = h->used++;
		w = &set[i];
		*victim = *w;
		w->prev = WAY_NIL;
		w->next = i ? h->head : WAY_NIL;
		if (i)
			set[h->head].prev = i;
		else
			h->tail = i;
		h->head = i;
		return w;
	}
	w = &set[h->tail];
	*victim = *w;
	way_touch(set, w);
	return w;
}

/* ---- the directory ---- */

/* Leaf number `leaf`, created (every line untouched) on first use. */
static line_t *dir_leaf_slow(dir_t *d, uint64_t leaf)
{
	line_t ***mid = &d->top[leaf >> MID_SHIFT];
	line_t **slot;

	if (G_UNLIKELY(!*mid))
		*mid = g_new0(line_t *, MID_LEAVES);
	slot = &(*mid)[leaf & (MID_LEAVES - 1)];
	if (G_UNLIKELY(!*slot)) {
		*slot = g_new(line_t, LEAF_LINES);
		for (uint32_t j = 0; j < LEAF_LINES; j++)
			(*slot)[j] = (line_t){ .version = 0, .owner = -1, .last = -1 };
	}
	return *slot;
}

/* The entry of line idx; `slot` says which remembered leaf to try first
 * (one per kind of access, one for victims). */
static inline line_t *dir_line(coh_t *c, uint64_t idx, int slot)
{
	dir_t *d = &c->dir;
	uint64_t key = (idx >> LEAF_SHIFT) + 1;

	if (G_UNLIKELY(key != d->last_key[slot])) {
		d->last_leaf[slot] = dir_leaf_slow(d, key - 1);
		d->last_key[slot] = key;
	}
	return &d->last_leaf[slot][idx & (LEAF_LINES - 1)];
}

static void dir_init(dir_t *d, uint64_t lines)
{
	d->ntop = (lines >> (LEAF_SHIFT + MID_SHIFT)) + 1;
	d->top = g_new0(line_t **, d->ntop);
}

static void dir_fini(dir_t *d)
{
	for (uint64_t i = 0; i < d->ntop; i++) {
		if (!d->top[i])
			continue;
		for (uint32_t j = 0; j < MID_LEAVES; j++)
			g_free(d->top[i][j]);
		g_free(d->top[i]);
	}
	g_free(d->top);
}

/* ---- counting and charging ---- */

/* One access in progress: who makes it, who pays (NULL: nobody), what
 * for. */
typedef struct acc {
	int cpu;
	cpu_t *payer;
	enum coh_kind kind;
} acc_t;

/* Add n to the count at offset `off` of coh_counts_t, in all and in kind. */
static inline void bump(coh_t *c, enum coh_kind kind, size_t off, uint64_t n)
{
	*(uint64_t *)((char *)&c->st.all + off) += n;
	*(uint64_t *)((char *)&c->st.kind[kind] + off) += n;
}

#define COUNT(c, x, field, n) bump((c), (x)->kind, offsetof(coh_counts_t, field), (n))

/* Charge the paying CPU, if any (coh_access_as charges nobody). */
static inline void charge(const acc_t *x, enum cost_kind kind, simtime_t ps)
{
	if (x->payer) {
		x->payer->clock += ps;
		x->payer->cost[kind] += ps;
	}
}

/* ---- the last-level caches ---- */

/* Whether the LLC serving cpu holds a valid copy of idx (made most recent
 * when it holds the line at all). */
static inline bool llc_holds(coh_t *c, int cpu, uint64_t idx, const line_t *l)
{
	cache_t *k;
	way_t *w;

	if (!c->llc || !l->llc_n)
		return false;
	k = &c->llc[c->scope_of[cpu]];
	w = set_lookup(cache_set(k, idx), idx);
	return w && w->version == l->version;
}

/* One more or one less way tagged with l: a count that reached its
 * maximum stays there (and then only says "maybe"). */
#define TAG_UP(l, field, sticky) do { if ((l)->field != (sticky)) (l)->field++; } while (0)
#define TAG_DOWN(l, field, sticky) do { if ((l)->field != (sticky)) (l)->field--; } while (0)

/* An inclusive LLC dropped idx: so do the private caches it serves (none
 * to look at when no private way is tagged with it). */
static void back_invalidate(coh_t *c, int scope, uint64_t idx, line_t *l)
{
	GArray *cpus = c->scope_cpus[scope];

	for (guint i = 0; l->priv_n && i < cpus->len; i++) {
		int cpu = g_array_index(cpus, int, i);
		cache_t *k = &c->priv[cpu];
		way_t *w = set_find(cache_set(k, idx), idx);

		if (!w)
			continue;
		if (w->version == l->version) {
			l->ncopies--;
			if (l->owner == cpu)
				l->owner = -1;  /* written back to memory */
		}
		w->tag = 0;
		TAG_DOWN(l, priv_n, PRIV_N_STICKY);
	}
}

/* Put (idx, l's version) into the LLC of `scope`, evicting its least
 * recent line (which an inclusive LLC takes out of its private caches
 * too). */
static void llc_fill(coh_t *c, int scope, uint64_t idx, line_t *l)
{
	cache_t *k = &c->llc[scope];
	way_t *set = cache_set(k, idx), *w = l->llc_n ? set_lookup(set, idx) : NULL, victim;

	if (!w) {
		w = set_insert(k, idx, &set, &victim);
		if (victim.tag) {
			line_t *vl = dir_line(c, victim.tag - 1, DIR_VICTIM);

			TAG_DOWN(vl, llc_n, LLC_N_STICKY);
			if (c->m->llc_inclusive)
				back_invalidate(c, scope, victim.tag - 1, vl);
		}
		TAG_UP(l, llc_n, LLC_N_STICKY);
		w->tag = idx + 1;
	}
	w->version = l->version;
}

/* ---- private caches ---- */

/* Take a line out of cpu's private cache: the copy is gone, a Modified one
 * is written back, and the LLC keeps it (a non-inclusive LLC takes the
 * private caches' victims; an inclusive one holds it already). */
static void evict(coh_t *c, int cpu, const way_t *victim)
{
	line_t *vl;

	if (!victim->tag)
		return;
	vl = dir_line(c, victim->tag - 1, DIR_VICTIM);
	TAG_DOWN(vl, priv_n, PRIV_N_STICKY);
	if (vl->version != victim->version)
		return;                          /* a stale copy: nothing to do */
	vl->ncopies--;
	if (vl->owner == cpu)
		vl->owner = -1;                  /* written back */
	if (c->llc)
		llc_fill(c, c->scope_of[cpu], victim->tag - 1, vl);
}

/* A way of cpu's private cache for line l (index idx; set: its set's
 * ways, or NULL), made most recent in its set and tagged. */
static way_t *private_slot(coh_t *c, int cpu, way_t *set, uint64_t idx, line_t *l)
{
	way_t victim, *w = set_insert(&c->priv[cpu], idx, &set, &victim);

	evict(c, cpu, &victim);
	w->tag = idx + 1;
	TAG_UP(l, priv_n, PRIV_N_STICKY);
	return w;
}

/* Price fetching a line this CPU does not hold validly. */
static void fetch(coh_t *c, const acc_t *x, line_t *l, uint64_t idx, saddr_t a)
{
	const machine_t *m = c->m;
	int cpu = x->cpu;
	int src = l->owner >= 0 ? l->owner : (l->ncopies > 0 ? l->last : -1);
	bool dirty = l->owner >= 0 && l->owner != cpu;

	if (!dirty && llc_holds(c, cpu, idx, l)) {
		charge(x, COST_LLC, m->llc);
		COUNT(c, x, llc_hits, 1);
		return;
	}
	if (src >= 0 && src != cpu) {
		bool same_socket = m->cpu_socket[src] == m->cpu_socket[cpu];
		if (same_socket)
			charge(x, dirty ? COST_XFER_SOCKET : COST_LLC, dirty ? m->xfer_socket : m->llc);
		else
			charge(x, COST_XFER_REMOTE, machine_xfer_price(m, src, cpu));
		if (m->cpu_node[src] == m->cpu_node[cpu])
			COUNT(c, x, transfers_same_node, 1);
		else
			COUNT(c, x, transfers_remote_node, 1);
		return;
	}
	int home = mem_home_node(c->mem, a);
	if (home == m->cpu_node[cpu]) {
		charge(x, COST_MEM_LOCAL, m->mem_local);
		COUNT(c, x, memory_local, 1);
	} else {
		charge(x, COST_MEM_REMOTE, machine_mem_price(m, cpu, home));
		COUNT(c, x, memory_remote, 1);
	}
}

/* After a fill or a store by cpu: an inclusive LLC holds the line too. */
static inline void include(coh_t *c, int cpu, uint64_t idx, line_t *l)
{
	if (c->llc && c->m->llc_inclusive)
		llc_fill(c, c->scope_of[cpu], idx, l);
}

/* A store or atomic on a line this CPU may not hold Modified: end with
 * the only valid copy, Modified. */
static way_t *store_miss(coh_t *c, const acc_t *x, line_t *l, uint64_t idx, saddr_t a,
                         way_t *set, way_t *w, bool valid)
{
	uint32_t others = l->ncopies - (valid ? 1 : 0);

	if (valid)
		charge(x, COST_HIT, c->m->hit);     /* an upgrade: not counted a hit */
	else
		fetch(c, x, l, idx, a);
	if (others) {
		charge(x, COST_INVAL, c->m->inval * others);
		COUNT(c, x, invalidations, others);
	}
	l->version++;
	l->ncopies = 1;
	l->owner = x->cpu;
	l->last = x->cpu;
	if (!w)
		w = private_slot(c, x->cpu, set, idx, l);
	w->version = l->version;
	include(c, x->cpu, idx, l);
	return w;
}

/* A read of a line this CPU does not hold validly. */
static way_t *read_miss(coh_t *c, const acc_t *x, line_t *l, uint64_t idx, saddr_t a,
                        way_t *set, way_t *w)
{
	fetch(c, x, l, idx, a);
	if (l->owner >= 0 && l->owner != x->cpu)
		l->owner = -1;                 /* Modified -> Shared */
	if (!w)
		w = private_slot(c, x->cpu, set, idx, l);
	w->version = l->version;
	l->ncopies++;
	l->last = x->cpu;
	include(c, x->cpu, idx, l);
	return w;
}

/* The rest of an access that did not hit (w: the line's way in cpu's
 * set, already made most recent, or NULL). */
static G_GNUC_NO_INLINE way_t *access_miss(coh_t *c, const acc_t *x, saddr_t a, uint64_t idx,
                                           line_t *l, enum coh_op op, way_t *set, way_t *w)
{
	bool valid = w && w->version == l->version;

	if (op == COH_READ)
		w = read_miss(c, x, l, idx, a, set, w);
	else
		w = store_miss(c, x, l, idx, a, set, w, valid);
	if (op == COH_RMW)
		charge(x, COST_ATOMIC, c->m->rmw);
	return w;
}

/* One line's access: idx is the line at address a.  A hit (a valid copy;
 * for a store, the Modified one) is decided here; a line this CPU found
 * lately is looked up in its memo first, the directory and the set only
 * otherwise. */
static inline void access_line(coh_t *c, const acc_t *x, saddr_t a, uint64_t idx, enum coh_op op)
{
	cache_t *k = &c->priv[x->cpu];
	memo_t *mo = &k->memo[idx & (MEMO_LINES - 1)];
	line_t *l;
	way_t *w;

	way_t *set;

	if (mo->tag == idx + 1 && mo->way->tag == idx + 1) {
		l = mo->line;
		w = mo->way;
		set = mo->set;
		way_touch(set, w);
	} else {
		l = dir_line(c, idx, x->kind);
		set = cache_set(k, idx);
		w = set_lookup(set, idx);
	}
	COUNT(c, x, accesses, 1);
	if (w && w->version == l->version && (op == COH_READ || l->owner == x->cpu)) {
		charge(x, COST_HIT, c->m->hit);
		COUNT(c, x, hits, 1);
		if (op == COH_RMW)
			charge(x, COST_ATOMIC, c->m->rmw);
	} else {
		way_t *had = w;

		w = access_miss(c, x, a, idx, l, op, set, w);
		if (!had)
			set = cache_set(k, idx);  /* a fill: the set may be new or grown */
	}
	*mo = (memo_t){ idx + 1, w, set, l };
}

/* What memory at a holds: struct page entries, metadata, or objects. */
static enum coh_kind kind_of(const coh_t *c, saddr_t a)
{
	if (a < c->mem->ram_end)
		return COH_OBJECT;
	return a < c->mem->memmap_end ? COH_PAGE : COH_METADATA;
}

/* Every line of [a, a+len) in address order, as one access each. */
static void access_range(coh_t *c, const acc_t *x, saddr_t a, uint32_t len, enum coh_op op)
{
	uint64_t line = (uint64_t)c->m->cache_line;
	saddr_t first = a & ~(line - 1);
	saddr_t last = (a + (len ? len : 1) - 1) & ~(line - 1);
	uint64_t idx = mem_line(c->mem, first);

	for (saddr_t p = first; p <= last; p += line, idx++)
		access_line(c, x, p, idx, op);
}

void coh_access_kind(coh_t *c, saddr_t a, uint32_t len, enum coh_op op, enum coh_kind kind)
{
	cpu_t *self = engine_current();
	acc_t x = { self->id, self, kind };

	access_range(c, &x, a, len, op);
}

void coh_access(coh_t *c, saddr_t a, uint32_t len, enum coh_op op)
{
	coh_access_kind(c, a, len, op, kind_of(c, a));
}

void coh_access_as(coh_t *c, int cpu, saddr_t a, enum coh_op op, enum coh_kind kind)
{
	acc_t x = { cpu, NULL, kind };

	access_range(c, &x, a, 1, op);
}

void coh_access_as_many(coh_t *c, const int *cpus, int n, saddr_t a, enum coh_op op,
                        enum coh_kind kind)
{
	saddr_t line = a & ~((saddr_t)c->m->cache_line - 1);
	uint64_t idx = mem_line(c->mem, line);
	unsigned slot = idx & (MEMO_LINES - 1);

	for (int i = 0; i < n; i++) {
		acc_t x = { cpus[i], NULL, kind };

		if (i + 2 < n)
			__builtin_prefetch(&c->priv[cpus[i + 2]].memo[slot]);
		if (i + 1 < n) {
			const memo_t *mo = &c->priv[cpus[i + 1]].memo[slot];
			if (mo->tag == idx + 1) {
				__builtin_prefetch(mo->way);
				__builtin_prefetch(set_lru(mo->set));
			}
		}
		access_line(c, &x, line, idx, op);
	}
}

const coh_stats_t *coh_stats(const coh_t *c)
{
	return &c->st;
}

/* Host memory held by cpu's private cache for its sets, in way-sized
 * slots: per set filled, room for its ways plus its lru slot. */
uint64_t coh_private_slots(const coh_t *c, int cpu)
{
	return c->priv[cpu].slots;
}

/* ---- life cycle ---- */

/* One LLC per socket, or per node; each knows the CPUs it serves. */
static void llc_init(coh_t *c)
{
	const machine_t *m = c->m;

	c->scope_of = g_new(int, m->ncpus);
	c->nscopes = m->llc_per_node ? m->nnodes : m->nsockets;
	c->llc = g_new0(cache_t, c->nscopes);
	c->llc_sets = arrpool_new(sizeof(way_t));
	c->scope_cpus = g_new(GArray *, c->nscopes);
	for (int s = 0; s < c->nscopes; s++) {
		cache_init(&c->llc[s], m->llc_lines, m->llc_ways, c->llc_sets);
		c->scope_cpus[s] = g_array_new(FALSE, FALSE, sizeof(int));
	}
	for (int cpu = 0; cpu < m->ncpus; cpu++) {
		c->scope_of[cpu] = m->llc_per_node ? m->cpu_node[cpu] : m->cpu_socket[cpu];
		g_array_append_val(c->scope_cpus[c->scope_of[cpu]], cpu);
	}
}

coh_t *coh_new(const machine_t *m, const memory_t *mem)
{
	coh_t *c = g_new0(coh_t, 1);

	c->m = m;
	c->mem = mem;
	dir_init(&c->dir, mem_total_lines(mem));
	c->priv = g_new0(cache_t, m->ncpus);
	c->priv_sets = arrpool_new(sizeof(way_t));
	for (int i = 0; i < m->ncpus; i++)
		cache_init(&c->priv[i], m->cache_lines, m->cache_ways, c->priv_sets);
	if (m->llc_lines)
		llc_init(c);
	return c;
}

void coh_free(coh_t *c)
{
	if (!c)
		return;
	dir_fini(&c->dir);
	for (int i = 0; i < c->m->ncpus; i++)
		cache_fini(&c->priv[i]);
	g_free(c->priv);
	for (int s = 0; c->llc && s < c->nscopes; s++) {
		cache_fini(&c->llc[s]);
		g_array_free(c->scope_cpus[s], TRUE);
	}
	g_free(c->llc);
	arrpool_free(c->priv_sets);
	arrpool_free(c->llc_sets);
	g_free(c->scope_cpus);
	g_free(c->scope_of);
	g_free(c);
}
