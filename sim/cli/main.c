/*
 * main.c -- the slabsim command line.
 *
 * One table of commands (`commands[]` below): each has its name, its
 * arguments, a one-line summary, a description, its options (a GLib
 * option table) and the function that runs it.  `--help` on the top
 * level and on every command, the bash completion (`slabsim completion
 * bash`) and the man page (`slabsim man`) are all generated from that
 * table, so a command added there is documented everywhere at once.
 *
 * Exit status: 0 success, 1 bad input (scenario, options, results
 * directory), 2 workload script error, 3 allocator check failure (kbug),
 * 4 validate: a measured verdict changed, 5 --strict: a run did not
 * complete.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "scenario.h"
#include "run.h"
#include "runtrace.h"
#include "report.h"
#include "resdir.h"
#include "diff.h"
#include "luahost.h"
#include "sweep.h"
#include "validate.h"
#include "plot.h"
#include "hostprobe.h"
#include "jobs.h"
#include "native_cli.h"
#include "checkmodel.h"

#define DEFAULT_SCENARIO "quickstart"
#define EXIT_INCOMPLETE 5

/* ---- options (one table per command; values in these variables) ---- */

static char **opt_sets;
static char *opt_out;
static char *opt_allocators;
static char *opt_seed;
static char *opt_seeds;
static gboolean opt_quiet;
static gboolean opt_no_plots;
static gboolean opt_force;
static gboolean opt_strict;
static gboolean opt_native;
static char *opt_host_machine;
static char *native_profile;    /* run --native: the host's profile in use */
static char *native_load;       /* run --native: the load average at the start */
static char *opt_report;
static char *opt_baseline;
static char **opt_vary;
static int opt_jobs = 1;
static int opt_run_jobs;         /* run --jobs; 0: the host's CPUs */
static int opt_sweep_seeds = 1;
static int opt_runs = 5;
static gboolean opt_emit;
static gboolean opt_collect;
static gboolean opt_audit;
static char *opt_only, *opt_doc, *opt_claims;
static char *opt_trace_out;

/* --set values as given (bytes, not converted from the locale): scenario.c
 * checks and names a value that is not UTF-8. */
#define OPT_SET(what) { "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_sets, what, "SECTION.KEY=VALUE" }
#define OPT_ALLOCATORS { "allocators", 'a', 0, G_OPTION_ARG_STRING, &opt_allocators, \
	"Allocators to compare, comma-separated; a variant is LABEL=ALLOCATOR:TUNABLE=VALUE[:...]", \
	"A,B,..." }
#define OPT_SEED { "seed", 0, 0, G_OPTION_ARG_STRING, &opt_seed, "Random seed (default: the scenario's)", "N" }
#define OPT_HOST_MACHINE { "host-machine", 0, 0, G_OPTION_ARG_STRING, &opt_host_machine, \
	"This host's machine profile, for native runs (default: ~/.cache/slabsim/host.machine, " \
	"made by machine --from-host on first use)", "PROFILE" }

static const GOptionEntry run_options[] = {
	OPT_SET("Override a scenario key (repeatable)"),
	OPT_ALLOCATORS,
	OPT_SEED,
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Results directory (default: results/SCENARIO, or results/SCENARIO-2, -3, ... if that is used)",
	  "DIR" },
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "Replace a results directory that holds earlier results (whole)", NULL },
	{ "baseline", 'b', 0, G_OPTION_ARG_STRING, &opt_baseline,
	  "The allocator the comparison's ratios are taken to (default: the first)", "LABEL" },
	{ "report", 'r', 0, G_OPTION_ARG_STRING, &opt_report,
	  "What to print: summary (default), full (report.txt) or none", "summary|full|none" },
	{ "seeds", 0, 0, G_OPTION_ARG_STRING, &opt_seeds,
	  "Run each allocator with seeds SEED..SEED+N-1 and report the spread (mean ± sd)", "N" },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print only warnings and errors", NULL },
	{ "strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict,
	  "A run that did not complete (deadlock, duration reached) is an error (exit 5)", NULL },
	{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &opt_no_plots, "Do not draw the plots", NULL },
	{ "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_run_jobs,
	  "Worker processes running allocators at once (default: the host's CPUs)", "N" },
	{ "native", 0, 0, G_OPTION_ARG_NONE, &opt_native,
	  "Run the allocators natively on this host's threads (on its machine profile) instead of "
	  "simulating them (docs/native.md)", NULL },
	OPT_HOST_MACHINE,
	{ "trace-out", 0, 0, G_OPTION_ARG_FILENAME, &opt_trace_out,
	  "Write every traced allocation and free as perf script kmem text (FILE gets -ALLOCATOR "
	  "before its first dot when several run; .gz: compressed)", "FILE" },
	{ "audit", 0, 0, G_OPTION_ARG_NONE, &opt_audit,
	  "Check the allocator's structures after each run (always in the sanitizer build)", NULL },
	{ NULL },
};

static const GOptionEntry check_model_options[] = {
	OPT_SET("Override a scenario key (repeatable)"),
	OPT_ALLOCATORS,
	OPT_SEED,
	OPT_HOST_MACHINE,
	{ "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs,
	  "Native runs per allocator, their median compared (default 5)", "N" },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Where model-check.json goes (default: results/SCENARIO-check, numbered if used)", "DIR" },
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "Replace a directory that holds earlier results (whole)", NULL },
	{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &opt_no_plots, "Do not draw the plot", NULL },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print only warnings and errors", NULL },
	{ NULL },
};

static const GOptionEntry check_options[] = {
	OPT_SET("Override a scenario key (repeatable)"),
	OPT_ALLOCATORS,
	OPT_SEED,
	{ NULL },
};

static const GOptionEntry sweep_options[] = {
	{ "vary", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &opt_vary,
	  "A key and its values (repeatable: every combination is a point)", "SECTION.KEY=V1,V2,..." },
	OPT_SET("Override a scenario key at every point (repeatable)"),
	OPT_ALLOCATORS,
	OPT_SEED,
	{ "seeds", 0, 0, G_OPTION_ARG_INT, &opt_sweep_seeds,
	  "Run every point with N seeds (the seed, seed+1, ...): mean and spread in sweep-summary.csv",
	  "N" },
	{ "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, "Points to run at once (default 1)", "N" },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Sweep directory (default: results/SCENARIO-sweep, numbered if used)", "DIR" },
	{ "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
	  "Use a sweep directory that holds earlier results (its points are replaced)", NULL },
	{ "emit-commands", 0, 0, G_OPTION_ARG_NONE, &opt_emit,
	  "Print one self-contained shell command per point and run nothing", NULL },
	{ "collect", 0, 0, G_OPTION_ARG_NONE, &opt_collect,
	  "Run nothing; gather existing point results into sweep.csv", NULL },
	{ NULL },
};

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

static gboolean opt_from_host, opt_quick;

