/*
 * main.c -- the slabsim command line.
 *
 *   slabsim run [SCENARIO] [--set k=v]... [--out DIR] [--allocators a,b] [--seed N]
 *   slabsim check SCENARIO
 *   slabsim plot RESULTS_DIR
 *   slabsim list [allocators|machines|workloads|scenarios]
 *
 * Exit status: 0 success, 1 bad input (scenario, options), 2 workload
 * script error, 3 allocator check failure (kbug), 4 validate: a measured
 * verdict changed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "scenario.h"
#include "run.h"
#include "report.h"
#include "luahost.h"
#include "sweep.h"
#include "validate.h"
#include "plot.h"

#define DEFAULT_SCENARIO "scenarios/quickstart.scn"

static char **opt_sets;
static char *opt_out;
static char *opt_allocators;
static char *opt_seed;
static gboolean opt_quiet;
static gboolean opt_no_plots;
static char *opt_vary;
static int opt_jobs = 1;
static gboolean opt_emit;
static gboolean opt_collect;
static gboolean opt_audit;

static const GOptionEntry run_options[] = {
	{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_sets,
	  "Override a scenario key (repeatable)", "SECTION.KEY=VALUE" },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Results directory (default: results/SCENARIO-NAME)", "DIR" },
	{ "allocators", 'a', 0, G_OPTION_ARG_STRING, &opt_allocators,
	  "Allocators to compare, comma-separated", "A,B" },
	{ "seed", 0, 0, G_OPTION_ARG_STRING, &opt_seed, "Random seed", "N" },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Do not print the report", NULL },
	{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &opt_no_plots, "Do not render plots", NULL },
	{ "audit", 0, 0, G_OPTION_ARG_NONE, &opt_audit,
	  "Check the allocator's structures after each run (always in the sanitizer build)", NULL },
	{ NULL },
};

static char *opt_only, *opt_doc, *opt_claims;

static const GOptionEntry validate_options[] = {
	{ "only", 0, 0, G_OPTION_ARG_STRING, &opt_only, "Check only these claims", "C1,C2,..." },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Where the runs' results go (default: results/validate)", "DIR" },
	{ "doc", 0, 0, G_OPTION_ARG_FILENAME, &opt_doc,
	  "The document to write (default: docs/validation.md under the root)", "FILE" },
	{ "claims", 0, 0, G_OPTION_ARG_FILENAME, &opt_claims,
	  "The claims file (default: validation/claims.lua under the root)", "FILE" },
	{ NULL },
};

static const GOptionEntry sweep_options[] = {
	{ "vary", 0, 0, G_OPTION_ARG_STRING, &opt_vary,
	  "The key to vary and its values", "SECTION.KEY=V1,V2,..." },
	{ "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, "Points to run at once (default 1)", "N" },
	{ "emit-commands", 0, 0, G_OPTION_ARG_NONE, &opt_emit,
	  "Print one self-contained command per point instead of running", NULL },
	{ "collect", 0, 0, G_OPTION_ARG_NONE, &opt_collect,
	  "Only collect existing point results into sweep.csv", NULL },
	{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_sets,
	  "Override a scenario key at every point (repeatable)", "SECTION.KEY=VALUE" },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Sweep directory (default: results/SCENARIO-NAME-sweep)", "DIR" },
	{ NULL },
};

/* The repository root: $SLABSIM_ROOT, else the current directory. */
static const char *root_dir(void)
{
	const char *r = g_getenv("SLABSIM_ROOT");
	return r && *r ? r : ".";
}

static int fail(GError *err, int status)
{
	g_printerr("slabsim: %s\n", err->message);
	g_error_free(err);
	return status;
}

/* Fail with the exit status of err's code when it is one of slabsim's
 * (input 1, script 2), else 1 (a file or process error). */
static int fail_coded(GError *err)
{
	return fail(err, err->domain == SLABSIM_ERROR ? err->code : 1);
}

/* --allocators and --seed are shorthands for --set scenario.KEY=... */
static char **all_sets(void)
{
	GPtrArray *a = g_ptr_array_new();

	for (int i = 0; opt_sets && opt_sets[i]; i++)
		g_ptr_array_add(a, g_strdup(opt_sets[i]));
	if (opt_allocators)
		g_ptr_array_add(a, g_strconcat("scenario.allocators=", opt_allocators, NULL));
	if (opt_seed)
		g_ptr_array_add(a, g_strconcat("scenario.seed=", opt_seed, NULL));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static bool parse(int *argc, char ***argv, const GOptionEntry *entries,
                  const char *params, GError **err)
{
	GOptionContext *ctx = g_option_context_new(params);
	bool ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, err);
	g_option_context_free(ctx);
	return ok;
}

