/*
 * stats.c -- the figures of one finished run (see stats.h): copied out of
 * the run, its kernel and its allocator through their introspection
 * calls, which are free of charge.
 */
#include <string.h>
#include "stats.h"
#include "runtrace.h"

static void copy_lat(hist_t *to, const hist_t *from)
{
	for (int k = 0; k < OP_STAT_N; k++)
		hist_merge(&to[k], &from[k]);
}

static void add_cache_lat(run_stats_t *st, const char *name, const hist_t *lat)
{
	named_lat_t n = { g_strdup(name), { { 0 } } };

	copy_lat(n.lat, lat);
	g_array_append_val(st->cache_lat, n);
}

static void take_latency(run_stats_t *st, run_t *r)
{
	copy_lat(st->lat, r->lat);
	for (guint i = 0; i < r->caches->len; i++) {
		cache_rec_t *c = r->caches->pdata[i];
		add_cache_lat(st, c->name, c->lat);
	}
	if (r->kmalloc_lat[OP_STAT_ALLOC].count)
		add_cache_lat(st, "kmalloc", r->kmalloc_lat);
}

/* ---- caches ---- */

static void capacity_visit(void *ctx, const char *kind, uint64_t objects, uint64_t bytes)
{
	queue_cap_t q = { g_strdup(kind), objects, bytes };

	g_array_append_val((GArray *)ctx, q);
}

/* The workload cache kc is, by its name, or NULL (an allocator's own
 * cache, perhaps with workload caches merged into it). */
static cache_rec_t *workload_cache(run_t *r, kmem_cache_t *kc, const char *name)
{
	int i = run_find_cache(r, name);

	return i >= 0 && ((cache_rec_t *)r->caches->pdata[i])->kc == kc ? r->caches->pdata[i]
	                                                                 : NULL;
}

/* The workload's live objects and bytes in kc: those of every workload
 * cache created as kc, its aliases included. */
static void live_in(run_t *r, kmem_cache_t *kc, cache_stats_t *c)
{
	for (guint i = 0; i < r->caches->len; i++) {
		const cache_rec_t *rec = r->caches->pdata[i];

		if (rec->kc == kc) {
			c->live_objects += rec->live_objects;
			c->live_bytes += rec->live_bytes;
		}
	}
}

static void take_cache(run_stats_t *st, run_t *r, kmem_cache_t *kc)
{
	cache_stats_t c = { .capacity = g_array_new(FALSE, FALSE, sizeof(queue_cap_t)) };
	cache_rec_t *rec;

	r->ops->cache_info(r->alloc, kc, &c.info);
	rec = workload_cache(r, kc, c.info.name);
	c.name = g_strdup(c.info.name);
	c.info.name = c.name;
	c.aliases = g_strdupv((char **)c.info.aliases);
	c.info.aliases = (const char *const *)c.aliases;
	c.has_capacity = r->ops->queue_capacity != NULL;
	if (c.has_capacity)
		r->ops->queue_capacity(r->alloc, kc, capacity_visit, c.capacity);
	if (rec) {
		c.workload = true;
		live_in(r, kc, &c);
		c.defrags = rec->defrags;
		c.defrag = rec->defrag;
		memcpy(c.vacates, rec->vacates, sizeof c.vacates);
	}
	g_array_append_val(st->caches, c);
}

static void take_caches(run_stats_t *st, run_t *r)
{
	int n = r->ops->ncaches(r->alloc);

	st->has_capacity = r->ops->queue_capacity != NULL;
	for (int i = 0; i < n; i++)
		take_cache(st, r, r->ops->cache_at(r->alloc, i));
}

static void meta_visit(void *ctx, const char *owner, const char *category, uint64_t bytes)
{
	meta_stats_t m = { g_strdup(owner), g_strdup(category), bytes };

	g_array_append_val((GArray *)ctx, m);
}

/* ---- the machine ---- */

static void take_locks(run_stats_t *st, run_t *r)
{
	GPtrArray *cls = lock_classes_sorted(r->k->locks);

	for (guint i = 0; i < cls->len; i++) {
		const lock_class_t *c = cls->pdata[i];
		lock_stats_t l = { g_strdup(c->name), c->acquisitions, c->contentions,
		                   c->wait, c->max_wait, c->hold, c->con_bounces, c->acq_bounces };
		g_array_append_val(st->locks, l);
	}
	g_ptr_array_free(cls, TRUE);
}

