-- wrk_post.lua — POST one new record a request, with Authorization: Bearer
-- TOKEN when BENCH_TOKEN is set.  Environment:
--   BENCH_POST   person (a person with a valid, never-used ID number) or
--                entry (a line of the work log, 工作日志);
--   BENCH_PATH   the URL path (default /api/v1/persons or
--                /api/v1/ledgers/worklog/entries);
--   BENCH_RUN    0..19, a different number for each wrk run on the same
--                store, so that no two runs make the same ID number.
-- Every ID number is made up: region 120101, a birth date 1950–2009 and a
-- sequence number from the run, the wrk thread and the request count,
-- with its GB 11643 check character.
local kind = os.getenv("BENCH_POST") or "person"
local path = os.getenv("BENCH_PATH") or
	(kind == "person" and "/api/v1/persons" or "/api/v1/ledgers/worklog/entries")
local run = tonumber(os.getenv("BENCH_RUN") or "0")
local token = os.getenv("BENCH_TOKEN") or ""
local headers = { ["Content-Type"] = "application/json" }
if token ~= "" then
	headers["Authorization"] = "Bearer " .. token
end

local threads = 0
function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = "10X98765432"

local function id_number(n)
	local y = 1950 + n % 60
	local m = 1 + math.floor(n / 60) % 12
	local d = 1 + math.floor(n / 720) % 28
	local seq = math.floor(n / 20160) % 1000
	local s17 = string.format("120101%04d%02d%02d%03d", y, m, d, seq)
	local sum = 0
	for i = 1, 17 do
		sum = sum + tonumber(s17:sub(i, i)) * weights[i]
	end
	local k = sum % 11 + 1
	return s17 .. checks:sub(k, k)
end

-- Names like the roster's (bench/gen.c): a common surname and one given
-- character (15%) or two, so that the name search's grams are as many as a
-- real name's.
local surnames = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
	"马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "欧阳" }
local given = { "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏",
	"华", "飞", "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "桂", "玉", "兰",
	"婷", "雪", "欣", "怡", "涵", "诗", "雨", "思", "琪", "佳", "晓", "燕", "玲", "慧" }

local function name_of(n)
	local s = surnames[n % #surnames + 1]
	local g1 = given[math.floor(n / #surnames) % #given + 1]
	if n % 20 < 3 then
		return s .. g1
	end
	return s .. g1 .. given[math.floor(n / 7) % #given + 1]
end

local count = 0
function request()
	count = count + 1
	local n = run * 1000000 + count * 8 + (tid or 0)
	local body
	if kind == "person" then
		body = string.format('{"name":"%s","id_number":"%s","residence_type":"registered"}',
			name_of(n), id_number(n))
	else
		body = string.format(
			'{"fields":{"work_date":"2026-12-01","category":"会议","content":"居民议事会 第%d次"}}', n)
	end
	return wrk.format("POST", path, headers, body)
end
