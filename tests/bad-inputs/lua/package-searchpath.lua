return { setup = function(sim, p)
print(package.searchpath("shadow", "/etc/?"))
end }
