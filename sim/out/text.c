/*
 * text.c -- the human reports, rendered from the results tree (see
 * report.h): the summary a terminal gets (the comparison table in the
 * style of the mailing-list threads, ratios to a baseline, the columns
 * defined, how each run ended), the warnings, and the full report.txt
 * (the summary, then every allocator's figures).
 */
#include <math.h>
#include <string.h>
#include "out_int.h"

#define WIDTH 100     /* footnotes are wrapped to this many columns */

static char *fmt_time(double ns)
{
	return metric_format(ns, "ns", 1);
}

/* ---- how a run ended ---- */

/* "task 3 (CPU 3) in recv on channel 0 since 1.20 ms at x.lua:12" */
static void describe_task(GString *s, JsonObject *w)
{
	const char *state = sget(w, "state", "");
	const char *where = sget(w, "where", "");

	g_string_append_printf(s, "task %" G_GINT64_FORMAT " (CPU %" G_GINT64_FORMAT ") ",
	                       iget(w, "task"), iget(w, "cpu"));
	if (strcmp(state, "recv") == 0)
		g_string_append_printf(s, "in recv on channel %" G_GINT64_FORMAT, iget(w, "channel"));
	else if (strcmp(state, "barrier") == 0)
		g_string_append_printf(s, "at barrier %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " of %"
		                       G_GINT64_FORMAT " arrived)", iget(w, "barrier"),
		                       iget(w, "arrived"), iget(w, "parties"));
	else
		g_string_append(s, state);
	if (json_object_has_member(w, "since_ns")) {
		char *t = fmt_time(dget(w, "since_ns"));
		g_string_append_printf(s, " since %s", t);
		g_free(t);
	}
	if (*where)
		g_string_append_printf(s, " at %s", where);
}

/* The tasks of end.waiting, at most `most` of them, "; "-separated. */
static void describe_waiting(GString *s, JsonObject *e, guint most)
{
	JsonArray *w = json_object_has_member(e, "waiting") ? json_object_get_array_member(e, "waiting") : NULL;
	guint n = w ? json_array_get_length(w) : 0;

	for (guint i = 0; i < n && i < most; i++) {
		if (i)
			g_string_append(s, "; ");
		describe_task(s, json_array_get_object_element(w, i));
	}
	if (n > most)
		g_string_append_printf(s, "; and %u more (tasks.csv)", n - most);
}

/* The latest since_ns of the blocked tasks: when the last one blocked. */
static double blocked_from(JsonObject *e)
{
	JsonArray *w = json_object_has_member(e, "waiting") ? json_object_get_array_member(e, "waiting") : NULL;
	double t = 0;

	for (guint i = 0; w && i < json_array_get_length(w); i++)
		t = MAX(t, dget(json_array_get_object_element(w, i), "since_ns"));
	return t;
}

/* What a replay's input lacked (its workload counters, sim.replay). */
static void replay_warnings(GString *s, JsonObject *c)
{
	if (iget(c, "replay.lost_events") > 0)
		g_string_append_printf(s, "%sthe input trace lost %" G_GINT64_FORMAT " events (the recorder's "
		                       "own count): the replay misses them, and a lost free shows as an "
		                       "untraced free", s->len ? "; " : "", iget(c, "replay.lost_events"));
	if (iget(c, "replay.truncated_lines") > 0)
		g_string_append_printf(s, "%sthe input trace's last line had no newline (a cut file): it was "
		                       "skipped", s->len ? "; " : "");
}

/* The warning about allocator a's results without its name, or NULL. */
static char *warning_body(JsonObject *root, JsonObject *a)
{
	JsonObject *e = oget(a, "end");
	const char *reason = sget(e, "reason", "completed");
	GString *s = g_string_new(NULL);
	char *t;

	if (strcmp(reason, "deadlock") == 0) {
		t = fmt_time(blocked_from(e));
		g_string_append_printf(s, "deadlock: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
		                       " tasks blocked for ever from %s (every unfinished task waits in "
		                       "recv or at a barrier, and no task is left to wake it; the run "
		                       "idled to its duration): ", iget(e, "blocked_tasks"),
		                       iget(e, "tasks"), t);
		g_free(t);
		describe_waiting(s, e, 4);
	} else if (strcmp(reason, "duration") == 0) {
		t = fmt_time(json_path_number(root, "scenario_typed/scenario/duration"));
		g_string_append_printf(s, "stopped at the duration (%s) with %" G_GINT64_FORMAT " of %"
		                       G_GINT64_FORMAT " tasks unfinished (its figures cover only the "
		                       "part that ran): ", t, iget(e, "unfinished_tasks"), iget(e, "tasks"));
		g_free(t);
		describe_waiting(s, e, 4);
	}
	if (json_object_has_member(e, "frees_all") && json_object_get_boolean_member(e, "frees_all") &&
	    iget(e, "live_objects") > 0 && strcmp(reason, "completed") == 0) {
		t = metric_format((double)iget(e, "live_bytes"), "B", 0);
		g_string_append_printf(s, "%s%" G_GINT64_FORMAT " objects (%s) live at end, though the "
		                       "workload declares that it frees everything it allocates (frees_all): "
		                       "a leak", s->len ? "; " : "", iget(e, "live_objects"), t);
		g_free(t);
	}
	replay_warnings(s, oget(a, "workload_counters"));
	return s->len ? g_string_free(s, FALSE) : (g_string_free(s, TRUE), NULL);
}

