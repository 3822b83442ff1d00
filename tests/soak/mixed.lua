-- scripts/soak's mixed workload for wrk: per 100 requests, 45 GET /users/me (bearer),
-- 8 lists (GET /roles?limit=20), 45 key checks (/auth/check with X-API-Key) and one role
-- creation followed by its DELETE on the same thread (so the table does not grow); one
-- request in 2000 is a login instead. (A write costs some 15 ms of a worker, a read 3 ms:
-- more writes would make a million requests take an hour on 2 cores.) Names are unique per run, segment, thread and request.
-- Every status that is not 2xx is counted and printed by done(); scripts/soak fails on it.
-- From the environment: SOAK_TOKEN, SOAK_KEY, SOAK_EMAIL, SOAK_PASSWORD, SOAK_TAG.

local threads = {}
local next_id = 1

function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

function init(args)
	bad = 0
	bad_statuses = ""
	n = 0
	deletes = {}
	local token = os.getenv("SOAK_TOKEN")
	tag = os.getenv("SOAK_TAG") .. "-" .. id
	bearer = { ["Authorization"] = "Bearer " .. token }
	json_bearer = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
	check_hdrs = { ["X-API-Key"] = os.getenv("SOAK_KEY"), ["X-Original-URI"] = "/",
		["X-Original-Method"] = "GET" }
	me = wrk.format("GET", "/api/v1/users/me", bearer)
	list = wrk.format("GET", "/api/v1/roles?limit=20", bearer)
	check = wrk.format("GET", "/api/v1/auth/check", check_hdrs)
	login = wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
		'{"email":"' .. os.getenv("SOAK_EMAIL") .. '","password":"' .. os.getenv("SOAK_PASSWORD") .. '"}')
end

function request()
	local d = table.remove(deletes)
	if d then
		return wrk.format("DELETE", d, bearer)
	end
	n = n + 1
	if n % 2000 == 0 then
		return login
	end
	local r = n % 99
	if r < 45 then
		return me
	elseif r < 53 then
		return list
	elseif r < 98 then
		return check
	end
	return wrk.format("POST", "/api/v1/roles", json_bearer,
		'{"name":"soak-' .. tag .. '-' .. n .. '"}')
end

function response(status, headers, body)
	if status == 201 then
		local id = body:match('"id":"([0-9a-f-]+)"')
		if id then
			table.insert(deletes, "/api/v1/roles/" .. id)
		end
	end
	if status < 200 or status > 299 then
		bad = bad + 1
		if #bad_statuses < 200 then
			bad_statuses = bad_statuses .. " " .. status
		end
	end
end

function done(summary, latency, requests)
	local total = 0
	local seen = ""
	for _, t in ipairs(threads) do
		total = total + t:get("bad")
		seen = seen .. (t:get("bad_statuses") or "")
	end
	io.write(string.format("soak-bad: %d%s\n", total, seen))
end
