/*
 * test_ux.c -- what a user sees and keeps: help, how runs end, the
 * figures added for users (per task and CPU, remote frees, %Ef),
 * allocator variants, the results directory (whole or not at all, lock,
 * --force, numbering, Ctrl-C), provenance, typed scenario values, the
 * summary, diff, sweeps over several keys and seeds, list, and the
 * generated completion and man page.
 *
 * Every figure asserted is derived here, independently of slabsim: hand
 * counts of what the small workloads below do, sums and means computed
 * from the files, hashes computed from the inputs.  Runs use tiny
 * workloads so the sanitizer build stays quick.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "harness.h"
#include "report.h"

static char *tmpdir;

static char *path_in(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static char *write_in(const char *name, const char *text)
{
	char *p = path_in(name);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

/* The 1-based line of the first line of text holding `needle`. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	int line = 1;

	g_assert_nonnull(at);
	for (const char *c = text; c < at; c++)
		line += *c == '\n';
	return line;
}

static bool exists_in(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL);
	bool yes = g_file_test(p, G_FILE_TEST_EXISTS);

	g_free(p);
	return yes;
}

static JsonParser *load_json(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL);
	JsonParser *parser = json_parser_new();
	GError *e = NULL;

	json_parser_load_from_file(parser, p, &e);
	g_assert_no_error(e);
	g_free(p);
	return parser;
}

static JsonObject *root_of(JsonParser *p)
{
	return json_node_get_object(json_parser_get_root(p));
}

/* The object at a '/'-separated path. */
static JsonObject *obj_at(JsonObject *o, const char *path)
{
	char **parts = g_strsplit(path, "/", -1);

	for (int i = 0; parts[i]; i++) {
		g_assert_true(json_object_has_member(o, parts[i]));
		o = json_object_get_object_member(o, parts[i]);
	}
	g_strfreev(parts);
	return o;
}

/* Run slabsim with args from directory cwd (NULL: ours). */
static harness_result_t run_in(const char *cwd, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	harness_result_t r = { 0 };
	GError *e = NULL;
	int wait;

	g_ptr_array_add(argv, (char *)g_getenv("SLABSIM_BIN"));
	for (int i = 0; args[i]; i++)
		g_ptr_array_add(argv, (char *)args[i]);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(cwd, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                           &r.out, &r.err, &wait, &e));
	g_assert_no_error(e);
	r.status = WIFEXITED(wait) ? WEXITSTATUS(wait) : 128;
	g_ptr_array_free(argv, TRUE);
	return r;
}

/* text with wrapped lines joined: a newline and its indentation become
 * one space (messages are wrapped at 100 columns). */
static char *flat(const char *text)
{
	GString *s = g_string_new(NULL);

	for (const char *c = text; *c; c++) {
		if (*c == '\n' && c[1] == ' ') {
			while (c[1] == ' ')
				c++;
			g_string_append_c(s, ' ');
		} else {
			g_string_append_c(s, *c);
		}
	}
	return g_string_free(s, FALSE);
}

static void expect_ok(harness_result_t *r)
{
	if (r->status)
		g_test_message("status %d, stderr: %s", r->status, r->err);
	g_assert_cmpint(r->status, ==, 0);
}

/* ---- help ---- */

/* --help on the top level lists every command; each command's --help
 * exits 0 with its usage; no command is an error. */
static void test_help(void)
{
	harness_result_t r = harness_slabsim("--help");
	char **lines;
	int commands = 0;
	bool in = false;

	expect_ok(&r);
	lines = g_strsplit(r.out, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (strcmp(lines[i], "commands:") == 0) {
			in = true;
			continue;
		}
		if (in && !*lines[i])
			break;
		if (in) {
			char **w = g_strsplit(g_strstrip(lines[i]), " ", 2);
			char *usage = g_strdup_printf("usage: slabsim %s", w[0]);
			harness_result_t c = harness_slabsim(w[0], "--help");
			expect_ok(&c);
			g_assert_true(g_str_has_prefix(c.out, usage));
			harness_result_free(&c);
			c = harness_slabsim("help", w[0]);
			expect_ok(&c);
			g_assert_true(g_str_has_prefix(c.out, usage));
			harness_result_free(&c);
			g_free(usage);
			g_strfreev(w);
			commands++;
		}
	}
	g_assert_cmpint(commands, >=, 8);
	g_strfreev(lines);
	harness_result_free(&r);
	harness_expect_error(harness_slabsim_env(NULL, (const char *const[]){ NULL }), 1, "usage:", NULL);
}

/* ---- scenario input ---- */

#define DESKTOP "[scenario]\nworkload = %s\nmachine = desktop-1s\nallocators = slub\n"

/* A duration or interval without a unit is refused with file, line and
 * key, or with the --set that gave it. */
static void test_unitless(void)
{
	char *lua = write_in("idle.lua", "return { params = {}, setup = function(sim, p) end }\n");
	char *body = g_strdup_printf(DESKTOP "duration = 10\n", lua);
	char *scn = write_in("unitless.scn", body);
	char *where = g_strdup_printf("%s:5: [scenario] duration", scn);

	harness_expect_error(harness_slabsim("check", scn), 1, where, "no unit");
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "--set", "scenario.sample=5"),
	                     1, "--set scenario.sample", "no unit");
	harness_expect_error(harness_slabsim("run", scn, "--out", tmpdir), 1, where, NULL);
	g_free(where);
	g_free(scn);
	g_free(body);
	g_free(lua);
}

/* ---- how runs end ---- */

/* One producer sends N objects over a channel; two consumers free what
 * they receive and then wait for more, for ever. */