GPtrArray *results_warnings(JsonObject *root)
{
	JsonObject *allocs = oget(root, "allocators");
	GList *names = allocs ? json_object_get_members(allocs) : NULL;
	GPtrArray *bodies = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *who = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GString *reasons = g_string_new(NULL);
	bool differ = false;
	const char *first = NULL;

	for (GList *l = names; l; l = l->next) {
		JsonObject *a = oget(allocs, l->data);
		const char *reason = sget(oget(a, "end"), "reason", "completed");
		char *body = warning_body(root, a);
		guint i;

		differ |= first && strcmp(first, reason) != 0;
		first = first ? first : reason;
		g_string_append_printf(reasons, "%s%s %s", reasons->len ? ", " : "", (char *)l->data, reason);
		if (!body)
			continue;
		/* Allocators with the same warning share one line. */
		for (i = 0; i < bodies->len && strcmp(bodies->pdata[i], body); i++)
			;
		if (i == bodies->len) {
			g_ptr_array_add(bodies, body);
			g_ptr_array_add(who, g_ptr_array_new());
		} else {
			g_free(body);
		}
		g_ptr_array_add(who->pdata[i], l->data);
	}
	for (guint i = 0; i < bodies->len; i++) {
		GPtrArray *w = who->pdata[i];
		GString *s = g_string_new(NULL);
		for (guint j = 0; j < w->len; j++)
			g_string_append_printf(s, "%s%s", j ? ", " : "", (char *)w->pdata[j]);
		g_string_append_printf(s, ": %s", (char *)bodies->pdata[i]);
		g_ptr_array_add(out, g_string_free(s, FALSE));
	}
	if (differ)
		g_ptr_array_add(out, g_strdup_printf("the runs ended differently (%s): their figures "
		                                     "cover different work, compare with care", reasons->str));
	g_string_free(reasons, TRUE);
	g_ptr_array_free(bodies, TRUE);
	g_ptr_array_free(who, TRUE);
	g_list_free(names);
	return out;
}

/* ---- one allocator, in full ---- */

static bool incomplete(JsonObject *a);

char *report_wrap(const char *text, int indent)
{
	GString *s = g_string_new(NULL);

	out_wrap(s, text, indent);
	return g_string_free(s, FALSE);
}

/* Is a a native run's (it has "native": docs/native.md)? */
static bool is_native(JsonObject *a)
{
	return a && json_object_has_member(a, "native");
}

/* The run's length in ns: simulated, or a native run's host time. */
static double span_ns(JsonObject *a)
{
	return is_native(a) ? dget(oget(a, "native"), "host_ns") : dget(a, "simulated_ns");
}

/* A footnote, wrapped; a native run's figures are host ones. */
static void put_note(GString *s, GString *note, bool native)
{
	if (native)
		g_string_replace(note, "simulated", "host", 0);
	out_wrap(s, note->str, 2);
}

static void text_end(GString *s, JsonObject *a)
{
	JsonObject *e = oget(a, "end");
	const char *reason = sget(e, "reason", "completed");
	char *t = fmt_time(span_ns(a)), *live;

	if (!e)
		return;
	live = metric_format((double)iget(e, "live_bytes"), "B", 0);
	if (strcmp(reason, "completed") == 0)
		g_string_append_printf(s, "end: completed at %s, every one of %" G_GINT64_FORMAT
		                       " tasks returned", t, iget(e, "tasks"));
	else if (strcmp(reason, "idle") == 0)
		g_string_append_printf(s, "end: idle at %s (the duration): %" G_GINT64_FORMAT " of %"
		                       G_GINT64_FORMAT " tasks idled in t:idle as the workload means, "
		                       "the others returned", t, iget(e, "idle_tasks"), iget(e, "tasks"));
	else
		g_string_append_printf(s, "end: %s at %s, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
		                       " tasks unfinished (%" G_GINT64_FORMAT " blocked)", reason, t,
		                       iget(e, "unfinished_tasks"), iget(e, "tasks"), iget(e, "blocked_tasks"));
	g_string_append_printf(s, "; live at end: %" G_GINT64_FORMAT " objects, %s%s\n",
	                       iget(e, "live_objects"), live,
	                       json_object_has_member(e, "frees_all") &&
	                       json_object_get_boolean_member(e, "frees_all") ? " (the workload "
	                       "declares that it frees everything)" : "");
	if (incomplete(a)) {
		GString *w = g_string_new("  waiting: ");
		describe_waiting(w, e, 16);
		g_string_append_printf(s, "%s\n", w->str);
		g_string_free(w, TRUE);
	}
	g_free(live);
	g_free(t);
}

static void text_remote(GString *s, JsonObject *a)
{
	JsonObject *r = oget(a, "remote");

	if (!r)
		return;
	g_string_append_printf(s, "remote: %" G_GINT64_FORMAT " frees on another CPU than the "
	                       "allocation, %" G_GINT64_FORMAT " frees of objects on another node, %"
	                       G_GINT64_FORMAT " allocations served from another node\n",
	                       iget(r, "free_other_cpu"), iget(r, "free_other_node"),
	                       iget(r, "alloc_other_node"));
}

static void text_range(GString *s, JsonObject *o, const char *key, bool time)
{
	JsonObject *x = oget(o, key);

	if (time) {
		char *lo = fmt_time(dget(x, "min")), *mean = fmt_time(dget(x, "mean")),
		     *hi = fmt_time(dget(x, "max"));
		g_string_append_printf(s, "%s to %s (mean %s)", lo, hi, mean);
		g_free(lo);
		g_free(mean);
		g_free(hi);
	} else {
		g_string_append_printf(s, "%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, iget(x, "min"),
		                       iget(x, "max"));
	}
}

