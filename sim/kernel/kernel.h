/*
 * kernel.h -- the kernel API: everything an allocator core may call.
 *
 * Owns: the per-run kernel context (machine, memory, coherence, locks, page
 * allocator, metadata accounting, delayed work) behind kernel-flavoured
 * calls.  Every call acts for the running CPU (engine_current()) and is
 * priced by the model: an allocator never states a cost.  Allocators
 * include this header and allocator.h, nothing else of sim/.
 *
 * Simulated memory: kload/kstore read and write object memory (RAM) and are
 * charged as one access each.  Allocator structures that the modelled
 * kernel keeps in memory but the simulator keeps as host structs (per-CPU
 * structures, node structures, struct page) are priced with ktouch() at
 * the simulated address their metadata allocation returned.
 *
 * Two backends.  In a simulated run every call acts for the CPU the engine
 * runs and is priced.  In a native run (native.h: knative() is true on the
 * host thread) the same calls run the allocators on host threads, one per
 * CPU: kload/kstore are plain loads and stores on the host memory behind
 * RAM, pricing calls (ktouch, katomic, kpage_touch, ...) do nothing, irqs
 * off is nothing (a CPU's data is touched by its own thread only), locks
 * are real (native_lock.h), the page allocator and the metadata accounts
 * run under the backend's own locks, and time is the host's.
 */
#ifndef SLABSIM_KERNEL_H
#define SLABSIM_KERNEL_H

#include <string.h>
#include <glib.h>
#include "types.h"
#include "engine.h"
#include "machine.h"
#include "memory.h"
#include "coherence.h"
#include "lock.h"
#include "pagealloc.h"
#include "klist.h"
#include "vmstat.h"
#include "rcu.h"
#include "native_lock.h"
#include "kcounter.h"

/* What the modelled kernel's kmalloc(size) hands out (bytes): a hook the
 * booted allocator provides, so metadata is rounded as that allocator's
 * kmalloc would round it. */
typedef size_t (*kmalloc_size_fn)(void *ctx, size_t size);

typedef struct kernel {
	const machine_t *m;
	engine_t *engine;
	memory_t *mem;
	coh_t *coh;
	lock_registry_t *locks;
	pa_t *pa;
	struct kmeta *meta;
	kmalloc_size_fn kmalloc_size;            /* metadata rounding, or NULL */
	void *kmalloc_size_ctx;
	uint64_t seed;
	struct kcpu *cpus;                       /* per-CPU pending work, idle flag */
	klist_t works;                           /* every queued kwork, for teardown */
	simtime_t housekeeping;                  /* total time in delayed work/IPIs */
	simtime_t longest_interruption;
	GArray *work_sources;                    /* kwork_source_t, by first label */
	saddr_t *pcpu_base;                      /* [ncpus]: each CPU's per-CPU area */
	uint64_t pcpu_used;                      /* bytes taken in every area */
	kvmstat_t *vmstat;                       /* the slab zone counters (vmstat.h), on first use */
	krcu_t *rcu;                             /* call_rcu, grace periods (rcu.h), on first use */
	GArray *at_free;                         /* kfree_hook_t, run by kernel_free */
	struct knative *native;                  /* the native backend's state, or NULL (native.h) */
	int busy;                                /* CPUs inside allocator code now (work
	                                          * items here, operations by the run):
	                                          * 0 when an audit may look; simulated
	                                          * runs only */
} kernel_t;

/* What kernel_free calls for a part of the kernel made on first use. */
typedef struct kfree_hook {
	void (*fn)(void *arg);
	void *arg;
} kfree_hook_t;

/* Housekeeping done by one work function, for the jitter report. */
typedef struct kwork_source {
	const void *fn;
	const char *label;
	uint64_t runs;
	simtime_t total, longest;
} kwork_source_t;

typedef struct kernel_config {
	const machine_t *m;
	uint64_t seed;
	pa_config_t pa;
	cpu_main_fn cpu_main;                    /* each CPU's fiber body */
	void *cpu_main_arg;
	bool native;                             /* the native backend (native.h) */
} kernel_config_t;

