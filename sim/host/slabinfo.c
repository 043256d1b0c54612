/*
 * slabinfo.c -- /proc/slabinfo 2.1 files (see slabinfo.h).
 */
#include <string.h>
#include "slabinfo.h"
#include "error.h"

#define HEADER "slabinfo - version: 2.1"

static const struct field {
	const char *name;
	size_t off;
	uint64_t min, max;
} fields[] = {
	{ "active_objs", offsetof(slabinfo_row_t, active_objs), 0, (uint64_t)1 << 40 },
	{ "num_objs", offsetof(slabinfo_row_t, num_objs), 0, (uint64_t)1 << 40 },
	{ "objsize", offsetof(slabinfo_row_t, objsize), 1, (uint64_t)1 << 30 },
	{ "objperslab", offsetof(slabinfo_row_t, objperslab), 0, (uint64_t)1 << 24 },
	{ "pagesperslab", offsetof(slabinfo_row_t, pagesperslab), 0, (uint64_t)1 << 24 },
};

static bool fail(GError **err, const char *name, int line, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static bool fail(GError **err, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_SCRIPT, "%s:%d: %s", name, line, msg);
	g_free(msg);
	return false;
}

/* NUL bytes, invalid UTF-8 and control characters other than tab and
 * CR/LF, with the line of the first. */
static bool check_text(const char *name, const char *text, size_t len, GError **err)
{
	const char *bad = memchr(text, '\0', len), *end;
	int line = 1;

	if (!bad && !g_utf8_validate(text, (gssize)len, &end))
		bad = end;
	for (const char *p = text; !bad && p < text + len; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			bad = p;
	if (!bad)
		return true;
	for (const char *p = text; p < bad; p++)
		line += *p == '\n';
	return fail(err, name, line, "%s (not a slabinfo text file)",
	            !*bad ? "a NUL byte" : (unsigned char)*bad < 0x20 ? "a control character" :
	            "bytes that are not UTF-8");
}

/* The limit of ": tunables LIMIT ..." among the fields after the sixth. */
static bool parse_limit(const char *name, int line, char **tok, slabinfo_row_t *row, GError **err)
{
	guint64 v;

	for (int i = 6; tok[i]; i++) {
		if (strcmp(tok[i], ":") || !tok[i + 1] || strcmp(tok[i + 1], "tunables"))
			continue;
		if (!tok[i + 2] || tok[i + 2][0] == '-' || tok[i + 2][0] == '+' ||
		    !g_ascii_string_to_unsigned(tok[i + 2], 10, 0, (uint64_t)1 << 24, &v, NULL))
			return fail(err, name, line, "tunables of '%s': expected a limit from 0 to %"
			            G_GUINT64_FORMAT ", got '%s'", tok[0], (uint64_t)1 << 24,
			            tok[i + 2] ? tok[i + 2] : "nothing");
		row->limit = v;
		return true;
	}
	return true;
}

static bool parse_row(const char *name, int line, char *text, slabinfo_row_t *row, GError **err)
{
	char **tok = g_strsplit_set(text, " \t", -1);
	int n = 0;
	bool ok = true;

	for (int i = 0; tok[i]; i++)                /* drop the empty tokens */
		if (*tok[i])
			tok[n++] = tok[i];
		else
			g_free(tok[i]);
	tok[n] = NULL;
	if (n < 6) {
		g_strfreev(tok);
		return fail(err, name, line, "expected 'name active_objs num_objs objsize objperslab "
		            "pagesperslab ...', got %d field%s", n, n == 1 ? "" : "s");
	}
	for (size_t f = 0; ok && f < G_N_ELEMENTS(fields); f++) {
		guint64 v;
		const char *s = tok[f + 1];
		ok = s[0] != '-' && s[0] != '+' &&
		     g_ascii_string_to_unsigned(s, 10, fields[f].min, fields[f].max, &v, NULL);
		if (ok)
			*(uint64_t *)((char *)row + fields[f].off) = v;
		else
			fail(err, name, line, "%s of '%s': expected an integer from %" G_GUINT64_FORMAT
			     " to %" G_GUINT64_FORMAT ", got '%s'", fields[f].name, tok[0],
			     fields[f].min, fields[f].max, s);
	}
	if (ok)
		ok = parse_limit(name, line, tok, row, err);
	if (ok && row->active_objs > row->num_objs)
		ok = fail(err, name, line, "active_objs of '%s': expected at most num_objs (%"
		          G_GUINT64_FORMAT "), got %" G_GUINT64_FORMAT, tok[0], row->num_objs,
		          row->active_objs);
	if (ok)
		row->name = g_strdup(tok[0]);
	g_strfreev(tok);
	return ok;
}

GArray *slabinfo_parse(const char *name, const char *text, size_t len, GError **err)
{
	GArray *rows = g_array_new(FALSE, TRUE, sizeof(slabinfo_row_t));
	char **lines;
	bool ok;

	if (!check_text(name, text, len, err)) {
		g_array_free(rows, TRUE);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	ok = lines[0] && g_str_has_prefix(lines[0], HEADER);
	if (!ok)
		fail(err, name, 1, "expected '" HEADER "'");
	for (int i = 1; ok && lines[i]; i++) {
		slabinfo_row_t row = { 0 };
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		if ((ok = parse_row(name, i + 1, l, &row, err)))
			g_array_append_val(rows, row);
	}
	g_strfreev(lines);
	if (ok && !rows->len)
		ok = fail(err, name, 1, "no slabinfo rows (expected 'name active_objs num_objs "
		          "objsize objperslab pagesperslab ...' lines after the header)");
	if (!ok) {
		slabinfo_free(rows);
		return NULL;
	}
	return rows;
}

void slabinfo_free(GArray *rows)
{
	if (!rows)
		return;
	for (guint i = 0; i < rows->len; i++)
		g_free(g_array_index(rows, slabinfo_row_t, i).name);
	g_array_free(rows, TRUE);
}
