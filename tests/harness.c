/*
 * harness.c -- test fixtures (see harness.h).
 */
#include <stdarg.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include "harness.h"
#include "native.h"

machine_t *harness_machine(int ncpus, int nnodes, int mem_mib)
{
	machine_t *m = g_new0(machine_t, 1);

	m->name = g_strdup("harness");
	m->description = g_strdup("test machine");
	m->ncpus = ncpus;
	m->nnodes = nnodes;
	m->nsockets = nnodes;
	m->nr_cpus = ncpus;
	m->max_numnodes = nnodes;
	m->page_size = 4096;
	m->page_shift = 12;
	m->cache_line = 64;
	m->hz = 250;
	m->line_shift = 6;
	m->mem_per_node = (uint64_t)mem_mib << 20;
	m->cache_lines = 1024;
	m->cache_ways = 8;
	m->cpu_node = g_new(int, ncpus);
	m->cpu_socket = g_new(int, ncpus);
	m->node_first_cpu = g_new(int, nnodes);
	for (int i = 0; i < ncpus; i++)
		m->cpu_node[i] = m->cpu_socket[i] = i / (ncpus / nnodes);
	for (int n = 0; n < nnodes; n++)
		m->node_first_cpu[n] = n * (ncpus / nnodes);
	m->distance = g_new(uint8_t, nnodes * nnodes);
	for (int a = 0; a < nnodes; a++)
		for (int b = 0; b < nnodes; b++)
			m->distance[a * nnodes + b] = a == b ? 10 : 20;
	m->hit = 1 * PS_PER_NS;
	m->llc = 10 * PS_PER_NS;
	m->xfer_socket = 20 * PS_PER_NS;
	m->xfer_remote = 100 * PS_PER_NS;
	m->xfer_per_distance = 2 * PS_PER_NS;
	m->mem_local = 60 * PS_PER_NS;
	m->mem_per_distance = 4 * PS_PER_NS;
	m->rmw = 5 * PS_PER_NS;
	m->inval = 3 * PS_PER_NS;
	m->op = 2 * PS_PER_NS;
	m->irq = 2 * PS_PER_NS;
	return m;
}

void harness_set_distance(machine_t *m, int a, int b, uint8_t d)
{
	m->distance[a * m->nnodes + b] = m->distance[b * m->nnodes + a] = d;
}

void *harness_a;
const allocator_ops_t *harness_ops;

typedef struct job {
	const int *cpus;
	int n;
	void (*fn)(void *, int);
	void *arg;
	const long *tunables;
	int booted;
} job_t;

static void harness_main(cpu_t *cpu, void *arg)
{
	job_t *j = arg;

	if (cpu->id == j->cpus[0] && !j->booted) {
		if (harness_ops)
			harness_a = allocator_boot(harness_ops, j->tunables);
		j->booted = 1;
		for (int i = 1; i < j->n; i++)
			engine_wake(engine_cpu(kern()->engine, j->cpus[i]), cpu->clock, COST_IDLE);
	}
	j->fn(j->arg, cpu->id);
}

static long *default_tunables(const allocator_ops_t *ops)
{
	int n = 0;

	while (ops && ops->tunables && ops->tunables[n].name)
		n++;
	long *t = g_new0(long, n + 1);
	for (int i = 0; i < n; i++)
		t[i] = ops->tunables[i].def;
	return t;
}

/* Defaults, then each (name, value) pair. */
long *harness_tunables(const allocator_ops_t *ops, ...)
{
	long *t = default_tunables(ops);
	const char *name;
	va_list ap;

	va_start(ap, ops);
	while ((name = va_arg(ap, const char *))) {
		long v = va_arg(ap, long);
		int i = 0;

		while (ops->tunables[i].name && strcmp(ops->tunables[i].name, name))
			i++;
		g_assert_nonnull(ops->tunables[i].name);
		t[i] = v;
	}
	va_end(ap);
	return t;
}

static job_t *current_job;
static long *current_tunables;

