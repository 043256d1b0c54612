/*
 * test_boot.c -- the boot workload end to end (scenarios/boot-small.scn,
 * workloads/boot.lua, workloads/lib/cacheset.lua and the shipped
 * workloads/data/cacheset-2.6.29.slabinfo).
 *
 * Runs the binary named by $SLABSIM_BIN from the repository root, like
 * test_cli.c.  The machine and workload parameters the checks depend on
 * are pinned with --set, so that edits of boot-small.scn do not change
 * what is checked.  Expected figures are derived here, independently of
 * the program:
 *  - the named caches: the data file's rows read with plain line parsing,
 *    less the allocator-owned names (size-*, kmalloc-*, dma-kmalloc-*,
 *    kmem_cache, kmem_cache_node);
 *  - the largest cache any allocator takes: PAGE_SIZE << (MAX_ORDER - 1),
 *    MAX_ORDER 11 as on x86-64 (4 MiB with 4 KiB pages); a row above it
 *    is counted in boot.rows_too_big and named on stderr;
 *  - SLUB's own caches: kmalloc_caches[0..PAGE_SHIFT] of 2.6.29
 *    (kernel-params.md B: kmem_cache_node, kmalloc-96, kmalloc-192,
 *    kmalloc-8 .. kmalloc-PAGE_SIZE), PAGE_SHIFT + 1 = 13 with 4 KiB pages;
 *  - operations: CPUs x (caches_per_cpu x objects + kmalloc_per_cpu)
 *    allocations, and the frees boot.lua's split specifies: object i
 *    (0-based) of a CPU is freed, by itself or its partner, when
 *    frac(i * golden ratio) < free_fraction + remote_fraction.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "harness.h"

#define DATA        "workloads/data/cacheset-2.6.29.slabinfo"
#define CPUS        16
#define PAGE_SIZE_  4096
#define PAGE_SHIFT_ 12
#define MAX_ORDER_  11
#define MAX_CACHE   ((long)PAGE_SIZE_ << (MAX_ORDER_ - 1))
#define PER_CPU     8
#define OBJECTS     4
#define KMALLOCS    4
#define FREE_FRAC   0.5
#define REMOTE_FRAC 0.25

static char *tmpdir;

/* Run `slabsim run boot-small.scn` into tmpdir/out with slub_nomerge =
 * nomerge; true on exit 0. */
static bool run_boot(const char *out, bool nomerge)
{
	const char *bin = g_getenv("SLABSIM_BIN");
	char *dir = g_build_filename(tmpdir, out, NULL);
	const char *argv[] = {
		bin, "run", "scenarios/boot-small.scn", "--allocators", "slub", "--quiet",
		"--out", dir, "--seed", "1",
		"--set", "machine.cpus=16", "--set", "machine.page_size=4096",
		"--set", "workload.caches_per_cpu=8", "--set", "workload.objects=4",
		"--set", "workload.kmalloc_per_cpu=4", "--set", "workload.free_fraction=0.5",
		"--set", "workload.remote_fraction=0.25", "--set", "workload.slabinfo=" DATA,
		"--set", nomerge ? "allocator.slub.slub_nomerge=1" : "allocator.slub.slub_nomerge=0",
		NULL,
	};
	char *sout = NULL, *serr = NULL;
	GError *e = NULL;
	int wait = 0;

	g_assert_nonnull(bin);
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                           &sout, &serr, &wait, &e));
	g_assert_no_error(e);
	if (!WIFEXITED(wait) || WEXITSTATUS(wait) != 0)
		g_test_message("slabsim failed: %s", serr);
	g_free(sout);
	g_free(serr);
	g_free(dir);
	return WIFEXITED(wait) && WEXITSTATUS(wait) == 0;
}

static char *read_results(const char *out)
{
	char *p = g_build_filename(tmpdir, out, "results.json", NULL), *text = NULL;

	g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
	g_free(p);
	return text;
}

static bool allocator_owned(const char *name)
{
	return g_str_has_prefix(name, "size-") || g_str_has_prefix(name, "kmalloc-") ||
	       g_str_has_prefix(name, "dma-kmalloc-") || strcmp(name, "kmem_cache") == 0 ||
	       strcmp(name, "kmem_cache_node") == 0;
}

