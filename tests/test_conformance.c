/*
 * test_conformance.c -- what every allocator of allocator_table must do:
 * the same tests for each, present and future, named
 * /conformance/ALLOCATOR/TEST.
 *
 *   uniqueness    randomised allocs and frees of four caches (sizes 24,
 *                 200 -- with sheaves of 6 objects where the allocator
 *                 has sheaves --, 40 with SLAB_DESTROY_BY_RCU, 1500) and kmallocs of
 *                 1 B to 16 KiB on 4 CPUs over 2 nodes, a quarter asking
 *                 for a node, frees by whichever CPU draws the object: no
 *                 new object overlaps a live one, and no live object
 *                 changes (the allocator never writes into it).
 *   containment   the same workload: every object lies in RAM, aligned as
 *                 asked, on the node asked for, inside a slab page the
 *                 allocator holds (PG_slab, not free, the last byte on the
 *                 same slab) or, for a large kmalloc only, at the start of
 *                 a page block of its own big enough for it.
 *   shrink        everything freed, kmem_cache_shrink as the allocator's
 *                 kernel original has it gives every page back: the page
 *                 allocator's pages in use return to their level right
 *                 after boot (see shrink_rules).
 *   kmalloc-zero  kmalloc(0) is ZERO_SIZE_PTR; kfree of it or of NULL does
 *                 nothing; kmalloc_size(n) is at least n, growing with n.
 *   audit         the allocator has the structural audit op, and it finds
 *                 its lists, counts and freelists consistent after the
 *                 randomised workload, after everything is freed and
 *                 after shrinking (run on a quiescent kernel).
 *   audit-detects a freed kmalloc(64)'s free pointer (every word: SLUB,
 *                 SLQB and the Slabifier keep it in the first, slub-6 in
 *                 the middle one) or SLOB's block header overwritten: the
 *                 audit stops the run in kbug() (SLAB keeps no link in
 *                 free objects: not run for it).
 *   big-cache     max_cache_size is the page allocator's largest block
 *                 (SLAB: its KMALLOC_MAX_SIZE); a cache of that size
 *                 holds one object per slab of order MAX_ORDER - 1, one
 *                 byte more is refused at creation.
 *   double-free, foreign-pointer, freelist-corruption (harness.c): each
 *                 misuse of kmalloc(64) stops the run in kbug().
 *
 * Machines come from harness_machine (4 KiB pages, 64 MiB per node).
 */
#include <string.h>
#include "harness.h"

#define NCPUS        4
#define NNODES       2
#define OPS_PER_CPU  3000
#define MAX_LIVE     1500
#define LARGE_MAX    16384

typedef struct spec {
	const char *name;
	size_t size, align;
	unsigned flags;
	unsigned sheaf_capacity;        /* for allocators with sheaves */
} spec_t;

static const spec_t specs[] = {
	{ "conf-24", 24, 8, 0, 0 },
	{ "conf-200", 200, 64, 0, 6 },
	{ "conf-rcu", 40, 0, SLAB_DESTROY_BY_RCU, 0 },
	{ "conf-1500", 1500, 0, SLAB_RECLAIM_ACCOUNT, 0 },
};
#define NSPECS ((int)G_N_ELEMENTS(specs))

typedef struct obj {
	saddr_t addr;
	size_t len;             /* bytes asked for */
	int spec;               /* index into specs; -1: kmalloc */
	int node;               /* asked for, or -1 */
	uint64_t tag;           /* its first word while live (len >= 8); ~tag its last (len >= 16) */
} obj_t;

typedef struct run {
	const allocator_ops_t *ops;
	kmem_cache_t *cache[NSPECS];
	GArray *live;           /* obj_t, shared by the CPUs */
	uint64_t rng[NCPUS];
	uint64_t serial;
	uint64_t remote_frees, node_asked, large;
	uint64_t boot_pages;    /* in use after boot and cache creation */
	bool unique, contain;   /* the checks this run makes */
} run_t;

/* ---- the checks ---- */

