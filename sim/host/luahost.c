/*
 * luahost.c -- the Lua host (see luahost.h): loading a workload script and
 * driving its tasks for the run (the workload interface).
 *
 * A workload script returns a table:
 *   { description = "...",
 *     params = { name = { default = V, help = "..." }, ... },
 *     setup = function(sim, p) ... end }
 * setup() creates caches, channels and barriers and spawns tasks; each task
 * is a function run as a coroutine with a task object `t` whose methods
 * (t:alloc, t:free, ...) yield one operation each to the simulator.
 * t:now, t:random, t:record and t:count run here without yielding.
 * Caches are named by their object or by name (a string); an unknown name,
 * a stale handle or a bad argument raises a Lua error at the call, which
 * run.c turns into a run-stopping error with the traceback.  The API is
 * documented in docs/lua-api.md; the distributions (uniform, exponential,
 * Zipf, histograms) are Lua, in workloads/lib/dist.lua, on top of
 * t:random's per-task splitmix64 stream.
 */
#include <string.h>
#include "lh_int.h"

/* The message of an error object that is not a string, as lua.c's
 * msghandler words it (its __tostring if it has one). */
static const char *error_text(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return lua_tostring(L, idx);
	if (luaL_callmeta(L, idx, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
		return lua_tostring(L, -1);
	return lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
}

static int traceback(lua_State *L)
{
	luaL_traceback(L, L, error_text(L, 1), 1);
	return 1;
}

/* Call the function below nargs arguments on the stack with a traceback
 * handler, inside the sandbox's limits; on an error *err says so (`what`:
 * where the host was, for the memory cap's message). */
static bool call_lua(lua_State *L, int nargs, int nres, const char *what, GError **err)
{
	int base = lua_gettop(L) - nargs, st;

	lua_pushcfunction(L, traceback);
	lua_insert(L, base);
	lh_sandbox_enter(L);
	st = lua_pcall(L, nargs, nres, base);
	lh_sandbox_leave();
	lua_remove(L, base);
	if (st == LUA_OK)
		return true;
	if (lh_sandbox_out_of_memory(L))
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: in %s: Lua memory cap of %zu MiB "
		            "exceeded (SLABSIM_LUA_MEM sets it)", lh_sandbox_out_of_memory(L), what,
		            lh_limits()->mem_bytes >> 20);
	else
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s",
		            lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(error object is not a string)");
	lua_pop(L, 1);
	return false;
}

/* Run the script (text only); leave its returned table on the stack. */
static bool load_script(lua_State *L, const char *path, GError **err)
{
	if (luaL_loadfilex(L, path, "t") != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		/* A syntax error names the file; "attempt to load a binary chunk" does not. */
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s%s%s", strstr(msg, path) ? "" : path,
		            strstr(msg, path) ? "" : ": ", msg);
		return false;
	}
	if (!call_lua(L, 0, 1, path, err))
		return false;
	if (!lua_istable(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: a workload must return a table "
		            "{ description = ..., params = {...}, setup = function(sim, p) ... end }", path);
		return false;
	}
	return true;
}

/* The script's description, for `list`. */
bool lh_describe(const char *path, char **description, GError **err)
{
	lua_State *L = lh_sandbox_new(0);
	bool ok = load_script(L, path, err);

	if (ok) {
		lua_getfield(L, -1, "description");
		*description = g_strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
	}
	lua_close(L);
	return ok;
}

static int cmp_param(gconstpointer a, gconstpointer b)
{
	return strcmp(((const lh_param_t *)a)->name, ((const lh_param_t *)b)->name);
}

static const char *lua_value_type(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return lua_isinteger(L, idx) ? "integer" : "number";
	case LUA_TBOOLEAN:
		return "boolean";
	default:
		return "string";
	}
}

