return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
t:count("r", t:random(math.mininteger, math.maxinteger) ~= nil and 1 or 0)
end)
end }
