/*
 * report.c -- results (see report.h).
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "out_int.h"
#include "resdir.h"
#include "agree.h"

static char *g_strconcat_free_first(char *a, const char *b)
{
	char *s = g_strconcat(a, b, NULL);
	g_free(a);
	return s;
}

static double ns(simtime_t ps)
{
	return (double)ps / (double)PS_PER_NS;
}

static JsonObject *obj_add_obj(JsonObject *o, const char *name)
{
	JsonObject *child = json_object_new();
	json_object_set_object_member(o, name, child);
	return child;
}

static JsonObject *scenario_object(const scenario_t *sc)
{
	JsonObject *o = json_object_new();
	char **groups = g_key_file_get_groups(sc->resolved, NULL);

	for (int g = 0; groups[g]; g++) {
		JsonObject *go = obj_add_obj(o, groups[g]);
		char **keys = g_key_file_get_keys(sc->resolved, groups[g], NULL, NULL);
		for (int k = 0; keys[k]; k++) {
			char *v = g_key_file_get_string(sc->resolved, groups[g], keys[k], NULL);
			json_object_set_string_member(go, keys[k], v);
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return o;
}

/* One resolved value as its type says (scenario_value_type). */
static void set_typed(JsonObject *o, const scenario_t *sc, const char *group, const char *key,
                      const char *v)
{
	const char *type = scenario_value_type(sc, group, key, v);

	if (strcmp(type, "integer") == 0)
		json_object_set_int_member(o, key, g_ascii_strtoll(v, NULL, 10));
	else if (strcmp(type, "number") == 0)
		json_object_set_double_member(o, key, g_ascii_strtod(v, NULL));
	else if (strcmp(type, "boolean") == 0)
		json_object_set_boolean_member(o, key, strcmp(v, "true") == 0);
	else if (strcmp(type, "time") == 0)       /* resolved times are in ns */
		json_object_set_int_member(o, key, g_ascii_strtoll(v, NULL, 10));
	else if (strcmp(type, "list") == 0) {
		JsonArray *a = json_array_new();
		char **items = g_strsplit(v, ",", -1);
		for (int i = 0; items[i]; i++)
			json_array_add_string_element(a, g_strstrip(items[i]));
		g_strfreev(items);
		json_object_set_array_member(o, key, a);
	} else
		json_object_set_string_member(o, key, v);
}

/* The resolved scenario with typed values: numbers as numbers, booleans
 * as booleans, times as integer ns, the allocators as an array. */
static JsonObject *scenario_typed(const scenario_t *sc)
{
	JsonObject *o = json_object_new();
	char **groups = g_key_file_get_groups(sc->resolved, NULL);

	for (int g = 0; groups[g]; g++) {
		JsonObject *go = obj_add_obj(o, groups[g]);
		char **keys = g_key_file_get_keys(sc->resolved, groups[g], NULL, NULL);
		for (int k = 0; keys[k]; k++) {
			char *v = g_key_file_get_string(sc->resolved, groups[g], keys[k], NULL);
			set_typed(go, sc, groups[g], keys[k], v);
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return o;
}

report_t *report_new(const scenario_t *sc)
{
	report_t *rep = g_new0(report_t, 1);
	JsonObject *meta;

	rep->sc = sc;
	rep->root = json_object_new();
	meta = obj_add_obj(rep->root, "slabsim");
	json_object_set_string_member(meta, "version", SLABSIM_VERSION);
	json_object_set_int_member(meta, "schema", 1);
	json_object_set_object_member(rep->root, "scenario", json_object_new());
	rep->allocators = obj_add_obj(rep->root, "allocators");
	rep->csv_names = g_ptr_array_new_with_free_func(g_free);
	rep->breakdown_csv = g_string_append_c(g_string_new(csv_breakdown.header), '\n');
	rep->locks_csv = g_string_append_c(g_string_new(csv_locks.header), '\n');
	rep->cpus_csv = g_string_append_c(g_string_new(csv_cpus.header), '\n');
	rep->tasks_csv = g_string_append_c(g_string_new(csv_tasks.header), '\n');
	rep->caches_csv = g_string_append_c(g_string_new(csv_caches.header), '\n');
	return rep;
}

void report_set_baseline(report_t *rep, const char *label)
{
	g_free(rep->baseline);
	rep->baseline = g_strdup(label);
}

void report_free(report_t *rep)
{
	if (!rep)
		return;
	json_object_unref(rep->root);
	g_ptr_array_free(rep->csv_names, TRUE);
	g_string_free(rep->breakdown_csv, TRUE);
	g_string_free(rep->locks_csv, TRUE);
	g_string_free(rep->cpus_csv, TRUE);
	g_string_free(rep->tasks_csv, TRUE);
	g_string_free(rep->caches_csv, TRUE);
	g_free(rep->baseline);
	g_free(rep);
}

/* ---- building one allocator's object ---- */

static JsonObject *latency_object(const hist_t *h)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "count", (gint64)h->count);
	json_object_set_double_member(o, "mean", h->count ? ns(h->sum) / (double)h->count : 0);
	json_object_set_double_member(o, "p50", ns(hist_quantile(h, 500)));
	json_object_set_double_member(o, "p90", ns(hist_quantile(h, 900)));
	json_object_set_double_member(o, "p99", ns(hist_quantile(h, 990)));
	json_object_set_double_member(o, "p999", ns(hist_quantile(h, 999)));
	json_object_set_double_member(o, "max", ns(h->max));
	return o;
}

static void add_latency(JsonObject *into, const char *name, const hist_t *h)
{
	JsonObject *o = obj_add_obj(into, name);
	json_object_set_object_member(o, "alloc", latency_object(&h[OP_STAT_ALLOC]));
	json_object_set_object_member(o, "free", latency_object(&h[OP_STAT_FREE]));
}

static JsonArray *node_bytes_array(const run_stats_t *st, const uint64_t *pages)
{
	JsonArray *a = json_array_new();

	for (int n = 0; n < st->nnodes; n++)
		json_array_add_int_element(a, (gint64)(pages[n] * st->page_size));
	return a;
}

/* memory.slab_bytes_by_node: {"peak": [bytes per node], "final": [...]};
 * memory.metadata_by_node: the metadata each node's RAM holds at the end,
 * its largest share of a node's RAM, and bytes no node had room for. */
static void add_node_footprint(JsonObject *mem, const run_stats_t *st)
{
	JsonObject *o = obj_add_obj(mem, "slab_bytes_by_node");
	JsonObject *m = obj_add_obj(mem, "metadata_by_node");
	JsonArray *bytes = json_array_new();
	uint64_t most = 0;

	json_object_set_array_member(o, "peak", node_bytes_array(st, st->node_peak_pages));
	json_object_set_array_member(o, "final", node_bytes_array(st, st->node_final_pages));
	for (int n = 0; n < st->nnodes; n++) {
		json_array_add_int_element(bytes, (gint64)st->node_meta_bytes[n]);
		most = MAX(most, st->node_meta_bytes[n]);
	}
	json_object_set_array_member(m, "final", bytes);
	json_object_set_double_member(m, "max_fraction_of_node_ram",
	                              st->node_ram ? (double)most / (double)st->node_ram : 0);
	json_object_set_int_member(m, "unbacked_bytes", (gint64)st->meta_unbacked);
}

