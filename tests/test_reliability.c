/*
 * test_reliability.c -- the findings of the reliability issue (#18), one
 * test each, end to end through $SLABSIM_BIN: every one failed on the
 * code before the fix (a crash, a hang, a silent misread or a wrong
 * result) and must now give the result or the clear error named here.
 *
 *   1  bytecode: no string.dump, load() of a binary chunk refused
 *   2  limits: a Lua loop in setup or a task stops at the time budget
 *      naming the task and line; piling up strings stops at the memory
 *      cap; t:think(0) forever stops at the no-progress watchdog
 *   3  files: no package table (path, searchpath); sim.kmem_trace and
 *      sim.slabinfo refuse a path made in Lua
 *   5  scenario files: NUL byte, bytes that are not UTF-8, a key or group
 *      given twice, a malformed --set
 *   6  machine values: huge mem_per_node_mib and nr_cpus are errors;
 *      sample=1ns is refused; crossbar-1k runs under ulimit -v 8G (the
 *      release build)
 *   7  integers: t:random over the whole 64-bit range, a counter that
 *      would wrap, a huge max_numnodes, sim.barrier(2^32 + 1)
 *   8  another task's object is a Lua error
 *   9  slabinfo: a name over 127 characters, a NUL byte, no rows (the
 *      trace parser's casts: test_ktrace.c)
 *  11  pairs over string and table keys, and tostring of tables, give
 *      byte-identical results in two processes
 *
 * Hangs are bounded: each run is killed after DEADLINE seconds (a hang is
 * a failure), with small Lua limits in its environment.  Figures are
 * derived here: a full-range t:random draw, the counters' names.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include "harness.h"

#define DEADLINE 60

static char *tmpdir;
static int serial;

static char *limits_env[] = { "SLABSIM_LUA_TIME=2", "SLABSIM_LUA_MEM=64",
                              "SLABSIM_LUA_STALL=50000", NULL };

/* A workload file and a scenario running it on desktop-1s under SLUB. */
static char *scenario_of(const char *lua)
{
	char *lp = g_strdup_printf("%s/w%d.lua", tmpdir, serial);
	char *sp = g_strdup_printf("%s/w%d.scn", tmpdir, serial++);
	char *body = g_strdup_printf("[scenario]\nworkload = %s\nmachine = desktop-1s\nallocators = slub\n"
	                             "duration = 10ms\nsample = 1ms\n", lp);

	g_assert_true(g_file_set_contents(lp, lua, -1, NULL));
	g_assert_true(g_file_set_contents(sp, body, -1, NULL));
	g_free(body);
	g_free(lp);
	return sp;
}

static char *out_dir(void)
{
	return g_strdup_printf("%s/out%d", tmpdir, serial++);
}

/* Run `run SCENARIO` (plus extra arguments) with the small limits. */
static harness_result_t run_limited(const char *scn, const char *extra1, const char *extra2)
{
	char *out = out_dir();
	const char *args[] = { "run", scn, "--quiet", "--no-plots", "--out", out, extra1, extra2, NULL };
	harness_result_t r = harness_slabsim_limited(NULL, limits_env, DEADLINE, 0, args);

	g_free(out);
	return r;
}

/* Expect status and every one of the NULL-terminated messages on stderr. */
static void expect(harness_result_t r, int status, ...)
{
	va_list ap;
	const char *want;
	bool ok = r.status == status;

	va_start(ap, status);
	while ((want = va_arg(ap, const char *)))
		ok = ok && r.err && strstr(r.err, want);
	va_end(ap);
	if (!ok)
		g_test_message("status %d (expected %d), stderr:\n%s", r.status, status, r.err);
	g_assert_true(ok);
	harness_result_free(&r);
}

static harness_result_t run_lua(const char *lua)
{
	char *scn = scenario_of(lua);
	harness_result_t r = run_limited(scn, NULL, NULL);

	g_free(scn);
	return r;
}

#define SETUP(body) "return { setup = function(sim, p)\n" body "\nend }\n"
#define TASK(body) SETUP("local c = sim.cache{ name = 'c', size = 64 }\nsim.spawn(0, function(t)\n" body "\nend)")

/* ---- 1: bytecode ---- */

