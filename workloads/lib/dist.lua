-- dist.lua: random distributions on a task's own stream (t:random), so
-- every draw is deterministic per task whatever the allocator does.
--
--   local dist = require "dist"
--   dist.uniform(t, lo, hi)        float in [lo, hi)
--   dist.exponential(t, mean)      float >= 0 with the given mean
--   dist.zipf(n, s)                sampler of ranks 1..n, P(k) ~ 1 / k^s
--   dist.histogram(buckets)        sampler of values by weight:
--                                  { {value, weight}, ... }
--   sampler:draw(t)                one draw from a sampler
--   dist.choice(t, array)          a uniformly chosen element
--   dist.shuffle(t, array)         shuffles array in place (Fisher-Yates)
--
-- Samplers precompute a cumulative table once (in setup, or once per task)
-- and draw with one t:random() and a binary search: O(log n) per draw.
-- The methods take the task as their first argument; they never call an
-- operation, so they cost no simulated time.

local dist = {}

-- A float uniform in [lo, hi).
function dist.uniform(t, lo, hi)
	return lo + (hi - lo) * t:random()
end

-- An exponential variate of the given mean (inverse CDF: -mean * ln(1-u)).
function dist.exponential(t, mean)
	assert(mean > 0, "exponential: mean must be positive")
	return -mean * math.log(1 - t:random())
end

local Sampler = {}
Sampler.__index = Sampler

-- The smallest index i with cdf[i] > u (cdf ascending, cdf[#cdf] == 1).
local function search(cdf, u)
	local lo, hi = 1, #cdf
	while lo < hi do
		local mid = (lo + hi) // 2
		if cdf[mid] > u then hi = mid else lo = mid + 1 end
	end
	return lo
end

-- One draw: a value of the sampler's table.
function Sampler:draw(t)
	return self.values[search(self.cdf, t:random())]
end

-- A sampler over values[i] with weights[i] (positive numbers).
local function sampler(values, weights)
	local cdf, total = {}, 0
	for i = 1, #weights do
		assert(weights[i] >= 0, "weights must be non-negative")
		total = total + weights[i]
		cdf[i] = total
	end
	assert(total > 0, "a sampler needs a positive total weight")
	for i = 1, #cdf do cdf[i] = cdf[i] / total end
	cdf[#cdf] = 1.0
	return setmetatable({ values = values, cdf = cdf }, Sampler)
end

-- Zipf over ranks 1..n with exponent s (s >= 0; s = 0 is uniform).
function dist.zipf(n, s)
	assert(math.type(n) == "integer" and n >= 1, "zipf: n must be an integer >= 1")
	assert(s >= 0, "zipf: s must be >= 0")
	local values, weights = {}, {}
	for k = 1, n do
		values[k] = k
		weights[k] = 1 / k ^ s
	end
	return sampler(values, weights)
end

-- A histogram: { {value, weight}, ... }, e.g. object sizes seen in
-- /proc/slabinfo weighted by their object counts.
function dist.histogram(buckets)
	assert(type(buckets) == "table" and #buckets > 0, "histogram: expected { {value, weight}, ... }")
	local values, weights = {}, {}
	for i, b in ipairs(buckets) do
		values[i] = b[1]
		weights[i] = b[2]
	end
	return sampler(values, weights)
end

-- A uniformly chosen element of a non-empty array.
function dist.choice(t, array)
	return array[t:random(#array)]
end

-- Shuffle array in place; returns it.
function dist.shuffle(t, array)
	for i = #array, 2, -1 do
		local j = t:random(i)
		array[i], array[j] = array[j], array[i]
	end
	return array
end

return dist
