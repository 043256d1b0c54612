/*
 * test_ktrace.c -- the streaming kmem trace reader on fixtures in three
 * formats (tests/data: ftrace of 2.6.32, ftrace of 6.x, perf script),
 * compressed copies made here (gzip, xz), and inputs that must be read
 * by position and name, counted, or refused.
 */
#include <string.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>
#include <glib/gstdio.h>
#include "ktrace.h"

/* Every event of path (names copied) and the reader's info. */
typedef struct loaded {
	GArray *evs;             /* ktrace_event_t, name g_strdup'ed */
	ktrace_info_t info;
} loaded_t;

static bool read_all(const char *path, loaded_t *out, GError **err)
{
	ktrace_reader_t *rd = ktrace_open(path, err);
	ktrace_event_t ev;
	int got = -1;

	out->evs = g_array_new(FALSE, FALSE, sizeof(ktrace_event_t));
	if (rd) {
		while ((got = ktrace_next(rd, &ev, err)) > 0) {
			ev.name = g_strdup(ev.name);
			g_array_append_val(out->evs, ev);
		}
		out->info = *ktrace_info(rd);
		ktrace_close(rd);
	}
	return got == 0;
}

static void loaded_free(loaded_t *l)
{
	for (guint i = 0; i < l->evs->len; i++)
		g_free((char *)g_array_index(l->evs, ktrace_event_t, i).name);
	g_array_free(l->evs, TRUE);
}

static loaded_t load(const char *name)
{
	GError *err = NULL;
	char *path = g_build_filename("tests", "data", name, NULL);
	loaded_t l;

	g_assert_true(read_all(path, &l, &err));
	g_assert_no_error(err);
	g_free(path);
	return l;
}

/* A temporary file holding text; g_free the path after g_remove. */
static char *tmp_text(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("ktrace-XXXXXX", &path, NULL);

	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

#define EV(l, i) (&g_array_index((l).evs, ktrace_event_t, (i)))

static void test_ftrace_old(void)
{
	loaded_t l = load("kmem-ftrace-2.6.32.txt");

	g_assert_cmpuint(l.evs->len, ==, 6);                /* header lines skipped */
	g_assert_cmpuint(l.info.skipped, ==, 4);
	g_assert_true(EV(l, 0)->alloc && !EV(l, 0)->kmalloc);
	g_assert_cmpint(EV(l, 0)->cpu, ==, 1);
	g_assert_cmpuint(EV(l, 0)->t_ns, ==, 100000100000ULL);
	g_assert_cmpuint(EV(l, 1)->bytes_req, ==, 1500);
	g_assert_cmpuint(EV(l, 1)->bytes_alloc, ==, 2048);
	g_assert_cmpuint(EV(l, 1)->t_ns - EV(l, 0)->t_ns, ==, 50000);   /* 100.000150 - 100.000100 s */
	g_assert_false(EV(l, 2)->alloc);
	g_assert_cmpuint(EV(l, 2)->ptr, ==, EV(l, 1)->ptr);
	g_assert_cmpuint(EV(l, 1)->ptr, ==, 0xffff88003d9b4000ULL);
	g_assert_cmpint(EV(l, 2)->cpu, ==, 2);
	g_assert_cmpint(EV(l, 4)->node, ==, 1);
	g_assert_cmpuint(EV(l, 5)->ptr, ==, 0);             /* "ptr=  (null)" */
	loaded_free(&l);
}

static void test_ftrace_new(void)
{
	loaded_t l = load("kmem-ftrace-6.x.txt");

	g_assert_cmpuint(l.evs->len, ==, 4);
	g_assert_cmpint(EV(l, 0)->cpu, ==, 3);               /* "[003] ..s." */
	g_assert_cmpint(EV(l, 0)->node, ==, -1);
	g_assert_cmpuint(EV(l, 0)->bytes_alloc, ==, 256);
	g_assert_cmpuint(EV(l, 3)->t_ns - EV(l, 0)->t_ns, ==, 363000);   /* .112000 - .111637 s */
	g_assert_cmpstr(EV(l, 3)->name, ==, "skbuff_head_cache");
	g_assert_cmpuint(EV(l, 3)->ptr, ==, EV(l, 0)->ptr);
	g_assert_cmpuint(EV(l, 0)->ptr, ==, 0xe70e10e0ULL); /* hashed, without 0x */
	loaded_free(&l);
}

static void test_perf_script(void)
{
	loaded_t l = load("kmem-perf-script.txt");

	g_assert_cmpuint(l.evs->len, ==, 2);
	g_assert_true(EV(l, 0)->kmalloc && EV(l, 0)->alloc);
	g_assert_cmpuint(EV(l, 0)->bytes_req, ==, 96);
	g_assert_cmpint(EV(l, 1)->cpu, ==, 1);
	g_assert_cmpuint(EV(l, 1)->t_ns - EV(l, 0)->t_ns, ==, 79000);
	loaded_free(&l);
}

/* accounted=true/false (6.x): the fifth event of the 6.18 recording is
 * filp's accounted allocation; the first, a kmalloc, is not accounted. */
static void test_accounted(void)
{
	loaded_t l = load("perf-kmem-small.txt");

	g_assert_false(EV(l, 0)->accounted);
	g_assert_cmpstr(EV(l, 4)->name, ==, "filp");
	g_assert_true(EV(l, 4)->accounted);
	loaded_free(&l);
}

/* The same events from a gzip and an xz copy of a fixture, made here. */
static void test_compressed(void)
{
	char *text = NULL, *gz = NULL, *xz = NULL;
	gsize len;
	int fd;
	loaded_t plain = load("perf-kmem-small.txt"), lg, lx;
	GError *err = NULL;

	g_assert_true(g_file_get_contents("tests/data/perf-kmem-small.txt", &text, &len, NULL));
	fd = g_file_open_tmp("ktrace-XXXXXX.gz", &gz, NULL);
	close(fd);
	gzFile g = gzopen(gz, "wb");
	g_assert_cmpint(gzwrite(g, text, (unsigned)len), ==, (int)len);
	gzclose(g);
	uint8_t *buf = g_malloc(len + 4096);
	size_t pos = 0;
	g_assert_cmpint(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (uint8_t *)text, len, buf,
	                                        &pos, len + 4096), ==, LZMA_OK);
	fd = g_file_open_tmp("ktrace-XXXXXX.xz", &xz, NULL);
	close(fd);
	g_assert_true(g_file_set_contents(xz, (char *)buf, (gssize)pos, NULL));
	g_assert_true(read_all(gz, &lg, &err));
	g_assert_true(read_all(xz, &lx, &err));
	g_assert_cmpuint(plain.evs->len, ==, 3000);
	g_assert_cmpuint(lg.evs->len, ==, plain.evs->len);
	g_assert_cmpuint(lx.evs->len, ==, plain.evs->len);
	for (guint i = 0; i < plain.evs->len; i++) {
		g_assert_cmpuint(EV(lg, i)->ptr, ==, EV(plain, i)->ptr);
		g_assert_cmpuint(EV(lx, i)->t_ns, ==, EV(plain, i)->t_ns);
		g_assert_cmpstr(EV(lx, i)->name, ==, EV(plain, i)->name);
	}
	loaded_free(&plain);
	loaded_free(&lg);
	loaded_free(&lx);
	g_remove(gz);
	g_remove(xz);
	g_free(gz);
	g_free(xz);
	g_free(buf);
	g_free(text);
}

