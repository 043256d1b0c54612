/*
 * keyfile.h -- what GKeyFile lets through, refused: the strict reading of
 * scenario files and machine profiles.
 *
 * Owns: the checks of a key file's text before GKeyFile parses it.
 * GKeyFile stops at a NUL byte (the rest of the file is silently lost),
 * reads bytes that are not UTF-8 as a value it then cannot return (the
 * key falls back to its default), and merges a group or key given twice
 * (the last wins).  Each of those is an error "FILE:LINE: ..." here, as
 * are control characters, a key before any group and a line that is none
 * of key, group or comment (GKeyFile names no line for those).
 */
#ifndef SLABSIM_KEYFILE_H
#define SLABSIM_KEYFILE_H

#include <glib.h>

/* Check `len` bytes of text read from `path` (for messages): no NUL byte,
 * valid UTF-8, no control characters but tab and line ends, every line a
 * key (in a group), a group or a comment, no group or key within a group
 * twice. */
gboolean kf_check_text(const char *path, const char *text, gsize len, GError **err);

/* Read path into *text (NUL-terminated, g_free it) and *len, check it as
 * above and load it into kf (comments kept); errors name the file. */
gboolean kf_load_strict(GKeyFile *kf, const char *path, char **text, gsize *len, GError **err);

#endif
