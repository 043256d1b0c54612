/*
 * test_cli.c -- the command line end to end: results, determinism, a clear
 * error with a non-zero exit for each class of bad input and misused
 * command, `check` on a good scenario, the report printed by `run`,
 * `run --jobs 2` against `--jobs 1`, and `validate` on a claims file of
 * its own.
 *
 * Runs the binary named by $SLABSIM_BIN (the test runner sets it to the
 * debug build) from the repository root.  Runs are shortened with --set so
 * the sanitizer build stays quick.
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "harness.h"

static char *tmpdir;

static char *path_in(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

#define SHORT "--set", "workload.batches=40"

static harness_result_t quick_run(const char *out, const char *seed)
{
	return harness_slabsim("run", "scenarios/quickstart.scn", "--out", out, "--quiet",
	               "--seed", seed, SHORT, NULL);
}

/* Every key of the stable core of DESIGN.md section 9. */
static void check_stable_core(JsonObject *root)
{
	static const char *const top[] = { "ops", "latency_ns", "memory", "metadata_by_category",
	                                    "caches", "locks", "cachelines", "pages", "jitter", "stats" };
	static const char *const lat[] = { "mean", "p50", "p90", "p99", "p999", "max" };
	static const char *const mem[] = { "slab_bytes", "live_bytes", "queued_bytes", "metadata_bytes" };
	static const char *const cache[] = { "object_size", "size", "objects_per_slab", "order", "slabs",
	                                     "active_objs", "metadata_bytes", "metadata_by_category" };
	static const char *const lines[] = { "accesses", "hits", "transfers_same_node",
	                                     "transfers_remote_node", "memory_local", "memory_remote",
	                                     "invalidations" };
	JsonObject *meta = json_object_get_object_member(root, "slabsim");
	JsonObject *a, *c;

	g_assert_cmpint(json_object_get_int_member(meta, "schema"), ==, 1);
	g_assert_true(json_object_has_member(meta, "version"));
	g_assert_true(json_object_has_member(root, "scenario"));
	a = json_object_get_object_member(json_object_get_object_member(root, "allocators"), "slub");
	g_assert_nonnull(a);
	for (size_t i = 0; i < G_N_ELEMENTS(top); i++)
		g_assert_true(json_object_has_member(a, top[i]));
	for (int op = 0; op < 2; op++) {
		JsonObject *l = json_object_get_object_member(json_object_get_object_member(a, "latency_ns"),
		                                              op ? "free" : "alloc");
		double prev = 0;
		for (size_t i = 0; i < G_N_ELEMENTS(lat); i++)
			g_assert_true(json_object_has_member(l, lat[i]));
		for (size_t i = 1; i < G_N_ELEMENTS(lat); i++) {   /* monotonic */
			double v = json_object_get_double_member(l, lat[i]);
			g_assert_cmpfloat(v, >=, prev);
			prev = v;
		}
	}
	for (int w = 0; w < 2; w++) {
		JsonObject *m = json_object_get_object_member(json_object_get_object_member(a, "memory"),
		                                              w ? "final" : "peak");
		for (size_t i = 0; i < G_N_ELEMENTS(mem); i++)
			g_assert_true(json_object_has_member(m, mem[i]));
	}
	c = harness_cache_entry(json_object_get_object_member(a, "caches"), "remote-free");
	g_assert_nonnull(c);
	for (size_t i = 0; i < G_N_ELEMENTS(cache); i++)
		g_assert_true(json_object_has_member(c, cache[i]));
	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++)
		g_assert_true(json_object_has_member(json_object_get_object_member(a, "cachelines"), lines[i]));
	g_assert_true(json_object_has_member(json_object_get_object_member(a, "pages"), "allocs_by_order"));
	g_assert_true(json_object_has_member(json_object_get_object_member(a, "jitter"),
	                                     "housekeeping_ns_total"));
	g_assert_true(json_object_has_member(json_object_get_object_member(a, "jitter"),
	                                     "longest_interruption_ns"));
}

