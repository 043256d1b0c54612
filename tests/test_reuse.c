/*
 * test_reuse.c -- the LIFO-reuse statistic (sim/base/reuse.c) against a
 * sequence counted by hand (docs/workloads.md gives the same example).
 */
#include "reuse.h"

/* CPU 0 and 1, caches A and B; addresses 1..5.  By hand:
 *   free A:1 on 0            last(0,A) = 1
 *   alloc A:1 on 0  reuse    (1 was last(0,A))                  1/1
 *   free A:2 on 0, free A:3 on 0                last(0,A) = 3
 *   alloc A:2 on 0  no       (3 is the last free, not 2)          1/2
 *   alloc A:3 on 1  no       (another CPU; 3 is in use again)     1/3
 *   alloc A:4 on 0  no       (last(0,A) was retired by that)      1/4
 *   free B:5 on 1, alloc B:5 on 1  reuse                          B 1/1
 *   free A:4 on 1; free A:1 on 0 twice (no allocation between: 1 stays
 *   last(0,A))
 *   alloc A:4 on 1  reuse                                         2/5
 *   alloc A:1 on 0  reuse                                         3/6
 * A: 3 of 6, B: 1 of 1, overall 4 of 7. */
static void test_hand_counted(void)
{
	reuse_t *r = reuse_new();
	int a = reuse_key(r, "A"), b = reuse_key(r, "B");

	g_assert_cmpint(reuse_key(r, "A"), ==, a);
	reuse_note_free(r, a, 0, 1);
	g_assert_true(reuse_note_alloc(r, a, 0, 1));
	reuse_note_free(r, a, 0, 2);
	reuse_note_free(r, a, 0, 3);
	g_assert_false(reuse_note_alloc(r, a, 0, 2));
	g_assert_false(reuse_note_alloc(r, a, 1, 3));
	g_assert_false(reuse_note_alloc(r, a, 0, 4));
	reuse_note_free(r, b, 1, 5);
	g_assert_true(reuse_note_alloc(r, b, 1, 5));
	reuse_note_free(r, a, 1, 4);
	reuse_note_free(r, a, 0, 1);
	reuse_note_free(r, a, 0, 1);
	g_assert_true(reuse_note_alloc(r, a, 1, 4));
	g_assert_true(reuse_note_alloc(r, a, 0, 1));
	g_assert_cmpuint(reuse_count(r, a).allocs, ==, 6);
	g_assert_cmpuint(reuse_count(r, a).reuses, ==, 3);
	g_assert_cmpuint(reuse_count(r, b).reuses, ==, 1);
	g_assert_cmpuint(reuse_total(r).allocs, ==, 7);
	g_assert_cmpuint(reuse_total(r).reuses, ==, 4);
	g_assert_cmpstr(reuse_key_name(r, b), ==, "B");
	reuse_free(r);
}

/* A free of the same address from another cache or CPU moves its "last
 * free" there: only the newest free of an address counts. */
static void test_moved(void)
{
	reuse_t *r = reuse_new();
	int a = reuse_key(r, "A");

	reuse_note_free(r, a, 0, 9);
	reuse_note_free(r, a, 1, 9);        /* 9 is now last(1,A), and not last(0,A) */
	g_assert_false(reuse_note_alloc(r, a, 0, 9));
	reuse_note_free(r, a, 0, 9);
	reuse_note_free(r, a, 1, 9);
	g_assert_true(reuse_note_alloc(r, a, 1, 9));
	reuse_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reuse/hand-counted", test_hand_counted);
	g_test_add_func("/reuse/moved", test_moved);
	return g_test_run();
}
