/*
 * checkmodel.c -- `slabsim check-model`: prediction beside measurement
 * (see checkmodel.h).
 */
#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "checkmodel.h"
#include "luahost.h"
#include "metrics.h"
#include "native_cli.h"
#include "resdir.h"

enum { F_OPS, F_ALLOC_MEAN, F_ALLOC_P50, F_ALLOC_P99, F_FREE_MEAN, F_FREE_P50, F_FREE_P99, F_N };

static const struct {
	const char *key, *label, *unit;
	int better;              /* +1: higher is better, -1: lower */
} figs[F_N] = {
	{ "throughput_ops_per_sec", "ops/s", "", +1 },
	{ "alloc_mean_ns", "alloc mean", "ns", -1 },
	{ "alloc_p50_ns", "alloc p50", "ns", -1 },
	{ "alloc_p99_ns", "alloc p99", "ns", -1 },
	{ "free_mean_ns", "free mean", "ns", -1 },
	{ "free_p50_ns", "free p50", "ns", -1 },
	{ "free_p99_ns", "free p99", "ns", -1 },
};

/* The figures whose ordering of allocators is judged. */
static const int ordered[] = { F_OPS, F_ALLOC_MEAN, F_FREE_MEAN };

/* One allocator: the prediction, and each native run's figures. */
typedef struct cm_alloc {
	const char *label;
	double pred[F_N];
	double (*meas)[F_N];     /* [runs] */
	double med[F_N], lo[F_N], hi[F_N];
} cm_alloc_t;

static double ns_of(simtime_t ps)
{
	return (double)ps / (double)PS_PER_NS;
}

static void figures_of(const run_stats_t *st, double f[F_N])
{
	const hist_t *a = &st->lat[OP_STAT_ALLOC], *fr = &st->lat[OP_STAT_FREE];
	double ops = (double)(st->ops[OP_STAT_ALLOC] + st->ops[OP_STAT_FREE]);

	f[F_OPS] = st->span ? ops * (double)PS_PER_SEC / (double)st->span : 0;
	f[F_ALLOC_MEAN] = a->count ? ns_of(a->sum) / (double)a->count : 0;
	f[F_ALLOC_P50] = ns_of(hist_quantile(a, 500));
	f[F_ALLOC_P99] = ns_of(hist_quantile(a, 990));
	f[F_FREE_MEAN] = fr->count ? ns_of(fr->sum) / (double)fr->count : 0;
	f[F_FREE_P50] = ns_of(hist_quantile(fr, 500));
	f[F_FREE_P99] = ns_of(hist_quantile(fr, 990));
}

/* The simulation's figures of allocator label. */
static bool predict(scenario_t *sc, cm_alloc_t *c, GError **err)
{
	run_t *r = lh_run_new(sc, c->label, err);
	run_stats_t *st;

	if (!r)
		return false;
	if (!run_execute(r, err)) {
		run_free(r);
		return false;
	}
	st = run_stats(r);
	figures_of(st, c->pred);
	run_stats_free(st);
	run_free(r);
	return true;
}

/* Native run k of allocator c. */
static bool measure(scenario_t *sc, cm_alloc_t *c, int k, GError **err)
{
	run_stats_t *st = native_cli_run(sc, c->label, err);

	if (!st)
		return false;
	if (st->end != RUN_COMPLETED && st->end != RUN_IDLE) {
		g_set_error(err, SLABSIM_ERROR, 2, "%s: the native run did not complete (%s)", c->label,
		            st->end == RUN_DEADLOCK ? "deadlock" : "duration reached");
		run_stats_free(st);
		return false;
	}
	figures_of(st, c->meas[k]);
	run_stats_free(st);
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, least and greatest of the runs. */
static void summarise(cm_alloc_t *c, int runs)
{
	double *v = g_new(double, runs);

	for (int f = 0; f < F_N; f++) {
		for (int k = 0; k < runs; k++)
			v[k] = c->meas[k][f];
		qsort(v, (size_t)runs, sizeof *v, cmp_double);
		c->med[f] = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;
		c->lo[f] = v[0];
		c->hi[f] = v[runs - 1];
	}
	g_free(v);
}

/* ---- the ordering ---- */

typedef struct order_sort {
	const cm_alloc_t *a;
	int f, by_pred;
} order_sort_t;

static gint cmp_alloc(gconstpointer x, gconstpointer y, gpointer ctx)
{
	const order_sort_t *s = ctx;
	const cm_alloc_t *a = &s->a[*(const int *)x], *b = &s->a[*(const int *)y];
	double u = s->by_pred ? a->pred[s->f] : a->med[s->f];
	double v = s->by_pred ? b->pred[s->f] : b->med[s->f];

	return figs[s->f].better * ((u < v) - (u > v));
}

/* The allocators' indices, best first by figure f predicted or measured
 * (a stable sort: ties keep the scenario's order). */
static int *rank(const cm_alloc_t *a, int n, int f, bool by_pred)
{
	int *idx = g_new(int, n);
	order_sort_t s = { a, f, by_pred };

	for (int i = 0; i < n; i++)
		idx[i] = i;
	g_qsort_with_data(idx, n, sizeof *idx, cmp_alloc, &s);
	return idx;
}

/* Pairs the model orders otherwise than the medians; *unresolved of
 * them have native ranges that overlap (the measurement does not decide). */
static JsonArray *discordant(const cm_alloc_t *a, int n, int f, int *unresolved)
{
	JsonArray *pairs = json_array_new();

	*unresolved = 0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double dp = a[i].pred[f] - a[j].pred[f], dm = a[i].med[f] - a[j].med[f];
			JsonArray *p;

			if (dp * dm >= 0)
				continue;
			p = json_array_new();
			json_array_add_string_element(p, a[i].label);
			json_array_add_string_element(p, a[j].label);
			json_array_add_array_element(pairs, p);
			*unresolved += a[i].lo[f] <= a[j].hi[f] && a[j].lo[f] <= a[i].hi[f];
		}
	return pairs;
}

