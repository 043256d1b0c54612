/*
 * lh_params.c -- a workload's parameters: the script declares them with
 * their defaults (`params = { name = { default = V, help = "..." } }`);
 * [workload] values are converted to each default's type, unknown keys
 * are refused with file, line and key.
 */
#include <string.h>
#include "lh_int.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Convert one [workload] value to the type of the parameter's default. */
static bool push_param(lua_State *L, const scenario_t *sc, const char *key,
                       const char *v, GError **err)
{
	int type = lua_type(L, -1);  /* the default */
	char *end;

	if (type == LUA_TNUMBER) {
		double d = g_ascii_strtod(v, &end);
		if (!*v || *end) {
			scenario_key_error(sc, err, "workload", key, "expected a number, got '%s'", v);
			return false;
		}
		bool integral = !strchr(v, '.') && !strchr(v, 'e') && !strchr(v, 'E');
		if (lua_isinteger(L, -1) && (!integral || d != (double)(lua_Integer)d)) {
			scenario_key_error(sc, err, "workload", key, "expected an integer, got '%s'", v);
			return false;
		}
		if (integral)
			lua_pushinteger(L, (lua_Integer)d);
		else
			lua_pushnumber(L, d);
	} else if (type == LUA_TBOOLEAN) {
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
		lua_getfield(L, -2, name);
		if (lua_istable(L, -1))
			lua_getfield(L, -1, "default");  /* ..., decl, default */
		else
			lua_pushvalue(L, -1);            /* a bare default */
		if (v)
			ok = push_param(L, sc, name, g_strstrip(v), err);
		else
			lua_pushvalue(L, -1);
		if (ok) {
			int ty = lua_type(L, -1);
			scenario_set_type(sc, "workload", name, ty == LUA_TNUMBER ?
			                  (lua_isinteger(L, -1) ? "integer" : "number") :
			                  ty == LUA_TBOOLEAN ? "boolean" : "string");
			g_key_file_set_string(resolved, "workload", name, luaL_tolstring(L, -1, NULL));
			lua_pop(L, 1);
			lua_setfield(L, -4, name);   /* p[name] = value */
			lua_pop(L, 2);
		}
		g_free(v);
	}
	g_ptr_array_free(names, TRUE);
	lua_remove(L, -2);                           /* script, p */
	return ok;
}

