/*
 * test_replay.c -- workloads/kmem-replay.lua on the two real traces in
 * tests/data (perf-kmem-small.txt: `perf script` of kmem:kmalloc, kfree,
 * kmem_cache_alloc, kmem_cache_free; ftrace-kmem-small.txt: the raw
 * /sys/kernel/tracing/trace text with every kmem event enabled, so it also
 * holds page-allocator and rss_stat lines that the replay must skip).
 *
 * The expected counts are computed here, independently of slabsim's trace
 * reader: a GRegex picks the kmem event lines and this file pairs frees
 * with allocations by pointer itself.  Runs the binary named by
 * $SLABSIM_BIN from the repository root, like test_cli.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zlib.h>
#include "harness.h"

#define SIM_CPUS 16        /* nehalem-2s, the machine of scenarios/replay.scn */

static char *tmpdir;

typedef struct expect {
	long lines, events, allocs, frees, null_frees, unmatched, never_freed, cross, untraced, failed;
} expect_t;

static bool null_ptr(const char *p)
{
	if (strcmp(p, "(null)") == 0 || strcmp(p, "(nil)") == 0)
		return true;
	for (const char *c = g_str_has_prefix(p, "0x") ? p + 2 : p; *c; c++)
		if (*c != '0')
			return false;
	return true;
}

/* A plain or gzip file's text (zlib reads both). */
static char *read_text(const char *path)
{
	gzFile f = gzopen(path, "rb");
	GString *s = g_string_new(NULL);
	char buf[65536];
	int n;

	g_assert_nonnull(f);
	while ((n = gzread(f, buf, sizeof buf)) > 0)
		g_string_append_len(s, buf, n);
	gzclose(f);
	return g_string_free(s, FALSE);
}

/* Count the trace's kmem events and pair them by pointer, in file order
 * (both recordings are in timestamp order). */
static expect_t count_trace(const char *path)
{
	GRegex *re = g_regex_new("\\[(\\d+)\\][^:]*\\d+\\.\\d+:\\s+(?:kmem:)?"
	                         "(kmalloc|kmalloc_node|kmem_cache_alloc|kmem_cache_alloc_node|"
	                         "kfree|kmem_cache_free): .*?\\bptr=\\s*(\\S+)", 0, 0, NULL);
	GHashTable *live = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	expect_t e = { 0 };
	char *text = NULL, **lines;

	g_assert_nonnull(re);
	text = read_text(path);
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		GMatchInfo *m = NULL;
		if (!lines[i + 1] && !*lines[i])
			break;                   /* after the last newline */
		e.lines++;
		if (g_regex_match(re, lines[i], 0, &m)) {
			char *cpu = g_match_info_fetch(m, 1), *ev = g_match_info_fetch(m, 2);
			char *ptr = g_match_info_fetch(m, 3);
			int c = atoi(cpu) % SIM_CPUS;
			e.events++;
			if (strstr(ev, "alloc") && null_ptr(ptr)) {
				e.failed++;            /* a failed allocation: not replayed */
			} else if (strstr(ev, "alloc")) {
				e.allocs++;
				/* a pointer allocated again while live: the older object's
				 * free was not traced; keep the newest */
				e.untraced += g_hash_table_contains(live, ptr);
				g_hash_table_replace(live, g_strdup(ptr), GINT_TO_POINTER(c + 1));
			} else if (null_ptr(ptr)) {
				e.null_frees++;
			} else if (g_hash_table_contains(live, ptr)) {
				e.frees++;
				e.cross += GPOINTER_TO_INT(g_hash_table_lookup(live, ptr)) - 1 != c;
				g_hash_table_remove(live, ptr);
			} else {
				e.unmatched++;
			}
			g_free(cpu); g_free(ev); g_free(ptr);
		}
		g_match_info_free(m);
	}
	e.never_freed = g_hash_table_size(live);
	g_strfreev(lines);
	g_free(text);
	g_hash_table_destroy(live);
	g_regex_unref(re);
	return e;
}