static void test_bytecode(void)
{
	expect(run_lua(SETUP("local f = load(string.dump(function() return 1 end))")), 2,
	       "attempt to call a nil value (field 'dump')", NULL);
	expect(run_lua(SETUP("assert(load('\\27Lua\\84\\0\\25\\147\\r\\n\\26\\n'))")), 2,
	       "attempt to load a binary chunk (mode is 't')", NULL);
}

/* ---- 2: time, memory, progress ---- */

static void test_time_budget(void)
{
	expect(run_lua(SETUP("local x = 0\nwhile true do x = x + 1 end")), 2,
	       ".lua:3: Lua time budget exceeded", NULL);
	expect(run_lua(TASK("local x = 0\nwhile true do x = x + 1 end")), 2,
	       "task 0 (CPU 0): ", ".lua:5: Lua time budget exceeded", NULL);
}

static void test_memory_cap(void)
{
	/* About 400 MB of strings without the cap (64 MiB here). */
	expect(run_lua(TASK("local a = {}\nfor i = 1, 3000000 do a[i] = string.rep('x', 100) .. i end")), 2,
	       ".lua:5: task 0 (CPU 0): Lua memory cap of 64 MiB exceeded", NULL);
}

static void test_no_progress(void)
{
	expect(run_lua(TASK("while true do t:think(0) end")), 2,
	       ".lua:4: task 0 (CPU 0) made no progress: 50000 task operations in a row", NULL);
}

/* ---- 3: files ---- */

static void test_files(void)
{
	expect(run_lua(SETUP("package.path = '/tmp/?.lua'")), 2,
	       "attempt to index a nil value (global 'package')", NULL);
	expect(run_lua(SETUP("assert(not package.searchpath('passwd', '/etc/?'))")), 2,
	       "attempt to index a nil value (global 'package')", NULL);
	expect(run_lua(SETUP("sim.kmem_trace('/etc/passwd')")), 2,
	       "sim.kmem_trace: expected a file parameter", "a path made in Lua is refused", NULL);
	expect(run_lua(SETUP("sim.slabinfo('/etc/passwd')")), 2,
	       "sim.slabinfo: expected a file parameter", NULL);
}

/* ---- 5: scenario files ---- */

static harness_result_t check_text(const char *text, gsize len)
{
	char *path = g_strdup_printf("%s/s%d.scn", tmpdir, serial++);
	const char *args[] = { "check", path, NULL };
	harness_result_t r;

	g_assert_true(g_file_set_contents(path, text, (gssize)len, NULL));
	r = harness_slabsim_limited(NULL, NULL, DEADLINE, 0, args);
	g_free(path);
	return r;
}

#define CHECK(lit) check_text(lit, sizeof(lit) - 1)
#define HEAD "[scenario]\nworkload = remote-free\n"

static void test_strict_scenario(void)
{
	const char *set[] = { "check", "scenarios/quickstart.scn", "--set", "scenario. seed=5", NULL };

	expect(CHECK(HEAD "[workload]\nbatches = 5\0" "00\n"), 1, ".scn:4: a NUL byte", NULL);
	expect(CHECK(HEAD "seed = 7\xff\n"), 1, ".scn:3: bytes that are not UTF-8", NULL);
	expect(CHECK(HEAD "seed = 1\nseed = 2\n"), 1, ".scn:4: [scenario] seed: given twice (first at line 3)", NULL);
	expect(CHECK(HEAD "[scenario]\nseed = 2\n"), 1, ".scn:3: [scenario]: the group is given twice", NULL);
	expect(harness_slabsim_limited(NULL, NULL, DEADLINE, 0, set), 1,
	       "--set scenario. seed=5: expected section.key=value", NULL);
}

/* ---- 6: machine values ---- */

static harness_result_t check_set(const char *set)
{
	const char *args[] = { "check", "scenarios/quickstart.scn", "--set", set, NULL };

	return harness_slabsim_limited(NULL, NULL, DEADLINE, 0, args);
}

