/*
 * test_bad_inputs.c -- the bad-input catalogue, tests/bad-inputs/: each
 * input (a scenario, machine profile, workload script, slabinfo file or a
 * command line) must end within 60 s with its expected exit status and a
 * message matching its pattern: no crash, no hang, no silent success.
 * One test per case, /bad-inputs/NAME; the format is in
 * tests/bad-inputs/README.md.
 *
 * Runs $SLABSIM_BIN (the sanitizer build) with small Lua limits, and the
 * address-space cases ("asl") against $SLABSIM_RELEASE_BIN under an 8 GiB
 * RLIMIT_AS (the sanitizers reserve terabytes of shadow memory); without
 * it they are skipped.  With BAD_INPUTS_CLASSIFY=1 nothing is asserted:
 * each case prints what the binary did (clear, vague, silent, crash,
 * hang), for surveying another build.
 */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include "harness.h"

#define DIR        "tests/bad-inputs"
#define DEADLINE_S 60
#define ASL_BYTES  (8ULL << 30)

typedef struct bcase {
	char *name, *kind, *pattern;
	int status;
	char **args;                    /* NULL-terminated, escapes decoded */
} bcase_t;

static char *tmpdir;
static bool classify;
static GPtrArray *cases;        /* bcase_t*: GTest keeps pointers to them */

static void case_free(gpointer p)
{
	bcase_t *c = p;

	g_free(c->name);
	g_free(c->kind);
	g_free(c->pattern);
	g_strfreev(c->args);
	g_free(c);
}

/* "\xHH", "\n", "\t" and "\\" in a manifest argument. */
static char *unescape(const char *s)
{
	GString *o = g_string_new(NULL);

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			g_string_append_c(o, *s);
		} else if (s[1] == 'x' && g_ascii_isxdigit(s[2]) && g_ascii_isxdigit(s[3])) {
			g_string_append_c(o, (char)(g_ascii_xdigit_value(s[2]) * 16 + g_ascii_xdigit_value(s[3])));
			s += 3;
		} else {
			g_string_append_c(o, s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : s[1]);
			s++;
		}
	}
	return g_string_free(o, FALSE);
}

/* The case's arguments, "@OUT" replaced by its own results directory. */
static void add_args(GPtrArray *a, char **args, const char *out)
{
	for (int i = 0; args[i]; i++)
		g_ptr_array_add(a, g_strdup(strcmp(args[i], "@OUT") ? args[i] : out));
}

/* A scenario around a machine profile or a workload script. */
static char *wrap(const bcase_t *c, const char *file)
{
	char *path = g_build_filename(tmpdir, "wrap.scn", NULL), *text;

	if (strcmp(c->kind, "machine") == 0)
		text = g_strdup_printf("[scenario]\nworkload = remote-free\nmachine = %s\nallocators = slub\n"
		                       "duration = 1ms\n[workload]\nbatches = 2\n", file);
	else
		text = g_strdup_printf("[scenario]\nworkload = %s\nmachine = desktop-1s\nallocators = slub\n"
		                       "duration = 10ms\nsample = 1ms\n", file);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
	return path;
}

/* The command line of case c after the binary; *outp its results
 * directory (a fresh one each). */
static GPtrArray *command(const bcase_t *c, char **outp)
{
	static int serial;
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	char *file = g_build_filename(DIR, c->name, NULL);
	char *out = g_strdup_printf("%s/out-%d", tmpdir, serial++);

	if (strcmp(c->kind, "cli") == 0 || strcmp(c->kind, "asl") == 0) {
		add_args(a, c->args, out);
	} else if (strcmp(c->kind, "check") == 0) {
		g_ptr_array_add(a, g_strdup("check"));
		g_ptr_array_add(a, g_strdup(file));
		add_args(a, c->args, out);
	} else {
		g_ptr_array_add(a, g_strdup("run"));
		if (strcmp(c->kind, "scn") == 0)
			g_ptr_array_add(a, g_strdup(file));
		else if (strcmp(c->kind, "slabinfo") == 0)
			g_ptr_array_add(a, g_strdup("scenarios/boot-small.scn"));
		else
			g_ptr_array_add(a, wrap(c, file));
		g_ptr_array_add(a, g_strdup("--quiet"));
		g_ptr_array_add(a, g_strdup("--no-plots"));
		g_ptr_array_add(a, g_strdup("--out"));
		g_ptr_array_add(a, g_strdup(out));
		if (strcmp(c->kind, "slabinfo") == 0) {
			g_ptr_array_add(a, g_strdup("--allocators"));
			g_ptr_array_add(a, g_strdup("slub"));
			g_ptr_array_add(a, g_strconcat("--set=workload.slabinfo=", file, NULL));
		}
		add_args(a, c->args, out);
	}
	g_free(file);
	*outp = out;
	return a;
}

