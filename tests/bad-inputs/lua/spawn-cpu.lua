return { setup = function(sim, p)
sim.spawn(99, function(t) end)
end }
