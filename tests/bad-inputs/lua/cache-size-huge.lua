return { setup = function(sim, p)
sim.cache{ name = "z", size = 1 << 40 }
end }
