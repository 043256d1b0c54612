return { setup = function(sim, p)
dofile("/etc/passwd")
end }
