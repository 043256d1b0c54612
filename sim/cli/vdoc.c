/*
 * vdoc.c -- the validation record and the document (see vdoc.h).
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include "vdoc.h"
#include "error.h"

static const char *const classes[] = {
	"measured", "construction", "not modelled", "pending", "method", NULL,
};

static const char *const verdicts[] = {
	"reproduced", "partly reproduced", "contradicted", "no difference",
	"not modelled", "pending", "answered", "partly answered", NULL,
};

/* How each class reads in the document. */
static const char *class_label(const char *klass)
{
	if (!klass)
		return "?";
	if (strcmp(klass, "construction") == 0)
		return "by construction";
	return klass;
}

bool vdoc_known_class(const char *klass)
{
	return klass && g_strv_contains(classes, klass);
}

bool vdoc_known_verdict(const char *verdict)
{
	return verdict && g_strv_contains(verdicts, verdict);
}

/* The fields, in record order, as offsets into vclaim_t. */
static const struct { const char *name; size_t off; } fields[] = {
	{ "id", offsetof(vclaim_t, id) }, { "title", offsetof(vclaim_t, title) },
	{ "who", offsetof(vclaim_t, who) }, { "claim", offsetof(vclaim_t, claim) },
	{ "class", offsetof(vclaim_t, klass) }, { "needs", offsetof(vclaim_t, needs) },
	{ "rule", offsetof(vclaim_t, rule) }, { "method", offsetof(vclaim_t, method) },
	{ "scenarios", offsetof(vclaim_t, scenarios) }, { "commands", offsetof(vclaim_t, commands) },
	{ "figure", offsetof(vclaim_t, figure) }, { "real", offsetof(vclaim_t, real) },
	{ "simulated", offsetof(vclaim_t, simulated) }, { "verdict", offsetof(vclaim_t, verdict) },
	{ "section", offsetof(vclaim_t, section) },
};

static char **field(vclaim_t *c, size_t i)
{
	return (char **)((char *)c + fields[i].off);
}

void vclaim_free(vclaim_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		g_free(*field(c, i));
	g_free(c);
}

vclaim_t *vdoc_find(GPtrArray *claims, const char *id)
{
	for (guint i = 0; i < claims->len; i++) {
		vclaim_t *c = claims->pdata[i];
		if (strcmp(c->id, id) == 0)
			return c;
	}
	return NULL;
}

/* ---- the record ---- */

static vclaim_t *claim_from_json(JsonObject *o)
{
	vclaim_t *c = g_new0(vclaim_t, 1);

	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		if (json_object_has_member(o, fields[i].name))
			*field(c, i) = g_strdup(json_object_get_string_member(o, fields[i].name));
	return c;
}

GPtrArray *vdoc_load(const char *path, GError **err)
{
	GPtrArray *claims = g_ptr_array_new_with_free_func((GDestroyNotify)vclaim_free);
	JsonParser *p;
	JsonNode *root;

	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return claims;
	p = json_parser_new();
	if (!json_parser_load_from_file(p, path, err)) {
		g_object_unref(p);
		g_ptr_array_free(claims, TRUE);
		return NULL;
	}
	root = json_parser_get_root(p);
	JsonArray *a = JSON_NODE_HOLDS_OBJECT(root) ?
		json_object_get_array_member(json_node_get_object(root), "claims") : NULL;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		vclaim_t *c = claim_from_json(json_array_get_object_element(a, i));
		if (c->id)
			g_ptr_array_add(claims, c);
		else
			vclaim_free(c);
	}
	g_object_unref(p);
	if (!a) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s: not a validation record", path);
		g_ptr_array_free(claims, TRUE);
		return NULL;
	}
	return claims;
}

static char *record_json(GPtrArray *claims)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	char *text, *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "claims");
	json_builder_begin_array(b);
	for (guint i = 0; i < claims->len; i++) {
		vclaim_t *c = claims->pdata[i];
		json_builder_begin_object(b);
		for (size_t f = 0; f < G_N_ELEMENTS(fields); f++)
			if (*field(c, f)) {
				json_builder_set_member_name(b, fields[f].name);
				json_builder_add_string_value(b, *field(c, f));
			}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 1);
	text = json_generator_to_data(gen, NULL);
	out = g_strconcat(text, "\n", NULL);
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return out;
}

/* ---- the document ---- */

/* A string for a table cell: one line, no pipes. */
static char *cell(const char *s)
{
	char *t = g_strdup(s && *s ? s : "-");

	g_strdelimit(t, "\n|", ' ');
	return g_strstrip(t);
}

static void table_row(GString *d, const vclaim_t *c)
{
	char *title = cell(c->title), *fig = cell(c->figure), *real = cell(c->real);
	char *sim = cell(c->simulated), *scns = cell(c->scenarios);

	g_string_append_printf(d, "| [%s](#%s) | %s | %s | %s | %s | %s | %s | **%s** |\n",
	                       c->id, c->id, title, class_label(c->klass), scns, fig, real, sim,
	                       c->verdict ? c->verdict : "?");
	g_free(title);
	g_free(fig);
	g_free(real);
	g_free(sim);
	g_free(scns);
}

static void para(GString *d, const char *label, const char *text)
{
	if (text && *text)
		g_string_append_printf(d, "**%s** %s\n\n", label, text);
}

