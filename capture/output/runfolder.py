"""A job's run folder: run.json, results.jsonl, and what an interrupted run already finished.

`<output>/<job name>/<run id>/` holds `captures/<slug>/` (one per URL), `run.json` (the job as
resolved, times, counts, state), `results.jsonl` (one row per finished URL, appended as each
finishes), and at the end `index.html` and `<job name>.wacz`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from capture import paths
from capture.errors import OutputError, UsageError
from capture.output.files import make_folder, read_json_object, write_json, write_text

RUN_JSON = "run.json"
LOCK = ".lock"
"""Held (flock) by the process running or resuming the run."""
RESULTS = "results.jsonl"
RUN_FORMAT = "capture-run/1"


class RunFolder:
    """One run's folder on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, root: Path, clock: Callable[[], datetime]) -> RunFolder:
        """Return a new run folder under root named by the run id (suffixed if taken)."""
        base = paths.run_id(clock())
        make_folder(root)
        for counter in range(1, 1000):
            candidate = root / (base if counter == 1 else f"{base}-{counter}")
            try:
                candidate.mkdir()  # atomic: two runs started in the same second never share one
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputError(
                    f"Could not create the run folder {candidate} ({exc.strerror}). "
                    "Choose an --output folder you can write to."
                ) from exc
            make_folder(candidate / "captures")
            return cls(candidate)
        raise OutputError(f"Could not find a free run folder name under {root}. Clean it up.")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the run folder for this process; raise UsageError if another process holds it."""
        try:
            handle = (self.path / LOCK).open("a+")
        except OSError as exc:
            raise OutputError(
                f"Could not open {self.path / LOCK} ({exc.strerror}). Check the folder."
            ) from exc
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise UsageError(
                    f"{self.path} is in use by another capture run. Wait for it to end, or "
                    "resume a different run folder."
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @classmethod
    def latest_unfinished(cls, root: Path) -> RunFolder | None:
        """Return the newest run folder under root whose run did not finish, if any."""
        if not root.is_dir():
            return None
        for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
            state = cls(folder).read_run().get("state")
            if state in ("running", "interrupted", "captured"):
                return cls(folder)
        return None

    @classmethod
    def existing(cls, path: Path) -> RunFolder:
        """Return the run folder at path, or raise UsageError when it is not one."""
        if not (path / RUN_JSON).is_file():
            raise UsageError(
                f"{path} is not a run folder (no {RUN_JSON}). "
                "Point --resume at a folder made by `capture run`, or leave it out."
            )
        return cls(path)

    @property
    def captures(self) -> Path:
        """Return the folder that holds one folder per URL."""
        return self.path / "captures"

    def read_run(self) -> dict[str, Any]:
        """Return run.json's data ({} when missing or unreadable)."""
        return read_json_object(self.path / RUN_JSON) or {}

    def write_run(self, data: dict[str, Any]) -> None:
        """Write run.json atomically."""
        write_json(self.path / RUN_JSON, {"format": RUN_FORMAT, **data})

    def append_result(self, row: dict[str, Any]) -> None:
        """Append one row to results.jsonl and push it to disk (it survives a SIGKILL)."""
        line = json.dumps(row, ensure_ascii=False) + "\n"
        try:
            with (self.path / RESULTS).open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(
                f"Could not append to {self.path / RESULTS} ({exc.strerror}). "
                "Free some space; the run can be resumed with --resume."
            ) from exc

    def finished(self, folder: Path) -> dict[str, Any] | None:
        """Return the capture.json of a finished capture folder, or None if it did not finish.

        A capture finished when its capture.json (written last) exists and nothing is `.open`.
        """
        document = folder / paths.CAPTURE_JSON
        if not document.is_file() or any(folder.glob("*.open")):
            return None
        return read_json_object(document)

    def rewrite_results(self, rows: Iterable[dict[str, Any]]) -> None:
        """Replace results.jsonl with rows (the canonical list at the end of a run)."""
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        write_text(self.path / RESULTS, text)


def result_row(capture: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Return the results.jsonl row of a finished capture, from its capture.json."""
    traffic = capture.get("traffic") or {}
    attempts = capture.get("attempts") or []
    return {
        "url": capture.get("url"),
        "state": capture.get("state"),
        "attempts": len(attempts) or 1,
        "error": capture.get("error"),
        "started_at": capture.get("started_at"),
        "ended_at": capture.get("ended_at"),
        "duration_s": capture.get("duration_s"),
        "exchanges": traffic.get("exchanges", 0),
        "bytes": traffic.get("bytes", 0),
        "title": (capture.get("article") or {}).get("title"),
        "folder": str(folder),
        "reason": capture.get("reason"),
        "verdict": capture.get("verdict"),
    }
