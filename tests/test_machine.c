/*
 * test_machine.c -- machine profiles, overrides, error reports, distances
 * and prices.  Run from the repository root.
 */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "machine.h"

#define DIR "scenarios/machines"

/* Write text to a fresh temporary file named like tmpl; return its path. */
static char *write_tmp(const char *tmpl, const char *text)
{
	GError *err = NULL;
	char *path;
	int fd = g_file_open_tmp(tmpl, &path, &err);

	g_assert_no_error(err);
	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, &err));
	g_assert_no_error(err);
	return path;
}

static GKeyFile *keyfile(const char *text)
{
	GKeyFile *kf = g_key_file_new();

	g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, NULL));
	return kf;
}

/* Load profile text (from a temporary file) with overrides text (may be
 * NULL, else given no file); expect success. */
static machine_t *load_text(const char *text, const char *over)
{
	char *path = write_tmp("slabsim-XXXXXX.machine", text);
	GKeyFile *kf = over ? keyfile(over) : NULL;
	GError *err = NULL;
	machine_t *m = machine_load(path, NULL, kf, NULL, &err);

	g_assert_no_error(err);
	g_assert_nonnull(m);
	if (kf)
		g_key_file_free(kf);
	g_unlink(path);
	g_free(path);
	return m;
}

static void check_prices_set(const machine_t *m)
{
	g_assert_cmpuint(m->hit, >, 0);
	g_assert_cmpuint(m->llc, >, 0);
	g_assert_cmpuint(m->xfer_socket, >, 0);
	g_assert_cmpuint(m->xfer_remote, >, 0);
	g_assert_cmpuint(m->xfer_per_distance, >, 0);
	g_assert_cmpuint(m->mem_local, >, 0);
	g_assert_cmpuint(m->mem_per_distance, >, 0);
	g_assert_cmpuint(m->rmw, >, 0);
	g_assert_cmpuint(m->inval, >, 0);
	g_assert_cmpuint(m->op, >, 0);
	g_assert_cmpuint(m->irq, >, 0);
}

/* Every shipped profile sets every key, so none hides behind a default. */
static void check_all_keys(const char *name)
{
	char *path = g_strconcat(DIR "/", name, ".machine", NULL);
	GKeyFile *kf = g_key_file_new();

	g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
	for (int i = 0; machine_keys[i]; i++) {
		if (!g_key_file_has_key(kf, "machine", machine_keys[i], NULL))
			g_error("%s: no key %s", path, machine_keys[i]);
	}
	g_key_file_free(kf);
	g_free(path);
}

static machine_t *load_shipped(const char *name)
{
	GError *err = NULL;
	machine_t *m = machine_load(name, DIR, NULL, NULL, &err);

	g_assert_no_error(err);
	g_assert_nonnull(m);
	g_assert_cmpstr(m->name, ==, name);
	check_all_keys(name);
	check_prices_set(m);
	g_assert_cmpint(m->page_size, ==, 4096);
	g_assert_cmpint(m->page_shift, ==, 12);
	g_assert_cmpint(m->line_shift, ==, 6);
	g_assert_cmpint(m->cache_lines, ==, 512 * 1024 / 64);
	g_assert_cmpuint(m->mem_per_node, ==, 1024ULL << 20);
	return m;
}

static void test_desktop(void)
{
	machine_t *m = load_shipped("desktop-1s");

	g_assert_cmpint(m->ncpus, ==, 4);
	g_assert_cmpint(m->nnodes, ==, 1);
	g_assert_cmpint(m->nsockets, ==, 1);
	for (int i = 0; i < 4; i++)
		g_assert_cmpint(m->cpu_node[i], ==, 0);
	g_assert_cmpint(machine_node_distance(m, 0, 0), ==, 10);
	machine_free(m);
}

