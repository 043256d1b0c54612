return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
while true do t:count("x") end
end)
end }