kernel_t *harness_kernel(machine_t *m, const allocator_ops_t *ops,
                         const long *tunables, const pa_config_t *pa)
{
	kernel_config_t cfg = { 0 };
	pa_config_t none = { 0 };

	current_job = g_new0(job_t, 1);
	current_tunables = default_tunables(ops);
	current_job->tunables = tunables ? tunables : current_tunables;
	harness_ops = ops;
	harness_a = NULL;
	cfg.m = m;
	cfg.seed = 1;
	cfg.pa = pa ? *pa : none;
	cfg.cpu_main = harness_main;
	cfg.cpu_main_arg = current_job;
	return kernel_new(&cfg);
}

void harness_run_many(kernel_t *k, const int *cpus, int n,
                      void (*fn)(void *, int), void *arg)
{
	current_job->cpus = cpus;
	current_job->n = n;
	current_job->fn = fn;
	current_job->arg = arg;
	if (current_job->booted) {
		for (int i = 0; i < n; i++)
			engine_wake(engine_cpu(k->engine, cpus[i]),
			            engine_cpu(k->engine, cpus[i])->clock, COST_IDLE);
	} else {
		engine_wake(engine_cpu(k->engine, cpus[0]), 0, COST_IDLE);
	}
	engine_run(k->engine, SIMTIME_MAX);
}

typedef struct one {
	void (*fn)(void *);
	void *arg;
} one_t;

static void run_one(void *arg, int cpu)
{
	one_t *o = arg;
	(void)cpu;
	o->fn(o->arg);
}

simtime_t harness_run_on(kernel_t *k, int cpu, void (*fn)(void *), void *arg)
{
	one_t o = { fn, arg };
	int cpus[1] = { cpu };

	harness_run_many(k, cpus, 1, run_one, &o);
	return engine_cpu(k->engine, cpu)->clock;
}

void harness_free(kernel_t *k, machine_t *m)
{
	if (harness_ops)
		allocator_shutdown(harness_ops, harness_a);
	harness_ops = NULL;
	harness_a = NULL;
	kernel_free(k);
	g_free(current_job);
	g_free(current_tunables);
	current_job = NULL;
	current_tunables = NULL;
	machine_free(m);
}

static void nothing(void *arg)
{
	(void)arg;
}

uint64_t harness_boot(kernel_t *k)
{
	harness_run_on(k, 0, nothing, NULL);
	return harness_pages_in_use();
}

typedef struct served {
	void (*fn)(void *);
	void *arg;
	bool done;
} served_t;

static void served_body(void *arg, int cpu)
{
	served_t *sv = arg;

	if (cpu != 0) {
		while (!sv->done) {
			kernel_do_pending();
			if (!sv->done)
				kernel_idle();
		}
		return;
	}
	sv->fn(sv->arg);
	sv->done = true;
	for (int c = 1; c < kern()->m->ncpus; c++)
		kernel_kick(c, know());
}

void harness_run_served(kernel_t *k, void (*fn)(void *), void *arg)
{
	served_t sv = { fn, arg, false };
	int *cpus = g_new(int, k->m->ncpus);

	for (int c = 0; c < k->m->ncpus; c++)
		cpus[c] = c;
	harness_run_many(k, cpus, k->m->ncpus, served_body, &sv);
	g_free(cpus);
}

void harness_pass_time(simtime_t ps)
{
	engine_charge(COST_IDLE, ps);
	engine_sync();
	kernel_do_pending();
}

static bool rcu_waits(void)
{
	const rcu_stats_t *st = rcu_stats();

	return st->waiting[RCU_OBJECT] || st->waiting[RCU_SLAB];
}

static void rcu_barrier_body(void *arg, int cpu)
{
	(void)arg;
	(void)cpu;
	while (rcu_waits())
		harness_pass_time(jiffies_delay(1));
}

void harness_rcu_barrier(kernel_t *k)
{
	int *cpus = g_new(int, k->m->ncpus);

	for (int c = 0; c < k->m->ncpus; c++)
		cpus[c] = c;
	harness_run_many(k, cpus, k->m->ncpus, rcu_barrier_body, NULL);
	g_free(cpus);
}

uint64_t harness_rcu_slab_pages(void)
{
	return rcu_stats()->waiting_bytes[RCU_SLAB] / (uint64_t)kpage_size();
}

