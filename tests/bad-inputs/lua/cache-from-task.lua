return { setup = function(sim, p)
sim_saved = sim
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
sim_saved.cache{ name = "late", size = 64 }
end)
end }
