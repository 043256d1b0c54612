return { setup = function(sim, p)
require("os")
end }
