/*
 * vmstat.h -- the zone counters the slab allocators keep, as 2.6.29's
 * mm/vmstat.c keeps them: per-CPU differentials folded by a timer.
 *
 * Owns: NR_SLAB_RECLAIMABLE and NR_SLAB_UNRECLAIMABLE per zone (one zone
 * per node) and machine-wide, each CPU's differentials of them in its
 * per_cpu_pageset of every zone, the per-zone stat_threshold, and the
 * per-CPU vmstat timer (vmstat_update -> refresh_cpu_vm_stats).  Every
 * access is priced through the kernel API at the simulated address of the
 * modelled structure: the differentials in the pageset (pa_pageset_addr),
 * zone->pageset[cpu] and zone->vm_stat[] in struct zone on the zone's
 * node, vm_stat[] (the global counters) on node 0.  Only the slab counters
 * are modelled: the page allocator's own ones (NR_FREE_PAGES, NUMA_HIT,
 * ...) and the remote-pageset drain of refresh_cpu_vm_stats are not.
 */
#ifndef SLABSIM_VMSTAT_H
#define SLABSIM_VMSTAT_H

#include "types.h"
#include "pagealloc.h"

/* 2.6.29's enum zone_stat_item numbers (CONFIG_UNEVICTABLE_LRU, NUMA). */
enum zone_stat_item {
	NR_SLAB_RECLAIMABLE = 12,
	NR_SLAB_UNRECLAIMABLE = 13,
};
#define NR_VM_ZONE_STAT_ITEMS 25

/* The state of the counters of a kernel (kernel_t.vmstat), made on first
 * use: thresholds by calculate_threshold, the zones' counters placed in
 * simulated memory. */
typedef struct kvmstat kvmstat_t;

/* setup_vmstat's start_cpu_timer on every CPU: vmstat_update first runs
 * HZ + cpu jiffies from now, then every sysctl_stat_interval (HZ) after
 * each run.  Called once, on the booting CPU. */
void vmstat_start(void);

/* calculate_threshold of 2.6.29 for a zone of present_pages pages of
 * 2^page_shift bytes with ncpus CPUs online: 2 * fls(ncpus) * (1 +
 * fls(memory in 128 MiB units)), at most 125. */
int vmstat_threshold(uint64_t present_pages, int ncpus, int page_shift);

/* mod_zone_page_state(page_zone(page), item, delta) on this CPU: irqs
 * off, the CPU's differential moves by delta and, past +-threshold, is
 * added to the zone's and the global counter (two atomics) and zeroed. */
void mod_zone_page_state(const page_t *page, enum zone_stat_item item, long delta);

/* The counters as /proc/vmstat and /proc/zoneinfo would show them. */
typedef struct vmstat_summary {
	long nr_slab_reclaimable, nr_slab_unreclaimable;   /* folded: vm_stat */
	long unfolded;          /* pages still in the CPUs' differentials */
	int threshold_min, threshold_max;       /* the zones' stat_threshold */
	uint64_t folds;         /* refresh_cpu_vm_stats runs, all CPUs */
} vmstat_summary_t;

/* The summary of v (NULL: a kernel that never used its counters). */
void vmstat_summary(const kvmstat_t *v, vmstat_summary_t *out);

/* Free of charge, for reports and tests. */
int vmstat_zone_threshold(int node);
long zone_page_state(int node, enum zone_stat_item item);   /* zone->vm_stat */
long global_page_state(enum zone_stat_item item);           /* vm_stat */
long vmstat_cpu_diff(int cpu, int node, enum zone_stat_item item);
uint64_t vmstat_cpu_folds(int cpu);     /* refresh_cpu_vm_stats runs on cpu */

#endif