GArray *lh_list_params(const char *path, char **description, GError **err)
{
	lua_State *L = lh_sandbox_new(0);
	GArray *params = NULL;

	if (load_script(L, path, err)) {
		params = g_array_new(FALSE, TRUE, sizeof(lh_param_t));
		lua_getfield(L, -1, "description");
		*description = g_strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
		lua_pop(L, 1);
		lua_getfield(L, -1, "params");
		for (lua_pushnil(L); lua_istable(L, -2) && lua_next(L, -2); lua_pop(L, 1)) {
			lh_param_t p = { 0 };
			if (lua_type(L, -2) != LUA_TSTRING)
				continue;
			p.name = g_strdup(lua_tostring(L, -2));
			if (lua_istable(L, -1)) {
				lua_getfield(L, -1, "help");
				p.help = g_strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
				lua_getfield(L, -2, "default");
			} else {
				p.help = g_strdup("");
				lua_pushnil(L);
				lua_pushvalue(L, -2);
			}
			p.type = lua_value_type(L, -1);
			p.def = g_strdup(luaL_tolstring(L, -1, NULL));
			lua_pop(L, 3);
			g_array_append_val(params, p);
		}
		g_array_sort(params, cmp_param);
	}
	lua_close(L);
	return params;
}

void lh_params_free(GArray *params)
{
	for (guint i = 0; params && i < params->len; i++) {
		lh_param_t *p = &g_array_index(params, lh_param_t, i);
		g_free(p->name);
		g_free(p->def);
		g_free(p->help);
	}
	if (params)
		g_array_free(params, TRUE);
}

/* What the script declares about itself: `frees_all = true` (it frees
 * every object it allocates: objects live at the end are a leak) and
 * `merit = { counter = NAME, label = TEXT, better = "higher"|"lower" }`
 * (its figure of merit, a counter of t:count). */
static bool read_decl(luahost_t *lh, GError **err)
{
	lua_State *L = lh->L;
	workload_decl_t *d = &lh->run->decl;
	bool ok = true;

	lua_getfield(L, -1, "frees_all");
	if (!lua_isnil(L, -1) && !lua_isboolean(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: frees_all must be true or false",
		            lh->path);
		ok = false;
	}
	d->frees_all = lua_toboolean(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, -1, "merit");
	if (ok && !lua_isnil(L, -1)) {
		const char *better = NULL;
		if (lua_istable(L, -1)) {
			lua_getfield(L, -1, "counter");
			lua_getfield(L, -2, "label");
			lua_getfield(L, -3, "better");
			better = lua_isnil(L, -1) ? "higher" : lua_tostring(L, -1);
			if (lua_type(L, -3) == LUA_TSTRING && better &&
			    (strcmp(better, "higher") == 0 || strcmp(better, "lower") == 0)) {
				d->merit = g_strdup(lua_tostring(L, -3));
				d->merit_label = g_strdup(lua_isstring(L, -2) ? lua_tostring(L, -2) : d->merit);
				d->merit_lower = strcmp(better, "lower") == 0;
			}
			lua_pop(L, 3);
		}
		if (!d->merit) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: merit must be a table "
			            "{ counter = NAME, label = TEXT, better = 'higher' or 'lower' }", lh->path);
			ok = false;
		}
	}
	lua_pop(L, 1);
	return ok;
}

/* The first frame of the suspended coroutine `task` that is Lua code. */
static char *lh_where(void *wl, void *task)
{
	lua_State *co = task;
	lua_Debug ar;

	for (int level = 0; lua_getstack(co, level, &ar); level++) {
		if (!lua_getinfo(co, "Sl", &ar) || ar.currentline <= 0)
			continue;
		return g_strdup_printf("%s:%d", ar.short_src, ar.currentline);
	}
	return NULL;
}


static void lh_free(void *wl)
{
	luahost_t *lh = wl;

	if (!lh)
		return;
	lua_close(lh->L);
	g_ptr_array_free(lh->files, TRUE);
	if (lh->threads)
		g_ptr_array_free(lh->threads, TRUE);
	g_free(lh);
}