/* Tasks and CPUs: how the work was spread (tasks.csv, cpus.csv in full). */
static void text_balance(GString *s, JsonObject *a)
{
	JsonObject *t = oget(a, "per_task"), *c = oget(a, "per_cpu");

	if (!t || !c)
		return;
	g_string_append_printf(s, "tasks: %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " returned) on %"
	                       G_GINT64_FORMAT " of %" G_GINT64_FORMAT " CPUs, at most %" G_GINT64_FORMAT
	                       " per CPU; operations per task ", iget(t, "count"), iget(t, "finished"),
	                       iget(c, "with_tasks"), iget(c, "cpus"), iget(c, "max_tasks"));
	text_range(s, t, "ops", false);
	g_string_append(s, ", busy per task ");
	text_range(s, t, "busy_ns", true);
	g_string_append(s, "\nCPUs with tasks: operations ");
	text_range(s, c, "ops", false);
	g_string_append(s, ", busy ");
	text_range(s, c, "busy_ns", true);
	g_string_append(s, " (every task and CPU: tasks.csv, cpus.csv)\n");
}

/* Caches holding slabs: their bytes and efficiency (slabinfo's %Ef). */
static void text_caches(GString *s, JsonObject *a)
{
	JsonObject *caches = oget(a, "caches");
	GList *names = json_object_get_members(caches);
	bool head = false;

	for (GList *l = names; l; l = l->next) {
		JsonObject *c = oget(caches, l->data);
		char *live, *slab;
		if (iget(c, "slabs") == 0)
			continue;
		if (!head)
			g_string_append(s, "caches with slabs      objsize  slabs  live bytes  slab bytes    %Ef\n");
		head = true;
		live = metric_format((double)iget(c, "live_bytes"), "B", 0);
		slab = metric_format((double)iget(c, "slab_bytes"), "B", 0);
		g_string_append_printf(s, "  %-20s %7" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %11s %11s %6.1f\n",
		                       (char *)l->data, iget(c, "object_size"), iget(c, "slabs"),
		                       live, slab, dget(c, "efficiency_pct"));
		g_free(live);
		g_free(slab);
	}
	g_list_free(names);
}

/* ---- the text report, rendered from the JSON tree ---- */

/* "fast path: 98.0% of allocations (62710 of 64000), 0.0% of frees ..." */
static void text_paths(GString *s, JsonObject *a)
{
	static const char *const ops[] = { "alloc", "free" }, *const what[] = { "allocations", "frees" };
	JsonObject *p = json_object_has_member(a, "paths") ? oget(a, "paths") : NULL;

	if (!p)
		return;
	g_string_append(s, "fast path:");
	for (int i = 0; i < 2; i++) {
		gint64 fast = iget(oget(p, ops[i]), "fast"), all = fast + iget(oget(p, ops[i]), "slow");
		g_string_append_printf(s, "%s %.1f%% of %s (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT ")",
		                       i ? "," : "", all ? 100.0 * (double)fast / (double)all : 0.0,
		                       what[i], fast, all);
	}
	g_string_append_c(s, '\n');
}

static void text_latency(GString *s, JsonObject *a)
{
	static const char *const ops[] = { "alloc", "free" };

	g_string_append(s, "latency (ns)        count       mean      p50      p90      p99    p99.9       max\n");
	for (int i = 0; i < 2; i++) {
		JsonObject *l = oget(oget(a, "latency_ns"), ops[i]);
		g_string_append_printf(s, "  %-8s %12" G_GINT64_FORMAT " %10.1f %8.1f %8.1f %8.1f %8.1f %9.1f\n",
		                       ops[i], iget(l, "count"), dget(l, "mean"), dget(l, "p50"),
		                       dget(l, "p90"), dget(l, "p99"), dget(l, "p999"), dget(l, "max"));
	}
}

static void text_memory(GString *s, JsonObject *a)
{
	static const char *const keys[] = { "slab_bytes", "live_bytes", "queued_bytes", "metadata_bytes" };
	JsonObject *peak = oget(oget(a, "memory"), "peak");
	JsonObject *fin = oget(oget(a, "memory"), "final");

	g_string_append(s, "memory (bytes)               peak            final\n");
	for (int i = 0; i < 4; i++)
		g_string_append_printf(s, "  %-16s %16" G_GINT64_FORMAT " %16" G_GINT64_FORMAT "\n",
		                       keys[i], iget(peak, keys[i]), iget(fin, keys[i]));
}

static void text_members(GString *s, const char *title, JsonObject *o)
{
	GList *members = json_object_get_members(o);

	g_string_append_printf(s, "%s\n", title);
	for (GList *l = members; l; l = l->next)
		g_string_append_printf(s, "  %-24s %14" G_GINT64_FORMAT "\n", (char *)l->data,
		                       iget(o, l->data));
	g_list_free(members);
}

/* "28.3 GiB": bytes for people. */
static void append_size(GString *s, double bytes)
{
	char *t = metric_format(bytes, "B", 0);

	g_string_append(s, t);
	g_free(t);
}

/* The system totals a footprint argument needs: metadata per cache, and
 * what the queues hold when every one is full. */
