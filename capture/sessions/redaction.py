"""Pure: removing login secrets from what a capture stores, before anything is written."""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from capture.exchanges import Exchange, Header
from capture.sessions.secrets import (
    LOGIN_SECRET_CHARS,
    is_own,
    is_tracking_name,
    login_secrets,
    looks_secret,
)

log = logging.getLogger(__name__)

REDACTED = b"[redacted by capture: login credential]"
"""What replaces a credential in any recorded bytes."""

SESSION_MARK = "[redacted by capture: session secret]"
"""What replaces a cookie value, an Authorization credential or a login token."""


def _forms(secret: str) -> list[bytes]:
    """Return the ways a secret can appear on the wire, longest first."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    return sorted((form.encode() for form in forms if form), key=len, reverse=True)


def sends_credential(body: bytes | None, credentials: Sequence[str]) -> bool:
    """Return True when a request body carries one of the credentials (as typed or
    URL-encoded): the request is a login, and its response teaches the session's secrets."""
    data = body or b""
    return any(form in data for secret in credentials if secret for form in _forms(secret))


def redact_bytes(
    data: bytes, secrets: Sequence[str], marker: bytes = REDACTED
) -> tuple[bytes, bool]:
    """Return data with every secret (as typed or URL-encoded) replaced by marker, and whether
    any was."""
    found = False
    for secret in secrets:
        for form in _forms(secret):
            if form in data:
                data = data.replace(form, marker)
                found = True
    return data, found


def redact_text(text: str, secrets: Sequence[str], marker: bytes = REDACTED) -> tuple[str, bool]:
    """Return text with every secret replaced by marker, and whether any was."""
    data, found = redact_bytes(text.encode("utf-8"), secrets, marker)
    return (data.decode("utf-8"), True) if found else (text, False)


def _headers(
    headers: Iterable[Header], secrets: Sequence[str], marker: bytes
) -> tuple[tuple[Header, ...], bool]:
    cleaned, found = [], False
    for name, value in headers:
        new, hit = redact_text(value, secrets, marker)
        cleaned.append((name, new))
        found = found or hit
    return tuple(cleaned), found


def redact_exchange(
    exchange: Exchange, secrets: Sequence[str], marker: bytes = REDACTED
) -> tuple[Exchange, bool]:
    """Return the exchange with secrets removed from URLs, headers and bodies, and whether any were.

    The lengths of edited bodies change; the record builder sets Content-Length from the body.
    """
    if not secrets:
        return exchange, False
    request, response = exchange.request, exchange.response
    url, in_url = redact_text(request.url, secrets, marker)
    request_headers, in_request_headers = _headers(request.headers, secrets, marker)
    body, in_body = redact_bytes(request.body or b"", secrets, marker)
    response_headers, in_response_headers = _headers(response.headers, secrets, marker)
    response_body, in_response = redact_bytes(response.body, secrets, marker)
    found = in_url or in_request_headers or in_body or in_response_headers or in_response
    if not found:
        return exchange, False
    return (
        replace(
            exchange,
            request=replace(
                request,
                url=url,
                headers=request_headers,
                body=body if request.body is not None else None,
            ),
            response=replace(response, headers=response_headers, body=response_body),
        ),
        True,
    )


SESSION_BYTES = SESSION_MARK.encode()

AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})
TOKEN_FIELD = re.compile(
    rb'"([A-Za-z_]*(?:token|session|jwt|auth|secret|sid)[A-Za-z_]*)"\s*:\s*"([^"\\]{4,})"',
    re.IGNORECASE,
)
"""A JSON string field whose name says it holds a credential (`access_token`, `session_id`)."""


def cookie_pairs(header: str) -> list[tuple[str, str]]:
    """Return the (name, value) pairs of a Cookie header (`a=1; b=2`)."""
    pairs = []
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals:
            pairs.append((name, value))
    return pairs


def _masked_cookie_header(value: str) -> str:
    return "; ".join(f"{name}={SESSION_MARK}" for name, _ in cookie_pairs(value))


