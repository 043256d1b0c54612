return { setup = function(sim, p)
next({}, "missing")
end }
