/*
 * kernel.c -- the per-run kernel context: metadata accounting, delayed
 * work, IPIs, idle and the debug-check exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib.h>
#include "kernel.h"
#include "native.h"

bool kdebug_checks = true;

typedef struct kwork {
	klist_t link;               /* on kern()->works until run */
	int cpu;
	kwork_fn fn;
	void *arg;
	struct kipi *ipi;           /* non-NULL for on_each_cpu work */
	bool cancelled;             /* cancel_delayed_work: dropped, never run */
} kwork_t;

typedef struct kipi {
	int pending;                /* CPUs that have not yet run it */
	int caller;
} kipi_t;

struct kcpu {
	GQueue due;                 /* kwork_t*, due now, in order of due time */
	bool idle;
	bool in_idle_loop;          /* idle for want of anything to run */
	uint32_t sleep_gen;         /* names the current sleep's wake-up timer */
};

struct kmeta {
	GHashTable *acct;           /* "owner\x1fcategory" -> uint64_t* bytes */
	uint64_t total;
	uint64_t peak;
	uint64_t *node_used;        /* [nnodes]: metadata bytes homed on each node */
	uint64_t *node_backed;      /* [nnodes]: bytes of pages taken for them */
	uint64_t unbacked;          /* bytes no node had the memory for */
};

/* ---- metadata ---- */

/* The accounts are shared by every CPU: natively, under the backend's
 * metadata lock (public entry points take it). */
static void meta_lock(void)
{
	if (knative())
		native_meta_lock();
}

static void meta_unlock(void)
{
	if (knative())
		native_meta_unlock();
}

static uint64_t *meta_slot(const char *owner, const char *category)
{
	char *key = g_strconcat(owner, "\x1f", category, NULL);
	uint64_t *v = g_hash_table_lookup(kern()->meta->acct, key);

	if (!v) {
		v = g_new0(uint64_t, 1);
		g_hash_table_insert(kern()->meta->acct, key, v);
	} else {
		g_free(key);
	}
	return v;
}

/* What kmalloc(size) hands out in the modelled kernel (bytes). */
uint64_t kmeta_rounded(size_t size)
{
	if (kern()->kmalloc_size)
		return kern()->kmalloc_size(kern()->kmalloc_size_ctx, size);
	return size;
}

/* ---- metadata in simulated RAM ----
 *
 * What the modelled kernel allocates for itself takes memory from the node
 * it lives on: a node's metadata sets pages of its zone aside (whole pages,
 * kept once taken, as kmalloc keeps its slabs), so it competes with slabs
 * for the node's RAM.  Only the capacity is modelled: setting pages aside
 * is not priced and the pages have no place, and when the node has no room
 * left the bytes are counted unbacked rather than placed on another node.
 * Bytes that live in slab pages already (KMETA_IN_SLAB) are accounted, not
 * set aside again.  The structures are priced at their META addresses. */

/* Note bytes more of metadata homed on node, setting pages aside for them. */
static void meta_grow(int node, uint64_t bytes)
{
	struct kmeta *mt = kern()->meta;
	uint64_t page = (uint64_t)kern()->m->page_size;

	mt->node_used[node] += bytes;
	if (mt->node_used[node] > mt->node_backed[node]) {
		uint64_t want = (mt->node_used[node] - mt->node_backed[node] + page - 1) / page;
		uint64_t got;

		if (knative())
			native_pa_lock();
		got = pa_reserve_meta(kern()->pa, node, want);
		if (knative())
			native_pa_unlock();

		mt->node_backed[node] += got * page;
		if (got < want) {
			mt->unbacked += (want - got) * page;
			mt->node_backed[node] += (want - got) * page;   /* counted once */
		}
	}
}

/* Spread n structures of `bytes` evenly over the nodes (one per CPU, one
 * per node, or per node pair), the first nodes taking the remainder. */