def _masked_set_cookie(value: str) -> str:
    """Mask each cookie of a Set-Cookie value (some tools join several with newlines)."""
    masked = []
    for line in value.split("\n"):
        first, semicolon, attributes = line.partition(";")
        name, equals, _ = first.partition("=")
        masked.append(f"{name.strip()}={SESSION_MARK}{semicolon}{attributes}" if equals else line)
    return "\n".join(masked)


def _masked_authorization(value: str) -> str:
    scheme, space, _ = value.strip().partition(" ")
    return f"{scheme} {SESSION_MARK}" if space else SESSION_MARK


def _set_cookie_pairs(headers: Iterable[Header]) -> list[tuple[str, str]]:
    """Return the (name, value) pairs the Set-Cookie headers set (joined by newlines or not)."""
    return [
        pair
        for name, value in headers
        if name.lower() == "set-cookie"
        for line in value.split("\n")
        for pair in cookie_pairs(line.partition(";")[0])
    ]


def _masked_header(header: Header) -> Header:
    name, value = header
    lowered = name.lower()
    if lowered == "cookie":
        return name, _masked_cookie_header(value)
    if lowered == "set-cookie":
        return name, _masked_set_cookie(value)
    if lowered in AUTH_HEADERS:
        return name, _masked_authorization(value)
    return header


class LoginBarrier:
    """Passes exchanges on to `store`, except while a login is in flight: then they wait, and
    go after the login's own exchange.

    The redactor learns a session's secrets from a login's exchange (its Set-Cookie, its token
    fields), and a page answered after the login may quote them in a body (a csrf field, a
    token in a script). Bodies are read in no fixed order: without the barrier such a page
    could be written before the login taught the redactor what to replace. A login is a
    request whose body carries one of `credentials`; it is in flight from its start to its
    end (recorded, failed, or abandoned by `release`).
    """

    def __init__(self, credentials: Sequence[str], store: Callable[[Exchange], None]) -> None:
        self._credentials = tuple(value for value in credentials if value)
        self._store = store
        self._logins: set[object] = set()
        self._held: list[Exchange] = []

    @property
    def watching(self) -> bool:
        """Return True when there are credentials to recognise a login by."""
        return bool(self._credentials)

    def started(self, request: object, body: bytes | None) -> None:
        """Note a request that started; one that sends a credential holds later exchanges."""
        if self._credentials and sends_credential(body, self._credentials):
            self._logins.add(request)

    def ended(self, request: object) -> None:
        """Note a request that ended (its exchange passed on, or none); when it was the last
        login in flight, pass on what waited."""
        if request in self._logins:
            self._logins.discard(request)
            self.release(everything=False)

    def pass_on(self, exchange: Exchange) -> None:
        """Store exchange now, or after the logins in flight (a login's own exchange goes at
        once: it teaches what the held ones may carry)."""
        if self._logins and not sends_credential(exchange.request.body, self._credentials):
            self._held.append(exchange)
            return
        self._store(exchange)

    def release(self, *, everything: bool = True) -> None:
        """Store the held exchanges in the order they came, once no login is in flight;
        everything=True gives up on the logins in flight (the capture is ending)."""
        if everything:
            self._logins.clear()
        if self._logins:
            return
        held, self._held = self._held, []
        for exchange in held:
            try:
                self._store(exchange)
            except Exception as exc:  # One exchange the sink refused never stops the rest.
                log.warning(
                    "exchange not recorded", extra={"url": exchange.request.url, "error": str(exc)}
                )


