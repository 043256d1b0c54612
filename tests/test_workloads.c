/*
 * test_workloads.c -- the workload library and the Lua API end to end:
 * every workload of workloads/ runs through its scenario under every
 * allocator the binary knows, twice with byte-identical results.json; the
 * distributions of workloads/lib/dist.lua match their formulas; each class
 * of script error stops the run with the script's file and line, a
 * traceback and exit status 2; every example of docs/lua-api.md runs.
 *
 * Runs the binary named by $SLABSIM_BIN from the repository root (as
 * test_cli).  Runs are shortened with --set so the sanitizer build stays
 * under ~20 s.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "harness.h"

static char *tmpdir;

/* Run scenario `scn` into dir `out` with allocators `allocs` and the
 * NULL-terminated --set values in sets; assert success. */
static void run_into(const char *scn, const char *out, const char *allocs, const char *const *sets)
{
	GPtrArray *args = g_ptr_array_new();
	harness_result_t r;

	g_ptr_array_add(args, "run");
	g_ptr_array_add(args, (char *)scn);
	g_ptr_array_add(args, "--out");
	g_ptr_array_add(args, (char *)out);
	g_ptr_array_add(args, "--quiet");
	g_ptr_array_add(args, "--no-plots");
	g_ptr_array_add(args, "--force");
	g_ptr_array_add(args, "--allocators");
	g_ptr_array_add(args, (char *)allocs);
	for (int i = 0; sets[i]; i++) {
		g_ptr_array_add(args, "--set");
		g_ptr_array_add(args, (char *)sets[i]);
	}
	g_ptr_array_add(args, NULL);
	r = harness_slabsim_env(NULL, (const char *const *)args->pdata);
	if (r.status)
		g_test_message("%s: %s", scn, r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	g_ptr_array_free(args, TRUE);
}

/* One scenario per workload, shortened. */
static const struct {
	const char *scn;
	const char *sets[5];
} shortened[] = {
	{ "scenarios/netperf-udp.scn", { "workload.messages=150", "workload.mode=unpinned",
	                                 "workload.pairs=4", "workload.receiver=other-node" } },
	{ "scenarios/netperf-tcp.scn", { "workload.messages=100" } },
	{ "scenarios/sysbench-oltp.scn", { "workload.clients=8", "workload.transactions=8",
	                                   "scenario.machine=nehalem-2s", "workload.completion=node" } },
	{ "scenarios/remote-free-mix.scn", { "workload.batches=20" } },
	{ "scenarios/hpc-barrier.scn", { "workload.iterations=30", "workload.compute_us=50",
	                                 "scenario.machine=desktop-1s" } },
	{ "scenarios/tsc-loop.scn", { "workload.run_ms=2", "workload.step_us=20", "scenario.machine=desktop-1s" } },
	{ "scenarios/phase-change.scn", { "workload.objects=20000", "scenario.duration=30ms",
	                                  "scenario.machine=desktop-1s" } },
	{ "scenarios/replay.scn", { "workload.trace=tests/data/kmem-ftrace-2.6.32.txt" } },
	{ "scenarios/spec-like.scn", { "workload.run_ms=20" } },
	{ "scenarios/sysbench-mel.scn", { "workload.clients=6", "workload.transactions=8",
	                                  "workload.completion=irq", "workload.remote_share=0.5" } },
};

/* Every workload under every allocator, twice: identical results. */
static void test_deterministic(void)
{
	char *allocs = harness_all_allocators();

	for (size_t i = 0; i < G_N_ELEMENTS(shortened); i++) {
		char *a = g_build_filename(tmpdir, "det-a", NULL), *b = g_build_filename(tmpdir, "det-b", NULL);
		char *ja, *jb;
		run_into(shortened[i].scn, a, allocs, shortened[i].sets);
		run_into(shortened[i].scn, b, allocs, shortened[i].sets);
		ja = harness_read_text(a, "results.json");
		jb = harness_read_text(b, "results.json");
		if (strcmp(ja, jb))
			g_test_message("%s: results differ between two runs", shortened[i].scn);
		g_assert_cmpstr(ja, ==, jb);
		g_free(ja); g_free(jb); g_free(a); g_free(b);
	}
	g_free(allocs);
}

/* Member path "a/b/c" of the results of allocator `alloc`. */
static JsonNode *result_at(JsonParser *p, const char *alloc, const char *path)
{
	JsonObject *o = json_object_get_object_member(json_object_get_object_member(
		json_node_get_object(json_parser_get_root(p)), "allocators"), alloc);
	char **parts = g_strsplit(path, "/", -1);
	JsonNode *n = NULL;

	for (int i = 0; parts[i]; i++) {
		g_assert_true(json_object_has_member(o, parts[i]));
		n = json_object_get_member(o, parts[i]);
		if (parts[i + 1])
			o = json_node_get_object(n);
	}
	g_strfreev(parts);
	return n;
}

static JsonParser *load_results(const char *dir)
{
	JsonParser *p = json_parser_new();
	char *json = g_build_filename(dir, "results.json", NULL);

	g_assert_true(json_parser_load_from_file(p, json, NULL));
	g_free(json);
	return p;
}

/* Write a workload script and a scenario running it on machine m. */
static char *script_scenario(const char *name, const char *lua, const char *machine, char **lua_path)
{
	char *lp = g_strdup_printf("%s/%s.lua", tmpdir, name);
	char *sp = g_strdup_printf("%s/%s.scn", tmpdir, name);
	char *body = g_strdup_printf("[scenario]\nworkload = %s\nmachine = %s\nallocators = slub\n"
	                             "duration = 10s\n", lp, machine);

	g_assert_true(g_file_set_contents(lp, lua, -1, NULL));
	g_assert_true(g_file_set_contents(sp, body, -1, NULL));
	g_free(body);
	if (lua_path)
		*lua_path = lp;
	else
		g_free(lp);
	return sp;
}

#define N_DRAWS 40000

/* dist.lua against its formulas: means of uniform and exponential, Zipf's
 * P(rank 1) = 1 / H(n, s), a histogram's bucket shares. */
static void test_distributions(void)
{
	static const char lua[] =
		"local dist = require 'dist'\n"
		"return { setup = function(sim, p)\n"
		"  sim.spawn(0, function(t)\n"
		"    local z, h = dist.zipf(4, 1.0), dist.histogram{ {10, 1}, {20, 3} }\n"
		"    local ones, twenties = 0, 0\n"
		"    for i = 1, 40000 do\n"
		"      t:record('uniform', dist.uniform(t, 10, 20))\n"
		"      t:record('exp', dist.exponential(t, 1000))\n"
		"      if z:draw(t) == 1 then ones = ones + 1 end\n"
		"      if h:draw(t) == 20 then twenties = twenties + 1 end\n"
		"    end\n"
		"    t:count('zipf1', ones)\n"
		"    t:count('hist20', twenties)\n"
		"    local a = dist.shuffle(t, { 1, 2, 3, 4, 5 })\n"
		"    local sum = 0\n"
		"    for _, v in ipairs(a) do sum = sum + v end\n"
		"    t:count('shuffle_sum', sum)\n"
		"  end)\n"
		"end }\n";
	char *scn = script_scenario("dist", lua, "desktop-1s", NULL);
	char *out = g_build_filename(tmpdir, "dist-out", NULL);
	const char *none[] = { NULL };
	double h4 = 1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4;
	double n = N_DRAWS;
	JsonParser *p;

	run_into(scn, out, "slub", none);
	p = load_results(out);
	/* means within 4 standard errors: sd of U(10,20) is 10/sqrt(12),
	 * of Exp(1000) is 1000 */
	g_assert_cmpfloat(fabs(json_node_get_double(result_at(p, "slub", "workload_metrics/uniform/mean")) - 15),
	                  <, 4 * (10 / sqrt(12)) / sqrt(n));
	g_assert_cmpfloat(fabs(json_node_get_double(result_at(p, "slub", "workload_metrics/exp/mean")) - 1000),
	                  <, 4 * 1000 / sqrt(n));
	/* shares within 4 standard errors of a binomial */
	double z1 = (double)json_node_get_int(result_at(p, "slub", "workload_counters/zipf1")) / n;
	g_assert_cmpfloat(fabs(z1 - 1 / h4), <, 4 * sqrt((1 / h4) * (1 - 1 / h4) / n));
	double h20 = (double)json_node_get_int(result_at(p, "slub", "workload_counters/hist20")) / n;
	g_assert_cmpfloat(fabs(h20 - 0.75), <, 4 * sqrt(0.75 * 0.25 / n));
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "workload_counters/shuffle_sum")), ==, 15);
	g_object_unref(p);
	g_free(scn); g_free(out);
}

