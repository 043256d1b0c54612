/*
 * fuzz_lua.c -- libFuzzer harness of the Lua API (sim/host): the input
 * bytes choose a short workload program -- caches, barriers and channels
 * made in setup with sizes good and bad, then tasks whose statements call
 * the task methods with arguments from a list of edge values (0, -1,
 * 2^31, 2^32 + 1, math.mininteger, NaN, huge floats, stale and foreign
 * handles, another task's object), iterate tables with pairs, print
 * addresses, load bytecode, require modules -- and one allocator; the
 * program is run on a 4-CPU, 2-node machine for 1 ms of simulated time.
 * Every outcome must be a result or a clean error: a crash, a sanitizer
 * report, an abort or a kbug() (the host must stop a workload before the
 * allocator sees a bad request) is a finding.
 *
 * Programs are bounded (no unbounded loops), so the Lua limits do not
 * fire and runs are deterministic: a fixed seed and run count replay the
 * same executions (CI).  Run from the repository root, with
 * -detect_leaks=0: a run that stops at its duration abandons the fibers
 * of CPUs in the middle of an allocator call (waiting for IPIs or a lock),
 * and a host buffer such a call holds (SLUB's shrink_cache) is never
 * freed -- a limitation of the engine's fibers, not of the Lua host, whose
 * leaks the sanitizer suite's runs (LeakSanitizer at every exit) catch.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "luahost.h"
#include "sandbox.h"

typedef struct gen {
	const uint8_t *p, *end;
	GString *s;
	int ncaches, nbars, nchans;
} gen_t;

static unsigned byte(gen_t *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

static unsigned pick(gen_t *g, unsigned n)
{
	return byte(g) % n;
}

/* An integer argument: mostly ordinary, often an edge value. */
static const char *const ints[] = {
	"0", "1", "2", "3", "7", "64", "100", "4096", "-1", "-2", "2^31", "2^31-1",
	"2^32+1", "2^53", "1<<30", "(1<<30)+1", "1<<24", "(1<<24)+1", "math.maxinteger",
	"math.mininteger", "1.5", "0/0", "1e308", "-1e308", "1e15", "\"8\"", "nil",
	"true", "{}",
};

static const char *num(gen_t *g)
{
	unsigned b = byte(g);

	return b < 128 ? ints[b % 5] : ints[b % G_N_ELEMENTS(ints)];
}

/* A cache argument: a cache object, a name, a kmalloc size or junk. */
static void target(gen_t *g)
{
	switch (pick(g, 6)) {
	case 0: case 1:
		g_string_append_printf(g->s, "C[%u]", 1 + pick(g, (unsigned)g->ncaches));
		break;
	case 2:
		g_string_append(g->s, "\"c1\"");
		break;
	case 3:
		g_string_append(g->s, pick(g, 2) ? "\"nosuch\"" : "B[1]");
		break;
	default:
		g_string_append(g->s, num(g));
	}
}

/* A handle argument: the newest, an old (maybe freed) one, or junk. */
static void handle(gen_t *g)
{
	switch (pick(g, 5)) {
	case 0: case 1:
		g_string_append(g->s, "H[#H]");
		break;
	case 2:
		g_string_append(g->s, "H[1]");
		break;
	case 3:
		g_string_append(g->s, "S.h");
		break;
	default:
		g_string_append(g->s, num(g));
	}
}