/* [addr, addr + len) overlaps no live object. */
static void check_unique(const run_t *r, const obj_t *o)
{
	for (guint i = 0; i < r->live->len; i++) {
		const obj_t *x = &g_array_index(r->live, obj_t, i);

		if (x->addr < o->addr + o->len && o->addr < x->addr + x->len)
			g_error("%s: new object [%#" G_GINT64_MODIFIER "x, +%zu) overlaps live "
			        "[%#" G_GINT64_MODIFIER "x, +%zu)", r->ops->name, o->addr, o->len,
			        x->addr, x->len);
	}
}

/* kmalloc's minimum alignment on a 64-bit kernel: ARCH_KMALLOC_MINALIGN,
 * the alignment of unsigned long long. */
#define KMALLOC_MINALIGN 8

static void check_contained(const obj_t *o)
{
	saddr_t last = o->addr + o->len - 1;
	size_t align = o->spec >= 0 ? specs[o->spec].align : KMALLOC_MINALIGN;
	page_t *p, *q;

	g_assert_true(kaddr_valid(o->addr));
	g_assert_true(kaddr_valid(last));
	if (align)
		g_assert_cmpuint(o->addr % align, ==, 0);
	p = virt_to_page(o->addr);
	q = virt_to_page(last);
	if (o->node >= 0)
		g_assert_cmpint(page_to_nid(p), ==, o->node);
	g_assert_false(p->flags & (PG_buddy | PG_pcp));     /* held, not free */
	g_assert_false(q->flags & (PG_buddy | PG_pcp));
	if (p->flags & PG_slab) {
		/* virt_to_page names the head of a compound slab from any of
		 * its pages; the pages of a slab made of order-0 struct pages
		 * (SLAB's kmem_getpages) all carry the slab's owner fields. */
		if (p->flags & PG_head)
			g_assert_true(q == p);
		for (page_t *x = p + 1; !(p->flags & PG_head) && x <= q; x++) {
			g_assert_true(x->flags & PG_slab);
			g_assert_true(x->slab == p->slab && x->priv == p->priv);
		}
		return;
	}
	/* Only a large kmalloc may bypass the slabs: a block of its own. */
	g_assert_cmpint(o->spec, ==, -1);
	g_assert_cmpuint(o->len, >, (size_t)kpage_size() / 2);
	g_assert_cmpint(p->count, >, 0);
	g_assert_cmpuint(o->addr, ==, page_address(p));
	g_assert_cmpuint(o->len, <=, (size_t)kpage_size() << ((p->flags & PG_head) ? p->order : 0));
}

/* Write the tag words; check_intact finds them unchanged. */
static void tag(const obj_t *o)
{
	if (o->len >= 8)
		kstore64(o->addr, o->tag);
	if (o->len >= 16)
		kstore64(o->addr + o->len - 8, ~o->tag);
}

static void check_intact(const obj_t *o)
{
	if (o->len >= 8)
		g_assert_cmphex(kload64(o->addr), ==, o->tag);
	if (o->len >= 16)
		g_assert_cmphex(kload64(o->addr + o->len - 8), ==, ~o->tag);
}

/* ---- the run ---- */

static void create_caches(void *arg)
{
	run_t *r = arg;

	for (int i = 0; i < NSPECS; i++) {
		bool sheaves = specs[i].sheaf_capacity && r->ops->cache_set_sheaves;

		r->cache[i] = r->ops->cache_create(harness_a, specs[i].name, specs[i].size,
		                                   specs[i].align,
		                                   specs[i].flags | (sheaves ? SLAB_NO_MERGE : 0), NULL);
		g_assert_nonnull(r->cache[i]);
		if (sheaves)
			r->ops->cache_set_sheaves(harness_a, r->cache[i], specs[i].sheaf_capacity);
	}
}

static obj_t alloc_one(run_t *r, int cpu)
{
	uint64_t *rng = &r->rng[cpu];
	obj_t o = { .spec = -1, .node = -1 };
	uint64_t pick = harness_rand(rng) % 10;

	if (harness_rand(rng) % 4 == 0)
		o.node = (int)(harness_rand(rng) % NNODES);
	if (pick < 4) {
		o.spec = (int)pick;
		o.len = specs[pick].size;
		o.addr = r->ops->cache_alloc(harness_a, r->cache[pick], 0, o.node);
	} else {
		o.len = pick == 9 ? 4097 + harness_rand(rng) % (LARGE_MAX - 4096) :
		        pick < 7 ? 1 + harness_rand(rng) % 256 : 1 + harness_rand(rng) % 4096;
		o.addr = r->ops->kmalloc(harness_a, o.len, 0, o.node);
		r->large += pick == 9;
	}
	g_assert_cmpuint(o.addr, !=, 0);
	r->node_asked += o.node >= 0;
	o.tag = 0xc0f0000000000000ULL | ++r->serial;
	return o;
}

