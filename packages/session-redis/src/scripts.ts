import { createHash } from "node:crypto";

/**
 * The server-side half of the store: each mutation is ONE Lua script, so it runs atomically (no other
 * command interleaves) and its expiry changes land in the same step as its writes. Every script reads
 * and checks first and writes last: Redis only refuses a script for lack of memory at its first write,
 * so a batch is all or nothing. Every key a script touches is passed in KEYS.
 *
 * Replies are arrays whose first element is a status word; nil never appears inside an array (it would
 * cut a Lua table short), absent values are "".
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Shared prelude: `live(key, now)` -> exists and not expired; `num(x)` -> ms as an integer string. */
const PRELUDE = `
local function num(x) return string.format('%.0f', x) end
local function live(key, now)
  local meta = redis.call('HMGET', key, 'id', 'ea')
  if not meta[1] then return false, nil end
  if meta[2] and tonumber(meta[2]) <= now then return false, meta[2] end
  return true, meta[2]
end
local function expire_all(ea, k1, k2, k3, k4)
  if ea then
    redis.call('PEXPIREAT', k1, ea) redis.call('PEXPIREAT', k2, ea)
    redis.call('PEXPIREAT', k3, ea) redis.call('PEXPIREAT', k4, ea)
  else
    redis.call('PERSIST', k1) redis.call('PERSIST', k2) redis.call('PERSIST', k3) redis.call('PERSIST', k4)
  end
end
`;

/** The session fields returned to build a SessionInfo, in this order. */
export const SESSION_FIELDS = ["id", "u", "a", "st", "md", "ca", "ua", "ea", "ls"] as const;

const SESSION_REPLY = `
local function session_reply(key)
  local v = redis.call('HMGET', key, 'id', 'u', 'a', 'st', 'md', 'ca', 'ua', 'ea', 'ls')
  for i = 1, 9 do if not v[i] then v[i] = '' end end
  return v
end
`;

/**
 * KEYS: s m d y reg exp, then nOld old index keys, then the new index keys.
 * ARGV: member now expectedMembership newMembership nOld sessionId userId agentId status metadata expiresAt
 * Replies: {'conflict'} | {'retry', currentMembership} | {'ok'}
 */
export const CREATE = script(
  "create",
  `${PRELUDE}
local now = tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 and live(KEYS[1], now) then return {'conflict'} end
local cur = redis.call('HGET', KEYS[5], ARGV[1]) or ''
if cur ~= ARGV[3] then return {'retry', cur} end
local nOld = tonumber(ARGV[5])
for i = 7, 6 + nOld do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'id', ARGV[6], 'st', ARGV[9], 'md', ARGV[10], 'ca', ARGV[2], 'ua', ARGV[2], 'ls', '0', 'sv', '0')
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'u', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'a', ARGV[8]) end
for i = 7 + nOld, #KEYS do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1]) end
redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[1], 'ea', ARGV[11])
  redis.call('ZADD', KEYS[6], ARGV[11], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[11])
else
  redis.call('ZREM', KEYS[6], ARGV[1])
end
return {'ok'}
`,
);

/**
 * KEYS: s m d y reg exp, then nOld old index keys, then the new index keys.
 * ARGV: member now expectedMembership ('*': not moving between indexes) newMembership nOld
 *       setUser userId setAgent agentId setStatus status setMetadata metadata setExpiry expiresAt
 * Replies: {'notfound'} | {'retry', currentMembership} | {'ok', <session fields>}
 */
