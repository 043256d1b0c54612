-- mempool.lua: critical slab allocations under memory pressure (seed 004:
-- Dobson's mempool-backed slab pages, its planned fixes, and Pekka
-- Enberg's object pool).
--
-- A hog on CPU 2 first takes memory from its own cache until the page
-- allocator refuses `hog_misses` times in a row, and keeps it.  Then, for
-- `rounds` rounds of `round_us`, a critical user on CPU 0 and an ordinary
-- user on CPU 1 each allocate `batch` objects of one cache per round
-- (the critical one with t:alloc(c, -1, "critical")) and free what they
-- allocated `hold` rounds earlier.  The cache is backed by a critical
-- pool of `min_nr` pages in `variant` (the object pool reserves as many
-- objects as those pages hold, so that both reserve the same memory).
--
-- Counters: crit.ok, crit.failed, ordinary.ok, ordinary.failed, hog.objects.
-- The pool itself is in results.json (mempools) and mempool-ALLOC.csv.

local W = {}

W.description = "critical and ordinary allocations from a mempool-backed cache while a hog holds the rest of memory"

W.params = {
	variant     = { default = "dobson", help = "dobson, dobson-return, dobson-exclusive, dobson-fixed or object-pool" },
	min_nr      = { default = 4,    help = "pages the pool reserves (object-pool: the objects they hold)" },
	object_size = { default = 256,  help = "bytes per object of the backed cache" },
	hog_size    = { default = 2048, help = "bytes per object of the hog's cache" },
	hog_misses  = { default = 16,   help = "failed allocations in a row after which the hog stops" },
	rounds      = { default = 200,  help = "rounds of the two users" },
	round_us    = { default = 10,   help = "compute per round, microseconds" },
	batch       = { default = 4,    help = "objects each user allocates per round" },
	hold        = { default = 8,    help = "rounds an object lives" },
}

local function hog(t, c, p, start)
	local held, misses = 0, 0
	while misses < p.hog_misses do
		if t:alloc(c) then held, misses = held + 1, 0 else misses = misses + 1 end
	end
	t:count("hog.objects", held)
	t:barrier(start)
end

local function user(t, c, p, start, critical)
	local name = critical and "crit" or "ordinary"
	local kind = critical and "critical" or nil
	local live = {}
	t:barrier(start)
	for round = 1, p.rounds do
		local got = {}
		for _ = 1, p.batch do
			local h = t:alloc(c, -1, kind)
			if h then got[#got + 1] = h end
		end
		t:count(name .. ".ok", #got)
		t:count(name .. ".failed", p.batch - #got)
		live[round] = got
		if live[round - p.hold] then
			t:free_n(live[round - p.hold])
			live[round - p.hold] = nil
		end
		t:think(p.round_us * 1000)
	end
	for round = p.rounds - p.hold + 1, p.rounds do
		if live[round] then t:free_n(live[round]) end
	end
end

function W.setup(sim, p)
	local c = sim.cache{ name = "critical_data", size = p.object_size }
	local hc = sim.cache{ name = "hog", size = p.hog_size }
	local per_page = math.max(1, sim.page_size // p.object_size)
	sim.mempool{ cache = c, variant = p.variant,
	             min_nr = p.variant == "object-pool" and p.min_nr * per_page or p.min_nr }
	local start = sim.barrier(3)
	sim.spawn(2 % sim.ncpus, hog, hc, p, start)
	sim.spawn(0, user, c, p, start, true)
	sim.spawn(1 % sim.ncpus, user, c, p, start, false)
end

return W
