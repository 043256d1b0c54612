return { params = { f = print },
setup = function(sim, p) end }
