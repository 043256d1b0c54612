return { setup = function(sim, p)
load("return 1", "x", "b")
end }
