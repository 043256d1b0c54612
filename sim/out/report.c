/*
 * report.c -- results (see report.h).
 */
#include <errno.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "report.h"

struct report {
	const scenario_t *sc;
	JsonObject *root;          /* {"slabsim", "scenario", "allocators"} */
	JsonObject *allocators;
	GPtrArray *csv_names;      /* file name, then contents, pairwise */
	GString *breakdown_csv;    /* one file for every allocator */
	GString *locks_csv;
};

static char *g_strconcat_free_first(char *a, const char *b)
{
	char *s = g_strconcat(a, b, NULL);
	g_free(a);
	return s;
}

static JsonObject *oget(JsonObject *o, const char *k)
{
	return json_object_get_object_member(o, k);
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

static gint64 iget(JsonObject *o, const char *k)
{
	return json_object_has_member(o, k) ? json_object_get_int_member(o, k) : 0;
}

static double dget(JsonObject *o, const char *k)
{
	return json_object_has_member(o, k) ? json_object_get_double_member(o, k) : 0;
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
	rep->breakdown_csv = g_string_new("allocator,op,account,ns_per_op\n");
	rep->locks_csv = g_string_new("allocator,class,acquisitions,contentions,wait_ns,max_wait_ns,hold_ns\n");
	return rep;
}

void report_free(report_t *rep)
{
	if (!rep)
		return;
	json_object_unref(rep->root);
	g_ptr_array_free(rep->csv_names, TRUE);
	g_string_free(rep->breakdown_csv, TRUE);
	g_string_free(rep->locks_csv, TRUE);
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

static uint64_t page_bytes(const run_t *r, uint64_t pages)
{
	return pages * (uint64_t)r->k->m->page_size;
}

static JsonArray *node_bytes_array(const run_t *r, const uint64_t *pages)
{
	JsonArray *a = json_array_new();

	for (int n = 0; n < r->k->m->nnodes; n++)
		json_array_add_int_element(a, (gint64)page_bytes(r, pages[n]));
	return a;
}

/* memory.slab_bytes_by_node: {"peak": [bytes per node], "final": [...]}. */
static void add_node_footprint(JsonObject *mem, const run_t *r)
{
	JsonObject *o = obj_add_obj(mem, "slab_bytes_by_node");

	json_object_set_array_member(o, "peak", node_bytes_array(r, r->node_peak));
	json_object_set_array_member(o, "final", node_bytes_array(r, r->node_final));
}

/* footprint-nodes-ALLOC.csv: slab bytes per node at every sample (wide:
 * one column per node), for machines of at most RUN_NODE_SERIES_MAX nodes. */
static char *node_series_csv(const run_t *r)
{
	int nn = r->k->m->nnodes;
	GString *s = g_string_new("time_ns");

	for (int n = 0; n < nn; n++)
		g_string_append_printf(s, ",node%d_slab_bytes", n);
	g_string_append_c(s, '\n');
	for (guint i = 0; i < r->samples->len; i++) {
		g_string_append_printf(s, "%" G_GUINT64_FORMAT,
		                       g_array_index(r->samples, sample_t, i).t / PS_PER_NS);
		for (int n = 0; n < nn; n++)
			g_string_append_printf(s, ",%" G_GUINT64_FORMAT, page_bytes(r,
			                       g_array_index(r->node_series, uint64_t, i * (guint)nn + (guint)n)));
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

static JsonObject *footprint_object(const footprint_t *f)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "slab_bytes", (gint64)f->slab_bytes);
	json_object_set_int_member(o, "live_bytes", (gint64)f->live_bytes);
	json_object_set_int_member(o, "queued_bytes", (gint64)f->queued_bytes);
	json_object_set_int_member(o, "metadata_bytes", (gint64)f->metadata_bytes);
	return o;
}

/* kmeta accounts as owner -> {category -> bytes}, and category totals. */
typedef struct meta_ctx {
	JsonObject *by_owner;
	JsonObject *by_category;
} meta_ctx_t;

static void add_to(JsonObject *o, const char *key, uint64_t bytes)
{
	gint64 prev = json_object_has_member(o, key) ? json_object_get_int_member(o, key) : 0;
	json_object_set_int_member(o, key, prev + (gint64)bytes);
}

static void meta_visit(void *ctx, const char *owner, const char *category, uint64_t bytes)
{
	meta_ctx_t *m = ctx;
	JsonObject *o;

	if (!json_object_has_member(m->by_owner, owner))
		obj_add_obj(m->by_owner, owner);
	o = json_object_get_object_member(m->by_owner, owner);
	add_to(o, category, bytes);
	add_to(m->by_category, category, bytes);
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

static void queue_visit(void *ctx, const char *kind, uint64_t objects, uint64_t bytes)
{
	JsonObject *q = json_object_new();

	json_object_set_int_member(q, "objects", (gint64)objects);
	json_object_set_int_member(q, "bytes", (gint64)bytes);
	json_object_set_object_member(ctx, kind, q);
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

/* The workload cache created as kc, or NULL (an allocator's own cache). */
static cache_rec_t *workload_cache(run_t *r, kmem_cache_t *kc)
{
	for (guint i = 0; i < r->caches->len; i++)
		if (((cache_rec_t *)r->caches->pdata[i])->kc == kc)
			return r->caches->pdata[i];
	return NULL;
}

/* "defrag" and "vacate": what t:defrag and t:vacate did to a workload
 * cache, when the workload called them. */
static void add_reclaim(JsonObject *o, run_t *r, kmem_cache_t *kc)
{
	static const char *const results[] = { "ok", "pinned", "busy", "nomem", "not_slab" };
	cache_rec_t *c = workload_cache(r, kc);
	uint64_t vacates = 0;

	if (!c)
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

static JsonObject *cache_object(run_t *r, kmem_cache_t *kc, JsonObject *by_owner)
{
	JsonObject *o = json_object_new();
	cache_info_t ci = { 0 };

	r->ops->cache_info(r->alloc, kc, &ci);
	json_object_set_int_member(o, "object_size", ci.object_size);
	json_object_set_int_member(o, "size", ci.size);
	json_object_set_int_member(o, "align", ci.align);
	json_object_set_int_member(o, "objects_per_slab", ci.objects_per_slab);
	json_object_set_int_member(o, "order", ci.order);
	json_object_set_int_member(o, "slabs", (gint64)ci.slabs);
	json_object_set_int_member(o, "active_slabs", (gint64)ci.active_slabs);
	json_object_set_int_member(o, "num_objs", (gint64)ci.num_objs);
	json_object_set_int_member(o, "active_objs", (gint64)ci.active_objs);
	json_object_set_int_member(o, "limit", ci.limit);
	json_object_set_int_member(o, "batchcount", ci.batchcount);
	json_object_set_int_member(o, "sharedfactor", ci.sharedfactor);
	json_object_set_int_member(o, "sharedavail", (gint64)ci.sharedavail);
	if (json_object_has_member(by_owner, ci.name)) {
		JsonObject *m = json_object_get_object_member(by_owner, ci.name);
		json_object_set_int_member(o, "metadata_bytes", sum_members(m));
		json_object_set_object_member(o, "metadata_by_category", json_object_ref(m));
	} else {
		json_object_set_int_member(o, "metadata_bytes", 0);
		obj_add_obj(o, "metadata_by_category");
	}
	if (r->ops->queue_capacity)
		r->ops->queue_capacity(r->alloc, kc, queue_visit, obj_add_obj(o, "queue_capacity"));
	add_reclaim(o, r, kc);
	return o;
}

static void add_caches(JsonObject *a, run_t *r)
{
	meta_ctx_t m = { json_object_new(), obj_add_obj(a, "metadata_by_category") };
	JsonObject *caches = obj_add_obj(a, "caches");
	int n = r->ops->ncaches(r->alloc);

	JsonObject *capacity = r->ops->queue_capacity ? obj_add_obj(a, "queue_capacity") : NULL;

	kmeta_foreach(meta_visit, &m);
	for (int i = 0; i < n; i++) {
		kmem_cache_t *kc = r->ops->cache_at(r->alloc, i);
		cache_info_t ci = { 0 };
		r->ops->cache_info(r->alloc, kc, &ci);
		JsonObject *co = cache_object(r, kc, m.by_owner);
		json_object_set_object_member(caches, ci.name, co);
		if (capacity)
			add_capacity(capacity, json_object_get_object_member(co, "queue_capacity"));
	}
	json_object_unref(m.by_owner);
}

static void add_locks(JsonObject *a, run_t *r)
{
	JsonObject *locks = obj_add_obj(a, "locks");
	GPtrArray *cls = lock_classes_sorted(r->k->locks);

	for (guint i = 0; i < cls->len; i++) {
		lock_class_t *c = cls->pdata[i];
		JsonObject *o = obj_add_obj(locks, c->name);
		json_object_set_int_member(o, "acquisitions", (gint64)c->acquisitions);
		json_object_set_int_member(o, "contentions", (gint64)c->contentions);
		json_object_set_double_member(o, "wait_ns", ns(c->wait));
		json_object_set_double_member(o, "max_wait_ns", ns(c->max_wait));
		json_object_set_double_member(o, "hold_ns", ns(c->hold));
	}
	g_ptr_array_free(cls, TRUE);
}

static void add_cachelines(JsonObject *a, run_t *r)
{
	const coh_stats_t *s = coh_stats(r->k->coh);
	JsonObject *o = obj_add_obj(a, "cachelines");

	json_object_set_int_member(o, "accesses", (gint64)s->accesses);
	json_object_set_int_member(o, "hits", (gint64)s->hits);
	json_object_set_int_member(o, "transfers_same_node", (gint64)s->transfers_same_node);
	json_object_set_int_member(o, "transfers_remote_node", (gint64)s->transfers_remote_node);
	json_object_set_int_member(o, "memory_local", (gint64)s->memory_local);
	json_object_set_int_member(o, "memory_remote", (gint64)s->memory_remote);
	json_object_set_int_member(o, "invalidations", (gint64)s->invalidations);
}

/* "paths": fast and slow path counts, for allocators that have them. */
static void add_paths(JsonObject *a, run_t *r)
{
	uint64_t alloc[2], free[2];
	JsonObject *o, *x;

	if (!r->ops->path_split)
		return;
	r->ops->path_split(r->alloc, alloc, free);
	o = obj_add_obj(a, "paths");
	x = obj_add_obj(o, "alloc");
	json_object_set_int_member(x, "fast", (gint64)alloc[0]);
	json_object_set_int_member(x, "slow", (gint64)alloc[1]);
	x = obj_add_obj(o, "free");
	json_object_set_int_member(x, "fast", (gint64)free[0]);
	json_object_set_int_member(x, "slow", (gint64)free[1]);
}

/* "jitter": housekeeping totals, and by source (work functions sharing a
 * label are summed). */
static void add_jitter(JsonObject *a, run_t *r)
{
	JsonObject *jit = obj_add_obj(a, "jitter"), *by = obj_add_obj(jit, "by_source");
	uint64_t runs = 0;

	json_object_set_double_member(jit, "housekeeping_ns_total", ns(r->k->housekeeping));
	json_object_set_double_member(jit, "longest_interruption_ns", ns(r->k->longest_interruption));
	for (guint i = 0; i < r->k->work_sources->len; i++) {
		const kwork_source_t *w = &g_array_index(r->k->work_sources, kwork_source_t, i);
		JsonObject *o = json_object_has_member(by, w->label) ?
			json_object_get_object_member(by, w->label) : obj_add_obj(by, w->label);

		json_object_set_int_member(o, "runs", iget(o, "runs") + (gint64)w->runs);
		json_object_set_double_member(o, "total_ns", dget(o, "total_ns") + ns(w->total));
		json_object_set_double_member(o, "longest_ns", MAX(dget(o, "longest_ns"), ns(w->longest)));
		runs += w->runs;
	}
	json_object_set_int_member(jit, "interruptions", (gint64)runs);
}

/* "pageblocks": page blocks of each migrate type at the end, and how many
 * of them are wholly free (summed over nodes). */
static void add_pageblocks(JsonObject *pages, run_t *r)
{
	static const char *const types[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = "unmovable", [MIGRATE_RECLAIMABLE] = "reclaimable",
		[MIGRATE_MOVABLE] = "movable",
	};
	JsonObject *o = obj_add_obj(pages, "pageblocks");

	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		uint64_t blocks = 0, free = 0;
		for (int n = 0; n < r->k->m->nnodes; n++) {
			uint64_t f = 0;
			blocks += pa_pageblocks_of(r->k->pa, n, mt, &f);
			free += f;
		}
		JsonObject *t = obj_add_obj(o, types[mt]);
		json_object_set_int_member(t, "blocks", (gint64)blocks);
		json_object_set_int_member(t, "wholly_free", (gint64)free);
	}
}

static void add_pages(JsonObject *a, run_t *r)
{
	const pa_stats_t *s = pa_stats(r->k->pa);
	JsonObject *o = obj_add_obj(a, "pages");
	JsonArray *orders = json_array_new();

	for (int i = 0; i < PA_MAX_ORDER; i++)
		json_array_add_int_element(orders, (gint64)s->allocs_by_order[i]);
	json_object_set_array_member(o, "allocs_by_order", orders);
	json_object_set_int_member(o, "frees", (gint64)s->frees);
	json_object_set_int_member(o, "failures", (gint64)s->failures);
	json_object_set_int_member(o, "fallbacks", (gint64)s->fallbacks);
	json_object_set_int_member(o, "pcp_refills", (gint64)s->pcp_refills);
	json_object_set_int_member(o, "pcp_drains", (gint64)s->pcp_drains);
	json_object_set_int_member(o, "steals", (gint64)s->steals);
	json_object_set_int_member(o, "blocks_converted", (gint64)s->blocks_converted);
	add_pageblocks(o, r);
}

static void stat_visit(void *ctx, const char *name, uint64_t value)
{
	json_object_set_int_member(ctx, name, (gint64)value);
}

static void add_time(JsonObject *a, run_t *r)
{
	simtime_t span = r->t_end > r->t0 ? r->t_end - r->t0 : 0;
	uint64_t ops = r->ops_done[OP_STAT_ALLOC] + r->ops_done[OP_STAT_FREE];
	JsonObject *cost = obj_add_obj(a, "cpu_time_ns");
	simtime_t sum[COST_NKINDS] = { 0 };

	json_object_set_double_member(a, "simulated_ns", ns(span));
	json_object_set_double_member(a, "throughput_ops_per_sec",
	                              span ? (double)ops * (double)PS_PER_SEC / (double)span : 0);
	for (int c = 0; c < r->k->m->ncpus; c++)
		for (int k = 0; k < COST_NKINDS; k++)
			sum[k] += engine_cpu(r->k->engine, c)->cost[k];
	for (int k = 0; k < COST_NKINDS; k++)
		json_object_set_double_member(cost, cost_kind_names[k], ns(sum[k]));
}

/* Mean simulated ns per operation, split by account; "total" is the mean
 * latency, and the parts add up to it. */
static void add_breakdown(JsonObject *a, run_t *r)
{
	static const char *const ops[OP_STAT_N] = { "alloc", "free" };
	JsonObject *b = obj_add_obj(a, "breakdown_ns_per_op");

	for (int op = 0; op < OP_STAT_N; op++) {
		JsonObject *o = obj_add_obj(b, ops[op]);
		uint64_t n = r->lat[op].count;
		simtime_t total = 0;
		for (int k = 0; k < COST_NKINDS; k++) {
			json_object_set_double_member(o, cost_kind_names[k],
			                              n ? ns(r->breakdown[op][k]) / (double)n : 0);
			total += r->breakdown[op][k];
		}
		json_object_set_double_member(o, "total", n ? ns(total) / (double)n : 0);
	}
}

static char *samples_csv(run_t *r)
{
	GString *s = g_string_new("time_ns,slab_bytes,live_bytes,queued_bytes,metadata_bytes\n");

	for (guint i = 0; i < r->samples->len; i++) {
		sample_t *x = &g_array_index(r->samples, sample_t, i);
		g_string_append_printf(s, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
		                       ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
		                       x->t / PS_PER_NS, x->slab_bytes, x->live_bytes,
		                       x->queued_bytes, x->metadata_bytes);
	}
	return g_string_free(s, FALSE);
}

/* jitter-ALLOC.csv: per sample window, the longest operation of each kind
 * and the housekeeping time. */
static char *jitter_csv(run_t *r)
{
	GString *s = g_string_new("time_ns,max_alloc_ns,max_free_ns,housekeeping_ns\n");

	for (guint i = 0; i < r->samples->len; i++) {
		sample_t *x = &g_array_index(r->samples, sample_t, i);
		g_string_append_printf(s, "%" G_GUINT64_FORMAT ",%.3f,%.3f,%.3f\n", x->t / PS_PER_NS,
		                       ns(x->max_lat[OP_STAT_ALLOC]), ns(x->max_lat[OP_STAT_FREE]),
		                       ns(x->housekeeping));
	}
	return g_string_free(s, FALSE);
}

typedef struct cdf_ctx {
	GString *s;
	const char *op;
	uint64_t total, seen;
} cdf_ctx_t;

static void cdf_row(void *ctx, uint64_t value, uint64_t count)
{
	cdf_ctx_t *c = ctx;

	c->seen += count;
	g_string_append_printf(c->s, "%s,%.3f,%" G_GUINT64_FORMAT ",%.6f\n", c->op, ns(value),
	                       count, (double)c->seen / (double)c->total);
}

/* latency-ALLOC.csv: the latency distribution of each operation. */
static char *latency_csv(run_t *r)
{
	static const char *const ops[OP_STAT_N] = { "alloc", "free" };
	GString *s = g_string_new("op,latency_ns,count,cumulative_fraction\n");

	for (int op = 0; op < OP_STAT_N; op++) {
		cdf_ctx_t c = { s, ops[op], r->lat[op].count, 0 };
		hist_foreach(&r->lat[op], cdf_row, &c);
	}
	return g_string_free(s, FALSE);
}

/* Rows of breakdown.csv and locks.csv, from the allocator's JSON. */
static void shared_csv_rows(report_t *rep, const char *name, JsonObject *a)
{
	JsonObject *b = oget(a, "breakdown_ns_per_op"), *locks = oget(a, "locks");
	GList *ops = json_object_get_members(b), *cls = json_object_get_members(locks);

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
		                       ",%.3f,%.3f,%.3f\n", name, (char *)l->data,
		                       json_object_get_int_member(c, "acquisitions"),
		                       json_object_get_int_member(c, "contentions"),
		                       json_object_get_double_member(c, "wait_ns"),
		                       json_object_get_double_member(c, "max_wait_ns"),
		                       json_object_get_double_member(c, "hold_ns"));
	}
	g_list_free(ops);
	g_list_free(cls);
}

/* Keys of a hash table in name order (reports never show hash order). */
static GList *sorted_keys(GHashTable *t)
{
	return g_list_sort(g_hash_table_get_keys(t), (GCompareFunc)strcmp);
}

/* workload_metrics (t:record distributions) and workload_counters. */
static void add_workload_metrics(JsonObject *a, run_t *r)
{
	JsonObject *m = obj_add_obj(a, "workload_metrics");
	JsonObject *c = obj_add_obj(a, "workload_counters");
	GList *names = sorted_keys(r->metrics), *cnames = sorted_keys(r->counters);

	for (GList *l = names; l; l = l->next)
		json_object_set_object_member(m, l->data,
		                              latency_object(g_hash_table_lookup(r->metrics, l->data)));
	for (GList *l = cnames; l; l = l->next)
		json_object_set_int_member(c, l->data, *(int64_t *)g_hash_table_lookup(r->counters, l->data));
	g_list_free(names);
	g_list_free(cnames);
}

/* "mempools": each critical pool by the name of its cache. */
static void add_mempools(JsonObject *a, run_t *r)
{
	JsonObject *pools;

	if (!r->pools->len)
		return;
	pools = obj_add_obj(a, "mempools");
	for (guint i = 0; i < r->pools->len; i++) {
		pool_rec_t *p = r->pools->pdata[i];
		JsonObject *o = obj_add_obj(pools, ((cache_rec_t *)r->caches->pdata[p->cache])->name);
		critpool_stats_t st = { 0 };

		if (p->cp)
			critpool_stats(p->cp, &st);
		json_object_set_string_member(o, "variant", critpool_variant_name(p->variant));
		json_object_set_int_member(o, "min_nr", (gint64)st.min_nr);
		json_object_set_int_member(o, "level", (gint64)st.level);
		json_object_set_int_member(o, "low_water", (gint64)st.low_water);
		json_object_set_int_member(o, "pool_hits", (gint64)st.pool_hits);
		json_object_set_int_member(o, "pool_refills", (gint64)st.pool_refills);
		json_object_set_int_member(o, "crit_allocs", (gint64)st.crit_allocs);
		json_object_set_int_member(o, "crit_failures", (gint64)st.crit_failures);
		json_object_set_int_member(o, "noncrit_allocs", (gint64)st.noncrit_allocs);
		json_object_set_int_member(o, "noncrit_failures", (gint64)st.noncrit_failures);
		json_object_set_int_member(o, "leaked", (gint64)st.leaked);
	}
}

/* mempool-ALLOC.csv: each pool's reserve at every sample. */
static char *mempool_csv(run_t *r)
{
	GString *s = g_string_new("time_ns");
	guint np = r->pools->len;

	for (guint i = 0; i < np; i++)
		g_string_append_printf(s, ",%s_level",
		                       ((cache_rec_t *)r->caches->pdata[((pool_rec_t *)r->pools->pdata[i])->cache])->name);
	g_string_append_c(s, '\n');
	for (guint t = 0; t < r->samples->len; t++) {
		g_string_append_printf(s, "%" G_GUINT64_FORMAT, g_array_index(r->samples, sample_t, t).t / PS_PER_NS);
		for (guint i = 0; i < np; i++)
			g_string_append_printf(s, ",%d", g_array_index(r->pool_levels, int, t * np + i));
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

void report_add(report_t *rep, run_t *r)
{
	JsonObject *a = obj_add_obj(rep->allocators, r->ops->name);
	JsonObject *ops = obj_add_obj(a, "ops");
	JsonObject *mem = obj_add_obj(a, "memory");
	JsonObject *by_cache = json_object_new();

	json_object_set_int_member(ops, "alloc", (gint64)r->ops_done[OP_STAT_ALLOC]);
	json_object_set_int_member(ops, "free", (gint64)r->ops_done[OP_STAT_FREE]);
	json_object_set_int_member(ops, "failed", (gint64)r->failed);
	add_latency(a, "latency_ns", r->lat);
	for (guint i = 0; i < r->caches->len; i++) {
		cache_rec_t *c = r->caches->pdata[i];
		add_latency(by_cache, c->name, c->lat);
	}
	if (r->kmalloc_lat[OP_STAT_ALLOC].count)
		add_latency(by_cache, "kmalloc", r->kmalloc_lat);
	json_object_set_object_member(a, "latency_ns_by_cache", by_cache);
	json_object_set_object_member(mem, "peak", footprint_object(&r->peak));
	json_object_set_object_member(mem, "final", footprint_object(&r->final));
	add_node_footprint(mem, r);
	add_caches(a, r);
	add_locks(a, r);
	add_cachelines(a, r);
	add_pages(a, r);
	add_jitter(a, r);
	add_paths(a, r);
	r->ops->stats(r->alloc, stat_visit, obj_add_obj(a, "stats"));
	add_time(a, r);
	add_breakdown(a, r);
	add_workload_metrics(a, r);
	add_mempools(a, r);
	g_ptr_array_add(rep->csv_names, g_strdup_printf("footprint-%s.csv", r->ops->name));
	g_ptr_array_add(rep->csv_names, samples_csv(r));
	g_ptr_array_add(rep->csv_names, g_strdup_printf("latency-%s.csv", r->ops->name));
	g_ptr_array_add(rep->csv_names, latency_csv(r));
	g_ptr_array_add(rep->csv_names, g_strdup_printf("jitter-%s.csv", r->ops->name));
	g_ptr_array_add(rep->csv_names, jitter_csv(r));
	if (r->pools->len) {
		g_ptr_array_add(rep->csv_names, g_strdup_printf("mempool-%s.csv", r->ops->name));
		g_ptr_array_add(rep->csv_names, mempool_csv(r));
	}
	if (r->node_series->len) {
		g_ptr_array_add(rep->csv_names, g_strdup_printf("footprint-nodes-%s.csv", r->ops->name));
		g_ptr_array_add(rep->csv_names, node_series_csv(r));
	}
	shared_csv_rows(rep, r->ops->name, a);
}

char *report_json(report_t *rep)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonGenerator *gen = json_generator_new();
	char *text;

	/* The workload completes the resolved scenario when it loads. */
	json_object_set_object_member(rep->root, "scenario", scenario_object(rep->sc));
	json_node_set_object(node, rep->root);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(node);
	return g_strconcat_free_first(text, "\n");
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
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	g_string_append_printf(s, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
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
	g_string_append(s, " per cache)\n");
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
	GList *members = json_object_get_members(locks);

	g_string_append(s, "locks                  acquisitions  contentions      wait ns  max wait ns      hold ns\n");
	for (GList *l = members; l; l = l->next) {
		JsonObject *c = oget(locks, l->data);
		g_string_append_printf(s, "  %-20s %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT
		                       " %12.0f %12.0f %12.0f\n", (char *)l->data,
		                       iget(c, "acquisitions"), iget(c, "contentions"),
		                       dget(c, "wait_ns"), dget(c, "max_wait_ns"), dget(c, "hold_ns"));
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

static void text_allocator(GString *s, const char *name, JsonObject *a)
{
	JsonObject *ops = oget(a, "ops");

	g_string_append_printf(s, "\n== %s ==\n", name);
	g_string_append_printf(s, "simulated %.3f ms: %" G_GINT64_FORMAT " allocs, %" G_GINT64_FORMAT
	                       " frees, %" G_GINT64_FORMAT " failed, %.0f ops/s\n",
	                       dget(a, "simulated_ns") / 1e6, iget(ops, "alloc"), iget(ops, "free"),
	                       iget(ops, "failed"), dget(a, "throughput_ops_per_sec"));
	text_latency(s, a);
	text_paths(s, a);
	text_memory(s, a);
	text_members(s, "metadata by category (bytes)", oget(a, "metadata_by_category"));
	text_totals(s, a);
	text_mempools(s, a);
	text_locks(s, a);
	text_traffic(s, a);
	text_members(s, "allocator statistics", oget(a, "stats"));
	text_workload(s, a);
	text_slabinfo(s, a);
}

/* The lock class with the most wait time ("-" if none waited); the
 * first in name order wins a tie. */
static const char *top_lock(JsonObject *locks, double *wait_ns)
{
	GList *names = json_object_get_members(locks);
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

static void text_comparison(GString *s, JsonObject *allocs)
{
	GList *names = json_object_get_members(allocs);

	g_string_append(s, "\n== comparison ==\n"
	                "allocator        ops/s    alloc p50    alloc p99     free p99    peak slab B    metadata B"
	                "  most contended lock (wait ns per op)\n");
	for (GList *l = names; l; l = l->next) {
		JsonObject *a = oget(allocs, l->data);
		JsonObject *lat = oget(a, "latency_ns");
		JsonObject *peak = oget(oget(a, "memory"), "peak");
		JsonObject *ops = oget(a, "ops");
		double wait, nops = (double)(iget(ops, "alloc") + iget(ops, "free"));
		const char *lock = top_lock(oget(a, "locks"), &wait);

		g_string_append_printf(s, "%-10s %12.0f %12.1f %12.1f %12.1f %14" G_GINT64_FORMAT " %13" G_GINT64_FORMAT
		                       "  %s (%.1f)\n",
		                       (char *)l->data, dget(a, "throughput_ops_per_sec"),
		                       dget(oget(lat, "alloc"), "p50"), dget(oget(lat, "alloc"), "p99"),
		                       dget(oget(lat, "free"), "p99"), iget(peak, "slab_bytes"),
		                       iget(peak, "metadata_bytes"), lock, nops > 0 ? wait / nops : 0.0);
	}
	g_list_free(names);
}

char *report_text(report_t *rep)
{
	GString *s = g_string_new(NULL);
	const scenario_t *sc = rep->sc;
	GList *names = json_object_get_members(rep->allocators);

	g_string_append_printf(s, "slabsim %s: %s\n", SLABSIM_VERSION, sc->path);
	if (*sc->description)
		g_string_append_printf(s, "%s\n", sc->description);
	g_string_append_printf(s, "machine %s: %d CPUs, %d nodes; workload %s; seed %" G_GUINT64_FORMAT "\n",
	                       sc->machine_name, sc->machine->ncpus, sc->machine->nnodes,
	                       sc->workload, sc->seed);
	for (GList *l = names; l; l = l->next)
		text_allocator(s, l->data, oget(rep->allocators, l->data));
	if (g_list_length(names) > 1)
		text_comparison(s, rep->allocators);
	g_list_free(names);
	return g_string_free(s, FALSE);
}

static bool write_file(const char *dir, const char *name, const char *text, GError **err)
{
	char *path = g_build_filename(dir, name, NULL);
	bool ok = g_file_set_contents(path, text, -1, err);

	g_free(path);
	return ok;
}

bool report_write(report_t *rep, const char *dir, GError **err)
{
	char *json, *text, *scn;
	bool ok;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot create the results directory: %s",
		            dir, g_strerror(errno));
		return false;
	}
	json = report_json(rep);
	text = report_text(rep);
	scn = g_key_file_to_data(rep->sc->resolved, NULL, NULL);
	ok = write_file(dir, "scenario.scn", scn, err) &&
	     write_file(dir, "report.txt", text, err);
	for (guint i = 0; ok && i < rep->csv_names->len; i += 2)
		ok = write_file(dir, rep->csv_names->pdata[i], rep->csv_names->pdata[i + 1], err);
	ok = ok && write_file(dir, "breakdown.csv", rep->breakdown_csv->str, err) &&
	     write_file(dir, "locks.csv", rep->locks_csv->str, err);
	/* results.json last: its presence means the directory is complete. */
	ok = ok && write_file(dir, "results.json", json, err);
	g_free(json);
	g_free(text);
	g_free(scn);
	return ok;
}
