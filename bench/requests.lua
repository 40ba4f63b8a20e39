-- wrk script: sends the pre-signed requests of $BENCH_REQUESTS (bench_org requests), one per
-- call, each exactly once, and counts the answers by status. Prints one summary line:
--   BENCH requests=N ok=N2xx other=N wrapped=0|1 rps=… p50_us=… p99_us=… max_us=… errors=…
-- wrapped=1 means the file ran out and requests were resent (duplicates): make the file longer.

local path = os.getenv("BENCH_REQUESTS")
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   file = assert(io.open(path, "r"))
   ok, other, wrapped = 0, 0, 0
end

local function parse(line)
   local fields, start = {}, 1
   while true do
      local tab = string.find(line, "\t", start, true)
      if not tab then
         table.insert(fields, string.sub(line, start))
         break
      end
      table.insert(fields, string.sub(line, start, tab - 1))
      start = tab + 1
   end
   local count = tonumber(fields[2])
   local headers = {}
   for i = 3, 2 + count do
      local colon = string.find(fields[i], ": ", 1, true)
      headers[string.sub(fields[i], 1, colon - 1)] = string.sub(fields[i], colon + 2)
   end
   return fields[1], headers, fields[3 + count]
end

function request()
   local line = file:read("*l")
   if not line then
      wrapped = 1
      file:seek("set")
      line = file:read("*l")
   end
   local target, headers, body = parse(line)
   return wrk.format("POST", target, headers, body)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      other = other + 1
      if other <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
   end
end

function done(summary, latency, requests)
   local total_ok, total_other, any_wrapped = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_other = total_other + thread:get("other")
      any_wrapped = math.max(any_wrapped, thread:get("wrapped"))
   end
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout
   io.write(string.format(
      "BENCH requests=%d ok=%d other=%d wrapped=%d rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
      summary.requests, total_ok, total_other, any_wrapped, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, errors))
end
