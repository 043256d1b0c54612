-- hpc-barrier.lua: bulk-synchronous compute (claims C6, C7, C9 of
-- thread-results.md; workload W6).  Every CPU computes for compute_us,
-- then joins a global barrier, `iterations` times.  An iteration lasts as
-- long as its slowest CPU: any housekeeping (SLAB's cache reaper, SLQB's
-- trimmer, the Slabifier's flush) that lands inside one CPU's compute
-- phase delays everybody.  A light background slab load keeps the
-- allocators' queues non-empty: each CPU allocates bg_objects objects per
-- iteration (kmalloc sizes 32..512 and a dedicated cache) and frees those
-- it allocated bg_keep iterations earlier.
--
-- slabinfo = PATH spreads the load over many caches, as on a booted
-- kernel: the named caches of that slabinfo file are created (see
-- lib/cacheset.lua), and each round the first background object of a CPU
-- comes from the next of them in turn, so every cache ends up with objects
-- in every CPU's queues and SLAB's reaper has them all to scan (claim C7:
-- "the more slab caches there are ... the longer the process takes").
-- Empty (the default): the one cache hpc_msg.
--
-- Housekeeping that comes due during a CPU's compute phase interrupts it
-- and delays that CPU's arrival at the barrier by its duration.
--
-- The task on the first CPU times every iteration (barrier exit to barrier
-- exit) and reports: the distribution hpc.iteration (ns), and counters
-- hpc.iterations, hpc.total_ns, hpc.best_ns (the shortest iteration: the
-- undisturbed one), hpc.slowdown_ppm = (total - iterations x best) / (iterations x best)
-- in parts per million (the cost of disturbances), hpc.ideal_ns
-- (iterations x compute: no slab work, no disturbance), hpc.overhead_ppm
-- = (total - ideal) / ideal (everything beyond compute: the background slab
-- work, barrier skew and disturbances) and hpc.delayed (iterations longer
-- than best + late_ns).

local cacheset = require("cacheset")

local W = {}

W.description = "compute W us then a global barrier on every CPU; iteration times and slowdown (C7)"
W.frees_all = true     -- every object is freed by the end: one left is a leak
W.merit = { counter = "hpc.slowdown_ppm", label = "slowdown ppm", better = "lower" }

W.params = {
	iterations = { default = 5000, help = "compute + barrier rounds" },
	compute_us = { default = 1000, help = "compute per CPU per round, microseconds" },
	bg_objects = { default = 4,    help = "objects each CPU allocates per round (background load)" },
	bg_keep    = { default = 16,   help = "rounds a background object lives" },
	late_ns    = { default = 1000, help = "an iteration this much above the best counts as delayed" },
	cpus       = { default = 0,    help = "CPUs taking part (0: all)" },
	slabinfo   = { default = "",   type = "file",
	               help = "slabinfo file whose caches the load rotates over (empty: the one cache hpc_msg)" },
}

local SIZES = { 32, 64, 128, 192, 256, 512 }

local function worker(t, cfg, leader)
	local ring, times = {}, leader and {} or nil
	local compute = cfg.compute_us * 1000
	t:barrier(cfg.barrier)
	local last = t:now()
	for it = 1, cfg.iterations do
		local objs = {}
		for k = 1, cfg.bg_objects do
			local what = k == 1 and cfg.cache or SIZES[1 + (it + k + t.cpu) % #SIZES]
			if k == 1 and cfg.caches then what = cfg.caches[1 + (it + t.cpu) % #cfg.caches] end
			objs[k] = t:alloc(what)
		end
		t:touch_n(objs, 32, true)
		ring[it] = objs
		if it > cfg.bg_keep then
			t:free_n(ring[it - cfg.bg_keep])
			ring[it - cfg.bg_keep] = nil
		end
		t:think(compute)
		t:barrier(cfg.barrier)
		if leader then
			local now = t:now()
			times[it] = now - last
			last = now
		end
	end
	for it = math.max(1, cfg.iterations - cfg.bg_keep + 1), cfg.iterations do t:free_n(ring[it]) end
	if not leader then return end
	local best, total, late = math.huge, 0, 0
	for _, d in ipairs(times) do
		t:record("hpc.iteration", d)
		total = total + d
		if d < best then best = d end
	end
	for _, d in ipairs(times) do if d > best + cfg.late_ns then late = late + 1 end end
	local ideal = best * #times
	t:count("hpc.iterations", #times)
	t:count("hpc.total_ns", total)
	t:count("hpc.best_ns", best)
	t:count("hpc.slowdown_ppm", ((total - ideal) * 1000000) // ideal)
	local compute_only = #times * cfg.compute_us * 1000
	t:count("hpc.ideal_ns", compute_only)
	t:count("hpc.overhead_ppm", ((total - compute_only) * 1000000) // compute_only)
	t:count("hpc.delayed", late)
end

function W.setup(sim, p)
	if p.iterations < 1 or p.compute_us <= 0 or p.bg_objects < 0 or p.bg_keep < 1 then
		error("need iterations >= 1, compute_us > 0, bg_objects >= 0, bg_keep >= 1")
	end
	local n = p.cpus > 0 and math.min(p.cpus, sim.ncpus) or sim.ncpus
	local cfg = { iterations = p.iterations, compute_us = p.compute_us, bg_objects = p.bg_objects,
	              bg_keep = p.bg_keep, late_ns = p.late_ns, barrier = sim.barrier(n),
	              cache = sim.cache{ name = "hpc_msg", size = 256 } }
	if p.slabinfo then
		cfg.caches = cacheset.create(sim, cacheset.load(sim, p.slabinfo, {}))
	end
	for cpu = 0, n - 1 do
		sim.spawn(cpu, worker, cfg, cpu == 0)
	end
end

return W