/* The named caches of the data file: name -> object size (as a string). */
static GHashTable *named_caches(void)
{
	GHashTable *named = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char *text = NULL, **lines;

	g_assert_true(g_file_get_contents(DATA, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	g_assert_cmpstr(lines[0], ==, "slabinfo - version: 2.1");
	for (int i = 1; lines[i]; i++) {
		char **f;
		if (lines[i][0] == '#' || !lines[i][0])
			continue;
		f = g_strsplit_set(lines[i], " ", -1);
		/* g_strsplit_set leaves empty fields between repeated blanks */
		char *name = f[0], *objsize = NULL;
		for (int k = 1, col = 1; f[k]; k++)
			if (*f[k] && ++col == 4)
				objsize = f[k];
		g_assert_nonnull(objsize);
		if (!allocator_owned(name)) {
			g_assert_cmpint(atoi(objsize), >=, 1);
			g_assert_cmpint(atol(objsize), <=, MAX_CACHE);
			g_assert_false(g_hash_table_contains(named, name));
			g_hash_table_insert(named, g_strdup(name), g_strdup(objsize));
		}
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return named;
}

/* Frees per CPU under boot.lua's split of n objects. */
static int frees_per_cpu(int n)
{
	const double golden = (sqrt(5.0) - 1.0) / 2.0;
	int freed = 0;

	for (int i = 0; i < n; i++) {
		double u = fmod(i * golden, 1.0);
		freed += u < REMOTE_FRAC + FREE_FRAC;
	}
	return freed;
}

static JsonObject *slub_of(JsonParser *p)
{
	JsonObject *root = json_node_get_object(json_parser_get_root(p));
	return json_object_get_object_member(json_object_get_object_member(root, "allocators"), "slub");
}

/* With slub_nomerge, every named cache exists with its size, plus SLUB's
 * own, nothing else. */
static void test_caches(void)
{
	GHashTable *named = named_caches();
	JsonParser *p = json_parser_new();
	char *text;
	JsonObject *slub, *caches, *counters;
	guint n = g_hash_table_size(named);
	GHashTableIter it;
	gpointer name, size;

	/* the shipped set is a 2.6.29 server's: 150-250 named caches */
	g_assert_cmpuint(n, >=, 150);
	g_assert_cmpuint(n, <=, 250);
	g_assert_true(run_boot("caches", true));
	text = read_results("caches");
	g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
	slub = slub_of(p);
	caches = json_object_get_object_member(slub, "caches");
	g_assert_cmpuint(json_object_get_size(caches), ==, n + PAGE_SHIFT_ + 1);
	g_hash_table_iter_init(&it, named);
	while (g_hash_table_iter_next(&it, &name, &size)) {
		JsonObject *c = json_object_get_object_member(caches, name);
		if (!c)
			g_test_message("cache %s missing", (char *)name);
		g_assert_nonnull(c);
		g_assert_cmpint(json_object_get_int_member(c, "object_size"), ==, atoi(size));
	}
	g_assert_true(json_object_has_member(caches, "kmem_cache_node"));
	g_assert_true(json_object_has_member(caches, "kmalloc-96"));
	g_assert_true(json_object_has_member(caches, "kmalloc-192"));
	for (int s = 8; s <= PAGE_SIZE_; s *= 2) {
		char *k = g_strdup_printf("kmalloc-%d", s);
		g_assert_true(json_object_has_member(caches, k));
		g_free(k);
	}
	counters = json_object_get_object_member(slub, "workload_counters");
	g_assert_cmpint(json_object_get_int_member(counters, "boot.caches_created"), ==, n);
	g_free(text);
	g_object_unref(p);
	g_hash_table_destroy(named);
}

/* Merging on (the default): every named cache and SLUB's own is a cache
 * or an alias of one, exactly once; the aliases are counted in
 * cache_aliases, at most 110 of the 175 names (issue 14). */
static void test_aliases(void)
{
	GHashTable *named = named_caches(), *seen = g_hash_table_new(g_str_hash, g_str_equal);
	JsonParser *p = json_parser_new();
	JsonObject *slub, *caches;
	GList *names;
	guint naliases = 0;
	char *text;

	g_assert_true(run_boot("aliases", false));
	text = read_results("aliases");
	g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
	slub = slub_of(p);
	caches = json_object_get_object_member(slub, "caches");
	names = json_object_get_members(caches);
	for (GList *l = names; l; l = l->next) {
		JsonObject *c = json_object_get_object_member(caches, l->data);
		JsonArray *al = json_object_has_member(c, "aliases") ?
		                json_object_get_array_member(c, "aliases") : NULL;

		g_assert_true(g_hash_table_add(seen, l->data));
		for (guint i = 0; al && i < json_array_get_length(al); i++) {
			const char *a = json_array_get_string_element(al, i);
			g_assert_true(g_hash_table_contains(named, a));
			g_assert_true(g_hash_table_add(seen, (char *)a));
			naliases++;
		}
	}
	g_assert_cmpuint(g_hash_table_size(seen), ==, g_hash_table_size(named) + PAGE_SHIFT_ + 1);
	g_test_message("%u caches, %u aliases", g_list_length(names), naliases);
	g_assert_cmpuint(naliases, >, 0);
	g_assert_cmpuint(naliases, <=, 110);
	g_assert_cmpint(json_object_get_int_member(slub, "cache_aliases"), ==, naliases);
	g_list_free(names);
	g_hash_table_destroy(seen);
	g_object_unref(p);
	g_free(text);
	g_hash_table_destroy(named);
}

/* A row of the largest size is created, one a word larger is counted,
 * named on stderr and not created; the run goes on. */
static void test_too_big(void)
{
	const char *bin = g_getenv("SLABSIM_BIN");
	char *file = g_build_filename(tmpdir, "big.slabinfo", NULL);
	char *dir = g_build_filename(tmpdir, "big", NULL);
	char *text = g_strdup_printf("slabinfo - version: 2.1\n"
	                             "largest 1 1 %ld 1 %ld : tunables 0 0 0 : slabdata 1 1 0\n"
	                             "beyond 1 1 %ld 1 %ld : tunables 0 0 0 : slabdata 1 1 0\n",
	                             MAX_CACHE, MAX_CACHE / PAGE_SIZE_, MAX_CACHE + 8,
	                             2 * MAX_CACHE / PAGE_SIZE_);
	char *slabinfo = g_strconcat("workload.slabinfo=", file, NULL);
	const char *argv[] = {
		bin, "run", "scenarios/boot-small.scn", "--allocators", "slub", "--quiet",
		"--out", dir, "--set", "machine.cpus=2", "--set", "machine.page_size=4096",
		"--set", "workload.caches_per_cpu=1", "--set", "workload.objects=1",
		"--set", slabinfo, NULL,
	};
	char *sout = NULL, *serr = NULL, *results;
	JsonParser *p = json_parser_new();
	JsonObject *slub;
	int wait = 0;

	g_assert_true(g_file_set_contents(file, text, -1, NULL));
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                           &sout, &serr, &wait, NULL));
	g_assert_true(WIFEXITED(wait) && WEXITSTATUS(wait) == 0);
	g_assert_nonnull(strstr(serr, "1 rows larger than slub's largest cache"));
	g_assert_nonnull(strstr(serr, "beyond"));
	results = read_results("big");
	g_assert_true(json_parser_load_from_data(p, results, -1, NULL));
	slub = slub_of(p);
	g_assert_true(json_object_has_member(json_object_get_object_member(slub, "caches"),
	                                     "largest"));
	g_assert_false(json_object_has_member(json_object_get_object_member(slub, "caches"),
	                                      "beyond"));
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(
	                slub, "workload_counters"), "boot.rows_too_big"), ==, 1);
	g_object_unref(p);
	g_free(results);
	g_free(sout);
	g_free(serr);
	g_free(slabinfo);
	g_free(text);
	g_free(dir);
	g_free(file);
}

