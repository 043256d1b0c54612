-- claims.lua: the claims of the 2006-2009 slab threads (thread-results.md
-- section 2), each with the runs that test it and the figure and verdict
-- slabsim gives.  `slabsim validate` runs them and writes docs/validation.md.
--
-- A claim: { id, title, who, claim, method,
--            runs = { { name, scenario, set = {...}, allocators }, ... },
--            check = function(runs) return { figure = "...", verdict = "..." } end }
-- where runs[name] is that run's results.json.  The classes, verdicts and
-- the rest of the format are in sim/cli/validate.c and docs/validation.md.

local KiB, MiB, GiB = 2^10, 2^20, 2^30

local function fmt(bytes)
	if bytes >= GiB then return string.format("%.1f GiB", bytes / GiB) end
	if bytes >= MiB then return string.format("%.1f MiB", bytes / MiB) end
	if bytes >= KiB then return string.format("%.1f KiB", bytes / KiB) end
	return string.format("%d B", bytes)
end

local function ncaches(a)
	local n = 0
	for _ in pairs(a.caches) do n = n + 1 end
	return n
end

local function ops(a) return a.ops.alloc + a.ops.free end

local function lock(a, class, field)
	local l = a.locks[class]
	return l and l[field or "acquisitions"] or 0
end

local function counter(a, name) return (a.workload_counters or {})[name] or 0 end

local function transfers(a)
	return a.cachelines.transfers_same_node + a.cachelines.transfers_remote_node
end

local ALL = "slab,slub,slqb,slabifier,slob"

