return { params = { f = { default = "workloads/data/cacheset-2.6.29.slabinfo", type = "file" } },
setup = function(sim, p)
sim.kmem_trace(p.f)
end }
