/*
 * cachetune.c -- per-cache tunables of a scenario (see cachetune.h): the
 * groups [allocator.NAME.cache.CACHE], checked when the scenario loads and
 * applied when the run's caches exist, as a sysfs write at boot would be.
 */
#include <string.h>
#include "cachetune.h"
#include "allocator.h"
#include "run.h"

#define PREFIX "allocator."
#define INFIX  ".cache."

/* Split "allocator.NAME.cache.CACHE": the allocator name (g_malloc'd) and
 * the cache name (inside group); false if group is not of that form. */
static bool split_group(const char *group, char **alloc, const char **cache)
{
	const char *name = group + strlen(PREFIX), *mid;

	if (!g_str_has_prefix(group, PREFIX) || !(mid = strstr(name, INFIX)) || mid == name ||
	    !mid[strlen(INFIX)])
		return false;
	*alloc = g_strndup(name, (gsize)(mid - name));
	*cache = mid + strlen(INFIX);
	return true;
}

bool cachetune_is_group(const char *group)
{
	char *alloc;
	const char *cache;

	if (!split_group(group, &alloc, &cache))
		return false;
	g_free(alloc);
	return true;
}

bool cachetune_check_group(const scenario_t *sc, const char *group, GError **err)
{
	char *alloc;
	const char *cache;
	const allocator_ops_t *ops;
	bool ok = false;

	split_group(group, &alloc, &cache);
	ops = allocator_find(alloc);
	if (!ops)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s]: no allocator called '%s' (see "
		            "`slabsim list allocators`)", sc->path, group, alloc);
	else if (!ops->cache_tunables)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s]: %s has no per-cache tunables "
		            "(SLUB has order and min_objects)", sc->path, group, ops->name);
	else
		ok = scenario_check_tunables(sc, group, ops->cache_tunables, ops->name, err);
	g_free(alloc);
	return ok;
}

/* The per-cache groups of allocator `ops` in sc, in file order. */
static GPtrArray *groups_of(const scenario_t *sc, const allocator_ops_t *ops)
{
	char **groups = g_key_file_get_groups(sc->kf, NULL);
	GPtrArray *mine = g_ptr_array_new_with_free_func(g_free);

	for (int g = 0; groups[g]; g++) {
		char *alloc;
		const char *cache;

		if (!split_group(groups[g], &alloc, &cache))
			continue;
		if (strcmp(alloc, ops->name) == 0)
			g_ptr_array_add(mine, g_strdup(groups[g]));
		g_free(alloc);
	}
	g_strfreev(groups);
	return mine;
}

void cachetune_resolve(const scenario_t *sc, GKeyFile *resolved)
{
	for (int a = 0; sc->allocators[a]; a++) {
		const allocator_ops_t *ops = allocator_find(sc->allocators[a]);
		GPtrArray *groups = ops->cache_tunables ? groups_of(sc, ops) : NULL;

		for (guint g = 0; groups && g < groups->len; g++) {
			const char *group = groups->pdata[g];
			long *t = scenario_group_tunables(sc, group, ops->cache_tunables);

			for (int i = 0; ops->cache_tunables[i].name; i++)
				g_key_file_set_int64(resolved, group, ops->cache_tunables[i].name, t[i]);
			g_free(t);
		}
		if (groups)
			g_ptr_array_free(groups, TRUE);
	}
}

/* The run's cache called `name`: a workload cache (perhaps an alias of
 * another), else one of the allocator's own; NULL if none. */
static kmem_cache_t *find_cache(run_t *r, const char *name)
{
	int i = run_find_cache(r, name);

	if (i >= 0)
		return ((cache_rec_t *)r->caches->pdata[i])->kc;
	for (int j = 0; j < r->ops->ncaches(r->alloc); j++) {
		kmem_cache_t *s = r->ops->cache_at(r->alloc, j);
		cache_info_t ci;

		r->ops->cache_info(r->alloc, s, &ci);
		if (strcmp(ci.name, name) == 0)
			return s;
	}
	return NULL;
}

/* Apply one group; false and r->error if it cannot be. */
static bool apply_group(run_t *r, const char *group)
{
	char *alloc, *why = NULL;
	const char *cache;
	kmem_cache_t *s;
	long *vals;

	split_group(group, &alloc, &cache);
	g_free(alloc);
	s = find_cache(r, cache);
	if (!s) {
		r->error = g_strdup_printf("%s: [%s]: %s has no cache called '%s' (the workload's "
		                           "caches and the allocator's own)", r->sc->path, group,
		                           r->ops->name, cache);
		return false;
	}
	vals = scenario_group_tunables(r->sc, group, r->ops->cache_tunables);
	if (!r->ops->cache_tune(r->alloc, s, vals, &why))
		r->error = g_strdup_printf("%s: [%s]: %s", r->sc->path, group, why);
	g_free(vals);
	g_free(why);
	return !r->error;
}

bool cachetune_apply(run_t *r)
{
	GPtrArray *groups = r->ops->cache_tunables ? groups_of(r->sc, r->ops) : NULL;
	bool ok = true;

	for (guint g = 0; ok && groups && g < groups->len; g++)
		ok = apply_group(r, groups->pdata[g]);
	if (groups)
		g_ptr_array_free(groups, TRUE);
	return ok;
}
