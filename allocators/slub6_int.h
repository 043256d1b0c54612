/*
 * slub6_int.h -- what the files of slub-6 (Linux 6.18 SLUB) share.
 *
 * Owns: the modelled structures of 6.18's mm/slub.c (struct kmem_cache,
 * kmem_cache_cpu, kmem_cache_node, slub_percpu_sheaves, node_barn,
 * slab_sheaf) as host structs with the simulated addresses their
 * accesses are priced at, their modelled layouts, the SLUB_STATS items
 * the model counts, and the calls between slub6.c (slabs, cpu slabs,
 * partial lists, bulk paths, flush and shrink), slub6_sheaf.c (sheaves and
 * barns) and slub6_cache.c (sizing, kmalloc caches, merging, creation and
 * the allocator ops, which it defines).  Reference: shared/reference/slub-modern.md
 * ("the reference" below; section numbers are its).
 */
#ifndef SLABSIM_SLUB6_INT_H
#define SLABSIM_SLUB6_INT_H

#include "allocator.h"
#include "slub6.h"

#define SLUB6_NAME              "slub-6"
#define MAX_OBJS_PER_PAGE       32767   /* objects:15 in the counters (2.3) */
#define MIN_PARTIAL             5       /* 5.3 */
#define MAX_PARTIAL             10
#define MAX_FULL_SHEAVES        10      /* per barn (2.5) */
#define MAX_EMPTY_SHEAVES       10
#define PCS_BATCH_MAX           32      /* objects per flush batch of a main sheaf */
#define SHRINK_PROMOTE_MAX      32      /* 4.9 */
#define SL_PARTIAL              (1u << 16)   /* page->flags: PG_workingset, on a node partial list */
#define SLAB_RCU_HEAD           16      /* struct slab's rcu_head, over slab_list */

/* Modelled LP64 layouts (6.18, !PREEMPT_RT, no lockdep, CONFIG_SLUB_DEBUG,
 * no SLUB_STATS): byte offsets of what the code touches. */
#define KC_CPU_SLAB             0       /* struct kmem_cache */
#define KC_CPU_SHEAVES          8
#define KC_MIN_PARTIAL          24
#define KC_CPU_PARTIAL_SLABS    56
#define KC_DEFRAG_RATIO         200
#define KC_NODE                 224     /* node[nr_node_ids] */
#define KCC_SIZE                40      /* kmem_cache_cpu: freelist, tid, slab, partial, lock */
#define KCC_ALIGN               16      /* 2 * sizeof(void *): the (freelist, tid) pair */
#define KCC_PARTIAL             24
#define KN_SIZE                 72      /* kmem_cache_node */
#define KN_NR_PARTIAL           8
#define KN_LISTS_END            32      /* nr_partial, partial */
#define KN_NR_SLABS             32
#define KN_TOTAL_OBJECTS        40
#define KN_BARN                 64
#define PCS_SIZE                32      /* slub_percpu_sheaves: lock, main, spare, rcu_free */
#define PCS_MAIN                8
#define PCS_RCU_FREE            24
#define BARN_SIZE               56      /* node_barn: lock, two lists, nr_full, nr_empty */
#define BARN_LISTS              8
#define SHEAF_HEADER            32      /* slab_sheaf before objects[] */

/* The SLUB_STATS items the model counts, in the 6.18 enum's order (6.1);
 * the sysfs file names are the report's.  Left out: the prefill and
 * sheaf-return items (no caller of that API), and the failures of a local
 * trylock, which cannot fail here (free_rcu_sheaf_fail) or of the per-CPU
 * cmpxchg (cmpxchg_double_cpu_fail): nothing runs on a CPU inside an
 * operation. */
enum stat_item {
	ALLOC_PCS, ALLOC_FASTPATH, ALLOC_SLOWPATH, FREE_PCS, FREE_RCU_SHEAF, FREE_FASTPATH,
	FREE_SLOWPATH, FREE_FROZEN, FREE_ADD_PARTIAL, FREE_REMOVE_PARTIAL,
	ALLOC_FROM_PARTIAL, ALLOC_SLAB, ALLOC_REFILL, ALLOC_NODE_MISMATCH,
	FREE_SLAB, CPUSLAB_FLUSH, DEACTIVATE_FULL, DEACTIVATE_EMPTY,
	DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL, DEACTIVATE_REMOTE_FREES,
	DEACTIVATE_BYPASS, ORDER_FALLBACK, CMPXCHG_DOUBLE_FAIL,
	CPU_PARTIAL_ALLOC, CPU_PARTIAL_FREE, CPU_PARTIAL_NODE,
	CPU_PARTIAL_DRAIN, SHEAF_FLUSH, SHEAF_REFILL, SHEAF_ALLOC, SHEAF_FREE,
	BARN_GET, BARN_GET_FAIL, BARN_PUT, BARN_PUT_FAIL, NR_SLUB_STAT_ITEMS
};

/* kmalloc cache types (enum kmalloc_cache_type without DMA and random). */
enum { KMALLOC_NORMAL, KMALLOC_RECLAIM, KMALLOC_CGROUP, NR_KMALLOC_TYPES };
#define KMALLOC_INDEX_MAX       32      /* kmalloc_index() of 2 << page_shift, and more */

typedef struct kmem_oo {
	unsigned order;
	unsigned objects;
} kmem_oo_t;

/* A per-CPU array of object pointers (a LIFO), a kzalloc of
 * SHEAF_HEADER + 8 * capacity bytes. */
