/*
 * report.h -- results: results.json, the text reports, CSV series.
 *
 * Owns: the result tree of a scenario (one JSON object per allocator run,
 * keyed by the allocator's label) and everything rendered from it: the
 * full text report (report.txt), the terminal summary, the warnings about
 * runs that did not complete or leaked, and the CSV files.  The JSON tree
 * is the one source of truth: the texts are rendered from it; the tree is
 * built from the runs' statistics (stats.h), never from a run itself.
 * The files are written into a directory the caller provides (see
 * resdir.h: a temporary sibling renamed into place), each fsynced.
 */
#ifndef SLABSIM_REPORT_H
#define SLABSIM_REPORT_H

#include <glib.h>
#include "stats.h"
#include "metrics.h"

typedef struct report report_t;

report_t *report_new(const scenario_t *sc);
void report_free(report_t *rep);
/* Add the figures of one allocator's finished run. */
void report_add(report_t *rep, const run_stats_t *st);
/* Add one seed's headline figures of an allocator already added (its runs
 * over several seeds, --seeds); results.json gets them as
 * allocators.A.seeds and their mean and sd as allocators.A.spread. */
void report_add_seed(report_t *rep, const run_stats_t *st, uint64_t seed);
/* What this report holds (its allocators' objects, CSV series and rows,
 * and the resolved scenario as the workload completed it), as text that
 * report_merge_part() adds to a report of the same scenario in another
 * process (run --jobs: one worker per allocator). */
char *report_part(report_t *rep);
/* Add a part after what rep holds; false and err on malformed text. */
bool report_merge_part(report_t *rep, const char *part, GError **err);
/* Take ratios in the comparison table to allocator `label` (default:
 * the first). */
void report_set_baseline(report_t *rep, const char *label);
/* results.json as text: a pure function of the resolved scenario and seed. */
char *report_json(report_t *rep);
/* The full human report (report.txt), rendered from the JSON tree. */
char *report_text(report_t *rep);
/* The short summary for a terminal: the comparison table, ratios to the
 * baseline, the column definitions, how each run ended and where the
 * files are (`dir`, may be NULL). */
char *report_summary(report_t *rep, const char *dir);
/* Warnings about the results (strings; free the array): runs that did
 * not complete (the blocked tasks and where they wait), objects live at
 * the end of a workload that declares it frees everything. */
GPtrArray *report_warnings(report_t *rep);
/* How many allocators' runs did not complete. */
int report_incomplete(report_t *rep);
/* Write scenario.scn, results.json, report.txt, summary.csv and the CSV
 * series into dir, which exists; every file is fsynced. */
bool report_write(report_t *rep, const char *dir, GError **err);

/* text wrapped at 100 columns (with a final newline), continuation
 * lines indented by `indent`. */
char *report_wrap(const char *text, int indent);

/* The comparison table, ratios to `baseline` (NULL: the first allocator)
 * and the column definitions of any results tree. */
char *results_comparison(JsonObject *root, const char *baseline);

/* The same warnings and end-of-run lines for any results tree (diff). */
GPtrArray *results_warnings(JsonObject *root);

#endif
