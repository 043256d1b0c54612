return { setup = function(sim, p)
local f = string.dump(function() end)
end }