static void text_totals(GString *s, JsonObject *a)
{
	JsonObject *cap = json_object_has_member(a, "queue_capacity") ? oget(a, "queue_capacity") : NULL;
	guint ncaches = json_object_get_size(oget(a, "caches"));
	double meta = (double)iget(oget(oget(a, "memory"), "peak"), "metadata_bytes");
	GList *kinds = cap ? json_object_get_members(cap) : NULL;
	double objects = 0, bytes = 0;

	g_string_append(s, "metadata: ");
	append_size(s, meta);
	g_string_append_printf(s, " at peak over %u caches (", ncaches);
	append_size(s, ncaches ? meta / ncaches : 0);
	g_string_append_printf(s, " per cache); at the end up to %.1f%% of a node's RAM\n",
	                       100 * dget(oget(oget(a, "memory"), "metadata_by_node"),
	                                  "max_fraction_of_node_ram"));
	if (json_object_has_member(a, "cache_aliases"))
		g_string_append_printf(s, "merged: %" G_GINT64_FORMAT " more cache names are aliases "
		                       "of these caches\n", iget(a, "cache_aliases"));
	if (!kinds)
		return;
	g_string_append(s, "queue capacity (every queue full):");
	for (GList *l = kinds; l; l = l->next) {
		JsonObject *k = oget(cap, l->data);
		objects += (double)iget(k, "objects");
		bytes += (double)iget(k, "bytes");
		g_string_append_printf(s, " %s %" G_GINT64_FORMAT " objects, ", (char *)l->data, iget(k, "objects"));
		append_size(s, (double)iget(k, "bytes"));
		g_string_append_c(s, ';');
	}
	g_string_append_printf(s, " total %.0f objects, ", objects);
	append_size(s, bytes);
	g_string_append_c(s, '\n');
	g_list_free(kinds);
}

static void text_mempools(GString *s, JsonObject *a)
{
	JsonObject *pools = json_object_has_member(a, "mempools") ? oget(a, "mempools") : NULL;
	GList *names = pools ? json_object_get_members(pools) : NULL;

	for (GList *l = names; l; l = l->next) {
		JsonObject *p = oget(pools, l->data);
		g_string_append_printf(s, "mempool %s (%s): reserve %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
		                       " at the end, lowest %" G_GINT64_FORMAT "; critical %" G_GINT64_FORMAT
		                       " ok, %" G_GINT64_FORMAT " failed; ordinary %" G_GINT64_FORMAT " ok, %"
		                       G_GINT64_FORMAT " failed; %" G_GINT64_FORMAT " reserve objects leaked\n",
		                       (char *)l->data, json_object_get_string_member(p, "variant"),
		                       iget(p, "level"), iget(p, "min_nr"), iget(p, "low_water"),
		                       iget(p, "crit_allocs"), iget(p, "crit_failures"), iget(p, "noncrit_allocs"),
		                       iget(p, "noncrit_failures"), iget(p, "leaked"));
	}
	g_list_free(names);
}

static void text_locks(GString *s, JsonObject *a)
{
	JsonObject *locks = oget(a, "locks");
	GList *members;
	bool bounces = false;

	if (!locks)                     /* a native run measures no lock waits */
		return;
	members = json_object_get_members(locks);

	for (GList *l = members; l; l = l->next)
		bounces |= json_object_has_member(oget(locks, l->data), "con_bounces");
	g_string_append_printf(s, "locks                  acquisitions  contentions      wait ns  max wait ns      hold ns%s\n",
	                       bounces ? "  con-bounces  acq-bounces" : "");
	for (GList *l = members; l; l = l->next) {
		JsonObject *c = oget(locks, l->data);
		g_string_append_printf(s, "  %-20s %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT
		                       " %12.0f %12.0f %12.0f", (char *)l->data,
		                       iget(c, "acquisitions"), iget(c, "contentions"),
		                       dget(c, "wait_ns"), dget(c, "max_wait_ns"), dget(c, "hold_ns"));
		if (bounces)
			g_string_append_printf(s, " %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT,
			                       iget(c, "con_bounces"), iget(c, "acq_bounces"));
		g_string_append_c(s, '\n');
	}
	g_list_free(members);
}

static void text_jitter_sources(GString *s, JsonObject *by)
{
	GList *names = json_object_get_members(by);

	for (GList *l = names; l; l = l->next) {
		JsonObject *o = json_object_get_object_member(by, l->data);
		g_string_append_printf(s, "  %-20s %8" G_GINT64_FORMAT " runs %14.0f ns  longest %10.0f ns\n",
		                       (const char *)l->data, iget(o, "runs"), dget(o, "total_ns"),
		                       dget(o, "longest_ns"));
	}
	g_list_free(names);
}

static void text_traffic(GString *s, JsonObject *a)
{
	JsonObject *c = oget(a, "cachelines"), *p = oget(a, "pages"), *j = oget(a, "jitter");
	JsonArray *orders = json_object_get_array_member(p, "allocs_by_order");

	if (c)                          /* simulated runs only */
		g_string_append_printf(s, "cachelines: %" G_GINT64_FORMAT " accesses, %" G_GINT64_FORMAT
	                       " hits, transfers %" G_GINT64_FORMAT " same node / %" G_GINT64_FORMAT
	                       " remote, memory %" G_GINT64_FORMAT " local / %" G_GINT64_FORMAT
	                       " remote, %" G_GINT64_FORMAT " invalidations\n",
	                       iget(c, "accesses"), iget(c, "hits"), iget(c, "transfers_same_node"),
	                       iget(c, "transfers_remote_node"), iget(c, "memory_local"),
	                       iget(c, "memory_remote"), iget(c, "invalidations"));
	g_string_append(s, "pages: allocs by order [");
	for (guint i = 0; i < json_array_get_length(orders); i++)
		g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? " " : "",
		                       json_array_get_int_element(orders, i));
	g_string_append_printf(s, "], %" G_GINT64_FORMAT " frees, %" G_GINT64_FORMAT " failures\n",
	                       iget(p, "frees"), iget(p, "failures"));
	g_string_append_printf(s, "jitter: %.0f ns of housekeeping in %" G_GINT64_FORMAT
	                       " interruptions, longest %.0f ns\n", dget(j, "housekeeping_ns_total"),
	                       iget(j, "interruptions"), dget(j, "longest_interruption_ns"));
	text_jitter_sources(s, oget(j, "by_source"));
}

