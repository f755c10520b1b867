"""What a page does that a capture must answer or note: dialogs, downloads, a PDF viewer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from capture.models import PageEvent

if TYPE_CHECKING:
    from playwright.async_api import Dialog, Download, Page

SaveDownload = Callable[["Download", Path | None], None]
"""Hands a finished download's file (or None when it was cancelled) to the recorder."""


class PageEvents:
    """Answers every dialog, saves every download, and keeps the log of both."""

    def __init__(self, clock: Callable[[], datetime], save_download: SaveDownload) -> None:
        self._clock = clock
        self._save_download = save_download
        self.events: list[PageEvent] = []
        self._answers: set[asyncio.Future[None]] = set()
        self._downloads: list[asyncio.Future[None]] = []

    def watch(self, page: Page) -> None:
        """Start answering page's dialogs and saving its downloads."""
        page.on("dialog", self._on_dialog)
        page.on("download", self._on_download)

    def note(self, kind: str, message: str, action: str) -> None:
        """Record something the page did that the capture noted (e.g. a PDF shown)."""
        self.events.append(PageEvent(kind=kind, message=message, at=self._clock(), action=action))

    @property
    def downloading(self) -> bool:
        """Return True when a download was started."""
        return bool(self._downloads)

    async def finish(self, timeout_s: float) -> None:
        """Wait up to timeout_s for answers and downloads, then cancel the ones still running."""
        tasks = [*self._answers, *self._downloads]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()

    def _on_dialog(self, dialog: Dialog) -> None:
        # A dialog nobody answers blocks the page; answer every one and say so.
        action = "dismissed" if dialog.type == "prompt" else "accepted"
        self.note(f"dialog:{dialog.type}", dialog.message, action)
        answer = dialog.dismiss() if action == "dismissed" else dialog.accept()
        self._answers.add(asyncio.ensure_future(answer))

    def _on_download(self, download: Download) -> None:
        self.note("download", download.url, "recorded")
        self._downloads.append(asyncio.ensure_future(self._save(download)))

    async def _save(self, download: Download) -> None:
        try:
            path = await download.path()
        except Exception:  # The file was cancelled; the exchange keeps what the network gave.
            path = None
        self._save_download(download, Path(path) if path else None)