static void take_pageblocks(run_stats_t *st, run_t *r)
{
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		for (int n = 0; n < r->k->m->nnodes; n++) {
			uint64_t f = 0;
			st->blocks[mt].blocks += pa_pageblocks_of(r->k->pa, n, mt, &f);
			st->blocks[mt].wholly_free += f;
		}
}

/* Housekeeping by source: work functions sharing a label are summed. */
static void take_work(run_stats_t *st, run_t *r)
{
	const GArray *src = r->k->work_sources;

	st->housekeeping = r->k->housekeeping;
	st->longest_interruption = r->k->longest_interruption;
	for (guint i = 0; i < src->len; i++) {
		const kwork_source_t *w = &g_array_index(src, kwork_source_t, i);
		guint j = 0;

		while (j < st->work->len && strcmp(g_array_index(st->work, work_stats_t, j).label, w->label))
			j++;
		if (j == st->work->len) {
			work_stats_t fresh = { .label = w->label };
			g_array_append_val(st->work, fresh);
		}
		work_stats_t *o = &g_array_index(st->work, work_stats_t, j);
		o->runs += w->runs;
		o->total += w->total;
		o->longest = MAX(o->longest, w->longest);
	}
}

static void counter_visit(void *ctx, const char *name, uint64_t value)
{
	counter_stats_t c = { g_strdup(name), (int64_t)value };

	g_array_append_val((GArray *)ctx, c);
}

static void free_split(split_stats_t *sp);

/* Append the counter to the entry of (kind, id), the last one or a new one. */
static void split_visit(void *ctx, const char *kind, int id, const char *name, uint64_t value)
{
	GArray *a = ctx;
	split_stats_t *last = a->len ? &g_array_index(a, split_stats_t, a->len - 1) : NULL;
	counter_stats_t c = { g_strdup(name), (int64_t)value };

	if (!last || last->id != id || strcmp(last->kind, kind) != 0) {
		split_stats_t fresh = { g_strdup(kind), id, g_array_new(FALSE, FALSE, sizeof(counter_stats_t)) };

		g_array_append_val(a, fresh);
		last = &g_array_index(a, split_stats_t, a->len - 1);
	}
	g_array_append_val(last->counters, c);
}

static bool split_any(const split_stats_t *sp)
{
	for (guint j = 0; j < sp->counters->len; j++)
		if (g_array_index(sp->counters, counter_stats_t, j).value)
			return true;
	return false;
}

/* The allocator's counters per CPU and node, for those with one above 0. */
static void take_split(run_stats_t *st, run_t *r)
{
	st->has_split = r->ops->stats_split != NULL;
	if (!st->has_split)
		return;
	r->ops->stats_split(r->alloc, split_visit, st->split_counters);
	for (guint i = st->split_counters->len; i-- > 0;) {
		split_stats_t *sp = &g_array_index(st->split_counters, split_stats_t, i);

		if (!split_any(sp)) {
			free_split(sp);
			g_array_remove_index(st->split_counters, i);
		}
	}
}

static void take_time(run_stats_t *st, run_t *r)
{
	st->span = r->t_end > r->t0 ? r->t_end - r->t0 : 0;
	for (int c = 0; c < r->k->m->ncpus; c++)
		for (int k = 0; k < COST_NKINDS; k++)
			st->cost[k] += engine_cpu(r->k->engine, c)->cost[k];
	memcpy(st->breakdown, r->breakdown, sizeof st->breakdown);
}

/* ---- the workload ---- */

/* Keys of a hash table in name order (results never show hash order). */
static GList *sorted_keys(GHashTable *t)
{
	return g_list_sort(g_hash_table_get_keys(t), (GCompareFunc)strcmp);
}

static void take_workload(run_stats_t *st, run_t *r)
{
	GList *names = sorted_keys(r->metrics), *cnames = sorted_keys(r->counters);

	for (GList *l = names; l; l = l->next) {
		metric_stats_t m = { g_strdup(l->data), { 0 } };
		hist_merge(&m.h, g_hash_table_lookup(r->metrics, l->data));
		g_array_append_val(st->metrics, m);
	}
	for (GList *l = cnames; l; l = l->next) {
		counter_stats_t c = { g_strdup(l->data), *(int64_t *)g_hash_table_lookup(r->counters, l->data) };
		g_array_append_val(st->counters, c);
	}
	g_list_free(names);
	g_list_free(cnames);
}

