"""Bot checks and interstitials of the common vendors, imitated for the verdict's tests.

Each page is written here from public descriptions of what the vendor's challenge carries (its
response headers, the addresses of its scripts and frames, element ids, titles and wording); no
vendor code is copied, and every script is an empty stand-in. The site is used as the browser's
forward proxy (`--proxy`), so pages and the vendors' own hosts (`http://js.hcaptcha.com/...`)
are all answered here, on 127.0.0.1, by exact absolute URL: nothing reaches the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, Route, SiteRequest

SHOP = "http://shop.test"
CLEARED_TEXT = "The harbour council voted on Tuesday evening to build a new sea wall"
HTML = (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"))
STAND_IN = Reply(headers=(("Content-Type", "text/javascript"),), body=b"/* stand-in */\n")
FRAME = Reply(headers=HTML, body=b"<!doctype html><title>widget</title><p>check</p>")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One vendor's challenge page: where it is served, how, and what the verdict should say."""

    vendor: str
    path: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    stand_ins: tuple[str, ...] = ()
    """Absolute URLs of the scripts and frames the page loads, answered with stand-ins."""

    @property
    def url(self) -> str:
        """Return the page's address."""
        return f"{SHOP}{self.path}"


def _page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


CHALLENGES = (
    Challenge(
        "Cloudflare",
        "/cloudflare",
        403,
        (("cf-mitigated", "challenge"), ("Server", "cloudflare")),
        _page(
            "Just a moment...",
            '<h1>shop.test</h1><h2 id="challenge-running">Verifying you are human. This may take '
            "a few seconds.</h2><script>window._cf_chl_opt = {cType: 'managed'};</script>"
            f'<script src="{SHOP}/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=f">'
            "</script>",
        ),
        (f"{SHOP}/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1",),
    ),
    Challenge(
        "Akamai",
        "/akamai",
        428,
        (("Server", "AkamaiGHost"),),
        _page(
            "Challenge Validation",
            '<div id="sec-if-cpt-container"><p>Please wait while we verify your browser.</p>'
            f'</div><script src="{SHOP}/_sec/cp_challenge/ak-challenge-4-3.js"></script>',
        ),
        (f"{SHOP}/_sec/cp_challenge/ak-challenge-4-3.js",),
    ),
    Challenge(
        "DataDome",
        "/datadome",
        403,
        (("X-DataDome", "protected"), ("Server", "DataDome")),
        _page(
            "shop.test",
            "<script>var dd={'rt':'c','cid':'fixture','hsh':'fixture',"
            "'host':'geo.captcha-delivery.com'}</script>"
            '<iframe src="http://geo.captcha-delivery.com/captcha/?initialCid=fixture" '
            'width="400" height="300"></iframe>',
        ),
        ("http://geo.captcha-delivery.com/captcha/",),
    ),
    Challenge(
        "PerimeterX/HUMAN",
        "/perimeterx",
        403,
        (),
        _page(
            "Access to this page has been denied",
            "<h1>Before we continue...</h1><p>Press &amp; Hold to confirm you are a human (and "
            "not a bot).</p><div id=\"px-captcha\"></div><script>window._pxAppId = 'PXfixture';"
            '</script><script src="http://captcha.px-cdn.net/PXfixture/captcha.js"></script>',
        ),
        ("http://captcha.px-cdn.net/PXfixture/captcha.js",),
    ),
    Challenge(
        "Imperva/Incapsula",
        "/incapsula",
        200,
        (("X-Iinfo", "7-12345-0 0NNN RT(1 0) q(0 -1 -1 -1) r(0 -1)"), ("X-CDN", "Imperva")),
        _page(
            "",
            f'<iframe id="main-iframe" src="{SHOP}/_Incapsula_Resource?SWUDNSAI=31&xinfo=1" '
            'width="100%" height="100%" frameborder="0">Request unsuccessful. Incapsula '
            "incident ID: 0-fixture</iframe>",
        ),
        (f"{SHOP}/_Incapsula_Resource",),
    ),
    Challenge(
        "AWS WAF",
        "/awswaf",
        202,
        (("x-amzn-waf-action", "challenge"),),
        _page(
            "",
            "<script>window.gokuProps = {key: 'fixture', iv: 'fixture', context: 'fixture'};"
            '</script><script src="http://fixture.token.awswaf.com/fixture/challenge.js">'
            '</script><div id="challenge-container"></div>',
        ),
        ("http://fixture.token.awswaf.com/fixture/challenge.js",),
    ),
    Challenge(
        "Sucuri",
        "/sucuri",
        403,
        (("Server", "Sucuri/Cloudproxy"), ("X-Sucuri-ID", "11005"), ("X-Sucuri-Block", "BL001")),
        _page(
            "Sucuri WebSite Firewall - Access Denied",
            "<h1>Access Denied - Sucuri Website Firewall</h1><p>If you are the site owner, "
            "please contact support.</p>",
        ),
    ),
    Challenge(
        "DDoS-Guard",
        "/ddosguard",
        403,
        (("Server", "ddos-guard"),),
        _page(
            "DDoS-Guard",
            "<p>Checking your browser before accessing shop.test</p>"
            f'<script src="{SHOP}/.well-known/ddos-guard/check?context=free_splash"></script>',
        ),
        (f"{SHOP}/.well-known/ddos-guard/check",),
    ),
    Challenge(
        "hCaptcha",
        "/hcaptcha",
        200,
        (),
        _page(
            "Security check",
            "<p>Please complete the security check to access shop.test.</p>"
            '<div class="h-captcha" data-sitekey="fixture"></div>'
            '<script src="http://js.hcaptcha.com/1/api.js" async defer></script>',
        ),
        ("http://js.hcaptcha.com/1/api.js",),
    ),
    Challenge(
        "reCAPTCHA",
        "/recaptcha",
        200,
        (),
        _page(
            "One more step",
            "<p>Please confirm you are not a robot to continue.</p>"
            '<div class="g-recaptcha" data-sitekey="fixture"></div>'
            '<script src="http://www.google.com/recaptcha/api.js" async defer></script>',
        ),
        ("http://www.google.com/recaptcha/api.js",),
    ),
)
"""One challenge per vendor the verdict knows."""