/* The bulk calls and the per-object calls make the same operations. */
static void test_bulk_same_ops(void)
{
	char *a = g_build_filename(tmpdir, "bulk-a", NULL), *b = g_build_filename(tmpdir, "bulk-b", NULL);
	const char *bulk[] = { "workload.batches=20", "workload.bulk=true", NULL };
	const char *each[] = { "workload.batches=20", "workload.bulk=false", NULL };
	JsonParser *pa, *pb;

	run_into("scenarios/remote-free-mix.scn", a, "slub", bulk);
	run_into("scenarios/remote-free-mix.scn", b, "slub", each);
	pa = load_results(a);
	pb = load_results(b);
	/* 4 producers x 20 batches x 32 objects, every one freed */
	g_assert_cmpint(json_node_get_int(result_at(pa, "slub", "ops/alloc")), ==, 4 * 20 * 32);
	g_assert_cmpint(json_node_get_int(result_at(pa, "slub", "ops/free")), ==, 4 * 20 * 32);
	g_assert_cmpint(json_node_get_int(result_at(pb, "slub", "ops/alloc")), ==, 4 * 20 * 32);
	g_assert_cmpint(json_node_get_int(result_at(pb, "slub", "ops/free")), ==, 4 * 20 * 32);
	g_object_unref(pa); g_object_unref(pb);
	g_free(a); g_free(b);
}

