/*
 * native_obj.c -- object handles shared by host threads (see native_obj.h).
 */
#include "native_obj.h"

#define CHUNK_SHIFT 14
#define CHUNK       (1u << CHUNK_SHIFT)         /* slots a chunk */
#define NCHUNKS     (1u << 18)                  /* 2^32 slots in all */

typedef struct nthread_slots {
	GArray *free;           /* uint32: slots this thread retired */
	uint32_t chunk;         /* the chunk it takes new slots from */
	uint32_t used;          /* slots of it taken; CHUNK: none left */
	uint64_t added, retired;
} KPCPU_HOST nthread_slots_t;

struct nobj {
	object_t **chunks;      /* [NCHUNKS], atomic */
	uint32_t next_chunk;    /* atomic */
	int nthreads;
	nthread_slots_t *th;    /* [nthreads] */
};

static __thread int self = -1;

void nobj_set_thread(int thread)
{
	self = thread;
}

nobj_t *nobj_new(int nthreads)
{
	nobj_t *o = g_new0(nobj_t, 1);

	o->chunks = g_new0(object_t *, NCHUNKS);
	o->nthreads = nthreads;
	o->th = kpcpu_host_new((size_t)nthreads, sizeof(nthread_slots_t));
	for (int t = 0; t < nthreads; t++) {
		o->th[t].free = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		o->th[t].used = CHUNK;
	}
	return o;
}

void nobj_free(nobj_t *o)
{
	if (!o)
		return;
	for (uint32_t c = 0; c < o->next_chunk; c++)
		g_free(o->chunks[c]);
	for (int t = 0; t < o->nthreads; t++)
		g_array_free(o->th[t].free, TRUE);
	kpcpu_host_free(o->th);
	g_free(o->chunks);
	g_free(o);
}

static object_t *slot_object(const nobj_t *o, uint64_t slot)
{
	object_t *chunk;

	if (slot >= (uint64_t)NCHUNKS * CHUNK)
		return NULL;
	chunk = __atomic_load_n(&o->chunks[slot >> CHUNK_SHIFT], __ATOMIC_ACQUIRE);
	return chunk ? &chunk[slot & (CHUNK - 1)] : NULL;
}

/* A free slot of this thread's: one it retired, or the next of its chunk
 * (a fresh chunk when that is used up). */
static uint32_t take_slot(nobj_t *o, nthread_slots_t *t)
{
	if (t->free->len) {
		uint32_t slot = g_array_index(t->free, uint32_t, t->free->len - 1);
		g_array_set_size(t->free, t->free->len - 1);
		return slot;
	}
	if (t->used == CHUNK) {
		object_t *chunk = g_new0(object_t, CHUNK);

		t->chunk = __atomic_fetch_add(&o->next_chunk, 1, __ATOMIC_RELAXED);
		if (t->chunk >= NCHUNKS)
			g_error("native run: more than %u objects live", NCHUNKS * CHUNK);
		for (uint32_t i = 0; i < CHUNK; i++)
			chunk[i].gen = 1;
		__atomic_store_n(&o->chunks[t->chunk], chunk, __ATOMIC_RELEASE);
		t->used = 0;
	}
	return (t->chunk << CHUNK_SHIFT) + t->used++;
}

int64_t nobj_add(nobj_t *o, const object_t *src)
{
	nthread_slots_t *t = &o->th[self];
	uint32_t slot = take_slot(o, t);
	object_t *x = slot_object(o, slot);
	uint32_t gen = x->gen;

	*x = *src;
	x->gen = gen;
	t->added++;
	return ((int64_t)gen << 32) | slot;
}

object_t *nobj_get(nobj_t *o, int64_t handle, const char **why)
{
	uint64_t slot = (uint64_t)handle & 0xffffffffu;
	uint32_t gen = (uint32_t)((uint64_t)handle >> 32);
	object_t *x = handle > 0 && gen ? slot_object(o, slot) : NULL;

	if (!x || gen > x->gen) {
		*why = "is not an object this run handed out";
		return NULL;
	}
	if (x->gen > gen || !x->addr) {
		*why = "was freed already (double free or use after free)";
		return NULL;
	}
	return x;
}

void nobj_retire(nobj_t *o, int64_t handle, object_t *saved)
{
	uint32_t slot = (uint32_t)((uint64_t)handle & 0xffffffffu);
	object_t *x = slot_object(o, slot);
	nthread_slots_t *t = &o->th[self];

	*saved = *x;
	x->addr = 0;
	x->gen++;
	t->retired++;
	g_array_append_val(t->free, slot);
}

uint64_t nobj_live(const nobj_t *o)
{
	uint64_t n = 0;

	for (int t = 0; t < o->nthreads; t++)
		n += o->th[t].added - o->th[t].retired;
	return n;
}