static void take_pools(run_stats_t *st, run_t *r)
{
	for (guint i = 0; i < r->pools->len; i++) {
		pool_rec_t *p = r->pools->pdata[i];
		pool_stats_t s = { g_strdup(run_cache_name(r, p->cache)), p->variant, { 0 } };

		if (p->cp)
			critpool_stats(p->cp, &s.st);
		g_array_append_val(st->pools, s);
	}
}

static void take_end(run_stats_t *st, run_t *r)
{
	int n = run_ntasks(r);

	st->end = r->end_reason;
	for (int i = 0; i < n; i++) {
		task_info_t t;
		run_task_info(r, i, &t);
		g_array_append_val(st->tasks, t);
		st->unfinished += t.state != TASK_DONE && t.state != TASK_IDLE;
		st->blocked += t.state == TASK_RECV || t.state == TASK_BARRIER;
	}
	st->live_objects = r->live_objects;
	st->frees_all = r->decl.frees_all;
	st->merit = g_strdup(r->decl.merit);
	st->merit_label = g_strdup(r->decl.merit_label);
	st->merit_lower = r->decl.merit_lower;
	st->alloc_remote_node = r->alloc_remote_node;
	st->free_remote_cpu = r->free_remote_cpu;
	st->free_remote_node = r->free_remote_node;
}

static void take_cpus(run_stats_t *st, run_t *r)
{
	st->ncpus = r->k->m->ncpus;
	st->cpus = g_new0(cpu_stats_t, st->ncpus);
	for (int c = 0; c < st->ncpus; c++) {
		const cpu_t *cpu = engine_cpu(r->k->engine, c);
		cpu_stats_t *o = &st->cpus[c];
		o->node = cpu->node;
		memcpy(o->ops, r->cpu_ops[c], sizeof o->ops);
		for (int k = 0; k < COST_NKINDS; k++)
			if (k != COST_IDLE && k != COST_HOUSEKEEPING)
				o->busy += cpu->cost[k];
		o->housekeeping = cpu->cost[COST_HOUSEKEEPING];
		o->idle = cpu->cost[COST_IDLE];
	}
	for (guint i = 0; i < st->tasks->len; i++)
		st->cpus[g_array_index(st->tasks, task_info_t, i).cpu].tasks++;
}

static GArray *copy_array(const GArray *a, guint elt)
{
	GArray *c = g_array_sized_new(FALSE, FALSE, elt, a->len);

	return g_array_append_vals(c, a->data, a->len);
}

/* ---- the whole ---- */

static run_stats_t *stats_new(void)
{
	run_stats_t *st = g_new0(run_stats_t, 1);

	st->cache_lat = g_array_new(FALSE, FALSE, sizeof(named_lat_t));
	st->caches = g_array_new(FALSE, FALSE, sizeof(cache_stats_t));
	st->meta = g_array_new(FALSE, FALSE, sizeof(meta_stats_t));
	st->locks = g_array_new(FALSE, FALSE, sizeof(lock_stats_t));
	st->work = g_array_new(FALSE, FALSE, sizeof(work_stats_t));
	st->alloc_counters = g_array_new(FALSE, FALSE, sizeof(counter_stats_t));
	st->split_counters = g_array_new(FALSE, FALSE, sizeof(split_stats_t));
	st->metrics = g_array_new(FALSE, FALSE, sizeof(metric_stats_t));
	st->counters = g_array_new(FALSE, FALSE, sizeof(counter_stats_t));
	st->pools = g_array_new(FALSE, FALSE, sizeof(pool_stats_t));
	st->tasks = g_array_new(FALSE, FALSE, sizeof(task_info_t));
	return st;
}

