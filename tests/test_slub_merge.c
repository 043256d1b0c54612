/*
 * test_slub_merge.c -- SLUB cache merging: 2.6.29's find_mergeable applied
 * by hand to ten caches, and slub_nomerge.
 *
 * The rules (mm/slub.c 2.6.29, find_mergeable and slab_unmergeable), as
 * applied below:
 *   R1 a request with SLAB_DESTROY_BY_RCU (SLUB_NEVER_MERGE) or a
 *      constructor never merges, and such a cache is never merged into;
 *      nor is kmem_cache_node (refcount -1 at boot);
 *   R2 the request's size is ALIGN(ALIGN(size, 8), align);
 *   R3 a candidate's slot s->size must be >= that size and less than a
 *      word (8 bytes) larger, and a multiple of align;
 *   R4 SLAB_RECLAIM_ACCOUNT and SLAB_CACHE_DMA (SLUB_MERGE_SAME) must be
 *      the same on both;
 *   R5 the first candidate of slab_caches, newest first, wins; a merged
 *      name is an alias and adds no cache to the list.
 * At boot slab_caches holds kmem_cache_node (72 B), kmalloc-96,
 * kmalloc-192 and kmalloc-8 .. kmalloc-4096, each of slot = its size.
 * slabsim's SLAB_NO_MERGE (given to caches with slab_ops) counts as R1:
 * an eleventh cache checks it.
 */
#include <string.h>
#include "harness.h"
#include "slub.h"

static const allocator_ops_t *ops = &slub_allocator;

typedef struct want {
	const char *name;
	size_t size, align;
	unsigned flags;
	bool ctor;              /* made with a constructor */
	const char *cache;      /* the cache it must be, or NULL: a cache of its own */
} want_t;

/* The ten caches, created in this order, and where each must land. */
static const want_t set[] = {
	/* 104 B slot; no 104-byte cache exists (R3): a new cache */
	{ "a", 100, 0, 0, false, NULL },
	/* 104 again: a's slot fits exactly (R3) */
	{ "b", 100, 0, 0, false, "a" },
	/* ALIGN(97, 8) = 104 (R2): a */
	{ "c", 97, 0, 0, false, "a" },
	/* 104, but RECLAIM_ACCOUNT differs from a's (R4): a new cache */
	{ "d", 100, 0, SLAB_RECLAIM_ACCOUNT, false, NULL },
	/* 96: a's 104 is a whole word larger (R3); kmalloc-96 fits */
	{ "e", 96, 0, 0, false, "kmalloc-96" },
	/* ALIGN(104, 64) = 128 (R2): d and a are too small, kmalloc-128 fits
	 * and is a multiple of 64 (R3) */
	{ "f", 100, 64, 0, false, "kmalloc-128" },
	/* DESTROY_BY_RCU (R1): a new cache, slot 120 + 8 = 128 */
	{ "g", 120, 0, SLAB_DESTROY_BY_RCU, false, NULL },
	/* 128: g has the same slot but is unmergeable (R1); kmalloc-128 */
	{ "h", 128, 0, 0, false, "kmalloc-128" },
	/* 72: only kmem_cache_node has that slot, and it is never merged
	 * into (R1): a new cache */
	{ "i", 72, 0, 0, false, NULL },
	/* ALIGN(68, 8) = 72 would fit i, but j has a constructor (R1): a new
	 * cache, slot 72 + 8 = 80 (the free pointer behind the object) */
	{ "j", 68, 0, 0, true, NULL },
};
#define NSET ((int)G_N_ELEMENTS(set))

typedef struct merge_run {
	kmem_cache_t *kc[NSET];
	int boot_caches;
} merge_run_t;

static void create_set(void *arg)
{
	static const kmem_ctor_t ctor = { .cost = 0, .bytes = 8 };
	merge_run_t *r = arg;

	r->boot_caches = ops->ncaches(harness_a);
	for (int i = 0; i < NSET; i++) {
		r->kc[i] = ops->cache_create(harness_a, set[i].name, set[i].size, set[i].align,
		                             set[i].flags, set[i].ctor ? &ctor : NULL);
		g_assert_nonnull(r->kc[i]);
	}
}

