/*
 * lh_replay.c -- sim.replay{...}: setting up the replay of a recorded kmem
 * trace (see lh_replay.h; the tasks are lh_replay_task.c).
 *
 * The scan reads the whole trace once, keeping only what is live: it
 * creates a cache for each traced kmem_cache name (sized by the largest
 * bytes_alloc seen; names the allocators own, kmalloc-* and size-*, and
 * objects above sim.max_cache_size go to kmalloc instead, the latter
 * counted and named in a warning; a name an allocator uses
 * for its own caches is renamed "trace:NAME"), notes which simulated CPUs
 * have events, which allocations are never freed in the trace although
 * their address is handed out again (their free was not traced: an
 * RCU-deferred bulk free, or a lost event), and computes the input's LIFO
 * reuse (reuse.h).  A trace with no usable kmem event is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "lh_replay.h"
#include "runtrace.h"

/* Names the allocators give their own caches, besides kmalloc-* and size-*. */
static const char *const internal_names[] = { "kmem_cache", "kmem_cache_node", "kmem_cache_cpu" };

/* Does a traced kmem_cache of this name go to kmalloc? */
static bool kmalloc_name(const char *name)
{
	return g_str_has_prefix(name, "kmalloc") || g_str_has_prefix(name, "size-") ||
	       g_str_has_prefix(name, "dma-kmalloc");
}

/* The replay's name of the traced cache of ev (into buf), or NULL when the
 * allocation goes to kmalloc by its name. */
static const char *traced_name(const replay_t *rp, const ktrace_event_t *ev, char *buf, size_t n)
{
	if (ev->kmalloc)
		return NULL;
	if (!ev->name) {
		g_snprintf(buf, n, "cache-%u", ev->bytes_alloc);
		return buf;
	}
	if (kmalloc_name(ev->name))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(internal_names); i++)
		if (strcmp(ev->name, internal_names[i]) == 0) {
			g_snprintf(buf, n, "trace:%s", ev->name);
			return buf;
		}
	return ev->name;
}

/* ---- the scan ---- */

typedef struct scan {
	replay_t *rp;
	reuse_t *reuse;          /* the input's LIFO reuse */
	GHashTable *kmalloc_keys;   /* (bytes_alloc << 1 | cg) -> reuse key + 1 */
	GHashTable *live;        /* pointer -> (allocation number << 24 | reuse key) */
	GHashTable *ordinal;     /* cache name -> its ordinal + 1 (first seen first) */
	GPtrArray *names;        /* cache names, by ordinal */
	GArray *size;            /* uint32_t: largest bytes_alloc, by ordinal */
	GArray *key;             /* int: reuse key, by ordinal */
	GHashTable *too_big;     /* names of caches above sim.max_cache_size (kmalloc instead) */
	GPtrArray *too_big_names;   /* the same, first seen first */
	bool accounted;          /* an accounted kmalloc allocation was seen */
	uint64_t allocs;
} scan_t;

#define SCAN_KEY_BITS 24

/* A 64-bit key's hash. */
static guint mix(gconstpointer p)
{
	return (guint)(((uint64_t)p * 0x9e3779b97f4a7c15ULL) >> 32);
}

/* The ordinal of the replay cache of allocation ev (-1: kmalloc), its
 * size raised to ev's bytes_alloc. */
static int cache_ordinal(scan_t *s, const ktrace_event_t *ev)
{
	char buf[64];
	const char *name = traced_name(s->rp, ev, buf, sizeof buf);
	gpointer v;
	int o;

	if (!name)
		return -1;
	if (ev->bytes_alloc > s->rp->max_cache_size) {
		if (!g_hash_table_contains(s->too_big, name)) {
			g_hash_table_add(s->too_big, g_strdup(name));
			g_ptr_array_add(s->too_big_names, g_strdup(name));
		}
		return -1;
	}
	if ((v = g_hash_table_lookup(s->ordinal, name))) {
		o = GPOINTER_TO_INT(v) - 1;
	} else {
		int key = reuse_key(s->reuse, name);
		uint32_t zero = 0;
		o = (int)s->names->len;
		g_ptr_array_add(s->names, g_strdup(name));
		g_hash_table_insert(s->ordinal, g_strdup(name), GINT_TO_POINTER(o + 1));
		g_array_append_val(s->size, zero);
		g_array_append_val(s->key, key);
	}
	uint32_t *size = &g_array_index(s->size, uint32_t, o);
	*size = MAX(*size, ev->bytes_alloc);
	return o;
}

