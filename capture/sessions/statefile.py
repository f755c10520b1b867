"""Session files: Playwright storage states that `capture login` makes and captures load.

A session file holds what a browser needs to be logged in (cookies, local storage): a secret.
It is written with owner-only permissions (0600), atomically, and never inside an archive (a
folder of captures, a run or a WACZ is made to be shared). Browsers' exported cookies, in the
Netscape `cookies.txt` format of browser extensions and yt-dlp, become a session file too.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from capture import paths
from capture.errors import OutputError, UsageError

ARCHIVE_MARKERS = (paths.CAPTURE_JSON, "run.json", "results.jsonl")
"""Files that make a folder (or any folder below it) part of an archive."""

HTTP_ONLY_PREFIX = "#HttpOnly_"


def archive_holding(path: Path) -> Path | None:
    """Return the archive folder that path would sit in, or None when it is outside any."""
    folder = path.resolve().parent
    if folder.is_dir() and any(folder.glob("*.wacz")):
        return folder  # beside a packaged run
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in ARCHIVE_MARKERS):
            return candidate
    return None


def write_session(path: Path, state: dict[str, Any]) -> Path:
    """Write the storage state to path, readable by its owner only; return path.

    Raises UsageError when path is inside an archive, OutputError when it cannot be written.
    """
    archive = archive_holding(path)
    if archive is not None:
        raise UsageError(
            f"Refused to write the session file {path} (it would sit in the archive {archive}, "
            "and a session is a secret). Keep session files outside archives, e.g. in "
            "~/.config/capture/sessions/logins/"
        )
    data = (json.dumps(state, indent=2) + "\n").encode("utf-8")
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o600)  # whatever the umask said
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(
            f"Could not write the session file {path} ({exc.strerror or exc})."
        ) from exc
    return path


def read_session(path: Path) -> dict[str, Any]:
    """Return the storage state in path, or raise UsageError saying what is wrong with it."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"Could not read the session file {path} ({exc.strerror or exc}). "
            "Make one with `capture login`"
        ) from exc
    except ValueError as exc:
        raise UsageError(f"{path} is not a session file (not JSON: {exc}).") from exc
    if not isinstance(state, dict) or not isinstance(state.get("cookies", []), list):
        raise UsageError(f"{path} is not a session file (no `cookies` list).")
    return state


def parse_cookies_txt(text: str) -> dict[str, Any]:
    """Return the storage state of a Netscape cookies.txt file (as browser extensions and
    yt-dlp write it), or raise UsageError naming the first line that is not a cookie."""
    cookies = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        http_only = line.startswith(HTTP_ONLY_PREFIX)
        if http_only:
            line = line.removeprefix(HTTP_ONLY_PREFIX)
        elif not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 7:
            raise UsageError(
                f"cookies.txt line {number} is not a cookie (7 tab-separated fields: domain, "
                f"subdomains, path, secure, expiry, name, value; found {len(fields)})."
            )
        domain, _, path, secure, expires, name, value = fields
        try:
            expiry = float(expires)
        except ValueError:
            raise UsageError(
                f"cookies.txt line {number}: expiry {expires!r} is not a number."
            ) from None
        cookies.append(
            {
                "name": name,
                "value": value,
                "domain": domain,
                "path": path or "/",
                "expires": expiry if expiry > 0 else -1,
                "httpOnly": http_only,
                "secure": secure.upper() == "TRUE",
                "sameSite": "Lax",
            }
        )
    if not cookies:
        raise UsageError("The cookies.txt file holds no cookie. Export them again.")
    return {"cookies": cookies, "origins": []}