static void test_nehalem(void)
{
	machine_t *m = load_shipped("nehalem-2s");

	g_assert_cmpint(m->ncpus, ==, 16);
	g_assert_cmpint(m->nnodes, ==, 2);
	g_assert_cmpint(m->nsockets, ==, 2);
	g_assert_cmpint(m->cpu_node[7], ==, 0);
	g_assert_cmpint(m->cpu_node[8], ==, 1);
	g_assert_cmpint(m->cpu_socket[8], ==, 1);
	g_assert_cmpint(m->node_first_cpu[1], ==, 8);
	g_assert_cmpint(machine_node_distance(m, 0, 1), ==, 21);
	/* Remote DRAM: 60 + 3.636 * 11 = 99.996 ns. */
	g_assert_cmpuint(machine_mem_price(m, 0, 1), ==, 99996);
	machine_free(m);
}

static void test_opteron(void)
{
	machine_t *m = load_shipped("opteron-8n");

	g_assert_cmpint(m->ncpus, ==, 64);
	g_assert_cmpint(m->nnodes, ==, 8);
	g_assert_cmpint(m->nsockets, ==, 4);
	/* 8 CPUs per node, 16 per socket: CPU 9 is node 1, socket 0. */
	g_assert_cmpint(m->cpu_node[9], ==, 1);
	g_assert_cmpint(m->cpu_socket[9], ==, 0);
	g_assert_cmpint(m->cpu_node[63], ==, 7);
	g_assert_cmpint(m->cpu_socket[63], ==, 3);
	g_assert_cmpint(m->node_first_cpu[5], ==, 40);
	g_assert_cmpint(machine_node_distance(m, 0, 1), ==, 16);
	g_assert_cmpint(machine_node_distance(m, 0, 2), ==, 16);
	g_assert_cmpint(machine_node_distance(m, 0, 3), ==, 22);
	/* Two hops: 43.810 + 6.349 * 12 = 119.998 ns. */
	g_assert_cmpuint(machine_xfer_price(m, 0, 24), ==, 119998);
	machine_free(m);
}

static void test_by_path(void)
{
	GError *err = NULL;
	machine_t *m = machine_load(DIR "/nehalem-2s.machine", "nowhere", NULL, NULL, &err);

	g_assert_no_error(err);
	g_assert_cmpint(m->ncpus, ==, 16);
	machine_free(m);
	g_assert_null(machine_load("no-such-box", DIR, NULL, NULL, &err));
	g_assert_nonnull(strstr(err->message, DIR "/no-such-box.machine"));
	g_clear_error(&err);
}

static void test_overrides(void)
{
	GKeyFile *kf = keyfile("[machine]\ncpus=8\nnodes=2\n");
	GError *err = NULL;
	machine_t *m = machine_load("desktop-1s", DIR, kf, "x.scn", &err);

	g_assert_no_error(err);
	g_assert_cmpint(m->ncpus, ==, 8);
	g_assert_cmpint(m->nnodes, ==, 2);
	g_assert_cmpint(m->nsockets, ==, 1);
	g_assert_cmpint(m->nr_cpus, ==, 512);        /* kept from the profile */
	g_assert_cmpint(m->cpu_node[3], ==, 0);
	g_assert_cmpint(m->cpu_node[4], ==, 1);
	g_assert_cmpint(m->node_first_cpu[1], ==, 4);
	g_assert_cmpint(machine_node_distance(m, 1, 0), ==, 21);
	machine_free(m);
	g_key_file_free(kf);
}

/* Load desktop-1s with the overrides in file text; return the error. */
static GError *override_error(const char *text, char **path)
{
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;

	*path = write_tmp("slabsim-XXXXXX.scn", text);
	g_assert_true(g_key_file_load_from_file(kf, *path, G_KEY_FILE_KEEP_COMMENTS, NULL));
	g_assert_null(machine_load("desktop-1s", DIR, kf, *path, &err));
	g_assert_nonnull(err);
	g_key_file_free(kf);
	return err;
}

