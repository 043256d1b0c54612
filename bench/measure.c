/*
 * measure.c -- one shape measured: N timed runs of the slabsim binary as a
 * child process (CPU time and peak RSS from wait4), and optionally one run
 * under callgrind for the instruction count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <json-glib/json-glib.h>
#include "bench.h"

/* The command line of one run of shape s (allocator alloc) writing to
 * outdir, after `prefix` (the callgrind command, or nothing); trace: the
 * trace a replay shape replays, or NULL. */
static GPtrArray *command(const bench_opts_t *o, const bench_shape_t *s, const char *alloc,
                          const char *outdir, const char *trace, const char *const *prefix)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; prefix && prefix[i]; i++)
		g_ptr_array_add(a, g_strdup(prefix[i]));
	g_ptr_array_add(a, g_strdup(o->bin));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_build_filename(o->root, s->scenario, NULL));
	if (alloc) {
		g_ptr_array_add(a, g_strdup("-a"));
		g_ptr_array_add(a, g_strdup(alloc));
	}
	for (int i = 0; s->sets[i]; i++) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strdup(s->sets[i]));
	}
	if (trace) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strconcat("workload.trace=", trace, NULL));
	}
	if (s->jobs > 0 || o->jobs > 0)
		g_ptr_array_add(a, g_strdup_printf("--jobs=%d", s->jobs > 0 ? s->jobs : o->jobs));
	if (!s->plots)
		g_ptr_array_add(a, g_strdup("--no-plots"));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("--out"));
	g_ptr_array_add(a, g_strdup(outdir));
	g_ptr_array_add(a, NULL);
	return a;
}

/* The command as results.json shows it: the scenario from the root, the
 * scratch directory as DIR. */
static char *display(GPtrArray *cmd, const bench_opts_t *o, const char *dir)
{
	GString *g = g_string_new("slabsim");
	char *prefix = g_strconcat(o->root, "/", NULL);

	for (guint i = 1; i + 1 < cmd->len; i++) {
		const char *w = cmd->pdata[i];
		const char *in = dir ? strstr(w, dir) : NULL;

		g_string_append_c(g, ' ');
		if (in) {
			g_string_append_len(g, w, in - w);
			g_string_append(g, "DIR");
			g_string_append(g, in + strlen(dir));
		} else {
			g_string_append(g, g_str_has_prefix(w, prefix) ? w + strlen(prefix) : w);
		}
	}
	g_free(prefix);
	return g_string_free(g, FALSE);
}

/* Run argv with its output discarded; its CPU seconds (user + system,
 * its reaped children included) and peak RSS in MiB. */
static gboolean spawn(char **argv, double *cpu, double *rss_mib, GError **err)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "fork: %s", g_strerror(errno));
		return FALSE;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *cmd = g_strjoinv(" ", argv);
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "failed (status %d): %s", status, cmd);
		g_free(cmd);
		return FALSE;
	}
	*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	*rss_mib = (double)ru.ru_maxrss / 1024.0;
	return TRUE;
}

/* Allocations plus frees of every allocator in outdir/results.json, and
 * the trace events they replayed (workload counter replay.events, 0
 * without). */
static gboolean read_ops(const char *outdir, uint64_t *ops, uint64_t *events, GError **err)
{
	char *path = g_build_filename(outdir, "results.json", NULL);
	JsonParser *p = json_parser_new();
	gboolean ok = json_parser_load_from_file(p, path, err);

	*ops = *events = 0;
	if (ok) {
		JsonObject *all = json_object_get_object_member(
			json_node_get_object(json_parser_get_root(p)), "allocators");
		GList *names = json_object_get_members(all);

		for (GList *n = names; n; n = n->next) {
			JsonObject *a = json_object_get_object_member(all, n->data);
			JsonObject *opsobj = json_object_get_object_member(a, "ops");
			JsonObject *wc = json_object_get_object_member(a, "workload_counters");

			*ops += (uint64_t)json_object_get_int_member(opsobj, "alloc") +
			        (uint64_t)json_object_get_int_member(opsobj, "free");
			if (wc)
				*events += (uint64_t)json_object_get_int_member_with_default(wc, "replay.events", 0);
		}
		g_list_free(names);
	}
	g_object_unref(p);
	g_free(path);
	return ok;
}

/* The total instruction count of a callgrind output file. */
static gboolean read_ir(const char *path, double *ir, GError **err)
{
	char *text = NULL;
	gboolean ok = g_file_get_contents(path, &text, NULL, err);
	char **lines = ok ? g_strsplit(text, "\n", -1) : NULL;

	for (int i = 0; lines && lines[i]; i++)
		if (g_str_has_prefix(lines[i], "summary: ") || g_str_has_prefix(lines[i], "totals: ")) {
			*ir = g_ascii_strtod(strchr(lines[i], ' ') + 1, NULL);
			break;
		}
	g_strfreev(lines);
	g_free(text);
	return ok;
}

