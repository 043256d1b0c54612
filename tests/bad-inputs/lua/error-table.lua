return { setup = function(sim, p)
error({})
end }
