-- netperf-tcp.lua: a TCP_STREAM-like sender/receiver (workload W1's TCP
-- sibling; claims C5, C10, C21 of thread-results.md).
--
-- (inference, modelled on 2.6.29 loopback TCP) The sender cuts each
-- message of msg_size bytes into segments of at most `mss` bytes; each
-- segment is an skb head from "skbuff_fclone_cache" (the fast-clone pair:
-- the clone goes to the receiver, the original waits for its ACK) plus a
-- data buffer kmalloc(segment + overhead), written by the sender.  The
-- receiver reads each segment and every `ack_every` segments (and at the
-- end of each message) allocates an ACK: a "skbuff_head_cache" head plus
-- kmalloc(ack_size).  The sender frees acknowledged segments itself (local
-- frees, the fclone pair dies with the original) and frees the ACK skbs the
-- receiver allocated (remote frees).  So, unlike UDP, the big buffers are
-- freed where they were allocated and the cross-CPU traffic is the stream
-- of small ACK objects.  At most `window` segments are unacknowledged.
--
-- Modes and receiver placement as in netperf-udp.lua.
--
-- Reports: netperf.messages, netperf.segments, netperf.acks,
-- netperf.msgs_per_s (sum over pairs) and netperf.ack_rtt (segment sent
-- to its ACK processed, ns).

local placement = require("placement")

local W = {}

W.description = "netperf TCP_STREAM-like: fclone skbs + kmalloc data, ACKs freed remotely"
W.frees_all = true     -- every object is freed by the end: one left is a leak
W.merit = { counter = "netperf.msgs_per_s", label = "messages/s" }

W.params = {
	mode        = { default = "pinned", help = "'pinned' (one pair) or 'unpinned' (`pairs` pairs on all CPUs)" },
	pairs       = { default = 0,      help = "unpinned: sender/receiver pairs (0: one per CPU)" },
	receiver    = { default = "same-socket",
	                help = "receiver CPU: 'same-socket', 'other-socket', 'other-node' or 'same-cpu'" },
	msg_size    = { default = 4096,   help = "bytes per application write" },
	mss         = { default = 1448,   help = "maximum segment size, bytes" },
	overhead    = { default = 320,    help = "bytes added to each data kmalloc (headroom, headers, skb_shared_info)" },
	fclone_size = { default = 512,    help = "skbuff_fclone_cache object size" },
	head_size   = { default = 256,    help = "skbuff_head_cache object size (ACKs)" },
	ack_size    = { default = 320,    help = "kmalloc size of an ACK's data (MAX_TCP_HEADER)" },
	ack_every   = { default = 2,      help = "segments per ACK" },
	window      = { default = 44,     help = "unacknowledged segments at most" },
	messages    = { default = 10000,  help = "messages per sender" },
	send_ns     = { default = 800,    help = "sender protocol work per segment, ns" },
	recv_ns     = { default = 800,    help = "receiver protocol work per segment, ns" },
}

-- Process one ACK: free the segments it covers (oldest first) and the ACK.
local function take_ack(t, ack, unacked, first)
	for i = first, first + ack.segs - 1 do
		local seg = unacked[i]
		unacked[i] = nil
		t:free(seg[2])
		t:free(seg[1])
		t:record("netperf.ack_rtt", t:now() - seg[3])
	end
	t:free(ack.data)
	t:free(ack.head)
	return first + ack.segs
end

local function sender(t, cfg, data, acks)
	local unacked, first, last = {}, 1, 0
	for _ = 1, cfg.messages do
		local left = cfg.msg_size
		while left > 0 do
			local len = left < cfg.mss and left or cfg.mss
			left = left - len
			while last - first + 1 >= cfg.window do
				first = take_ack(t, t:recv(acks), unacked, first)
			end
			local h = t:alloc(cfg.fclone)
			local d = t:alloc(len + cfg.overhead)
			t:touch(h, 64, true)
			t:touch(d, len, true)
			t:think(cfg.send_ns)
			last = last + 1
			unacked[last] = { h, d, t:now() }
			t:send(data, { h, d, len, left == 0 })
		end
	end
	while first <= last do first = take_ack(t, t:recv(acks), unacked, first) end
	t:send(data, false)
end

local function receiver(t, cfg, data, acks)
	local msgs, segs, nacks, pending, t0 = 0, 0, 0, 0, t:now()
	while true do
		local seg = t:recv(data)
		if not seg then break end
		t:touch(seg[2], seg[3])
		t:think(cfg.recv_ns)
		segs, pending = segs + 1, pending + 1
		if seg[4] then msgs = msgs + 1 end
		if pending >= cfg.ack_every or seg[4] then
			local h = t:alloc(cfg.head)
			local d = t:alloc(cfg.ack_size)
			t:touch(h, 64, true)
			t:send(acks, { head = h, data = d, segs = pending })
			nacks, pending = nacks + 1, 0
		end
	end
	local elapsed = t:now() - t0
	t:count("netperf.messages", msgs)
	t:count("netperf.segments", segs)
	t:count("netperf.acks", nacks)
	t:count("netperf.msgs_per_s", elapsed > 0 and (msgs * 1000000000) // elapsed or 0)
end

function W.setup(sim, p)
	if p.mode ~= "pinned" and p.mode ~= "unpinned" then
		error("mode must be 'pinned' or 'unpinned', got '" .. p.mode .. "'")
	end
	local places = { ["same-socket"] = true, ["other-socket"] = true, ["other-node"] = true, ["same-cpu"] = true }
	if not places[p.receiver] then
		error("receiver must be 'same-socket', 'other-socket', 'other-node' or 'same-cpu', got '" .. p.receiver .. "'")
	end
	if p.msg_size < 1 or p.mss < 1 or p.ack_every < 1 or p.window < 1 or p.messages < 1 then
		error("need msg_size, mss, ack_every, window and messages >= 1")
	end
	if p.window < p.ack_every then error("window must be >= ack_every (or no ACK ever comes)") end
	local cfg = {
		fclone = sim.cache{ name = "skbuff_fclone_cache", size = p.fclone_size, flags = "HWCACHE_ALIGN" },
		head = sim.cache{ name = "skbuff_head_cache", size = p.head_size, flags = "HWCACHE_ALIGN" },
		msg_size = p.msg_size, mss = p.mss, overhead = p.overhead, ack_size = p.ack_size,
		ack_every = p.ack_every, window = p.window, messages = p.messages,
		send_ns = p.send_ns, recv_ns = p.recv_ns,
	}
	local npairs = p.mode == "pinned" and 1 or (p.pairs > 0 and p.pairs or sim.ncpus)
	for k = 0, npairs - 1 do
		local cpu = k % sim.ncpus
		local data, acks = sim.channel(), sim.channel()
		sim.spawn(cpu, sender, cfg, data, acks)
		sim.spawn(placement.partner(sim, cpu, p.receiver, k), receiver, cfg, data, acks)
	end
end

return W
