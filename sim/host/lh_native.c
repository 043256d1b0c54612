/*
 * lh_native.c -- the workload of a native run (native_run.h): one Lua
 * state per host thread, each loading the script and running its setup();
 * the first state's run holds the kernel, the others declare the same
 * caches, tasks, channels and barriers (checked) and drive the tasks of
 * their thread's CPUs.
 */
#include "lh_int.h"

native_run_t *lh_native_run_new(const scenario_t *sc, const char *allocator, GError **err)
{
	int n = native_run_threads(sc->machine);
	run_t **runs = g_new0(run_t *, n);
	GKeyFile *scratch = g_key_file_new();     /* the further states' parameters */
	native_run_t *nr = NULL;
	int made = 0;
	bool ok = true;

	for (; made < n && ok; made++) {
		luahost_t *lh;

		runs[made] = made ? run_new_shadow(sc, allocator) : run_new_native(sc, allocator);
		lh = lh_new(runs[made], made ? scratch : sc->resolved, err);
		if (lh)
			run_set_workload(runs[made], &lh_workload_ops, lh);
		ok = lh != NULL;
	}
	if (ok)
		nr = native_run_new(runs, n, err);
	else
		for (int i = made; i-- > 0;)
			run_free(runs[i]);
	g_key_file_free(scratch);
	g_free(runs);
	return nr;
}
