/*
 * pagealloc.c -- struct page and the per-node buddy allocator of 2.6.29.
 *
 * One zone per node, node n owning pfns [n*pages_per_node, (n+1)*...).
 * A zone keeps free blocks on per-order lists (PG_buddy and the order on
 * the head page, linked through page->lru) under zone->lock; allocation
 * splits the smallest block that fits and puts the upper halves back,
 * freeing merges with the buddy (pfn ^ 2^order, relative to the zone) while
 * it is a free block of the same order.  Order-0 pages go through
 * per_cpu_pages lists, one per (CPU, zone), made on first use: an empty
 * list is refilled with `batch` pages under zone->lock, a list reaching
 * `high` gives `batch` pages from its tail back (kernel-params D).
 *
 * Pricing (on engine_current()): irq save/restore around every zone
 * operation, zone->lock as a spinlock at a META address of the zone's node,
 * and a write to the struct page of every page whose links change, plus
 * the list head (free_area[order] or the pcp struct, one line each in the
 * META window) on every add and delete.  Setting up compound tails is host
 * bookkeeping and free.  Init and the read-only queries price nothing.
 *
 * Mobility (2.6.24+ anti-fragmentation, include/linux/pageblock-flags.h,
 * mm/page_alloc.c): the zone is cut into page blocks of 2^pageblock_order
 * pages, pageblock_order = HUGETLB_PAGE_ORDER (2 MiB huge pages, order 9
 * with 4 KiB pages) where that is below MAX_ORDER, else MAX_ORDER - 1.
 * Each block has a migratetype; each order one free list per type; the
 * gfp bits choose the type (allocflags_to_migratetype).  __rmqueue tries
 * the type's own lists smallest first, then __rmqueue_fallback takes the
 * LARGEST free block of the fallback types (fallbacks[] of 2.6.24) and,
 * when that block is at least half a page block or the request is
 * reclaimable, moves the block's free pages to the requested type and
 * converts the block if that moved at least half of it.  A free goes to
 * the list of its page block's type.  pcp lists hold pages of every type,
 * each tagged (page->mt); an allocation takes the first page of its type
 * and refills `batch` pages of that type if there is none (2.6.29).
 * Deviation: boot marks every block UNMOVABLE, not MOVABLE, so that runs
 * using only GFP_KERNEL place pages exactly as the buddy allocator without
 * mobility; RECLAIMABLE and MOVABLE requests steal from them.  No
 * MIGRATE_RESERVE, no MIGRATE_ISOLATE.
 *
 * Node choice: a per-node zonelist (the node itself, then the others as
 * 2.6.29's find_next_best_node ranks them; build_zonelists), which pa_zonelist lends to
 * the slab allocators' node fallbacks.  The memory limit and injected failures are
 * checked once per call, before any zone is tried.
 */
#include "pagealloc.h"
#include "engine.h"

/* A list whose head, and the counter beside it (nr_free, count), live on
 * the line at a simulated address: every add and delete writes that line. */
typedef struct plist {
	klist_t head;
	saddr_t addr;
} plist_t;

/* One free list per migratetype, all heads on the order's line. */
typedef struct free_area {
	plist_t list[MIGRATE_TYPES];
	uint64_t nr_free;            /* blocks of this order, all types */
} free_area_t;

/* 2.6.29 per_cpu_pages. */
typedef struct pcp {
	plist_t list;                /* addr: the struct, on the CPU's node */
	int count, high, batch;
} pcp_t;

typedef struct zone {
	int node;
	uint64_t start_pfn;
	uint64_t present;
	spinlock_t lock;
	saddr_t lock_addr;
	free_area_t area[PA_MAX_ORDER];
	uint64_t pcp_pages;          /* this zone's pages on any pcp list */
	uint64_t in_use;             /* pages handed out from this zone */
	uint64_t meta;               /* pages set aside for kernel metadata */
	int batch, high;
	int *zonelist;               /* [nnodes]: fallback order */
	uint8_t *block_mt;           /* [nblocks]: pageblock migratetype */
	uint64_t nblocks;
} zone_t;

struct pa {
	const machine_t *m;
	memory_t *mem;
	coh_t *coh;
	lock_class_t *zone_lock;
	pa_config_t cfg;
	uint64_t rng;                /* splitmix64 state, failure injection */
	uint64_t layout_rng;         /* splitmix64 state, the layout at boot */
	uint64_t committed;          /* pages in use plus requests in flight */
	page_t *pages;               /* [total_pages] */
	zone_t *zones;               /* [nnodes] */
	pcp_t ***pcp;                /* [ncpus][nnodes], made on first use */
	saddr_t *pageset;            /* [ncpus]: each CPU's per_cpu_pageset array */
	unsigned pb_order;           /* pageblock_order */
	pa_stats_t stats;
};

/* ---- set-up ---- */

