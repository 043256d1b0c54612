/*
 * native_cli.h -- what `run --native` and `check-model` share: the host's
 * machine profile, a native run of one allocator, and the host's
 * description in provenance.json.
 */
#ifndef SLABSIM_NATIVE_CLI_H
#define SLABSIM_NATIVE_CLI_H

#include <json-glib/json-glib.h>
#include "scenario.h"
#include "stats.h"

/* The host's machine profile: `given` (a name or a .machine file) if not
 * NULL, else $XDG_CACHE_HOME/slabsim/host.machine, written by a full
 * `machine --from-host` probe when it is not there yet (announced on
 * stderr).  A path or name to set as scenario.machine (g_free it); NULL
 * and *err if the host cannot be probed. */
char *native_host_profile(const char *given, GError **err);

/* sets with scenario.machine=profile in front (the caller's keys, machine.*
 * overrides included, apply after it); g_strfreev it. */
char **native_sets(char **sets, const char *profile);

/* One native run of allocator `label` of sc; its figures, or NULL and *err.
 * The allocators' debug checks (host-side bookkeeping a simulation does
 * not price: SLOB's block maps, the freelist checks) are off while it
 * runs, so that the host times what the model predicts. */
run_stats_t *native_cli_run(scenario_t *sc, const char *label, GError **err);

/* provenance.json of a native run: mode "native", and in `host` the CPU
 * model, the host clock, the load average when the run started, the
 * machine profile the run used, and debug_checks false. */
void native_provenance(JsonObject *o, JsonObject *host, const char *profile,
                       const char *loadavg);

/* /proc/loadavg's first three numbers ("" where it cannot be read). */
char *native_loadavg(void);

#endif
