/*
 * lh_sandbox.c -- the Lua state scripts run in (see sandbox.h).
 */
#include <stdio.h>
#include <glib.h>
#include <lauxlib.h>
#include <lualib.h>
#include "sandbox.h"

static int l_print(lua_State *L)
{
	int n = lua_gettop(L);

	for (int i = 1; i <= n; i++) {
		fputs(luaL_tolstring(L, i, NULL), stderr);
		fputs(i < n ? "\t" : "\n", stderr);
		lua_pop(L, 1);
	}
	if (n == 0)
		fputs("\n", stderr);
	return 0;
}

lua_State *lh_sandbox_new(uint64_t seed)
{
	lua_State *L = luaL_newstate();
	const char *root = g_getenv("SLABSIM_ROOT");
	char *lib;
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL },
	};

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	/* require() finds only the workload library, Lua files in workloads/lib. */
	luaL_requiref(L, LUA_LOADLIBNAME, luaopen_package, 1);
	lib = g_build_filename(root ? root : ".", "workloads", "lib", "?.lua", NULL);
	lua_pushstring(L, lib);
	lua_setfield(L, -2, "path");
	lua_pushstring(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_getfield(L, -1, "searchers");       /* keep preload and Lua searchers */
	lua_pushnil(L);
	lua_rawseti(L, -2, 4);
	lua_pushnil(L);
	lua_rawseti(L, -2, 3);
	lua_pop(L, 2);
	g_free(lib);
	/* Determinism: a seeded math.random, and no file loading at run time. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);
	lua_pushcfunction(L, l_print);
	lua_setglobal(L, "print");
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
	return L;
}

/* Run the script; leave its returned table on the stack. */
