"""Pure planning: URLs and options -> capture requests (validated, deduplicated, with folders)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from capture import paths
from capture.errors import UsageError
from capture.models import CaptureRequest
from capture.options import CaptureOptions

OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
"""`mailto:`, `javascript:`, `data:`... but not `host:8080`."""


HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")


def normalise_url(url: str) -> str:
    """Return url with a lower-case scheme and host and a `/` path, or raise UsageError.

    Only http and https are captured; a bare host (`example.org/x`) is read as https.
    """
    text = url.strip()
    if "://" not in text and not OTHER_SCHEME.match(text):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"Cannot capture {url!r} (not an http or https URL). "
            "Give a full address such as https://example.org/page."
        )
    problem = host_problem(parts.hostname)
    if problem:
        raise UsageError(
            f"Cannot capture {url!r} (the host name {parts.hostname!r} {problem}). "
            "Give a full address such as https://example.org/page."
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise UsageError(
            f"Cannot capture {url!r} (the port is not a number from 0 to 65535). Fix the port."
        ) from None
    netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def host_problem(host: str) -> str | None:
    """Return what makes host unusable as a URL's host name, or None when it is usable.

    An IP address (v4, or v6 as urlsplit gives it without brackets) or a DNS name of labels of
    1 to 63 letters, digits, `-` or `_` (a name in another script is checked as IDNA)."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "is not an IPv6 address"
        return None
    name = host.removesuffix(".")
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return "is not a valid international domain name"
    if len(name) > 253:
        return "is longer than 253 characters"
    for label in name.split("."):
        if not label:
            return "has an empty label (two dots in a row, or a dot at the start)"
        if len(label) > 63:
            return "has a label longer than 63 characters"
        if not HOST_LABEL.match(label):
            return "has a character no host name can hold (a space, punctuation, a `-` at an end)"
    return None


OptionsFor = Callable[[str], CaptureOptions]
SiteFor = Callable[[str], Any]


def plan(
    urls: Iterable[str],
    run_folder: Path,
    options: CaptureOptions | OptionsFor,
    site_for: SiteFor | None = None,
) -> list[CaptureRequest]:
    """Return one request per distinct URL, in first-seen order, each with its own folder.

    `options` is the same for every URL, or a function of the URL (a job's per-URL overrides);
    `site_for` returns the site config that applies to a URL, or None.
    """
    seen: set[str] = set()
    requests = []
    for raw in urls:
        url = normalise_url(raw)
        if url in seen:
            continue
        seen.add(url)
        url_options = options(url) if callable(options) else options
        site = site_for(url) if site_for else None
        folder = run_folder / "captures" / paths.slug(url)
        requests.append(CaptureRequest(url, folder, url_options, site))
    if not requests:
        raise UsageError("Nothing to capture (no URLs given). Pass one or more URLs.")
    return requests
