local saved
return { setup = function(sim, p)
local c = sim.cache{ name = "d", size = 64, ops = { kick = function(h) saved:alloc(64); return "move" end } }
sim.spawn(0, function(t) saved = t
local objs = t:alloc_n(c, 200)
for i = 1, #objs, 2 do t:free(objs[i]) end
t:defrag(c, 0) end)
end }
