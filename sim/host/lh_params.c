/*
 * lh_params.c -- a workload's parameters: the script declares them with
 * their defaults (`params = { name = { default = V, help = "..." } }`);
 * [workload] values are converted to each default's type, unknown keys
 * are refused with file, line and key.  A parameter declared with
 * `type = "file"` names a data file: the host reads it here, before any
 * workload code runs, and the workload gets an opaque handle for
 * sim.slabinfo and sim.kmem_trace (a path made in Lua opens nothing).
 */
#include <math.h>
#include <string.h>
#include "lh_int.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A number for a parameter whose default is a number: an integer if it
 * parses as one (any 64-bit value), else a finite float unless the
 * default is an integer. */
static bool push_number(lua_State *L, const scenario_t *sc, const char *key,
                        const char *v, GError **err)
{
	GError *e = NULL;
	gint64 i;
	double d;
	char *end;

	if (g_ascii_string_to_signed(v, 10, G_MININT64, G_MAXINT64, &i, &e)) {
		lua_pushinteger(L, (lua_Integer)i);
		return true;
	}
	if (e->code == G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS) {
		g_error_free(e);
		scenario_key_error(sc, err, "workload", key, "expected an integer from %" G_GINT64_FORMAT
		                   " to %" G_GINT64_FORMAT ", got '%s'", G_MININT64, G_MAXINT64, v);
		return false;
	}
	g_error_free(e);
	d = g_ascii_strtod(v, &end);
	if (!*v || *end || !isfinite(d)) {
		scenario_key_error(sc, err, "workload", key, "expected a number, got '%s'", v);
		return false;
	}
	if (lua_isinteger(L, -1)) {
		scenario_key_error(sc, err, "workload", key, "expected an integer, got '%s'", v);
		return false;
	}
	lua_pushnumber(L, d);
	return true;
}

/* Convert one [workload] value to the type of the parameter's default. */
static bool push_param(lua_State *L, const scenario_t *sc, const char *key,
                       const char *v, GError **err)
{
	int type = lua_type(L, -1);  /* the default */

	if (type == LUA_TNUMBER)
		return push_number(L, sc, key, v, err);
	if (type == LUA_TBOOLEAN) {
		if (strcmp(v, "true") && strcmp(v, "false")) {
			scenario_key_error(sc, err, "workload", key, "expected true or false, got '%s'", v);
			return false;
		}
		lua_pushboolean(L, strcmp(v, "true") == 0);
	} else {
		lua_pushstring(L, v);
	}
	return true;
}

/* With the declaration at -2 and the default at -1: whether the default
 * is a value the resolved scenario can hold, and whether the declaration
 * says `type = "file"`. */
static bool check_decl(luahost_t *lh, const char *name, bool *file, GError **err)
{
	lua_State *L = lh->L;
	int t = lua_type(L, -1);
	bool ok = t == LUA_TNIL || t == LUA_TNUMBER || t == LUA_TBOOLEAN || t == LUA_TSTRING;

	*file = false;
	if (!ok) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: params.%s: the default must be "
		            "a number, a boolean or a string, got a %s", lh->path, name, luaL_typename(L, -1));
		return false;
	}
	if (lua_istable(L, -2)) {
		lua_getfield(L, -2, "type");
		if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "file") == 0)
			*file = true;
		else if (!lua_isnil(L, -1))
			ok = false;
		lua_pop(L, 1);
		if (!ok)
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: params.%s.type: expected "
			            "\"file\" or nothing", lh->path, name);
		if (ok && *file && t != LUA_TSTRING && t != LUA_TNIL) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: params.%s: a file "
			            "parameter's default must be a path (a string)", lh->path, name);
			ok = false;
		}
	}
	return ok;
}

/* Replace the string value on top with the file it names, read now (an
 * empty string: nil, no file). */
static bool push_file(luahost_t *lh, const char *name, GError **err)
{
	lua_State *L = lh->L;
	const char *given = lua_tostring(L, -1);
	lh_file_t *f;

	if (!given || !*given) {
		lua_pop(L, 1);
		lua_pushnil(L);
		return true;
	}
	if (!(f = lh_file_read(lh->run->sc, name, given, err)))
		return false;
	g_ptr_array_add(lh->files, f);
	lua_pop(L, 1);
	lh_push_id(L, FILE_MT, lh_tag_file, (int)lh->files->len - 1);
	return true;
}

/* Build the parameter table p from the declared params and [workload];
 * record every effective value in the resolved scenario. */
bool lh_build_params(luahost_t *lh, GKeyFile *resolved, GError **err)
{
	lua_State *L = lh->L;
	const scenario_t *sc = lh->run->sc;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char **keys;
	bool ok = true;

	lua_getfield(L, -1, "params");              /* script, params */
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
		if (lua_type(L, -2) == LUA_TSTRING)
			g_ptr_array_add(names, g_strdup(lua_tostring(L, -2)));
	g_ptr_array_sort(names, cmp_str);
	g_ptr_array_add(names, NULL);
	keys = g_key_file_get_keys(sc->kf, "workload", NULL, NULL);
	for (int i = 0; keys && keys[i] && ok; i++) {
		lua_getfield(L, -1, keys[i]);
		if (lua_isnil(L, -1)) {
			char *list = g_strjoinv(", ", (char **)names->pdata);
			scenario_key_error(sc, err, "workload", keys[i], "unknown parameter of workload %s (expected one of: %s)",
			                   sc->workload, names->len > 1 ? list : "none");
			g_free(list);
			ok = false;
		}
		lua_pop(L, 1);
	}
	g_strfreev(keys);
	lua_newtable(L);                             /* script, params, p */
	for (guint i = 0; ok && names->pdata[i]; i++) {
		const char *name = names->pdata[i];
		char *v = g_key_file_get_value(sc->kf, "workload", name, NULL);
		bool file;
		lua_getfield(L, -2, name);
		if (lua_istable(L, -1))
			lua_getfield(L, -1, "default");  /* ..., decl, default */
		else
			lua_pushvalue(L, -1);            /* a bare default */
		ok = check_decl(lh, name, &file, err);
		if (ok && v)
			ok = push_param(L, sc, name, g_strstrip(v), err);
		else if (ok)
			lua_pushvalue(L, -1);
		if (ok) {
			int ty = lua_type(L, -1);
			scenario_set_type(sc, "workload", name, ty == LUA_TNUMBER ?
			                  (lua_isinteger(L, -1) ? "integer" : "number") :
			                  ty == LUA_TBOOLEAN ? "boolean" : "string");
			g_key_file_set_string(resolved, "workload", name, luaL_tolstring(L, -1, NULL));
			lua_pop(L, 1);
			if (file)
				ok = push_file(lh, name, err);
		}
		if (ok) {
			lua_setfield(L, -4, name);   /* p[name] = value */
			lua_pop(L, 2);
		}
		g_free(v);
	}
	g_ptr_array_free(names, TRUE);
	lua_remove(L, -2);                           /* script, p */
	return ok;
}

