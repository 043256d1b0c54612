/*
 * lh_sandbox.c -- the Lua state scripts run in (see sandbox.h).
 *
 * require(name) is the host's: a name of letters, digits and '_' is looked
 * up as NAME.lua in the workload library folder, fixed when the state is
 * made (an upvalue, out of Lua's reach), loaded as text and run once; its
 * result is kept in a table of the registry.  There is no package table,
 * so no search path or searcher a script could change.
 */
#include <string.h>
#include <glib.h>
#include <lauxlib.h>
#include <lualib.h>
#include "lh_guard.h"
#include "lh_order.h"

/* require(name) -> the module's value */
static int l_require(lua_State *L)
{
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);
	char *path;
	int loaded = lua_upvalueindex(2);

	if (!len || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != len)
		return luaL_error(L, "require: '%s' is not a module name of the workload library "
		                  "(letters, digits and '_')", name);
	if (lua_getfield(L, loaded, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	path = g_strdup_printf("%s/%s.lua", lua_tostring(L, lua_upvalueindex(1)), name);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		luaL_where(L, 1);
		lua_pushfstring(L, "module '%s' not found in the workload library (%s)", name, path);
		lua_concat(L, 2);
		g_free(path);
		return lua_error(L);
	}
	if (luaL_loadfilex(L, path, "t") != LUA_OK) {
		g_free(path);
		return lua_error(L);
	}
	lua_pushstring(L, name);
	lua_pushstring(L, path);
	g_free(path);
	lua_call(L, 2, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, loaded, name);
	return 1;
}

/* load(chunk [, name [, mode [, env]]]) of text only. */
static int l_load(lua_State *L)
{
	int n = lua_gettop(L);

	if (n >= 3 && !lua_isnil(L, 3) && strchr(luaL_checkstring(L, 3), 'b'))
		return luaL_error(L, "load: binary chunks are refused (text only)");
	if (n < 3)
		lua_settop(L, n = 3);
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

static void set_global_nil(lua_State *L, const char *name)
{
	lua_pushnil(L);
	lua_setglobal(L, name);
}

lua_State *lh_sandbox_new(uint64_t seed)
{
	lua_State *L = lh_guard_newstate();
	const char *root = g_getenv("SLABSIM_ROOT");
	char *lib;
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL },
	};

	if (!L)
		g_error("slabsim: cannot make a Lua state (host out of memory)");
	for (const luaL_Reg *l = libs; l->func; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	/* require: the workload library only, text only. */
	lib = g_build_filename(root && *root ? root : ".", "workloads", "lib", NULL);
	lua_pushstring(L, lib);
	g_free(lib);
	lua_newtable(L);
	lua_pushcclosure(L, l_require, 2);
	lua_setglobal(L, "require");
	/* No bytecode in, none out; no file loading at run time. */
	lua_getglobal(L, "load");
	lua_pushcclosure(L, l_load, 1);
	lua_setglobal(L, "load");
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	set_global_nil(L, "dofile");
	set_global_nil(L, "loadfile");
	/* Determinism: a seeded math.random, ordered pairs, no addresses. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	lh_order_open(L);
	lh_guard_start_timer();
	return L;
}