/* Build a kernel (and make it kern()); kernel_free tears it down. */
kernel_t *kernel_new(const kernel_config_t *cfg);
void kernel_free(kernel_t *k);
/* Round metadata with fn(ctx, size) from now on (NULL: exact sizes). */
void kernel_set_kmalloc_size(kmalloc_size_fn fn, void *ctx);
/* Run this CPU's due delayed work and IPIs (an operation boundary). */
void kernel_do_pending(void);
/* Compute for `ps` (charged to `kind`); housekeeping interrupts on time. */
void kernel_compute(simtime_t ps, enum cost_kind kind);
/* Sleep until this CPU has work, or kernel_kick() wakes it. */
void kernel_idle(void);
/* The idle loop's sleep: this CPU has nothing to run (kernel_in_idle
 * says so meanwhile); sleeps as kernel_idle.  Call rcu_idle_enter first. */
void kernel_idle_loop(void);
bool kernel_in_idle(int cpu);
/* Have kernel_free call fn(arg) (newest first): the parts of the kernel
 * made on first use (vmstat, RCU) free their host state so. */
void kernel_at_free(void (*fn)(void *arg), void *arg);
/* Wake `cpu` at `when` if it is idle. */
void kernel_kick(int cpu, simtime_t when);
/* Metadata bytes now, and their peak. */
uint64_t kmeta_total(void);
uint64_t kmeta_peak(void);
/* Call fn(ctx, owner, category, bytes) for every account, sorted. */
typedef void (*kmeta_visit_fn)(void *ctx, const char *owner, const char *category, uint64_t bytes);
void kmeta_foreach(kmeta_visit_fn fn, void *ctx);

/* The kernel of the simulation being run (the run context's). */
static inline kernel_t *kern(void)
{
	return sim_ctx()->kernel;
}

/* Does the kernel API run natively on this host thread (native.h)? */
static inline bool knative(void)
{
	return sim_ctx()->native;
}

/* Price an access (simulation only). */
static inline void kprice(saddr_t a, uint32_t len, enum coh_op op)
{
	if (!knative())
		coh_access(kern()->coh, a, len, op);
}

/* The native backend's page allocator calls (native.c). */
page_t *native_alloc_pages(int node, gfp_t gfp, unsigned order);
void native_free_pages(page_t *page, unsigned order);

/* ---- context ---- */

static inline int smp_processor_id(void) { return engine_current()->id; }
static inline int numa_node_id(void) { return engine_current()->node; }
static inline int cpu_to_node(int cpu) { return kern()->m->cpu_node[cpu]; }
static inline int nr_cpu_ids(void) { return kern()->m->ncpus; }
static inline int nr_node_ids(void) { return kern()->m->nnodes; }
static inline int kpage_size(void) { return kern()->m->page_size; }
static inline int kpage_shift(void) { return kern()->m->page_shift; }
static inline int cache_line_size(void) { return kern()->m->cache_line; }
/* SLIT distance from node a to node b (10: local). */
static inline int node_distance(int a, int b) { return machine_node_distance(kern()->m, a, b); }
/* The order allocations for `node` fall back through the nodes, `node`
 * first (nr_node_ids() entries): the page allocator's zonelist, so every
 * allocator that walks nodes shares it. */
static inline const int *node_zonelist(int node) { return pa_zonelist(kern()->pa, node); }
/* Pages of RAM on all nodes. */
static inline uint64_t num_physpages(void) { return kern()->mem->total_pages; }

/* The modelled kernel's compile-time constants: the run's machine keys
 * hz, nr_cpus and max_numnodes. */
#define HZ              (kern()->m->hz)
#define NR_CPUS         (kern()->m->nr_cpus)
#define MAX_NUMNODES    (kern()->m->max_numnodes)
static inline simtime_t know(void) { return engine_current()->clock; }
/* A cycle counter for decisions the kernel bases on get_cycles(). */
static inline uint64_t get_cycles(void) { return engine_current()->clock / PS_PER_NS; }

