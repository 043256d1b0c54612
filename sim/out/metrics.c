/*
 * metrics.c -- the metric table, figure formatting and the CSV layouts
 * (see metrics.h).
 */
#include <math.h>
#include <string.h>
#include "metrics.h"

/* The member at path, or NULL. */
static JsonNode *path_node(JsonObject *o, const char *path)
{
	char **parts = g_strsplit(path, "/", -1);
	JsonNode *n = NULL;

	for (int i = 0; o && parts[i]; i++) {
		n = json_object_has_member(o, parts[i]) ? json_object_get_member(o, parts[i]) : NULL;
		o = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		if (!n)
			break;
	}
	g_strfreev(parts);
	return n;
}

double json_path_number(JsonObject *o, const char *path)
{
	JsonNode *n = path_node(o, path);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) != G_TYPE_STRING ?
	       json_node_get_double(n) : 0;
}

bool json_path_has(JsonObject *o, const char *path)
{
	return path_node(o, path) != NULL;
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

/* Lock wait of every class, all CPUs. */
static double lock_wait(JsonObject *a)
{
	JsonObject *locks = json_object_has_member(a, "locks") ?
	                    json_object_get_object_member(a, "locks") : NULL;
	GList *names = locks ? json_object_get_members(locks) : NULL;
	double sum = 0;

	for (GList *l = names; l; l = l->next)
		sum += json_path_number(json_object_get_object_member(locks, l->data), "wait_ns");
	g_list_free(names);
	return sum;
}

static double merit(JsonObject *a)
{
	const char *label;
	int better;
	bool declared;

	return metric_merit(a, &label, &better, &declared);
}

double metric_merit(JsonObject *a, const char **label, int *better, bool *declared)
{
	JsonObject *m = json_object_has_member(a, "merit") ? json_object_get_object_member(a, "merit") : NULL;

	*declared = m != NULL;
	if (!m) {
		*label = "ops/s";
		*better = +1;
		return json_path_number(a, "throughput_ops_per_sec");
	}
	*label = json_object_get_string_member(m, "label");
	*better = strcmp(json_object_get_string_member(m, "better"), "lower") == 0 ? -1 : +1;
	return json_path_number(m, "value");
}

#define LAT "median (p50) and 99th percentile (p99) latency of allocations and frees, " \
            "all caches and kmalloc, each from its start on its CPU to its return"

const metric_t metric_table[] = {
	{ "merit", NULL, merit, "", "figure of merit (the workload's merit, else ops/s)", NULL, 0,
	  METRIC_SWEEP | METRIC_SUMMARY, +1,
	  "the workload's figure of merit: the counter it declares (merit in results.json), "
	  "else ops/s" },
	{ "throughput_ops_per_sec", "throughput_ops_per_sec", NULL, "ops/s",
	  "operations per simulated second", "ops/s", 0, METRIC_SWEEP | METRIC_SUMMARY, +1,
	  "allocations + frees of all CPUs per simulated second, from the workload's start "
	  "to the end of the run (the last task's return, or the duration)" },
	{ "alloc_p50_ns", "latency_ns/alloc/p50", NULL, "ns",
	  "alloc p50 latency (simulated ns)", "alloc p50", 1, METRIC_COMPARE | METRIC_SUMMARY, -1,
	  LAT },
	{ "alloc_p99_ns", "latency_ns/alloc/p99", NULL, "ns",
	  "alloc p99 latency (simulated ns)", "alloc p99", 1,
	  METRIC_SWEEP | METRIC_COMPARE | METRIC_SUMMARY, -1, LAT },
	{ "free_p50_ns", "latency_ns/free/p50", NULL, "ns",
	  "free p50 latency (simulated ns)", "free p50", 1, METRIC_COMPARE | METRIC_SUMMARY, -1,
	  LAT },
	{ "free_p99_ns", "latency_ns/free/p99", NULL, "ns",
	  "free p99 latency (simulated ns)", "free p99", 1,
	  METRIC_SWEEP | METRIC_COMPARE | METRIC_SUMMARY, -1, LAT },
	{ "alloc_mean_ns", "latency_ns/alloc/mean", NULL, "ns",
	  "alloc mean latency (simulated ns)", NULL, 1, METRIC_SUMMARY, -1,
	  "mean latency of allocations, all caches and kmalloc" },
	{ "free_mean_ns", "latency_ns/free/mean", NULL, "ns",
	  "free mean latency (simulated ns)", NULL, 1, METRIC_SUMMARY, -1,
	  "mean latency of frees, all caches and kmalloc" },
	{ "peak_slab_bytes", "memory/peak/slab_bytes", NULL, "B",
	  "peak slab pages (simulated bytes)", "peak slab", 0,
	  METRIC_SWEEP | METRIC_COMPARE | METRIC_SUMMARY, -1,
	  "the most memory the allocator held in pages at any moment, boot included" },
	{ "peak_live_bytes", "memory/peak/live_bytes", NULL, "B",
	  "peak live objects (simulated bytes)", NULL, 0, METRIC_SWEEP | METRIC_SUMMARY, 0,
	  "the most bytes the workload held in live objects" },
	{ "metadata_bytes", "memory/peak/metadata_bytes", NULL, "B",
	  "peak metadata (simulated bytes)", "metadata", 0,
	  METRIC_SWEEP | METRIC_COMPARE | METRIC_SUMMARY, -1,
	  "the most the modelled kernel kmalloc'd for the allocator's own structures "
	  "(per-CPU, per-node, alien, ... arrays), apart from slab pages" },
	{ "alien_bytes", "metadata_by_category/alien", NULL, "B",
	  "alien-cache metadata (simulated bytes)", NULL, 0, METRIC_SWEEP, -1,
	  "metadata of SLAB's alien caches (0 elsewhere)" },
	{ "metadata_per_cache", NULL, metadata_per_cache, "B",
	  "metadata per cache, mean (simulated bytes)", NULL, 0, METRIC_SWEEP | METRIC_SUMMARY, -1,
	  "metadata accounted to each cache, mean over the allocator's caches" },
	{ "metadata_largest_cache", NULL, metadata_largest_cache, "B",
	  "metadata of the largest cache (simulated bytes)", NULL, 0, METRIC_SWEEP, -1,
	  "the largest metadata accounted to one cache" },
	{ "lock_wait_ns", NULL, lock_wait, "ns", "lock wait, all classes and CPUs (simulated ns)",
	  NULL, 0, METRIC_SUMMARY, -1, "time all CPUs spent waiting for locks of every class" },
	{ "free_other_cpu", "remote/free_other_cpu", NULL, "",
	  "frees on another CPU than the allocation", NULL, 0, METRIC_SUMMARY, 0,
	  "frees run on another CPU than the object's allocation" },
	{ "free_other_node", "remote/free_other_node", NULL, "",
	  "frees of objects on another node", NULL, 0, METRIC_SUMMARY, 0,
	  "frees of an object whose memory is on another node than the freeing CPU's" },
	{ "housekeeping_ns", "jitter/housekeeping_ns_total", NULL, "ns",
	  "housekeeping, all CPUs (simulated ns)", NULL, 0, METRIC_SUMMARY, -1,
	  "delayed work and IPI handlers run by all CPUs" },
	{ "simulated_ns", "simulated_ns", NULL, "ns", "simulated run length (ns)", NULL, 0,
	  METRIC_SUMMARY, 0, "from the workload's start to the end of the run" },
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

/* Does allocator a have figure m (a native run has no lock waits, no
 * simulated time, no sampled peak of live bytes)? */
bool metric_present(const metric_t *m, JsonObject *a)
{
	if (m->derive == lock_wait)
		return json_object_has_member(a, "locks");
	return m->derive || json_path_has(a, m->path);
}

/* v scaled into one of the units (each `step` times the previous, the
 * first 1), at least 1 unless it is the first. */
static const char *scale(double *v, double step, const char *const *units, int n)
{
	int u = 0;

	while (fabs(*v) >= step && u < n - 1) {
		*v /= step;
		u++;
	}
	return units[u];
}

/* The number part and the unit part of a figure. */
static void split_format(double v, const char *unit, int decimals, double *num,
                         const char **suffix, int *digits)
{
	static const char *const bytes[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *const si[] = { "", "k", "M", "G", "T" };

	*num = v;
	*digits = decimals;
	if (strcmp(unit, "B") == 0) {
		*suffix = scale(num, 1024, bytes, G_N_ELEMENTS(bytes));
		*digits = *suffix == bytes[0] ? 0 : 1;
	} else if (strcmp(unit, "ns") == 0) {
		if (fabs(v) >= 1e9) {
			*num = v / 1e9;
			*suffix = "s";
		} else if (fabs(v) >= 1e6) {
			*num = v / 1e6;
			*suffix = "ms";
		} else if (fabs(v) >= 1e4) {
			*num = v / 1e3;
			*suffix = "us";
		} else {
			*suffix = "ns";
			*digits = 1;
			return;
		}
		*digits = 2;
	} else if (!*unit && fabs(v) < 1e7 && v == floor(v)) {
		*suffix = "";              /* a count: exact */
		*digits = 0;
	} else if (strcmp(unit, "ops/s") == 0 || !*unit) {
		const char *p = scale(num, 1000, si, G_N_ELEMENTS(si));
		*suffix = p;
		*digits = *p ? 2 : decimals;
	} else {
		*suffix = unit;
	}
}

char *metric_format(double v, const char *unit, int decimals)
{
	double num;
	const char *suffix;
	int digits;

	split_format(v, unit, decimals, &num, &suffix, &digits);
	return g_strdup_printf("%.*f%s%s", digits, num, *suffix ? " " : "", suffix);
}

char *metric_format_spread(double mean, double sd, const char *unit, int decimals)
{
	double num, ratio;
	const char *suffix;
	int digits;

	split_format(mean, unit, decimals, &num, &suffix, &digits);
	ratio = mean != 0 ? num / mean : 1;
	return g_strdup_printf("%.*f ± %.*f%s%s", digits, num, digits, sd * ratio,
	                       *suffix ? " " : "", suffix);
}

const csv_layout_t csv_footprint = { "footprint", "allocator,time_ns,slab_bytes,live_bytes,queued_bytes,metadata_bytes" };
const csv_layout_t csv_jitter = { "jitter", "allocator,time_ns,max_alloc_ns,max_free_ns,housekeeping_ns" };
const csv_layout_t csv_latency = { "latency", "allocator,op,latency_ns,count,cumulative_fraction" };
const csv_layout_t csv_breakdown = { "breakdown", "allocator,op,account,ns_per_op" };
const csv_layout_t csv_locks = { "locks", "allocator,class,acquisitions,contentions,wait_ns,max_wait_ns,hold_ns,con_bounces,acq_bounces" };
const csv_layout_t csv_cpus = { "cpus", "allocator,cpu,node,tasks,allocs,frees,busy_ns,housekeeping_ns,idle_ns" };
const csv_layout_t csv_tasks = { "tasks", "allocator,task,cpu,state,allocs,frees,busy_ns,end_ns,where" };
const csv_layout_t csv_caches = { "caches", "allocator,cache,object_size,size,objects_per_slab,order,slabs,active_objs,live_bytes,slab_bytes,efficiency_pct,metadata_bytes" };
const csv_layout_t csv_sweep = { "sweep", "seed,allocator,metric,value" };
const csv_layout_t csv_sweep_summary = { "sweep-summary", "allocator,metric,n,mean,sd,min,max" };

char *csv_summary_header(void)
{
	GString *s = g_string_new("allocator,base,end,unfinished_tasks,blocked_tasks,live_objects");

	for (const metric_t *m = metric_table; m->name; m++)
		if (m->where & METRIC_SUMMARY)
			g_string_append_printf(s, ",%s", m->name);
	return g_string_free(s, FALSE);
}