/* footprint-nodes-ALLOC.csv: slab bytes per node at every sample (wide:
 * one column per node), for machines of at most RUN_NODE_SERIES_MAX nodes. */
static char *node_series_csv(const run_stats_t *st)
{
	int nn = st->nnodes;
	GString *s = g_string_new("allocator,time_ns");

	for (int n = 0; n < nn; n++)
		g_string_append_printf(s, ",node%d_slab_bytes", n);
	g_string_append_c(s, '\n');
	for (guint i = 0; i < st->samples->len; i++) {
		g_string_append_printf(s, "%s,%" G_GUINT64_FORMAT, st->allocator,
		                       g_array_index(st->samples, sample_t, i).t / PS_PER_NS);
		for (int n = 0; n < nn; n++)
			g_string_append_printf(s, ",%" G_GUINT64_FORMAT, st->page_size *
			                       g_array_index(st->node_series, uint64_t, i * (guint)nn + (guint)n));
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

/* A footprint; without live and queued bytes for a native run's peak
 * (it takes no samples: only the page allocator and the metadata
 * accounts keep their peaks). */
static JsonObject *footprint_object(const footprint_t *f, bool sampled)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "slab_bytes", (gint64)f->slab_bytes);
	if (sampled) {
		json_object_set_int_member(o, "live_bytes", (gint64)f->live_bytes);
		json_object_set_int_member(o, "queued_bytes", (gint64)f->queued_bytes);
	}
	json_object_set_int_member(o, "metadata_bytes", (gint64)f->metadata_bytes);
	return o;
}

static void add_to(JsonObject *o, const char *key, uint64_t bytes)
{
	gint64 prev = json_object_has_member(o, key) ? json_object_get_int_member(o, key) : 0;
	json_object_set_int_member(o, key, prev + (gint64)bytes);
}

/* Metadata accounts as owner -> {category -> bytes} (returned), and their
 * category totals into by_category. */
static JsonObject *meta_by_owner(const run_stats_t *st, JsonObject *by_category)
{
	JsonObject *by_owner = json_object_new();

	for (guint i = 0; i < st->meta->len; i++) {
		const meta_stats_t *m = &g_array_index(st->meta, meta_stats_t, i);
		if (!json_object_has_member(by_owner, m->owner))
			obj_add_obj(by_owner, m->owner);
		add_to(json_object_get_object_member(by_owner, m->owner), m->category, m->bytes);
		add_to(by_category, m->category, m->bytes);
	}
	return by_owner;
}

static gint64 sum_members(JsonObject *o)
{
	gint64 total = 0;
	GList *members = json_object_get_members(o);

	for (GList *l = members; l; l = l->next)
		total += json_object_get_int_member(o, l->data);
	g_list_free(members);
	return total;
}

static JsonObject *capacity_object(const GArray *capacity)
{
	JsonObject *o = json_object_new();

	for (guint i = 0; i < capacity->len; i++) {
		const queue_cap_t *q = &g_array_index(capacity, queue_cap_t, i);
		JsonObject *k = json_object_new();
		json_object_set_int_member(k, "objects", (gint64)q->objects);
		json_object_set_int_member(k, "bytes", (gint64)q->bytes);
		json_object_set_object_member(o, q->kind, k);
	}
	return o;
}

/* Add each kind of `from` into the totals object `into`. */
static void add_capacity(JsonObject *into, JsonObject *from)
{
	GList *kinds = json_object_get_members(from);

	for (GList *l = kinds; l; l = l->next) {
		JsonObject *q = json_object_get_object_member(from, l->data);
		if (!json_object_has_member(into, l->data))
			obj_add_obj(into, l->data);
		JsonObject *t = json_object_get_object_member(into, l->data);
		add_to(t, "objects", (uint64_t)json_object_get_int_member(q, "objects"));
		add_to(t, "bytes", (uint64_t)json_object_get_int_member(q, "bytes"));
	}
	g_list_free(kinds);
}

static JsonArray *counts_array(const uint64_t *v, int n)
{
	JsonArray *a = json_array_new();

	for (int i = 0; i < n; i++)
		json_array_add_int_element(a, (gint64)v[i]);
	return a;
}

/* "defrag" and "vacate": what t:defrag and t:vacate did to a workload
 * cache, when the workload called them. */
static void add_reclaim(JsonObject *o, const cache_stats_t *c)
{
	static const char *const results[] = { "ok", "pinned", "busy", "nomem", "not_slab" };
	uint64_t vacates = 0;

	if (!c->workload)
		return;
	if (c->defrags) {
		JsonObject *d = obj_add_obj(o, "defrag");
		json_object_set_int_member(d, "runs", (gint64)c->defrags);
		json_object_set_int_member(d, "slabs_freed", (gint64)c->defrag.slabs_freed);
		json_object_set_int_member(d, "objects_moved", (gint64)c->defrag.objects_moved);
		json_object_set_int_member(d, "objects_reclaimed", (gint64)c->defrag.objects_reclaimed);
		json_object_set_int_member(d, "vacate_failures", (gint64)c->defrag.vacate_failures);
		json_object_set_array_member(d, "hist_before", counts_array(c->defrag.hist_before, DEFRAG_HIST_BUCKETS));
		json_object_set_array_member(d, "hist_after", counts_array(c->defrag.hist_after, DEFRAG_HIST_BUCKETS));
	}
	for (int i = 0; i <= VACATE_NOT_SLAB; i++)
		vacates += c->vacates[i];
	if (vacates) {
		JsonObject *v = obj_add_obj(o, "vacate");
		for (int i = 0; i <= VACATE_NOT_SLAB; i++)
			json_object_set_int_member(v, results[i], (gint64)c->vacates[i]);
	}
}

/* "live_bytes", "slab_bytes" and "efficiency_pct" (slabinfo's %Ef): for a
 * workload cache the bytes its live objects asked for, else active_objs x
 * object_size (which counts objects parked in queues too), over the bytes
 * of the cache's slabs. */
static void add_efficiency(JsonObject *o, const cache_stats_t *c, uint64_t page_size)
{
	const cache_info_t *ci = &c->info;
	uint64_t live = c->workload ? c->live_bytes : ci->active_objs * (uint64_t)ci->object_size;
	uint64_t slab = ci->slabs * (page_size << ci->order);

	if (c->workload)
		json_object_set_int_member(o, "live_objects", (gint64)c->live_objects);
	json_object_set_int_member(o, "live_bytes", (gint64)live);
	json_object_set_int_member(o, "slab_bytes", (gint64)slab);
	json_object_set_double_member(o, "efficiency_pct",
	                              slab ? round(1000.0 * (double)live / (double)slab) / 10.0 : 0);
}

