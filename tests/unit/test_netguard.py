"""Which addresses the private-network guard refuses, and how it resolves and caches hosts."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from capture.browser.netguard import (
    Blocked,
    NetworkGuard,
    Resolve,
    address_kind,
    is_blocked_address,
)


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not global"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:0001::1", "loopback"),
    ],
)
def test_non_public_addresses_are_blocked(ip: str, kind: str) -> None:
    assert address_kind(ip) == kind
    assert is_blocked_address(ip)


@pytest.mark.parametrize("ip", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(ip: str) -> None:
    assert address_kind(ip) is None
    assert not is_blocked_address(ip)


def test_an_unparsable_address_is_blocked() -> None:
    assert is_blocked_address("not-an-ip")


def fake_resolver(answers: Mapping[str, tuple[str, ...]], asked: list[str]) -> Resolve:
    """Return a resolver answering from answers and noting each host asked."""

    async def resolve(host: str) -> tuple[str, ...]:
        asked.append(host)
        return answers.get(host, ())

    return resolve


async def test_a_host_with_one_private_address_among_public_ones_is_blocked() -> None:
    asked: list[str] = []
    answers = {"mixed.example": ("93.184.215.14", "10.0.0.5")}
    guard = NetworkGuard(lambda _: None, fake_resolver(answers, asked))

    blocked = await guard.check("https://mixed.example/a")

    assert blocked == Blocked("https://mixed.example/a", "10.0.0.5", "private")
    assert blocked.describe() == (
        "https://mixed.example/a: mixed.example resolves to 10.0.0.5, a private address"
    )


async def test_hosts_are_resolved_once_per_guard() -> None:
    asked: list[str] = []
    guard = NetworkGuard(lambda _: None, fake_resolver({"a.example": ("8.8.8.8",)}, asked))

    assert await guard.check("https://a.example/1") is None
    assert await guard.check("http://a.example:8080/2") is None

    assert asked == ["a.example"]


async def test_ip_literals_and_localhost_need_no_resolver() -> None:
    asked: list[str] = []
    guard = NetworkGuard(lambda _: None, fake_resolver({}, asked))

    literal = await guard.check("http://[::1]:8000/")
    named = await guard.check("http://app.localhost/")

    assert literal is not None and literal.kind == "loopback"
    assert literal.describe() == "http://[::1]:8000/: ::1 is a loopback address"
    assert named is not None and named.address == "127.0.0.1"
    assert asked == []


async def test_unresolvable_hosts_and_other_schemes_pass() -> None:
    guard = NetworkGuard(lambda _: None, fake_resolver({}, []))

    assert await guard.check("https://nowhere.invalid/") is None
    assert await guard.check("data:text/plain,hi") is None
    assert await guard.check("chrome-extension://abc/x.html") is None


def test_a_response_from_a_private_address_is_caught_after_the_fact() -> None:
    guard = NetworkGuard(lambda _: None, fake_resolver({}, []))

    assert guard.check_address("https://rebind.example/", "192.168.0.10") == Blocked(
        "https://rebind.example/", "192.168.0.10", "private"
    )
    assert guard.check_address("https://ok.example/", "8.8.8.8") is None
    assert guard.check_address("https://unknown.example/", None) is None
