/*
 * test_plot.c -- `slabsim plot` and the plots of `slabsim run` end to end.
 *
 * Runs the binary named by $SLABSIM_BIN from the repository root (as
 * test_cli.c does) on the quickstart scenario with every allocator that
 * `slabsim list allocators` reports, then checks that every plot exists as
 * a PNG (the 8-byte PNG signature) and an SVG, that gnuplot exited 0
 * without a message, that the pivoted data files hold the results' own
 * numbers, that plots are byte-identical across renderings, and that bad
 * inputs fail with a clear message.  Tests that need gnuplot are skipped
 * when it is not on PATH; the no-gnuplot behaviour is tested always.
 */
#include <stdbool.h>
#include <string.h>
#include <glib/gstdio.h>
#include "harness.h"

static char *tmpdir;

static char *path_in(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static bool have_gnuplot(void)
{
	char *p = g_find_program_in_path("gnuplot");
	bool have = p != NULL;

	g_free(p);
	if (!have)
		g_test_skip("gnuplot is not installed");
	return have;
}

static char *read_file(const char *dir, const char *name, gsize *len)
{
	char *p = g_build_filename(dir, name, NULL), *text = NULL;
	GError *e = NULL;

	g_file_get_contents(p, &text, len, &e);
	if (e)
		g_test_message("%s: %s", p, e->message);
	g_assert_no_error(e);
	g_free(p);
	return text;
}

/* plots/NAME.png is a PNG and plots/NAME.svg an SVG. */
static void check_images(const char *dir, const char *name)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	char *png = g_strdup_printf("plots/%s.png", name), *svg = g_strdup_printf("plots/%s.svg", name);
	gsize len;
	char *data = read_file(dir, png, &len);

	g_assert_cmpuint(len, >, 1000);
	g_assert_cmpmem(data, 8, png_sig, 8);
	g_free(data);
	data = read_file(dir, svg, &len);
	g_assert_true(g_str_has_prefix(data, "<?xml") || g_str_has_prefix(data, "<svg"));
	g_assert_nonnull(strstr(data, "</svg>"));
	g_free(data);
	g_free(png);
	g_free(svg);
}

/* No temporary file is left in DIR/plots. */
static void check_no_temporaries(const char *dir)
{
	char *plots = g_build_filename(dir, "plots", NULL);
	GDir *d = g_dir_open(plots, 0, NULL);
	const char *n;

	g_assert_nonnull(d);
	while ((n = g_dir_read_name(d)))
		g_assert_false(g_str_has_suffix(n, ".tmp"));
	g_dir_close(d);
	g_free(plots);
}

static const char *const result_plots[] = {
	"latency-alloc", "latency-free", "latency-tail-alloc", "latency-tail-free",
	"footprint", "jitter", "breakdown", "locks",
};

/* Short runs (the sanitizer build is slow), sampled often enough to
 * give the footprint plot several samples. */
#define SHORT "--set", "workload.batches=40", "--set", "scenario.sample=10us"

/* The value of (allocator, op, account) in breakdown.csv, as written. */
static char *breakdown_value(const char *csv, const char *alloc, const char *op, const char *account)
{
	char *key = g_strdup_printf("\n%s,%s,%s,", alloc, op, account);
	const char *at = strstr(csv, key);
	char *v;

	g_assert_nonnull(at);
	at += strlen(key);
	v = g_strndup(at, strcspn(at, "\n"));
	g_free(key);
	return v;
}

/* plots/breakdown-alloc.csv: a row per allocator in run order; its "hit"
 * column holds breakdown.csv's figure for (allocator, alloc, hit), its
 * last column, "total", the figure for (allocator, alloc, total). */
