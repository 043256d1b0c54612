/*
 * validate.c -- `slabsim validate`: claims in, docs/validation.md out.
 *
 * claims.lua returns an array of claims:
 *
 *   { id = "C1", title = "...", who = "...", claim = "...",
 *     class = "measured" | "construction" | "not modelled" | "pending" | "method",
 *     needs = "what is missing", rule = "the rule and its tolerance",
 *     method = "how slabsim tests it",
 *     runs = { { name = "x", scenario = "scenarios/x.scn", set = { "k=v" },
 *                allocators = "slab,slub", seeds = 5 }, ... },
 *     check = function(runs) return { figure = "...", real = "...",
 *                                     simulated = "...", section = "...",
 *                                     verdict = "reproduced" } end }
 *
 * A claim without runs and check gives figure and verdict itself.  check()
 * receives each run's results.json as a Lua table by run name; a run with
 * `seeds = N` gives an array of N of them, from seeds 1..N.  Runs shared
 * by several claims (same command line) execute once.  The global
 * `validate` (vlua.h) holds the agreement arithmetic.
 *
 * Claims evaluated are merged into the record beside the document (vdoc.h)
 * and the document is written from the record, so `--only` changes only
 * the rows it names.  A measured claim whose verdict differs from the
 * record's is reported, and validate_run() says so (its caller exits 4).
 */
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include "validate.h"
#include "vlua.h"
#include "vdoc.h"
#include "sandbox.h"
#include "error.h"

typedef struct vrun {
	char *key;                /* the command line, output directory aside */
	char *dir;
} vrun_t;

typedef struct vstate {
	const validate_spec_t *spec;
	lua_State *L;
	GPtrArray *done;          /* vrun_t*: runs made so far */
	GPtrArray *record;        /* vclaim_t*: the record, updated in place */
	GPtrArray *order;         /* char*: claim ids in claims.lua order */
	int changed;              /* measured verdicts that changed */
} vstate_t;

static void vrun_free(gpointer p)
{
	vrun_t *r = p;
	g_free(r->key);
	g_free(r->dir);
	g_free(r);
}

/* A string field of the table on top of the stack, or NULL. */
static const char *field_string(lua_State *L, const char *name)
{
	const char *s;

	lua_getfield(L, -1, name);
	s = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);          /* the table still holds the string */
	return s;
}

static char *field_dup(lua_State *L, const char *name)
{
	return g_strdup(field_string(L, name));
}

/* ---- runs ---- */

/* argv of `slabsim run` for the run table on top of the stack with seed
 * `seed` (0: the scenario's), without the output directory. */
static GPtrArray *run_argv(vstate_t *v, const char *scenario, int seed)
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
	g_ptr_array_add(argv, g_strdup("--force"));      /* validate owns its runs' directories */
	if (allocators) {
		g_ptr_array_add(argv, g_strdup("--allocators"));
		g_ptr_array_add(argv, g_strdup(allocators));
	}
	if (seed > 0) {
		g_ptr_array_add(argv, g_strdup("--seed"));
		g_ptr_array_add(argv, g_strdup_printf("%d", seed));
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

/* The command a user types for argv (from the repository root). */
static char *user_command(vstate_t *v, GPtrArray *argv)
{
	GString *s = g_string_new("./slabsim run");
	size_t root = strlen(v->spec->root);

	for (guint i = 2; i < argv->len; i++) {
		const char *a = argv->pdata[i];
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "--no-plots") == 0 || strcmp(a, "--force") == 0)
			continue;
		if (i == 2 && strncmp(a, v->spec->root, root) == 0 && a[root] == '/')
			a += root + 1;
		char *q = g_shell_quote(a);
		g_string_append_printf(s, " %s", strpbrk(a, " '\"$*?") ? q : a);
		g_free(q);
	}
	return g_string_free(s, FALSE);
}

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

