/*
 * common.c -- what every allocator shares, as Linux's mm/slab_common.c:
 * strategy-independent code, once (see allocator.h).
 */
#include "allocator.h"

/* Boot ops on the running CPU.  Its create() already kmallocs bootstrap
 * structures, rounded by its own kmalloc before the instance exists (the
 * rounding hooks ignore the instance, or read only what is fixed before
 * create runs). */
void *allocator_boot(const allocator_ops_t *ops, const long *tunables)
{
	void *a;

	kernel_set_kmalloc_size(ops->kmalloc_size, NULL);
	a = ops->create(tunables);
	kernel_set_kmalloc_size(ops->kmalloc_size, a);
	return a;
}

/* Destroy an instance allocator_boot made (host side: no CPU needed). */
void allocator_shutdown(const allocator_ops_t *ops, void *a)
{
	if (a)
		ops->destroy(a);
	kernel_set_kmalloc_size(NULL, NULL);
}