run_stats_t *run_stats(run_t *r)
{
	run_stats_t *st = stats_new();
	int nn = r->k->m->nnodes;

	st->native = r->nobj != NULL;
	st->allocator = g_strdup(r->label);
	st->base = g_strdup(r->ops->name);
	st->nnodes = nn;
	st->page_size = (uint64_t)r->k->m->page_size;
	memcpy(st->ops, r->ops_done, sizeof st->ops);
	st->failed = r->failed;
	take_latency(st, r);
	st->peak = r->peak;
	st->final = r->final;
	st->node_peak_pages = g_memdup2(r->node_peak, sizeof(uint64_t) * (gsize)nn);
	st->node_final_pages = g_memdup2(r->node_final, sizeof(uint64_t) * (gsize)nn);
	st->node_meta_bytes = g_new(uint64_t, nn);
	for (int n = 0; n < nn; n++)
		st->node_meta_bytes[n] = kmeta_node_bytes(n);
	st->node_ram = r->k->m->mem_per_node;
	st->meta_unbacked = kmeta_unbacked();
	take_caches(st, r);
	kmeta_foreach(meta_visit, st->meta);
	take_locks(st, r);
	if (r->k->coh)
		st->lines = *coh_stats(r->k->coh);
	st->pages = *pa_stats(r->k->pa);
	take_pageblocks(st, r);
	take_work(st, r);
	st->has_paths = r->ops->path_split != NULL;
	if (st->has_paths)
		r->ops->path_split(r->alloc, st->path_alloc, st->path_free);
	r->ops->stats(r->alloc, counter_visit, st->alloc_counters);
	take_split(st, r);
	take_time(st, r);
	take_workload(st, r);
	take_pools(st, r);
	take_end(st, r);
	take_cpus(st, r);
	st->free_rcu = r->free_rcu;
	runtrace_take_reuse(r, &st->reuse_input, &st->reuse_sim, &st->reuse_input_accounted,
	                    &st->reuse_has_cg);
	st->rcu = *rcu_stats_of(r->k->rcu);
	vmstat_summary(r->k->vmstat, &st->vmstat);
	st->samples = copy_array(r->samples, sizeof(sample_t));
	st->node_series = copy_array(r->node_series, sizeof(uint64_t));
	st->pool_levels = copy_array(r->pool_levels, sizeof(int));
	return st;
}

static void free_counters(GArray *a)
{
	for (guint i = 0; i < a->len; i++)
		g_free(g_array_index(a, counter_stats_t, i).name);
	g_array_free(a, TRUE);
}

static void free_split(split_stats_t *sp)
{
	free_counters(sp->counters);
	g_free(sp->kind);
}

static void free_caches(GArray *a)
{
	for (guint i = 0; i < a->len; i++) {
		cache_stats_t *c = &g_array_index(a, cache_stats_t, i);
		for (guint j = 0; j < c->capacity->len; j++)
			g_free(g_array_index(c->capacity, queue_cap_t, j).kind);
		g_array_free(c->capacity, TRUE);
		g_free(c->name);
		g_strfreev(c->aliases);
	}
	g_array_free(a, TRUE);
}

void run_stats_free(run_stats_t *st)
{
	if (!st)
		return;
	reuse_free(st->reuse_input);
	reuse_free(st->reuse_sim);
	for (int k = 0; k < OP_STAT_N; k++)
		hist_clear(&st->lat[k]);
	for (guint i = 0; i < st->cache_lat->len; i++) {
		named_lat_t *n = &g_array_index(st->cache_lat, named_lat_t, i);
		for (int k = 0; k < OP_STAT_N; k++)
			hist_clear(&n->lat[k]);
		g_free(n->name);
	}
	g_array_free(st->cache_lat, TRUE);
	free_caches(st->caches);
	for (guint i = 0; i < st->meta->len; i++) {
		g_free(g_array_index(st->meta, meta_stats_t, i).owner);
		g_free(g_array_index(st->meta, meta_stats_t, i).category);
	}
	g_array_free(st->meta, TRUE);
	for (guint i = 0; i < st->locks->len; i++)
		g_free(g_array_index(st->locks, lock_stats_t, i).name);
	g_array_free(st->locks, TRUE);
	g_array_free(st->work, TRUE);
	free_counters(st->alloc_counters);
	for (guint i = 0; i < st->split_counters->len; i++)
		free_split(&g_array_index(st->split_counters, split_stats_t, i));
	g_array_free(st->split_counters, TRUE);
	for (guint i = 0; i < st->metrics->len; i++) {
		hist_clear(&g_array_index(st->metrics, metric_stats_t, i).h);
		g_free(g_array_index(st->metrics, metric_stats_t, i).name);
	}
	g_array_free(st->metrics, TRUE);
	free_counters(st->counters);
	for (guint i = 0; i < st->pools->len; i++)
		g_free(g_array_index(st->pools, pool_stats_t, i).cache);
	g_array_free(st->pools, TRUE);
	g_array_free(st->samples, TRUE);
	g_array_free(st->node_series, TRUE);
	g_array_free(st->pool_levels, TRUE);
	g_free(st->node_peak_pages);
	g_free(st->node_final_pages);
	for (guint i = 0; i < st->tasks->len; i++)
		g_free(g_array_index(st->tasks, task_info_t, i).where);
	g_array_free(st->tasks, TRUE);
	g_free(st->cpus);
	g_free(st->merit);
	g_free(st->merit_label);
	g_free(st->base);
	g_free(st->node_meta_bytes);
	g_free(st->allocator);
	g_free(st);
}
