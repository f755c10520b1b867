"""Planning: URL validation and normalisation, dedupe, one folder per URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture import paths
from capture.errors import UsageError
from capture.options import CaptureOptions
from capture.plan import normalise_url, plan

OPTIONS = CaptureOptions()
RUN = Path("/archives/20261127T064500Z")


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("HTTPS://Example.ORG", "https://example.org/"),
        ("  https://example.org/a?b=1  ", "https://example.org/a?b=1"),
        ("example.org/news", "https://example.org/news"),
        ("http://example.org/Case/Kept", "http://example.org/Case/Kept"),
        ("https://example.org/page#section-2", "https://example.org/page"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ],
)
def test_urls_are_normalised(given: str, normal: str) -> None:
    assert normalise_url(given) == normal


@pytest.mark.parametrize(
    "url", ["ftp://example.org/file", "file:///etc/passwd", "ws://example.org/", "https://", ""]
)
def test_non_http_urls_are_rejected_with_the_fix(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        normalise_url(url)
    message = str(caught.value)
    assert repr(url) in message
    assert "not an http or https URL" in message
    assert "https://example.org/page" in message


@pytest.mark.parametrize("url", ["mailto:a@b.org", "javascript:alert(1)", "data:text/html,hi"])
def test_urls_with_another_scheme_and_no_slashes_are_rejected(url: str) -> None:
    with pytest.raises(UsageError, match="not an http or https URL"):
        normalise_url(url)


def test_a_port_out_of_range_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        plan(["http://example.org:99999/"], RUN, OPTIONS)


def test_plan_dedupes_after_normalising_and_keeps_first_seen_order() -> None:
    requests = plan(
        ["https://b.example/", "https://a.example", "HTTPS://B.EXAMPLE/", "a.example/#top"],
        RUN,
        OPTIONS,
    )
    assert [r.url for r in requests] == ["https://b.example/", "https://a.example/"]


def test_each_request_gets_its_own_folder_under_captures() -> None:
    requests = plan(["https://a.example/x", "https://a.example/y"], RUN, OPTIONS)

    assert [r.folder for r in requests] == [
        RUN / "captures" / paths.slug("https://a.example/x"),
        RUN / "captures" / paths.slug("https://a.example/y"),
    ]
    assert all(r.options is OPTIONS for r in requests)


def test_one_bad_url_rejects_the_whole_plan() -> None:
    with pytest.raises(UsageError, match=r"'ftp://x\.example/'"):
        plan(["https://a.example/", "ftp://x.example/"], RUN, OPTIONS)


def test_an_empty_plan_is_a_usage_error_that_says_what_to_pass() -> None:
    with pytest.raises(UsageError, match="Pass one or more URLs"):
        plan([], RUN, OPTIONS)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "has a character no host name can hold"),
        ("https://a..example/", "has an empty label"),
        ("https://.example/", "has an empty label"),
        ("https://-bad.example/", "has a character no host name can hold"),
        ("https://" + "a" * 64 + ".example/", "longer than 63 characters"),
        ("https://exa mple.org/", "has a character no host name can hold"),
    ],
)
def test_a_host_name_that_cannot_exist_is_a_usage_error_before_any_browser(
    url: str, says: str
) -> None:
    with pytest.raises(UsageError, match=says):
        normalise_url(url)


@pytest.mark.parametrize(
    "url",
    ["https://bücher.example/", "http://my_host.local/", "https://[::1]:8080/", "http://10.0.0.1/"],
)
def test_unusual_but_real_host_names_are_accepted(url: str) -> None:
    assert normalise_url(url)


def test_a_bad_host_on_the_command_line_exits_2_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from capture.cli import main

    assert main(["not a url"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("capture: error: Cannot capture 'not a url'") and "\n" not in err
