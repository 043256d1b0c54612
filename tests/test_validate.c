/*
 * test_validate.c -- `slabsim validate` as a tool: --only updates only its
 * rows, an unknown claim is an error, and a measured verdict that changes
 * from the record makes validate exit 4.  The claims are small ones
 * written here, on the mempool scenario (a few milliseconds a run).
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "harness.h"

typedef struct scratch {
	char *dir, *claims, *doc, *runs;
} scratch_t;

/* Two claims: M1 measured, whose verdict compares SLUB's mean allocation
 * latency with `limit_ns`; N1 not modelled, answered without runs. */
static void write_claims(const scratch_t *s, const char *limit_ns)
{
	char *text = g_strdup_printf(
		"return {\n"
		"{ id = 'N1', title = 'needs a TLB', class = 'not modelled', needs = 'a TLB model',\n"
		"  figure = 'no TLB in the model', verdict = 'not modelled' },\n"
		"{ id = 'M1', title = 'mean below a limit', class = 'measured', rule = 'mean < %s ns',\n"
		"  runs = { { name = 'm', scenario = 'scenarios/mempool.scn', allocators = 'slub', seeds = 2 } },\n"
		"  check = function(r)\n"
		"    local xs = {}\n"
		"    for i, res in ipairs(r.m) do xs[i] = res.allocators.slub.latency_ns.alloc.mean end\n"
		"    local m = validate.spread(xs)\n"
		"    return { figure = string.format('%%.1f ns', m), verdict = m < %s and 'reproduced' or 'contradicted' }\n"
		"  end },\n"
		"}\n", limit_ns, limit_ns);

	g_assert_true(g_file_set_contents(s->claims, text, -1, NULL));
	g_free(text);
}

static void scratch_init(scratch_t *s)
{
	s->dir = g_dir_make_tmp("slabsim-validate-XXXXXX", NULL);
	s->claims = g_build_filename(s->dir, "claims.lua", NULL);
	s->doc = g_build_filename(s->dir, "v.md", NULL);
	s->runs = g_build_filename(s->dir, "runs", NULL);
}

static void scratch_free(scratch_t *s)
{
	harness_rm_rf(s->dir);
	g_free(s->dir);
	g_free(s->claims);
	g_free(s->doc);
	g_free(s->runs);
}

/* Run validate with `only` (may be NULL); its exit status. */
static int validate(const scratch_t *s, const char *only)
{
	const char *argv[] = { g_getenv("SLABSIM_BIN"), "validate", "--claims", s->claims,
	                       "--doc", s->doc, "--out", s->runs, only ? "--only" : NULL, only, NULL };
	int status = 0;

	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
	                           G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *read_doc(const scratch_t *s)
{
	char *text = NULL;

	g_assert_true(g_file_get_contents(s->doc, &text, NULL, NULL));
	return text;
}

static void test_only_and_unknown(void)
{
	scratch_t s;
	char *before, *after;

	scratch_init(&s);
	write_claims(&s, "1000000");
	g_assert_cmpint(validate(&s, NULL), ==, 0);
	before = read_doc(&s);
	g_assert_nonnull(strstr(before, "**reproduced**"));
	g_assert_nonnull(strstr(before, "**not modelled**"));
	/* Re-evaluating one claim rewrites the same document. */
	g_assert_cmpint(validate(&s, "N1"), ==, 0);
	after = read_doc(&s);
	g_assert_cmpstr(before, ==, after);
	/* An unknown claim is an error and leaves the document alone. */
	g_assert_cmpint(validate(&s, "C999"), ==, 1);
	g_free(after);
	after = read_doc(&s);
	g_assert_cmpstr(before, ==, after);
	g_free(before);
	g_free(after);
	scratch_free(&s);
}

static void test_flip_exits_4(void)
{
	scratch_t s;
	char *doc;

	scratch_init(&s);
	write_claims(&s, "1000000");
	g_assert_cmpint(validate(&s, NULL), ==, 0);
	write_claims(&s, "0");             /* no mean is below 0 ns */
	g_assert_cmpint(validate(&s, "M1"), ==, 4);
	doc = read_doc(&s);
	g_assert_nonnull(strstr(doc, "**contradicted**"));
	g_free(doc);
	/* The record now holds the new verdict: the next run agrees with it. */
	g_assert_cmpint(validate(&s, "M1"), ==, 0);
	scratch_free(&s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/validate/only-and-unknown", test_only_and_unknown);
	g_test_add_func("/validate/flip-exits-4", test_flip_exits_4);
	return g_test_run();
}