static const char dead_lua[] =
	"return { params = { n = { default = 4, help = 'objects' } }, frees_all = true,\n"
	"  setup = function(sim, p)\n"
	"    local c, ch = sim.cache{ name = 'obj', size = 64 }, sim.channel()\n"
	"    sim.spawn(0, function(t) for i = 1, p.n do t:send(ch, t:alloc(c)) end end)\n"
	"    for cpu = 1, 2 do\n"
	"      sim.spawn(cpu, function(t)\n"
	"        while true do\n"
	"          local h = t:recv(ch)\n"
	"          t:free(h)\n"
	"        end\n"
	"      end)\n"
	"    end\n"
	"  end }\n";

static void test_deadlock(void)
{
	char *lua = write_in("dead.lua", dead_lua), *body = g_strdup_printf(DESKTOP "duration = 1ms\n", lua);
	char *scn = write_in("dead.scn", body), *out = path_in("dead-out"), *out2 = path_in("dead-strict");
	char *where = g_strdup_printf("dead.lua:%d", line_of(dead_lua, "t:recv(ch)"));
	harness_result_t r = harness_slabsim("run", scn, "--out", out, "--no-plots", "-q");
	JsonParser *p;
	JsonObject *e;
	JsonArray *w;

	char *err;

	expect_ok(&r);
	g_assert_cmpstr(r.out, ==, "");                     /* -q: only warnings */
	err = flat(r.err);
	g_assert_nonnull(strstr(err, "warning: slub: deadlock: 2 of 3 tasks"));
	g_assert_nonnull(strstr(err, "task 1 (CPU 1) in recv on channel 0"));
	g_assert_nonnull(strstr(err, where));
	g_free(err);
	harness_result_free(&r);
	p = load_json(out, "results.json");
	e = obj_at(root_of(p), "allocators/slub/end");
	g_assert_cmpstr(json_object_get_string_member(e, "reason"), ==, "deadlock");
	g_assert_cmpint(json_object_get_int_member(e, "tasks"), ==, 3);
	g_assert_cmpint(json_object_get_int_member(e, "unfinished_tasks"), ==, 2);
	g_assert_cmpint(json_object_get_int_member(e, "blocked_tasks"), ==, 2);
	g_assert_cmpint(json_object_get_int_member(e, "live_objects"), ==, 0);   /* 4 sent, 4 freed */
	w = json_object_get_array_member(e, "waiting");
	g_assert_cmpuint(json_array_get_length(w), ==, 2);
	for (guint i = 0; i < 2; i++) {
		JsonObject *t = json_array_get_object_element(w, i);
		g_assert_cmpint(json_object_get_int_member(t, "task"), ==, i + 1);
		g_assert_cmpint(json_object_get_int_member(t, "cpu"), ==, i + 1);
		g_assert_cmpstr(json_object_get_string_member(t, "state"), ==, "recv");
		g_assert_cmpint(json_object_get_int_member(t, "channel"), ==, 0);
		g_assert_true(g_str_has_suffix(json_object_get_string_member(t, "where"), where));
	}
	g_assert_cmpint(json_path_number(obj_at(root_of(p), "allocators/slub"), "ops/free"), ==, 4);
	g_object_unref(p);
	/* --strict: an error, exit 5, the results still written. */
	r = harness_slabsim("run", scn, "--out", out2, "--no-plots", "-q", "--strict");
	g_assert_cmpint(r.status, ==, 5);
	g_assert_nonnull(strstr(r.err, "error: slub: deadlock"));
	harness_result_free(&r);
	g_assert_true(g_file_test(out2, G_FILE_TEST_IS_DIR));
	g_free(where);
	g_free(out2);
	g_free(out);
	g_free(scn);
	g_free(body);
	g_free(lua);
}

/* The duration cuts a computing task short; a task in t:idle is no
 * warning; a workload that declares frees_all and keeps objects leaks. */
