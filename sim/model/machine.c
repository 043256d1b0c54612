/*
 * machine.c -- load a machine profile, apply a scenario's overrides, derive
 * the topology and price memory-system events.
 *
 * A profile is a GKeyFile whose keys all live in group [machine]; the
 * [machine] group of the overrides replaces any of them, key by key.  Every
 * value is checked, and a bad one is reported as
 *	FILE:LINE: [machine] KEY: expected WHAT, got 'VALUE'
 * where FILE is the file the value came from and LINE is found by scanning
 * its text, since GKeyFile keeps no line numbers.  Prices are read in ns and
 * kept in integer picoseconds: nothing downstream sees floating point.
 *
 * Defaults, for keys a profile leaves out (the shipped profiles set them
 * all): the desktop-1s machine (cpus 4, nodes 1, its prices), one socket
 * per node, nr_cpus = cpus, max_numnodes = nodes, 4 KiB pages, 64-byte
 * lines, 1 GiB per node, a 512 KiB 8-way private cache, topology flat with
 * every remote pair at remote_distance 21, 8-port routers for fattree.
 */
#include <stdarg.h>
#include <string.h>
#include <glib.h>
#include "machine.h"
#include "keyfile.h"

#define GROUP     "machine"
#define MAX_CPUS  65536         /* bounds keep the derived arrays small: */
#define MAX_WAYS  65535         /* a set's recency list has 16-bit links */
#define MAX_NODES 4096          /* the distance matrix is nodes^2 bytes */
#define MAX_CACHE_KIB (1 << 20)
#define MAX_NODE_MIB  (1 << 20)         /* 1 TiB per node ... */
#define MAX_TOTAL_MIB (1ULL << 20)      /* ... and in all (page_t array, chunk table) */
#define MAX_NS    1e9           /* one second: anything above is a typo */

const char *const machine_keys[] = {
	"name", "description", "cpus", "nodes", "sockets", "nr_cpus",
	"max_numnodes", "page_size", "cache_line", "mem_per_node_mib",
	"cache_kib", "cache_ways", "llc_kib", "llc_ways", "llc_inclusive", "llc_scope",
	"layout_noise",
	"distance", "remote_distance", "topology",
	"router_ports", "hit_ns", "llc_ns", "xfer_socket_ns", "xfer_remote_ns",
	"xfer_per_distance_ns", "mem_local_ns", "mem_per_distance_ns",
	"rmw_ns", "inval_ns", "op_ns", "irq_ns", "hz",
	NULL
};

/* Price keys, where they go and their defaults in ns (desktop-1s). */
static const struct price {
	const char *key;
	size_t off;
	double def;
} prices[] = {
	{ "hit_ns", offsetof(machine_t, hit), 1.2 },
	{ "llc_ns", offsetof(machine_t, llc), 10 },
	{ "xfer_socket_ns", offsetof(machine_t, xfer_socket), 20 },
	{ "xfer_remote_ns", offsetof(machine_t, xfer_remote), 60 },
	{ "xfer_per_distance_ns", offsetof(machine_t, xfer_per_distance), 3.636 },
	{ "mem_local_ns", offsetof(machine_t, mem_local), 80 },
	{ "mem_per_distance_ns", offsetof(machine_t, mem_per_distance), 3.636 },
	{ "rmw_ns", offsetof(machine_t, rmw), 8 },
	{ "inval_ns", offsetof(machine_t, inval), 0.3 },
	{ "op_ns", offsetof(machine_t, op), 2 },
	{ "irq_ns", offsetof(machine_t, irq), 2 },
};

typedef struct loader {
	GKeyFile *prof;         /* the profile */
	const char *path;
	GKeyFile *over;         /* the overrides, may be NULL */
	const char *opath;      /* their file, for messages; may be NULL */
	machine_t *m;
	GError **err;
} loader_t;

