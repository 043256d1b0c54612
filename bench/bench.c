/*
 * bench.c -- simulator speed: host CPU time (median of N runs), peak RSS
 * and, under callgrind, instructions per simulated operation, for the
 * shapes of issue #16 or for one scenario's allocators.
 *
 *   build/release/bench/bench [SCENARIO [--set K=V]...] [--shape NAME]... [--all]
 *                             [--runs N] [--instructions] [--jobs N] [--bin PATH]
 *                             [--out FILE] [--baseline FILE] [--save-baseline]
 *
 * Writes bench/results.json and prints each row's ratio to
 * bench/baseline.json.  Host time is measured here and only here; it never
 * enters results.  See docs/bench.md.
 */
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "scenario.h"

static const char usage[] =
	"usage: slabsim bench [SCENARIO [--set SECTION.KEY=VALUE]...] [--shape NAME]... [--all]\n"
	"                     [--runs N] [--instructions] [--jobs N] [--bin PATH]\n"
	"                     [--out FILE] [--baseline FILE] [--save-baseline]\n\n"
	"Host CPU time (median of N >= 5 runs, user + system), peak RSS and, with\n"
	"--instructions, callgrind instructions per simulated operation, for the\n"
	"standard shapes (quickstart, netperf-64, crossbar-1k; --all adds crossbar-4k,\n"
	"crossbar-1k-user, busy-16, busy-1024 and replay-slub), or for each allocator\n"
	"of SCENARIO\n"
	"(a .scn file or a scenario name).  Writes bench/results.json and prints the\n"
	"ratio of each row to bench/baseline.json.  See docs/bench.md.\n";

typedef struct args {
	bench_opts_t o;
	const char *scenario;
	GPtrArray *sets;          /* const char *: --set values for SCENARIO */
	GPtrArray *shapes;        /* const bench_shape_t * */
	const char *out, *baseline;
	bool save_baseline;
} args_t;

static gboolean fail(GError **err, const char *fmt, const char *what)
{
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, fmt, what);
	return FALSE;
}

/* The value of option argv[*i] (its next argument). */
static const char *value(int argc, char **argv, int *i, GError **err)
{
	if (*i + 1 >= argc) {
		fail(err, "%s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static gboolean parse_int(const char *opt, const char *v, int min, int *out, GError **err)
{
	gint64 n;

	if (!v || !g_ascii_string_to_signed(v, 10, min, 1 << 20, &n, NULL)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "%s: expected an integer >= %d, got '%s'", opt, min, v ? v : "");
		return FALSE;
	}
	*out = (int)n;
	return TRUE;
}

static gboolean parse(int argc, char **argv, args_t *a, GError **err)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;

		if (!strcmp(s, "--set")) {
			if (!(v = value(argc, argv, &i, err)))
				return FALSE;
			g_ptr_array_add(a->sets, (char *)v);
		} else if (!strcmp(s, "--shape")) {
			const bench_shape_t *sh;
			if (!(v = value(argc, argv, &i, err)))
				return FALSE;
			if (!(sh = bench_shape_find(v)))
				return fail(err, "--shape: no shape '%s' (see docs/bench.md)", v);
			g_ptr_array_add(a->shapes, (gpointer)sh);
		} else if (!strcmp(s, "--all")) {
			for (const bench_shape_t *sh = bench_shapes; sh->name; sh++)
				g_ptr_array_add(a->shapes, (gpointer)sh);
		} else if (!strcmp(s, "--runs")) {
			if (!parse_int(s, value(argc, argv, &i, err), 5, &a->o.runs, err))
				return FALSE;
		} else if (!strcmp(s, "--jobs")) {
			if (!parse_int(s, value(argc, argv, &i, err), 1, &a->o.jobs, err))
				return FALSE;
		} else if (!strcmp(s, "--instructions")) {
			a->o.instructions = true;
		} else if (!strcmp(s, "--bin")) {
			if (!(a->o.bin = value(argc, argv, &i, err)))
				return FALSE;
		} else if (!strcmp(s, "--out")) {
			if (!(a->out = value(argc, argv, &i, err)))
				return FALSE;
		} else if (!strcmp(s, "--baseline")) {
			if (!(a->baseline = value(argc, argv, &i, err)))
				return FALSE;
		} else if (!strcmp(s, "--save-baseline")) {
			a->save_baseline = true;
		} else if (s[0] == '-') {
			return fail(err, "unknown option %s", s);
		} else if (strchr(s, '=') && a->scenario) {
			g_ptr_array_add(a->sets, (char *)s);          /* a bare K=V */
		} else if (!a->scenario) {
			a->scenario = s;
		} else {
			return fail(err, "one scenario at most, got another: %s", s);
		}
	}
	if (a->sets->len && !a->scenario)
		return fail(err, "%s", "--set applies to a SCENARIO, and none was given");
	if (a->sets->len >= BENCH_MAX_SETS)
		return fail(err, "%s", "too many --set values (11 at most)");
	return TRUE;
}

