return { params = { f = { default = "no/such/file", type = "file" } },
setup = function(sim, p) end }
