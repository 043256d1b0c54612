/*
 * coherence.c -- directory plus per-CPU private caches.
 *
 * The directory is a three-level radix over line indexes, with leaves
 * allocated on first touch, so only lines that are used cost host memory.
 */
#include <glib.h>
#include "coherence.h"
#include "engine.h"

#define LEAF_SHIFT 8                    /* 256 lines per leaf */
#define MID_SHIFT  12                   /* 4096 leaves per mid */
#define LEAF_LINES (1u << LEAF_SHIFT)
#define MID_LEAVES (1u << MID_SHIFT)

typedef struct line {
	uint32_t version;    /* bumped by every store */
	int32_t owner;       /* CPU holding it Modified, -1 if none */
	uint32_t ncopies;    /* valid cached copies, owner included */
	int32_t last;        /* CPU that last filled it, -1 if none */
} line_t;

typedef struct way {
	uint64_t tag;        /* line index + 1; 0 = empty */
	uint32_t version;
} way_t;

typedef struct cpu_cache {
	way_t *ways;         /* nsets * assoc, most recent first within a set */
} cpu_cache_t;

struct coh {
	const machine_t *m;
	const memory_t *mem;
	line_t ***top;
	uint64_t ntop;
	cpu_cache_t *caches; /* [ncpus], ways allocated on first access */
	uint32_t nsets;      /* power of two */
	uint32_t assoc;
	coh_stats_t st;
};

coh_t *coh_new(const machine_t *m, const memory_t *mem)
{
	coh_t *c = g_new0(coh_t, 1);
	uint32_t sets = (uint32_t)(m->cache_lines / m->cache_ways);

	c->m = m;
	c->mem = mem;
	c->ntop = (mem_total_lines(mem) >> (LEAF_SHIFT + MID_SHIFT)) + 1;
	c->top = g_new0(line_t **, c->ntop);
	c->caches = g_new0(cpu_cache_t, m->ncpus);
	c->assoc = (uint32_t)m->cache_ways;
	c->nsets = 1;
	while (c->nsets * 2 <= sets)
		c->nsets *= 2;
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
		g_free(c->caches[i].ways);
	g_free(c->caches);
	g_free(c);
}

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

static way_t *cache_set(coh_t *c, int cpu, uint64_t idx)
{
	cpu_cache_t *cc = &c->caches[cpu];
	uint64_t h = idx ^ (idx >> 17);

	if (G_UNLIKELY(!cc->ways))
		cc->ways = g_new0(way_t, (size_t)c->nsets * c->assoc);
	return &cc->ways[(h & (c->nsets - 1)) * c->assoc];
}

/* Find idx in its set; move it to the front.  Returns its way or NULL. */
static way_t *cache_lookup(coh_t *c, way_t *set, uint64_t idx)
{
	for (uint32_t w = 0; w < c->assoc; w++) {
		if (set[w].tag == idx + 1) {
			way_t hit = set[w];
			memmove(&set[1], &set[0], w * sizeof(way_t));
			set[0] = hit;
			return &set[0];
		}
	}
	return NULL;
}

/* Insert idx at the front of its set, evicting the least recent way. */
static way_t *cache_insert(coh_t *c, int cpu, way_t *set)
{
	way_t *victim = &set[c->assoc - 1];

	if (victim->tag) {
		line_t *vl = dir_line(c, victim->tag - 1);
		if (vl->version == victim->version) {
			vl->ncopies--;
			if (vl->owner == cpu)
				vl->owner = -1;        /* written back */
		}
	}
	memmove(&set[1], &set[0], (c->assoc - 1) * sizeof(way_t));
	return &set[0];
}

/* Price fetching a line this CPU does not hold validly. */
static void fetch(coh_t *c, int cpu, line_t *l, saddr_t a)
{
	const machine_t *m = c->m;
	int src = l->owner >= 0 ? l->owner : (l->ncopies > 0 ? l->last : -1);

	if (src >= 0 && src != cpu) {
		bool same_socket = m->cpu_socket[src] == m->cpu_socket[cpu];
		bool same_node = m->cpu_node[src] == m->cpu_node[cpu];
		if (same_socket)
			engine_charge(l->owner >= 0 ? COST_XFER_SOCKET : COST_LLC,
			              l->owner >= 0 ? m->xfer_socket : m->llc);
		else
			engine_charge(COST_XFER_REMOTE, machine_xfer_price(m, src, cpu));
		if (same_node)
			c->st.transfers_same_node++;
		else
			c->st.transfers_remote_node++;
		return;
	}
	int home = mem_home_node(c->mem, a);
	if (home == m->cpu_node[cpu]) {
		engine_charge(COST_MEM_LOCAL, m->mem_local);
		c->st.memory_local++;
	} else {
		engine_charge(COST_MEM_REMOTE, machine_mem_price(m, cpu, home));
		c->st.memory_remote++;
	}
}

static void access_line(coh_t *c, int cpu, saddr_t a, enum coh_op op)
{
	const machine_t *m = c->m;
	uint64_t idx = mem_line(c->mem, a);
	line_t *l = dir_line(c, idx);
	way_t *set = cache_set(c, cpu, idx);
	way_t *w = cache_lookup(c, set, idx);
	bool valid = w && w->version == l->version;

	c->st.accesses++;
	if (op == COH_READ) {
		if (valid) {
			engine_charge(COST_HIT, m->hit);
			c->st.hits++;
			return;
		}
		fetch(c, cpu, l, a);
		if (l->owner >= 0 && l->owner != cpu)
			l->owner = -1;                 /* Modified -> Shared */
		if (!w)
			w = cache_insert(c, cpu, set);
		w->tag = idx + 1;
		w->version = l->version;
		l->ncopies++;
		l->last = cpu;
		return;
	}

	/* Store or atomic: end with the only valid copy, Modified. */
	if (valid && l->owner == cpu) {
		engine_charge(COST_HIT, m->hit);
		c->st.hits++;
	} else {
		uint32_t others = l->ncopies - (valid ? 1 : 0);
		if (valid)
			engine_charge(COST_HIT, m->hit);
		else
			fetch(c, cpu, l, a);
		if (others) {
			engine_charge(COST_INVAL, m->inval * others);
			c->st.invalidations += others;
		}
		l->version++;
		l->ncopies = 1;
		l->owner = cpu;
		l->last = cpu;
		if (!w)
			w = cache_insert(c, cpu, set);
		w->tag = idx + 1;
		w->version = l->version;
	}
	if (op == COH_RMW)
		engine_charge(COST_ATOMIC, m->rmw);
}

void coh_access(coh_t *c, saddr_t a, uint32_t len, enum coh_op op)
{
	int cpu = engine_current()->id;
	uint64_t mask = (uint64_t)c->m->cache_line - 1;
	saddr_t first = a & ~mask;
	saddr_t last = (a + (len ? len : 1) - 1) & ~mask;

	for (saddr_t line = first; line <= last; line += c->m->cache_line)
		access_line(c, cpu, line, op);
}

const coh_stats_t *coh_stats(const coh_t *c)
{
	return &c->st;
}
