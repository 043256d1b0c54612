/*
 * lh_order.c -- deterministic iteration and printing in the sandbox.
 *
 * Lua orders a table's hash part by hashes that change from run to run
 * (strings are hashed with a per-state seed, tables and functions by host
 * address), so the sandbox replaces next and pairs: keys come booleans
 * first (false, true), then numbers by value (integers and floats compared
 * exactly), then strings by bytes, then tables, functions and userdata in
 * the order they were created (their creation serial, lh_guard.c), then
 * light C functions by their place in their module.  Threads and light
 * userdata, which no workload can reach, are refused as keys.
 *
 * A traversal sorts the keys once, when next(t, nil) starts it; the sorted
 * snapshot is kept (weakly, per table) until the traversal ends, and each
 * next(t, k) finds k's successor by binary search, so assigning nil to a
 * field during a traversal works as in Lua.  Cost: O(n log n) per
 * traversal, O(log n) per step.
 *
 * tostring, print and string.format's %s show a table, function or
 * userdata without __tostring as "table: #SERIAL" instead of its host
 * address; string.format refuses %p.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <lauxlib.h>
#include "lh_guard.h"
#include "lh_order.h"

enum { R_BOOL, R_NUM, R_STR, R_OBJ, R_CFN };

typedef struct okey {
	int rank;
	bool isint;
	lua_Integer i;               /* R_BOOL (0, 1), R_NUM integer */
	lua_Number f;                /* R_NUM float */
	const char *s;               /* R_STR; R_CFN module path */
	size_t len;
	uint64_t u;                  /* R_OBJ serial; R_CFN offset in its module */
	lua_Integer slot;            /* the key's index in the snapshot's key array */
} okey_t;

typedef struct snap {
	lua_Integer n;
	okey_t k[];
} snap_t;

static const char SNAPS = 0;     /* registry key of the table -> snapshot cache */

/* Sign of i - f, exactly. */
static int cmp_int_float(lua_Integer i, lua_Number f)
{
	lua_Number fl;
	lua_Integer fi;

	if (f >= 0x1p63)
		return -1;
	if (f < -0x1p63)
		return 1;
	fl = floor(f);
	fi = (lua_Integer)fl;
	if (i != fi)
		return i < fi ? -1 : 1;
	return fl < f ? -1 : 0;
}

static int cmp_num(const okey_t *a, const okey_t *b)
{
	if (a->isint && b->isint)
		return a->i < b->i ? -1 : a->i > b->i;
	if (!a->isint && !b->isint)
		return a->f < b->f ? -1 : a->f > b->f;
	return a->isint ? cmp_int_float(a->i, b->f) : -cmp_int_float(b->i, a->f);
}

static int cmp_key(const void *pa, const void *pb)
{
	const okey_t *a = pa, *b = pb;
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	switch (a->rank) {
	case R_BOOL:
		return (int)(a->i - b->i);
	case R_NUM:
		return cmp_num(a, b);
	case R_STR:
		c = memcmp(a->s, b->s, MIN(a->len, b->len));
		return c ? c : a->len < b->len ? -1 : a->len > b->len;
	case R_CFN:
		if ((c = strcmp(a->s, b->s)))
			return c;
		/* fall through */
	default:
		return a->u < b->u ? -1 : a->u > b->u;
	}
}

/* The sort key of the value at idx; raises an error for a key that has no
 * order. */
static void key_of(lua_State *L, int idx, okey_t *k)
{
	Dl_info info;

	memset(k, 0, sizeof *k);
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		k->rank = R_BOOL;
		k->i = lua_toboolean(L, idx);
		return;
	case LUA_TNUMBER:
		k->rank = R_NUM;
		k->isint = lua_isinteger(L, idx);
		if (k->isint)
			k->i = lua_tointeger(L, idx);
		else
			k->f = lua_tonumber(L, idx);
		return;
	case LUA_TSTRING:
		k->rank = R_STR;
		k->s = lua_tolstring(L, idx, &k->len);
		return;
	default:
		break;
	}
	k->rank = R_OBJ;
	if (lh_guard_serial(L, idx, &k->u))
		return;
	if (lua_type(L, idx) == LUA_TFUNCTION && lua_iscfunction(L, idx) &&
	    dladdr((void *)lua_tocfunction(L, idx), &info) && info.dli_fname) {
		k->rank = R_CFN;
		k->s = info.dli_fname;
		k->u = (uint64_t)((const char *)(void *)lua_tocfunction(L, idx) -
		                  (const char *)info.dli_fbase);
		return;
	}
	luaL_error(L, "next: a key of type %s has no deterministic order", luaL_typename(L, idx));
}

/* Push the sorted snapshot of table 1 (a userdata whose user value is the
 * key array) and cache it. */
