return { params = { f = { default = 3, type = "file" } },
setup = function(sim, p) end }