static int cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(GArray *v)
{
	GArray *s = g_array_sized_new(FALSE, FALSE, sizeof(double), v->len);
	double m;

	g_array_append_vals(s, v->data, v->len);
	g_array_sort(s, cmp_double);
	m = s->len % 2 ? g_array_index(s, double, s->len / 2)
	               : (g_array_index(s, double, s->len / 2 - 1) + g_array_index(s, double, s->len / 2)) / 2;
	g_array_free(s, TRUE);
	return m;
}

/* Remove path and everything under it (true: done, or nothing there). */
static gboolean remove_tree(const char *path)
{
	char *rm[] = { "rm", "-rf", (char *)path, NULL };
	int status = 0;

	return g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
	       status == 0;
}

/* One run under callgrind (its output in dir, the results in out):
 * instructions per operation. */
static gboolean measure_ir(const bench_opts_t *o, const bench_shape_t *s, const char *alloc,
                           const char *dir, const char *out, bench_result_t *r, GError **err)
{
	char *cg = g_build_filename(dir, "callgrind.out", NULL);
	char *opt = g_strdup_printf("--callgrind-out-file=%s", cg);
	const char *prefix[] = { "valgrind", "--tool=callgrind", opt, NULL };
	char *trace = s->trace_scenario ? g_build_filename(dir, "trace.gz", NULL) : NULL;
	GPtrArray *cmd = command(o, s, alloc, out, trace, prefix);
	double cpu, rss, ir = 0;
	gboolean ok = spawn((char **)cmd->pdata, &cpu, &rss, err) && read_ir(cg, &ir, err);

	if (ok)
		r->ir_per_op = r->ops ? ir / (double)r->ops : 0;
	g_ptr_array_free(cmd, TRUE);
	g_free(trace);
	g_free(opt);
	g_free(cg);
	return ok;
}

/* For a replay shape: its trace written to `trace` by one untimed SLUB
 * run of the shape's trace scenario (results in dir/gen). */
static gboolean make_trace(const bench_opts_t *o, const bench_shape_t *s, const char *dir,
                           const char *trace, GError **err)
{
	bench_shape_t gen = { .name = s->name, .scenario = s->trace_scenario };
	char *out = g_build_filename(dir, "gen", NULL);
	GPtrArray *cmd;
	double cpu, rss;
	gboolean ok;

	memcpy(gen.sets, s->trace_sets, sizeof gen.sets);
	cmd = command(o, &gen, "slub", out, NULL, NULL);
	g_ptr_array_insert(cmd, (gint)cmd->len - 1, g_strdup("--trace-out"));
	g_ptr_array_insert(cmd, (gint)cmd->len - 1, g_strdup(trace));
	ok = spawn((char **)cmd->pdata, &cpu, &rss, err) && remove_tree(out);
	g_ptr_array_free(cmd, TRUE);
	g_free(out);
	return ok;
}

bench_result_t *bench_measure(const bench_opts_t *o, const bench_shape_t *s, const char *alloc,
                              GError **err)
{
	bench_result_t *r = g_new0(bench_result_t, 1);
	char *dir = g_dir_make_tmp("slabsim-bench-XXXXXX", err);
	char *out = dir ? g_build_filename(dir, "out", NULL) : NULL;
	char *trace = dir && s->trace_scenario ? g_build_filename(dir, "trace.gz", NULL) : NULL;
	GPtrArray *cmd;
	gboolean ok = dir != NULL && (!trace || make_trace(o, s, dir, trace, err));

	alloc = alloc ? alloc : s->alloc;
	r->shape = g_strdup(s->name);
	r->alloc = g_strdup(alloc ? alloc : "all");
	r->cpu = g_array_new(FALSE, FALSE, sizeof(double));
	r->ir_per_op = -1;
	cmd = command(o, s, alloc, out ? out : "", trace, NULL);
	r->command = display(cmd, o, dir);
	for (int i = 0; ok && i < o->runs; i++) {
		double cpu, rss;

		ok = remove_tree(out) && spawn((char **)cmd->pdata, &cpu, &rss, err);
		if (ok) {
			g_array_append_val(r->cpu, cpu);
			r->rss_mib = MAX(r->rss_mib, rss);
		}
	}
	ok = ok && read_ops(out, &r->ops, &r->events, err);
	if (ok && o->instructions)
		ok = remove_tree(out) && measure_ir(o, s, alloc, dir, out, r, err);
	if (ok)
		r->cpu_median = median(r->cpu);
	g_ptr_array_free(cmd, TRUE);
	if (dir)
		remove_tree(dir);
	g_free(trace);
	g_free(out);
	g_free(dir);
	if (!ok) {
		bench_result_free(r);
		return NULL;
	}
	return r;
}

void bench_result_free(bench_result_t *r)
{
	if (!r)
		return;
	g_free(r->shape);
	g_free(r->alloc);
	g_free(r->command);
	g_array_free(r->cpu, TRUE);
	g_free(r);
}
