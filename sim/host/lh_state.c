/*
 * lh_state.c -- the host state of a run as Lua code reaches it, and the
 * helpers every module of the host uses (see lh_int.h).
 */
#include "lh_int.h"

luahost_t *lh_host(lua_State *L)
{
	luahost_t *lh;
	lua_getfield(L, LUA_REGISTRYINDEX, "slabsim.host");
	lh = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return lh;
}

void lh_push_id(lua_State *L, const char *mt, int id)
{
	ref_ud *u = lua_newuserdatauv(L, sizeof(ref_ud), 0);
	u->id = id;
	luaL_setmetatable(L, mt);
}

void lh_setint(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

int lh_check_cache(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *name = lua_tostring(L, idx);
		int i = run_find_cache(lh_host(L)->run, name);
		if (i < 0)
			luaL_error(L, "unknown cache '%s' (no sim.cache of that name)", name);
		return i;
	}
	return ((ref_ud *)luaL_checkudata(L, idx, CACHE_MT))->id;
}