const kwork_source_t *harness_work_source(const char *label)
{
	GArray *a = kern()->work_sources;

	for (guint i = 0; i < a->len; i++)
		if (strcmp(g_array_index(a, kwork_source_t, i).label, label) == 0)
			return &g_array_index(a, kwork_source_t, i);
	return NULL;
}

/* ---- the native backend ---- */

kernel_t *harness_native_kernel(machine_t *m, const allocator_ops_t *ops, const long *tunables)
{
	kernel_config_t cfg = { .m = m, .seed = 1, .native = true };
	kernel_t *k;

	current_job = g_new0(job_t, 1);
	current_tunables = default_tunables(ops);
	harness_ops = ops;
	k = kernel_new(&cfg);
	vmstat_start();
	harness_a = ops ? allocator_boot(ops, tunables ? tunables : current_tunables) : NULL;
	return k;
}

typedef struct nthread {
	kernel_t *k;
	int cpu, index, n;
	void (*fn)(void *, int);
	void *arg;
	int *finished;           /* atomic: threads whose fn returned */
} nthread_t;

static void *native_body(void *arg)
{
	nthread_t *t = arg;
	unsigned spins = 0;

	native_enter(t->k, t->cpu);
	native_pin(t->index);
	t->fn(t->arg, t->cpu);
	__atomic_fetch_add(t->finished, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(t->finished, __ATOMIC_ACQUIRE) < t->n) {
		native_serve_work();
		native_cpu_relax(&spins);
	}
	native_leave();
	return NULL;
}

void harness_native_run(kernel_t *k, const int *cpus, int n, void (*fn)(void *, int), void *arg)
{
	nthread_t *t = g_new0(nthread_t, n);
	pthread_t *tid = g_new(pthread_t, n);
	int finished = 0;

	for (int i = 0; i < n; i++) {
		t[i] = (nthread_t){ k, cpus[i], i, n, fn, arg, &finished };
		g_assert_cmpint(pthread_create(&tid[i], NULL, native_body, &t[i]), ==, 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	g_free(tid);
	g_free(t);
}

typedef struct nserved {
	void (*fn)(void *);
	void *arg;
} nserved_t;

static void nserved_body(void *arg, int cpu)
{
	nserved_t *sv = arg;

	if (cpu == 0)
		sv->fn(sv->arg);
}

void harness_native_served(kernel_t *k, void (*fn)(void *), void *arg)
{
	nserved_t sv = { fn, arg };
	int *cpus = g_new(int, k->m->ncpus);

	for (int c = 0; c < k->m->ncpus; c++)
		cpus[c] = c;
	harness_native_run(k, cpus, k->m->ncpus, nserved_body, &sv);
	g_free(cpus);
}

/* Until this CPU's callbacks have run (the others keep passing quiescent
 * states meanwhile, and after, until all return). */
static void native_rcu_body(void *arg, int cpu)
{
	unsigned spins = 0;

	(void)arg;
	(void)cpu;
	while (native_rcu_waiting_here()) {
		native_serve_work();
		native_cpu_relax(&spins);
	}
}

void harness_native_rcu_barrier(kernel_t *k)
{
	int *cpus = g_new(int, k->m->ncpus);

	for (int c = 0; c < k->m->ncpus; c++)
		cpus[c] = c;
	harness_native_run(k, cpus, k->m->ncpus, native_rcu_body, NULL);
	g_free(cpus);
}

uint64_t harness_pages_in_use(void)
{
	return pa_stats(kern()->pa)->pages_in_use;
}

uint64_t harness_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- the command line ---- */

harness_result_t harness_slabsim_env(char **envp, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	const char *bin = g_getenv("SLABSIM_BIN");
	harness_result_t r = { 0 };
	GError *e = NULL;
	int wait;

	g_assert_nonnull(bin);
	g_ptr_array_add(argv, (char *)bin);
	for (int i = 0; args[i]; i++)
		g_ptr_array_add(argv, (char *)args[i]);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
	                           &r.out, &r.err, &wait, &e));
	g_assert_no_error(e);
	r.status = WIFEXITED(wait) ? WEXITSTATUS(wait) : 128;
	g_ptr_array_free(argv, TRUE);
	return r;
}

