/*
 * report.c -- bench/results.json and the table, with ratios to a baseline
 * file of the same form.
 */
#include <stdio.h>
#include <json-glib/json-glib.h>
#include "bench.h"

static void add_result(JsonBuilder *b, const bench_result_t *r)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "shape");
	json_builder_add_string_value(b, r->shape);
	json_builder_set_member_name(b, "allocator");
	json_builder_add_string_value(b, r->alloc);
	json_builder_set_member_name(b, "command");
	json_builder_add_string_value(b, r->command);
	json_builder_set_member_name(b, "ops");
	json_builder_add_int_value(b, (gint64)r->ops);
	json_builder_set_member_name(b, "cpu_s_median");
	json_builder_add_double_value(b, r->cpu_median);
	json_builder_set_member_name(b, "cpu_s_runs");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->cpu->len; i++)
		json_builder_add_double_value(b, g_array_index(r->cpu, double, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "ops_per_cpu_s");
	json_builder_add_double_value(b, r->cpu_median > 0 ? (double)r->ops / r->cpu_median : 0);
	json_builder_set_member_name(b, "peak_rss_mib");
	json_builder_add_double_value(b, r->rss_mib);
	if (r->events) {
		json_builder_set_member_name(b, "events");
		json_builder_add_int_value(b, (gint64)r->events);
		json_builder_set_member_name(b, "events_per_cpu_s");
		json_builder_add_double_value(b, r->cpu_median > 0 ? (double)r->events / r->cpu_median : 0);
	}
	if (r->ir_per_op >= 0) {
		json_builder_set_member_name(b, "ir_per_op");
		json_builder_add_double_value(b, r->ir_per_op);
	}
	json_builder_end_object(b);
}

gboolean bench_write_json(const char *path, const bench_opts_t *o, GPtrArray *results,
                          GError **err)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	gboolean ok;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "runs");
	json_builder_add_int_value(b, o->runs);
	json_builder_set_member_name(b, "cpu_time");
	json_builder_add_string_value(b, "user + system seconds of the slabsim process and its children, median of the runs");
	json_builder_set_member_name(b, "results");
	json_builder_begin_array(b);
	for (guint i = 0; i < results->len; i++)
		add_result(b, results->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	json_generator_set_pretty(g, TRUE);
	ok = json_generator_to_file(g, path, err);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return ok;
}

/* The baseline's entry for shape/allocator, or NULL. */
static JsonObject *baseline_entry(JsonArray *base, const bench_result_t *r)
{
	for (guint i = 0; base && i < json_array_get_length(base); i++) {
		JsonObject *e = json_array_get_object_element(base, i);
		if (g_strcmp0(json_object_get_string_member_with_default(e, "shape", ""), r->shape) == 0 &&
		    g_strcmp0(json_object_get_string_member_with_default(e, "allocator", ""), r->alloc) == 0)
			return e;
	}
	return NULL;
}

/* "2.31x" (baseline / now: above 1 is faster), or "-". */
static char *ratio(JsonObject *e, const char *key, double now)
{
	double was = e && json_object_has_member(e, key) ? json_object_get_double_member(e, key) : -1;

	return was > 0 && now > 0 ? g_strdup_printf("%.2fx", was / now) : g_strdup("-");
}

void bench_print(GPtrArray *results, const char *baseline_path)
{
	JsonParser *p = json_parser_new();
	JsonArray *base = NULL;

	if (baseline_path && json_parser_load_from_file(p, baseline_path, NULL)) {
		JsonObject *root = json_node_get_object(json_parser_get_root(p));
		if (root && json_object_has_member(root, "results"))
			base = json_object_get_array_member(root, "results");
	}
	printf("%-17s %-9s %10s %9s %12s %9s %9s %9s %9s\n", "shape", "allocator", "ops",
	       "cpu_s", "ops/cpu_s", "rss_MiB", "Ir/op", "cpu_vs_b", "Ir_vs_b");
	for (guint i = 0; i < results->len; i++) {
		const bench_result_t *r = results->pdata[i];
		JsonObject *e = baseline_entry(base, r);
		char *rc = ratio(e, "cpu_s_median", r->cpu_median);
		char *ri = r->ir_per_op >= 0 ? ratio(e, "ir_per_op", r->ir_per_op) : g_strdup("-");
		char *ir = r->ir_per_op >= 0 ? g_strdup_printf("%.0f", r->ir_per_op) : g_strdup("-");

		printf("%-17s %-9s %10" G_GUINT64_FORMAT " %9.3f %12.0f %9.1f %9s %9s %9s\n", r->shape,
		       r->alloc, r->ops, r->cpu_median, r->cpu_median > 0 ? (double)r->ops / r->cpu_median : 0,
		       r->rss_mib, ir, rc, ri);
		g_free(rc);
		g_free(ri);
		g_free(ir);
	}
	for (guint i = 0; i < results->len; i++) {
		const bench_result_t *r = results->pdata[i];
		if (r->events && r->cpu_median > 0)
			printf("%s: %" G_GUINT64_FORMAT " trace events replayed, %.0f events per CPU second\n",
			       r->shape, r->events, (double)r->events / r->cpu_median);
	}
	if (baseline_path)
		printf("baseline: %s%s (ratios are baseline / now: above 1 is better)\n", baseline_path,
		       base ? "" : " (not found or unreadable: no ratios)");
	g_object_unref(p);
}
