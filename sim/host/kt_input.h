/*
 * kt_input.h -- a trace file's bytes, decompressed on the fly.
 *
 * Owns: opening a file as plain text, gzip (zlib) or xz (liblzma), told
 * apart by its first bytes, and reading it in order in chunks; nothing of
 * it is held beyond one chunk.
 */
#ifndef SLABSIM_KT_INPUT_H
#define SLABSIM_KT_INPUT_H

#include <glib.h>

typedef struct kt_input kt_input_t;

kt_input_t *kt_input_open(const char *path, GError **err);
/* Up to len bytes into buf: the count, 0 at the end, -1 (and *err) on a
 * read or decompression error. */
gssize kt_input_read(kt_input_t *in, char *buf, gsize len, GError **err);
/* "xz", "gzip" or "text". */
const char *kt_input_kind(const kt_input_t *in);
void kt_input_close(kt_input_t *in);

#endif
