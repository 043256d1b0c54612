return { setup = function(sim, p)
require("../lib/dist")
end }
