/*
 * registry.c -- the allocators slabsim knows, by name.
 *
 * Owns: the allocator table.  Adding an allocator is one line here and one
 * file beside this one.
 */
#include <string.h>
#include "allocator.h"

extern const allocator_ops_t slab_allocator;
extern const allocator_ops_t slub_allocator;
extern const allocator_ops_t slub6_allocator;
extern const allocator_ops_t slabifier_allocator;
extern const allocator_ops_t slqb_allocator;
extern const allocator_ops_t slob_allocator;

const allocator_ops_t *const allocator_table[] = {
	&slab_allocator,
	&slub_allocator,
	&slub6_allocator,
	&slqb_allocator,
	&slabifier_allocator,
	&slob_allocator,
	NULL,
};

/* The allocator called `name`, or NULL. */
const allocator_ops_t *allocator_find(const char *name)
{
	for (int i = 0; allocator_table[i]; i++)
		if (strcmp(allocator_table[i]->name, name) == 0)
			return allocator_table[i];
	return NULL;
}
