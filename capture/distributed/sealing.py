"""A run through a broker is sealed by the machine that submits it, never by its workers.

The signing key stays on the machine that runs `capture run --broker`: no task carries it, and
workers need neither the key nor a way to the TSAs. A worker writes capture.json unsealed (its
provenance.html still names the signer and the TSAs, which the task does carry), and the
submitting machine seals the folder once its task ends. Before sealing it checks that
capture.json lists every file of the folder with its size and SHA-256: the seal then covers the
folder exactly as it stands. The workers and the shared storage are trusted as in a local run;
the check catches damage and mix-ups, not a writer who rewrites capture.json too.

A folder that cannot be sealed (it does not match its manifest, or the submitting machine may
not write to it) is left unsealed, listed in run.json, and makes the run's exit code partial.
Unlike a local run, a finished capture is unsealed for a moment: a submitter killed then leaves
it so until the run is resumed, which seals it; a seal cut off half-way is made again whole.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from capture.browser.background import Background
from capture.errors import CaptureError
from capture.evidence.seal import CAPTURE_JSON, SEAL, TIMESTAMPS, Sealing, seal_capture
from capture.evidence.verify import manifest_checks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unsealed:
    """A finished capture folder left unsealed, why, and what to do."""

    folder: Path
    reason: str
    remedy: str

    def message(self) -> str:
        """Return the one line that tells the user."""
        return f"Did not seal {self.folder} ({self.reason}). {self.remedy}"

    def to_json(self, root: Path) -> dict[str, str]:
        """Return the entry run.json lists (the folder relative to the run folder, root)."""
        try:
            folder = self.folder.relative_to(root).as_posix()
        except ValueError:
            folder = str(self.folder)
        return {"folder": folder, "reason": self.reason}


def needs_seal(folder: Path) -> bool:
    """Return True for a finished capture folder (capture.json written) without its seal, and
    for one that cannot be looked into (sealing it then says why it could not)."""
    try:
        return (folder / CAPTURE_JSON).is_file() and not (folder / SEAL).exists()
    except OSError:
        return True


def seal_finished(
    folder: Path, sealing: Sealing, clock: Callable[[], datetime]
) -> tuple[Unsealed | None, tuple[str, ...]]:
    """Seal the finished capture folder unless it is sealed already (or sealing is off).

    Returns why it was left unsealed (None: sealed, or nothing to do) and the TSAs that gave no
    token (recorded in seal.json as in a local run: the seal holds without them).
    """
    if not sealing.active or not needs_seal(folder):
        return None, ()
    try:
        wrong = [check for check in manifest_checks(folder) if not check.ok]
        if wrong:
            first = wrong[0]
            more = f", and {len(wrong) - 1} more" if len(wrong) > 1 else ""
            return Unsealed(
                folder,
                f"{first.subject}: {first.detail}{more}",
                f"Run `capture verify {folder}` to see what differs, then capture the URL "
                "again: delete the folder and run the job with --resume.",
            ), ()
        # Tokens of a seal cut off before seal.json was written name this capture.json but
        # no seal: they are made again with the seal.
        shutil.rmtree(folder / TIMESTAMPS, ignore_errors=True)
        seal = seal_capture(folder, key=sealing.key, tsa_urls=sealing.tsa_urls, clock=clock)
    except (CaptureError, OSError) as exc:
        return Unsealed(
            folder,
            str(exc),
            "Let this machine write to the capture folders, then run the job with --resume.",
        ), ()
    return None, seal.failures


REPORT_BUG = "This is a bug in capture: please report it; run the job with --resume to retry."

SEALS_AT_ONCE = 4
"""Folders sealed at the same time: each hashes its files and waits on the TSAs in a thread."""


class Sealer:
    """Seals finished capture folders in the background, a few at once, and keeps what failed."""

    def __init__(self, sealing: Sealing, clock: Callable[[], datetime]) -> None:
        self.sealing = sealing
        self.clock = clock
        self._tasks = Background()
        self._slots = asyncio.Semaphore(SEALS_AT_ONCE)
        self._sealing: set[Path] = set()
        """Folders being sealed: a task that ends twice (redelivered) is sealed once."""
        self.unsealed: dict[Path, Unsealed] = {}

    def seal(self, folder: Path) -> None:
        """Start sealing folder, if sealing is on and it is not being sealed or refused already
        (whether it is finished and unsealed is looked at off the event loop)."""
        if not self.sealing.active or folder in self._sealing or folder in self.unsealed:
            return
        self._sealing.add(folder)
        self._tasks.spawn(self._seal(folder))

    async def _seal(self, folder: Path) -> None:
        try:
            async with self._slots:
                unsealed, failures = await asyncio.to_thread(
                    seal_finished, folder, self.sealing, self.clock
                )
        except Exception as exc:  # A bug or a library's odd error: never a silent unsealed capture.
            unsealed, failures = Unsealed(folder, repr(exc), REPORT_BUG), ()
        finally:
            self._sealing.discard(folder)
        for failure in failures:
            log.warning("timestamp failed", extra={"folder": str(folder), "error": failure})
        if unsealed is not None:
            self.unsealed[folder] = unsealed
            log.warning(
                "capture not sealed",
                extra={"folder": str(folder), "reason": unsealed.reason, "remedy": unsealed.remedy},
            )

    async def finish(self, folders: Iterable[Path]) -> tuple[Unsealed, ...]:
        """Wait for the seals under way, then seal every finished folder among folders still
        unsealed (left by the run this one resumes, a late redelivery's, one whose task's end
        was missed); return those that could not be sealed."""
        await self._drain()
        for folder in folders:
            self.seal(folder)
        await self._drain()
        return tuple(self.unsealed.values())

    async def _drain(self) -> None:
        while self._tasks.tasks:
            await asyncio.wait(set(self._tasks.tasks))
