"""Who is capturing what: one lease per capture folder, cancelled submissions, and each host's
next turn, in Redis.

A lease makes a capture exclusive across workers: a task redelivered while the first delivery
still runs (the broker's visibility timeout is shorter than a slow capture) waits for the lease
instead of writing into the same folder. The holder renews it; a killed worker's lease expires,
and `capture run --broker`, finding a started task without its lease, sends that task again.

A host's turn spaces out the starts of captures on one host across every worker process of
every machine (a job's `host_delay`): each start takes the next free turn, at least the delay
after the one before it, on Redis's clock, so machines whose clocks differ still agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

LEASE_PREFIX = "capture:lease:"
CANCELLED_PREFIX = "capture:cancelled:"
CANCELLED_TTL_S = 30 * 24 * 3600
HOST_PREFIX = "capture:host:"

_RENEW_LUA = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE_LUA = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
_HOST_TURN_LUA = """
local clock = redis.call('time')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local start = math.max(now, tonumber(redis.call('get', KEYS[1]) or '0'))
local after = start + tonumber(ARGV[1])
redis.call('set', KEYS[1], after, 'px', after - now + 1000)
return start - now
"""


class Coordination(Protocol):
    """The seam to the shared state of workers (Redis; a dict in unit tests)."""

    async def claim(self, key: str, owner: str, ttl_s: float) -> bool:
        """Return True when owner now holds the lease on key (nobody else held it)."""
        ...

    async def renew(self, key: str, owner: str, ttl_s: float) -> bool:
        """Return True when owner still held the lease on key and it now lasts ttl_s more."""
        ...

    async def release(self, key: str, owner: str) -> None:
        """Give up owner's lease on key (nothing happens when owner does not hold it)."""
        ...

    async def cancelled(self, submission: str) -> bool:
        """Return True when the submission's tasks are not to start any more."""
        ...

    async def host_turn(self, host: str, delay_s: float) -> float:
        """Take host's next turn, at least delay_s after the turn before it (on any worker);
        return the seconds until it comes (0: now)."""
        ...


class RedisCoordination:
    """Coordination in Redis: leases are keys with an expiry, renewed by their owner."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> RedisCoordination:
        """Return coordination on the Redis at url (the broker's)."""
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10))

    async def claim(self, key: str, owner: str, ttl_s: float) -> bool:
        """Return True when owner now holds the lease on key."""
        done = await self.client.set(LEASE_PREFIX + key, owner, nx=True, px=_ms(ttl_s))
        return bool(done)

    async def renew(self, key: str, owner: str, ttl_s: float) -> bool:
        """Return True when owner still held the lease and it was extended."""
        done = await self.client.eval(_RENEW_LUA, 1, LEASE_PREFIX + key, owner, _ms(ttl_s))
        return bool(done)

    async def release(self, key: str, owner: str) -> None:
        """Give up owner's lease on key."""
        await self.client.eval(_RELEASE_LUA, 1, LEASE_PREFIX + key, owner)

    async def cancelled(self, submission: str) -> bool:
        """Return True when the submission was stopped."""
        return bool(await self.client.exists(CANCELLED_PREFIX + submission))

    async def host_turn(self, host: str, delay_s: float) -> float:
        """Take host's next turn (one atomic script, on Redis's clock); return the wait."""
        wait_ms = await self.client.eval(_HOST_TURN_LUA, 1, HOST_PREFIX + host, _ms(delay_s))
        return int(wait_ms) / 1000

    async def close(self) -> None:
        """Close the connections."""
        await self.client.aclose()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
