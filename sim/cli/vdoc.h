/*
 * vdoc.h -- the validation record and docs/validation.md.
 *
 * Owns: the record of every claim's last evaluation (docs/validation.json:
 * class, verdict, figures, the section text, the commands that reproduce
 * it), merging a partial evaluation (`validate --only`) into it, and the
 * markdown document rendered from it.  The document is a pure function of
 * the record, so rows not evaluated again are written back unchanged.
 */
#ifndef SLABSIM_VDOC_H
#define SLABSIM_VDOC_H

#include <stdbool.h>
#include <glib.h>

/* One claim as evaluated.  Every field is a string (NULL: absent). */
typedef struct vclaim {
	char *id, *title, *who, *claim;
	char *klass;              /* measured, construction, not modelled, pending, method */
	char *needs;              /* what is missing (not modelled, pending) */
	char *rule;               /* the rule and its tolerance, as committed */
	char *method;
	char *scenarios;          /* markdown list of scenario files */
	char *commands;           /* shell commands that reproduce the figure, one per line */
	char *figure, *real, *simulated, *verdict;
	char *section;            /* further markdown (tables) */
} vclaim_t;

void vclaim_free(vclaim_t *c);

/* The classes and verdicts a claim may have. */
bool vdoc_known_class(const char *klass);
bool vdoc_known_verdict(const char *verdict);

/* Read the record at path into an array of vclaim_t* (an empty array if
 * the file does not exist). */
GPtrArray *vdoc_load(const char *path, GError **err);
/* Write the record and the document rendered from it. */
bool vdoc_save(const char *record, const char *markdown, GPtrArray *claims, GError **err);
char *vdoc_markdown(GPtrArray *claims);

/* The claim called id in claims, or NULL. */
vclaim_t *vdoc_find(GPtrArray *claims, const char *id);

#endif
