/*
 * hostprobe.c -- a machine profile of the host (see hostprobe.h).
 *
 * The benchmarks are the usual ones.  Latency of a level: a dependent load
 * chain (p = *p) through a random cyclic permutation of one pointer per
 * cache line in a buffer sized for that level, so that neither the
 * prefetchers nor out-of-order execution hide the latency; huge pages are
 * asked for (madvise) so that the DRAM figure is not a TLB-miss figure.
 * Transfer: two threads pinned to two CPUs hand a line back and forth,
 * each waiting for the other's store; half a round trip is one transfer of
 * a Modified line.  Atomics: a fetch-and-add loop on a line the thread
 * owns (the RMW price), and two threads on one line (the contended price,
 * reported as a check).  Every figure is the least of fifteen short runs:
 * on a shared machine other work only adds time, and a short run is more
 * likely than a long one to fall between two of the other work's slices.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include "hostprobe.h"
#include "error.h"

/* Runs of each benchmark and dependent loads per run; `quick` (tests)
 * takes one short run of each. */
#define MAX_RUNS 15
static int RUNS = MAX_RUNS;
static size_t STEPS = 1u << 20;
#define SYS_CPU "/sys/devices/system/cpu"
#define SYS_NODE "/sys/devices/system/node"

/* One cache level of CPU 0. */
typedef struct cache_level {
	int level;
	uint64_t bytes;
	int ways;
	int line;
	int sharing;             /* CPUs that share it */
	int inclusive;           /* 1, 0, or -1 unknown */
} cache_level_t;

typedef struct host {
	int ncpus;
	int *cpus;               /* host CPU numbers of the online CPUs */
	int nsockets, nnodes;
	int nr_cpus;             /* NR_CPUS: kernel_max + 1 */
	char *distance;          /* SLIT rows, flattened */
	uint64_t node_mib;
	int page_size;
	cache_level_t l1, l2, llc;
	const char *cache_source;
	int uneven;              /* CPUs not spread evenly over nodes */
} host_t;

/* ---- reading ---- */

static char *read_text(const char *path)
{
	char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		return NULL;
	return g_strstrip(s);
}

static long read_long(const char *path, long def)
{
	char *s = read_text(path), *end;
	long v;

	if (!s)
		return def;
	v = strtol(s, &end, 10);
	if (end == s)
		v = def;
	g_free(s);
	return v;
}

/* A kernel CPU list ("0-3,8") as an array of numbers. */
static GArray *parse_list(const char *s)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(int));
	char **parts = g_strsplit(s ? s : "", ",", -1);

	for (int i = 0; parts[i]; i++) {
		int lo, hi;
		if (sscanf(parts[i], "%d-%d", &lo, &hi) == 2 || (sscanf(parts[i], "%d", &lo) == 1 && (hi = lo, 1)))
			for (int c = lo; c <= hi; c++)
				g_array_append_val(a, c);
	}
	g_strfreev(parts);
	return a;
}

static GArray *read_list(const char *path)
{
	char *s = read_text(path);
	GArray *a = parse_list(s);

	g_free(s);
	return a;
}

/* "32768K" and the like, in bytes. */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = s ? g_ascii_strtoull(s, &end, 10) : 0;

	if (!s || end == s)
		return 0;
	if (*end == 'K')
		v <<= 10;
	else if (*end == 'M')
		v <<= 20;
	else if (*end == 'G')
		v <<= 30;
	return v;
}

/* Cache levels of CPU 0 from sysfs; false if it has no cache directory. */
static bool caches_from_sysfs(host_t *h)
{
	bool any = false;

	for (int i = 0; i < 16; i++) {
		char *dir = g_strdup_printf(SYS_CPU "/cpu%d/cache/index%d", h->cpus[0], i);
		char *type_p = g_build_filename(dir, "type", NULL), *type = read_text(type_p);
		char *size_p = g_build_filename(dir, "size", NULL), *size = read_text(size_p);
		char *shared_p = g_build_filename(dir, "shared_cpu_list", NULL);
		char *lvl_p = g_build_filename(dir, "level", NULL), *ways_p = g_build_filename(dir, "ways_of_associativity", NULL);
		char *line_p = g_build_filename(dir, "coherency_line_size", NULL);

		if (type && strcmp(type, "Instruction") != 0) {
			GArray *shared = read_list(shared_p);
			cache_level_t c = { (int)read_long(lvl_p, 0), parse_size(size), (int)read_long(ways_p, 0),
			                    (int)read_long(line_p, 64), (int)shared->len, -1 };
			g_array_free(shared, TRUE);
			if (c.level == 1)
				h->l1 = c;
			else if (c.level == 2)
				h->l2 = c;
			else if (c.level >= 3)
				h->llc = c;
			any = true;
		}
		g_free(type);
		g_free(size);
		g_free(dir);
		g_free(type_p);
		g_free(size_p);
		g_free(shared_p);
		g_free(lvl_p);
		g_free(ways_p);
		g_free(line_p);
	}
	return any && h->l1.bytes;
}

