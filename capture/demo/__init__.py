"""The bundled demo: an offline copy of a news article page with the overlays of the real one.

The article reproduces an IJR news page as a WordPress theme renders it: header and navigation,
a trending sidebar, share counters filled in by script from a JSON endpoint, a lazy-loaded image,
and three things scripts add after the load event: a cookie banner (after 0.3 s), a login popup
(after 1 s) and a registration wall that locks scrolling (after 1.5 s).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest, static_reply

if TYPE_CHECKING:
    from capture.plan import SiteFor

SITE_DIR = Path(__file__).resolve().parent / "site"
"""The folder of the demo's static files."""

DEMO_ARTICLE_PATH = (
    "/news/trump-marks-us-japan-security-pact-with-call-for-stronger-deeper-alliance/"
)
"""The URL path of the demo article."""

DEMO_POST_ID = 1006421
SHARE_COUNTS_PATH = "/wp-json/ijr/v1/share-counts"
VIEW_COUNTER_PATH = "/wp-admin/admin-ajax.php"
SHARE_COUNTS: dict[str, int] = {"shares": 503, "views": 1432, "facebook": 201, "twitter": 126}
"""What the share-count endpoint reports; the page shows them as 503 SHARES and 1.4k VIEWS."""

DEMO_SITE_CONFIG = Path(__file__).resolve().parent / "ijr-demo.yaml"
"""The demo's site config, shipped with the package: the rules that clear its overlays."""

ORIGIN_PLACEHOLDER = b"{{origin}}"
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:]+\](:\d+)?")
_JSON = (("Content-Type", "application/json; charset=UTF-8"), ("Cache-Control", "no-store"))


def origin_of(request: SiteRequest) -> str:
    """Return "http://HOST" for the Host the request was sent to (127.0.0.1 when unusable)."""
    host = request.header("Host") or ""
    return f"http://{host}" if _HOST.fullmatch(host) else "http://127.0.0.1"


def page_route(file_path: str) -> Route:
    """Return a route serving the HTML page at `file_path` under the site folder.

    Canonical links, Open Graph and JSON-LD URLs are absolute, as on the real site, so the page
    carries a {{origin}} placeholder filled in with the origin the request was sent to.
    """

    def serve(request: SiteRequest) -> Reply:
        reply = static_reply(SITE_DIR, file_path)
        origin = origin_of(request).encode()
        return Reply(
            status=reply.status,
            headers=reply.headers,
            body=reply.body.replace(ORIGIN_PLACEHOLDER, origin),
        )

    return serve


def share_counts(request: SiteRequest) -> Reply:
    """Return the share and view counts of the demo post as JSON, a little slowly."""
    if request.params.get("post") != str(DEMO_POST_ID):
        body = {"code": "rest_post_invalid_id", "message": "Invalid post ID."}
        return Reply(status=404, headers=_JSON, body=json.dumps(body).encode())
    body_ok = {"post": DEMO_POST_ID, **SHARE_COUNTS}
    return Reply(headers=_JSON, body=json.dumps(body_ok).encode(), delay_s=0.2)


def count_view(request: SiteRequest) -> Reply:
    """Answer the page's view-counter POST as WordPress admin-ajax does."""
    if request.method != "POST" or b"action=ijr_post_view" not in request.body:
        return Reply(status=400, headers=(("Content-Type", "text/html; charset=UTF-8"),), body=b"0")
    body = {"success": True, "data": {"views": SHARE_COUNTS["views"] + 1}}
    return Reply(headers=_JSON, body=json.dumps(body).encode())


def demo_site(port: int = 0) -> LocalSite:
    """Return the demo site, not yet started: the packaged folder plus the routes its pages use."""
    site = LocalSite(SITE_DIR, port=port)
    for page in ("/", DEMO_ARTICLE_PATH):
        route = page_route(page)
        site.add_route(page, route)
        site.add_route(page + "index.html", route)
    site.add_route(SHARE_COUNTS_PATH, share_counts)
    site.add_route(VIEW_COUNTER_PATH, count_view)
    return site


def demo_site_for(site_for: SiteFor | None = None) -> SiteFor:
    """Return a site matcher that tries `site_for` first, then the demo's own site config.

    A site config of the user's for the demo article (configs/sites/ijr-demo.yaml in a checkout)
    wins; without one the demo still captures with its shipped rules, not the generic ones.
    """
    from capture.config.match import load_sites

    demo = load_sites([DEMO_SITE_CONFIG]).match

    def match(url: str) -> Any:
        return (site_for(url) if site_for is not None else None) or demo(url)

    return match
