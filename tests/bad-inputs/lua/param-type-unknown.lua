return { params = { f = { default = "x", type = "dir" } },
setup = function(sim, p) end }