/* The 1-based line of the last "key =" in [group] of file path, 0 if none. */
static int key_line(const char *path, const char *group, const char *key)
{
	char *text, **lines;
	size_t glen = strlen(group), klen = strlen(key);
	bool in = false;
	int line = 0;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *s = lines[i] + strspn(lines[i], " \t");

		if (*s == '[')
			in = strncmp(s + 1, group, glen) == 0 && s[1 + glen] == ']';
		else if (in && strncmp(s, key, klen) == 0 &&
		         s[klen + strspn(s + klen, " \t")] == '=')
			line = i + 1;
	}
	g_strfreev(lines);
	g_free(text);
	return line;
}

/* Set *err to "file:line: [machine] key: msg"; always false.  A NULL
 * file means overrides that come from no file (the command line). */
static bool report(GError **err, const char *file, const char *key,
                   const char *msg)
{
	int line = file ? key_line(file, GROUP, key) : 0;

	if (!file)
		file = "overrides";
	if (line)
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "%s:%d: [" GROUP "] %s: %s", file, line, key, msg);
	else
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "%s: [" GROUP "] %s: %s", file, key, msg);
	return false;
}

/* Whether the overrides set key. */
static bool overridden(const loader_t *ld, const char *key)
{
	return ld->over && g_key_file_has_key(ld->over, GROUP, key, NULL);
}

/* Report a bad key in the file its value came from; always false. */
G_GNUC_PRINTF(3, 4)
static bool fail(loader_t *ld, const char *key, const char *fmt, ...)
{
	const char *file = overridden(ld, key) ? ld->opath : ld->path;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	report(ld->err, file, key, msg);
	g_free(msg);
	return false;
}

/* The raw value of key, overrides first, stripped; NULL if nobody sets it. */
static char *value(const loader_t *ld, const char *key)
{
	GKeyFile *kf = overridden(ld, key) ? ld->over : ld->prof;
	char *v = g_key_file_get_value(kf, GROUP, key, NULL);

	return v ? g_strstrip(v) : NULL;
}

/* Read string key (escapes decoded) into *out, def if absent. */
static bool get_string(loader_t *ld, const char *key, const char *def,
                       char **out)
{
	GKeyFile *kf = overridden(ld, key) ? ld->over : ld->prof;
	GError *e = NULL;

	*out = g_key_file_get_string(kf, GROUP, key, &e);
	if (e && e->code == G_KEY_FILE_ERROR_KEY_NOT_FOUND)
		*out = g_strdup(def);
	else if (e)
		fail(ld, key, "expected a string, got an invalid one (%s)", e->message);
	g_clear_error(&e);
	return *out != NULL;
}

/* Read integer key into *out, def if absent; it must lie in [min, max]. */
static bool get_int(loader_t *ld, const char *key, int def, int min, int max,
                    int *out)
{
	char *v = value(ld, key);
	gint64 n = def;
	bool ok = !v || g_ascii_string_to_signed(v, 10, min, max, &n, NULL);

	if (ok)
		*out = (int)n;
	else if (min == 1 && max == G_MAXINT)
		fail(ld, key, "expected a positive integer, got '%s'", v);
	else if (min == 1)
		fail(ld, key, "expected a positive integer up to %d, got '%s'", max, v);
	else if (max == G_MAXINT)
		fail(ld, key, "expected an integer from %d up, got '%s'", min, v);
	else
		fail(ld, key, "expected an integer from %d to %d, got '%s'", min, max, v);
	g_free(v);
	return ok;
}

/* Read price key (ns) into its field of ld->m, in picoseconds. */
static bool get_price(loader_t *ld, const struct price *p)
{
	char *v = value(ld, p->key), *end = NULL;
	double ns = v ? g_ascii_strtod(v, &end) : p->def;
	bool ok = !v || (end != v && *end == '\0' && ns >= 0 && ns <= MAX_NS);

	if (ok)
		*(simtime_t *)((char *)ld->m + p->off) =
			(simtime_t)(ns * PS_PER_NS + 0.5);
	else
		fail(ld, p->key, "expected a number of nanoseconds from 0 to 1e9, got '%s'", v);
	g_free(v);
	return ok;
}

