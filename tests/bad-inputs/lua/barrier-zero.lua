return { setup = function(sim, p)
sim.barrier(0)
end }
