-- kmem-replay.lua: replay a real kernel kmem trace (perf script or raw
-- ftrace text of kmem:kmalloc, kmem:kfree, kmem:kmem_cache_alloc,
-- kmem:kmem_cache_free and their _node forms; plain, .gz or .xz), streamed
-- by sim.replay (docs/workloads.md, docs/lua-api.md):
--   * trace CPU c runs on simulated CPU c % ncpus, one task per simulated
--     CPU with events, each replaying its events in trace (file) order;
--   * kmalloc events become kmalloc(bytes_req), "accounted" when the trace
--     says accounted=true (kmalloc-cg-N in allocators that have them, merged
--     into kmalloc-N in the others); kmem_cache events allocate from a cache
--     named as the trace names it (name=, or "cache-BYTES" without names)
--     whose size is the largest bytes_alloc seen for it; names the
--     allocators own (kmalloc-*, size-*) and sizes above 8 pages become
--     kmalloc(bytes_req); kmem_cache, kmem_cache_node and kmem_cache_cpu
--     become "trace:NAME"; the caches that have per-CPU sheaves in Linux
--     6.18 (SHEAVES) ask for them;
--   * a free pairs with the newest live allocation of the same pointer;
--     frees of pointers never allocated in the trace are counted
--     (unmatched) and skipped, kfree(NULL) is counted and skipped, a failed
--     allocation (ptr=(nil)) is counted and not replayed, objects still
--     live at the end stay allocated (counted as never freed);
--   * an address handed out again while still live means the older
--     object's free was not traced: it is freed with kfree_rcu right after
--     its allocation (its last traced use; untraced = "rcu"), or just
--     before the reuse (untraced = "immediate"), and counted;
--   * before each event a task waits until the event's timestamp, taken
--     from the first event and divided by `compress`; a free of an object
--     another CPU allocates later in simulated time waits for it.
--
-- Reports through workload counters: replay.events, replay.skipped_lines,
-- replay.lost_events (the recorder's own count), replay.truncated_lines,
-- replay.objects, replay.frees, replay.cross_cpu_frees,
-- replay.unmatched_frees, replay.null_frees, replay.never_freed,
-- replay.untraced_frees, replay.traced_failures, replay.alloc_failed; and
-- the LIFO reuse of the input trace beside the simulated one (results.json
-- "reuse").

local W = {}

W.description = "replay a perf-script or ftrace kmem trace, plain, .gz or .xz (trace = PATH)"

W.params = {
	trace       = { default = "tests/data/perf-kmem-small.txt", type = "file",
	                help = "trace file: perf script or /sys/kernel/tracing/trace text (.gz, .xz too)" },
	compress    = { default = 1.0,
	                help = "divide trace time by this (0: ignore timestamps, run back to back)" },
	touch_bytes = { default = 64,  help = "bytes written in each new object (capped at its size)" },
	numa        = { default = true, help = "honour node= of _node allocations (node % nnodes)" },
	untraced    = { default = "rcu",
	                help = "an object whose free was not traced: freed after a grace period "
	                       .. "following its allocation (rcu) or just before its address is reused "
	                       .. "(immediate)" },
}

-- Sheaf capacity of the caches created with one in Linux 6.18:
-- maple_node (lib/maple_tree.c, maple_tree_init) and vm_area_struct
-- (mm/vma_init.c, vma_state_init), both 32 (shared/reference/
-- slub-modern.md, 0 and 2.5).
local SHEAVES = { maple_node = 32, vm_area_struct = 32 }

function W.setup(sim, p)
	local rp = sim.replay{ trace = p.trace, compress = p.compress, touch_bytes = p.touch_bytes,
	                       numa = p.numa, untraced = p.untraced, sheaves = SHEAVES }
	for _, cpu in ipairs(rp:cpus()) do
		sim.spawn(cpu, rp.task, rp, cpu)
	end
end

return W