static void test_results(void)
{
	char *out = path_in("r1");
	harness_result_t r = quick_run(out, "1");
	JsonParser *p = json_parser_new();
	char *text;
	JsonObject *ops;

	g_assert_cmpint(r.status, ==, 0);
	text = harness_read_text(out, "results.json");
	g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
	check_stable_core(json_node_get_object(json_parser_get_root(p)));
	/* 4 pairs x 40 batches x 32 objects, all freed by the consumers. */
	ops = json_object_get_object_member(json_object_get_object_member(
		json_object_get_object_member(json_node_get_object(json_parser_get_root(p)), "allocators"),
		"slub"), "ops");
	g_assert_cmpint(json_object_get_int_member(ops, "alloc"), ==, 4 * 40 * 32);
	g_assert_cmpint(json_object_get_int_member(ops, "free"), ==, 4 * 40 * 32);
	g_free(text);
	text = harness_read_text(out, "scenario.scn");
	g_assert_nonnull(strstr(text, "batches=40"));
	g_free(text);
	g_object_unref(p);
	harness_result_free(&r);
	g_free(out);
}

static void test_determinism(void)
{
	char *a = path_in("d1"), *b = path_in("d2"), *c = path_in("d3");
	harness_result_t r1 = quick_run(a, "1"), r2 = quick_run(b, "1"), r3 = quick_run(c, "2");
	char *ja, *jb, *jc;

	g_assert_cmpint(r1.status + r2.status + r3.status, ==, 0);
	ja = harness_read_text(a, "results.json");
	jb = harness_read_text(b, "results.json");
	jc = harness_read_text(c, "results.json");
	g_assert_cmpstr(ja, ==, jb);
	g_assert_cmpstr(ja, !=, jc);
	g_free(ja); g_free(jb); g_free(jc);
	harness_result_free(&r1); harness_result_free(&r2); harness_result_free(&r3);
	g_free(a); g_free(b); g_free(c);
}

/* --jobs 2 (five allocators in two worker processes, two seeds each)
 * writes the same result files, byte for byte, as --jobs 1 (one process);
 * provenance.json records the command and host time, so it differs. */
static void test_jobs(void)
{
	char *a = path_in("j1"), *b = path_in("j2");
	harness_result_t r1 = harness_slabsim("run", "scenarios/quickstart.scn", "--out", a, "--quiet",
	                                      "--no-plots", "--seeds", "2", "--jobs", "1", SHORT);
	harness_result_t r2 = harness_slabsim("run", "scenarios/quickstart.scn", "--out", b, "--quiet",
	                                      "--no-plots", "--seeds", "2", "--jobs", "2", SHORT);
	GDir *d;
	const char *name;
	int files = 0;

	g_assert_cmpint(r1.status, ==, 0);
	g_assert_cmpint(r2.status, ==, 0);
	d = g_dir_open(a, 0, NULL);
	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		if (!strcmp(name, "provenance.json") || !strcmp(name, "plots"))
			continue;                       /* how it ran, not what */
		char *x = harness_read_text(a, name), *y = harness_read_text(b, name);
		g_assert_nonnull(y);
		g_assert_cmpstr(x, ==, y);
		g_free(x);
		g_free(y);
		files++;
	}
	g_dir_close(d);
	g_assert_cmpint(files, >=, 5 * 3 + 4);   /* per-allocator CSVs, shared files */
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "--jobs", "-1"),
	                     1, "--jobs", NULL);
	harness_result_free(&r1);
	harness_result_free(&r2);
	g_free(a);
	g_free(b);
}

/* Write a scenario into the temp dir from a quickstart-like body. */
static char *scenario_file(const char *name, const char *body)
{
	char *p = path_in(name);

	g_assert_true(g_file_set_contents(p, body, -1, NULL));
	return p;
}

#define BASE "[scenario]\nworkload = remote-free\nmachine = nehalem-2s\nallocators = slub\n"

static void test_unknown_key(void)
{
	char *p = scenario_file("unknown-key.scn", BASE "seed = 1\nfrobnicate = 3\n");
	char *where = g_strdup_printf("%s:6:", p);

	harness_expect_error(harness_slabsim("run", p, "--out", tmpdir, NULL), 1, where, "frobnicate");
	g_free(where);
	g_free(p);
}

