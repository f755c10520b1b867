"""Pure: the public markers of bot checks and interstitials, by vendor.

Each marker is written from the vendors' public documentation and from what their pages are
publicly described to carry (response headers, script and frame addresses, element ids, page
titles); no vendor code is copied. `find_challenge` returns the vendor and the facts that matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from capture.models import Header


@dataclass(frozen=True, slots=True)
class Vendor:
    """What marks one vendor's challenge page; every string is matched lower-case."""

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    """(header name, value fragment) pairs that alone say the response is a challenge."""
    hints: tuple[str, ...] = ()
    """Names of headers the vendor sends on every response it passes: a marker like a
    script address (it needs a refused status or a short page)."""
    servers: tuple[str, ...] = ()
    """`Server` header fragments that, on a short page refused with 403/429/503, say this
    vendor's edge answered."""
    urls: tuple[str, ...] = ()
    """Fragments of script, frame or resource addresses of the vendor's challenge."""
    inline: tuple[str, ...] = ()
    """Fragments of inline script text, element ids or classes of the challenge page."""
    phrases: tuple[str, ...] = ()
    """Fragments of the title or visible text of the challenge page."""
    widget: bool = False
    """The marker is a widget that ordinary pages embed too (a form's captcha): it marks a
    challenge only on a page that is little more than the widget."""


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "Cloudflare",
        headers=(("cf-mitigated", "challenge"),),
        servers=("cloudflare",),
        urls=("/cdn-cgi/challenge-platform/", "challenges.cloudflare.com"),
        inline=("_cf_chl_opt", "cf-browser-verification", "challenge-form", "cf-challenge"),
        phrases=(
            "just a moment...",
            "verifying you are human",
            "checking your browser before accessing",
            "attention required! | cloudflare",
        ),
    ),
    Vendor(
        "Akamai",
        servers=("akamaighost",),
        urls=("/_sec/cp_challenge/", "/akam/13/"),
        inline=("sec-if-cpt-container", "sec-cpt-if", "bm-verify"),
        phrases=("powered and protected by akamai", "you don't have permission to access"),
    ),
    Vendor(
        "DataDome",
        hints=("x-datadome", "x-dd-b", "x-datadome-cid"),
        servers=("datadome",),
        urls=("captcha-delivery.com",),
        inline=("captcha-delivery",),
    ),
    Vendor(
        "PerimeterX/HUMAN",
        urls=("captcha.px-cdn.net", "captcha.px-cloud.net", "/px/captcha"),
        inline=("px-captcha", "_pxappid", "_pxuuid"),
        phrases=("press & hold", "press and hold to confirm"),
    ),
    Vendor(
        "Imperva/Incapsula",
        hints=("x-iinfo",),
        servers=("incapsula", "imperva"),
        urls=("_incapsula_resource",),
        inline=("_incapsula_resource", "incapsula"),
        phrases=("incapsula incident id", "request unsuccessful. incapsula"),
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
        servers=("sucuri",),
        inline=("sucuri_cloudproxy_js",),
        phrases=("sucuri website firewall",),
    ),
    Vendor(
        "DDoS-Guard",
        servers=("ddos-guard",),
        urls=("/.well-known/ddos-guard/", "ddos-guard.net"),
        phrases=("ddos-guard", "checking your browser before accessing"),
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
    """The title and the visible text."""
    short: bool
    """The page is little more than a message (a challenge page is)."""
    refused: bool
    """The document answered 401, 403, 405, 429 or 503 (what edges answer a challenge with)."""


@dataclass(frozen=True, slots=True)
class Match:
    """A vendor whose challenge the page is, and the facts that say so."""

    vendor: str
    facts: tuple[str, ...]


def find_challenge(seen: Seen) -> Match | None:
    """Return the vendor whose challenge the page is, or None.

    A challenge header alone decides; a vendor's `Server` decides on a short refused page; a
    script address, inline marker, phrase or hint header decides on a refused status or a
    short page; a widget (a captcha that forms embed) decides only on a short page. When
    several vendors match, the one with the most facts wins.
    """
    found = [
        Match(vendor.name, facts) for vendor in VENDORS if (facts := _vendor_facts(vendor, seen))
    ]
    if found:  # the vendor with the most evidence (two share a phrase)
        return max(found, key=lambda match: len(match.facts))
    phrase = _first(GENERIC_PHRASES, (seen.text,))
    if phrase and seen.short:
        return Match("unknown", (f"the page says {phrase!r}",))
    return None


def _vendor_facts(vendor: Vendor, seen: Seen) -> tuple[str, ...]:
    facts: list[str] = []
    for name, value in seen.headers:
        lowered = name.lower()
        for wanted, fragment in vendor.headers:
            if lowered == wanted and fragment in value.lower():
                facts.append(f"header {name}: {value[:80]}")
    server = _header(seen.headers, "server").lower()
    if seen.refused and seen.short and server and any(p in server for p in vendor.servers):
        facts.append(f"the {server!r} edge refused the page with a short message")
    hint = next((name for name, _ in seen.headers if name.lower() in vendor.hints), None)
    url = _first(vendor.urls, seen.urls)
    inline = _first(vendor.inline, (seen.inline,))
    phrase = _first(vendor.phrases, (seen.text,))
    markers = [
        *([f"header {hint}"] if hint else []),
        *([f"loads {_url_with(url, seen.urls)}"] if url else []),
        *([f"page holds {inline!r}"] if inline else []),
        *([f"the page says {phrase!r}"] if phrase else []),
    ]
    if vendor.widget:
        return tuple(markers) if markers and seen.short else ()
    if markers and (facts or seen.refused or seen.short):
        facts.extend(markers)
    return tuple(facts)


def _first(fragments: Sequence[str], haystacks: Sequence[str]) -> str | None:
    return next(
        (fragment for fragment in fragments for text in haystacks if fragment in text.lower()),
        None,
    )


def _url_with(fragment: str, urls: Sequence[str]) -> str:
    return next((url for url in urls if fragment in url.lower()), fragment)[:160]


def _header(headers: Sequence[Header], wanted: str) -> str:
    return next((value for name, value in headers if name.lower() == wanted), "")