static void text_slabinfo(GString *s, JsonObject *a)
{
	JsonObject *caches = oget(a, "caches");
	GList *members = json_object_get_members(caches);

	g_string_append(s, "slabinfo - version: 2.1\n"
	                "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	                " : tunables <limit> <batchcount> <sharedfactor>"
	                " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	for (GList *l = members; l; l = l->next) {
		JsonObject *c = oget(caches, l->data);
		g_string_append_printf(s, "%-17s %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
		                       " %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT
		                       " : tunables %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT " %4" G_GINT64_FORMAT
		                       " : slabdata %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT "\n",
		                       (char *)l->data, iget(c, "active_objs"), iget(c, "num_objs"),
		                       iget(c, "size"), iget(c, "objects_per_slab"),
		                       (gint64)1 << iget(c, "order"), iget(c, "limit"),
		                       iget(c, "batchcount"), iget(c, "sharedfactor"),
		                       iget(c, "active_slabs"), iget(c, "slabs"), iget(c, "sharedavail"));
	}
	g_list_free(members);
}

static void text_workload(GString *s, JsonObject *a)
{
	JsonObject *m = oget(a, "workload_metrics");
	GList *names = json_object_get_members(m);

	if (names)
		g_string_append(s, "workload metrics (ns)      count       mean      p50      p90      p99    p99.9       max\n");
	for (GList *l = names; l; l = l->next) {
		JsonObject *x = oget(m, l->data);
		g_string_append_printf(s, "  %-18s %12" G_GINT64_FORMAT " %10.1f %8.1f %8.1f %8.1f %8.1f %9.1f\n",
		                       (char *)l->data, iget(x, "count"), dget(x, "mean"), dget(x, "p50"),
		                       dget(x, "p90"), dget(x, "p99"), dget(x, "p999"), dget(x, "max"));
	}
	g_list_free(names);
	if (json_object_get_size(oget(a, "workload_counters")))
		text_members(s, "workload counters", oget(a, "workload_counters"));
}

/* RCU and vmstat, when results.json has them. */
static void text_rcu_vmstat(GString *s, JsonObject *a)
{
	if (json_object_has_member(a, "rcu")) {
		JsonObject *r = oget(a, "rcu"), *gp = oget(r, "grace_period_ns");
		JsonObject *f = oget(oget(r, "waiting"), "final"), *p = oget(oget(r, "waiting"), "peak");

		g_string_append_printf(s, "rcu: %" G_GINT64_FORMAT " grace periods (mean %.0f ns, longest "
		                       "%.0f ns), %" G_GINT64_FORMAT " callbacks; waiting at the end: %"
		                       G_GINT64_FORMAT " objects (%" G_GINT64_FORMAT " B), %" G_GINT64_FORMAT
		                       " slabs (%" G_GINT64_FORMAT " B); at most %" G_GINT64_FORMAT
		                       " objects (%" G_GINT64_FORMAT " B), %" G_GINT64_FORMAT " slabs (%"
		                       G_GINT64_FORMAT " B)\n", iget(r, "grace_periods"), dget(gp, "mean"),
		                       dget(gp, "max"), iget(r, "callbacks_queued"), iget(f, "objects"),
		                       iget(f, "object_bytes"), iget(f, "slabs"), iget(f, "slab_bytes"),
		                       iget(p, "objects"), iget(p, "object_bytes"), iget(p, "slabs"),
		                       iget(p, "slab_bytes"));
	}
	if (json_object_has_member(a, "vmstat")) {
		JsonObject *v = oget(a, "vmstat");

		g_string_append_printf(s, "vmstat: nr_slab_reclaimable %" G_GINT64_FORMAT
		                       ", nr_slab_unreclaimable %" G_GINT64_FORMAT " pages folded, %"
		                       G_GINT64_FORMAT " in the CPUs' differentials (stat_threshold %"
		                       G_GINT64_FORMAT "..%" G_GINT64_FORMAT "), %" G_GINT64_FORMAT " folds\n",
		                       iget(v, "nr_slab_reclaimable"), iget(v, "nr_slab_unreclaimable"),
		                       iget(v, "unfolded_pages"), iget(v, "stat_threshold_min"),
		                       iget(v, "stat_threshold_max"), iget(v, "folds"));
	}
}

static void text_allocator(GString *s, const char *name, JsonObject *a)
{
	JsonObject *ops = oget(a, "ops");
	const char *base = sget(a, "allocator", name);

	if (strcmp(base, name) == 0)
		g_string_append_printf(s, "\n== %s ==\n", name);
	else
		g_string_append_printf(s, "\n== %s (%s) ==\n", name, base);
	g_string_append_printf(s, "%s %.3f ms: %" G_GINT64_FORMAT " allocs, %" G_GINT64_FORMAT
	                       " frees, %" G_GINT64_FORMAT " failed, %.0f ops/s\n",
	                       is_native(a) ? "native, host time" : "simulated", span_ns(a) / 1e6, iget(ops, "alloc"), iget(ops, "free"),
	                       iget(ops, "failed"), dget(a, "throughput_ops_per_sec"));
	text_end(s, a);
	text_latency(s, a);
	text_paths(s, a);
	text_memory(s, a);
	text_members(s, "metadata by category (bytes)", oget(a, "metadata_by_category"));
	text_totals(s, a);
	text_mempools(s, a);
	text_locks(s, a);
	text_traffic(s, a);
	text_rcu_vmstat(s, a);
	text_remote(s, a);
	text_members(s, "allocator statistics", oget(a, "stats"));
	text_workload(s, a);
	text_reuse(s, a, 0);
	text_balance(s, a);
	text_caches(s, a);
	text_slabinfo(s, a);
}

/* ---- the comparison table ---- */

