/*
 * resdir.h -- a results directory, written whole or not at all.
 *
 * Owns: the life of one results directory being written: its lock
 * (DIR.lock beside it, against a second run into the same directory),
 * the temporary sibling the files are written into (.NAME.tmp-XXXXXX),
 * fsync of every file and directory, and the rename that puts the
 * complete directory in place (swapping out an earlier one whole with
 * --force, then removing it).  A run killed at any moment leaves either
 * the previous complete directory or none; its temporary directory is
 * removed by the signal handler, or else by the next run into the same
 * directory.  Everything is checked before the simulation starts, so an
 * unwritable or used directory is reported at once.
 */
#ifndef SLABSIM_RESDIR_H
#define SLABSIM_RESDIR_H

#include <stdbool.h>
#include <glib.h>

typedef struct resdir resdir_t;

enum {
	RESDIR_FORCE    = 1u << 0,   /* replace a non-empty directory whole */
	RESDIR_NUMBERED = 1u << 1,   /* a used DIR: take DIR-2, DIR-3, ... instead */
};

/* Prepare to write `dir` (its parents are created); see above.  NULL and
 * *err (exit status 1) if the directory is locked by another run, is not
 * empty (without RESDIR_FORCE or RESDIR_NUMBERED) or cannot be written. */
resdir_t *resdir_begin(const char *dir, unsigned flags, GError **err);
/* Where to write the files now (the temporary directory). */
const char *resdir_tmp(const resdir_t *rd);
/* Where they will be once committed. */
const char *resdir_final(const resdir_t *rd);
/* fsync everything, rename into place, remove a replaced directory,
 * unlock; frees rd.  False and *err if the rename fails (the temporary
 * directory is then removed and the earlier directory, if any, kept). */
bool resdir_commit(resdir_t *rd, GError **err);
/* Remove the temporary directory and unlock; frees rd. */
void resdir_abort(resdir_t *rd);

/* Write dir/name (created or truncated); resdir_commit fsyncs every
 * file of the temporary directory before putting it in place. */
bool resdir_write_file(const char *dir, const char *name, const char *text, GError **err);

#endif