static void test_bad_inputs(void)
{
	char *p;

	p = scenario_file("bad-section.scn", BASE "[frob]\nx = 1\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, "[frob]", ":5:");
	g_free(p);
	p = scenario_file("bad-time.scn", BASE "duration = soon\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":5:", "duration");
	g_free(p);
	p = scenario_file("bad-param.scn", BASE "[workload]\npairs = 2\nfrobs = 1\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":7:", "frobs");
	g_free(p);
	p = scenario_file("bad-type.scn", BASE "[workload]\npairs = many\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":6:", "expected a number");
	g_free(p);
	p = scenario_file("bad-alloc.scn", "[scenario]\nworkload = remote-free\nallocators = slub,frob\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":3:", "frob");
	g_free(p);
	p = scenario_file("bad-tunable.scn", BASE "[allocator.slub]\nslub_max_order = 99\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":6:", "slub_max_order");
	g_free(p);
	p = scenario_file("bad-machine.scn", BASE "[machine]\ncpus = lots\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":6:", "cpus");
	g_free(p);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set", "machine.nodes=3", NULL),
	             1, "nodes", NULL);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set", "workload.pairs", NULL),
	             1, "--set", "section.key=value");
	harness_expect_error(harness_slabsim("check", "/nonexistent/x.scn", NULL), 1, "/nonexistent/x.scn", NULL);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set", "frob.x=1", NULL),
	             1, "--set frob.*", "unknown section");
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--seed", "-1", NULL),
	             1, "--set scenario.seed", "non-negative");
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--allocators", "slub,slub", NULL),
	             1, "allocators", "twice");
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set", "workload.batch=2.5", NULL),
	             1, "--set workload.batch", "expected an integer");
	p = scenario_file("bad-workload.scn", "[scenario]\nworkload = nosuch\n");
	harness_expect_error(harness_slabsim("check", p, NULL), 1, ":2:", "nosuch");
	g_free(p);
}

/* A script that frees an object twice stops the run with the script's
 * file and line, exit status 2, and writes no results. */
static void test_script_error(void)
{
	char *lua = path_in("twice.lua");
	char *scn, *body, *out = path_in("no-results"), *json, *where;

	g_assert_true(g_file_set_contents(lua,
		"return { description = 'double free', params = {},\n"
		"  setup = function(sim, p)\n"
		"    local c = sim.cache{ name = 'c', size = 64 }\n"
		"    sim.spawn(0, function(t)\n"
		"      local h = t:alloc(c)\n"
		"      t:free(h)\n"
		"      t:free(h)\n"
		"    end)\n"
		"  end }\n", -1, NULL));
	body = g_strdup_printf("[scenario]\nworkload = %s\nmachine = desktop-1s\n", lua);
	scn = scenario_file("twice.scn", body);
	where = g_strdup_printf("%s:7:", lua);
	harness_expect_error(harness_slabsim("run", scn, "--out", out, NULL), 2, where, "freed already");
	json = g_build_filename(out, "results.json", NULL);
	g_assert_false(g_file_test(json, G_FILE_TEST_EXISTS));
	g_free(json); g_free(where); g_free(body); g_free(scn); g_free(out); g_free(lua);
}

/* Run `lua_body` as a workload on slub-6; expect a script error at its
 * line `line` mentioning `what`. */
static void expect_lua_error(const char *name, const char *lua_body, int line, const char *what)
{
	char *lua = path_in(name), *scn_name = g_strconcat(name, ".scn", NULL);
	char *body, *scn, *where, *out = path_in("no-results");

	g_assert_true(g_file_set_contents(lua, lua_body, -1, NULL));
	body = g_strdup_printf("[scenario]\nworkload = %s\nmachine = desktop-1s\nallocators = slub-6\n", lua);
	scn = scenario_file(scn_name, body);
	where = g_strdup_printf("%s:%d:", lua, line);
	harness_expect_error(harness_slabsim("run", scn, "--out", out, NULL), 2, where, what);
	g_free(where); g_free(body); g_free(scn); g_free(scn_name); g_free(out); g_free(lua);
}

/* sim.cache's sheaf_capacity and t:alloc's request flags are checked at
 * the call. */
static void test_sheaf_and_flag_errors(void)
{
	expect_lua_error("sheaf.lua",
		"return { description = 'bad sheaves', params = {},\n"
		"  setup = function(sim, p)\n"
		"    sim.cache{ name = 'c', size = 64, sheaf_capacity = -1 }\n"
		"  end }\n", 3, "sheaf_capacity -1 out of range 0..4096");
	expect_lua_error("flag.lua",
		"return { description = 'bad flag', params = {},\n"
		"  setup = function(sim, p)\n"
		"    sim.spawn(0, function(t)\n"
		"      t:alloc(64, -1, 'accounted|acounted')\n"
		"    end)\n"
		"  end }\n", 4, "\"accounted\"");
}

/* Two points of a sweep: both in sweep.csv; the emitted commands carry
 * each point's --set. */
static void test_sweep(void)
{
	char *out = path_in("sweep"), *csv;
	harness_result_t r = harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1,2",
	                     "--jobs", "2", "--set", "workload.batches=10", "--out", out, NULL);

	if (r.status)
		g_test_message("sweep: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	csv = harness_read_text(out, "sweep.csv");
	g_assert_true(g_str_has_prefix(csv, "workload.pairs,seed,allocator,metric,value\n"));
	g_assert_nonnull(strstr(csv, "\n1,1,slub,metadata_per_cache,"));
	g_assert_nonnull(strstr(csv, "\n2,1,slub,peak_slab_bytes,"));
	g_free(csv);
	r = harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1,2",
	            "--emit-commands", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "'workload.pairs=1'\n"));
	g_assert_nonnull(strstr(r.out, "'workload.pairs=2'\n"));
	harness_result_free(&r);
	harness_expect_error(harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "pairs", NULL),
	             1, "--vary pairs", "section.key");
	g_free(out);
}

