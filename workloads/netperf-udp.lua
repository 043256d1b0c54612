-- netperf-udp.lua: a UDP_STREAM-like sender/receiver (netperf UDP-U-4k,
-- result R5 and claims C5, C21 of thread-results.md; workload W1).
--
-- Per message the sender allocates an skb head from a small cache
-- ("skbuff_head_cache", head_size bytes, HWCACHE_ALIGN) and the data
-- buffer with kmalloc(msg_size + overhead), writes the message into it and
-- queues the skb to the receiver.  The receiver, on another CPU, reads the
-- data (the copy to user space) and frees both: every free is remote.  With
-- msg_size = 4096 the data buffer is just above PAGE_SIZE, so SLUB of
-- 2.6.29-rc (pass-through above PAGE_SIZE) sends it to the page allocator
-- while SLAB and SLQB use kmalloc-8192.
--
-- The socket receive buffer holds at most `window` messages: the sender
-- waits for credit, which the receiver returns every window/4 messages
-- (netperf's UDP sender does not wait but the kernel drops; blocking keeps
-- the run finite and the message count exact).
--
-- Modes: "pinned" is one pair, sender on CPU 0 and receiver placed by
-- `receiver`; "unpinned" is `pairs` pairs (0: one per CPU) spread over all
-- CPUs, sender i on CPU i mod ncpus and its receiver placed by `receiver`
-- relative to it, so every CPU runs senders and receivers like CPU_NUM
-- netperf clients do (simulated tasks never migrate).
--
-- Reports: netperf.messages (received), netperf.msgs_per_s (the sum over
-- pairs of messages per simulated second, as netperf sums clients) and the
-- distribution netperf.latency (send to receive, ns).

local placement = require("placement")

local W = {}

W.description = "netperf UDP_STREAM-like: skb head + kmalloc data, freed on the receiver (R5, C5)"
W.frees_all = true     -- every object is freed by the end: one left is a leak
W.merit = { counter = "netperf.msgs_per_s", label = "messages/s" }

W.params = {
	mode        = { default = "pinned", help = "'pinned' (one pair) or 'unpinned' (`pairs` pairs on all CPUs)" },
	pairs       = { default = 0,      help = "unpinned: sender/receiver pairs (0: one per CPU)" },
	receiver    = { default = "same-socket",
	                help = "receiver CPU: 'same-socket', 'other-socket', 'other-node' or 'same-cpu'" },
	msg_size    = { default = 4096,   help = "UDP payload bytes per message" },
	overhead    = { default = 320,    help = "bytes added to the data kmalloc (headroom, headers, skb_shared_info)" },
	head_size   = { default = 256,    help = "skb head object size (skbuff_head_cache)" },
	messages    = { default = 20000,  help = "messages per sender" },
	window      = { default = 64,     help = "messages the receive buffer holds" },
	send_ns     = { default = 1000,   help = "sender protocol work per message, ns" },
	recv_ns     = { default = 1000,   help = "receiver protocol work per message, ns" },
}

local function sender(t, cfg, data, credit)
	local inflight, batch = 0, cfg.credit_batch
	local head, dsize, msg = cfg.head, cfg.msg_size + cfg.overhead, cfg.msg_size
	for _ = 1, cfg.messages do
		if inflight + 1 > cfg.window then
			t:recv(credit)
			inflight = inflight - batch
		end
		local h = t:alloc(head)
		local d = t:alloc(dsize)
		t:touch(h, cfg.head_touch, true)
		t:touch(d, msg, true)
		t:think(cfg.send_ns)
		t:send(data, { h, d, t:now() })
		inflight = inflight + 1
	end
	t:send(data, false)
end

local function receiver(t, cfg, data, credit)
	local n, t0 = 0, t:now()
	while true do
		local skb = t:recv(data)
		if not skb then break end
		t:record("netperf.latency", t:now() - skb[3])
		t:touch(skb[2], cfg.msg_size)
		t:think(cfg.recv_ns)
		t:free(skb[2])
		t:free(skb[1])
		n = n + 1
		if n % cfg.credit_batch == 0 then t:send(credit, true) end
	end
	local elapsed = t:now() - t0
	t:count("netperf.messages", n)
	t:count("netperf.msgs_per_s", elapsed > 0 and (n * 1000000000) // elapsed or 0)
end

function W.setup(sim, p)
	if p.mode ~= "pinned" and p.mode ~= "unpinned" then
		error("mode must be 'pinned' or 'unpinned', got '" .. p.mode .. "'")
	end
	local places = { ["same-socket"] = true, ["other-socket"] = true, ["other-node"] = true, ["same-cpu"] = true }
	if not places[p.receiver] then
		error("receiver must be 'same-socket', 'other-socket', 'other-node' or 'same-cpu', got '" .. p.receiver .. "'")
	end
	if p.msg_size < 1 or p.overhead < 0 or p.messages < 1 or p.window < 4 then
		error("need msg_size >= 1, overhead >= 0, messages >= 1, window >= 4")
	end
	local cfg = {
		head = sim.cache{ name = "skbuff_head_cache", size = p.head_size, flags = "HWCACHE_ALIGN" },
		head_touch = math.min(p.head_size, 64), msg_size = p.msg_size, overhead = p.overhead,
		messages = p.messages, window = p.window, credit_batch = p.window // 4,
		send_ns = p.send_ns, recv_ns = p.recv_ns,
	}
	local npairs = p.mode == "pinned" and 1 or (p.pairs > 0 and p.pairs or sim.ncpus)
	for k = 0, npairs - 1 do
		local cpu = k % sim.ncpus
		local data, credit = sim.channel(), sim.channel()
		sim.spawn(cpu, sender, cfg, data, credit)
		sim.spawn(placement.partner(sim, cpu, p.receiver, k), receiver, cfg, data, credit)
	end
end

return W
