"""Sessions: one login per run for each site, and what a session makes secret in the outputs.

A site config with a `login` logs in once per run (per worker process through a broker), in a
context of its own that nothing records; every capture of the site then starts from that
context's storage state, kept in memory only. A session file (`before: storage_state`, made by
`capture login`) is read by each capture from the disk of the machine that captures.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.errors import UsageError
from capture.sessions.expiry import ExpiryWatch
from capture.sessions.redaction import Redactor
from capture.sessions.secrets import credential_values, own_sites, session_secrets
from capture.sessions.statefile import read_session
from capture.steps import utc_now

if TYPE_CHECKING:
    from capture.config.site import SiteConfig
    from capture.models import CaptureRequest

log = logging.getLogger(__name__)


def account_label(site: SiteConfig) -> str:
    """Return how outputs name the account: the config's `account`, else its config's name."""
    return site.account or f"the account of site config {site.name!r}"


def session_files(site: SiteConfig) -> list[Path]:
    """Return the session files (storage states) the site config names, resolved."""
    paths = []
    for item in site.before:
        name, value = item.chosen
        if name == "storage_state":
            paths.append(site.resolve(value))
    return paths


def uses_session(site: SiteConfig | None) -> bool:
    """Return True when captures of the site carry a session: a login, cookies, a session
    file, or an Authorization or Cookie header."""
    if site is None:
        return False
    if site.login is not None:
        return True
    for item in site.before:
        name, value = item.chosen
        if name in ("storage_state", "cookies"):
            return True
        if name == "headers" and {key.lower() for key in value} & {"authorization", "cookie"}:
            return True
    return False


def state_values(state: dict[str, Any]) -> list[str]:
    """Return the secret values of a storage state: its cookies' and its local storage's."""
    values = [str(cookie.get("value", "")) for cookie in state.get("cookies", [])]
    for origin in state.get("origins", []):
        values += [str(entry.get("value", "")) for entry in origin.get("localStorage", [])]
    return [value for value in values if value]


def file_values(site: SiteConfig, sites: frozenset[str]) -> list[str]:
    """Return the secrets of the site's session files to replace in every byte: their own
    sites' values that look like secrets (unreadable files give none)."""
    values: list[str] = []
    for path in session_files(site):
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a missing file is reported by the capture's `before` step
        if isinstance(state, dict):
            values += session_secrets(state, sites)
    return values


@dataclass(frozen=True, slots=True)
class Session:
    """The outcome of a site's one login in a run: a storage state, or why there is none."""

    site_key: str
    at: datetime
    state: dict[str, Any] | None = None
    failure: str | None = None
    source: str | None = None
    """The session file it was read from (None: the run logged in)."""

    def secrets(self, sites: frozenset[str]) -> tuple[str, ...]:
        """Return the session's secrets to replace in every byte: its cookie and local storage
        values of the given sites that look like secrets."""
        return tuple(session_secrets(self.state, sites)) if self.state else ()


class SessionStore:
    """The sessions of one run, one per site config with a `login`, made at first need, and
    which sites' sessions the run has found gone (`expiry`)."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or utc_now
        self.expiry = ExpiryWatch()
        """Counts the captures that found a site's session gone; stops the site after a few."""
        self._sessions: dict[str, Session] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.logins = 0
        """How many logins this store has run (one per site, tests read it)."""

    def known(self, site: SiteConfig | None, sites: frozenset[str]) -> tuple[str, ...]:
        """Return the secrets of the site's session in this run (of the given sites), once
        logged in."""
        if site is None:
            return ()
        session = self._sessions.get(site.rule("login"))
        return session.secrets(sites) if session else ()

    async def obtain(self, site: SiteConfig, log_in: Callable[[], Awaitable[Session]]) -> Session:
        """Return the site's session, logging in first (by `log_in`) when this run has not yet.

        A session file the config names (`capture login` made it) is used instead of logging
        in, when it exists. Captures that ask meanwhile wait for the one login. A failed login
        is remembered too: the run does not hammer a login endpoint (or meet its rate limit)
        once per URL.
        """
        key = site.rule("login")
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._sessions:
                made = self._from_file(site)
                if made is None:
                    self.logins += 1
                    made = await log_in()
                self._sessions[key] = made
            return self._sessions[key]

    def _from_file(self, site: SiteConfig) -> Session | None:
        """Return the session in the site's session file, or None when there is no file."""
        path = next((path for path in session_files(site) if path.is_file()), None)
        if path is None:
            return None
        key, now = site.rule("login"), self._clock()
        try:
            return Session(key, now, state=read_session(path), source=str(path))
        except UsageError as exc:
            return Session(key, now, failure=f"{key}: {exc}", source=str(path))


def login_start(site: SiteConfig, url: str) -> str:
    """Return where a run's one login starts: the login page when the config names one (no
    article is loaded for nothing, nor counted by a metered wall), else the article."""
    login = site.login
    if login is not None and login.url and not login.open:
        return urllib.parse.urljoin(url, login.url)
    return url


def redactor_for(request: CaptureRequest) -> Redactor:
    """Return the redactor of one capture: its credentials always, its session's secrets too
    unless its site config says `redact_session: false`."""
    site = request.site
    secrets = credential_values(site)
    if not uses_session(site) or not site.redact_session:
        return Redactor(secrets)
    store: SessionStore | None = getattr(request, "sessions", None)
    sites = own_sites([request.url, login_start(site, request.url)])
    known: Iterable[str] = file_values(site, sites)
    return Redactor(
        secrets,
        session=True,
        known=known,
        sources=(lambda: store.known(site, sites),) if store is not None else (),
        sites=sites,
    )