static void test_list(void)
{
	harness_result_t r = harness_slabsim("list", NULL);

	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "slub"));
	g_assert_nonnull(strstr(r.out, "nehalem-2s"));
	g_assert_nonnull(strstr(r.out, "remote-free"));
	g_assert_nonnull(strstr(r.out, "quickstart"));
	harness_result_free(&r);
}

/* `check` of a good scenario names its workload and machine, with the
 * CPUs and nodes of the machine's profile (or of an override). */
static void test_check_ok(void)
{
	GKeyFile *kf = g_key_file_new();
	char *want;
	harness_result_t r;

	g_assert_true(g_key_file_load_from_file(kf, "scenarios/machines/nehalem-2s.machine", 0, NULL));
	want = g_strdup_printf("scenarios/quickstart.scn: ok (remote-free on nehalem-2s, %d CPUs, %d nodes)\n",
	                       g_key_file_get_integer(kf, "machine", "cpus", NULL),
	                       g_key_file_get_integer(kf, "machine", "nodes", NULL));
	r = harness_slabsim("check", "scenarios/quickstart.scn");
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(r.out, ==, want);
	harness_result_free(&r);
	r = harness_slabsim("check", "scenarios/quickstart.scn", "--set", "machine.cpus=8");
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "8 CPUs, 2 nodes"));
	harness_result_free(&r);
	g_free(want);
	g_key_file_free(kf);
}

/* With --report full, `run` prints the report it writes to report.txt. */
static void test_report_on_stdout(void)
{
	char *out = path_in("printed"), *text;
	harness_result_t r = harness_slabsim("run", "scenarios/quickstart.scn", "--allocators", "slub",
	                                     "--no-plots", "--report", "full", "--out", out, SHORT);

	g_assert_cmpint(r.status, ==, 0);
	text = harness_read_text(out, "report.txt");
	g_assert_cmpuint(strlen(text), >, 0);
	g_assert_cmpstr(r.out, ==, text);
	g_free(text);
	harness_result_free(&r);
	g_free(out);
}

/* Misused commands: usage on stderr and status 1; version on stdout. */
static void test_command_errors(void)
{
	harness_result_t r;

	harness_expect_error(harness_slabsim_env(NULL, (const char *const[]){ NULL }), 1, "usage:", NULL);
	harness_expect_error(harness_slabsim("frob"), 1, "unknown command 'frob'", "usage:");
	harness_expect_error(harness_slabsim("run", "a.scn", "b.scn"), 1, "run takes one scenario, got 2", NULL);
	harness_expect_error(harness_slabsim("check"), 1, "check takes one scenario", NULL);
	harness_expect_error(harness_slabsim("list", "frob"), 1, "list what?", NULL);
	harness_expect_error(harness_slabsim("validate", "extra"), 1, "usage:", NULL);
	harness_expect_error(harness_slabsim("run", "--frob"), 1, "--frob", NULL);
	r = harness_slabsim("--version");
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(r.out, ==, "slabsim " SLABSIM_VERSION "\n");
	harness_result_free(&r);
}