static void test_end_reasons(void)
{
	static const struct {
		const char *name, *setup, *duration, *reason;
		int unfinished;
		const char *warning;
	} cases[] = {
		{ "long", "sim.spawn(0, function(t) t:think(10000000) end)", "1ms", "duration", 1,
		  "stopped at the duration (1.00 ms) with 1 of 1 tasks unfinished" },
		{ "idle", "sim.spawn(0, function(t) t:idle() end) sim.spawn(1, function(t) end)", "1ms",
		  "idle", 0, NULL },
		{ "leak", "local c = sim.cache{ name = 'o', size = 100 } sim.spawn(0, function(t) "
		  "local a, b, d = t:alloc(c), t:alloc(c), t:alloc(c) t:free(b) end)", "1s",
		  "completed", 0, "2 objects (200 B) live at end" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *lua_name = g_strdup_printf("%s.lua", cases[i].name);
		char *text = g_strdup_printf("return { params = {}, frees_all = true,\n"
		                             "  setup = function(sim, p) %s end }\n", cases[i].setup);
		char *lua = write_in(lua_name, text);
		char *body = g_strdup_printf(DESKTOP "duration = %s\n", lua, cases[i].duration);
		char *scn_name = g_strdup_printf("%s.scn", cases[i].name), *scn = write_in(scn_name, body);
		char *out = path_in(cases[i].name);
		harness_result_t r = harness_slabsim("run", scn, "--out", out, "--no-plots", "-q");
		JsonParser *p;
		JsonObject *e;

		char *err = flat(r.err);

		expect_ok(&r);
		if (cases[i].warning)
			g_assert_nonnull(strstr(err, cases[i].warning));
		else
			g_assert_cmpstr(r.err, ==, "");
		g_free(err);
		harness_result_free(&r);
		p = load_json(out, "results.json");
		e = obj_at(root_of(p), "allocators/slub/end");
		g_assert_cmpstr(json_object_get_string_member(e, "reason"), ==, cases[i].reason);
		g_assert_cmpint(json_object_get_int_member(e, "unfinished_tasks"), ==, cases[i].unfinished);
		if (strcmp(cases[i].name, "leak") == 0) {
			g_assert_cmpint(json_object_get_int_member(e, "live_objects"), ==, 2);
			g_assert_cmpint(json_object_get_int_member(e, "live_bytes"), ==, 200);
		}
		g_object_unref(p);
		g_free(out);
		g_free(scn);
		g_free(scn_name);
		g_free(body);
		g_free(lua);
		g_free(text);
		g_free(lua_name);
	}
}

/* ---- figures per task and CPU, remote frees, efficiency ---- */

/* Task 0 on CPU 0: 10 allocations, 10 frees; task 1 on CPU 1: 5
 * allocations kept; task 2 on CPU 0 too: 3 allocations, 3 frees. */
static const char tasks_lua[] =
	"return { params = {}, setup = function(sim, p)\n"
	"  local c = sim.cache{ name = 'eff', size = 100 }\n"
	"  local function churn(t, n) local h = t:alloc_n(c, n) t:free_n(h) end\n"
	"  sim.spawn(0, churn, 10)\n"
	"  sim.spawn(1, function(t) t:alloc_n(c, 5) end)\n"
	"  sim.spawn(0, churn, 3)\n"
	"end }\n";

/* The CSV row of `file` whose first fields are `key` (e.g. "slub,1,"). */
static char **csv_row(const char *dir, const char *file, const char *key)
{
	char *text = harness_read_text(dir, file), *nkey = g_strconcat("\n", key, NULL);
	const char *at = strstr(text, nkey);
	char *line, **f;

	g_assert_nonnull(at);
	line = g_strndup(at + 1, strcspn(at + 1, "\n"));
	f = g_strsplit(line, ",", -1);
	g_free(line);
	g_free(nkey);
	g_free(text);
	return f;
}

static void test_tasks_and_cpus(void)
{
	char *lua = write_in("tasks.lua", tasks_lua), *body = g_strdup_printf(DESKTOP, lua);
	char *scn = write_in("tasks.scn", body), *out = path_in("tasks-out");
	harness_result_t r = harness_slabsim("run", scn, "--out", out, "--no-plots");
	static const struct { const char *key; int cpu, allocs, frees; } t[] = {
		{ "slub,0,", 0, 10, 10 }, { "slub,1,", 1, 5, 0 }, { "slub,2,", 0, 3, 3 },
	};
	JsonParser *p;
	JsonObject *a, *c;
	char **f;

	char *text = flat(r.out);

	expect_ok(&r);
	g_assert_nonnull(strstr(text, "3 tasks on 2 CPUs, some sharing a CPU"));
	g_free(text);
	harness_result_free(&r);
	text = harness_read_text(out, "tasks.csv");
	g_assert_true(g_str_has_prefix(text, "allocator,task,cpu,state,allocs,frees,busy_ns,end_ns,where\n"));
	g_free(text);
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		f = csv_row(out, "tasks.csv", t[i].key);
		g_assert_cmpint(atoi(f[2]), ==, t[i].cpu);
		g_assert_cmpstr(f[3], ==, "done");
		g_assert_cmpint(atoi(f[4]), ==, t[i].allocs);
		g_assert_cmpint(atoi(f[5]), ==, t[i].frees);
		g_assert_cmpfloat(g_ascii_strtod(f[6], NULL), >, 0);    /* it did work */
		g_strfreev(f);
	}
	/* CPU 0 ran tasks 0 and 2: 13 allocations, 13 frees; CPU 1: 5, 0. */
	f = csv_row(out, "cpus.csv", "slub,0,");
	g_assert_cmpint(atoi(f[3]), ==, 2);
	g_assert_cmpint(atoi(f[4]), ==, 13);
	g_assert_cmpint(atoi(f[5]), ==, 13);
	g_strfreev(f);
	f = csv_row(out, "cpus.csv", "slub,1,");
	g_assert_cmpint(atoi(f[3]), ==, 1);
	g_assert_cmpint(atoi(f[4]), ==, 5);
	g_assert_cmpint(atoi(f[5]), ==, 0);
	g_strfreev(f);
	p = load_json(out, "results.json");
	a = obj_at(root_of(p), "allocators/slub");
	g_assert_cmpint(json_path_number(a, "per_task/count"), ==, 3);
	g_assert_cmpint(json_path_number(a, "per_task/ops/min"), ==, 5);     /* task 1 */
	g_assert_cmpint(json_path_number(a, "per_task/ops/max"), ==, 20);    /* task 0 */
	g_assert_cmpint(json_path_number(a, "per_cpu/with_tasks"), ==, 2);
	g_assert_cmpint(json_path_number(a, "per_cpu/max_tasks"), ==, 2);
	/* %Ef of the cache: 5 live objects of 100 bytes over its slabs. */
	c = obj_at(a, "caches/eff");
	double page = json_path_number(root_of(p), "scenario_typed/machine/page_size");
	double slab = (double)json_object_get_int_member(c, "slabs") * page *
	              (double)(1 << json_object_get_int_member(c, "order"));
	g_assert_cmpfloat(page, >=, 4096);
	g_assert_cmpint(json_object_get_int_member(c, "live_objects"), ==, 5);
	g_assert_cmpint(json_object_get_int_member(c, "live_bytes"), ==, 500);
	g_assert_cmpfloat(json_object_get_int_member(c, "slab_bytes"), ==, slab);
	g_assert_cmpfloat(json_object_get_double_member(c, "efficiency_pct"), ==,
	                  round(1000.0 * 500 / slab) / 10.0);
	f = csv_row(out, "caches.csv", "slub,eff,");
	g_assert_cmpint(atoi(f[8]), ==, 500);
	g_strfreev(f);
	g_object_unref(p);
	g_free(out);
	g_free(scn);
	g_free(body);
	g_free(lua);
}

