"""A run through a broker is sealed by the machine that submits it, never by its workers.

The signing key stays on the machine that runs `capture run --broker`: no task carries it, and
workers need neither the key nor a way to the TSAs. A worker writes capture.json unsealed (its
provenance.html still names the signer and the TSAs, which the task does carry), and the
submitting machine seals the folder as soon as its task ends. Before sealing it checks that
capture.json lists every file of the folder with its size and SHA-256, so the seal vouches only
for what the worker wrote; a folder that does not match is left unsealed, and the run says so.

Unlike a local run, a finished capture is unsealed for a moment (a run stopped then leaves it
so, until it is resumed: a resumed run seals what the last one finished and did not seal), and
the seal's time is when the task ended, not when capture.json was written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from capture.evidence.seal import SEAL, seal_capture
from capture.evidence.verify import manifest_checks
from capture.pipeline import Sealing

log = logging.getLogger(__name__)


def seal_finished(folder: Path, sealing: Sealing, clock: Callable[[], datetime]) -> str | None:
    """Seal the finished capture folder unless it is sealed already (or sealing is off).

    Returns why it was left unsealed (its manifest does not match its files), else None. A TSA
    that fails is logged and recorded in seal.json, as in a local run.
    """
    if not sealing.active or (folder / SEAL).exists():
        return None
    wrong = [check for check in manifest_checks(folder) if not check.ok]
    if wrong:
        first = wrong[0]
        return (
            f"{folder} was not sealed: {first.subject} {first.detail}"
            + (f" (and {len(wrong) - 1} more problems)" if len(wrong) > 1 else "")
            + f". Check it with `capture verify {folder}`."
        )
    seal = seal_capture(folder, key=sealing.key, tsa_urls=sealing.tsa_urls, clock=clock)
    for failure in seal.failures:
        log.warning("timestamp failed", extra={"folder": str(folder), "error": failure})
    return None