/* Linux's fls_long: the 1-based position of the highest set bit, 0 for 0. */
static inline int fls_long(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* Linux's get_order with pages of 2^page_shift bytes: the smallest order
 * whose block holds size bytes (size >= 1). */
static inline unsigned get_order(unsigned long size, int page_shift)
{
	return (unsigned)fls_long((size - 1) >> page_shift);
}

/* ---- simulated memory ---- */

static inline uint64_t kload64(saddr_t a)
{
	uint64_t v;
	kprice(a, 8, COH_READ);
	memcpy(&v, mem_host(kern()->mem, a), 8);
	return v;
}

static inline void kstore64(saddr_t a, uint64_t v)
{
	kprice(a, 8, COH_WRITE);
	memcpy(mem_host(kern()->mem, a), &v, 8);
}

static inline uint32_t kload32(saddr_t a)
{
	uint32_t v;
	kprice(a, 4, COH_READ);
	memcpy(&v, mem_host(kern()->mem, a), 4);
	return v;
}

static inline void kstore32(saddr_t a, uint32_t v)
{
	kprice(a, 4, COH_WRITE);
	memcpy(mem_host(kern()->mem, a), &v, 4);
}

static inline uint16_t kload16(saddr_t a)
{
	uint16_t v;
	kprice(a, 2, COH_READ);
	memcpy(&v, mem_host(kern()->mem, a), 2);
	return v;
}

static inline void kstore16(saddr_t a, uint16_t v)
{
	kprice(a, 2, COH_WRITE);
	memcpy(mem_host(kern()->mem, a), &v, 2);
}

/* Read simulated memory free of charge: for audits and introspection the
 * modelled kernel does not do, never on a simulated path. */
static inline uint64_t kpeek64(saddr_t a)
{
	uint64_t v;
	memcpy(&v, mem_host(kern()->mem, a), 8);
	return v;
}

static inline uint32_t kpeek32(saddr_t a)
{
	uint32_t v;
	memcpy(&v, mem_host(kern()->mem, a), 4);
	return v;
}

static inline uint16_t kpeek16(saddr_t a)
{
	uint16_t v;
	memcpy(&v, mem_host(kern()->mem, a), 2);
	return v;
}

/* memset(a, 0, len): a charged store of every byte (RAM only).  The host
 * backing comes in MEM_CHUNK pieces (memory.h): cleared piece by piece. */
static inline void kzero(saddr_t a, uint32_t len)
{
	kprice(a, len, COH_WRITE);
	while (len) {
		uint32_t n = (uint32_t)MIN((uint64_t)len, MEM_CHUNK - ((a - MEM_BASE) & (MEM_CHUNK - 1)));
		memset(mem_host(kern()->mem, a), 0, n);
		a += n;
		len -= n;
	}
}

/* Price touching [a, a+len) without moving data (host-side structures). */
static inline void ktouch(saddr_t a, uint32_t len, bool write)
{
	kprice(a, len, write ? COH_WRITE : COH_READ);
}

/* An atomic read-modify-write of the word at a (priced only). */
static inline void katomic(saddr_t a)
{
	if (knative())
		return;
	engine_sync();
	coh_access(kern()->coh, a, 8, COH_RMW);
}

/* atomic64_add(d, p) on a counter the host keeps at *p for the word at a:
 * the RMW priced, then the add (an atomic one on host threads). */
static inline void katomic_add(saddr_t a, uint64_t *p, int64_t d)
{
	katomic(a);
	if (knative())
		__atomic_fetch_add(p, (uint64_t)d, __ATOMIC_RELAXED);
	else
		*p += (uint64_t)d;
}

/* atomic_long_add(d, p), likewise. */
static inline void katomic_long_add(saddr_t a, long *p, long d)
{
	katomic(a);
	if (knative())
		__atomic_fetch_add(p, d, __ATOMIC_RELAXED);
	else
		*p += d;
}

/* ---- compare-and-exchange of a double word (Linux 6.x SLUB) ----
 *
 * Priced only: the caller compares and exchanges its host copy of the
 * words right after the call returns, before any other CPU runs (a call
 * is one instruction; the simulator switches CPUs only at
 * synchronisation points). */

/* A LOCKed cmpxchg16b of the 16 bytes at a (try_cmpxchg128, SLUB's slab
 * freelist and counters): a synchronisation point, then an atomic RMW of
 * the line (rmw_ns on top of the access). */
static inline void kcmpxchg_double(saddr_t a)
{
	if (knative())
		return;
	engine_sync();
	coh_access(kern()->coh, a, 16, COH_RMW);
}

/* kcmpxchg_double on the freelist and counters of p's struct page
 * (struct slab overlays it): the 16-byte-aligned pair that starts 8 or 16
 * bytes into the entry, so it never spans two lines. */
static inline void kpage_cmpxchg_double(const page_t *p)
{
	saddr_t a = mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p)) + 16;

	kcmpxchg_double(a & ~(saddr_t)15);
}

/* this_cpu_try_cmpxchg128 on the 16 bytes at a, in this CPU's per-CPU
 * area: cmpxchg16b without a LOCK prefix, atomic against this CPU only.
 * Still a microcoded read-modify-write (on AMD Jaguar 11 cycles against
 * 17 with LOCK: LLVM commit b1bdd97a, 2019), so priced as one: the
 * access and rmw_ns.  Not a synchronisation point: no other CPU uses the
 * line, and nothing else runs on this CPU inside an operation. */
