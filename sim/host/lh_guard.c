/*
 * lh_guard.c -- the sandbox's memory cap, object serials and time budget
 * (see lh_guard.h and sandbox.h).
 *
 * Memory: every block Lua allocates carries a 16-byte header (a magic
 * number and, for a new table, function, userdata or thread, the state's
 * next creation serial).  While Lua runs for the host (between
 * lh_sandbox_enter and lh_sandbox_leave) a request that would take the
 * heap past the cap is refused, which Lua raises as a memory error; what
 * the host pushes between entries (operation results) is never refused, so
 * the host never meets a memory error outside a protected call.  The
 * state's own block is the first allocated and the last freed, so the
 * heap record frees itself when lua_close() brings its bytes to zero.
 *
 * Time: a POSIX timer on the process's CPU clock ticks every tenth of the
 * budget.  Each entry into Lua bumps a counter; a tick that finds Lua
 * running in the same entry for ten ticks in a row sets a hook on the
 * running state, whose first call raises the error there (file and line
 * of the Lua code running).  Lua code stuck inside one library call never
 * reaches the hook: ten ticks later the handler writes a message and ends
 * the process with status 2 (nothing has been written yet: results are
 * written after the last run).  Per entry this costs three stores.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <lauxlib.h>
#include "lh_guard.h"

#define HDR       16                  /* header bytes, keeps 16-byte alignment */
#define HDR_MAGIC 0x51ab5c0de0b1ec75ULL
#define TICKS     10                  /* ticks per budget */
#define TICK_SIG  SIGVTALRM           /* not SIGALRM: libFuzzer's -timeout has it */

typedef struct hdr {
	uint64_t magic;
	uint64_t serial;                  /* 0: not an object the order knows */
} hdr_t;

typedef struct heap {
	size_t used;                      /* bytes held, headers included */
	size_t cap;
	bool refused;                     /* a request was refused */
	uint64_t serial;                  /* objects stamped so far */
	ptrdiff_t ud_off;                 /* lua_touserdata() - its block, nuv = 0 */
	const void *last_ud;              /* the block of the newest userdata */
	char oom_where[128];              /* FILE:LINE running at the first refusal */
} heap_t;

/* ---- limits ---- */

static double env_number(const char *name, double def, double lo, double hi)
{
	const char *v = g_getenv(name);
	char *end;
	double d;

	if (!v || !*v)
		return def;
	d = g_ascii_strtod(v, &end);
	if (*end || !(d >= lo && d <= hi)) {
		g_printerr("slabsim: %s: expected a number from %g to %g, got '%s' (using %g)\n",
		           name, lo, hi, v, def);
		return def;
	}
	return d;
}

const lh_limits_t *lh_limits(void)
{
	static lh_limits_t lim;
	static bool read;

	if (!read) {
		lim.time_s = env_number("SLABSIM_LUA_TIME", 60, 0.01, 1e6);
		lim.mem_bytes = (size_t)env_number("SLABSIM_LUA_MEM", 2048, 1, 1 << 20) << 20;
		lim.stall_resumes = (uint64_t)env_number("SLABSIM_LUA_STALL", 1e6, 1, 1e12);
		read = true;
	}
	return &lim;
}

/* ---- the entry into Lua, as the signal handler sees it ----
 *
 * Per host thread: a native run (native_run.h) runs a Lua state on each of
 * its threads, and the tick's handler judges the thread it interrupts
 * (the process CPU clock's signal goes to a thread that is running). */

static __thread lua_State *volatile running;   /* the state Lua runs in */
static __thread volatile sig_atomic_t in_lua;
static __thread volatile sig_atomic_t expired; /* the hook may raise */
static __thread volatile unsigned long entries;

void lh_sandbox_enter(lua_State *L)
{
	running = L;
	entries++;
	expired = 0;
	in_lua = 1;
}

void lh_sandbox_leave(void)
{
	in_lua = 0;
}

/* ---- memory ---- */

static void *heap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	heap_t *h = ud;
	char *block = ptr ? (char *)ptr - HDR : NULL;
	size_t old = ptr ? osize + HDR : 0;
	hdr_t *hd;

	if (nsize == 0) {
		free(block);
		h->used -= old;
		if (ptr && h->used == 0)
			g_free(h);        /* lua_close freed the state's last block */
		return NULL;
	}
	if (in_lua && nsize + HDR > old && h->used - old + nsize + HDR > h->cap) {
		if (!h->refused)          /* read-only: lua_getinfo does not allocate */
			lh_sandbox_where(running, h->oom_where, sizeof h->oom_where);
		h->refused = true;
		return NULL;
	}
	if (nsize > SIZE_MAX - HDR || !(block = realloc(block, nsize + HDR)))
		return NULL;
	h->used = h->used - old + nsize + HDR;
	if (!ptr) {
		/* A new block: osize names the kind of object Lua makes. */
		hd = (hdr_t *)block;
		hd->magic = HDR_MAGIC;
		hd->serial = 0;
		if (osize == LUA_TTABLE || osize == LUA_TFUNCTION || osize == LUA_TUSERDATA ||
		    osize == LUA_TTHREAD)
			hd->serial = ++h->serial;
		if (osize == LUA_TUSERDATA)
			h->last_ud = block + HDR;
	}
	return block + HDR;
}

