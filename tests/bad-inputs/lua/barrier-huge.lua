return { setup = function(sim, p)
sim.barrier(2^32 + 1)
end }
