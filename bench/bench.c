/*
 * bench.c -- simulator speed: simulated allocator operations per host
 * second, and host peak RSS, for one scenario (default: quickstart).
 *
 *   build/release/bench/bench [SCENARIO] [--set K=V]...
 *
 * Host time is measured here and only here; it never enters results.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "scenario.h"
#include "luahost.h"

/* "--set K=V" pairs (or bare K=V) after the scenario. */
static char **overrides(int argc, char **argv)
{
	GPtrArray *a = g_ptr_array_new();

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--set") != 0)
			g_ptr_array_add(a, argv[i]);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static const char usage[] =
	"usage: slabsim bench [SCENARIO] [--set SECTION.KEY=VALUE]...\n\n"
	"Simulated allocator operations per host second, and the host's peak RSS, for\n"
	"SCENARIO (a .scn file or a name as `slabsim list scenarios` shows it; default\n"
	"quickstart), with each of its allocators.  Host time is measured here only;\n"
	"it never enters results.\n";

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : "quickstart";
	const char *root = g_getenv("SLABSIM_ROOT");
	GError *err = NULL;
	char **sets, *path;
	scenario_t *sc;
	struct rusage ru;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
	if (arg[0] == '-') {
		fprintf(stderr, "bench: unknown option %s\n%s", arg, usage);
		return 1;
	}
	/* A scenario name as `slabsim list scenarios` shows it. */
	path = g_file_test(arg, G_FILE_TEST_EXISTS) || strchr(arg, '/') ? g_strdup(arg) :
	       g_strdup_printf("%s/scenarios/%s.scn", root ? root : ".", arg);
	sets = overrides(argc, argv);
	sc = scenario_load(path, root ? root : ".", sets, &err);
	g_free(path);
	g_free(sets);
	if (!sc) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 1;
	}
	for (int i = 0; sc->allocators[i]; i++) {
		run_t *r = lh_run_new(sc, sc->allocators[i], &err);
		if (!r) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 1;
		}
		gint64 t0 = g_get_monotonic_time();
		if (!run_execute(r, &err)) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 1;
		}
		double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
		uint64_t ops = r->ops_done[OP_STAT_ALLOC] + r->ops_done[OP_STAT_FREE];
		printf("%-10s %12" G_GUINT64_FORMAT " ops in %7.3f s host = %10.0f simulated ops per host second\n",
		       sc->allocators[i], ops, secs, secs > 0 ? (double)ops / secs : 0);
		run_free(r);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("host peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	scenario_free(sc);
	return 0;
}
