return { setup = function(sim, p)
error("bad parameter")
end }