static const GOptionEntry machine_options[] = {
	{ "from-host", 0, 0, G_OPTION_ARG_NONE, &opt_from_host,
	  "Read and measure this host (topology, caches, latencies)", NULL },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "Write the profile here (default: stdout)", "FILE" },
	{ "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick,
	  "Measure once and briefly (a valid profile with rough figures)", NULL },
	{ NULL },
};

static const GOptionEntry no_options[] = { { NULL } };

/* ---- commands ---- */

typedef struct command {
	const char *name;
	const char *args;             /* positional arguments, for usage lines */
	const char *summary;          /* one line */
	const char *description;      /* a paragraph */
	const GOptionEntry *options;
	int (*run)(int argc, char **argv);
	const char *complete;         /* what positional arguments complete to (completion) */
} command_t;

static int cmd_run(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_check_model(int argc, char **argv);
static int cmd_sweep(int argc, char **argv);
static int cmd_plot(int argc, char **argv);
static int cmd_diff(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_validate(int argc, char **argv);
static int cmd_machine(int argc, char **argv);
static int cmd_completion(int argc, char **argv);
static int cmd_man(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const command_t commands[] = {
	{ "run", "[SCENARIO]", "run a scenario under each of its allocators",
	  "Runs SCENARIO (a .scn file, or a name as `slabsim list scenarios` shows it; default "
	  "quickstart) once per allocator, writes the results directory whole (results.json, "
	  "provenance.json, report.txt, summary.csv, CSV series, plots) and prints a summary: "
	  "the comparison table, ratios to the baseline, and warnings about runs that did not "
	  "complete.", run_options, cmd_run, "scenario" },
	{ "check", "SCENARIO", "validate a scenario without running it",
	  "Checks everything run would (the workload loads and its setup runs once per "
	  "allocator) and prints the workload, machine, CPUs and nodes.",
	  check_options, cmd_check, "scenario" },
	{ "check-model", "SCENARIO", "put the model's prediction beside this host's measurement",
	  "Simulates SCENARIO on this host's machine profile and runs it natively on this host "
	  "(--runs times per allocator), then prints per allocator throughput and alloc and free "
	  "latency mean, p50 and p99, predicted and measured (median), their ratio and the native "
	  "spread, and whether the predicted ordering of the allocators matches the measured one; "
	  "writes model-check.json, model-check.csv and a plot (docs/native.md).",
	  check_model_options, cmd_check_model, "scenario" },
	{ "sweep", "SCENARIO --vary SECTION.KEY=V1,V2,...", "run a scenario over values of keys",
	  "Runs one point per combination of the --vary values (and per seed with --seeds), each "
	  "an ordinary results directory DIR/KEY=VALUE,..., and gathers them into sweep.csv and "
	  "sweep-summary.csv (mean and spread over seeds).", sweep_options, cmd_sweep, "scenario" },
	{ "plot", "DIR", "draw the plots of a results or sweep directory",
	  "Draws DIR/plots/NAME.png and NAME.svg with gnuplot.", no_options, cmd_plot, "dir" },
	{ "diff", "A B", "compare two results directories figure by figure",
	  "Prints the scenario keys that differ, then for each allocator present in both (by "
	  "label; or the one allocator of each) every summary figure of A and B and their ratio "
	  "B/A.", no_options, cmd_diff, "dir" },
	{ "list", "[WHAT]", "list allocators, machines, workloads, scenarios, parameters, tunables",
	  "WHAT is allocators, machines, workloads or scenarios (default: all four), "
	  "`params WORKLOAD` (a workload's parameters with their defaults and meanings) or "
	  "`tunables ALLOCATOR` (an allocator's tunables with defaults, ranges and meanings).",
	  no_options, cmd_list, "list" },
	{ "validate", "", "check the claims of the slab thread",
	  "Makes the runs validation/claims.lua names, evaluates each claim and writes "
	  "docs/validation.md.", validate_options, cmd_validate, NULL },
	{ "machine", "--from-host", "write a machine profile of this host",
	  "Reads this host's topology and caches (sysfs, CPUID) and measures its latencies "
	  "(pointer chasing, a line ping-pong, atomics), and prints a machine profile for "
	  "scenarios/machines/, every key saying how it was got.", machine_options, cmd_machine, NULL },
	{ "completion", "bash", "print the bash completion script",
	  "Prints a bash completion script for slabsim generated from its option tables; "
	  "source it, or install it as /usr/share/bash-completion/completions/slabsim.",
	  no_options, cmd_completion, "shell" },
	{ "man", "", "print the manual page (groff)",
	  "Prints slabsim(1) in groff -man, generated from the option tables: "
	  "`slabsim man | man -l -`.", no_options, cmd_man, NULL },
	{ "version", "", "print the version", "Prints `slabsim VERSION`.", no_options, cmd_version, NULL },
	{ "help", "[COMMAND]", "show the help of slabsim or of a command",
	  "The same as `slabsim COMMAND --help`.", no_options, cmd_help, "command" },
	{ NULL },
};

static const command_t *find_command(const char *name)
{
	for (const command_t *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* ---- help, generated from the tables ---- */

/* "-s, --set=SECTION.KEY=VALUE" */
static char *option_name(const GOptionEntry *e)
{
	GString *s = g_string_new(NULL);

	if (e->short_name)
		g_string_append_printf(s, "-%c, ", e->short_name);
	else
		g_string_append(s, "    ");
	g_string_append_printf(s, "--%s", e->long_name);
	if (e->arg != G_OPTION_ARG_NONE)
		g_string_append_printf(s, " %s", e->arg_description ? e->arg_description : "VALUE");
	return g_string_free(s, FALSE);
}

/* Print text wrapped at 79 columns; the first line continues a line
 * already at column `col`, the others start at column `indent`. */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
	char **words = g_strsplit(text, " ", -1);

	for (int i = 0; words[i]; i++) {
		int n = (int)g_utf8_strlen(words[i], -1);
		if (col > indent && col + 1 + n > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (i) {
			fputc(' ', f);
			col++;
		}
		fputs(words[i], f);
		col += n;
	}
	fputc('\n', f);
	g_strfreev(words);
}

static void print_command_help(FILE *f, const command_t *c)
{
	char *name;

	fprintf(f, "usage: slabsim %s%s%s%s\n\n", c->name, *c->args ? " " : "", c->args,
	        c->options[0].long_name ? " [OPTIONS]" : "");
	print_wrapped(f, c->description, 0, 0);
	fprintf(f, "\noptions:\n");
	for (const GOptionEntry *e = c->options; e->long_name; e++) {
		name = option_name(e);
		if (strlen(name) > 28)
			fprintf(f, "  %s\n  %-28s ", name, "");
		else
			fprintf(f, "  %-28s ", name);
		print_wrapped(f, e->description, 31, 31);
		g_free(name);
	}
	fprintf(f, "  %-28s %s\n", "-h, --help", "Show this help");
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: slabsim COMMAND [ARGS] [OPTIONS]\n\n"
	        "A deterministic simulator of Linux slab allocators (SLAB, SLUB and SLQB of 2.6.29,\n"
	        "the 2006 Slabifier, SLOB, and Linux 6.18's SLUB as slub-6) on multi-CPU,\n"
	        "multi-node machines; `run --native` runs the same allocators on this host.\n\ncommands:\n");
	for (const command_t *c = commands; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\nthrough the ./slabsim wrapper of a checkout, also:\n"
	        "  %-12s %s\n  %-12s %s\n\n"
	        "`slabsim COMMAND --help` describes a command; `slabsim man` is the manual.\n"
	        "Examples:\n"
	        "  slabsim run quickstart\n"
	        "  slabsim run crossbar-1k -a slab,slub\n"
	        "  slabsim run quickstart -a slub,slubmin=slub:slub_min_order=3 --baseline slub\n"
	        "  slabsim sweep queue-growth --vary machine.nodes=64,256 --vary workload.objects=100,1000\n"
	        "  slabsim diff results/before results/after\n",
	        "test", "build the sanitizer build and run the test suite",
	        "bench", "simulated operations per host second");
}

/* True when args hold --help or -h (before a "--"). */
static bool wants_help(int argc, char **argv)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* ---- shared pieces ---- */

static char *root;       /* the repository root */

/* The root: $SLABSIM_ROOT; else the current directory if it holds
 * scenarios/ and workloads/; else the checkout the binary was built in
 * (build/VARIANT/slabsim), so a results directory's scenario.scn re-runs
 * from anywhere.  Exported for the processes we start. */
static void find_root(void)
{
	const char *env = g_getenv("SLABSIM_ROOT");
	char *exe, *guess;

	if (env && *env) {
		root = g_strdup(env);
		return;
	}
	root = g_strdup(".");
	if (g_file_test("scenarios", G_FILE_TEST_IS_DIR) && g_file_test("workloads", G_FILE_TEST_IS_DIR))
		return;
	exe = g_file_read_link("/proc/self/exe", NULL);
	guess = exe ? g_build_filename(exe, "..", "..", "..", NULL) : NULL;
	if (guess) {
		char *canon = g_canonicalize_filename(guess, NULL);
		char *scn = g_build_filename(canon, "scenarios", NULL), *wl = g_build_filename(canon, "workloads", NULL);
		if (g_file_test(scn, G_FILE_TEST_IS_DIR) && g_file_test(wl, G_FILE_TEST_IS_DIR)) {
			g_free(root);
			root = g_strdup(canon);
			g_setenv("SLABSIM_ROOT", root, TRUE);
		}
		g_free(scn);
		g_free(wl);
		g_free(canon);
	}
	g_free(guess);
	g_free(exe);
}

static const char *root_dir(void)
{
	return root;
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
	if (opt_seeds)
		g_ptr_array_add(a, g_strconcat("scenario.seeds=", opt_seeds, NULL));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static bool parse(int *argc, char ***argv, const GOptionEntry *entries, GError **err)
{
	GOptionContext *ctx = g_option_context_new(NULL);
	bool ok;

	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, err);
	g_option_context_free(ctx);
	if (ok)
		for (int i = 2; i < *argc; i++)
			if ((*argv)[i][0] == '-' && (*argv)[i][1]) {
				g_set_error(err, SLABSIM_ERROR, 1, "unknown option %s", (*argv)[i]);
				return false;
			}
	return ok;
}

/* A scenario argument: a file, or a name as `list scenarios` shows it. */
static char *scenario_arg(const char *arg)
{
	if (!g_file_test(arg, G_FILE_TEST_EXISTS) && !strchr(arg, '/') && !g_str_has_suffix(arg, ".scn")) {
		char *file = g_strconcat(arg, ".scn", NULL);
		char *path = g_build_filename(root_dir(), "scenarios", file, NULL);
		g_free(file);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return path;
		g_free(path);
	}
	return g_strdup(arg);
}

static char *default_out(const char *scenario, const char *suffix)
{
	char *base = g_path_get_basename(scenario);
	char *dot = strrchr(base, '.');
	char *out, *name;

	if (dot)
		*dot = '\0';
	name = g_strconcat(base, suffix, NULL);
	out = g_build_filename("results", name, NULL);
	g_free(name);
	g_free(base);
	return out;
}

/* ---- run ---- */

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
	gint64 t;

	if (jobs_worker_progress(r, now))
		return;                 /* the parent draws every worker's */
	t = g_get_monotonic_time();
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
	           r->label, (double)now / 1e9, (double)r->sc->duration / 1e9, ops,
	           secs > 0 ? (double)ops / secs / 1e6 : 0.0, eta);
}

/* Where --trace-out puts the trace of allocator `label`: FILE, or with
 * "-LABEL" before the first dot of its name when several allocators run. */
static char *trace_out_path(const scenario_t *sc, const char *label)
{
	char *dir, *base, *dot, *path;

	if (!sc->allocators[1])
		return g_strdup(opt_trace_out);
	dir = g_path_get_dirname(opt_trace_out);
	base = g_path_get_basename(opt_trace_out);
	dot = strchr(base, '.');
	char *name = dot ? g_strdup_printf("%.*s-%s%s", (int)(dot - base), base, label, dot) :
	                   g_strdup_printf("%s-%s", base, label);
	path = g_build_filename(dir, name, NULL);
	g_free(dir);
	g_free(base);
	g_free(name);
	return path;
}

/* One run of allocator `name` with the scenario's current seed (r: its
 * run, set up already, or NULL), its trace written when `trace` (and
 * --trace-out); its figures, or NULL after reporting the error
 * (*status). */
static run_stats_t *run_one(scenario_t *sc, const char *name, run_t *r, bool trace, int *status)
{
	bool tty = isatty(STDERR_FILENO) && !opt_quiet;
	GError *err = NULL;
	progress_t prog = { g_get_monotonic_time(), g_get_monotonic_time() };
	run_stats_t *st;

	if (opt_native) {
		if (!(st = native_cli_run(sc, name, &err)))
			*status = fail_coded(err);
		return st;
	}
	if (!r)
		r = lh_run_new(sc, name, &err);
	if (!r) {
		*status = fail_coded(err);
		return NULL;
	}
	if (trace && opt_trace_out) {
		char *path = trace_out_path(sc, name);
		bool opened = run_trace_out(r, path, &err);
		g_free(path);
		if (!opened) {
			run_free(r);
			*status = fail(err, 1);
			return NULL;
		}
	}
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
		*status = fail(err, 2);
		return NULL;
	}
	st = run_stats(r);
	run_free(r);
	return st;
}

/* Allocator i of the scenario (its label sc->allocators[i]) over the
 * scenario's seeds, into rep: the first seed's figures in full, every
 * seed's comparison figures and their spread beside them.  `first` is its
 * run with the first seed, set up already, or NULL. */
static int run_allocator(scenario_t *sc, int i, run_t *first, report_t *rep)
{
	uint64_t base = sc->seed;
	int status = 0;

	for (int k = 0; k < sc->seeds && !status; k++) {
		sc->seed = base + (uint64_t)k;
		run_stats_t *st = run_one(sc, sc->allocators[i], k ? NULL : first, k == 0, &status);
		if (!st)
			break;
		if (k == 0)
			report_add(rep, st);
		if (sc->seeds > 1)
			report_add_seed(rep, st, sc->seed);
		run_stats_free(st);
	}
	sc->seed = base;
	return status;
}

/* Run every allocator of the scenario into one report, one after the
 * other.  `first` is the first allocator's run with the first seed, set
 * up already. */
static int run_all(scenario_t *sc, run_t *first, report_t *rep)
{
	int status = 0;

	for (int i = 0; sc->allocators[i] && !status; i++)
		status = run_allocator(sc, i, i ? NULL : first, rep);
	return status;
}

/* The simulator's own peak memory, or its largest worker's (never part
 * of results). */
static double host_peak_rss_mib(void)
{
	struct rusage self, workers;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &workers);
	return (double)MAX(self.ru_maxrss, workers.ru_maxrss) / 1024.0;
}

