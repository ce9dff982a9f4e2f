-- wrk script for tools/bench_cluster.sh: every request is a put of a new key
-- with a 300-byte value through etcd's v3 JSON gateway (grpc-gateway), whose
-- body carries the key and value as standard base64 (RFC 4648 §4):
--   POST <path> {"key": "<base64>", "value": "<base64>"}
-- The path comes from the URL given to wrk (/v3/kv/put for etcd 3.4).
--
-- No encoder is needed: any string of base64 alphabet characters whose length
-- is a multiple of 4 is valid base64 without padding, and decoding is
-- injective. So the key is "YmVuY2gv" (base64 of "bench/") followed by the
-- thread number and the request counter as decimal digits (4 + 12 = 16
-- characters, decoding to 12 distinct bytes per request), and the value is 400
-- alphabet characters, which decode to exactly 300 bytes.

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local value_b64 = string.sub(string.rep(alphabet, 7), 1, 400)

-- setup() runs in wrk's main Lua state once per thread, before the threads
-- start: it numbers them so that no two threads make the same key.
local threads_started = 0
function setup(thread)
  thread:set("thread_number", threads_started)
  threads_started = threads_started + 1
end

local sent = 0
local body_head = '{"key":"YmVuY2gv'
local body_tail = '","value":"' .. value_b64 .. '"}'
local headers = { ["Content-Type"] = "application/json" }

function request()
  sent = sent + 1
  local body = body_head .. string.format("%04d%012d", thread_number, sent) .. body_tail
  return wrk.format("POST", nil, headers, body)
end
