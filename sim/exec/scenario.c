/*
 * scenario.c -- scenario files (see scenario.h).
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include "scenario.h"
#include "allocator.h"
#include "keyfile.h"

/* The longest run and the most footprint samples a run may take: bounds
 * that keep every time sum below 2^64 ps and the sample series in memory. */
#define MAX_DURATION (1000000 * PS_PER_SEC)
#define MAX_SAMPLES  1000000

static const char *const scenario_keys[] = {
	"description", "workload", "machine", "allocators", "seed", "seeds",
	"duration", "sample", "mem_limit_mib", "page_fail_ppm", NULL
};

/* 1-based line of `key` in [group] of a key file's text, or 0. */
int keyfile_line(const char *text, const char *group, const char *key)
{
	char **lines = g_strsplit(text ? text : "", "\n", -1);
	bool in_group = false;
	int found = 0;

	for (int i = 0; lines[i] && !found; i++) {
		char *l = g_strstrip(lines[i]);
		if (l[0] == '[') {
			char *end = strchr(l, ']');
			in_group = end && (size_t)(end - l - 1) == strlen(group) &&
			           strncmp(l + 1, group, strlen(group)) == 0;
			continue;
		}
		if (!in_group || l[0] == '#')
			continue;
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(g_strstrip(l), key) == 0)
			found = i + 1;
	}
	g_strfreev(lines);
	return found;
}

/* 1-based line of the "[group]" header, or 0. */
static int group_line(const char *text, const char *group)
{
	char *hdr = g_strdup_printf("[%s]", group);
	char **lines = g_strsplit(text, "\n", -1);
	int found = 0;

	for (int i = 0; lines[i] && !found; i++)
		if (strcmp(g_strstrip(lines[i]), hdr) == 0)
			found = i + 1;
	g_strfreev(lines);
	g_free(hdr);
	return found;
}

void scenario_key_error(const scenario_t *sc, GError **err, const char *group,
                        const char *key, const char *fmt, ...)
{
	char *where, *msg, *setkey = g_strconcat(group, ".", key, NULL);
	va_list ap;
	int line = 0;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (sc->set_keys && g_hash_table_contains(sc->set_keys, setkey))
		where = g_strdup_printf("--set %s", setkey);
	else if ((line = keyfile_line(sc->text, group, key)) > 0)
		where = g_strdup_printf("%s:%d", sc->path, line);
	else
		where = g_strdup(sc->path);
	g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s] %s: %s", where, group, key, msg);
	g_free(where);
	g_free(msg);
	g_free(setkey);
}

bool scenario_parse_time(const char *s, simtime_t *out)
{
	static const struct { const char *unit; simtime_t ps; } units[] = {
		{ "ns", PS_PER_NS }, { "us", PS_PER_US }, { "ms", PS_PER_MS },
		{ "s", PS_PER_SEC },
	};
	char *end;
	guint64 v;

	errno = 0;
	if (!s || !g_ascii_isdigit(*s))
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			if (v > SIMTIME_MAX / units[i].ps)
				return false;
			*out = v * units[i].ps;
			return true;
		}
	}
	return false;
}

/* Whether s is a --set section (dot: also '.') or key name: letters,
 * digits, '_' and '-'. */
static bool set_name(const char *s, size_t n, bool dot)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '-' && !(dot && s[i] == '.'))
			return false;
	return true;
}

/* Whether v is a value a key file can hold on one line. */
static bool set_value(const char *v)
{
	if (!g_utf8_validate(v, -1, NULL))
		return false;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return false;
	return true;
}

/* Apply "section.key=value" overrides; the section is everything before
 * the last dot of the left side ("allocator.slub.slub_max_order").  A
 * section or key of other characters (a space, "scenario. seed"), or a
 * value with a newline, control character or bytes that are not UTF-8,
 * is refused: GKeyFile would drop it with a warning. */
