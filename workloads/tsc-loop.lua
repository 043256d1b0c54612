-- tsc-loop.lua: the "loop reading the TSC" probe of claims C6/C7 (Christoph
-- Lameter: "Run a loop reading tsc and see the variances").  One task per
-- CPU computes in steps of step_us and reads the clock around each step;
-- a step that took more than step_us + threshold_ns was interrupted (by
-- allocator housekeeping: SLAB's reaper, SLQB's trimmer, a flush IPI), and
-- the excess is a gap.  Between steps each CPU does a light slab load
-- (bg_objects allocations per step, freed bg_keep steps later) so the
-- allocators' queues hold objects for their housekeeping to find.  The
-- slab operations fall outside the timed steps: only interruptions count.
-- A computation (t:think) is interrupted by the housekeeping that comes
-- due during it, which pushes its end out by its duration: that delay is
-- the gap.
--
-- Reports: the distribution tsc.gap (ns, one value per gap; its max is the
-- worst interruption on any CPU) and counters tsc.gaps, tsc.gap_ns (sum),
-- tsc.steps.

local W = {}

W.description = "one spinning probe per CPU recording gaps in its own progress (C6)"
W.frees_all = true     -- every object is freed by the end: one left is a leak

W.params = {
	run_ms       = { default = 5000, help = "how long each probe runs, simulated ms" },
	step_us      = { default = 100,  help = "compute per timed step, microseconds" },
	threshold_ns = { default = 500,  help = "excess over a step that counts as a gap" },
	bg_objects   = { default = 2,    help = "objects allocated per step (0: pure probe)" },
	bg_keep      = { default = 64,   help = "steps a background object lives" },
	cpus         = { default = 0,    help = "CPUs probed (0: all)" },
}

local function probe(t, cfg, cache)
	local step, limit = cfg.step_us * 1000, cfg.run_ms * 1000000
	local ring, n, gaps, gap_ns = {}, 0, 0, 0
	while t:now() < limit do
		n = n + 1
		if cfg.bg_objects > 0 then
			ring[n] = t:alloc_n(cache, cfg.bg_objects)
			if n > cfg.bg_keep then
				t:free_n(ring[n - cfg.bg_keep])
				ring[n - cfg.bg_keep] = nil
			end
		end
		local t0 = t:now()
		t:think(step)
		local excess = t:now() - t0 - step
		if excess > cfg.threshold_ns then
			t:record("tsc.gap", excess)
			gaps, gap_ns = gaps + 1, gap_ns + excess
		end
	end
	for i = math.max(1, n - cfg.bg_keep + 1), n do
		if ring[i] then t:free_n(ring[i]) end
	end
	t:count("tsc.steps", n)
	t:count("tsc.gaps", gaps)
	t:count("tsc.gap_ns", gap_ns)
end

function W.setup(sim, p)
	if p.run_ms <= 0 or p.step_us <= 0 or p.threshold_ns < 0 or p.bg_objects < 0 or p.bg_keep < 1 then
		error("need run_ms > 0, step_us > 0, threshold_ns >= 0, bg_objects >= 0, bg_keep >= 1")
	end
	local cache = sim.cache{ name = "tsc_bg", size = 128 }
	local n = p.cpus > 0 and math.min(p.cpus, sim.ncpus) or sim.ncpus
	for cpu = 0, n - 1 do
		sim.spawn(cpu, probe, p, cache)
	end
end

return W
