"""The core fixture site: the files under tests/sites/core plus the routes the browser tests need.

Every route is an exact path; everything else is a static file (or the 404 page).
"""

from __future__ import annotations

import json
from pathlib import Path

from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest, redirect, static_reply

CORE_DIR = Path(__file__).resolve().parents[1] / "sites" / "core"
"""The folder of the core fixture site's static files."""

REDIRECT_HOPS = (("/hop/1", 302), ("/hop/2", 301), ("/hop/3", 307))
"""Each hop's path and status; the last one lands on /landing.html."""

XHR_WORD = "xylophone"
FETCH_WORD = "fennel"
PDF_PATH = "/document.pdf"
ATTACHMENT_PATH = "/attachment.pdf"
OTHER_PLACEHOLDER = b"{{other}}"


def _json(data: object) -> Reply:
    return Reply(
        headers=(("Content-Type", "application/json"), ("Cache-Control", "no-store")),
        body=json.dumps(data).encode(),
    )


def _encoded(name: str, content_type: str, encoding: str) -> Reply:
    return Reply(
        headers=(("Content-Type", content_type),),
        body=(CORE_DIR / name).read_bytes(),
        encoding=encoding,
    )


def _redirect(target: str, status: int) -> Route:
    def answer(_: SiteRequest) -> Reply:
        return redirect(target, status)

    return answer


def _fetch_answer(request: SiteRequest) -> Reply:
    if request.method != "POST" or b"which word?" not in request.body:
        return Reply(status=400, body=b"POST the question")
    return _json({"word": FETCH_WORD})


def _frames(other: LocalSite) -> Reply:
    page = static_reply(CORE_DIR, "/frames.html")
    body = page.body.replace(OTHER_PLACEHOLDER, other.base_url.encode())
    return Reply(status=page.status, headers=page.headers, body=body)


def _attachment(_: SiteRequest) -> Reply:
    return Reply(
        headers=(
            ("Content-Type", "application/pdf"),
            ("Content-Disposition", 'attachment; filename="document.pdf"'),
        ),
        body=(CORE_DIR / PDF_PATH.lstrip("/")).read_bytes(),
    )


def core_site(other: LocalSite) -> LocalSite:
    """Return the (unstarted) core site; `other` serves the cross-origin frame."""
    site = LocalSite(CORE_DIR)
    hops = [path for path, _ in REDIRECT_HOPS[1:]] + ["/landing.html"]
    for (path, status), target in zip(REDIRECT_HOPS, hops, strict=True):
        site.add_route(path, _redirect(target, status))
    site.add_route("/encoded/gzip.css", lambda _: _encoded("encoded.css", "text/css", "gzip"))
    site.add_route("/encoded/brotli.js", lambda _: _encoded("encoded.js", "text/javascript", "br"))
    site.add_route("/api/xhr.json", lambda _: _json({"word": XHR_WORD}))
    site.add_route("/api/fetch", _fetch_answer)
    site.add_route("/api/late.json", lambda _: _json({"late": True}))
    site.add_route("/api/unread.json", lambda _: _json({"read": False}))
    site.add_route("/frames.html", lambda _: _frames(other))
    site.add_route(ATTACHMENT_PATH, _attachment)
    site.add_route("/hang", lambda _: Reply(hang=True))
    return site


def other_site() -> LocalSite:
    """Return the (unstarted) second origin: the same files on another port."""
    return LocalSite(CORE_DIR)