static bool apply_sets(scenario_t *sc, char **sets, GError **err)
{
	sc->set_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; sets && sets[i]; i++) {
		const char *eq = strchr(sets[i], '=');
		char *lhs = eq ? g_strndup(sets[i], eq - sets[i]) : NULL;
		char *dot = lhs ? strrchr(lhs, '.') : NULL;
		if (!dot || dot == lhs || !dot[1]) {
			g_set_error(err, SLABSIM_ERROR, 1,
			            "--set %s: expected section.key=value", sets[i]);
			g_free(lhs);
			return false;
		}
		bool value_ok = set_value(eq + 1);
		if (!value_ok || !set_name(lhs, (size_t)(dot - lhs), true) ||
		    !set_name(dot + 1, strlen(dot + 1), false)) {
			g_set_error(err, SLABSIM_ERROR, 1, "--set %s: expected section.key=value with %s",
			            g_utf8_validate(sets[i], -1, NULL) ? sets[i] : "(not UTF-8)",
			            value_ok ? "a section and key of letters, digits, '_', '-' (and '.' in the "
			            "section), no spaces" : "a value on one line of UTF-8 text");
			g_free(lhs);
			return false;
		}
		*dot = '\0';
		g_key_file_set_value(sc->kf, lhs, dot + 1, eq + 1);
		*dot = '.';
		g_hash_table_add(sc->set_keys, lhs);
	}
	return true;
}

static bool in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* The tunable called key of tun (NULL-name terminated), or NULL. */
static const tunable_t *find_tunable(const tunable_t *tun, const char *key)
{
	for (const tunable_t *t = tun; t && t->name; t++)
		if (strcmp(t->name, key) == 0)
			return t;
	return NULL;
}

/* v as a value of tunable t; false if it is not an integer in range. */
static bool tunable_value(const tunable_t *t, const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return *v && !*end && !errno && *out >= t->min && *out <= t->max;
}

/* Every key of `group` is one of `tun` (of allocator `owner`), its value
 * an integer in range. */
bool scenario_check_tunables(const scenario_t *sc, const char *group, const tunable_t *tun,
                             const char *owner, GError **err)
{
	char **keys = g_key_file_get_keys(sc->kf, group, NULL, NULL);
	bool ok = true;

	for (int i = 0; ok && keys[i]; i++) {
		const tunable_t *t = find_tunable(tun, keys[i]);
		long n;
		if (!t) {
			scenario_key_error(sc, err, group, keys[i], "unknown tunable of %s "
			                   "(see `slabsim list tunables %s`)", owner, owner);
			ok = false;
			break;
		}
		char *v = g_key_file_get_value(sc->kf, group, keys[i], NULL);
		if (!tunable_value(t, g_strstrip(v), &n)) {
			scenario_key_error(sc, err, group, keys[i],
			                   "expected an integer from %ld to %ld, got '%s'", t->min, t->max, v);
			ok = false;
		}
		g_free(v);
	}
	g_strfreev(keys);
	return ok;
}

static bool check_allocator_group(scenario_t *sc, const char *group, GError **err)
{
	const char *label = group + strlen("allocator.");
	const allocator_ops_t *ops = allocator_find(scenario_base(sc, label));

	if (!ops) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s]: no allocator or allocator label called '%s' "
		            "(see `slabsim list allocators`)", sc->path, group, label);
		return false;
	}
	return scenario_check_tunables(sc, group, ops->tunables, ops->name, err);
}

/* ---- per-cache tunables: [allocator.NAME.cache.CACHE] ---- */

#define CACHE_INFIX ".cache."

/* Split "allocator.NAME.cache.CACHE": the allocator name (g_malloc'd) and
 * the cache name (inside group); false if group is not of that form. */
static bool split_cache_group(const char *group, char **alloc, const char **cache)
{
	const char *name = group + strlen("allocator."), *mid;

	if (!g_str_has_prefix(group, "allocator.") || !(mid = strstr(name, CACHE_INFIX)) ||
	    mid == name || !mid[strlen(CACHE_INFIX)])
		return false;
	*alloc = g_strndup(name, (gsize)(mid - name));
	*cache = mid + strlen(CACHE_INFIX);
	return true;
}

static bool is_cache_group(const char *group)
{
	char *alloc;
	const char *cache;

	if (!split_cache_group(group, &alloc, &cache))
		return false;
	g_free(alloc);
	return true;
}

/* The allocator exists and has per-cache tunables; every key is one of
 * them with a value in range. */
