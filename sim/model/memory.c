/*
 * memory.c -- layout of the simulated address space and its host backing.
 *
 * RAM is backed in MEM_CHUNK pieces, each an anonymous MAP_NORESERVE
 * mapping made the first time an address in it is read or written (a
 * chunk reads as zeros, as the single mapping this replaces did), so the
 * host's address space grows with what a run touches, not with the
 * machine's RAM.  Contents never depend on where a chunk lands: results
 * are the same.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <glib.h>
#include "memory.h"
#include "error.h"

/* Metadata arena per node: enough for a 4,096-CPU SLAB of a few hundred
 * caches; it is address space only, never host memory. */
#define META_PER_NODE (1ULL << 30)

memory_t *mem_new(const machine_t *m)
{
	memory_t *mem = g_new0(memory_t, 1);
	uint64_t ram;

	mem->m = m;
	mem->pages_per_node = m->mem_per_node >> m->page_shift;
	mem->total_pages = mem->pages_per_node * (uint64_t)m->nnodes;
	ram = mem->total_pages << m->page_shift;
	mem->ram_end = MEM_BASE + ram;
	mem->memmap_base = mem->ram_end;
	mem->memmap_per_node = (mem->pages_per_node * MEM_PAGE_STRUCT + (uint64_t)m->page_size - 1) &
	                       ~((uint64_t)m->page_size - 1);
	mem->memmap_end = mem->memmap_base + mem->memmap_per_node * (uint64_t)m->nnodes;
	mem->meta_base = (mem->memmap_end + META_PER_NODE - 1) & ~(META_PER_NODE - 1);
	mem->meta_per_node = META_PER_NODE;
	mem->meta_used = g_new0(uint64_t, m->nnodes);
	mem->nchunks = (ram + MEM_CHUNK - 1) >> MEM_CHUNK_SHIFT;
	mem->chunk = g_new0(uint8_t *, mem->nchunks);
	return mem;
}

void mem_free(memory_t *mem)
{
	if (!mem)
		return;
	for (uint64_t i = 0; i < mem->nchunks; i++)
		if (mem->chunk[i])
			munmap(mem->chunk[i], MEM_CHUNK);
	g_free(mem->chunk);
	g_free(mem->meta_used);
	g_free(mem);
}

uint8_t *mem_chunk_map(memory_t *mem, uint64_t off)
{
	uint64_t i = off >> MEM_CHUNK_SHIFT, mapped = 0;
	uint8_t *first = NULL;
	void *p;

	g_assert(i < mem->nchunks);
	p = mmap(NULL, MEM_CHUNK, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		for (uint64_t j = 0; j < mem->nchunks; j++)
			mapped += mem->chunk[j] != NULL;
		fprintf(stderr, "slabsim: the host refused memory for simulated RAM (%s) after %"
		        G_GUINT64_FORMAT " MiB of it: raise the address-space limit (ulimit -v) or set "
		        "[scenario] mem_limit_mib\n", g_strerror(errno), (guint64)(mapped * (MEM_CHUNK >> 20)));
		_exit(1);
	}
	if (!__atomic_compare_exchange_n(&mem->chunk[i], &first, p, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE)) {
		munmap(p, MEM_CHUNK);           /* another thread mapped it first */
		return first;
	}
	return p;
}

/* Bytes of address space the process maps now. */
static uint64_t mapped_now(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

bool mem_host_check(const machine_t *m, size_t page_struct, size_t fiber_stack, GError **err)
{
	uint64_t pages = (m->mem_per_node >> m->page_shift) * (uint64_t)m->nnodes;
	uint64_t ram = pages << m->page_shift;
	uint64_t array = pages * page_struct;
	uint64_t need = array + ((ram + MEM_CHUNK - 1) >> MEM_CHUNK_SHIFT) * sizeof(void *) +
	                (uint64_t)m->ncpus * fiber_stack;
	struct rlimit rl;
	struct sysinfo si;

	if (sysinfo(&si) == 0 &&
	    array > ((uint64_t)si.totalram + si.totalswap) * si.mem_unit) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "[machine]: %" G_GUINT64_FORMAT
		            " MiB of simulated RAM in %" G_GUINT64_FORMAT " pages need a %" G_GUINT64_FORMAT
		            " MiB struct page array, more than this host's RAM and swap: lower "
		            "mem_per_node_mib or nodes, or raise page_size", ram >> 20, pages, array >> 20);
		return false;
	}
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    mapped_now() + need > (uint64_t)rl.rlim_cur) {
		g_set_error(err, SLABSIM_ERROR, SLABSIM_ERROR_INPUT, "[machine]: the run needs about %"
		            G_GUINT64_FORMAT " MiB of host address space (struct page array %" G_GUINT64_FORMAT
		            " MiB, %d fiber stacks %" G_GUINT64_FORMAT " MiB) besides its simulated RAM, "
		            "more than the limit of %" G_GUINT64_FORMAT " MiB (ulimit -v) allows",
		            need >> 20, array >> 20, m->ncpus, ((uint64_t)m->ncpus * fiber_stack) >> 20,
		            (uint64_t)rl.rlim_cur >> 20);
		return false;
	}
	return true;
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

	if (off + size > mem->meta_per_node || off + size < off) {
		fprintf(stderr, "slabsim: the modelled kernel's metadata outgrew node %d's %"
		        G_GUINT64_FORMAT " MiB window (%" G_GUINT64_FORMAT " MiB more asked): too many "
		        "caches or too large nr_cpus/max_numnodes for this model\n", node,
		        (guint64)(mem->meta_per_node >> 20), (guint64)(size >> 20));
		_exit(1);
	}
	mem->meta_used[node] = off + size;
	return mem->meta_base + (uint64_t)node * mem->meta_per_node + off;
}

uint64_t mem_total_lines(const memory_t *mem)
{
	saddr_t end = mem->meta_base + (uint64_t)mem->m->nnodes * mem->meta_per_node;
	return (end - MEM_BASE) >> mem->m->line_shift;
}
