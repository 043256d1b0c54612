return { setup = function(sim, p)
B = sim.barrier(3)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
t:barrier(B)
end)
end }
