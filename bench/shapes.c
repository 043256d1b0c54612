/*
 * shapes.c -- the shapes issue #16 measures, as commands of the slabsim
 * binary (see docs/bench.md).
 */
#include <string.h>
#include "bench.h"

#define BUSY(n, nodes, nr_cpus, max_numnodes, pairs) \
	{ "machine.cpus=" #n, "machine.nodes=" #nodes, "machine.sockets=" #nodes, \
	  "machine.nr_cpus=" #nr_cpus, "machine.max_numnodes=" #max_numnodes, \
	  "workload.pairs=" #pairs, "workload.batches=100", NULL }

const bench_shape_t bench_shapes[] = {
	{ .name = "quickstart", .scenario = "scenarios/quickstart.scn", .alloc = "slub" },
	{ .name = "netperf-64", .scenario = "scenarios/netperf-udp.scn", .alloc = "slub",
	  .sets = { "scenario.machine=opteron-8n", "workload.mode=unpinned", "workload.messages=200",
	            NULL } },
	{ .name = "crossbar-1k", .scenario = "scenarios/crossbar-1k.scn", .alloc = "slub",
	  .sets = { "machine.mem_per_node_mib=8", NULL } },
	{ .name = "crossbar-4k", .scenario = "scenarios/crossbar-4k.scn", .heavy = true,
	  .jobs = 1 },                                   /* all five, one worker */
	{ .name = "crossbar-1k-user", .scenario = "scenarios/crossbar-1k.scn", .plots = true,
	  .heavy = true },
	/* Host time per op with 16 and with 1,024 busy CPUs (the ratio is the
	 * scaling figure): cpus N, nodes = sockets = N/8, nr_cpus max(N, 512),
	 * max_numnodes max(N/8, 64), pairs N/2. */
	{ .name = "busy-16", .scenario = "scenarios/quickstart.scn", .alloc = "slub",
	  .sets = BUSY(16, 2, 512, 64, 8), .heavy = true },
	{ .name = "busy-1024", .scenario = "scenarios/quickstart.scn", .alloc = "slub",
	  .sets = BUSY(1024, 128, 1024, 128, 512), .heavy = true },
	/* Trace replay on SLUB (issue #15: >= 1 M events per CPU second): a
	 * trace of quickstart with 2,000 batches (512,000 events) replayed. */
	{ .name = "replay-slub", .scenario = "scenarios/replay.scn", .alloc = "slub",
	  .trace_scenario = "scenarios/quickstart.scn", .trace_sets = { "workload.batches=2000", NULL },
	  .heavy = true },
	{ .name = NULL },
};

const bench_shape_t *bench_shape_find(const char *name)
{
	for (const bench_shape_t *s = bench_shapes; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}
