/*
 * lh_pack.c -- values packed to cross from one Lua state to another: the
 * messages of a native run, whose host threads each drive their tasks in
 * a Lua state of their own (native_run.h).
 *
 * A packed value is nil, a boolean, a number (integer or float), a string,
 * a cache, channel or barrier object (by index: every state's setup made
 * the same ones), or a table of these (keys and values; nested tables
 * copied, metatables not).  Anything else -- a function, a coroutine, a
 * task object, a table that contains itself -- cannot be sent: the
 * workload cannot run natively, and the run stops saying so.
 */
#include <string.h>
#include "lh_int.h"

#define PACK_DEPTH 32           /* nested tables at most */

enum { P_NIL = 'n', P_TRUE = 'T', P_FALSE = 'F', P_INT = 'i', P_FLOAT = 'd', P_STRING = 's',
       P_TABLE = 't', P_END = 'e', P_CACHE = 'C', P_CHAN = 'H', P_BARRIER = 'B' };

static const struct { char tag; const char *mt, *udtag; } id_types[] = {
	{ P_CACHE, CACHE_MT, lh_tag_cache }, { P_CHAN, CHAN_MT, lh_tag_chan },
	{ P_BARRIER, BARRIER_MT, lh_tag_barrier },
};

static void put(GByteArray *out, const void *p, size_t n)
{
	g_byte_array_append(out, p, (guint)n);
}

static void put_tag(GByteArray *out, char tag)
{
	put(out, &tag, 1);
}

static bool pack(lua_State *L, int idx, GByteArray *out, int depth, char **err);

static bool pack_table(lua_State *L, int idx, GByteArray *out, int depth, char **err)
{
	if (depth >= PACK_DEPTH) {
		*err = g_strdup("tables nested too deep (one that contains itself?)");
		return false;
	}
	put_tag(out, P_TABLE);
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		int top = lua_gettop(L);

		if (!pack(L, top - 1, out, depth + 1, err) || !pack(L, top, out, depth + 1, err)) {
			lua_pop(L, 2);
			return false;
		}
	}
	put_tag(out, P_END);
	return true;
}

/* A cache, channel or barrier object. */
static bool pack_userdata(lua_State *L, int idx, GByteArray *out, char **err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(id_types); i++) {
		ref_ud *u = lh_test_ud(L, idx, id_types[i].udtag);

		if (u) {
			put_tag(out, id_types[i].tag);
			put(out, &u->id, sizeof u->id);
			return true;
		}
	}
	*err = g_strdup("a task or other host object");
	return false;
}

/* The value at idx (absolute) appended to out. */
static bool pack(lua_State *L, int idx, GByteArray *out, int depth, char **err)
{
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		put_tag(out, P_NIL);
		return true;
	case LUA_TBOOLEAN:
		put_tag(out, lua_toboolean(L, idx) ? P_TRUE : P_FALSE);
		return true;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			lua_Integer v = lua_tointeger(L, idx);
			put_tag(out, P_INT);
			put(out, &v, sizeof v);
		} else {
			lua_Number v = lua_tonumber(L, idx);
			put_tag(out, P_FLOAT);
			put(out, &v, sizeof v);
		}
		return true;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		uint32_t n = (uint32_t)len;
		put_tag(out, P_STRING);
		put(out, &n, sizeof n);
		put(out, s, len);
		return true;
	}
	case LUA_TTABLE:
		return pack_table(L, idx, out, depth, err);
	case LUA_TUSERDATA:
		return pack_userdata(L, idx, out, err);
	default:
		*err = g_strdup_printf("a %s", luaL_typename(L, idx));
		return false;
	}
}

/* The value kept as ref, released and packed. */
GBytes *lh_pack_ref(void *wl, int ref, char **err)
{
	luahost_t *lh = wl;
	lua_State *L = lh->L;
	GByteArray *out = g_byte_array_new();
	char *why = NULL;
	bool ok;

	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	luaL_unref(L, LUA_REGISTRYINDEX, ref);
	ok = pack(L, lua_gettop(L), out, 0, &why);
	lua_pop(L, 1);
	if (ok)
		return g_byte_array_free_to_bytes(out);
	*err = g_strdup_printf("%s: t:send of %s, which cannot pass from one host thread's Lua state "
	                       "to another's: this workload cannot run natively", lh->path, why);
	g_free(why);
	g_byte_array_unref(out);
	return NULL;
}

typedef struct reader {
	const uint8_t *p, *end;
} reader_t;

static void get(reader_t *r, void *dst, size_t n)
{
	g_assert(r->p + n <= r->end);
	memcpy(dst, r->p, n);
	r->p += n;
}

/* Push the next packed value (written by pack: well-formed). */
static void unpack(lua_State *L, reader_t *r)
{
	char tag;

	get(r, &tag, 1);
	switch (tag) {
	case P_NIL:
		lua_pushnil(L);
		return;
	case P_TRUE:
	case P_FALSE:
		lua_pushboolean(L, tag == P_TRUE);
		return;
	case P_INT: {
		lua_Integer v;
		get(r, &v, sizeof v);
		lua_pushinteger(L, v);
		return;
	}
	case P_FLOAT: {
		lua_Number v;
		get(r, &v, sizeof v);
		lua_pushnumber(L, v);
		return;
	}
	case P_STRING: {
		uint32_t n;
		get(r, &n, sizeof n);
		g_assert(r->p + n <= r->end);
		lua_pushlstring(L, (const char *)r->p, n);
		r->p += n;
		return;
	}
	case P_TABLE:
		lua_newtable(L);
		while (*r->p != P_END) {
			unpack(L, r);
			unpack(L, r);
			lua_rawset(L, -3);
		}
		r->p++;
		return;
	default:
		for (size_t i = 0; i < G_N_ELEMENTS(id_types); i++)
			if (id_types[i].tag == tag) {
				int id;
				get(r, &id, sizeof id);
				lh_push_id(L, id_types[i].mt, id_types[i].udtag, id);
				return;
			}
	}
	g_assert_not_reached();
}

/* Push a packed value to the coroutine co. */
void lh_push_packed(void *wl, void *co, GBytes *packed)
{
	gsize len;
	const uint8_t *p = g_bytes_get_data(packed, &len);
	reader_t r = { p, p + len };

	(void)wl;
	unpack(co, &r);
}
