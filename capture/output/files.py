"""Files: written atomically (a temporary name beside the target, fsync, then rename), read
back tolerantly, and hashed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from capture.errors import OutputError


@contextlib.contextmanager
def atomic_file(path: Path, *, visible: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes path only once complete (fsync, then rename).

    It is written as the hidden `.<name>.tmp`, or with visible as `<name>.open` (the convention
    for archives in progress). On any error it is removed, and OSError becomes OutputError.
    """
    temporary = path.with_name(f"{path.name}.open" if visible else f".{path.name}.tmp")
    try:
        with temporary.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(
            f"Could not write {path} ({exc.strerror or exc}). "
            "Free some space or choose another --output."
        ) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> Path:
    """Write data to path atomically and return path; a reader never sees half a file."""
    with atomic_file(path) as handle:
        handle.write(data)
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


def read_json_object(path: Path) -> dict[str, Any] | None:
    """Return the JSON object in path, or None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def sha256_label(data: bytes) -> str:
    """Return `sha256:<hex>` of data: the label of WARC digests, seals and WACZ hashes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discard_folder(path: Path) -> None:
    """Remove an unfinished capture's folder and what is in it, as far as the disk allows.

    For clean-up after a failure (a full disk among them): it never raises, so the first error
    is the one reported."""
    shutil.rmtree(path, ignore_errors=True)


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
