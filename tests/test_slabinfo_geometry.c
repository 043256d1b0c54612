/*
 * test_slabinfo_geometry.c -- a real kernel's /proc/slabinfo through the
 * boot workload: every named cache is created, each with the kernel's own
 * slot, and SLUB's slab geometry matches the kernel's for all of them.
 *
 * Data: tests/data/slabinfo-6.18-2cpu.txt, `cat /proc/slabinfo` on the
 * machine slabsim was built on (Linux 6.18, SLUB, 2 CPUs, 4 KiB pages,
 * 64-byte lines; see the file's header).  The run takes the source's CPU
 * count and page size from the scenario (--set machine.cpus=2, one node).
 *
 * Why every cache must match: 2.6.29's calculate_order (min_objects =
 * 4 * (fls(nr_cpu_ids) + 1) = 12 on 2 CPUs, halved while > 1, waste bounds
 * 1/16, 1/8, 1/4 up to slub_max_order 3, then one object up to MAX_ORDER)
 * and 6.18's (the same min_objects, capped at what an order-3 slab holds,
 * no halving, bounds 1/16 .. 1/2 from the order that holds them, then
 * get_order(size); slub-modern.md 5.2) can pick different orders for some
 * sizes, but for the slots of this file they agree, and so must slabsim's
 * slub (2.6.29) and slub-6 (6.18) both.
 * Checked row by row against the kernel's own figures, never against a
 * formula of slabsim's:
 *  - objperslab and pagesperslab of each named row (not an allocator's own
 *    kmalloc-* / kmem_cache* row, as cacheset.lua skips them) equal the
 *    simulated cache's objects_per_slab and 2^order (for an alias, its
 *    cache's);
 *  - the simulated slot (size) equals the row's objsize, the kernel's
 *    slot: a DESTROY_BY_RCU cache's free pointer word is inside it;
 *  - the kmalloc-N rows 2.6.29 SLUB also has (8 .. 4096, 96, 192) match
 *    SLUB's own kmalloc caches the same way.
 * A row that did not match would be listed with the rule that differs;
 * none does.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define DATA "tests/data/slabinfo-6.18-2cpu.txt"

typedef struct row {
	char *name;
	long objsize, objperslab, pagesperslab;
} row_t;

static bool allocator_owned(const char *name)
{
	return g_str_has_prefix(name, "size-") || g_str_has_prefix(name, "kmalloc-") ||
	       g_str_has_prefix(name, "dma-kmalloc-") || strcmp(name, "kmem_cache") == 0 ||
	       strcmp(name, "kmem_cache_node") == 0;
}

/* The bytes of a kmalloc-N row (6.x writes 1024 as "1k"), 0 if the row is
 * not a plain kmalloc class 2.6.29 SLUB has with 4 KiB pages (8 .. 4096,
 * 96, 192). */
static long slub_2629_class(const char *name)
{
	char *end;
	long n;

	if (!g_str_has_prefix(name, "kmalloc-"))
		return 0;
	n = strtol(name + strlen("kmalloc-"), &end, 10);
	if (*end == 'k' && !end[1])
		n *= 1024;
	else if (*end)
		return 0;
	return n == 96 || n == 192 || (n >= 8 && n <= 4096 && !(n & (n - 1))) ? n : 0;
}

/* The rows of the data file, read with plain field splitting. */
static GArray *read_rows(void)
{
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(row_t));
	char *text = NULL, **lines;

	g_assert_true(g_file_get_contents(DATA, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (int i = 1; lines[i]; i++) {
		char **f = g_strsplit_set(lines[i], " ", -1);
		char *v[6];
		int n = 0;

		for (int k = 0; f[k] && n < 6; k++)
			if (*f[k])
				v[n++] = f[k];
		if (n == 6 && lines[i][0] != '#') {
			row_t r = { g_strdup(v[0]), atol(v[3]), atol(v[4]), atol(v[5]) };
			g_array_append_val(rows, r);
		}
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return rows;
}

/* Compare one row with slabsim's cache `name` (or the row's own name);
 * true if the geometry and slot match. */
static bool row_matches(JsonObject *caches, const row_t *r, const char *name)
{
	JsonObject *c = harness_cache_entry(caches, name);
	long objs, pages, slot;

	if (!c)         /* slub-6 names its classes as 6.x does: kmalloc-1k */
		c = harness_cache_entry(caches, r->name);
	if (!c) {
		g_test_message("%s: not created", r->name);
		return false;
	}
	objs = (long)json_object_get_int_member(c, "objects_per_slab");
	pages = 1L << json_object_get_int_member(c, "order");
	slot = (long)json_object_get_int_member(c, "size");
	if (objs == r->objperslab && pages == r->pagesperslab && slot == r->objsize)
		return true;
	g_test_message("%s: kernel %ld B x %ld in %ld pages, slabsim %ld B x %ld in %ld pages",
	               r->name, r->objsize, r->objperslab, r->pagesperslab, slot, objs, pages);
	return false;
}

/* Every named row and kmalloc class against allocator `name`'s caches. */
static void check_allocator(JsonNode *root, const GArray *rows, const char *name)
{
	JsonObject *a = json_object_get_object_member(json_object_get_object_member(
		json_node_get_object(root), "allocators"), name);
	JsonObject *caches = json_object_get_object_member(a, "caches");
	int named = 0, classes = 0, bad = 0;

	for (guint i = 0; i < rows->len; i++) {
		const row_t *r = &g_array_index(rows, row_t, i);
		long cls = slub_2629_class(r->name);
		char *cache = cls ? g_strdup_printf("kmalloc-%ld", cls) : g_strdup(r->name);

		if (!allocator_owned(r->name) || cls) {
			named += !cls;
			classes += cls != 0;
			bad += !row_matches(caches, r, cache);
		}
		g_free(cache);
	}
	g_test_message("%s: %d named caches, %d kmalloc classes, %d differ", name, named,
	               classes, bad);
	g_assert_cmpint(named, ==, (int)json_object_get_int_member(json_object_get_object_member(
		a, "workload_counters"), "boot.caches_created"));
	g_assert_cmpint(named, >=, 150);
	g_assert_cmpint(classes, ==, 12);
	g_assert_cmpint(bad, ==, 0);
}

/* slub (2.6.29's rules) and slub-6 (6.18's, which the file comes from). */
static void test_geometry(void)
{
	char *dir = g_dir_make_tmp("slabsim-geom-XXXXXX", NULL);
	JsonNode *root = harness_run_scenario("scenarios/boot-small.scn", dir,
	                                      "--allocators", "slub,slub-6",
	                                      "--set", "scenario.machine=desktop-1s",
	                                      "--set", "machine.cpus=2",
	                                      "--set", "machine.page_size=4096",
	                                      "--set", "machine.cache_line=64",
	                                      "--set", "workload.slabinfo=" DATA, NULL);
	GArray *rows = read_rows();

	check_allocator(root, rows, "slub");
	check_allocator(root, rows, "slub-6");
	for (guint i = 0; i < rows->len; i++)
		g_free(g_array_index(rows, row_t, i).name);
	g_array_free(rows, TRUE);
	json_node_unref(root);
	harness_rm_rf(dir);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slabinfo-geometry/6.18-2cpu", test_geometry);
	return g_test_run();
}
