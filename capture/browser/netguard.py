"""Refusing requests to loopback, private, link-local and other non-public addresses.

With `block_private_networks` a capture may not reach the machine it runs on or its network
(an SSRF guard for service use). Every host is resolved (cached per capture) and every address
it resolves to is checked; one non-public address blocks the host.

Where it is enforced, and why in two places:
- a CDP `Fetch` interception on the page's own target sees every request it makes, redirect
  hops included (Playwright's routes never see a redirect's next hop);
- a context route covers frames in other processes (out-of-process iframes), which the page's
  CDP session does not see; their redirect hops are caught by the check after the fact below.

DNS rebinding: Chromium resolves the host again itself, so a name can answer a public address
to us and a private one to the browser. The renderer therefore also checks the address each
response actually came from (`check_address`): such exchanges are not recorded and the main
document's makes the capture fail. The request itself has then been sent; only a proxy that
connects to the address it checked closes that gap, at the cost of the recorded server IP.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from capture.browser.background import Background
from capture.errors import NavigationError

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page, Route

    from capture.exchanges import Exchange
    from capture.overlays.log import InterventionLog

log = logging.getLogger(__name__)

RULE = "capture:block-private-networks"
"""The rule name of the interventions that record a blocked request."""

Resolve = Callable[[str], Awaitable[tuple[str, ...]]]
"""Returns the addresses a host name resolves to (empty when it does not resolve)."""

OnBlocked = Callable[["Blocked"], None]

AddressPolicy = Callable[[str], "str | None"]
"""Returns why an address is refused (`loopback`, ...), or None when it may be reached."""


@dataclass(frozen=True, slots=True)
class Blocked:
    """A request refused because its host is, or resolves to, a non-public address."""

    url: str
    address: str
    kind: str
    """loopback, private, link-local, multicast, reserved, unspecified or not global."""

    def describe(self) -> str:
        """Return one line saying what was refused and why."""
        host = urlsplit(self.url).hostname or self.url
        if host == self.address:
            return f"{self.url}: {self.address} is a {self.kind} address"
        return f"{self.url}: {host} resolves to {self.address}, a {self.kind} address"


def address_kind(ip: str) -> str | None:
    """Return why ip is not a public address (`loopback`, `private`, ...), or None if it is.

    IPv4-mapped and 6to4/Teredo-embedded IPv4 addresses are judged by the IPv4 inside.
    """
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            ip.split("%", 1)[0]
        )
    except ValueError:
        return "unparsable"
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is not None:
            return address_kind(str(inner))
    for kind, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not global", not address.is_global),
    ):
        if flag:
            return kind
    return None


def is_blocked_address(ip: str) -> bool:
    """Return True when ip is loopback, private, link-local, reserved, multicast or unspecified."""
    return address_kind(ip) is not None


async def resolve_host(host: str) -> tuple[str, ...]:
    """Return every address host resolves to (the system resolver), or () when it does not."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return ()
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


class NetworkGuard:
    """Decides, per URL, whether a request may go out; resolutions are cached per host."""

    def __init__(
        self,
        on_blocked: OnBlocked,
        resolve: Resolve = resolve_host,
        policy: AddressPolicy | None = None,
    ) -> None:
        self._on_blocked = on_blocked
        self._resolve = resolve
        self._policy = policy or address_kind
        self._cache: dict[str, asyncio.Task[tuple[str, ...]]] = {}
        self._session: CDPSession | None = None
        self._pending = Background()

    async def check(self, url: str) -> Blocked | None:
        """Return why url must be refused, or None when every address of its host is public.

        A host that does not resolve is let through: the browser cannot reach it either.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
            return None
        host = parts.hostname.strip("[]")
        try:
            addresses: tuple[str, ...] = (str(ipaddress.ip_address(host)),)
        except ValueError:
            if host.lower() == "localhost" or host.lower().endswith(".localhost"):
                addresses = ("127.0.0.1",)  # Chromium answers these itself, without DNS.
            else:
                if host not in self._cache:
                    self._cache[host] = asyncio.ensure_future(self._resolve(host))
                addresses = await self._cache[host]
        for address in addresses:
            kind = self._policy(address)
            if kind is not None:
                return Blocked(url, address, kind)
        return None

    def check_address(self, url: str, address: str | None) -> Blocked | None:
        """Return why a response that came from address must not be kept, or None."""
        if not address:
            return None
        kind = self._policy(address)
        return Blocked(url, address, kind) if kind is not None else None

    async def install(self, context: BrowserContext, page: Page) -> None:
        """Refuse blocked requests of page (redirect hops included) and of every frame."""
        await context.route("**/*", self._route)
        session = await context.new_cdp_session(page)
        session.on("Fetch.requestPaused", self._on_paused)
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self._session = session

    async def _route(self, route: Route) -> None:
        blocked = await self.check(route.request.url)
        if blocked is None:
            await route.fallback()
            return
        self._on_blocked(blocked)
        await route.abort("blockedbyclient")

    def _on_paused(self, event: dict[str, Any]) -> None:
        self._pending.spawn(self._decide(event))

    async def _decide(self, event: dict[str, Any]) -> None:
        session = self._session
        if session is None:
            return
        request_id = event["requestId"]
        try:
            blocked = await self.check(event["request"]["url"])
            if blocked is None:
                await session.send("Fetch.continueRequest", {"requestId": request_id})
                return
            self._on_blocked(blocked)
            await session.send(
                "Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"}
            )
        except Exception as exc:  # The page closed while the request was paused.
            log.info("paused request not answered", extra={"error": str(exc)})


class PageGuard:
    """One capture's guard: refuses to load a non-public address, drops exchanges that came
    from one anyway (DNS rebinding), and logs each refusal once as an intervention."""

    def __init__(
        self,
        enabled: bool,
        interventions: InterventionLog,
        sink: Callable[[Exchange], None],
        policy: AddressPolicy | None = None,
    ) -> None:
        self.interventions = interventions
        self.sink = sink
        self.guard = NetworkGuard(self.on_blocked, policy=policy) if enabled else None
        """None when private networks are not blocked."""

    async def refuse(self, url: str) -> None:
        """Raise NavigationError when url's host is, or resolves to, a non-public address."""
        blocked = await self.guard.check(url) if self.guard else None
        if blocked is not None:
            self.on_blocked(blocked)
            raise _refused(blocked)

    def refuse_server(self, url: str, remote_ip: str | None) -> None:
        """Raise NavigationError when the main document came from a non-public address anyway."""
        if self.guard is None:
            return
        blocked = self.guard.check_address(url, remote_ip)
        if blocked is not None:
            raise _refused(blocked)

    def on_blocked(self, blocked: Blocked) -> None:
        """Log a refusal as an intervention, once per refused address."""
        if any(entry.detail == blocked.describe() for entry in self.interventions.entries):
            return
        self.interventions.add("block", RULE, ok=True, detail=blocked.describe())

    def keep(self, exchange: Exchange) -> None:
        """Pass exchange on to the sink, unless it came from a non-public address."""
        guard = self.guard
        blocked = (
            guard.check_address(exchange.request.url, exchange.response.remote_ip)
            if guard is not None
            else None
        )
        if blocked is not None:
            self.on_blocked(blocked)
            return
        self.sink(exchange)


def _refused(blocked: Blocked) -> NavigationError:

    return NavigationError(
        f"Refused to load {blocked.describe()} (private networks are blocked). "
        "Capture public addresses only, or turn off --block-private-networks."
    )
