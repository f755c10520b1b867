"""RedisCoordination's scripts on a real redis-server: leases, cancellation, hosts' turns.

These tests stay on the wall clock: leases lapse and turns pass on Redis's own clock (key TTLs,
its TIME), which no test can move; the waits are kept a few tenths of a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from capture.distributed.lease import CANCELLED_PREFIX, RedisCoordination
from tests.redis_server import redis_server


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[RedisCoordination]:
    """Yield coordination on a fresh redis-server."""
    with redis_server(tmp_path) as port:
        coordination = RedisCoordination.from_url(f"redis://127.0.0.1:{port}/0")
        try:
            yield coordination
        finally:
            await coordination.close()


async def test_a_lease_is_held_by_one_owner_renewed_by_it_and_given_back(
    shared: RedisCoordination,
) -> None:
    assert await shared.claim("run/captures/a", "w1", 5)
    assert not await shared.claim("run/captures/a", "w2", 5)
    assert await shared.renew("run/captures/a", "w1", 5)
    assert not await shared.renew("run/captures/a", "w2", 5)
    await shared.release("run/captures/a", "w2")  # not its lease: nothing happens
    assert not await shared.claim("run/captures/a", "w2", 5)
    await shared.release("run/captures/a", "w1")
    assert await shared.claim("run/captures/a", "w2", 5)


async def test_a_lease_of_a_killed_worker_expires(shared: RedisCoordination) -> None:
    assert await shared.claim("k", "dead", 0.1)
    await asyncio.sleep(0.25)
    assert not await shared.renew("k", "dead", 5)
    assert await shared.claim("k", "alive", 5)


async def test_a_stopped_submission_is_seen_as_cancelled(shared: RedisCoordination) -> None:
    assert not await shared.cancelled("sub-1")
    await shared.client.set(CANCELLED_PREFIX + "sub-1", 1)
    assert await shared.cancelled("sub-1")


async def test_turns_on_a_host_come_one_delay_apart_whoever_asks(
    shared: RedisCoordination,
) -> None:
    waits = await asyncio.gather(*(shared.host_turn("news.example", 0.5) for _ in range(4)))

    for turn, wait in enumerate(sorted(waits)):  # each half a second after the one before
        assert turn * 0.5 - 0.25 <= wait <= turn * 0.5
    assert await shared.host_turn("other.example", 0.5) == 0.0  # hosts do not wait for each other
    ttl_ms = await shared.client.pttl("capture:host:news.example")
    assert 0 < ttl_ms <= 3000  # the key goes once its turns have passed


async def test_a_turn_long_past_does_not_hold_the_next_one(shared: RedisCoordination) -> None:
    assert await shared.host_turn("news.example", 0.05) == 0.0
    await asyncio.sleep(0.1)
    assert await shared.host_turn("news.example", 0.05) == 0.0