export const UPDATE = script(
  "update",
  `${PRELUDE}${SESSION_REPLY}
local now = tonumber(ARGV[2])
if not live(KEYS[1], now) then return {'notfound'} end
-- '*': the patch moves the session between no indexes, so its membership does not matter.
local cur = redis.call('HGET', KEYS[5], ARGV[1]) or ''
if ARGV[3] ~= '*' and cur ~= ARGV[3] then return {'retry', cur} end
local function patch(flag, field, value)
  if ARGV[flag] ~= '1' then return end
  if value == '' then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
end
patch(6, 'u', ARGV[7])
patch(8, 'a', ARGV[9])
patch(10, 'st', ARGV[11])
patch(12, 'md', ARGV[13])
patch(14, 'ea', ARGV[15])
redis.call('HSET', KEYS[1], 'ua', ARGV[2])
if ARGV[3] ~= '*' and ARGV[4] ~= ARGV[3] then
  local nOld = tonumber(ARGV[5])
  local ca = redis.call('HGET', KEYS[1], 'ca')
  for i = 7, 6 + nOld do redis.call('ZREM', KEYS[i], ARGV[1]) end
  for i = 7 + nOld, #KEYS do redis.call('ZADD', KEYS[i], ca, ARGV[1]) end
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
end
local reply = session_reply(KEYS[1])
if ARGV[14] == '1' then
  if ARGV[15] == '' then
    redis.call('ZREM', KEYS[6], ARGV[1])
    expire_all(nil, KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  else
    redis.call('ZADD', KEYS[6], ARGV[15], ARGV[1])
    expire_all(ARGV[15], KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  end
end
table.insert(reply, 1, 'ok')
return reply
`,
);

/**
 * Delete a session (or, with onlyIfExpired, purge it when it is due: the prune path).
 * KEYS: s m d y reg exp, then the index keys of expectedMembership.
 * ARGV: member now expectedMembership onlyIfExpired
 * Replies: {'live'} (not due; expiry schedule repaired) | {'retry', currentMembership} | {'done', wasLive, removedSomething}
 */
export const REMOVE = script(
  "remove",
  `${PRELUDE}
local now = tonumber(ARGV[2])
local exists = redis.call('EXISTS', KEYS[1]) == 1
local alive, ea = live(KEYS[1], now)
if ARGV[4] == '1' and alive then
  if ea then redis.call('ZADD', KEYS[6], ea, ARGV[1]) else redis.call('ZREM', KEYS[6], ARGV[1]) end
  return {'live'}
end
local cur = redis.call('HGET', KEYS[5], ARGV[1]) or ''
if cur ~= ARGV[3] then return {'retry', cur} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for i = 7, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('HDEL', KEYS[5], ARGV[1])
local scheduled = redis.call('ZREM', KEYS[6], ARGV[1])
local removed = 0
if exists or cur ~= '' or scheduled == 1 then removed = 1 end
return {'done', alive and 1 or 0, removed}
`,
);

/**
 * KEYS: s m d y exp
 * ARGV: member now expiryMode expiryValue n, then n pairs (messageId, encodedMessage)
 *   expiryMode: 'keep' | 'set' (value = expiresAt ms) | 'clear' | 'slide' (value = ttl ms; only extends)
 * Replies: {'notfound'} | {'ok', lastSeq, expiresAt or '', then per message: seq, storedEncoding or ''}
 */
export const APPEND = script(
  "append",
  `${PRELUDE}
local now = tonumber(ARGV[2])
local meta = redis.call('HMGET', KEYS[1], 'ls', 'ea')
if not meta[1] then return {'notfound'} end
local ea = meta[2]
if ea and tonumber(ea) <= now then return {'notfound'} end
local seq = tonumber(meta[1])
local out = {'ok', 0, ''}
local n = tonumber(ARGV[5])
for i = 1, n do
  local id = ARGV[4 + 2 * i]
  local known = redis.call('HGET', KEYS[3], id)
  if known then
    out[#out + 1] = tonumber(known)
    out[#out + 1] = redis.call('HGET', KEYS[2], known) or ''
  else
    seq = seq + 1
    redis.call('HSET', KEYS[2], seq, ARGV[5 + 2 * i])
    redis.call('HSET', KEYS[3], id, seq)
    out[#out + 1] = seq
    out[#out + 1] = ''
  end
end
redis.call('HSET', KEYS[1], 'ls', seq, 'ua', ARGV[2])
local mode = ARGV[3]
if mode == 'set' then
  ea = ARGV[4]
elseif mode == 'clear' then
  ea = nil
elseif mode == 'slide' and ea then
  local want = now + tonumber(ARGV[4])
  if want > tonumber(ea) then ea = num(want) end
end
if ea then
  redis.call('HSET', KEYS[1], 'ea', ea)
  redis.call('ZADD', KEYS[5], ea, ARGV[1])
  out[3] = ea
elseif mode == 'clear' then
  redis.call('HDEL', KEYS[1], 'ea')
  redis.call('ZREM', KEYS[5], ARGV[1])
end
if ea or mode == 'clear' then expire_all(ea, KEYS[1], KEYS[2], KEYS[3], KEYS[4]) end
out[2] = seq
return out
`,
);