/* Counters of the workloads against hand counts. */
static void test_counts(void)
{
	char *out = g_build_filename(tmpdir, "counts", NULL);
	const char *tcp[] = { "workload.messages=50", NULL };
	const char *hpc[] = { "workload.iterations=30", "workload.compute_us=50", "workload.bg_objects=3",
	                      "scenario.machine=desktop-1s", NULL };
	JsonParser *p;

	/* 4096 = 1448 + 1448 + 1200: 3 segments and 2 ACKs (after 2, and at
	 * the end of the message) per message; each segment is a head and a
	 * data buffer, each ACK too. */
	run_into("scenarios/netperf-tcp.scn", out, "slub", tcp);
	p = load_results(out);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "workload_counters/netperf.segments")), ==, 150);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "workload_counters/netperf.acks")), ==, 100);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "ops/alloc")), ==, 2 * 150 + 2 * 100);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "ops/free")), ==, 2 * 150 + 2 * 100);
	g_object_unref(p);
	/* 4 CPUs x 30 rounds x 3 objects */
	run_into("scenarios/hpc-barrier.scn", out, "slub", hpc);
	p = load_results(out);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "workload_counters/hpc.iterations")), ==, 30);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "ops/alloc")), ==, 4 * 30 * 3);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "ops/free")), ==, 4 * 30 * 3);
	g_assert_cmpint(json_node_get_int(result_at(p, "slub", "workload_counters/hpc.best_ns")), >=, 50000);
	g_object_unref(p);
	g_free(out);
}

/* A task script whose line 4 does `bad`; it must stop the run with
 * "FILE:4:", the message, a traceback and exit status 2. */