/* The kernel's fls() for x > 0: the 1-based index of the top set bit. */
static int fls_uint(unsigned x)
{
	return 32 - __builtin_clz(x);
}

/* zone_batchsize() and setup_pageset() of 2.6.29. */
static void zone_batch(zone_t *z, const machine_t *m)
{
	uint64_t cap = (512 * 1024) >> m->page_shift;
	unsigned b = (unsigned)(z->present / 1024 < cap ? z->present / 1024 : cap);

	b /= 4;
	if (b < 1)
		b = 1;
	b = (1u << (fls_uint(b + b / 2) - 1)) - 1;
	z->high = 6 * (int)b;
	z->batch = b > 1 ? (int)b : 1;
}

/* Node order of one zonelist, as 2.6.29's find_next_best_node ranks the
 * nodes: the local node first, then by SLIT distance, a node below the
 * local one one step further ("prefer the next node"), a node with CPUs
 * one step further than a headless one, then the least loaded, then the
 * lowest id.  The load is build_zonelists' round-robin penalty: the first
 * node of each new distance group gets a load that falls as the list
 * grows, and loads carry over from one node's zonelist to the next, so
 * equally distant fallbacks are spread over the nodes instead of every
 * node trying node 0 first. */
typedef struct rank_ctx {
	const machine_t *m;
	int local;
	const int *load;
	const bool *has_cpus;
} rank_ctx_t;

static int rank_key(const rank_ctx_t *r, int n)
{
	return machine_node_distance(r->m, r->local, n) + (n < r->local) + r->has_cpus[n];
}

