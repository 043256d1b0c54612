/*
 * coherence.c -- the directory, the private caches and the shared LLCs.
 *
 * The directory is a three-level radix over line indexes, with leaves
 * allocated on first touch, so only lines that are used cost host memory;
 * cache sets are allocated in chunks on first use for the same reason.
 */
#include <stddef.h>
#include <string.h>
#include <glib.h>
#include "coherence.h"
#include "engine.h"

#define LEAF_SHIFT 8                    /* 256 lines per leaf */
#define MID_SHIFT  12                   /* 4096 leaves per mid */
#define LEAF_LINES (1u << LEAF_SHIFT)
#define MID_LEAVES (1u << MID_SHIFT)
#define CHUNK_SETS 16                   /* sets allocated together */

const char *const coh_kind_names[COH_KINDS] = { "object", "page", "metadata", "lock" };

typedef struct line {
	uint32_t version;    /* bumped by every store */
	int32_t owner;       /* CPU holding it Modified, -1 if none */
	uint32_t ncopies;    /* valid private copies, owner included */
	int32_t last;        /* CPU that last filled it, -1 if none */
} line_t;

typedef struct way {
	uint64_t tag;        /* line index + 1; 0 = empty */
	uint32_t version;
} way_t;

/* One set-associative cache, most recent way first within a set. */
typedef struct cache {
	way_t **chunks;      /* CHUNK_SETS sets each, on first use */
	uint32_t nsets;      /* a power of two */
	uint32_t assoc;
} cache_t;

struct coh {
	const machine_t *m;
	const memory_t *mem;
	line_t ***top;
	uint64_t ntop;
	cache_t *priv;       /* [ncpus] */
	cache_t *llc;        /* [nscopes], or NULL without an LLC */
	int nscopes;
	int *scope_of;       /* [ncpus]: the LLC serving each CPU */
	GArray **scope_cpus; /* [nscopes]: the CPUs each LLC serves */
	coh_stats_t st;
};

/* ---- caches ---- */

static void cache_init(cache_t *k, int lines, int ways)
{
	uint32_t sets = (uint32_t)(lines / ways);

	k->assoc = (uint32_t)ways;
	k->nsets = 1;
	while (k->nsets * 2 <= sets)
		k->nsets *= 2;
	k->chunks = g_new0(way_t *, (k->nsets + CHUNK_SETS - 1) / CHUNK_SETS);
}

static void cache_fini(cache_t *k)
{
	for (uint32_t i = 0; i < (k->nsets + CHUNK_SETS - 1) / CHUNK_SETS; i++)
		g_free(k->chunks[i]);
	g_free(k->chunks);
}

static way_t *cache_set(cache_t *k, uint64_t idx)
{
	uint32_t set = (uint32_t)((idx ^ (idx >> 17)) & (k->nsets - 1));
	way_t **chunk = &k->chunks[set / CHUNK_SETS];

	if (G_UNLIKELY(!*chunk))
		*chunk = g_new0(way_t, (size_t)CHUNK_SETS * k->assoc);
	return &(*chunk)[(set % CHUNK_SETS) * k->assoc];
}

/* Find idx in its set; move it to the front.  Returns its way or NULL. */
static way_t *set_lookup(const cache_t *k, way_t *set, uint64_t idx)
{
	for (uint32_t w = 0; w < k->assoc; w++) {
		if (set[w].tag == idx + 1) {
			way_t hit = set[w];
			memmove(&set[1], &set[0], w * sizeof(way_t));
			set[0] = hit;
			return &set[0];
		}
	}
	return NULL;
}

/* Make room at the front of the set; *victim gets the way pushed out. */
static way_t *set_insert(const cache_t *k, way_t *set, way_t *victim)
{
	*victim = set[k->assoc - 1];
	memmove(&set[1], &set[0], (k->assoc - 1) * sizeof(way_t));
	return &set[0];
}

/* ---- the directory ---- */

static line_t *dir_line(coh_t *c, uint64_t idx)
{
	uint64_t t = idx >> (LEAF_SHIFT + MID_SHIFT);
	uint32_t mid = (idx >> LEAF_SHIFT) & (MID_LEAVES - 1);
	line_t **leaves = c->top[t];
	line_t *leaf;

	if (G_UNLIKELY(!leaves))
		leaves = c->top[t] = g_new0(line_t *, MID_LEAVES);
	leaf = leaves[mid];
	if (G_UNLIKELY(!leaf)) {
		leaf = leaves[mid] = g_new(line_t, LEAF_LINES);
		for (uint32_t i = 0; i < LEAF_LINES; i++)
			leaf[i] = (line_t){ 0, -1, 0, -1 };
	}
	return &leaf[idx & (LEAF_LINES - 1)];
}

/* ---- counting and charging ---- */

/* Add n to the count at offset `off` of coh_counts_t, in all and in kind. */
static inline void bump(coh_t *c, enum coh_kind kind, size_t off, uint64_t n)
{
	*(uint64_t *)((char *)&c->st.all + off) += n;
	*(uint64_t *)((char *)&c->st.kind[kind] + off) += n;
}