static void task_stmt(gen_t *g)
{
	GString *s = g->s;

	switch (pick(g, 28)) {
	case 0: case 1: case 2:
		g_string_append(s, "H[#H+1] = t:alloc(");
		target(g);
		if (pick(g, 3) == 0)
			g_string_append_printf(s, ", %s", pick(g, 2) ? "t.node" : num(g));
		g_string_append(s, ")");
		break;
	case 3:
		g_string_append(s, "for _, h in ipairs(t:alloc_n(");
		target(g);
		g_string_append_printf(s, ", %s) or {}) do H[#H+1] = h end", pick(g, 2) ? "4" : num(g));
		break;
	case 4: case 5:
		g_string_append(s, "t:free(");
		handle(g);
		g_string_append(s, "); H[#H] = nil");
		break;
	case 6:
		g_string_append_printf(s, "t:free_n(H%s); H = {}", pick(g, 2) ? "" : ", 2");
		break;
	case 7:
		g_string_append(s, "t:touch(");
		handle(g);
		g_string_append_printf(s, ", %s, true)", num(g));
		break;
	case 8:
		g_string_append_printf(s, "t:touch_n(H, %s)", num(g));
		break;
	case 9:
		g_string_append_printf(s, "t:think(%s)", num(g));
		break;
	case 10:
		g_string_append_printf(s, "t:sleep(%s)", num(g));
		break;
	case 11:
		g_string_append_printf(s, "t:send(CH[%u], H[#H])", 1 + pick(g, (unsigned)g->nchans));
		break;
	case 12:
		g_string_append_printf(s, "if S.sent then S.h = t:recv(CH[%u]) end", 1 + pick(g, (unsigned)g->nchans));
		break;
	case 13:
		g_string_append_printf(s, "t:barrier(B[%u])", 1 + pick(g, (unsigned)g->nbars));
		break;
	case 14:
		g_string_append(s, "t:shrink(");
		target(g);
		g_string_append(s, ")");
		break;
	case 15:
		g_string_append(s, "t:defrag(C[1], ");
		g_string_append_printf(s, "%s)", num(g));
		break;
	case 16:
		g_string_append(s, "t:vacate(");
		handle(g);
		g_string_append(s, ")");
		break;
	case 17:
		g_string_append_printf(s, "S.r = t:random(%s, %s)", num(g), num(g));
		break;
	case 18:
		g_string_append_printf(s, "t:count(\"n\", %s)", num(g));
		break;
	case 19:
		g_string_append_printf(s, "t:record(\"m\", %s)", num(g));
		break;
	case 20:
		g_string_append(s, "S.o = {}; for k, v in pairs({ x = 1, [2] = 2, [t] = 3, [H] = 4, "
		                "[1.5] = 5, [true] = 6, [print] = 7 }) do S.o[#S.o+1] = tostring(k) end");
		break;
	case 21:
		g_string_append(s, "S.f = string.format(\"%s %d\", H, 1)");
		break;
	case 22:
		g_string_append(s, "S.l = load(\"\\27Lua\") or load(\"return 1\")");
		break;
	case 23:
		g_string_append_printf(s, "S.q = require(\"%s\")", pick(g, 2) ? "dist" : "../x");
		break;
	case 24: /* another task's object */
		g_string_append(s, "local o = T[1 + (t.id + 1) % #T]; if o then o:alloc(C[1]) end");
		break;
	case 25:
		g_string_append_printf(s, "for i = 1, %u do H[#H+1] = t:alloc(64) end", pick(g, 40));
		break;
	case 26:
		g_string_append_printf(s, "S.x = string.rep(\"x\", %u)", pick(g, 255) * 64);
		break;
	default:
		g_string_append(s, "S.n = t:now() + t.cpu + t.node + t.id");
	}
}

static void setup_stmt(gen_t *g)
{
	switch (pick(g, 6)) {
	case 0: case 1:
		g_string_append_printf(g->s, "C[%d] = sim.cache{ name = \"c%d\", size = %s, align = %s%s }\n",
		                       g->ncaches + 1, g->ncaches + 1, num(g), pick(g, 2) ? "0" : num(g),
		                       pick(g, 3) ? "" : ", flags = \"HWCACHE_ALIGN|RECLAIM_ACCOUNT\"");
		g->ncaches++;
		break;
	case 2:
		g_string_append_printf(g->s, "B[%d] = sim.barrier(%s)\n", ++g->nbars, pick(g, 2) ? "2" : num(g));
		break;
	case 3:
		g_string_append_printf(g->s, "CH[%d] = sim.channel()\n", ++g->nchans);
		break;
	case 4:
		g_string_append_printf(g->s, "sim.mempool{ cache = C[1], variant = \"object-pool\", min_nr = %s }\n",
		                       num(g));
		break;
	default:
		g_string_append_printf(g->s, "S.nodes = sim.cpus_on_node(%s)\n", pick(g, 2) ? "0" : num(g));
	}
}

