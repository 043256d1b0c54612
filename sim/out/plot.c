/*
 * plot.c -- plots of a results or sweep directory (see plot.h,
 * docs/plots.md).
 *
 * Design: the plots show what the results already hold; nothing is
 * computed here that a reader could not redo from the CSVs.  The gnuplot
 * scripts ($SLABSIM_ROOT/plots/NAME.gp) read the results' CSVs directly,
 * except where gnuplot needs a table the results keep in long format:
 * stacked bars need one column per cost account, and a sweep metric one
 * column per allocator.  Those tables are pivoted here into
 * DIR/plots/NAME.csv, each with a header line, so every plotted series is a
 * CSV file.  This file also decides what gnuplot cannot decide without
 * failing: which plots have any data, which accounts are ever non-zero,
 * and whether a sweep's axes can be logarithmic.
 *
 * Each plot is one gnuplot process per format (PNG, SVG), run from argv
 * (no shell); the inputs go in as gnuplot assignments with -e.  gnuplot
 * writes a hidden temporary file in DIR/plots, renamed over NAME.png or
 * NAME.svg once gnuplot has exited 0.  A plot without data is skipped
 * with a note, and its files of an earlier run are removed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "plot.h"
#include "metrics.h"
#include "error.h"


typedef struct plotter {
	char *gnuplot;
	char *scripts;          /* ROOT/plots */
	const char *dir;        /* the results or sweep directory */
	char *out;              /* DIR/plots */
	GString *common;        /* -e assignments every script gets */
} plotter_t;

/* The full path of gnuplot on PATH, or NULL. */
char *plot_find_gnuplot(void)
{
	return g_find_program_in_path("gnuplot");
}

/* ---- gnuplot variables ---- */

/* Append NAME='value'; (a gnuplot single-quoted string: ' doubles). */
static void gp_set(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "%s='", name);
	for (const char *c = value; *c; c++) {
		if (*c == '\'')
			g_string_append_c(s, '\'');
		g_string_append_c(s, *c);
	}
	g_string_append(s, "'; ");
}

static void gp_set_int(GString *s, const char *name, int value)
{
	g_string_append_printf(s, "%s=%d; ", name, value);
}

static void gp_set_number(GString *s, const char *name, double value)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append_printf(s, "%s=%s; ", name, isfinite(value) ?
	                       g_ascii_formatd(buf, sizeof buf, "%.17e", value) : "NaN");
}

/* Names that become gnuplot words and file names: no spaces, quotes,
 * slashes or commas. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && !strchr("_.+-", *s))
			return false;
	return true;
}

static bool check_name(const char *what, const char *name, const char *where, GError **err)
{
	if (plain_name(name))
		return true;
	g_set_error(err, SLABSIM_ERROR, 1, "%s: %s '%s' cannot be plotted (letters, digits, "
	            "'_.+-' only)", where, what, name);
	return false;
}

/* ---- CSV ---- */

/* The data rows of a slabsim CSV (each a NULL-terminated field array),
 * after checking its header line and every row's field count. */
static GPtrArray *csv_read(const char *path, const char *header, GError **err)
{
	int nfields = 1;
	char *text = NULL, **lines;
	GPtrArray *rows;

	for (const char *c = header; *c; c++)
		nfields += *c == ',';
	if (!g_file_get_contents(path, &text, NULL, err))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	g_free(text);
	if (strcmp(lines[0], header) != 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: expected the header line '%s'", path, header);
		g_strfreev(lines);
		return NULL;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	for (int i = 1; lines[i] && *lines[i]; i++) {
		char **f = g_strsplit(lines[i], ",", -1);
		if ((int)g_strv_length(f) != nfields) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s:%d: expected %d fields", path, i + 1, nfields);
			g_strfreev(f);
			g_ptr_array_free(rows, TRUE);
			rows = NULL;
			break;
		}
		g_ptr_array_add(rows, f);
	}
	g_strfreev(lines);
	return rows;
}