/* The lock class all CPUs waited longest for, and that wait ("-" if no
 * lock was waited for); the first in name order wins a tie. */
static const char *top_lock(JsonObject *locks, double *wait_ns)
{
	GList *names = locks ? json_object_get_members(locks) : NULL;
	const char *top = "-";

	*wait_ns = 0;
	for (GList *l = names; l; l = l->next) {
		double w = dget(oget(locks, l->data), "wait_ns");
		if (w > *wait_ns) {
			*wait_ns = w;
			top = l->data;
		}
	}
	g_list_free(names);
	return top;
}

/* A figure's cell: "mean ± sd" when the results hold a spread over
 * seeds (allocators.A.spread.METRIC = {mean, sd, n}), else the value. */
static char *cell(JsonObject *a, const char *name, double v, const char *unit, int decimals)
{
	JsonObject *sp = oget(oget(a, "spread"), name);

	if (sp && json_object_has_member(sp, "mean") && json_object_has_member(sp, "sd"))
		return metric_format_spread(dget(sp, "mean"), dget(sp, "sd"), unit, decimals);
	return metric_format(v, unit, decimals);
}

/* The value a ratio is taken of: the spread's mean when there is one. */
static double ratio_value(JsonObject *a, const char *name, double v)
{
	JsonObject *sp = oget(oget(a, "spread"), name);

	return sp && json_object_has_member(sp, "mean") ? dget(sp, "mean") : v;
}

/* A ratio with two decimals, or two significant digits when small,
 * none when large: 0.0012, 0.48, 94.44, 1328335. */
static char *format_ratio(double r)
{
	if (r == 0)
		return g_strdup("0");
	if (fabs(r) < 0.01)
		return g_strdup_printf("%.2g", r);
	if (fabs(r) >= 1000)
		return g_strdup_printf("%.0f", r);
	return g_strdup_printf("%.2f", r);
}

typedef struct column {
	const char *header;
	const metric_t *m;        /* NULL: the figure of merit */
} column_t;

/* The figure columns: the merit first, then every METRIC_COMPARE metric. */
static GArray *columns(JsonObject *first, const char **merit_label, int *merit_better,
                       bool *declared)
{
	GArray *cols = g_array_new(FALSE, FALSE, sizeof(column_t));
	column_t c = { NULL, NULL };

	metric_merit(first, merit_label, merit_better, declared);
	c.header = *merit_label;
	g_array_append_val(cols, c);
	for (const metric_t *m = metric_table; m->name; m++)
		if (m->where & METRIC_COMPARE) {
			column_t x = { m->column, m };
			g_array_append_val(cols, x);
		}
	return cols;
}

static double column_value(const column_t *c, JsonObject *a, const char **name)
{
	const char *label;
	int better;
	bool declared;

	*name = c->m ? c->m->name : "merit";
	return c->m ? metric_value(c->m, a) : metric_merit(a, &label, &better, &declared);
}

/* Rows of cells printed with every column as wide as its widest cell:
 * the first column left-aligned, the others right-aligned, the last
 * left-aligned when `last_left`. */
void out_print_rows(GString *s, GPtrArray *rows, bool last_left)
{
	guint ncols = g_strv_length(rows->pdata[0]);
	long *w = g_new0(long, ncols);

	for (guint r = 0; r < rows->len; r++)
		for (guint c = 0; c < ncols; c++)
			w[c] = MAX(w[c], g_utf8_strlen(((char **)rows->pdata[r])[c], -1));
	for (guint r = 0; r < rows->len; r++) {
		char **cells = rows->pdata[r];
		GString *line = g_string_new(NULL);
		for (guint c = 0; c < ncols; c++) {
			long pad = w[c] - g_utf8_strlen(cells[c], -1);
			bool left = c == 0 || (last_left && c == ncols - 1);
			if (c)
				g_string_append(line, "  ");
			if (!left)
				for (long i = 0; i < pad; i++)
					g_string_append_c(line, ' ');
			g_string_append(line, cells[c]);
			if (left && c < ncols - 1)
				for (long i = 0; i < pad; i++)
					g_string_append_c(line, ' ');
		}
		while (line->len && line->str[line->len - 1] == ' ')
			g_string_truncate(line, line->len - 1);
		g_string_append_printf(s, "%s\n", line->str);
		g_string_free(line, TRUE);
	}
	g_free(w);
}

/* Append `text` wrapped at WIDTH columns, continuation lines indented. */
void out_wrap(GString *s, const char *text, int indent)
{
	char **words = g_strsplit(text, " ", -1);
	long col = 0;

	for (int i = 0; words[i]; i++) {
		long n = g_utf8_strlen(words[i], -1);
		if (col > indent && col + 1 + n > WIDTH) {
			g_string_append_printf(s, "\n%*s", indent, "");
			col = indent;
		} else if (i) {
			g_string_append_c(s, ' ');
			col++;
		}
		g_string_append(s, words[i]);
		col += n;
	}
	g_string_append_c(s, '\n');
	g_strfreev(words);
}

/* Is allocator a's run one that did not complete?  (A run whose tasks
 * idle by design, "idle", did.) */
static bool incomplete(JsonObject *a)
{
	const char *reason = sget(oget(a, "end"), "reason", "completed");

	return strcmp(reason, "completed") != 0 && strcmp(reason, "idle") != 0;
}