/* On nehalem-2s (CPUs 0-7 node 0, 8-15 node 1): CPU 0 allocates 16
 * objects for a consumer on CPU 8 and 8 for one on CPU 1; every free is
 * on another CPU than the allocation, 16 on another node. */
static void test_remote_frees(void)
{
	char *lua = write_in("remote.lua",
		"return { params = {}, setup = function(sim, p)\n"
		"  local c, far, near = sim.cache{ name = 'r', size = 64 }, sim.channel(), sim.channel()\n"
		"  sim.spawn(0, function(t)\n"
		"    for i = 1, 16 do t:send(far, t:alloc(c)) end\n"
		"    for i = 1, 8 do t:send(near, t:alloc(c)) end end)\n"
		"  sim.spawn(8, function(t) for i = 1, 16 do t:free(t:recv(far)) end end)\n"
		"  sim.spawn(1, function(t) for i = 1, 8 do t:free(t:recv(near)) end end)\n"
		"end }\n");
	char *body = g_strdup_printf("[scenario]\nworkload = %s\nmachine = nehalem-2s\nallocators = slub\n", lua);
	char *scn = write_in("remote.scn", body), *out = path_in("remote-out");
	harness_result_t r = harness_slabsim("run", scn, "--out", out, "--no-plots", "-q");
	JsonParser *p;
	JsonObject *a;

	expect_ok(&r);
	harness_result_free(&r);
	p = load_json(out, "results.json");
	a = obj_at(root_of(p), "allocators/slub");
	g_assert_cmpint(json_path_number(a, "remote/free_other_cpu"), ==, 24);
	g_assert_cmpint(json_path_number(a, "remote/free_other_node"), ==, 16);
	g_assert_cmpint(json_path_number(a, "remote/alloc_other_node"), ==, 0);
	g_object_unref(p);
	g_free(out);
	g_free(scn);
	g_free(body);
	g_free(lua);
}

/* ---- allocator variants ---- */

#define SHORT "--set", "workload.batches=20"

static void test_variants(void)
{
	char *out = path_in("variants"), *summary;
	harness_result_t r = harness_slabsim("run", "scenarios/quickstart.scn", "-a",
	                                     "slub,slubmin=slub:slub_min_order=3", "--baseline", "slubmin",
	                                     "--out", out, "--no-plots", SHORT);
	JsonParser *p;
	JsonObject *root, *allocs, *caches;
	GList *names, *l;
	char *want, *row;
	double a, b;

	expect_ok(&r);
	p = load_json(out, "results.json");
	root = root_of(p);
	allocs = obj_at(root, "allocators");
	names = json_object_get_members(allocs);
	g_assert_cmpuint(g_list_length(names), ==, 2);
	g_assert_cmpstr(names->data, ==, "slub");
	g_assert_cmpstr(names->next->data, ==, "slubmin");
	g_list_free(names);
	g_assert_cmpstr(json_object_get_string_member(obj_at(allocs, "slubmin"), "allocator"), ==, "slub");
	/* slub_min_order = 3: every slab of the variant is of order 3 or more. */
	caches = obj_at(allocs, "slubmin/caches");
	names = json_object_get_members(caches);
	for (l = names; l; l = l->next)
		if (json_object_get_int_member(obj_at(caches, l->data), "slabs"))
			g_assert_cmpint(json_object_get_int_member(obj_at(caches, l->data), "order"), >=, 3);
	g_list_free(names);
	g_assert_cmpint(json_path_number(root, "scenario_typed/allocator.slubmin/slub_min_order"), ==, 3);
	g_assert_true(exists_in(out, "footprint-slubmin.csv"));
	summary = harness_read_text(out, "summary.csv");
	g_assert_nonnull(strstr(summary, "\nslubmin,slub,completed,"));
	/* The ratio to the baseline: slub's alloc p99 over slubmin's. */
	a = json_path_number(allocs, "slub/latency_ns/alloc/p99");
	b = json_path_number(allocs, "slubmin/latency_ns/alloc/p99");
	g_assert_nonnull(strstr(r.out, "ratio to slubmin"));
	want = g_strdup_printf("%.2f", a / b);
	row = strstr(strstr(r.out, "ratio to slubmin"), "\nslub ");
	g_assert_nonnull(row);
	row = g_strndup(row + 1, strcspn(row + 1, "\n"));
	g_assert_nonnull(strstr(row, want));
	g_free(row);
	g_free(want);
	g_free(summary);
	harness_result_free(&r);
	g_object_unref(p);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "-a", "Big=slub"), 1,
	                     "[scenario] allocators", "label 'Big'");
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "-a", "x=slub:frob=1"), 1,
	                     "unknown tunable 'frob'", NULL);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "-a", "x=slub:slub_min_order=99"),
	                     1, "slub_min_order: expected an integer from 0 to", NULL);
	harness_expect_error(harness_slabsim("check", "scenarios/quickstart.scn", "-a", "slab=slub"), 1,
	                     "label 'slab' is the name of another allocator", NULL);
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "--baseline", "frob", SHORT), 1,
	                     "--baseline frob", NULL);
	g_free(out);
}

