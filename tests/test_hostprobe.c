/*
 * test_hostprobe.c -- `slabsim machine --from-host`: the profile it writes
 * has this host's online CPU count, marks each measured latency as
 * measured, leaves out (with a reason) what one host cannot show, and is a
 * machine `slabsim run` accepts.  --quick keeps the benchmarks short.
 */
#include <string.h>
#include <unistd.h>
#include "harness.h"

/* The comment block just above `key = ` in text, or "". */
static char *comment_above(const char *text, const char *key)
{
	char *pat = g_strdup_printf("\n%s = ", key), *at = strstr(text, pat), *start;

	g_free(pat);
	if (!at)
		return g_strdup("");
	start = at;
	while (start > text && !(start[-1] == '\n' && start[0] == '\n'))
		start--;
	return g_strndup(start, (gsize)(at - start));
}

static void test_from_host(void)
{
	char *dir = g_dir_make_tmp("slabsim-host-XXXXXX", NULL);
	char *file = g_build_filename(dir, "host.machine", NULL), *text = NULL, *c;
	char *machine = g_strconcat("scenario.machine=", file, NULL);
	char *out = g_build_filename(dir, "run", NULL);
	GKeyFile *kf = g_key_file_new();
	harness_result_t r = harness_slabsim("machine", "--from-host", "--quick", "--out", file);

	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
	g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, NULL));
	g_assert_cmpint(g_key_file_get_integer(kf, "machine", "cpus", NULL), ==, sysconf(_SC_NPROCESSORS_ONLN));
	static const char *const measured[] = { "hit_ns", "mem_local_ns" };
	for (unsigned i = 0; i < G_N_ELEMENTS(measured); i++) {
		c = comment_above(text, measured[i]);
		g_assert_nonnull(strstr(c, "Measured"));
		g_free(c);
	}
	g_assert_nonnull(strstr(text, "# irq_ns: not set here:"));   /* not measurable from user space */
	g_assert_false(g_key_file_has_key(kf, "machine", "irq_ns", NULL));
	r = harness_slabsim("run", "scenarios/quickstart.scn", "-a", "slub", "--set", machine,
	                    "--set", "workload.pairs=1", "--set", "workload.placement=local",
	                    "--set", "workload.batches=5", "--quiet", "--no-plots",
	                    "--out", out);
	g_assert_cmpint(r.status, ==, 0);
	harness_result_free(&r);
	g_key_file_free(kf);
	g_free(text);
	g_free(machine);
	g_free(out);
	harness_rm_rf(dir);
	g_free(file);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hostprobe/from-host", test_from_host);
	return g_test_run();
}
