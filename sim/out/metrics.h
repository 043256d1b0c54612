/*
 * metrics.h -- the figures slabsim reports, each declared once.
 *
 * Owns: the table of headline metrics of an allocator's results (name,
 * where results.json holds it, label, unit, the comparison column) that
 * the text report's comparison, the sweep collector and the sweep plots
 * all read; and the layout (file name and header line) of every CSV file
 * with fixed columns, shared by the writers and the plot reader.
 */
#ifndef SLABSIM_METRICS_H
#define SLABSIM_METRICS_H

#include <json-glib/json-glib.h>

/* metric_t.where */
enum {
	METRIC_SWEEP   = 1u << 0,   /* a row of every sweep point */
	METRIC_COMPARE = 1u << 1,   /* a column of the comparison table */
};

typedef struct metric {
	const char *name;           /* sweep.csv metric and CSV column name */
	const char *path;           /* "memory/peak/slab_bytes" under allocators.A */
	double (*derive)(JsonObject *a);   /* instead of path, for derived figures */
	const char *unit;           /* "B", "ns", "ops/s" */
	const char *label;          /* what it is, for an axis */
	const char *column;         /* comparison table header (METRIC_COMPARE) */
	int decimals;               /* digits after the point in text */
	unsigned where;
} metric_t;

/* Every metric, terminated by an entry with a NULL name. */
extern const metric_t metric_table[];

/* The metric called name, or NULL. */
const metric_t *metric_find(const char *name);
/* Its value in allocator object a of a results tree (0 where absent). */
double metric_value(const metric_t *m, JsonObject *a);
/* The number at a '/'-separated path of members under o (0 if absent). */
double json_path_number(JsonObject *o, const char *path);

/* A CSV file with fixed columns: NAME.csv (or NAME-ALLOCATOR.csv for the
 * per-allocator series) and its header line, without the newline. */
typedef struct csv_layout {
	const char *name;
	const char *header;
} csv_layout_t;

extern const csv_layout_t csv_footprint;   /* footprint-A.csv */
extern const csv_layout_t csv_jitter;      /* jitter-A.csv */
extern const csv_layout_t csv_latency;     /* latency-A.csv */
extern const csv_layout_t csv_breakdown;   /* breakdown.csv */
extern const csv_layout_t csv_locks;       /* locks.csv */
extern const csv_layout_t csv_sweep;       /* sweep.csv */

#endif
