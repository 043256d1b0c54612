/*
 * out_int.h -- what the output modules share (internal to sim/out):
 * reading members of a results tree without tripping on absent ones,
 * and the report object itself.
 */
#ifndef SLABSIM_OUT_INT_H
#define SLABSIM_OUT_INT_H

#include <json-glib/json-glib.h>
#include "report.h"

struct report {
	const scenario_t *sc;
	JsonObject *root;          /* {"slabsim", "scenario", "allocators", "scenario_typed"} */
	JsonObject *allocators;
	GPtrArray *csv_names;      /* file name, then contents, pairwise */
	GString *breakdown_csv;    /* one file for every allocator */
	GString *locks_csv;
	GString *cpus_csv;
	GString *tasks_csv;
	GString *caches_csv;
	char *baseline;            /* the label ratios are taken to (NULL: the first) */
};

/* Member k of o as an object; NULL if o is NULL or k is absent or not one. */
static inline JsonObject *oget(JsonObject *o, const char *k)
{
	JsonNode *n = o && json_object_has_member(o, k) ? json_object_get_member(o, k) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static inline gint64 iget(JsonObject *o, const char *k)
{
	return o && json_object_has_member(o, k) ? json_object_get_int_member(o, k) : 0;
}

static inline double dget(JsonObject *o, const char *k)
{
	return o && json_object_has_member(o, k) ? json_object_get_double_member(o, k) : 0;
}

static inline const char *sget(JsonObject *o, const char *k, const char *def)
{
	JsonNode *n = o && json_object_has_member(o, k) ? json_object_get_member(o, k) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
	       json_node_get_string(n) : def;
}

/* Rows (NULL-terminated arrays of cells, the first row the header) with
 * every column as wide as its widest cell: the first column
 * left-aligned, the others right-aligned, the last left-aligned when
 * `last_left` (text.c). */
void out_print_rows(GString *s, GPtrArray *rows, bool last_left);

/* Append text wrapped at 100 columns, continuation lines indented. */
void out_wrap(GString *s, const char *text, int indent);

/* The LIFO-reuse comparison of a replay (reuse_out.c): into allocator
 * object a of results.json, and as text (at most `most` caches; 0: all). */
void report_add_reuse(JsonObject *a, const run_stats_t *st);
void text_reuse(GString *s, JsonObject *a, guint most);

/* The text report's parts (text.c). */
char *text_full(report_t *rep);
char *text_summary(report_t *rep, const char *dir);

#endif