static void free_one(run_t *r, const obj_t *o, int cpu)
{
	if (r->unique)
		check_intact(o);
	r->remote_frees += page_to_nid(virt_to_page(o->addr)) != cpu_to_node(cpu);
	if (o->spec >= 0)
		r->ops->cache_free(harness_a, r->cache[o->spec], o->addr);
	else
		r->ops->kfree(harness_a, o->addr);
}

/* Each CPU allocates (55 %, while fewer than MAX_LIVE objects live) or
 * frees a random live object, whoever allocated it. */
static void churn(void *arg, int cpu)
{
	run_t *r = arg;

	for (int i = 0; i < OPS_PER_CPU; i++) {
		uint64_t *rng = &r->rng[cpu];

		if (r->live->len == 0 ||
		    (harness_rand(rng) % 100 < 55 && r->live->len < MAX_LIVE)) {
			obj_t o = alloc_one(r, cpu);

			if (r->unique) {
				check_unique(r, &o);
				tag(&o);
			}
			if (r->contain)
				check_contained(&o);
			g_array_append_val(r->live, o);
		} else {
			guint j = harness_rand(rng) % r->live->len;
			obj_t o = g_array_index(r->live, obj_t, j);

			g_array_remove_index_fast(r->live, j);
			free_one(r, &o, cpu);
		}
	}
}

/* The survivors of the churn, checked again. */
static void sweep(void *arg)
{
	run_t *r = arg;

	for (guint i = 0; i < r->live->len; i++) {
		if (r->contain)
			check_contained(&g_array_index(r->live, obj_t, i));
		if (r->unique)
			check_intact(&g_array_index(r->live, obj_t, i));
	}
}

/* CPU c frees every NCPUS-th live object, most of them someone else's. */
static void free_all(void *arg, int cpu)
{
	run_t *r = arg;

	for (guint i = cpu; i < r->live->len; i += NCPUS)
		free_one(r, &g_array_index(r->live, obj_t, i), cpu);
}

static const int cpus[NCPUS] = { 0, 1, 2, 3 };

/* Boot ops on a fresh machine, create the caches and churn, making the
 * checks asked for. */
static kernel_t *start(run_t *r, const allocator_ops_t *ops, machine_t **m,
                       bool unique, bool contain)
{
	kernel_t *k;

	*m = harness_machine(NCPUS, NNODES, 64);
	k = harness_kernel(*m, ops, NULL, NULL);
	*r = (run_t){ .ops = ops, .live = g_array_new(FALSE, FALSE, sizeof(obj_t)),
	              .unique = unique, .contain = contain };
	for (int c = 0; c < NCPUS; c++)
		r->rng[c] = 0xc0f00000u + (uint64_t)c;
	harness_boot(k);
	harness_run_on(k, 0, create_caches, r);
	r->boot_pages = harness_pages_in_use();
	harness_run_many(k, cpus, NCPUS, churn, r);
	/* The run did what it is for. */
	g_assert_cmpuint(r->live->len, >, 100);
	g_assert_cmpuint(r->large, >, 10);
	g_assert_cmpuint(r->node_asked, >, 100);
	g_assert_cmpuint(r->remote_frees, >, 100);
	return k;
}

static void finish(run_t *r, kernel_t *k, machine_t *m)
{
	g_array_free(r->live, TRUE);
	harness_free(k, m);
}

/* check_unique on every allocation, check_intact on every free and on
 * the survivors. */
static void test_uniqueness(gconstpointer data)
{
	machine_t *m;
	run_t r;
	kernel_t *k = start(&r, data, &m, true, false);

	harness_run_on(k, 0, sweep, &r);
	harness_run_many(k, cpus, NCPUS, free_all, &r);
	finish(&r, k, m);
}

