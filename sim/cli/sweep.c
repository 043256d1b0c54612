/*
 * sweep.c -- parameter sweeps (see sweep.h).
 *
 * The metrics of every point and allocator are the METRIC_SWEEP rows of
 * the metric table (metrics.h), read from each point's results.json.
 */
#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "sweep.h"
#include "metrics.h"
#include "scenario.h"

bool sweep_add_vary(sweep_spec_t *spec, const char *vary, GError **err)
{
	const char *eq = strchr(vary, '=');
	char *key = eq ? g_strstrip(g_strndup(vary, eq - vary)) : NULL;
	sweep_key_t *k;

	if (!key || !strchr(key, '.') || !eq[1] || strchr(key, '/') || strchr(key, ',')) {
		g_set_error(err, SLABSIM_ERROR, 1, "--vary %s: expected section.key=v1,v2,...", vary);
		g_free(key);
		return false;
	}
	if (!spec->keys)
		spec->keys = g_ptr_array_new();
	for (guint i = 0; i < spec->keys->len; i++)
		if (strcmp(((sweep_key_t *)spec->keys->pdata[i])->key, key) == 0) {
			g_set_error(err, SLABSIM_ERROR, 1, "--vary %s: %s is varied twice (give all its values "
			            "in one --vary)", vary, key);
			g_free(key);
			return false;
		}
	k = g_new0(sweep_key_t, 1);
	k->key = key;
	k->values = g_strsplit(eq + 1, ",", -1);
	g_ptr_array_add(spec->keys, k);
	for (int i = 0; k->values[i]; i++) {
		g_strstrip(k->values[i]);
		if (!*k->values[i] || strchr(k->values[i], '/')) {
			g_set_error(err, SLABSIM_ERROR, 1, "--vary %s: value %d is empty or has a '/'",
			            vary, i + 1);
			return false;
		}
	}
	return true;
}

void sweep_spec_clear(sweep_spec_t *spec)
{
	for (guint i = 0; spec->keys && i < spec->keys->len; i++) {
		sweep_key_t *k = spec->keys->pdata[i];
		g_free(k->key);
		g_strfreev(k->values);
		g_free(k);
	}
	if (spec->keys)
		g_ptr_array_free(spec->keys, TRUE);
	spec->keys = NULL;
}

static int ncombos(const sweep_spec_t *spec)
{
	int n = 1;

	for (guint i = 0; i < spec->keys->len; i++)
		n *= (int)g_strv_length(((sweep_key_t *)spec->keys->pdata[i])->values);
	return n;
}

int sweep_npoints(const sweep_spec_t *spec)
{
	return ncombos(spec) * spec->seeds;
}

/* The value of key k at combination c (the first key varies slowest). */
static const char *value_at(const sweep_spec_t *spec, int c, guint k)
{
	int stride = 1;

	for (guint j = spec->keys->len; j-- > k + 1;)
		stride *= (int)g_strv_length(((sweep_key_t *)spec->keys->pdata[j])->values);
	sweep_key_t *key = spec->keys->pdata[k];
	return key->values[(c / stride) % (int)g_strv_length(key->values)];
}

/* Point i: combination i / seeds, seed first_seed + i % seeds. */
static uint64_t seed_of(const sweep_spec_t *spec, int i)
{
	return spec->first_seed + (uint64_t)(i % spec->seeds);
}

/* "machine.nodes=64,workload.objects=100[,seed=2]" */
static char *point_name(const sweep_spec_t *spec, int i)
{
	GString *s = g_string_new(NULL);
	int c = i / spec->seeds;

	for (guint k = 0; k < spec->keys->len; k++)
		g_string_append_printf(s, "%s%s=%s", k ? "," : "", ((sweep_key_t *)spec->keys->pdata[k])->key,
		                       value_at(spec, c, k));
	if (spec->seeds > 1)
		g_string_append_printf(s, ",seed=%" G_GUINT64_FORMAT, seed_of(spec, i));
	return g_string_free(s, FALSE);
}

static char *point_dir(const sweep_spec_t *spec, const char *out, int i)
{
	char *name = point_name(spec, i);
	char *dir = g_build_filename(out, name, NULL);

	g_free(name);
	return dir;
}

