-- phase-change.lua: memory after a phase change (claim C4 of
-- thread-results.md: "SLUB can leave free pages lying around that never
-- get cleaned up"; C9 is the opposing view).  Every CPU allocates its share
-- of `objects` objects, all CPUs meet at a barrier, each frees a random
-- free_fraction of its own objects (its per-task random stream decides
-- which; pattern = oldest frees the first ones allocated instead, which
-- empties whole slabs), and then every task goes idle until the scenario's `duration`
-- ends the run.  The footprint series (footprint-ALLOC.csv, sampled every
-- `sample`) then shows who gives memory back, and when: SLQB at its 3 s
-- trim ticks, SLAB gradually at its 2 s reaps, SLUB keeping its per-CPU
-- and partial slabs.  Set duration to the idle time you want to watch
-- (10 s or more), and sample to 10ms or coarser.
--
-- Reports: counters phase.allocated, phase.freed, phase.kept, and
-- phase.idle_at_ms (when the last CPU finished freeing).

local W = {}

W.description = "allocate on all CPUs, free a random 90%, go idle: who returns memory (C4)"

W.params = {
	objects       = { default = 1000000, help = "objects allocated in total (split over the CPUs)" },
	object_size   = { default = 128,     help = "bytes per object (a dedicated cache)" },
	kmalloc_share = { default = 0.25,    help = "fraction of each CPU's objects that are kmalloc(object_size) instead" },
	free_fraction = { default = 0.9,     help = "fraction of the objects freed after the barrier" },
	pattern       = { default = "random", help = "which are freed: 'random', or 'oldest' (in allocation order, which empties whole slabs)" },
	chunk         = { default = 4096,    help = "objects per bulk call" },
}

-- Allocate n objects of `what` into objs, chunk at a time.
local function fill(t, objs, what, n, chunk)
	while n > 0 do
		local got = t:alloc_n(what, n < chunk and n or chunk)
		if #got == 0 then break end
		table.move(got, 1, #got, #objs + 1, objs)
		n = n - #got
	end
end

local function worker(t, cfg, n)
	local objs = {}
	local nk = math.floor(n * cfg.kmalloc_share + 0.5)
	fill(t, objs, cfg.cache, n - nk, cfg.chunk)
	fill(t, objs, cfg.object_size, nk, cfg.chunk)
	t:count("phase.allocated", #objs)
	t:barrier(cfg.barrier)
	local gone, kept = {}, 0
	local oldest = math.floor(#objs * cfg.free_fraction + 0.5)
	for i = 1, #objs do
		local free
		if cfg.pattern == "oldest" then free = i <= oldest else free = t:random() < cfg.free_fraction end
		if free then gone[#gone + 1] = objs[i] else kept = kept + 1 end
		if #gone == cfg.chunk then
			t:free_n(gone)
			t:count("phase.freed", #gone)
			gone = {}
		end
	end
	t:free_n(gone)
	t:count("phase.freed", #gone)
	t:count("phase.kept", kept)
	t:barrier(cfg.barrier)
	if t.cpu == 0 then t:count("phase.idle_at_ms", t:now() // 1000000) end
	t:idle()              -- idle until the run's duration
end

function W.setup(sim, p)
	if p.objects < 0 or p.object_size < 1 or p.chunk < 1 then
		error("need objects >= 0, object_size >= 1, chunk >= 1")
	end
	if p.free_fraction < 0 or p.free_fraction > 1 or p.kmalloc_share < 0 or p.kmalloc_share > 1 then
		error("free_fraction and kmalloc_share must be in [0, 1]")
	end
	if p.pattern ~= "random" and p.pattern ~= "oldest" then
		error("pattern must be 'random' or 'oldest', got '" .. p.pattern .. "'")
	end
	local cfg = { cache = sim.cache{ name = "phase_obj", size = p.object_size },
	              object_size = p.object_size, kmalloc_share = p.kmalloc_share,
	              free_fraction = p.free_fraction, pattern = p.pattern, chunk = p.chunk,
	              barrier = sim.barrier(sim.ncpus) }
	for cpu = 0, sim.ncpus - 1 do
		local share = p.objects // sim.ncpus + (cpu < p.objects % sim.ncpus and 1 or 0)
		sim.spawn(cpu, worker, cfg, share)
	end
end

return W