/* stdout of `git -C ROOT ARGS`, trimmed; NULL if git fails. */
static char *git(const char *a1, const char *a2, const char *a3)
{
	char *out = NULL;
	int status;
	char *argv[] = { "git", "-C", (char *)root_dir(), (char *)a1, (char *)a2, (char *)a3, NULL };

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
	                  NULL, NULL, &out, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_free(out);
		return NULL;
	}
	return g_strstrip(out);
}

static void set_sha256(JsonObject *o, const char *key, const char *path)
{
	char *text = NULL;
	gsize len;

	if (path && g_file_get_contents(path, &text, &len, NULL)) {
		char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
		json_object_set_string_member(o, key, sum);
		g_free(sum);
	} else {
		json_object_set_null_member(o, key);
	}
	g_free(text);
}

/* provenance.json: what describes the run rather than its result. */
static bool write_provenance(const char *dir, const scenario_t *sc, int argc, char **argv,
                             gint64 wall_us, gint64 started_us, GError **err)
{
	JsonObject *o = json_object_new(), *host = json_object_new();
	JsonArray *cmd = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *rev = git("rev-parse", "HEAD", NULL), *status = rev ? git("status", "--porcelain", "--untracked-files=no") : NULL;
	char *scn = g_key_file_to_data(sc->resolved, NULL, NULL), *sum, *text, *cwd = g_get_current_dir();
	char *started = g_date_time_format_iso8601(g_date_time_new_from_unix_utc(wall_us / 1000000));
	struct utsname u;
	bool ok;

	json_object_set_string_member(o, "slabsim_version", SLABSIM_VERSION);
	if (rev)
		json_object_set_string_member(o, "git_revision", rev);
	else
		json_object_set_null_member(o, "git_revision");
	if (status)
		json_object_set_boolean_member(o, "dirty", *status != '\0');
	else
		json_object_set_null_member(o, "dirty");
	for (int i = 0; i < argc; i++)
		json_array_add_string_element(cmd, argv[i]);
	json_object_set_array_member(o, "command_line", cmd);
	json_object_set_string_member(o, "cwd", cwd);
	json_object_set_string_member(o, "root", root_dir());
	json_object_set_string_member(o, "scenario_path", sc->path);
	set_sha256(o, "scenario_file_sha256", sc->path);
	sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, scn, -1);
	json_object_set_string_member(o, "scenario_sha256", sum);
	json_object_set_string_member(o, "workload_path", sc->workload_path);
	set_sha256(o, "workload_sha256", sc->workload_path);
	if (uname(&u) == 0) {
		json_object_set_string_member(host, "name", u.nodename);
		json_object_set_string_member(host, "system", u.sysname);
		json_object_set_string_member(host, "release", u.release);
		json_object_set_string_member(host, "machine", u.machine);
	}
	json_object_set_int_member(host, "cpus", g_get_num_processors());
	json_object_set_object_member(o, "host", host);
	if (native_profile)
		native_provenance(o, host, native_profile, native_load);
	else
		json_object_set_string_member(o, "mode", "simulated");
	json_object_set_string_member(o, "started", started);
	json_object_set_double_member(o, "host_seconds",
	                              (double)(g_get_monotonic_time() - started_us) / 1e6);
	json_object_set_double_member(o, "host_peak_rss_mib", host_peak_rss_mib());
	json_node_take_object(node, o);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	{
		char *withnl = g_strconcat(text, "\n", NULL);
		ok = resdir_write_file(dir, "provenance.json", withnl, err);
		g_free(withnl);
	}
	g_free(text);
	g_object_unref(gen);
	json_node_unref(node);
	g_free(sum);
	g_free(scn);
	g_free(cwd);
	g_free(started);
	g_free(rev);
	g_free(status);
	return ok;
}

