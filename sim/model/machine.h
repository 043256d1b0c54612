/*
 * machine.h -- the modelled machine: topology and cost profile.
 *
 * Owns: the machine description (CPUs, sockets, nodes, SLIT distances,
 * memory per node, cache geometry, compile-time kernel constants) and the
 * prices of every memory-system event, all in integer picoseconds.  Loaded
 * from a GKeyFile profile (scenarios/machines/NAME.machine) with overrides
 * from the scenario's [machine] section.  Immutable once loaded; owns no
 * simulation state.
 */
#ifndef SLABSIM_MACHINE_H
#define SLABSIM_MACHINE_H

#include <glib.h>
#include "types.h"

typedef struct machine {
	char *name;
	char *description;
	int ncpus;              /* online CPUs */
	int nnodes;             /* online NUMA nodes; CPUs spread evenly */
	int nsockets;           /* sockets; nodes spread evenly, >= nnodes or a multiple */
	int nr_cpus;            /* kernel NR_CPUS (sizes static arrays) */
	int max_numnodes;       /* kernel MAX_NUMNODES */
	int hz;                 /* kernel HZ: jiffies per second (timers round to them) */
	int page_size;          /* bytes, a power of two */
	int page_shift;
	int cache_line;         /* bytes, a power of two */
	int line_shift;
	uint64_t mem_per_node;  /* bytes of simulated RAM per node */
	int cache_lines;        /* private cache capacity per CPU, in lines */
	int cache_ways;         /* its associativity */
	int llc_lines;          /* shared last-level cache per socket or node, in lines; 0: none */
	int llc_ways;           /* its associativity */
	bool llc_inclusive;     /* it holds every line of the private caches it serves */
	bool llc_per_node;      /* one per node (die), else one per socket */
	bool layout_noise;      /* physical placement varies with the seed */

	int *cpu_node;          /* [ncpus] */
	int *cpu_socket;        /* [ncpus] */
	int *node_first_cpu;    /* [nnodes] */
	uint8_t *distance;      /* [nnodes * nnodes], SLIT, 10 = local */

	/* Prices, picoseconds.  Remote prices grow linearly with SLIT distance:
	 * price(d) = base + per_distance * (d - 10). */
	simtime_t hit;          /* private cache hit */
	simtime_t llc;          /* clean line held by another CPU on the socket */
	simtime_t xfer_socket;  /* line Modified in another CPU on the socket */
	simtime_t xfer_remote;  /* ... on another socket, at distance 10+ */
	simtime_t xfer_per_distance;
	simtime_t mem_local;    /* DRAM on the CPU's own node */
	simtime_t mem_per_distance;
	simtime_t rmw;          /* atomic RMW on a line this CPU holds Modified */
	simtime_t inval;        /* extra per sharer invalidated by a store */
	simtime_t op;           /* call/return and bookkeeping of one API call */
	simtime_t irq;          /* local_irq_save + restore pair */

	GKeyFile *values;       /* [machine] key -> effective value as written */
} machine_t;

/* Load profile NAME (a path, or a name looked up in dir) and apply the
 * overrides in the [machine] group of kf (may be NULL). */
machine_t *machine_load(const char *name_or_path, const char *dir,
                        GKeyFile *overrides, const char *overrides_file,
                        GError **err);
void machine_free(machine_t *m);

/* The keys a [machine] section may hold (NULL-terminated). */
extern const char *const machine_keys[];

/* The effective value of `key` (profile or override, else the default),
 * as a newly allocated string; NULL for a key nobody set that has no
 * single-value default (distance). */
char *machine_key_value(const machine_t *m, const char *key);

/* The SLIT distance from node a to node b. */
static inline int machine_node_distance(const machine_t *m, int a, int b)
{
	return m->distance[a * m->nnodes + b];
}

/* Price of cpu reading a line from node mem_node's DRAM (inline: it is on
 * every miss's path). */
static inline simtime_t machine_mem_price(const machine_t *m, int cpu, int mem_node)
{
	int d = machine_node_distance(m, m->cpu_node[cpu], mem_node);

	return m->mem_local + m->mem_per_distance * (simtime_t)(d - 10);
}

/* Price of pulling a line Modified in cpu `from` into cpu `to` (inline:
 * every transfer and every bit-spinlock race asks it). */
static inline simtime_t machine_xfer_price(const machine_t *m, int from, int to)
{
	int d;

	if (m->cpu_socket[from] == m->cpu_socket[to])
		return m->xfer_socket;
	d = machine_node_distance(m, m->cpu_node[from], m->cpu_node[to]);
	return m->xfer_remote + m->xfer_per_distance * (simtime_t)(d - 10);
}

#endif