/* The input statistic's key of kmalloc allocation ev. */
static int kmalloc_key(scan_t *s, const ktrace_event_t *ev)
{
	bool cg = ev->kmalloc ? ev->accounted : (ev->name && g_str_has_prefix(ev->name, "kmalloc-cg-"));
	guint k = ev->bytes_alloc << 1 | cg;
	gpointer v;
	int key;

	if ((v = g_hash_table_lookup(s->kmalloc_keys, GUINT_TO_POINTER(k))))
		return GPOINTER_TO_INT(v) - 1;
	char *kname = g_strdup_printf("kmalloc-%s%u", cg ? "cg-" : "", ev->bytes_alloc);
	key = reuse_key(s->reuse, kname);
	g_free(kname);
	g_hash_table_insert(s->kmalloc_keys, GUINT_TO_POINTER(k), GINT_TO_POINTER(key + 1));
	return key;
}

/* Append ev to the spool as the replay reads it back (lh_replay.h). */
static void spool(scan_t *s, const ktrace_event_t *ev, int ordinal)
{
	replay_t *rp = s->rp;
	rp_rec_t rec = {
		.t_ns = ev->t_ns, .ptr = ev->ptr,
		.size = ev->bytes_req ? ev->bytes_req : ev->bytes_alloc,
		.cache = ordinal,
		.cpu = (uint16_t)(ev->cpu % rp->ncpus),
		.node = (int16_t)(rp->numa && ev->node >= 0 ? ev->node % rp->run->sc->machine->nnodes : -1),
		.flags = (uint8_t)((ev->alloc ? RP_REC_ALLOC : 0) |
		         ((ev->kmalloc ? ev->accounted : ev->name && g_str_has_prefix(ev->name, "kmalloc-cg-"))
		          ? RP_REC_ACCOUNTED : 0)),
	};

	fwrite(&rec, sizeof rec, 1, rp->spool);
}

static void scan_alloc(scan_t *s, const ktrace_event_t *ev)
{
	gpointer old, p = (gpointer)ev->ptr;
	int ordinal = cache_ordinal(s, ev);
	int key = ordinal >= 0 ? g_array_index(s->key, int, ordinal) : kmalloc_key(s, ev);

	spool(s, ev, ordinal);
	if (!ev->ptr)
		return;                  /* a failed allocation */
	s->accounted |= ev->kmalloc && ev->accounted;
	if (g_hash_table_lookup_extended(s->live, p, NULL, &old)) {
		uint64_t n = (uint64_t)old >> SCAN_KEY_BITS;
		g_array_append_val(s->rp->untraced, n);
	}
	reuse_note_alloc(s->reuse, key, ev->cpu, ev->ptr);
	g_hash_table_insert(s->live, p, (gpointer)(s->allocs << SCAN_KEY_BITS | (uint64_t)key));
	s->allocs++;
}

