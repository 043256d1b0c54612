return { setup = function(sim, p)
require("/etc/passwd")
end }