/* ---- the results directory ---- */

static char *file_text(const char *dir, const char *name)
{
	return harness_read_text(dir, name);
}

/* Names in dir starting with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	int count = 0;

	while (d && (n = g_dir_read_name(d)))
		count += g_str_has_prefix(n, prefix);
	if (d)
		g_dir_close(d);
	return count;
}

static void test_results_dir(void)
{
	char *parent = path_in("rd"), *out = g_build_filename(parent, "q", NULL);
	char *stale = g_build_filename(out, "stale.txt", NULL), *before, *after, *lock, *tmp;
	harness_result_t r;
	int fd;

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub,slab", "--out", out, "-q",
	                    "--no-plots", SHORT);
	expect_ok(&r);
	harness_result_free(&r);
	g_assert_true(g_file_set_contents(stale, "earlier\n", -1, NULL));
	before = file_text(out, "results.json");
	/* A used directory is refused, and left as it was. */
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", out,
	                                     "-q", "--no-plots", SHORT), 1, "holds earlier results", "--force");
	after = file_text(out, "results.json");
	g_assert_cmpstr(before, ==, after);
	g_assert_true(g_file_test(stale, G_FILE_TEST_EXISTS));
	g_free(after);
	/* A second run into the same directory: its lock is refused. */
	lock = g_strconcat(out, ".lock", NULL);
	fd = open(lock, O_RDWR | O_CREAT, 0644);
	g_assert_cmpint(flock(fd, LOCK_EX), ==, 0);
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "--out", out, "--force", "-q",
	                                     "--no-plots", SHORT), 1, "being written by another", NULL);
	close(fd);
	g_remove(lock);
	/* A killed run's temporary is cleaned by the next run. */
	tmp = g_build_filename(parent, ".q.tmp-ABCDEF", NULL);
	g_assert_cmpint(g_mkdir_with_parents(tmp, 0755), ==, 0);
	{
		char *half = g_build_filename(tmp, "half.json", NULL);
		g_assert_true(g_file_set_contents(half, "{", -1, NULL));
		g_free(half);
	}
	/* --force swaps the whole directory: nothing of the earlier run stays. */
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", out, "--force", "-q",
	                    "--no-plots", SHORT);
	expect_ok(&r);
	harness_result_free(&r);
	g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
	g_assert_false(exists_in(out, "latency-slab.csv"));
	g_assert_true(exists_in(out, "latency-slub.csv"));
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(lock, G_FILE_TEST_EXISTS));
	g_assert_cmpint(count_prefixed(parent, ".q."), ==, 0);
	/* An unwritable place is reported before anything runs. */
	harness_expect_error(harness_slabsim("run", "scenarios/quickstart.scn", "--out", "/proc/slabsim/x", "-q"),
	                     1, "/proc/slabsim", NULL);
	g_free(tmp);
	g_free(lock);
	g_free(before);
	g_free(stale);
	g_free(out);
	g_free(parent);
}

/* Without --out: results/NAME, then results/NAME-2, never over the first. */
static void test_default_out(void)
{
	char *cwd = path_in("cwd"), *root = g_get_current_dir(), *scn = g_build_filename(root, "scenarios",
	                                                                                  "quickstart.scn", NULL);
	char *first = g_build_filename(cwd, "results", "quickstart", NULL);
	char *second = g_build_filename(cwd, "results", "quickstart-2", NULL), *a, *b;
	const char *const args[] = { "run", scn, "-a", "slub", "-q", "--no-plots", SHORT, NULL };
	harness_result_t r;

	g_assert_cmpint(g_mkdir_with_parents(cwd, 0755), ==, 0);
	r = run_in(cwd, args);
	expect_ok(&r);
	harness_result_free(&r);
	a = file_text(first, "provenance.json");
	r = run_in(cwd, args);
	expect_ok(&r);
	harness_result_free(&r);
	b = file_text(first, "provenance.json");
	g_assert_cmpstr(a, ==, b);                             /* the first is untouched */
	g_assert_true(exists_in(second, "results.json"));
	g_free(a);
	g_free(b);
	g_free(second);
	g_free(first);
	g_free(scn);
	g_free(root);
	g_free(cwd);
}

/* Ctrl-C part way: the earlier results stay as they were, no temporary
 * and no lock is left. */
static void test_interrupt(void)
{
	char *parent = path_in("int"), *out = g_build_filename(parent, "q", NULL), *before, *after;
	const char *bin = g_getenv("SLABSIM_BIN");
	char *argv[] = { (char *)bin, "run", "scenarios/quickstart.scn", "-a", "slob", "--out", out, "--force",
	                 "-q", "--no-plots", "--set", "workload.batches=100000", NULL };
	harness_result_t r;
	GPid pid;
	int status = 0;

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", out, "-q", "--no-plots", SHORT);
	expect_ok(&r);
	harness_result_free(&r);
	before = file_text(out, "results.json");
	g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
	                            NULL, NULL, &pid, NULL));
	/* Wait for its temporary directory: the simulation has begun. */
	for (int i = 0; i < 3000 && !count_prefixed(parent, ".q.tmp-"); i++)
		g_usleep(10000);
	g_assert_cmpint(count_prefixed(parent, ".q.tmp-"), ==, 1);
	g_usleep(100000);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	g_spawn_close_pid(pid);
	g_assert_true(WIFSIGNALED(status));
	g_assert_cmpint(WTERMSIG(status), ==, SIGINT);
	after = file_text(out, "results.json");
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpint(count_prefixed(parent, ".q."), ==, 0);
	g_assert_cmpint(count_prefixed(parent, "q.lock"), ==, 0);
	g_free(after);
	g_free(before);
	g_free(out);
	g_free(parent);
}