static void meta_grow_spread(uint64_t bytes, uint64_t n)
{
	int nn = kern()->m->nnodes;

	for (int node = 0; node < nn; node++) {
		uint64_t here = n / (uint64_t)nn + ((uint64_t)node < n % (uint64_t)nn);
		if (here)
			meta_grow(node, bytes * here);
	}
}

/* Add bytes to (owner, category) and the totals. */
static void meta_count(const char *owner, const char *category, uint64_t bytes)
{
	*meta_slot(owner, category) += bytes;
	kern()->meta->total += bytes;
	if (kern()->meta->total > kern()->meta->peak)
		kern()->meta->peak = kern()->meta->total;
}

static saddr_t meta_place(const char *owner, const char *category,
                          uint64_t bytes, int node)
{
	uint64_t align = 8;

	if (node < 0)
		node = engine_current() ? engine_current()->node : 0;
	meta_count(owner, category, bytes);
	meta_grow(node, bytes);
	while (align < bytes && align < (uint64_t)kern()->m->cache_line)
		align *= 2;
	return mem_meta_reserve(kern()->mem, node, bytes, align);
}

/* Account a kmalloc_node(size) of metadata; returns its address. */
saddr_t kmeta_alloc(const char *owner, const char *category, size_t size, int node)
{
	saddr_t a;

	meta_lock();
	a = meta_place(owner, category, kmeta_rounded(size), node);
	meta_unlock();
	return a;
}

/* Account n kmalloc(size) of metadata without placing them: on `node`, or
 * spread over the nodes (KMETA_SPREAD), or in slab pages (KMETA_IN_SLAB). */
void kmeta_account_n(const char *owner, const char *category, size_t size, uint64_t n, int node)
{
	uint64_t bytes = kmeta_rounded(size);

	meta_lock();
	meta_count(owner, category, bytes * n);
	if (node >= 0)
		meta_grow(node, bytes * n);
	else if (node == KMETA_SPREAD)
		meta_grow_spread(bytes, n);
	meta_unlock();
}

/* Give back n accounted with kmeta_account_n with the same node. */
void kmeta_release_n(const char *owner, const char *category, size_t size, uint64_t n, int node)
{
	uint64_t bytes = kmeta_rounded(size) * n;
	uint64_t *slot;

	meta_lock();
	slot = meta_slot(owner, category);
	g_assert(*slot >= bytes);
	*slot -= bytes;
	kern()->meta->total -= bytes;
	if (node >= 0) {
		kern()->meta->node_used[node] -= bytes;
	} else if (node == KMETA_SPREAD) {
		int nn = kern()->m->nnodes;
		for (int i = 0; i < nn; i++)
			kern()->meta->node_used[i] -= kmeta_rounded(size) *
				(n / (uint64_t)nn + ((uint64_t)i < n % (uint64_t)nn));
	}
	meta_unlock();
}

/* An address on `node` for a structure accounted with kmeta_account_n. */
saddr_t kmeta_place(size_t size, int node)
{
	uint64_t bytes = kmeta_rounded(size), align = 8;
	saddr_t a;

	while (align < bytes && align < (uint64_t)kern()->m->cache_line)
		align *= 2;
	meta_lock();
	a = mem_meta_reserve(kern()->mem, node, bytes, align);
	meta_unlock();
	return a;
}

/* Account `size` bytes of static (not kmalloc'd) metadata. */
saddr_t kmeta_static(const char *owner, const char *category, size_t size, int node)
{
	saddr_t a;

	meta_lock();
	a = meta_place(owner, category, size, node);
	meta_unlock();
	return a;
}

/* Metadata bytes homed on node now. */
uint64_t kmeta_node_bytes(int node)
{
	return kern()->meta->node_used[node];
}

/* Metadata bytes no node had the memory to back. */
uint64_t kmeta_unbacked(void)
{
	return kern()->meta->unbacked;
}

/* ---- per-CPU areas ---- */

/* Address space of each CPU's area (never host memory). */
#define PERCPU_AREA (1ULL << 20)

