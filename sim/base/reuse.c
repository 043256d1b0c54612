/*
 * reuse.c -- the LIFO-reuse statistic (see reuse.h).
 *
 * `last` maps a (CPU, key) pair to the address of its last free; `owner`
 * maps such an address back to its pair, so that an allocation of it on
 * any CPU retires it in O(1).
 */
#include "reuse.h"

G_STATIC_ASSERT(sizeof(gpointer) == sizeof(uint64_t));

struct reuse {
	GPtrArray *names;         /* char*, by key id */
	GHashTable *ids;          /* name -> key id + 1 */
	GArray *counts;           /* reuse_count_t, by key id */
	GHashTable *last;         /* pair -> address, both as pointers */
	GHashTable *owner;        /* address -> pair */
};

/* One (CPU, key) pair as a 64-bit hash key, never 0. */
static gpointer pair(int key, int cpu)
{
	return (gpointer)((((uint64_t)(uint32_t)key + 1) << 32) | (uint32_t)cpu);
}

/* A 64-bit key's hash (g_direct_hash keeps only the low 32 bits). */
static guint mix(gconstpointer p)
{
	uint64_t v = (uint64_t)p * 0x9e3779b97f4a7c15ULL;

	return (guint)(v >> 32);
}

reuse_t *reuse_new(void)
{
	reuse_t *r = g_new0(reuse_t, 1);

	r->names = g_ptr_array_new_with_free_func(g_free);
	r->ids = g_hash_table_new(g_str_hash, g_str_equal);
	r->counts = g_array_new(FALSE, TRUE, sizeof(reuse_count_t));
	r->last = g_hash_table_new(mix, NULL);
	r->owner = g_hash_table_new(mix, NULL);
	return r;
}

void reuse_free(reuse_t *r)
{
	if (!r)
		return;
	g_hash_table_destroy(r->owner);
	g_hash_table_destroy(r->last);
	g_array_free(r->counts, TRUE);
	g_hash_table_destroy(r->ids);
	g_ptr_array_free(r->names, TRUE);
	g_free(r);
}

int reuse_key(reuse_t *r, const char *name)
{
	gpointer v = g_hash_table_lookup(r->ids, name);
	char *copy;

	if (v)
		return GPOINTER_TO_INT(v) - 1;
	copy = g_strdup(name);
	g_ptr_array_add(r->names, copy);
	g_array_set_size(r->counts, r->names->len);
	g_hash_table_insert(r->ids, copy, GINT_TO_POINTER((int)r->names->len));
	return (int)r->names->len - 1;
}

/* addr is a last free no more (wherever it was one). */
static void retire(reuse_t *r, gpointer addr)
{
	gpointer p;

	if (g_hash_table_lookup_extended(r->owner, addr, NULL, &p)) {
		g_hash_table_remove(r->last, p);
		g_hash_table_remove(r->owner, addr);
	}
}

void reuse_note_free(reuse_t *r, int key, int cpu, uint64_t addr)
{
	gpointer pr = pair(key, cpu), a = (gpointer)addr, old;

	if (g_hash_table_lookup_extended(r->last, pr, NULL, &old))
		g_hash_table_remove(r->owner, old);
	retire(r, a);                /* freed twice without an allocation between */
	g_hash_table_insert(r->last, pr, a);
	g_hash_table_insert(r->owner, a, pr);
}

bool reuse_note_alloc(reuse_t *r, int key, int cpu, uint64_t addr)
{
	gpointer a = (gpointer)addr, last;
	reuse_count_t *c = &g_array_index(r->counts, reuse_count_t, key);
	bool hit = g_hash_table_lookup_extended(r->last, pair(key, cpu), NULL, &last) && last == a;

	retire(r, a);
	c->allocs++;
	c->reuses += hit;
	return hit;
}

int reuse_nkeys(const reuse_t *r)
{
	return (int)r->names->len;
}

const char *reuse_key_name(const reuse_t *r, int key)
{
	return r->names->pdata[key];
}

reuse_count_t reuse_count(const reuse_t *r, int key)
{
	return g_array_index(r->counts, reuse_count_t, key);
}

reuse_count_t reuse_total(const reuse_t *r)
{
	reuse_count_t t = { 0, 0 };

	for (guint i = 0; i < r->counts->len; i++) {
		t.allocs += g_array_index(r->counts, reuse_count_t, i).allocs;
		t.reuses += g_array_index(r->counts, reuse_count_t, i).reuses;
	}
	return t;
}
