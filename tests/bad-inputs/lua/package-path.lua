return { setup = function(sim, p)
package.path = "/tmp/?.lua"
end }
