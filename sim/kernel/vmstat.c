/*
 * vmstat.c -- the slab zone counters with per-CPU differentials (see
 * vmstat.h), after 2.6.29's mm/vmstat.c: __mod_zone_page_state,
 * zone_page_state_add, calculate_threshold, refresh_cpu_vm_stats,
 * vmstat_update and start_cpu_timer.
 *
 * The timer is INIT_DELAYED_WORK_DEFERRABLE in the kernel: it does not
 * wake an idle CPU under NO_HZ.  The modelled kernel has a periodic tick,
 * which runs it on time on an idle CPU too, so here it is ordinary
 * delayed work.
 */
#include "kernel.h"

#define NR_ITEMS        2       /* the modelled items: the two slab counters */
#define ZONE_PAGESETS   256     /* zone->pageset[NR_CPUS] after vm_stat[25] */

struct kvmstat {
	int ncpus, nnodes;
	int *threshold;         /* [nnodes]: each zone's stat_threshold */
	int8_t *diff;           /* [ncpus][nnodes][NR_ITEMS]: vm_stat_diff */
	long *zone;             /* [nnodes][NR_ITEMS]: zone->vm_stat */
	long global[NR_ITEMS];  /* vm_stat */
	saddr_t *zone_addr;     /* [nnodes]: zone->vm_stat, then zone->pageset[] */
	saddr_t global_addr;    /* vm_stat[] */
	uint64_t *folds;        /* [ncpus]: refresh_cpu_vm_stats runs */
};

static int item_index(enum zone_stat_item item)
{
	return (int)item - NR_SLAB_RECLAIMABLE;
}

static int8_t *diff_of(kvmstat_t *v, int cpu, int node, int i)
{
	return &v->diff[((size_t)cpu * (size_t)v->nnodes + (size_t)node) * NR_ITEMS + (size_t)i];
}

