/*
 * fuzz_scenario.c -- libFuzzer harness of the scenario and machine file
 * parsers (scenario.c, machine.c, keyfile.c): the input is written as a
 * scenario file (first byte even) or as a machine profile that a fixed
 * scenario names (first byte odd); lines after a "\n%%\n" separator are
 * --set overrides.  scenario_load must return a scenario or an error,
 * never crash, abort or leak.  Run from the repository root (the
 * workloads and machine profiles are looked up there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "scenario.h"

static char *dir;

static void cleanup(void)
{
	const char *names[] = { "s.scn", "m.machine" };

	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
		char *p = g_build_filename(dir, names[i], NULL);
		g_unlink(p);
		g_free(p);
	}
	g_rmdir(dir);
}

static char *put(const char *name, const char *text, size_t len)
{
	char *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, text, (gssize)len, NULL))
		abort();
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1, *sep;
	size_t len = size ? size - 1 : 0;
	char *scn, *machine = NULL, **sets = NULL;
	GError *err = NULL;
	scenario_t *sc;

	if (!dir) {
		dir = g_dir_make_tmp("fuzz-scenario-XXXXXX", NULL);
		atexit(cleanup);
	}
	if (!size)
		return 0;
	sep = g_strstr_len(text, (gssize)len, "\n%%\n");
	if (sep) {
		char *tail = g_strndup(sep + 4, len - (size_t)(sep + 4 - text));
		sets = g_strsplit(tail, "\n", 16);
		g_free(tail);
		len = (size_t)(sep - text);
	}
	if (data[0] & 1) {
		static const char fixed[] = "[scenario]\nworkload = remote-free\nmachine = %s\n";
		char *body;
		machine = put("m.machine", text, len);
		body = g_strdup_printf(fixed, machine);
		scn = put("s.scn", body, strlen(body));
		g_free(body);
	} else {
		scn = put("s.scn", text, len);
	}
	sc = scenario_load(scn, ".", sets, &err);
	if (sc)
		scenario_free(sc);
	g_clear_error(&err);
	g_strfreev(sets);
	g_free(scn);
	g_free(machine);
	return 0;
}
