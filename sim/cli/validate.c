/*
 * validate.c -- `slabsim validate`: claims in, docs/validation.md out.
 *
 * claims.lua returns an array of claims:
 *
 *   { id = "C1", title = "...", who = "...", claim = "...",
 *     runs = { { name = "slab", scenario = "scenarios/x.scn",
 *                set = { "workload.n=5" }, allocators = "slab,slub" }, ... },
 *     check = function(runs) return { figure = "...", verdict = "reproduced" } end }
 *
 * `runs` and `check` may be absent for a claim slabsim does not test; it
 * then gives `verdict` and `figure` (the reason) directly.  check()
 * receives each run's results.json as a Lua table, by run name.  Runs are
 * started in claim order; a run already made for an earlier claim (same
 * scenario, overrides and allocators) is reused.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include <lua.h>
#include <lauxlib.h>
#include "validate.h"
#include "sandbox.h"
#include "scenario.h"

static const char *const verdicts[] = {
	"reproduced", "partly reproduced", "contradicted", "not applicable", NULL,
};

typedef struct vrun {
	char *key;                /* scenario, allocators and overrides */
	char *dir;
} vrun_t;

typedef struct vstate {
	const validate_spec_t *spec;
	lua_State *L;
	GPtrArray *done;          /* vrun_t*: runs made so far */
	GString *table, *details;
} vstate_t;

static void vrun_free(gpointer p)
{
	vrun_t *r = p;
	g_free(r->key);
	g_free(r->dir);
	g_free(r);
}

/* ---- results.json into Lua ---- */

static void push_json(lua_State *L, JsonNode *n);

static void push_object(lua_State *L, JsonObject *o)
{
	GList *members = json_object_get_members(o);

	lua_createtable(L, 0, (int)g_list_length(members));
	for (GList *l = members; l; l = l->next) {
		push_json(L, json_object_get_member(o, l->data));
		lua_setfield(L, -2, l->data);
	}
	g_list_free(members);
}

