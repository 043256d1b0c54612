return { setup = function(sim, p)
debug.sethook()
end }