return {
{
	id = "C1", title = "SLAB alien caches on huge NUMA machines",
	class = "construction",
	who = "Christoph Lameter, Slabifier post, October 2006 (seed 000)",
	claim = "On a 1k CPU/node system each slab cache needs 128M for alien caches alone.",
	method = "crossbar-1k boots 175 kernel caches plus each allocator's own on 1,024 CPUs and 1,024 nodes. " ..
		"The figure is SLAB's `alien` metadata of `dentry` (208-byte objects, alien limit 12), against " ..
		"kernel-params A.6: 1024 x 1023 arrays of 128 bytes plus 1024 pointer arrays of 8 KiB.",
	runs = { { name = "xbar", scenario = "scenarios/crossbar-1k.scn", allocators = "slab,slub,slqb" } },
	check = function(r)
		local slab = r.xbar.allocators.slab
		local alien = slab.caches.dentry.metadata_by_category.alien
		local expect = 1024 * 1023 * 128 + 1024 * 8192
		local slub = r.xbar.allocators.slub.caches.dentry.metadata_bytes
		local slqb = r.xbar.allocators.slqb.caches.dentry.metadata_bytes
		return {
			figure = string.format("SLAB alien per cache %s (formula %s); all SLAB metadata of the cache %s; " ..
				"SLUB's whole per-cache metadata %s, SLQB's %s",
				fmt(alien), fmt(expect), fmt(slab.caches.dentry.metadata_bytes), fmt(slub), fmt(slqb)),
			verdict = (alien == expect and alien > 120 * MiB and alien < 140 * MiB) and "reproduced" or "contradicted",
		}
	end,
},
{
	id = "C2", title = "SLAB \"crossbars\" at 4,096 CPUs and 1,024 nodes: hundreds of GB",
	class = "construction",
	who = "Nick Piggin, SLQB changelog (seeds 002, 003)",
	claim = "NR_CPUS*MAX_NUMNODES type arrays could be hundreds of GBs for kmem caches on 4096-CPU, 1024-node systems.",
	method = "crossbar-4k: the same cache set on 4,096 CPUs and 1,024 nodes. The figure is the metadata the " ..
		"modelled kernel kmallocs for SLAB's structures over all caches, and the bytes of objects its queues " ..
		"could hold when full. Reproduced if the metadata reaches 100 GiB, partly if it is tens of GB.",
	runs = { { name = "xbar", scenario = "scenarios/crossbar-4k.scn", allocators = "slab,slub,slqb" } },
	check = function(r)
		local a = r.xbar.allocators
		local meta = a.slab.memory.peak.metadata_bytes
		local alien = a.slab.metadata_by_category.alien
		local small, n = 0, 0
		for _, c in pairs(a.slab.caches) do
			if c.object_size <= 256 then small = small + c.metadata_bytes; n = n + 1 end
		end
		local verdict = meta >= 100 * GiB and "reproduced" or meta >= 10 * GiB and "partly reproduced" or "contradicted"
		return {
			figure = string.format("SLAB metadata %s over %d caches (%s alien; %s per cache of objects <= 256 B); " ..
				"SLUB %s, SLQB %s in all. The arrays are per node x node (A.6), not per CPU x node: " ..
				"tens of GB, not hundreds", fmt(meta), ncaches(a.slab), fmt(alien), fmt(small / n),
				fmt(a.slub.memory.peak.metadata_bytes), fmt(a.slqb.memory.peak.metadata_bytes)),
			verdict = verdict,
		}
	end,
},
{
	id = "C3", title = "A free list inside the objects saves memory for small objects",
	class = "measured",
	who = "Nick Piggin, SLQB changelog; February 3, 2009",
	claim = "A free list stored in the objects (SLOB, SLUB, SLQB) instead of SLAB's arrays and slab " ..
		"management reduces memory consumption and makes smaller objects realistic.",
	method = "phases with 10^6 live objects of 8, 16 and 32 bytes on the 16-CPU server (62,500 per CPU). " ..
		"The figure is overhead: (slab pages + metadata - live bytes) / live bytes, at the end.",
	runs = {
		{ name = "b8", scenario = "scenarios/slabifier-phases.scn", allocators = "slab,slub,slqb",
		  set = { "workload.objects=62500", "workload.object_size=8" } },
		{ name = "b16", scenario = "scenarios/slabifier-phases.scn", allocators = "slab,slub,slqb",
		  set = { "workload.objects=62500", "workload.object_size=16" } },
		{ name = "b32", scenario = "scenarios/slabifier-phases.scn", allocators = "slab,slub,slqb",
		  set = { "workload.objects=62500", "workload.object_size=32" } },
	},
	check = function(r)
		local parts, holds = {}, true
		for _, size in ipairs({ 8, 16, 32 }) do
			local run, o = r["b" .. size], {}
			for _, name in ipairs({ "slab", "slub", "slqb" }) do
				local m = run.allocators[name].memory.final
				o[name] = (m.slab_bytes + m.metadata_bytes - m.live_bytes) / m.live_bytes
			end
			holds = holds and o.slab > o.slub and o.slab > o.slqb
			parts[#parts + 1] = string.format("%d B: SLAB %.0f%%, SLUB %.0f%%, SLQB %.0f%%",
				size, 100 * o.slab, 100 * o.slub, 100 * o.slqb)
		end
		return { figure = "overhead " .. table.concat(parts, "; "),
		         verdict = holds and "reproduced" or "contradicted" }
	end,
},
{
	id = "C4", title = "SLUB leaves free pages lying around",
	class = "measured",
	who = "Nick Piggin, February 3, 2009",
	claim = "Without periodic cleaning SLUB can leave free pages that never get cleaned up; SLQB sometimes uses less memory.",
	method = "phase-change: 10^6 objects allocated on all CPUs, 90% freed (at random, or the oldest 90%, which " ..
		"empties whole slabs), then idle for 12 s. The figure is the slab bytes each allocator still holds at the " ..
		"end against the live bytes. Reproduced if SLUB holds more than SLAB and SLQB after either pattern.",
	runs = {
		{ name = "random", scenario = "scenarios/phase-change.scn", allocators = "slab,slub,slqb" },
		{ name = "oldest", scenario = "scenarios/phase-change.scn", allocators = "slab,slub,slqb",
		  set = { "workload.pattern=oldest" } },
	},
	check = function(r)
		local parts, holds = {}, false
		for _, v in ipairs({ "random", "oldest" }) do
			local a, row = r[v].allocators, {}
			for _, name in ipairs({ "slab", "slub", "slqb" }) do
				local f = a[name].memory.final
				row[#row + 1] = string.format("%s %s", name:upper(), fmt(f.slab_bytes))
			end
			local slub = a.slub.memory.final.slab_bytes
			holds = holds or (slub > a.slqb.memory.final.slab_bytes and slub > a.slab.memory.final.slab_bytes)
			parts[#parts + 1] = string.format("%s 90%% freed: %s held for %s live", v,
				table.concat(row, ", "), fmt(a.slub.memory.final.live_bytes))
		end
		return { figure = table.concat(parts, "; ") .. ". 2.6.29's SLUB frees a slab as soon as it empties " ..
			"(beyond min_partial per node and the CPU slabs)", verdict = holds and "reproduced" or "contradicted" }
	end,
},
{
	id = "C5", title = "kmalloc pass-through on large-page architectures costs memory",
	class = "pending",
	needs = "SLUB's kmalloc pass-through size as a tunable (the kernel-features work)",
	who = "KOSAKI Motohiro, Pekka Enberg, Christoph Lameter, February 18, 2009",
	claim = "With a fixed 8 KiB pass-through limit, a 16 KiB kmalloc on ia64's 64 KiB pages always goes to the " ..
		"page allocator and uses 64 KiB: four times the memory.",
	method = "phases with kmalloc(16384), 4,000 objects on 16 CPUs, on 64 KiB and on 4 KiB pages: slab bytes per " ..
		"live byte under SLUB 2.6.29, whose limit is PAGE_SIZE (larger requests go to the page allocator).",
	runs = {
		{ name = "p64k", scenario = "scenarios/slabifier-phases.scn", allocators = "slub,slab,slqb",
		  set = { "workload.kmalloc=true", "workload.object_size=16384", "workload.objects=250", "machine.page_size=65536" } },
		{ name = "p4k", scenario = "scenarios/slabifier-phases.scn", allocators = "slub,slab,slqb",
		  set = { "workload.kmalloc=true", "workload.object_size=16384", "workload.objects=250" } },
	},
	check = function(r)
		local parts = {}
		for _, v in ipairs({ "p64k", "p4k" }) do
			for _, name in ipairs({ "slub", "slab", "slqb" }) do
				local m = r[v].allocators[name].memory.peak
				parts[#parts + 1] = string.format("%s %s pages %.2f", name:upper(), v:sub(2), m.slab_bytes / m.live_bytes)
			end
		end
		return {
			figure = "slab bytes per live byte: " .. table.concat(parts, ", ") .. ". The 4x needs the fixed 8 KiB " ..
				"limit that was proposed, not 2.6.29's PAGE_SIZE rule, which slabsim's SLUB follows",
			verdict = "pending",
		}
	end,
},
{
	id = "C6", title = "Deferred queue cleaning interrupts critical paths",
	class = "construction",
	who = "Christoph Lameter, January 26, 2009",
	claim = "SLAB and SLQB keep processing after allocations: every 2 seconds each CPU is hit with queue " ..
		"draining, where SLUB does all its work in the allocation and free paths.",
	method = "tsc-loop: one task per CPU advances in small steps and records every gap in its own progress; " ..
		"the jitter report attributes the housekeeping to the allocator's work (cache_reap, the trim worker, the flusher).",
	runs = { { name = "tsc", scenario = "scenarios/tsc-loop.scn", allocators = "slab,slub,slqb,slabifier" } },
	check = function(r)
		local a, parts = r.tsc.allocators, {}
		for _, name in ipairs({ "slab", "slqb", "slabifier", "slub" }) do
			local j = a[name].jitter
			parts[#parts + 1] = string.format("%s %d interruptions, longest %.1f us, %d gaps seen by the probe",
				name:upper(), j.interruptions, j.longest_interruption_ns / 1000, counter(a[name], "tsc.gaps"))
		end
		local ok = a.slub.jitter.interruptions == 0 and a.slab.jitter.interruptions > 0
			and a.slqb.jitter.interruptions > 0
		return { figure = table.concat(parts, "; "), verdict = ok and "reproduced" or "contradicted" }
	end,
},
{
	id = "C7", title = "HPC barrier slowdown from periodic cleaning",
	class = "measured",
	who = "Christoph Lameter, January 27, 2009",
	claim = "One CPU's cache cleaning delays every barrier sync; staggered cleaning hits one processor after " ..
		"another and has a major effect on HPC application performance.",
	method = "hpc-barrier: every CPU computes 1 ms then joins a global barrier, with a light slab load, for 5 s " ..
		"on the 16-CPU server and for 3 s on a 256-CPU, 256-node Altix (altix-1k cut down). The figure is the total " ..
		"slowdown against the compute time and the share of iterations delayed by more than 1 us. Reproduced if " ..
		"SLAB's slowdown reaches 1%; partly if it exceeds SLUB's at scale.",
	runs = {
		{ name = "small", scenario = "scenarios/hpc-barrier.scn", allocators = "slab,slub,slqb,slabifier" },
		{ name = "big", scenario = "scenarios/hpc-barrier.scn", allocators = "slab,slub,slqb,slabifier",
		  set = { "scenario.machine=altix-1k", "machine.cpus=256", "machine.nodes=256", "machine.sockets=256",
		          "workload.iterations=3000" } },
	},
	check = function(r)
		local parts = {}
		for _, v in ipairs({ "small", "big" }) do
			local a, row = r[v].allocators, {}
			for _, name in ipairs({ "slab", "slqb", "slabifier", "slub" }) do
				row[#row + 1] = string.format("%s %.3f%% (%.1f%% delayed)", name:upper(),
					counter(a[name], "hpc.overhead_ppm") / 1e4,
					100 * counter(a[name], "hpc.delayed") / counter(a[name], "hpc.iterations"))
			end
			parts[#parts + 1] = (v == "small" and "16 CPUs: " or "256 CPUs: ") .. table.concat(row, ", ")
		end
		local big = r.big.allocators
		local slab = counter(big.slab, "hpc.overhead_ppm")
		return {
			figure = "slowdown over compute time: " .. table.concat(parts, "; ") ..
				". The thread's inference scales it as CPUs x reap time / period",
			verdict = slab >= 10000 and "reproduced" or
				slab > counter(big.slub, "hpc.overhead_ppm") and "partly reproduced" or "contradicted",
		}
	end,
},
{
	id = "C8", title = "Allocation does not belong on latency-critical paths",
	class = "not modelled",
	who = "Peter Zijlstra, January 26, 2009",
	claim = "Anything that allocates is unbounded; -rt uses reservations (mempools) instead.",
	needs = "task priorities and preemption of housekeeping by user tasks",
	figure = "slabsim has no task priorities or preemption of housekeeping by user tasks, so the claim's " ..
		"remedy cannot be modelled; the mempool side is in docs/mempool.md",
	verdict = "not modelled",
},
{
	id = "C9", title = "SLUB needs no cleaning, so no jitter",
	class = "construction",
	who = "Christoph Lameter, January 27 and February 4, 2009",
	claim = "SLUB does all necessary actions during allocation and free; there is no cache cleaning. " ..
		"(The 2006 Slabifier did have a 2 s IPI flusher.)",
	method = "hpc-barrier: housekeeping time per allocator from the jitter report.",
	runs = { { name = "hpc", scenario = "scenarios/hpc-barrier.scn", allocators = "slab,slub,slqb,slabifier" } },
	check = function(r)
		local a, parts = r.hpc.allocators, {}
		for _, name in ipairs({ "slub", "slabifier", "slab", "slqb" }) do
			local j = a[name].jitter
			parts[#parts + 1] = string.format("%s %.1f us in %d interruptions", name:upper(),
				j.housekeeping_ns_total / 1000, j.interruptions)
		end
		return { figure = table.concat(parts, "; "),
		         verdict = a.slub.jitter.housekeeping_ns_total == 0 and "reproduced" or "contradicted" }
	end,
},
{
	id = "C10", title = "SLQB batches remote frees",
	class = "measured",
	who = "Nick Piggin, SLQB changelog",
	claim = "A CPU freeing another CPU's objects batches them and moves them over at once, minimising " ..
		"cross-CPU cachelines and lock acquisitions.",
	method = "slqb-remote-free: a producer allocates 64-byte objects, a consumer frees them, on the same node " ..
		"and across nodes. Figures: remote_free lock acquisitions per object (freebatch is 256), SLUB's slab_lock " ..
		"acquisitions per object, and cacheline transfers per object.",
	runs = {
		{ name = "same", scenario = "scenarios/slqb-remote-free.scn", allocators = "slqb,slub" },
		{ name = "cross", scenario = "scenarios/slqb-remote-free.scn", allocators = "slqb,slub",
		  set = { "workload.placement=node" } },
	},
	check = function(r)
		local parts, fewer_locks, fewer_lines = {}, true, true
		for _, v in ipairs({ "same", "cross" }) do
			local q, u = r[v].allocators.slqb, r[v].allocators.slub
			local n = q.ops.free
			local ql, ul = lock(q, "slqb.remote_free") / n, lock(u, "slub.slab_lock") / u.ops.free
			fewer_locks = fewer_locks and ql < ul / 50
			fewer_lines = fewer_lines and transfers(q) < transfers(u) / 2
			parts[#parts + 1] = string.format("%s node: SLQB %.4f remote_free locks and %.2f line transfers " ..
				"per object, SLUB %.2f slab_locks and %.2f transfers", v, ql, transfers(q) / n, ul,
				transfers(u) / u.ops.free)
		end
		return {
			figure = table.concat(parts, "; ") .. ". Across nodes SLQB recycles each object between the two " ..
				"CPUs (two transfers) while SLUB's emptied slabs go back to the page allocator and fresh ones come from memory",
			verdict = (fewer_locks and fewer_lines) and "reproduced" or fewer_locks and "partly reproduced" or "contradicted",
		}
	end,
},
{
	id = "C11", title = "Node-local frees go to the local freelist",
	class = "construction",
	who = "Nick Piggin, SLQB changelog",
	claim = "An object freed on a CPU of its own node joins that CPU's LIFO freelist; only other nodes' objects are remote.",
	method = "slqb-remote-free on one node and across nodes: SLQB's free_remote counter against all frees.",
	runs = {
		{ name = "same", scenario = "scenarios/slqb-remote-free.scn", allocators = "slqb,slub" },
		{ name = "cross", scenario = "scenarios/slqb-remote-free.scn", allocators = "slqb,slub",
		  set = { "workload.placement=node" } },
	},
	check = function(r)
		local s, c = r.same.allocators.slqb.stats, r.cross.allocators.slqb.stats
		local local_same = 1 - s.free_remote / s.free
		local local_cross = 1 - c.free_remote / c.free
		return {
			figure = string.format("frees taking the local path: %.1f%% on one node, %.1f%% across nodes",
				100 * local_same, 100 * local_cross),
			verdict = (local_same > 0.99 and local_cross < 0.01) and "reproduced" or "contradicted",
		}
	end,
},
{
	id = "C12", title = "Does SLQB have crossbar queues too?",
	class = "construction",
	who = "Christoph Lameter (yes), January 27; Nick Piggin (no), February 3, 2009",
	claim = "SLQB has cross-bar queues like SLAB (Lameter); it does not (Piggin).",
	method = "queue-growth: one cache on 1,024 CPUs with 64, 256 and 1,024 nodes; metadata of that cache.",
	runs = {
		{ name = "n64", scenario = "scenarios/queue-growth.scn", allocators = "slab,slqb,slub", set = { "machine.nodes=64" } },
		{ name = "n256", scenario = "scenarios/queue-growth.scn", allocators = "slab,slqb,slub", set = { "machine.nodes=256" } },
		{ name = "n1024", scenario = "scenarios/queue-growth.scn", allocators = "slab,slqb,slub", set = { "machine.nodes=1024" } },
	},
	check = function(r)
		local parts = {}
		for _, n in ipairs({ 64, 256, 1024 }) do
			local a = r["n" .. n].allocators
			parts[#parts + 1] = string.format("%d nodes: SLAB %s, SLQB %s, SLUB %s", n,
				fmt(a.slab.caches.phases.metadata_bytes), fmt(a.slqb.caches.phases.metadata_bytes),
				fmt(a.slub.caches.phases.metadata_bytes))
		end
		local q0, q2 = r.n64.allocators.slqb.caches.phases.metadata_bytes, r.n1024.allocators.slqb.caches.phases.metadata_bytes
		local s0, s2 = r.n64.allocators.slab.caches.phases.metadata_bytes, r.n1024.allocators.slab.caches.phases.metadata_bytes
		return {
			figure = "per cache: " .. table.concat(parts, "; ") ..
				string.format(". 16x the nodes: SLAB x%.0f, SLQB x%.1f", s2 / s0, q2 / q0),
			verdict = (q2 < 2 * q0 and s2 > 50 * s0) and "contradicted" or "reproduced",
		}
	end,
},
{
	id = "C13", title = "The OLTP regression on big machines",
	class = "measured",
	who = "Pekka Enberg, February 3, 2009 (speculation); Mel Gorman",
	claim = "SLUB's OLTP regression comes from cacheline ping-pong without queues, worse with I/O completions on other CPUs.",
	method = "sysbench-oltp on the 8-node Opteron: clients allocate short-lived objects; I/O objects are freed on " ..
		"an interrupt CPU. Figure: mean transaction time per allocator.",
	runs = { { name = "oltp", scenario = "scenarios/sysbench-oltp.scn", allocators = "slab,slub,slqb" } },
	check = function(r)
		local a, parts = r.oltp.allocators, {}
		local function txn(x) return x.workload_metrics and x.workload_metrics["oltp.txn_ns"] and x.workload_metrics["oltp.txn_ns"].mean or 0 end
		for _, name in ipairs({ "slab", "slub", "slqb" }) do
			parts[#parts + 1] = string.format("%s %.1f us per transaction, free p99 %.0f ns", name:upper(),
				txn(a[name]) / 1000, a[name].latency_ns.free.p99)
		end
		return { figure = table.concat(parts, "; "),
		         verdict = (txn(a.slub) > txn(a.slab) and txn(a.slub) > txn(a.slqb)) and "reproduced" or "contradicted" }
	end,
},
{
	id = "C14", title = "The Slabifier takes list_lock only on slab state changes",
	class = "construction",
	who = "Christoph Lameter, Slabifier, 2006 (seed 000)",
	claim = "As long as all processors are just allocating, no list_lock is needed at all.",
	method = "slabifier-phases on 16 CPUs: an alloc-only phase, then mixed phases; list_lock acquisitions against " ..
		"the slab state changes the allocator counted.",
	runs = {
		{ name = "alloc", scenario = "scenarios/slabifier-phases.scn", allocators = "slabifier,slub" },
		{ name = "mixed", scenario = "scenarios/slabifier-phases.scn", allocators = "slabifier,slub",
		  set = { "workload.phase=mixed" } },
	},
	check = function(r)
		local a, m = r.alloc.allocators.slabifier, r.mixed.allocators.slabifier
		local st = m.stats
		local changes = st.free_full_to_partial + st.free_partial_to_empty + st.get_partial_locked + st.deactivate_partial
		local l0, l1 = lock(a, "slabifier.list_lock"), lock(m, "slabifier.list_lock")
		return {
			figure = string.format("alloc only: %d list_lock acquisitions in %d allocations; mixed: %d in %d operations, " ..
				"for %d slab state changes (SLUB: %d)", l0, a.ops.alloc, l1, ops(m), changes,
				lock(r.mixed.allocators.slub, "slub.list_lock")),
			verdict = (l0 == 0 and l1 == changes) and "reproduced" or "contradicted",
		}
	end,
},
{
	id = "C15", title = "SLQB's per-CPU lists need no locking",
	class = "measured",
	who = "Nick Piggin, SLQB changelog",
	claim = "SLQB slabs can be manipulated with no locking, unlike allocators with per-node locks.",
	method = "phases (mixed) on 16 CPUs with node-local allocation and free: lock acquisitions per operation.",
	runs = { { name = "mixed", scenario = "scenarios/slabifier-phases.scn", allocators = "slqb,slub,slab",
	           set = { "workload.phase=mixed" } } },
	check = function(r)
		local a, parts = r.mixed.allocators, {}
		local per = {}
		for _, name in ipairs({ "slqb", "slub", "slab" }) do
			local n = 0
			for class, l in pairs(a[name].locks) do
				if class ~= "zone.lock" then n = n + l.acquisitions end
			end
			per[name] = n / ops(a[name])
			parts[#parts + 1] = string.format("%s %.4f", name:upper(), per[name])
		end
		return { figure = "allocator lock acquisitions per operation: " .. table.concat(parts, ", "),
		         verdict = (per.slqb < per.slub and per.slqb < per.slab) and "reproduced" or "contradicted" }
	end,
},
{
	id = "C16", title = "irq disable/enable dominates fast-path latency",
	class = "measured",
	who = "Christoph Lameter, February 4, 2009",
	claim = "Interrupt disable/enable is the major cause of latency in the fast paths.",
	method = "phases (mixed) on 16 CPUs: the irq part of SLUB's mean allocation cost against its largest other " ..
		"part, at the machine profile's irq price (2 ns for pushf/cli/popf, an estimate) and at 20 ns.",
	runs = {
		{ name = "p2", scenario = "scenarios/slabifier-phases.scn", allocators = "slub,slab,slqb",
		  set = { "workload.phase=mixed" } },
		{ name = "p20", scenario = "scenarios/slabifier-phases.scn", allocators = "slub,slab,slqb",
		  set = { "workload.phase=mixed", "machine.irq_ns=20" } },
	},
	check = function(r)
		local parts, dominates = {}, {}
		for _, v in ipairs({ "p2", "p20" }) do
			for _, name in ipairs({ "slub", "slab", "slqb" }) do
				local b = r[v].allocators[name].breakdown_ns_per_op.alloc
				local other, which = 0, "-"
				for k, x in pairs(b) do
					if k ~= "total" and k ~= "irq" and (x > other or (x == other and k < which)) then
						other, which = x, k
					end
				end
				dominates[v .. name] = b.irq >= other
				parts[#parts + 1] = string.format("%s at %s ns: irq %.1f of %.1f ns (largest other part: %s %.1f)",
					name:upper(), v:sub(2), b.irq, b.total, which, other)
			end
		end
		return { figure = table.concat(parts, "; "),
		         verdict = dominates.p2slub and "reproduced" or dominates.p20slub and "partly reproduced"
		                   or "contradicted" }
	end,
},
{
	id = "C17", title = "SLQB prefers order-0 pages",
	class = "construction",
	who = "Nick Piggin, SLQB changelog",
	claim = "SLQB tries very hard to use order-0 pages, good for page and slab fragmentation.",
	method = "boot-small: 175 kernel caches populated on 16 CPUs; page allocations by order.",
	runs = { { name = "boot", scenario = "scenarios/boot-small.scn", allocators = "slab,slub,slqb" } },
	check = function(r)
		local a, parts, share = r.boot.allocators, {}, {}
		for _, name in ipairs({ "slqb", "slub", "slab" }) do
			local by, all = a[name].pages.allocs_by_order, 0
			for _, n in ipairs(by) do all = all + n end
			share[name] = all > 0 and by[1] / all or 1
			parts[#parts + 1] = string.format("%s %.0f%% of %d", name:upper(), 100 * share[name], all)
		end
		return { figure = "order-0 share of page allocations: " .. table.concat(parts, ", "),
		         verdict = (share.slqb > share.slub) and "reproduced" or "contradicted" }
	end,
},
{
	id = "S1", title = "Defragmentation in kmem_cache_shrink raises slab density",
	class = "measured",
	who = "Christoph Lameter, slab defrag RFC, 2007 (seed 001; thread-results 5.2 A, C)",
	claim = "Sorting partial slabs by use and kicking the objects out of the sparsest ones frees slabs; a few " ..
		"partial slabs are kept on purpose.",
	method = "defrag: 4,000 objects of 256 bytes, a random 80% freed, then the shrink: with slab_ops and " ..
		"defragmentation, and plainly on a cache without ops. The best possible is ceil(live / objects per slab).",
	runs = {
		{ name = "defrag", scenario = "scenarios/defrag.scn", allocators = "slub,slabifier", set = { "workload.vacates=0" } },
		{ name = "plain", scenario = "scenarios/defrag.scn", allocators = "slub,slabifier",
		  set = { "workload.vacates=0", "workload.ops=false", "workload.shrink=plain" } },
	},
	check = function(r)
		local parts, ok = {}, true
		for _, name in ipairs({ "slub", "slabifier" }) do
			local d, p = r.defrag.allocators[name], r.plain.allocators[name]
			local c = d.caches.defrag
			local best = math.ceil(counter(d, "defrag.live") / c.objects_per_slab)
			local moved = c.defrag and c.defrag.objects_moved or 0
			parts[#parts + 1] = string.format("%s: %d slabs after defragmentation (%d objects moved), %d after " ..
				"the plain shrink, best possible %d", name:upper(), c.slabs, moved, p.caches.defrag.slabs, best)
			if name == "slub" then ok = c.slabs < p.caches.defrag.slabs and c.slabs <= best + 6 end
		end
		return { figure = table.concat(parts, "; "), verdict = ok and "reproduced" or "contradicted" }
	end,
},
{
	id = "S2", title = "kmem_cache_vacate empties a chosen page unless an object is pinned",
	class = "construction",
	who = "Christoph Lameter, slab defrag RFC, 2007 (seed 001; thread-results 5.2 B)",
	claim = "The slab allocator can be asked to empty a particular page; objects whose owner refuses a " ..
		"reference pin their page.",
	method = "defrag without the shrink: 8 vacates of the pages of random survivors, with none, 10% and all " ..
		"survivors pinned (get_reference refuses).",
	runs = {
		{ name = "p0", scenario = "scenarios/defrag.scn", allocators = "slub", set = { "workload.shrink=none" } },
		{ name = "p10", scenario = "scenarios/defrag.scn", allocators = "slub",
		  set = { "workload.shrink=none", "workload.pinned_fraction=0.1" } },
		{ name = "p100", scenario = "scenarios/defrag.scn", allocators = "slub",
		  set = { "workload.shrink=none", "workload.pinned_fraction=1" } },
	},
	check = function(r)
		local parts = {}
		for _, v in ipairs({ "p0", "p10", "p100" }) do
			local a = r[v].allocators.slub
			parts[#parts + 1] = string.format("%s%% pinned: %d of 8 vacated, %d objects moved, %d of %d survivors still allocated",
				v:sub(2), counter(a, "vacate.ok"), counter(a, "vacate.moved"), a.caches.defrag.active_objs,
				counter(a, "defrag.live"))
		end
		local ok = counter(r.p0.allocators.slub, "vacate.ok") == 8 and counter(r.p100.allocators.slub, "vacate.ok") == 0
			and r.p100.allocators.slub.caches.defrag.active_objs == counter(r.p100.allocators.slub, "defrag.live")
		return { figure = table.concat(parts, "; "), verdict = ok and "reproduced" or "contradicted" }
	end,
},
{
	id = "S3", title = "Critical mempool backing of slab pages: Pekka Enberg's objections",
	class = "construction",
	who = "Dobson's patch and Pekka Enberg's critique, 2006 (seed 004; thread-results 5.3)",
	claim = "Without a return path the pool runs dry; critical pages leak to non-critical users; the planned " ..
		"fixes (return, exclusivity) cost growth and failed ordinary allocations; a mempool of objects over the " ..
		"slab does the job without the slab knowing.",
	method = "mempool: a hog holds all memory but a 4-page reserve; a critical and an ordinary user allocate " ..
		"800 objects each from the backed cache, one variant per run.",
	runs = {
		{ name = "dobson", scenario = "scenarios/mempool.scn", set = { "workload.variant=dobson" } },
		{ name = "ret", scenario = "scenarios/mempool.scn", set = { "workload.variant=dobson-return" } },
		{ name = "excl", scenario = "scenarios/mempool.scn", set = { "workload.variant=dobson-exclusive" } },
		{ name = "fixed", scenario = "scenarios/mempool.scn", set = { "workload.variant=dobson-fixed" } },
		{ name = "objects", scenario = "scenarios/mempool.scn", set = { "workload.variant=object-pool" } },
	},
	check = function(r)
		local parts, p = {}, {}
		for _, v in ipairs({ "dobson", "ret", "excl", "fixed", "objects" }) do
			p[v] = r[v].allocators.slub.mempools.critical_data
			parts[#parts + 1] = string.format("%s: critical %d failed, ordinary %d failed, %d leaked, reserve %d of %d at the end",
				p[v].variant, p[v].crit_failures, p[v].noncrit_failures, p[v].leaked, p[v].level, p[v].min_nr)
		end
		local ok = p.dobson.level == 0 and p.dobson.leaked > 0 and p.fixed.crit_failures == 0 and
			p.fixed.leaked == 0 and p.objects.crit_failures == 0 and p.fixed.noncrit_failures > p.dobson.noncrit_failures
		return { figure = table.concat(parts, "; "), verdict = ok and "reproduced" or "contradicted" }
	end,
},
}