static void push_array(lua_State *L, JsonArray *a)
{
	guint n = json_array_get_length(a);

	lua_createtable(L, (int)n, 0);
	for (guint i = 0; i < n; i++) {
		push_json(L, json_array_get_element(a, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

static void push_value(lua_State *L, JsonNode *n)
{
	switch (json_node_get_value_type(n)) {
	case G_TYPE_INT64:
		lua_pushinteger(L, json_node_get_int(n));
		break;
	case G_TYPE_DOUBLE:
		lua_pushnumber(L, json_node_get_double(n));
		break;
	case G_TYPE_BOOLEAN:
		lua_pushboolean(L, json_node_get_boolean(n));
		break;
	default:
		lua_pushstring(L, json_node_get_string(n));
	}
}

static void push_json(lua_State *L, JsonNode *n)
{
	switch (JSON_NODE_TYPE(n)) {
	case JSON_NODE_OBJECT:
		push_object(L, json_node_get_object(n));
		break;
	case JSON_NODE_ARRAY:
		push_array(L, json_node_get_array(n));
		break;
	case JSON_NODE_VALUE:
		push_value(L, n);
		break;
	default:
		lua_pushnil(L);
	}
}

/* Push the results.json of `dir` as a table. */
static bool push_results(lua_State *L, const char *dir, GError **err)
{
	char *path = g_build_filename(dir, "results.json", NULL);
	JsonParser *p = json_parser_new();
	bool ok = json_parser_load_from_file(p, path, err);

	if (ok)
		push_json(L, json_parser_get_root(p));
	g_object_unref(p);
	g_free(path);
	return ok;
}

/* ---- runs ---- */

/* A string field of the table on top of the stack, or NULL. */
static const char *field_string(lua_State *L, const char *name)
{
	const char *s;

	lua_getfield(L, -1, name);
	s = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);          /* the table still holds the string */
	return s;
}

/* argv of `slabsim run` for the run table on top of the stack, without
 * the output directory and the terminating NULL. */
static GPtrArray *run_argv(vstate_t *v, const char *scenario)
{
	lua_State *L = v->L;
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	const char *allocators = field_string(L, "allocators");

	g_ptr_array_add(argv, g_strdup(v->spec->self));
	g_ptr_array_add(argv, g_strdup("run"));
	g_ptr_array_add(argv, g_path_is_absolute(scenario) ? g_strdup(scenario) :
	                g_build_filename(v->spec->root, scenario, NULL));
	g_ptr_array_add(argv, g_strdup("--quiet"));
	g_ptr_array_add(argv, g_strdup("--no-plots"));
	if (allocators) {
		g_ptr_array_add(argv, g_strdup("--allocators"));
		g_ptr_array_add(argv, g_strdup(allocators));
	}
	if (lua_getfield(L, -1, "set") == LUA_TTABLE) {
		for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
			g_ptr_array_add(argv, g_strdup("--set"));
			g_ptr_array_add(argv, g_strdup(lua_tostring(L, -1)));
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return argv;
}

/* The identity of a run: its command line (before the output dir). */
static char *run_key(GPtrArray *argv)
{
	GString *k = g_string_new(NULL);

	for (guint i = 2; i < argv->len; i++)
		g_string_append_printf(k, "%s\x1f", (char *)argv->pdata[i]);
	return g_string_free(k, FALSE);
}

static const char *find_run(vstate_t *v, const char *key)
{
	for (guint i = 0; i < v->done->len; i++) {
		vrun_t *r = v->done->pdata[i];
		if (strcmp(r->key, key) == 0)
			return r->dir;
	}
	return NULL;
}

/* Make (or reuse) the run whose table is on top of the stack; its
 * results directory. */
static const char *make_run(vstate_t *v, const char *claim, GError **err)
{
	const char *name = field_string(v->L, "name"), *scenario = field_string(v->L, "scenario");
	char *dir, *key;
	GPtrArray *argv;
	const char *have;
	int status = 0;
	vrun_t *r;

	if (!name || !scenario) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT,
		            "%s: claim %s: every run needs a name and a scenario", v->spec->claims, claim);
		return NULL;
	}
	argv = run_argv(v, scenario);
	key = run_key(argv);
	if ((have = find_run(v, key))) {
		g_free(key);
		g_ptr_array_free(argv, TRUE);
		return have;
	}
	dir = g_strdup_printf("%s/%s-%s", v->spec->runs_dir, claim, name);
	g_ptr_array_add(argv, g_strdup("--out"));
	g_ptr_array_add(argv, g_strdup(dir));
	g_ptr_array_add(argv, NULL);
	g_printerr("validate: %s: run %s (%s)\n", claim, name, scenario);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
	                  NULL, NULL, NULL, NULL, &status, err) ||
	    !g_spawn_check_wait_status(status, err)) {
		g_prefix_error(err, "claim %s, run %s: ", claim, name);
		g_free(key);
		g_free(dir);
		g_ptr_array_free(argv, TRUE);
		return NULL;
	}
	g_ptr_array_free(argv, TRUE);
	r = g_new(vrun_t, 1);
	*r = (vrun_t){ key, dir };
	g_ptr_array_add(v->done, r);
	return dir;
}

/* Push {name = results} for the claim under the check function on top
 * of the stack. */
static bool push_runs(vstate_t *v, const char *claim, GError **err)
{
	lua_State *L = v->L;

	lua_newtable(L);                            /* claim, check, out */
	if (lua_getfield(L, -3, "runs") != LUA_TTABLE) {  /* claim, check, out, runs */
		lua_pop(L, 2);
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT,
		            "%s: claim %s has a check but no runs", v->spec->claims, claim);
		return false;
	}
	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		const char *name = field_string(L, "name");
		const char *dir = make_run(v, claim, err);
		if (!dir || !push_results(L, dir, err)) {
			lua_pop(L, 3);
			return false;
		}                                   /* claim, out, runs, run, results */
		lua_setfield(L, -4, name);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	return true;
}

/* ---- evaluation ---- */

static bool known_verdict(const char *s)
{
	return s && g_strv_contains(verdicts, s);
}

/* Evaluate the claim on top of the stack: *figure and *verdict (owned by
 * the caller). */
static bool evaluate(vstate_t *v, const char *id, char **figure, char **verdict, GError **err)
{
	lua_State *L = v->L;

	lua_getfield(L, -1, "check");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);           /* the claim itself holds the answer */
	} else {
		if (!push_runs(v, id, err)) {
			lua_pop(L, 1);
			return false;
		}
		if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "claim %s: %s",
			            id, lua_tostring(L, -1));
			lua_pop(L, 1);
			return false;
		}
	}
	*figure = g_strdup(lua_istable(L, -1) ? field_string(L, "figure") : NULL);
	*verdict = g_strdup(lua_istable(L, -1) ? field_string(L, "verdict") : NULL);
	lua_pop(L, 1);
	if (!*figure || !known_verdict(*verdict)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT,
		            "claim %s: expected {figure = STRING, verdict = one of reproduced, "
		            "partly reproduced, contradicted, not applicable}", id);
		return false;
	}
	return true;
}

