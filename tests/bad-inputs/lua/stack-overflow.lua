return { setup = function(sim, p)
local function f() return 1 + f() end
f()
end }