static bool check_cache_group(const scenario_t *sc, const char *group, GError **err)
{
	char *alloc;
	const char *cache;
	const allocator_ops_t *ops;
	bool ok = false;

	split_cache_group(group, &alloc, &cache);
	ops = allocator_find(scenario_base(sc, alloc));
	if (!ops)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s]: no allocator or allocator label called "
		            "'%s' (see `slabsim list allocators`)", sc->path, group, alloc);
	else if (!ops->cache_tunables)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: [%s]: %s has no per-cache tunables "
		            "(SLUB has order and min_objects)", sc->path, group, ops->name);
	else
		ok = scenario_check_tunables(sc, group, ops->cache_tunables, ops->name, err);
	g_free(alloc);
	return ok;
}

/* Append to t the per-cache groups [allocator.NAME.cache.*] of `name`, in
 * file order. */
static void add_cache_tunings(const scenario_t *sc, const allocator_ops_t *ops,
                              const char *name, GArray *t)
{
	char **groups = g_key_file_get_groups(sc->kf, NULL);

	for (int g = 0; ops->cache_tunables && groups[g]; g++) {
		char *alloc;
		const char *cache;

		if (!split_cache_group(groups[g], &alloc, &cache))
			continue;
		if (strcmp(alloc, name) == 0) {
			cache_tuning_t ct = { g_strdup(groups[g]), NULL,
			                      scenario_group_tunables(sc, groups[g], ops->cache_tunables) };
			ct.cache = ct.group + (cache - groups[g]);
			g_array_append_val(t, ct);
		}
		g_free(alloc);
	}
	g_strfreev(groups);
}

GArray *scenario_cache_tunings(const scenario_t *sc, const char *label)
{
	const char *base = scenario_base(sc, label);
	const allocator_ops_t *ops = allocator_find(base);
	GArray *t = g_array_new(FALSE, FALSE, sizeof(cache_tuning_t));

	add_cache_tunings(sc, ops, base, t);
	if (strcmp(label, base) != 0)
		add_cache_tunings(sc, ops, label, t);
	return t;
}

void scenario_cache_tunings_free(GArray *t)
{
	for (guint i = 0; i < t->len; i++) {
		g_free(g_array_index(t, cache_tuning_t, i).group);
		g_free(g_array_index(t, cache_tuning_t, i).vals);
	}
	g_array_free(t, TRUE);
}

/* Every per-cache group of the compared allocators, every per-cache
 * tunable at its effective value. */
static void resolve_cache_groups(const scenario_t *sc, GKeyFile *r)
{
	for (int a = 0; sc->allocators[a]; a++) {
		const allocator_ops_t *ops = allocator_find(scenario_base(sc, sc->allocators[a]));
		GArray *t = scenario_cache_tunings(sc, sc->allocators[a]);

		for (guint g = 0; g < t->len; g++) {
			const cache_tuning_t *ct = &g_array_index(t, cache_tuning_t, g);

			for (int i = 0; ops->cache_tunables[i].name; i++)
				g_key_file_set_int64(r, ct->group, ops->cache_tunables[i].name, ct->vals[i]);
		}
		scenario_cache_tunings_free(t);
	}
}

/* Report a broken tunable rule against where the key was set for `name`:
 * its own group, the base allocator's, or the allocators list. */
static void tunable_rule_error(scenario_t *sc, GError **err, const char *name, const char *base,
                               const char *key, const char *msg)
{
	char *own = g_strconcat("allocator.", name, NULL), *bgrp = g_strconcat("allocator.", base, NULL);

	if (g_key_file_has_key(sc->kf, own, key, NULL))
		scenario_key_error(sc, err, own, key, "%s", msg);
	else if (g_key_file_has_key(sc->kf, bgrp, key, NULL))
		scenario_key_error(sc, err, bgrp, key, "%s", msg);
	else
		scenario_key_error(sc, err, "scenario", "allocators", "%s: %s: %s", name, key, msg);
	g_free(own);
	g_free(bgrp);
}

/* The allocator's own checks of its tunables together (allocator_ops
 * check_tunables) on the scenario's machine, for one label or allocator. */
static bool check_rules_of(scenario_t *sc, const char *name, GError **err)
{
	const char *base = scenario_base(sc, name);
	const allocator_ops_t *ops = allocator_find(base);
	char *msg;
	long *t;
	int bad = 0;

	if (!ops || !ops->check_tunables)
		return true;
	t = scenario_tunables(sc, name);
	msg = ops->check_tunables(t, sc->machine->page_size, &bad);
	if (msg)
		tunable_rule_error(sc, err, name, base, ops->tunables[bad].name, msg);
	g_free(msg);
	g_free(t);
	return msg == NULL;
}