/* splitmix64's finaliser. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t layout_of(const kernel_t *k, uint64_t salt)
{
	return k->m->layout_noise ? mix64(k->seed ^ mix64(salt + 0x9e3779b97f4a7c15ULL)) : 0;
}

uint64_t kernel_layout(uint64_t salt)
{
	return layout_of(kern(), salt);
}

/* Reserve every CPU's area on its node; with layout noise each starts at
 * a seeded line of its first page, as per-CPU areas land differently from
 * boot to boot. */
static void percpu_init(kernel_t *k)
{
	uint64_t lines = (uint64_t)k->m->page_size / (uint64_t)k->m->cache_line;

	k->pcpu_base = g_new(saddr_t, k->m->ncpus);
	for (int cpu = 0; cpu < k->m->ncpus; cpu++)
		k->pcpu_base[cpu] = mem_meta_reserve(k->mem, k->m->cpu_node[cpu], PERCPU_AREA + (uint64_t)k->m->page_size,
		                                     (uint64_t)k->m->page_size) +
		                    layout_of(k, (uint64_t)cpu) % lines * (uint64_t)k->m->cache_line;
}

/* Reserve size bytes at one offset of every CPU's area. */
uint64_t percpu_alloc(const char *owner, const char *category, size_t size, size_t align)
{
	kernel_t *k = kern();
	uint64_t off;

	meta_lock();
	off = (k->pcpu_used + align - 1) & ~(uint64_t)(align - 1);
	if (off + size > PERCPU_AREA)
		g_error("kernel: per-CPU areas of %llu bytes exhausted", (unsigned long long)PERCPU_AREA);
	k->pcpu_used = off + size;
	meta_count(owner, category, size * (uint64_t)k->m->ncpus);
	for (int cpu = 0; cpu < k->m->ncpus; cpu++)
		meta_grow(k->m->cpu_node[cpu], size);
	meta_unlock();
	return off;
}

/* CPU cpu's copy of the per-CPU data at offset off. */
saddr_t per_cpu_addr(uint64_t off, int cpu)
{
	return kern()->pcpu_base[cpu] + off;
}

/* Give back a kmeta_alloc of `size` (address space is not reused). */
void kmeta_release(const char *owner, const char *category, size_t size, saddr_t addr)
{
	uint64_t bytes = kmeta_rounded(size);
	uint64_t *slot;

	meta_lock();
	slot = meta_slot(owner, category);
	g_assert(*slot >= bytes);
	*slot -= bytes;
	kern()->meta->total -= bytes;
	kern()->meta->node_used[mem_home_node(kern()->mem, addr)] -= bytes;
	meta_unlock();
}

/* Metadata bytes accounted now. */
uint64_t kmeta_total(void)
{
	return kern()->meta->total;
}

/* Largest kmeta_total() seen. */
uint64_t kmeta_peak(void)
{
	return kern()->meta->peak;
}

/* Visit every (owner, category) account in name order. */
void kmeta_foreach(kmeta_visit_fn fn, void *ctx)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(kern()->meta->acct),
	                          (GCompareFunc)strcmp);

	for (GList *l = keys; l; l = l->next) {
		char **parts = g_strsplit(l->data, "\x1f", 2);
		fn(ctx, parts[0], parts[1], *(uint64_t *)g_hash_table_lookup(kern()->meta->acct, l->data));
		g_strfreev(parts);
	}
	g_list_free(keys);
}

/* ---- delayed work, IPIs, idle ---- */

/* Wake `cpu` at `when` if it sleeps in kernel_idle(). */
void kernel_kick(int cpu, simtime_t when)
{
	struct kcpu *kc;

	if (knative())
		return;
	kc = &kern()->cpus[cpu];
	if (kc->idle) {
		kc->idle = false;
		engine_wake(engine_cpu(kern()->engine, cpu), when, COST_IDLE);
	}
}

