return { setup = function(sim, p)
local saved
sim.spawn(0, function(t) saved = t; t:think(100) end)
sim.spawn(1, function(t) t:think(1); saved:alloc(64) end)
end }
