return { setup = function(sim, p) end
