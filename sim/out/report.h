/*
 * report.h -- results: results.json, the text report, CSV series.
 *
 * Owns: the result tree of a scenario (one JSON object per allocator run)
 * and everything rendered from it.  The JSON tree is the one source of
 * truth: the text report is rendered from it; the tree is built from the
 * runs' statistics (stats.h), never from a run itself.  Files
 * are written atomically (temporary file, then rename).
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
/* results.json as text. */
char *report_json(report_t *rep);
/* The human report, rendered from the JSON tree. */
char *report_text(report_t *rep);
/* Write scenario.scn, results.json, report.txt and the CSV series to dir. */
bool report_write(report_t *rep, const char *dir, GError **err);

#endif
