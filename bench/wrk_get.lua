-- wrk_get.lua — GET PREFIX{id} with ids spread over 1..N (a stride walk,
-- a different start in each wrk thread), and Authorization: Bearer TOKEN
-- when BENCH_TOKEN is set.  Environment: BENCH_N, BENCH_PREFIX, BENCH_TOKEN.
local n = tonumber(os.getenv("BENCH_N") or "1000")
local prefix = os.getenv("BENCH_PREFIX") or "/persons/"
local token = os.getenv("BENCH_TOKEN") or ""
local headers = {}
if token ~= "" then
	headers["Authorization"] = "Bearer " .. token
end

local threads = 0
function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

local i = 0
function init(args)
	i = (tid or 0) * 7919
end

function request()
	i = i + 1
	local id = (i * 104729) % n + 1
	return wrk.format("GET", prefix .. id, headers)
end
