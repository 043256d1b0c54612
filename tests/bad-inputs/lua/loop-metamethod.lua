return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
setmetatable(_G, { __index = function() while true do end end })
local y = undefined_global
end)
end }