static void check_breakdown_table(const char *dir, char **allocs)
{
	char *csv = read_file(dir, "breakdown.csv", NULL);
	char *wide = read_file(dir, "plots/breakdown-alloc.csv", NULL);
	char **lines = g_strsplit(wide, "\n", -1);
	char **header = g_strsplit(lines[0], ",", -1);
	int hit = -1;

	int last = (int)g_strv_length(header) - 1;

	g_assert_cmpstr(header[0], ==, "allocator");
	g_assert_cmpstr(header[last], ==, "total");
	for (int c = 1; c < last; c++) {
		g_assert_cmpstr(header[c], !=, "total");
		if (strcmp(header[c], "hit") == 0)
			hit = c;
	}
	g_assert_cmpint(hit, >, 0);
	for (int i = 0; allocs[i]; i++) {
		char **f = g_strsplit(lines[i + 1], ",", -1);
		char *v = breakdown_value(csv, allocs[i], "alloc", "hit");
		g_assert_cmpstr(f[0], ==, allocs[i]);
		g_assert_cmpuint(g_strv_length(f), ==, g_strv_length(header));
		g_assert_cmpstr(f[hit], ==, v);
		g_free(v);
		v = breakdown_value(csv, allocs[i], "alloc", "total");
		g_assert_cmpstr(f[last], ==, v);
		g_free(v);
		g_strfreev(f);
	}
	g_assert_cmpstr(lines[g_strv_length(allocs) + 1], ==, "");
	g_strfreev(header);
	g_strfreev(lines);
	g_free(wide);
	g_free(csv);
}

static void test_results(void)
{
	char *out = path_in("all"), *allocs, **names, *png1, *png2, *plots;
	gsize len1, len2;
	harness_result_t r;

	if (!have_gnuplot())
		return;
	allocs = harness_all_allocators();
	r = harness_slabsim("run", "scenarios/quickstart.scn", "--allocators", allocs, "--out", out,
	            "--quiet", "--no-plots", SHORT);
	if (r.status)
		g_test_message("run: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	plots = g_build_filename(out, "plots", NULL);
	g_assert_false(g_file_test(plots, G_FILE_TEST_EXISTS));    /* --no-plots */
	r = harness_slabsim("plot", out);
	if (r.status || strstr(r.err, "gnuplot says") || strstr(r.err, "no plot"))
		g_test_message("plot: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_null(strstr(r.err, "gnuplot says"));
	g_assert_null(strstr(r.err, "no plot"));
	harness_result_free(&r);
	for (size_t i = 0; i < G_N_ELEMENTS(result_plots); i++)
		check_images(out, result_plots[i]);
	check_no_temporaries(out);
	names = g_strsplit(allocs, ",", -1);
	check_breakdown_table(out, names);
	/* Rendering again gives the same bytes. */
	png1 = read_file(out, "plots/latency-alloc.png", &len1);
	r = harness_slabsim("plot", out);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	png2 = read_file(out, "plots/latency-alloc.png", &len2);
	g_assert_cmpmem(png1, len1, png2, len2);
	g_free(png1);
	g_free(png2);
	g_strfreev(names);
	g_free(plots);
	g_free(allocs);
	g_free(out);
}

/* `run` renders the plots itself unless --no-plots. */
static void test_run_plots(void)
{
	char *out = path_in("run");
	harness_result_t r;

	if (!have_gnuplot())
		return;
	r = harness_slabsim("run", "scenarios/quickstart.scn", "--out", out, SHORT);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "plots/"));
	harness_result_free(&r);
	for (size_t i = 0; i < G_N_ELEMENTS(result_plots); i++)
		check_images(out, result_plots[i]);
	g_free(out);
}

/* A sweep directory: one plot per metric of sweep.csv (whose columns
 * are the varied key, seed, allocator, metric, value). */