static char **row(GPtrArray *rows, guint i)
{
	return rows->pdata[i];
}

/* A field as a number; NAN if it is not one. */
static double number(const char *s)
{
	char *end;
	double v = g_ascii_strtod(s, &end);

	return *s && !*end ? v : NAN;
}

/* Add name to an array of names in first-appearance order. */
static void note_name(GPtrArray *names, const char *name)
{
	for (guint i = 0; i < names->len; i++)
		if (strcmp(names->pdata[i], name) == 0)
			return;
	g_ptr_array_add(names, g_strdup(name));
}

static char *join(GPtrArray *names, const char *sep)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < names->len; i++)
		g_string_append_printf(s, "%s%s", i ? sep : "", (char *)names->pdata[i]);
	return g_string_free(s, FALSE);
}

/*
 * A wide table from long rows: the value of (row key, column key), one
 * line per row key, one column per column key, in the orders given.
 * Missing cells are written as `missing`.
 */
typedef struct pivot {
	GHashTable *cells;      /* "row\ncol" -> value; looked up, never iterated */
} pivot_t;

static void pivot_init(pivot_t *p)
{
	p->cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static void pivot_set(pivot_t *p, const char *r, const char *c, const char *value)
{
	g_hash_table_replace(p->cells, g_strconcat(r, "\n", c, NULL), g_strdup(value));
}

static bool pivot_write(pivot_t *p, const char *path, const char *first, GPtrArray *rows,
                        GPtrArray *cols, const char *missing, GError **err)
{
	GString *s = g_string_new(first);
	bool ok;

	for (guint c = 0; c < cols->len; c++)
		g_string_append_printf(s, ",%s", (char *)cols->pdata[c]);
	g_string_append_c(s, '\n');
	for (guint r = 0; r < rows->len; r++) {
		g_string_append(s, rows->pdata[r]);
		for (guint c = 0; c < cols->len; c++) {
			char *key = g_strconcat(rows->pdata[r], "\n", cols->pdata[c], NULL);
			const char *v = g_hash_table_lookup(p->cells, key);
			g_string_append_printf(s, ",%s", v ? v : missing);
			g_free(key);
		}
		g_string_append_c(s, '\n');
	}
	ok = g_file_set_contents(path, s->str, -1, err);
	g_string_free(s, TRUE);
	g_hash_table_destroy(p->cells);
	return ok;
}

/* ---- running gnuplot ---- */

/* Render `script` into DIR/plots/name.fmt through a temporary file. */
static bool render_format(plotter_t *p, const char *script, const char *name, const char *fmt,
                          const char *vars, GError **err)
{
	char *file = g_strdup_printf("%s.%s", name, fmt);
	char *tmpname = g_strdup_printf(".%s.tmp", file);
	char *final = g_build_filename(p->out, file, NULL), *tmp = g_build_filename(p->out, tmpname, NULL);
	char *path = g_build_filename(p->scripts, script, NULL);
	GString *e = g_string_new(p->common->str);
	char *serr = NULL;
	GError *why = NULL;
	int status;
	bool ok;

	g_string_append(e, vars);
	gp_set(e, "FORMAT", fmt);
	gp_set(e, "OUT", tmp);
	ok = g_spawn_sync(NULL, (char *[]){ p->gnuplot, "-e", e->str, path, NULL }, NULL,
	                  G_SPAWN_DEFAULT | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &serr,
	                  &status, err);
	if (!ok)
		g_prefix_error(err, "plots/%s: cannot run %s: ", script, p->gnuplot);
	if (ok && !g_spawn_check_wait_status(status, &why)) {
		g_set_error(err, SLABSIM_ERROR, 1, "plots/%s: gnuplot failed drawing %s (%s):\n%s",
		            script, file, why->message, serr);
		g_error_free(why);
		ok = false;
	} else if (ok && *serr) {
		g_printerr("slabsim: plots/%s (%s): gnuplot says:\n%s", script, file, serr);
	}
	if (ok && g_rename(tmp, final) != 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: %s", final, g_strerror(errno));
		ok = false;
	}
	if (!ok)
		g_remove(tmp);
	g_free(serr);
	g_string_free(e, TRUE);
	g_free(path);
	g_free(tmp);
	g_free(final);
	g_free(tmpname);
	g_free(file);
	return ok;
}

/* Render plot `name` (PNG and SVG) with script and the assignments vars
 * (besides the common ones). */
static bool render(plotter_t *p, const char *script, const char *name, const char *vars,
                   GError **err)
{
	char *path = g_build_filename(p->scripts, script, NULL);
	bool ok = g_file_test(path, G_FILE_TEST_IS_REGULAR);

	if (!ok)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: no such plot script (SLABSIM_ROOT must be "
		            "the repository root)", path);
	g_free(path);
	return ok && render_format(p, script, name, "png", vars, err) &&
	       render_format(p, script, name, "svg", vars, err);
}

/* A plot without data: say so, and remove its files of an earlier run. */
static void skip(plotter_t *p, const char *name, const char *why)
{
	static const char *const formats[] = { "png", "svg" };

	g_printerr("slabsim: %s: no plot %s: %s\n", p->dir, name, why);
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
		char *file = g_strdup_printf("%s.%s", name, formats[i]);
		char *path = g_build_filename(p->out, file, NULL);
		g_remove(path);
		g_free(path);
		g_free(file);
	}
}