/* A work item that will not run: off the list, freed. */
static void drop_work(kwork_t *w)
{
	klist_del(&w->link);
	g_free(w);
}

static void work_due(void *arg, simtime_t when)
{
	kwork_t *w = arg;

	if (w->cancelled) {
		drop_work(w);
		return;
	}
	g_queue_push_tail(&kern()->cpus[w->cpu].due, w);
	kernel_kick(w->cpu, when);
}

static void queue_work(int cpu, simtime_t when, kwork_fn fn, void *arg, kipi_t *ipi)
{
	kwork_t *w = g_new(kwork_t, 1);

	*w = (kwork_t){ .cpu = cpu, .fn = fn, .arg = arg, .ipi = ipi };
	klist_add_tail(&w->link, &kern()->works);
	engine_at(kern()->engine, when, work_due, w);
}

/* The kernel's __round_jiffies: to a whole second, skewed 3 jiffies per CPU. */
uint64_t round_jiffies_relative_on(uint64_t j, int cpu)
{
	uint64_t hz = (uint64_t)kern()->m->hz, now = kjiffies();
	uint64_t original = now + j, t = original + (uint64_t)cpu * 3;
	uint64_t rem = t % hz;

	if (rem < hz / 4)
		t -= rem;                       /* round down */
	else
		t += hz - rem;                  /* round up */
	t -= (uint64_t)cpu * 3;
	if (t <= now)                           /* rounding ate the whole delay */
		t = original;
	return t - now;
}

/* Run fn(arg) on `cpu` once `delay` has passed. */
void schedule_delayed_work_on(int cpu, simtime_t delay, kwork_fn fn, void *arg)
{
	if (knative()) {
		native_schedule_work(cpu, delay, fn, arg);
		return;
	}
	queue_work(cpu, know() + delay, fn, arg, NULL);
}

/* Cancel the delayed work (fn, arg) not yet run: it never runs.  True if
 * there was one (the first queued, if several). */
bool cancel_delayed_work(kwork_fn fn, void *arg)
{
	klist_t *pos;

	if (knative())
		return native_cancel_work(fn, arg);
	klist_for_each(pos, &kern()->works) {
		kwork_t *w = klist_entry(pos, kwork_t, link);

		if (w->fn == fn && w->arg == arg && !w->ipi && !w->cancelled) {
			w->cancelled = true;
			return true;
		}
	}
	return false;
}

/* The jitter account of fn, created (as "work") on first use. */
static kwork_source_t *work_source(kwork_fn fn)
{
	GArray *a = kern()->work_sources;
	kwork_source_t fresh = { .fn = (const void *)fn, .label = "work" };

	for (guint i = 0; i < a->len; i++)
		if (g_array_index(a, kwork_source_t, i).fn == (const void *)fn)
			return &g_array_index(a, kwork_source_t, i);
	g_array_append_val(a, fresh);
	return &g_array_index(a, kwork_source_t, a->len - 1);
}

/* Name the housekeeping fn does, for the jitter report. */
void kwork_label(kwork_fn fn, const char *label)
{
	meta_lock();
	work_source(fn)->label = label;
	meta_unlock();
}

/* Count a run of fn that took dt in the jitter accounts. */
void kernel_note_work(kwork_fn fn, simtime_t dt)
{
	kwork_source_t *src;

	meta_lock();
	src = work_source(fn);
	src->runs++;
	src->total += dt;
	src->longest = MAX(src->longest, dt);
	kern()->housekeeping += dt;
	if (dt > kern()->longest_interruption)
		kern()->longest_interruption = dt;
	meta_unlock();
}

static void run_work(kwork_t *w)
{
	simtime_t t0 = know(), snap[COST_NKINDS];

	klist_del(&w->link);
	engine_cost_mark(snap);
	kern()->busy++;
	w->fn(w->arg);
	kern()->busy--;
	engine_cost_fold(snap, COST_HOUSEKEEPING);
	kernel_note_work(w->fn, know() - t0);
	if (w->ipi && --w->ipi->pending == 0 && w->ipi->caller != smp_processor_id())
		kernel_kick(w->ipi->caller, know());
	g_free(w);
}