/* ---- provenance, typed values, re-running scenario.scn ---- */

static char *sha256_of_file(const char *path)
{
	char *text;
	gsize len;
	char *sum;

	g_assert_true(g_file_get_contents(path, &text, &len, NULL));
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
	g_free(text);
	return sum;
}

static void test_provenance(void)
{
	char *a = path_in("prov-a"), *b = path_in("prov-b"), *ja, *jb, *wl, *scn;
	harness_result_t r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", a, "-q",
	                                     "--no-plots", SHORT);
	JsonParser *p;
	JsonObject *o, *t;

	expect_ok(&r);
	harness_result_free(&r);
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", b, "-q", "--no-plots", SHORT);
	expect_ok(&r);
	harness_result_free(&r);
	ja = file_text(a, "results.json");
	jb = file_text(b, "results.json");
	g_assert_cmpstr(ja, ==, jb);                       /* what varies is not in results.json */
	g_assert_null(strstr(ja, a));
	p = load_json(a, "provenance.json");
	o = root_of(p);
	g_assert_cmpstr(json_object_get_string_member(o, "mode"), ==, "simulated");
	g_assert_true(json_object_has_member(o, "git_revision"));
	g_assert_true(json_object_has_member(o, "dirty"));
	g_assert_true(json_object_has_member(o, "host"));
	g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(o, "command_line"), 1), ==, "run");
	wl = sha256_of_file("workloads/remote-free.lua");
	g_assert_cmpstr(json_object_get_string_member(o, "workload_sha256"), ==, wl);
	scn = g_build_filename(a, "scenario.scn", NULL);
	g_free(wl);
	wl = sha256_of_file(scn);
	g_assert_cmpstr(json_object_get_string_member(o, "scenario_sha256"), ==, wl);
	g_object_unref(p);
	/* Typed values: numbers as numbers, times in ns, the list as an array. */
	p = load_json(a, "results.json");
	t = obj_at(root_of(p), "scenario_typed");
	g_assert_true(json_node_get_value_type(json_object_get_member(obj_at(t, "scenario"), "seed")) == G_TYPE_INT64);
	g_assert_cmpint(json_path_number(t, "scenario/duration"), ==, 1000000000);   /* 1s */
	g_assert_cmpint(json_path_number(t, "scenario/sample"), ==, 1000000);        /* 1ms */
	g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(obj_at(t, "scenario"),
	                "allocators"), 0), ==, "slub");
	g_assert_cmpint(json_path_number(t, "workload/batches"), ==, 20);
	g_assert_cmpstr(json_object_get_string_member(obj_at(t, "workload"), "placement"), ==, "node");
	g_assert_true(json_node_get_value_type(json_object_get_member(obj_at(t, "workload"), "bulk")) == G_TYPE_BOOLEAN);
	g_assert_true(json_node_get_value_type(json_object_get_member(obj_at(t, "workload"), "remote")) == G_TYPE_DOUBLE);
	/* ... and the scenario part as before: strings. */
	g_assert_cmpstr(json_object_get_string_member(obj_at(root_of(p), "scenario/scenario"), "seed"), ==, "1");
	g_object_unref(p);
	g_free(wl);
	g_free(scn);
	g_free(ja);
	g_free(jb);
	g_free(a);
	g_free(b);
}

/* A workload given by a path relative to where the run starts: the
 * resolved scenario.scn names it absolutely and re-runs from elsewhere. */
static void test_rerun_anywhere(void)
{
	char *cwd = path_in("here"), *out = g_build_filename(cwd, "out", NULL), *again = path_in("again");
	char *lua = g_build_filename(cwd, "w.lua", NULL), *scn_text, *first, *second, *resolved;
	harness_result_t r;

	g_assert_cmpint(g_mkdir_with_parents(cwd, 0755), ==, 0);
	g_assert_true(g_file_set_contents(lua, tasks_lua, -1, NULL));
	scn_text = g_build_filename(cwd, "s.scn", NULL);
	g_assert_true(g_file_set_contents(scn_text, "[scenario]\nworkload = ./w.lua\nmachine = desktop-1s\n"
	                                  "allocators = slub\n", -1, NULL));
	r = run_in(cwd, (const char *const[]){ "run", "s.scn", "--out", "out", "-q", "--no-plots", NULL });
	expect_ok(&r);
	harness_result_free(&r);
	resolved = file_text(out, "scenario.scn");
	g_assert_nonnull(strstr(resolved, lua));
	first = g_build_filename(out, "scenario.scn", NULL);
	r = harness_slabsim("run", first, "--out", again, "-q", "--no-plots");
	g_free(first);
	expect_ok(&r);
	harness_result_free(&r);
	first = file_text(out, "results.json");
	second = file_text(again, "results.json");
	g_assert_cmpstr(first, ==, second);
	g_free(first);
	g_free(second);
	g_free(resolved);
	g_free(scn_text);
	g_free(lua);
	g_free(again);
	g_free(out);
	g_free(cwd);
}

/* ---- what the terminal shows ---- */

