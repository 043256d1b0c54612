return { setup = function(sim, p)
io.open("/etc/passwd")
end }