static JsonObject *cache_object(const cache_stats_t *c, JsonObject *by_owner)
{
	JsonObject *o = json_object_new();
	const cache_info_t *ci = &c->info;

	json_object_set_int_member(o, "object_size", ci->object_size);
	json_object_set_int_member(o, "size", ci->size);
	json_object_set_int_member(o, "align", ci->align);
	json_object_set_int_member(o, "objects_per_slab", ci->objects_per_slab);
	json_object_set_int_member(o, "order", ci->order);
	json_object_set_int_member(o, "slabs", (gint64)ci->slabs);
	json_object_set_int_member(o, "active_slabs", (gint64)ci->active_slabs);
	json_object_set_int_member(o, "num_objs", (gint64)ci->num_objs);
	json_object_set_int_member(o, "active_objs", (gint64)ci->active_objs);
	json_object_set_int_member(o, "limit", ci->limit);
	json_object_set_int_member(o, "batchcount", ci->batchcount);
	json_object_set_int_member(o, "sharedfactor", ci->sharedfactor);
	json_object_set_int_member(o, "sharedavail", (gint64)ci->sharedavail);
	if (c->aliases) {
		JsonArray *names = json_array_new();
		for (int i = 0; c->aliases[i]; i++)
			json_array_add_string_element(names, c->aliases[i]);
		json_object_set_array_member(o, "aliases", names);
	}
	if (json_object_has_member(by_owner, c->name)) {
		JsonObject *m = json_object_get_object_member(by_owner, c->name);
		json_object_set_int_member(o, "metadata_bytes", sum_members(m));
		json_object_set_object_member(o, "metadata_by_category", json_object_ref(m));
	} else {
		json_object_set_int_member(o, "metadata_bytes", 0);
		obj_add_obj(o, "metadata_by_category");
	}
	if (c->has_capacity)
		json_object_set_object_member(o, "queue_capacity", capacity_object(c->capacity));
	add_reclaim(o, c);
	return o;
}

static void add_caches(JsonObject *a, const run_stats_t *st)
{
	JsonObject *by_owner = meta_by_owner(st, obj_add_obj(a, "metadata_by_category"));
	JsonObject *caches = obj_add_obj(a, "caches");
	JsonObject *capacity = st->has_capacity ? obj_add_obj(a, "queue_capacity") : NULL;
	gint64 aliases = 0;

	for (guint i = 0; i < st->caches->len; i++) {
		const cache_stats_t *c = &g_array_index(st->caches, cache_stats_t, i);
		JsonObject *co = cache_object(c, by_owner);
		add_efficiency(co, c, st->page_size);
		json_object_set_object_member(caches, c->name, co);
		if (capacity)
			add_capacity(capacity, json_object_get_object_member(co, "queue_capacity"));
		aliases += c->aliases ? (gint64)g_strv_length(c->aliases) : 0;
	}
	if (aliases)
		json_object_set_int_member(a, "cache_aliases", aliases);
	json_object_unref(by_owner);
}

static void add_locks(JsonObject *a, const run_stats_t *st)
{
	JsonObject *locks = obj_add_obj(a, "locks");

	for (guint i = 0; i < st->locks->len; i++) {
		const lock_stats_t *c = &g_array_index(st->locks, lock_stats_t, i);
		JsonObject *o = obj_add_obj(locks, c->name);
		json_object_set_int_member(o, "acquisitions", (gint64)c->acquisitions);
		json_object_set_int_member(o, "contentions", (gint64)c->contentions);
		json_object_set_double_member(o, "wait_ns", ns(c->wait));
		json_object_set_double_member(o, "max_wait_ns", ns(c->max_wait));
		json_object_set_double_member(o, "hold_ns", ns(c->hold));
		json_object_set_int_member(o, "con_bounces", (gint64)c->con_bounces);
		json_object_set_int_member(o, "acq_bounces", (gint64)c->acq_bounces);
	}
}

static void set_counts(JsonObject *o, const coh_counts_t *s)
{
	json_object_set_int_member(o, "accesses", (gint64)s->accesses);
	json_object_set_int_member(o, "hits", (gint64)s->hits);
	json_object_set_int_member(o, "transfers_same_node", (gint64)s->transfers_same_node);
	json_object_set_int_member(o, "transfers_remote_node", (gint64)s->transfers_remote_node);
	json_object_set_int_member(o, "memory_local", (gint64)s->memory_local);
	json_object_set_int_member(o, "memory_remote", (gint64)s->memory_remote);
	json_object_set_int_member(o, "invalidations", (gint64)s->invalidations);
	json_object_set_int_member(o, "llc_hits", (gint64)s->llc_hits);
	json_object_set_int_member(o, "dram_fills", (gint64)(s->memory_local + s->memory_remote));
}

/* "cachelines": the counts of every access, then by what it was for. */
static void add_cachelines(JsonObject *a, const run_stats_t *st)
{
	JsonObject *o = obj_add_obj(a, "cachelines"), *by;

	set_counts(o, &st->lines.all);
	by = obj_add_obj(o, "by_kind");
	for (int k = 0; k < COH_KINDS; k++)
		set_counts(obj_add_obj(by, coh_kind_names[k]), &st->lines.kind[k]);
}

/* "paths": fast and slow path counts, for allocators that have them. */
static void add_paths(JsonObject *a, const run_stats_t *st)
{
	JsonObject *o, *x;

	if (!st->has_paths)
		return;
	o = obj_add_obj(a, "paths");
	x = obj_add_obj(o, "alloc");
	json_object_set_int_member(x, "fast", (gint64)st->path_alloc[0]);
	json_object_set_int_member(x, "slow", (gint64)st->path_alloc[1]);
	x = obj_add_obj(o, "free");
	json_object_set_int_member(x, "fast", (gint64)st->path_free[0]);
	json_object_set_int_member(x, "slow", (gint64)st->path_free[1]);
}

/* "jitter": housekeeping totals, and by source. */
static void add_jitter(JsonObject *a, const run_stats_t *st)
{
	JsonObject *jit = obj_add_obj(a, "jitter"), *by = obj_add_obj(jit, "by_source");
	uint64_t runs = 0;

	json_object_set_double_member(jit, "housekeeping_ns_total", ns(st->housekeeping));
	json_object_set_double_member(jit, "longest_interruption_ns", ns(st->longest_interruption));
	for (guint i = 0; i < st->work->len; i++) {
		const work_stats_t *w = &g_array_index(st->work, work_stats_t, i);
		JsonObject *o = obj_add_obj(by, w->label);

		json_object_set_int_member(o, "runs", (gint64)w->runs);
		json_object_set_double_member(o, "total_ns", ns(w->total));
		json_object_set_double_member(o, "longest_ns", ns(w->longest));
		runs += w->runs;
	}
	json_object_set_int_member(jit, "interruptions", (gint64)runs);
}

/* "pageblocks": page blocks of each migrate type at the end, and how many
 * of them are wholly free (summed over nodes). */
static void add_pageblocks(JsonObject *pages, const run_stats_t *st)
{
	static const char *const types[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = "unmovable", [MIGRATE_RECLAIMABLE] = "reclaimable",
		[MIGRATE_MOVABLE] = "movable",
	};
	JsonObject *o = obj_add_obj(pages, "pageblocks");

	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		JsonObject *t = obj_add_obj(o, types[mt]);
		json_object_set_int_member(t, "blocks", (gint64)st->blocks[mt].blocks);
		json_object_set_int_member(t, "wholly_free", (gint64)st->blocks[mt].wholly_free);
	}
}

