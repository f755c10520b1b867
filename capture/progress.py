"""Typed progress events; the CLI decides how to show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capture.pipeline import CaptureResult


@dataclass(frozen=True, slots=True)
class CaptureStarted:
    """A capture began."""

    url: str
    index: int
    total: int


@dataclass(frozen=True, slots=True)
class CaptureFinished:
    """A capture ended, in any state."""

    result: CaptureResult
    index: int
    total: int


ProgressEvent = CaptureStarted | CaptureFinished
