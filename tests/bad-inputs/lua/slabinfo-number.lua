return { setup = function(sim, p)
sim.slabinfo(3)
end }
