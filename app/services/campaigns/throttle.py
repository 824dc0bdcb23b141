"""One sending rate per WhatsApp number, shared by every process that sends for it.

A generic cell rate algorithm in Redis (GCRA: the "theoretical arrival time" of the next send,
kept under one key per number): a send is allowed when the next one is due within the burst
tolerance, and the due time moves one interval later; otherwise the caller is told how long to
wait. The clock is Redis's own (TIME inside the script), so processes on several machines with
drifting clocks still share one rate, and adding workers never exceeds it: they only share it.

A provider that says "too many requests" pushes the due time later for every sender of that
number (`hold`), so the whole campaign slows down, not only the worker that was told.
"""

from app import queues

PREFIX = "parley:throttle:"

_TAKE = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
if due < now_us then due = now_us end
local wait = due - tolerance - now_us
if wait > 0 then return wait end
redis.call('SET', KEYS[1], string.format('%.0f', due + interval), 'PX', math.floor((due + interval - now_us) / 1000) + 1000)
return 0
"""

_HOLD = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_us = now_us + tonumber(ARGV[1])
if due < until_us then
  redis.call('SET', KEYS[1], string.format('%.0f', until_us), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000)
end
return 1
"""


def take(key, per_second, burst=1):
    """Take one send of `key`'s rate: 0 when it may go now, else the seconds to wait before
    asking again (nothing is taken then)."""
    interval = round(1_000_000 / per_second)  # microseconds, whole: Redis keeps the due time as an integer
    wait_us = queues.run_script(_TAKE, [PREFIX + key], [interval, interval * (burst - 1)])
    return wait_us / 1_000_000


def hold(key, seconds):
    """Nobody sends for `key` for `seconds` (the provider asked to slow down)."""
    queues.run_script(_HOLD, [PREFIX + key], [int(seconds * 1_000_000)])
