/*
 * klist.h -- intrusive doubly-linked lists, the kernel's list_head.
 *
 * Owns nothing: a header of inline helpers.  Host-side only; the links are
 * bookkeeping of the simulator, priced by whoever touches the structure
 * that embeds them.
 */
#ifndef SLABSIM_KLIST_H
#define SLABSIM_KLIST_H

#include <stddef.h>
#include <stdbool.h>

typedef struct klist {
	struct klist *next, *prev;
} klist_t;

#define klist_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void klist_init(klist_t *h)
{
	h->next = h->prev = h;
}

static inline bool klist_empty(const klist_t *h)
{
	return h->next == h;
}

static inline void klist_insert(klist_t *n, klist_t *prev, klist_t *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void klist_add(klist_t *n, klist_t *head)       /* at head */
{
	klist_insert(n, head, head->next);
}

static inline void klist_add_tail(klist_t *n, klist_t *head)
{
	klist_insert(n, head->prev, head);
}

static inline void klist_del(klist_t *n)
{
	n->next->prev = n->prev;
	n->prev->next = n->next;
	n->next = n->prev = n;
}

#define klist_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define klist_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