/* The --set arguments of combination c (without the seed). */
static char **combo_sets(const sweep_spec_t *spec, int c)
{
	GPtrArray *a = g_ptr_array_new();

	for (int i = 0; spec->sets && spec->sets[i]; i++)
		g_ptr_array_add(a, g_strdup(spec->sets[i]));
	for (guint k = 0; k < spec->keys->len; k++)
		g_ptr_array_add(a, g_strconcat(((sweep_key_t *)spec->keys->pdata[k])->key, "=",
		                               value_at(spec, c, k), NULL));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

bool sweep_check(sweep_spec_t *spec, const char *root, GError **err)
{
	int n = ncombos(spec);

	for (int c = 0; c < n; c++) {
		char **sets = combo_sets(spec, c);
		scenario_t *sc = scenario_load(spec->scenario, root, sets, err);
		g_strfreev(sets);
		if (!sc) {
			char *name = point_name(spec, c * spec->seeds);
			g_prefix_error(err, "sweep point %s: ", name);
			g_free(name);
			return false;
		}
		spec->first_seed = sc->seed;
		scenario_free(sc);
	}
	return true;
}

static char **argv_for(const sweep_spec_t *spec, const char *self, const char *out, int i)
{
	GPtrArray *a = g_ptr_array_new();
	char **sets = combo_sets(spec, i / spec->seeds);

	g_ptr_array_add(a, g_strdup(self));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(spec->scenario));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("--no-plots"));
	g_ptr_array_add(a, g_strdup("--jobs=1"));         /* one worker per point */
	g_ptr_array_add(a, g_strdup("--force"));
	g_ptr_array_add(a, g_strdup("--out"));
	g_ptr_array_add(a, point_dir(spec, out, i));
	for (int j = 0; sets[j]; j++) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strdup(sets[j]));
	}
	if (spec->seeds > 1) {
		g_ptr_array_add(a, g_strdup("--seed"));
		g_ptr_array_add(a, g_strdup_printf("%" G_GUINT64_FORMAT, seed_of(spec, i)));
	}
	g_ptr_array_add(a, NULL);
	g_strfreev(sets);
	return (char **)g_ptr_array_free(a, FALSE);
}

char **sweep_point_argv(const sweep_spec_t *spec, const char *self, int i)
{
	return argv_for(spec, self, spec->final_out ? spec->final_out : spec->out, i);
}

/* Start point i; returns the subprocess or NULL with *err set. */
static GSubprocess *start_point(const sweep_spec_t *spec, const char *self, int i, GError **err)
{
	char **argv = argv_for(spec, self, spec->out, i);
	GSubprocess *p = g_subprocess_newv((const char *const *)argv,
	                                   G_SUBPROCESS_FLAGS_STDERR_PIPE, err);

	g_strfreev(argv);
	return p;
}

/* Wait for p; false with the point's stderr in *err if it failed.  What
 * a successful point says (warnings) is passed on. */
static bool finish_point(GSubprocess *p, const char *name, GError **err)
{
	char *errout = NULL;
	bool ok = g_subprocess_communicate_utf8(p, NULL, NULL, NULL, &errout, err);

	if (ok && !g_subprocess_get_successful(p)) {
		g_set_error(err, SLABSIM_ERROR, 1, "point %s failed:\n%s", name, errout ? errout : "");
		ok = false;
	} else if (ok && errout && *errout) {
		g_printerr("slabsim: point %s:\n%s", name, errout);
	}
	g_free(errout);
	return ok;
}

bool sweep_run(const sweep_spec_t *spec, const char *self, GError **err)
{
	int n = sweep_npoints(spec), next = 0, done = 0;
	GSubprocess **running = g_new0(GSubprocess *, n);
	bool ok = true;

	/* Points start in order and finish in order: at most `jobs` in flight. */
	while (ok && done < n) {
		while (ok && next < n && next - done < spec->jobs) {
			running[next] = start_point(spec, self, next, err);
			ok = running[next++] != NULL;
		}
		if (ok) {
			char *name = point_name(spec, done);
			g_printerr("slabsim: sweep point %d of %d (%s)\n", done + 1, n, name);
			ok = finish_point(running[done], name, err);
			g_clear_object(&running[done]);
			done++;
			g_free(name);
		}
	}
	for (int i = 0; i < n; i++)
		if (running[i]) {
			g_subprocess_force_exit(running[i]);
			g_subprocess_wait(running[i], NULL, NULL);
			g_object_unref(running[i]);
		}
	g_free(running);
	return ok && sweep_collect(spec, err);
}