static snap_t *build(lua_State *L, int cache)
{
	lua_Integer n = 0;
	int keys;
	snap_t *s;

	lua_newtable(L);
	keys = lua_gettop(L);
	for (lua_pushnil(L); lua_next(L, 1); ) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys, ++n);
	}
	s = lua_newuserdatauv(L, sizeof(snap_t) + (size_t)n * sizeof(okey_t), 1);
	s->n = n;
	lua_pushvalue(L, keys);
	lua_setiuservalue(L, -2, 1);
	for (lua_Integer i = 0; i < n; i++) {
		lua_rawgeti(L, keys, i + 1);
		key_of(L, -1, &s->k[i]);   /* strings stay anchored in keys */
		s->k[i].slot = i + 1;
		lua_pop(L, 1);
	}
	qsort(s->k, (size_t)n, sizeof(okey_t), cmp_key);
	lua_remove(L, keys);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, -2);
	lua_rawset(L, cache);
	return s;
}

/* next(t [, k]) in the order above. */
static int o_next(lua_State *L)
{
	lua_Integer i = 0, lo, hi;
	snap_t *s = NULL;
	int cache;
	okey_t k;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &SNAPS);
	cache = 3;
	if (!lua_isnil(L, 2)) {
		lua_pushvalue(L, 1);
		if (lua_rawget(L, cache) == LUA_TUSERDATA)
			s = lua_touserdata(L, -1);
		else
			lua_pop(L, 1);
	}
	if (!s)
		s = build(L, cache);               /* snapshot at 4 */
	if (!lua_isnil(L, 2)) {
		key_of(L, 2, &k);
		for (lo = 0, hi = s->n; lo < hi; ) {   /* first key above k */
			lua_Integer mid = lo + (hi - lo) / 2;
			if (cmp_key(&s->k[mid], &k) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	lua_getiuservalue(L, 4, 1);                 /* keys at 5 */
	for (; i < s->n; i++) {
		lua_rawgeti(L, 5, s->k[i].slot);
		lua_pushvalue(L, -1);
		if (lua_rawget(L, 1) != LUA_TNIL)
			return 2;
		lua_pop(L, 2);
	}
	lua_pushvalue(L, 1);                        /* done: drop the snapshot */
	lua_pushnil(L);
	lua_rawset(L, cache);
	lua_pushnil(L);
	return 1;
}

static int o_pairs(lua_State *L)
{
	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushcfunction(L, o_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

const char *lh_order_tostring(lua_State *L, int idx, size_t *len)
{
	const char *kind;
	uint64_t serial;

	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
		return luaL_tolstring(L, idx, len);
	default:
		break;
	}
	if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
		lua_pop(L, 1);
		return luaL_tolstring(L, idx, len);
	}
	switch (luaL_getmetafield(L, idx, "__name")) {
	case LUA_TSTRING:
		break;
	default:
		lua_pop(L, 1);
		/* fall through */
	case LUA_TNIL:                       /* nothing pushed */
		lua_pushstring(L, luaL_typename(L, idx));
	}
	kind = lua_tostring(L, -1);
	if (lh_guard_serial(L, idx, &serial))
		lua_pushfstring(L, "%s: #%I", kind, (lua_Integer)serial);
	else
		lua_pushfstring(L, "%s: builtin", kind);
	lua_remove(L, -2);
	return lua_tolstring(L, -1, len);
}

static int o_tostring(lua_State *L)
{
	luaL_checkany(L, 1);
	lh_order_tostring(L, 1, NULL);
	return 1;
}

static int o_print(lua_State *L)
{
	int n = lua_gettop(L);

	for (int i = 1; i <= n; i++) {
		fputs(lh_order_tostring(L, i, NULL), stderr);
		fputs(i < n ? "\t" : "\n", stderr);
		lua_pop(L, 1);
	}
	if (n == 0)
		fputs("\n", stderr);
	return 0;
}

/* string.format: %p refused; values that would print as an address are
 * handed to the original as their deterministic strings. */
static int o_format(lua_State *L)
{
	const char *f = luaL_checkstring(L, 1);
	int n = lua_gettop(L);

	for (const char *p = f; (p = strchr(p, '%')); ) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		p += strspn(p, "-+ #0123456789.");
		if (*p == 'p')
			return luaL_error(L, "string.format: '%%p' is refused (a host address "
			                  "must not reach results)");
	}
	for (int i = 2; i <= n; i++) {
		int t = lua_type(L, i);
		if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TUSERDATA ||
		    t == LUA_TTHREAD || t == LUA_TLIGHTUSERDATA) {
			lh_order_tostring(L, i, NULL);
			lua_replace(L, i);
		}
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, 1);
	return 1;
}

void lh_order_open(lua_State *L)
{
	lua_newtable(L);                         /* the snapshot cache, weak keys */
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &SNAPS);
	lua_pushcfunction(L, o_next);
	lua_setglobal(L, "next");
	lua_pushcfunction(L, o_pairs);
	lua_setglobal(L, "pairs");
	lua_pushcfunction(L, o_tostring);
	lua_setglobal(L, "tostring");
	lua_pushcfunction(L, o_print);
	lua_setglobal(L, "print");
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "format");
	lua_pushcclosure(L, o_format, 1);
	lua_setfield(L, -2, "format");
	lua_pop(L, 1);
}
