return { setup = function(sim, p)
sim.spawn(0, 42)
end }
