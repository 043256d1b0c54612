-- kmem-replay.lua: replay a real kernel kmem trace (perf script or raw
-- ftrace text of kmem:kmalloc, kmem:kfree, kmem:kmem_cache_alloc,
-- kmem:kmem_cache_free and their _node forms; see sim.kmem_trace).
--
-- Setup reads the whole trace and plans the replay:
--   * trace CPU c runs on simulated CPU c % ncpus; one task per simulated
--     CPU that has events replays them in trace order (timestamp, then
--     line), so every trace CPU's own order is kept;
--   * kmalloc events become kmalloc(bytes_req), "accounted" when the trace
--     says accounted=true (kmalloc-cg-N in allocators that have them);
--     kmem_cache events allocate
--     from a cache named as the trace names it (name=, or "cache-BYTES"
--     when the trace has no names) whose size is the largest bytes_alloc
--     seen for it; names the allocators own (kmalloc-*, size-*) become
--     kmalloc(bytes_req) too, and so do the events of a cache whose
--     objects are larger than sim.max_cache_size (the allocator's largest
--     cache): such caches are counted and named in one warning on stderr;
--     the caches that have per-CPU sheaves in Linux 6.18 (SHEAVES) ask for them;
--   * a free pairs with the newest live allocation of the same pointer;
--     frees of pointers never allocated in the trace are counted
--     (unmatched) and skipped, kfree(NULL) is counted and skipped, and
--     objects still live at the end of the trace stay allocated (counted
--     as never freed);
--   * before each event a task waits (computing) until the event's
--     timestamp, taken from the first event and divided by `compress`.
--     A free of an object another CPU allocates later in simulated time
--     waits for that allocation (a channel wakes it), so frees never
--     precede their allocations.  Waits only ever point back in trace
--     order, so the replay cannot deadlock.
--
-- Reports through workload counters: replay.events (kmem events read),
-- replay.skipped_lines (lines that are not kmem events), replay.objects
-- (allocations replayed), replay.frees (frees replayed),
-- replay.cross_cpu_frees (of which on another simulated CPU),
-- replay.unmatched_frees, replay.null_frees, replay.never_freed,
-- replay.alloc_failed, replay.caches_too_big (trace caches replayed as
-- kmalloc because the allocator cannot make them).

local W = {}

W.description = "replay a perf-script or ftrace kmem trace (trace = PATH)"

W.params = {
	trace       = { default = "tests/data/perf-kmem-small.txt", type = "file",
	                help = "trace file: perf script or /sys/kernel/tracing/trace text" },
	compress    = { default = 1.0,
	                help = "divide trace time by this (0: ignore timestamps, run back to back)" },
	touch_bytes = { default = 64,  help = "bytes written in each new object (capped at its size)" },
	numa        = { default = true, help = "honour node= of _node allocations (node % nnodes)" },
}

-- Sheaf capacity of the caches created with one in Linux 6.18:
-- maple_node (lib/maple_tree.c, maple_tree_init) and vm_area_struct
-- (mm/vma_init.c, vma_state_init), both 32 (shared/reference/
-- slub-modern.md, 0 and 2.5).  Look names up; never iterate it.
local SHEAVES = { maple_node = 32, vm_area_struct = 32 }

local function is_null(ptr)
	return ptr == "(null)" or not ptr:find("[1-9a-fA-F]")
end

