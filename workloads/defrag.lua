-- defrag.lua: fragment a cache, then shrink it with and without
-- defragmentation (seed 001: slab_ops, kmem_cache_shrink kicking objects
-- out of sparse slabs, kmem_cache_vacate).
--
-- CPU 0 allocates `objects` objects of a cache that carries slab_ops
-- (unless ops = false), writes them, frees a random `free_fraction` of
-- them, then shrinks the cache (shrink = "defrag": t:defrag, counting what
-- it did; "plain": t:shrink, which also defragments a cache with ops;
-- "none").  A `pinned_fraction` of the survivors refuse get_reference; kick
-- moves the others (or lets a `reclaim_fraction` be reclaimed: the
-- workload forgets them).  Then `vacates` slab pages, each holding a
-- random survivor, are vacated.  Survivors stay allocated to the end, so
-- the final footprint shows the density reached.
--
-- Counters: defrag.live (objects held before the shrink), defrag.* (the
-- report: slabs_before/after, partial_before/after, slabs_freed,
-- objects_moved, objects_reclaimed, vacate_failures), vacate.RESULT (per
-- result: ok, pinned, busy, nomem, not_slab, unsupported), vacate.moved.

local W = {}

W.description = "fragment a cache (free a random 80%), then shrink with or without defragmentation; vacate pages"

W.params = {
	objects          = { default = 4000,  help = "objects allocated" },
	object_size      = { default = 256,   help = "bytes per object" },
	free_fraction    = { default = 0.8,   help = "share of the objects freed before the shrink" },
	ops              = { default = true,  help = "give the cache slab_ops (get_reference, kick)" },
	shrink           = { default = "defrag", help = "'defrag' (t:defrag), 'plain' (t:shrink) or 'none'" },
	keep             = { default = -1,    help = "partial slabs per node defrag keeps (-1: the allocator's default)" },
	pinned_fraction  = { default = 0.0,   help = "share of survivors whose get_reference refuses" },
	reclaim_fraction = { default = 0.0,   help = "share of survivors kick reclaims instead of moving" },
	vacates          = { default = 0,     help = "slab pages to vacate after the shrink" },
	flags            = { default = "",    help = "cache flags, e.g. RECLAIM_ACCOUNT (reclaimable page blocks)" },
}

local REPORT = { "slabs_before", "slabs_after", "partial_before", "partial_after", "slabs_freed",
                 "objects_moved", "objects_reclaimed", "vacate_failures" }

-- Keep each element of objs with probability 1 - p; the others are freed.
local function free_random(t, objs, p)
	local keep, gone = {}, {}
	for _, h in ipairs(objs) do
		if t:random() < p then gone[#gone + 1] = h else keep[#keep + 1] = h end
	end
	t:free_n(gone)
	return keep
end

local function task(t, c, p, fate)
	local objs = t:alloc_n(c, p.objects)
	t:touch_n(objs, p.object_size, true)
	local live = free_random(t, objs, p.free_fraction)
	for _, h in ipairs(live) do
		local x = t:random()
		fate[h] = x < p.pinned_fraction and "pinned"
			or x < p.pinned_fraction + p.reclaim_fraction and "reclaim" or "move"
	end
	t:count("defrag.live", #live)
	if p.shrink == "defrag" then
		local rep = t:defrag(c, p.keep)
		for _, k in ipairs(REPORT) do t:count("defrag." .. k, rep[k]) end
	elseif p.shrink == "plain" then
		t:shrink(c)
	end
	for _ = 1, p.vacates do
		local h = live[t:random(#live)]
		if fate[h] ~= "gone" then
			local result, moved = t:vacate(h)
			t:count("vacate." .. result)
			t:count("vacate.moved", moved)
		end
	end
end

function W.setup(sim, p)
	if p.shrink ~= "defrag" and p.shrink ~= "plain" and p.shrink ~= "none" then
		error("shrink: expected 'defrag', 'plain' or 'none', got '" .. p.shrink .. "'")
	end
	local fate = {}          -- handle -> "move" | "reclaim" | "pinned" | "gone"
	local ops = {
		get_reference = function(h) return fate[h] ~= "pinned" end,
		kick = function(h)
			if fate[h] == "reclaim" then
				fate[h] = "gone"
				return "reclaim"
			end
			return fate[h] == "move" and "move" or false
		end,
	}
	-- NO_MERGE: a cache of its own with or without ops, so that both
	-- variants shrink the same slabs (SLUB would merge it into a kmalloc
	-- cache without ops; with ops it never merges).
	local flags = p.flags ~= "" and p.flags .. "|NO_MERGE" or "NO_MERGE"
	local c = sim.cache{ name = "defrag", size = p.object_size, ops = p.ops and ops or nil,
	                     flags = flags }
	sim.spawn(0, task, c, p, fate)
end

return W
