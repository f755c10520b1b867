"""Pure: which values of a session are its secrets, to be replaced wherever they appear.

Headers that carry credentials (`Cookie`, `Set-Cookie`, `Authorization`) are masked whole, for
any site. Replacing a value inside bodies, the DOM and the article text is another matter: a
value replaced there changes the evidence, so only the session's own secrets are: the cookies
and local storage of the captured site's own domains, which look like secrets (long, not a word,
not a number, not a list of settings) and are not a known analytics or consent cookie.
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

SECRET_CHARS = 16
"""Shorter values of a session file or storage state are masked in headers only."""

LOGIN_SECRET_CHARS = 8
"""Shorter values of a login's response (its cookies, its token fields) are left in bodies."""

NOT_SECRET_NAMES = re.compile(
    r"^(_ga|_gid|_gat|_gcl_|__utm|_fbp|_fbc|_hj|_pk_|_clck|_clsk|_uet|mp_|ajs_|amplitude|"
    r"optanon|eupubconsent|euconsent|cookieconsent|cookielawinfo|didomi|usprivacy|"
    r"otadditionalconsent|__cf_bm|_cfuvid|cf_clearance)|consent",
    re.IGNORECASE,
)
"""Cookie and storage names of analytics, consent and bot-check values: never the session."""

NUMBER_LIKE = re.compile(r"[\d\s.,:;+\-_/|]+")
SETTINGS_LIKE = re.compile(r"[^&=]*=[^&]*&.*=")
"""`a=1&b=2`: a list of settings (a consent cookie), not a token."""

SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go"})
"""Labels under which a country's domains register (`example.co.uk`, `example.com.au`)."""

if TYPE_CHECKING:
    from capture.config.site import SiteConfig


def looks_secret(value: str, min_chars: int = SECRET_CHARS) -> bool:
    """Return True when value looks like a token: long enough, not a word, a number, a date
    or a list of settings."""
    if len(value) < min_chars or any(char.isspace() for char in value):
        return False
    if value.isalpha() or NUMBER_LIKE.fullmatch(value):
        return False
    decoded = urllib.parse.unquote_plus(value)
    return not SETTINGS_LIKE.match(decoded) and not any(c.isspace() for c in decoded)


def is_tracking_name(name: str) -> bool:
    """Return True for the name of an analytics, consent or bot-check cookie or storage key."""
    return bool(NOT_SECRET_NAMES.search(name.strip()))


def site_of(host: str) -> str:
    """Return the registrable part of a host (`news.example.co.uk` -> `example.co.uk`);
    an IP address is its own site."""
    host = host.strip().strip(".").lower().strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL else 2
        return ".".join(labels[-keep:])
    return host


def own_sites(urls: Iterable[str]) -> frozenset[str]:
    """Return the sites of the given addresses (the capture's, its login page's)."""
    hosts = (urllib.parse.urlsplit(url).hostname for url in urls if url)
    return frozenset(site_of(host) for host in hosts if host)


def is_own(host_or_domain: str, sites: frozenset[str]) -> bool:
    """Return True when a cookie's domain or an origin's host belongs to one of the sites."""
    return bool(host_or_domain) and site_of(host_or_domain) in sites


def session_secrets(state: dict[str, Any], sites: frozenset[str]) -> list[str]:
    """Return the secrets of a storage state to replace in every byte: the values of its own
    sites' cookies and local storage that look like secrets (tracking ones left out)."""
    values = [
        str(cookie.get("value", ""))
        for cookie in state.get("cookies", [])
        if is_own(str(cookie.get("domain", "")), sites)
        and not is_tracking_name(str(cookie.get("name", "")))
    ]
    for origin in state.get("origins", []):
        host = urllib.parse.urlsplit(str(origin.get("origin", ""))).hostname or ""
        if is_own(host, sites):
            values += [
                str(entry.get("value", ""))
                for entry in origin.get("localStorage", [])
                if not is_tracking_name(str(entry.get("name", "")))
            ]
    return [value for value in values if looks_secret(value)]


def login_secrets(values: Iterable[tuple[str, str]]) -> list[str]:
    """Return the values of a login response's (name, value) pairs that are its secrets."""
    return [
        value
        for name, value in values
        if not is_tracking_name(name) and looks_secret(value, LOGIN_SECRET_CHARS)
    ]


def credential_values(
    site: SiteConfig | None, env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Return the secret values a site config uses: its login's, its cookies' `value_env` and
    its `redact_env`.

    Empty when there are none or they are unset. Every output is cleaned of these values.
    """
    if site is None:
        return ()
    source = os.environ if env is None else env
    names: list[str] = []
    if site.login is not None:
        names += [site.login.username_env, site.login.password_env]
    for item in site.before:
        names += [cookie.value_env for cookie in item.cookies or () if cookie.value_env]
    names += site.redact_env
    return tuple(value for name in names if (value := source.get(name, "")))
