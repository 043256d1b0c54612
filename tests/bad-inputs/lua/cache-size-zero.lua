return { setup = function(sim, p)
sim.cache{ name = "z", size = 0 }
end }