/* check_contained on every allocation and on the survivors. */
static void test_containment(gconstpointer data)
{
	machine_t *m;
	run_t r;
	kernel_t *k = start(&r, data, &m, false, true);

	harness_run_on(k, 0, sweep, &r);
	finish(&r, k, m);
}

/* ---- shrink returns every page ----
 *
 * With nothing live, the level to return to is the one right after boot
 * and cache creation: most allocators keep their cache structures in
 * metadata (kmeta), SLOB in a slob page (2.6.29's kmem_cache_create
 * takes the struct with slob_alloc), which stays.
 * What one kmem_cache_shrink gives back, per allocator's kernel original,
 * as the shrink passes (every cache, newest first) it takes to get there:
 *   slab       1  drain_cpu_caches empties the per-CPU, shared and alien
 *                 arrays, drain_freelist frees every free slab; an off-slab
 *                 descriptor freed by slab_destroy goes to a kmalloc cache
 *                 created earlier, so shrunk later in the same pass.
 *   slub       1  flush_all deactivates every cpu slab, then every empty
 *                 partial slab is freed, min_partial notwithstanding.
 *   slub-6     2  flush_all flushes the sheaves and deactivates every cpu
 *                 slab and cpu partial list; then each node's barn is
 *                 shrunk and its empty partial slabs freed.  The barn's
 *                 objects go back through this CPU, which may park a slab
 *                 that was full on its cpu partial list; the second
 *                 pass's flush_all drains it.
 *   slabifier  1  no queues and empty slabs go back when freed; drain_all
 *                 deactivates the CPUs' active slabs (empty ones go back).
 *   slob       0  a page goes back when its last block is freed; shrink
 *                 is a no-op.
 *   slqb       -  trim_cpu_list/trim_node_list return one freebatch per
 *                 list per pass, and objects staged for another list are
 *                 claimed by the next: passes while objects are queued.
 * Objects and slabs of SLAB_DESTROY_BY_RCU caches go back a grace period
 * later (rcu.h): the test lets grace periods pass after the frees and
 * after the shrink.
 * An allocator not listed here gets "-". */
static const struct {
	const char *name;
	int passes;             /* -1: while queued_bytes() > 0 */
} shrink_rules[] = {
	{ "slab", 1 }, { "slub", 1 }, { "slub-6", 2 }, { "slabifier", 1 }, { "slob", 0 },
	{ "slqb", -1 },
};

#define MAX_PASSES 64

typedef struct shrink {
	run_t *r;
	int rule, passes;
	uint64_t after_free;
} shrink_t;

static void shrink_passes(void *arg)
{
	shrink_t *sh = arg;
	const allocator_ops_t *ops = sh->r->ops;

	sh->after_free = harness_pages_in_use();
	if (sh->rule >= 0) {
		for (sh->passes = 0; sh->passes < sh->rule; sh->passes++)
			harness_shrink_all();
		return;
	}
	for (sh->passes = 0; sh->passes < MAX_PASSES && ops->queued_bytes(harness_a); sh->passes++)
		harness_shrink_all();
}

static void test_shrink(gconstpointer data)
{
	const allocator_ops_t *ops = data;
	shrink_t sh = { .rule = -1 };
	machine_t *m;
	run_t r;
	kernel_t *k = start(&r, ops, &m, false, false);

	for (unsigned i = 0; i < G_N_ELEMENTS(shrink_rules); i++)
		if (strcmp(shrink_rules[i].name, ops->name) == 0)
			sh.rule = shrink_rules[i].passes;
	sh.r = &r;
	harness_run_many(k, cpus, NCPUS, free_all, &r);
	g_array_set_size(r.live, 0);
	harness_rcu_barrier(k);         /* SLOB's RCU objects are freed */
	harness_run_served(k, shrink_passes, &sh);
	harness_rcu_barrier(k);         /* and every allocator's RCU slabs */
	g_test_message("%s: %" G_GUINT64_FORMAT " pages after boot, %" G_GUINT64_FORMAT
	               " with everything freed, %d shrink passes", ops->name, r.boot_pages,
	               sh.after_free, sh.passes);
	if (sh.rule == 0)
		g_assert_cmpuint(sh.after_free, ==, r.boot_pages);
	g_assert_cmpint(sh.passes, <, MAX_PASSES);
	g_assert_cmpuint(ops->queued_bytes(harness_a), ==, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, r.boot_pages);
	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		cache_info_t ci = harness_cache_info(ops->cache_at(harness_a, i));

		g_assert_cmpuint(ci.active_objs, ==, 0);
		g_assert_cmpuint(ci.slabs, ==, 0);
	}
	finish(&r, k, m);
}