static char *default_out(const char *scenario)
{
	char *base = g_path_get_basename(scenario);
	char *dot = strrchr(base, '.');
	char *out;

	if (dot)
		*dot = '\0';
	out = g_build_filename("results", base, NULL);
	g_free(base);
	return out;
}

typedef struct progress {
	gint64 started;          /* host µs */
	gint64 last;
} progress_t;

/* Host seconds as "42s", "3m07s" or "2h05m". */
static void format_eta(char *buf, size_t size, double secs)
{
	long s = (long)(secs + 0.5);

	if (s < 60)
		g_snprintf(buf, size, "%lds", s);
	else if (s < 3600)
		g_snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
	else
		g_snprintf(buf, size, "%ldh%02ldm", s / 3600, s / 60 % 60);
}

/* A progress line on a terminal (under 80 columns): simulated time,
 * operations, operations per host second, and the host time left if the
 * run goes on to its duration at the simulated rate so far (a run whose
 * tasks finish first ends sooner).  Host time is used for display only. */
static void show_progress(const run_t *r, simtime_t now, void *ctx)
{
	progress_t *p = ctx;
	gint64 t = g_get_monotonic_time();
	uint64_t ops = r->ops_done[OP_STAT_ALLOC] + r->ops_done[OP_STAT_FREE];
	double secs = (double)(t - p->started) / 1e6;
	char eta[32] = "?";

	if (t - p->last < 250000)
		return;
	p->last = t;
	if (now > 0 && secs > 0)
		format_eta(eta, sizeof eta, (double)(r->sc->duration - MIN(now, r->sc->duration)) /
		                            ((double)now / secs));
	g_printerr("\r\033[K%s: %.1f of at most %.1f simulated ms, %" G_GUINT64_FORMAT
	           " ops, %.1f M ops/s, ETA <= %s",
	           r->ops->name, (double)now / 1e9, (double)r->sc->duration / 1e9, ops,
	           secs > 0 ? (double)ops / secs / 1e6 : 0.0, eta);
}

/* Run every allocator of the scenario into one report. */
static int run_all(scenario_t *sc, report_t *rep)
{
	bool tty = isatty(STDERR_FILENO);

	for (int i = 0; sc->allocators[i]; i++) {
		GError *err = NULL;
		progress_t prog = { g_get_monotonic_time(), g_get_monotonic_time() };
		run_t *r = lh_run_new(sc, sc->allocators[i], &err);
		if (!r)
			return fail_coded(err);
		if (tty) {
			r->progress = show_progress;
			r->progress_ctx = &prog;
		}
		r->audit |= opt_audit;
		bool ok = run_execute(r, &err);
		if (tty && prog.last != prog.started)
			g_printerr("\r\033[K");
		if (!ok) {
			run_free(r);
			return fail(err, 2);
		}
		run_stats_t *st = run_stats(r);
		run_free(r);
		report_add(rep, st);
		run_stats_free(st);
	}
	return 0;
}

/* Plots of a run's results, when gnuplot is installed. */
static int plot_after_run(const char *out)
{
	char *gnuplot = plot_find_gnuplot();
	GError *err = NULL;

	if (!gnuplot) {
		g_printerr("slabsim: note: no plots (gnuplot is not installed)\n");
		return 0;
	}
	g_free(gnuplot);
	if (!plot_dir(root_dir(), out, &err))
		return fail(err, 1);
	g_printerr("slabsim: plots in %s/plots/\n", out);
	return 0;
}

/* The simulator's own peak memory (never part of results). */
static double host_peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static int cmd_run(int argc, char **argv)
{
	gint64 started = g_get_monotonic_time();
	GError *err = NULL;
	const char *path;
	char **sets, *out, *default_path;
	scenario_t *sc;
	report_t *rep;
	int status;

	if (!parse(&argc, &argv, run_options, "run [SCENARIO]", &err))
		return fail(err, 1);
	if (argc > 3) {
		g_printerr("slabsim: run takes one scenario, got %d\n", argc - 2);
		return 1;
	}
	default_path = g_build_filename(root_dir(), DEFAULT_SCENARIO, NULL);
	path = argc == 3 ? argv[2] : default_path;
	sets = all_sets();
	sc = scenario_load(path, root_dir(), sets, &err);
	g_strfreev(sets);
	if (!sc) {
		g_free(default_path);
		return fail(err, 1);
	}
	rep = report_new(sc);
	status = run_all(sc, rep);
	out = opt_out ? g_strdup(opt_out) : default_out(path);
	if (status == 0 && !report_write(rep, out, &err))
		status = fail(err, 1);
	if (status == 0 && !opt_quiet) {
		char *text = report_text(rep);
		fputs(text, stdout);
		g_free(text);
	}
	if (status == 0)
		g_printerr("slabsim: results in %s/ (host: %.1f s, peak RSS %.0f MiB)\n", out,
		           (double)(g_get_monotonic_time() - started) / 1e6, host_peak_rss_mib());
	if (status == 0 && !opt_no_plots)
		status = plot_after_run(out);
	g_free(out);
	g_free(default_path);
	report_free(rep);
	scenario_free(sc);
	return status;
}

