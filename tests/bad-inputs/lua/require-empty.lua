return { setup = function(sim, p)
require("")
end }
