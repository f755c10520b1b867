"""Pure: the public markers of bot checks and interstitials, by vendor.

Each marker is written from the vendors' public documentation and from what their pages are
publicly described to carry (response headers, script and frame addresses, element ids, page
titles); no vendor code is copied. `find_challenge` returns the vendor and the facts that matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from capture.exchanges import Header


@dataclass(frozen=True, slots=True)
class Vendor:
    """What marks one vendor's challenge page; every string is matched lower-case.

    Markers come in three strengths. Signs (`headers`, `signs`, `phrases`, `frames`) appear only
    on a challenge and decide at any status. Hints (`urls`, `inline`, `hints`) also appear on
    pages the vendor lets through (a detection script, a config id), so they decide only on a
    short page refused with 401/403/405/429/503. Edge headers (`servers`, `edge`) say who
    served the page, on every response: they never decide, but name the vendor beside a marker.
    """

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    """(header name, value fragment) pairs sent only on a challenge or block."""
    signs: tuple[str, ...] = ()
    """Fragments of inline script text, element ids or classes found only on a challenge."""
    phrases: tuple[str, ...] = ()
    """Fragments of a challenge's title (or of the visible text of a short page)."""
    frames: tuple[str, ...] = ()
    """Fragments of the addresses of visible frames that hold only a challenge."""
    urls: tuple[str, ...] = ()
    """Fragments of script, frame or resource addresses the vendor loads (hints)."""
    inline: tuple[str, ...] = ()
    """Fragments of inline script text, element ids or classes (hints)."""
    hints: tuple[str, ...] = ()
    """Fragments of the visible text of a refusal (hints)."""
    servers: tuple[str, ...] = ()
    """`Server` header fragments of the vendor's edge (never decide)."""
    edge: tuple[str, ...] = ()
    """Names of headers the vendor sends on every response it passes (never decide)."""
    widget: bool = False
    """The markers are a widget that ordinary pages embed too (a form's captcha): they mark a
    challenge only on a page that is little more than the widget."""


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "Cloudflare",
        headers=(("cf-mitigated", "challenge"),),
        signs=("_cf_chl_opt",),
        phrases=(
            "just a moment...",
            "verifying you are human",
            "checking your browser before accessing",
            "attention required! | cloudflare",
        ),
        urls=("/cdn-cgi/challenge-platform/", "challenges.cloudflare.com"),
        inline=("cf-browser-verification", "challenge-form", "cf-challenge"),
        servers=("cloudflare",),
        edge=("cf-ray",),
    ),
    Vendor(
        "Akamai",
        signs=("sec-if-cpt-container",),
        urls=("/_sec/cp_challenge/", "/akam/13/"),
        inline=("sec-cpt-if", "bm-verify"),
        hints=(
            "powered and protected by akamai",
            "you don't have permission to access",
            "reference #18.",
        ),
        servers=("akamaighost",),
    ),
    Vendor(
        "DataDome",
        frames=("captcha-delivery.com",),
        urls=("captcha-delivery.com",),
        inline=("captcha-delivery",),
        servers=("datadome",),
        edge=("x-datadome", "x-dd-b", "x-datadome-cid"),
    ),
    Vendor(
        "PerimeterX/HUMAN",
        phrases=("press & hold to confirm", "press and hold to confirm"),
        urls=("captcha.px-cdn.net", "captcha.px-cloud.net", "/px/captcha"),
        inline=("px-captcha", "_pxappid", "_pxuuid"),
        hints=("press & hold", "press and hold"),
    ),
    Vendor(
        "Imperva/Incapsula",
        phrases=("incapsula incident id", "request unsuccessful. incapsula"),
        frames=("_incapsula_resource",),
        urls=("_incapsula_resource",),
        inline=("_incapsula_resource", "incapsula"),
        servers=("incapsula", "imperva"),
        edge=("x-iinfo",),
    ),
    Vendor(
        "AWS WAF",
        headers=(("x-amzn-waf-action", ""),),
        urls=("token.awswaf.com", "captcha.awswaf.com"),
        inline=("awswafintegration", "gokuprops"),
    ),
    Vendor(
        "Sucuri",
        headers=(("x-sucuri-block", ""),),
        signs=("sucuri_cloudproxy_js",),
        phrases=("sucuri website firewall",),
        servers=("sucuri",),
        edge=("x-sucuri-id",),
    ),
    Vendor(
        "DDoS-Guard",
        phrases=("checking your browser before accessing",),
        urls=("/.well-known/ddos-guard/", "ddos-guard.net"),
        hints=("ddos-guard",),
        servers=("ddos-guard",),
    ),
    Vendor(
        "hCaptcha",
        urls=("hcaptcha.com/1/api.js", "newassets.hcaptcha.com", "js.hcaptcha.com"),
        inline=("h-captcha",),
        widget=True,
    ),
    Vendor(
        "reCAPTCHA",
        urls=("google.com/recaptcha/", "recaptcha.net/recaptcha/", "gstatic.com/recaptcha/"),
        inline=("g-recaptcha",),
        widget=True,
    ),
)
"""Every vendor the verdict knows, in the order they are tried."""