static void test_sweep(void)
{
	char *out = path_in("sweep"), *csv, **lines, *wide;
	GPtrArray *metrics = g_ptr_array_new_with_free_func(g_free);
	harness_result_t r;

	if (!have_gnuplot())
		return;
	r = harness_slabsim("sweep", "scenarios/quickstart.scn", "--vary", "workload.pairs=1,2,4",
	            "--set", "workload.batches=10", "--out", out);
	if (r.status)
		g_test_message("sweep: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	r = harness_slabsim("plot", out);
	if (r.status || strstr(r.err, "gnuplot says"))
		g_test_message("plot: %s", r.err);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_null(strstr(r.err, "gnuplot says"));
	harness_result_free(&r);
	csv = read_file(out, "sweep.csv", NULL);
	lines = g_strsplit(csv, "\n", -1);
	for (int i = 1; lines[i] && *lines[i]; i++) {
		char **f = g_strsplit(lines[i], ",", -1);
		bool seen = false;
		for (guint j = 0; j < metrics->len; j++)
			seen |= strcmp(metrics->pdata[j], f[3]) == 0;
		if (!seen)
			g_ptr_array_add(metrics, g_strdup(f[3]));
		g_strfreev(f);
	}
	g_assert_cmpuint(metrics->len, >, 0);
	for (guint j = 0; j < metrics->len; j++) {
		char *name = g_strconcat("sweep-", metrics->pdata[j], NULL);
		char *data = g_strconcat("plots/", name, ".csv", NULL);
		check_images(out, name);
		wide = read_file(out, data, NULL);
		/* One row per value, in sweep order. */
		g_assert_true(g_str_has_prefix(wide, "workload.pairs,"));
		g_assert_nonnull(strstr(wide, "\n1,"));
		g_assert_nonnull(strstr(strstr(wide, "\n1,"), "\n2,"));
		g_assert_nonnull(strstr(strstr(wide, "\n2,"), "\n4,"));
		g_free(wide);
		g_free(data);
		g_free(name);
	}
	check_no_temporaries(out);
	g_strfreev(lines);
	g_free(csv);
	g_ptr_array_free(metrics, TRUE);
	g_free(out);
}

static void test_bad_inputs(void)
{
	char *empty = path_in("empty"), *missing = path_in("missing");

	if (!have_gnuplot())
		return;
	g_assert_cmpint(g_mkdir_with_parents(empty, 0755), ==, 0);
	harness_expect_error(harness_slabsim("plot", empty), 1, empty, "not a results directory");
	harness_expect_error(harness_slabsim("plot", missing), 1, missing, "not a results directory");
	harness_expect_error(harness_slabsim("plot", "a", "b"), 1, "plot takes one", NULL);
	g_free(empty);
	g_free(missing);
}

/* A plot script gnuplot rejects: the error names the script and quotes
 * gnuplot. */
static void test_script_error(void)
{
	char *out = path_in("script"), *root = path_in("root"), *plots, *gp;
	char **env;
	harness_result_t r;

	if (!have_gnuplot())
		return;
	r = harness_slabsim("run", "scenarios/quickstart.scn", "--out", out, "--quiet", "--no-plots", SHORT);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	plots = g_build_filename(root, "plots", NULL);
	g_assert_cmpint(g_mkdir_with_parents(plots, 0755), ==, 0);
	gp = g_build_filename(plots, "latency.gp", NULL);
	g_assert_true(g_file_set_contents(gp, "plot frobnicate(x)\n", -1, NULL));
	env = g_environ_setenv(g_get_environ(), "SLABSIM_ROOT", root, TRUE);
	r = harness_slabsim_env(env, (const char *const[]){ "plot", out, NULL });
	harness_expect_error(r, 1, "plots/latency.gp: gnuplot failed", "frobnicate");
	g_assert_true(g_remove(gp) == 0);
	r = harness_slabsim_env(env, (const char *const[]){ "plot", out, NULL });
	harness_expect_error(r, 1, "latency.gp: no such plot script", "SLABSIM_ROOT");
	check_no_temporaries(out);
	g_strfreev(env);
	g_free(gp);
	g_free(plots);
	g_free(root);
	g_free(out);
}

/* Without gnuplot: `plot` fails clearly, `run` notes it and succeeds. */
static void test_no_gnuplot(void)
{
	char *out = path_in("nognuplot"), *nobin = path_in("nobin"), *plots;
	char **env = g_environ_setenv(g_get_environ(), "PATH", nobin, TRUE);
	harness_result_t r;

	g_assert_cmpint(g_mkdir_with_parents(nobin, 0755), ==, 0);
	r = harness_slabsim_env(env, (const char *const[]){ "run", "scenarios/quickstart.scn", "--out", out,
	                                           "--quiet", SHORT, NULL });
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.err, "gnuplot is not installed"));
	harness_result_free(&r);
	plots = g_build_filename(out, "plots", NULL);
	g_assert_false(g_file_test(plots, G_FILE_TEST_EXISTS));
	r = harness_slabsim_env(env, (const char *const[]){ "plot", out, NULL });
	harness_expect_error(r, 1, "gnuplot is not installed", "gnuplot-nox");
	g_free(plots);
	g_strfreev(env);
	g_free(nobin);
	g_free(out);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-plot-XXXXXX", NULL);
	g_test_add_func("/plot/results", test_results);
	g_test_add_func("/plot/run", test_run_plots);
	g_test_add_func("/plot/sweep", test_sweep);
	g_test_add_func("/plot/bad-inputs", test_bad_inputs);
	g_test_add_func("/plot/script-error", test_script_error);
	g_test_add_func("/plot/no-gnuplot", test_no_gnuplot);
	rc = g_test_run();
	harness_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
