return { setup = function(sim, p)
loadfile("/etc/passwd")
end }