static int64_t member(JsonObject *o, const char *name)
{
	g_assert_true(json_object_has_member(o, name));
	return json_object_get_int_member(o, name);
}

/* One allocator's results against the independent counts. */
static void check_counts(JsonObject *a, const expect_t *e)
{
	JsonObject *c = json_object_get_object_member(a, "workload_counters");
	JsonObject *ops = json_object_get_object_member(a, "ops");

	g_assert_cmpint(member(c, "replay.events"), ==, e->events);
	g_assert_cmpint(member(c, "replay.skipped_lines"), ==, e->lines - e->events);
	g_assert_cmpint(member(c, "replay.objects"), ==, e->allocs);
	g_assert_cmpint(member(c, "replay.frees"), ==, e->frees);
	g_assert_cmpint(member(c, "replay.null_frees"), ==, e->null_frees);
	g_assert_cmpint(member(c, "replay.unmatched_frees"), ==, e->unmatched);
	g_assert_cmpint(member(c, "replay.never_freed"), ==, e->never_freed);
	g_assert_cmpint(member(c, "replay.cross_cpu_frees"), ==, e->cross);
	g_assert_cmpint(member(c, "replay.untraced_frees"), ==, e->untraced);
	g_assert_cmpint(member(c, "replay.traced_failures"), ==, e->failed);
	g_assert_cmpint(member(c, "replay.alloc_failed"), ==, 0);
	g_assert_cmpint(member(ops, "alloc"), ==, e->allocs);
	/* untraced frees go through kfree_rcu (objects of 16 bytes and more) */
	g_assert_cmpint(member(ops, "free") + member(ops, "free_rcu"), ==, e->frees + e->untraced);
}

/* Replay `trace` with scenarios/replay.scn (every allocator it lists) and
 * compare with count_trace. */