static void expect_task_error(const char *name, const char *setup_line, const char *bad, const char *msg)
{
	char *lua = g_strdup_printf(
		"return { setup = function(sim, p)\n"
		"  local c = sim.cache{ name = 'c', size = 64 }\n"
		"  sim.spawn(0, function(t) %s\n"
		"    %s\n"
		"  end)\n"
		"end }\n", setup_line, bad);
	char *lp = NULL, *scn = script_scenario(name, lua, "desktop-1s", &lp);
	char *where = g_strdup_printf("%s:4:", lp), *out = g_build_filename(tmpdir, name, NULL);
	char *json = g_build_filename(out, "results.json", NULL);
	harness_result_t r = harness_slabsim("run", scn, "--out", out, "--quiet", "--no-plots", NULL);

	if (r.status != 2 || !strstr(r.err, where) || !strstr(r.err, msg))
		g_test_message("%s: status %d, stderr: %s", name, r.status, r.err);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, where));
	g_assert_nonnull(strstr(r.err, msg));
	g_assert_nonnull(strstr(r.err, "stack traceback"));
	g_assert_false(g_file_test(json, G_FILE_TEST_EXISTS));
	harness_result_free(&r);
	g_free(json); g_free(out); g_free(where); g_free(scn); g_free(lp); g_free(lua);
}

static void test_script_errors(void)
{
	expect_task_error("double-free", "local h = t:alloc(c); t:free(h)", "t:free(h)", "freed already");
	expect_task_error("use-after-free", "local h = t:alloc(c); t:free(h)", "t:touch(h, 8)",
	                  "freed already");
	expect_task_error("free-n-twice", "local a = t:alloc_n(c, 4); t:free_n(a, 2)", "t:free_n(a)",
	                  "freed already");
	expect_task_error("not-a-handle", "", "t:free(12345)", "is not an object this run handed out");
	expect_task_error("unknown-cache", "", "t:alloc('nosuch')", "unknown cache 'nosuch'");
	expect_task_error("bad-node", "", "t:alloc(c, 7)", "no such node");
	expect_task_error("bad-size", "", "t:alloc(64.5)", "kmalloc size must be an integer");
	expect_task_error("bad-touch", "local h = t:alloc(c)", "t:touch(h, 65)",
	                  "more bytes than the object has");
	expect_task_error("bad-think", "", "t:think(-1)", "time out of range");
	expect_task_error("bad-channel", "", "t:recv(c)", "slabsim.channel expected");
	expect_task_error("lua-error", "", "local x = nil; x.y = 1", "attempt to index");
	expect_task_error("bad-alloc-flag", "", "t:alloc(c, -1, 'zer')", "expected \"critical\", \"zero\"");
	expect_task_error("small-free-rcu", "local h = t:alloc(8)", "t:free_rcu(h)",
	                  "smaller than an rcu_head");
}

/* An error in setup (here, a bad workload parameter value) names the
 * workload file and line, with a traceback, exit status 2. */
static void test_setup_error(void)
{
	harness_result_t r = harness_slabsim("run", "scenarios/netperf-udp.scn", "--set", "workload.receiver=moon",
	                     "--out", tmpdir, "--quiet", "--no-plots", NULL);

	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "netperf-udp.lua:"));
	g_assert_nonnull(strstr(r.err, "receiver must be"));
	g_assert_nonnull(strstr(r.err, "stack traceback"));
	harness_result_free(&r);
}

/* Every ```lua block of docs/lua-api.md runs without error: whole
 * workloads (those with `return {`) as they are, blocks that use `sim.` in
 * setup, the others inside a task, in the frame the document gives. */
