return { setup = function(sim, p)
sim.cache{ name = "z", size = 64, align = 3 }
end }