harness_result_t harness_slabsim_limited(const char *bin, char **extra_env, int seconds,
                                         unsigned long long as_bytes, const char *const *args)
{
	char *dir = g_dir_make_tmp("slabsim-limited-XXXXXX", NULL);
	char *fo = g_build_filename(dir, "out", NULL), *fe = g_build_filename(dir, "err", NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	harness_result_t r = { 0 };
	GPtrArray *argv = g_ptr_array_new();
	int wstatus = 0;
	pid_t pid;

	g_ptr_array_add(argv, (char *)(bin ? bin : g_getenv("SLABSIM_BIN")));
	g_assert_nonnull(argv->pdata[0]);
	for (int i = 0; args[i]; i++)
		g_ptr_array_add(argv, (char *)args[i]);
	g_ptr_array_add(argv, NULL);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		int o = open(fo, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(fe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		for (int i = 0; extra_env && extra_env[i]; i++)
			putenv(extra_env[i]);
		if (as_bytes) {
			struct rlimit rl = { as_bytes, as_bytes };
			setrlimit(RLIMIT_AS, &rl);
		}
		dup2(o, 1);
		dup2(e, 2);
		execv(argv->pdata[0], (char **)argv->pdata);
		_exit(127);
	}
	while (waitpid(pid, &wstatus, WNOHANG) == 0) {
		if (g_get_monotonic_time() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			wstatus = -1;
			break;
		}
		g_usleep(20000);
	}
	r.status = wstatus == -1 ? -1 : WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	g_file_get_contents(fo, &r.out, NULL, NULL);
	g_file_get_contents(fe, &r.err, NULL, NULL);
	g_ptr_array_free(argv, TRUE);
	g_unlink(fo);
	g_unlink(fe);
	g_rmdir(dir);
	g_free(fo);
	g_free(fe);
	g_free(dir);
	return r;
}

void harness_result_free(harness_result_t *r)
{
	g_free(r->out);
	g_free(r->err);
}

void harness_expect_error(harness_result_t r, int status, const char *n1, const char *n2)
{
	if (r.status != status || !strstr(r.err, n1) || (n2 && !strstr(r.err, n2)))
		g_test_message("status %d, stderr: %s", r.status, r.err);
	g_assert_cmpint(r.status, ==, status);
	g_assert_nonnull(strstr(r.err, n1));
	if (n2)
		g_assert_nonnull(strstr(r.err, n2));
	harness_result_free(&r);
}

char *harness_read_text(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL), *text = NULL;

	g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
	g_free(p);
	return text;
}

char *harness_all_allocators(void)
{
	harness_result_t r = harness_slabsim("list", "allocators");
	char **lines = g_strsplit(r.out, "\n", -1);
	GString *s = g_string_new(NULL);

	g_assert_cmpint(r.status, ==, 0);
	for (int i = 1; lines[i]; i++) {
		char **w = g_strsplit_set(g_strstrip(lines[i]), " \t", 2);
		if (w[0] && *w[0])
			g_string_append_printf(s, "%s%s", s->len ? "," : "", w[0]);
		g_strfreev(w);
	}
	g_strfreev(lines);
	harness_result_free(&r);
	g_assert_cmpuint(s->len, >, 0);
	return g_string_free(s, FALSE);
}

JsonNode *harness_run_scenario(const char *scenario, const char *dir, ...)
{
	GPtrArray *argv = g_ptr_array_new();
	const char *bin = g_getenv("SLABSIM_BIN"), *arg;
	char *out = NULL, *err = NULL, *path;
	JsonParser *p = json_parser_new();
	GError *e = NULL;
	JsonNode *root;
	int status = 0;
	va_list ap;

	const char *head[] = { bin, "run", scenario, "--quiet", "--no-plots", "--force", "--out", dir };

	g_assert_nonnull(bin);
	for (guint i = 0; i < G_N_ELEMENTS(head); i++)
		g_ptr_array_add(argv, (char *)head[i]);
	va_start(ap, dir);
	while ((arg = va_arg(ap, const char *)))
		g_ptr_array_add(argv, (char *)arg);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                           &out, &err, &status, &e));
	g_assert_no_error(e);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("slabsim run %s failed: %s", scenario, err);
	path = g_build_filename(dir, "results.json", NULL);
	g_assert_true(json_parser_load_from_file(p, path, &e));
	g_assert_no_error(e);
	root = json_node_copy(json_parser_get_root(p));
	g_object_unref(p);
	g_ptr_array_free(argv, TRUE);
	g_free(path);
	g_free(out);
	g_free(err);
	return root;
}