static void add_pages(JsonObject *a, const run_stats_t *st)
{
	const pa_stats_t *s = &st->pages;
	JsonObject *o = obj_add_obj(a, "pages");

	json_object_set_array_member(o, "allocs_by_order", counts_array(s->allocs_by_order, PA_MAX_ORDER));
	json_object_set_int_member(o, "frees", (gint64)s->frees);
	json_object_set_int_member(o, "failures", (gint64)s->failures);
	json_object_set_int_member(o, "fallbacks", (gint64)s->fallbacks);
	json_object_set_int_member(o, "pcp_refills", (gint64)s->pcp_refills);
	json_object_set_int_member(o, "pcp_drains", (gint64)s->pcp_drains);
	json_object_set_int_member(o, "steals", (gint64)s->steals);
	json_object_set_int_member(o, "blocks_converted", (gint64)s->blocks_converted);
	add_pageblocks(o, st);
}

static void add_counters(JsonObject *into, const GArray *counters)
{
	for (guint i = 0; i < counters->len; i++) {
		const counter_stats_t *c = &g_array_index(counters, counter_stats_t, i);
		json_object_set_int_member(into, c->name, c->value);
	}
}

/* "stats_by_cpu" and "stats_by_node": the allocator's counters where it
 * keeps them (if it splits them), for the CPUs and nodes with one above 0,
 * keyed by number in increasing order; only the counters above 0 (a
 * 4,096-CPU machine would otherwise write every zero 4,096 times). */
static void add_split_counters(JsonObject *a, const run_stats_t *st)
{
	JsonObject *cpu, *node;

	if (!st->has_split)
		return;
	cpu = obj_add_obj(a, "stats_by_cpu");
	node = obj_add_obj(a, "stats_by_node");
	for (guint i = 0; i < st->split_counters->len; i++) {
		const split_stats_t *sp = &g_array_index(st->split_counters, split_stats_t, i);
		JsonObject *o;
		char key[16];

		g_snprintf(key, sizeof key, "%d", sp->id);
		o = obj_add_obj(strcmp(sp->kind, "cpu") == 0 ? cpu : node, key);
		for (guint j = 0; j < sp->counters->len; j++) {
			const counter_stats_t *c = &g_array_index(sp->counters, counter_stats_t, j);

			if (c->value)
				json_object_set_int_member(o, c->name, c->value);
		}
	}
}

/* The run's span and throughput; a simulated run's CPU time by account
 * (a native run's span is host time: "native" says so). */
static void add_time(JsonObject *a, const run_stats_t *st)
{
	uint64_t ops = st->ops[OP_STAT_ALLOC] + st->ops[OP_STAT_FREE];
	JsonObject *cost = st->native ? NULL : obj_add_obj(a, "cpu_time_ns");

	if (cost)
		json_object_set_double_member(a, "simulated_ns", ns(st->span));
	json_object_set_double_member(a, "throughput_ops_per_sec",
	                              st->span ? (double)ops * (double)PS_PER_SEC / (double)st->span : 0);
	for (int k = 0; cost && k < COST_NKINDS; k++)
		json_object_set_double_member(cost, cost_kind_names[k], ns(st->cost[k]));
}

/* Mean simulated ns per operation, split by account; "total" is the mean
 * latency, and the parts add up to it. */
static void add_breakdown(JsonObject *a, const run_stats_t *st)
{
	static const char *const ops[OP_STAT_N] = { "alloc", "free" };
	JsonObject *b = obj_add_obj(a, "breakdown_ns_per_op");

	for (int op = 0; op < OP_STAT_N; op++) {
		JsonObject *o = obj_add_obj(b, ops[op]);
		uint64_t n = st->lat[op].count;
		simtime_t total = 0;
		for (int k = 0; k < COST_NKINDS; k++) {
			json_object_set_double_member(o, cost_kind_names[k],
			                              n ? ns(st->breakdown[op][k]) / (double)n : 0);
			total += st->breakdown[op][k];
		}
		json_object_set_double_member(o, "total", n ? ns(total) / (double)n : 0);
	}
}

/* footprint-ALLOC.csv: every sample, and the end of the run (when it is
 * later than the last sample), so that a run shorter than one sampling
 * period still has its start and its end. */
static char *samples_csv(const run_stats_t *st)
{
	GString *s = g_string_new(csv_footprint.header);
	simtime_t last = 0;

	g_string_append_c(s, '\n');
	for (guint i = 0; i < st->samples->len; i++) {
		sample_t *x = &g_array_index(st->samples, sample_t, i);
		g_string_append_printf(s, "%s,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
		                       ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n", st->allocator,
		                       x->t / PS_PER_NS, x->slab_bytes, x->live_bytes,
		                       x->queued_bytes, x->metadata_bytes);
		last = x->t;
	}
	if (st->span > last)
		g_string_append_printf(s, "%s,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
		                       ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n", st->allocator,
		                       st->span / PS_PER_NS, st->final.slab_bytes, st->final.live_bytes,
		                       st->final.queued_bytes, st->final.metadata_bytes);
	return g_string_free(s, FALSE);
}

/* jitter-ALLOC.csv: per sample window, the longest operation of each kind
 * and the housekeeping time. */
static char *jitter_csv(const run_stats_t *st)
{
	GString *s = g_string_new(csv_jitter.header);

	g_string_append_c(s, '\n');
	for (guint i = 0; i < st->samples->len; i++) {
		sample_t *x = &g_array_index(st->samples, sample_t, i);
		g_string_append_printf(s, "%s,%" G_GUINT64_FORMAT ",%.3f,%.3f,%.3f\n", st->allocator,
		                       x->t / PS_PER_NS,
		                       ns(x->max_lat[OP_STAT_ALLOC]), ns(x->max_lat[OP_STAT_FREE]),
		                       ns(x->housekeeping));
	}
	return g_string_free(s, FALSE);
}

typedef struct cdf_ctx {
	GString *s;
	const char *allocator;
	const char *op;
	uint64_t total, seen;
} cdf_ctx_t;

static void cdf_row(void *ctx, uint64_t value, uint64_t count)
{
	cdf_ctx_t *c = ctx;

	c->seen += count;
	g_string_append_printf(c->s, "%s,%s,%.3f,%" G_GUINT64_FORMAT ",%.6f\n", c->allocator, c->op, ns(value),
	                       count, (double)c->seen / (double)c->total);
}

/* latency-ALLOC.csv: the latency distribution of each operation. */
static char *latency_csv(const run_stats_t *st)
{
	static const char *const ops[OP_STAT_N] = { "alloc", "free" };
	GString *s = g_string_new(csv_latency.header);

	g_string_append_c(s, '\n');
	for (int op = 0; op < OP_STAT_N; op++) {
		cdf_ctx_t c = { s, st->allocator, ops[op], st->lat[op].count, 0 };
		hist_foreach(&st->lat[op], cdf_row, &c);
	}
	return g_string_free(s, FALSE);
}