/* Reject groups other than [machine] in the profile, and its absence. */
static bool check_groups(loader_t *ld)
{
	char **groups = g_key_file_get_groups(ld->prof, NULL);
	bool ok = g_key_file_has_group(ld->prof, GROUP);

	if (!ok)
		g_set_error(ld->err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
		            "%s: expected a [" GROUP "] group", ld->path);
	for (int i = 0; ok && groups[i]; i++)
		if (strcmp(groups[i], GROUP) != 0) {
			g_set_error(ld->err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
			            "%s: [%s]: expected only a [" GROUP "] group",
			            ld->path, groups[i]);
			ok = false;
		}
	g_strfreev(groups);
	return ok;
}

/* Reject keys of [machine] in kf (read from file) that are not machine keys. */
static bool check_keys(loader_t *ld, GKeyFile *kf, const char *file)
{
	char **keys = kf ? g_key_file_get_keys(kf, GROUP, NULL, NULL) : NULL;
	bool ok = true;

	for (int i = 0; ok && keys && keys[i]; i++) {
		if (g_strv_contains(machine_keys, keys[i]))
			continue;
		char *list = g_strjoinv(", ", (char **)machine_keys);
		char *msg = g_strdup_printf("unknown key, expected one of %s", list);
		ok = report(ld->err, file, keys[i], msg);
		g_free(msg);
		g_free(list);
	}
	g_strfreev(keys);
	return ok;
}

/* cpus, nodes, sockets and the kernel's constants; fill the CPU maps. */
static bool load_counts(loader_t *ld)
{
	machine_t *m = ld->m;

	if (!get_int(ld, "cpus", 4, 1, MAX_CPUS, &m->ncpus) ||
	    !get_int(ld, "nodes", 1, 1, MAX_NODES, &m->nnodes) ||
	    !get_int(ld, "sockets", m->nnodes, 1, MAX_CPUS, &m->nsockets) ||
	    !get_int(ld, "nr_cpus", m->ncpus, 1, MAX_CPUS, &m->nr_cpus) ||
	    !get_int(ld, "max_numnodes", m->nnodes, 1, MAX_NODES, &m->max_numnodes) ||
	    !get_int(ld, "hz", 250, 100, 10000, &m->hz))
		return false;
	if (m->ncpus % m->nnodes)
		return fail(ld, "nodes", "expected a divisor of cpus (%d), got '%d'",
		            m->ncpus, m->nnodes);
	if (m->ncpus % m->nsockets)
		return fail(ld, "sockets", "expected a divisor of cpus (%d), got '%d'",
		            m->ncpus, m->nsockets);
	if (m->nsockets % m->nnodes && m->nnodes % m->nsockets)
		return fail(ld, "sockets", "expected a multiple or a divisor of nodes (%d), got '%d'",
		            m->nnodes, m->nsockets);
	if (m->nr_cpus < m->ncpus)
		return fail(ld, "nr_cpus", "expected at least cpus (%d), got '%d'",
		            m->ncpus, m->nr_cpus);
	if (m->max_numnodes < m->nnodes)
		return fail(ld, "max_numnodes", "expected at least nodes (%d), got '%d'",
		            m->nnodes, m->max_numnodes);
	m->cpu_node = g_new(int, m->ncpus);
	m->cpu_socket = g_new(int, m->ncpus);
	m->node_first_cpu = g_new(int, m->nnodes);
	for (int i = 0; i < m->ncpus; i++) {
		m->cpu_node[i] = i / (m->ncpus / m->nnodes);
		m->cpu_socket[i] = i / (m->ncpus / m->nsockets);
	}
	for (int n = 0; n < m->nnodes; n++)
		m->node_first_cpu[n] = n * (m->ncpus / m->nnodes);
	return true;
}

/* Read a power of two from lo to hi into *out and its log2 into *shift. */
static bool get_pow2(loader_t *ld, const char *key, int def, int lo, int hi,
                     int *out, int *shift)
{
	if (!get_int(ld, key, def, 1, G_MAXINT, out))
		return false;
	if (*out < lo || *out > hi || (*out & (*out - 1)))
		return fail(ld, key, "expected a power of two from %d to %d, got '%d'",
		            lo, hi, *out);
	*shift = g_bit_nth_lsf((gulong)*out, -1);
	return true;
}

