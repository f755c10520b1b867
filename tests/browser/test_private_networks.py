"""--block-private-networks: navigation, subresources, frames and redirect hops to non-public
addresses are refused before a request leaves the browser, and every refusal is recorded.

Every fixture listens on loopback, so the subresource test judges by a policy that calls only
127.0.0.2 private: the page (127.0.0.1) loads, and what it asks of 127.0.0.2 is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import html, redirect
from capture.options import CaptureOptions
from tests.browser.captured import capture_one

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

BLOCKING = CaptureOptions(block_private_networks=True, timeout_s=20)
PRIVATE_HOST = "127.0.0.2"


def only_private_host(ip: str) -> str | None:
    """Return "private" for PRIVATE_HOST only: the policy of the subresource test."""
    return "private" if ip == PRIVATE_HOST else None


@pytest.fixture(scope="module")
def private_site() -> Iterator[LocalSite]:
    """Yield a site on 127.0.0.2 that must never be asked anything."""
    with LocalSite(host=PRIVATE_HOST) as site:
        site.add_route("/pixel.png", lambda _: html("secret"))
        site.add_route("/frame.html", lambda _: html("<p>internal admin</p>"))
        site.add_route("/api", lambda _: html("internal"))
        yield site


@pytest.fixture(scope="module")
def public_site(private_site: LocalSite) -> Iterator[LocalSite]:
    """Yield a page on 127.0.0.1 that reaches for the private site three ways."""
    with LocalSite() as site:
        hop = site.url("/to-private")
        page = (
            "<!doctype html><title>Reaching in</title><h1>Public page</h1>"
            f'<img src="{private_site.url("/pixel.png")}" width=10 height=10>'
            f'<iframe src="{private_site.url("/frame.html")}"></iframe>'
            f'<script>fetch("{hop}").catch(() => null)</script>'
        )
        site.add_route("/", lambda _: html(page))
        site.add_route("/to-private", lambda _: redirect(private_site.url("/api")))
        yield site


async def test_navigation_to_a_loopback_address_fails_before_any_request(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    site.clear_requests()

    captured = await capture_one(site.url("/landing.html"), shared_renderer, tmp_path, BLOCKING)

    assert captured.document["state"] == "failed"
    assert captured.document["error"] == (
        f"Refused to load {site.url('/landing.html')}: 127.0.0.1 is a loopback address "
        "(private networks are blocked). Capture public addresses only, or turn off "
        "--block-private-networks."
    )
    assert site.requests == ()
    assert captured.of_type("response") == []
    (note,) = captured.document["interventions"]
    assert note["rule"] == "capture:block-private-networks"
    assert note["action"] == "block"


async def test_subresources_frames_and_redirect_hops_to_private_addresses_are_refused(
    shared_renderer: ChromiumRenderer,
    public_site: LocalSite,
    private_site: LocalSite,
    tmp_path: Path,
) -> None:
    renderer = shared_renderer.with_address_policy(only_private_host)
    private_site.clear_requests()

    captured = await capture_one(public_site.url("/"), renderer, tmp_path, BLOCKING)

    assert captured.document["state"] == "complete"
    assert private_site.requests == ()
    assert captured.uris() == {public_site.url("/")}
    refused = {note["detail"] for note in captured.document["interventions"]}
    assert refused == {
        f"{private_site.url(path)}: {PRIVATE_HOST} is a private address"
        for path in ("/pixel.png", "/frame.html", "/api")
    }
    failed = {f["url"]: f["error"] for f in captured.document["traffic"]["failed_requests"]}
    # Chromium reports the redirect's refused hop against the request that was redirected.
    for url in (private_site.url("/pixel.png"), public_site.url("/to-private")):
        assert failed[url].startswith("net::ERR_BLOCKED_BY_CLIENT")


async def test_without_the_option_private_addresses_are_reached(
    shared_renderer: ChromiumRenderer,
    public_site: LocalSite,
    private_site: LocalSite,
    tmp_path: Path,
) -> None:
    renderer = shared_renderer.with_address_policy(only_private_host)
    private_site.clear_requests()

    captured = await capture_one(public_site.url("/"), renderer, tmp_path, CaptureOptions())

    assert {r.path for r in private_site.requests} == {"/pixel.png", "/frame.html", "/api"}
    assert captured.document["interventions"] == []
