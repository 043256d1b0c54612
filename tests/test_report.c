/*
 * test_report.c -- the report's own consistency, for every allocator of a
 * quickstart run: percentiles in order, the cost breakdown adding up to
 * the mean latency, fast and slow paths adding up to the operations, and
 * the text report's /proc/slabinfo table showing
 * the numbers of results.json (the text is rendered from the JSON tree;
 * this checks the rendering, field by field, as slabinfo 2.1 orders them).
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static char *tmpdir;
static JsonNode *results;
static char *report;

static JsonObject *obj(JsonObject *o, const char *name)
{
	return json_object_get_object_member(o, name);
}

static JsonObject *allocators(void)
{
	return obj(json_node_get_object(results), "allocators");
}

static void test_percentiles(void)
{
	static const char *const order[] = { "p50", "p90", "p99", "p999", "max" };
	GList *names = json_object_get_members(allocators());

	for (GList *l = names; l; l = l->next)
		for (int op = 0; op < 2; op++) {
			JsonObject *lat = obj(obj(obj(allocators(), l->data), "latency_ns"), op ? "free" : "alloc");
			for (size_t i = 1; i < G_N_ELEMENTS(order); i++)
				g_assert_cmpfloat(json_object_get_double_member(lat, order[i - 1]), <=,
				                  json_object_get_double_member(lat, order[i]));
			g_assert_cmpfloat(json_object_get_double_member(lat, "mean"), <=,
			                  json_object_get_double_member(lat, "max"));
		}
	g_list_free(names);
}

/* The parts of breakdown_ns_per_op.OP add up to its total, and the total
 * is the mean latency of OP (each within rounding of the JSON doubles). */
static void test_breakdown_sums(void)
{
	GList *names = json_object_get_members(allocators());

	for (GList *l = names; l; l = l->next)
		for (int op = 0; op < 2; op++) {
			const char *k = op ? "free" : "alloc";
			JsonObject *a = obj(allocators(), l->data), *b = obj(obj(a, "breakdown_ns_per_op"), k);
			GList *parts = json_object_get_members(b);
			double sum = 0, total = json_object_get_double_member(b, "total");

			for (GList *p = parts; p; p = p->next)
				if (strcmp(p->data, "total") != 0)
					sum += json_object_get_double_member(b, p->data);
			g_assert_cmpfloat_with_epsilon(sum, total, 1e-6 * total + 1e-3);
			g_assert_cmpfloat_with_epsilon(total, json_object_get_double_member(obj(obj(a, "latency_ns"), k), "mean"),
			                               1e-6 * total + 1e-3);
			g_list_free(parts);
		}
	g_list_free(names);
}

/* Every operation the run counted took exactly one of the two paths the
 * allocator counted. */
static void test_paths_cover_ops(void)
{
	GList *names = json_object_get_members(allocators());
	int with_paths = 0;

	for (GList *l = names; l; l = l->next) {
		JsonObject *a = obj(allocators(), l->data);
		if (!json_object_has_member(a, "paths"))
			continue;
		with_paths++;
		for (int op = 0; op < 2; op++) {
			const char *k = op ? "free" : "alloc";
			JsonObject *p = obj(obj(a, "paths"), k);
			g_assert_cmpint(json_object_get_int_member(p, "fast") + json_object_get_int_member(p, "slow"),
			                ==, json_object_get_int_member(obj(a, "ops"), k));
		}
	}
	g_assert_cmpint(with_paths, ==, 4);      /* all but SLOB */
	g_list_free(names);
}

/* The slabinfo rows of allocator `name` in report.txt: between its
 * "== name ==" heading and the next heading. */
static char **slabinfo_rows(const char *name)
{
	char *head = g_strdup_printf("== %s ==\n", name);
	const char *from = strstr(report, head), *to, *table;
	char *section, **rows;

	g_assert_nonnull(from);
	to = strstr(from + strlen(head), "\n== ");
	section = g_strndup(from, to ? (gsize)(to - from) : strlen(from));
	table = strstr(section, "slabinfo - version: 2.1\n");
	g_assert_nonnull(table);
	table = strchr(strchr(table, '\n') + 1, '\n') + 1;   /* past the "# name" line */
	rows = g_strsplit(table, "\n", -1);
	g_free(section);
	g_free(head);
	return rows;
}

static void expect_field(JsonObject *c, const char *key, const char *text)
{
	g_assert_cmpint(json_object_get_int_member(c, key), ==, strtoll(text, NULL, 10));
}

/* Each row: name active_objs num_objs objsize objperslab pagesperslab :
 * tunables limit batchcount sharedfactor : slabdata active_slabs
 * num_slabs sharedavail. */
static void test_slabinfo_matches_json(void)
{
	JsonObject *caches = obj(obj(allocators(), "slub"), "caches");
	char **rows = slabinfo_rows("slub");
	int seen = 0;

	for (char **row = rows; *row && **row; row++) {
		char **f = g_strsplit_set(*row, " ", -1);
		GPtrArray *w = g_ptr_array_new();
		JsonObject *c;

		for (char **x = f; *x; x++)
			if (**x)
				g_ptr_array_add(w, *x);
		g_assert_cmpuint(w->len, ==, 16);
		c = obj(caches, w->pdata[0]);
		g_assert_nonnull(c);
		expect_field(c, "active_objs", w->pdata[1]);
		expect_field(c, "num_objs", w->pdata[2]);
		expect_field(c, "size", w->pdata[3]);      /* the stride, as Linux prints */
		expect_field(c, "objects_per_slab", w->pdata[4]);
		g_assert_cmpint(1 << json_object_get_int_member(c, "order"), ==, atoi(w->pdata[5]));
		expect_field(c, "limit", w->pdata[8]);
		expect_field(c, "batchcount", w->pdata[9]);
		expect_field(c, "sharedfactor", w->pdata[10]);
		expect_field(c, "active_slabs", w->pdata[13]);
		expect_field(c, "slabs", w->pdata[14]);
		expect_field(c, "sharedavail", w->pdata[15]);
		seen++;
		g_ptr_array_free(w, TRUE);
		g_strfreev(f);
	}
	g_assert_cmpint(seen, ==, json_object_get_size(caches));
	g_strfreev(rows);
}

int main(int argc, char **argv)
{
	char *dir, *path;
	int status;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("slabsim-report-XXXXXX", NULL);
	dir = g_build_filename(tmpdir, "quickstart", NULL);
	results = harness_run_scenario("scenarios/quickstart.scn", dir, "--set", "workload.batches=100", NULL);
	path = g_build_filename(dir, "report.txt", NULL);
	g_assert_true(g_file_get_contents(path, &report, NULL, NULL));
	g_test_add_func("/report/percentiles", test_percentiles);
	g_test_add_func("/report/breakdown-sums", test_breakdown_sums);
	g_test_add_func("/report/slabinfo-matches-json", test_slabinfo_matches_json);
	g_test_add_func("/report/paths-cover-ops", test_paths_cover_ops);
	status = g_test_run();
	json_node_unref(results);
	harness_rm_rf(tmpdir);
	g_free(report);
	g_free(path);
	g_free(dir);
	g_free(tmpdir);
	return status;
}