/* ---- the structural audit ---- */

static void audit_all_caches(void *arg)
{
	const allocator_ops_t *ops = arg;

	harness_shrink_all();
	ops->audit(harness_a);
}

static void test_audit(gconstpointer data)
{
	const allocator_ops_t *ops = data;
	machine_t *m;
	run_t r;
	kernel_t *k;

	g_assert_nonnull(ops->audit);
	k = start(&r, ops, &m, false, false);
	ops->audit(harness_a);                  /* after the churn, objects live */
	harness_run_many(k, cpus, NCPUS, free_all, &r);
	g_array_set_size(r.live, 0);
	ops->audit(harness_a);                  /* everything freed, queues full */
	harness_run_served(k, audit_all_caches, (void *)ops);
	ops->audit(harness_a);
	finish(&r, k, m);
}

/* Free two of three kmalloc(64)s and point a free-list link outside the
 * slab: every word of the object freed last (the head of a two-object
 * freelist in SLUB, SLQB, the Slabifier and slub-6, wherever in the object
 * it keeps the link), or for SLOB the header of the free block the two
 * coalesced into, 8 bytes (its kmalloc header) before the first. */
static void audit_corrupt_body(void *arg)
{
	const allocator_ops_t *ops = arg;
	saddr_t keep = ops->kmalloc(harness_a, 64, 0, -1), x = ops->kmalloc(harness_a, 64, 0, -1),
	        y = ops->kmalloc(harness_a, 64, 0, -1);

	(void)keep;
	ops->kfree(harness_a, x);
	ops->kfree(harness_a, y);
	if (strcmp(ops->name, "slob") == 0)
		kstore64(x - 8, 0xdead0000);
	else
		for (saddr_t off = 0; off < 64; off += 8)
			kstore64(y + off, 0xdead0000);
	ops->audit(harness_a);
}

static void test_audit_detects(gconstpointer data)
{
	if (g_test_subprocess()) {
		harness_run_alone(data, audit_corrupt_body, (void *)data);
		return;
	}
	harness_trap_kbug("*audit*");
}

/* ---- kmalloc(0), kfree(NULL) ----
 *
 * As Linux since 2.6.23 (include/linux/slab.h): kmalloc(0) returns
 * ZERO_SIZE_PTR, (void *)16, which faults on use; kfree(NULL) and
 * kfree(ZERO_SIZE_PTR) return at once.  No page moves, no check fires. */
#define ZERO_SIZE_PTR ((saddr_t)16)

static void zero_body(void *arg)
{
	const allocator_ops_t *ops = arg;
	uint64_t pages = harness_pages_in_use(), calls = pa_stats(kern()->pa)->frees;
	size_t prev = 0;

	g_assert_cmpuint(ops->kmalloc(harness_a, 0, 0, -1), ==, ZERO_SIZE_PTR);
	ops->kfree(harness_a, ZERO_SIZE_PTR);
	ops->kfree(harness_a, 0);
	g_assert_cmpuint(harness_pages_in_use(), ==, pages);
	g_assert_cmpuint(pa_stats(kern()->pa)->frees, ==, calls);
	/* What a kmalloc hands out covers what was asked, and more asked
	 * never gets less. */
	g_assert_cmpuint(ops->kmalloc_size(harness_a, 0), ==, 0);
	for (size_t n = 1; n <= LARGE_MAX; n += n < 512 ? 1 : 61) {
		size_t got = ops->kmalloc_size(harness_a, n);

		g_assert_cmpuint(got, >=, n);
		g_assert_cmpuint(got, >=, prev);
		prev = got;
	}
}

static void test_kmalloc_zero(gconstpointer data)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, data, NULL, NULL);

	harness_run_on(k, 0, zero_body, (void *)data);
	harness_free(k, m);
}

