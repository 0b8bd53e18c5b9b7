-- wrk_search.lua — GET /api/v1/persons?q=Q for each line Q of the file
-- BENCH_QUERIES (already percent-encoded), in turn, with Authorization:
-- Bearer BENCH_TOKEN.  Each wrk thread starts at a different line.
local path = os.getenv("BENCH_QUERIES") or "var/q_name.txt"
local token = os.getenv("BENCH_TOKEN") or ""
local headers = {}
if token ~= "" then
	headers["Authorization"] = "Bearer " .. token
end
local queries = {}
for line in io.lines(path) do
	if line ~= "" then
		queries[#queries + 1] = line
	end
end

local threads = 0
function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

local i = 0
function init(args)
	i = (tid or 0) * 97
end

function request()
	i = i + 1
	local q = queries[i % #queries + 1]
	return wrk.format("GET", "/api/v1/persons?q=" .. q, headers)
end
