/*
 * sweep.c -- parameter sweeps (see sweep.h).
 *
 * Metrics per point and allocator, from results.json: peak slab, live and
 * metadata bytes, metadata per cache (mean over the allocator's caches) and
 * of its largest cache, SLAB-style "alien" metadata, throughput, and the
 * p99 of alloc and free.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include "sweep.h"
#include "metrics.h"
#include "scenario.h"

bool sweep_parse_vary(sweep_spec_t *spec, const char *vary, GError **err)
{
	const char *eq = strchr(vary, '=');
	char *key = eq ? g_strndup(vary, eq - vary) : NULL;

	if (!key || !strchr(key, '.') || !eq[1]) {
		g_set_error(err, SLABSIM_ERROR, 1, "--vary %s: expected section.key=v1,v2,...", vary);
		g_free(key);
		return false;
	}
	spec->key = key;
	spec->values = g_strsplit(eq + 1, ",", -1);
	for (int i = 0; spec->values[i]; i++) {
		g_strstrip(spec->values[i]);
		if (!*spec->values[i] || strchr(spec->values[i], '/')) {
			g_set_error(err, SLABSIM_ERROR, 1, "--vary %s: value %d is empty or has a '/'",
			            vary, i + 1);
			g_clear_pointer(&spec->values, g_strfreev);
			g_clear_pointer((char **)&spec->key, g_free);
			return false;
		}
	}
	return true;
}

static char *point_dir(const sweep_spec_t *spec, const char *value)
{
	char *name = g_strconcat("point-", value, NULL);
	char *dir = g_build_filename(spec->out, name, NULL);

	g_free(name);
	return dir;
}

char **sweep_point_argv(const sweep_spec_t *spec, const char *self, const char *value)
{
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strdup(self));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(spec->scenario));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("--no-plots"));
	g_ptr_array_add(a, g_strdup("--out"));
	g_ptr_array_add(a, point_dir(spec, value));
	for (int i = 0; spec->sets && spec->sets[i]; i++) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strdup(spec->sets[i]));
	}
	g_ptr_array_add(a, g_strdup("--set"));
	g_ptr_array_add(a, g_strconcat(spec->key, "=", value, NULL));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* Start point i; returns the subprocess or NULL with *err set. */
static GSubprocess *start_point(const sweep_spec_t *spec, const char *self, int i, GError **err)
{
	char **argv = sweep_point_argv(spec, self, spec->values[i]);
	GSubprocess *p = g_subprocess_newv((const char *const *)argv,
	                                   G_SUBPROCESS_FLAGS_STDERR_PIPE, err);

	g_strfreev(argv);
	return p;
}

/* Wait for p; false with the point's stderr in *err if it failed. */
static bool finish_point(GSubprocess *p, const char *value, GError **err)
{
	char *errout = NULL;
	bool ok = g_subprocess_communicate_utf8(p, NULL, NULL, NULL, &errout, err);

	if (ok && !g_subprocess_get_successful(p)) {
		g_set_error(err, SLABSIM_ERROR, 1, "point %s failed:\n%s", value, errout ? errout : "");
		ok = false;
	}
	g_free(errout);
	return ok;
}

bool sweep_run(const sweep_spec_t *spec, const char *self, GError **err)
{
	int n = (int)g_strv_length(spec->values), next = 0, done = 0;
	GSubprocess **running = g_new0(GSubprocess *, n);
	bool ok = true;

	if (g_mkdir_with_parents(spec->out, 0755) != 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot create the sweep directory", spec->out);
		g_free(running);
		return false;
	}
	/* Points start in order and finish in order: at most `jobs` in flight. */
	while (ok && done < n) {
		while (ok && next < n && next - done < spec->jobs) {
			running[next] = start_point(spec, self, next, err);
			ok = running[next++] != NULL;
		}
		if (ok) {
			g_printerr("slabsim: sweep point %d of %d (%s=%s)\n", done + 1, n, spec->key,
			           spec->values[done]);
			ok = finish_point(running[done], spec->values[done], err);
			g_clear_object(&running[done]);
			done++;
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

/* One row per allocator and sweep metric (metrics.h) of one point. */
static void point_rows(GString *csv, const sweep_spec_t *spec, const char *value, JsonObject *allocs)
{
	GList *names = json_object_get_members(allocs);

	for (GList *l = names; l; l = l->next) {
		JsonObject *a = json_object_get_object_member(allocs, l->data);
		for (const metric_t *m = metric_table; m->name; m++)
			if (m->where & METRIC_SWEEP)
				g_string_append_printf(csv, "%s,%s,%s,%s,%.10g\n", spec->key, value,
				                       (char *)l->data, m->name, metric_value(m, a));
	}
	g_list_free(names);
}

bool sweep_collect(const sweep_spec_t *spec, GError **err)
{
	GString *csv = g_string_append_c(g_string_new(csv_sweep.header), '\n');
	char *path;
	bool ok = true;

	for (int i = 0; ok && spec->values[i]; i++) {
		char *dir = point_dir(spec, spec->values[i]);
		char *json = g_build_filename(dir, "results.json", NULL);
		JsonParser *p = json_parser_new();
		ok = json_parser_load_from_file(p, json, err);
		if (ok)
			point_rows(csv, spec, spec->values[i], json_object_get_object_member(
				json_node_get_object(json_parser_get_root(p)), "allocators"));
		g_object_unref(p);
		g_free(json);
		g_free(dir);
	}
	path = g_strconcat(spec->out, G_DIR_SEPARATOR_S, csv_sweep.name, ".csv", NULL);
	ok = ok && g_file_set_contents(path, csv->str, -1, err);
	g_free(path);
	g_string_free(csv, TRUE);
	return ok;
}
