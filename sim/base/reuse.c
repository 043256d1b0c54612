/*
 * reuse.c -- the LIFO-reuse statistic (see reuse.h).
 *
 * Each (CPU, key) pair that has freed gets a slot holding its last free.
 * `where` maps an address to the slot of its newest free; an allocation of
 * it is a reuse when that slot is its own pair's and still holds it, and
 * the slot is then emptied.  A slot that a later free overwrote simply no
 * longer holds the address, so nothing needs to be told when it changes.
 */
#include "reuse.h"

G_STATIC_ASSERT(sizeof(gpointer) == sizeof(uint64_t));

typedef struct key_rec {
	char *name;
	reuse_count_t c;
	GArray *slot;             /* uint32_t: slot + 1 of each CPU, 0: none yet */
} key_rec_t;

struct reuse {
	GArray *keys;             /* key_rec_t, by key id */
	GHashTable *ids;          /* name -> key id + 1 */
	GArray *last;             /* uint64_t: each slot's last free, 0: none */
	GHashTable *where;        /* address -> slot + 1 of its newest free */
};

/* A 64-bit key's hash (g_direct_hash keeps only the low 32 bits). */
static guint mix(gconstpointer p)
{
	uint64_t v = (uint64_t)p * 0x9e3779b97f4a7c15ULL;

	return (guint)(v >> 32);
}

reuse_t *reuse_new(void)
{
	reuse_t *r = g_new0(reuse_t, 1);

	r->keys = g_array_new(FALSE, TRUE, sizeof(key_rec_t));
	r->ids = g_hash_table_new(g_str_hash, g_str_equal);
	r->last = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	r->where = g_hash_table_new(mix, NULL);
	return r;
}

void reuse_free(reuse_t *r)
{
	if (!r)
		return;
	for (guint i = 0; i < r->keys->len; i++) {
		key_rec_t *k = &g_array_index(r->keys, key_rec_t, i);
		g_free(k->name);
		g_array_free(k->slot, TRUE);
	}
	g_array_free(r->keys, TRUE);
	g_hash_table_destroy(r->ids);
	g_array_free(r->last, TRUE);
	g_hash_table_destroy(r->where);
	g_free(r);
}

int reuse_key(reuse_t *r, const char *name)
{
	gpointer v = g_hash_table_lookup(r->ids, name);
	key_rec_t k = { g_strdup(name), { 0, 0 }, g_array_new(FALSE, TRUE, sizeof(uint32_t)) };

	if (v) {
		g_free(k.name);
		g_array_free(k.slot, TRUE);
		return GPOINTER_TO_INT(v) - 1;
	}
	g_array_append_val(r->keys, k);
	g_hash_table_insert(r->ids, k.name, GINT_TO_POINTER((int)r->keys->len));
	return (int)r->keys->len - 1;
}

/* The slot of (key, cpu), made if `make` (else -1 when it has none). */
static int64_t slot_of(reuse_t *r, int key, int cpu, bool make)
{
	GArray *s = g_array_index(r->keys, key_rec_t, key).slot;
	uint32_t *p;

	if ((guint)cpu >= s->len) {
		if (!make)
			return -1;
		g_array_set_size(s, (guint)cpu + 1);
	}
	p = &g_array_index(s, uint32_t, cpu);
	if (!*p) {
		uint64_t none = 0;
		if (!make)
			return -1;
		g_array_append_val(r->last, none);
		*p = r->last->len;
	}
	return (int64_t)*p - 1;
}

void reuse_note_free(reuse_t *r, int key, int cpu, uint64_t addr)
{
	int64_t slot = slot_of(r, key, cpu, true);

	g_array_index(r->last, uint64_t, slot) = addr;
	g_hash_table_insert(r->where, (gpointer)addr, GSIZE_TO_POINTER((gsize)slot + 1));
}

bool reuse_note_alloc(reuse_t *r, int key, int cpu, uint64_t addr)
{
	key_rec_t *k = &g_array_index(r->keys, key_rec_t, key);
	gpointer v;
	bool hit = false;

	if (g_hash_table_lookup_extended(r->where, (gpointer)addr, NULL, &v)) {
		uint64_t *last = &g_array_index(r->last, uint64_t, GPOINTER_TO_SIZE(v) - 1);
		if (*last == addr) {         /* still its slot's last free: in use again now */
			hit = (int64_t)GPOINTER_TO_SIZE(v) - 1 == slot_of(r, key, cpu, false);
			*last = 0;
		}
		g_hash_table_remove(r->where, (gpointer)addr);
	}
	k->c.allocs++;
	k->c.reuses += hit;
	return hit;
}

int reuse_nkeys(const reuse_t *r)
{
	return (int)r->keys->len;
}

const char *reuse_key_name(const reuse_t *r, int key)
{
	return g_array_index(r->keys, key_rec_t, key).name;
}

reuse_count_t reuse_count(const reuse_t *r, int key)
{
	return g_array_index(r->keys, key_rec_t, key).c;
}

reuse_count_t reuse_total(const reuse_t *r)
{
	reuse_count_t t = { 0, 0 };

	for (guint i = 0; i < r->keys->len; i++) {
		t.allocs += g_array_index(r->keys, key_rec_t, i).c.allocs;
		t.reuses += g_array_index(r->keys, key_rec_t, i).c.reuses;
	}
	return t;
}
