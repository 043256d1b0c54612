return { setup = function(sim, p)
sim.kmem_trace("tests/data/perf-kmem-small.txt")
end }
