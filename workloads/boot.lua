-- boot.lua: boot-time cache population.  Creates every named cache of a
-- /proc/slabinfo file, as a booted kernel has them, then lets every CPU
-- allocate a few objects from a rotating sample of those caches and from
-- kmalloc, free some of them itself, and hand some to a CPU on another node
-- to free there.  Afterwards every CPU has objects in its per-CPU state,
-- every node has partial slabs, and remote frees have gone through the
-- allocator's remote path (SLAB's alien caches, SLQB's remote lists), so
-- the footprint figures describe a machine that has run, not an empty one.
-- What it demonstrates: metadata and queue capacity per cache against CPUs
-- and nodes (thread-results.md C1, C2, C12; kernel-params.md A.6, A.9).
--
-- Data: workloads/data/cacheset-2.6.29.slabinfo is SYNTHESISED, not a
-- capture.  It was written from knowledge of the caches a 2.6.29 x86_64
-- server kernel creates (SLAB, ext3 root, XFS data, NFS client and server,
-- SCSI/FC, device mapper, IPv4/IPv6, KVM, SELinux): 175 named caches with
-- their approximate 2.6.29 object sizes, plus the size-N kmalloc rows and
-- kmem_cache.  objsize, objperslab and pagesperslab follow SLAB's rules for
-- 4 KiB pages and 64-byte lines (kernel-params.md A.2, A.8), the tunables
-- A.3's table; the object counts are plausible figures for a lightly loaded
-- server, invented.  Use any real file instead with slabinfo = PATH (a
-- modern kernel's /proc/slabinfo works: its kmalloc rows are skipped).
--
-- Cost: one alloc_n per sampled cache and CPU, one free_n for the local
-- frees and one for the remote ones: with the defaults 36 allocations and
-- 28 frees per CPU, 262,144 operations at 4,096 CPUs.
--
-- idle_ms > 0 adds an idle phase: after its frees every task sleeps that
-- long (off its CPU), so periodic housekeeping (SLAB's reaper, SLQB's
-- trimmer) runs on a quiet machine and the final footprint shows what each
-- allocator gives back on its own (claim C4).  Give the scenario a
-- duration longer than the idle phase.

local cacheset = require("cacheset")

local W = {}

W.description = "boot: create a kernel's caches from a slabinfo file, populate them on every CPU"

W.params = {
	slabinfo        = { default = "workloads/data/cacheset-2.6.29.slabinfo", type = "file",
	                    help = "slabinfo 2.1 file: as given, else relative to the repository root" },
	order           = { default = "boot", help = "'boot': create bottom up, in kernel creation order; 'file': top down" },
	flags           = { default = "table", help = "cache flags: 'table' (2.6.29 flags by name), 'none', 'hwalign' (all)" },
	ctors           = { default = "table", help = "constructors: 'table' (the caches that had one in 2.6.29), 'none'" },
	caches_per_cpu  = { default = 8,      help = "caches each CPU allocates from (a window rotating over the set)" },
	objects         = { default = 4,      help = "objects each CPU allocates from each of its caches" },
	kmalloc_per_cpu = { default = 4,      help = "kmalloc allocations per CPU, sizes rotating over 32..4096" },
	free_fraction   = { default = 0.5,    help = "share of a CPU's objects it frees itself" },
	remote_fraction = { default = 0.25,   help = "share of a CPU's objects freed by its partner CPU" },
	partner         = { default = "far",  help = "partner CPU: 'far' (half the machine away) or 'near' (the next node)" },
	touch_bytes     = { default = 0,      help = "bytes written in each object after allocation (0: none)" },
	idle_ms         = { default = 0,      help = "idle phase after the frees, ms (0: none; the run ends when the work does)" },
}

local KMALLOC_SIZES = { 32, 64, 128, 256, 512, 1024, 2048, 4096 }
local GOLDEN = 0.6180339887498949

-- The CPU that frees CPU `cpu`'s remote share: a bijection, so every CPU
-- receives exactly one batch.  'far' is ncpus/2 away (nnodes/2 nodes: the
-- far side of a fat tree); 'near' is one node away.
local function partner_cpu(sim, cpu, partner)
	local shift = partner == "far" and sim.ncpus // 2 or sim.ncpus // sim.nnodes
	return (cpu + shift) % sim.ncpus
end

-- Split a CPU's objects into (remote, local_free) by a low-discrepancy
-- sequence, so that every cache contributes to both in proportion; the
-- rest stay allocated.
local function split(objs, remote_fraction, free_fraction)
	local remote, local_free = {}, {}
	for i, h in ipairs(objs) do
		local u = ((i - 1) * GOLDEN) % 1.0
		if u < remote_fraction then
			remote[#remote + 1] = h
		elseif u < remote_fraction + free_fraction then
			local_free[#local_free + 1] = h
		end
	end
	return remote, local_free
end

-- One CPU's boot work.  `picks` are the caches it allocates from, `sizes`
-- its kmalloc sizes; `outbox` is its partner's inbox.
local function boot_cpu(t, picks, objects, sizes, p, inbox, outbox)
	local objs = {}
	for _, c in ipairs(picks) do
		local got = t:alloc_n(c, objects)
		table.move(got, 1, #got, #objs + 1, objs)
	end
	for _, size in ipairs(sizes) do
		objs[#objs + 1] = t:alloc(size)
	end
	if p.touch_bytes > 0 and #objs > 0 then
		t:touch_n(objs, p.touch_bytes, true)
	end
	local remote, local_free = split(objs, p.remote_fraction, p.free_fraction)
	t:send(outbox, remote)
	t:free_n(local_free)
	t:free_n(t:recv(inbox))
	if p.idle_ms > 0 then t:sleep(p.idle_ms * 1000000) end
end

-- Record how the slabinfo file was read (CPU 0 only).
local function count_set(t, set)
	t:count("boot.caches_created", #set.caches)
	t:count("boot.rows_read", set.rows)
	t:count("boot.rows_allocator_owned", set.owned)
	t:count("boot.rows_too_big", set.too_big)
	t:count("boot.rows_repeated", set.repeated)
end

local function check_params(p)
	if p.partner ~= "far" and p.partner ~= "near" then
		error("partner must be 'far' or 'near', got '" .. tostring(p.partner) .. "'")
	end
	if p.free_fraction < 0 or p.remote_fraction < 0 or p.free_fraction + p.remote_fraction > 1 then
		error("free_fraction and remote_fraction must be >= 0 and add up to at most 1")
	end
	if p.caches_per_cpu < 0 or p.objects < 0 or p.kmalloc_per_cpu < 0 or p.touch_bytes < 0 or p.idle_ms < 0 then
		error("caches_per_cpu, objects, kmalloc_per_cpu, touch_bytes and idle_ms must be >= 0")
	end
end

-- The kmalloc sizes a CPU uses: the rotating list, clipped to a page.
local function kmalloc_sizes(sim, cpu, n)
	local usable = {}
	for _, s in ipairs(KMALLOC_SIZES) do
		if s <= sim.page_size then usable[#usable + 1] = s end
	end
	local sizes = {}
	for j = 0, n - 1 do
		sizes[j + 1] = usable[(cpu + j) % #usable + 1]
	end
	return sizes
end

function W.setup(sim, p)
	check_params(p)
	local set = cacheset.load(sim, p.slabinfo, { order = p.order, flags = p.flags, ctors = p.ctors })
	local caches = cacheset.create(sim, set)
	local ncaches = #caches
	local per_cpu = math.min(p.caches_per_cpu, ncaches)
	local inbox = {}
	for cpu = 0, sim.ncpus - 1 do
		inbox[cpu] = sim.channel()
	end
	for cpu = 0, sim.ncpus - 1 do
		local picks = {}
		for j = 0, per_cpu - 1 do
			picks[j + 1] = caches[(cpu * per_cpu + j) % ncaches + 1]
		end
		local out = inbox[partner_cpu(sim, cpu, p.partner)]
		local sizes = kmalloc_sizes(sim, cpu, p.kmalloc_per_cpu)
		sim.spawn(cpu, function(t)
			if cpu == 0 then count_set(t, set) end
			boot_cpu(t, picks, p.objects, sizes, p, inbox[cpu], out)
		end)
	end
end

return W