luahost_t *lh_new(run_t *r, GKeyFile *resolved, GError **err)
{
	luahost_t *lh = g_new0(luahost_t, 1);
	lua_State *L;

	lh->run = r;
	lh->path = r->sc->workload_path;
	lh->files = g_ptr_array_new_with_free_func(lh_file_free);
	lh->L = L = lh_sandbox_new(r->sc->seed);
	lh->threads = g_ptr_array_new_with_free_func(g_free);
	lh_set_thread(lh, L, NULL);                  /* before any coroutine */
	lh_open_task(L);
	lh_open_replay(L);
	if (!load_script(L, lh->path, err) || !read_decl(lh, err) ||
	    !lh_build_params(lh, resolved, err))
		goto fail;
	lua_getfield(L, -2, "setup");                /* script, p, setup */
	if (!lua_isfunction(L, -1)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s: the workload has no setup function", lh->path);
		goto fail;
	}
	lh_open_sim(lh);
	lua_pushvalue(L, -3);                        /* p */
	if (!call_lua(L, 2, 0, "setup()", err))
		goto fail;
	lua_settop(L, 0);
	return lh;
fail:
	lh_free(lh);
	return NULL;
}

/* The message of task co's error st: "task N (CPU C): " before the
 * memory cap's, the budget's and the watchdog's own messages. */
static char *task_error(luahost_t *lh, lua_State *co)
{
	task_t *t = lh_thread(co)->task;
	lua_State *L = lh->L;
	int top = lua_gettop(L);
	char *head = g_strdup_printf("task %d (CPU %d)", task_id(t), task_cpu(t)), *msg;
	const char *what;

	if (lh_sandbox_out_of_memory(co)) {
		msg = g_strdup_printf("%s: %s: Lua memory cap of %zu MiB exceeded (SLABSIM_LUA_MEM sets it)",
		                      lh_sandbox_out_of_memory(co), head, lh_limits()->mem_bytes >> 20);
		g_free(head);
		return msg;
	}
	lua_xmove(co, L, 1);                    /* the error object, worded on the main state */
	what = error_text(L, -1);
	if (strstr(what, "Lua time budget exceeded"))
		what = lua_pushfstring(L, "%s: %s", head, what);
	luaL_traceback(L, co, what, 0);
	msg = g_strdup(lua_tostring(L, -1));
	lua_settop(L, top);
	g_free(head);
	return msg;
}

/* The no-progress watchdog, at every resume: stop when the simulated
 * clock has not moved in lh_limits()->stall_resumes resumes in a row (a
 * loop of zero-time operations such as t:think(0)).  Cost: a load and a
 * compare. */
static bool stalled(luahost_t *lh, lua_State *co, char **msg)
{
	simtime_t now = engine_current()->clock;
	task_t *t;
	char where[128];

	if (now != lh->stall_clock) {
		lh->stall_clock = now;
		lh->stalls = 0;
		return false;
	}
	if (++lh->stalls <= lh_limits()->stall_resumes)
		return false;
	t = lh_thread(co)->task;
	lh_sandbox_where(co, where, sizeof where);
	*msg = g_strdup_printf("%s: task %d (CPU %d) made no progress: %" G_GUINT64_FORMAT " task "
	                       "operations in a row without simulated time advancing at %" G_GUINT64_FORMAT
	                       " ns (a loop of zero-time operations? SLABSIM_LUA_STALL sets the limit)",
	                       where, task_id(t), task_cpu(t), lh_limits()->stall_resumes,
	                       (guint64)(run_now(lh->run) / PS_PER_NS));
	return true;
}

static enum wl_status lh_resume(void *wl, void *task, int nres, char **msg)
{
	luahost_t *lh = wl;
	lua_State *co = task;
	int nout, st;

	if (stalled(lh, co, msg))
		return WL_ERROR;
	if (nres < 0)                   /* first resume: fn's arguments */
		nres = lua_gettop(co) - 1;
	lh_sandbox_enter(co);
	st = lua_resume(co, lh->L, nres, &nout);
	lh_sandbox_leave();
	if (st == LUA_YIELD) {
		lua_pop(co, nout);
		return WL_OP;
	}
	if (st == LUA_OK) {
		lua_pop(co, nout);
		return WL_DONE;
	}
	*msg = task_error(lh, co);
	return WL_ERROR;
}

