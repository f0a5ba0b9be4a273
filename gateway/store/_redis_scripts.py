"""The Lua scripts behind every compound Redis operation of the store.

Redis runs a script alone, start to finish, so each one is atomic across every replica.  Scripts
that reason about time read the server's clock (``TIME``) in whole microseconds: replicas' clocks
never matter, and microseconds since 1970 (~1.8e15) are exact in a Lua number and a sorted-set
score (doubles are exact to 2^53 ~ 9e15).  Numbers travel back as strings formatted with
``%.17g``, because Redis truncates a Lua number reply to an integer.
"""

from __future__ import annotations

from typing import Final

_NOW: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
"""

# Keep a key at least ``ms`` milliseconds (never shorten what another holder needs).
_KEEP_FOR: Final = """
local function keep_for(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
"""

# KEYS: key; ARGV: value, ttl_ms.  Nil when claimed, else the value already there.
CLAIM: Final = """
local present = redis.call('GET', KEYS[1])
if present then return present end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""

# KEYS: key; ARGV: expected, value, ttl_ms.  1 when replaced.
SWAP: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

# KEYS: key; ARGV: expected.  1 when removed.
DELETE_EXPECTED: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""

# KEYS: key; ARGV: ttl_ms.  The new value; the counter lives ttl_ms from this increment.
INCREMENT: Final = """
local value = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return value
"""

# KEYS: bucket; ARGV: cost, per_second, burst.  Seconds to wait, "0" when spent.
# An absent bucket is full, so the key expires once the bucket would have refilled.
TAKE: Final = (
    _NOW
    + """
local cost, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'level', 'stamp')
local level = tonumber(state[1]) or burst
local stamp = tonumber(state[2]) or now
level = math.min(burst, level + math.max(0, now - stamp) / 1000000 * rate)
local price = math.min(cost, burst)
local wait = 0
if level >= price then level = level - price else wait = (price - level) / rate end
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'stamp', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - level) / rate * 1000) + 1000)
return string.format('%.17g', wait)
"""
)

# KEYS: window (a sorted set of events scored by time); ARGV: limit, window_us, member.
# Microseconds until the oldest event leaves the window, 0 when counted.
ADMIT: Final = (
    _NOW
    + """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(tonumber(oldest[2]) + window - now, 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1)
return 0
"""
)

# Slots: a sorted set of lease token -> expiry (server microseconds); expired leases are dropped
# on every call, so a dead replica's slots come back without anyone cleaning up after it.
_DROP_EXPIRED: Final = _NOW + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"

# KEYS: pool; ARGV: limit, lease_us, token.  1 when the token now holds a slot.
ACQUIRE: Final = (
    _KEEP_FOR
    + _DROP_EXPIRED
    + """
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
keep_for(KEYS[1], math.ceil(tonumber(ARGV[2]) / 1000) + 1)
return 1
"""
)

# KEYS: pool; ARGV: lease_us, token.  1 when the lease was live and is extended.
RENEW: Final = (
    _KEEP_FOR
    + _DROP_EXPIRED
    + """
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
keep_for(KEYS[1], math.ceil(tonumber(ARGV[1]) / 1000) + 1)
return 1
"""
)

# KEYS: pool.  How many live leases it has.
HELD: Final = _DROP_EXPIRED + "return redis.call('ZCARD', KEYS[1])\n"
