return { setup = function(sim, p)
while true do end
end }
