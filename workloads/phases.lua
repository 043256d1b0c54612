-- phases.lua: allocation phases on every CPU, for counting what each phase
-- costs in locks and slab state changes (claim C14: the Slabifier takes its
-- list_lock only when a slab changes state, so never while CPUs only
-- allocate).
--
--   phase = "alloc"      every CPU allocates `objects` objects and keeps them
--   phase = "alloc-free" ... then frees them all, in allocation order
--   phase = "mixed"      ... then `rounds` rounds of freeing a random half
--                        and allocating it again, then frees everything
--
-- Each task counts its operations (t:count "phase.alloc", "phase.free"), so
-- a test can divide lock acquisitions by operations of each phase.

local W = {}

W.description = "alloc-only, alloc-then-free or mixed phases on every CPU (claim C14)"

W.params = {
	phase       = { default = "alloc", help = "'alloc', 'alloc-free' or 'mixed'" },
	objects     = { default = 2000,    help = "objects each CPU allocates" },
	object_size = { default = 128,     help = "bytes per object" },
	rounds      = { default = 4,       help = "free/realloc rounds in the mixed phase" },
	cpus        = { default = 0,       help = "CPUs that run a task (0: all)" },
	kmalloc     = { default = false,   help = "kmalloc(object_size) instead of a cache of its own" },
}

-- Free a random half of objs and allocate as many again, in place.
local function churn(t, c, objs)
	local gone, keep = {}, {}
	for i = 1, #objs do
		if t:random() < 0.5 then gone[#gone + 1] = objs[i] else keep[#keep + 1] = objs[i] end
	end
	t:free_n(gone)
	t:count("phase.free", #gone)
	local fresh = t:alloc_n(c, #gone)
	t:count("phase.alloc", #fresh)
	table.move(fresh, 1, #fresh, #keep + 1, keep)
	return keep
end

local function task(t, c, p)
	local objs = t:alloc_n(c, p.objects)
	t:count("phase.alloc", #objs)
	if p.phase == "alloc" then return end
	if p.phase == "mixed" then
		for _ = 1, p.rounds do objs = churn(t, c, objs) end
	end
	t:free_n(objs)
	t:count("phase.free", #objs)
end

function W.setup(sim, p)
	if p.phase ~= "alloc" and p.phase ~= "alloc-free" and p.phase ~= "mixed" then
		error("phase: expected 'alloc', 'alloc-free' or 'mixed', got '" .. p.phase .. "'")
	end
	local c = p.kmalloc and p.object_size or sim.cache{ name = "phases", size = p.object_size }
	local n = p.cpus > 0 and math.min(p.cpus, sim.ncpus) or sim.ncpus
	for cpu = 0, n - 1 do
		sim.spawn(cpu, task, c, p)
	end
end

return W