/* The comparison table, the ratios to the baseline and the footnotes. */
static void text_comparison(GString *s, JsonObject *root, const char *baseline)
{
	JsonObject *allocs = oget(root, "allocators");
	GList *names = json_object_get_members(allocs);
	const char *merit_label;
	int merit_better;
	bool declared, any_incomplete = false, bounces = false, any_live = false, native;
	GArray *cols;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	JsonObject *base;
	GString *note = g_string_new(NULL);

	if (!names)
		return;
	if (!baseline || !json_object_has_member(allocs, baseline))
		baseline = names->data;
	base = oget(allocs, baseline);
	native = is_native(base);
	cols = columns(oget(allocs, names->data), &merit_label, &merit_better, &declared);

	/* The figures. */
	GPtrArray *head = g_ptr_array_new();
	g_ptr_array_add(head, g_strdup("allocator"));
	for (guint c = 0; c < cols->len; c++)
		g_ptr_array_add(head, g_strdup(g_array_index(cols, column_t, c).header));
	g_ptr_array_add(head, NULL);
	g_ptr_array_add(rows, g_ptr_array_free(head, FALSE));
	/* The most contended locks, a table of their own (lock class names
	 * are long). */
	GString *lockrows = g_string_new(NULL);
	int lockw = 19, labelw = 9;
	for (GList *l = names; l; l = l->next) {
		double w;
		lockw = MAX(lockw, (int)strlen(top_lock(oget(oget(allocs, l->data), "locks"), &w)));
		labelw = MAX(labelw, (int)strlen(l->data) + 1);
	}
	for (GList *l = names; l; l = l->next) {
		JsonObject *a = oget(allocs, l->data), *ops = oget(a, "ops");
		GPtrArray *r = g_ptr_array_new();
		double wait, nops = (double)(iget(ops, "alloc") + iget(ops, "free"));
		const char *lock = top_lock(oget(a, "locks"), &wait);
		char *t;

		any_incomplete |= incomplete(a);
		any_live |= iget(oget(a, "end"), "live_objects") > 0;
		g_ptr_array_add(r, g_strconcat(l->data, incomplete(a) ? "*" : "", NULL));
		for (guint c = 0; c < cols->len; c++) {
			const column_t *col = &g_array_index(cols, column_t, c);
			const char *name;
			double v = column_value(col, a, &name);
			g_ptr_array_add(r, cell(a, name, v, col->m ? col->m->unit : "",
			                        col->m ? col->m->decimals : 0));
		}
		g_string_append_printf(lockrows, "%-*s  %-*s", labelw, (char *)l->data, lockw, lock);
		if (strcmp(lock, "-") != 0) {
			JsonObject *lc = oget(oget(a, "locks"), lock);
			t = metric_format(nops > 0 ? wait / nops : 0, "ns", 1);
			g_string_append_printf(lockrows, "  %11s", t);
			if (json_object_has_member(lc, "con_bounces")) {
				bounces = true;
				g_string_append_printf(lockrows, "  %" G_GINT64_FORMAT " bounces",
				                       iget(lc, "con_bounces"));
			}
			g_free(t);
		}
		g_string_append_c(lockrows, '\n');
		g_ptr_array_add(r, NULL);
		g_ptr_array_add(rows, g_ptr_array_free(r, FALSE));
	}
	out_print_rows(s, rows, false);
	g_ptr_array_set_size(rows, 0);

	/* Ratios to the baseline. */
	if (g_list_length(names) > 1) {
		GPtrArray *h = g_ptr_array_new();
		g_ptr_array_add(h, g_strdup_printf("ratio to %s", baseline));
		for (guint c = 0; c < cols->len; c++)
			g_ptr_array_add(h, g_strdup(g_array_index(cols, column_t, c).header));
		g_ptr_array_add(h, NULL);
		g_ptr_array_add(rows, g_ptr_array_free(h, FALSE));
		for (GList *l = names; l; l = l->next) {
			JsonObject *a = oget(allocs, l->data);
			GPtrArray *r = g_ptr_array_new();
			g_ptr_array_add(r, g_strdup(l->data));
			for (guint c = 0; c < cols->len; c++) {
				const column_t *col = &g_array_index(cols, column_t, c);
				const char *name;
				double v = column_value(col, a, &name);
				double b;
				v = ratio_value(a, name, v);
				b = ratio_value(base, name, column_value(col, base, &name));
				g_ptr_array_add(r, b != 0 ? format_ratio(v / b) :
				                v == 0 ? g_strdup("1.00") : g_strdup("-"));
			}
			g_ptr_array_add(r, NULL);
			g_ptr_array_add(rows, g_ptr_array_free(r, FALSE));
		}
		g_string_append_c(s, '\n');
		out_print_rows(s, rows, false);
	}
	g_ptr_array_free(rows, TRUE);
	if (!native)                    /* a native run measures no lock waits */
		g_string_append_printf(s, "\n%-*s  %-*s  %11s\n%s", labelw, "allocator", lockw,
		                       "most contended lock", "wait per op", lockrows->str);
	g_string_free(lockrows, TRUE);

	/* What each column is. */
	g_string_append_c(s, '\n');
	if (declared) {
		JsonObject *m = oget(oget(allocs, names->data), "merit");
		g_string_append_printf(note, "%s: the workload's figure of merit, its counter %s "
		                       "(%s is better)", merit_label, sget(m, "counter", "?"),
		                       merit_better < 0 ? "lower" : "higher");
	} else {
		g_string_append_printf(note, "ops/s: %s", metric_find("throughput_ops_per_sec")->define);
	}
	put_note(s, note, native);
	/* Columns sharing a definition share a footnote. */
	for (guint c = 1; c < cols->len; c++) {
		const metric_t *m = g_array_index(cols, column_t, c).m;
		guint last = c;
		g_string_assign(note, m->column);
		while (last + 1 < cols->len &&
		       strcmp(g_array_index(cols, column_t, last + 1).m->define, m->define) == 0)
			g_string_append_printf(note, ", %s", g_array_index(cols, column_t, ++last).m->column);
		g_string_append_printf(note, ": %s", m->define);
		put_note(s, note, native);
		c = last;
	}
	g_string_printf(note, "most contended lock: the lock class all CPUs waited longest for in "
	                "total; wait per op: that wait over the allocations and frees%s",
	                bounces ? "; bounces: contended acquisitions whose lock line came from "
	                "another CPU's cache" : "");
	if (!native)
		out_wrap(s, note->str, 2);
	if (g_list_length(names) > 1) {
		g_string_printf(note, "ratio to %s: each figure divided by %s's (--baseline chooses); "
		                "better is %s 1 for %s, below 1 for the latencies and memory", baseline,
		                baseline, merit_better < 0 ? "below" : "above", merit_label);
		put_note(s, note, native);
	}
	if (native)
		g_string_printf(note, "native run (docs/native.md): times are this host's, each allocation "
		                "or free (or batch) timed by the host clock less the clock's own cost (%.1f "
		                "ns); the host is shared, so take the median of several runs (check-model); "
		                "bytes are the host arena's, KiB = 1024 B",
		                dget(oget(base, "native"), "timer_cost_ns"));
	else
		g_string_printf(note, "times are simulated; bytes are simulated, KiB = 1024 B");
	put_note(s, note, native);
	if (any_incomplete) {
		g_string_assign(note, "* did not complete:");
		for (GList *l = names; l; l = l->next)
			if (incomplete(oget(allocs, l->data)))
				g_string_append_printf(note, " %s %s,", (char *)l->data,
				                       sget(oget(oget(allocs, l->data), "end"), "reason", ""));
		g_string_truncate(note, note->len - 1);
		g_string_append(note, " (see the warnings)");
		put_note(s, note, native);
	}
	if (any_live) {
		g_string_assign(note, "live at end (objects the workload never freed):");
		for (GList *l = names; l; l = l->next) {
			JsonObject *e = oget(oget(allocs, l->data), "end");
			char *b = metric_format((double)iget(e, "live_bytes"), "B", 0);
			g_string_append_printf(note, " %s %" G_GINT64_FORMAT " (%s)%s", (char *)l->data,
			                       iget(e, "live_objects"), b, l->next ? "," : "");
			g_free(b);
		}
		put_note(s, note, native);
	}
	g_string_free(note, TRUE);
	g_array_free(cols, TRUE);
	g_list_free(names);
}