static void section(GString *d, const vclaim_t *c)
{
	g_string_append_printf(d, "<a id=\"%s\"></a>\n### %s: %s\n\n", c->id, c->id,
	                       c->title ? c->title : "");
	if (c->who)
		g_string_append_printf(d, "*%s*\n\n", c->who);
	para(d, "Claim.", c->claim);
	g_string_append_printf(d, "**Class.** %s%s%s\n\n", class_label(c->klass),
	                       c->needs ? ": " : "", c->needs ? c->needs : "");
	para(d, "Rule.", c->rule);
	para(d, "How slabsim tests it.", c->method);
	para(d, "Figure.", c->figure);
	para(d, "Real.", c->real);
	para(d, "Simulated.", c->simulated);
	if (c->section && *c->section)
		g_string_append_printf(d, "%s\n\n", c->section);
	g_string_append_printf(d, "**Verdict: %s.**\n\n", c->verdict ? c->verdict : "?");
	if (c->commands && *c->commands)
		g_string_append_printf(d, "Reproduce:\n\n```\n%s```\n\n", c->commands);
}

/* "C1-C26: 5 measured, ..." counts of classes and verdicts. */
static void summary(GString *d, GPtrArray *claims)
{
	GHashTable *by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < claims->len; i++) {
		vclaim_t *c = claims->pdata[i];
		char *k = g_strdup_printf("%s\x1f%s", class_label(c->klass), c->verdict ? c->verdict : "?");
		g_hash_table_insert(by, k, GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(by, k)) + 1));
	}
	GList *keys = g_list_sort(g_hash_table_get_keys(by), (GCompareFunc)strcmp);
	g_string_append(d, "| class | verdict | claims |\n|---|---|---|\n");
	for (GList *l = keys; l; l = l->next) {
		char **kv = g_strsplit(l->data, "\x1f", 2);
		g_string_append_printf(d, "| %s | %s | %d |\n", kv[0], kv[1],
		                       GPOINTER_TO_INT(g_hash_table_lookup(by, l->data)));
		g_strfreev(kv);
	}
	g_string_append_c(d, '\n');
	g_list_free(keys);
	g_hash_table_destroy(by);
}

char *vdoc_markdown(GPtrArray *claims)
{
	GString *d = g_string_new(NULL);

	g_string_append(d,
		"# Validation: the thread's claims and tables against slabsim\n\n"
		"Generated by `./slabsim validate` from `validation/claims.lua` (the record\n"
		"beside this file, `validation.json`, holds the same); do not edit by hand.\n"
		"The claims are those of the SLQB thread and the seeds (C1-C26, the seed\n"
		"features S1-S3) and its measurement tables (R1-R5). Each claim's rule and\n"
		"tolerance are committed in `validation/claims.lua` before the results that\n"
		"use them, so the git history shows that no rule was fitted to its result.\n\n"
		"**Classes.** *measured*: the figure comes out of a simulation and the\n"
		"rule could have gone either way; only these are evidence about the world.\n"
		"*by construction*: the model encodes the claim (a code-path or accounting\n"
		"check); it shows the code does what it says, nothing more. *not modelled*:\n"
		"slabsim lacks what the claim needs (named). *pending*: needs a knob or\n"
		"variant that is not built yet (named). *method*: advice about method,\n"
		"answered by the report feature it asks for.\n\n"
		"**Noise.** Figures over several seeds are given as mean ± sample standard\n"
		"deviation; two allocators differ only when the noise rule of\n"
		"[the model](model.md#noise) separates them, otherwise the table says \"no\n"
		"difference\" and agreement counts them as tied. **Agreement** with a real\n"
		"table: *best match* is the mean over rows of |B_r & B_s| / (|B_r| |B_s|),\n"
		"B_r the real best allocators, B_s those the noise rule does not separate\n"
		"from the simulated best (a tie for best among k allocators counts 1/k);\n"
		"*tau* is Kendall's tau-b over the pairs of allocators of all rows pooled.\n"
		"The real-vs-real ceiling is the same figure between two real runs of the\n"
		"same thing.\n\n"
		"Every row can be rerun alone: `./slabsim validate --only ID` (which\n"
		"rewrites only that row), or the `slabsim run` commands in its section.\n"
		"`validate` exits with status 4 when a *measured* verdict changes.\n\n"
		"## Summary\n\n");
	summary(d, claims);
	g_string_append(d, "| claim | what | class | scenario | figure | real | simulated | verdict |\n"
	                   "|---|---|---|---|---|---|---|---|\n");
	for (guint i = 0; i < claims->len; i++)
		table_row(d, claims->pdata[i]);
	g_string_append(d, "\n## Claim by claim\n\n");
	for (guint i = 0; i < claims->len; i++)
		section(d, claims->pdata[i]);
	return g_string_free(d, FALSE);
}

bool vdoc_save(const char *record, const char *markdown, GPtrArray *claims, GError **err)
{
	char *json = record_json(claims), *md = vdoc_markdown(claims);
	bool ok = g_file_set_contents(record, json, -1, err) &&
	          g_file_set_contents(markdown, md, -1, err);

	g_free(json);
	g_free(md);
	return ok;
}