/* Plots of a run's results, when gnuplot is installed; false on a
 * gnuplot failure (reported). */
static bool plot_after_run(const char *dir)
{
	char *gnuplot = plot_find_gnuplot();
	GError *err = NULL;

	if (!gnuplot) {
		g_printerr("slabsim: warning: no plots: gnuplot is not installed (install gnuplot-nox, "
		           "or give --no-plots)\n");
		return true;
	}
	g_free(gnuplot);
	if (!plot_dir(root_dir(), dir, opt_quiet, &err)) {
		fail(err, 1);
		return false;
	}
	return true;
}

static void print_warnings(report_t *rep, bool errors)
{
	GPtrArray *w = report_warnings(rep);

	fflush(stdout);
	for (guint i = 0; i < w->len; i++) {
		char *line = g_strdup_printf("slabsim: %s: %s", errors ? "error" : "warning",
		                             (char *)w->pdata[i]);
		char *wrapped = report_wrap(line, 4);
		g_printerr("%s", wrapped);
		g_free(wrapped);
		g_free(line);
	}
	g_ptr_array_free(w, TRUE);
}

/* The scenario at path with the --set keys. */
static scenario_t *load_scenario(const char *path, GError **err)
{
	char **sets = all_sets();
	scenario_t *sc = scenario_load(path, root_dir(), sets, err);

	g_strfreev(sets);
	return sc;
}

/* The same on this host's machine profile (made when there is none yet),
 * for a native run: the profile and the load average noted. */
static scenario_t *load_native(const char *path, GError **err)
{
	char **sets, **with;
	scenario_t *sc;

	native_load = native_loadavg();
	if (!(native_profile = native_host_profile(opt_host_machine, err)))
		return NULL;
	sets = all_sets();
	with = native_sets(sets, native_profile);
	sc = scenario_load(path, root_dir(), with, err);
	g_strfreev(sets);
	g_strfreev(with);
	return sc;
}

