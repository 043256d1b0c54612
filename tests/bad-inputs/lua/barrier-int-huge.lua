return { setup = function(sim, p)
sim.barrier((1 << 32) + 1)
end }