static inline void this_cpu_cmpxchg_double(saddr_t a)
{
	kprice(a, 16, COH_RMW);
}

/* ---- irqs ---- */

static inline void local_irq_save(unsigned long *flags)
{
	*flags = 1;
	if (!knative())
		engine_charge(COST_IRQ, kern()->m->irq / 2);
}

static inline void local_irq_restore(unsigned long flags)
{
	(void)flags;
	if (knative())
		return;
	engine_charge(COST_IRQ, kern()->m->irq - kern()->m->irq / 2);
	engine_sync();
}

/* ---- locks ---- */

/* The lock class called `name` ("slub.list_lock", ...). */
static inline lock_class_t *klock_class(const char *name)
{
	return lock_class(kern()->locks, name);
}

/* Bit spinlock on a page's flags word (slab_lock): priced at its struct page. */
static inline void bit_spin_lock_page(page_t *p, lock_class_t *cls)
{
	bit_spin_lock(&p->lock, cls, mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p)));
}

static inline bool bit_spin_trylock_page(page_t *p, lock_class_t *cls)
{
	return bit_spin_trylock(&p->lock, cls, mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p)));
}

static inline void bit_spin_unlock_page(page_t *p, lock_class_t *cls)
{
	bit_spin_unlock(&p->lock, cls, mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p)));
}

/* ---- pages ---- */

/* Page allocator calls; their whole cost is accounted as COST_PAGEALLOC.
 * __GFP_ZERO clears the pages (prep_zero_page), a charged store. */
static inline page_t *alloc_pages_node(int node, gfp_t gfp, unsigned order)
{
	simtime_t snap[COST_NKINDS];
	page_t *p;

	if (knative())
		return native_alloc_pages(node, gfp, order);
	engine_cost_mark(snap);
	p = pa_alloc(kern()->pa, node, order, gfp & ~(gfp_t)__GFP_ZERO);
	if (p && (gfp & __GFP_ZERO))
		kzero(pa_page_address(kern()->pa, p), (uint32_t)kern()->m->page_size << order);
	engine_cost_fold(snap, COST_PAGEALLOC);
	return p;
}

static inline void __free_pages(page_t *page, unsigned order)
{
	simtime_t snap[COST_NKINDS];

	if (knative()) {
		native_free_pages(page, order);
		return;
	}
	engine_cost_mark(snap);
	pa_release(kern()->pa, page, order);
	engine_cost_fold(snap, COST_PAGEALLOC);
}

static inline page_t *virt_to_page(saddr_t a) { return pa_virt_to_page(kern()->pa, a); }

/* virt_to_head_page, priced: an address in a tail page of a compound page
 * reads the tail's struct page (PageTail, first_page) before the head's.
 * Returns the head page (the caller reads it), or NULL outside RAM. */
static inline page_t *virt_to_head_page(saddr_t a)
{
	page_t *p = pa_virt_to_pfn_page(kern()->pa, a);

	if (p && (page_flags(p) & PG_tail)) {
		pa_touch_page(kern()->pa, p, false);
		p = p->first_page;
	}
	return p;
}
static inline saddr_t page_address(const page_t *p) { return pa_page_address(kern()->pa, p); }
static inline int page_to_nid(const page_t *p) { return pa_page_nid(kern()->pa, p); }
static inline bool kaddr_valid(saddr_t a) { return mem_is_ram(kern()->mem, a); }

/* The simulated address of p's struct page (in its node's mem_map). */
static inline saddr_t page_struct_addr(const page_t *p)
{
	return mem_page_struct_addr(kern()->mem, pa_page_to_pfn(kern()->pa, p));
}

/* Price reading or writing the struct page of p. */
static inline void kpage_touch(const page_t *p, bool write)
{
	pa_touch_page(kern()->pa, p, write);
}

/* page->flags |= bits, and &= ~bits: set_bit and clear_bit, atomic RMWs
 * on host threads (bits of a struct slab that CPUs update under
 * different locks); read the word with page_flags(). */
static inline void kpage_flags_set(page_t *p, uint32_t bits)
{
	if (knative())
		__atomic_fetch_or(&p->flags, bits, __ATOMIC_RELAXED);
	else
		p->flags |= bits;
}

static inline void kpage_flags_clear(page_t *p, uint32_t bits)
{
	if (knative())
		__atomic_fetch_and(&p->flags, ~bits, __ATOMIC_RELAXED);
	else
		p->flags &= ~bits;
}

