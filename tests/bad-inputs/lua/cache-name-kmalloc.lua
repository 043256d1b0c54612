return { setup = function(sim, p)
sim.cache{ name = "kmalloc-64", size = 64 }
end }