GENERIC_PHRASES = (
    "verify you are human",
    "verifying you are human",
    "are you a robot",
    "i am not a robot",
    "checking if the site connection is secure",
    "please complete the security check",
    "please verify you are a human",
    "one more step",
)
"""Text of interstitials of any vendor; they count only on a short page."""


@dataclass(frozen=True, slots=True)
class Seen:
    """What the verdict looks at, lower-cased: headers, addresses, inline markers, text."""

    headers: tuple[Header, ...]
    urls: tuple[str, ...]
    inline: str
    text: str
    """The visible text."""
    short: bool
    """The page is little more than a message (a challenge page is)."""
    refused: bool
    """The document answered 401, 403, 405, 428, 429 or 503 (what edges answer a challenge
    with)."""
    title: str = ""
    frames: tuple[str, ...] = ()
    """Addresses of the page's visible frames."""
    tiny: bool = False
    """The page is little more than a widget: hardly any text and no article."""


@dataclass(frozen=True, slots=True)
class Match:
    """A vendor whose challenge the page is, and the facts that say so."""

    vendor: str
    facts: tuple[str, ...]
    sure: bool = True
    """A sign decided (a marker found only on challenges). Otherwise hints on a refused page
    or a widget did, and a rate limit or a sign-in page explains the page better."""


def find_challenge(seen: Seen) -> Match | None:
    """Return the vendor whose challenge the page is, or None.

    A sign (a challenge header, a challenge's own inline script, title, phrase on a short page
    or visible frame) decides at any status; hints (script addresses, ids, hint phrases) decide
    on a short refused page; a widget (a captcha that forms embed) only on a page that is
    little more than it. An edge header (`Server`, a header sent on every response) never
    decides: it adds its fact and names the vendor of a generic interstitial. When several
    vendors match, the sure one with the most facts wins.
    """
    found = [match for vendor in VENDORS if (match := _vendor_match(vendor, seen))]
    if found:
        return max(found, key=lambda match: (match.sure, len(match.facts)))
    phrase = _first(GENERIC_PHRASES, (seen.title, seen.text))
    if phrase and seen.short:
        edges = [(vendor.name, facts) for vendor in VENDORS if (facts := _edge_facts(vendor, seen))]
        name, edge = edges[0] if edges else ("unknown", ())
        return Match(name, (f"the page says {phrase!r}", *edge))
    return None


def _vendor_match(vendor: Vendor, seen: Seen) -> Match | None:
    signs = _signs(vendor, seen)
    hints = _hints(vendor, seen)
    if vendor.widget:
        return Match(vendor.name, tuple(hints), sure=False) if hints and seen.tiny else None
    if signs:
        return Match(vendor.name, (*signs, *hints, *_edge_facts(vendor, seen)))
    if hints and seen.refused and seen.short:
        return Match(vendor.name, (*hints, *_edge_facts(vendor, seen)), sure=False)
    return None


def _signs(vendor: Vendor, seen: Seen) -> list[str]:
    facts = [
        f"header {name}: {value[:80]}"
        for name, value in seen.headers
        for wanted, fragment in vendor.headers
        if name.lower() == wanted and fragment in value.lower()
    ]
    sign = _first(vendor.signs, (seen.inline,))
    title = _first(vendor.phrases, (seen.title,))
    phrase = _first(vendor.phrases, (seen.text,)) if seen.short else None
    frame = _first(vendor.frames, seen.frames)
    return [
        *facts,
        *([f"page holds {sign!r}"] if sign else []),
        *([f"the title says {title!r}"] if title else []),
        *([f"the page says {phrase!r}"] if phrase and not title else []),
        *([f"shows the frame {_url_with(frame, seen.frames)}"] if frame else []),
    ]


def _hints(vendor: Vendor, seen: Seen) -> list[str]:
    url = _first(vendor.urls, seen.urls)
    inline = _first(vendor.inline, (seen.inline,))
    hint = _first(vendor.hints, (seen.text,))
    return [
        *([f"loads {_url_with(url, seen.urls)}"] if url else []),
        *([f"page holds {inline!r}"] if inline else []),
        *([f"the page says {hint!r}"] if hint else []),
    ]


def _edge_facts(vendor: Vendor, seen: Seen) -> tuple[str, ...]:
    server = _header(seen.headers, "server").lower()
    edge = next((name for name, _ in seen.headers if name.lower() in vendor.edge), None)
    served = server and any(fragment in server for fragment in vendor.servers)
    return (
        *([f"served by the {server!r} edge"] if served else []),
        *([f"header {edge}"] if edge else []),
    )


def _first(fragments: Sequence[str], haystacks: Sequence[str]) -> str | None:
    return next(
        (fragment for fragment in fragments for text in haystacks if fragment in text.lower()),
        None,
    )


def _url_with(fragment: str, urls: Sequence[str]) -> str:
    return next((url for url in urls if fragment in url.lower()), fragment)[:160]


def _header(headers: Sequence[Header], wanted: str) -> str:
    return next((value for name, value in headers if name.lower() == wanted), "")