static void test_doc_examples(void)
{
	static const char frame[] =
		"return { setup = function(sim, p)\n"
		"  local c  = sim.cache{ name = \"demo\", size = 256 }\n"
		"  local ch = sim.channel()\n"
		"  local b  = sim.barrier(1)\n"
		"  %s\n"
		"  sim.spawn(0, function(t)\n"
		"    %s\n"
		"  end)\n"
		"end }\n";
	GRegex *re = g_regex_new("```lua\\n(.*?)```", G_REGEX_DOTALL, 0, NULL);
	GMatchInfo *m = NULL;
	char *doc = NULL;
	int n = 0;

	g_assert_true(g_file_get_contents("docs/lua-api.md", &doc, NULL, NULL));
	for (g_regex_match(re, doc, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
		char *block = g_match_info_fetch(m, 1), *lua, *name = g_strdup_printf("doc%d", n++);
		char *lp = NULL, *scn, *out = g_build_filename(tmpdir, "doc-out", NULL);
		bool task = (strstr(block, "t:") || strstr(block, "t.")) && !strstr(block, "sim.");
		harness_result_t r;

		if (strstr(block, "return {"))
			lua = g_strdup(block);
		else
			lua = g_strdup_printf(frame, task ? "" : block, task ? block : "");
		scn = script_scenario(name, lua, "nehalem-2s", &lp);
		r = harness_slabsim("run", scn, "--out", out, "--quiet", "--no-plots", "--force", "--set", "scenario.duration=10ms", NULL);
		if (r.status)
			g_test_message("docs/lua-api.md example %d:\n%s\n%s", n, block, r.err);
		g_assert_cmpint(r.status, ==, 0);
		harness_result_free(&r);
		g_free(block); g_free(lua); g_free(name); g_free(lp); g_free(scn); g_free(out);
	}
	g_assert_cmpint(n, >=, 20);
	g_match_info_free(m);
	g_regex_unref(re);
	g_free(doc);
}

/* t:sleep frees the CPU (another task on it runs meanwhile), t:think does
 * not: two tasks on CPU 0, one waiting 1 ms, the other computing 300 us. */
static void test_sleep_frees_cpu(void)
{
	static const char lua[] =
		"return { params = { wait = 'sleep' }, setup = function(sim, p)\n"
		"  sim.spawn(0, function(t)\n"
		"    local t0 = t:now()\n"
		"    if p.wait == 'sleep' then t:sleep(1e6) else t:think(1e6) end\n"
		"    t:count('a.woke_ns', t:now() - t0)\n"
		"  end)\n"
		"  sim.spawn(0, function(t) t:think(3e5); t:count('b.done_ns', t:now()) end)\n"
		"end }\n";
	char *scn = script_scenario("sleep", lua, "desktop-1s", NULL);
	char *s_out = g_build_filename(tmpdir, "sleep-out", NULL), *t_out = g_build_filename(tmpdir, "think-out", NULL);
	const char *sleep_set[] = { "workload.wait=sleep", NULL }, *think_set[] = { "workload.wait=think", NULL };
	JsonParser *ps, *pt;

	run_into(scn, s_out, "slub", sleep_set);
	run_into(scn, t_out, "slub", think_set);
	ps = load_results(s_out);
	pt = load_results(t_out);
	/* sleeping: B runs at once and ends after its 300 us; A is back at
	 * 1 ms (each within an operation's overhead, well under 1 us) */
	g_assert_cmpint(json_node_get_int(result_at(ps, "slub", "workload_counters/b.done_ns")), <, 301000);
	g_assert_cmpint(json_node_get_int(result_at(ps, "slub", "workload_counters/a.woke_ns")), >=, 1000000);
	g_assert_cmpint(json_node_get_int(result_at(ps, "slub", "workload_counters/a.woke_ns")), <, 1001000);
	/* thinking: A holds the CPU for 1 ms first, so B ends after 1.3 ms */
	g_assert_cmpint(json_node_get_int(result_at(pt, "slub", "workload_counters/b.done_ns")), >=, 1300000);
	g_object_unref(ps);
	g_object_unref(pt);
	g_free(s_out);
	g_free(t_out);
	g_free(scn);
}

/* Constructors, __GFP_ZERO, t:free_rcu and vmstat through the Lua API:
 * SLOB constructs on every allocation (so the ctor account is exactly
 * allocations x 1 us), every kfree_rcu'd object is freed by a callback
 * once grace periods have passed, and every CPU folds its vmstat
 * differentials once a second (2 s: twice, within one). */
static void test_kernel_features(void)
{
	static const char lua[] =
		"return { setup = function(sim, p)\n"
		"  local c = sim.cache{ name = 'inode', size = 512, ctor = { ns = 1000, bytes = 128 } }\n"
		"  for cpu = 0, sim.ncpus - 1 do\n"
		"    sim.spawn(cpu, function(t)\n"
		"      for i = 1, 50 do\n"
		"        local h = t:alloc(c, -1, 'zero')\n"
		"        local k = t:alloc(100, -1, 'zero')\n"
		"        t:free_rcu(h); t:free_rcu(k)\n"
		"        t:think(1e4)\n"
		"      end\n"
		"      t:think(2e9)\n"
		"    end)\n"
		"  end\n"
		"end }\n";
	char *scn = script_scenario("kfeatures", lua, "desktop-1s", NULL);
	char *out = g_build_filename(tmpdir, "kfeatures-out", NULL);
	const char *sets[] = { NULL };
	JsonParser *p;

	run_into(scn, out, "slob,slub", sets);
	p = load_results(out);
	for (int i = 0; i < 2; i++) {
		const char *a = i ? "slub" : "slob";
		gint64 allocs = json_node_get_int(result_at(p, a, "ops/alloc"));
		gint64 ncpus = allocs / 100, folds;

		g_assert_cmpint(allocs % 100, ==, 0);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "ops/free_rcu")), ==, allocs);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "rcu/callbacks_invoked")), ==, allocs);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "rcu/waiting/final/objects")), ==, 0);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "rcu/waiting/peak/objects")), >, 0);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "rcu/grace_periods")), >, 0);
		folds = json_node_get_int(result_at(p, a, "jitter/by_source/vmstat_update/runs"));
		g_assert_cmpint(folds, >=, ncpus);
		g_assert_cmpint(folds, <=, 3 * ncpus);
		g_assert_cmpint(json_node_get_int(result_at(p, a, "vmstat/folds")), ==, folds);
		g_assert_cmpfloat(json_node_get_double(result_at(p, a, "cpu_time_ns/ctor")), >, 0);
	}
	g_assert_cmpfloat(json_node_get_double(result_at(p, "slob", "cpu_time_ns/ctor")), ==,
	                  json_node_get_int(result_at(p, "slob", "ops/alloc")) / 2 * 1000.0);
	g_object_unref(p);
	g_free(out);
	g_free(scn);
}