/* The CPU is the bracket before the timestamp, not the first '[' of the
 * line; a task name may hold ": " too; ptr=(nil) is a failed allocation. */
static void test_position(void)
{
	char *path = tmp_text(
		"  foo[3]bar 77 [001] 5.000001: kmem:kmalloc: call_site=x+0x1 ptr=(nil) bytes_req=8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
		"  a: b[7]-12 [002] d..1. 5.000002: kmem_cache_alloc: call_site=y ptr=0x10 "
		"name=dentry bytes_alloc=192 bytes_req=192 node=0 accounted=true\n");
	loaded_t l;
	GError *err = NULL;

	g_assert_true(read_all(path, &l, &err));
	g_assert_cmpuint(l.evs->len, ==, 2);
	g_assert_cmpint(EV(l, 0)->cpu, ==, 1);
	g_assert_true(EV(l, 0)->alloc);
	g_assert_cmpuint(EV(l, 0)->ptr, ==, 0);
	g_assert_cmpint(EV(l, 1)->cpu, ==, 2);
	g_assert_cmpuint(EV(l, 1)->bytes_alloc, ==, 192);     /* by name, in any order */
	g_assert_cmpstr(EV(l, 1)->name, ==, "dentry");
	g_assert_true(EV(l, 1)->accounted);
	g_assert_cmpint(EV(l, 1)->node, ==, 0);
	loaded_free(&l);
	g_remove(path);
	g_free(path);
}

/* Lost events: ftrace's header (written - in buffer), "[LOST N EVENTS]"
 * lines and perf's PERF_RECORD_LOST; the larger of header and lines. */
