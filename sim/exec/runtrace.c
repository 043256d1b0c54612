/*
 * runtrace.c -- the run's address stream: --trace-out and the simulated
 * LIFO reuse (see runtrace.h).
 *
 * A line is what `perf script` prints for the kmem tracepoints of Linux
 * 6.x, timestamps with nanoseconds (as `perf script --ns`):
 *   slabsim  PID [CPU] S.NNNNNNNNN: kmem:kmalloc: call_site=... ptr=0x...
 *     bytes_req=N bytes_alloc=N gfp_flags=GFP_KERNEL node=-1 accounted=false
 * with the task as PID (task id + 1), the simulated CPU, the simulated time
 * since the workload started, and bytes_alloc what the allocator hands out
 * (the cache's stride; kmalloc's size class).  The cache key of the
 * statistic is the workload cache's name, or kmalloc-N / kmalloc-cg-N
 * with N that size class, as the importer keys a recorded trace.
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>
#include "runtrace.h"

struct run_trace {
	gzFile out;
	char *path;
	reuse_t *sim, *input;
	bool input_accounted;
	bool cg_known, has_cg;    /* the allocator has kmalloc-cg-N caches */
	GHashTable *kmalloc_keys; /* (class << 1 | cg) -> key + 1 */
	GArray *cache_keys;       /* int: key of workload cache i, -1 unknown */
};

static struct run_trace *rt_get(run_t *r)
{
	if (!r->rt)
		r->rt = g_new0(struct run_trace, 1);
	return r->rt;
}

bool run_trace_out(run_t *r, const char *path, GError **err)
{
	struct run_trace *t = rt_get(r);
	bool gz = g_str_has_suffix(path, ".gz");

	t->out = gzopen(path, gz ? "wb6" : "wbT");
	if (!t->out) {
		g_set_error(err, SLABSIM_ERROR, 1, "--trace-out %s: %s", path, g_strerror(errno));
		return false;
	}
	gzbuffer(t->out, 1 << 16);
	t->path = g_strdup(path);
	return true;
}

void run_track_reuse(run_t *r, reuse_t *input, bool input_accounted)
{
	struct run_trace *t = rt_get(r);

	t->sim = reuse_new();
	t->input = input;
	t->input_accounted = input_accounted;
}

/* Does the allocator have kmalloc-cg-N caches? (Asked once, free of
 * charge.) */
static bool has_cg(run_t *r)
{
	struct run_trace *t = r->rt;

	if (!t->cg_known) {
		cache_info_t ci;
		t->cg_known = true;
		for (int i = 0; i < r->ops->ncaches(r->alloc) && !t->has_cg; i++) {
			r->ops->cache_info(r->alloc, r->ops->cache_at(r->alloc, i), &ci);
			t->has_cg = g_str_has_prefix(ci.name, "kmalloc-cg-");
		}
	}
	return t->has_cg;
}

/* What kmalloc(size) hands out, and whether it went to a kmalloc-cg cache. */
static uint32_t kmalloc_class(run_t *r, uint32_t size, bool accounted, bool *cg)
{
	*cg = accounted && has_cg(r);
	return (uint32_t)r->ops->kmalloc_size(r->alloc, size);
}

/* The statistic's key of workload cache `cache`, or of kmalloc class. */
static int key_of(run_t *r, int cache, uint32_t cls, bool cg)
{
	struct run_trace *t = r->rt;
	gpointer v;
	int key;

	if (cache >= 0) {
		if (!t->cache_keys) {
			t->cache_keys = g_array_new(FALSE, FALSE, sizeof(int));
			for (guint i = 0; i < r->caches->len; i++) {
				key = reuse_key(t->sim, ((cache_rec_t *)r->caches->pdata[i])->name);
				g_array_append_val(t->cache_keys, key);
			}
		}
		return g_array_index(t->cache_keys, int, cache);
	}
	if (!t->kmalloc_keys)
		t->kmalloc_keys = g_hash_table_new(g_direct_hash, NULL);
	v = g_hash_table_lookup(t->kmalloc_keys, GUINT_TO_POINTER(cls << 1 | cg));
	if (v)
		return GPOINTER_TO_INT(v) - 1;
	char *name = g_strdup_printf("kmalloc-%s%u", cg ? "cg-" : "", cls);
	key = reuse_key(t->sim, name);
	g_free(name);
	g_hash_table_insert(t->kmalloc_keys, GUINT_TO_POINTER(cls << 1 | cg), GINT_TO_POINTER(key + 1));
	return key;
}

/* The line's head: task, PID, CPU, time, event. */
static int head(char *buf, size_t n, run_t *r, simtime_t t, const char *event)
{
	int cpu = smp_processor_id();
	task_t *task = r->running[cpu];
	simtime_t ns = (t - r->t0) / 1000;

	return g_snprintf(buf, n, "%16s %6d [%03d] %5" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT
	                  ": %s: call_site=slabsim_task+0x0 ptr=", "slabsim",
	                  task ? task_id(task) + 1 : 0, cpu, ns / 1000000000u, ns % 1000000000u, event);
}

