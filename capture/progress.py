"""Typed progress events; the CLI decides how to show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capture.models import CaptureResult


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run began: how many URLs it has, and how many an earlier run already finished."""

    folder: str
    total: int
    already_done: int = 0


@dataclass(frozen=True, slots=True)
class CaptureStarted:
    """An attempt at a capture began."""

    url: str
    index: int
    total: int
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class CaptureRetrying:
    """An attempt failed in a way worth retrying; the next starts after delay_s."""

    url: str
    index: int
    total: int
    attempt: int
    delay_s: float
    error: str


@dataclass(frozen=True, slots=True)
class CaptureFinished:
    """A capture ended, in any state, after its last attempt."""

    result: CaptureResult
    index: int
    total: int


@dataclass(frozen=True, slots=True)
class RunFinished:
    """A run ended (or stopped): its folder and what it wrote."""

    folder: str
    complete: int
    partial: int
    failed: int
    not_started: int
    wacz: str | None = None
    report: str | None = None


ProgressEvent = RunStarted | CaptureStarted | CaptureRetrying | CaptureFinished | RunFinished