static void test_summary(void)
{
	char *out = path_in("summary"), *report, **lines;
	harness_result_t r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub,slab,slqb", "--out",
	                                     out, "--no-plots", SHORT);
	int n = 0;

	expect_ok(&r);
	lines = g_strsplit(r.out, "\n", -1);
	for (int i = 0; lines[i] && *lines[i]; i++, n++)
		g_assert_cmpint(g_utf8_strlen(lines[i], -1), <=, 100);
	for (int i = 0; lines[i]; i++)
		n += i > 0 && !*lines[i] && lines[i + 1];     /* blank lines count too */
	g_assert_cmpint(n, <, 60);
	g_assert_nonnull(strstr(r.out, "ratio to slub"));
	g_assert_nonnull(strstr(r.out, "most contended lock"));
	g_assert_nonnull(strstr(r.out, "KiB"));
	report = file_text(out, "report.txt");
	g_assert_nonnull(strstr(report, "\n== slab ==\n"));
	g_assert_nonnull(strstr(report, "slabinfo - version: 2.1"));
	g_strfreev(lines);
	g_free(report);
	harness_result_free(&r);
	g_free(out);
}

/* The spread over seeds, when a results tree has one, is "mean ± sd". */
static void test_spread(void)
{
	const char *json =
		"{\"allocators\": {"
		"\"a\": {\"ops\": {\"alloc\": 1, \"free\": 1}, \"throughput_ops_per_sec\": 2000,"
		"  \"latency_ns\": {\"alloc\": {\"p50\": 10, \"p99\": 20}, \"free\": {\"p50\": 10, \"p99\": 20}},"
		"  \"memory\": {\"peak\": {\"slab_bytes\": 1024, \"metadata_bytes\": 0}}, \"locks\": {},"
		"  \"spread\": {\"peak_slab_bytes\": {\"mean\": 1536, \"sd\": 512, \"n\": 3}}},"
		"\"b\": {\"ops\": {\"alloc\": 1, \"free\": 1}, \"throughput_ops_per_sec\": 1000,"
		"  \"latency_ns\": {\"alloc\": {\"p50\": 10, \"p99\": 40}, \"free\": {\"p50\": 10, \"p99\": 20}},"
		"  \"memory\": {\"peak\": {\"slab_bytes\": 3072, \"metadata_bytes\": 0}}, \"locks\": {}}}}";
	JsonParser *p = json_parser_new();
	char *text;

	g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
	text = results_comparison(root_of(p), NULL);
	g_assert_nonnull(strstr(text, "1.5 ± 0.5 KiB"));      /* a's spread */
	g_assert_nonnull(strstr(text, "3.0 KiB"));            /* b has none */
	g_assert_nonnull(strstr(text, "ratio to a"));
	g_assert_nonnull(strstr(text, "  2.00"));             /* 3072 / 1536 (the mean) and 40 / 20 */
	g_assert_nonnull(strstr(text, "  0.50"));             /* 1000 / 2000 ops/s */
	g_free(text);
	g_object_unref(p);
}

/* ---- diff ---- */

static void test_diff(void)
{
	char *a = path_in("diff-a"), *b = path_in("diff-b"), *want;
	harness_result_t r;
	JsonParser *pa, *pb;
	double ta, tb;

	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", a, "-q", "--no-plots", SHORT);
	expect_ok(&r);
	harness_result_free(&r);
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--out", b, "-q", "--no-plots", SHORT,
	                    "--set", "allocator.slub.slub_min_order=2");
	expect_ok(&r);
	harness_result_free(&r);
	r = harness_slabsim("diff", a, b);
	expect_ok(&r);
	g_assert_nonnull(strstr(r.out, "allocator.slub.slub_min_order: 0 -> 2"));
	pa = load_json(a, "results.json");
	pb = load_json(b, "results.json");
	ta = json_path_number(obj_at(root_of(pa), "allocators/slub"), "throughput_ops_per_sec");
	tb = json_path_number(obj_at(root_of(pb), "allocators/slub"), "throughput_ops_per_sec");
	want = g_strdup_printf("%.3f", tb / ta);
	{
		char *row = strstr(r.out, "\n  ops/s ");
		g_assert_nonnull(row);
		row = g_strndup(row, strcspn(row + 1, "\n") + 1);
		g_assert_nonnull(strstr(row, want));
		g_free(row);
	}
	g_free(want);
	g_object_unref(pa);
	g_object_unref(pb);
	harness_result_free(&r);
	harness_expect_error(harness_slabsim("diff", a, "/nonexistent"), 1, "/nonexistent", NULL);
	g_free(a);
	g_free(b);
}

/* ---- sweeps ---- */

/* Two --vary give the four combinations, each a point KEY=VALUE,...;
 * with --seeds 2 the summary's mean and sd are those of the two seeds'
 * values in sweep.csv. */
