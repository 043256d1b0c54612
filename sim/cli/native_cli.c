/*
 * native_cli.c -- the host's machine profile, native runs and their
 * provenance, for `run --native` and `check-model` (see native_cli.h).
 */
#include <string.h>
#include <glib/gstdio.h>
#include "native_cli.h"
#include "hostprobe.h"
#include "luahost.h"
#include "native.h"

/* The host's profile: given, or the cached one, probed on first use. */
char *native_host_profile(const char *given, GError **err)
{
	char *dir, *path, *text;

	if (given)
		return g_strdup(given);
	dir = g_build_filename(g_get_user_cache_dir(), "slabsim", NULL);
	path = g_build_filename(dir, "host.machine", NULL);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_free(dir);
		return path;
	}
	g_printerr("slabsim: no profile of this host yet: probing it (machine --from-host) into %s\n",
	           path);
	text = hostprobe_profile(false, err);
	if (!text || g_mkdir_with_parents(dir, 0755) != 0 ||
	    !g_file_set_contents(path, text, -1, err)) {
		if (text && err && !*err)
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", dir);
		g_free(text);
		g_free(dir);
		g_free(path);
		return NULL;
	}
	g_free(text);
	g_free(dir);
	return path;
}

/* sets with scenario.machine=profile first. */
char **native_sets(char **sets, const char *profile)
{
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strconcat("scenario.machine=", profile, NULL));
	for (int i = 0; sets && sets[i]; i++)
		g_ptr_array_add(a, g_strdup(sets[i]));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* One native run of allocator label, without the allocators' debug
 * checks: its figures, or NULL and *err. */
run_stats_t *native_cli_run(scenario_t *sc, const char *label, GError **err)
{
	bool checks = kdebug_checks;
	native_run_t *nr;
	run_stats_t *st = NULL;

	kdebug_checks = false;
	nr = lh_native_run_new(sc, label, err);
	if (nr && native_run_execute(nr, err))
		st = native_run_stats(nr);
	native_run_free(nr);
	kdebug_checks = checks;
	return st;
}

/* The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
char *native_loadavg(void)
{
	char *text = NULL, **f;
	char *out;

	if (!g_file_get_contents("/proc/loadavg", &text, NULL, NULL))
		return g_strdup("");
	f = g_strsplit(text, " ", 4);
	out = g_strv_length(f) >= 3 ? g_strjoin(" ", f[0], f[1], f[2], NULL) : g_strdup("");
	g_strfreev(f);
	g_free(text);
	return out;
}

/* The "model name" of /proc/cpuinfo, or NULL. */
static char *cpu_model(void)
{
	char *text = NULL, *model = NULL, **lines;

	if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i] && !model; i++)
		if (g_str_has_prefix(lines[i], "model name") && strchr(lines[i], ':'))
			model = g_strdup(g_strstrip(strchr(lines[i], ':') + 1));
	g_strfreev(lines);
	g_free(text);
	return model;
}

/* mode "native" and the host's CPU, clock, load and profile. */
void native_provenance(JsonObject *o, JsonObject *host, const char *profile,
                       const char *loadavg)
{
	char *model = cpu_model();

	json_object_set_string_member(o, "mode", "native");
	if (model)
		json_object_set_string_member(host, "cpu_model", model);
	json_object_set_string_member(host, "clock", native_clock_source());
	json_object_set_string_member(host, "loadavg_at_start", loadavg);
	json_object_set_string_member(host, "machine_profile", profile);
	json_object_set_boolean_member(host, "debug_checks", false);
	g_free(model);
}
