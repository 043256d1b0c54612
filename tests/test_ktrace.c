/*
 * test_ktrace.c -- the kmem trace importer on fixtures in three formats
 * (tests/data: ftrace of 2.6.32, ftrace of 6.x, perf script).
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "ktrace.h"

static GArray *load(const char *name)
{
	GError *err = NULL;
	char *path = g_build_filename("tests", "data", name, NULL);
	GArray *evs = ktrace_load(path, &err);

	g_assert_no_error(err);
	g_free(path);
	return evs;
}

#define EV(a, i) (&g_array_index((a), ktrace_event_t, (i)))

static void test_ftrace_old(void)
{
	GArray *evs = load("kmem-ftrace-2.6.32.txt");

	g_assert_cmpuint(evs->len, ==, 6);                  /* header lines skipped */
	g_assert_true(EV(evs, 0)->alloc && !EV(evs, 0)->kmalloc);
	g_assert_cmpint(EV(evs, 0)->cpu, ==, 1);
	g_assert_cmpuint(EV(evs, 0)->t_ns, ==, 0);
	g_assert_cmpuint(EV(evs, 1)->bytes_req, ==, 1500);
	g_assert_cmpuint(EV(evs, 1)->bytes_alloc, ==, 2048);
	g_assert_cmpuint(EV(evs, 1)->t_ns, ==, 50000);      /* 100.000150 - 100.000100 s */
	g_assert_false(EV(evs, 2)->alloc);
	g_assert_cmpstr(EV(evs, 2)->ptr, ==, EV(evs, 1)->ptr);
	g_assert_cmpint(EV(evs, 2)->cpu, ==, 2);
	g_assert_cmpint(EV(evs, 4)->node, ==, 1);
	g_assert_cmpstr(EV(evs, 5)->ptr, ==, "(null)");
	ktrace_free(evs);
}

static void test_ftrace_new(void)
{
	GArray *evs = load("kmem-ftrace-6.x.txt");

	g_assert_cmpuint(evs->len, ==, 4);
	g_assert_cmpint(EV(evs, 0)->cpu, ==, 3);
	g_assert_cmpint(EV(evs, 0)->node, ==, -1);
	g_assert_cmpuint(EV(evs, 0)->bytes_alloc, ==, 256);
	g_assert_cmpuint(EV(evs, 3)->t_ns, ==, 363000);     /* .112000 - .111637 s */
	g_assert_cmpstr(EV(evs, 3)->name, ==, "skbuff_head_cache");
	g_assert_cmpstr(EV(evs, 3)->ptr, ==, EV(evs, 0)->ptr);
	ktrace_free(evs);
}

static void test_perf_script(void)
{
	GArray *evs = load("kmem-perf-script.txt");

	g_assert_cmpuint(evs->len, ==, 2);
	g_assert_true(EV(evs, 0)->kmalloc && EV(evs, 0)->alloc);
	g_assert_cmpuint(EV(evs, 0)->bytes_req, ==, 96);
	g_assert_cmpint(EV(evs, 1)->cpu, ==, 1);
	g_assert_cmpuint(EV(evs, 1)->t_ns, ==, 79000);
	ktrace_free(evs);
}

/* accounted=true/false (6.x): the fifth event of the 6.18 recording is
 * filp's accounted allocation; the first, a kmalloc, is not accounted. */
static void test_accounted(void)
{
	GArray *evs = load("perf-kmem-small.txt");

	g_assert_false(EV(evs, 0)->accounted);
	g_assert_cmpstr(EV(evs, 4)->name, ==, "filp");
	g_assert_true(EV(evs, 4)->accounted);
	ktrace_free(evs);
}

static void test_malformed(void)
{
	char *path = NULL;
	int fd = g_file_open_tmp("ktrace-XXXXXX", &path, NULL);
	GError *err = NULL;

	close(fd);
	g_assert_true(g_file_set_contents(path, "# hello\nbash-1 [000] 1.0: kmalloc: call_site=1 bytes_req=8\n",
	                                  -1, NULL));
	g_assert_null(ktrace_load(path, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, ":2:"));
	g_error_free(err);
	g_remove(path);
	g_free(path);
}

/* Issue 18, finding 9: values that do not fit were cast silently (a
 * timestamp of 1e30 s through an undefined double-to-integer conversion,
 * bytes_req = 2^32 + 1 replayed as kmalloc(1), a CPU past INT_MAX through
 * atoi); each is now an error naming the line. */
static void test_out_of_range(void)
{
	static const char *const bad[] = {
		"bash-1 [000] 1000000000000000000000000000000.0: kmalloc: call_site=1 ptr=0x1 bytes_req=8 bytes_alloc=8\n",
		"bash-1 [000] 1.0: kmalloc: call_site=1 ptr=0x1 bytes_req=4294967297 bytes_alloc=8\n",
		"bash-1 [000] 1.0: kmalloc: call_site=1 ptr=0x1 bytes_req=8 bytes_alloc=99999999999999999999\n",
		"bash-1 [99999999999] 1.0: kfree: call_site=1 ptr=0x1\n",
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *path = NULL, *text = g_strconcat("# header\n", bad[i], NULL), *where;
		int fd = g_file_open_tmp("ktrace-XXXXXX", &path, NULL);
		GError *err = NULL;
		GArray *evs;

		close(fd);
		g_assert_true(g_file_set_contents(path, text, -1, NULL));
		evs = ktrace_load(path, &err);
		if (evs)
			g_test_message("accepted: %s", bad[i]);
		g_assert_null(evs);
		where = g_strconcat(path, ":2: ", NULL);
		g_assert_nonnull(strstr(err->message, where));
		g_error_free(err);
		g_remove(path);
		g_free(where);
		g_free(path);
		g_free(text);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ktrace/ftrace-2.6.32", test_ftrace_old);
	g_test_add_func("/ktrace/ftrace-6.x", test_ftrace_new);
	g_test_add_func("/ktrace/perf-script", test_perf_script);
	g_test_add_func("/ktrace/accounted", test_accounted);
	g_test_add_func("/ktrace/malformed", test_malformed);
	g_test_add_func("/ktrace/out-of-range", test_out_of_range);
	return g_test_run();
}
