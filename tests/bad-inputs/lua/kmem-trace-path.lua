return { setup = function(sim, p)
sim.kmem_trace("/etc/passwd")
end }
