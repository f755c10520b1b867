"""Showing progress: a bar on a terminal, plain lines otherwise, JSON lines with --json."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from capture.models import CaptureState
from capture.progress import (
    CaptureFinished,
    CaptureRetrying,
    ProgressEvent,
    RunFinished,
    RunStarted,
)

BAR_WIDTH = 24


class Printer:
    """Renders progress events to a stream (stdout at the moment of writing by default)."""

    def __init__(self, as_json: bool, out: TextIO | None = None, *, bar: bool | None = None):
        self.as_json = as_json
        self._out = out
        self.bar = (not as_json and self.out.isatty()) if bar is None else bar
        self.total = 0
        self.done = 0
        self.counts = {state: 0 for state in CaptureState}
        self.started = time.monotonic()
        self._bar_shown = False
        self._finished_run = False

    @property
    def out(self) -> TextIO:
        """Return the stream to write to."""
        return self._out or sys.stdout

    def __call__(self, event: ProgressEvent) -> None:
        if isinstance(event, RunStarted):
            self.total, self.done = event.total, event.already_done
            if event.already_done and not self.as_json:
                self._line(f"resuming: {event.already_done} of {event.total} already captured")
        elif isinstance(event, CaptureFinished):
            self.done += 1
            self.counts[event.result.state] += 1
            self._finished(event)
        elif isinstance(event, CaptureRetrying):
            self._retrying(event)
        elif isinstance(event, RunFinished):
            self._run_finished(event)
        elif self.bar:  # CaptureStarted
            self._draw()

    def _finished(self, event: CaptureFinished) -> None:
        result = event.result
        if self.as_json:
            row = {
                "url": result.url,
                "state": result.state.value,
                "folder": str(result.folder),
                "error": result.error,
                "reason": result.reason,
                "verdict": result.verdict.to_json() if result.verdict else None,
            }
            self._line(json.dumps(row))
            return
        if self.bar and result.state is CaptureState.COMPLETE:
            self._draw()
            return
        line = f"[{event.index + 1}/{event.total}] {result.state.value} {result.url}"
        line += f"\n    -> {result.folder}"
        if result.error:
            line += f"\n    {result.error}"
        self._line(line)

    def _retrying(self, event: CaptureRetrying) -> None:
        if self.as_json:
            self._line(
                json.dumps(
                    {
                        "url": event.url,
                        "event": "retry",
                        "attempt": event.attempt,
                        "delay_s": event.delay_s,
                        "error": event.error,
                    }
                )
            )
        else:
            self._line(
                f"retrying {event.url} in {event.delay_s:.0f} s "
                f"(attempt {event.attempt} failed: {event.error})"
            )

    def _run_finished(self, event: RunFinished) -> None:
        self._finished_run = True
        if self.as_json:
            return
        self._clear_bar()
        summary = f"{event.complete} complete, {event.partial} partial, {event.failed} failed"
        if event.not_started:
            summary += f", {event.not_started} not started (resume with --resume)"
        self._line(summary)
        for label, path in (("report", event.report), ("wacz", event.wacz)):
            if path:
                self._line(f"{label}: {path}")

    def status_line(self) -> str:
        """Return the progress bar's text: done/total, states, rate and time left."""
        total = max(self.total, 1)
        filled = round(BAR_WIDTH * self.done / total)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        finished_now = sum(self.counts.values())
        rate = finished_now / elapsed * 60
        left = (self.total - self.done) / (finished_now / elapsed) if finished_now else None
        eta = (
            f"{left / 60:.0f} min left"
            if left and left >= 90
            else (f"{left:.0f} s left" if left else "")
        )
        counts = " ".join(f"{state.value} {n}" for state, n in self.counts.items())
        return (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} "
            f"| {counts} | {rate:.1f}/min {eta}"
        ).rstrip()

    def _draw(self) -> None:
        self.out.write("\r\x1b[2K" + self.status_line())
        self.out.flush()
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.out.write("\r\x1b[2K")
            self._bar_shown = False

    def _line(self, text: str) -> None:
        self._clear_bar()
        print(text, file=self.out, flush=True)
        if self.bar and self.done < self.total and not self._finished_run:
            self._draw()
