return { setup = function(sim, p)
local s = string.rep("x", 1 << 30)
end }
