return { setup = function(sim, p)
local c = sim.cache{ name = "c", size = 64 }
sim.spawn(0, function(t)
local k = {}
for i = 1, 50 do k["k" .. i] = i; k[{}] = i end
local s = {}
for key, v in pairs(k) do s[#s+1] = type(key) == "string" and key or tostring(v) end
t:count(table.concat(s, ","):sub(1, 40))
end)
end }