static void check_replay(const char *trace)
{
	char *out = g_build_filename(tmpdir, "r", NULL), *set = g_strdup_printf("workload.trace=%s", trace);
	char *json = g_build_filename(out, "results.json", NULL);
	expect_t e = count_trace(trace);
	JsonParser *p = json_parser_new();
	JsonObject *all;
	GList *names;
	harness_result_t r = harness_slabsim("run", "scenarios/replay.scn", "--set", set, "--out", out,
	                                     "--quiet", "--no-plots", "--force");

	if (r.status)
		g_test_message("stderr: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(json_parser_load_from_file(p, json, NULL));
	g_assert_cmpint(e.events, >, 1000);                 /* the fixtures are real */
	all = json_object_get_object_member(json_node_get_object(json_parser_get_root(p)), "allocators");
	names = json_object_get_members(all);
	g_assert_nonnull(names);
	for (GList *l = names; l; l = l->next)              /* the same under every allocator */
		check_counts(json_object_get_object_member(all, l->data), &e);
	g_list_free(names);
	g_object_unref(p);
	g_free(json); g_free(set); g_free(out);
	harness_result_free(&r);
}

static void test_perf_script(void)
{
	check_replay("tests/data/perf-kmem-small.txt");
}

static void test_ftrace(void)
{
	expect_t e = count_trace("tests/data/ftrace-kmem-small.txt");

	g_assert_cmpint(e.lines - e.events, >, 100);       /* mm_page_*, rss_stat, header */
	check_replay("tests/data/ftrace-kmem-small.txt");
}

/* The kmalloc class (6.x kmalloc_slab) of a request of n bytes, as the
 * cache name's suffix: 8 .. 192 by the size table, powers of two above,
 * "1k" .. "8k" from a KiB on. */
static char *class_name(long n)
{
	static const long small[] = { 8, 16, 32, 64, 96, 128, 192 };
	long c = 256;

	for (unsigned i = 0; i < G_N_ELEMENTS(small); i++)
		if (n <= small[i])
			return g_strdup_printf("%ld", small[i]);
	while (c < n)
		c *= 2;
	return c >= 1024 ? g_strdup_printf("%ldk", c / 1024) : g_strdup_printf("%ld", c);
}

/* Under slub-6, the trace's accounted=true kmallocs land in kmalloc-cg-N
 * (a class has slabs exactly when the trace has one of its size), and
 * maple_node and vm_area_struct have 6.18's sheaves of 32: per CPU a main
 * and a spare (16 * 2 * 32 objects), per node a barn of 10 (2 * 10 * 32);
 * no other cache has any.  (test_slub6 covers sheaves = 0.) */
static void test_slub6(void)
{
	char *out = g_build_filename(tmpdir, "s6", NULL), *json = g_build_filename(out, "results.json", NULL);
	GRegex *re = g_regex_new("kmem:kmalloc: .*bytes_req=(\\d+) .*accounted=true", 0, 0, NULL);
	GHashTable *want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *text = NULL, **lines;
	JsonParser *p = json_parser_new();
	JsonObject *caches;
	GList *names;
	harness_result_t r = harness_slabsim("run", "scenarios/replay.scn", "-a", "slub-6",
	                                     "--out", out, "--quiet", "--no-plots");

	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(g_file_get_contents("tests/data/perf-kmem-small.txt", &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		GMatchInfo *m = NULL;

		if (g_regex_match(re, lines[i], 0, &m)) {
			char *n = g_match_info_fetch(m, 1), *cls = class_name(atol(n));

			g_hash_table_add(want, g_strconcat("kmalloc-cg-", cls, NULL));
			g_free(cls);
			g_free(n);
		}
		g_match_info_free(m);
	}
	g_assert_cmpuint(g_hash_table_size(want), >, 3);
	g_assert_true(json_parser_load_from_file(p, json, NULL));
	caches = json_object_get_object_member(json_object_get_object_member(json_object_get_object_member(
		json_node_get_object(json_parser_get_root(p)), "allocators"), "slub-6"), "caches");
	names = json_object_get_members(caches);
	for (GList *l = names; l; l = l->next) {
		JsonObject *c = json_object_get_object_member(caches, l->data);
		JsonObject *q = json_object_get_object_member(c, "queue_capacity");
		bool sheafed = !strcmp(l->data, "maple_node") || !strcmp(l->data, "vm_area_struct");

		if (g_str_has_prefix(l->data, "kmalloc-cg-"))
			g_assert_cmpint(member(c, "slabs") > 0, ==, g_hash_table_contains(want, l->data));
		g_assert_cmpint(json_object_get_size(q), ==, sheafed ? 2 : 0);
		if (sheafed) {
			g_assert_cmpint(member(json_object_get_object_member(q, "percpu"), "objects"), ==, 16 * 2 * 32);
			g_assert_cmpint(member(json_object_get_object_member(q, "barn"), "objects"), ==, 2 * 10 * 32);
		}
	}
	g_list_free(names);
	g_object_unref(p);
	g_strfreev(lines);
	g_free(text);
	g_hash_table_destroy(want);
	g_regex_unref(re);
	g_free(json); g_free(out);
	harness_result_free(&r);
}

/* The allocator `name`'s object in the results.json of tmpdir/sub (p
 * keeps it). */
static JsonObject *allocator_in(JsonParser *p, const char *sub, const char *name)
{
	char *json = g_build_filename(tmpdir, sub, "results.json", NULL);

	g_assert_true(json_parser_load_from_file(p, json, NULL));
	g_free(json);
	return json_object_get_object_member(json_object_get_object_member(
		json_node_get_object(json_parser_get_root(p)), "allocators"), name);
}

/* Replay trace under allocator `a` (extra: one more option, or NULL) into
 * tmpdir/NAME; exit status 0. */
static void replay_into(const char *trace, const char *a, const char *name, const char *extra)
{
	char *out = g_build_filename(tmpdir, name, NULL), *set = g_strdup_printf("workload.trace=%s", trace);
	harness_result_t r = extra ?
		harness_slabsim("run", "scenarios/replay.scn", "-a", a, "--set", set, "--out", out, "--force",
		                "--quiet", "--no-plots", extra) :
		harness_slabsim("run", "scenarios/replay.scn", "-a", a, "--set", set, "--out", out, "--force",
		                "--quiet", "--no-plots");

	if (r.status)
		g_test_message("stderr: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	g_free(set);
	g_free(out);
}

/* The reuse caches' order of report-schema.md: those the input has, by
 * its allocations (most first, name order breaking ties), then the ones
 * only the simulation has, by name (not by where the host keeps them). */
static void check_reuse_order(JsonObject *reuse)
{
	JsonObject *caches = json_object_get_object_member(reuse, "caches");
	GList *names = json_object_get_members(caches);
	const char *prev = NULL;
	gint64 prev_allocs = G_MAXINT64;
	bool sim_only = false;

	for (GList *l = names; l; l = l->next) {
		JsonObject *k = json_object_get_object_member(caches, l->data);
		bool in = json_object_has_member(k, "input");
		gint64 allocs = in ? member(json_object_get_object_member(k, "input"), "allocs") : 0;

		g_assert_true(!in || !sim_only);
		if (in)
			g_assert_true(allocs < prev_allocs || (allocs == prev_allocs && strcmp(prev, l->data) < 0));
		else
			g_assert_true(!sim_only || strcmp(prev, l->data) < 0);
		sim_only = !in;
		prev = l->data;
		prev_allocs = allocs;
	}
	g_list_free(names);
}

/* --trace-out: a file per allocator when several run; replaying the
 * simulated trace gives the same objects, frees and objects left, its
 * input reuse is the first run's simulated reuse, overall and per cache,
 * and an independent perf-script reader (count_trace) reads every line. */
static void test_trace_out(void)
{
	char *base = g_build_filename(tmpdir, "sim.txt", NULL), *out1 = g_build_filename(tmpdir, "t1", NULL);
	char *opt = g_strdup_printf("--trace-out=%s", base);
	char *t_slub = g_build_filename(tmpdir, "sim-slub.txt", NULL);
	char *t_slab = g_build_filename(tmpdir, "sim-slab.txt", NULL);
	char *set = g_strdup("workload.trace=tests/data/perf-kmem-small.txt");
	JsonParser *p1 = json_parser_new(), *p2 = json_parser_new();
	harness_result_t r = harness_slabsim("run", "scenarios/replay.scn", "-a", "slub,slab", "--set", set,
	                                     "--out", out1, "--force", "--quiet", "--no-plots", opt);
	JsonObject *a1, *a2, *c1, *c2, *ru1, *ru2;
	GList *names;
	expect_t e;

	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	g_assert_true(g_file_test(t_slab, G_FILE_TEST_EXISTS));
	replay_into(t_slub, "slub", "t2", NULL);
	a1 = allocator_in(p1, "t1", "slub");
	a2 = allocator_in(p2, "t2", "slub");
	c1 = json_object_get_object_member(a1, "workload_counters");
	c2 = json_object_get_object_member(a2, "workload_counters");
	for (const char *const *k = (const char *const[]){ "replay.objects", "replay.frees",
	     "replay.never_freed", "replay.untraced_frees", NULL }; *k; k++)
		g_assert_cmpint(member(c2, *k), ==, member(c1, *k));
	e = count_trace(t_slub);
	g_assert_cmpint(e.allocs, ==, member(c1, "replay.objects"));
	g_assert_cmpint(e.frees, ==, member(c1, "replay.frees"));
	g_assert_cmpint(e.lines, ==, e.events);
	ru1 = json_object_get_object_member(a1, "reuse");
	ru2 = json_object_get_object_member(a2, "reuse");
	g_assert_cmpint(member(json_object_get_object_member(ru2, "input"), "reuses"), ==,
	                member(json_object_get_object_member(ru1, "simulated"), "reuses"));
	check_reuse_order(ru1);
	names = json_object_get_members(json_object_get_object_member(ru1, "caches"));
	for (GList *l = names; l; l = l->next) {
		JsonObject *k1 = json_object_get_object_member(json_object_get_object_member(ru1, "caches"), l->data);
		JsonObject *k2;
		if (!json_object_has_member(k1, "simulated"))
			continue;                  /* kmalloc-cg-N: slub merges them */
		k2 = json_object_get_object_member(json_object_get_object_member(ru2, "caches"), l->data);
		g_assert_cmpint(member(json_object_get_object_member(k2, "input"), "reuses"), ==,
		                member(json_object_get_object_member(k1, "simulated"), "reuses"));
	}
	g_list_free(names);
	g_object_unref(p1);
	g_object_unref(p2);
	g_free(base); g_free(out1); g_free(opt); g_free(t_slub); g_free(t_slab); g_free(set);
}

/* A gzip trace replays as the plain one; an empty and a garbage trace are
 * refused, naming the file and the lines skipped. */
static void test_compressed_and_refused(void)
{
	char *gz = g_build_filename(tmpdir, "small.txt.gz", NULL), *text = NULL;
	char *empty = g_build_filename(tmpdir, "empty.txt", NULL);
	char *junk = g_build_filename(tmpdir, "junk.txt", NULL);
	gsize len;

	g_assert_true(g_file_get_contents("tests/data/perf-kmem-small.txt", &text, &len, NULL));
	gzFile f = gzopen(gz, "wb");
	gzwrite(f, text, (unsigned)len);
	gzclose(f);
	check_replay(gz);
	g_assert_true(g_file_set_contents(empty, "", 0, NULL));
	g_assert_true(g_file_set_contents(junk, "hello\nworld: kmem:kmalloc: x\n\x01\x02\n", -1, NULL));
	for (int i = 0; i < 2; i++) {
		char *set = g_strdup_printf("workload.trace=%s", i ? junk : empty);
		harness_result_t r = harness_slabsim("run", "scenarios/replay.scn", "-a", "slub", "--set", set,
		                                     "--out", tmpdir, "--quiet", "--no-plots");
		harness_expect_error(r, 2, i ? junk : empty, i ? "all 3 skipped" : "all 0 skipped");
		g_free(set);
	}
	g_free(text); g_free(gz); g_free(empty); g_free(junk);
}

/* A hand-made trace: a traced cache called kmem_cache replays as
 * trace:kmem_cache beside slub-6's own kmem_cache; a maple_node pointer
 * allocated again while live is an untraced free (kfree_rcu by default,
 * a plain free with untraced=immediate); the input's LIFO reuse counted by
 * hand: CPU 0 allocates A (0x100) and B (0x200) from kmem_cache, frees A,
 * allocates A again (a reuse), frees B, then CPU 1 allocates B (another
 * CPU: no reuse): kmem_cache 1 of 4; maple_node 0 of 2. */
static void test_hand_made(void)
{
	char *trace = g_build_filename(tmpdir, "hand.txt", NULL);
	JsonParser *p = json_parser_new();
	JsonObject *a, *caches, *ru;
	static const char *const lines[] = {
		"A 1 [000] 1.000001: kmem:kmem_cache_alloc: call_site=x ptr=0x100 name=kmem_cache bytes_req=200 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		"A 1 [000] 1.000002: kmem:kmem_cache_alloc: call_site=x ptr=0x200 name=kmem_cache bytes_req=200 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		"A 1 [000] 1.000003: kmem:kmem_cache_free: call_site=x ptr=0x100 name=kmem_cache",
		"A 1 [000] 1.000004: kmem:kmem_cache_alloc: call_site=x ptr=0x100 name=kmem_cache bytes_req=200 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		"A 1 [000] 1.000005: kmem:kmem_cache_free: call_site=x ptr=0x200 name=kmem_cache",
		"B 2 [001] 1.000006: kmem:kmem_cache_alloc: call_site=x ptr=0x200 name=kmem_cache bytes_req=200 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		"A 1 [000] 1.000007: kmem:kmem_cache_alloc: call_site=x ptr=0x300 name=maple_node bytes_req=256 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		"A 1 [000] 1.000008: kmem:kmem_cache_alloc: call_site=x ptr=0x300 name=maple_node bytes_req=256 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		NULL,
	};
	char *text = g_strjoinv("\n", (char **)lines), *full = g_strconcat(text, "\n", NULL);

	g_assert_true(g_file_set_contents(trace, full, -1, NULL));
	replay_into(trace, "slub-6", "h1", NULL);
	a = allocator_in(p, "h1", "slub-6");
	caches = json_object_get_object_member(a, "caches");
	g_assert_true(json_object_has_member(caches, "kmem_cache"));
	g_assert_cmpint(member(json_object_get_object_member(caches, "trace:kmem_cache"), "live_objects"), ==, 2);
	ru = json_object_get_object_member(json_object_get_object_member(a, "reuse"), "caches");
	g_assert_cmpint(member(json_object_get_object_member(json_object_get_object_member(ru, "trace:kmem_cache"),
	                "input"), "reuses"), ==, 1);
	g_assert_cmpint(member(json_object_get_object_member(json_object_get_object_member(ru, "trace:kmem_cache"),
	                "input"), "allocs"), ==, 4);
	g_assert_cmpint(member(json_object_get_object_member(a, "workload_counters"), "replay.untraced_frees"), ==, 1);
	g_assert_cmpint(member(json_object_get_object_member(a, "ops"), "free_rcu"), ==, 1);
	g_object_unref(p);
	p = json_parser_new();
	replay_into(trace, "slub-6", "h2", "--set=workload.untraced=immediate");
	a = allocator_in(p, "h2", "slub-6");
	g_assert_cmpint(member(json_object_get_object_member(a, "ops"), "free_rcu"), ==, 0);
	g_assert_cmpint(member(json_object_get_object_member(a, "ops"), "free"), ==, 2 + 1);
	g_object_unref(p);
	g_free(text); g_free(full); g_free(trace);
}

/* A kmem event line the reader cannot parse stops the run, naming the
 * trace file and line. */
static void test_bad_line(void)
{
	char *trace = g_build_filename(tmpdir, "bad.txt", NULL);
	char *set = g_strdup_printf("workload.trace=%s", trace), *where = g_strdup_printf("%s:3:", trace);
	harness_result_t r;

	g_assert_true(g_file_set_contents(trace,
		"# tracer: nop\n"
		"  bash-1 [000] ..... 10.000001: kmalloc: call_site=f ptr=0000000012345678 bytes_req=8 bytes_alloc=8\n"
		"  bash-1 [000] ..... 10.000002: kmalloc: call_site=f bytes_req=8 bytes_alloc=8\n", -1, NULL));
	r = harness_slabsim("run", "scenarios/replay.scn", "--set", set, "--out", tmpdir, "--quiet", "--no-plots");
	if (!strstr(r.err, where))
		g_test_message("stderr: %s", r.err);
	g_assert_cmpint(r.status, !=, 0);
	g_assert_nonnull(strstr(r.err, where));
	g_remove(trace);
	g_free(trace); g_free(set); g_free(where);
	harness_result_free(&r);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-replay-XXXXXX", NULL);
	g_test_add_func("/replay/perf-script", test_perf_script);
	g_test_add_func("/replay/ftrace", test_ftrace);
	g_test_add_func("/replay/bad-line", test_bad_line);
	g_test_add_func("/replay/slub-6", test_slub6);
	g_test_add_func("/replay/trace-out", test_trace_out);
	g_test_add_func("/replay/compressed-and-refused", test_compressed_and_refused);
	g_test_add_func("/replay/hand-made", test_hand_made);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
