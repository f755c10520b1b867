"""The browser's own recording of a capture: CDP `Page.startScreencast` frames, kept in memory.

Chromium sends a JPEG each time the page's pixels change (and waits for our acknowledgement
before the next), so a still page costs nothing. Frames less than MIN_GAP_S after the start of
the last kept frame's slot replace it (the latest wins), and past MAX_FRAMES only the latest is
kept, so a page that animates for minutes cannot fill the memory. `capture.output.video` encodes
the frames.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from capture.models import ScreencastFrame
from capture.options import Viewport

if TYPE_CHECKING:
    from playwright.async_api import CDPSession

log = logging.getLogger(__name__)

JPEG_QUALITY = 70
MIN_GAP_S = 0.05
"""Frames closer than this to the last kept one replace it (20 frames a second at most)."""
MAX_FRAMES = 1500
ACK_WAIT_S = 2.0


class Screencast:
    """Records a page's screencast over its CDP session from `start` to `stop`."""

    def __init__(self, session: CDPSession) -> None:
        self._session = session
        self._frames: list[ScreencastFrame] = []
        self._acks: set[asyncio.Task[Any]] = set()
        self._recording = False
        self._listening = False
        self._slot_s = 0.0
        """When the last kept frame's slot began (frames within MIN_GAP_S share a slot)."""

    @property
    def recording(self) -> bool:
        """Return True between a successful start and stop."""
        return self._recording

    async def start(self, viewport: Viewport) -> None:
        """Start the screencast, frames at most the viewport's size; raise on a CDP error."""
        self._session.on("Page.screencastFrame", self._on_frame)
        self._listening = True
        await self._session.send(
            "Page.startScreencast",
            {
                "format": "jpeg",
                "quality": JPEG_QUALITY,
                "maxWidth": viewport.width,
                "maxHeight": viewport.height,
                "everyNthFrame": 1,
            },
        )
        self._recording = True

    async def stop(self) -> tuple[ScreencastFrame, ...]:
        """Stop the screencast and return its frames in order (a gone page stops it too).

        Safe to call again: the frames are returned as they were."""
        if self._recording:
            self._recording = False
            with contextlib.suppress(Exception):  # a page that crashed or closed has stopped
                await self._session.send("Page.stopScreencast")
        if self._listening:
            self._listening = False
            self._session.remove_listener("Page.screencastFrame", self._on_frame)
        if self._acks:
            _, late = await asyncio.wait(self._acks, timeout=ACK_WAIT_S)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return tuple(self._frames)

    def _on_frame(self, params: dict[str, Any]) -> None:
        ack = asyncio.ensure_future(
            self._session.send("Page.screencastFrameAck", {"sessionId": params["sessionId"]})
        )
        self._acks.add(ack)
        ack.add_done_callback(_settled(self._acks))
        if not self._recording:
            return
        frame = ScreencastFrame(
            at_s=float(params.get("metadata", {}).get("timestamp") or 0.0),
            jpeg=base64.b64decode(params["data"]),
        )
        if self._frames and (
            frame.at_s - self._slot_s < MIN_GAP_S or len(self._frames) >= MAX_FRAMES
        ):
            self._frames[-1] = frame  # the latest pixels of this slot win
        else:
            self._frames.append(frame)
            self._slot_s = frame.at_s


def _settled(pending: set[asyncio.Task[Any]]) -> Any:
    """Return a done-callback that forgets a finished acknowledgement (its failure included)."""

    def forget(task: asyncio.Task[Any]) -> None:
        pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("screencast frame not acknowledged", extra={"error": str(task.exception())})

    return forget