/* The program of the input: a few setup statements, then 1-4 tasks of up
 * to 12 statements each, half of them wrapped in pcall (so that a program
 * goes on after an error). */
static char *program(const uint8_t *data, size_t size)
{
	gen_t g = { data, data + size, g_string_new(NULL), 1, 1, 1 };
	int ntasks, nstmt;

	g_string_append(g.s, "local C, B, CH, T, S = {}, {}, {}, {}, {}\n"
	                "return { setup = function(sim, p)\n"
	                "C[1] = sim.cache{ name = \"c1\", size = 64 }\n"
	                "B[1] = sim.barrier(1)\nCH[1] = sim.channel()\n");
	for (int i = pick(&g, 4); i > 0; i--)
		setup_stmt(&g);
	ntasks = 1 + (int)pick(&g, 4);
	for (int k = 0; k < ntasks; k++) {
		g_string_append_printf(g.s, "sim.spawn(%s, function(t)\nlocal H = {}\nT[#T+1] = t\n",
		                       pick(&g, 8) ? (k % 2 ? "1" : "2") : num(&g));
		nstmt = 1 + (int)pick(&g, 12);
		for (int i = 0; i < nstmt; i++) {
			bool wrap = pick(&g, 2) == 0;
			g_string_append(g.s, wrap ? "pcall(function() " : "");
			task_stmt(&g);
			g_string_append(g.s, wrap ? " end)\n" : "\n");
		}
		g_string_append(g.s, "S.sent = true\nend)\n");
	}
	g_string_append(g.s, "end }\n");
	return g_string_free(g.s, FALSE);
}

static char *dir, *lua_path, *scn_path;
static const char *const allocators[] = { "slab", "slub", "slqb", "slabifier", "slob" };

static void cleanup(void)
{
	if (lua_path)
		g_unlink(lua_path);
	if (scn_path)
		g_unlink(scn_path);
	if (dir)
		g_rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *lua, *set[2] = { NULL, NULL };
	GError *err = NULL;
	scenario_t *sc;
	run_t *r;

	if (!dir) {
		dir = g_dir_make_tmp("fuzz-lua-XXXXXX", NULL);
		lua_path = g_build_filename(dir, "w.lua", NULL);
		scn_path = g_build_filename(dir, "w.scn", NULL);
		char *scn = g_strdup_printf("[scenario]\nworkload = %s\nmachine = desktop-1s\n"
		                            "duration = 1ms\nsample = 100us\n[machine]\ncpus = 4\n"
		                            "nodes = 2\nsockets = 2\nmem_per_node_mib = 16\n", lua_path);
		if (!g_file_set_contents(scn_path, scn, -1, NULL))
			abort();
		g_free(scn);
		atexit(cleanup);
	}
	lua = program(size ? data + 1 : data, size ? size - 1 : 0);
	if (g_getenv("FUZZ_LUA_SHOW"))          /* reproduce a finding: its program */
		fprintf(stderr, "-- allocator %u\n%s", size ? data[0] % 5u : 0u, lua);
	if (!g_file_set_contents(lua_path, lua, -1, NULL))
		abort();
	g_free(lua);
	set[0] = g_strdup_printf("scenario.allocators=%s",
	                         allocators[(size ? data[0] : 0) % G_N_ELEMENTS(allocators)]);
	sc = scenario_load(scn_path, ".", set, &err);
	g_free(set[0]);
	if (!sc)
		abort();                /* the fixed scenario must load */
	r = lh_run_new(sc, sc->allocators[0], &err);
	if (r) {
		r->audit = true;        /* a broken structure is a finding too */
		if (!run_execute(r, &err))
			g_clear_error(&err);
		run_free(r);
	}
	g_clear_error(&err);
	scenario_free(sc);
	return 0;
}