#define COUNT(c, kind, field, n) bump((c), (kind), offsetof(coh_counts_t, field), (n))

/* Charge the running CPU, unless the access is made on another CPU's
 * behalf (coh_access_as). */
static inline void charge(bool yes, enum cost_kind kind, simtime_t ps)
{
	if (yes)
		engine_charge(kind, ps);
}

/* ---- the last-level caches ---- */

/* Whether the LLC serving cpu holds a valid copy of idx (made most recent). */
static bool llc_holds(coh_t *c, int cpu, uint64_t idx, const line_t *l)
{
	cache_t *k;
	way_t *w;

	if (!c->llc)
		return false;
	k = &c->llc[c->scope_of[cpu]];
	w = set_lookup(k, cache_set(k, idx), idx);
	return w && w->version == l->version;
}

/* An inclusive LLC dropped idx: so do the private caches it serves. */
static void back_invalidate(coh_t *c, int scope, uint64_t idx)
{
	line_t *l = dir_line(c, idx);
	GArray *cpus = c->scope_cpus[scope];

	for (guint i = 0; i < cpus->len; i++) {
		int cpu = g_array_index(cpus, int, i);
		cache_t *k = &c->priv[cpu];
		way_t *set = cache_set(k, idx);

		for (uint32_t w = 0; w < k->assoc; w++) {
			if (set[w].tag != idx + 1)
				continue;
			if (set[w].version == l->version) {
				l->ncopies--;
				if (l->owner == cpu)
					l->owner = -1;  /* written back to memory */
			}
			set[w].tag = 0;
		}
	}
}

/* Put (idx, version) into the LLC of `scope`, evicting its least recent
 * line (which an inclusive LLC takes out of its private caches too). */
static void llc_fill(coh_t *c, int scope, uint64_t idx, uint32_t version)
{
	cache_t *k = &c->llc[scope];
	way_t *set = cache_set(k, idx), *w = set_lookup(k, set, idx), victim;

	if (!w) {
		w = set_insert(k, set, &victim);
		if (victim.tag && c->m->llc_inclusive)
			back_invalidate(c, scope, victim.tag - 1);
	}
	w->tag = idx + 1;
	w->version = version;
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
	vl = dir_line(c, victim->tag - 1);
	if (vl->version != victim->version)
		return;                          /* a stale copy: nothing to do */
	vl->ncopies--;
	if (vl->owner == cpu)
		vl->owner = -1;                  /* written back */
	if (c->llc)
		llc_fill(c, c->scope_of[cpu], victim->tag - 1, vl->version);
}

/* A way of cpu's private cache for idx, at the front of its set. */
static way_t *private_slot(coh_t *c, int cpu, way_t *set)
{
	way_t victim, *w = set_insert(&c->priv[cpu], set, &victim);

	evict(c, cpu, &victim);
	return w;
}

/* Price fetching a line this CPU does not hold validly. */
static void fetch(coh_t *c, int cpu, line_t *l, uint64_t idx, saddr_t a, bool pay,
                  enum coh_kind kind)
{
	const machine_t *m = c->m;
	int src = l->owner >= 0 ? l->owner : (l->ncopies > 0 ? l->last : -1);
	bool dirty = l->owner >= 0 && l->owner != cpu;

	if (!dirty && llc_holds(c, cpu, idx, l)) {
		charge(pay, COST_LLC, m->llc);
		COUNT(c, kind, llc_hits, 1);
		return;
	}
	if (src >= 0 && src != cpu) {
		bool same_socket = m->cpu_socket[src] == m->cpu_socket[cpu];
		if (same_socket)
			charge(pay, dirty ? COST_XFER_SOCKET : COST_LLC, dirty ? m->xfer_socket : m->llc);
		else
			charge(pay, COST_XFER_REMOTE, machine_xfer_price(m, src, cpu));
		if (m->cpu_node[src] == m->cpu_node[cpu])
			COUNT(c, kind, transfers_same_node, 1);
		else
			COUNT(c, kind, transfers_remote_node, 1);
		return;
	}
	int home = mem_home_node(c->mem, a);
	if (home == m->cpu_node[cpu]) {
		charge(pay, COST_MEM_LOCAL, m->mem_local);
		COUNT(c, kind, memory_local, 1);
	} else {
		charge(pay, COST_MEM_REMOTE, machine_mem_price(m, cpu, home));
		COUNT(c, kind, memory_remote, 1);
	}
}

/* After a fill or a store by cpu: an inclusive LLC holds the line too. */
static void include(coh_t *c, int cpu, uint64_t idx, const line_t *l)
{
	if (c->llc && c->m->llc_inclusive)
		llc_fill(c, c->scope_of[cpu], idx, l->version);
}