static void lh_push_nil(void *co)
{
	lua_pushnil(co);
}

static void lh_push_int(void *co, int64_t v)
{
	lua_pushinteger(co, v);
}

static void lh_push_string(void *co, const char *s)
{
	lua_pushstring(co, s);
}

static void set_counts(lua_State *L, const char *name, const uint64_t *v, int n)
{
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushinteger(L, (lua_Integer)v[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, name);
}

static void lh_push_defrag(void *co, const defrag_report_t *r)
{
	const struct { const char *name; uint64_t v; } f[] = {
		{ "slabs_before", r->slabs_before }, { "slabs_after", r->slabs_after },
		{ "partial_before", r->partial_before }, { "partial_after", r->partial_after },
		{ "slabs_freed", r->slabs_freed }, { "slabs_vacated", r->slabs_vacated },
		{ "objects_moved", r->objects_moved }, { "objects_reclaimed", r->objects_reclaimed },
		{ "vacate_failures", r->vacate_failures },
	};

	lua_createtable(co, 0, (int)G_N_ELEMENTS(f) + 2);
	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		lua_pushinteger(co, (lua_Integer)f[i].v);
		lua_setfield(co, -2, f[i].name);
	}
	set_counts(co, "hist_before", r->hist_before, DEFRAG_HIST_BUCKETS);
	set_counts(co, "hist_after", r->hist_after, DEFRAG_HIST_BUCKETS);
}

/* Call the registry function `ref` with an object handle on the main
 * state (no task is running Lua).  Its result as a string ("true" for a
 * true non-string), NULL for nil or false; on an error, NULL and *err. */
static char *lh_call_handle(void *wl, int ref, int64_t handle, char **err)
{
	luahost_t *lh = wl;
	lua_State *L = lh->L;
	char *answer = NULL;

	GError *e = NULL;

	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_pushinteger(L, handle);
	if (!call_lua(L, 1, 1, "a slab_ops callback", &e)) {
		*err = g_strdup_printf("%s: in a slab_ops callback: %s", lh->path, e->message);
		g_error_free(e);
		return NULL;
	}
	if (lua_type(L, -1) == LUA_TSTRING)
		answer = g_strdup(lua_tostring(L, -1));
	else if (lua_toboolean(L, -1))
		answer = g_strdup("true");
	lua_pop(L, 1);
	return answer;
}

static void lh_push_handles(void *co, const int64_t *h, int n)
{
	lua_createtable(co, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushinteger(co, h[i]);
		lua_rawseti(co, -2, i + 1);
	}
}

static void lh_push_ref(void *wl, void *co, int ref)
{
	luahost_t *lh = wl;

	lua_rawgeti(lh->L, LUA_REGISTRYINDEX, ref);
	lua_xmove(lh->L, co, 1);
	luaL_unref(lh->L, LUA_REGISTRYINDEX, ref);
}

const workload_ops_t lh_workload_ops = {
	.resume = lh_resume,
	.push_nil = lh_push_nil,
	.push_int = lh_push_int,
	.push_string = lh_push_string,
	.push_handles = lh_push_handles,
	.push_defrag = lh_push_defrag,
	.push_ref = lh_push_ref,
	.pack_ref = lh_pack_ref,
	.push_packed = lh_push_packed,
	.call_handle = lh_call_handle,
	.where = lh_where,
	.free = lh_free,
};

run_t *lh_run_new(const scenario_t *sc, const char *allocator, GError **err)
{
	run_t *r = run_new(sc, allocator);
	luahost_t *lh = lh_new(r, sc->resolved, err);

	if (!lh) {
		run_free(r);
		return NULL;
	}
	run_set_workload(r, &lh_workload_ops, lh);
	return r;
}

