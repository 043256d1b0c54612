return { setup = function(sim, p)
sim.cpu_node(-1)
end }
