/*
 * metrics.h -- the figures slabsim reports, each declared once.
 *
 * Owns: the table of headline metrics of an allocator's results (name,
 * where results.json holds it, label, unit, the comparison column, which
 * way is better, the footnote defining it) that the comparison table, the
 * ratio table, `slabsim diff`, summary.csv, the sweep collector and the
 * sweep plots all read; the formatting of a figure with its unit (binary
 * prefixes for bytes); and the layout (file name and header line) of
 * every CSV file with fixed columns, shared by the writers and the plot
 * reader.
 */
#ifndef SLABSIM_METRICS_H
#define SLABSIM_METRICS_H

#include <stdbool.h>
#include <json-glib/json-glib.h>

/* metric_t.where */
enum {
	METRIC_SWEEP   = 1u << 0,   /* a row of every sweep point */
	METRIC_COMPARE = 1u << 1,   /* a column of the comparison table */
	METRIC_SUMMARY = 1u << 2,   /* a column of summary.csv and a line of `slabsim diff` */
};

typedef struct metric {
	const char *name;           /* sweep.csv metric and CSV column name */
	const char *path;           /* "memory/peak/slab_bytes" under allocators.A */
	double (*derive)(JsonObject *a);   /* instead of path, for derived figures */
	const char *unit;           /* "B", "ns", "ops/s", "ppm", "" */
	const char *label;          /* what it is, for an axis */
	const char *column;         /* comparison table header (METRIC_COMPARE) */
	int decimals;               /* digits after the point in text */
	unsigned where;
	int better;                 /* +1 higher is better, -1 lower is better, 0 neither */
	const char *define;         /* the footnote: what exactly the figure is */
} metric_t;

/* Every metric, terminated by an entry with a NULL name. */
extern const metric_t metric_table[];

/* The metric called name, or NULL. */
const metric_t *metric_find(const char *name);
/* Its value in allocator object a of a results tree (0 where absent). */
double metric_value(const metric_t *m, JsonObject *a);
/* Whether allocator a has figure m (reports leave an absent one empty). */
bool metric_present(const metric_t *m, JsonObject *a);
/* The number at a '/'-separated path of members under o (0 if absent). */
double json_path_number(JsonObject *o, const char *path);
/* Is there a member at that path? */
bool json_path_has(JsonObject *o, const char *path);

/*
 * The figure of merit of allocator object a: the counter its workload
 * declared (`merit` in results.json: label, better), else operations per
 * simulated second.  *label and *better describe it; the value is
 * returned.  Every allocator of one results file has the same kind.
 */
double metric_merit(JsonObject *a, const char **label, int *better, bool *declared);

/* A figure with its unit, for people: bytes with binary prefixes ("1.5
 * MiB"), times in ns, us, ms or s ("950.3 ns", "3.83 us"), rates with
 * SI prefixes ("37.4 M"), other units after the number.  g_free it. */
char *metric_format(double v, const char *unit, int decimals);
/* The same for "mean ± sd" (a spread over seeds). */
char *metric_format_spread(double mean, double sd, const char *unit, int decimals);

/* A CSV file with fixed columns: NAME.csv (or NAME-ALLOCATOR.csv for the
 * per-allocator series) and its header line, without the newline.  Every
 * CSV has the allocator as a column. */
typedef struct csv_layout {
	const char *name;
	const char *header;
} csv_layout_t;

extern const csv_layout_t csv_footprint;   /* footprint-A.csv */
extern const csv_layout_t csv_jitter;      /* jitter-A.csv */
extern const csv_layout_t csv_latency;     /* latency-A.csv */
extern const csv_layout_t csv_breakdown;   /* breakdown.csv */
extern const csv_layout_t csv_locks;       /* locks.csv */
extern const csv_layout_t csv_cpus;        /* cpus.csv */
extern const csv_layout_t csv_tasks;       /* tasks.csv */
extern const csv_layout_t csv_caches;      /* caches.csv */
/* sweep.csv: one column per varied key, then this */
extern const csv_layout_t csv_sweep;
/* sweep-summary.csv: one column per varied key, then this */
extern const csv_layout_t csv_sweep_summary;

/* summary.csv's header: allocator, base, end and merit columns, then
 * every METRIC_SUMMARY metric by name (g_free it). */
char *csv_summary_header(void);

#endif
