return { setup = function(sim, p)
local c = sim.cache{ name = "z", size = 64 }
sim.mempool{ cache = c, variant = "object-pool", min_nr = 0 }
end }