/* Its own key first, else a scan of the aliases lists. */
JsonObject *harness_cache_entry(JsonObject *caches, const char *name)
{
	GList *names = json_object_get_members(caches);
	JsonObject *found = json_object_has_member(caches, name) ?
	                    json_object_get_object_member(caches, name) : NULL;

	for (GList *l = names; !found && l; l = l->next) {
		JsonObject *c = json_object_get_object_member(caches, l->data);
		JsonArray *al = json_object_has_member(c, "aliases") ?
		                json_object_get_array_member(c, "aliases") : NULL;

		for (guint i = 0; al && i < json_array_get_length(al); i++)
			if (strcmp(json_array_get_string_element(al, i), name) == 0)
				found = c;
	}
	g_list_free(names);
	return found;
}

double harness_num(JsonNode *root, const char *path)
{
	char **seg = g_strsplit(path, "/", -1);
	JsonNode *n = root;

	for (int i = 0; seg[i]; i++) {
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		if (!o || !json_object_has_member(o, seg[i]))
			g_error("results.json has no %s (at '%s')", path, seg[i]);
		n = json_object_get_member(o, seg[i]);
	}
	g_strfreev(seg);
	if (!JSON_NODE_HOLDS_VALUE(n))
		g_error("results.json: %s is not a number", path);
	return json_node_get_value_type(n) == G_TYPE_INT64 ? (double)json_node_get_int(n)
	                                                   : json_node_get_double(n);
}

/* Remove dir and everything under it (test scratch space). */
void harness_rm_rf(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			harness_rm_rf(p);
		else
			g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

/* Expect the GTest subprocess to stop in kbug() with `pattern` on stderr. */
void harness_trap_kbug(const char *pattern)
{
	char *saved = g_strdup(g_getenv("LSAN_OPTIONS"));

	g_setenv("LSAN_OPTIONS", "detect_leaks=0", TRUE);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	if (saved)
		g_setenv("LSAN_OPTIONS", saved, TRUE);
	else
		g_unsetenv("LSAN_OPTIONS");
	g_free(saved);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr(pattern);
}

/* ---- the booted allocator ---- */

cache_info_t harness_cache_info(kmem_cache_t *s)
{
	cache_info_t ci;

	harness_ops->cache_info(harness_a, s, &ci);
	return ci;
}

kmem_cache_t *harness_find_cache(const char *name)
{
	const allocator_ops_t *ops = harness_ops;

	for (int i = 0; i < ops->ncaches(harness_a); i++) {
		kmem_cache_t *s = ops->cache_at(harness_a, i);

		if (strcmp(harness_cache_info(s).name, name) == 0)
			return s;
	}
	return NULL;
}

typedef struct meta_q {
	const char *owner, *category;
	uint64_t bytes;
} meta_q_t;

static void meta_visit(void *ctx, const char *owner, const char *category, uint64_t bytes)
{
	meta_q_t *q = ctx;

	if (strcmp(owner, q->owner) == 0 && strcmp(category, q->category) == 0)
		q->bytes = bytes;
}

uint64_t harness_meta(const char *owner, const char *category)
{
	meta_q_t q = { owner, category, 0 };

	kmeta_foreach(meta_visit, &q);
	return q.bytes;
}

void harness_collect_stat(void *ctx, const char *name, uint64_t value)
{
	g_hash_table_insert(ctx, g_strdup(name), g_memdup2(&value, sizeof(value)));
}

static void append_name(void *ctx, const char *name, uint64_t value)
{
	(void)value;
	g_string_append_printf(ctx, "%s ", name);
}

char *harness_stat_names(void)
{
	GString *names = g_string_new(NULL);

	harness_ops->stats(harness_a, append_name, names);
	return g_string_free(names, FALSE);
}

void harness_shrink_all(void)
{
	for (int i = harness_ops->ncaches(harness_a) - 1; i >= 0; i--)
		harness_ops->shrink(harness_a, harness_ops->cache_at(harness_a, i));
}

uint64_t harness_stat(const char *name)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	uint64_t *p, v;

	harness_ops->stats(harness_a, harness_collect_stat, h);
	p = g_hash_table_lookup(h, name);
	if (!p)
		g_error("the allocator has no counter %s", name);
	v = *p;
	g_hash_table_destroy(h);
	return v;
}

