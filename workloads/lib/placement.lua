-- placement.lua: where a partner task runs, by machine topology.
--
--   local placement = require("placement")
--   local rx = placement.partner(sim, cpu, "other-node", k)

local M = {}

-- The CPU of the k-th partner (k >= 0) of a task on `cpu`: 'same-cpu',
-- 'same-socket' (same node first), 'other-socket', or 'other-node' (same
-- socket first).  Candidates in CPU order, taken round-robin by k; an
-- error if the machine has none.
function M.partner(sim, cpu, where, k)
	if where == "same-cpu" then return cpu end
	local node, socket = sim.cpu_node(cpu), sim.cpu_socket(cpu)
	local best, rest = {}, {}
	for c = 0, sim.ncpus - 1 do
		local n, s = sim.cpu_node(c), sim.cpu_socket(c)
		if c ~= cpu then
			if where == "same-socket" and s == socket then
				if n == node then best[#best + 1] = c else rest[#rest + 1] = c end
			elseif where == "other-socket" and s ~= socket then
				best[#best + 1] = c
			elseif where == "other-node" and n ~= node then
				if s == socket then best[#best + 1] = c else rest[#rest + 1] = c end
			end
		end
	end
	table.move(rest, 1, #rest, #best + 1, best)
	if #best == 0 then error(("receiver = %s: no such CPU for CPU %d on this machine"):format(where, cpu)) end
	return best[1 + k % #best]
end

return M