/* The tunable rules of every compared label and every [allocator.NAME]
 * group: the message names the tunable it blames. */
static bool check_tunable_rules(scenario_t *sc, GError **err)
{
	char **groups = g_key_file_get_groups(sc->kf, NULL);
	bool ok = true;

	for (int a = 0; ok && sc->allocators[a]; a++)
		ok = check_rules_of(sc, sc->allocators[a], err);
	for (int g = 0; ok && groups[g]; g++)
		if (g_str_has_prefix(groups[g], "allocator.") && !is_cache_group(groups[g]))
			ok = check_rules_of(sc, groups[g] + strlen("allocator."), err);
	g_strfreev(groups);
	return ok;
}

/* Every group and key must be known (the [workload] keys are checked
 * against the workload's parameters later). */
static bool check_groups(scenario_t *sc, GError **err)
{
	char **groups = g_key_file_get_groups(sc->kf, NULL);
	bool ok = true;

	for (int g = 0; ok && groups[g]; g++) {
		const char *grp = groups[g];
		if (strcmp(grp, "workload") == 0 || strcmp(grp, "machine") == 0)
			continue;
		if (is_cache_group(grp)) {
			ok = check_cache_group(sc, grp, err);
			continue;
		}
		if (g_str_has_prefix(grp, "allocator.")) {
			ok = check_allocator_group(sc, grp, err);
			continue;
		}
		if (strcmp(grp, "scenario") != 0) {
			int line = group_line(sc->text, grp);
			char *where = line ? g_strdup_printf("%s:%d", sc->path, line)
			                   : g_strdup_printf("--set %s.*", grp);
			g_set_error(err, SLABSIM_ERROR, 1,
			            "%s: [%s]: unknown section (expected scenario, machine, workload, allocator.NAME or allocator.NAME.cache.CACHE)",
			            where, grp);
			g_free(where);
			ok = false;
			break;
		}
		char **keys = g_key_file_get_keys(sc->kf, grp, NULL, NULL);
		for (int i = 0; keys[i]; i++) {
			if (!in_list(scenario_keys, keys[i])) {
				scenario_key_error(sc, err, grp, keys[i], "unknown key (expected one of: "
				                   "description, workload, machine, allocators, seed, duration, sample, "
				                   "mem_limit_mib, page_fail_ppm)");
				ok = false;
				break;
			}
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return ok;
}

static char *get_str(scenario_t *sc, const char *key, const char *def)
{
	char *v = g_key_file_get_string(sc->kf, "scenario", key, NULL);
	return v ? g_strstrip(v) : g_strdup(def);
}

static bool get_time(scenario_t *sc, const char *key, const char *def,
                     simtime_t *out, GError **err)
{
	char *v = get_str(sc, key, def);
	bool ok = scenario_parse_time(v, out) && *out > 0 && *out <= MAX_DURATION;

	if (!ok)
		scenario_key_error(sc, err, "scenario", key,
		                   "expected a positive time up to 1000000s with a unit (ns, us, ms or s) "
		                   "such as 100us, 10ms or 2s, got '%s'%s", v,
		                   *v && strspn(v, "0123456789") == strlen(v) ?
		                   " (a bare number has no unit)" : "");
	g_free(v);
	return ok;
}

/* At most MAX_SAMPLES footprint samples in a run. */
static bool check_sample(scenario_t *sc, GError **err)
{
	simtime_t min = (sc->duration + MAX_SAMPLES - 1) / MAX_SAMPLES;
	char *v;

	if (sc->sample >= min)
		return true;
	v = get_str(sc, "sample", "10ms");
	scenario_key_error(sc, err, "scenario", "sample", "expected at least duration / %d (%"
	                   G_GUINT64_FORMAT "ns for a duration of %" G_GUINT64_FORMAT "ns), got '%s'",
	                   MAX_SAMPLES, (guint64)((min + PS_PER_NS - 1) / PS_PER_NS),
	                   (guint64)(sc->duration / PS_PER_NS), v);
	g_free(v);
	return false;
}

/* A non-negative integer key of [scenario] no larger than max. */
static bool get_uint(scenario_t *sc, const char *key, uint64_t max, uint64_t *out, GError **err)
{
	char *v = get_str(sc, key, "0"), *end;
	bool ok;

	errno = 0;
	*out = g_ascii_strtoull(v, &end, 10);
	ok = g_ascii_isdigit(*v) && !*end && !errno && *out <= max;
	if (!ok)
		scenario_key_error(sc, err, "scenario", key,
		                   "expected an integer from 0 to %" G_GUINT64_FORMAT ", got '%s'", max, v);
	g_free(v);
	return ok;
}

bool scenario_valid_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!g_ascii_islower(*s) && !g_ascii_isdigit(*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* Check the tunables "k=v:k=v" given with `label` against base. */
static bool check_inline(scenario_t *sc, const char *label, const allocator_ops_t *ops,
                         const char *tun, GError **err)
{
	char **kv = g_strsplit(tun, ":", -1);
	bool ok = true;

	for (int i = 0; ok && kv[i]; i++) {
		char *eq = strchr(kv[i], '=');
		const tunable_t *t;
		long n;

		if (eq)
			*eq = '\0';
		t = eq ? find_tunable(ops->tunables, g_strstrip(kv[i])) : NULL;
		if (!eq || !t) {
			scenario_key_error(sc, err, "scenario", "allocators", "%s: %s '%s' (expected "
			                   "TUNABLE=VALUE, one of `slabsim list tunables %s`)", label,
			                   eq ? "unknown tunable" : "not a tunable setting", kv[i], ops->name);
			ok = false;
		} else if (!tunable_value(t, g_strstrip(eq + 1), &n)) {
			scenario_key_error(sc, err, "scenario", "allocators", "%s: %s: expected an integer "
			                   "from %ld to %ld, got '%s'", label, t->name, t->min, t->max, eq + 1);
			ok = false;
		}
	}
	g_strfreev(kv);
	return ok;
}

/* Split the allocators list into labels, bases and inline tunables:
 * each entry is BASE or LABEL=BASE, optionally followed by
 * :TUNABLE=VALUE settings.  No checks (see read_allocators). */
static void split_allocators(scenario_t *sc)
{
	char *v = get_str(sc, "allocators", "slub");
	char **entries = g_strsplit(v, ",", -1);
	int n = (int)g_strv_length(entries);

	g_strfreev(sc->allocators);
	g_strfreev(sc->bases);
	g_strfreev(sc->inline_tunables);
	sc->allocators = g_new0(char *, n + 1);
	sc->bases = g_new0(char *, n + 1);
	sc->inline_tunables = g_new0(char *, n + 1);
	for (int i = 0; i < n; i++) {
		char *e = g_strstrip(entries[i]), *colon = strchr(e, ':'), *eq;

		sc->inline_tunables[i] = g_strdup(colon ? colon + 1 : "");
		if (colon)
			*colon = '\0';
		eq = strchr(e, '=');
		if (eq) {
			*eq = '\0';
			sc->allocators[i] = g_strdup(g_strstrip(e));
			sc->bases[i] = g_strdup(g_strstrip(eq + 1));
		} else {
			sc->allocators[i] = g_strdup(g_strstrip(e));
			sc->bases[i] = g_strdup(sc->allocators[i]);
		}
	}
	g_strfreev(entries);
	g_free(v);
}

static bool read_allocators(scenario_t *sc, GError **err)
{
	split_allocators(sc);
	for (int i = 0; sc->allocators[i]; i++) {
		const char *label = sc->allocators[i];
		const allocator_ops_t *ops = allocator_find(sc->bases[i]);

		for (int j = 0; j < i; j++)
			if (strcmp(sc->allocators[j], label) == 0) {
				scenario_key_error(sc, err, "scenario", "allocators",
				                   "'%s' is listed twice (give a variant a label of its own: "
				                   "LABEL=%s:TUNABLE=VALUE)", label, sc->bases[i]);
				return false;
			}
		if (!ops) {
			scenario_key_error(sc, err, "scenario", "allocators",
			                   "no allocator called '%s' (see `slabsim list allocators`)",
			                   sc->bases[i]);
			return false;
		}
		if (!scenario_valid_label(label)) {
			scenario_key_error(sc, err, "scenario", "allocators", "label '%s': use 1 to 32 of "
			                   "a-z, 0-9, '_' and '-'", label);
			return false;
		}
		if (strcmp(label, ops->name) != 0 && allocator_find(label)) {
			scenario_key_error(sc, err, "scenario", "allocators", "label '%s' is the name of "
			                   "another allocator", label);
			return false;
		}
		if (*sc->inline_tunables[i] && !check_inline(sc, label, ops, sc->inline_tunables[i], err))
			return false;
	}
	if (!sc->allocators[0]) {
		scenario_key_error(sc, err, "scenario", "allocators", "expected at least one allocator");
		return false;
	}
	return true;
}

const char *scenario_base(const scenario_t *sc, const char *label)
{
	for (int i = 0; sc->allocators && sc->allocators[i]; i++)
		if (strcmp(sc->allocators[i], label) == 0)
			return sc->bases[i];
	return label;
}

static bool read_settings(scenario_t *sc, const char *root, GError **err)
{
	char *seed = get_str(sc, "seed", "1"), *end;

	sc->description = get_str(sc, "description", "");
	sc->machine_name = get_str(sc, "machine", "nehalem-2s");
	sc->workload = get_str(sc, "workload", "");
	errno = 0;
	sc->seed = g_ascii_strtoull(seed, &end, 10);
	if (!g_ascii_isdigit(*seed) || *end || errno) {
		scenario_key_error(sc, err, "scenario", "seed", "expected a non-negative integer, got '%s'", seed);
		g_free(seed);
		return false;
	}
	g_free(seed);
	if (!*sc->workload) {
		scenario_key_error(sc, err, "scenario", "workload", "missing: name a workload (see `slabsim list workloads`)");
		return false;
	}
	if (strchr(sc->workload, '/') || g_str_has_suffix(sc->workload, ".lua"))
		sc->workload_path = g_strdup(sc->workload);
	else
		sc->workload_path = g_strdup_printf("%s/workloads/%s.lua", root, sc->workload);
	if (!g_file_test(sc->workload_path, G_FILE_TEST_IS_REGULAR)) {
		scenario_key_error(sc, err, "scenario", "workload", "no workload script %s", sc->workload_path);
		return false;
	}
	uint64_t ppm = 0, seeds = 1;
	bool ok = (!g_key_file_has_key(sc->kf, "scenario", "seeds", NULL) ||
	           get_uint(sc, "seeds", 100, &seeds, err)) &&
	          get_time(sc, "duration", "10s", &sc->duration, err) &&
	          get_time(sc, "sample", "10ms", &sc->sample, err) && check_sample(sc, err) &&
	          get_uint(sc, "mem_limit_mib", G_MAXUINT32, &sc->mem_limit_mib, err) &&
	          get_uint(sc, "page_fail_ppm", 1000000, &ppm, err);
	sc->page_fail_ppm = (uint32_t)ppm;
	sc->seeds = (int)seeds;
	if (ok && seeds < 1) {
		scenario_key_error(sc, err, "scenario", "seeds", "expected 1 to 100 runs, got 0");
		return false;
	}
	return ok;
}

static bool load_machine(scenario_t *sc, const char *root, GError **err)
{
	char *dir = g_build_filename(root, "scenarios", "machines", NULL);
	GError *e = NULL;

	sc->machine = machine_load(sc->machine_name, dir, sc->kf, sc->path, &e);
	g_free(dir);
	if (sc->machine && !mem_host_check(sc->machine, sizeof(page_t), ENGINE_FIBER_STACK, &e)) {
		g_prefix_error(&e, "%s: ", sc->path);
		g_propagate_error(err, e);
		return false;
	}
	if (!sc->machine) {
		/* Name the scenario's machine key unless the message names the
		 * scenario already (a bad [machine] override). */
		if (strstr(e->message, sc->path))
			g_propagate_error(err, e);
		else {
			scenario_key_error(sc, err, "scenario", "machine", "%s", e->message);
			g_error_free(e);
		}
		return false;
	}
	return true;
}

/* Set t[] from the keys of [group] that tun (NULL-name terminated) has. */
static void tunables_from(const scenario_t *sc, const tunable_t *tun, const char *group, long *t)
{
	for (int i = 0; tun && tun[i].name; i++) {
		char *v = g_key_file_get_value(sc->kf, group, tun[i].name, NULL);
		if (v)
			t[i] = strtol(g_strstrip(v), NULL, 10);
		g_free(v);
	}
}

long *scenario_group_tunables(const scenario_t *sc, const char *group, const tunable_t *tun)
{
	int n = 0;

	while (tun && tun[n].name)
		n++;
	long *t = g_new0(long, n + 1);
	for (int i = 0; i < n; i++)
		t[i] = tun[i].def;
	tunables_from(sc, tun, group, t);
	return t;
}

long *scenario_tunables(const scenario_t *sc, const char *label)
{
	const char *base = scenario_base(sc, label);
	const allocator_ops_t *ops = allocator_find(base);
	char *group = g_strconcat("allocator.", base, NULL);
	long *t = scenario_group_tunables(sc, group, ops->tunables);
	int n = 0;

	while (ops->tunables && ops->tunables[n].name)
		n++;
	g_free(group);
	if (strcmp(label, base) != 0) {
		group = g_strconcat("allocator.", label, NULL);
		tunables_from(sc, ops->tunables, group, t);
		g_free(group);
	}
	for (int a = 0; sc->allocators && sc->allocators[a]; a++) {
		if (strcmp(sc->allocators[a], label) != 0 || !*sc->inline_tunables[a])
			continue;
		char **kv = g_strsplit(sc->inline_tunables[a], ":", -1);
		for (int k = 0; kv[k]; k++) {
			char *eq = strchr(kv[k], '=');
			*eq = '\0';
			for (int i = 0; i < n; i++)
				if (strcmp(ops->tunables[i].name, g_strstrip(kv[k])) == 0)
					t[i] = strtol(g_strstrip(eq + 1), NULL, 10);
		}
		g_strfreev(kv);
	}
	return t;
}

void scenario_set_type(const scenario_t *sc, const char *group, const char *key, const char *type)
{
	g_hash_table_replace(sc->value_types, g_strconcat(group, ".", key, NULL), (gpointer)type);
}

static bool looks_integer(const char *v)
{
	const char *p = v + (*v == '-');

	return *p && strspn(p, "0123456789") == strlen(p) && strlen(p) < 19;
}

static bool looks_number(const char *v)
{
	char *end;

	if (!*v)
		return false;
	g_ascii_strtod(v, &end);
	return !*end && !strpbrk(v, "nNiI");   /* not nan or inf */
}

const char *scenario_value_type(const scenario_t *sc, const char *group, const char *key,
                                const char *value)
{
	char *k = g_strconcat(group, ".", key, NULL);
	const char *t = sc->value_types ? g_hash_table_lookup(sc->value_types, k) : NULL;
	static const char *const integers[] = { "seed", "seeds", "mem_limit_mib", "page_fail_ppm", NULL };
	static const char *const times[] = { "duration", "sample", NULL };
	static const char *const machine_strings[] = { "name", "description", "distance", "topology", NULL };

	g_free(k);
	if (t)
		return t;
	if (strcmp(group, "scenario") == 0)
		return in_list(integers, key) ? "integer" : in_list(times, key) ? "time" :
		       strcmp(key, "allocators") == 0 ? "list" : "string";
	if (g_str_has_prefix(group, "allocator."))
		return "integer";
	if (strcmp(group, "machine") == 0 && !in_list(machine_strings, key))
		return looks_integer(value) ? "integer" : looks_number(value) ? "number" : "string";
	return "string";
}

/* A path as written (relative to the current directory) made absolute, so
 * that the resolved scenario re-runs from anywhere; a name stays a name. */
static char *absolute_if_path(const char *v, const char *suffix)
{
	if (!strchr(v, '/') && !g_str_has_suffix(v, suffix))
		return g_strdup(v);
	return g_canonicalize_filename(v, NULL);
}

/* The allocators list as resolved: BASE, or LABEL=BASE[:TUNABLE=VALUE...]. */
static char *resolved_allocators(const scenario_t *sc)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; sc->allocators[i]; i++) {
		if (i)
			g_string_append_c(s, ',');
		if (strcmp(sc->allocators[i], sc->bases[i]) == 0)
			g_string_append(s, sc->allocators[i]);
		else
			g_string_append_printf(s, "%s=%s", sc->allocators[i], sc->bases[i]);
		if (*sc->inline_tunables[i]) {
			char **kv = g_strsplit(sc->inline_tunables[i], ":", -1);
			for (int k = 0; kv[k]; k++) {
				char *eq = strchr(kv[k], '=');
				*eq = '\0';
				g_string_append_printf(s, ":%s=%s", g_strstrip(kv[k]), g_strstrip(eq + 1));
			}
			g_strfreev(kv);
		}
	}
	return g_string_free(s, FALSE);
}

/* The resolved scenario: every [scenario] key, the machine profile with
 * its overrides, every tunable of every compared allocator.  [workload]
 * is completed by the Lua host once it knows the parameters. */
static void resolve(scenario_t *sc, const char *root)
{
	GKeyFile *r = g_key_file_new();
	char *v;

	sc->resolved = r;
	g_key_file_set_string(r, "scenario", "description", sc->description);
	v = absolute_if_path(sc->workload, ".lua");
	g_key_file_set_string(r, "scenario", "workload", v);
	g_free(v);
	v = absolute_if_path(sc->machine_name, ".machine");
	g_key_file_set_string(r, "scenario", "machine", v);
	g_free(v);
	v = resolved_allocators(sc);
	g_key_file_set_string(r, "scenario", "allocators", v);
	g_free(v);
	v = g_strdup_printf("%" G_GUINT64_FORMAT, sc->seed);
	g_key_file_set_string(r, "scenario", "seed", v);
	g_free(v);
	g_key_file_set_integer(r, "scenario", "seeds", sc->seeds);
	v = g_strdup_printf("%" G_GUINT64_FORMAT "ns", sc->duration / PS_PER_NS);
	g_key_file_set_string(r, "scenario", "duration", v);
	g_free(v);
	v = g_strdup_printf("%" G_GUINT64_FORMAT "ns", sc->sample / PS_PER_NS);
	g_key_file_set_string(r, "scenario", "sample", v);
	g_free(v);
	g_key_file_set_uint64(r, "scenario", "mem_limit_mib", sc->mem_limit_mib);
	g_key_file_set_uint64(r, "scenario", "page_fail_ppm", sc->page_fail_ppm);
	(void)root;
	for (int i = 0; machine_keys[i]; i++) {
		char *mv = machine_key_value(sc->machine, machine_keys[i]);
		if (mv)
			g_key_file_set_string(r, "machine", machine_keys[i], mv);
		g_free(mv);
	}
	for (int a = 0; sc->allocators[a]; a++) {
		const allocator_ops_t *ops = allocator_find(sc->bases[a]);
		char *group = g_strconcat("allocator.", sc->allocators[a], NULL);
		long *t = scenario_tunables(sc, sc->allocators[a]);
		for (int i = 0; ops->tunables && ops->tunables[i].name; i++)
			g_key_file_set_int64(r, group, ops->tunables[i].name, t[i]);
		g_free(t);
		g_free(group);
	}
	resolve_cache_groups(sc, r);
}

scenario_t *scenario_load(const char *path, const char *root,
                          char **sets, GError **err)
{
	scenario_t *sc = g_new0(scenario_t, 1);
	GError *e = NULL;
	gsize len;

	sc->path = g_strdup(path);
	sc->kf = g_key_file_new();
	if (!g_file_get_contents(path, &sc->text, &len, &e)) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot read scenario: %s", path, e->message);
		g_error_free(e);
		goto fail;
	}
	if (!kf_check_text(path, sc->text, len, err))
		goto fail;
	if (!g_key_file_load_from_data(sc->kf, sc->text, -1, G_KEY_FILE_KEEP_COMMENTS, &e)) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: not a valid scenario file: %s", path, e->message);
		g_error_free(e);
		goto fail;
	}
	sc->value_types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!apply_sets(sc, sets, err) || !read_allocators(sc, err) || !check_groups(sc, err) ||
	    !read_settings(sc, root, err) || !load_machine(sc, root, err) ||
	    !check_tunable_rules(sc, err))
		goto fail;
	resolve(sc, root);
	return sc;
fail:
	scenario_free(sc);
	return NULL;
}

void scenario_free(scenario_t *sc)
{
	if (!sc)
		return;
	g_free(sc->path);
	g_free(sc->text);
	if (sc->kf)
		g_key_file_free(sc->kf);
	if (sc->set_keys)
		g_hash_table_destroy(sc->set_keys);
	g_free(sc->description);
	g_free(sc->workload);
	g_free(sc->workload_path);
	g_free(sc->machine_name);
	g_strfreev(sc->allocators);
	g_strfreev(sc->bases);
	g_strfreev(sc->inline_tunables);
	if (sc->value_types)
		g_hash_table_destroy(sc->value_types);
	if (sc->machine)
		machine_free(sc->machine);
	if (sc->resolved)
		g_key_file_free(sc->resolved);
	g_free(sc);
}