static void test_machine_values(void)
{
	expect(check_set("machine.mem_per_node_mib=2147483647"), 1,
	       "[machine] mem_per_node_mib: expected a positive integer up to 1048576, got '2147483647'", NULL);
	expect(check_set("machine.nr_cpus=2147483647"), 1,
	       "[machine] nr_cpus: expected a positive integer up to 65536, got '2147483647'", NULL);
	expect(check_set("scenario.sample=1ns"), 1,
	       "--set scenario.sample: [scenario] sample: expected at least duration / 1000000", NULL);
}

/* crossbar-1k (64 GiB of simulated RAM) in an 8 GiB address space; the
 * release build only (the sanitizers' shadow memory does not fit). */
static void test_crossbar_8g(void)
{
	const char *bin = g_getenv("SLABSIM_RELEASE_BIN");
	char *out = out_dir();
	const char *args[] = { "run", "scenarios/crossbar-1k.scn", "--quiet", "--no-plots", "--out", out,
	                       "--allocators", "slub", "--set", "scenario.duration=100ms", NULL };

	if (!bin) {
		g_test_skip("no release build (SLABSIM_RELEASE_BIN)");
		g_free(out);
		return;
	}
	char *results = g_build_filename(out, "results.json", NULL);

	expect(harness_slabsim_limited(bin, NULL, DEADLINE, 8ULL << 30, args), 0, NULL);
	g_assert_true(g_file_test(results, G_FILE_TEST_EXISTS));
	g_free(results);
	g_free(out);
}

/* ---- 7: integers ---- */

static JsonNode *results_of(const char *out)
{
	char *text = harness_read_text(out, "results.json");
	JsonNode *n = json_from_string(text, NULL);

	g_assert_nonnull(n);
	g_free(text);
	return n;
}

static void test_integers(void)
{
	/* splitmix64's first draw z of task 0 for seed 1; over the whole
	 * range t:random gives math.mininteger + z (mod 2^64). */
	uint64_t s = 1 * 0x9e3779b97f4a7c15ULL + 1, z = (s += 0x9e3779b97f4a7c15ULL);
	char *scn = scenario_of(TASK("local r = t:random(math.mininteger, math.maxinteger)\n"
	                             "t:count('high', r >> 32)\nt:count('low', r & 0xffffffff)"));
	char *out = out_dir();
	const char *args[] = { "run", scn, "--quiet", "--no-plots", "--out", out, NULL };
	harness_result_t r = harness_slabsim_limited(NULL, limits_env, DEADLINE, 0, args);
	JsonNode *res;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	expect(r, 0, NULL);
	res = results_of(out);
	g_assert_cmpfloat(harness_num(res, "allocators/slub/workload_counters/high"), ==,
	                  (double)((z + (1ULL << 63)) >> 32));
	g_assert_cmpfloat(harness_num(res, "allocators/slub/workload_counters/low"), ==, (double)(z & 0xffffffff));
	json_node_unref(res);
	g_free(scn);
	g_free(out);

	expect(run_lua(TASK("t:count('x', math.maxinteger)\nt:count('x', 1)")), 2,
	       ".lua:5: t:count: counter 'x' would leave the 64-bit range (adding 1)", NULL);
	expect(check_set("machine.max_numnodes=2147483647"), 1,
	       "[machine] max_numnodes: expected a positive integer up to 4096, got '2147483647'", NULL);
	expect(run_lua(SETUP("local b = sim.barrier((1 << 32) + 1)")), 2,
	       "bad argument #1 to 'barrier' (a barrier needs 1 to 2147483647 parties)", NULL);
}

/* ---- 8: another task's object ---- */

static void test_other_task(void)
{
	expect(run_lua(SETUP("local saved\n"
	                     "sim.spawn(0, function(t) saved = t; t:think(100) end)\n"
	                     "sim.spawn(1, function(t) t:think(1); saved:alloc(64) end)")), 2,
	       ".lua:4: task 1 called a method of task 0's object", NULL);
}

/* ---- 9: slabinfo ---- */

static harness_result_t boot_with(const char *slabinfo, gsize len)
{
	char *path = g_strdup_printf("%s/s%d.slabinfo", tmpdir, serial++);
	char *set = g_strconcat("workload.slabinfo=", path, NULL), *out = out_dir();
	const char *args[] = { "run", "scenarios/boot-small.scn", "--quiet", "--no-plots", "--out", out,
	                       "--allocators", "slub", "--set", set,
	                       "--set", "allocator.slub.slub_nomerge=1", NULL };   /* a cache per row */
	harness_result_t r;

	g_assert_true(g_file_set_contents(path, slabinfo, (gssize)len, NULL));
	r = harness_slabsim_limited(NULL, NULL, DEADLINE, 0, args);
	if (r.status == 0) {                    /* keep the results for the caller */
		g_free(r.out);
		r.out = out;
	} else {
		g_free(out);
	}
	g_free(path);
	g_free(set);
	return r;
}