/* ---- the debug checks every allocator has ---- */

void harness_run_alone(const allocator_ops_t *ops, void (*body)(void *), void *arg)
{
	machine_t *m = harness_machine(1, 1, 16);
	kernel_t *k = harness_kernel(m, ops, NULL, NULL);

	harness_run_on(k, 0, body, arg);
	harness_free(k, m);
}

static saddr_t kmalloc64(void)
{
	return harness_ops->kmalloc(harness_a, 64, 0, -1);
}

static void double_free_body(void *arg)
{
	saddr_t keep = kmalloc64(), x = kmalloc64();

	(void)arg;
	(void)keep;
	harness_ops->kfree(harness_a, x);
	harness_ops->kfree(harness_a, x);
}

static void foreign_body(void *arg)
{
	(void)arg;
	harness_ops->kfree(harness_a, kmalloc64() + 16);
}

/* Every word of the freed object is overwritten: the free pointer is
 * among them wherever the allocator keeps it (the first word, or the
 * middle one as Linux 6.x SLUB does). */
static void corrupt_body(void *arg)
{
	saddr_t x = kmalloc64();

	(void)arg;
	harness_ops->kfree(harness_a, x);
	for (saddr_t off = 0; off < 64; off += 8)
		kstore64(x + off, 0xdead0000);
	kmalloc64();
}

typedef struct debug_case {
	const allocator_ops_t *ops;
	void (*body)(void *);
	const char *pattern;
} debug_case_t;

/* Registered cases live as long as the program (GTest keeps pointers). */
static GPtrArray *debug_cases;

static void debug_test(gconstpointer data)
{
	const debug_case_t *c = data;

	if (g_test_subprocess()) {
		harness_run_alone(c->ops, c->body, NULL);
		return;
	}
	harness_trap_kbug(c->pattern);
}

void harness_add_debug_tests(const char *prefix, const allocator_ops_t *ops, bool freelist)
{
	static const struct { const char *name, *pattern; void (*body)(void *); } all[] = {
		{ "double-free", "*double free*", double_free_body },
		{ "foreign-pointer", "*foreign pointer*", foreign_body },
		{ "freelist-corruption", "*freelist corrupted*", corrupt_body },
	};

	if (!debug_cases)
		debug_cases = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < (freelist ? 3 : 2); i++) {
		char *path = g_strdup_printf("%s/%s", prefix, all[i].name);
		debug_case_t *c = g_new(debug_case_t, 1);

		*c = (debug_case_t){ ops, all[i].body, all[i].pattern };
		g_ptr_array_add(debug_cases, c);
		g_test_add_data_func(path, c, debug_test);
		g_free(path);
	}
}

/* ---- the owner of a cache's objects ---- */

int harness_owner_handle(const harness_owner_t *o, saddr_t x)
{
	for (int i = 0; i < o->n; i++)
		if (o->h[i] == x)
			return i;
	g_error("the owner holds no object %#" G_GINT64_MODIFIER "x", x);
}

static bool owner_get_reference(void *ctx, kmem_cache_t *s, saddr_t x)
{
	harness_owner_t *o = ctx;

	g_assert_true(s == o->s);
	harness_owner_handle(o, x);     /* the allocator only asks about live objects */
	if (x == o->pinned)
		return false;
	o->refs++;
	return true;
}

static void owner_put_reference(void *ctx, kmem_cache_t *s, saddr_t x)
{
	harness_owner_t *o = ctx;

	(void)s;
	(void)x;
	o->refs--;
}

static kick_result_t owner_kick(void *ctx, kmem_cache_t *s, saddr_t x)
{
	harness_owner_t *o = ctx;

	(void)s;
	o->kicks++;
	o->refs--;
	if (o->answer == KICK_RECLAIM)
		o->h[harness_owner_handle(o, x)] = 0;
	return o->answer;
}