static heap_t *heap_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

static int panic(lua_State *L)
{
	g_printerr("slabsim: Lua error outside a protected call: %s\n",
	           lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
	return 0;                         /* Lua aborts */
}

lua_State *lh_guard_newstate(void)
{
	heap_t *h = g_new0(heap_t, 1);
	lua_State *L;

	h->cap = lh_limits()->mem_bytes;
	L = lua_newstate(heap_alloc, h);
	if (!L)
		return NULL;              /* host out of memory (h freed or lost with it) */
	lua_atpanic(L, panic);
	*(void **)lua_getextraspace(L) = NULL;
	/* Where a userdata's memory starts within its block (no user values). */
	lua_newuserdatauv(L, 1, 0);
	h->ud_off = (const char *)lua_touserdata(L, -1) - (const char *)h->last_ud;
	lua_pop(L, 1);
	return L;
}

const char *lh_sandbox_out_of_memory(lua_State *L)
{
	heap_t *h = heap_of(L);

	return h->refused ? h->oom_where : NULL;
}

bool lh_guard_serial(lua_State *L, int idx, uint64_t *serial)
{
	const char *p;
	const hdr_t *hd;

	switch (lua_type(L, idx)) {
	case LUA_TTABLE:
		p = lua_topointer(L, idx);
		break;
	case LUA_TFUNCTION:
		/* A C closure has at least one upvalue; a light C function none
		 * and no block of its own. */
		if (lua_iscfunction(L, idx)) {
			if (!lua_getupvalue(L, idx, 1))
				return false;
			lua_pop(L, 1);
		}
		p = lua_topointer(L, idx);
		break;
	case LUA_TUSERDATA:
		p = (const char *)lua_touserdata(L, idx) - heap_of(L)->ud_off;
		break;
	default:
		return false;
	}
	hd = (const hdr_t *)(p - HDR);
	if (hd->magic != HDR_MAGIC || !hd->serial)
		return false;
	*serial = hd->serial;
	return true;
}

/* ---- time ---- */

void lh_sandbox_where(lua_State *L, char *buf, size_t size)
{
	lua_Debug ar;

	for (int level = 0; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
			g_snprintf(buf, size, "%s:%d", ar.short_src, ar.currentline);
			return;
		}
	}
	g_snprintf(buf, size, "?");
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
	char where[128];

	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	if (!expired)
		return;                   /* armed for an entry that has ended */
	lh_sandbox_where(L, where, sizeof where);
	lua_pushfstring(L, "%s: Lua time budget exceeded: more than %f s of host CPU without "
	                "returning to the simulator (an endless loop? SLABSIM_LUA_TIME sets the "
	                "budget)", where, (lua_Number)lh_limits()->time_s);
	lua_error(L);
}

static void on_tick(int sig)
{
	static __thread unsigned long seen;
	static __thread int stuck;
	static const char msg[] = "slabsim: Lua time budget exceeded inside a library call "
	                          "(no Lua line reached since); stopped\n";
	int saved = errno;

	(void)sig;
	if (!in_lua || entries != seen) {
		seen = entries;
		stuck = 0;
	} else if (++stuck == TICKS) {
		expired = 1;
		lua_sethook(running, budget_hook,
		            LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
	} else if (stuck >= 2 * TICKS) {
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
			_exit(2);
		_exit(2);
	}
	errno = saved;
}

void lh_guard_start_timer(void)
{
	static bool started;
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	timer_t timer;
	double tick = lh_limits()->time_s / TICKS;

	if (started)
		return;
	started = true;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(TICK_SIG, &sa, NULL);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = TICK_SIG;
	if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &timer) != 0) {
		g_printerr("slabsim: note: no Lua time budget (timer_create: %s)\n", g_strerror(errno));
		return;
	}
	its.it_value.tv_sec = (time_t)tick;
	its.it_value.tv_nsec = (long)((tick - (double)(time_t)tick) * 1e9);
	if (!its.it_value.tv_sec && its.it_value.tv_nsec < 1000000)
		its.it_value.tv_nsec = 1000000;
	its.it_interval = its.it_value;
	timer_settime(timer, 0, &its, NULL);
}
