return { setup = function(sim, p)
string.format("%p", {})
end }