class Redactor:
    """Removes one capture's secrets from what it stores, learning them as the capture goes.

    `credentials` (a login's user name and password) are replaced everywhere, always. With
    `session` on, every Cookie and Set-Cookie value and every Authorization and
    Proxy-Authorization credential is masked in its header (names kept, a marker in place of
    each value), whatever the site. Inside URLs, bodies, the DOM and text, only the session's
    own secrets are replaced: `known` and `sources` (its own sites' cookies and storage, chosen
    by `capture.sessions.secrets.session_secrets`), the cookies and token fields of a login's
    response (an exchange whose request sent a credential), and, with `sites`, the values the
    browser sends to those sites (its Cookie and Authorization headers' values that look like
    secrets). The last make the replacement independent of timing: whatever became of the
    login's own exchange (its body unread, its exchange lost), an exchange that carries the
    session has it replaced in its own body, and the DOM and texts after it. A third party's
    cookie value is never rewritten in a body: that would change the evidence.
    """

    def __init__(
        self,
        credentials: Sequence[str] = (),
        *,
        session: bool = False,
        known: Iterable[str] = (),
        sources: Sequence[Callable[[], Iterable[str]]] = (),
        sites: frozenset[str] = frozenset(),
    ) -> None:
        self.credentials = tuple(value for value in credentials if value)
        self.session = session
        self._sites = sites
        """The capture's own sites (`capture.sessionsecrets.own_sites`): what is sent to them
        is the session's."""
        self._learned: set[str] = set()
        self._sources = tuple(sources)
        """Asked for more values before each use (a run's session, once it is logged in)."""
        self.learn(known)
        self.exchanges = 0
        """How many exchanges had something replaced."""

    @property
    def active(self) -> bool:
        """Return True when anything is redacted at all."""
        return self.session or bool(self.credentials)

    def learn(self, values: Iterable[str]) -> None:
        """Add values to the secrets replaced from now on (short ones are ignored)."""
        if self.session:
            self._learned.update(v for v in values if len(v) >= LOGIN_SECRET_CHARS)

    def secrets(self) -> tuple[str, ...]:
        """Return every secret replaced in bytes: credentials first, then learned values."""
        return (*self.credentials, *self._session_values())

    def _session_values(self) -> list[str]:
        for source in self._sources:
            self.learn(source())
        return sorted(self._learned - set(self.credentials), key=len, reverse=True)

    def exchange(self, exchange: Exchange) -> Exchange:
        """Return exchange with its secrets replaced (counted in `exchanges` when any were)."""
        if not self.active:
            return exchange
        masked = exchange
        if self.session:
            masked = self._masked_headers(exchange)
            self.learn(self._sent_secrets(exchange))
        if self._is_login(exchange):
            tokens = [
                (
                    match.group(1).decode("utf-8", "replace"),
                    match.group(2).decode("utf-8", "replace"),
                )
                for match in TOKEN_FIELD.finditer(exchange.response.body)
            ]
            self.learn(login_secrets([*_set_cookie_pairs(exchange.response.headers), *tokens]))
        cleaned, found = redact_exchange(masked, self.credentials)
        cleaned, learned = redact_exchange(cleaned, self._session_values(), SESSION_BYTES)
        if found or learned or masked != exchange:
            self.exchanges += 1
        return cleaned

    def text(self, text: str) -> tuple[str, bool]:
        """Return text with every secret known so far replaced, and whether any was."""
        text, found = redact_text(text, self.credentials)
        text, learned = redact_text(text, self._session_values(), SESSION_BYTES)
        return text, found or learned

    def _sent_secrets(self, exchange: Exchange) -> list[str]:
        """Return what the request sends one of the own sites that looks like the session's:
        its cookies' values (tracking ones left out) and its Authorization credentials."""
        host = urllib.parse.urlsplit(exchange.request.url).hostname or ""
        if not is_own(host, self._sites):
            return []
        values = []
        for name, value in exchange.request.headers:
            lowered = name.lower()
            if lowered == "cookie":
                values += [v for n, v in cookie_pairs(value) if not is_tracking_name(n)]
            elif lowered in AUTH_HEADERS:
                values.append(value.strip().partition(" ")[2].strip() or value.strip())
        return [value for value in values if looks_secret(value)]

    def _is_login(self, exchange: Exchange) -> bool:
        """Return True when the request sent a credential: its response is a login's."""
        return sends_credential(exchange.request.body, self.credentials)

    @staticmethod
    def _masked_headers(exchange: Exchange) -> Exchange:
        request, response = exchange.request, exchange.response
        return replace(
            exchange,
            request=replace(request, headers=tuple(map(_masked_header, request.headers))),
            response=replace(response, headers=tuple(map(_masked_header, response.headers))),
        )
