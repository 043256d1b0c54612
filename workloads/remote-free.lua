-- remote-free.lua: producer/consumer pairs.  Each producer allocates a
-- batch of objects, writes them, and sends the batch to its consumer on
-- another CPU, which frees every object: every free is a remote free.
-- A window of batches in flight bounds the memory the pair holds.
--
-- The mix can be changed (claims C10-C13 of thread-results.md):
--   remote      fraction of each batch freed on another CPU; the producer
--               frees the rest itself right after sending (local frees)
--   cross_node  fraction of the remote part freed on another node, the
--               rest by a consumer on the producer's node; -1 (default)
--               keeps the single consumer that `placement` chooses
-- The split is by position in the batch (the first objects go furthest),
-- not random, so a given mix is exact in every batch.
--   bulk        false: one t:alloc / t:touch / t:free call per object
--               instead of alloc_n / touch_n / free_n (same simulated
--               operations, more Lua round trips: for bench/ figures)

local W = {}

W.description = "producers allocate, consumers on other CPUs free (remote frees)"
W.frees_all = true     -- every object is freed by the end: one left is a leak

W.params = {
	pairs       = { default = 4,      help = "producer/consumer pairs" },
	placement   = { default = "node", help = "where consumers run: 'node' (another node) or 'local' (same node)" },
	object_size = { default = 256,    help = "bytes per object (a cache of this size)" },
	kmalloc     = { default = false,  help = "use kmalloc(object_size) instead of a dedicated cache" },
	batch       = { default = 32,     help = "objects per batch sent" },
	batches     = { default = 500,    help = "batches per producer" },
	window      = { default = 4,      help = "batches in flight per pair" },
	touch_bytes = { default = 64,     help = "bytes the producer writes in each object" },
	think_ns    = { default = 200,    help = "producer compute per batch, ns" },
	remote      = { default = 1.0,    help = "fraction of each batch freed on another CPU (rest: by the producer)" },
	cross_node  = { default = -1.0,   help = "fraction of the remote frees done on another node (-1: by placement)" },
	bulk        = { default = true,   help = "use the bulk calls (alloc_n, touch_n, free_n)" },
}

-- The CPU that consumes for producer `p` under `placement`.
local function consumer_cpu(sim, p, placement)
	local per_node = sim.ncpus // sim.nnodes
	local node = sim.cpu_node(p)
	if placement == "node" and sim.nnodes > 1 then
		node = (node + 1) % sim.nnodes
		return sim.cpus_on_node(node)[1 + (p % per_node)]
	end
	local cpus = sim.cpus_on_node(node)
	return cpus[1 + ((p % per_node) + per_node // 2) % per_node]
end

-- Per-object versions of the bulk calls.
local function alloc_each(t, what, n)
	local objs = {}
	for i = 1, n do objs[#objs + 1] = t:alloc(what) end
	return objs
end

local function touch_each(t, objs, bytes)
	for i = 1, #objs do t:touch(objs[i], bytes, true) end
end

local function free_each(t, objs)
	for i = 1, #objs do t:free(objs[i]) end
end

local function ops(bulk)
	if bulk then
		return {
			alloc = function(t, what, n) return t:alloc_n(what, n) end,
			touch = function(t, objs, bytes) t:touch_n(objs, bytes, true) end,
			free = function(t, objs) t:free_n(objs) end,
		}
	end
	return { alloc = alloc_each, touch = touch_each, free = free_each }
end

-- Split objs into consecutive slices of the given sizes.
local function split(objs, sizes)
	local out, k = {}, 1
	for i, n in ipairs(sizes) do
		out[i] = table.move(objs, k, k + n - 1, 1, {})
		k = k + n
	end
	return out
end

-- cfg.sizes: objects per batch to each consumer (in cfg.works order), the
-- rest are freed here.
local function producer(t, what, cfg, op)
	for _ = 1, cfg.batches do
		for _, c in ipairs(cfg.credits) do t:recv(c) end
		local objs = op.alloc(t, what, cfg.batch)
		if cfg.touch > 0 then op.touch(t, objs, cfg.touch) end
		if #cfg.works == 1 and cfg.sizes[1] >= #objs then
			t:send(cfg.works[1], objs)
		else
			local parts = split(objs, cfg.sizes)
			for i, w in ipairs(cfg.works) do t:send(w, parts[i]) end
			local kept = #objs
			for _, n in ipairs(cfg.sizes) do kept = kept - n end
			if kept > 0 then op.free(t, table.move(objs, #objs - kept + 1, #objs, 1, {})) end
		end
		t:think(cfg.think)
	end
	for _, w in ipairs(cfg.works) do t:send(w, false) end
end

local function consumer(t, work, credit, window, op)
	for _ = 1, window do t:send(credit, true) end
	while true do
		local objs = t:recv(work)
		if not objs then break end
		op.free(t, objs)
		t:send(credit, true)
	end
end

local function check(sim, p)
	if p.placement ~= "node" and p.placement ~= "local" then
		error("placement must be 'node' or 'local', got '" .. tostring(p.placement) .. "'")
	end
	if p.remote < 0 or p.remote > 1 then error("remote must be in [0, 1], got " .. p.remote) end
	if p.cross_node ~= -1 and (p.cross_node < 0 or p.cross_node > 1) then
		error("cross_node must be -1 or in [0, 1], got " .. p.cross_node)
	end
	if p.cross_node > 0 and sim.nnodes < 2 then error("cross_node > 0 needs a machine with 2+ nodes") end
end

-- Consumers of the producer on `cpu`: { {cpu, share}, ... }.
local function consumers(sim, p, cpu)
	local nremote = math.floor(p.batch * p.remote + 0.5)
	if p.cross_node < 0 then
		return { { consumer_cpu(sim, cpu, p.placement), nremote } }
	end
	local far = math.floor(nremote * p.cross_node + 0.5)
	local list = {}
	if far > 0 then list[#list + 1] = { consumer_cpu(sim, cpu, "node"), far } end
	if nremote - far > 0 then list[#list + 1] = { consumer_cpu(sim, cpu, "local"), nremote - far } end
	return list
end

function W.setup(sim, p)
	check(sim, p)
	local per_node = sim.ncpus // sim.nnodes
	local local_consumers = p.placement == "local" or p.cross_node > -1
	local producers_per_node = local_consumers and per_node // 2 or per_node
	if p.pairs < 1 or p.pairs > producers_per_node * sim.nnodes then
		error(("pairs must be 1..%d on this machine"):format(producers_per_node * sim.nnodes))
	end
	local what = p.kmalloc and p.object_size or sim.cache{ name = "remote-free", size = p.object_size }
	local op = ops(p.bulk)
	for i = 0, p.pairs - 1 do
		-- spread producers over nodes, the first half of each node's CPUs
		local node = i % sim.nnodes
		local cpu = sim.cpus_on_node(node)[1 + (i // sim.nnodes)]
		local cfg = { batches = p.batches, batch = p.batch, touch = p.touch_bytes,
		              think = p.think_ns, works = {}, credits = {}, sizes = {} }
		local list = consumers(sim, p, cpu)
		for k, c in ipairs(list) do
			cfg.works[k], cfg.credits[k], cfg.sizes[k] = sim.channel(), sim.channel(), c[2]
		end
		sim.spawn(cpu, producer, what, cfg, op)
		for k, c in ipairs(list) do
			sim.spawn(c[1], consumer, cfg.works[k], cfg.credits[k], p.window, op)
		end
	end
end

return W