CLEARING = f"{SHOP}/clears-itself"
"""A Cloudflare-like challenge that passes after a second: it sets a cookie and reloads."""

_CLEARING_PAGE = _page(
    "Just a moment...",
    "<h1>Verifying you are human. This may take a few seconds.</h1>"
    f'<script src="{SHOP}/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=c"></script>'
    "<script>setTimeout(() => { document.cookie = 'cf_clearance=fixture; path=/';"
    " location.reload(); }, 1000);</script>",
)
_CLEARED_PAGE = _page(
    "Harbour council approves new sea wall",
    f"<main><article><h1>Harbour council approves new sea wall</h1><p>{CLEARED_TEXT}, ending a "
    "debate that had run for almost three years in the small fishing town.</p></article></main>",
)


def _fixed(reply: Reply) -> Route:
    return lambda _request: reply


def _clearing(request: SiteRequest) -> Reply:
    if "cf_clearance=fixture" in (request.header("Cookie") or ""):
        return Reply(headers=HTML, body=_CLEARED_PAGE.encode())
    headers = (*HTML, ("cf-mitigated", "challenge"))
    return Reply(status=403, headers=headers, body=_CLEARING_PAGE.encode())


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {CLEARING: _clearing}
    for challenge in CHALLENGES:
        reply = Reply(challenge.status, (*HTML, *challenge.headers), challenge.body.encode())
        routes[challenge.url] = _fixed(reply)
        for url in challenge.stand_ins:
            routes[url] = _fixed(STAND_IN if url.endswith(".js") or "check" in url else FRAME)
    routes[f"{SHOP}/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"] = _fixed(STAND_IN)
    return routes


@contextmanager
def challenge_proxy() -> Iterator[LocalSite]:
    """Yield the challenge site, to be used as the browser's proxy."""
    with LocalSite(routes=_routes()) as site:
        yield site