/* The freelist and counters of a struct slab (p's freelist, inuse and
 * frozen bit), read together or compared-and-exchanged together: one
 * cmpxchg16b (kpage_cmpxchg_double prices it).  On host threads a CPU
 * holds p's bit lock around the read or the compare and exchange, as SLUB
 * does where the double-word cmpxchg is missing (__update_freelist_slow
 * under slab_lock); nothing in a simulated run. */
void native_page_pair_lock(page_t *p);
void native_page_pair_unlock(page_t *p);

static inline void kpage_pair_lock(page_t *p)
{
	if (knative())
		native_page_pair_lock(p);
}

static inline void kpage_pair_unlock(page_t *p)
{
	if (knative())
		native_page_pair_unlock(p);
}

/* ---- metadata the modelled kernel allocates ----
 *
 * Accounting is per owner (a cache name, or "(boot)") and per category
 * ("kmem_cache", "kmem_cache_node", "array_cache_percpu", ...).  kmeta_alloc
 * rounds `size` up as the modelled kernel's kmalloc would (the allocator's
 * kmalloc_size hook, so SLAB and SLUB round differently); kmeta_static
 * accounts exactly (static data).  Both return a simulated address on
 * `node` used to price later touches.  Metadata takes memory from the
 * node it is homed on: its bytes are backed by pages of that node's zone
 * (kernel.c, "metadata in simulated RAM"), so it competes with slabs. */
saddr_t kmeta_alloc(const char *owner, const char *category, size_t size, int node);
saddr_t kmeta_static(const char *owner, const char *category, size_t size, int node);
/* Give back a kmeta_alloc of `size` at addr (address space is not reused,
 * nor are the pages backing it). */
void kmeta_release(const char *owner, const char *category, size_t size, saddr_t addr);

/* Account n kmalloc_node(size) at once, without placing them (for
 * structures materialised lazily, e.g. SLAB's alien caches on 1,024
 * nodes); kmeta_place() gives one its address when it is first used.
 * `node` homes them: a node, KMETA_SPREAD (evenly over the nodes: one per
 * CPU or per node), or KMETA_IN_SLAB (they live in slab pages already:
 * accounted, not backed again). */
enum { KMETA_SPREAD = -1, KMETA_IN_SLAB = -2 };
void kmeta_account_n(const char *owner, const char *category, size_t size, uint64_t n, int node);
void kmeta_release_n(const char *owner, const char *category, size_t size, uint64_t n, int node);
saddr_t kmeta_place(size_t size, int node);
uint64_t kmeta_rounded(size_t size);
/* Metadata bytes homed on node now; bytes no node had memory for. */
uint64_t kmeta_node_bytes(int node);
uint64_t kmeta_unbacked(void);

/* A number that places something physically (a colour, an offset) the way
 * one boot differs from another: a function of the run's seed and `salt`,
 * 0 when the machine has no layout noise. */
uint64_t kernel_layout(uint64_t salt);

/* ---- per-CPU data ----
 *
 * Every CPU has a per-CPU area on its own node (as the kernel's
 * DEFINE_PER_CPU and alloc_percpu give each CPU its own copy, in memory
 * no other CPU's copy shares a line with).  percpu_alloc reserves `size`
 * bytes aligned to `align` at the same offset of every area, accounts
 * size per CPU as metadata of (owner, category), and returns the offset;
 * per_cpu_addr gives one CPU's copy. */
uint64_t percpu_alloc(const char *owner, const char *category, size_t size, size_t align);
saddr_t per_cpu_addr(uint64_t off, int cpu);

/* ---- work ----
 *
 * Delayed work runs on its CPU at an operation boundary at or after `delay`
 * from now, delaying whatever that CPU was doing; its time counts as
 * housekeeping (jitter). */
typedef void (*kwork_fn)(void *arg);
void schedule_delayed_work_on(int cpu, simtime_t delay, kwork_fn fn, void *arg);
/* cancel_delayed_work: the pending delayed work (fn, arg), if any, will
 * not run (a run already started goes on); true if there was one. */
bool cancel_delayed_work(kwork_fn fn, void *arg);
/* Name the housekeeping fn does ("cache_reap"); unnamed work reports as
 * "work".  `label` must outlive the kernel (a string literal). */
void kwork_label(kwork_fn fn, const char *label);
/* Jiffies: the kernel's timer ticks (HZ per second of simulated time). */
static inline uint64_t kjiffies(void)
{
	return engine_current()->clock / (PS_PER_SEC / (simtime_t)HZ);
}

