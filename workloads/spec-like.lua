-- spec-like.lua: a SPEC CPU2006-like run (workload W5 of thread-results.md;
-- the SPEC rows of tables R1-R4).  One single-threaded user task computes
-- for run_ms; every step_us of compute it enters the kernel and causes the
-- light slab activity a compute-bound benchmark causes (system calls, page
-- faults, timer and scheduler work: an inference, the thread gives no
-- rate): allocs_per_step objects, half kmalloc (sizes 32..1024 from a
-- histogram), half from three small caches, each written and kept for a
-- random 1..2*keep_steps steps.  The other CPUs idle, but the allocators'
-- periodic housekeeping runs on every CPU, as on the real machine.
--
-- slabsim has no model of the benchmark's own user-space cache traffic, so
-- the per-benchmark differences of the real tables (which the thread puts
-- down to layout luck) cannot appear: one benchmark-like run stands for all
-- 29, and the seed varies only the draws of sizes and lifetimes.
--
-- Reports spec.elapsed_ns (the task's run time: SPEC's wall time),
-- spec.steps and spec.allocs.

local dist = require "dist"

local W = {}

W.description = "single-threaded compute with a low rate of kernel slab activity (SPEC-like, R1-R4)"

W.params = {
	run_ms          = { default = 10000, help = "user compute in all, simulated ms" },
	step_us         = { default = 1000,  help = "compute between two kernel entries, microseconds" },
	allocs_per_step = { default = 4,     help = "slab allocations per kernel entry" },
	keep_steps      = { default = 8,     help = "an object lives a random 1..2*keep_steps steps" },
	touch_bytes     = { default = 64,    help = "bytes written in each new object" },
	cpu             = { default = 0,     help = "the CPU the task runs on" },
}

local SIZES = dist.histogram{
	{ 32, 20 }, { 64, 25 }, { 128, 20 }, { 192, 10 }, { 256, 10 }, { 512, 10 }, { 1024, 5 },
}
local CACHES = { { "spec_filp", 192 }, { "spec_vm_area", 176 }, { "spec_anon_vma", 40 } }

local function task(t, p, caches)
	local step, steps = p.step_us * 1000, (p.run_ms * 1000) // p.step_us
	local due, allocs, t0 = {}, 0, t:now()
	for s = 1, steps do
		t:think(step)
		local objs = {}
		for i = 1, p.allocs_per_step do
			local what = t:random() < 0.5 and SIZES:draw(t) or caches[t:random(#caches)]
			objs[i] = t:alloc(what)
			local at = s + t:random(2 * p.keep_steps)
			due[at] = due[at] or {}
			table.insert(due[at], objs[i])
		end
		allocs = allocs + #objs
		if p.touch_bytes > 0 and #objs > 0 then t:touch_n(objs, p.touch_bytes, true) end
		if due[s] then
			t:free_n(due[s])
			due[s] = nil
		end
	end
	for s = steps + 1, steps + 2 * p.keep_steps do
		if due[s] then t:free_n(due[s]) end
	end
	t:count("spec.elapsed_ns", t:now() - t0)
	t:count("spec.steps", steps)
	t:count("spec.allocs", allocs)
end

function W.setup(sim, p)
	if p.run_ms <= 0 or p.step_us <= 0 or p.allocs_per_step < 0 or p.keep_steps < 1 or p.touch_bytes < 0 then
		error("need run_ms > 0, step_us > 0, allocs_per_step >= 0, keep_steps >= 1, touch_bytes >= 0")
	end
	if p.cpu < 0 or p.cpu >= sim.ncpus then error("cpu: no such CPU " .. p.cpu) end
	local caches = {}
	for i, c in ipairs(CACHES) do caches[i] = sim.cache{ name = c[1], size = c[2] } end
	sim.spawn(p.cpu, task, p, caches)
end

return W