/* Cache levels from CPUID (x86: leaf 4, or AMD's 0x8000001D), which also
 * tells whether a level is inclusive. */
static bool caches_from_cpuid(host_t *h)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d, leaf = 4, max;

	if (__get_cpuid(0x80000000, &max, &b, &c, &d) && max >= 0x8000001D &&
	    __get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541)     /* "Auth": AMD */
		leaf = 0x8000001D;
	for (unsigned i = 0; i < 16; i++) {
		if (!__get_cpuid_count(leaf, i, &a, &b, &c, &d) || (a & 31) == 0)
			break;
		if ((a & 31) == 2)
			continue;                               /* instruction cache */
		cache_level_t l = { (int)((a >> 5) & 7),
		                    (uint64_t)((b >> 22) + 1) * (((b >> 12) & 1023) + 1) *
		                    ((b & 4095) + 1) * ((uint64_t)c + 1),
		                    (int)(b >> 22) + 1, (int)(b & 4095) + 1,
		                    (int)((a >> 14) & 4095) + 1, (int)((d >> 1) & 1) };
		if (l.level == 1)
			h->l1 = l;
		else if (l.level == 2)
			h->l2 = l;
		else if (l.level >= 3)
			h->llc = l;
	}
	return h->l1.bytes != 0;
#else
	return false;
#endif
}

/* CPUID's inclusiveness bit of the last level, when sysfs gave the rest. */
static void llc_inclusive_from_cpuid(host_t *h)
{
	host_t probe = { 0 };

	if (caches_from_cpuid(&probe) && probe.llc.level == h->llc.level)
		h->llc.inclusive = probe.llc.inclusive;
}

static int socket_of(int cpu)
{
	char *p = g_strdup_printf(SYS_CPU "/cpu%d/topology/physical_package_id", cpu);
	int s = (int)read_long(p, 0);

	g_free(p);
	return s;
}

/* Sockets and nodes, the SLIT and memory per node. */
static void read_topology(host_t *h)
{
	GArray *sockets = g_array_new(FALSE, FALSE, sizeof(int)), *nodes = read_list(SYS_NODE "/online");
	GString *dist = g_string_new(NULL);
	uint64_t mem_kib = 0;

	for (int i = 0; i < h->ncpus; i++) {
		int s = socket_of(h->cpus[i]);
		bool seen = false;
		for (guint j = 0; j < sockets->len; j++)
			seen |= g_array_index(sockets, int, j) == s;
		if (!seen)
			g_array_append_val(sockets, s);
	}
	h->nsockets = MAX(1, (int)sockets->len);
	h->nnodes = MAX(1, (int)nodes->len);
	for (guint n = 0; n < nodes->len; n++) {
		char *p = g_strdup_printf(SYS_NODE "/node%d/distance", g_array_index(nodes, int, n));
		char *row = read_text(p), **cols = g_strsplit_set(row ? row : "10", " \t", -1);
		char *joined = g_strjoinv(",", cols);
		g_string_append_printf(dist, "%s%s", n ? ";" : "", joined);
		g_strfreev(cols);
		g_free(joined);
		g_free(row);
		g_free(p);
		p = g_strdup_printf(SYS_NODE "/node%d/cpulist", g_array_index(nodes, int, n));
		GArray *cpus = read_list(p);
		h->uneven |= (int)cpus->len * h->nnodes != h->ncpus;
		g_array_free(cpus, TRUE);
		g_free(p);
	}
	h->distance = g_string_free(dist, FALSE);
	{
		FILE *f = fopen("/proc/meminfo", "r");
		char line[256];
		while (f && fgets(line, sizeof line, f))
			if (sscanf(line, "MemTotal: %" SCNu64, &mem_kib) == 1)
				break;
		if (f)
			fclose(f);
	}
	h->node_mib = mem_kib / 1024 / (uint64_t)h->nnodes;
	g_array_free(sockets, TRUE);
	g_array_free(nodes, TRUE);
}

