/*
 * arrpool.c -- small zeroed arrays carved from 1 MiB blocks, with a free
 * list per size class.  Host memory only; never simulated.
 */
#include <string.h>
#include <glib.h>
#include "arrpool.h"

#define ARRPOOL_BLOCK (1u << 20)        /* bytes per block */

struct arrpool {
	size_t elem;                    /* element size, >= sizeof(void *) */
	GPtrArray *blocks;
	char *bump, *end;               /* the rest of the newest block */
	void *free[ARRPOOL_CLASSES];    /* given-back arrays, linked through their start */
	size_t len[ARRPOOL_CLASSES];    /* elements per array of each class (0: none yet) */
};

/* A pool of arrays of `elem`-byte elements (elem >= sizeof(void *)). */
arrpool_t *arrpool_new(size_t elem)
{
	arrpool_t *p = g_new0(arrpool_t, 1);

	g_assert(elem >= sizeof(void *));
	p->elem = elem;
	p->blocks = g_ptr_array_new_with_free_func(g_free);
	return p;
}

/* Free the pool and every array it handed out. */
void arrpool_free(arrpool_t *p)
{
	if (!p)
		return;
	g_ptr_array_free(p->blocks, TRUE);
	g_free(p);
}

/* A zeroed array of n elements of class cls (every array of a class has
 * the same n). */
void *arrpool_get(arrpool_t *p, unsigned cls, size_t n)
{
	size_t bytes = n * p->elem;
	void *a;

	g_assert(cls < ARRPOOL_CLASSES && (!p->len[cls] || p->len[cls] == n));
	p->len[cls] = n;
	if ((a = p->free[cls])) {
		p->free[cls] = *(void **)a;
		memset(a, 0, bytes);
		return a;
	}
	if (bytes > ARRPOOL_BLOCK) {
		a = g_malloc0(bytes);
		g_ptr_array_add(p->blocks, a);
		return a;
	}
	if ((size_t)(p->end - p->bump) < bytes) {
		p->bump = g_malloc0(ARRPOOL_BLOCK);
		p->end = p->bump + ARRPOOL_BLOCK;
		g_ptr_array_add(p->blocks, p->bump);
	}
	a = p->bump;
	p->bump += bytes;
	return a;
}

/* Give back array a of class cls, for the next arrpool_get of its class. */
void arrpool_put(arrpool_t *p, void *a, unsigned cls)
{
	*(void **)a = p->free[cls];
	p->free[cls] = a;
}