/* SCENARIO as a shape, one measurement per allocator it lists. */
static gboolean scenario_shapes(args_t *a, bench_shape_t *shape, GPtrArray *allocs, GError **err)
{
	char *path = g_file_test(a->scenario, G_FILE_TEST_EXISTS) || strchr(a->scenario, '/')
	           ? g_canonicalize_filename(a->scenario, NULL)
	           : g_strdup_printf("%s/scenarios/%s.scn", a->o.root, a->scenario);
	scenario_t *sc;

	g_ptr_array_add(a->sets, NULL);
	sc = scenario_load(path, a->o.root, (char **)a->sets->pdata, err);
	g_ptr_array_set_size(a->sets, a->sets->len - 1);
	if (!sc) {
		g_free(path);
		return FALSE;
	}
	*shape = (bench_shape_t){ .name = g_path_get_basename(path), .scenario = path };
	for (guint i = 0; i < a->sets->len; i++)
		shape->sets[i] = a->sets->pdata[i];
	for (int i = 0; sc->allocators[i]; i++)
		g_ptr_array_add(allocs, g_strdup(sc->allocators[i]));
	scenario_free(sc);
	return TRUE;
}

/* The 1,024-vs-16 busy CPUs figure, when both shapes ran. */
static void print_scaling(GPtrArray *results)
{
	double per_op[2] = { 0, 0 };

	for (guint i = 0; i < results->len; i++) {
		const bench_result_t *r = results->pdata[i];
		int k = !strcmp(r->shape, "busy-16") ? 0 : !strcmp(r->shape, "busy-1024") ? 1 : -1;
		if (k >= 0 && r->ops)
			per_op[k] = r->cpu_median / (double)r->ops;
	}
	if (per_op[0] > 0 && per_op[1] > 0)
		printf("host CPU time per op, 1,024 busy CPUs vs 16: x%.2f\n", per_op[1] / per_op[0]);
}

static int run(args_t *a, GError **err)
{
	GPtrArray *results = g_ptr_array_new_with_free_func((GDestroyNotify)bench_result_free);
	GPtrArray *allocs = g_ptr_array_new_with_free_func(g_free);
	bench_shape_t custom = { 0 };
	gboolean ok = TRUE;

	if (a->scenario) {
		ok = scenario_shapes(a, &custom, allocs, err);
		for (guint i = 0; ok && i < allocs->len; i++) {
			bench_result_t *r = bench_measure(&a->o, &custom, allocs->pdata[i], err);
			if ((ok = r != NULL))
				g_ptr_array_add(results, r);
		}
	}
	for (guint i = 0; ok && i < a->shapes->len; i++) {
		bench_result_t *r = bench_measure(&a->o, a->shapes->pdata[i], NULL, err);
		if ((ok = r != NULL))
			g_ptr_array_add(results, r);
	}
	ok = ok && bench_write_json(a->out, &a->o, results, err);
	if (ok) {
		bench_print(results, a->baseline);
		print_scaling(results);
		printf("results: %s\n", a->out);
	}
	if (ok && a->save_baseline) {
		ok = bench_write_json(a->baseline, &a->o, results, err);
		if (ok)
			printf("baseline written: %s\n", a->baseline);
	}
	g_free((char *)custom.name);
	g_free((char *)custom.scenario);
	g_ptr_array_free(allocs, TRUE);
	g_ptr_array_free(results, TRUE);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *root = g_getenv("SLABSIM_ROOT");
	GError *err = NULL;
	args_t a = { .o = { .root = root ? root : ".", .runs = 5 } };
	char *bin, *out, *base;
	int rc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
	a.sets = g_ptr_array_new();
	a.shapes = g_ptr_array_new();
	bin = g_build_filename(a.o.root, "build", "release", "slabsim", NULL);
	out = g_build_filename(a.o.root, "bench", "results.json", NULL);
	base = g_build_filename(a.o.root, "bench", "baseline.json", NULL);
	a.o.bin = bin;
	a.out = out;
	a.baseline = base;
	if (!parse(argc, argv, &a, &err)) {
		fprintf(stderr, "bench: %s\n%s", err->message, usage);
		return 2;
	}
	if (!a.scenario && !a.shapes->len)
		for (const bench_shape_t *s = bench_shapes; s->name; s++)
			if (!s->heavy)
				g_ptr_array_add(a.shapes, (gpointer)s);
	rc = run(&a, &err);
	if (rc)
		fprintf(stderr, "bench: %s\n", err->message);
	g_clear_error(&err);
	g_ptr_array_free(a.sets, TRUE);
	g_ptr_array_free(a.shapes, TRUE);
	g_free(bin);
	g_free(out);
	g_free(base);
	return rc;
}
