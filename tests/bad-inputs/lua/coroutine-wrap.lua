return { setup = function(sim, p)
coroutine.wrap(print)()
end }