static gint rank_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const rank_ctx_t *r = data;
	int x = *(const int *)a, y = *(const int *)b;
	int kx = rank_key(r, x), ky = rank_key(r, y);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (r->load[x] != r->load[y])
		return r->load[x] < r->load[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Every zone's zonelist, in node order: the one fallback order of the run
 * (the page allocator's, and through pa_zonelist the slab allocators'). */
static void build_zonelists(pa_t *pa)
{
	const machine_t *m = pa->m;
	int *load = g_new0(int, m->nnodes);
	bool *has_cpus = g_new0(bool, m->nnodes);

	for (int c = 0; c < m->ncpus; c++)
		has_cpus[m->cpu_node[c]] = true;
	for (int local = 0; local < m->nnodes; local++) {
		rank_ctx_t r = { m, local, load, has_cpus };
		int *zl = pa->zones[local].zonelist = g_new(int, m->nnodes);
		int n = 0, left = m->nnodes, prev = local;

		zl[n++] = local;
		for (int b = 0; b < m->nnodes; b++)
			if (b != local)
				zl[n++] = b;
		/* Loads change only for nodes already placed, so one sort by the
		 * loads as they stand is find_next_best_node's repeated pick. */
		g_qsort_with_data(zl + 1, m->nnodes - 1, sizeof(int), rank_cmp, &r);
		for (int i = 0; i < m->nnodes; i++, left--) {
			if (machine_node_distance(m, local, zl[i]) != machine_node_distance(m, local, prev))
				load[zl[i]] = left;
			prev = zl[i];
		}
	}
	g_free(load);
	g_free(has_cpus);
}

static void plist_init(plist_t *pl, saddr_t addr)
{
	klist_init(&pl->head);
	pl->addr = addr;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Put one free block of the zone on its free list (boot: only the head
 * page is written, nothing is priced). */
static void zone_fill_block(pa_t *pa, zone_t *z, uint64_t off, unsigned order)
{
	page_t *page = &pa->pages[z->start_pfn + off];

	page->flags = PG_buddy;
	page->order = (uint8_t)order;
	page->mt = MIGRATE_UNMOVABLE;
	klist_add_tail(&page->lru, &z->area[order].list[MIGRATE_UNMOVABLE].head);
	z->area[order].nr_free++;
}

/* Put the zone's memory on the free lists in the largest aligned blocks.
 * Lowest pfn first; with layout noise (the machine's layout_noise) the
 * largest blocks go on their list in a seeded order instead, so which
 * physical pages a run gets, and the cache sets and struct page lines
 * they map to, change from seed to seed as from boot to boot. */
static void zone_fill(pa_t *pa, zone_t *z)
{
	uint64_t top = 1ULL << (PA_MAX_ORDER - 1), ntop = z->present / top, off = ntop * top;
	uint64_t *order = g_new(uint64_t, ntop + 1);

	for (uint64_t i = 0; i < ntop; i++)
		order[i] = i;
	for (uint64_t i = ntop; pa->m->layout_noise && i > 1; i--) {
		uint64_t j = splitmix64(&pa->layout_rng) % i, t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (uint64_t i = 0; i < ntop; i++)
		zone_fill_block(pa, z, order[i] * top, PA_MAX_ORDER - 1);
	g_free(order);
	while (off < z->present) {
		unsigned o = PA_MAX_ORDER - 1;
		while ((off & ((1ULL << o) - 1)) || off + (1ULL << o) > z->present)
			o--;
		zone_fill_block(pa, z, off, o);
		off += 1ULL << o;
	}
}

static void zone_init(pa_t *pa, zone_t *z, int node)
{
	saddr_t area;

	z->node = node;
	z->present = pa->mem->pages_per_node;
	z->start_pfn = (uint64_t)node * z->present;
	spin_init(&z->lock);
	z->lock_addr = mem_meta_reserve(pa->mem, node, 64, 64);
	area = mem_meta_reserve(pa->mem, node, PA_MAX_ORDER * 64, 64);
	for (int o = 0; o < PA_MAX_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			plist_init(&z->area[o].list[mt], area + (saddr_t)o * 64);
	z->nblocks = (z->present + (1ULL << pa->pb_order) - 1) >> pa->pb_order;
	z->block_mt = g_new0(uint8_t, z->nblocks);      /* MIGRATE_UNMOVABLE */
	zone_batch(z, pa->m);
	zone_fill(pa, z);
}

/* pageblock_order: HUGETLB_PAGE_ORDER (2 MiB) if below MAX_ORDER, else
 * MAX_ORDER - 1. */
static unsigned pageblock_order_for(int page_shift)
{
	int hpage = 21 - page_shift;

	return hpage >= 0 && hpage < PA_MAX_ORDER ? (unsigned)hpage : PA_MAX_ORDER - 1;
}

/* Build the page allocator over mem: every page free, no pcp list yet. */
pa_t *pa_new(const machine_t *m, memory_t *mem, coh_t *coh,
             lock_registry_t *locks, const pa_config_t *cfg)
{
	pa_t *pa = g_new0(pa_t, 1);

	pa->m = m;
	pa->mem = mem;
	pa->coh = coh;
	pa->zone_lock = lock_class(locks, "zone.lock");
	pa->cfg = *cfg;
	pa->rng = cfg->seed;
	pa->layout_rng = cfg->seed ^ 0x6c61796f7574ULL;     /* "layout" */
	pa->pages = g_new0(page_t, mem->total_pages);
	pa->zones = g_new0(zone_t, m->nnodes);
	pa->pcp = g_new0(pcp_t **, m->ncpus);
	pa->pageset = g_new(saddr_t, m->ncpus);
	for (int c = 0; c < m->ncpus; c++)
		pa->pageset[c] = mem_meta_reserve(mem, m->cpu_node[c],
		                                  (uint64_t)m->nnodes * PA_PAGESET_SIZE, 64);
	pa->pb_order = pageblock_order_for(m->page_shift);
	for (int n = 0; n < m->nnodes; n++)
		zone_init(pa, &pa->zones[n], n);
	build_zonelists(pa);
	return pa;
}

/* Free every host allocation of pa (pages in use need not be returned). */
void pa_free(pa_t *pa)
{
	if (!pa)
		return;
	for (int c = 0; c < pa->m->ncpus; c++) {
		if (!pa->pcp[c])
			continue;
		for (int n = 0; n < pa->m->nnodes; n++)
			g_free(pa->pcp[c][n]);
		g_free(pa->pcp[c]);
	}
	for (int n = 0; n < pa->m->nnodes; n++) {
		spin_destroy(&pa->zones[n].lock);
		g_free(pa->zones[n].zonelist);
		g_free(pa->zones[n].block_mt);
	}
	g_free(pa->pcp);
	g_free(pa->pageset);
	g_free(pa->zones);
	g_free(pa->pages);
	g_free(pa);
}

/* ---- priced primitives ---- */

/* An access to a modelled structure, priced unless the page allocator has
 * no coherence model (the native backend's). */
static void price(const pa_t *pa, saddr_t a, uint32_t len, enum coh_op op)
{
	if (pa->coh)
		coh_access(pa->coh, a, len, op);
}

static void irq_off(const pa_t *pa)
{
	engine_charge(COST_IRQ, pa->m->irq / 2);
}

static void irq_on(const pa_t *pa)
{
	engine_charge(COST_IRQ, pa->m->irq - pa->m->irq / 2);
	engine_sync();
}

static void zone_lock(pa_t *pa, zone_t *z)
{
	spin_lock(&z->lock, pa->zone_lock, z->lock_addr);
}

static void zone_unlock(pa_t *pa, zone_t *z)
{
	spin_unlock(&z->lock, pa->zone_lock, z->lock_addr);
}

static page_t *lru_page(klist_t *l)
{
	return klist_entry(l, page_t, lru);
}

/* Price the link change of a neighbour that is a page (the head is
 * priced by the caller). */
static void touch_neighbour(pa_t *pa, plist_t *pl, klist_t *l)
{
	if (l != &pl->head)
		pa_touch_page(pa, lru_page(l), true);
}

/* Link page between prev and next of pl, pricing every line written. */
static void plist_insert(pa_t *pa, plist_t *pl, page_t *page, klist_t *prev)
{
	klist_t *next = prev->next;

	price(pa, pl->addr, sizeof(klist_t), COH_WRITE);
	touch_neighbour(pa, pl, prev);
	if (next != prev)
		touch_neighbour(pa, pl, next);
	pa_touch_page(pa, page, true);
	klist_insert(&page->lru, prev, next);
}

static void plist_add(pa_t *pa, plist_t *pl, page_t *page)
{
	plist_insert(pa, pl, page, &pl->head);
}

static void plist_add_tail(pa_t *pa, plist_t *pl, page_t *page)
{
	plist_insert(pa, pl, page, pl->head.prev);
}

static void plist_del(pa_t *pa, plist_t *pl, page_t *page)
{
	price(pa, pl->addr, sizeof(klist_t), COH_WRITE);
	touch_neighbour(pa, pl, page->lru.prev);
	if (page->lru.next != page->lru.prev)
		touch_neighbour(pa, pl, page->lru.next);
	pa_touch_page(pa, page, true);
	klist_del(&page->lru);
}

/* ---- the buddy allocator (zone->lock held) ---- */

static uint64_t zone_idx(pa_t *pa, const zone_t *z, const page_t *page)
{
	return pa_page_to_pfn(pa, page) - z->start_pfn;
}

/* get_pageblock_migratetype() (host bitmap, not priced). */
static int block_mt(pa_t *pa, const zone_t *z, const page_t *page)
{
	return z->block_mt[zone_idx(pa, z, page) >> pa->pb_order];
}

/* set_pageblock_migratetype() for every block [page, page + 2^order)
 * covers (at least the one it starts in), counting the conversions. */
static void set_block_mt(pa_t *pa, zone_t *z, const page_t *page, unsigned order, int mt)
{
	uint64_t first = zone_idx(pa, z, page) >> pa->pb_order;
	uint64_t n = order > pa->pb_order ? 1ULL << (order - pa->pb_order) : 1;

	for (uint64_t b = first; b < first + n && b < z->nblocks; b++) {
		pa->stats.blocks_converted += z->block_mt[b] != mt;
		z->block_mt[b] = (uint8_t)mt;
	}
}

static void area_add(pa_t *pa, zone_t *z, page_t *page, unsigned order, int mt)
{
	page->flags |= PG_buddy;
	page->order = (uint8_t)order;
	page->mt = (uint8_t)mt;
	plist_add(pa, &z->area[order].list[mt], page);
	z->area[order].nr_free++;
}

static void area_del(pa_t *pa, zone_t *z, page_t *page, unsigned order)
{
	plist_del(pa, &z->area[order].list[page->mt], page);
	page->flags &= ~PG_buddy;
	page->order = 0;
	z->area[order].nr_free--;
}

/* Give the upper halves of a block of order `high` back down to `low`. */
static void expand(pa_t *pa, zone_t *z, page_t *page, unsigned low, unsigned high, int mt)
{
	while (high > low) {
		high--;
		area_add(pa, z, page + (1ULL << high), high, mt);
	}
}

/* __rmqueue_smallest: the first block of the smallest order that fits. */
static page_t *rmqueue_smallest(pa_t *pa, zone_t *z, unsigned order, int mt)
{
	for (unsigned o = order; o < PA_MAX_ORDER; o++) {
		page_t *page;

		if (klist_empty(&z->area[o].list[mt].head))
			continue;
		page = lru_page(z->area[o].list[mt].head.next);
		area_del(pa, z, page, o);
		expand(pa, z, page, order, o, mt);
		return page;
	}
	return NULL;
}

/* move_freepages_block(): put the free buddy blocks starting in page's
 * page block on mt's lists, reading every struct page on the way; returns
 * the pages moved. */
static uint64_t move_freepages_block(pa_t *pa, zone_t *z, page_t *page, int mt)
{
	uint64_t start = zone_idx(pa, z, page) & ~((1ULL << pa->pb_order) - 1);
	uint64_t end = MIN(start + (1ULL << pa->pb_order), z->present), moved = 0;

	for (uint64_t i = start; i < end;) {
		page_t *p = &pa->pages[z->start_pfn + i];
		unsigned o;

		pa_touch_page(pa, p, false);
		if (!(page_flags(p) & PG_buddy)) {
			i++;
			continue;
		}
		o = p->order;
		area_del(pa, z, p, o);
		area_add(pa, z, p, o, mt);
		moved += 1ULL << o;
		i += 1ULL << o;
	}
	return moved;
}

/* fallbacks[] of 2.6.24 (without MIGRATE_RESERVE). */
static const int fallbacks[MIGRATE_TYPES][MIGRATE_TYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
};

/* Steal for start_mt the free block at page (order o, another type's):
 * returns the type whose lists get the split-off remainder. */
static int steal_block(pa_t *pa, zone_t *z, page_t *page, unsigned o, int start_mt)
{
	pa->stats.steals++;
	if (o < pa->pb_order / 2 && start_mt != MIGRATE_RECLAIMABLE)
		return page->mt;
	if (move_freepages_block(pa, z, page, start_mt) >= 1ULL << (pa->pb_order - 1))
		set_block_mt(pa, z, page, 0, start_mt);
	return start_mt;
}

/* __rmqueue_fallback: the largest block of another type, stolen. */
static page_t *rmqueue_fallback(pa_t *pa, zone_t *z, unsigned order, int start_mt)
{
	for (unsigned o = PA_MAX_ORDER; o-- > order;) {
		for (int i = 0; i < MIGRATE_TYPES - 1; i++) {
			plist_t *pl = &z->area[o].list[fallbacks[start_mt][i]];
			page_t *page;
			int mt;

			if (klist_empty(&pl->head))
				continue;
			page = lru_page(pl->head.next);
			mt = steal_block(pa, z, page, o, start_mt);
			area_del(pa, z, page, o);
			if (o >= pa->pb_order)
				set_block_mt(pa, z, page, o, start_mt);
			expand(pa, z, page, order, o, mt);
			return page;
		}
	}
	return NULL;
}

/* __rmqueue: the type's own lists, then another type's. */
static page_t *rmqueue(pa_t *pa, zone_t *z, unsigned order, int mt)
{
	page_t *page = rmqueue_smallest(pa, z, order, mt);

	return page ? page : rmqueue_fallback(pa, z, order, mt);
}

/* The buddy of the block at zone offset idx if it is free with `order`
 * (reading its struct page is priced either way). */
static page_t *free_buddy(pa_t *pa, zone_t *z, uint64_t idx, unsigned order)
{
	uint64_t bidx = idx ^ (1ULL << order);
	page_t *buddy;

	if (bidx >= z->present)
		return NULL;
	buddy = &pa->pages[z->start_pfn + bidx];
	pa_touch_page(pa, buddy, false);
	if (!(page_flags(buddy) & PG_buddy) || buddy->order != order)
		return NULL;
	return buddy;
}

/* __free_one_page: merge with free buddies, then list the result on the
 * list of the page block's type. */
static void free_one(pa_t *pa, zone_t *z, page_t *page, unsigned order)
{
	uint64_t idx = pa_page_to_pfn(pa, page) - z->start_pfn;
	int mt = block_mt(pa, z, page);
	page_t *buddy;

	while (order < PA_MAX_ORDER - 1 && (buddy = free_buddy(pa, z, idx, order))) {
		area_del(pa, z, buddy, order);
		idx &= ~(1ULL << order);
		order++;
	}
	area_add(pa, z, &pa->pages[z->start_pfn + idx], order, mt);
}

/* An allocation of order > 0: always the buddy lists. */
static page_t *buddy_alloc(pa_t *pa, zone_t *z, unsigned order, int mt)
{
	page_t *page;

	irq_off(pa);
	zone_lock(pa, z);
	page = rmqueue(pa, z, order, mt);
	zone_unlock(pa, z);
	irq_on(pa);
	return page;
}

static void buddy_free(pa_t *pa, zone_t *z, page_t *page, unsigned order)
{
	irq_off(pa);
	zone_lock(pa, z);
	free_one(pa, z, page, order);
	zone_unlock(pa, z);
	irq_on(pa);
}

/* ---- per-CPU order-0 lists (irqs off) ---- */

static const pcp_t *pcp_peek(const pa_t *pa, int cpu, int node)
{
	return pa->pcp[cpu] ? pa->pcp[cpu][node] : NULL;
}

/* This CPU's list for zone z, made on first use, in the CPU's
 * per_cpu_pageset for the zone. */
static pcp_t *pcp_get(pa_t *pa, zone_t *z)
{
	cpu_t *c = engine_current();
	pcp_t *p;

	if (!pa->pcp[c->id])
		pa->pcp[c->id] = g_new0(pcp_t *, pa->m->nnodes);
	p = pa->pcp[c->id][z->node];
	if (!p) {
		p = g_new0(pcp_t, 1);
		plist_init(&p->list, pa_pageset_addr(pa, c->id, z->node));
		p->high = z->high;
		p->batch = z->batch;
		pa->pcp[c->id][z->node] = p;
	}
	return p;
}

/* rmqueue_bulk: up to `batch` pages of type mt, listed head to tail in
 * the order the buddy lists hand them out; with layout noise, in a seeded
 * order instead: on a machine that has run a while a CPU's list holds
 * pages in the order they were last freed, not in address order. */
static void pcp_refill(pa_t *pa, zone_t *z, pcp_t *p, int mt)
{
	page_t *got[p->batch];
	int n = 0;

	zone_lock(pa, z);
	while (n < p->batch && (got[n] = rmqueue(pa, z, 0, mt)))
		n++;
	for (int i = n; pa->m->layout_noise && i > 1; i--) {
		int j = (int)(splitmix64(&pa->layout_rng) % (uint64_t)i);
		page_t *t = got[i - 1];
		got[i - 1] = got[j];
		got[j] = t;
	}
	for (int i = 0; i < n; i++) {
		got[i]->flags |= PG_pcp;
		got[i]->mt = (uint8_t)mt;
		plist_add_tail(pa, &p->list, got[i]);
	}
	p->count += n;
	z->pcp_pages += (uint64_t)n;
	zone_unlock(pa, z);
	pa->stats.pcp_refills++;
}

static void pcp_take_page(pa_t *pa, zone_t *z, pcp_t *p, page_t *page)
{
	plist_del(pa, &p->list, page);
	page->flags &= ~PG_pcp;
	p->count--;
	z->pcp_pages--;
}

static page_t *pcp_take(pa_t *pa, zone_t *z, pcp_t *p, bool cold)
{
	page_t *page = lru_page(cold ? p->list.head.prev : p->list.head.next);

	pcp_take_page(pa, z, p, page);
	return page;
}

/* The first page of type mt from the head (hot) or the tail (cold),
 * reading the struct page of every other page passed; NULL if none. */
static page_t *pcp_find(pa_t *pa, pcp_t *p, int mt, bool cold)
{
	klist_t *l = cold ? p->list.head.prev : p->list.head.next;

	for (; l != &p->list.head; l = cold ? l->prev : l->next) {
		page_t *page = lru_page(l);

		if (page->mt == mt)
			return page;
		pa_touch_page(pa, page, false);
	}
	return NULL;
}

/* free_pages_bulk: `batch` pages from the tail back to the buddy lists. */
static void pcp_drain(pa_t *pa, zone_t *z, pcp_t *p)
{
	zone_lock(pa, z);
	for (int i = 0; i < p->batch && p->count > 0; i++)
		free_one(pa, z, pcp_take(pa, z, p, true), 0);
	zone_unlock(pa, z);
	pa->stats.pcp_drains++;
}

static page_t *pcp_alloc(pa_t *pa, zone_t *z, gfp_t gfp)
{
	page_t *page = NULL;
	pcp_t *p;

	int mt = gfp_migratetype(gfp);
	bool cold = gfp & __GFP_COLD;

	irq_off(pa);
	p = pcp_get(pa, z);
	price(pa, p->list.addr, sizeof(p->count), COH_READ);
	page = pcp_find(pa, p, mt, cold);
	if (!page) {
		pcp_refill(pa, z, p, mt);
		page = pcp_find(pa, p, mt, cold);
	}
	if (page)
		pcp_take_page(pa, z, p, page);
	irq_on(pa);
	return page;
}

/* free_hot_cold_page: a hot page goes to the head. */
static void pcp_free(pa_t *pa, zone_t *z, page_t *page)
{
	pcp_t *p;

	irq_off(pa);
	p = pcp_get(pa, z);
	page->flags |= PG_pcp;
	page->mt = (uint8_t)block_mt(pa, z, page);
	plist_add(pa, &p->list, page);
	p->count++;
	z->pcp_pages++;
	if (p->count >= p->high)
		pcp_drain(pa, z, p);
	irq_on(pa);
}

/* ---- allocation and free ---- */

static bool injected_failure(pa_t *pa)
{
	return pa->cfg.fail_ppm && splitmix64(&pa->rng) % 1000000 < pa->cfg.fail_ppm;
}

/* Whether z could serve `order` for this CPU, judged without pricing. */
static bool zone_has(const pa_t *pa, const zone_t *z, unsigned order)
{
	if (z->in_use + z->meta + (1ULL << order) > z->present)
		return false;                   /* the rest is the kernel's metadata */
	if (order == 0) {
		const pcp_t *p = pcp_peek(pa, engine_current()->id, z->node);
		if (p && p->count)
			return true;
	}
	for (unsigned o = order; o < PA_MAX_ORDER; o++)
		if (z->area[o].nr_free)
			return true;
	return false;
}

/* prep_new_page: a clean page with one reference, compound if asked
 * (prep_compound_page writes every tail's struct page). */
static void prep_new_page(pa_t *pa, page_t *page, unsigned order, gfp_t gfp)
{
	bool comp = order > 0 && (gfp & __GFP_COMP);

	page->flags = comp ? PG_head : 0;
	page->order = comp ? (uint8_t)order : 0;
	page->count = 1;
	page->inuse = page->objects = 0;
	page->freelist = 0;
	page->slab = page->priv = NULL;
	page->first_page = NULL;
	for (uint64_t i = 1; comp && i < 1ULL << order; i++) {
		page[i].flags |= PG_tail;
		page[i].first_page = page;
		pa_touch_page(pa, &page[i], true);
	}
}

static page_t *alloc_failed(pa_t *pa)
{
	pa->stats.failures++;
	return NULL;
}

/* Try want's zonelist (only want itself under __GFP_THISNODE). */
static page_t *zonelist_alloc(pa_t *pa, int want, unsigned order, gfp_t gfp)
{
	const int *zonelist = pa->zones[want].zonelist;
	int tries = (gfp & __GFP_THISNODE) ? 1 : pa->m->nnodes;

	for (int i = 0; i < tries; i++) {
		zone_t *z = &pa->zones[zonelist[i]];
		page_t *page;

		if (!zone_has(pa, z, order))
			continue;
		page = order ? buddy_alloc(pa, z, order, gfp_migratetype(gfp)) :
		               pcp_alloc(pa, z, gfp);
		if (!page)
			continue;
		if (z->node != want)
			pa->stats.fallbacks++;
		return page;
	}
	return NULL;
}

/* node's zonelist: every node, node first (see pagealloc.h). */
const int *pa_zonelist(const pa_t *pa, int node)
{
	return pa->zones[node].zonelist;
}

/* Allocate 2^order pages on node (-1: this CPU's), trying the zonelist
 * unless __GFP_THISNODE; NULL on failure, limit or injected failure. */
page_t *pa_alloc(pa_t *pa, int node, unsigned order, gfp_t gfp)
{
	int want = node == -1 ? engine_current()->node : node;
	uint64_t n;
	page_t *page;

	engine_charge(COST_OP, pa->m->op);
	if (injected_failure(pa) || order >= PA_MAX_ORDER)
		return alloc_failed(pa);
	if (want < 0 || want >= pa->m->nnodes)
		g_error("pagealloc: allocation on node %d of %d", want, pa->m->nnodes);
	n = 1ULL << order;
	if (pa->cfg.limit_pages && pa->committed + n > pa->cfg.limit_pages)
		return alloc_failed(pa);
	pa->committed += n;     /* held across the lock waits below */
	page = zonelist_alloc(pa, want, order, gfp);
	if (!page) {
		pa->committed -= n;
		return alloc_failed(pa);
	}
	prep_new_page(pa, page, order, gfp);
	pa->stats.allocs_by_order[order]++;
	pa->stats.pages_in_use += n;
	pa->zones[pa_page_nid(pa, page)].in_use += n;
	if (pa->stats.pages_in_use > pa->stats.peak_pages_in_use)
		pa->stats.peak_pages_in_use = pa->stats.pages_in_use;
	return page;
}

/* Free a block from pa_alloc of the same order: order 0 to this CPU's
 * list for the page's zone, larger orders to the buddy lists. */
void pa_release(pa_t *pa, page_t *page, unsigned order)
{
	uint64_t pfn = pa_page_to_pfn(pa, page);
	zone_t *z = &pa->zones[mem_pfn_node(pa->mem, pfn)];

	if (page->count <= 0 || (page->flags & (PG_buddy | PG_pcp | PG_tail)) ||
	    order >= PA_MAX_ORDER || ((page->flags & PG_head) && page->order != order))
		g_error("pagealloc: bad free of pfn %" G_GUINT64_FORMAT " order %u",
		        pfn, order);
	engine_charge(COST_OP, pa->m->op);
	pa_touch_page(pa, page, true);      /* put_page_testzero */
	pa->stats.frees++;
	pa->stats.pages_in_use -= 1ULL << order;
	z->in_use -= 1ULL << order;
	pa->committed -= 1ULL << order;
	for (uint64_t i = 1; (page->flags & PG_head) && i < 1ULL << order; i++) {
		page[i].flags &= ~PG_tail;          /* destroy_compound_page */
		page[i].first_page = NULL;
		pa_touch_page(pa, &page[i], true);
	}
	page->flags &= ~PG_head;
	page->order = 0;
	page->count = 0;
	if (order)
		buddy_free(pa, z, page, order);
	else
		pcp_free(pa, z, page);
}

/* ---- queries (free of charge, except pa_touch_page) ---- */

/* The page_t of a pfn. */
page_t *pa_pfn_to_page(pa_t *pa, uint64_t pfn)
{
	return &pa->pages[pfn];
}

/* The pfn of a page_t. */
uint64_t pa_page_to_pfn(pa_t *pa, const page_t *page)
{
	return (uint64_t)(page - pa->pages);
}

/* CPU cpu's per_cpu_pageset of node's zone. */
saddr_t pa_pageset_addr(const pa_t *pa, int cpu, int node)
{
	return pa->pageset[cpu] + (saddr_t)node * PA_PAGESET_SIZE;
}

/* The simulated address of a page's first byte. */
saddr_t pa_page_address(pa_t *pa, const page_t *page)
{
	return mem_pfn_addr(pa->mem, pa_page_to_pfn(pa, page));
}

/* The page holding addr (its head if compound); NULL if addr is not RAM. */
page_t *pa_virt_to_page(pa_t *pa, saddr_t addr)
{
	page_t *page = pa_virt_to_pfn_page(pa, addr);

	return page && (page_flags(page) & PG_tail) ? page->first_page : page;
}

/* The struct page of addr's own page frame, a tail page included. */
page_t *pa_virt_to_pfn_page(pa_t *pa, saddr_t addr)
{
	return mem_is_ram(pa->mem, addr) ? &pa->pages[mem_pfn(pa->mem, addr)] : NULL;
}

/* The node a page belongs to. */
int pa_page_nid(pa_t *pa, const page_t *page)
{
	return mem_pfn_node(pa->mem, pa_page_to_pfn(pa, page));
}

/* Price reading or writing the struct page of `page` on the current CPU. */
void pa_touch_page(pa_t *pa, const page_t *page, bool write)
{
	price(pa, mem_page_struct_addr(pa->mem, pa_page_to_pfn(pa, page)), MEM_PAGE_STRUCT,
	      write ? COH_WRITE : COH_READ);
}

/* The allocator's counters. */
const pa_stats_t *pa_stats(const pa_t *pa)
{
	return &pa->stats;
}

/* Free pages of node's zone: its buddy blocks and its pages on pcp lists. */
uint64_t pa_free_pages(const pa_t *pa, int node)
{
	const zone_t *z = &pa->zones[node];
	uint64_t n = z->pcp_pages;

	for (int o = 0; o < PA_MAX_ORDER; o++)
		n += z->area[o].nr_free << o;
	return n - z->meta;
}

/* Set up to `pages` of node's zone aside for kernel metadata: capacity the
 * allocator no longer hands out (the pages stay on the free lists, their
 * placement not modelled; the memory limit, which bounds the pages handed
 * out, does not count them).  Returns the pages set aside. */
uint64_t pa_reserve_meta(pa_t *pa, int node, uint64_t pages)
{
	zone_t *z = &pa->zones[node];
	uint64_t room = z->present - MIN(z->present, z->in_use + z->meta);

	pages = MIN(pages, room);
	z->meta += pages;
	pa->stats.meta_pages += pages;
	return pages;
}

/* Pages handed out from `node` and not yet freed. */
uint64_t pa_meta_pages(const pa_t *pa, int node)
{
	return pa->zones[node].meta;
}

uint64_t pa_pages_in_use(const pa_t *pa, int node)
{
	return pa->zones[node].in_use;
}

/* pageblock_order: 2^order pages per page block. */
unsigned pa_pageblock_order(const pa_t *pa)
{
	return pa->pb_order;
}

/* Page blocks of node's zone. */
uint64_t pa_pageblocks(const pa_t *pa, int node)
{
	return pa->zones[node].nblocks;
}

/* Free pages of z in [start, end) (zone offsets): buddy blocks overlapping
 * it, found from the largest aligned block that could cover start, and
 * pages on pcp lists. */
static uint64_t free_in_range(const pa_t *pa, const zone_t *z, uint64_t start, uint64_t end)
{
	uint64_t i = start & ~((1ULL << (PA_MAX_ORDER - 1)) - 1), n = 0;

	while (i < end) {
		const page_t *p = &pa->pages[z->start_pfn + i];
		uint64_t len = (p->flags & PG_buddy) ? 1ULL << p->order : 1;

		if ((p->flags & (PG_buddy | PG_pcp)) && i + len > start)
			n += MIN(i + len, end) - MAX(i, start);
		i += len;
	}
	return n;
}

/* Block `block` of node's zone: migratetype, pages and free pages. */
void pa_pageblock_info(const pa_t *pa, int node, uint64_t block, pa_block_info_t *out)
{
	const zone_t *z = &pa->zones[node];
	uint64_t start = block << pa->pb_order;
	uint64_t end = MIN(start + (1ULL << pa->pb_order), z->present);

	if (block >= z->nblocks)
		g_error("pagealloc: page block %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
		        block, z->nblocks);
	out->migratetype = z->block_mt[block];
	out->pages = (uint32_t)(end - start);
	out->free = (uint32_t)free_in_range(pa, z, start, end);
}

/* Blocks of node of type mt; *wholly_free (may be NULL) gets those of
 * them with every page free. */
uint64_t pa_pageblocks_of(const pa_t *pa, int node, int mt, uint64_t *wholly_free)
{
	uint64_t n = 0, nfree = 0;

	for (uint64_t b = 0; b < pa->zones[node].nblocks; b++) {
		pa_block_info_t bi;

		if (pa->zones[node].block_mt[b] != mt)
			continue;
		pa_pageblock_info(pa, node, b, &bi);
		n++;
		nfree += bi.free == bi.pages;
	}
	if (wholly_free)
		*wholly_free = nfree;
	return n;
}
