/*
 * memory.h -- the simulated physical address space.
 *
 * Owns: the layout of simulated addresses and the host memory behind them.
 * Three windows, one after the other from MEM_BASE:
 *   RAM      node n's pages, pfn n*pages_per_node ..; host-backed in
 *            2 MiB chunks mapped on first access, so the host reserves
 *            address space only for what a run touches (crossbar-1k:
 *            64 GiB of simulated RAM, a few hundred MiB touched);
 *   MEMMAP   each node's mem_map: its pages' struct page entries, 56 bytes
 *            each as on x86-64 2.6.29, contiguous (so neighbouring pages'
 *            entries share cache lines), one page-aligned array per node on
 *            that node (priced, not host-backed: page_t holds the fields);
 *   META     per-node arenas for metadata the modelled kernel kmallocs
 *            (priced, not host-backed: the owner keeps a host struct).
 * Every address maps to a home node, which prices DRAM accesses.
 */
#ifndef SLABSIM_MEMORY_H
#define SLABSIM_MEMORY_H

#include "types.h"
#include "machine.h"

#define MEM_BASE        (1ULL << 32)
#define MEM_PAGE_STRUCT 56            /* sizeof(struct page), x86-64 2.6.29 */
#define MEM_CHUNK_SHIFT 21            /* host backing granule: 2 MiB */
#define MEM_CHUNK       (1ULL << MEM_CHUNK_SHIFT)

typedef struct memory {
	const machine_t *m;
	uint64_t pages_per_node;
	uint64_t total_pages;
	saddr_t ram_end;                /* RAM is [MEM_BASE, ram_end) */
	saddr_t memmap_base, memmap_end;
	uint64_t memmap_per_node;       /* bytes of MEMMAP window per node */
	saddr_t meta_base;
	uint64_t meta_per_node;         /* bytes of META window per node */
	uint64_t *meta_used;            /* [nnodes] bump pointer */
	uint8_t **chunk;                /* [RAM / MEM_CHUNK] host backing, NULL until used */
	uint64_t nchunks;
} memory_t;

memory_t *mem_new(const machine_t *m);
void mem_free(memory_t *mem);

/* Whether this host can hold a run on machine m: the address space its
 * largest structures need (the struct page array, the RAM chunk table,
 * the fiber stacks) within RLIMIT_AS and, for the page array, the host's
 * RAM and swap (what the kernel's overcommit heuristic grants one
 * allocation).  False and *err with the sizes if not. */
bool mem_host_check(const machine_t *m, size_t page_struct, size_t fiber_stack, GError **err);

/* Map the host chunk holding RAM offset off (mem_host's slow path);
 * stops the process with a message if the host refuses.  Of two threads
 * mapping the same chunk at once, one's mapping is kept, and both get it. */
uint8_t *mem_chunk_map(memory_t *mem, uint64_t off);

static inline uint64_t mem_pfn(const memory_t *mem, saddr_t a)
{
	return (a - MEM_BASE) >> mem->m->page_shift;
}

static inline saddr_t mem_pfn_addr(const memory_t *mem, uint64_t pfn)
{
	return MEM_BASE + (pfn << mem->m->page_shift);
}

static inline bool mem_is_ram(const memory_t *mem, saddr_t a)
{
	return a >= MEM_BASE && a < mem->ram_end;
}

static inline int mem_pfn_node(const memory_t *mem, uint64_t pfn)
{
	return (int)(pfn / mem->pages_per_node);
}

/* The struct page of pfn, in its node's mem_map. */
static inline saddr_t mem_page_struct_addr(const memory_t *mem, uint64_t pfn)
{
	uint64_t node = pfn / mem->pages_per_node;

	return mem->memmap_base + node * mem->memmap_per_node +
	       (pfn - node * mem->pages_per_node) * MEM_PAGE_STRUCT;
}

/* Host pointer to `a` (RAM only), valid to the end of its MEM_CHUNK
 * (chunks hold whole pages: no load or store crosses one; a longer span,
 * kzero's, goes chunk by chunk).  Cost over a flat mapping: one load and
 * a branch.  Host threads of a native run share the table: a chunk's
 * pointer is published once (mem_chunk_map) and read with acquire (a
 * plain load on x86). */
static inline void *mem_host(const memory_t *mem, saddr_t a)
{
	uint64_t off = a - MEM_BASE;
	uint8_t *c = __atomic_load_n(&mem->chunk[off >> MEM_CHUNK_SHIFT], __ATOMIC_ACQUIRE);

	if (__builtin_expect(!c, 0))
		c = mem_chunk_map((memory_t *)mem, off);
	return c + (off & (MEM_CHUNK - 1));
}

/* Home node of any simulated address. */
int mem_home_node(const memory_t *mem, saddr_t a);

/* Reserve `size` bytes of the META window on `node` aligned to `align`. */
saddr_t mem_meta_reserve(memory_t *mem, int node, uint64_t size, uint64_t align);

/* Index of the line holding `a` over the whole space (for the directory). */
static inline uint64_t mem_line(const memory_t *mem, saddr_t a)
{
	return (a - MEM_BASE) >> mem->m->line_shift;
}

uint64_t mem_total_lines(const memory_t *mem);

#endif