#define SLABINFO "slabinfo - version: 2.1\n"

static void test_slabinfo(void)
{
	GString *s = g_string_new(SLABINFO);
	char *name = g_strnfill(300, 'n'), *path;
	harness_result_t r;
	JsonNode *res;

	g_string_append_printf(s, "%s 10 20 96 42 1 : tunables 0 0 0 : slabdata 1 1 0\n", name);
	r = boot_with(s->str, s->len);
	if (r.status)
		g_test_message("stderr: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	res = results_of(r.out);
	path = g_strconcat("allocators/slub/caches/", name, "/object_size", NULL);
	g_assert_cmpfloat(harness_num(res, path), ==, 96);
	json_node_unref(res);
	harness_result_free(&r);
	g_free(path);
	g_free(name);
	g_string_free(s, TRUE);

	expect(boot_with(SLABINFO "a 1 2 64 64 1\n\0b 1 2 64 64 1\n", sizeof(SLABINFO) + 28), 2,
	       ".slabinfo:3: a NUL byte", NULL);
	expect(boot_with(SLABINFO "# name ...\n", sizeof(SLABINFO) + 10), 2,
	       ".slabinfo:1: no slabinfo rows", NULL);
}

/* ---- 11: deterministic iteration ---- */

/* results.json of a workload naming counters after pairs() order and
 * tostring of tables, run in a process of its own. */
static char *order_results(const char *scn)
{
	char *out = out_dir(), *text;
	const char *args[] = { "run", scn, "--quiet", "--no-plots", "--out", out, NULL };

	expect(harness_slabsim_limited(NULL, NULL, DEADLINE, 0, args), 0, NULL);
	text = harness_read_text(out, "results.json");
	g_free(out);
	return text;
}

static void test_pairs_order(void)
{
	char *scn = scenario_of(TASK(
		"local keys, tabs, order = {}, {}, {}\n"
		"for i = 1, 64 do keys['key' .. i] = i; local k = {}; tabs[k] = i end\n"
		"for k in pairs(keys) do order[#order + 1] = k end\n"
		"t:count('strings:' .. table.concat(order, ','):sub(1, 200))\n"
		"order = {}\n"
		"for k, v in pairs(tabs) do order[#order + 1] = v end\n"
		"t:count('tables:' .. table.concat(order, ','))\n"
		"t:count('tostring:' .. tostring(tabs) .. string.format(' %s', keys))"));
	char *a = order_results(scn), *b = order_results(scn);

	/* Creation order for table keys: 1..64. */
	g_assert_nonnull(strstr(a, "\"tables:1,2,3,4,5,6,7,8,9,10,"));
	g_assert_null(strstr(a, "0x"));
	g_assert_cmpstr(a, ==, b);
	g_free(a);
	g_free(b);
	g_free(scn);
}

int main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-reliability-XXXXXX", NULL);
	g_test_add_func("/reliability/1/bytecode", test_bytecode);
	g_test_add_func("/reliability/2/time-budget", test_time_budget);
	g_test_add_func("/reliability/2/memory-cap", test_memory_cap);
	g_test_add_func("/reliability/2/no-progress", test_no_progress);
	g_test_add_func("/reliability/3/files", test_files);
	g_test_add_func("/reliability/5/strict-scenario", test_strict_scenario);
	g_test_add_func("/reliability/6/machine-values", test_machine_values);
	g_test_add_func("/reliability/6/crossbar-8g", test_crossbar_8g);
	g_test_add_func("/reliability/7/integers", test_integers);
	g_test_add_func("/reliability/8/other-task", test_other_task);
	g_test_add_func("/reliability/9/slabinfo", test_slabinfo);
	g_test_add_func("/reliability/11/pairs-order", test_pairs_order);
	status = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return status;
}
