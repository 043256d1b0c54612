/*
 * harness.h -- test fixtures shared by the test programs: a machine built
 * in code, a kernel that runs functions on simulated CPUs, the booted
 * allocator's introspection, a seeded random sequence, a cache owner for
 * slab_ops, the debug-check tests, and the command line for scenario and
 * CLI tests.
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

/* Set the SLIT distance between nodes a and b, both ways (before
 * harness_kernel). */
void harness_set_distance(machine_t *m, int a, int b, uint8_t d);

/* The allocator harness_kernel() was given, and its instance once booted. */
extern const allocator_ops_t *harness_ops;
extern void *harness_a;

/* ops's tunables at their defaults but for the NULL-terminated pairs of
 * a name (const char *) and a value (long) that follow; a name ops has
 * not fails the test.  g_free it. */
long *harness_tunables(const allocator_ops_t *ops, ...) G_GNUC_NULL_TERMINATED;

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

/* Boot the allocator (if any) on CPU 0; returns the page allocator's pages
 * in use right after boot. */
uint64_t harness_boot(kernel_t *k);

/* Run fn(arg) on CPU 0 while every other CPU answers its IPIs (the
 * on_each_cpu of a shrink, drain or flush waits for all of them). */
void harness_run_served(kernel_t *k, void (*fn)(void *), void *arg);

/* On a simulated CPU: let ps of simulated time pass (charged as idle),
 * then run this CPU's due work (late, all at once). */
void harness_pass_time(simtime_t ps);

/* rcu_barrier: every CPU lets time pass a jiffy at a time, running its
 * due work (scheduler ticks, RCU callbacks), until no RCU callback waits. */
void harness_rcu_barrier(kernel_t *k);
/* Pages of slabs that wait for a grace period before they are freed. */
uint64_t harness_rcu_slab_pages(void);

/* The jitter account of the work labelled `label`, or NULL. */
const kwork_source_t *harness_work_source(const char *label);

/* The page allocator's pages in use, all nodes. */
uint64_t harness_pages_in_use(void);

/* splitmix64: the next number of the sequence whose state is *state. */
uint64_t harness_rand(uint64_t *state);

/* In a test that re-runs itself as a GTest subprocess: expect the child to
 * stop in kbug() with `pattern` on stderr.  kbug() exits from a fiber
 * stack, where LeakSanitizer cannot see what the main stack references
 * (GTest's own state), so the child runs without it. */
void harness_trap_kbug(const char *pattern);

/* Boot ops on a fresh 1-CPU, 1-node, 16 MiB machine, run body(arg) on its
 * CPU, tear it all down. */
void harness_run_alone(const allocator_ops_t *ops, void (*body)(void *), void *arg);

/* Register PREFIX/double-free, PREFIX/foreign-pointer and, with
 * `freelist`, PREFIX/freelist-corruption: kmalloc(64) misused (freed
 * twice while its slab holds another object; freed at +16; its free
 * pointer overwritten before the next kmalloc), each expected to stop in
 * kbug() with the matching message.  Any number of allocators per test
 * program (test_conformance registers them for every allocator). */
void harness_add_debug_tests(const char *prefix, const allocator_ops_t *ops, bool freelist);

/* ---- the native backend (native.h): host threads ---- */

/* Build a native kernel over m and boot ops (if any; tunables NULL: its
 * defaults) on the calling thread, which stays CPU 0 between runs (for
 * introspection and checks while no thread runs). */
kernel_t *harness_native_kernel(machine_t *m, const allocator_ops_t *ops, const long *tunables);
/* Run fn(arg, cpu) for each of cpus[0..n) on a host thread of its own
 * (pinned to host CPU i), concurrently; a thread whose fn has returned
 * answers its CPU's IPIs and passes quiescent states until every fn has
 * returned; then every thread is joined. */
void harness_native_run(kernel_t *k, const int *cpus, int n, void (*fn)(void *, int), void *arg);
/* harness_native_run of fn on CPU 0 while every other CPU only serves. */
void harness_native_served(kernel_t *k, void (*fn)(void *), void *arg);
/* Every CPU passes quiescent states until no RCU callback waits. */
void harness_native_rcu_barrier(kernel_t *k);

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
/* The allocator's counter names in its order, each followed by a space
 * (g_free it). */
