"""Pure planning: URLs and options -> capture requests (validated, deduplicated, with folders)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from capture import paths
from capture.errors import UsageError
from capture.models import CaptureOptions, CaptureRequest


def normalise_url(url: str) -> str:
    """Return url with a lower-case scheme and host and a `/` path, or raise UsageError.

    Only http and https are captured; a bare host (`example.org/x`) is read as https.
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"Cannot capture {url!r} (not an http or https URL). "
            "Give a full address such as https://example.org/page."
        )
    netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def plan(urls: Iterable[str], run_folder: Path, options: CaptureOptions) -> list[CaptureRequest]:
    """Return one request per distinct URL, in first-seen order, each with its own folder."""
    seen: set[str] = set()
    requests = []
    for raw in urls:
        url = normalise_url(raw)
        if url in seen:
            continue
        seen.add(url)
        requests.append(CaptureRequest(url, run_folder / "captures" / paths.slug(url), options))
    if not requests:
        raise UsageError("Nothing to capture (no URLs given). Pass one or more URLs.")
    return requests