/* Make (or reuse) run `name` with seed `seed`: its results directory. */
static const char *make_run(vstate_t *v, const char *claim, const char *name, GPtrArray *argv,
                            int seed, GError **err)
{
	char *key = run_key(argv), *dir;
	const char *have = find_run(v, key);
	int status = 0;
	vrun_t *r;

	if (have) {
		g_free(key);
		return have;
	}
	dir = seed > 0 ? g_strdup_printf("%s/%s-%s-s%d", v->spec->runs_dir, claim, name, seed) :
	                 g_strdup_printf("%s/%s-%s", v->spec->runs_dir, claim, name);
	g_ptr_array_add(argv, g_strdup("--out"));
	g_ptr_array_add(argv, g_strdup(dir));
	g_ptr_array_add(argv, NULL);
	if (seed > 0)
		g_printerr("validate: %s: run %s, seed %d\n", claim, name, seed);
	else
		g_printerr("validate: %s: run %s\n", claim, name);
	bool ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
	                       NULL, NULL, NULL, NULL, &status, err) &&
	          g_spawn_check_wait_status(status, err);
	g_ptr_array_set_size(argv, argv->len - 3);
	if (!ok) {
		g_prefix_error(err, "claim %s, run %s: ", claim, name);
		g_free(key);
		g_free(dir);
		return NULL;
	}
	r = g_new(vrun_t, 1);
	*r = (vrun_t){ key, dir };
	g_ptr_array_add(v->done, r);
	return dir;
}

/* Run the run table on top of the stack (every seed) and push its
 * results: a table, or an array of tables for `seeds = N`.  Its commands
 * go to cmds. */
static bool push_run(vstate_t *v, const char *claim, GString *cmds, GError **err)
{
	lua_State *L = v->L;
	const char *name = field_string(L, "name"), *scenario = field_string(L, "scenario");
	lua_Integer seeds;
	bool ok = true;

	lua_getfield(L, -1, "seeds");
	seeds = lua_isnil(L, -1) ? 0 : lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (!name || !scenario || seeds < 0 || seeds > 100) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s: claim %s: every run needs a name, "
		            "a scenario and 0..100 seeds", v->spec->claims, claim);
		return false;
	}
	if (seeds)
		lua_createtable(L, (int)seeds, 0);  /* run, list */
	for (int s = seeds ? 1 : 0; ok && s <= seeds; s++) {
		if (seeds)
			lua_pushvalue(L, -2);         /* run, list, run */
		GPtrArray *argv = run_argv(v, scenario, s);
		char *cmd = user_command(v, argv);
		const char *dir = make_run(v, claim, name, argv, s, err);

		g_string_append_printf(cmds, "%s\n", cmd);
		g_free(cmd);
		g_ptr_array_free(argv, TRUE);
		if (seeds)
			lua_pop(L, 1);                /* run, list */
		ok = dir && vlua_push_results(L, dir, err);
		if (ok && seeds)
			lua_rawseti(L, -2, s);
	}
	return ok;
}

/* Push {name = results} for the claim on top of the stack. */
static bool push_runs(vstate_t *v, const char *claim, GString *cmds, GError **err)
{
	lua_State *L = v->L;

	lua_newtable(L);                                  /* claim, out */
	if (lua_getfield(L, -2, "runs") != LUA_TTABLE) {  /* claim, out, runs */
		lua_pop(L, 2);
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT,
		            "%s: claim %s has a check but no runs", v->spec->claims, claim);
		return false;
	}
	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		char *name = field_dup(L, "name");        /* claim, out, runs, run */
		if (!push_run(v, claim, cmds, err)) {     /* ..., run, results */
			g_free(name);
			return false;             /* the caller abandons the state */
		}
		lua_setfield(L, -4, name);
		lua_pop(L, 1);
		g_free(name);
	}
	lua_pop(L, 2);                                    /* claim, out */
	return true;
}

/* ---- evaluation ---- */

