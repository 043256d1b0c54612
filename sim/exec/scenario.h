/*
 * scenario.h -- scenario files: parsing, overrides, validation, resolution.
 *
 * Owns: the merged GKeyFile of one scenario (file + --set overrides), the
 * typed [scenario] settings, the machine it names, and error reporting that
 * names file, line and key.  Groups: [scenario], [machine], [workload],
 * [allocator.NAME], [allocator.NAME.cache.CACHE] (per-cache tunables).
 * The [workload] keys are checked later against the workload's declared
 * parameters (luahost), through scenario_key_error().
 */
#ifndef SLABSIM_SCENARIO_H
#define SLABSIM_SCENARIO_H

#include <glib.h>
#include "types.h"
#include "error.h"
#include "machine.h"

typedef struct scenario {
	char *path;               /* as given */
	char *text;               /* file contents, for line lookups */
	GKeyFile *kf;             /* file with overrides applied */
	GHashTable *set_keys;     /* "group.key" -> TRUE for --set keys */
	char *description;
	char *workload;           /* name or path as written */
	char *workload_path;      /* resolved script path */
	char *machine_name;
	char **allocators;        /* labels, NULL-terminated: "slub", "slubmin" */
	char **bases;             /* the registered allocator of each label */
	char **inline_tunables;   /* "k=v:k=v" given in the allocators list, or "" */
	uint64_t seed;
	int seeds;                /* runs of each allocator, seeds seed.. seed+seeds-1 */
	simtime_t duration;       /* simulated time limit */
	simtime_t sample;         /* sampling period */
	uint64_t mem_limit_mib;   /* page allocator limit, 0 = all memory */
	uint32_t page_fail_ppm;   /* injected page allocation failures */
	machine_t *machine;
	GKeyFile *resolved;       /* every key with its effective value */
	/* "group.key" -> the JSON type of a resolved value: "integer",
	 * "number", "boolean", "string", "time" (ns), "list"; keys without
	 * an entry are typed by their look (scenario_value_type). */
	GHashTable *value_types;
} scenario_t;

/* Load and validate `path` (root: the repository root holding scenarios/
 * and workloads/).  `sets` are "section.key=value" strings (may be NULL). */
scenario_t *scenario_load(const char *path, const char *root,
                          char **sets, GError **err);
void scenario_free(scenario_t *sc);

/* Set an error "FILE:LINE: [group] key: message" (LINE omitted when the key
 * came from --set or is absent). */
void scenario_key_error(const scenario_t *sc, GError **err, const char *group,
                        const char *key, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* Parse "10ms", "2s", "500us" or "100ns" into picoseconds.  A unit is
 * required: a bare number is refused. */
bool scenario_parse_time(const char *s, simtime_t *out);

/* The registered allocator behind `label` (a label of sc->allocators, or
 * an allocator's own name). */
const char *scenario_base(const scenario_t *sc, const char *label);

/* The tunable values for allocator label `label`: the base allocator's
 * defaults, then [allocator.BASE], [allocator.LABEL] and the tunables
 * given with the label in the allocators list. */
long *scenario_tunables(const scenario_t *sc, const char *label);

/* Note the JSON type of a resolved value (see value_types). */
void scenario_set_type(const scenario_t *sc, const char *group, const char *key,
                       const char *type);
/* The JSON type of a resolved value: its noted type, else by group and
 * look ([scenario] and [allocator.*] keys are known; a [machine] value
 * that reads as a number is one). */
const char *scenario_value_type(const scenario_t *sc, const char *group, const char *key,
                                const char *value);

/* Is `s` a valid allocator label ([a-z0-9_-], 1 to 32 characters)? */
bool scenario_valid_label(const char *s);

/* One value per tunable of `tun` (NULL-name terminated): the default, or
 * the value of its key in `group`. */
struct tunable;
long *scenario_group_tunables(const scenario_t *sc, const char *group, const struct tunable *tun);

/* One [allocator.NAME.cache.CACHE] group: per-cache tunables of allocator
 * NAME for the cache called CACHE. */
typedef struct cache_tuning {
	char *group;              /* the group's name */
	const char *cache;        /* inside group: CACHE */
	long *vals;               /* one per per-cache tunable: the default or the group's */
} cache_tuning_t;

/* The per-cache groups of the allocator labelled `label`: its base
 * allocator's, then the label's own (applied after, so they win), each in
 * file order; empty if the allocator has no per-cache tunables.  Free with
 * scenario_cache_tunings_free. */
GArray *scenario_cache_tunings(const scenario_t *sc, const char *label);
void scenario_cache_tunings_free(GArray *tunings);

/* Every key of `group` must be a tunable of `tun` (of `owner`, for the
 * message) with an integer value in its range; else false and *err. */
bool scenario_check_tunables(const scenario_t *sc, const char *group, const struct tunable *tun,
                             const char *owner, GError **err);

/* 1-based line of `key` in `group` of the text, or 0. */
int keyfile_line(const char *text, const char *group, const char *key);

#endif
