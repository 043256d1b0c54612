return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local s = string.rep("a", 200000)
s:find(".-.-.-.-.-b")
end)
end }
