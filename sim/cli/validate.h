/*
 * validate.h -- the claims of the slab thread, checked against slabsim.
 *
 * Owns: `slabsim validate`.  The claims live in validation/claims.lua,
 * each naming the runs it needs (scenario, overrides, allocators) and a
 * Lua function that reads their results.json and returns the figure and
 * the verdict.  Each run is an ordinary `slabsim run` process whose
 * results directory is kept under the output directory; runs shared by
 * several claims execute once.  The output is docs/validation.md and its
 * record docs/validation.json; `only` re-evaluates some claims and keeps
 * the record of the others.
 */
#ifndef SLABSIM_VALIDATE_H
#define SLABSIM_VALIDATE_H

#include <stdbool.h>
#include <glib.h>

typedef struct validate_spec {
	const char *root;         /* scenario paths in claims are relative to it */
	const char *claims;       /* path of claims.lua */
	const char *markdown;     /* the document to write */
	const char *runs_dir;     /* where the runs' results directories go */
	const char *self;         /* this executable, to start runs */
	const char *only;         /* comma-separated claim ids, or NULL: all */
} validate_spec_t;

/* Run the wanted claims' runs, evaluate them, merge them into the record
 * and write the document.  *changed counts the measured claims whose
 * verdict differs from the record's before this run.  False (and *err)
 * on an unknown claim id, a bad claims file or a failed run. */
bool validate_run(const validate_spec_t *spec, int *changed, GError **err);

#endif
