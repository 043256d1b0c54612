/*
 * diff.h -- `slabsim diff A B`: two results directories figure by figure.
 *
 * Owns: the comparison of two results trees for "before and after my
 * patch": the scenario keys that differ, the provenance of each side
 * (revision, dirty tree), and for every allocator present in both (by
 * label, or the single allocator of each) every summary figure of the
 * metric table with the ratio B/A and whether it got better or worse.
 */
#ifndef SLABSIM_DIFF_H
#define SLABSIM_DIFF_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* The comparison of results trees a and b, named na and nb. */
char *results_diff(JsonObject *a, JsonObject *b, JsonObject *prov_a, JsonObject *prov_b,
                   const char *na, const char *nb);
/* The same for two results directories (or results.json files); NULL and
 * *err if one cannot be read. */
char *results_diff_dirs(const char *a, const char *b, GError **err);

#endif