static void owner_moved(void *ctx, kmem_cache_t *s, saddr_t old, saddr_t new_obj)
{
	harness_owner_t *o = ctx;

	(void)s;
	g_assert_true(virt_to_page(new_obj) != virt_to_page(old));
	o->moves++;
	o->h[harness_owner_handle(o, old)] = new_obj;
}

const slab_ops_t harness_owner_ops = {
	.get_reference = owner_get_reference,
	.put_reference = owner_put_reference,
	.kick_object = owner_kick,
	.moved = owner_moved,
};

void harness_owner_fill(const harness_owner_t *o, int i)
{
	for (size_t off = 0; off + 8 <= o->objsize; off += 8)
		kstore64(o->h[i] + off, o->magic ^ (uint64_t)i);
}

void harness_owner_alloc(harness_owner_t *o, int n)
{
	o->n = n;
	o->h = g_new0(saddr_t, n);
	for (int i = 0; i < n; i++) {
		o->h[i] = harness_ops->cache_alloc(harness_a, o->s, 0, -1);
		g_assert_cmpuint(o->h[i], !=, 0);
		harness_owner_fill(o, i);
	}
}

void harness_owner_free_random(harness_owner_t *o, int nfree, uint64_t seed)
{
	int *idx = g_new(int, o->n);

	for (int i = 0; i < o->n; i++)
		idx[i] = i;
	for (int i = o->n - 1; i > 0; i--) {
		int j = (int)(harness_rand(&seed) % (uint64_t)(i + 1)), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
	for (int i = 0; i < nfree; i++) {
		harness_ops->cache_free(harness_a, o->s, o->h[idx[i]]);
		o->h[idx[i]] = 0;
	}
	g_free(idx);
}

void harness_owner_check(const harness_owner_t *o)
{
	for (int i = 0; i < o->n; i++)
		for (size_t off = 0; o->h[i] && off + 8 <= o->objsize; off += 8)
			g_assert_cmphex(kload64(o->h[i] + off), ==, o->magic ^ (uint64_t)i);
}

/* A fresh slab's free pointers stay host-side (allocators that keep them
 * so: SLUB, slub-6, the Slabifier, SLQB): allocating every object of a new
 * slab of harness_ops follows the chain in address order, yet no free
 * pointer word was written to simulated memory (the host memory behind it
 * is still zero), and the audit counts the host-side rest as free; a free
 * stores its pointer for real (x5, freed after x3, names it: the
 * allocators' per-CPU freelists are LIFO), and only there.  Run it with
 * harness_run_on; arg is unused. */
void harness_fresh_slab_body(void *arg)
{
	const allocator_ops_t *ops = harness_ops;
	kmem_cache_t *s = ops->cache_create(harness_a, "fresh", 256, 0, 0, NULL);
	unsigned n = harness_cache_info(s).objects_per_slab;
	saddr_t x[64];
	uint64_t word;

	(void)arg;
	g_assert_cmpuint(n, <=, G_N_ELEMENTS(x));
	for (unsigned i = 0; i < n; i++) {
		x[i] = ops->cache_alloc(harness_a, s, 0, -1);
		g_assert_cmpuint(x[i], ==, x[0] + (saddr_t)i * 256);
		ops->audit(harness_a);
	}
	for (unsigned i = 0; i < n; i++) {
		memcpy(&word, mem_host(kern()->mem, x[i]), 8);     /* offset 0: no ctor */
		g_assert_cmpuint(word, ==, 0);
	}
	ops->cache_free(harness_a, s, x[3]);
	ops->cache_free(harness_a, s, x[5]);
	memcpy(&word, mem_host(kern()->mem, x[5]), 8);
	g_assert_cmpuint(word, ==, x[3]);
	memcpy(&word, mem_host(kern()->mem, x[4]), 8);
	g_assert_cmpuint(word, ==, 0);
	ops->audit(harness_a);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, x[5]);
	g_assert_cmpuint(ops->cache_alloc(harness_a, s, 0, -1), ==, x[3]);
}