/* Rows of breakdown.csv and locks.csv, from the allocator's JSON. */
static void shared_csv_rows(report_t *rep, const char *name, JsonObject *a)
{
	JsonObject *b = oget(a, "breakdown_ns_per_op"), *locks = oget(a, "locks");
	GList *ops = b ? json_object_get_members(b) : NULL;      /* a native run has neither */
	GList *cls = locks ? json_object_get_members(locks) : NULL;

	for (GList *o = ops; o; o = o->next) {
		JsonObject *parts = json_object_get_object_member(b, o->data);
		GList *ks = json_object_get_members(parts);
		for (GList *k = ks; k; k = k->next)
			g_string_append_printf(rep->breakdown_csv, "%s,%s,%s,%.3f\n", name,
			                       (char *)o->data, (char *)k->data,
			                       json_object_get_double_member(parts, k->data));
		g_list_free(ks);
	}
	for (GList *l = cls; l; l = l->next) {
		JsonObject *c = json_object_get_object_member(locks, l->data);
		g_string_append_printf(rep->locks_csv, "%s,%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
		                       ",%.3f,%.3f,%.3f,", name, (char *)l->data,
		                       json_object_get_int_member(c, "acquisitions"),
		                       json_object_get_int_member(c, "contentions"),
		                       json_object_get_double_member(c, "wait_ns"),
		                       json_object_get_double_member(c, "max_wait_ns"),
		                       json_object_get_double_member(c, "hold_ns"));
		/* Bounces: when the lock model reports them (empty otherwise). */
		if (json_object_has_member(c, "con_bounces"))
			g_string_append_printf(rep->locks_csv, "%" G_GINT64_FORMAT,
			                       json_object_get_int_member(c, "con_bounces"));
		g_string_append_c(rep->locks_csv, ',');
		if (json_object_has_member(c, "acq_bounces"))
			g_string_append_printf(rep->locks_csv, "%" G_GINT64_FORMAT,
			                       json_object_get_int_member(c, "acq_bounces"));
		g_string_append_c(rep->locks_csv, '\n');
	}
	g_list_free(ops);
	g_list_free(cls);
}

/* workload_metrics (t:record distributions) and workload_counters. */
static void add_workload_metrics(JsonObject *a, const run_stats_t *st)
{
	JsonObject *m = obj_add_obj(a, "workload_metrics");

	for (guint i = 0; i < st->metrics->len; i++) {
		const metric_stats_t *x = &g_array_index(st->metrics, metric_stats_t, i);
		json_object_set_object_member(m, x->name, latency_object(&x->h));
	}
	add_counters(obj_add_obj(a, "workload_counters"), st->counters);
}

/* "mempools": each critical pool by the name of its cache. */
static void add_mempools(JsonObject *a, const run_stats_t *st)
{
	JsonObject *pools;

	if (!st->pools->len)
		return;
	pools = obj_add_obj(a, "mempools");
	for (guint i = 0; i < st->pools->len; i++) {
		const pool_stats_t *p = &g_array_index(st->pools, pool_stats_t, i);
		const critpool_stats_t *s = &p->st;
		JsonObject *o = obj_add_obj(pools, p->cache);

		json_object_set_string_member(o, "variant", critpool_variant_name(p->variant));
		json_object_set_int_member(o, "min_nr", (gint64)s->min_nr);
		json_object_set_int_member(o, "level", (gint64)s->level);
		json_object_set_int_member(o, "low_water", (gint64)s->low_water);
		json_object_set_int_member(o, "pool_hits", (gint64)s->pool_hits);
		json_object_set_int_member(o, "pool_refills", (gint64)s->pool_refills);
		json_object_set_int_member(o, "crit_allocs", (gint64)s->crit_allocs);
		json_object_set_int_member(o, "crit_failures", (gint64)s->crit_failures);
		json_object_set_int_member(o, "noncrit_allocs", (gint64)s->noncrit_allocs);
		json_object_set_int_member(o, "noncrit_failures", (gint64)s->noncrit_failures);
		json_object_set_int_member(o, "leaked", (gint64)s->leaked);
	}
}

/* What waits for an RCU grace period: objects and slabs, and bytes. */
static JsonObject *rcu_waiting_object(const uint64_t n[RCU_KINDS], const uint64_t bytes[RCU_KINDS])
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "objects", (gint64)n[RCU_OBJECT]);
	json_object_set_int_member(o, "object_bytes", (gint64)bytes[RCU_OBJECT]);
	json_object_set_int_member(o, "slabs", (gint64)n[RCU_SLAB]);
	json_object_set_int_member(o, "slab_bytes", (gint64)bytes[RCU_SLAB]);
	return o;
}

/* "rcu": grace periods, callbacks, and what waited for a grace period
 * (a native run's grace periods and peaks are not kept: callbacks and
 * what waited at the end only). */
static void add_rcu(JsonObject *a, const run_stats_t *st)
{
	const rcu_stats_t *r = &st->rcu;
	JsonObject *o = obj_add_obj(a, "rcu");
	JsonObject *gp = st->native ? NULL : obj_add_obj(o, "grace_period_ns");
	JsonObject *w = obj_add_obj(o, "waiting");

	if (gp) {
		json_object_set_int_member(o, "grace_periods", (gint64)r->grace_periods);
		json_object_set_double_member(gp, "mean", r->grace_periods ?
		                              ns(r->gp_total) / (double)r->grace_periods : 0);
		json_object_set_double_member(gp, "max", ns(r->gp_longest));
	}
	json_object_set_int_member(o, "callbacks_queued", (gint64)r->queued);
	json_object_set_int_member(o, "callbacks_invoked", (gint64)r->invoked);
	json_object_set_object_member(w, "final", rcu_waiting_object(r->waiting, r->waiting_bytes));
	if (gp)
		json_object_set_object_member(w, "peak", rcu_waiting_object(r->peak_waiting,
		                                                              r->peak_waiting_bytes));
}

/* "vmstat": the slab zone counters at the end. */
static void add_vmstat(JsonObject *a, const run_stats_t *st)
{
	const vmstat_summary_t *v = &st->vmstat;
	JsonObject *o = obj_add_obj(a, "vmstat");

	json_object_set_int_member(o, "nr_slab_reclaimable", v->nr_slab_reclaimable);
	json_object_set_int_member(o, "nr_slab_unreclaimable", v->nr_slab_unreclaimable);
	json_object_set_int_member(o, "unfolded_pages", v->unfolded);
	json_object_set_int_member(o, "stat_threshold_min", v->threshold_min);
	json_object_set_int_member(o, "stat_threshold_max", v->threshold_max);
	json_object_set_int_member(o, "folds", (gint64)v->folds);
}

