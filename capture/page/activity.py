"""How busy a page's network is: when it was last active, and waiting for it to go quiet.

Pure timing over a monotonic clock (`capture.steps.MonotonicClock`, the real one unless a test
injects a fake) and asyncio: the recorder reports events, and says what keeps the network busy
(requests still waiting for an answer); the settle step waits here.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable

from capture.steps import SYSTEM_CLOCK, MonotonicClock

BODY_HOLD_S = 1.0
"""How long a body still arriving after its headers holds the quiet: an image or a script on
the wire is waited for, a stream that never ends (a beacon, server-sent events) is not."""


class NetworkActivity:
    """The network's last events, and waits for it to go quiet."""

    def __init__(
        self,
        busy: Callable[[], bool],
        arriving: Callable[[], float | None] = lambda: None,
        clock: MonotonicClock = SYSTEM_CLOCK,
    ) -> None:
        self._busy = busy
        self._arriving = arriving
        """When the newest body still arriving had its headers (on clock), or None."""
        self.clock = clock
        """The time events are noted in and quiet is waited on."""
        self._last = clock.now()
        self._last_code = -math.inf
        """When the last script or frame document ended."""
        self.count = 0
        """Counts events: unchanged across a look at the page, nothing happened meanwhile."""
        self._changed = asyncio.Event()

    def touch(self) -> None:
        """Note an event, and wake whoever waits."""
        self._last = self.clock.now()
        self.count += 1
        self.wake()

    def wake(self) -> None:
        """Wake whoever waits to look again (what keeps the network busy changed), without
        counting an event."""
        self._changed.set()
        self._changed = asyncio.Event()

    def code_arrived(self) -> None:
        """Note that a script or frame document ended: its code runs from now on."""
        self._last_code = self.clock.now()

    async def wait_quiet(
        self,
        quiet_s: float,
        timeout_s: float,
        *,
        after_code_s: float = 0.0,
        loaded_at: float = -math.inf,
    ) -> bool:
        """Return True once the network was idle for quiet_s seconds; False at timeout_s.

        Quiet counts from the last event, which may be before this call; events before
        `loaded_at` (the clock's time at the load event) ask for none: what they led to ran
        before `load`, or runs before the page's next look. A script or frame document that
        ended after `loaded_at` asks for `after_code_s` of quiet instead: its code runs only
        after it arrives.
        """
        return await self.wait_until(
            lambda: self._quiet_left(quiet_s, after_code_s, loaded_at), timeout_s
        )

    def _quiet_left(self, quiet_s: float, after_code_s: float, loaded_at: float) -> float | None:
        """Return 0 when quiet, the seconds quiet still needs, or None while busy."""
        if self._busy():
            return None
        now = self.clock.now()
        left = quiet_s - (now - self._last) if self._last > loaded_at else 0.0
        if (headers_at := self._arriving()) is not None:
            left = max(left, headers_at + BODY_HOLD_S - now)
        if self._last_code > loaded_at:
            left = max(left, after_code_s - (now - self._last_code))
        return max(0.0, left)

    async def wait_until(self, left: Callable[[], float | None], timeout_s: float) -> bool:
        """Wake on every event until left() says 0; return False at timeout_s.

        left() returns the seconds still to wait, or None to wait for the next event.
        """
        try:
            async with self.clock.timeout(max(timeout_s, 0.0)):
                while (wait_s := left()) != 0:
                    changed = self._changed
                    if wait_s is None:
                        await changed.wait()
                        continue
                    with contextlib.suppress(TimeoutError):
                        async with self.clock.timeout(wait_s):
                            await changed.wait()
        except TimeoutError:
            return False
        return True
