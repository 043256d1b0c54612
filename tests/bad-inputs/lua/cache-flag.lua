return { setup = function(sim, p)
sim.cache{ name = "z", size = 64, flags = "HWCACHE_ALIGN|FAST" }
end }