-- The allocation target of alloc event ev: a cache name (registered in
-- caches, sizes kept at their maximum) or a kmalloc size.
local function target_of(ev, caches, max_size)
	if ev.kmalloc then return ev.bytes_req > 0 and ev.bytes_req or ev.bytes_alloc end
	local name = ev.name or ("cache-" .. ev.bytes_alloc)
	if name:find("^kmalloc%-") or name:find("^size%-") then
		return ev.bytes_req > 0 and ev.bytes_req or ev.bytes_alloc
	end
	if ev.bytes_alloc > max_size then
		if not caches.too_big[name] then
			caches.too_big[name] = true
			caches.too_big[#caches.too_big + 1] = name
		end
		return ev.bytes_req > 0 and ev.bytes_req or ev.bytes_alloc
	end
	local c = caches.by_name[name]
	if not c then
		c = { name = name, size = 0 }
		caches.by_name[name] = c
		caches[#caches + 1] = c
	end
	if ev.bytes_alloc > c.size then c.size = ev.bytes_alloc end
	return name
end

-- Events in trace order: by timestamp, file order breaking ties.
local function trace_order(evs)
	local order, sorted = {}, true
	for i = 1, #evs do
		order[i] = i
		if i > 1 and evs[i].t_ns < evs[i - 1].t_ns then sorted = false end
	end
	if not sorted then
		table.sort(order, function(a, b)
			local ta, tb = evs[a].t_ns, evs[b].t_ns
			if ta ~= tb then return ta < tb end
			return a < b
		end)
	end
	return order
end

-- Plan: per simulated CPU, arrays of (kind, object, time); per object its
-- target, node, allocating and freeing CPU.
local function plan(sim, p, evs)
	local S = { target = {}, node = {}, owner = {}, freer = {}, handle = {}, failed = {}, acct = {},
	            waiting = {}, chan = {}, unmatched = 0, null_frees = 0, never_freed = 0,
	            cross = 0 }
	local caches = { by_name = {}, too_big = {} }
	local max_size = sim.max_cache_size
	local per_cpu, live, nobj = {}, {}, 0
	local scale = p.compress > 0 and 1 / p.compress or 0

	for _, i in ipairs(trace_order(evs)) do
		local ev = evs[i]
		local cpu = ev.cpu % sim.ncpus
		local q = per_cpu[cpu]
		if not q then q = { kind = {}, obj = {}, t = {}, n = 0 }; per_cpu[cpu] = q end
		local id
		if ev.op == "alloc" then
			nobj = nobj + 1
			id = nobj
			live[ev.ptr] = id
			S.target[id] = target_of(ev, caches, max_size)
			S.node[id] = (p.numa and ev.node >= 0) and ev.node % sim.nnodes or -1
			S.acct[id] = ev.kmalloc and ev.accounted and "accounted" or nil
			S.owner[id] = cpu
		elseif is_null(ev.ptr) then
			S.null_frees = S.null_frees + 1
		else
			id = live[ev.ptr]
			if id then
				live[ev.ptr] = nil
				S.freer[id] = cpu
				if S.owner[id] ~= cpu then S.cross = S.cross + 1 end
			else
				S.unmatched = S.unmatched + 1
			end
		end
		if id then
			local n = q.n + 1
			q.n = n
			q.kind[n] = ev.op == "alloc" and 1 or 2
			q.obj[n] = id
			q.t[n] = ev.t_ns * scale
		end
	end
	-- An allocation of a pointer that is still live (its free was not
	-- traced) leaves the older object unfreed: it is counted here too.
	for id = 1, nobj do
		if not S.freer[id] then S.never_freed = S.never_freed + 1 end
	end
	return S, caches, per_cpu
end

-- Wake the CPU waiting for object id, if one is.
local function wake(t, S, id)
	local f = S.freer[id]
	if f and S.waiting[f] == id then
		S.waiting[f] = false
		t:send(S.chan[f], id)
	end
end

local function replayer(t, S, q, touch, first, static)
	if first then
		for _, kv in ipairs(static) do t:count(kv[1], kv[2]) end
	end
	local me, objects, frees = t.cpu, 0, 0
	local kind, obj, when = q.kind, q.obj, q.t
	local target, node, handle, acct = S.target, S.node, S.handle, S.acct
	for i = 1, q.n do
		local d = when[i] - t:now()
		if d > 0 then t:sleep(d) end
		local id = obj[i]
		if kind[i] == 1 then
			local tg = target[id]
			local h = t:alloc(tg, node[id], acct[id])
			if h then
				handle[id] = h
				objects = objects + 1
				if touch > 0 then
					local size = type(tg) == "number" and tg or S.size[tg]
					t:touch(h, touch < size and touch or size, true)
				end
			else
				S.failed[id] = true
				t:count("replay.alloc_failed")
			end
			wake(t, S, id)
		else
			local h = handle[id]
			while not h and not S.failed[id] do
				S.waiting[me] = id
				t:recv(S.chan[me])
				h = handle[id]
			end
			if h then
				t:free(h)
				handle[id] = nil
				frees = frees + 1
			end
		end
	end
	t:count("replay.objects", objects)
	t:count("replay.frees", frees)
end

function W.setup(sim, p)
	if p.compress < 0 then error("compress must be >= 0, got " .. p.compress) end
	if p.touch_bytes < 0 then error("touch_bytes must be >= 0") end
	local evs, info = sim.kmem_trace(p.trace)
	local S, caches, per_cpu = plan(sim, p, evs)
	if #caches.too_big > 0 then
		print(string.format("kmem-replay: %s: %d caches larger than %s's largest cache "
		                    .. "(sim.max_cache_size %d bytes) replayed as kmalloc: %s",
		                    p.trace, #caches.too_big, sim.allocator, sim.max_cache_size,
		                    table.concat(caches.too_big, ", ")))
	end
	S.size = {}
	for _, c in ipairs(caches) do
		sim.cache{ name = c.name, size = c.size, sheaf_capacity = SHEAVES[c.name] }
		S.size[c.name] = c.size
	end
	local static = {
		{ "replay.events", #evs }, { "replay.skipped_lines", info.skipped },
		{ "replay.unmatched_frees", S.unmatched }, { "replay.null_frees", S.null_frees },
		{ "replay.never_freed", S.never_freed }, { "replay.cross_cpu_frees", S.cross },
		{ "replay.objects", 0 }, { "replay.frees", 0 }, { "replay.alloc_failed", 0 },
		{ "replay.caches_too_big", #caches.too_big },
	}
	local first = true
	for cpu = 0, sim.ncpus - 1 do
		if per_cpu[cpu] then
			S.chan[cpu] = sim.channel()
			S.waiting[cpu] = false
		end
	end
	for cpu = 0, sim.ncpus - 1 do
		if per_cpu[cpu] then
			sim.spawn(cpu, replayer, S, per_cpu[cpu], p.touch_bytes, first, static)
			first = false
		end
	end
	if first then  -- an empty trace: still report what was read
		sim.spawn(0, replayer, S, { kind = {}, obj = {}, t = {}, n = 0 }, 0, true, static)
	end
end

return W
