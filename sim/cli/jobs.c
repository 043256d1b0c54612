/*
 * jobs.c -- a scenario's allocators in parallel worker processes (see
 * jobs.h).  Each worker is a fork of the parent after the scenario was
 * loaded: it runs one allocator (all its seeds, the scenario untouched)
 * exactly as the serial run would, writes its report part to a file of a private temporary
 * directory and exits; the parent merges the parts in allocator order.
 * Host time is used for the progress line only.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "jobs.h"
#include "error.h"

enum slot_state { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

/* One worker's progress, in memory shared with the parent. */
typedef struct slot {
	volatile int state;
	volatile simtime_t now, duration;
	volatile uint64_t ops;
} slot_t;

static slot_t *worker_slot;      /* set in a worker only */

bool jobs_worker_progress(const run_t *r, simtime_t now)
{
	if (!worker_slot)
		return false;
	worker_slot->now = now;
	worker_slot->duration = r->sc->duration;
	worker_slot->ops = r->ops_done[OP_STAT_ALLOC] + r->ops_done[OP_STAT_FREE];
	return true;
}

static char *part_path(const char *dir, int i)
{
	char name[32];

	g_snprintf(name, sizeof name, "%d.json", i);
	return g_build_filename(dir, name, NULL);
}

/* In the worker: allocator i alone, its part to dir/i.json; never returns. */
static G_GNUC_NORETURN void worker(scenario_t *sc, run_t *first, int i, const char *dir,
                                   slot_t *slot, jobs_run_fn run)
{
	GError *err = NULL;
	report_t *rep;
	int status;

	worker_slot = slot;
	rep = report_new(sc);
	status = run(sc, i, i == 0 ? first : NULL, rep);
	if (status == 0) {
		char *path = part_path(dir, i), *part = report_part(rep);
		if (!g_file_set_contents(path, part, -1, &err)) {
			g_printerr("slabsim: %s\n", err->message);
			status = 1;
		}
	}
	_exit(status);
}

/* The exit status of a finished worker (a crash counts as status 2). */
static int worker_status(const char *name, int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	g_printerr("slabsim: the worker running %s was killed by signal %d\n", name,
	           WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
	return 2;
}

/* "slub 42% | slab done | slob -" under 80 columns, and the total rate. */
static void draw(const scenario_t *sc, const slot_t *slots, int n, gint64 started)
{
	GString *s = g_string_new("\r\033[K");
	uint64_t ops = 0;
	double secs = (double)(g_get_monotonic_time() - started) / 1e6;

	for (int i = 0; i < n; i++) {
		const slot_t *w = &slots[i];
		ops += w->ops;
		g_string_append_printf(s, "%s%.9s ", i ? "| " : "", sc->allocators[i]);
		if (w->state == SLOT_DONE)
			g_string_append(s, "done ");
		else if (w->state == SLOT_RUNNING && w->duration)
			g_string_append_printf(s, "%.0f%% ", 100.0 * (double)MIN(w->now, w->duration) /
			                                     (double)w->duration);
		else
			g_string_append(s, "- ");
	}
	if (secs > 0)
		g_string_append_printf(s, "(%.1f M ops/s)", (double)ops / secs / 1e6);
	g_printerr("%s", s->str);
	g_string_free(s, TRUE);
}

/* Merge the workers' parts into rep in the scenario's allocator order. */
static int merge(report_t *rep, const char *dir, int n)
{
	int status = 0;

	for (int i = 0; i < n && !status; i++) {
		char *path = part_path(dir, i), *text = NULL;
		GError *err = NULL;

		if (!g_file_get_contents(path, &text, NULL, &err) || !report_merge_part(rep, text, &err)) {
			g_printerr("slabsim: %s\n", err->message);
			g_error_free(err);
			status = 1;
		}
		g_remove(path);
		g_free(text);
		g_free(path);
	}
	return status;
}

int jobs_run(scenario_t *sc, run_t *first, report_t *rep, int jobs, bool progress,
             jobs_run_fn run)
{
	int n = (int)g_strv_length(sc->allocators), next = 0, running = 0, done = 0;
	GError *err = NULL;
	char *dir = g_dir_make_tmp("slabsim-jobs-XXXXXX", &err);
	pid_t *pids = g_new0(pid_t, n);
	int *status = g_new0(int, n), result = 0;
	bool failed = false, drawn = false;
	gint64 started = g_get_monotonic_time();
	slot_t *slots;

	if (!dir) {
		g_printerr("slabsim: %s\n", err->message);
		g_error_free(err);
		run_free(first);
		return 1;
	}
	slots = mmap(NULL, sizeof(slot_t) * (size_t)n, PROT_READ | PROT_WRITE,
	             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	g_assert(slots != MAP_FAILED);
	memset(slots, 0, sizeof(slot_t) * (size_t)n);
	while (done < next || (next < n && !failed)) {
		while (running < jobs && next < n && !failed) {
			fflush(stdout);
			slots[next].state = SLOT_RUNNING;
			pids[next] = fork();
			if (pids[next] == 0)
				worker(sc, first, next, dir, &slots[next], run);
			g_assert(pids[next] > 0);
			if (next == 0)
				run_free(first);        /* the first worker's now */
			next++;
			running++;
		}
		int ws;
		pid_t pid = waitpid(-1, &ws, WNOHANG);
		if (pid == 0) {
			if (progress) {
				draw(sc, slots, n, started);
				drawn = true;
			}
			g_usleep(100000);
			continue;
		}
		g_assert(pid > 0);
		for (int i = 0; i < next; i++)
			if (pids[i] == pid) {
				status[i] = worker_status(sc->allocators[i], ws);
				slots[i].state = SLOT_DONE;
				failed = failed || status[i] != 0;
			}
		running--;
		done++;
	}
	if (drawn)
		g_printerr("\r\033[K");
	for (int i = 0; i < next && !result; i++)
		result = status[i];
	if (!result)
		result = merge(rep, dir, n);
	for (int i = 0; i < n; i++) {           /* parts left by a failed run */
		char *path = part_path(dir, i);
		g_remove(path);
		g_free(path);
	}
	g_rmdir(dir);
	munmap(slots, sizeof(slot_t) * (size_t)n);
	g_free(status);
	g_free(pids);
	g_free(dir);
	return result;
}
