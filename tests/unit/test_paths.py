"""Path naming: capture folder slugs and run ids."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from capture import paths

SAFE = re.compile(r"[A-Za-z0-9._-]+")
URLS = [
    "https://example.org/",
    "https://www.example.org/news/story?id=3",
    "https://example.org/news/story?id=4",
    "http://127.0.0.1:8000/a/b/c.html",
    "https://example.org/" + "very-long-segment/" * 40,
    "https://example.org/%E2%9C%93/caf%C3%A9?q=a b&c=<d>",
    "https://example.org/../../etc/passwd",
    'https://example.org/a\\b:c*d?e"f|g',
    "https://example.org/.hidden",
]


def test_slug_is_readable_and_ends_in_a_short_hash() -> None:
    slug = paths.slug("https://www.example.org/news/story?id=3")
    assert re.fullmatch(r"example\.org-news-story-id-3-[0-9a-f]{8}", slug)


def test_slug_is_stable_across_calls() -> None:
    assert paths.slug(URLS[1]) == paths.slug(URLS[1])
    # Pinned: a folder name must not change between versions for the same URL.
    assert paths.slug("https://example.org/") == "example.org-8198d1ba"
    url = "https://example.org/a"
    assert paths.slug(url).endswith("-" + hashlib.sha256(url.encode()).hexdigest()[:8])


def test_slugs_differ_for_urls_that_read_alike() -> None:
    alike = [
        "https://example.org/a-b",
        "https://example.org/a/b",
        "https://example.org/a?b",
        "https://example.org/a_b",
        "http://example.org/a-b",
    ]
    assert len({paths.slug(url) for url in alike}) == len(alike)
    assert len({paths.slug(url) for url in URLS}) == len(URLS)


@pytest.mark.parametrize("url", URLS)
def test_slug_is_filesystem_safe_and_bounded(url: str) -> None:
    slug = paths.slug(url)
    assert SAFE.fullmatch(slug), slug
    assert not slug.startswith(("-", "."))
    assert slug not in (".", "..")
    assert len(slug) <= paths.MAX_SLUG_CHARS + 9


def test_slug_of_an_ipv6_host_is_filesystem_safe() -> None:
    assert SAFE.fullmatch(paths.slug("http://[::1]:8000/x"))


def test_slug_keeps_the_port_and_drops_www() -> None:
    assert paths.slug("http://www.example.org:8080/x").startswith("example.org-8080-x-")


def test_run_id_is_utc_and_sortable() -> None:
    moment = datetime(2026, 11, 27, 8, 45, 30, tzinfo=timezone(timedelta(hours=2)))
    assert paths.run_id(moment) == "20261127T064530Z"
    later = moment + timedelta(seconds=1)
    assert paths.run_id(later) > paths.run_id(moment)
    assert re.fullmatch(r"\d{8}T\d{6}Z", paths.run_id(datetime.now(UTC)))
