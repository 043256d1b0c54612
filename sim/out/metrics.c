/*
 * metrics.c -- the metric table and the CSV layouts (see metrics.h).
 */
#include <string.h>
#include "metrics.h"

double json_path_number(JsonObject *o, const char *path)
{
	char **parts = g_strsplit(path, "/", -1);
	double v = 0;

	for (int i = 0; o && parts[i]; i++) {
		if (!json_object_has_member(o, parts[i])) {
			o = NULL;
			break;
		}
		if (parts[i + 1])
			o = json_object_get_object_member(o, parts[i]);
		else
			v = json_object_get_double_member(o, parts[i]);
	}
	g_strfreev(parts);
	return o ? v : 0;
}

/* Mean and largest metadata_bytes over the allocator's caches. */
static void cache_metadata(JsonObject *a, double *mean, double *largest)
{
	JsonObject *caches = json_object_get_object_member(a, "caches");
	GList *names = json_object_get_members(caches);
	double sum = 0;
	int n = 0;

	*largest = 0;
	for (GList *l = names; l; l = l->next, n++) {
		double v = json_path_number(json_object_get_object_member(caches, l->data), "metadata_bytes");
		sum += v;
		*largest = MAX(*largest, v);
	}
	*mean = n ? sum / n : 0;
	g_list_free(names);
}

static double metadata_per_cache(JsonObject *a)
{
	double mean, largest;

	cache_metadata(a, &mean, &largest);
	return mean;
}

static double metadata_largest_cache(JsonObject *a)
{
	double mean, largest;

	cache_metadata(a, &mean, &largest);
	return largest;
}

const metric_t metric_table[] = {
	{ "throughput_ops_per_sec", "throughput_ops_per_sec", NULL, "ops/s",
	  "operations per simulated second", "ops/s", 0, METRIC_SWEEP | METRIC_COMPARE },
	{ "alloc_p50_ns", "latency_ns/alloc/p50", NULL, "ns",
	  "alloc p50 latency (simulated ns)", "alloc p50", 1, METRIC_COMPARE },
	{ "alloc_p99_ns", "latency_ns/alloc/p99", NULL, "ns",
	  "alloc p99 latency (simulated ns)", "alloc p99", 1, METRIC_SWEEP | METRIC_COMPARE },
	{ "free_p99_ns", "latency_ns/free/p99", NULL, "ns",
	  "free p99 latency (simulated ns)", "free p99", 1, METRIC_SWEEP | METRIC_COMPARE },
	{ "peak_slab_bytes", "memory/peak/slab_bytes", NULL, "B",
	  "peak slab pages (simulated bytes)", "peak slab B", 0, METRIC_SWEEP | METRIC_COMPARE },
	{ "peak_live_bytes", "memory/peak/live_bytes", NULL, "B",
	  "peak live objects (simulated bytes)", NULL, 0, METRIC_SWEEP },
	{ "metadata_bytes", "memory/peak/metadata_bytes", NULL, "B",
	  "peak metadata (simulated bytes)", "metadata B", 0, METRIC_SWEEP | METRIC_COMPARE },
	{ "alien_bytes", "metadata_by_category/alien", NULL, "B",
	  "alien-cache metadata (simulated bytes)", NULL, 0, METRIC_SWEEP },
	{ "metadata_per_cache", NULL, metadata_per_cache, "B",
	  "metadata per cache, mean (simulated bytes)", NULL, 0, METRIC_SWEEP },
	{ "metadata_largest_cache", NULL, metadata_largest_cache, "B",
	  "metadata of the largest cache (simulated bytes)", NULL, 0, METRIC_SWEEP },
	{ NULL },
};

const metric_t *metric_find(const char *name)
{
	for (const metric_t *m = metric_table; m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

double metric_value(const metric_t *m, JsonObject *a)
{
	return m->derive ? m->derive(a) : json_path_number(a, m->path);
}

const csv_layout_t csv_footprint = { "footprint", "time_ns,slab_bytes,live_bytes,queued_bytes,metadata_bytes" };
const csv_layout_t csv_jitter = { "jitter", "time_ns,max_alloc_ns,max_free_ns,housekeeping_ns" };
const csv_layout_t csv_latency = { "latency", "op,latency_ns,count,cumulative_fraction" };
const csv_layout_t csv_breakdown = { "breakdown", "allocator,op,account,ns_per_op" };
const csv_layout_t csv_locks = { "locks", "allocator,class,acquisitions,contentions,wait_ns,max_wait_ns,hold_ns,con_bounces,acq_bounces" };
const csv_layout_t csv_sweep = { "sweep", "param,param_value,allocator,metric,value" };
