return { params = { f = { default = {} } },
setup = function(sim, p) end }