static void test_unknown_key(void)
{
	char *path, *want;
	GError *err = override_error("[workload]\nbogus = 2\n\n[machine]\n# comment\ncpus = 8\n  bogus = 1\n", &path);

	/* Line 7, not line 2: the [workload] bogus is not a machine key. */
	want = g_strdup_printf("%s:7: [machine] bogus: unknown key", path);
	g_assert_nonnull(strstr(err->message, want));
	g_free(want);
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);

	/* The same in a profile. */
	path = write_tmp("slabsim-XXXXXX.machine", "[machine]\ncpus = 4\nwidth = 3\n");
	g_assert_null(machine_load(path, NULL, NULL, NULL, &err));
	want = g_strdup_printf("%s:3: [machine] width: unknown key", path);
	g_assert_nonnull(strstr(err->message, want));
	g_free(want);
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);
}

static void test_bad_value(void)
{
	char *path, *want;
	GError *err = override_error("[machine]\n\ncpus=abc\n", &path);

	want = g_strdup_printf("%s:3: [machine] cpus: expected a positive integer up to 65536, got 'abc'", path);
	g_assert_cmpstr(err->message, ==, want);
	g_free(want);
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);

	/* 4 CPUs cannot spread over 3 nodes. */
	err = override_error("[machine]\nnodes = 3\n", &path);
	want = g_strdup_printf("%s:2: [machine] nodes: expected a divisor of cpus (4), got '3'", path);
	g_assert_cmpstr(err->message, ==, want);
	g_free(want);
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);

	err = override_error("[machine]\nhit_ns = -1\n", &path);
	g_assert_nonnull(strstr(err->message, "hit_ns: expected a number of nanoseconds"));
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);
}

static void test_bad_matrix(void)
{
	static const char *const bad[] = {
		"distance = 10,21;22,10\n",             /* not symmetric */
		"distance = 10,21\n",                   /* one row for 2 nodes */
		"distance = 10,21;21\n",                /* short row */
		"distance = 10,10;10,10\n",             /* 10 off the diagonal */
		"distance = 11,21;21,10\n",             /* not 10 on it */
		"distance = 10,255;255,10\n",           /* out of range */
		"distance = 10,21;21,10\ntopology = fattree\n",
		"topology = torus\n",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *text = g_strconcat("[machine]\ncpus = 2\nnodes = 2\n", bad[i], NULL);
		char *path = write_tmp("slabsim-XXXXXX.machine", text);
		GError *err = NULL;

		g_assert_null(machine_load(path, NULL, NULL, NULL, &err));
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, ":4: [machine] "));
		g_clear_error(&err);
		g_unlink(path);
		g_free(path);
		g_free(text);
	}
}

static void test_fattree(void)
{
	machine_t *m = load_text("[machine]\ncpus = 64\nnodes = 64\ntopology = fattree\n"
	                         "router_ports = 8\n", NULL);

	/* 0 and 1: 0/8 == 1/8, so L = 1: one router, 10 + 3 * 1 = 13. */
	g_assert_cmpint(machine_node_distance(m, 0, 1), ==, 13);
	/* 0 and 8: 0/8 = 0 != 1 = 8/8, 0/64 == 8/64: L = 2, up one router,
	 * across the top one, down one: 3 crossings, 10 + 9 = 19. */
	g_assert_cmpint(machine_node_distance(m, 0, 8), ==, 19);
	/* 0 and 63: 0/8 = 0 != 7, 0/64 == 63/64 = 0: L = 2, again 19. */
	g_assert_cmpint(machine_node_distance(m, 0, 63), ==, 19);
	g_assert_cmpint(machine_node_distance(m, 5, 5), ==, 10);
	/* Defaults: one socket per node, nr_cpus = cpus. */
	g_assert_cmpint(m->nsockets, ==, 64);
	g_assert_cmpint(m->nr_cpus, ==, 64);
	machine_free(m);

	m = load_text("[machine]\ncpus = 64\nnodes = 64\ntopology = fattree\n",
	              "[machine]\ncpus = 512\nnodes = 512\n");
	/* 0 and 64: 0/8 = 0 != 8, 0/64 = 0 != 1, 0/512 == 64/512 = 0: L = 3,
	 * 2 * 3 - 1 = 5 crossings, 10 + 15 = 25. */
	g_assert_cmpint(machine_node_distance(m, 0, 64), ==, 25);
	g_assert_cmpint(machine_node_distance(m, 64, 0), ==, 25);
	machine_free(m);
}

