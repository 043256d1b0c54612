-- sysbench-oltp.lua: OLTP-like clients (workloads W3/W4, claim C13 of
-- thread-results.md: the TPC-C regression of SLUB on big NUMA machines
-- with many disks, blamed on cache-line ping-pong without queues).
--
-- `clients` client tasks, client i on CPU i mod ncpus.  Each transaction
-- (inference: the thread gives no object mix) allocates `objects`
-- short-lived objects whose sizes come from a histogram of kmalloc sizes
-- (32..1024 bytes, small ones most common) and from three dedicated caches
-- ("oltp_tuple", "oltp_lock", "oltp_snapshot", picked by a Zipf law),
-- writes each, computes for txn_ns, and frees them in random order.  Then
-- it submits `ios` I/O requests: a "bio"-like object from the cache
-- "oltp_bio" plus a kmalloc'd request (scsi_cmnd + sense buffer), both
-- allocated on the client's CPU and freed by the completion handler on the
-- CPU chosen by `completion`:
--   "local"   the submitting CPU (per-CPU completion queues, MSI-X era)
--   "irq"     CPU irq_cpu for everybody (one HBA interrupt line)
--   "node"    a CPU on the next node (completion routed off-node)
-- A client keeps at most io_depth requests in flight; each completion
-- computes for irq_ns before freeing.  remote_share < 1 sends only that
-- share of a client's requests to the `completion` CPU and completes the
-- rest on the submitting CPU, split by position (request k goes out when
-- floor(k * share) moves), so every client has exactly the mix asked for
-- and no random draw is added (claim C13: does SLUB's gap grow with the
-- share of remote frees?).
--
-- Reports: oltp.transactions, oltp.ios, oltp.remote_io_frees (completions
-- on another CPU than the submitter), oltp.tps (sum over clients of
-- transactions per simulated second) and the distribution oltp.txn_ns.

local dist = require "dist"

local W = {}

W.description = "sysbench OLTP-like clients; I/O objects freed on a completion CPU (C13)"
W.frees_all = true     -- every object is freed by the end: one left is a leak
W.merit = { counter = "oltp.tps", label = "transactions/s" }

W.params = {
	clients      = { default = 16,    help = "client tasks (client i on CPU i mod ncpus)" },
	transactions = { default = 500,   help = "transactions per client" },
	objects      = { default = 24,    help = "short-lived objects per transaction" },
	ios          = { default = 2,     help = "I/O requests per transaction" },
	io_depth     = { default = 8,     help = "I/O requests in flight per client" },
	completion   = { default = "irq", help = "completion CPU: 'local', 'irq' or 'node'" },
	irq_cpu      = { default = 0,     help = "the interrupt CPU of completion = irq" },
	txn_ns       = { default = 20000, help = "compute per transaction, ns" },
	irq_ns       = { default = 2000,  help = "compute per completion, ns" },
	remote_share = { default = 1.0,   help = "share of requests completed on the `completion` CPU; the rest complete locally" },
}