static int cmd_check(int argc, char **argv)
{
	GError *err = NULL;
	scenario_t *sc;
	char **sets;

	if (!parse(&argc, &argv, run_options, "check SCENARIO", &err))
		return fail(err, 1);
	if (argc != 3) {
		g_printerr("slabsim: check takes one scenario\n");
		return 1;
	}
	sets = all_sets();
	sc = scenario_load(argv[2], root_dir(), sets, &err);
	g_strfreev(sets);
	if (!sc)
		return fail(err, 1);
	/* Loading the workload checks [workload] against its parameters. */
	for (int i = 0; sc->allocators[i]; i++) {
		run_t *r = lh_run_new(sc, sc->allocators[i], &err);
		if (!r) {
			scenario_free(sc);
			return fail_coded(err);
		}
		run_free(r);
	}
	printf("%s: ok (%s on %s, %d CPUs, %d nodes)\n", argv[2], sc->workload,
	       sc->machine_name, sc->machine->ncpus, sc->machine->nnodes);
	scenario_free(sc);
	return 0;
}

static int cmd_plot(int argc, char **argv)
{
	GError *err = NULL;

	if (argc != 3) {
		g_printerr("slabsim: plot takes one results or sweep directory\n");
		return 1;
	}
	if (!plot_dir(root_dir(), argv[2], &err))
		return fail(err, 1);
	g_printerr("slabsim: plots in %s/plots/\n", argv[2]);
	return 0;
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in root/sub ending in suffix, sorted, without the suffix. */
static GPtrArray *list_dir(const char *sub, const char *suffix)
{
	char *dir = g_build_filename(root_dir(), sub, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;

	while (d && (n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, suffix))
			g_ptr_array_add(names, g_strndup(n, strlen(n) - strlen(suffix)));
	if (d)
		g_dir_close(d);
	g_free(dir);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

/* The description key of [group] in a key file, or NULL. */
static char *key_file_description(const char *path, const char *group)
{
	GKeyFile *kf = g_key_file_new();
	char *d = NULL;

	if (g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
		d = g_key_file_get_string(kf, group, "description", NULL);
	g_key_file_free(kf);
	return d;
}

static void list_files(const char *what, const char *sub, const char *suffix)
{
	GPtrArray *names = list_dir(sub, suffix);

	printf("%s:\n", what);
	for (guint i = 0; i < names->len; i++) {
		char *desc = NULL;
		char *path = g_strdup_printf("%s/%s/%s%s", root_dir(), sub, (char *)names->pdata[i], suffix);
		if (strcmp(suffix, ".lua") == 0)
			lh_describe(path, &desc, NULL);
		else
			desc = key_file_description(path, strcmp(suffix, ".scn") == 0 ? "scenario" : "machine");
		printf("  %-20s %s\n", (char *)names->pdata[i], desc ? desc : "");
		g_free(desc);
		g_free(path);
	}
	g_ptr_array_free(names, TRUE);
}

static int cmd_list(int argc, char **argv)
{
	const char *what = argc > 2 ? argv[2] : "all";
	bool all = strcmp(what, "all") == 0;
	bool known = all;

	if (all || strcmp(what, "allocators") == 0) {
		printf("allocators:\n");
		for (int i = 0; allocator_table[i]; i++)
			printf("  %-20s %s\n", allocator_table[i]->name, allocator_table[i]->summary);
		known = true;
	}
	if (all || strcmp(what, "machines") == 0) {
		list_files("machines", "scenarios/machines", ".machine");
		known = true;
	}
	if (all || strcmp(what, "workloads") == 0) {
		list_files("workloads", "workloads", ".lua");
		known = true;
	}
	if (all || strcmp(what, "scenarios") == 0) {
		list_files("scenarios", "scenarios", ".scn");
		known = true;
	}
	if (!known) {
		g_printerr("slabsim: list what? expected allocators, machines, workloads or scenarios\n");
		return 1;
	}
	return 0;
}

/* Print one self-contained shell command per point. */
static void emit_commands(const sweep_spec_t *spec, const char *self)
{
	char *root = g_canonicalize_filename(root_dir(), NULL), *cwd = g_get_current_dir();
	char *qroot = g_shell_quote(root), *qcwd = g_shell_quote(cwd);

	for (int i = 0; spec->values[i]; i++) {
		char **argv = sweep_point_argv(spec, self, spec->values[i]);
		GString *line = g_string_new(NULL);
		g_string_append_printf(line, "cd %s && SLABSIM_ROOT=%s", qcwd, qroot);
		for (int j = 0; argv[j]; j++) {
			char *q = g_shell_quote(argv[j]);
			g_string_append_printf(line, " %s", q);
			g_free(q);
		}
		printf("%s\n", line->str);
		g_string_free(line, TRUE);
		g_strfreev(argv);
	}
	g_free(qroot);
	g_free(root);
	g_free(qcwd);
	g_free(cwd);
}

static int cmd_sweep(int argc, char **argv)
{
	sweep_spec_t spec = { 0 };
	GError *err = NULL;
	char *self, *out;
	int status = 0;

	if (!parse(&argc, &argv, sweep_options, "sweep SCENARIO --vary SECTION.KEY=V1,V2,...", &err))
		return fail(err, 1);
	if (argc != 3 || !opt_vary || opt_jobs < 1) {
		g_printerr("slabsim: sweep takes one scenario, --vary SECTION.KEY=V1,V2,... and --jobs >= 1\n");
		return 1;
	}
	if (!sweep_parse_vary(&spec, opt_vary, &err))
		return fail(err, 1);
	if (opt_out) {
		out = g_strdup(opt_out);
	} else {
		char *base = default_out(argv[2]);
		out = g_strconcat(base, "-sweep", NULL);
		g_free(base);
	}
	spec.scenario = argv[2];
	spec.sets = opt_sets;
	spec.out = out;
	spec.jobs = opt_jobs;
	self = g_file_read_link("/proc/self/exe", NULL);
	if (opt_emit)
		emit_commands(&spec, self);
	else if (!(opt_collect ? sweep_collect(&spec, &err) : sweep_run(&spec, self, &err)))
		status = fail(err, 1);
	else
		g_printerr("slabsim: sweep results in %s/sweep.csv\n", out);
	g_free(self);
	g_free(out);
	g_free((char *)spec.key);
	g_strfreev(spec.values);
	return status;
}

static int usage(void)
{
	g_printerr("usage: slabsim run [SCENARIO] [--set SECTION.KEY=VALUE]... [--out DIR]"
	           " [--allocators A,B] [--seed N] [--no-plots]\n"
	           "       slabsim sweep SCENARIO --vary SECTION.KEY=V1,V2,... [--jobs N] [--emit-commands]\n"
	           "       slabsim check SCENARIO\n"
	           "       slabsim plot RESULTS_DIR\n"
	           "       slabsim validate [--only C1,C2,...] [--out DIR]\n"
	           "       slabsim list [allocators|machines|workloads|scenarios]\n"
	           "       slabsim test        (through ./slabsim: build and run the test suite)\n");
	return 1;
}

static int cmd_validate(int argc, char **argv)
{
	GError *err = NULL;
	char *claims, *doc, *self;
	int status = 0;

	if (!parse(&argc, &argv, validate_options, "validate", &err))
		return fail(err, 1);
	if (argc != 2)
		return usage();
	claims = opt_claims ? g_strdup(opt_claims) : g_build_filename(root_dir(), "validation", "claims.lua", NULL);
	doc = opt_doc ? g_strdup(opt_doc) : g_build_filename(root_dir(), "docs", "validation.md", NULL);
	self = g_file_read_link("/proc/self/exe", NULL);
	validate_spec_t spec = { root_dir(), claims, doc, opt_out ? opt_out : "results/validate",
	                         self, opt_only };
	int changed = 0;
	if (!validate_run(&spec, &changed, &err)) {
		status = fail_coded(err);
	} else {
		g_printerr("slabsim: wrote %s\n", doc);
		if (changed) {
			g_printerr("slabsim: %d measured verdict%s changed (see above)\n", changed,
			           changed > 1 ? "s" : "");
			status = 4;
		}
	}
	g_free(claims);
	g_free(doc);
	g_free(self);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc, argv);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(argv[1], "sweep") == 0)
		return cmd_sweep(argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc, argv);
	if (strcmp(argv[1], "plot") == 0)
		return cmd_plot(argc, argv);
	if (strcmp(argv[1], "validate") == 0)
		return cmd_validate(argc, argv);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("slabsim %s\n", SLABSIM_VERSION);
		return 0;
	}
	g_printerr("slabsim: unknown command '%s'\n", argv[1]);
	return usage();
}
