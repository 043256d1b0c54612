return { setup = function(sim, p)
local c = sim.cache{ name = "z", size = 64 }
sim.mempool{ cache = c, variant = "bogus", min_nr = 1 }
end }