static void test_lost(void)
{
	static const char *const texts[] = {
		"# entries-in-buffer/entries-written: 100/130   #P:2\n"
		"  b-1 [000] ..... 1.0: kfree: call_site=x ptr=0x10\n",
		"CPU:1 [LOST 5 EVENTS]\n  b-1 [000] ..... 1.0: kfree: call_site=x ptr=0x10\n"
		"CPU:0 [LOST 6 EVENTS]\n",
		"  b 1 [000] 1.0: PERF_RECORD_LOST lost 7\n  b 1 [000] 1.0: kmem:kfree: call_site=x ptr=0x10\n",
	};
	static const uint64_t lost[] = { 30, 11, 7 };

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		char *path = tmp_text(texts[i]);
		loaded_t l;
		GError *err = NULL;
		g_assert_true(read_all(path, &l, &err));
		g_assert_cmpuint(l.evs->len, ==, 1);
		g_assert_cmpuint(l.info.lost, ==, lost[i]);
		loaded_free(&l);
		g_remove(path);
		g_free(path);
	}
}

/* A last line without its newline (a cut file) is skipped and flagged. */
static void test_truncated(void)
{
	char *path = tmp_text("  b-1 [000] 1.0: kfree: call_site=x ptr=0x10\n"
	                      "  b-1 [000] 1.1: kmalloc: call_site=x ptr=0x20 bytes_req=6");
	loaded_t l;
	GError *err = NULL;

	g_assert_true(read_all(path, &l, &err));
	g_assert_cmpuint(l.evs->len, ==, 1);
	g_assert_true(l.info.truncated);
	g_assert_cmpuint(l.info.skipped, ==, 1);
	g_assert_cmpuint(l.info.lines, ==, 2);
	loaded_free(&l);
	g_remove(path);
	g_free(path);
}

/* A malformed kmem line is an error naming the file and the line. */
static void test_malformed(void)
{
	static const char *const texts[] = {
		"# hello\nbash-1 [000] 1.0: kmalloc: call_site=1 bytes_req=8\n",           /* no ptr */
		"# hello\nbash-1 [000] 1.0: kmalloc: call_site=1 ptr=0xzz bytes_req=8\n",  /* not hex */
		"# hello\nbash-1 1.0: kfree: call_site=1 ptr=0x10\n",                     /* no CPU */
		"# hello\nbash-1 [000] 1.0: kmalloc: ptr=0x10 bytes_req=8 bytes_alloc=99999999999\n",
		"# hello\nbash-1 [000] 9999999999.0: kfree: ptr=0x10\n",                  /* 1e9 s */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		char *path = tmp_text(texts[i]);
		loaded_t l;
		GError *err = NULL;
		g_assert_false(read_all(path, &l, &err));
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, path));
		g_assert_nonnull(strstr(err->message, ":2:"));
		g_error_free(err);
		loaded_free(&l);
		g_remove(path);
		g_free(path);
	}
}

/* Issue 18, finding 9: values that do not fit were cast silently (a
 * timestamp of 1e30 s through an undefined double-to-integer conversion,
 * bytes_req = 2^32 + 1 replayed as kmalloc(1), a CPU past INT_MAX through
 * atoi); each is an error naming the line. */
static void test_out_of_range(void)
{
	static const char *const bad[] = {
		"bash-1 [000] 1000000000000000000000000000000.0: kmalloc: call_site=1 ptr=0x1 bytes_req=8 bytes_alloc=8\n",
		"bash-1 [000] 1.0: kmalloc: call_site=1 ptr=0x1 bytes_req=4294967297 bytes_alloc=8\n",
		"bash-1 [000] 1.0: kmalloc: call_site=1 ptr=0x1 bytes_req=8 bytes_alloc=99999999999999999999\n",
		"bash-1 [99999999999] 1.0: kfree: call_site=1 ptr=0x1\n",
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *text = g_strconcat("# header\n", bad[i], NULL), *path = tmp_text(text);
		char *where = g_strconcat(path, ":2: ", NULL);
		GError *err = NULL;
		loaded_t l;

		g_assert_false(read_all(path, &l, &err));
		g_assert_nonnull(strstr(err->message, where));
		g_error_free(err);
		loaded_free(&l);
		g_remove(path);
		g_free(where);
		g_free(path);
		g_free(text);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ktrace/ftrace-2.6.32", test_ftrace_old);
	g_test_add_func("/ktrace/ftrace-6.x", test_ftrace_new);
	g_test_add_func("/ktrace/perf-script", test_perf_script);
	g_test_add_func("/ktrace/accounted", test_accounted);
	g_test_add_func("/ktrace/compressed", test_compressed);
	g_test_add_func("/ktrace/position", test_position);
	g_test_add_func("/ktrace/lost", test_lost);
	g_test_add_func("/ktrace/truncated", test_truncated);
	g_test_add_func("/ktrace/malformed", test_malformed);
	g_test_add_func("/ktrace/out-of-range", test_out_of_range);
	return g_test_run();
}
