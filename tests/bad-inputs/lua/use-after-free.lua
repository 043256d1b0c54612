return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local h = t:alloc(c)
t:free(h)
t:touch(h, 8)
end)
end }