/* ---- validate ----
 *
 * A root of its own (the repository's scenarios and workloads linked in)
 * whose validation/claims.lua holds: T1, one quickstart run of SLUB with
 * 40 batches, its figure the allocations (4 pairs x 40 batches x 32
 * objects = 5120); T2, the same run under another name (reused, not run
 * again), its figure the frees (the consumers free all 5120); T3, no run,
 * its verdict given.  The document has one row per claim; --only keeps
 * the rows it does not name. */
static const char claims_ok[] =
	"local run = { scenario = 'scenarios/quickstart.scn', set = { 'workload.batches=40' },\n"
	"              allocators = 'slub' }\n"
	"local function named(n) local t = { name = n } for k, v in pairs(run) do t[k] = v end return t end\n"
	"return {\n"
	"  { id = 'T1', title = 'allocations', who = 'the test', claim = 'it allocates',\n"
	"    class = 'measured', method = 'count', runs = { named('a') },\n"
	"    check = function(r) return { figure = tostring(r.a.allocators.slub.ops.alloc),\n"
	"                                 verdict = 'reproduced' } end },\n"
	"  { id = 'T2', title = 'frees', class = 'construction', runs = { named('b') },\n"
	"    check = function(r) return { figure = tostring(r.b.allocators.slub.ops.free),\n"
	"                                 verdict = 'partly reproduced' } end },\n"
	"  { id = 'T3', title = 'untested', class = 'not modelled', needs = 'a TLB',\n"
	"    figure = 'no run', verdict = 'not modelled' },\n"
	"}\n";

static char *validate_root(const char *name, const char *claims)
{
	char *root = path_in(name), *dir = g_build_filename(root, "validation", NULL);
	char *cwd = g_get_current_dir(), *file, *link, *target;
	static const char *const linked[] = { "scenarios", "workloads" };

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	for (unsigned i = 0; i < G_N_ELEMENTS(linked); i++) {
		link = g_build_filename(root, linked[i], NULL);
		target = g_build_filename(cwd, linked[i], NULL);
		if (!g_file_test(link, G_FILE_TEST_EXISTS))
			g_assert_cmpint(symlink(target, link), ==, 0);
		g_free(link);
		g_free(target);
	}
	file = g_build_filename(dir, "claims.lua", NULL);
	g_assert_true(g_file_set_contents(file, claims, -1, NULL));
	g_free(file);
	g_free(dir);
	g_free(cwd);
	return root;
}

static harness_result_t validate_in(const char *root, const char *only)
{
	char **env = g_environ_setenv(g_get_environ(), "SLABSIM_ROOT", root, TRUE);
	char *runs = g_build_filename(root, "runs", NULL), *doc = g_build_filename(root, "v.md", NULL);
	harness_result_t r = harness_slabsim_env(env, (const char *const[]){
		"validate", "--out", runs, "--doc", doc, only ? "--only" : NULL, only, NULL });

	g_strfreev(env);
	g_free(runs);
	g_free(doc);
	return r;
}