static JsonArray *names_array(const cm_alloc_t *a, const int *idx, int n)
{
	JsonArray *o = json_array_new();

	for (int i = 0; i < n; i++)
		json_array_add_string_element(o, a[idx[i]].label);
	return o;
}

/* "ordering": per judged figure, the two rankings and the verdict; the
 * verdict lines appended to text. */
static JsonObject *ordering(const cm_alloc_t *a, int n, GString *text)
{
	JsonObject *o = json_object_new();

	for (size_t i = 0; i < G_N_ELEMENTS(ordered); i++) {
		int f = ordered[i], unresolved;
		int *p = rank(a, n, f, true), *m = rank(a, n, f, false);
		JsonObject *x = json_object_new();
		JsonArray *bad = discordant(a, n, f, &unresolved);
		guint nbad = json_array_get_length(bad);
		bool same = nbad == 0;

		json_object_set_array_member(x, "predicted", names_array(a, p, n));
		json_object_set_array_member(x, "measured", names_array(a, m, n));
		json_object_set_boolean_member(x, "matches", same);
		json_object_set_array_member(x, "discordant_pairs", bad);
		json_object_set_int_member(x, "discordant_within_native_spread", unresolved);
		json_object_set_object_member(o, figs[f].key, x);
		g_string_append_printf(text, "ordering by %s (best first): predicted", figs[f].label);
		for (int k = 0; k < n; k++)
			g_string_append_printf(text, " %s", a[p[k]].label);
		g_string_append(text, ", measured");
		for (int k = 0; k < n; k++)
			g_string_append_printf(text, " %s", a[m[k]].label);
		if (same)
			g_string_append(text, ": MATCHES\n");
		else
			g_string_append_printf(text, ": DIFFERS in %u of %d pairs (%d of them within the "
			                       "native spread)\n", nbad, n * (n - 1) / 2, unresolved);
		g_free(p);
		g_free(m);
	}
	return o;
}

/* ---- output ---- */

static void table_row(GString *s, const cm_alloc_t *c, int f)
{
	char *p = metric_format(c->pred[f], figs[f].unit, 1);
	char *m = metric_format(c->med[f], figs[f].unit, 1);
	double spread = c->med[f] ? 100.0 * (c->hi[f] - c->lo[f]) / c->med[f] : 0;

	g_string_append_printf(s, "%-10s  %-10s  %10s  %10s  %9.2f  %5.0f%%\n",
	                       f == 0 ? c->label : "", figs[f].label, p, m,
	                       c->med[f] ? c->pred[f] / c->med[f] : 0, spread);
	g_free(p);
	g_free(m);
}

static JsonObject *alloc_object(const cm_alloc_t *c, GString *csv)
{
	JsonObject *o = json_object_new();

	for (int f = 0; f < F_N; f++) {
		JsonObject *x = json_object_new();

		json_object_set_double_member(x, "predicted", c->pred[f]);
		json_object_set_double_member(x, "measured", c->med[f]);
		json_object_set_double_member(x, "measured_min", c->lo[f]);
		json_object_set_double_member(x, "measured_max", c->hi[f]);
		json_object_set_double_member(x, "ratio", c->med[f] ? c->pred[f] / c->med[f] : 0);
		json_object_set_object_member(o, figs[f].key, x);
		g_string_append_printf(csv, "%s,%s,%.6g,%.6g,%.6g,%.6g\n", c->label, figs[f].key,
		                       c->pred[f], c->med[f], c->lo[f], c->hi[f]);
	}
	return o;
}