static int ptr_text(char *buf, size_t n, saddr_t addr)
{
	return addr ? g_snprintf(buf, n, "0x%" G_GINT64_MODIFIER "x", (uint64_t)addr) :
	              g_snprintf(buf, n, "(nil)");
}

static void emit(struct run_trace *t, const char *line, int len)
{
	if (t->out && len > 0)
		gzwrite(t->out, line, (unsigned)len);
}

void runtrace_alloc(run_t *r, const op_t *op, saddr_t addr, simtime_t when)
{
	struct run_trace *t = r->rt;
	bool cg = false;
	uint32_t req = op->cache >= 0 ? ((cache_rec_t *)r->caches->pdata[op->cache])->size : op->size;
	uint32_t cls = 0;
	char line[512];
	int n;

	if (!t)
		return;
	if (op->cache < 0)
		cls = kmalloc_class(r, op->size, op->accounted, &cg);
	if (t->sim && addr)
		reuse_note_alloc(t->sim, key_of(r, op->cache, cls, cg), smp_processor_id(), addr);
	if (!t->out)
		return;
	if (op->cache >= 0) {            /* bytes_alloc: the cache's stride */
		cache_info_t ci;
		r->ops->cache_info(r->alloc, ((cache_rec_t *)r->caches->pdata[op->cache])->kc, &ci);
		cls = ci.size;
	}
	n = head(line, sizeof line, r, when, op->cache >= 0 ? "kmem:kmem_cache_alloc" : "kmem:kmalloc");
	n += ptr_text(line + n, sizeof line - (size_t)n, addr);
	if (op->cache >= 0)
		n += g_snprintf(line + n, sizeof line - (size_t)n, " name=%s",
		                ((cache_rec_t *)r->caches->pdata[op->cache])->name);
	n += g_snprintf(line + n, sizeof line - (size_t)n,
	                " bytes_req=%u bytes_alloc=%u gfp_flags=GFP_KERNEL%s%s node=%d accounted=%s\n",
	                req, cls, op->zero ? "|__GFP_ZERO" : "", op->accounted ? "|__GFP_ACCOUNT" : "",
	                op->node, cg ? "true" : "false");
	emit(t, line, MIN(n, (int)sizeof line - 1));
}

void runtrace_free(run_t *r, const object_t *o, simtime_t when)
{
	struct run_trace *t = r->rt;
	char line[512];
	int n;

	if (!t)
		return;
	if (t->sim) {
		bool cg = false;
		uint32_t cls = 0;
		if (o->cache < 0)
			cls = kmalloc_class(r, o->size, o->accounted, &cg);
		reuse_note_free(t->sim, key_of(r, o->cache, cls, cg), smp_processor_id(), o->addr);
	}
	if (!t->out)
		return;
	n = head(line, sizeof line, r, when, o->cache >= 0 ? "kmem:kmem_cache_free" : "kmem:kfree");
	n += ptr_text(line + n, sizeof line - (size_t)n, o->addr);
	if (o->cache >= 0)
		n += g_snprintf(line + n, sizeof line - (size_t)n, " name=%s",
		                ((cache_rec_t *)r->caches->pdata[o->cache])->name);
	n += g_snprintf(line + n, sizeof line - (size_t)n, "\n");
	emit(t, line, MIN(n, (int)sizeof line - 1));
}

bool runtrace_finish(run_t *r, GError **err)
{
	struct run_trace *t = r->rt;
	int st;

	if (!t || !t->out)
		return true;
	st = gzclose(t->out);
	t->out = NULL;
	if (st != Z_OK) {
		g_set_error(err, SLABSIM_ERROR, 1, "--trace-out %s: the write failed", t->path);
		return false;
	}
	return true;
}

void runtrace_take_reuse(run_t *r, reuse_t **input, reuse_t **sim, bool *input_accounted,
                         bool *cg)
{
	struct run_trace *t = r->rt;

	*input = t ? t->input : NULL;
	*sim = t ? t->sim : NULL;
	*input_accounted = t && t->input_accounted;
	*cg = t && t->sim && has_cg(r);
	if (t)
		t->input = t->sim = NULL;
}

void runtrace_free_all(run_t *r)
{
	struct run_trace *t = r->rt;

	if (!t)
		return;
	if (t->out)
		gzclose(t->out);
	reuse_free(t->sim);
	reuse_free(t->input);
	if (t->kmalloc_keys)
		g_hash_table_destroy(t->kmalloc_keys);
	if (t->cache_keys)
		g_array_free(t->cache_keys, TRUE);
	g_free(t->path);
	g_free(t);
	r->rt = NULL;
}