/* ---- collecting ---- */

/* The values of one (combination, allocator, metric) over the seeds. */
typedef struct cell {
	double sum, min, max;
	int n;
	GArray *values;           /* double: kept for the deviation (two passes) */
} cell_t;

static void cell_add(cell_t *c, double v)
{
	c->min = c->n ? MIN(c->min, v) : v;
	c->max = c->n ? MAX(c->max, v) : v;
	c->sum += v;
	c->n++;
	if (!c->values)
		c->values = g_array_new(FALSE, FALSE, sizeof(double));
	g_array_append_val(c->values, v);
}

/* The sample standard deviation (0 for one value). */
static double cell_sd(const cell_t *c)
{
	double mean = c->sum / c->n, ss = 0;

	for (guint i = 0; i < c->values->len; i++) {
		double d = g_array_index(c->values, double, i) - mean;
		ss += d * d;
	}
	return c->n > 1 ? sqrt(ss / (c->n - 1)) : 0;
}

static void cell_free(gpointer p)
{
	cell_t *c = p;

	if (c->values)
		g_array_free(c->values, TRUE);
	g_free(c);
}

/* Key columns of combination c: "v1,v2," */
static char *key_cells(const sweep_spec_t *spec, int c)
{
	GString *s = g_string_new(NULL);

	for (guint k = 0; k < spec->keys->len; k++)
		g_string_append_printf(s, "%s,", value_at(spec, c, k));
	return g_string_free(s, FALSE);
}

static char *header(const sweep_spec_t *spec, const csv_layout_t *l)
{
	GString *s = g_string_new(NULL);

	for (guint k = 0; k < spec->keys->len; k++)
		g_string_append_printf(s, "%s,", ((sweep_key_t *)spec->keys->pdata[k])->key);
	g_string_append_printf(s, "%s\n", l->header);
	return g_string_free(s, FALSE);
}

/* Rows of one point into csv, and its values into the cells of its
 * combination (allocators in the order of the first point). */
static void point_rows(GString *csv, const sweep_spec_t *spec, int i, JsonObject *allocs,
                       GPtrArray *names, GHashTable *cells)
{
	GList *labels = json_object_get_members(allocs);
	char *keys = key_cells(spec, i / spec->seeds);

	for (GList *l = labels; l; l = l->next) {
		JsonObject *a = json_object_get_object_member(allocs, l->data);
		bool seen = false;
		for (guint j = 0; j < names->len && !seen; j++)
			seen = strcmp(names->pdata[j], l->data) == 0;
		if (!seen)
			g_ptr_array_add(names, g_strdup(l->data));
		for (const metric_t *m = metric_table; m->name; m++) {
			if (!(m->where & METRIC_SWEEP))
				continue;
			double v = metric_value(m, a);
			char *ck = g_strdup_printf("%d\n%s\n%s", i / spec->seeds, (char *)l->data, m->name);
			cell_t *c = g_hash_table_lookup(cells, ck);
			if (!c) {
				c = g_new0(cell_t, 1);
				g_hash_table_insert(cells, ck, c);
			} else {
				g_free(ck);
			}
			cell_add(c, v);
			g_string_append_printf(csv, "%s%" G_GUINT64_FORMAT ",%s,%s,%.10g\n", keys,
			                       seed_of(spec, i), (char *)l->data, m->name, v);
		}
	}
	g_free(keys);
	g_list_free(labels);
}

/* sweep-summary.csv: per combination, allocator and metric, over seeds. */
static char *summary(const sweep_spec_t *spec, GPtrArray *names, GHashTable *cells)
{
	char *h = header(spec, &csv_sweep_summary);
	GString *s = g_string_new(h);
	int n = ncombos(spec);

	for (int c = 0; c < n; c++) {
		char *keys = key_cells(spec, c);
		for (guint a = 0; a < names->len; a++)
			for (const metric_t *m = metric_table; m->name; m++) {
				char *ck;
				cell_t *x;
				if (!(m->where & METRIC_SWEEP))
					continue;
				ck = g_strdup_printf("%d\n%s\n%s", c, (char *)names->pdata[a], m->name);
				x = g_hash_table_lookup(cells, ck);
				g_free(ck);
				if (!x)
					continue;
				g_string_append_printf(s, "%s%s,%s,%d,%.10g,%.10g,%.10g,%.10g\n", keys,
				                       (char *)names->pdata[a], m->name, x->n, x->sum / x->n,
				                       cell_sd(x), x->min, x->max);
			}
		g_free(keys);
	}
	g_free(h);
	return g_string_free(s, FALSE);
}

