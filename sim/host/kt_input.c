/*
 * kt_input.c -- trace file bytes, decompressed on the fly (see kt_input.h).
 *
 * zlib's gzread reads gzip and, transparently, plain files; xz goes
 * through liblzma's stream decoder (concatenated streams too, as xz -d).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>
#include "kt_input.h"
#include "error.h"

struct kt_input {
	char *path;
	gzFile gz;                /* gzip or text */
	FILE *f;                  /* xz */
	lzma_stream xz;
	uint8_t inbuf[1 << 16];
	bool xz_eof;              /* the file is read to its end */
	const char *kind;
};

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

/* True if the file starts with the xz magic. */
static bool is_xz(FILE *f)
{
	uint8_t head[6];
	bool xz = fread(head, 1, sizeof head, f) == sizeof head &&
	          memcmp(head, xz_magic, sizeof head) == 0;

	rewind(f);
	return xz;
}

kt_input_t *kt_input_open(const char *path, GError **err)
{
	FILE *f = fopen(path, "rb");
	kt_input_t *in;

	if (!f) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	in = g_new0(kt_input_t, 1);
	in->path = g_strdup(path);
	if (is_xz(f)) {
		lzma_stream init = LZMA_STREAM_INIT;
		in->f = f;
		in->xz = init;
		in->kind = "xz";
		if (lzma_stream_decoder(&in->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot start the xz decoder", path);
			kt_input_close(in);
			return NULL;
		}
		return in;
	}
	fclose(f);
	in->gz = gzopen(path, "rb");
	if (!in->gz) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: %s", path, g_strerror(errno));
		kt_input_close(in);
		return NULL;
	}
	gzbuffer(in->gz, 1 << 16);
	in->kind = gzdirect(in->gz) ? "text" : "gzip";
	return in;
}

static gssize read_xz(kt_input_t *in, char *buf, gsize len, GError **err)
{
	lzma_ret ret;

	in->xz.next_out = (uint8_t *)buf;
	in->xz.avail_out = len;
	do {
		if (in->xz.avail_in == 0 && !in->xz_eof) {
			in->xz.next_in = in->inbuf;
			in->xz.avail_in = fread(in->inbuf, 1, sizeof in->inbuf, in->f);
			in->xz_eof = in->xz.avail_in < sizeof in->inbuf;
		}
		ret = lzma_code(&in->xz, in->xz_eof ? LZMA_FINISH : LZMA_RUN);
		if (ret != LZMA_OK && ret != LZMA_STREAM_END) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s: xz data is corrupt or cut (liblzma error %d)",
			            in->path, (int)ret);
			return -1;
		}
	} while (in->xz.avail_out == len && ret != LZMA_STREAM_END);
	return (gssize)(len - in->xz.avail_out);
}

gssize kt_input_read(kt_input_t *in, char *buf, gsize len, GError **err)
{
	int n, e;

	if (in->f)
		return read_xz(in, buf, len, err);
	n = gzread(in->gz, buf, (unsigned)MIN(len, (gsize)G_MAXINT));
	if (n < 0 || (n == 0 && gzerror(in->gz, &e) && e != Z_OK && e != Z_BUF_ERROR)) {
		const char *why = gzerror(in->gz, &e), *own = strrchr(why, ':');
		g_set_error(err, SLABSIM_ERROR, 1, "%s: gzip data is corrupt or cut (%s)", in->path,
		            own ? own + 2 : why);     /* zlib puts the path first */
		return -1;
	}
	return n;
}

const char *kt_input_kind(const kt_input_t *in)
{
	return in->kind;
}

void kt_input_close(kt_input_t *in)
{
	if (!in)
		return;
	if (in->f) {
		lzma_end(&in->xz);
		fclose(in->f);
	}
	if (in->gz)
		gzclose(in->gz);
	g_free(in->path);
	g_free(in);
}