/* The scenarios of the claim on top of the stack, as markdown code spans. */
static char *scenario_list(lua_State *L)
{
	GString *s = g_string_new(NULL);

	if (lua_getfield(L, -1, "runs") == LUA_TTABLE) {
		for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
			const char *scn = field_string(L, "scenario");
			char *quoted = g_strdup_printf("`%s`", scn ? scn : "");
			if (scn && !strstr(s->str, quoted))
				g_string_append_printf(s, "%s%s", s->len ? ", " : "", quoted);
			g_free(quoted);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return g_string_free(s, FALSE);
}

/* The claim's own fields, from the table on top of the stack. */
static vclaim_t *claim_fields(lua_State *L, const char *id)
{
	vclaim_t *c = g_new0(vclaim_t, 1);

	c->id = g_strdup(id);
	c->title = field_dup(L, "title");
	c->who = field_dup(L, "who");
	c->claim = field_dup(L, "claim");
	c->klass = field_dup(L, "class");
	c->needs = field_dup(L, "needs");
	c->rule = field_dup(L, "rule");
	c->method = field_dup(L, "method");
	c->scenarios = scenario_list(L);
	return c;
}

/* Take figure, real, simulated, section and verdict from the table on top
 * of the stack. */
static void claim_answer(lua_State *L, vclaim_t *c)
{
	c->figure = field_dup(L, "figure");
	c->real = field_dup(L, "real");
	c->simulated = field_dup(L, "simulated");
	c->section = field_dup(L, "section");
	c->verdict = field_dup(L, "verdict");
}

/* Evaluate the claim on top of the stack. */
static vclaim_t *evaluate(vstate_t *v, const char *id, GError **err)
{
	lua_State *L = v->L;
	vclaim_t *c = claim_fields(L, id);
	GString *cmds = g_string_new(NULL);

	if (!vdoc_known_class(c->klass)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s: claim %s: class must be measured, "
		            "construction, not modelled, pending or method", v->spec->claims, id);
		goto fail;
	}
	lua_getfield(L, -1, "check");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		claim_answer(L, c);            /* the claim itself holds the answer */
	} else {
		lua_pop(L, 1);
		if (!push_runs(v, id, cmds, err))
			goto fail;                 /* claim, runs */
		lua_getfield(L, -2, "check");
		lua_insert(L, -2);             /* claim, check, runs */
		if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "claim %s: %s",
			            id, lua_tostring(L, -1));
			lua_pop(L, 1);
			goto fail;
		}
		if (lua_istable(L, -1))
			claim_answer(L, c);
		lua_pop(L, 1);
	}
	if (!c->figure || !vdoc_known_verdict(c->verdict)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "claim %s: expected {figure = STRING, "
		            "verdict = a known verdict (docs/validation.md)}, got verdict '%s'", id,
		            c->verdict ? c->verdict : "(none)");
		goto fail;
	}
	c->commands = g_string_free(cmds, FALSE);
	return c;
fail:
	g_string_free(cmds, TRUE);
	vclaim_free(c);
	return NULL;
}

/* Put c into the record (replacing its old entry), noting a changed
 * measured verdict. */
static void record(vstate_t *v, vclaim_t *c)
{
	vclaim_t *old = vdoc_find(v->record, c->id);

	if (old && strcmp(c->klass, "measured") == 0 && old->verdict && strcmp(old->verdict, c->verdict)) {
		g_printerr("validate: %s: the measured verdict changed from '%s' to '%s'\n",
		           c->id, old->verdict, c->verdict);
		v->changed++;
	}
	if (old)
		g_ptr_array_remove(v->record, old);
	g_ptr_array_add(v->record, c);
}

/* One line on stdout per claim evaluated. */
static void print_summary(const vclaim_t *c)
{
	char *fig = g_strdup(c->figure);

	g_strdelimit(fig, "\n", ' ');
	printf("%-4s %-12s %-17s %s\n", c->id, c->klass, c->verdict, fig);
	g_free(fig);
}

