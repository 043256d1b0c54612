return { setup = function(sim, p)
sim.cache{ name = "z", size = 64 }
sim.cache{ name = "z", size = 64 }
end }
