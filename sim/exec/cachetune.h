/*
 * cachetune.h -- per-cache tunables of a scenario.
 *
 * Owns: the [allocator.NAME.cache.CACHE] groups of a scenario (one per
 * cache whose slab geometry the scenario overrides, e.g. SLUB's `order`
 * and `min_objects`, declared by the allocator's cache_tunables): their
 * naming, validation, resolved form, and applying them to a run's caches
 * once they exist.
 */
#ifndef SLABSIM_CACHETUNE_H
#define SLABSIM_CACHETUNE_H

#include <glib.h>
#include "scenario.h"

struct run;

/* Whether `group` names a per-cache group ("allocator.NAME.cache.CACHE"). */
bool cachetune_is_group(const char *group);

/* Check a per-cache group: the allocator exists and has per-cache
 * tunables, every key is one of them, every value an integer in range. */
bool cachetune_check_group(const scenario_t *sc, const char *group, GError **err);

/* Add to `resolved` every per-cache group of the compared allocators, with
 * every per-cache tunable at its effective value. */
void cachetune_resolve(const scenario_t *sc, GKeyFile *resolved);

/* Apply the run's allocator's per-cache groups, in file order, to its
 * caches (a workload cache, an alias or one of the allocator's own, by
 * name); false, with r->error set, if a cache does not exist or the
 * allocator refuses.  Runs on CPU 0 after the workload's caches are made. */
bool cachetune_apply(struct run *r);

#endif
