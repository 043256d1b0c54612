-- remote-free.lua: producer/consumer pairs.  Each producer allocates a
-- batch of objects, writes them, and sends the batch to its consumer on
-- another CPU, which frees every object: every free is a remote free.
-- A window of batches in flight bounds the memory the pair holds.

local W = {}

W.description = "producers allocate, consumers on other CPUs free (remote frees)"

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

local function producer(t, what, batches, batch, touch, think, work, credit)
	for _ = 1, batches do
		t:recv(credit)
		local objs = t:alloc_n(what, batch)
		if touch > 0 then t:touch_n(objs, touch, true) end
		t:send(work, objs)
		t:think(think)
	end
	t:send(work, false)
end

local function consumer(t, work, credit, window)
	for _ = 1, window do t:send(credit, true) end
	while true do
		local objs = t:recv(work)
		if not objs then break end
		t:free_n(objs)
		t:send(credit, true)
	end
end

function W.setup(sim, p)
	if p.placement ~= "node" and p.placement ~= "local" then
		error("placement must be 'node' or 'local', got '" .. tostring(p.placement) .. "'")
	end
	local per_node = sim.ncpus // sim.nnodes
	local producers_per_node = p.placement == "local" and per_node // 2 or per_node
	if p.pairs < 1 or p.pairs > producers_per_node * sim.nnodes then
		error(("pairs must be 1..%d on this machine"):format(producers_per_node * sim.nnodes))
	end
	local what = p.kmalloc and p.object_size or sim.cache{ name = "remote-free", size = p.object_size }
	for i = 0, p.pairs - 1 do
		-- spread producers over nodes, the first half of each node's CPUs
		local node = i % sim.nnodes
		local cpu = sim.cpus_on_node(node)[1 + (i // sim.nnodes)]
		local work, credit = sim.channel(), sim.channel()
		sim.spawn(cpu, producer, what, p.batches, p.batch, p.touch_bytes, p.think_ns, work, credit)
		sim.spawn(consumer_cpu(sim, cpu, p.placement), consumer, work, credit, p.window)
	end
end

return W