static int cmd_run(int argc, char **argv)
{
	gint64 started = g_get_monotonic_time(), wall = g_get_real_time();
	GError *err = NULL;
	char *path, *out;
	scenario_t *sc;
	report_t *rep;
	resdir_t *rd;
	run_t *first;
	int status, jobs;
	bool plots_ok = true;

	if (!parse(&argc, &argv, run_options, &err))
		return fail(err, 1);
	if (opt_run_jobs < 0) {
		g_printerr("slabsim: --jobs: expected a positive number of workers, got %d\n", opt_run_jobs);
		return 1;
	}
	if (argc > 3) {
		g_printerr("slabsim: run takes one scenario, got %d\n", argc - 2);
		return 1;
	}
	if (opt_report && strcmp(opt_report, "summary") && strcmp(opt_report, "full") &&
	    strcmp(opt_report, "none")) {
		g_printerr("slabsim: --report %s: expected summary, full or none\n", opt_report);
		return 1;
	}
	if (opt_native && (opt_trace_out || opt_audit)) {
		g_printerr("slabsim: --native: %s is for simulated runs only (docs/native.md)\n",
		           opt_trace_out ? "--trace-out" : "--audit");
		return 1;
	}
	if (opt_native && opt_run_jobs > 1) {
		g_printerr("slabsim: --native: the allocators run one after the other (in parallel "
		           "workers their host timings would share the host's CPUs); --jobs is for "
		           "simulated runs\n");
		return 1;
	}
	path = scenario_arg(argc == 3 ? argv[2] : DEFAULT_SCENARIO);
	sc = opt_native ? load_native(path, &err) : load_scenario(path, &err);
	if (!sc) {
		g_free(path);
		return fail(err, 1);
	}
	if (opt_baseline && !g_strv_contains((const char *const *)sc->allocators, opt_baseline)) {
		char *list = g_strjoinv(", ", sc->allocators);
		g_printerr("slabsim: --baseline %s: not one of the allocators compared (%s)\n",
		           opt_baseline, list);
		g_free(list);
		scenario_free(sc);
		g_free(path);
		return 1;
	}
	/* The workload's setup (errors in the script or its parameters), then
	 * the results directory (locked, writable, free), before the
	 * simulation. */
	first = lh_run_new(sc, sc->allocators[0], &err);
	if (!first) {
		scenario_free(sc);
		g_free(path);
		return fail_coded(err);
	}
	if (opt_native) {               /* the setup checked; native runs make their own */
		run_free(first);
		first = NULL;
	}
	out = opt_out ? g_strdup(opt_out) : default_out(path, "");
	rd = resdir_begin(out, (opt_force ? RESDIR_FORCE : 0) | (opt_out ? 0 : RESDIR_NUMBERED), &err);
	g_free(out);
	if (!rd) {
		run_free(first);
		scenario_free(sc);
		g_free(path);
		return fail(err, 1);
	}
	jobs = opt_native ? 1 : opt_run_jobs ? opt_run_jobs : (int)g_get_num_processors();
	rep = report_new(sc);
	status = jobs > 1 && g_strv_length(sc->allocators) > 1
	         ? jobs_run(sc, first, rep, jobs, isatty(STDERR_FILENO) && !opt_quiet, run_allocator)
	         : run_all(sc, first, rep);
	if (status == 0) {
		report_set_baseline(rep, opt_baseline);
		if (!report_write(rep, resdir_tmp(rd), &err) ||
		    !write_provenance(resdir_tmp(rd), sc, argc, argv, wall, started, &err))
			status = fail(err, 1);
	}
	if (status == 0 && !opt_no_plots)
		plots_ok = plot_after_run(resdir_tmp(rd));
	if (status == 0) {
		char *final = g_strdup(resdir_final(rd));
		if (!resdir_commit(rd, &err)) {
			status = fail(err, 1);
		} else {
			bool full = opt_report && strcmp(opt_report, "full") == 0;
			bool none = opt_report && strcmp(opt_report, "none") == 0;
			char *text = full ? report_text(rep) : report_summary(rep, final);
			if (!opt_quiet && !none)
				fputs(text, stdout);
			g_free(text);
			/* The summary says where the results are; host figures
			 * (never results) go to stderr. */
			if (!opt_quiet && (full || none))
				g_printerr("slabsim: results in %s/%s\n", final,
				           opt_no_plots || !plots_ok ? "" : ", plots in plots/");
			if (!opt_quiet)
				g_printerr("slabsim: host: %.1f s, peak RSS %.0f MiB\n",
				           (double)(g_get_monotonic_time() - started) / 1e6, host_peak_rss_mib());
			print_warnings(rep, opt_strict);
			if (opt_strict && report_incomplete(rep))
				status = EXIT_INCOMPLETE;
			else if (!plots_ok)
				status = 1;
		}
		g_free(final);
	} else {
		resdir_abort(rd);
	}
	report_free(rep);
	scenario_free(sc);
	g_free(path);
	return status;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
	GError *err = NULL;
	scenario_t *sc;
	char **sets, *path;

	if (!parse(&argc, &argv, check_options, &err))
		return fail(err, 1);
	if (argc != 3) {
		g_printerr("slabsim: check takes one scenario\n");
		return 1;
	}
	sets = all_sets();
	path = scenario_arg(argv[2]);
	sc = scenario_load(path, root_dir(), sets, &err);
	g_free(path);
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

/* ---- check-model ---- */

static int cmd_check_model(int argc, char **argv)
{
	GError *err = NULL;
	checkmodel_opts_t o = { 0 };
	scenario_t *sc;
	resdir_t *rd;
	char *path, *out, *final;
	int status = 0;

	if (!parse(&argc, &argv, check_model_options, &err))
		return fail(err, 1);
	if (argc != 3 || opt_runs < 1) {
		g_printerr("slabsim: check-model takes one scenario (and --runs N >= 1)\n");
		return 1;
	}
	path = scenario_arg(argv[2]);
	if (!(sc = load_native(path, &err))) {
		g_free(path);
		return fail(err, 1);
	}
	out = opt_out ? g_strdup(opt_out) : default_out(path, "-check");
	rd = resdir_begin(out, (opt_force ? RESDIR_FORCE : 0) | (opt_out ? 0 : RESDIR_NUMBERED), &err);
	g_free(out);
	o = (checkmodel_opts_t){ opt_runs, native_profile, native_load, argv[2], opt_quiet };
	if (!rd || !checkmodel_run(sc, &o, resdir_tmp(rd), &err))
		status = fail_coded(err);
	if (!status && !opt_no_plots && !plot_after_run(resdir_tmp(rd)))
		status = 1;
	final = rd ? g_strdup(resdir_final(rd)) : NULL;
	if (!status && !resdir_commit(rd, &err))
		status = fail(err, 1);
	else if (!status && !opt_quiet)
		printf("model check in %s/\n", final);
	else if (status && rd)
		resdir_abort(rd);
	scenario_free(sc);
	g_free(final);
	g_free(path);
	return status;
}

/* ---- plot, diff ---- */

static int cmd_plot(int argc, char **argv)
{
	GError *err = NULL;

	if (!parse(&argc, &argv, no_options, &err))
		return fail(err, 1);
	if (argc != 3) {
		g_printerr("slabsim: plot takes one results or sweep directory\n");
		return 1;
	}
	if (!plot_dir(root_dir(), argv[2], false, &err))
		return fail(err, 1);
	g_printerr("slabsim: plots in %s/plots/\n", argv[2]);
	return 0;
}

static int cmd_diff(int argc, char **argv)
{
	GError *err = NULL;
	char *text;

	if (!parse(&argc, &argv, no_options, &err))
		return fail(err, 1);
	if (argc != 4) {
		g_printerr("slabsim: diff takes two results directories\n");
		return 1;
	}
	text = results_diff_dirs(argv[2], argv[3], &err);
	if (!text)
		return fail(err, 1);
	fputs(text, stdout);
	g_free(text);
	return 0;
}

/* ---- list ---- */

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

static int list_params(const char *workload)
{
	bool is_path = strchr(workload, '/') || g_str_has_suffix(workload, ".lua");
	char *path = is_path ? g_strdup(workload) : g_strdup_printf("%s/workloads/%s.lua", root_dir(), workload);
	char *desc = NULL;
	GError *err = NULL;
	GArray *params;
	int w = 9;

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_printerr("slabsim: list params: no workload %s (see `slabsim list workloads`)\n", path);
		g_free(path);
		return 1;
	}
	params = lh_list_params(path, &desc, &err);
	g_free(path);
	if (!params)
		return fail(err, 2);
	printf("workload %s: %s\n", workload, desc);
	for (guint i = 0; i < params->len; i++)
		w = MAX(w, (int)strlen(g_array_index(params, lh_param_t, i).name));
	printf("  %-*s  %-10s  %-8s  %s\n", w, "parameter", "default", "type", "meaning");
	for (guint i = 0; i < params->len; i++) {
		const lh_param_t *p = &g_array_index(params, lh_param_t, i);
		printf("  %-*s  %-10s  %-8s  %s\n", w, p->name, p->def, p->type, p->help);
	}
	if (!params->len)
		printf("  (no parameters)\n");
	printf("Set them in [workload] of a scenario, or with --set workload.NAME=VALUE.\n");
	lh_params_free(params);
	g_free(desc);
	return 0;
}

