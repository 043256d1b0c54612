return { setup = function(sim, p)
local a = {}
for i = 1, 1e9 do a[i] = { i } end
end }
