/*
 * diff.c -- two results directories figure by figure (see diff.h).
 */
#include <math.h>
#include <string.h>
#include "diff.h"
#include "out_int.h"

/* "results/x (git 0123abcd, dirty)" */
static void describe_side(GString *s, const char *tag, const char *name, JsonObject *prov)
{
	const char *rev = sget(prov, "git_revision", NULL);

	g_string_append_printf(s, "%s: %s", tag, name);
	if (rev) {
		JsonNode *d = json_object_get_member(prov, "dirty");
		bool dirty = d && JSON_NODE_HOLDS_VALUE(d) && json_node_get_boolean(d);
		g_string_append_printf(s, " (git %.12s%s)", rev, dirty ? ", dirty" : "");
	}
	g_string_append_c(s, '\n');
}

/* Every scenario key whose value differs, "group.key: A -> B". */
static void scenario_diff(GString *s, JsonObject *a, JsonObject *b)
{
	JsonObject *sa = oget(a, "scenario"), *sb = oget(b, "scenario");
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	JsonObject *sides[2] = { sa, sb };

	for (int side = 0; side < 2; side++) {
		GList *groups = sides[side] ? json_object_get_members(sides[side]) : NULL;
		for (GList *g = groups; g; g = g->next) {
			JsonObject *ga = oget(sa, g->data), *gb = oget(sb, g->data);
			GList *keys = json_object_get_members(side ? gb : ga);
			for (GList *k = keys; k; k = k->next) {
				const char *va = sget(ga, k->data, NULL), *vb = sget(gb, k->data, NULL);
				if (side && va)
					continue;          /* seen from A */
				if (va && vb && strcmp(va, vb) == 0)
					continue;
				g_ptr_array_add(lines, g_strdup_printf("  %s.%s: %s -> %s", (char *)g->data,
				                                       (char *)k->data, va ? va : "(absent)",
				                                       vb ? vb : "(absent)"));
			}
			g_list_free(keys);
		}
		g_list_free(groups);
	}
	if (!lines->len)
		g_string_append(s, "scenario: the same resolved scenario\n");
	else
		g_string_append(s, "scenario keys that differ:\n");
	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(s, "%s\n", (char *)lines->pdata[i]);
	g_ptr_array_free(lines, TRUE);
}

static void add_row(GPtrArray *rows, const char *c0, char *c1, char *c2, char *c3, const char *c4)
{
	char **r = g_new0(char *, 6);

	r[0] = g_strdup(c0);
	r[1] = c1;
	r[2] = c2;
	r[3] = c3;
	r[4] = g_strdup(c4);
	g_ptr_array_add(rows, r);
}

/* One allocator of each side, figure by figure. */
static void allocator_diff(GString *s, const char *la, JsonObject *a, const char *lb, JsonObject *b)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	const char *ea = sget(oget(a, "end"), "reason", "?"), *eb = sget(oget(b, "end"), "reason", "?");

	if (strcmp(la, lb) == 0)
		add_row(rows, la, g_strdup("A"), g_strdup("B"), g_strdup("B/A"), "");
	else
		add_row(rows, "", g_strdup_printf("A: %s", la), g_strdup_printf("B: %s", lb),
		        g_strdup("B/A"), "");
	add_row(rows, "  end", g_strdup(ea), g_strdup(eb), g_strdup(""), strcmp(ea, eb) ? "differs" : "");
	for (const metric_t *m = metric_table; m->name; m++) {
		double va, vb, r;
		const char *label = m->name, *unit = m->unit;
		int better = m->better;
		char *name;

		if (!(m->where & METRIC_SUMMARY))
			continue;
		if (strcmp(m->name, "merit") == 0) {
			bool da, db;
			va = metric_merit(a, &label, &better, &da);
			vb = metric_merit(b, &label, &better, &db);
			if (!da && !db)
				continue;        /* ops/s, its own row below */
			unit = "";
			name = g_strdup_printf("  %s", label);
		} else {
			va = metric_value(m, a);
			vb = metric_value(m, b);
			name = g_strdup_printf("  %s", m->column ? m->column : m->name);
		}
		r = va != 0 ? vb / va : (vb == 0 ? 1 : NAN);
		const char *verdict = "";
		if (isnan(r))
			verdict = "new";
		else if (better && fabs(r - 1) >= 0.01)
			verdict = (r > 1) == (better > 0) ? "better" : "worse";
		add_row(rows, name, metric_format(va, unit, m->decimals), metric_format(vb, unit, m->decimals),
		        isnan(r) ? g_strdup("-") : g_strdup_printf("%.3f", r), verdict);
		g_free(name);
	}
	out_print_rows(s, rows, true);
	g_ptr_array_free(rows, TRUE);
}

