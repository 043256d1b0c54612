/*
 * memory.c -- layout of the simulated address space and its host backing.
 */
#include <sys/mman.h>
#include <glib.h>
#include "memory.h"

/* Metadata arena per node: enough for a 4,096-CPU SLAB of a few hundred
 * caches; it is address space only, never host memory. */
#define META_PER_NODE (1ULL << 30)

memory_t *mem_new(const machine_t *m)
{
	memory_t *mem = g_new0(memory_t, 1);

	mem->m = m;
	mem->pages_per_node = m->mem_per_node >> m->page_shift;
	mem->total_pages = mem->pages_per_node * (uint64_t)m->nnodes;
	mem->ram_end = MEM_BASE + (mem->total_pages << m->page_shift);
	mem->memmap_base = mem->ram_end;
	mem->memmap_per_node = (mem->pages_per_node * MEM_PAGE_STRUCT + (uint64_t)m->page_size - 1) &
	                       ~((uint64_t)m->page_size - 1);
	mem->memmap_end = mem->memmap_base + mem->memmap_per_node * (uint64_t)m->nnodes;
	mem->meta_base = (mem->memmap_end + META_PER_NODE - 1) & ~(META_PER_NODE - 1);
	mem->meta_per_node = META_PER_NODE;
	mem->meta_used = g_new0(uint64_t, m->nnodes);
	mem->host_size = mem->total_pages << m->page_shift;
	mem->host = mmap(NULL, mem->host_size, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem->host == MAP_FAILED)
		g_error("memory: cannot reserve %" G_GUINT64_FORMAT " bytes of host address space",
		        mem->host_size);
	return mem;
}

void mem_free(memory_t *mem)
{
	if (!mem)
		return;
	munmap(mem->host, mem->host_size);
	g_free(mem->meta_used);
	g_free(mem);
}

int mem_home_node(const memory_t *mem, saddr_t a)
{
	if (a < mem->ram_end)
		return mem_pfn_node(mem, mem_pfn(mem, a));
	if (a < mem->memmap_end)
		return (int)((a - mem->memmap_base) / mem->memmap_per_node);
	return (int)((a - mem->meta_base) / mem->meta_per_node);
}

saddr_t mem_meta_reserve(memory_t *mem, int node, uint64_t size, uint64_t align)
{
	uint64_t off = (mem->meta_used[node] + align - 1) & ~(align - 1);

	if (off + size > mem->meta_per_node)
		g_error("memory: metadata window of node %d exhausted", node);
	mem->meta_used[node] = off + size;
	return mem->meta_base + (uint64_t)node * mem->meta_per_node + off;
}

uint64_t mem_total_lines(const memory_t *mem)
{
	saddr_t end = mem->meta_base + (uint64_t)mem->m->nnodes * mem->meta_per_node;
	return (end - MEM_BASE) >> mem->m->line_shift;
}