/* ---- the largest cache ----
 *
 * x86-64's MAX_ORDER is 11 (orders 0..10), so the largest block of the
 * page allocator is PAGE_SIZE << 10: 4 MiB with 4 KiB pages, 64 MiB with
 * 64 KiB pages.  SLAB 2.6.29 refuses objects above KMALLOC_MAX_SIZE =
 * 2^min(MAX_ORDER + PAGE_SHIFT - 1, 25): the same 4 MiB, but 32 MiB with
 * 64 KiB pages.  Each other allocator takes what its largest slab order
 * (SLOB: the page allocator) can hold. */
#define X86_MAX_ORDER 11

static size_t expected_max(const allocator_ops_t *ops, int page_shift)
{
	int shift = page_shift + X86_MAX_ORDER - 1;

	if (strcmp(ops->name, "slab") == 0 && shift > 25)
		shift = 25;
	return (size_t)1 << shift;
}

static void big_body(void *arg)
{
	const allocator_ops_t *ops = arg;
	size_t max = ops->max_cache_size(kpage_shift());
	kmem_cache_t *s = ops->cache_create(harness_a, "big", max, 0, 0, NULL);
	cache_info_t ci;
	saddr_t x;

	g_assert_nonnull(s);
	ci = harness_cache_info(s);
	g_assert_cmpuint(ci.objects_per_slab, ==, 1);
	g_assert_cmpuint(ci.order, ==, X86_MAX_ORDER - 1);
	x = ops->cache_alloc(harness_a, s, 0, -1);
	g_assert_cmpuint(x, !=, 0);
	g_assert_true(kaddr_valid(x) && kaddr_valid(x + max - 1));
	kstore64(x + max - 8, 1);
	ops->cache_free(harness_a, s, x);
	g_assert_null(ops->cache_create(harness_a, "too-big", max + 1, 0, 0, NULL));
}

static void test_big_cache(gconstpointer data)
{
	const allocator_ops_t *ops = data;

	g_assert_cmpuint(ops->max_cache_size(12), ==, expected_max(ops, 12));
	g_assert_cmpuint(ops->max_cache_size(16), ==, expected_max(ops, 16));
	harness_run_alone(ops, big_body, (void *)ops);
}

/* ---- debug checks ----
 *
 * Allocators whose kernel original has nothing for freelist-corruption to
 * catch: SLAB keeps no free pointer in free objects (its free list is the
 * bufctl array of the slab descriptor); 2.6.29's SLOB keeps one in each
 * free block but has no debug layer that checks it. */
static const char *const no_freelist_check[] = { "slab", "slob" };

static bool freelist_checked(const allocator_ops_t *ops)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(no_freelist_check); i++)
		if (strcmp(no_freelist_check[i], ops->name) == 0)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (int i = 0; allocator_table[i]; i++) {
		const allocator_ops_t *ops = allocator_table[i];
		char *prefix = g_strdup_printf("/conformance/%s", ops->name);
		char *path;

		path = g_strconcat(prefix, "/uniqueness", NULL);
		g_test_add_data_func(path, ops, test_uniqueness);
		g_free(path);
		path = g_strconcat(prefix, "/containment", NULL);
		g_test_add_data_func(path, ops, test_containment);
		g_free(path);
		path = g_strconcat(prefix, "/shrink", NULL);
		g_test_add_data_func(path, ops, test_shrink);
		g_free(path);
		path = g_strconcat(prefix, "/kmalloc-zero", NULL);
		g_test_add_data_func(path, ops, test_kmalloc_zero);
		g_free(path);
		path = g_strconcat(prefix, "/audit", NULL);
		g_test_add_data_func(path, ops, test_audit);
		g_free(path);
		if (strcmp(ops->name, "slab") != 0) {
			path = g_strconcat(prefix, "/audit-detects", NULL);
			g_test_add_data_func(path, ops, test_audit_detects);
			g_free(path);
		}
		path = g_strconcat(prefix, "/big-cache", NULL);
		g_test_add_data_func(path, ops, test_big_cache);
		g_free(path);
		harness_add_debug_tests(prefix, ops, freelist_checked(ops));
		g_free(prefix);
	}
	return g_test_run();
}
