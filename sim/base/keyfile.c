/*
 * keyfile.c -- strict key files (see keyfile.h).
 */
#include <string.h>
#include "keyfile.h"
#include "error.h"

/* The 1-based line of byte p of text. */
static int line_of(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* A group header or key seen twice; key NULL for a group. */
static gboolean twice(const char *path, int line, const char *group, const char *key,
                      int first, GError **err)
{
	if (key)
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: [%s] %s: given twice "
		            "(first at line %d)", path, line, group, key, first);
	else
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: [%s]: the group is given "
		            "twice (first at line %d); put its keys in one group", path, line, group, first);
	return FALSE;
}

gboolean kf_check_text(const char *path, const char *text, gsize len, GError **err)
{
	const char *nul = memchr(text, '\0', len), *bad;
	GHashTable *seen;
	char **lines, *group = NULL;
	gboolean ok = TRUE;

	if (nul) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: a NUL byte (a key file is "
		            "text; GKeyFile would drop the rest of the file)", path, line_of(text, nul));
		return FALSE;
	}
	if (!g_utf8_validate(text, (gssize)len, &bad)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: bytes that are not UTF-8 "
		            "(byte 0x%02x)", path, line_of(text, bad), (unsigned char)*bad);
		return FALSE;
	}
	for (const char *p = text; p < text + len; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: a control character "
			            "(byte 0x%02x%s)", path, line_of(text, p), (unsigned char)*p,
			            *p == '\r' ? ": lines must end in LF or CR LF" : "");
			return FALSE;
		}
	/* "group" -> first line, and "group\nkey" -> first line. */
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strchug(lines[i]), *end, *id;
		int first;
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			if (!(end = strchr(l, ']')))
				continue;                /* GKeyFile reports it */
			g_free(group);
			group = g_strndup(l + 1, (gsize)(end - l - 1));
			id = g_strdup(group);
		} else if ((end = strchr(l, '='))) {
			*end = '\0';
			if (!group) {
				g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: %s: a key before "
				            "any [group]", path, i + 1, g_strchomp(l));
				ok = FALSE;
				break;
			}
			id = g_strconcat(group, "\n", g_strchomp(l), NULL);
		} else {
			g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s:%d: expected 'key = value', "
			            "'[group]' or a '#' comment, got '%s'", path, i + 1, g_strchomp(l));
			ok = FALSE;
			break;
		}
		first = GPOINTER_TO_INT(g_hash_table_lookup(seen, id));
		if (first)
			ok = twice(path, i + 1, group, *l == '[' ? NULL : l, first, err);
		g_hash_table_insert(seen, id, GINT_TO_POINTER(i + 1));
	}
	g_free(group);
	g_strfreev(lines);
	g_hash_table_destroy(seen);
	return ok;
}

gboolean kf_load_strict(GKeyFile *kf, const char *path, char **text, gsize *len, GError **err)
{
	GError *e = NULL;

	*text = NULL;
	if (!g_file_get_contents(path, text, len, &e)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s", e->message);
		g_error_free(e);
		return FALSE;
	}
	if (!kf_check_text(path, *text, *len, err))
		return FALSE;
	if (!g_key_file_load_from_data(kf, *text, *len, G_KEY_FILE_KEEP_COMMENTS, &e)) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "%s: %s", path, e->message);
		g_error_free(e);
		return FALSE;
	}
	return TRUE;
}