/**
 * Read a window of seqs: forward from afterSeq, or backward from beforeSeq (for "last N").
 * KEYS: s m
 * ARGV: now afterSeq beforeSeq count direction('f'|'b')
 * Replies: {'notfound'} | {'ok', lastSeq, firstSeqReturned, encoded...}
 */
export const READ = script(
  "read",
  `${PRELUDE}
local now = tonumber(ARGV[1])
local meta = redis.call('HMGET', KEYS[1], 'ls', 'ea')
if not meta[1] then return {'notfound'} end
if meta[2] and tonumber(meta[2]) <= now then return {'notfound'} end
local last = tonumber(meta[1])
local after, before, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local hi = math.min(last, before - 1)
local lo
if ARGV[5] == 'b' then
  lo = math.max(after + 1, hi - count + 1)
else
  lo = after + 1
  hi = math.min(hi, after + count)
end
local out = {'ok', last, lo}
local from = lo
while from <= hi do
  local to = math.min(hi, from + 999)
  local fields = {}
  for s = from, to do fields[#fields + 1] = s end
  local values = redis.call('HMGET', KEYS[2], unpack(fields))
  for i = 1, #fields do out[#out + 1] = values[i] or '' end
  from = to + 1
end
return out
`,
);

/**
 * KEYS: s y
 * ARGV: now encodedSummary
 * Replies: {'notfound'} | {'ok', version}
 */
export const PUT_SUMMARY = script(
  "put_summary",
  `${PRELUDE}
local alive, ea = live(KEYS[1], tonumber(ARGV[1]))
if not alive then return {'notfound'} end
local version = redis.call('HINCRBY', KEYS[1], 'sv', 1)
redis.call('HSET', KEYS[2], version, ARGV[2])
if ea then redis.call('PEXPIREAT', KEYS[2], ea) end
return {'ok', version}
`,
);

/**
 * KEYS: s y
 * ARGV: now
 * Replies: {'notfound'} | {'ok', version, encodedSummary} (version 0: none yet)
 */
export const GET_SUMMARY = script(
  "get_summary",
  `${PRELUDE}
if not live(KEYS[1], tonumber(ARGV[1])) then return {'notfound'} end
local version = tonumber(redis.call('HGET', KEYS[1], 'sv') or '0')
if version == 0 then return {'ok', 0, ''} end
return {'ok', version, redis.call('HGET', KEYS[2], version) or ''}
`,
);

/**
 * KEYS: s
 * ARGV: now field value
 * Replies: {'notfound'} | {'ok', currentValue}
 */
export const RAISE_WATERMARK = script(
  "raise_watermark",
  `${PRELUDE}
if not live(KEYS[1], tonumber(ARGV[1])) then return {'notfound'} end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local want = tonumber(ARGV[3])
if want > cur then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) cur = want end
return {'ok', cur}
`,
);

/**
 * Drop one listing-index entry whose session is gone or expired (lazy cleanup while listing). Guarded:
 * a session recreated under the same id since the listing read it keeps its entry.
 * KEYS: indexKey s
 * ARGV: member now
 */
export const UNLIST_IF_DEAD = script(
  "unlist_if_dead",
  `${PRELUDE}
if live(KEYS[2], tonumber(ARGV[2])) then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])
`,
);

/**
 * KEYS: meta
 * ARGV: version
 * Replies: {'ok', previousVersion} | {'newer', storedVersion}
 */
export const SETUP = script(
  "setup",
  `
local stored = tonumber(redis.call('HGET', KEYS[1], 'schema_version') or '0')
local wanted = tonumber(ARGV[1])
if stored > wanted then return {'newer', stored} end
if stored < wanted then redis.call('HSET', KEYS[1], 'schema_version', ARGV[1]) end
return {'ok', stored}
`,
);

export const ALL_SCRIPTS = [
  CREATE,
  UPDATE,
  REMOVE,
  APPEND,
  READ,
  PUT_SUMMARY,
  GET_SUMMARY,
  RAISE_WATERMARK,
  UNLIST_IF_DEAD,
  SETUP,
];