/* What the binary did with an input that should give `want`: clear (as
 * expected), vague (the right kind of failure, a message without the
 * pattern), silent (exit 0 instead), crash (a signal or a sanitizer
 * report), hang. */
static const char *verdict(const bcase_t *c, int status, const char *out, const char *err,
                           const char *dir, bool *ok)
{
	char *both = g_strconcat(out ? out : "", err ? err : "", NULL);
	char *results = g_build_filename(dir, "results.json", NULL);
	/* A run that must work must have written its results. */
	bool match = g_regex_match_simple(c->pattern, both, G_REGEX_MULTILINE, 0) &&
	             (c->status || strcmp(c->kind, "cli") == 0 || strcmp(c->kind, "check") == 0 ||
	              g_file_test(results, G_FILE_TEST_EXISTS));
	bool sanitizer = strstr(both, "Sanitizer") || strstr(both, "runtime error:");
	const char *v;

	*ok = status == c->status && match && !sanitizer;
	if (*ok)
		v = "clear";
	else if (status == -1)
		v = "hang";
	else if (status >= 128 || sanitizer || status == 133 || status == 134)
		v = "crash";
	else if (status == 0 && c->status != 0)
		v = "silent";
	else
		v = "vague";
	g_free(both);
	g_free(results);
	return v;
}

static void test_case(gconstpointer data)
{
	const bcase_t *c = data;
	bool asl = strcmp(c->kind, "asl") == 0, ok;
	const char *bin = g_getenv(asl ? "SLABSIM_RELEASE_BIN" : "SLABSIM_BIN");
	GPtrArray *argv;
	char *out, *err, *dir = NULL;
	harness_result_t r;
	const char *v;
	int status;

	if (!bin) {
		g_test_skip("no release build (SLABSIM_RELEASE_BIN) for an address-space case");
		return;
	}
	argv = command(c, &dir);
	g_ptr_array_add(argv, NULL);
	r = harness_slabsim_limited(bin, NULL, DEADLINE_S, asl ? ASL_BYTES : 0,
	                            (const char *const *)argv->pdata);
	status = r.status;
	out = r.out;
	err = r.err;
	v = verdict(c, status, out, err, dir, &ok);
	if (classify) {
		g_print("# class %s %s %s\n", v, c->kind, c->name);
	} else if (!ok) {
		g_test_message("%s: %s: exit status %d (expected %d), stderr:\n%s", c->name, v, status,
		               c->status, err ? err : "");
		g_test_message("expected a message matching: %s", c->pattern);
		g_test_fail();
	}
	g_ptr_array_free(argv, TRUE);
	g_free(out);
	g_free(err);
	g_free(dir);
}

/* Read the manifest; register one test per case. */
static int load_cases(void)
{
	char *text = NULL, **lines;
	int n = 0;

	g_assert_true(g_file_get_contents(DIR "/cases", &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char **f;
		bcase_t *c;
		char *path;

		if (!*lines[i] || lines[i][0] == '#')
			continue;
		f = g_strsplit(lines[i], "\t", -1);
		if (g_strv_length(f) < 4)
			g_error(DIR "/cases:%d: expected NAME KIND STATUS PATTERN [ARG...]", i + 1);
		c = g_new0(bcase_t, 1);
		c->name = g_strdup(f[0]);
		c->kind = g_strdup(f[1]);
		c->status = atoi(f[2]);
		c->pattern = g_strdup(f[3]);
		c->args = g_new0(char *, g_strv_length(f) - 3);
		for (int k = 4; f[k]; k++)
			c->args[k - 4] = unescape(f[k]);
		g_strfreev(f);
		g_ptr_array_add(cases, c);
		path = g_strconcat("/bad-inputs/", c->name, NULL);
		g_test_add_data_func(path, c, test_case);
		g_free(path);
		n++;
	}
	g_strfreev(lines);
	g_free(text);
	return n;
}

int main(int argc, char **argv)
{
	int status;

	char **args = g_new0(char *, argc + 2);

	/* Every case runs (-k: keep going after a failure). */
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	args[argc++] = "-k";
	argv = args;
	g_test_init(&argc, &argv, NULL);
	classify = g_getenv("BAD_INPUTS_CLASSIFY") != NULL;
	g_setenv("SLABSIM_LUA_TIME", "3", TRUE);
	g_setenv("SLABSIM_LUA_MEM", "128", TRUE);
	g_setenv("SLABSIM_LUA_STALL", "100000", TRUE);
	tmpdir = g_dir_make_tmp("slabsim-bad-XXXXXX", NULL);
	cases = g_ptr_array_new_with_free_func(case_free);
	g_assert_cmpint(load_cases(), >=, 150);
	status = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	g_free(args);
	g_ptr_array_free(cases, TRUE);
	return status;
}
