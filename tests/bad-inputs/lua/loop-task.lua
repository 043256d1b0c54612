return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local x = 0
while true do x = x + 1 end
end)
end }
