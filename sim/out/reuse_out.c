/*
 * reuse_out.c -- the LIFO-reuse comparison of a replay in results.json
 * ("reuse") and in report.txt: per cache key and overall, the input
 * trace's fraction beside the simulated allocator's (reuse.h defines the
 * statistic; docs/report-schema.md the layout).  Keys are listed by the
 * input's allocations, most first (name order breaking ties), then the
 * keys only the simulation has, by name.
 */
#include <string.h>
#include "out_int.h"

static JsonObject *count_object(reuse_count_t c)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "allocs", (gint64)c.allocs);
	json_object_set_int_member(o, "reuses", (gint64)c.reuses);
	json_object_set_double_member(o, "fraction", c.allocs ? (double)c.reuses / (double)c.allocs : 0);
	return o;
}

typedef struct keyed {
	const char *name;
	reuse_count_t c;
} keyed_t;

static gint by_allocs(gconstpointer a, gconstpointer b)
{
	const keyed_t *x = a, *y = b;

	if (x->c.allocs != y->c.allocs)
		return x->c.allocs > y->c.allocs ? -1 : 1;
	return strcmp(x->name, y->name);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(((const keyed_t *)a)->name, ((const keyed_t *)b)->name);
}

/* The keys of r (NULL: none), sorted by allocations. */
static GArray *sorted_keys(const reuse_t *r)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(keyed_t));

	for (int k = 0; r && k < reuse_nkeys(r); k++) {
		keyed_t e = { reuse_key_name(r, k), reuse_count(r, k) };
		g_array_append_val(a, e);
	}
	g_array_sort(a, by_allocs);
	return a;
}

/* The count of key `name` in r, if it has it. */
static bool find(const reuse_t *r, const char *name, reuse_count_t *out)
{
	for (int k = 0; r && k < reuse_nkeys(r); k++)
		if (strcmp(reuse_key_name(r, k), name) == 0) {
			*out = reuse_count(r, k);
			return true;
		}
	return false;
}

static void add_key(JsonObject *caches, const run_stats_t *st, const char *name)
{
	JsonObject *o = json_object_new();
	reuse_count_t c;

	if (find(st->reuse_input, name, &c))
		json_object_set_object_member(o, "input", count_object(c));
	if (find(st->reuse_sim, name, &c))
		json_object_set_object_member(o, "simulated", count_object(c));
	json_object_set_object_member(caches, name, o);
}

void report_add_reuse(JsonObject *a, const run_stats_t *st)
{
	JsonObject *o, *caches;
	GArray *in, *sim;

	if (!st->reuse_sim)
		return;
	o = json_object_new();
	caches = json_object_new();
	in = sorted_keys(st->reuse_input);
	sim = sorted_keys(st->reuse_sim);
	if (st->reuse_input)
		json_object_set_object_member(o, "input", count_object(reuse_total(st->reuse_input)));
	json_object_set_object_member(o, "simulated", count_object(reuse_total(st->reuse_sim)));
	json_object_set_boolean_member(o, "accounted_merged", st->reuse_input_accounted && !st->reuse_has_cg);
	for (guint i = 0; i < in->len; i++)
		add_key(caches, st, g_array_index(in, keyed_t, i).name);
	g_array_sort(sim, by_name);
	for (guint i = 0; i < sim->len; i++) {
		const char *name = g_array_index(sim, keyed_t, i).name;
		if (!json_object_has_member(caches, name))
			add_key(caches, st, name);
	}
	json_object_set_object_member(o, "caches", caches);
	json_object_set_object_member(a, "reuse", o);
	g_array_free(in, TRUE);
	g_array_free(sim, TRUE);
}

/* "65.9% of 12345" or "-". */
static char *cell(JsonObject *c)
{
	if (!c)
		return g_strdup("-");
	return g_strdup_printf("%.1f%% of %" G_GINT64_FORMAT, 100 * dget(c, "fraction"), iget(c, "allocs"));
}

static char *diff_cell(JsonObject *in, JsonObject *sim)
{
	if (!in || !sim || !iget(in, "allocs") || !iget(sim, "allocs"))
		return g_strdup("-");
	return g_strdup_printf("%+.1f", 100 * (dget(sim, "fraction") - dget(in, "fraction")));
}

static void add_row(GPtrArray *rows, const char *name, JsonObject *in, JsonObject *sim)
{
	char **row = g_new0(char *, 5);

	row[0] = g_strconcat("  ", name, NULL);
	row[1] = cell(in);
	row[2] = cell(sim);
	row[3] = diff_cell(in, sim);
	g_ptr_array_add(rows, row);
}

/* The comparison in report.txt: overall, then the caches (at most `most`
 * rows; 0: all). */
void text_reuse(GString *s, JsonObject *a, guint most)
{
	JsonObject *r = oget(a, "reuse"), *caches = oget(r, "caches");
	GPtrArray *rows;
	GList *names;
	guint n = 0;

	if (!r)
		return;
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_string_append(s, "LIFO reuse (allocations returning the object last freed on the same CPU "
	                "from the same cache; docs/workloads.md)\n");
	g_ptr_array_add(rows, g_strdupv((char *[]){ "  cache", "input trace", "simulated",
	                                            "sim - input (points)", NULL }));
	add_row(rows, "overall", oget(r, "input"), oget(r, "simulated"));
	names = json_object_get_members(caches);
	for (GList *l = names; l && (!most || n < most); l = l->next, n++) {
		JsonObject *c = oget(caches, l->data);
		add_row(rows, l->data, oget(c, "input"), oget(c, "simulated"));
	}
	out_print_rows(s, rows, false);
	if (most && g_list_length(names) > most)
		g_string_append_printf(s, "  (%u more caches in results.json)\n", g_list_length(names) - most);
	if (json_object_get_boolean_member(r, "accounted_merged"))
		out_wrap(s, "  the trace has accounted allocations (kmalloc-cg-N): this allocator has no "
		         "kmalloc-cg caches and merges them into kmalloc-N", 4);
	g_list_free(names);
	g_ptr_array_free(rows, TRUE);
}