/* Read boolean key into *out, def if absent. */
static bool get_bool(loader_t *ld, const char *key, bool def, bool *out)
{
	char *v = value(ld, key);
	bool ok = !v || strcmp(v, "true") == 0 || strcmp(v, "false") == 0;

	if (!ok)
		fail(ld, key, "expected true or false, got '%s'", v);
	else
		*out = v ? strcmp(v, "true") == 0 : def;
	g_free(v);
	return ok;
}

/* The shared last-level cache: capacity (0: none), ways, inclusion, and
 * whether one serves each socket or each node (a die of a multi-die
 * package). */
static bool load_llc(loader_t *ld)
{
	machine_t *m = ld->m;
	char *scope = NULL;
	int kib;
	bool ok = get_int(ld, "llc_kib", 0, 0, MAX_CACHE_KIB, &kib) &&
	          get_int(ld, "llc_ways", 16, 1, MAX_WAYS, &m->llc_ways) &&
	          get_bool(ld, "llc_inclusive", true, &m->llc_inclusive) &&
	          get_string(ld, "llc_scope", "socket", &scope);

	if (ok && strcmp(scope, "socket") && strcmp(scope, "node"))
		ok = fail(ld, "llc_scope", "expected 'socket' or 'node', got '%s'", scope);
	ok = ok && get_bool(ld, "layout_noise", true, &m->layout_noise);
	if (ok) {
		m->llc_per_node = strcmp(scope, "node") == 0;
		m->llc_lines = (int)((int64_t)kib * 1024 / m->cache_line);
		if (m->llc_lines && m->llc_lines < m->llc_ways)
			ok = fail(ld, "llc_ways", "expected at most llc_kib * 1024 / cache_line (%d), got '%d'",
			          m->llc_lines, m->llc_ways);
	}
	g_free(scope);
	return ok;
}

/* Page and line sizes, memory per node, private cache geometry. */
static bool load_geometry(loader_t *ld)
{
	machine_t *m = ld->m;
	int mib, kib;

	if (!get_pow2(ld, "page_size", 4096, 4096, 65536, &m->page_size, &m->page_shift) ||
	    !get_pow2(ld, "cache_line", 64, 32, 256, &m->cache_line, &m->line_shift) ||
	    !get_int(ld, "mem_per_node_mib", 1024, 1, MAX_NODE_MIB, &mib) ||
	    !get_int(ld, "cache_kib", 512, 1, MAX_CACHE_KIB, &kib) ||
	    !get_int(ld, "cache_ways", 8, 1, MAX_WAYS, &m->cache_ways))
		return false;
	if ((uint64_t)mib * (uint64_t)m->nnodes > MAX_TOTAL_MIB)
		return fail(ld, "mem_per_node_mib", "expected at most %llu MiB in all (%d nodes: up to %llu "
		            "per node), got '%d'", (unsigned long long)MAX_TOTAL_MIB, m->nnodes,
		            (unsigned long long)(MAX_TOTAL_MIB / (uint64_t)m->nnodes), mib);
	m->mem_per_node = (uint64_t)mib << 20;
	m->cache_lines = (int)((int64_t)kib * 1024 / m->cache_line);
	if (m->cache_lines < m->cache_ways)
		return fail(ld, "cache_ways",
		            "expected at most cache_lines (%d = cache_kib * 1024 / cache_line), got '%d'",
		            m->cache_lines, m->cache_ways);
	return load_llc(ld);
}

/* Parse row r of an explicit matrix into m->distance. */
static bool parse_row(loader_t *ld, const char *row, int r)
{
	machine_t *m = ld->m;
	char **cols = g_strsplit(row, ",", -1);
	int n = (int)g_strv_length(cols);
	bool ok = n == m->nnodes;

	if (!ok)
		fail(ld, "distance", "row of node %d: expected %d comma-separated distances (nodes = %d), got %d",
		     r, m->nnodes, m->nnodes, n);
	for (int c = 0; ok && c < n; c++) {
		guint64 d;

		ok = g_ascii_string_to_unsigned(g_strstrip(cols[c]), 10, 10, 254, &d, NULL);
		if (ok)
			m->distance[r * n + c] = (uint8_t)d;
		else
			fail(ld, "distance", "distance(%d, %d): expected an integer from 10 to 254, got '%s'",
			     r, c, cols[c]);
	}
	g_strfreev(cols);
	return ok;
}