/* sweep.json: what the sweep is (for captions, and for people): the
 * scenario and its description, workload and machine (from the first
 * point), the varied keys and their values, the seeds, the fixed sets. */
static bool write_description(const sweep_spec_t *spec, JsonObject *first, GError **err)
{
	JsonObject *o = json_object_new(), *keys = json_object_new();
	JsonObject *sc = first && json_object_has_member(first, "scenario") ?
	                 json_object_get_object_member(json_object_get_object_member(first, "scenario"),
	                                               "scenario") : NULL;
	JsonArray *sets = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *text, *path;
	bool ok;
	static const char *const copied[] = { "description", "workload", "machine" };

	json_object_set_string_member(o, "scenario", spec->scenario);
	for (size_t i = 0; i < G_N_ELEMENTS(copied); i++)
		json_object_set_string_member(o, copied[i], sc && json_object_has_member(sc, copied[i]) ?
		                              json_object_get_string_member(sc, copied[i]) : "");
	for (guint k = 0; k < spec->keys->len; k++) {
		sweep_key_t *key = spec->keys->pdata[k];
		JsonArray *v = json_array_new();
		for (int i = 0; key->values[i]; i++)
			json_array_add_string_element(v, key->values[i]);
		json_object_set_array_member(keys, key->key, v);
	}
	json_object_set_object_member(o, "vary", keys);
	json_object_set_int_member(o, "seeds", spec->seeds);
	json_object_set_int_member(o, "first_seed", (gint64)spec->first_seed);
	for (int i = 0; spec->sets && spec->sets[i]; i++)
		json_array_add_string_element(sets, spec->sets[i]);
	json_object_set_array_member(o, "set", sets);
	json_node_take_object(node, o);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	path = g_build_filename(spec->out, "sweep.json", NULL);
	ok = g_file_set_contents(path, text, -1, err);
	g_free(path);
	g_free(text);
	g_object_unref(gen);
	json_node_unref(node);
	return ok;
}

bool sweep_collect(const sweep_spec_t *spec, GError **err)
{
	JsonParser *first = NULL;
	char *h = header(spec, &csv_sweep), *path, *sum;
	GString *csv = g_string_new(h);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GHashTable *cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cell_free);
	int n = sweep_npoints(spec);
	bool ok = true;

	for (int i = 0; ok && i < n; i++) {
		char *dir = point_dir(spec, spec->out, i);
		char *json = g_build_filename(dir, "results.json", NULL);
		JsonParser *p = json_parser_new();
		ok = json_parser_load_from_file(p, json, err);
		if (ok)
			point_rows(csv, spec, i, json_object_get_object_member(
				json_node_get_object(json_parser_get_root(p)), "allocators"), names, cells);
		else
			g_prefix_error(err, "sweep point %s: ", dir);
		if (ok && !first)
			first = g_object_ref(p);
		g_object_unref(p);
		g_free(json);
		g_free(dir);
	}
	path = g_strconcat(spec->out, G_DIR_SEPARATOR_S, csv_sweep.name, ".csv", NULL);
	ok = ok && g_file_set_contents(path, csv->str, -1, err);
	g_free(path);
	if (ok) {
		sum = summary(spec, names, cells);
		path = g_strconcat(spec->out, G_DIR_SEPARATOR_S, csv_sweep_summary.name, ".csv", NULL);
		ok = g_file_set_contents(path, sum, -1, err) &&
		     write_description(spec, first ? json_node_get_object(json_parser_get_root(first)) : NULL, err);
		g_free(path);
		g_free(sum);
	}
	if (first)
		g_object_unref(first);
	g_hash_table_destroy(cells);
	g_ptr_array_free(names, TRUE);
	g_string_free(csv, TRUE);
	g_free(h);
	return ok;
}