/* 104 like a, but SLAB_NO_MERGE (R1): a cache of its own. */
static void create_no_merge(void *arg)
{
	kmem_cache_t *k = ops->cache_create(harness_a, "k", 100, 0, SLAB_NO_MERGE, NULL);

	(void)arg;
	g_assert_cmpstr(harness_cache_info(k).name, ==, "k");
}

/* Boot SLUB with slub_nomerge = nomerge and create the set. */
static kernel_t *boot_set(machine_t **m, long nomerge, merge_run_t *r)
{
	long tun[16];
	int n = 0;

	for (; ops->tunables[n].name; n++)
		tun[n] = strcmp(ops->tunables[n].name, "slub_nomerge") ? ops->tunables[n].def
		                                                       : nomerge;
	g_assert_cmpint(n, <=, (int)G_N_ELEMENTS(tun));
	*m = harness_machine(2, 1, 32);
	kernel_t *k = harness_kernel(*m, ops, tun, NULL);
	harness_run_on(k, 0, create_set, r);
	return k;
}

/* The aliases cache_info lists, joined by commas. */
static char *aliases_of(kmem_cache_t *s)
{
	cache_info_t ci = harness_cache_info(s);

	return ci.aliases ? g_strjoinv(",", (char **)ci.aliases) : g_strdup("");
}

static void test_merge_rules(void)
{
	merge_run_t r = { 0 };
	machine_t *m;
	kernel_t *k = boot_set(&m, 0, &r);
	char *al;

	for (int i = 0; i < NSET; i++) {
		const char *want = set[i].cache ? set[i].cache : set[i].name;

		g_test_message("%s -> %s", set[i].name, harness_cache_info(r.kc[i]).name);
		g_assert_cmpstr(harness_cache_info(r.kc[i]).name, ==, want);
		g_assert_true(r.kc[i] == harness_find_cache(want));
	}
	/* a, d, g, i, j are new: five caches more than at boot */
	g_assert_cmpint(ops->ncaches(harness_a), ==, r.boot_caches + 5);
	harness_run_on(k, 0, create_no_merge, &r);
	g_assert_cmpint(ops->ncaches(harness_a), ==, r.boot_caches + 6);
	al = aliases_of(harness_find_cache("a"));
	g_assert_cmpstr(al, ==, "b,c");
	g_free(al);
	al = aliases_of(harness_find_cache("kmalloc-128"));
	g_assert_cmpstr(al, ==, "f,h");
	g_free(al);
	al = aliases_of(harness_find_cache("kmalloc-96"));
	g_assert_cmpstr(al, ==, "e");
	g_free(al);
	g_assert_null(harness_cache_info(harness_find_cache("i")).aliases);
	g_assert_cmpuint(harness_cache_info(harness_find_cache("j")).size, ==, 80);
	/* kzalloc clears the largest object of the names: a's is 100 */
	g_assert_cmpuint(harness_cache_info(harness_find_cache("a")).object_size, ==, 100);
	harness_free(k, m);
}

/* slub_nomerge: every name its own cache, none an alias. */
static void test_nomerge(void)
{
	merge_run_t r = { 0 };
	machine_t *m;
	kernel_t *k = boot_set(&m, 1, &r);

	g_assert_cmpint(ops->ncaches(harness_a), ==, r.boot_caches + NSET);
	for (int i = 0; i < NSET; i++) {
		g_assert_cmpstr(harness_cache_info(r.kc[i]).name, ==, set[i].name);
		g_assert_null(harness_cache_info(r.kc[i]).aliases);
	}
	harness_free(k, m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slub-merge/rules", test_merge_rules);
	g_test_add_func("/slub-merge/nomerge", test_nomerge);
	return g_test_run();
}