/* Check a parsed matrix: 10 on the diagonal only, and symmetric. */
static bool check_matrix(loader_t *ld)
{
	const machine_t *m = ld->m;

	for (int a = 0; a < m->nnodes; a++)
		for (int b = 0; b < m->nnodes; b++) {
			int d = machine_node_distance(m, a, b);

			if ((a == b) != (d == 10))
				return fail(ld, "distance", "distance(%d, %d): expected %s, got %d",
				            a, b, a == b ? "10 on the diagonal" : "11 to 254 off the diagonal", d);
			if (d != machine_node_distance(m, b, a))
				return fail(ld, "distance", "distance(%d, %d): expected a symmetric matrix, got %d but distance(%d, %d) = %d",
				            a, b, d, b, a, machine_node_distance(m, b, a));
		}
	return true;
}

/* Parse an explicit SLIT matrix "10,21;21,10" (rows split by ';'). */
static bool parse_matrix(loader_t *ld, const char *v)
{
	char **rows = g_strsplit(v, ";", -1);
	int n = (int)g_strv_length(rows);
	bool ok;

	if (n > 1 && !*g_strstrip(rows[n - 1]))
		n--;                    /* a trailing ';', GKeyFile list style */
	ok = n == ld->m->nnodes;
	if (!ok)
		fail(ld, "distance", "expected %d rows separated by ';' (nodes = %d), got %d",
		     ld->m->nnodes, ld->m->nnodes, n);
	for (int r = 0; ok && r < n; r++)
		ok = parse_row(ld, rows[r], r);
	g_strfreev(rows);
	return ok && check_matrix(ld);
}

/* Routers crossed between distinct nodes a and b in a fat tree of routers
 * with `ports` downlinks: climb L levels until they share a subtree, then
 * down again, 2L - 1 routers in all.  At most 2 * 12 - 1 = 23 for 4,096
 * nodes and 2 ports, so a distance never exceeds 10 + 3 * 23 = 79. */
static int fattree_crossings(int a, int b, int ports)
{
	int level = 1;

	while ((a /= ports) != (b /= ports))
		level++;
	return 2 * level - 1;
}

/* Fill m->distance: a fat tree of `ports`-port routers, or if ports is 0
 * every remote pair at distance remote. */
static void fill_distance(machine_t *m, int ports, int remote)
{
	int n = m->nnodes;

	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			m->distance[a * n + b] = (uint8_t)(a == b ? 10 : !ports ? remote :
				10 + 3 * fattree_crossings(a, b, ports));
}

/* The distance matrix, from topology, distance, remote_distance and
 * router_ports.  An empty distance means none, so that a scenario can drop
 * a profile's matrix when it changes nodes. */
static bool load_distance(loader_t *ld)
{
	char *topo = value(ld, "topology"), *matrix = value(ld, "distance");
	bool fattree = topo && strcmp(topo, "fattree") == 0;
	bool has_matrix = matrix && *matrix;
	int remote, ports;
	bool ok = true;

	ld->m->distance = g_new(uint8_t, (size_t)ld->m->nnodes * ld->m->nnodes);
	if (!get_int(ld, "remote_distance", 21, 11, 254, &remote) ||
	    !get_int(ld, "router_ports", 8, 2, G_MAXINT, &ports))
		ok = false;
	else if (topo && !fattree && strcmp(topo, "flat") != 0)
		ok = fail(ld, "topology", "expected 'flat' or 'fattree', got '%s'", topo);
	else if (fattree && has_matrix)
		ok = fail(ld, "distance", "expected none with topology fattree, got '%s'", matrix);
	else if (has_matrix)
		ok = parse_matrix(ld, matrix);
	else
		fill_distance(ld->m, fattree ? ports : 0, remote);
	g_free(topo);
	g_free(matrix);
	return ok;
}