/* ---- measuring ---- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The least disturbed of n runs: on a shared machine other work only
 * ever adds time, so the minimum is the estimate of the latency. */
static double least(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[0];
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* ns per dependent load through `bytes` of lines in random order. */
static double chase(size_t bytes, int line)
{
	size_t n = bytes / (size_t)line, steps = STEPS, huge = 2u << 20;
	size_t span = bytes + huge;
	char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = (char *)(((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1));
	size_t *order;
	double runs[MAX_RUNS];
	void **p;

	if (map == MAP_FAILED || n < 2)
		return 0;
	madvise(buf, bytes, MADV_HUGEPAGE);       /* 2 MiB aligned, so it can take */
	order = g_new(size_t, n);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (size_t i = n - 1; i > 0; i--) {        /* Fisher-Yates, splitmix64 */
		s += 0x9e3779b97f4a7c15ULL;
		uint64_t z = (s ^ (s >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		size_t j = (size_t)((z ^ (z >> 31)) % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(buf + order[i] * (size_t)line) = buf + order[(i + 1) % n] * (size_t)line;
	g_free(order);
	p = (void **)buf;
	for (size_t i = 0; i < n; i++)              /* warm up: one full lap */
		p = *p;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		for (size_t i = 0; i < steps; i++)
			p = *p;
		runs[r] = (now_ns() - t0) / (double)steps;
	}
	__asm__ volatile("" : : "r"(p));
	munmap(map, span);
	return least(runs, RUNS);
}

/* The turn word: atomic loads and stores (plain movs on x86), so the two
 * threads' handoff is no data race (ThreadSanitizer checks it). */
typedef struct pingpong {
	_Alignas(128) uint64_t turn;
	int cpu;
	long rounds;
} pingpong_t;

static void *pong(void *arg)
{
	pingpong_t *pp = arg;

	pin(pp->cpu);
	for (long i = 0; i < pp->rounds; i++) {
		while (__atomic_load_n(&pp->turn, __ATOMIC_ACQUIRE) != 2 * (uint64_t)i + 1)
			;
		__atomic_store_n(&pp->turn, 2 * (uint64_t)i + 2, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* ns for one transfer of a Modified line from CPU b to CPU a. */
static double ping_pong(int a, int b)
{
	double runs[MAX_RUNS];

	for (int r = 0; r < RUNS; r++) {
		pingpong_t pp = { .turn = 0, .cpu = b, .rounds = (long)STEPS / 20 };
		pthread_t t;

		pin(a);
		if (pthread_create(&t, NULL, pong, &pp) != 0)
			return 0;
		double t0 = now_ns();
		for (long i = 0; i < pp.rounds; i++) {
			__atomic_store_n(&pp.turn, 2 * (uint64_t)i + 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&pp.turn, __ATOMIC_ACQUIRE) != 2 * (uint64_t)i + 2)
				;
		}
		runs[r] = (now_ns() - t0) / (2.0 * (double)pp.rounds);
		pthread_join(t, NULL);
	}
	return least(runs, RUNS);
}

typedef struct adder {
	uint64_t *word;
	int cpu;
	long n;
	double ns;
} adder_t;

static void *add_loop(void *arg)
{
	adder_t *a = arg;

	pin(a->cpu);
	double t0 = now_ns();
	for (long i = 0; i < a->n; i++)
		__atomic_fetch_add(a->word, 1, __ATOMIC_SEQ_CST);
	a->ns = (now_ns() - t0) / (double)a->n;
	return NULL;
}

/* ns per fetch-and-add on one word by the CPUs of cpus[0..n). */
static double atomic_ns(const int *cpus, int n)
{
	static _Alignas(128) uint64_t word;
	double runs[MAX_RUNS];

	for (int r = 0; r < RUNS; r++) {
		adder_t a[2];
		pthread_t t[2];
		double sum = 0;
		for (int i = 0; i < n; i++) {
			a[i] = (adder_t){ &word, cpus[i], (long)STEPS / 2, 0 };
			pthread_create(&t[i], NULL, add_loop, &a[i]);
		}
		for (int i = 0; i < n; i++) {
			pthread_join(t[i], NULL);
			sum += a[i].ns;
		}
		runs[r] = sum / n;
	}
	return least(runs, RUNS);
}

/* ---- the profile ---- */

static void key(GString *s, const char *comment, const char *k, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void key(GString *s, const char *comment, const char *k, const char *fmt, ...)
{
	va_list ap;
	char *v, **lines = g_strsplit(comment, "\n", -1);

	va_start(ap, fmt);
	v = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (int i = 0; lines[i]; i++)
		g_string_append_printf(s, "# %s\n", lines[i]);
	g_string_append_printf(s, "%s = %s\n\n", k, v);
	g_strfreev(lines);
	g_free(v);
}

static void omitted(GString *s, const char *k, const char *why)
{
	g_string_append_printf(s, "# %s: not set here: %s\n\n", k, why);
}

static void write_geometry(GString *s, const host_t *h)
{
	key(s, "Online CPUs, read from " SYS_CPU "/online.", "cpus", "%d", h->ncpus);
	key(s, h->uneven ? "NUMA nodes with CPUs, read from " SYS_NODE "/online; the host's CPUs are not\n"
	                   "spread evenly over them, as slabsim assumes (its CPUs are)." :
	                   "NUMA nodes, read from " SYS_NODE "/online.", "nodes", "%d", h->nnodes);
	key(s, "Distinct physical_package_id of the online CPUs (sysfs topology).", "sockets", "%d",
	    h->nsockets);
	key(s, "The running kernel's NR_CPUS: " SYS_CPU "/kernel_max + 1.", "nr_cpus", "%d",
	    MAX(h->nr_cpus, h->ncpus));
	omitted(s, "max_numnodes", "the running kernel's MAX_NUMNODES (CONFIG_NODES_SHIFT) is not\n"
	        "# visible in sysfs; the loader's default (nodes) applies");
	key(s, "sysconf(_SC_PAGESIZE).", "page_size", "%d", h->page_size);
	key(s, h->cache_source, "cache_line", "%d", h->l1.line ? h->l1.line : 64);
	key(s, "MemTotal of /proc/meminfo divided over the nodes.  A reservation of address\n"
	       "space only: slabsim touches what its runs use.", "mem_per_node_mib", "%" G_GUINT64_FORMAT,
	    MAX(h->node_mib, (uint64_t)64));
	{
		const cache_level_t *p = h->l2.bytes ? &h->l2 : &h->l1;
		char *c = g_strdup_printf("The private cache: L%d of CPU 0, %" G_GUINT64_FORMAT " KiB %d-way\n"
		                          "(%s).", p->level, p->bytes >> 10, p->ways, h->cache_source);
		key(s, c, "cache_kib", "%" G_GUINT64_FORMAT, p->bytes >> 10);
		key(s, "Its associativity (same source).", "cache_ways", "%d", p->ways ? p->ways : 8);
		g_free(c);
	}
}

/* The LLC keys; `measured_kib` is its capacity from the knee of the
 * pointer-chasing sweep when the reported one was rejected (0: accepted). */
static void write_llc(GString *s, const host_t *h, uint64_t measured_kib)
{
	if (!h->llc.bytes && !measured_kib) {
		omitted(s, "llc_kib", "the host reports no shared cache level and the pointer-chasing\n"
		        "# sweep shows no knee between the private cache and DRAM");
		return;
	}
	if (measured_kib)
		key(s, "The last-level cache per socket, from the knee of the pointer-chasing sweep:\n"
		       "the reported size was rejected as implausible (larger than 1 GiB).",
		    "llc_kib", "%" G_GUINT64_FORMAT, measured_kib);
	else {
		char *c = g_strdup_printf("The last-level cache, L%d: %" G_GUINT64_FORMAT " KiB shared by %d CPUs (%s).",
		                          h->llc.level, h->llc.bytes >> 10, h->llc.sharing, h->cache_source);
		key(s, c, "llc_kib", "%" G_GUINT64_FORMAT, h->llc.bytes >> 10);
		g_free(c);
	}
	key(s, "Its associativity (same source).", "llc_ways", "%d", h->llc.ways ? h->llc.ways : 16);
	if (h->llc.inclusive >= 0)
		key(s, "Whether it holds every line of the private caches: CPUID's cache-inclusive bit.",
		    "llc_inclusive", "%s", h->llc.inclusive ? "true" : "false");
	else
		omitted(s, "llc_inclusive", "neither sysfs nor CPUID tells; the loader's default applies");
}

/* Capacity where the latency of a chase over twice the size jumps by half
 * or more, searched from the private cache up to 1 GiB. */
static uint64_t llc_knee_kib(const host_t *h)
{
	uint64_t from = MAX(h->l2.bytes, h->l1.bytes) * 2, best = 0;
	double prev = chase(from, 64);

	for (uint64_t b = from * 2; b <= (1ULL << 30); b *= 2) {
		double t = chase(b, 64);
		if (t > prev * 1.5) {
			best = b / 2;
			break;
		}
		prev = t;
	}
	return best >> 10;
}

/* Say so when other work keeps the host's CPUs busy: the least of several
 * runs cannot undo another tenant's use of the shared cache, so the
 * latencies come out high. */
static void warn_if_busy(const char *loadavg, int ncpus)
{
	double load = loadavg ? g_ascii_strtod(loadavg, NULL) : 0;

	if (load > 0.5 * ncpus)
		g_printerr("slabsim: machine: warning: the host is busy (load average %.2f on %d CPUs); the\n"
		           "slabsim: machine: latencies measured now come out high: measure again on an idle host\n",
		           load, ncpus);
}

/* The prices: measured where the host allows, else left out. */
static void write_prices(GString *s, const host_t *h, uint64_t llc_bytes)
{
	int line = h->l1.line ? h->l1.line : 64;
	uint64_t l1 = h->l1.bytes ? h->l1.bytes : 32 << 10;
	double hit = chase(l1 / 2, line), llc = 0, dram;
	uint64_t dram_bytes = MAX(llc_bytes * 8, (uint64_t)256 << 20) >> (RUNS == 1 ? 4 : 0);
	char *c;

	g_printerr("slabsim: machine: private hit %.2f ns\n", hit);
	c = g_strdup_printf("Measured: dependent loads through %" G_GUINT64_FORMAT " KiB (half of L1), least of %d runs.",
	                    l1 / 2 >> 10, RUNS);
	key(s, c, "hit_ns", "%.2f", hit);
	g_free(c);
	if (llc_bytes) {
		uint64_t size = MAX(llc_bytes / 2, h->l2.bytes * 4);
		llc = chase(size, line);
		g_printerr("slabsim: machine: LLC hit %.2f ns\n", llc);
		c = g_strdup_printf("Measured: dependent loads through %" G_GUINT64_FORMAT " KiB (beyond the private\n"
		                    "cache, within the LLC), least of %d runs.", size >> 10, RUNS);
		key(s, c, "llc_ns", "%.2f", llc);
		g_free(c);
	} else {
		omitted(s, "llc_ns", "no shared cache level to measure");
	}
	dram = chase(dram_bytes, line);
	g_printerr("slabsim: machine: DRAM %.2f ns\n", dram);
	c = g_strdup_printf("Measured: dependent loads through %" G_GUINT64_FORMAT " MiB (8x the LLC, at least\n"
	                    "256 MiB; a 16th with --quick), huge pages asked for with madvise, least of\n"
	                    "%d runs: local DRAM.", dram_bytes >> 20, RUNS);
	key(s, c, "mem_local_ns", "%.2f", dram);
	g_free(c);
	if (h->ncpus >= 2) {
		int cpus[2] = { h->cpus[0], h->cpus[1] };
		double x = ping_pong(cpus[0], cpus[1]), own = atomic_ns(cpus, 1), both = atomic_ns(cpus, 2);
		g_printerr("slabsim: machine: transfer %.2f ns, RMW %.2f ns, contended RMW %.2f ns\n", x, own, both);
		c = g_strdup_printf("Measured: a line handed back and forth between CPUs %d and %d (same\n"
		                    "socket), half a round trip, least of %d runs.", cpus[0], cpus[1], RUNS);
		key(s, c, "xfer_socket_ns", "%.2f", x);
		g_free(c);
		c = g_strdup_printf("Measured: fetch-and-add on a line the CPU owns, least of %d runs.  Check:\n"
		                    "two CPUs on one line measured %.2f ns per operation, the model\n"
		                    "prices xfer_socket_ns + rmw_ns = %.2f ns.", RUNS, both, x + own);
		key(s, c, "rmw_ns", "%.2f", own);
		g_free(c);
	} else {
		omitted(s, "xfer_socket_ns", "one CPU: no transfer to measure");
	}
	if (h->nnodes < 2) {
		omitted(s, "xfer_remote_ns", "one node: no cross-node transfer to measure");
		omitted(s, "mem_per_distance_ns", "one node: no remote DRAM to measure");
	} else {
		omitted(s, "xfer_remote_ns", "cross-node figures are not measured yet (run the probe's\n"
		        "# ping-pong between CPUs of two nodes by hand)");
	}
	omitted(s, "inval_ns", "the extra cost per invalidated sharer is not measured");
	omitted(s, "irq_ns", "cli/sti need ring 0: the irq price cannot be measured from user space");
	omitted(s, "op_ns", "a model constant (call and bookkeeping), not a property of the host");
	omitted(s, "hz", "CONFIG_HZ is not visible without the kernel's config; the loader's default applies");
}

char *hostprobe_profile(bool quick, GError **err)
{
	host_t h = { 0 };
	GArray *online = read_list(SYS_CPU "/online");
	GString *s = g_string_new(NULL);
	char host[256] = "unknown";
	GDateTime *now = g_date_time_new_now_utc();
	char *when = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");
	uint64_t knee = 0;

	if (quick) {
		RUNS = 1;
		STEPS = 1u << 16;
	}
	if (!online->len) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s/online: cannot read the host's CPUs", SYS_CPU);
		g_array_free(online, TRUE);
		g_string_free(s, TRUE);
		return NULL;
	}
	h.ncpus = (int)online->len;
	h.cpus = (int *)g_array_free(online, FALSE);
	h.nr_cpus = (int)read_long(SYS_CPU "/kernel_max", h.ncpus - 1) + 1;
	h.page_size = (int)sysconf(_SC_PAGESIZE);
	read_topology(&h);
	if (caches_from_sysfs(&h)) {
		h.cache_source = "read from " SYS_CPU "/cpu0/cache";
		llc_inclusive_from_cpuid(&h);
	} else if (caches_from_cpuid(&h)) {
		h.cache_source = "read from CPUID: sysfs has no cache directory";
	} else {
		h.cache_source = "not readable: guessed";
		h.l1 = (cache_level_t){ 1, 32 << 10, 8, 64, 1, -1 };
	}
	if (h.llc.bytes > (1ULL << 30)) {
		g_printerr("slabsim: machine: the reported LLC (%" G_GUINT64_FORMAT " MiB) is implausible; measuring\n",
		           h.llc.bytes >> 20);
		knee = llc_knee_kib(&h);
	}
	gethostname(host, sizeof host - 1);
	char *load = read_text("/proc/loadavg");
	warn_if_busy(load, h.ncpus);
	g_string_append_printf(s, "# host-%s.machine -- written by `slabsim machine --from-host` on %s, %s\n"
	                       "# (load average then: %s).\n"
	                       "# Every key says whether it was read or measured; keys the host cannot show\n"
	                       "# are left out with the reason, and the loader's defaults apply to them.\n\n"
	                       "[machine]\nname = host-%s\ndescription = the host %s as measured on %s\n\n",
	                       host, host, when, load ? load : "unknown", host, host, when);
	g_free(load);
	write_geometry(s, &h);
	key(s, "The SLIT, one row per node (';' between rows), read from\n" SYS_NODE "/node*/distance; empty for one node.",
	    "distance", "%s", h.nnodes > 1 ? h.distance : "");
	write_llc(s, &h, knee);
	write_prices(s, &h, knee ? knee << 10 : h.llc.bytes);
	g_free(h.cpus);
	g_free(h.distance);
	g_free(when);
	g_date_time_unref(now);
	return g_string_free(s, FALSE);
}