char *results_diff(JsonObject *a, JsonObject *b, JsonObject *prov_a, JsonObject *prov_b,
                   const char *na, const char *nb)
{
	GString *s = g_string_new(NULL);
	JsonObject *aa = oget(a, "allocators"), *ab = oget(b, "allocators");
	GList *la = aa ? json_object_get_members(aa) : NULL, *lb = ab ? json_object_get_members(ab) : NULL;
	int common = 0;

	describe_side(s, "A", na, prov_a);
	describe_side(s, "B", nb, prov_b);
	scenario_diff(s, a, b);
	for (GList *l = la; l; l = l->next)
		if (json_object_has_member(ab, l->data)) {
			g_string_append_c(s, '\n');
			allocator_diff(s, l->data, oget(aa, l->data), l->data, oget(ab, l->data));
			common++;
		}
	if (!common && g_list_length(la) == 1 && g_list_length(lb) == 1) {
		g_string_append_c(s, '\n');
		allocator_diff(s, la->data, oget(aa, la->data), lb->data, oget(ab, lb->data));
	} else {
		for (GList *l = la; l; l = l->next)
			if (!json_object_has_member(ab, l->data))
				g_string_append_printf(s, "\nonly in A: %s", (char *)l->data);
		for (GList *l = lb; l; l = l->next)
			if (!json_object_has_member(aa, l->data))
				g_string_append_printf(s, "\nonly in B: %s", (char *)l->data);
		if (s->str[s->len - 1] != '\n')
			g_string_append_c(s, '\n');
	}
	g_string_append(s, "\nB/A: B's figure over A's; better/worse by at least 1% where the figure "
	                "has a better direction\n");
	g_list_free(la);
	g_list_free(lb);
	return g_string_free(s, FALSE);
}

/* The parsed JSON file (dir/name, or dir itself when it is a file). */
static JsonParser *load(const char *dir, const char *name, bool required, GError **err)
{
	char *path = g_file_test(dir, G_FILE_TEST_IS_DIR) ? g_build_filename(dir, name, NULL) : NULL;
	JsonParser *p = json_parser_new();
	bool ok;

	if (!path && strcmp(name, "results.json") == 0)
		path = g_strdup(dir);
	ok = path && json_parser_load_from_file(p, path, required ? err : NULL) &&
	     JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p));
	if (!ok && required && err && !*err)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: not a results directory (no results.json)", dir);
	if (!ok && required && err && *err && path && !strstr((*err)->message, path))
		g_prefix_error(err, "%s: ", path);
	g_free(path);
	if (!ok) {
		g_object_unref(p);
		return NULL;
	}
	return p;
}

static JsonObject *root_of(JsonParser *p)
{
	return p ? json_node_get_object(json_parser_get_root(p)) : NULL;
}

char *results_diff_dirs(const char *a, const char *b, GError **err)
{
	JsonParser *ra = load(a, "results.json", true, err), *rb = ra ? load(b, "results.json", true, err) : NULL;
	JsonParser *pa, *pb;
	char *text;

	if (!ra || !rb) {
		if (ra)
			g_object_unref(ra);
		return NULL;
	}
	pa = load(a, "provenance.json", false, NULL);
	pb = load(b, "provenance.json", false, NULL);
	text = results_diff(root_of(ra), root_of(rb), root_of(pa), root_of(pb), a, b);
	g_object_unref(ra);
	g_object_unref(rb);
	if (pa)
		g_object_unref(pa);
	if (pb)
		g_object_unref(pb);
	return text;
}
