return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local a = {}
while true do pcall(function() for i = 1, 1e9 do a[#a+1] = {} end end) end
end)
end }