static void scan_free(scan_t *s, const ktrace_event_t *ev)
{
	gpointer v, p = (gpointer)ev->ptr;

	spool(s, ev, -1);
	if (ev->ptr && g_hash_table_lookup_extended(s->live, p, NULL, &v)) {
		reuse_note_free(s->reuse, (int)((uint64_t)v & ((1u << SCAN_KEY_BITS) - 1)), ev->cpu,
		                ev->ptr);
		g_hash_table_remove(s->live, p);
	}
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Read the whole trace once; false (and a Lua error message pushed) if it
 * cannot be read or has no usable event. */
static bool scan(lua_State *L, scan_t *s)
{
	replay_t *rp = s->rp;
	GError *e = NULL;
	ktrace_reader_t *rd = ktrace_open(rp->path, &e);
	ktrace_event_t ev;
	int got;
	bool first = true;

	if (!rd) {
		lua_pushstring(L, e->message);
		g_error_free(e);
		return false;
	}
	while ((got = ktrace_next(rd, &ev, &e)) > 0) {
		if (first)
			rp->t0_ns = ev.t_ns;
		first = false;
		rp->used[ev.cpu % rp->ncpus] = true;
		if (ev.alloc)
			scan_alloc(s, &ev);
		else
			scan_free(s, &ev);
		if (reuse_nkeys(s->reuse) >= 1 << SCAN_KEY_BITS)
			break;
	}
	const ktrace_info_t *in = ktrace_info(rd);
	if (got < 0)
		lua_pushstring(L, e->message);
	else if (in->events == 0)
		lua_pushfstring(L, "%s: no usable kmem events (%s, %I lines, all %I skipped: expected "
		                "perf script or ftrace text of kmem:kmalloc, kmem:kfree, "
		                "kmem:kmem_cache_alloc, kmem:kmem_cache_free)", rp->path,
		                ktrace_kind(rd), (lua_Integer)in->lines, (lua_Integer)in->skipped);
	else if (got > 0)
		lua_pushfstring(L, "%s: more than %d cache keys", rp->path, 1 << SCAN_KEY_BITS);
	if (got != 0 || in->events == 0) {
		g_clear_error(&e);
		ktrace_close(rd);
		return false;
	}
	run_count(rp->run, "replay.events", (int64_t)in->events);
	run_count(rp->run, "replay.skipped_lines", (int64_t)in->skipped);
	run_count(rp->run, "replay.lost_events", (int64_t)in->lost);
	run_count(rp->run, "replay.truncated_lines", in->truncated);
	run_count(rp->run, "replay.caches_too_big", s->too_big_names->len);
	if (s->too_big_names->len) {
		g_ptr_array_add(s->too_big_names, NULL);
		char *list = g_strjoinv(", ", (char **)s->too_big_names->pdata);
		g_printerr("kmem-replay: %s: %u caches larger than %s's largest cache (sim.max_cache_size "
		           "%u bytes) replayed as kmalloc: %s\n", rp->path, s->too_big_names->len - 1,
		           rp->run->ops->name, rp->max_cache_size, list);
		g_free(list);
	}
	g_array_sort(rp->untraced, cmp_u64);
	ktrace_close(rd);
	return true;
}

/* ---- the spool: the scan's events as fixed records ---- */

/* An unlinked temporary file for the records; NULL (message pushed). */
static FILE *spool_open(lua_State *L)
{
	GError *e = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("slabsim-replay-XXXXXX", &path, &e);
	FILE *f;

	if (fd < 0) {
		lua_pushfstring(L, "sim.replay: cannot make its spool file: %s", e->message);
		g_error_free(e);
		return NULL;
	}
	g_unlink(path);
	g_free(path);
	f = fdopen(fd, "w+b");
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

/* Flush the spool and read it from its start; false (message pushed) if
 * it could not be written (a full disk). */
static bool spool_rewind(lua_State *L, replay_t *rp)
{
	if (fflush(rp->spool) != 0 || ferror(rp->spool) || fseek(rp->spool, 0, SEEK_SET) != 0) {
		lua_pushfstring(L, "sim.replay: writing its spool file failed: %s", g_strerror(errno));
		return false;
	}
	return true;
}

/* ---- sim.replay ---- */

static void replay_free(replay_t *rp)
{
	if (rp->spool)
		fclose(rp->spool);
	g_free(rp->path);
	if (rp->cache_ids)
		g_array_free(rp->cache_ids, TRUE);
	if (rp->untraced)
		g_array_free(rp->untraced, TRUE);
	if (rp->objs)
		g_array_free(rp->objs, TRUE);
	if (rp->free_objs)
		g_array_free(rp->free_objs, TRUE);
	if (rp->live)
		g_hash_table_destroy(rp->live);
	for (int i = 0; rp->cpu && i < rp->ncpus; i++)
		if (rp->cpu[i].q)
			g_array_free(rp->cpu[i].q, TRUE);
	g_free(rp->cpu);
	g_free(rp->used);
}

static int replay_gc(lua_State *L)
{
	replay_free(luaL_checkudata(L, 1, REPLAY_MT));
	return 0;
}

/* replay:cpus() -> the simulated CPUs that have events, ascending */
static int replay_cpus(lua_State *L)
{
	replay_t *rp = luaL_checkudata(L, 1, REPLAY_MT);
	int n = 0;

	lua_newtable(L);
	for (int c = 0; c < rp->ncpus; c++)
		if (rp->used[c]) {
			lua_pushinteger(L, c);
			lua_rawseti(L, -2, ++n);
		}
	return 1;
}

static lua_Number opt_number(lua_State *L, const char *key, lua_Number def)
{
	lua_Number v;

	lua_getfield(L, 1, key);
	v = luaL_optnumber(L, -1, def);
	lua_pop(L, 1);
	return v;
}

/* The options of sim.replay's table (at 1) into rp. */
static void replay_options(lua_State *L, replay_t *rp)
{
	lua_Number compress = opt_number(L, "compress", 1.0), touch = opt_number(L, "touch_bytes", 64);
	const char *untraced;

	luaL_argcheck(L, compress >= 0, 1, "compress must be >= 0");
	luaL_argcheck(L, touch >= 0 && touch <= 1 << 20, 1, "touch_bytes must be 0..1048576");
	rp->ps_per_ns = compress > 0 ? 1000.0 / compress : 0;
	rp->touch = (uint32_t)touch;
	lua_getfield(L, 1, "numa");
	rp->numa = lua_isnil(L, -1) || lua_toboolean(L, -1);
	lua_getfield(L, 1, "untraced");
	untraced = luaL_optstring(L, -1, "rcu");
	if (strcmp(untraced, "rcu") != 0 && strcmp(untraced, "immediate") != 0)
		luaL_error(L, "sim.replay: untraced must be \"rcu\" or \"immediate\", got \"%s\"", untraced);
	rp->immediate = strcmp(untraced, "immediate") == 0;
	lua_pop(L, 2);
}

/* Create the scan's caches in the run, by ordinal; sheaves from the
 * table at 1's `sheaves` ({name = capacity}). */
static void replay_caches(lua_State *L, replay_t *rp, scan_t *s)
{
	lua_getfield(L, 1, "sheaves");
	for (guint i = 0; i < s->names->len; i++) {
		const char *name = s->names->pdata[i];
		int c = run_add_cache(rp->run, name, g_array_index(s->size, uint32_t, i), 0, 0, false);
		if (lua_istable(L, -1)) {
			lua_getfield(L, -1, name);
			lua_Integer cap = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
			if (cap > 0 && cap <= SHEAF_CAPACITY_MAX)
				run_set_cache_sheaves(rp->run, c, (unsigned)cap);
			lua_pop(L, 1);
		}
		g_array_append_val(rp->cache_ids, c);
	}
	lua_pop(L, 1);
}

static void counters(replay_t *rp)
{
	run_t *r = rp->run;

	rp->n = (rp_counters_t){
		run_counter(r, "replay.objects"), run_counter(r, "replay.frees"),
		run_counter(r, "replay.cross_cpu_frees"), run_counter(r, "replay.unmatched_frees"),
		run_counter(r, "replay.null_frees"), run_counter(r, "replay.never_freed"),
		run_counter(r, "replay.alloc_failed"), run_counter(r, "replay.traced_failures"),
		run_counter(r, "replay.untraced_frees"),
	};
}

/* sim.replay{trace=, compress=, touch_bytes=, numa=, untraced=, sheaves=}
 * -> replay (with replay:cpus() and replay.task) */
int lh_replay(lua_State *L)
{
	luahost_t *lh = lh_host(L);
	replay_t *rp;
	scan_t s = { 0 };
	bool ok;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (lh->run->booted)
		return luaL_error(L, "sim.replay may only be called from setup()");
	lua_getfield(L, 1, "trace");
	char *path = g_strdup(lh_check_file(L, -1, "sim.replay{trace=}")->path);
	lua_pop(L, 1);
	rp = lua_newuserdatauv(L, sizeof *rp, 0);
	memset(rp, 0, sizeof *rp);
	luaL_setmetatable(L, REPLAY_MT);
	rp->run = lh->run;
	rp->path = path;
	rp->ncpus = lh->run->sc->machine->ncpus;
	rp->max_cache_size = (uint32_t)MIN(lh_max_cache_size(lh), (lua_Integer)G_MAXUINT32);
	rp->used = g_new0(bool, rp->ncpus);
	rp->untraced = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	rp->cache_ids = g_array_new(FALSE, FALSE, sizeof(int));
	replay_options(L, rp);
	if (!(rp->spool = spool_open(L)))
		return lua_error(L);
	s = (scan_t){ rp, reuse_new(), g_hash_table_new(g_direct_hash, NULL),
	              g_hash_table_new(mix, NULL),
	              g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	              g_ptr_array_new_with_free_func(g_free), g_array_new(FALSE, FALSE, sizeof(uint32_t)),
	              g_array_new(FALSE, FALSE, sizeof(int)),
	              g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	              g_ptr_array_new_with_free_func(g_free), false, 0 };
	ok = scan(L, &s) && spool_rewind(L, rp);
	g_hash_table_destroy(s.kmalloc_keys);
	g_hash_table_destroy(s.live);
	g_hash_table_destroy(s.ordinal);
	if (ok) {
		replay_caches(L, rp, &s);
		run_track_reuse(lh->run, s.reuse, s.accounted);
	} else {
		reuse_free(s.reuse);
	}
	g_array_free(s.size, TRUE);
	g_array_free(s.key, TRUE);
	g_hash_table_destroy(s.too_big);
	g_ptr_array_free(s.too_big_names, TRUE);
	g_ptr_array_free(s.names, TRUE);
	if (!ok)
		return lua_error(L);
	counters(rp);
	rp->objs = g_array_new(FALSE, FALSE, sizeof(rp_obj_t));
	rp->free_objs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	rp->live = g_hash_table_new(mix, NULL);
	rp->cpu = g_new0(rp_cpu_t, rp->ncpus);
	for (int c = 0; c < rp->ncpus; c++)
		if (rp->used[c]) {
			rp->cpu[c].q = g_array_new(FALSE, FALSE, sizeof(rp_ev_t));
			rp->cpu[c].chan = run_add_channel(lh->run);
		}
	return 1;
}

/* The replay userdata's metatable. */
void lh_open_replay(lua_State *L)
{
	static const luaL_Reg methods[] = { { "cpus", replay_cpus }, { "task", replay_task }, { NULL, NULL } };

	luaL_newmetatable(L, REPLAY_MT);
	lua_pushcfunction(L, replay_gc);
	lua_setfield(L, -2, "__gc");
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}
