/*
 * test_claims.c -- validation/claims.lua itself: every claim carries a
 * known class, a rule, and `needs` where the class asks for one; the ids
 * cover C1-C26, S1-S3 and the tables R1-R5; and the Lua arithmetic the
 * table claims use (geometric mean, agreement over seeds, the real-vs-real
 * ceiling, the "no difference" cell) gives what a small table worked out
 * by hand says.  No simulation runs: loading claims.lua only builds tables.
 */
#include <string.h>
#include <glib.h>
#include <lua.h>
#include <lauxlib.h>
#include "sandbox.h"
#include "vlua.h"

/* A Lua state with claims.lua's returned table on top. */
static lua_State *load_claims(void)
{
	lua_State *L = lh_sandbox_new(0);
	const char *root = g_getenv("SLABSIM_ROOT");
	char *path = g_build_filename(root ? root : ".", "validation", "claims.lua", NULL);

	vlua_open(L);
	if (luaL_dofile(L, path) != LUA_OK)
		g_error("%s: %s", path, lua_tostring(L, -1));
	g_assert_true(lua_istable(L, -1));
	g_free(path);
	return L;
}

static const char *field(lua_State *L, int idx, const char *name)
{
	const char *s;

	lua_getfield(L, idx, name);
	s = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return s;
}

static void test_every_claim(void)
{
	lua_State *L = load_claims();
	GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *expect[] = { "C1", "C13", "C16", "C26", "S1", "S3", "R1", "R2", "R3", "R3-SPEC",
	                         "R3-CACHEMISS", "R4", "R5" };

	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		int c = lua_gettop(L);
		const char *id = field(L, c, "id"), *klass = field(L, c, "class");

		g_assert_nonnull(id);
		g_assert_false(g_hash_table_contains(ids, id));
		g_hash_table_add(ids, g_strdup(id));
		g_assert_nonnull(klass);
		g_assert_true(g_strv_contains((const char *const[]){ "measured", "construction", "not modelled",
		                              "pending", "method", NULL }, klass));
		/* every claim states its rule before its result */
		if (!field(L, c, "rule"))
			g_error("claim %s has no rule", id);
		if (!strcmp(klass, "pending") || !strcmp(klass, "not modelled"))
			if (!field(L, c, "needs"))
				g_error("claim %s (%s) does not say what it needs", id, klass);
		if (!strcmp(klass, "construction"))
			g_assert_nonnull(strstr(field(L, c, "rule"), "construction"));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	for (int i = 1; i <= 26; i++) {
		char *id = g_strdup_printf("C%d", i);
		if (!g_hash_table_contains(ids, id))
			g_error("no claim %s", id);
		g_free(id);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(expect); i++)
		g_assert_true(g_hash_table_contains(ids, expect[i]));
	g_hash_table_destroy(ids);
	lua_close(L);
}

/* Run Lua `code` with `h` bound to claims.lua's helpers; the number it returns. */
static double helper(lua_State *L, const char *code)
{
	char *chunk = g_strdup_printf("local h = ...\n%s", code);
	double x;

	if (luaL_loadstring(L, chunk) != LUA_OK)
		g_error("%s", lua_tostring(L, -1));
	lua_getfield(L, -2, "helpers");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
		g_error("%s", lua_tostring(L, -1));
	x = lua_tonumber(L, -1);
	lua_pop(L, 1);
	g_free(chunk);
	return x;
}

static void test_arithmetic(void)
{
	lua_State *L = load_claims();

	/* geomean of 1, 4, 16 = 4 */
	g_assert_cmpfloat_with_epsilon(helper(L, "return h.geomean({ 1, 4, 16 })"), 4, 1e-12);

	/*
	 * Two rows, allocators A, B, C, two seeds.
	 * Row 1: real A 1, B 2, C 3.  Seeds: A 1 1, B 3 3, C 2 2 (no spread).
	 *   Best: real C, simulated B alone: match 0.
	 *   Pairs: AB concordant, AC concordant, BC discordant.
	 * Row 2: real A 3, B 2, C 1.  Seeds: A 3 3, B 2 2, C 1 1.
	 *   Best: A both: match 1.  Pairs: 3 concordant.
	 * Pooled: C = 5, D = 1, no ties: tau-b = 4 / 6 = 0.6667; best 0.5.
	 * Seed by seed the same (no spread).
	 */
	const char *rows =
		"local rows = {\n"
		"  { real = { 1, 2, 3 }, xs = { { 1, 1 }, { 3, 3 }, { 2, 2 } } },\n"
		"  { real = { 3, 2, 1 }, xs = { { 3, 3 }, { 2, 2 }, { 1, 1 } } } }\n"
		"local a = h.agreement(rows)\n";
	char *code = g_strdup_printf("%sreturn a.tau", rows);
	g_assert_cmpfloat_with_epsilon(helper(L, code), 4.0 / 6.0, 1e-12);
	g_free(code);
	code = g_strdup_printf("%sreturn a.best", rows);
	g_assert_cmpfloat_with_epsilon(helper(L, code), 0.5, 1e-12);
	g_free(code);
	code = g_strdup_printf("%sreturn #a.best_seeds * 10 + a.tau_seeds[2] * 6", rows);
	g_assert_cmpfloat_with_epsilon(helper(L, code), 20 + 4, 1e-9);
	g_free(code);
	code = g_strdup_printf("%sreturn h.above_chance(a, 3) and 1 or 0", rows);
	g_assert_cmpfloat(helper(L, code), ==, 1);
	g_free(code);

	/*
	 * Seeds that disagree: B 1.0 and 1.2 (mean 1.1, sd 0.1414), A 1 1:
	 * 2 * sqrt(0.02 / 2) = 0.2 > 0.1, so A and B tie when pooled (best
	 * 1/2 for a real best A), while each seed alone separates them:
	 * seed 1 ties exactly (1 = 1: best 1/2), seed 2 has B ahead (0).
	 */
	const char *noisy =
		"local a = h.agreement({ { real = { 2, 1 }, xs = { { 1, 1 }, { 1.0, 1.2 } } } })\n";
	code = g_strdup_printf("%sreturn a.best", noisy);
	g_assert_cmpfloat_with_epsilon(helper(L, code), 0.5, 1e-12);
	g_free(code);
	code = g_strdup_printf("%sreturn a.best_seeds[1] * 10 + a.best_seeds[2]", noisy);
	g_assert_cmpfloat_with_epsilon(helper(L, code), 5, 1e-12);
	g_free(code);
	code = g_strdup_printf("%sreturn a.tau == nil and 1 or 0", noisy);
	g_assert_cmpfloat(helper(L, code), ==, 1);      /* no pair separated: undefined */
	g_free(code);

	/* The ceiling: two exact tables in the same order: tau-b 1, best 1. */
	g_assert_cmpfloat_with_epsilon(helper(L, "return h.ceiling({ { 1, 2 }, { 2, 1 } }, "
	                                         "{ { 1, 3 }, { 5, 1 } }).tau"), 1, 1e-12);
	/* A cell the noise rule cannot tell from 1 says so. */
	g_assert_cmpfloat(helper(L, "return h.cell(1.001, 0.01, 5, 1):find('^no difference') and 1 or 0"), ==, 1);
	g_assert_cmpfloat(helper(L, "return h.cell(1.1, 0.01, 5, 1):find('no difference') and 1 or 0"), ==, 0);
	lua_close(L);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/claims/every-claim", test_every_claim);
	g_test_add_func("/claims/arithmetic", test_arithmetic);
	return g_test_run();
}