static inline simtime_t jiffies_to_time(uint64_t j)
{
	return (simtime_t)j * (PS_PER_SEC / (simtime_t)HZ);
}

/* The time from now to the tick `j` jiffies ahead: how long a timer armed
 * for j jiffies waits. */
static inline simtime_t jiffies_delay(uint64_t j)
{
	return jiffies_to_time(kjiffies() + j) - know();
}

/* The kernel's __round_jiffies_relative(j, cpu): round the expiry of a
 * timer j jiffies from now to a whole second (skewed by 3 jiffies per CPU),
 * down if within the first quarter second, else up; returns the rounded
 * delay in jiffies.  round_jiffies_relative is the same for this CPU. */
uint64_t round_jiffies_relative_on(uint64_t j, int cpu);
static inline uint64_t round_jiffies_relative(uint64_t j)
{
	return round_jiffies_relative_on(j, smp_processor_id());
}

/* Run fn on every CPU: an IPI to each other CPU, then fn locally. */
void on_each_cpu(kwork_fn fn, void *arg);

/* ---- host structures shared by CPUs ----
 *
 * Host bookkeeping is free of charge, but on the native backend host
 * threads really share it.  Per-CPU host structures are declared
 * KPCPU_HOST and allocated with kpcpu_host_new, so each CPU's copy sits on
 * cache lines of its own (two lines: the adjacent-line prefetcher pairs
 * them) and no two host threads share a line on a fast path. */
#define KPCPU_HOST_ALIGN 128
#define KPCPU_HOST __attribute__((aligned(KPCPU_HOST_ALIGN)))

/* n zeroed structures of `size` bytes (a KPCPU_HOST type), aligned. */
static inline void *kpcpu_host_new(size_t n, size_t size)
{
	return g_aligned_alloc0(n, size, KPCPU_HOST_ALIGN);
}

static inline void kpcpu_host_free(void *p)
{
	g_aligned_free(p);
}

/* Set bit i of a host bitmap that several CPUs update (the debug maps of
 * objects handed out); its old value.  Atomic on host threads, ordered
 * (acquire-release) with the caller's other bit updates, as SLOB's block
 * marks need; on x86 the same locked instruction as a relaxed one. */
static inline bool kbit_test_and_set(uint8_t *map, unsigned i)
{
	uint8_t bit = (uint8_t)(1u << (i % 8)), old;

	if (knative())
		return __atomic_fetch_or(&map[i / 8], bit, __ATOMIC_ACQ_REL) & bit;
	old = map[i / 8];
	map[i / 8] = old | bit;
	return old & bit;
}

/* Clear bit i likewise; its old value. */
static inline bool kbit_test_and_clear(uint8_t *map, unsigned i)
{
	uint8_t bit = (uint8_t)(1u << (i % 8)), old;

	if (knative())
		return __atomic_fetch_and(&map[i / 8], (uint8_t)~bit, __ATOMIC_ACQ_REL) & bit;
	old = map[i / 8];
	map[i / 8] = old & (uint8_t)~bit;
	return old & bit;
}

/* *p += d on a host counter several CPUs move (a slab record's objects
 * held); the new value.  Atomic on host threads. */
static inline uint32_t khost_add32(uint32_t *p, int32_t d)
{
	if (knative())
		return __atomic_add_fetch(p, (uint32_t)d, __ATOMIC_RELAXED);
	return *p += (uint32_t)d;
}

/* *p += d likewise, 64 bits. */
static inline uint64_t khost_add64(uint64_t *p, int64_t d)
{
	if (knative())
		return __atomic_add_fetch(p, (uint64_t)d, __ATOMIC_RELAXED);
	return *p += (uint64_t)d;
}

/* data_race(*p): a read the kernel makes without the lock that guards *p,
 * knowing it may be stale (a heuristic, as unfreeze_slab's look at
 * nr_partial).  Not checked by ThreadSanitizer. */
__attribute__((no_sanitize_thread))
static inline unsigned long kdata_race_ul(const unsigned long *p)
{
	return *p;
}

__attribute__((no_sanitize_thread))
static inline int kdata_race_int(const int *p)
{
	return *p;
}

__attribute__((no_sanitize_thread))
static inline uint32_t kdata_race_u32(const uint32_t *p)
{
	return *p;
}

/* ---- debug checks ---- */

/* Report a detected allocator misuse or corruption (double free, foreign
 * pointer, freelist corruption) and stop the run with a non-zero exit. */
void kbug(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
extern bool kdebug_checks;

#endif
