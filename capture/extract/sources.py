"""Reading a page to extract from: a saved .html file, a capture folder, or a WARC file.

The one module of the extraction package that touches the disk; `capture extract PATH` calls it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from capture.errors import UsageError

WARC_SUFFIXES = (".warc", ".warc.gz")


def load_page_html(path: Path, url: str | None = None) -> tuple[str, str | None]:
    """Return the HTML at `path` and its URL (`url` when given, else what the source records).

    `path` is a saved .html file, a capture folder (its dom.html; the URL from capture.json's
    "final_url" or "url"), or a WARC file (.warc or .warc.gz: its first 200 text/html response,
    the URL from WARC-Target-URI). Raises UsageError naming the path and what to do.
    """
    if path.is_dir():
        return _from_folder(path, url)
    if not path.is_file():
        raise UsageError(
            f"Could not read {path} (no such file or folder). "
            "Give a saved .html file, a capture folder or a .warc.gz file."
        )
    if path.name.lower().endswith(WARC_SUFFIXES):
        return _from_warc(path, url)
    return _decode(_read_bytes(path)), url


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"Could not read {path} ({exc.strerror or exc}). Check that the file is readable."
        ) from exc


def _decode(data: bytes) -> str:
    """Return HTML bytes as text: UTF-8 when valid, else the charset the page declares."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:4096].decode("ascii", errors="ignore").lower()
    marker = head.find("charset=")
    if marker >= 0:
        name = head[marker + 8 :].strip("\"' ").split('"')[0].split("'")[0].split(";")[0]
        name = name.split(">")[0].split()[0] if name.split() else ""
        try:
            return data.decode(name or "utf-8", errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _from_folder(folder: Path, url: str | None) -> tuple[str, str | None]:
    dom = folder / "dom.html"
    if not dom.is_file():
        raise UsageError(
            f"Could not read the capture folder {folder} (it has no dom.html). "
            "Give a folder written by `capture`, or the .html file itself."
        )
    return _decode(_read_bytes(dom)), url or _capture_url(folder / "capture.json")


def _capture_url(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(_read_bytes(path))
    except ValueError as exc:
        raise UsageError(
            f"Could not read {path} (not valid JSON: {exc}). Pass the page's URL with --url."
        ) from exc
    if not isinstance(data, dict):
        return None
    found = data.get("final_url") or data.get("url")
    return found if isinstance(found, str) and found else None


def _from_warc(path: Path, url: str | None) -> tuple[str, str | None]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                kind = (record.http_headers.get_header("Content-Type") or "").lower()
                if status == "200" and "text/html" in kind:
                    data = record.content_stream().read()
                    return _decode(data), url or record.rec_headers.get_header("WARC-Target-URI")
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise UsageError(
            f"Could not read the WARC file {path} ({exc}). Check that it is a complete WARC."
        ) from exc
    raise UsageError(
        f"Could not find a page in {path} (no 200 text/html response record). "
        "Give a WARC that holds the page's response, or its dom.html."
    )