static char *json_text(JsonObject *root)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *text, *out;

	json_node_take_object(node, root);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	out = g_strconcat(text, "\n", NULL);
	g_free(text);
	g_object_unref(gen);
	json_node_unref(node);
	return out;
}

static JsonObject *header_object(const scenario_t *sc, const checkmodel_opts_t *o)
{
	JsonObject *root = json_object_new(), *host = json_object_new();
	char *end = native_loadavg();

	json_object_set_string_member(root, "scenario", o->scenario);
	json_object_set_string_member(root, "machine_profile", o->profile);
	json_object_set_string_member(root, "machine", sc->machine_name);
	json_object_set_int_member(root, "native_runs", o->runs);
	json_object_set_int_member(root, "seed", (gint64)sc->seed);
	json_object_set_int_member(host, "cpus", g_get_num_processors());
	json_object_set_string_member(host, "loadavg_at_start", o->loadavg);
	json_object_set_string_member(host, "loadavg_at_end", end);
	json_object_set_object_member(root, "host", host);
	json_object_set_string_member(root, "note", "predicted: one simulation on the host's "
	                              "profile; measured: the median of the native runs on this "
	                              "host (shared with other work), min and max beside it; "
	                              "ratio = predicted / measured (docs/native.md)");
	g_free(end);
	return root;
}

static bool write_outputs(const scenario_t *sc, const checkmodel_opts_t *o, cm_alloc_t *a,
                          int n, const char *dir, GString *text, GError **err)
{
	JsonObject *root = header_object(sc, o), *allocs = json_object_new();
	GString *csv = g_string_new("allocator,figure,predicted,measured,measured_min,measured_max\n");
	char *json;
	bool ok;

	for (int i = 0; i < n; i++)
		json_object_set_object_member(allocs, a[i].label, alloc_object(&a[i], csv));
	json_object_set_object_member(root, "allocators", allocs);
	json_object_set_object_member(root, "ordering", ordering(a, n, text));
	json = json_text(root);
	ok = resdir_write_file(dir, "model-check.json", json, err) &&
	     resdir_write_file(dir, "model-check.csv", csv->str, err);
	g_free(json);
	g_string_free(csv, TRUE);
	return ok;
}

/* Predict, measure, compare and write (see checkmodel.h). */
bool checkmodel_run(scenario_t *sc, const checkmodel_opts_t *o, const char *dir, GError **err)
{
	int n = (int)g_strv_length(sc->allocators);
	cm_alloc_t *a = g_new0(cm_alloc_t, n);
	GString *text = g_string_new(NULL);
	bool ok = true;

	for (int i = 0; i < n; i++) {
		a[i].label = sc->allocators[i];
		a[i].meas = g_malloc0_n((gsize)o->runs, sizeof(*a[i].meas));
	}
	for (int i = 0; i < n && ok; i++)
		ok = predict(sc, &a[i], err);
	for (int k = 0; k < o->runs && ok; k++)      /* the allocators take turns */
		for (int i = 0; i < n && ok; i++)
			ok = measure(sc, &a[i], k, err);
	if (ok) {
		g_string_append_printf(text, "check-model %s: predicted = simulated on the host's "
		                       "profile (%s); measured = median of %d native runs on this host "
		                       "(%d CPUs, shared with other work; load %s at the start); spread "
		                       "= (max - min) / median; latencies of a batch (t:alloc_n, "
		                       "t:free_n) are its mean natively\n\n",
		                       o->scenario, o->profile, o->runs, g_get_num_processors(),
		                       o->loadavg);
		g_string_append(text, "allocator   figure       predicted    measured  pred/meas  spread\n");
		for (int i = 0; i < n; i++) {
			summarise(&a[i], o->runs);
			for (int f = 0; f < F_N; f++)
				table_row(text, &a[i], f);
		}
		g_string_append_c(text, '\n');
		ok = write_outputs(sc, o, a, n, dir, text, err);
	}
	if (ok && !o->quiet)
		fputs(text->str, stdout);
	for (int i = 0; i < n; i++)
		g_free(a[i].meas);
	g_free(a);
	g_string_free(text, TRUE);
	return ok;
}