static void test_prices(void)
{
	/* 8 CPUs, 4 nodes (2 CPUs each), 2 sockets (4 CPUs, 2 nodes each). */
	static const char text[] =
		"[machine]\ncpus = 8\nnodes = 4\nsockets = 2\n"
		"distance = 10,12,20,30; 12,10,30,20; 20,30,10,12; 30,20,12,10;\n"
		"mem_local_ns = 50\nmem_per_distance_ns = 1.5\n"
		"xfer_socket_ns = 20\nxfer_remote_ns = 40\nxfer_per_distance_ns = 2.25\n"
		"hit_ns = 1.2346\nllc_ns = 0.0004\nrmw_ns = 0.0006\n";
	machine_t *m = load_text(text, NULL);

	/* Rounding ns to ps: 1234.6 -> 1235, 0.4 -> 0, 0.6 -> 1. */
	g_assert_cmpuint(m->hit, ==, 1235);
	g_assert_cmpuint(m->llc, ==, 0);
	g_assert_cmpuint(m->rmw, ==, 1);
	/* CPU 5 is on node 2; distance(2, 1) = 30: 50 + 1.5 * 20 = 80 ns. */
	g_assert_cmpuint(machine_mem_price(m, 5, 1), ==, 80000);
	g_assert_cmpuint(machine_mem_price(m, 0, 0), ==, 50000);
	/* CPUs 0 and 3: nodes 0 and 1 but both socket 0: xfer_socket. */
	g_assert_cmpuint(machine_xfer_price(m, 0, 3), ==, 20000);
	/* CPUs 1 and 6: nodes 0 and 3, distance 30: 40 + 2.25 * 20 = 85 ns. */
	g_assert_cmpuint(machine_xfer_price(m, 1, 6), ==, 85000);
	/* CPUs 0 and 4: nodes 0 and 2, distance 20: 40 + 22.5 = 62.5 ns. */
	g_assert_cmpuint(machine_xfer_price(m, 0, 4), ==, 62500);
	machine_free(m);

	/* One node over two sockets: the empty distance drops the 4x4 matrix;
	 * CPUs 0 and 2 are on node 0 but sockets 0 and 1, distance 10: the
	 * bare xfer_remote, 40 ns. */
	m = load_text(text, "[machine]\ncpus = 4\nnodes = 1\ndistance =\n");
	g_assert_cmpint(m->cpu_socket[2], ==, 1);
	g_assert_cmpuint(machine_xfer_price(m, 0, 2), ==, 40000);
	g_assert_cmpuint(machine_xfer_price(m, 0, 1), ==, 20000);
	machine_free(m);
}

/* Each topology and geometry rule of the loader, broken once on top of
 * desktop-1s (4 CPUs, 1 node, 64-byte lines): the key, the rule and the
 * value, on the override's line 2. */