/* Run every work item due on this CPU. */
void kernel_do_pending(void)
{
	GQueue *due;
	kwork_t *w;

	if (knative()) {
		native_do_pending();
		return;
	}
	due = &kern()->cpus[smp_processor_id()].due;
	while ((w = g_queue_pop_head(due))) {
		if (w->cancelled)
			drop_work(w);
		else
			run_work(w);
	}
}

/* Sleep until work arrives or someone kicks this CPU. */
void kernel_idle(void)
{
	struct kcpu *kc;

	if (knative()) {
		native_serve_work();
		return;
	}
	kc = &kern()->cpus[smp_processor_id()];
	if (!g_queue_is_empty(&kc->due))
		return;
	kc->sleep_gen++;                /* no earlier wake-up timer is ours */
	kc->idle = true;
	engine_block();
}

/* kernel_idle, in the idle loop. */
void kernel_idle_loop(void)
{
	struct kcpu *kc;

	if (knative()) {
		native_serve_work();
		return;
	}
	kc = &kern()->cpus[smp_processor_id()];
	kc->in_idle_loop = true;
	kernel_idle();
	kc->in_idle_loop = false;
}

/* Whether cpu sleeps in its idle loop. */
bool kernel_in_idle(int cpu)
{
	return !knative() && kern()->cpus[cpu].in_idle_loop;
}

static void sleep_timer(void *arg, simtime_t when)
{
	uintptr_t v = (uintptr_t)arg;
	int cpu = (int)(v >> 32);

	if (kern()->cpus[cpu].sleep_gen == (uint32_t)v)
		kernel_kick(cpu, when);
}

/* Sleep until `until`, or until work or an IPI arrives. */
static void sleep_until(simtime_t until)
{
	int cpu = smp_processor_id();
	struct kcpu *kc = &kern()->cpus[cpu];
	uintptr_t v = ((uintptr_t)cpu << 32) | ++kc->sleep_gen;

	engine_at(kern()->engine, until, sleep_timer, (void *)v);
	kc->idle = true;
	engine_block();
}

/* Compute for `ps`, charged to `kind`, interruptibly: delayed work and
 * IPIs that arrive meanwhile run at once (as housekeeping) and push the
 * end out by their duration.  When nothing else is due before the end,
 * the clock just moves on (no sleep, no timer, no switch). */
void kernel_compute(simtime_t ps, enum cost_kind kind)
{
	simtime_t left = ps, snap[COST_NKINDS];

	if (knative()) {
		native_compute(ps);
		return;
	}
	kernel_do_pending();
	while (left) {
		simtime_t t0 = know();

		if (engine_try_advance(left, kind)) {
			kern()->cpus[smp_processor_id()].sleep_gen++;   /* as sleep_until */
			kernel_do_pending();
			return;
		}
		engine_cost_mark(snap);
		sleep_until(t0 + left);
		engine_cost_fold(snap, kind);
		left -= MIN(left, know() - t0);
		kernel_do_pending();
	}
}

/* Run fn on every CPU (IPIs to the others) and wait for all of them. */
void on_each_cpu(kwork_fn fn, void *arg)
{
	int self = smp_processor_id();
	kipi_t ipi = { kern()->m->ncpus - 1, self };

	if (knative()) {
		native_on_each_cpu(fn, arg);
		return;
	}
	for (int cpu = 0; cpu < kern()->m->ncpus; cpu++)
		if (cpu != self)
			queue_work(cpu, know() + machine_xfer_price(kern()->m, self, cpu),
			           fn, arg, &ipi);
	fn(arg);
	while (ipi.pending > 0) {
		kernel_do_pending();
		if (ipi.pending > 0)
			kernel_idle();
	}
}

/* ---- debug ---- */

