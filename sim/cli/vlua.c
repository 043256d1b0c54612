/*
 * vlua.c -- results.json and the agreement arithmetic for claims.lua (see
 * vlua.h).
 */
#include <json-glib/json-glib.h>
#include <lauxlib.h>
#include "vlua.h"
#include "agree.h"

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

bool vlua_push_results(lua_State *L, const char *dir, GError **err)
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

/* ---- the validate library ---- */

/* The numbers of the array at idx, as a new GArray of double. */
static GArray *check_numbers(lua_State *L, int idx, const char *what)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(double));

	luaL_checktype(L, idx, LUA_TTABLE);
	for (lua_Integer i = 1; lua_rawgeti(L, idx, i) != LUA_TNIL; i++) {
		if (!lua_isnumber(L, -1)) {
			g_array_free(a, TRUE);
			luaL_error(L, "%s[%d] is not a number", what, (int)i);
		}
		double d = lua_tonumber(L, -1);
		g_array_append_val(a, d);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return a;
}

/* validate.spread(list) -> mean, sd */
static int l_spread(lua_State *L)
{
	GArray *x = check_numbers(L, 1, "list");
	double mean, sd;

	agree_spread((double *)x->data, (int)x->len, &mean, &sd);
	g_array_free(x, TRUE);
	lua_pushnumber(L, mean);
	lua_pushnumber(L, sd);
	return 2;
}

/* validate.differ(ma, sa, mb, sb, n) -> boolean */
static int l_differ(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 5);

	luaL_argcheck(L, n >= 1, 5, "seeds must be at least 1");
	lua_pushboolean(L, agree_differ(luaL_checknumber(L, 1), luaL_checknumber(L, 2),
	                                luaL_checknumber(L, 3), luaL_checknumber(L, 4), (int)n));
	return 1;
}

/* A field of the row table at idx: an array of k numbers. */
static GArray *row_field(lua_State *L, int idx, const char *name, int k)
{
	GArray *a;

	lua_getfield(L, idx, name);
	a = check_numbers(L, lua_gettop(L), name);
	lua_pop(L, 1);
	if (k >= 0 && (int)a->len != k) {
		g_array_free(a, TRUE);
		luaL_error(L, "agreement: row field %s has a different length from real", name);
	}
	return a;
}

/* validate.agreement(rows) -> { best, tau (nil if undefined), rows } */
static int l_agreement(lua_State *L)
{
	agree_pairs_t pairs = { 0 };
	double best = 0, tau;
	int nrows = 0;

	luaL_checktype(L, 1, LUA_TTABLE);
	for (lua_Integer i = 1; lua_rawgeti(L, 1, i) == LUA_TTABLE; i++, nrows++) {
		int row = lua_gettop(L);
		GArray *real = row_field(L, row, "real", -1);
		GArray *mean = row_field(L, row, "mean", (int)real->len);
		GArray *sd = row_field(L, row, "sd", (int)real->len);
		lua_getfield(L, row, "n");
		agree_row_t r = { (int)real->len, (double *)real->data, (double *)mean->data,
		                  (double *)sd->data, (int)luaL_optinteger(L, -1, 1) };

		luaL_argcheck(L, r.n >= 1 && r.k >= 2, 1, "a row needs n >= 1 and two allocators");
		agree_count_pairs(&r, &pairs);
		best += agree_best_match(&r);
		g_array_free(real, TRUE);
		g_array_free(mean, TRUE);
		g_array_free(sd, TRUE);
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	lua_createtable(L, 0, 3);
	lua_pushnumber(L, nrows ? best / nrows : 0);
	lua_setfield(L, -2, "best");
	if (agree_tau_b(&pairs, &tau)) {
		lua_pushnumber(L, tau);
		lua_setfield(L, -2, "tau");
	}
	lua_pushinteger(L, nrows);
	lua_setfield(L, -2, "rows");
	return 1;
}

void vlua_open(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "spread", l_spread }, { "differ", l_differ }, { "agreement", l_agreement },
		{ NULL, NULL },
	};

	luaL_newlib(L, fns);
	lua_setglobal(L, "validate");
}