/* A CPU that reports an RCU quiescent state as it goes idle takes a
 * lock, so other CPUs run meanwhile; a task they make ready on it must
 * not wait for its next interruption.  The Slabifier under the 2.6.29
 * cache set (SLAB_DESTROY_BY_RCU caches among them) keeps grace periods
 * running; no barrier iteration may stall for a jiffy (4 ms). */
static void test_idle_wakeup(void)
{
	char *out = g_build_filename(tmpdir, "idle-wakeup", NULL);
	const char *sets[] = { "workload.slabinfo=workloads/data/cacheset-2.6.29.slabinfo",
	                       "workload.iterations=2000", "workload.compute_us=50",
	                       "scenario.machine=nehalem-2s", NULL };
	JsonParser *p;

	run_into("scenarios/hpc-barrier.scn", out, "slabifier", sets);
	p = load_results(out);
	g_assert_cmpint(json_node_get_int(result_at(p, "slabifier", "rcu/grace_periods")), >, 5);
	g_assert_cmpfloat(json_node_get_double(result_at(p, "slabifier", "workload_metrics/hpc.iteration/max")),
	                  <, 1e6);
	g_object_unref(p);
	g_free(out);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-workloads-XXXXXX", NULL);
	g_test_add_func("/workloads/deterministic", test_deterministic);
	g_test_add_func("/workloads/distributions", test_distributions);
	g_test_add_func("/workloads/bulk-same-ops", test_bulk_same_ops);
	g_test_add_func("/workloads/counts", test_counts);
	g_test_add_func("/workloads/script-errors", test_script_errors);
	g_test_add_func("/workloads/setup-error", test_setup_error);
	g_test_add_func("/workloads/doc-examples", test_doc_examples);
	g_test_add_func("/workloads/sleep-frees-cpu", test_sleep_frees_cpu);
	g_test_add_func("/workloads/kernel-features", test_kernel_features);
	g_test_add_func("/workloads/idle-wakeup", test_idle_wakeup);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