static char *one_line(const char *s)
{
	char *t = g_strdup(s ? s : "");

	g_strdelimit(t, "\n|", ' ');
	return g_strstrip(t);
}

/* The scenarios of the claim on top of the stack, as markdown links. */
static char *scenario_list(lua_State *L)
{
	GString *s = g_string_new(NULL);

	if (lua_getfield(L, -1, "runs") == LUA_TTABLE) {
		for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
			const char *scn = field_string(L, "scenario");
			if (scn && !strstr(s->str, scn))
				g_string_append_printf(s, "%s`%s`", s->len ? ", " : "", scn);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return g_string_free(s, FALSE);
}

static void write_claim(vstate_t *v, const char *id, const char *figure, const char *verdict)
{
	lua_State *L = v->L;
	char *title = one_line(field_string(L, "title")), *fig = one_line(figure);
	char *scns = scenario_list(L);

	g_string_append_printf(v->table, "| %s | %s | %s | %s | **%s** |\n", id, title,
	                       *scns ? scns : "none", fig, verdict);
	g_string_append_printf(v->details, "### %s: %s\n\n", id, title);
	if (field_string(L, "who"))
		g_string_append_printf(v->details, "*%s*\n\n", field_string(L, "who"));
	if (field_string(L, "claim"))
		g_string_append_printf(v->details, "**Claim.** %s\n\n", field_string(L, "claim"));
	if (field_string(L, "method"))
		g_string_append_printf(v->details, "**How slabsim tests it.** %s\n\n", field_string(L, "method"));
	g_string_append_printf(v->details, "**Figure.** %s\n\n**Verdict: %s.**\n\n", figure, verdict);
	g_free(title);
	g_free(fig);
	g_free(scns);
}

static bool wanted(const vstate_t *v, const char *id)
{
	char **only;
	bool yes;

	if (!v->spec->only)
		return true;
	only = g_strsplit(v->spec->only, ",", -1);
	yes = g_strv_contains((const char *const *)only, id);
	g_strfreev(only);
	return yes;
}

static bool each_claim(vstate_t *v, GError **err)
{
	lua_State *L = v->L;

	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		const char *id = field_string(L, "id");
		char *figure = NULL, *verdict = NULL;

		if (!id) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT,
			            "%s: claim %d has no id", v->spec->claims, (int)i);
			return false;
		}
		if (wanted(v, id)) {
			if (!evaluate(v, id, &figure, &verdict, err))
				return false;
			write_claim(v, id, figure, verdict);
			g_printerr("validate: %s: %s\n", id, verdict);
		}
		g_free(figure);
		g_free(verdict);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return true;
}

static char *document(vstate_t *v)
{
	GString *d = g_string_new(NULL);

	g_string_append(d, "# Validation: the thread's claims against slabsim\n\n"
	                "Generated by `./slabsim validate` from `validation/claims.lua`; do not edit\n"
	                "by hand. Each claim names the runs it needs (their results directories are\n"
	                "kept under `results/validate/`) and the figure it reads from their\n"
	                "`results.json`. The claims are those of `shared/reference/thread-results.md`\n"
	                "section 2 (C1-C17) and the seed features of its section 5 (S1-S3).\n\n"
	                "| claim | what | scenario | slabsim's figure | verdict |\n"
	                "|---|---|---|---|---|\n");
	g_string_append(d, v->table->str);
	g_string_append(d, "\n## Claim by claim\n\n");
	g_string_append(d, v->details->str);
	return g_string_free(d, FALSE);
}

/* Run every claim's runs, evaluate the claims, write the document. */
bool validate_run(const validate_spec_t *spec, GError **err)
{
	vstate_t v = { spec, lh_sandbox_new(0), g_ptr_array_new_with_free_func(vrun_free),
	               g_string_new(NULL), g_string_new(NULL) };
	bool ok;

	if (luaL_dofile(v.L, spec->claims) != LUA_OK || !lua_istable(v.L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s", lua_isstring(v.L, -1) ?
		            lua_tostring(v.L, -1) : "claims file must return a table of claims");
		ok = false;
	} else {
		ok = each_claim(&v, err);
	}
	if (ok) {
		char *doc = document(&v);
		ok = g_file_set_contents(spec->markdown, doc, -1, err);
		g_free(doc);
	}
	lua_close(v.L);
	g_ptr_array_free(v.done, TRUE);
	g_string_free(v.table, TRUE);
	g_string_free(v.details, TRUE);
	return ok;
}
