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
	bool quiet;             /* no notes, only warnings */
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

/* Write the table under header line `s` (the first cell and the column
 * titles, without its newline): a row per `rows`, a cell per `cols`
 * (`missing` where none was set); consumes `s` and the table. */
static bool pivot_write_rows(pivot_t *p, GString *s, const char *path, GPtrArray *rows,
                             GPtrArray *cols, const char *missing, GError **err)
{
	bool ok;

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

/* The table as CSV with header cells `first` and the column keys. */
static bool pivot_write(pivot_t *p, const char *path, const char *first, GPtrArray *rows,
                        GPtrArray *cols, const char *missing, GError **err)
{
	GString *s = g_string_new(first);

	for (guint c = 0; c < cols->len; c++)
		g_string_append_printf(s, ",%s", (char *)cols->pdata[c]);
	return pivot_write_rows(p, s, path, rows, cols, missing, err);
}

/* The same with column keys `cols` (pairs: a series and its sd) and
 * header cells from `titles` (one per pair: "TITLE,sd"). */
static bool pivot_write_titled(pivot_t *p, const char *path, const char *first, GPtrArray *rows,
                               GPtrArray *cols, GPtrArray *titles, const char *missing, GError **err)
{
	GString *s = g_string_new(first);

	for (guint c = 0; c < titles->len; c++)
		g_string_append_printf(s, ",%s,sd", (char *)titles->pdata[c]);
	return pivot_write_rows(p, s, path, rows, cols, missing, err);
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

	if (!p->quiet)
		g_printerr("slabsim: note: no plot %s: %s\n", name, why);
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
#define SWEEP_CAPTION_WIDTH 90   /* the same beside a key outside the plot */

/* "DESCRIPTION TAIL", the description cut at a word (with an ellipsis)
 * so that the line fits under a plot title. */
static char *fit_caption(const char *d, const char *tail, int width)
{
	int room = width - (int)strlen(tail) - 1, len = (int)strlen(d);
	char *c;

	if (len <= room) {
		c = g_strdup_printf("%s%s%s", d, *d ? " " : "", tail);
	} else {
		int cut = room - 3;
		while (cut > 0 && d[cut] != ' ')
			cut--;
		c = g_strdup_printf("%.*s... %s", cut > 0 ? cut : room - 3, d, tail);
	}
	return c;
}

/* "DESCRIPTION (workload on machine, seed N)" of a results tree. */
static char *caption(JsonObject *root)
{
	char *tail = g_strdup_printf("(%s on %s, seed %s)", scenario_key(root, "workload"),
	                             scenario_key(root, "machine"), scenario_key(root, "seed"));
	char *c = fit_caption(scenario_key(root, "description"), tail, CAPTION_WIDTH);

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
			if (strcmp(row(r, j)[1], op) == 0) {
				rows++;
				tail += number(row(r, j)[4]) < 1;
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
 * 2..check_to (0-based: after the allocator and the time; for log
 * axes), and the plot needs one. */
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
			for (int c = 2; c <= check_to; c++)
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

/* The range of the positive values seen (lo > hi when there is none). */
typedef struct range {
	double lo, hi;
} range_t;

static void range_note(range_t *r, double v)
{
	if (v > 0) {
		r->lo = MIN(r->lo, v);
		r->hi = MAX(r->hi, v);
	}
}

/* Should values in r go on a log axis?  When they span two orders of
 * magnitude or more. */
static bool range_log(const range_t *r)
{
	return r->hi >= r->lo && r->hi / r->lo >= 100;
}

static void range_set(GString *vars, const char *lo, const char *hi, const range_t *r)
{
	gp_set_number(vars, lo, r->hi >= r->lo ? r->lo : 1);
	gp_set_number(vars, hi, r->hi >= r->lo ? r->hi : 1);
}

/* Memory over time.  Allocators whose runs differ in length by more than
 * a factor of two are drawn over the fraction of their own run, so that a
 * run of microseconds shows beside one of seconds; each panel is on a log
 * axis when its values span two orders of magnitude. */
static bool footprint_plot(plotter_t *p, GPtrArray *allocs, JsonObject *allocators, GError **err)
{
	GString *vars = g_string_new(NULL), *spans = g_string_new(NULL), *labels = g_string_new(NULL);
	GString *has[4] = { g_string_new(NULL), g_string_new(NULL), g_string_new(NULL), g_string_new(NULL) };
	static const char *const has_names[4] = { "HAS_SLAB", "HAS_LIVE", "HAS_QUEUED", "HAS_META" };
	range_t top = { G_MAXDOUBLE, 0 }, bottom = { G_MAXDOUBLE, 0 };
	double smin = G_MAXDOUBLE, smax = 0;
	guint samples = 0;
	bool ok = true;

	for (guint i = 0; ok && i < allocs->len; i++) {
		char *file = g_strdup_printf("%s-%s.csv", csv_footprint.name, (char *)allocs->pdata[i]);
		char *path = dir_file(p, file);
		GPtrArray *r = csv_read(path, csv_footprint.header, err);
		JsonObject *a = member_object(allocators, allocs->pdata[i]);
		JsonNode *n = a ? json_object_get_member(a, "simulated_ns") : NULL;
		double span = n ? json_node_get_double(n) : 0;
		char *label;

		bool nonzero[4] = { false };
		ok = r != NULL;
		for (guint j = 0; r && j < r->len; j++) {
			range_note(&top, number(row(r, j)[2]));
			range_note(&top, number(row(r, j)[3]));
			range_note(&bottom, number(row(r, j)[4]));
			range_note(&bottom, number(row(r, j)[5]));
			for (int c = 0; c < 4; c++)
				nonzero[c] |= number(row(r, j)[2 + c]) > 0;
		}
		for (int c = 0; c < 4; c++)
			if (nonzero[c])
				g_string_append_printf(has[c], " %u", i + 1);
		if (r) {
			samples = MAX(samples, r->len);
			g_ptr_array_free(r, TRUE);
		}
		span = MAX(span, 1);
		smin = MIN(smin, span);
		smax = MAX(smax, span);
		label = metric_format(span, "ns", 1);
		g_strdelimit(label, " ", '\x01');
		{
			char *o = label, *q = label;
			for (; *q; q++)
				if (*q != '\x01')
					*o++ = *q;
			*o = '\0';
		}
		g_string_append_printf(spans, "%s%.17g", i ? " " : "", span);
		g_string_append_printf(labels, "%s%s", i ? " " : "", label);
		g_free(label);
		g_free(path);
		g_free(file);
	}
	if (ok && samples < 2) {
		skip(p, csv_footprint.name, "fewer than two samples");
	} else if (ok) {
		gp_set(vars, "SPANS", spans->str);
		gp_set(vars, "SPANLABELS", labels->str);
		gp_set_int(vars, "NORM", smax > 2 * smin);
		gp_set_int(vars, "LOGTOP", range_log(&top));
		gp_set_int(vars, "LOGBOTTOM", range_log(&bottom));
		range_set(vars, "TOPMIN", "TOPMAX", &top);
		range_set(vars, "BOTTOMMIN", "BOTTOMMAX", &bottom);
		for (int c = 0; c < 4; c++)
			gp_set(vars, has_names[c], has[c]->str);
		ok = render(p, "footprint.gp", csv_footprint.name, vars->str, err);
	}
	for (int c = 0; c < 4; c++)
		g_string_free(has[c], TRUE);
	g_string_free(vars, TRUE);
	g_string_free(spans, TRUE);
	g_string_free(labels, TRUE);
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

	range_t totals = { G_MAXDOUBLE, 0 };

	for (guint j = 0; ok && j < r->len; j++) {
		if (strcmp(row(r, j)[2], "total") != 0 && number(row(r, j)[3]) != 0)
			note_name(accounts, row(r, j)[2]);
		if (strcmp(row(r, j)[2], "total") == 0)
			range_note(&totals, number(row(r, j)[3]));
	}
	for (guint j = 0; ok && j < accounts->len; j++)
		ok = check_name("account", accounts->pdata[j], path, err);
	if (ok)
		g_ptr_array_add(accounts, g_strdup("total"));
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
	if (ok)
		g_ptr_array_remove_index(accounts, accounts->len - 1);     /* "total": not a segment */
	if (ok && !accounts->len)
		skip(p, "breakdown", "no operation took any time");
	if (ok && accounts->len) {
		char *names = join(accounts, " ");
		gp_set(vars, "ACCOUNTS", names);
		gp_set_int(vars, "LOGY", range_log(&totals) || (totals.hi >= totals.lo &&
		                                               totals.hi / totals.lo >= 10));
		range_set(vars, "TOTALMIN", "TOTALMAX", &totals);
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
	     footprint_plot(p, allocs, allocators, err) &&
	     series_plot(p, allocs, &csv_jitter, 3, err) &&
	     breakdown_plot(p, allocs, err) && locks_plot(p, allocs, err);
	g_free(list);
	g_free(cap);
	g_list_free(names);
	g_ptr_array_free(allocs, TRUE);
	return ok;
}

/* ---- a sweep directory ---- */

static JsonParser *load_results(const char *path, GError **err);

/* The axis label of a sweep metric (its name if it is not one of ours). */
static const char *sweep_label(const char *metric)
{
	const metric_t *m = metric_find(metric);

	return m ? m->label : metric;
}

/* The rows of a CSV whose header ends with `tail` after any number of
 * leading columns; *lead gets those columns' names. */
static GPtrArray *csv_read_lead(const char *path, const char *tail, GPtrArray **lead, GError **err)
{
	char *text = NULL, *nl, **cols;
	int ntail = 1, n;
	GPtrArray *rows;

	for (const char *c = tail; *c; c++)
		ntail += *c == ',';
	if (!g_file_get_contents(path, &text, NULL, err))
		return NULL;
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	if (!g_str_has_suffix(text, tail) ||
	    (strlen(text) > strlen(tail) && text[strlen(text) - strlen(tail) - 1] != ',')) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: expected a header line ending '%s'", path, tail);
		g_free(text);
		return NULL;
	}
	cols = g_strsplit(text, ",", -1);
	n = (int)g_strv_length(cols);
	*lead = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < n - ntail; i++)
		g_ptr_array_add(*lead, g_strdup(cols[i]));
	g_strfreev(cols);
	g_free(text);
	{
		/* The whole file again, now that the header is known. */
		GString *h = g_string_new(NULL);
		for (guint i = 0; i < (*lead)->len; i++)
			g_string_append_printf(h, "%s,", (char *)(*lead)->pdata[i]);
		g_string_append(h, tail);
		rows = csv_read(path, h->str, err);
		g_string_free(h, TRUE);
	}
	if (!rows) {
		g_ptr_array_free(*lead, TRUE);
		*lead = NULL;
	}
	return rows;
}

/* The sweep's names: values of the first key, allocators, series (an
 * allocator and the values of the other keys), metrics. */
typedef struct sweep_names {
	GPtrArray *keys;          /* the varied keys */
	GPtrArray *values, *allocs, *series, *metrics;
	GPtrArray *series_alloc;  /* per series: its allocator */
	GPtrArray *series_rest;   /* per series: the other keys' values, "v2,v3" */
	GPtrArray *rests;         /* distinct combinations of the other keys */
} sweep_names_t;

/* The other keys' values of a row, "v2,v3" (columns 1..nkeys-1). */
static char *rest_of(char **f, guint nkeys)
{
	GString *s = g_string_new(NULL);

	for (guint k = 1; k < nkeys; k++)
		g_string_append_printf(s, "%s%s", k > 1 ? "," : "", f[k]);
	return g_string_free(s, FALSE);
}

/* "slub" or "slub objects=100 nodes=2" (keys by their last part; no
 * comma: it is a CSV header cell). */
static char *series_title(sweep_names_t *n, const char *alloc, const char *rest)
{
	GString *s = g_string_new(alloc);
	char **vals = g_strsplit(rest, ",", -1);

	for (guint k = 1; k < n->keys->len; k++) {
		const char *key = n->keys->pdata[k], *dot = strrchr(key, '.');
		g_string_append_printf(s, " %s=%s", dot ? dot + 1 : key, vals[k - 1]);
	}
	g_strfreev(vals);
	return g_string_free(s, FALSE);
}

/* One metric against the first key: pivot (mean and sd per series),
 * axes, render. */
static bool sweep_metric(plotter_t *p, GPtrArray *r, sweep_names_t *n, const char *metric,
                         GError **err)
{
	char *file = g_strdup_printf("sweep-%s.csv", metric), *name = g_strdup_printf("sweep-%s", metric);
	char *out = g_build_filename(p->out, file, NULL);
	GString *vars = g_string_new(NULL), *lt = g_string_new(NULL), *dt = g_string_new(NULL);
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	guint nk = n->keys->len;
	bool numeric = true, positive_x = true, positive_y = true, errors = false, ok;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	pivot_t pv;

	pivot_init(&pv);
	for (guint j = 0; j < r->len; j++) {
		char **f = row(r, j);
		char *rest, *key, *sd;
		double mean = number(f[nk + 3]), dev = number(f[nk + 4]);
		if (strcmp(f[nk + 1], metric) != 0)
			continue;
		rest = rest_of(f, nk);
		key = g_strdup_printf("%s\n%s", f[nk], rest);
		sd = g_strconcat(key, "\nsd", NULL);
		pivot_set(&pv, f[0], key, f[nk + 3]);
		pivot_set(&pv, f[0], sd, f[nk + 4]);
		positive_y &= mean - dev > 0;
		errors |= dev > 0;
		ymin = MIN(ymin, mean - dev);
		ymax = MAX(ymax, mean + dev);
		g_free(rest);
		g_free(key);
		g_free(sd);
	}
	for (guint i = 0; i < n->series->len; i++) {
		g_ptr_array_add(cols, g_strdup_printf("%s\n%s", (char *)n->series_alloc->pdata[i],
		                                      (char *)n->series_rest->pdata[i]));
		g_ptr_array_add(cols, g_strdup_printf("%s\n%s\nsd", (char *)n->series_alloc->pdata[i],
		                                      (char *)n->series_rest->pdata[i]));
		for (guint a = 0; a < n->allocs->len; a++)
			if (strcmp(n->allocs->pdata[a], n->series_alloc->pdata[i]) == 0)
				g_string_append_printf(lt, "%s%u", i ? " " : "", a + 1);
		for (guint x = 0; x < n->rests->len; x++)
			if (strcmp(n->rests->pdata[x], n->series_rest->pdata[i]) == 0)
				g_string_append_printf(dt, "%s%u", i ? " " : "", x + 1);
	}
	for (guint i = 0; i < n->values->len; i++) {
		double x = number(n->values->pdata[i]);
		numeric &= !isnan(x);
		positive_x &= x > 0;
		xmin = MIN(xmin, x);
		xmax = MAX(xmax, x);
	}
	ok = pivot_write_titled(&pv, out, n->keys->pdata[0], n->values, cols, n->series, "NaN", err);
	gp_set(vars, "PARAM", n->keys->pdata[0]);
	gp_set(vars, "METRIC", metric);
	gp_set(vars, "YLABEL", sweep_label(metric));
	gp_set_int(vars, "NUMERIC", numeric);
	gp_set_int(vars, "LOGX", numeric && positive_x && n->values->len > 1 && xmax / xmin >= 8);
	gp_set_int(vars, "LOGY", positive_y && ymax / ymin >= 10);
	gp_set_number(vars, "XMIN", numeric ? xmin : 0);
	gp_set_number(vars, "XMAX", numeric ? xmax : 0);
	gp_set_int(vars, "NVALUES", (int)n->values->len);
	gp_set_number(vars, "YMIN", ymin);
	gp_set_number(vars, "YMAX", ymax);
	gp_set_int(vars, "NSERIES", (int)n->series->len);
	gp_set(vars, "SERIES_LT", lt->str);
	gp_set(vars, "SERIES_DT", dt->str);
	gp_set_int(vars, "ERRORS", errors);
	ok = ok && render(p, "sweep.gp", name, vars->str, err);
	g_string_free(vars, TRUE);
	g_string_free(lt, TRUE);
	g_string_free(dt, TRUE);
	g_ptr_array_free(cols, TRUE);
	g_free(out);
	g_free(name);
	g_free(file);
	return ok;
}

/* The line under a sweep plot's title, from sweep.json: the scenario's
 * description, workload and machine, the keys held fixed, the seeds. */
static char *sweep_caption(const char *dir)
{
	char *path = g_build_filename(dir, "sweep.json", NULL);
	JsonParser *parser = load_results(path, NULL);
	JsonObject *o = parser ? json_node_get_object(json_parser_get_root(parser)) : NULL;
	char *tail, *c;
	gint64 seeds = o && json_object_has_member(o, "seeds") ? json_object_get_int_member(o, "seeds") : 1;
	const char *d = o ? json_object_get_string_member_with_default(o, "description", "") : "";

	tail = g_strdup_printf("(%s on %s, %" G_GINT64_FORMAT " seed%s%s)",
	                       o ? json_object_get_string_member_with_default(o, "workload", "?") : "?",
	                       o ? json_object_get_string_member_with_default(o, "machine", "?") : "?",
	                       seeds, seeds > 1 ? "s" : "", seeds > 1 ? ": mean, bars ± sd" : "");
	c = fit_caption(d, tail, SWEEP_CAPTION_WIDTH);
	g_free(tail);
	if (parser)
		g_object_unref(parser);
	g_free(path);
	return c;
}

static bool plot_sweep(plotter_t *p, const char *path, GError **err)
{
	GPtrArray *lead = NULL;
	GPtrArray *r = csv_read_lead(path, csv_sweep_summary.header, &lead, err);
	sweep_names_t n = { lead, g_ptr_array_new_with_free_func(g_free),
	                    g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
	                    g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
	                    g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free) };
	char *list, *cap;
	bool ok = r != NULL;

	if (ok && (!r->len || !lead->len)) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: no points", path);
		ok = false;
	}
	for (guint j = 0; ok && j < r->len; j++) {
		char **f = row(r, j);
		char *rest = rest_of(f, lead->len), *skey = g_strdup_printf("%s\n%s", f[lead->len], rest);
		bool seen = false;
		note_name(n.values, f[0]);
		note_name(n.allocs, f[lead->len]);
		note_name(n.metrics, f[lead->len + 1]);
		note_name(n.rests, rest);
		for (guint i = 0; i < n.series->len && !seen; i++)
			seen = strcmp(n.series_alloc->pdata[i], f[lead->len]) == 0 &&
			       strcmp(n.series_rest->pdata[i], rest) == 0;
		if (!seen) {
			g_ptr_array_add(n.series, series_title(&n, f[lead->len], rest));
			g_ptr_array_add(n.series_alloc, g_strdup(f[lead->len]));
			g_ptr_array_add(n.series_rest, g_strdup(rest));
		}
		g_free(rest);
		g_free(skey);
	}
	for (guint i = 0; ok && i < n.allocs->len; i++)
		ok = check_name("allocator", n.allocs->pdata[i], path, err);
	for (guint i = 0; ok && i < n.metrics->len; i++)
		ok = check_name("metric", n.metrics->pdata[i], path, err);
	list = join(n.allocs, " ");
	cap = sweep_caption(p->dir);
	gp_set(p->common, "ALLOCS", list);
	gp_set(p->common, "CAPTION", cap);
	for (guint i = 0; ok && i < n.metrics->len; i++)
		ok = sweep_metric(p, r, &n, n.metrics->pdata[i], err);
	g_free(list);
	g_free(cap);
	if (r)
		g_ptr_array_free(r, TRUE);
	if (lead)
		g_ptr_array_free(lead, TRUE);
	g_ptr_array_free(n.values, TRUE);
	g_ptr_array_free(n.allocs, TRUE);
	g_ptr_array_free(n.series, TRUE);
	g_ptr_array_free(n.metrics, TRUE);
	g_ptr_array_free(n.series_alloc, TRUE);
	g_ptr_array_free(n.series_rest, TRUE);
	g_ptr_array_free(n.rests, TRUE);
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

static JsonParser *load_results(const char *path, GError **err);

/* "SCENARIO, N native runs on this host (load L at the start)", from
 * DIR/model-check.json ("" if unreadable). */
static char *check_caption(const char *dir)
{
	char *path = g_build_filename(dir, "model-check.json", NULL);
	JsonParser *parser = load_results(path, NULL);
	JsonObject *o = parser ? json_node_get_object(json_parser_get_root(parser)) : NULL;
	char *cap = g_strdup("");

	if (o && json_object_has_member(o, "host")) {
		g_free(cap);
		cap = g_strdup_printf("%s, %" G_GINT64_FORMAT " native runs on this host (load %s at "
		                      "the start)", json_object_get_string_member(o, "scenario"),
		                      json_object_get_int_member(o, "native_runs"),
		                      json_object_get_string_member(json_object_get_object_member(o,
		                                                    "host"), "loadavg_at_start"));
	}
	if (parser)
		g_object_unref(parser);
	g_free(path);
	return cap;
}

/* check-model's plot from DIR/model-check.csv: the allocators in file
 * order, the ranges of latencies and throughputs (predicted and measured). */
static bool plot_model_check(plotter_t *p, const char *path, GError **err)
{
	static const char header[] = "allocator,figure,predicted,measured,measured_min,measured_max";
	GPtrArray *r = csv_read(path, header, err), *allocs = g_ptr_array_new_with_free_func(g_free);
	GString *vars = g_string_new(NULL);
	range_t lat = { G_MAXDOUBLE, 0 }, ops = { G_MAXDOUBLE, 0 };
	bool ok = r != NULL;
	char *list, *cap;

	for (guint j = 0; ok && j < r->len; j++) {
		range_t *x = strcmp(row(r, j)[1], "throughput_ops_per_sec") == 0 ? &ops : &lat;
		note_name(allocs, row(r, j)[0]);
		for (int c = 2; c < 6; c++)
			range_note(x, number(row(r, j)[c]));
	}
	for (guint j = 0; ok && j < allocs->len; j++)
		ok = check_name("allocator", allocs->pdata[j], path, err);
	if (ok) {
		list = join(allocs, " ");
		cap = check_caption(p->dir);
		gp_set(p->common, "ALLOCS", list);
		gp_set(p->common, "CAPTION", cap);
		range_set(vars, "LATMIN", "LATMAX", &lat);
		range_set(vars, "OPSMIN", "OPSMAX", &ops);
		ok = render(p, "model-check.gp", "model-check", vars->str, err);
		g_free(list);
		g_free(cap);
	}
	if (r)
		g_ptr_array_free(r, TRUE);
	g_ptr_array_free(allocs, TRUE);
	g_string_free(vars, TRUE);
	return ok;
}

/* Plot a results directory or a sweep directory: every plot, PNG and SVG,
 * into DIR/plots; see plot.h. */
bool plot_dir(const char *root, const char *dir, bool quiet, GError **err)
{
	plotter_t p = { plot_find_gnuplot(), g_build_filename(root, "plots", NULL), dir,
	                g_build_filename(dir, "plots", NULL), g_string_new(NULL), quiet };
	char *results = g_build_filename(dir, "results.json", NULL);
	char *sweep = g_build_filename(dir, "sweep-summary.csv", NULL);
	char *check = g_build_filename(dir, "model-check.csv", NULL);
	bool is_results = g_file_test(results, G_FILE_TEST_IS_REGULAR);
	bool is_check = !is_results && g_file_test(check, G_FILE_TEST_IS_REGULAR);
	bool ok = false;

	if (!p.gnuplot)
		g_set_error(err, SLABSIM_ERROR, 1, "cannot plot: gnuplot is not installed (not on PATH); "
		            "install gnuplot-nox (Debian, Ubuntu) or gnuplot");
	else if (!is_results && !is_check && !g_file_test(sweep, G_FILE_TEST_IS_REGULAR))
		g_set_error(err, SLABSIM_ERROR, 1, "%s: not a results directory (no results.json), "
		            "a sweep directory (no sweep-summary.csv) nor a model check (no "
		            "model-check.csv)", dir);
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
	} else if (ok && is_check) {
		ok = plot_model_check(&p, check, err);
	} else if (ok) {
		ok = plot_sweep(&p, sweep, err);
	}
	g_free(check);
	g_free(results);
	g_free(sweep);
	g_free(p.gnuplot);
	g_free(p.scripts);
	g_free(p.out);
	g_string_free(p.common, TRUE);
	return ok;
}
