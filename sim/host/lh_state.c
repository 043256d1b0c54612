/*
 * lh_state.c -- the host state of a run as Lua code reaches it, and the
 * helpers every module of the host uses (see lh_int.h).
 */
#include "lh_int.h"

const char lh_tag_cache[] = CACHE_MT, lh_tag_task[] = TASK_MT, lh_tag_chan[] = CHAN_MT,
           lh_tag_barrier[] = BARRIER_MT, lh_tag_file[] = FILE_MT;

void lh_push_id(lua_State *L, const char *mt, const char *tag, int id)
{
	ref_ud *u = lua_newuserdatauv(L, sizeof(ref_ud), 0);
	u->tag = tag;
	u->id = id;
	luaL_setmetatable(L, mt);
}

void *lh_test_ud(lua_State *L, int idx, const char *tag)
{
	const char **u = lua_touserdata(L, idx);

	if (!u || lua_type(L, idx) != LUA_TUSERDATA || lua_rawlen(L, idx) < sizeof(*u) || *u != tag)
		return NULL;
	return u;
}

void *lh_check_ud(lua_State *L, int idx, const char *tag, const char *mt)
{
	void *u = lh_test_ud(L, idx, tag);

	if (G_UNLIKELY(!u))
		luaL_typeerror(L, idx, mt);
	return u;
}

void lh_set_thread(luahost_t *lh, lua_State *L, task_t *task)
{
	lh_thread_t *th = g_new(lh_thread_t, 1);

	*th = (lh_thread_t){ lh, task };
	g_ptr_array_add(lh->threads, th);
	*(lh_thread_t **)lua_getextraspace(L) = th;
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
	return ((ref_ud *)lh_check_ud(L, idx, lh_tag_cache, CACHE_MT))->id;
}