/* One line per tunable of tun: name, default, range, meaning. */
static void print_tunables(const tunable_t *tun)
{
	int w = 7;

	for (const tunable_t *t = tun; t && t->name; t++)
		w = MAX(w, (int)strlen(t->name));
	printf("  %-*s  %8s  %-16s  %s\n", w, "tunable", "default", "range", "meaning");
	for (const tunable_t *t = tun; t && t->name; t++) {
		char *range = g_strdup_printf("%ld..%ld", t->min, t->max);
		printf("  %-*s  %8ld  %-16s  %s\n", w, t->name, t->def, range, t->help ? t->help : "");
		g_free(range);
	}
}

static int list_tunables(const char *name)
{
	const allocator_ops_t *ops = allocator_find(name);

	if (!ops) {
		g_printerr("slabsim: list tunables: no allocator called '%s' (see `slabsim list allocators`)\n",
		           name);
		return 1;
	}
	printf("allocator %s: %s\n", ops->name, ops->summary);
	print_tunables(ops->tunables);
	printf("Set them in [allocator.%s] of a scenario, with --set allocator.%s.NAME=VALUE, or\n"
	       "in a variant: --allocators LABEL=%s:NAME=VALUE.\n", ops->name, ops->name, ops->name);
	if (ops->cache_tunables) {
		printf("per-cache tunables, in [allocator.%s.cache.CACHE] of a scenario:\n", ops->name);
		print_tunables(ops->cache_tunables);
	}
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	GError *err = NULL;
	const char *what;
	bool all, known;

	if (!parse(&argc, &argv, no_options, &err))
		return fail(err, 1);
	what = argc > 2 ? argv[2] : "all";
	if (strcmp(what, "params") == 0 || strcmp(what, "tunables") == 0) {
		if (argc != 4) {
			g_printerr("slabsim: list %s takes one %s\n", what,
			           what[0] == 'p' ? "workload" : "allocator");
			return 1;
		}
		return what[0] == 'p' ? list_params(argv[3]) : list_tunables(argv[3]);
	}
	all = strcmp(what, "all") == 0;
	known = all;
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
		g_printerr("slabsim: list what? expected allocators, machines, workloads, scenarios, "
		           "params WORKLOAD or tunables ALLOCATOR\n");
		return 1;
	}
	return 0;
}

/* ---- sweep ---- */

