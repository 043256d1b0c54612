/*
 * shapes.c -- the shapes issue #16 measures, as commands of the slabsim
 * binary (see docs/bench.md).
 */
#include <string.h>
#include "bench.h"

const bench_shape_t bench_shapes[] = {
	{ "quickstart", "scenarios/quickstart.scn", "slub", { NULL }, false, false },
	{ "netperf-64", "scenarios/netperf-udp.scn", "slub",
	  { "scenario.machine=opteron-8n", "workload.mode=unpinned", "workload.messages=200", NULL },
	  false, false },
	{ "crossbar-1k", "scenarios/crossbar-1k.scn", "slub",
	  { "machine.mem_per_node_mib=8", NULL }, false, false },
	{ "crossbar-4k", "scenarios/crossbar-4k.scn", NULL, { NULL }, false, true },
	{ "crossbar-1k-user", "scenarios/crossbar-1k.scn", NULL, { NULL }, true, true },
	/* Host time per op with 16 and with 1,024 busy CPUs (the ratio is the
	 * scaling figure). */
	{ "busy-16", "scenarios/quickstart.scn", "slub",
	  { "machine.cpus=16", "machine.nodes=2", "machine.sockets=2", "machine.nr_cpus=512",
	    "machine.max_numnodes=64", "workload.pairs=8", "workload.batches=100", NULL },
	  false, true },
	{ "busy-1024", "scenarios/quickstart.scn", "slub",
	  { "machine.cpus=1024", "machine.nodes=128", "machine.sockets=128",
	    "machine.nr_cpus=1024", "machine.max_numnodes=128", "workload.pairs=512",
	    "workload.batches=100", NULL },
	  false, true },
	{ NULL, NULL, NULL, { NULL }, false, false },
};

const bench_shape_t *bench_shape_find(const char *name)
{
	for (const bench_shape_t *s = bench_shapes; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}