/* mempool-ALLOC.csv: each pool's reserve at every sample. */
static char *mempool_csv(const run_stats_t *st)
{
	GString *s = g_string_new("allocator,time_ns");
	guint np = st->pools->len;

	for (guint i = 0; i < np; i++)
		g_string_append_printf(s, ",%s_level", g_array_index(st->pools, pool_stats_t, i).cache);
	g_string_append_c(s, '\n');
	for (guint t = 0; t < st->samples->len; t++) {
		g_string_append_printf(s, "%s,%" G_GUINT64_FORMAT, st->allocator,
		                       g_array_index(st->samples, sample_t, t).t / PS_PER_NS);
		for (guint i = 0; i < np; i++)
			g_string_append_printf(s, ",%d", g_array_index(st->pool_levels, int, t * np + i));
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

static const char *const task_states[] = {
	[TASK_RUNNABLE] = "runnable", [TASK_SLEEPING] = "sleeping", [TASK_RECV] = "recv",
	[TASK_BARRIER] = "barrier", [TASK_DONE] = "done", [TASK_IDLE] = "idle",
};

static guint finished_tasks(const run_stats_t *st)
{
	guint n = 0;

	for (guint i = 0; i < st->tasks->len; i++)
		n += g_array_index(st->tasks, task_info_t, i).state == TASK_DONE;
	return n;
}

/* "end": why the run ended, its tasks, and what was live at the end;
 * "waiting" lists every task that had not finished, and where. */
static void add_end(JsonObject *a, const run_stats_t *st)
{
	JsonObject *e = obj_add_obj(a, "end");
	JsonArray *waiting = json_array_new();

	json_object_set_string_member(e, "reason", run_end_names[st->end]);
	json_object_set_int_member(e, "tasks", (gint64)st->tasks->len);
	json_object_set_int_member(e, "unfinished_tasks", st->unfinished);
	json_object_set_int_member(e, "idle_tasks", (gint64)st->tasks->len - st->unfinished -
	                           (gint64)finished_tasks(st));
	json_object_set_int_member(e, "blocked_tasks", st->blocked);
	json_object_set_int_member(e, "live_objects", (gint64)st->live_objects);
	json_object_set_int_member(e, "live_bytes", (gint64)st->final.live_bytes);
	json_object_set_boolean_member(e, "frees_all", st->frees_all);
	for (guint i = 0; i < st->tasks->len; i++) {
		const task_info_t *t = &g_array_index(st->tasks, task_info_t, i);
		JsonObject *w;

		if (t->state == TASK_DONE || t->state == TASK_IDLE)
			continue;
		w = json_object_new();
		json_object_set_int_member(w, "task", t->id);
		json_object_set_int_member(w, "cpu", t->cpu);
		json_object_set_string_member(w, "state", task_states[t->state]);
		if (t->state == TASK_RECV)
			json_object_set_int_member(w, "channel", t->on);
		if (t->state == TASK_BARRIER) {
			json_object_set_int_member(w, "barrier", t->on);
			json_object_set_int_member(w, "arrived", t->arrived);
			json_object_set_int_member(w, "parties", t->parties);
		}
		if (t->state != TASK_RUNNABLE)
			json_object_set_double_member(w, "since_ns", ns(t->since));
		json_object_set_string_member(w, "where", t->where ? t->where : "");
		json_array_add_object_element(waiting, w);
	}
	json_object_set_array_member(e, "waiting", waiting);
}

/* "merit": the workload's figure of merit, when it declares one. */
static void add_merit(JsonObject *a, const run_stats_t *st)
{
	JsonObject *m;
	int64_t v = 0;

	if (!st->merit)
		return;
	for (guint i = 0; i < st->counters->len; i++)
		if (strcmp(g_array_index(st->counters, counter_stats_t, i).name, st->merit) == 0)
			v = g_array_index(st->counters, counter_stats_t, i).value;
	m = obj_add_obj(a, "merit");
	json_object_set_string_member(m, "counter", st->merit);
	json_object_set_string_member(m, "label", st->merit_label);
	json_object_set_string_member(m, "better", st->merit_lower ? "lower" : "higher");
	json_object_set_int_member(m, "value", v);
}

static void add_remote(JsonObject *a, const run_stats_t *st)
{
	JsonObject *r = obj_add_obj(a, "remote");

	json_object_set_int_member(r, "alloc_other_node", (gint64)st->alloc_remote_node);
	json_object_set_int_member(r, "free_other_cpu", (gint64)st->free_remote_cpu);
	json_object_set_int_member(r, "free_other_node", (gint64)st->free_remote_node);
}

/* "native": how a native run was timed (docs/native.md). */
static void add_native(JsonObject *a, const run_stats_t *st)
{
	JsonObject *o = obj_add_obj(a, "native");

	json_object_set_double_member(o, "host_ns", ns(st->span));
	json_object_set_string_member(o, "clock", st->clock ? st->clock : "");
	json_object_set_double_member(o, "timer_cost_ns", ns(st->timer_cost));
	json_object_set_string_member(o, "latency", "host clock around each allocator call or batch, "
	                              "less timer_cost_ns; a batch's operations count its mean");
}

/* min, mean and max of n values (0 when n is 0). */
typedef struct spread3 {
	double min, sum, max;
	int n;
} spread3_t;

static void spread_add(spread3_t *s, double v)
{
	s->min = s->n ? MIN(s->min, v) : v;
	s->max = s->n ? MAX(s->max, v) : v;
	s->sum += v;
	s->n++;
}

static void spread_set(JsonObject *o, const char *key, const spread3_t *s, bool time)
{
	JsonObject *x = obj_add_obj(o, key);

	if (time) {
		json_object_set_double_member(x, "min", s->min);
		json_object_set_double_member(x, "mean", s->n ? s->sum / s->n : 0);
		json_object_set_double_member(x, "max", s->max);
	} else {
		json_object_set_int_member(x, "min", (gint64)s->min);
		json_object_set_double_member(x, "mean", s->n ? s->sum / s->n : 0);
		json_object_set_int_member(x, "max", (gint64)s->max);
	}
}

/* "per_task" and "per_cpu": the spread of operations and busy time over
 * the tasks, and over the CPUs that had tasks (the full tables are
 * tasks.csv and cpus.csv). */
static void add_balance(JsonObject *a, const run_stats_t *st)
{
	JsonObject *t = obj_add_obj(a, "per_task"), *c;
	spread3_t ops = { 0 }, busy = { 0 }, cops = { 0 }, cbusy = { 0 };
	int finished = 0, cpus = 0, most = 0;

	for (guint i = 0; i < st->tasks->len; i++) {
		const task_info_t *x = &g_array_index(st->tasks, task_info_t, i);
		spread_add(&ops, (double)(x->ops[OP_STAT_ALLOC] + x->ops[OP_STAT_FREE]));
		spread_add(&busy, ns(x->busy));
		finished += x->state == TASK_DONE;
	}
	json_object_set_int_member(t, "count", (gint64)st->tasks->len);
	json_object_set_int_member(t, "finished", finished);
	spread_set(t, "ops", &ops, false);
	spread_set(t, "busy_ns", &busy, true);
	for (int i = 0; i < st->ncpus; i++) {
		const cpu_stats_t *x = &st->cpus[i];
		if (!x->tasks)
			continue;
		cpus++;
		most = MAX(most, x->tasks);
		spread_add(&cops, (double)(x->ops[OP_STAT_ALLOC] + x->ops[OP_STAT_FREE]));
		spread_add(&cbusy, ns(x->busy));
	}
	c = obj_add_obj(a, "per_cpu");
	json_object_set_int_member(c, "cpus", st->ncpus);
	json_object_set_int_member(c, "with_tasks", cpus);
	json_object_set_int_member(c, "max_tasks", most);
	spread_set(c, "ops", &cops, false);
	if (!st->native)                /* a host thread's CPUs' busy time is not kept */
		spread_set(c, "busy_ns", &cbusy, true);
}

/* Rows of cpus.csv, tasks.csv and caches.csv. */
static void table_rows(report_t *rep, const run_stats_t *st, JsonObject *a)
{
	JsonObject *caches = json_object_get_object_member(a, "caches");
	GList *names = json_object_get_members(caches);

	for (int i = 0; i < st->ncpus; i++) {
		const cpu_stats_t *c = &st->cpus[i];
		g_string_append_printf(rep->cpus_csv, "%s,%d,%d,%d,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
		                       ",%.3f,%.3f,%.3f\n", st->allocator, i, c->node, c->tasks,
		                       c->ops[OP_STAT_ALLOC], c->ops[OP_STAT_FREE], ns(c->busy),
		                       ns(c->housekeeping), ns(c->idle));
	}
	for (guint i = 0; i < st->tasks->len; i++) {
		const task_info_t *t = &g_array_index(st->tasks, task_info_t, i);
		char *where = g_strdup(t->where ? t->where : "");
		g_strdelimit(where, ",\n", ';');
		g_string_append_printf(rep->tasks_csv, "%s,%d,%d,%s,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
		                       ",%.3f,%.3f,%s\n", st->allocator, t->id, t->cpu,
		                       task_states[t->state], t->ops[OP_STAT_ALLOC], t->ops[OP_STAT_FREE],
		                       ns(t->busy), t->state == TASK_DONE ? ns(t->done_at) : ns(st->span),
		                       where);
		g_free(where);
	}
	for (GList *l = names; l; l = l->next) {
		JsonObject *c = json_object_get_object_member(caches, l->data);
		char *name = g_strdup(l->data);
		g_strdelimit(name, ",\n", ';');
		g_string_append_printf(rep->caches_csv, "%s,%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
		                       ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
		                       ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
		                       ",%.1f,%" G_GINT64_FORMAT "\n", st->allocator, name,
		                       iget(c, "object_size"), iget(c, "size"), iget(c, "objects_per_slab"),
		                       iget(c, "order"), iget(c, "slabs"), iget(c, "active_objs"),
		                       iget(c, "live_bytes"), iget(c, "slab_bytes"),
		                       dget(c, "efficiency_pct"), iget(c, "metadata_bytes"));
		g_free(name);
	}
	g_list_free(names);
}

/* Keep file NAME-ALLOCATOR.csv with contents `text` (taken). */
static void add_csv(report_t *rep, const char *name, const char *allocator, char *text)
{
	g_ptr_array_add(rep->csv_names, g_strdup_printf("%s-%s.csv", name, allocator));
	g_ptr_array_add(rep->csv_names, text);
}

/* An allocator's object of results.json, from its figures. */
static JsonObject *allocator_object(const run_stats_t *st)
{
	JsonObject *a = json_object_new();
	JsonObject *ops = obj_add_obj(a, "ops");
	JsonObject *mem = obj_add_obj(a, "memory");
	JsonObject *by_cache = json_object_new();

	json_object_set_int_member(ops, "alloc", (gint64)st->ops[OP_STAT_ALLOC]);
	json_object_set_int_member(ops, "free", (gint64)st->ops[OP_STAT_FREE]);
	json_object_set_int_member(ops, "failed", (gint64)st->failed);
	json_object_set_int_member(ops, "free_rcu", (gint64)st->free_rcu);
	add_latency(a, "latency_ns", st->lat);
	for (guint i = 0; i < st->cache_lat->len; i++) {
		const named_lat_t *n = &g_array_index(st->cache_lat, named_lat_t, i);
		add_latency(by_cache, n->name, n->lat);
	}
	json_object_set_object_member(a, "latency_ns_by_cache", by_cache);
	json_object_set_object_member(mem, "peak", footprint_object(&st->peak, !st->native));
	json_object_set_object_member(mem, "final", footprint_object(&st->final, true));
	add_node_footprint(mem, st);
	add_caches(a, st);
	report_add_reuse(a, st);
	if (!st->native) {
		add_locks(a, st);
		add_cachelines(a, st);
	}
	add_pages(a, st);
	add_jitter(a, st);
	add_rcu(a, st);
	add_vmstat(a, st);
	add_paths(a, st);
	add_counters(obj_add_obj(a, "stats"), st->alloc_counters);
	add_split_counters(a, st);
	add_time(a, st);
	if (!st->native)
		add_breakdown(a, st);
	add_workload_metrics(a, st);
	add_mempools(a, st);
	/* Added after schema 1's first keys (the order of the older keys is
	 * unchanged, so a results file keeps its bytes but for these). */
	json_object_set_string_member(a, "allocator", st->base);
	add_end(a, st);
	add_merit(a, st);
	add_remote(a, st);
	add_balance(a, st);
	if (st->native)
		add_native(a, st);
	return a;
}

void report_add(report_t *rep, const run_stats_t *st)
{
	JsonObject *a = allocator_object(st);

	json_object_set_object_member(rep->allocators, st->allocator, a);
	add_csv(rep, csv_footprint.name, st->allocator, samples_csv(st));
	add_csv(rep, csv_latency.name, st->allocator, latency_csv(st));
	add_csv(rep, csv_jitter.name, st->allocator, jitter_csv(st));
	if (st->pools->len)
		add_csv(rep, "mempool", st->allocator, mempool_csv(st));
	if (st->node_series->len)
		add_csv(rep, "footprint-nodes", st->allocator, node_series_csv(st));
	shared_csv_rows(rep, st->allocator, a);
	table_rows(rep, st, a);
}

/* allocators.A.seeds[]: one seed's headline figures (the metric table). */
void report_add_seed(report_t *rep, const run_stats_t *st, uint64_t seed)
{
	JsonObject *a = json_object_get_object_member(rep->allocators, st->allocator);
	JsonObject *mine = allocator_object(st), *row = json_object_new();

	if (!json_object_has_member(a, "seeds"))
		json_object_set_array_member(a, "seeds", json_array_new());
	json_object_set_int_member(row, "seed", (gint64)seed);
	for (const metric_t *m = metric_table; m->name; m++)
		json_object_set_double_member(row, m->name, metric_value(m, mine));
	json_array_add_object_element(json_object_get_array_member(a, "seeds"), row);
	json_object_unref(mine);
}

/* ---- parts: one process's figures, merged by another (run --jobs) ---- */

static JsonNode *string_array(GPtrArray *a)
{
	JsonArray *arr = json_array_new();

	for (guint i = 0; i < a->len; i++)
		json_array_add_string_element(arr, a->pdata[i]);
	return json_node_init_array(json_node_alloc(), arr);
}

/* The CSV files every allocator adds rows to, by their key in a part. */
#define SHARED_CSVS 5
static const char *const shared_key[SHARED_CSVS] = { "breakdown", "locks", "cpus", "tasks", "caches" };

static GString *shared_text(report_t *rep, int i)
{
	GString *t[SHARED_CSVS] = { rep->breakdown_csv, rep->locks_csv, rep->cpus_csv,
	                            rep->tasks_csv, rep->caches_csv };
	return t[i];
}

static const csv_layout_t *shared_layout(int i)
{
	const csv_layout_t *l[SHARED_CSVS] = { &csv_breakdown, &csv_locks, &csv_cpus, &csv_tasks,
	                                       &csv_caches };
	return l[i];
}

char *report_part(report_t *rep)
{
	JsonObject *part = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *resolved = g_key_file_to_data(rep->sc->resolved, NULL, NULL), *text;

	json_object_set_string_member(part, "resolved", resolved);
	json_object_set_object_member(part, "allocators", json_object_ref(rep->allocators));
	json_object_set_member(part, "csv", string_array(rep->csv_names));
	for (int i = 0; i < SHARED_CSVS; i++)   /* the rows after the header line */
		json_object_set_string_member(part, shared_key[i], shared_text(rep, i)->str +
		                              strlen(shared_layout(i)->header) + 1);
	json_node_take_object(node, part);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(node);
	g_free(resolved);
	return text;
}

/* Every key of `from` set in `into`, in order: the keys a workload added
 * while it loaded in the other process land where they would have. */
static bool merge_resolved(GKeyFile *into, const char *text, GError **err)
{
	GKeyFile *from = g_key_file_new();
	bool ok = g_key_file_load_from_data(from, text, (gsize)-1, G_KEY_FILE_NONE, err);
	char **groups = ok ? g_key_file_get_groups(from, NULL) : NULL;

	for (int g = 0; groups && groups[g]; g++) {
		char **keys = g_key_file_get_keys(from, groups[g], NULL, NULL);
		for (int k = 0; keys && keys[k]; k++) {
			char *v = g_key_file_get_value(from, groups[g], keys[k], NULL);
			g_key_file_set_value(into, groups[g], keys[k], v);
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	g_key_file_free(from);
	return ok;
}

bool report_merge_part(report_t *rep, const char *text, GError **err)
{
	JsonParser *p = json_parser_new();
	JsonObject *part, *allocs;
	JsonArray *csv;
	GList *names;
	bool ok = json_parser_load_from_data(p, text, -1, err);

	if (ok) {
		part = json_node_get_object(json_parser_get_root(p));
		ok = merge_resolved(rep->sc->resolved, json_object_get_string_member(part, "resolved"), err);
	}
	if (!ok) {
		g_object_unref(p);
		return false;
	}
	allocs = json_object_get_object_member(part, "allocators");
	names = json_object_get_members(allocs);
	for (GList *n = names; n; n = n->next)
		json_object_set_object_member(rep->allocators, n->data,
		                              json_object_ref(json_object_get_object_member(allocs, n->data)));
	g_list_free(names);
	csv = json_object_get_array_member(part, "csv");
	for (guint i = 0; i < json_array_get_length(csv); i++)
		g_ptr_array_add(rep->csv_names, g_strdup(json_array_get_string_element(csv, i)));
	for (int i = 0; i < SHARED_CSVS; i++)
		g_string_append(shared_text(rep, i), json_object_get_string_member(part, shared_key[i]));
	g_object_unref(p);
	return true;
}

/* allocators.A.spread: mean and sample sd of each headline figure over
 * the seeds of A (docs/model.md, Noise). */
static void add_spread(JsonObject *a)
{
	JsonArray *seeds = json_object_get_array_member(a, "seeds");
	guint n = json_array_get_length(seeds);
	JsonObject *spread = obj_add_obj(a, "spread");
	double *x = g_new(double, n);

	for (const metric_t *m = metric_table; m->name; m++) {
		JsonObject *o = obj_add_obj(spread, m->name);
		double mean, sd;
		for (guint i = 0; i < n; i++)
			x[i] = json_object_get_double_member(json_array_get_object_element(seeds, i), m->name);
		agree_spread(x, (int)n, &mean, &sd);
		json_object_set_double_member(o, "mean", mean);
		json_object_set_double_member(o, "sd", sd);
		json_object_set_int_member(o, "n", n);
	}
	g_free(x);
}

char *report_json(report_t *rep)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *text;

	/* The workload completes the resolved scenario when it loads. */
	json_object_set_object_member(rep->root, "scenario", scenario_object(rep->sc));
	GList *names = json_object_get_members(rep->allocators);
	for (GList *l = names; l; l = l->next) {
		JsonObject *a = json_object_get_object_member(rep->allocators, l->data);
		if (json_object_has_member(a, "seeds") && !json_object_has_member(a, "spread"))
			add_spread(a);
	}
	g_list_free(names);
	json_object_set_object_member(rep->root, "scenario_typed", scenario_typed(rep->sc));
	json_node_set_object(node, rep->root);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(node);
	return g_strconcat_free_first(text, "\n");
}

char *report_text(report_t *rep)
{
	return text_full(rep);
}

char *report_summary(report_t *rep, const char *dir)
{
	return text_summary(rep, dir);
}

GPtrArray *report_warnings(report_t *rep)
{
	return results_warnings(rep->root);
}

int report_incomplete(report_t *rep)
{
	GList *names = json_object_get_members(rep->allocators);
	int n = 0;

	for (GList *l = names; l; l = l->next) {
		const char *reason = sget(oget(oget(rep->allocators, l->data), "end"), "reason", "completed");
		n += strcmp(reason, "completed") != 0 && strcmp(reason, "idle") != 0;
	}
	g_list_free(names);
	return n;
}

/* summary.csv: one row per allocator, the summary metrics as columns. */
static char *summary_csv(report_t *rep)
{
	char *header = csv_summary_header();
	GString *s = g_string_new(header);
	GList *names = json_object_get_members(rep->allocators);

	g_string_append_c(s, '\n');
	for (GList *l = names; l; l = l->next) {
		JsonObject *a = oget(rep->allocators, l->data), *e = oget(a, "end");
		g_string_append_printf(s, "%s,%s,%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
		                       (char *)l->data, sget(a, "allocator", ""), sget(e, "reason", ""),
		                       iget(e, "unfinished_tasks"), iget(e, "blocked_tasks"),
		                       iget(e, "live_objects"));
		for (const metric_t *m = metric_table; m->name; m++)
			if ((m->where & METRIC_SUMMARY) && metric_present(m, a))
				g_string_append_printf(s, ",%.10g", metric_value(m, a));
			else if (m->where & METRIC_SUMMARY)
				g_string_append_c(s, ',');  /* absent (a native run's), not zero */
		g_string_append_c(s, '\n');
	}
	g_list_free(names);
	g_free(header);
	return g_string_free(s, FALSE);
}

static bool write_csv(const char *dir, const csv_layout_t *l, const char *text, GError **err)
{
	char *name = g_strconcat(l->name, ".csv", NULL);
	bool ok = resdir_write_file(dir, name, text, err);

	g_free(name);
	return ok;
}

bool report_write(report_t *rep, const char *dir, GError **err)
{
	char *json = report_json(rep), *text = report_text(rep), *summary = summary_csv(rep);
	char *scn = g_key_file_to_data(rep->sc->resolved, NULL, NULL);
	bool ok;

	ok = resdir_write_file(dir, "scenario.scn", scn, err) &&
	     resdir_write_file(dir, "report.txt", text, err) &&
	     resdir_write_file(dir, "summary.csv", summary, err);
	for (guint i = 0; ok && i < rep->csv_names->len; i += 2)
		ok = resdir_write_file(dir, rep->csv_names->pdata[i], rep->csv_names->pdata[i + 1], err);
	ok = ok && write_csv(dir, &csv_breakdown, rep->breakdown_csv->str, err) &&
	     write_csv(dir, &csv_locks, rep->locks_csv->str, err) &&
	     write_csv(dir, &csv_cpus, rep->cpus_csv->str, err) &&
	     write_csv(dir, &csv_tasks, rep->tasks_csv->str, err) &&
	     write_csv(dir, &csv_caches, rep->caches_csv->str, err);
	ok = ok && resdir_write_file(dir, "results.json", json, err);
	g_free(json);
	g_free(text);
	g_free(summary);
	g_free(scn);
	return ok;
}
