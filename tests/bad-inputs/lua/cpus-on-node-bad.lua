return { setup = function(sim, p)
sim.cpus_on_node(1 << 40)
end }