local SIZES = dist.histogram{
	{ 32, 20 }, { 64, 25 }, { 96, 10 }, { 128, 15 }, { 192, 8 }, { 256, 10 },
	{ 512, 7 }, { 1024, 5 },
}
local CACHES = { { "oltp_tuple", 192 }, { "oltp_lock", 64 }, { "oltp_snapshot", 512 } }
local PICK_CACHE = dist.zipf(#CACHES, 1.0)

-- The completion CPU of a request submitted on `cpu`.
local function completion_cpu(sim, p, cpu)
	if p.completion == "local" then return cpu end
	if p.completion == "irq" then return p.irq_cpu end
	local node = (sim.cpu_node(cpu) + 1) % sim.nnodes
	local cpus = sim.cpus_on_node(node)
	return cpus[1 + cpu % #cpus]
end

local function completer(t, queue, irq_ns)
	while true do
		local io = t:recv(queue)
		if not io then break end
		t:think(irq_ns)
		t:free(io.req)
		t:free(io.bio)
		if io.cpu ~= t.cpu then t:count("oltp.remote_io_frees") end
		t:send(io.done, true)
	end
end

local function client(t, cfg, queue, done, home)
	local inflight, t0, sent = 0, t:now(), 0
	for _ = 1, cfg.transactions do
		local start = t:now()
		local objs = {}
		for i = 1, cfg.objects do
			if t:random() < 0.5 then
				objs[i] = t:alloc(SIZES:draw(t))
			else
				objs[i] = t:alloc(cfg.caches[PICK_CACHE:draw(t)])
			end
		end
		t:touch_n(objs, 64, true)
		t:think(cfg.txn_ns)
		t:free_n(dist.shuffle(t, objs))
		for _ = 1, cfg.ios do
			if inflight >= cfg.io_depth then
				t:recv(done)
				inflight = inflight - 1
			end
			local bio = t:alloc(cfg.bio)
			local req = t:alloc(cfg.req_size)
			t:touch(bio, 64, true)
			t:touch(req, 64, true)
			sent = sent + 1
			local out = math.floor(sent * cfg.remote_share) > math.floor((sent - 1) * cfg.remote_share)
			t:send(out and queue or home, { bio = bio, req = req, cpu = t.cpu, done = done })
			inflight = inflight + 1
		end
		t:record("oltp.txn_ns", t:now() - start)
	end
	for _ = 1, inflight do t:recv(done) end
	local elapsed = t:now() - t0
	t:count("oltp.transactions", cfg.transactions)
	t:count("oltp.ios", cfg.transactions * cfg.ios)
	t:count("oltp.tps", elapsed > 0 and (cfg.transactions * 1000000000) // elapsed or 0)
	t:send(cfg.finished, true)
end

-- Ends the completion tasks once every client has finished.
local function closer(t, finished, nclients, queues)
	for _ = 1, nclients do t:recv(finished) end
	for _, q in ipairs(queues) do t:send(q, false) end
end

function W.setup(sim, p)
	local modes = { ["local"] = true, irq = true, node = true }
	if not modes[p.completion] then
		error("completion must be 'local', 'irq' or 'node', got '" .. p.completion .. "'")
	end
	if p.irq_cpu < 0 or p.irq_cpu >= sim.ncpus then error("irq_cpu: no such CPU " .. p.irq_cpu) end
	if p.clients < 1 or p.objects < 0 or p.ios < 0 or p.io_depth < 1 then
		error("need clients >= 1, objects >= 0, ios >= 0, io_depth >= 1")
	end
	if p.remote_share < 0 or p.remote_share > 1 then
		error("remote_share must be in 0..1, got " .. p.remote_share)
	end
	local cfg = { caches = {}, transactions = p.transactions, objects = p.objects, ios = p.ios,
	              io_depth = p.io_depth, txn_ns = p.txn_ns, req_size = 384,
	              remote_share = p.remote_share, finished = sim.channel() }
	for i, c in ipairs(CACHES) do cfg.caches[i] = sim.cache{ name = c[1], size = c[2] } end
	cfg.bio = sim.cache{ name = "oltp_bio", size = 104, flags = "HWCACHE_ALIGN" }
	-- one completion queue (and task) per completion CPU, in CPU order
	local queue_of, queues = {}, {}
	for i = 0, p.clients - 1 do
		local c = completion_cpu(sim, p, i % sim.ncpus)
		if not queue_of[c] then queue_of[c] = true end
		if p.remote_share < 1 then queue_of[i % sim.ncpus] = true end
	end
	for c = 0, sim.ncpus - 1 do
		if queue_of[c] then
			queue_of[c] = sim.channel()
			queues[#queues + 1] = queue_of[c]
			sim.spawn(c, completer, queue_of[c], p.irq_ns)
		end
	end
	for i = 0, p.clients - 1 do
		local cpu = i % sim.ncpus
		sim.spawn(cpu, client, cfg, queue_of[completion_cpu(sim, p, cpu)], sim.channel(),
		          p.remote_share < 1 and queue_of[cpu] or nil)
	end
	sim.spawn(0, closer, cfg.finished, p.clients, queues)
end

return W