/* Stop the run on a detected misuse or corruption. */
void kbug(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (engine_current())
		g_printerr("slabsim: allocator check failed on cpu %d at %" G_GUINT64_FORMAT " ns: %s\n",
		           engine_current()->id, (guint64)(engine_current()->clock / PS_PER_NS), msg);
	else
		g_printerr("slabsim: allocator check failed: %s\n", msg);
	g_free(msg);
	/* _exit: the run is abandoned mid-fiber; skip atexit work (and the
	 * leak checker, which cannot see the host stack from here). */
	_exit(3);
}

/* ---- life cycle ---- */

/* Build the machine-side state of one run and make it current. */
kernel_t *kernel_new(const kernel_config_t *cfg)
{
	kernel_t *k = g_new0(kernel_t, 1);

	k->m = cfg->m;
	k->seed = cfg->seed;
	k->engine = engine_new(cfg->m->ncpus, cfg->cpu_main, cfg->cpu_main_arg);
	for (int i = 0; i < cfg->m->ncpus; i++) {
		cpu_t *c = engine_cpu(k->engine, i);
		c->node = cfg->m->cpu_node[i];
		c->socket = cfg->m->cpu_socket[i];
	}
	k->mem = mem_new(cfg->m);
	k->coh = cfg->native ? NULL : coh_new(cfg->m, k->mem);
	k->locks = lock_registry_new();
	lock_set_model(k->coh, cfg->m, cfg->seed);
	k->pa = pa_new(cfg->m, k->mem, k->coh, k->locks, &cfg->pa);
	k->meta = g_new0(struct kmeta, 1);
	k->meta->acct = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	k->meta->node_used = g_new0(uint64_t, cfg->m->nnodes);
	k->meta->node_backed = g_new0(uint64_t, cfg->m->nnodes);
	k->cpus = g_new0(struct kcpu, cfg->m->ncpus);
	k->work_sources = g_array_new(FALSE, TRUE, sizeof(kwork_source_t));
	klist_init(&k->works);
	percpu_init(k);
	k->at_free = g_array_new(FALSE, FALSE, sizeof(kfree_hook_t));
	sim_ctx()->kernel = k;
	if (cfg->native)
		native_init(k);
	return k;
}

/* Call fn(arg) when the current kernel is torn down. */
void kernel_at_free(void (*fn)(void *arg), void *arg)
{
	kfree_hook_t h = { fn, arg };

	g_array_append_val(kern()->at_free, h);
}

/* Round metadata as fn says (the booted allocator's kmalloc). */
void kernel_set_kmalloc_size(kmalloc_size_fn fn, void *ctx)
{
	kern()->kmalloc_size = fn;
	kern()->kmalloc_size_ctx = ctx;
}

/* Tear down a kernel made by kernel_new. */
void kernel_free(kernel_t *k)
{
	if (!k)
		return;
	while (!klist_empty(&k->works)) {
		kwork_t *w = klist_entry(k->works.next, kwork_t, link);
		klist_del(&w->link);
		g_free(w);
	}
	for (int i = 0; i < k->m->ncpus; i++)
		g_queue_clear(&k->cpus[i].due);
	g_free(k->cpus);
	g_free(k->pcpu_base);
	for (guint i = k->at_free->len; i-- > 0;) {
		kfree_hook_t *h = &g_array_index(k->at_free, kfree_hook_t, i);
		h->fn(h->arg);
	}
	g_array_free(k->at_free, TRUE);
	g_array_free(k->work_sources, TRUE);
	g_hash_table_destroy(k->meta->acct);
	g_free(k->meta->node_used);
	g_free(k->meta->node_backed);
	g_free(k->meta);
	if (k->native)
		native_free(k);
	pa_free(k->pa);
	lock_registry_free(k->locks);
	if (k->coh)
		coh_free(k->coh);
	mem_free(k->mem);
	engine_free(k->engine);
	if (kern() == k)
		*sim_ctx() = (sim_ctx_t){ 0 };
	g_free(k);
}
