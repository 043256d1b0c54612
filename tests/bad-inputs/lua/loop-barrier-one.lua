return { setup = function(sim, p)
B = sim.barrier(1)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local b = B
while true do t:barrier(b) end
end)
end }