static void test_sweep_product(void)
{
	char *out = path_in("sweep2"), *csv, *sum, **lines;
	static const char *const points[] = {
		"workload.pairs=1,workload.batch=8,seed=1", "workload.pairs=1,workload.batch=8,seed=2",
		"workload.pairs=1,workload.batch=16,seed=1", "workload.pairs=1,workload.batch=16,seed=2",
		"workload.pairs=2,workload.batch=8,seed=1", "workload.pairs=2,workload.batch=8,seed=2",
		"workload.pairs=2,workload.batch=16,seed=1", "workload.pairs=2,workload.batch=16,seed=2",
	};
	harness_result_t r = harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1,2",
	                                     "--vary", "workload.batch=8,16", "--seeds", "2", "-a", "slub,slab",
	                                     "--set", "workload.batches=5", "--jobs", "2", "--out", out);
	double v[2] = { 0, 0 }, mean, sd;
	int seen = 0;

	expect_ok(&r);
	harness_result_free(&r);
	for (size_t i = 0; i < G_N_ELEMENTS(points); i++) {
		char *json = g_build_filename(out, points[i], "results.json", NULL);
		g_assert_true(g_file_test(json, G_FILE_TEST_EXISTS));
		g_free(json);
	}
	csv = file_text(out, "sweep.csv");
	g_assert_true(g_str_has_prefix(csv, "workload.pairs,workload.batch,seed,allocator,metric,value\n"));
	lines = g_strsplit(csv, "\n", -1);
	for (int i = 1; lines[i]; i++)
		if (g_str_has_prefix(lines[i], "2,16,") && strstr(lines[i], ",slab,peak_slab_bytes,")) {
			char **f = g_strsplit(lines[i], ",", -1);
			v[atoi(f[2]) - 1] = g_ascii_strtod(f[5], NULL);
			seen++;
			g_strfreev(f);
		}
	g_assert_cmpint(seen, ==, 2);
	mean = (v[0] + v[1]) / 2;
	sd = sqrt(((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean)) / 1);
	sum = file_text(out, "sweep-summary.csv");
	{
		char *want = g_strdup_printf("\n2,16,slab,peak_slab_bytes,2,%.10g,%.10g,", mean, sd);
		g_assert_nonnull(strstr(sum, want));
		g_free(want);
	}
	/* The commands for GNU parallel: one per point, each self-contained. */
	r = harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1,2", "--vary",
	                    "workload.batch=8,16", "--seeds", "2", "--emit-commands", "--out", out);
	expect_ok(&r);
	g_strfreev(lines);
	lines = g_strsplit(r.out, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, G_N_ELEMENTS(points) + 1);
	for (size_t i = 0; i < G_N_ELEMENTS(points); i++)
		g_assert_nonnull(strstr(lines[i], points[i]));
	harness_result_free(&r);
	harness_expect_error(harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1",
	                                     "--vary", "workload.pairs=2"), 1, "varied twice", NULL);
	g_strfreev(lines);
	g_free(sum);
	g_free(csv);
	g_free(out);
}

/* ---- list, completion, man ---- */

static void test_list(void)
{
	harness_result_t r = harness_slabsim("list", "params", "remote-free");
	const allocator_ops_t *slub = allocator_find("slub");
	char *lua, *help, *line;

	expect_ok(&r);
	/* The batch parameter: its default and its help, as the script says. */
	g_assert_true(g_file_get_contents("workloads/remote-free.lua", &lua, NULL, NULL));
	help = strstr(lua, "\n\tbatch ");
	g_assert_nonnull(help);
	help = strstr(help, "help = \"") + 8;
	help = g_strndup(help, strcspn(help, "\""));
	line = strstr(r.out, "\n  batch ");
	g_assert_nonnull(line);
	line = g_strndup(line + 1, strcspn(line + 1, "\n"));
	g_assert_nonnull(strstr(line, " 32 "));
	g_assert_nonnull(strstr(line, help));
	g_free(line);
	g_free(help);
	g_free(lua);
	harness_result_free(&r);
	r = harness_slabsim("list", "tunables", "slub");
	expect_ok(&r);
	for (const tunable_t *t = slub->tunables; t->name; t++) {
		char *range = g_strdup_printf("%ld..%ld", t->min, t->max);
		char *key = g_strdup_printf("\n  %s ", t->name);
		line = strstr(r.out, key);
		g_free(key);
		g_assert_nonnull(line);
		line = g_strndup(line + 1, strcspn(line + 1, "\n"));
		g_assert_nonnull(strstr(line, range));
		g_free(line);
		g_free(range);
	}
	harness_result_free(&r);
	harness_expect_error(harness_slabsim("list", "tunables", "frob"), 1, "no allocator called 'frob'", NULL);
	harness_expect_error(harness_slabsim("list", "params"), 1, "list params takes one workload", NULL);
	/* A scenario name as `list` shows it runs like its file. */
	r = harness_slabsim("check", "quickstart");
	expect_ok(&r);
	harness_result_free(&r);
}

/* The committed completion script and man page are what the binary
 * generates from its option tables. */
static void test_generated(void)
{
	harness_result_t r = harness_slabsim("completion", "bash");
	char *text;

	expect_ok(&r);
	text = file_text("docs", "slabsim.bash");
	g_assert_cmpstr(r.out, ==, text);
	g_free(text);
	harness_result_free(&r);
	r = harness_slabsim("man");
	expect_ok(&r);
	text = file_text("docs", "slabsim.1");
	g_assert_cmpstr(r.out, ==, text);
	g_assert_nonnull(strstr(text, ".SS \"run"));
	g_free(text);
	harness_result_free(&r);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-ux-XXXXXX", NULL);
	g_test_add_func("/ux/help", test_help);
	g_test_add_func("/ux/unitless", test_unitless);
	g_test_add_func("/ux/deadlock", test_deadlock);
	g_test_add_func("/ux/end-reasons", test_end_reasons);
	g_test_add_func("/ux/tasks-and-cpus", test_tasks_and_cpus);
	g_test_add_func("/ux/remote-frees", test_remote_frees);
	g_test_add_func("/ux/variants", test_variants);
	g_test_add_func("/ux/results-dir", test_results_dir);
	g_test_add_func("/ux/default-out", test_default_out);
	g_test_add_func("/ux/interrupt", test_interrupt);
	g_test_add_func("/ux/provenance", test_provenance);
	g_test_add_func("/ux/rerun-anywhere", test_rerun_anywhere);
	g_test_add_func("/ux/summary", test_summary);
	g_test_add_func("/ux/spread", test_spread);
	g_test_add_func("/ux/diff", test_diff);
	g_test_add_func("/ux/sweep-product", test_sweep_product);
	g_test_add_func("/ux/list", test_list);
	g_test_add_func("/ux/generated", test_generated);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