static void test_validate(void)
{
	char *root = validate_root("vroot", claims_ok), *doc, *runs, *b;
	harness_result_t r = validate_in(root, NULL);

	if (r.status)
		g_test_message("validate: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	doc = harness_read_text(root, "v.md");
	g_assert_nonnull(strstr(doc, "| [T1](#T1) | allocations | measured | `scenarios/quickstart.scn` "
	                        "| 5120 | - | - | **reproduced** |\n"));
	g_assert_nonnull(strstr(doc, "| [T2](#T2) | frees | by construction | `scenarios/quickstart.scn` "
	                        "| 5120 | - | - | **partly reproduced** |\n"));
	g_assert_nonnull(strstr(doc, "| [T3](#T3) | untested | not modelled | - | no run | - | - "
	                        "| **not modelled** |\n"));
	g_assert_nonnull(strstr(doc, "### T1: allocations\n\n*the test*\n\n**Claim.** it allocates\n\n"
	                        "**Class.** measured\n\n**How slabsim tests it.** count\n\n"));
	g_assert_nonnull(strstr(doc, "**Class.** not modelled: a TLB\n\n"));
	runs = g_build_filename(root, "runs", "T1-a", "results.json", NULL);
	b = g_build_filename(root, "runs", "T2-b", NULL);
	g_assert_true(g_file_test(runs, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(b, G_FILE_TEST_EXISTS));        /* T1's run served T2 */
	g_free(runs);
	g_free(b);

	/* --only: T3 alone, no run needed; the other rows stay as they were. */
	r = validate_in(root, "T3");
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	b = harness_read_text(root, "v.md");
	g_assert_cmpstr(b, ==, doc);
	g_free(b);
	g_free(doc);
	g_free(root);
}

/* A measured claim whose verdict changes from the record exits 4 (the
 * document is still written); the next run agrees with the new record. */
static void test_validate_flip(void)
{
	static const char *const limits[] = { "1e12", "0" };     /* no mean is below 0 ns */
	char *root = NULL;

	for (int i = 0; i < 3; i++) {
		char *claims = g_strdup_printf(
			"return { { id = 'M1', class = 'measured', rule = 'mean < %s ns',\n"
			"  runs = { { name = 'm', scenario = 'scenarios/mempool.scn', allocators = 'slub' } },\n"
			"  check = function(r) local m = r.m.allocators.slub.latency_ns.alloc.mean\n"
			"    return { figure = tostring(m), verdict = m < %s and 'reproduced' or 'contradicted' } end } }\n",
			limits[i > 0], limits[i > 0]);
		g_free(root);
		root = validate_root("vflip", claims);
		harness_result_t r = validate_in(root, "M1");
		g_assert_cmpint(r.status, ==, i == 1 ? 4 : 0);
		harness_result_free(&r);
		g_free(claims);
	}
	char *doc = harness_read_text(root, "v.md");
	g_assert_nonnull(strstr(doc, "**contradicted**"));
	g_free(doc);
	g_free(root);
}

/* Bad claims files: the claim and the rule it breaks, status 2 for a
 * script's fault, 1 for a malformed claim. */
static void test_validate_errors(void)
{
	static const struct {
		const char *claims;
		int status;
		const char *n1, *n2;
	} bad[] = {
		{ "return true\n", 2, "claims file must return a table", NULL },
		{ "return 42\n", 2, "claims file must return a table", NULL },
		{ "return {\n", 2, "claims.lua:2:", NULL },
		{ "return { { title = 'no id' } }\n", 1, "claim 1 has no id", NULL },
		{ "return { { id = 'X', class = 'measured', check = function() end } }\n", 1,
		  "claim X has a check but no runs", NULL },
		{ "return { { id = 'X', class = 'measured', runs = { { name = 'a' } }, check = function() end } }\n", 1,
		  "claim X: every run needs a name, a scenario", NULL },
		{ "return { { id = 'X', class = 'measured', runs = {}, check = function() error('boom') end } }\n", 2,
		  "claim X", "boom" },
		{ "return { { id = 'X', figure = 'f', verdict = 'reproduced' } }\n", 1,
		  "claim X: class must be", NULL },
		{ "return { { id = 'X', class = 'measured', figure = 'f', verdict = 'maybe' } }\n", 2,
		  "claim X", "got verdict 'maybe'" },
		{ "return { { id = 'X', class = 'pending', figure = 'f', verdict = 'pending' },\n"
		  "         { id = 'X', class = 'pending', figure = 'f', verdict = 'pending' } }\n", 1,
		  "claim 2 has a duplicate id", NULL },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *name = g_strdup_printf("vbad%u", i);
		char *root = validate_root(name, bad[i].claims);

		harness_expect_error(validate_in(root, NULL), bad[i].status, bad[i].n1, bad[i].n2);
		g_free(root);
		g_free(name);
	}
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-cli-XXXXXX", NULL);
	g_test_add_func("/cli/results", test_results);
	g_test_add_func("/cli/determinism", test_determinism);
	g_test_add_func("/cli/jobs", test_jobs);
	g_test_add_func("/cli/unknown-key", test_unknown_key);
	g_test_add_func("/cli/bad-inputs", test_bad_inputs);
	g_test_add_func("/cli/script-error", test_script_error);
	g_test_add_func("/cli/sheaf-and-flag-errors", test_sheaf_and_flag_errors);
	g_test_add_func("/cli/list", test_list);
	g_test_add_func("/cli/sweep", test_sweep);
	g_test_add_func("/cli/check-ok", test_check_ok);
	g_test_add_func("/cli/report-on-stdout", test_report_on_stdout);
	g_test_add_func("/cli/command-errors", test_command_errors);
	g_test_add_func("/cli/validate", test_validate);
	g_test_add_func("/cli/validate-errors", test_validate_errors);
	g_test_add_func("/cli/validate-flip", test_validate_flip);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
