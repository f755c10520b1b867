"""Pure naming: run ids, capture folder slugs and the names of the files in a capture folder."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

WARC = "page.warc.gz"
SCREENSHOT = "screenshot.png"
SERVED_SCREENSHOT = "screenshot-as-served.png"
VIEWPORT = "viewport.png"
THUMBNAIL = "thumbnail.webp"
DOM = "dom.html"
ARTICLE_TXT = "article.txt"
ARTICLE_MD = "article.md"
ARTICLE_JSON = "article.json"
CAPTURE_JSON = "capture.json"
PROVENANCE_PDF = "provenance.pdf"
PAGE_PDF = "page.pdf"
QA_JSON = "qa.json"
QA_SCREENSHOT = "qa-screenshot.png"
QA_FILES = (QA_JSON, QA_SCREENSHOT)
"""Written after the capture by `capture qa`, beside (not in) the sealed manifest."""

MAX_SLUG_CHARS = 80


def run_id(moment: datetime) -> str:
    """Return a sortable run id for a moment: `20261127T064500Z`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def slug(url: str) -> str:
    """Return a short, readable, filesystem-safe folder name unique to url.

    `https://example.org/news/story?id=3` -> `example.org-news-story-id-3-1a2b3c4d`
    """
    parts = urlsplit(url)
    host = re.sub(r"[^A-Za-z0-9._]+", "-", (parts.hostname or "local").removeprefix("www."))
    host = host.strip("-") or "local"
    if parts.port:
        host = f"{host}-{parts.port}"
    words = re.sub(r"[^A-Za-z0-9._]+", "-", f"{parts.path}-{parts.query}").strip("-._")
    readable = f"{host}-{words}" if words else host
    readable = readable[:MAX_SLUG_CHARS].rstrip("-._")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"