/* The kernel's fls() of a machine word. */
static int fls64(uint64_t x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* calculate_threshold: the threshold scales with the CPUs online and the
 * zone's memory in 128 MiB units, logarithmically; at most 125. */
int vmstat_threshold(uint64_t present_pages, int ncpus, int page_shift)
{
	uint64_t mem = present_pages >> (27 - page_shift);
	int threshold = 2 * fls64((uint64_t)ncpus) * (1 + fls64(mem));

	return MIN(125, threshold);
}

/* present_pages of a node's zone: its pages less its mem_map
 * (free_area_init_core: PAGE_ALIGN(size * sizeof(struct page)) pages). */
static uint64_t zone_present(const machine_t *m, const memory_t *mem)
{
	uint64_t page = (uint64_t)m->page_size;
	uint64_t memmap = (mem->pages_per_node * MEM_PAGE_STRUCT + page - 1) / page;

	return mem->pages_per_node - memmap;
}

/* Every zone's threshold, and its counters placed on its node. */
static kvmstat_t *vmstat_new(const machine_t *m, memory_t *mem)
{
	kvmstat_t *v = g_new0(kvmstat_t, 1);

	v->ncpus = m->ncpus;
	v->nnodes = m->nnodes;
	v->threshold = g_new(int, m->nnodes);
	v->diff = g_new0(int8_t, (size_t)m->ncpus * (size_t)m->nnodes * NR_ITEMS);
	v->zone = g_new0(long, (size_t)m->nnodes * NR_ITEMS);
	v->zone_addr = g_new(saddr_t, m->nnodes);
	v->folds = g_new0(uint64_t, m->ncpus);
	for (int n = 0; n < m->nnodes; n++) {
		v->threshold[n] = vmstat_threshold(zone_present(m, mem), m->ncpus, m->page_shift);
		v->zone_addr[n] = mem_meta_reserve(mem, n, ZONE_PAGESETS + 8 * (uint64_t)m->nr_cpus, 64);
	}
	v->global_addr = mem_meta_reserve(mem, 0, NR_VM_ZONE_STAT_ITEMS * 8, 64);
	return v;
}

/* The host side of v (its simulated memory stays with the run). */
static void vmstat_free(void *arg)
{
	kvmstat_t *v = arg;

	g_free(v->threshold);
	g_free(v->diff);
	g_free(v->zone);
	g_free(v->zone_addr);
	g_free(v->folds);
	g_free(v);
}

/* The current kernel's counters, made on first use. */
static kvmstat_t *vm(void)
{
	kernel_t *k = kern();

	if (!k->vmstat) {
		k->vmstat = vmstat_new(k->m, k->mem);
		kernel_at_free(vmstat_free, k->vmstat);
	}
	return k->vmstat;
}

/* zone_pcp(zone, cpu): a load of zone->pageset[cpu]. */
static void read_pageset_ptr(kvmstat_t *v, int node, int cpu)
{
	ktouch(v->zone_addr[node] + ZONE_PAGESETS + 8 * (saddr_t)cpu, 8, false);
}

static saddr_t diff_addr(int cpu, int node, enum zone_stat_item item)
{
	return pa_pageset_addr(kern()->pa, cpu, node) + PA_PAGESET_VM_DIFF + (saddr_t)item;
}

/* zone_page_state_add: atomic adds to the zone's and the global counter. */
static void zone_page_state_add(kvmstat_t *v, long x, int node, enum zone_stat_item item)
{
	katomic_long_add(v->zone_addr[node] + 8 * (saddr_t)item, &v->zone[node * NR_ITEMS + item_index(item)], x);
	katomic_long_add(v->global_addr + 8 * (saddr_t)item, &v->global[item_index(item)], x);
}

/* mod_zone_page_state: __mod_zone_page_state with irqs off. */
void mod_zone_page_state(const page_t *page, enum zone_stat_item item, long delta)
{
	kvmstat_t *v = vm();
	int cpu = smp_processor_id(), node = page_to_nid(page);
	int8_t *p = diff_of(v, cpu, node, item_index(item));
	unsigned long flags;
	long x;

	local_irq_save(&flags);
	read_pageset_ptr(v, node, cpu);
	ktouch(diff_addr(cpu, node, item), 1, true);
	x = delta + *p;
	if (x > v->threshold[node] || x < -v->threshold[node]) {
		zone_page_state_add(v, x, node, item);
		x = 0;
	}
	*p = (int8_t)x;
	local_irq_restore(flags);
}

/* refresh_cpu_vm_stats(cpu): every zone's pageset of this CPU is read;
 * each non-zero differential is taken with irqs off and added to its
 * zone's counter, and their sums to the global counters. */
static void refresh_cpu_vm_stats(int cpu)
{
	kvmstat_t *v = vm();
	long global_diff[NR_ITEMS] = { 0 };

	for (int node = 0; node < v->nnodes; node++) {
		read_pageset_ptr(v, node, cpu);
		ktouch(diff_addr(cpu, node, 0), NR_VM_ZONE_STAT_ITEMS, false);
		for (int i = 0; i < NR_ITEMS; i++) {
			enum zone_stat_item item = (enum zone_stat_item)(NR_SLAB_RECLAIMABLE + i);
			int8_t *p = diff_of(v, cpu, node, i);
			unsigned long flags;
			long d;

			if (!*p)
				continue;
			local_irq_save(&flags);
			d = *p;
			*p = 0;
			ktouch(diff_addr(cpu, node, item), 1, true);
			local_irq_restore(flags);
			katomic_long_add(v->zone_addr[node] + 8 * (saddr_t)item, &v->zone[node * NR_ITEMS + i], d);
			global_diff[i] += d;
		}
	}
	for (int i = 0; i < NR_ITEMS; i++) {
		if (!global_diff[i])
			continue;
		katomic_long_add(v->global_addr + 8 * (saddr_t)(NR_SLAB_RECLAIMABLE + i), &v->global[i],
		                 global_diff[i]);
	}
	v->folds[cpu]++;
}

/* vmstat_update: fold this CPU's differentials, run again in a second. */
static void vmstat_update(void *arg)
{
	refresh_cpu_vm_stats(smp_processor_id());
	schedule_delayed_work_on(smp_processor_id(), jiffies_delay((uint64_t)HZ), vmstat_update, arg);
}

/* start_cpu_timer on every CPU: first run HZ + cpu jiffies from now. */
void vmstat_start(void)
{
	(void)vm();             /* the thresholds first, as setup_vmstat */
	kwork_label(vmstat_update, "vmstat_update");
	for (int cpu = 0; cpu < nr_cpu_ids(); cpu++)
		schedule_delayed_work_on(cpu, jiffies_delay((uint64_t)HZ + (uint64_t)cpu),
		                         vmstat_update, NULL);
}

/* ---- free of charge ---- */

/* The global counters, what the differentials still hold, the
 * thresholds, the folds. */
void vmstat_summary(const kvmstat_t *v, vmstat_summary_t *out)
{
	if (!v) {
		*out = (vmstat_summary_t){ 0 };
		return;
	}
	*out = (vmstat_summary_t){
		.nr_slab_reclaimable = v->global[0], .nr_slab_unreclaimable = v->global[1],
		.threshold_min = v->threshold[0], .threshold_max = v->threshold[0],
	};
	for (size_t i = 0; i < (size_t)v->ncpus * (size_t)v->nnodes * NR_ITEMS; i++)
		out->unfolded += v->diff[i];
	for (int n = 0; n < v->nnodes; n++) {
		out->threshold_min = MIN(out->threshold_min, v->threshold[n]);
		out->threshold_max = MAX(out->threshold_max, v->threshold[n]);
	}
	for (int c = 0; c < v->ncpus; c++)
		out->folds += v->folds[c];
}

/* node's zone's stat_threshold. */
int vmstat_zone_threshold(int node)
{
	return vm()->threshold[node];
}

/* zone->vm_stat[item] of node's zone: what was folded into it. */
long zone_page_state(int node, enum zone_stat_item item)
{
	return vm()->zone[node * NR_ITEMS + item_index(item)];
}

/* vm_stat[item]: what was folded machine-wide. */
long global_page_state(enum zone_stat_item item)
{
	return vm()->global[item_index(item)];
}

/* cpu's differential of item for node's zone. */
long vmstat_cpu_diff(int cpu, int node, enum zone_stat_item item)
{
	return *diff_of(vm(), cpu, node, item_index(item));
}

/* refresh_cpu_vm_stats runs on cpu so far. */
uint64_t vmstat_cpu_folds(int cpu)
{
	return vm()->folds[cpu];
}