char *results_comparison(JsonObject *root, const char *baseline)
{
	GString *s = g_string_new(NULL);

	text_comparison(s, root, baseline);
	return g_string_free(s, FALSE);
}

/* The lines naming the run: scenario, description, machine, workload. */
static void text_header(GString *s, report_t *rep)
{
	const scenario_t *sc = rep->sc;
	GList *names = json_object_get_members(rep->allocators);
	JsonObject *first = names ? oget(rep->allocators, names->data) : NULL;
	JsonObject *t = oget(first, "per_task"), *c = oget(first, "per_cpu");

	g_string_append_printf(s, "slabsim %s: %s\n", SLABSIM_VERSION, sc->path);
	if (*sc->description)
		out_wrap(s, sc->description, 0);
	GString *line = g_string_new(NULL);
	g_string_append_printf(line, "machine %s: %d CPU%s, %d node%s; workload %s", sc->machine_name,
	                       sc->machine->ncpus, sc->machine->ncpus == 1 ? "" : "s",
	                       sc->machine->nnodes, sc->machine->nnodes == 1 ? "" : "s", sc->workload);
	if (t && c)
		g_string_append_printf(line, " (%" G_GINT64_FORMAT " tasks on %" G_GINT64_FORMAT " CPUs%s)",
		                       iget(t, "count"), iget(c, "with_tasks"),
		                       iget(c, "max_tasks") > 1 ? ", some sharing a CPU" : "");
	g_string_append_printf(line, "; seed %" G_GUINT64_FORMAT, sc->seed);
	out_wrap(s, line->str, 2);
	g_string_append_c(s, '\n');
	g_string_free(line, TRUE);
	g_list_free(names);
}

char *text_summary(report_t *rep, const char *dir)
{
	GString *s = g_string_new(NULL);

	g_free(report_json(rep));      /* completes the scenario trees */
	text_header(s, rep);
	text_comparison(s, rep->root, rep->baseline);
	if (dir) {
		char *plots = g_build_filename(dir, "plots", NULL);
		char *line = g_strdup_printf("results in %s/: report.txt (the full report), summary.csv, "
		                             "results.json, CSV series%s", dir,
		                             g_file_test(plots, G_FILE_TEST_IS_DIR) ? ", plots/" : "");
		g_string_append_c(s, '\n');
		out_wrap(s, line, 2);
		g_free(line);
		g_free(plots);
	}
	return g_string_free(s, FALSE);
}

char *text_full(report_t *rep)
{
	GString *s = g_string_new(NULL);
	GList *names = json_object_get_members(rep->allocators);
	GPtrArray *warnings;

	g_free(report_json(rep));
	text_header(s, rep);
	text_comparison(s, rep->root, rep->baseline);
	warnings = results_warnings(rep->root);
	if (warnings->len)
		g_string_append(s, "\nwarnings:\n");
	for (guint i = 0; i < warnings->len; i++) {
		char *line = g_strconcat("  ", (char *)warnings->pdata[i], NULL);
		out_wrap(s, line, 4);
		g_free(line);
	}
	g_ptr_array_free(warnings, TRUE);
	for (GList *l = names; l; l = l->next)
		text_allocator(s, l->data, oget(rep->allocators, l->data));
	g_list_free(names);
	return g_string_free(s, FALSE);
}