static void test_bad_geometry(void)
{
	static const struct {
		const char *over, *want;
	} bad[] = {
		{ "sockets = 3\n", "sockets: expected a divisor of cpus (4), got '3'" },
		{ "cpus = 12\nnodes = 3\nsockets = 2\n",
		  "sockets: expected a multiple or a divisor of nodes (3), got '2'" },
		{ "nr_cpus = 2\n", "nr_cpus: expected at least cpus (4), got '2'" },
		{ "nodes = 2\nmax_numnodes = 1\n", "max_numnodes: expected at least nodes (2), got '1'" },
		{ "nr_cpus = 0\n", "nr_cpus: expected a positive integer up to 65536, got '0'" },
		/* Plausible values that once aborted in g_error or overflowed
		 * (issue 18, findings 6 and 7): every count has a range. */
		{ "nr_cpus = 2147483647\n", "nr_cpus: expected a positive integer up to 65536, got '2147483647'" },
		{ "max_numnodes = 2147483647\n",
		  "max_numnodes: expected a positive integer up to 4096, got '2147483647'" },
		{ "mem_per_node_mib = 2147483647\n",
		  "mem_per_node_mib: expected a positive integer up to 1048576, got '2147483647'" },
		{ "cpus = 1024\nnodes = 1024\nnr_cpus = 1024\nmax_numnodes = 1024\nmem_per_node_mib = 2048\n",
		  "mem_per_node_mib: expected at most 1048576 MiB in all (1024 nodes: up to 1024 per node), got '2048'" },
		{ "hz = 50\n", "hz: expected an integer from 100 to 10000, got '50'" },
		{ "page_size = 5000\n", "page_size: expected a power of two from 4096 to 65536, got '5000'" },
		{ "cache_line = 16\n", "cache_line: expected a power of two from 32 to 256, got '16'" },
		{ "cache_kib = 1\ncache_ways = 32\n",   /* 1 KiB of 64-byte lines: 16 */
		  "cache_ways: expected at most cache_lines (16 = cache_kib * 1024 / cache_line), got '32'" },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *text = g_strconcat("[machine]\n", bad[i].over, NULL), *path;
		GError *err = override_error(text, &path);

		if (!strstr(err->message, bad[i].want))
			g_test_message("got: %s", err->message);
		g_assert_nonnull(strstr(err->message, bad[i].want));
		g_assert_true(g_str_has_prefix(err->message, path));
		g_clear_error(&err);
		g_unlink(path);
		g_free(path);
		g_free(text);
	}
}

/* machine_key_value: a key as the profile wrote it, else the documented
 * default (desktop-1s's prices, read here from its profile, 4 KiB pages,
 * 64-byte lines, HZ 250, one socket per node, nr_cpus = cpus,
 * max_numnodes = nodes) printed as a scenario would write it; no value
 * for distance (no single default) or an unknown key. */
static void test_key_values(void)
{
	machine_t *m = load_text("[machine]\ncpus = 2\nhit_ns = 0.5\n", NULL);
	GKeyFile *desktop = g_key_file_new();
	static const struct {
		const char *key, *value;
	} want[] = {
		{ "cpus", "2" }, { "hit_ns", "0.5" }, { "nodes", "1" }, { "sockets", "1" },
		{ "nr_cpus", "2" }, { "max_numnodes", "1" }, { "page_size", "4096" },
		{ "cache_line", "64" }, { "hz", "250" },
	};
	static const char *const priced[] = {
		"llc_ns", "xfer_socket_ns", "xfer_remote_ns", "xfer_per_distance_ns",
		"mem_local_ns", "mem_per_distance_ns", "rmw_ns", "inval_ns", "op_ns", "irq_ns",
	};

	g_assert_true(g_key_file_load_from_file(desktop, DIR "/desktop-1s.machine", 0, NULL));
	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
		char *v = machine_key_value(m, want[i].key);

		g_assert_cmpstr(v, ==, want[i].value);
		g_free(v);
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(priced); i++) {
		char *v = machine_key_value(m, priced[i]);
		char *d = g_strdup_printf("%.3f", g_key_file_get_double(desktop, "machine", priced[i], NULL));

		g_assert_cmpstr(v, ==, d);
		g_free(v);
		g_free(d);
	}
	g_assert_null(machine_key_value(m, "distance"));
	g_assert_null(machine_key_value(m, "bogus"));
	g_key_file_free(desktop);
	machine_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/machine/desktop", test_desktop);
	g_test_add_func("/machine/nehalem", test_nehalem);
	g_test_add_func("/machine/opteron", test_opteron);
	g_test_add_func("/machine/by_path", test_by_path);
	g_test_add_func("/machine/overrides", test_overrides);
	g_test_add_func("/machine/unknown_key", test_unknown_key);
	g_test_add_func("/machine/bad_value", test_bad_value);
	g_test_add_func("/machine/bad_matrix", test_bad_matrix);
	g_test_add_func("/machine/fattree", test_fattree);
	g_test_add_func("/machine/prices", test_prices);
	g_test_add_func("/machine/bad-geometry", test_bad_geometry);
	g_test_add_func("/machine/key-values", test_key_values);
	return g_test_run();
}
