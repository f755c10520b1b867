"""Tasks started from event callbacks (network events, paused requests), kept until they end.

asyncio holds only weak references to tasks: one nobody keeps can be collected mid-flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    """The tasks an event handler started and that have not finished yet."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run coro as a task, referenced here until it ends."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
