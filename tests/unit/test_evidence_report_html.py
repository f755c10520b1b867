"""provenance.html: plain words, every fact a reader needs, nothing executable, nothing fetched."""

from __future__ import annotations

import re

from capture.output.provenance_html import provenance_html
from tests.evidence_folder import INTERVENTION, record_facts

HASHES = [{"name": "screenshot.png", "bytes": 2056, "sha256": "ab" * 32}]


def test_the_page_states_the_request_the_response_the_interventions_and_the_hashes() -> None:
    page = provenance_html(record_facts(), HASHES, signer="sha256:" + "cd" * 32,
                           tsa_urls=["http://127.0.0.1:9/tsa"])  # fmt: skip

    for fact in (
        "https://example.org/news/story",
        "192.0.2.10",
        "complete: every step of the capture worked",
        "#cookie-banner",
        "generic:consent",
        "removed 1 element",
        "ab" * 32,
        "sha256:" + "cd" * 32,
        "http://127.0.0.1:9/tsa",
        "capture verify",
        "openssl ts -verify",
    ):
        assert fact in page, fact
    assert "changed the page 1 time(s)" in page


def test_a_page_the_tool_left_alone_says_so() -> None:
    page = provenance_html({**record_facts(), "interventions": []}, HASHES)

    assert "did not click, remove, hide or otherwise change anything" in page
    assert "seal.json" not in page  # no key: no promise of a signature


def test_hostile_values_are_escaped_and_nothing_is_loaded_or_run() -> None:
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    facts = {**record_facts(url=evil), "interventions": [{**INTERVENTION, "detail": evil}]}

    page = provenance_html(facts, [{"name": evil, "bytes": 1, "sha256": evil}])

    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"<[^>]*\b(src|href|on\w+)=", page)
    assert "<link" not in page