static void access_line(coh_t *c, int cpu, saddr_t a, enum coh_op op, bool pay, enum coh_kind kind)
{
	const machine_t *m = c->m;
	uint64_t idx = mem_line(c->mem, a);
	line_t *l = dir_line(c, idx);
	cache_t *k = &c->priv[cpu];
	way_t *set = cache_set(k, idx);
	way_t *w = set_lookup(k, set, idx);
	bool valid = w && w->version == l->version;

	COUNT(c, kind, accesses, 1);
	if (op == COH_READ) {
		if (valid) {
			charge(pay, COST_HIT, m->hit);
			COUNT(c, kind, hits, 1);
			return;
		}
		fetch(c, cpu, l, idx, a, pay, kind);
		if (l->owner >= 0 && l->owner != cpu)
			l->owner = -1;                 /* Modified -> Shared */
		if (!w)
			w = private_slot(c, cpu, set);
		w->tag = idx + 1;
		w->version = l->version;
		l->ncopies++;
		l->last = cpu;
		include(c, cpu, idx, l);
		return;
	}

	/* Store or atomic: end with the only valid copy, Modified. */
	if (valid && l->owner == cpu) {
		charge(pay, COST_HIT, m->hit);
		COUNT(c, kind, hits, 1);
	} else {
		uint32_t others = l->ncopies - (valid ? 1 : 0);
		if (valid)
			charge(pay, COST_HIT, m->hit);      /* an upgrade: not counted a hit */
		else
			fetch(c, cpu, l, idx, a, pay, kind);
		if (others) {
			charge(pay, COST_INVAL, m->inval * others);
			COUNT(c, kind, invalidations, others);
		}
		l->version++;
		l->ncopies = 1;
		l->owner = cpu;
		l->last = cpu;
		if (!w)
			w = private_slot(c, cpu, set);
		w->tag = idx + 1;
		w->version = l->version;
		include(c, cpu, idx, l);
	}
	if (op == COH_RMW)
		charge(pay, COST_ATOMIC, m->rmw);
}

/* What memory at a holds: struct page entries, metadata, or objects. */
static enum coh_kind kind_of(const coh_t *c, saddr_t a)
{
	if (a < c->mem->ram_end)
		return COH_OBJECT;
	return a < c->mem->memmap_end ? COH_PAGE : COH_METADATA;
}

void coh_access_kind(coh_t *c, saddr_t a, uint32_t len, enum coh_op op, enum coh_kind kind)
{
	int cpu = engine_current()->id;
	uint64_t mask = (uint64_t)c->m->cache_line - 1;
	saddr_t first = a & ~mask;
	saddr_t last = (a + (len ? len : 1) - 1) & ~mask;

	for (saddr_t line = first; line <= last; line += c->m->cache_line)
		access_line(c, cpu, line, op, true, kind);
}

void coh_access(coh_t *c, saddr_t a, uint32_t len, enum coh_op op)
{
	coh_access_kind(c, a, len, op, kind_of(c, a));
}

void coh_access_as(coh_t *c, int cpu, saddr_t a, enum coh_op op, enum coh_kind kind)
{
	access_line(c, cpu, a & ~((saddr_t)c->m->cache_line - 1), op, false, kind);
}

const coh_stats_t *coh_stats(const coh_t *c)
{
	return &c->st;
}

/* ---- life cycle ---- */

/* One LLC per socket, or per node; each knows the CPUs it serves. */
static void llc_init(coh_t *c)
{
	const machine_t *m = c->m;

	c->scope_of = g_new(int, m->ncpus);
	c->nscopes = m->llc_per_node ? m->nnodes : m->nsockets;
	c->llc = g_new0(cache_t, c->nscopes);
	c->scope_cpus = g_new(GArray *, c->nscopes);
	for (int s = 0; s < c->nscopes; s++) {
		cache_init(&c->llc[s], m->llc_lines, m->llc_ways);
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
	c->ntop = (mem_total_lines(mem) >> (LEAF_SHIFT + MID_SHIFT)) + 1;
	c->top = g_new0(line_t **, c->ntop);
	c->priv = g_new0(cache_t, m->ncpus);
	for (int i = 0; i < m->ncpus; i++)
		cache_init(&c->priv[i], m->cache_lines, m->cache_ways);
	if (m->llc_lines)
		llc_init(c);
	return c;
}

void coh_free(coh_t *c)
{
	if (!c)
		return;
	for (uint64_t i = 0; i < c->ntop; i++) {
		if (!c->top[i])
			continue;
		for (uint32_t j = 0; j < MID_LEAVES; j++)
			g_free(c->top[i][j]);
		g_free(c->top[i]);
	}
	g_free(c->top);
	for (int i = 0; i < c->m->ncpus; i++)
		cache_fini(&c->priv[i]);
	g_free(c->priv);
	for (int s = 0; c->llc && s < c->nscopes; s++) {
		cache_fini(&c->llc[s]);
		g_array_free(c->scope_cpus[s], TRUE);
	}
	g_free(c->llc);
	g_free(c->scope_cpus);
	g_free(c->scope_of);
	g_free(c);
}