typedef struct slab_sheaf {
	klist_t barn_list;      /* on a barn, or (an rcu_free sheaf) waiting for its grace period */
	unsigned size;          /* valid entries of objects[] */
	int node;               /* an rcu_free sheaf's barn, once full */
	saddr_t addr;
	saddr_t objects[];
} slab_sheaf_t;

/* A node's stock of full and empty sheaves. */
typedef struct node_barn {
	spinlock_t lock;
	klist_t sheaves_full, sheaves_empty;
	unsigned nr_full, nr_empty;
	saddr_t addr;
} node_barn_t;

struct slub_percpu_sheaves {
	slab_sheaf_t *main;     /* never NULL */
	slab_sheaf_t *spare;    /* empty, full or NULL */
	slab_sheaf_t *rcu_free; /* kfree_rcu's objects until it is full, or NULL */
	saddr_t addr;
} KPCPU_HOST;

struct kmem_cache_cpu {
	saddr_t freelist;       /* objects of slab this CPU takes lock-free */
	uint64_t tid;           /* advanced with every change; tid % TID_STEP == cpu */
	page_t *slab;           /* the cpu (frozen) slab */
	klist_t partial;        /* cpu partial slabs through page->lru, head first */
	unsigned partial_slabs; /* the chain head's slabs */
	saddr_t addr;
	int64_t queued;         /* host: this CPU's moves of the cache's queued objects */
	uint64_t stat[NR_SLUB_STAT_ITEMS];      /* SLUB_STATS, per CPU as in 6.18 (free) */
} KPCPU_HOST;

struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	klist_t partial;
	uint64_t nr_slabs, total_objects;
	node_barn_t *barn;      /* NULL without sheaves */
	saddr_t addr;
};

typedef struct slub6 slub6_t;

struct kmem_cache {
	slub6_t *sl;
	char *name;
	unsigned flags;
	size_t object_size;
	slab_objs_t objs;                       /* stride, free pointer, slab records */
	unsigned align;
	kmem_oo_t oo, min;
	gfp_t allocflags;
	unsigned long min_partial;
	unsigned cpu_partial, cpu_partial_slabs;
	unsigned sheaf_capacity;                /* 0: no sheaves */
	kmem_ctor_t *ctor;                      /* the constructor, or NULL */
	int refcount;                           /* caches merged into it; -1: never merge */
	GPtrArray *aliases;                     /* names merged into it (slab_aliases_new) */
	int remote_node_defrag_ratio;
	saddr_t addr;                           /* the struct kmem_cache */
	struct kmem_cache_node *node;           /* [nr_node_ids] */
	struct kmem_cache_cpu *cpu_slab;        /* [nr_cpu_ids] */
	struct slub_percpu_sheaves *cpu_sheaves;        /* [nr_cpu_ids] or NULL */

	klist_t rcu_sheaves;                    /* rcu_free sheaves waiting for a grace period */
};

struct slub6 {
	int page_shift, cache_line;
	long min_order, max_order, min_objects;
	int defrag_ratio;
	bool nomerge, sheaves, debug;
	unsigned default_sheaf_capacity;
	int ncpus, nnodes;
	uint64_t tid_step;
	GPtrArray *caches;                      /* creation order */
	kmem_cache_t *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_INDEX_MAX];
	lock_class_t *list_lock_cls, *barn_lock_cls;
	kcounters_t *paths;                     /* PATH_*: fast (own CPU's structures) and slow */
};

/* The paths counted in slub6_t.paths. */
enum { PATH_ALLOC_FAST, PATH_ALLOC_SLOW, PATH_FREE_FAST, PATH_FREE_SLOW, NR_PATHS };

/* Objects put into (n > 0) or taken out of sheaves, barns and rcu_free
 * sheaves by this CPU (host bookkeeping: their sum over CPUs is the
 * cache's queued objects). */
static inline void queued_add(kmem_cache_t *s, int64_t n)
{
	s->cpu_slab[smp_processor_id()].queued += n;
}

/* this_cpu_add(s->cpu_slab->stat[si], n), free of charge. */
static inline void stat_add(kmem_cache_t *s, enum stat_item si, uint64_t n)
{
	s->cpu_slab[smp_processor_id()].stat[si] += n;
}

static inline void stat(kmem_cache_t *s, enum stat_item si)
{
	stat_add(s, si, 1);
}

/* slub6.c */
struct kmem_cache_node *slub6_get_node(kmem_cache_t *s, int node);
saddr_t slub6_slab_alloc(kmem_cache_t *s, gfp_t gfp, int node);
void slub6_slab_free(kmem_cache_t *s, page_t *slab, saddr_t x);
bool slub6_alloc_bulk(kmem_cache_t *s, gfp_t gfp, unsigned n, saddr_t *p);
void slub6_free_bulk(kmem_cache_t *s, unsigned n, saddr_t *p);
void slub6_shrink(void *a, kmem_cache_t *s);
void slub6_release_slabs(kmem_cache_t *s);

/* slub6_sheaf.c */
void slub6_init_sheaves(kmem_cache_t *s, unsigned capacity);
saddr_t slub6_alloc_from_pcs(kmem_cache_t *s, gfp_t gfp, int node, bool *fast);
void slub6_free_to_pcs(kmem_cache_t *s, saddr_t x, bool *fast);
void slub6_free_rcu_sheaf(kmem_cache_t *s, saddr_t x);
void slub6_pcs_flush(kmem_cache_t *s);
void slub6_barn_shrink(kmem_cache_t *s, node_barn_t *barn);
void slub6_free_sheaves_host(kmem_cache_t *s);


#endif
