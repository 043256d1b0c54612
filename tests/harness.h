/*
 * harness.h -- test fixtures: a machine built in code and a kernel that runs
 * one function on one simulated CPU.
 *
 * Owns: nothing that outlives a test; each harness_kernel() is torn down by
 * harness_free().
 */
#ifndef SLABSIM_HARNESS_H
#define SLABSIM_HARNESS_H

#include "kernel.h"
#include "allocator.h"
#include <json-glib/json-glib.h>

/* A flat machine: ncpus CPUs over nnodes nodes (one socket per node),
 * remote distance 20, mem_mib of RAM per node, round prices in ns:
 * hit 1, llc 10, xfer_socket 20, xfer_remote 100 (+2 per distance unit),
 * mem_local 60 (+4 per distance unit), rmw 5, inval 3, op 2, irq 2;
 * 4 KiB pages, 64-byte lines, 64 KiB 8-way private caches; HZ 250. */
machine_t *harness_machine(int ncpus, int nnodes, int mem_mib);

/* The allocator harness_kernel() was given, and its instance once booted. */
extern const allocator_ops_t *harness_ops;
extern void *harness_a;

/* Build a kernel over m.  ops may be NULL (page allocator only); tunables
 * NULL means the allocator's defaults. */
kernel_t *harness_kernel(machine_t *m, const allocator_ops_t *ops,
                         const long *tunables, const pa_config_t *pa);

/* Run fn(arg) on `cpu` (booting the allocator there first if it has one),
 * to completion; returns the CPU's clock afterwards. */
simtime_t harness_run_on(kernel_t *k, int cpu, void (*fn)(void *), void *arg);

/* Run fn(arg, cpu) on each of the CPUs in cpus[0..n) concurrently (the
 * allocator is booted on CPU 0 first if it has one). */
void harness_run_many(kernel_t *k, const int *cpus, int n,
                      void (*fn)(void *, int), void *arg);

void harness_free(kernel_t *k, machine_t *m);

/* In a test that re-runs itself as a GTest subprocess: expect the child to
 * stop in kbug() with `pattern` on stderr.  kbug() exits from a fiber
 * stack, where LeakSanitizer cannot see what the main stack references
 * (GTest's own state), so the child runs without it. */
void harness_trap_kbug(const char *pattern);

/* Boot ops on a 1-CPU machine and run body there (in a GTest subprocess,
 * for a body that should end in kbug()). */
void harness_in_subprocess(const allocator_ops_t *ops, void (*body)(void *));

/* Register PREFIX/double-free, PREFIX/foreign-pointer and, with
 * `freelist`, PREFIX/freelist-corruption: kmalloc(64) misused (freed
 * twice while its slab holds another object; freed at +16; its free
 * pointer overwritten before the next kmalloc), each expected to stop in
 * kbug() with the matching message.  One allocator per test program. */
void harness_add_debug_tests(const char *prefix, const allocator_ops_t *ops, bool freelist);

/* ---- the booted allocator, free of charge (introspection ops) ---- */

cache_info_t harness_cache_info(kmem_cache_t *s);
/* The cache called name (creation order: the first), or NULL. */
kmem_cache_t *harness_find_cache(const char *name);
/* The allocator counter called name now; fails the test if there is none. */
uint64_t harness_stat(const char *name);
/* The metadata bytes accounted to (owner, category), 0 if none. */
uint64_t harness_meta(const char *owner, const char *category);
/* A stat_sink filling a GHashTable of name -> g_malloc'd uint64_t. */
void harness_collect_stat(void *ctx, const char *name, uint64_t value);

/* ---- the command line, for scenario tests ---- */

/* Run `$SLABSIM_BIN run SCENARIO --quiet --no-plots --out DIR` plus the
 * NULL-terminated extra arguments; fails the test unless it exits 0.
 * Returns the parsed results.json (free with json_node_unref). */
JsonNode *harness_run_scenario(const char *scenario, const char *dir, ...) G_GNUC_NULL_TERMINATED;

/* The number at a path of member names ("allocators/slab/ops/alloc") in
 * a results tree; fails the test if the path does not lead to a number. */
double harness_num(JsonNode *root, const char *path);

/* Remove dir and everything under it (test scratch space). */
void harness_rm_rf(const char *dir);

#endif
