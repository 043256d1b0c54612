return { params = { f = { default = "workloads/data/cacheset-2.6.29.slabinfo", type = "file" } },
setup = function(sim, p)
sim.slabinfo(p.f .. "")
end }