/* Print one self-contained shell command per point. */
static void emit_commands(const sweep_spec_t *spec, const char *self)
{
	char *canon = g_canonicalize_filename(root_dir(), NULL), *cwd = g_get_current_dir();
	char *qroot = g_shell_quote(canon), *qcwd = g_shell_quote(cwd);
	int n = sweep_npoints(spec);

	for (int i = 0; i < n; i++) {
		char **argv = sweep_point_argv(spec, self, i);
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
	g_free(canon);
	g_free(qcwd);
	g_free(cwd);
}

static int cmd_sweep(int argc, char **argv)
{
	sweep_spec_t spec = { 0 };
	GError *err = NULL;
	char *self, *out, *path, **sets;
	int status = 0;
	resdir_t *rd = NULL;

	if (!parse(&argc, &argv, sweep_options, &err))
		return fail(err, 1);
	if (argc != 3 || !opt_vary || opt_jobs < 1 || opt_sweep_seeds < 1) {
		g_printerr("slabsim: sweep takes one scenario, --vary SECTION.KEY=V1,V2,... (repeatable), "
		           "--jobs >= 1 and --seeds >= 1\n");
		return 1;
	}
	for (int i = 0; opt_vary[i]; i++) {
		if (!sweep_add_vary(&spec, opt_vary[i], &err)) {
			sweep_spec_clear(&spec);
			return fail(err, 1);
		}
		if (opt_sweep_seeds > 1 && g_str_has_prefix(opt_vary[i], "scenario.seed=")) {
			g_printerr("slabsim: --vary scenario.seed and --seeds %d: vary the seed one way\n",
			           opt_sweep_seeds);
			sweep_spec_clear(&spec);
			return 1;
		}
	}
	path = scenario_arg(argv[2]);
	out = opt_out ? g_strdup(opt_out) : default_out(path, "-sweep");
	sets = all_sets();
	spec.scenario = path;
	spec.sets = sets;
	spec.seeds = opt_sweep_seeds;
	spec.jobs = opt_jobs;
	/* Check the scenario and every point's keys before anything runs. */
	if (!sweep_check(&spec, root_dir(), &err)) {
		status = fail(err, 1);
		goto done;
	}
	if (!opt_emit && !opt_collect) {
		/* The sweep directory: refused when it holds earlier results
		 * unless --force; the default is numbered instead. */
		rd = resdir_begin(out, (opt_force ? RESDIR_FORCE : 0) | (opt_out ? 0 : RESDIR_NUMBERED), &err);
		if (!rd) {
			status = fail(err, 1);
			goto done;
		}
		g_free(out);
		out = g_strdup(resdir_final(rd));
		spec.out = resdir_tmp(rd);
	} else {
		spec.out = out;
	}
	self = g_file_read_link("/proc/self/exe", NULL);
	spec.final_out = out;
	if (opt_emit)
		emit_commands(&spec, self);
	else if (!(opt_collect ? sweep_collect(&spec, &err) : sweep_run(&spec, self, &err)))
		status = fail(err, 1);
	if (rd && status == 0 && !resdir_commit(rd, &err))
		status = fail(err, 1);
	else if (rd && status != 0)
		resdir_abort(rd);
	if (status == 0 && !opt_emit)
		g_printerr("slabsim: sweep results in %s/sweep.csv and %s/sweep-summary.csv "
		           "(`slabsim plot %s` draws them)\n", out, out, out);
	g_free(self);
done:
	g_free(out);
	g_free(path);
	g_strfreev(sets);
	sweep_spec_clear(&spec);
	return status;
}


/* slabsim machine --from-host [--out FILE]: a profile of this host. */
static int cmd_machine(int argc, char **argv)
{
	GError *err = NULL;
	char *text;
	int status = 0;

	if (!parse(&argc, &argv, machine_options, &err))
		return fail(err, 1);
	if (argc != 2 || !opt_from_host) {
		g_printerr("slabsim: machine takes --from-host (and --out FILE, --quick)\n");
		print_command_help(stderr, find_command("machine"));
		return 1;
	}
	if (!(text = hostprobe_profile(opt_quick, &err)))
		return fail_coded(err);
	if (!opt_out)
		fputs(text, stdout);
	else if (!g_file_set_contents(opt_out, text, -1, &err))
		status = fail(err, 1);
	else
		g_printerr("slabsim: wrote %s\n", opt_out);
	g_free(text);
	return status;
}

static int cmd_validate(int argc, char **argv)
{
	GError *err = NULL;
	char *claims, *doc, *self;
	int status = 0;

	if (!parse(&argc, &argv, validate_options, &err))
		return fail(err, 1);
	if (argc != 2) {
		g_printerr("slabsim: validate takes no arguments besides its options\n");
		print_command_help(stderr, find_command("validate"));
		return 1;
	}
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

/* ---- completion and the manual, from the tables ---- */

/* Every option word of c ("--set -s ..."). */
static char *option_words(const command_t *c)
{
	GString *s = g_string_new("--help");

	for (const GOptionEntry *e = c->options; e->long_name; e++) {
		g_string_append_printf(s, " --%s", e->long_name);
		if (e->short_name)
			g_string_append_printf(s, " -%c", e->short_name);
	}
	return g_string_free(s, FALSE);
}

static int cmd_completion(int argc, char **argv)
{
	GError *err = NULL;
	GString *cmds = g_string_new(NULL), *allocs = g_string_new(NULL);

	if (!parse(&argc, &argv, no_options, &err))
		return fail(err, 1);
	if (argc != 3 || strcmp(argv[2], "bash") != 0) {
		g_printerr("slabsim: completion takes one shell: bash\n");
		return 1;
	}
	for (const command_t *c = commands; c->name; c++)
		g_string_append_printf(cmds, "%s%s", c->name, c[1].name ? " " : "");
	for (int i = 0; allocator_table[i]; i++)
		g_string_append_printf(allocs, "%s%s", allocator_table[i]->name, allocator_table[i + 1] ? " " : "");
	printf("# bash completion for slabsim -- generated by `slabsim completion bash`; do not edit.\n"
	       "# Source it, or copy it to /usr/share/bash-completion/completions/slabsim.\n"
	       "_slabsim_root() { printf '%%s' \"${SLABSIM_ROOT:-.}\"; }\n"
	       "_slabsim_names() { local f; for f in \"$(_slabsim_root)\"/$1/*$2; do [ -e \"$f\" ] && "
	       "f=${f##*/} && printf '%%s\\n' \"${f%%$2}\"; done; }\n"
	       "_slabsim() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}\n"
	       "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W '%s test bench --help --version' -- \"$cur\")); return\n"
	       "\tfi\n"
	       "\tcase $prev in\n"
	       "\t--allocators|-a|--baseline|-b) COMPREPLY=($(compgen -W '%s' -- \"${cur##*,}\")); "
	       "[ \"${cur%%,*}\" != \"$cur\" ] && COMPREPLY=(\"${COMPREPLY[@]/#/${cur%%,*},}\"); return;;\n"
	       "\t--report|-r) COMPREPLY=($(compgen -W 'summary full none' -- \"$cur\")); return;;\n"
	       "\t--out|-o) COMPREPLY=($(compgen -d -- \"$cur\")); return;;\n"
	       "\t--doc|--claims) COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
	       "\t--set|-s|--vary|-v) COMPREPLY=($(compgen -W 'scenario. machine. workload. allocator.' "
	       "-- \"$cur\")); compopt -o nospace 2>/dev/null; return;;\n"
	       "\t--seed|--seeds|--jobs|-j|--only) return;;\n"
	       "\tesac\n"
	       "\tcase $cmd in\n", cmds->str, allocs->str);
	for (const command_t *c = commands; c->name; c++) {
		char *words = option_words(c);
		const char *what = c->complete ? c->complete : "";
		printf("\t%s)\n\t\tif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return; fi\n",
		       c->name, words);
		if (strcmp(what, "scenario") == 0)
			printf("\t\tCOMPREPLY=($(compgen -W \"$(_slabsim_names scenarios .scn)\" -- \"$cur\") "
			       "$(compgen -f -X '!*.scn' -- \"$cur\") $(compgen -d -- \"$cur\"));;\n");
		else if (strcmp(what, "dir") == 0)
			printf("\t\tCOMPREPLY=($(compgen -d -- \"$cur\"));;\n");
		else if (strcmp(what, "list") == 0)
			printf("\t\tcase $prev in\n"
			       "\t\tparams) COMPREPLY=($(compgen -W \"$(_slabsim_names workloads .lua)\" -- \"$cur\"));;\n"
			       "\t\ttunables) COMPREPLY=($(compgen -W '%s' -- \"$cur\"));;\n"
			       "\t\t*) COMPREPLY=($(compgen -W 'allocators machines workloads scenarios params tunables' "
			       "-- \"$cur\"));;\n\t\tesac;;\n", allocs->str);
		else if (strcmp(what, "shell") == 0)
			printf("\t\tCOMPREPLY=($(compgen -W 'bash' -- \"$cur\"));;\n");
		else if (strcmp(what, "command") == 0)
			printf("\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"));;\n", cmds->str);
		else
			printf("\t\t;;\n");
		g_free(words);
	}
	printf("\tesac\n}\ncomplete -F _slabsim slabsim ./slabsim\n");
	g_string_free(cmds, TRUE);
	g_string_free(allocs, TRUE);
	return 0;
}

/* Text for groff: backslashes and leading dots escaped, '-' as \-. */
static void man_text(GString *s, const char *text)
{
	if (*text == '.' || *text == '\'')
		g_string_append(s, "\\&");
	for (const char *c = text; *c; c++) {
		if (*c == '\\')
			g_string_append(s, "\\e");
		else if (*c == '-')
			g_string_append(s, "\\-");
		else
			g_string_append_c(s, *c);
	}
}

static int cmd_man(int argc, char **argv)
{
	GError *err = NULL;
	GString *s = g_string_new(NULL);

	if (!parse(&argc, &argv, no_options, &err))
		return fail(err, 1);
	g_string_append_printf(s, ".\\\" slabsim(1) -- generated by `slabsim man`; do not edit.\n"
	                       ".TH SLABSIM 1 \"\" \"slabsim %s\" \"slabsim manual\"\n"
	                       ".SH NAME\nslabsim \\- deterministic simulator of Linux slab allocators\n"
	                       ".SH SYNOPSIS\n", SLABSIM_VERSION);
	for (const command_t *c = commands; c->name; c++) {
		g_string_append_printf(s, ".B slabsim %s\n", c->name);
		if (*c->args) {
			g_string_append(s, ".I ");
			man_text(s, c->args);
			g_string_append_c(s, '\n');
		}
		if (c->options[0].long_name)
			g_string_append(s, "[\\fIOPTIONS\\fR]\n");
		g_string_append(s, ".br\n");
	}
	g_string_append(s, ".SH DESCRIPTION\nslabsim runs faithful re-implementations of the Linux slab "
	                "allocators (SLAB, SLUB and SLQB of 2.6.29, the 2006 Slabifier, SLOB, and Linux 6.18's "
	                "SLUB as slub\\-6) on simulated memory over a "
	                "modelled machine (CPUs, NUMA nodes, private caches and a shared last\\-level cache "
	                "with a coherence directory, ticket and bit spinlocks, a buddy page allocator), drives them with Lua workload scripts, and "
	                "reports latency, memory footprint, lock contention and cacheline traffic. The same "
	                "scenario and seed give byte\\-identical results.json on every run.\n"
	                ".SH COMMANDS\n");
	for (const command_t *c = commands; c->name; c++) {
		g_string_append_printf(s, ".SS \"%s", c->name);
		if (*c->args) {
			g_string_append_c(s, ' ');
			man_text(s, c->args);
		}
		g_string_append(s, "\"\n");
		man_text(s, c->description);
		g_string_append_c(s, '\n');
		for (const GOptionEntry *e = c->options; e->long_name; e++) {
			g_string_append(s, ".TP\n.B ");
			if (e->short_name)
				g_string_append_printf(s, "\\-%c, ", e->short_name);
			g_string_append_printf(s, "\\-\\-%s", e->long_name);
			if (e->arg != G_OPTION_ARG_NONE) {
				g_string_append(s, " \\fI");
				man_text(s, e->arg_description ? e->arg_description : "VALUE");
				g_string_append(s, "\\fR");
			}
			g_string_append_c(s, '\n');
			man_text(s, e->description);
			g_string_append_c(s, '\n');
		}
	}
	g_string_append(s, ".SH EXIT STATUS\n"
	                ".TP\n0\nsuccess\n"
	                ".TP\n1\nbad input: command line, scenario, machine or workload value; a results "
	                "directory that is locked, used (without \\-\\-force) or cannot be written; plots "
	                "that cannot be drawn\n"
	                ".TP\n2\nworkload script error\n"
	                ".TP\n3\nan allocator check failed (double free, foreign pointer, corrupted freelist)\n"
	                ".TP\n4\nvalidate: a measured verdict changed\n"
	                ".TP\n5\n\\-\\-strict: a run did not complete (deadlock, or the duration reached "
	                "with tasks unfinished)\n"
	                ".SH ENVIRONMENT\n.TP\n.B SLABSIM_ROOT\nthe checkout holding scenarios/, "
	                "workloads/ and plots/ (default: the current directory if it holds them, else the "
	                "checkout the binary was built in)\n"
	                ".SH FILES\nA results directory holds results.json (a pure function of the resolved "
	                "scenario and seed), provenance.json (revision, command line, hashes, host), "
	                "scenario.scn (the resolved scenario, for an exact re\\-run), report.txt, summary.csv, "
	                "CSV series and plots/. It is written into a temporary sibling and renamed into "
	                "place whole.\n"
	                ".SH EXAMPLES\n.nf\nslabsim run quickstart\n"
	                "slabsim run crossbar\\-1k \\-a slab,slub\n"
	                "slabsim run quickstart \\-a slub,slubmin=slub:slub_min_order=3 \\-\\-baseline slub\n"
	                "slabsim sweep queue\\-growth \\-\\-vary machine.nodes=64,256 \\-\\-seeds 3\n"
	                "slabsim diff results/before results/after\n.fi\n"
	                ".SH SEE ALSO\nREADME.md, docs/cli.md, docs/scenario\\-format.md, docs/report\\-schema.md "
	                "in the slabsim repository.\n");
	fputs(s->str, stdout);
	g_string_free(s, TRUE);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	printf("slabsim %s\n", SLABSIM_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const command_t *c;

	if (argc < 3) {
		print_help(stdout);
		return 0;
	}
	c = find_command(argv[2]);
	if (!c) {
		g_printerr("slabsim: no command '%s'\n", argv[2]);
		print_help(stderr);
		return 1;
	}
	print_command_help(stdout, c);
	return 0;
}

int main(int argc, char **argv)
{
	const command_t *c;
	int status;

	/* Messages in the user's language and characters; numbers in files
	 * and reports always with a '.'. */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	find_root();
	if (argc < 2) {
		print_help(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc, argv);
	c = find_command(argv[1]);
	if (!c) {
		g_printerr("slabsim: unknown command '%s'\n", argv[1]);
		print_help(stderr);
		return 1;
	}
	if (wants_help(argc, argv)) {
		print_command_help(stdout, c);
		return 0;
	}
	status = c->run(argc, argv);
	g_free(root);
	return status;
}