/* Keep the raw value of every key the profile or the overrides set. */
static void remember_values(loader_t *ld)
{
	ld->m->values = g_key_file_new();
	for (int i = 0; machine_keys[i]; i++) {
		char *v = value(ld, machine_keys[i]);
		if (v)
			g_key_file_set_value(ld->m->values, GROUP, machine_keys[i], v);
		g_free(v);
	}
}

/* The effective value of key: as written, else the loaded default. */
char *machine_key_value(const machine_t *m, const char *key)
{
	char *v = g_key_file_get_value(m->values, GROUP, key, NULL);

	if (v)
		return v;
	for (size_t i = 0; i < G_N_ELEMENTS(prices); i++)
		if (strcmp(prices[i].key, key) == 0)
			return g_strdup_printf("%.3f", (double)*(const simtime_t *)
			                       ((const char *)m + prices[i].off) / 1000.0);
	if (strcmp(key, "cpus") == 0) return g_strdup_printf("%d", m->ncpus);
	if (strcmp(key, "nodes") == 0) return g_strdup_printf("%d", m->nnodes);
	if (strcmp(key, "sockets") == 0) return g_strdup_printf("%d", m->nsockets);
	if (strcmp(key, "nr_cpus") == 0) return g_strdup_printf("%d", m->nr_cpus);
	if (strcmp(key, "max_numnodes") == 0) return g_strdup_printf("%d", m->max_numnodes);
	if (strcmp(key, "page_size") == 0) return g_strdup_printf("%d", m->page_size);
	if (strcmp(key, "cache_line") == 0) return g_strdup_printf("%d", m->cache_line);
	if (strcmp(key, "hz") == 0) return g_strdup_printf("%d", m->hz);
	return NULL;
}

/* Everything but the file: check keys, read values, derive the rest. */
static bool load(loader_t *ld, const char *basename)
{
	if (!check_groups(ld) || !check_keys(ld, ld->prof, ld->path) ||
	    !check_keys(ld, ld->over, ld->opath) ||
	    !get_string(ld, "name", basename, &ld->m->name) ||
	    !get_string(ld, "description", "", &ld->m->description) ||
	    !load_counts(ld) || !load_geometry(ld) || !load_distance(ld))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(prices); i++)
		if (!get_price(ld, &prices[i]))
			return false;
	remember_values(ld);
	return true;
}

/* Load profile name_or_path (a path, or dir/NAME.machine), apply overrides. */
machine_t *machine_load(const char *name_or_path, const char *dir,
                        GKeyFile *overrides, const char *overrides_file,
                        GError **err)
{
	bool is_path = strchr(name_or_path, '/') || g_str_has_suffix(name_or_path, ".machine");
	char *file = g_strconcat(name_or_path, is_path ? "" : ".machine", NULL);
	char *path = is_path ? g_strdup(file) : g_build_filename(dir ? dir : ".", file, NULL);
	char *base = g_path_get_basename(file);
	loader_t ld = { g_key_file_new(), path, overrides, overrides_file,
	                g_new0(machine_t, 1), err };
	char *text = NULL;
	gsize len;

	if (g_str_has_suffix(base, ".machine"))
		base[strlen(base) - strlen(".machine")] = '\0';

	if (!kf_load_strict(ld.prof, path, &text, &len, err)) {
		if (!text)
			g_prefix_error(err, "%s: ", path);
		g_clear_pointer(&ld.m, machine_free);
	} else if (!load(&ld, base)) {
		g_clear_pointer(&ld.m, machine_free);
	}
	g_key_file_free(ld.prof);
	g_free(text);
	g_free(base);
	g_free(path);
	g_free(file);
	return ld.m;
}

/* Free m and everything it owns; NULL is fine. */
void machine_free(machine_t *m)
{
	if (!m)
		return;
	if (m->values)
		g_key_file_free(m->values);
	g_free(m->name);
	g_free(m->description);
	g_free(m->cpu_node);
	g_free(m->cpu_socket);
	g_free(m->node_first_cpu);
	g_free(m->distance);
	g_free(m);
}