char *harness_stat_names(void);
/* Shrink every cache, newest first: an older cache may receive objects
 * while a newer one shrinks (SLAB's off-slab descriptors), never the
 * reverse.  Needs CPUs that answer IPIs (harness_run_served). */
void harness_shrink_all(void);

/* ---- the owner of a cache's objects, for slab_ops (seed 001) ----
 *
 * Handles that follow moves: h[i] is object i, 0 once freed or
 * reclaimed.  Every word of object i holds magic ^ i (harness_owner_alloc
 * writes it, harness_owner_check reads it back: a move must copy).
 * get_reference refuses `pinned`; kick_object answers `answer`; moved()
 * checks that the replacement lies on another page than the original
 * (the page being emptied never takes it back). */
typedef struct harness_owner {
	kmem_cache_t *s;
	size_t objsize;         /* a multiple of 8 */
	uint64_t magic;
	saddr_t *h;
	int n;
	saddr_t pinned;
	kick_result_t answer;
	int refs;               /* references held now */
	int kicks, moves;
} harness_owner_t;

extern const slab_ops_t harness_owner_ops;

/* The index of live object x; fails the test if the owner has none. */
int harness_owner_handle(const harness_owner_t *o, saddr_t x);
/* Write object i's pattern. */
void harness_owner_fill(const harness_owner_t *o, int i);
/* Allocate n objects of o->s (on this CPU's node) and fill them. */
void harness_owner_alloc(harness_owner_t *o, int n);
/* Free exactly nfree of the objects, chosen by a shuffle seeded `seed`. */
void harness_owner_free_random(harness_owner_t *o, int nfree, uint64_t seed);
/* Every live object still holds its pattern. */
void harness_owner_check(const harness_owner_t *o);

/* ---- the command line, for scenario and CLI tests ---- */

/* What a run of $SLABSIM_BIN did: exit status (128 if killed), output. */
typedef struct harness_result {
	int status;
	char *out, *err;
} harness_result_t;

/* Run $SLABSIM_BIN with the NULL-terminated args, in environment envp
 * (NULL: ours), from the current directory. */
harness_result_t harness_slabsim_env(char **envp, const char *const *args);
#define harness_slabsim(...) \
	harness_slabsim_env(NULL, (const char *const[]){ __VA_ARGS__, NULL })
/* The same, killed if it has not ended after `seconds` (status -1, a
 * hang; 128 + the signal if a signal ended it) and with its address
 * space limited to `as_bytes` if non-zero;
 * extra_env are "NAME=VALUE" strings added to ours (may be NULL). */
harness_result_t harness_slabsim_limited(const char *bin, char **extra_env, int seconds,
                                         unsigned long long as_bytes, const char *const *args);
void harness_result_free(harness_result_t *r);
/* Expect exit status `status` with n1 and n2 (unless NULL) on stderr;
 * frees r. */
void harness_expect_error(harness_result_t r, int status, const char *n1, const char *n2);
/* The contents of dir/name; fails the test if it cannot be read. */
char *harness_read_text(const char *dir, const char *name);
/* The allocators `slabsim list allocators` reports, comma-separated. */
char *harness_all_allocators(void);

/* Run `$SLABSIM_BIN run SCENARIO --quiet --no-plots --force --out DIR` plus the
 * NULL-terminated extra arguments; fails the test unless it exits 0.
 * Returns the parsed results.json (free with json_node_unref). */
JsonNode *harness_run_scenario(const char *scenario, const char *dir, ...) G_GNUC_NULL_TERMINATED;

/* The number at a path of member names ("allocators/slab/ops/alloc") in
 * a results tree; fails the test if the path does not lead to a number. */
double harness_num(JsonNode *root, const char *path);

/* The entry of cache `name` in an allocator's results "caches": its own,
 * or that of the cache it is an alias of (SLUB merging); NULL if neither. */
JsonObject *harness_cache_entry(JsonObject *caches, const char *name);

/* Remove dir and everything under it (test scratch space). */
void harness_rm_rf(const char *dir);

/* Allocate a fresh slab's objects one by one and check its free pointers
 * stay host-side until stored (harness.c says exactly what); for
 * harness_run_on. */
void harness_fresh_slab_body(void *arg);

#endif