static char *dir_file(plotter_t *p, const char *name)
{
	return g_build_filename(p->dir, name, NULL);
}

/* DIR/NAME.csv of a CSV layout. */
static char *layout_file(plotter_t *p, const csv_layout_t *l)
{
	char *name = g_strconcat(l->name, ".csv", NULL), *path = dir_file(p, name);

	g_free(name);
	return path;
}

/* ---- a results directory ---- */

/* Member `key` of o if it is an object, else NULL. */
static JsonObject *member_object(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* A string of [scenario] in the resolved scenario, or "". */
static const char *scenario_key(JsonObject *root, const char *key)
{
	JsonObject *sc = member_object(member_object(root, "scenario"), "scenario");
	JsonNode *n = sc ? json_object_get_member(sc, key) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
	       json_node_get_string(n) : "";
}

/* The line under every title: description (workload, machine, seed). */
#define CAPTION_WIDTH 110     /* characters of a title line at 800 pixels */

/* "DESCRIPTION (workload on machine, seed N)", the description cut at a
 * word (with an ellipsis) so that the line fits under a plot title. */
static char *caption(JsonObject *root)
{
	const char *d = scenario_key(root, "description");
	char *tail = g_strdup_printf("(%s on %s, seed %s)", scenario_key(root, "workload"),
	                             scenario_key(root, "machine"), scenario_key(root, "seed"));
	int room = CAPTION_WIDTH - (int)strlen(tail) - 1, len = (int)strlen(d);
	char *c;

	if (len <= room) {
		c = g_strdup_printf("%s%s%s", d, *d ? " " : "", tail);
	} else {
		int cut = room - 3;
		while (cut > 0 && d[cut] != ' ')
			cut--;
		c = g_strdup_printf("%.*s... %s", cut > 0 ? cut : room - 3, d, tail);
	}
	g_free(tail);
	return c;
}

/* The CDF and tail plots of `op`.  The scripts get SHOWN (allocators
 * with an operation of that kind) and TAILED (those with a tail: a
 * bucket below the last, drawable on log axes). */
static bool latency_plots(plotter_t *p, GPtrArray *allocs, const char *op, GError **err)
{
	GPtrArray *shown = g_ptr_array_new(), *tailed = g_ptr_array_new();
	GString *vars = g_string_new(NULL);
	bool ok = true;

	for (guint i = 0; ok && i < allocs->len; i++) {
		char *name = g_strdup_printf("%s-%s.csv", csv_latency.name, (char *)allocs->pdata[i]);
		char *path = dir_file(p, name);
		GPtrArray *r = csv_read(path, csv_latency.header, err);
		int rows = 0, tail = 0;
		for (guint j = 0; r && j < r->len; j++)
			if (strcmp(row(r, j)[0], op) == 0) {
				rows++;
				tail += number(row(r, j)[3]) < 1;
			}
		if (rows)
			g_ptr_array_add(shown, allocs->pdata[i]);
		if (tail)
			g_ptr_array_add(tailed, allocs->pdata[i]);
		ok = r != NULL;
		if (r)
			g_ptr_array_free(r, TRUE);
		g_free(path);
		g_free(name);
	}
	if (ok) {
		char *cdf = g_strconcat("latency-", op, NULL), *tl = g_strconcat("latency-tail-", op, NULL);
		char *s_list = join(shown, " "), *t_list = join(tailed, " ");
		if (!shown->len)
			skip(p, cdf, "no operation of that kind");
		if (!tailed->len)
			skip(p, tl, "no tail");
		gp_set(vars, "OP", op);
		gp_set(vars, "SHOWN", s_list);
		gp_set(vars, "TAILED", t_list);
		ok = !shown->len || render(p, "latency.gp", cdf, vars->str, err);
		ok = ok && (!tailed->len || render(p, "latency-tail.gp", tl, vars->str, err));
		g_free(s_list);
		g_free(t_list);
		g_free(cdf);
		g_free(tl);
	}
	g_ptr_array_free(shown, TRUE);
	g_ptr_array_free(tailed, TRUE);
	g_string_free(vars, TRUE);
	return ok;
}

/* A series over time from NAME-ALLOC.csv, by plots/NAME.gp; needs two
 * samples (a run longer than `sample`).  With `check_to` > 0 the script
 * gets SHOWN: the allocators with a non-zero value in columns
 * 1..check_to (for log axes), and the plot needs one. */
static bool series_plot(plotter_t *p, GPtrArray *allocs, const csv_layout_t *csv,
                        int check_to, GError **err)
{
	GPtrArray *shown = g_ptr_array_new();
	GString *vars = g_string_new(NULL);
	guint samples = 0;
	bool ok = true;

	for (guint i = 0; ok && i < allocs->len; i++) {
		char *file = g_strdup_printf("%s-%s.csv", csv->name, (char *)allocs->pdata[i]);
		char *path = dir_file(p, file);
		GPtrArray *r = csv_read(path, csv->header, err);
		bool nonzero = false;
		ok = r != NULL;
		for (guint j = 0; r && j < r->len; j++)
			for (int c = 1; c <= check_to; c++)
				nonzero |= number(row(r, j)[c]) > 0;
		if (nonzero)
			g_ptr_array_add(shown, allocs->pdata[i]);
		if (r) {
			samples = MAX(samples, r->len);
			g_ptr_array_free(r, TRUE);
		}
		g_free(path);
		g_free(file);
	}
	if (ok && samples < 2)
		skip(p, csv->name, "fewer than two samples (the run is shorter than [scenario] sample)");
	else if (ok && check_to > 0 && !shown->len)
		skip(p, csv->name, "no operation completed in any sample window");
	else if (ok) {
		char *script = g_strdup_printf("%s.gp", csv->name), *list = join(shown, " ");
		gp_set(vars, "SHOWN", list);
		ok = render(p, script, csv->name, vars->str, err);
		g_free(list);
		g_free(script);
	}
	g_ptr_array_free(shown, TRUE);
	g_string_free(vars, TRUE);
	return ok;
}

/* breakdown.csv pivoted into plots/breakdown-{alloc,free}.csv: one row per
 * allocator, one column per account that is ever non-zero. */
static bool breakdown_plot(plotter_t *p, GPtrArray *allocs, GError **err)
{
	static const char *const ops[] = { "alloc", "free" };
	char *path = layout_file(p, &csv_breakdown);
	GPtrArray *r = csv_read(path, csv_breakdown.header, err);
	GPtrArray *accounts = g_ptr_array_new_with_free_func(g_free);
	GString *vars = g_string_new(NULL);
	bool ok = r != NULL;

	for (guint j = 0; ok && j < r->len; j++)
		if (strcmp(row(r, j)[2], "total") != 0 && number(row(r, j)[3]) != 0)
			note_name(accounts, row(r, j)[2]);
	for (guint j = 0; ok && j < accounts->len; j++)
		ok = check_name("account", accounts->pdata[j], path, err);
	for (size_t o = 0; ok && o < G_N_ELEMENTS(ops); o++) {
		char *name = g_strdup_printf("breakdown-%s.csv", ops[o]);
		char *out = g_build_filename(p->out, name, NULL);
		pivot_t pv;
		pivot_init(&pv);
		for (guint j = 0; j < r->len; j++)
			if (strcmp(row(r, j)[1], ops[o]) == 0)
				pivot_set(&pv, row(r, j)[0], row(r, j)[2], row(r, j)[3]);
		ok = pivot_write(&pv, out, "allocator", allocs, accounts, "0", err);
		g_free(out);
		g_free(name);
	}
	if (ok && !accounts->len)
		skip(p, "breakdown", "no operation took any time");
	if (ok && accounts->len) {
		char *names = join(accounts, " ");
		gp_set(vars, "ACCOUNTS", names);
		g_free(names);
		ok = render(p, "breakdown.gp", "breakdown", vars->str, err);
	}
	if (r)
		g_ptr_array_free(r, TRUE);
	g_ptr_array_free(accounts, TRUE);
	g_string_free(vars, TRUE);
	g_free(path);
	return ok;
}

/* Lock waits; skipped when no lock was ever waited for (log axes).  The
 * script gets the allocators that waited (WAITERS) and the range of each
 * panel's values, so that it neither reads an allocator without bars nor
 * autoscales a log axis around a single value. */
static bool locks_plot(plotter_t *p, GPtrArray *allocs, GError **err)
{
	char *path = layout_file(p, &csv_locks);
	GPtrArray *r = csv_read(path, csv_locks.header, err);
	GPtrArray *waiters = g_ptr_array_new_with_free_func(g_free);
	GString *vars = g_string_new(NULL);
	double lo[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, hi[2] = { 0, 0 };
	bool ok = r != NULL;

	for (guint j = 0; ok && j < r->len; j++)
		for (int k = 0; k < 2; k++) {
			double v = number(row(r, j)[4 + k]);
			if (v <= 0)
				continue;
			lo[k] = MIN(lo[k], v);
			hi[k] = MAX(hi[k], v);
			note_name(waiters, row(r, j)[0]);
		}
	if (ok && !waiters->len)
		skip(p, "locks", "no lock was ever waited for");
	if (ok && waiters->len) {
		GPtrArray *ordered = g_ptr_array_new();
		char *names;
		for (guint i = 0; i < allocs->len; i++)
			for (guint j = 0; j < waiters->len; j++)
				if (strcmp(allocs->pdata[i], waiters->pdata[j]) == 0)
					g_ptr_array_add(ordered, allocs->pdata[i]);
		names = join(ordered, " ");
		gp_set(vars, "WAITERS", names);
		gp_set_number(vars, "WAIT_MIN", lo[0]);
		gp_set_number(vars, "WAIT_MAX", hi[0]);
		gp_set_number(vars, "LONGEST_MIN", lo[1]);
		gp_set_number(vars, "LONGEST_MAX", hi[1]);
		ok = render(p, "locks.gp", "locks", vars->str, err);
		g_free(names);
		g_ptr_array_free(ordered, TRUE);
	}
	if (r)
		g_ptr_array_free(r, TRUE);
	g_ptr_array_free(waiters, TRUE);
	g_string_free(vars, TRUE);
	g_free(path);
	return ok;
}

static bool plot_results(plotter_t *p, JsonObject *root, GError **err)
{
	JsonObject *allocators = member_object(root, "allocators");
	GList *names = allocators ? json_object_get_members(allocators) : NULL;
	GPtrArray *allocs = g_ptr_array_new_with_free_func(g_free);
	char *cap = caption(root), *list;
	bool ok = names != NULL;

	if (!ok)
		g_set_error(err, SLABSIM_ERROR, 1, "%s/results.json: no allocators", p->dir);
	for (GList *l = names; ok && l; l = l->next) {
		ok = check_name("allocator", l->data, p->dir, err);
		g_ptr_array_add(allocs, g_strdup(l->data));
	}
	list = join(allocs, " ");
	gp_set(p->common, "ALLOCS", list);
	gp_set(p->common, "CAPTION", cap);
	ok = ok && latency_plots(p, allocs, "alloc", err) && latency_plots(p, allocs, "free", err) &&
	     series_plot(p, allocs, &csv_footprint, 0, err) &&
	     series_plot(p, allocs, &csv_jitter, 2, err) &&
	     breakdown_plot(p, allocs, err) && locks_plot(p, allocs, err);
	g_free(list);
	g_free(cap);
	g_list_free(names);
	g_ptr_array_free(allocs, TRUE);
	return ok;
}

/* ---- a sweep directory ---- */

/* The axis label of a sweep metric (its name if it is not one of ours). */
static const char *sweep_label(const char *metric)
{
	const metric_t *m = metric_find(metric);

	return m ? m->label : metric;
}

/* The sweep's names: parameter values, allocators, metrics. */
typedef struct sweep_names {
	GPtrArray *values, *allocs, *metrics;
} sweep_names_t;

/* One metric against the parameter: pivot, axes, render. */
static bool sweep_metric(plotter_t *p, GPtrArray *r, sweep_names_t *n, const char *metric,
                         GError **err)
{
	char *file = g_strdup_printf("sweep-%s.csv", metric), *name = g_strdup_printf("sweep-%s", metric);
	char *out = g_build_filename(p->out, file, NULL);
	GString *vars = g_string_new(NULL);
	bool numeric = true, positive_x = true, positive_y = true, ok;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	pivot_t pv;

	pivot_init(&pv);
	for (guint j = 0; j < r->len; j++) {
		char **f = row(r, j);
		if (strcmp(f[3], metric) != 0)
			continue;
		pivot_set(&pv, f[1], f[2], f[4]);
		positive_y &= number(f[4]) > 0;
		ymin = MIN(ymin, number(f[4]));
		ymax = MAX(ymax, number(f[4]));
	}
	for (guint i = 0; i < n->values->len; i++) {
		double x = number(n->values->pdata[i]);
		numeric &= !isnan(x);
		positive_x &= x > 0;
		xmin = MIN(xmin, x);
		xmax = MAX(xmax, x);
	}
	ok = pivot_write(&pv, out, "param_value", n->values, n->allocs, "NaN", err);
	gp_set(vars, "PARAM", row(r, 0)[0]);
	gp_set(vars, "METRIC", metric);
	gp_set(vars, "YLABEL", sweep_label(metric));
	gp_set_int(vars, "NUMERIC", numeric);
	gp_set_int(vars, "LOGX", numeric && positive_x);
	gp_set_int(vars, "LOGY", positive_y);
	gp_set_number(vars, "XMIN", numeric ? xmin : 0);
	gp_set_number(vars, "XMAX", numeric ? xmax : 0);
	gp_set_int(vars, "NVALUES", (int)n->values->len);
	gp_set_number(vars, "YMIN", ymin);
	gp_set_number(vars, "YMAX", ymax);
	ok = ok && render(p, "sweep.gp", name, vars->str, err);
	g_string_free(vars, TRUE);
	g_free(out);
	g_free(name);
	g_free(file);
	return ok;
}

static bool plot_sweep(plotter_t *p, const char *path, GError **err)
{
	GPtrArray *r = csv_read(path, csv_sweep.header, err);
	sweep_names_t n = { g_ptr_array_new_with_free_func(g_free),
	                    g_ptr_array_new_with_free_func(g_free),
	                    g_ptr_array_new_with_free_func(g_free) };
	char *list;
	bool ok = r != NULL;

	if (ok && !r->len) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: no points", path);
		ok = false;
	}
	for (guint j = 0; ok && j < r->len; j++) {
		note_name(n.values, row(r, j)[1]);
		note_name(n.allocs, row(r, j)[2]);
		note_name(n.metrics, row(r, j)[3]);
	}
	for (guint i = 0; ok && i < n.allocs->len; i++)
		ok = check_name("allocator", n.allocs->pdata[i], path, err);
	for (guint i = 0; ok && i < n.metrics->len; i++)
		ok = check_name("metric", n.metrics->pdata[i], path, err);
	list = join(n.allocs, " ");
	gp_set(p->common, "ALLOCS", list);
	for (guint i = 0; ok && i < n.metrics->len; i++)
		ok = sweep_metric(p, r, &n, n.metrics->pdata[i], err);
	g_free(list);
	if (r)
		g_ptr_array_free(r, TRUE);
	g_ptr_array_free(n.values, TRUE);
	g_ptr_array_free(n.allocs, TRUE);
	g_ptr_array_free(n.metrics, TRUE);
	return ok;
}

/* ---- entry point ---- */

/* results.json's root object, or NULL (with *err set if it is unreadable). */
static JsonParser *load_results(const char *path, GError **err)
{
	JsonParser *parser = json_parser_new();

	if (json_parser_load_from_file(parser, path, err) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return parser;
	if (err && !*err)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: not a results file", path);
	g_object_unref(parser);
	return NULL;
}

/* Plot a results directory or a sweep directory: every plot, PNG and SVG,
 * into DIR/plots; see plot.h. */
bool plot_dir(const char *root, const char *dir, GError **err)
{
	plotter_t p = { plot_find_gnuplot(), g_build_filename(root, "plots", NULL), dir,
	                g_build_filename(dir, "plots", NULL), g_string_new(NULL) };
	char *results = g_build_filename(dir, "results.json", NULL);
	char *sweep = g_build_filename(dir, "sweep.csv", NULL);
	bool is_results = g_file_test(results, G_FILE_TEST_IS_REGULAR);
	bool ok = false;

	if (!p.gnuplot)
		g_set_error(err, SLABSIM_ERROR, 1, "cannot plot: gnuplot is not installed (not on PATH); "
		            "install gnuplot-nox (Debian, Ubuntu) or gnuplot");
	else if (!is_results && !g_file_test(sweep, G_FILE_TEST_IS_REGULAR))
		g_set_error(err, SLABSIM_ERROR, 1, "%s: not a results directory (no results.json) "
		            "nor a sweep directory (no sweep.csv)", dir);
	else if (g_mkdir_with_parents(p.out, 0755) != 0)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: %s", p.out, g_strerror(errno));
	else
		ok = true;
	gp_set(p.common, "PLOTS", p.scripts);
	gp_set(p.common, "DIR", dir);
	if (ok && is_results) {
		JsonParser *parser = load_results(results, err);
		ok = parser && plot_results(&p, json_node_get_object(json_parser_get_root(parser)), err);
		if (parser)
			g_object_unref(parser);
	} else if (ok) {
		ok = plot_sweep(&p, sweep, err);
	}
	g_free(results);
	g_free(sweep);
	g_free(p.gnuplot);
	g_free(p.scripts);
	g_free(p.out);
	g_string_free(p.common, TRUE);
	return ok;
}