/* Allocations and frees as the parameters say; every CPU took part. */
static void test_ops(void)
{
	JsonParser *p = json_parser_new();
	int per_cpu = PER_CPU * OBJECTS + KMALLOCS;
	char *text;
	JsonObject *ops;

	g_assert_true(run_boot("ops", false));
	text = read_results("ops");
	g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
	ops = json_object_get_object_member(slub_of(p), "ops");
	g_assert_cmpint(json_object_get_int_member(ops, "alloc"), ==, CPUS * per_cpu);
	g_assert_cmpint(json_object_get_int_member(ops, "free"), ==, CPUS * frees_per_cpu(per_cpu));
	g_assert_cmpint(json_object_get_int_member(ops, "failed"), ==, 0);
	g_free(text);
	g_object_unref(p);
}

/* Two runs with the same seed give byte-identical results. */
static void test_determinism(void)
{
	char *a, *b;

	g_assert_true(run_boot("d1", false));
	g_assert_true(run_boot("d2", false));
	a = read_results("d1");
	b = read_results("d2");
	g_assert_cmpstr(a, ==, b);
	g_free(a);
	g_free(b);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-boot-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/boot/caches", test_caches);
	g_test_add_func("/boot/ops", test_ops);
	g_test_add_func("/boot/aliases", test_aliases);
	g_test_add_func("/boot/too-big", test_too_big);
	g_test_add_func("/boot/determinism", test_determinism);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