static bool wanted(const validate_spec_t *spec, const char *id)
{
	char **only;
	bool yes;

	if (!spec->only)
		return true;
	only = g_strsplit(spec->only, ",", -1);
	yes = g_strv_contains((const char *const *)only, id);
	g_strfreev(only);
	return yes;
}

/* Collect the claim ids in order; refuse duplicates, missing ids and
 * --only names that are not claims. */
static bool claim_ids(vstate_t *v, GError **err)
{
	lua_State *L = v->L;
	char **only = v->spec->only ? g_strsplit(v->spec->only, ",", -1) : NULL;
	bool ok = true;

	for (lua_Integer i = 1; ok && lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		const char *id = field_string(L, "id");
		if (!id || g_ptr_array_find_with_equal_func(v->order, id, g_str_equal, NULL)) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s: claim %d has %s id",
			            v->spec->claims, (int)i, id ? "a duplicate" : "no");
			ok = false;
		} else {
			g_ptr_array_add(v->order, g_strdup(id));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	for (int i = 0; ok && only && only[i]; i++)
		if (!g_ptr_array_find_with_equal_func(v->order, only[i], g_str_equal, NULL)) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "--only: no claim '%s' in %s",
			            only[i], v->spec->claims);
			ok = false;
		}
	g_strfreev(only);
	return ok;
}

static bool each_claim(vstate_t *v, GError **err)
{
	lua_State *L = v->L;

	for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
		const char *id = field_string(L, "id");
		if (wanted(v->spec, id)) {
			vclaim_t *c = evaluate(v, id, err);
			if (!c)
				return false;     /* the caller abandons the state */
			print_summary(c);
			record(v, c);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return true;
}

/* The record in claims.lua order (claims no longer there are dropped). */
static void order_record(vstate_t *v)
{
	GPtrArray *sorted = g_ptr_array_new_with_free_func((GDestroyNotify)vclaim_free);

	for (guint i = 0; i < v->order->len; i++) {
		vclaim_t *c = vdoc_find(v->record, v->order->pdata[i]);
		guint at;
		if (c && g_ptr_array_find(v->record, c, &at))
			g_ptr_array_add(sorted, g_ptr_array_steal_index_fast(v->record, at));
	}
	g_ptr_array_free(v->record, TRUE);
	v->record = sorted;
}

/* The record's path: the document's, with .json for .md. */
static char *record_path(const char *markdown)
{
	return g_str_has_suffix(markdown, ".md") ?
		g_strdup_printf("%.*s.json", (int)strlen(markdown) - 3, markdown) :
		g_strconcat(markdown, ".json", NULL);
}

static bool load_claims(vstate_t *v, GError **err)
{
	lua_State *L = v->L;

	vlua_open(L);
	if (luaL_dofile(L, v->spec->claims) != LUA_OK || !lua_istable(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s", lua_type(L, -1) == LUA_TSTRING ?
		            lua_tostring(L, -1) : "claims file must return a table of claims");
		return false;
	}
	lua_pushvalue(L, -1);
	return claim_ids(v, err);
}

bool validate_run(const validate_spec_t *spec, int *changed, GError **err)
{
	vstate_t v = { spec, lh_sandbox_new(0), g_ptr_array_new_with_free_func(vrun_free),
	               NULL, g_ptr_array_new_with_free_func(g_free), 0 };
	char *rec = record_path(spec->markdown);
	bool ok = (v.record = vdoc_load(rec, err)) && load_claims(&v, err) && each_claim(&v, err);

	if (ok) {
		order_record(&v);
		ok = vdoc_save(rec, spec->markdown, v.record, err);
	}
	*changed = v.changed;
	lua_close(v.L);
	g_ptr_array_free(v.done, TRUE);
	if (v.record)
		g_ptr_array_free(v.record, TRUE);
	g_ptr_array_free(v.order, TRUE);
	g_free(rec);
	return ok;
}
