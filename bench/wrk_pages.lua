-- wrk_pages.lua — GET BENCH_PATH, each request with the next of the web
-- sessions in BENCH_COOKIES (space-separated "name=value" cookies), so
-- that the load comes from that many sessions at once.
-- Environment: BENCH_PATH, BENCH_COOKIES.
local path = os.getenv("BENCH_PATH") or "/"
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "%S+") do
	cookies[#cookies + 1] = c
end

local threads = 0
function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

local i = 0
function init(args)
	i = (tid or 0) * 17
end

function request()
	i = i + 1
	local headers = {}
	if #cookies > 0 then
		headers["Cookie"] = cookies[(i % #cookies) + 1]
	end
	return wrk.format("GET", path, headers)
end
