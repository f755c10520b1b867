"""Writing files atomically: a temporary name beside the target, fsync, then rename."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from capture.errors import OutputError


def write_bytes(path: Path, data: bytes) -> Path:
    """Write data to path atomically and return path; a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(
            f"Could not write {path} ({exc.strerror}). Free some space or choose another --output."
        ) from exc
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically and return path."""
    return write_bytes(path, text.encode("utf-8"))


def json_bytes(data: Any) -> bytes:
    """Return data as the bytes of an indented UTF-8 JSON file (keys in their order)."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_json(path: Path, data: Any) -> Path:
    """Write data as indented UTF-8 JSON atomically and return path."""
    return write_bytes(path, json_bytes(data))


def make_folder(path: Path) -> Path:
    """Create path and its parents and return it, or raise OutputError saying why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"Could not create the folder {path} ({exc.strerror}). "
            "Choose an --output folder you can write to."
        ) from exc
    return path


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def clear_folder(path: Path) -> None:
    """Remove a folder and everything in it (nothing when it is not there), or raise OutputError.

    Used before a capture starts again, so nothing of an earlier attempt lingers.
    """
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(
            f"Could not clear {path} before capturing it again ({exc.strerror}). "
            "Check that you may write to the output folder."
        ) from exc
