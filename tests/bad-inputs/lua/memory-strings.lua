return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local a = {}
for i = 1, 1e9 do a[i] = string.rep("x", 100) .. i end
end)
end }
