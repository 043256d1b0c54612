return { setup = function(sim, p)
sim.slabinfo("workloads/data/cacheset-2.6.29.slabinfo")
end }
