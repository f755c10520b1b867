"""Every row of ../shared/realpages/README.md, captured through the normal command line with
`--proxy` from its WARC replayed on 127.0.0.1 (tests/replayproxy.py), gives what a careful user
expects. One replay and one `capture` run per WARC file, shared by the module's tests.

The folder is other projects' test data, kept beside the repository: these tests skip without
it on a developer's machine and fail without it in CI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.realpages import PAGES, REALPAGES, STATUS_PAGES, ZIM, Replayed, capture_lines
from tests.replayproxy import replay_proxy

pytestmark = pytest.mark.browser


def _folder() -> Path:
    if not (REALPAGES / "README.md").is_file():
        message = f"the real pages are missing: {REALPAGES} (see tests/realpages.py)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REALPAGES


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Replayed]]:
    """Yield a function that captures every URL of a WARC (once) and returns what was said."""
    folder = _folder()
    done: dict[str, Replayed] = {}

    def of(warc: str) -> Replayed:
        if warc not in done:
            page = next(page for page in PAGES if page.warc == warc)
            output = tmp_path_factory.mktemp(warc.split(".", maxsplit=1)[0])
            with replay_proxy(folder / warc) as proxy:
                done[warc] = capture_lines(page.urls, proxy, output, concurrency=3)
            assert set(done[warc].lines) == set(page.urls), done[warc].output[-3000:]
        return done[warc]

    yield of


def responses(folder: Path) -> dict[str, tuple[int, str, bytes]]:
    """Return the status, content type and payload of each response record in a capture's WARC."""
    found: dict[str, tuple[int, str, bytes]] = {}
    with (folder / "page.warc.gz").open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.http_headers is not None:
                url = record.rec_headers.get_header("WARC-Target-URI")
                status = int(record.http_headers.get_statuscode() or 0)
                kind = record.http_headers.get_header("Content-Type") or ""
                found.setdefault(url, (status, kind, record.content_stream().read()))
    return found


def all_responses(folder: Path, url: str) -> list[tuple[int, bytes]]:
    """Return the status and payload of every response record of url in a capture's WARC."""
    found = []
    with (folder / "page.warc.gz").open("rb") as stream:
        for record in ArchiveIterator(stream):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and record.http_headers is not None and uri == url:
                status = int(record.http_headers.get_statuscode() or 0)
                found.append((status, record.content_stream().read()))
    return found


def test_the_readme_rows_are_all_tested() -> None:
    readme = (_folder() / "README.md").read_text("utf-8")
    files = {line.split("|")[1].strip() for line in readme.splitlines() if ".warc" in line}
    files.discard("file")
    assert {name for name in files if name.endswith((".warc", ".warc.gz"))} == {
        page.warc for page in PAGES
    }


# -- solidarite-numerique: a tutorial with a site-made cookie bar; a WordPress 404 --------------

SOLIDARITE = PAGES[0].urls


def test_the_wordpress_404_page_is_not_found_and_failed(replayed: Any) -> None:
    run = replayed("w2z-solidaritenum.warc.gz")
    line = run.lines[SOLIDARITE[1]]
    assert (line["state"], line["reason"]) == ("failed", "not_found")
    assert run.capture(SOLIDARITE[1])["status"] == 404
    assert "HTTP status 404" in line["verdict"]["facts"]
    assert run.exit_code == 11
    page = (run.folder(SOLIDARITE[1]) / "provenance.html").read_text("utf-8")
    assert "every step of the capture worked" not in page


def test_a_user_who_keeps_error_pages_gets_the_404_complete_with_its_reason(
    tmp_path: Path,
) -> None:
    url = SOLIDARITE[1]
    with replay_proxy(_folder() / "w2z-solidaritenum.warc.gz") as proxy:
        run = capture_lines([url], proxy, tmp_path, extra=["--keep-error-pages"])
    line = run.lines[url]
    assert (run.exit_code, line["state"], line["reason"]) == (0, "complete", "not_found")
    assert line["verdict"]["kept"] is True
    page = (run.folder(url) / "provenance.html").read_text("utf-8")
    assert "a not-found page was kept as the capture, as asked" in page


def test_the_tutorial_is_captured_with_its_text(replayed: Any) -> None:
    run = replayed("w2z-solidaritenum.warc.gz")
    capture = run.capture(SOLIDARITE[0])
    assert run.lines[SOLIDARITE[0]]["reason"] is None
    assert capture["article"]["is_article"] is True
    assert "cookies" in capture["article"]["title"].lower()


def test_the_tutorial_s_site_made_cookie_bar_is_cleared(replayed: Any) -> None:
    run = replayed("w2z-solidaritenum.warc.gz")
    capture = run.capture(SOLIDARITE[0])
    assert capture["state"] == "complete"
    cleared = [
        entry
        for entry in capture["interventions"]
        if entry["ok"] and "cookie" in f"{entry['selector']} {entry['detail']}".lower()
    ]
    dom = (run.folder(SOLIDARITE[0]) / "dom.html").read_text("utf-8")
    assert cleared or "Nous utilisons des cookies" not in dom


# -- wikizilla: a Cloudflare challenge ------------------------------------------------------------


def test_the_cloudflare_challenge_is_recognised_and_failed(replayed: Any) -> None:
    run = replayed("w2z-main-entry-403.warc.gz")
    (line,) = run.lines.values()
    assert (line["state"], line["reason"]) == ("failed", "challenge")
    assert line["verdict"]["vendor"] == "Cloudflare"
    assert "header cf-mitigated: challenge" in line["verdict"]["facts"]
    assert run.exit_code == 11
    capture = run.capture(line["url"])
    assert capture["status"] == 403
    check = next(step for step in capture["steps"] if step["name"] == "page-check")
    assert check["detail"]["challenge"] == "Cloudflare"
    assert check["detail"]["cleared"] is False
    # What the site served is kept: the challenge page itself is in the WARC.
    served = all_responses(run.folder(line["url"]), line["url"])
    assert any(status == 403 and b"Just a moment..." in body for status, body in served)


# -- kiwix: three 301s, a home page; two articles ------------------------------------------------


def test_the_redirect_chain_is_recorded_hop_by_hop(replayed: Any) -> None:
    run = replayed("w2z-kiwix-with-redirects.warc.gz")
    home = "http://www.kiwix.org/"
    hops = [home, "https://www.kiwix.org/", "https://www.kiwix.org/en/", "https://kiwix.org/en/"]
    capture = run.capture(home)
    assert capture["redirect_chain"] == hops
    assert capture["final_url"] == hops[-1]
    recorded = responses(run.folder(home))
    assert [recorded[url][0] for url in hops] == [301, 301, 301, 200]
    assert run.exit_code == 0


def test_a_home_page_is_no_article(replayed: Any) -> None:
    run = replayed("w2z-kiwix-with-redirects.warc.gz")
    capture = run.capture("http://www.kiwix.org/")
    assert capture["state"] == "complete"
    assert capture["article"]["is_article"] is False


def test_the_kiwix_articles_are_complete_articles(replayed: Any) -> None:
    run = replayed("w2z-kiwix-with-redirects.warc.gz")
    for url in ("https://kiwix.org/en/2021-annual-report/", "https://kiwix.org/en/about-us/"):
        assert (run.lines[url]["state"], run.lines[url]["reason"]) == ("complete", None)


# -- lesfondamentaux: a 307 to a video index with a YouTube embed --------------------------------


def test_the_video_index_is_reached_through_its_307_with_the_embed_recorded(
    replayed: Any,
) -> None:
    run = replayed("w2z-single-page-test.warc")
    url = "https://lesfondamentaux.reseau-canope.fr/"
    capture = run.capture(url)
    assert (capture["state"], run.lines[url]["reason"]) == ("complete", None)
    assert capture["redirect_chain"] == [url, f"{url}accueil.html"]
    recorded = responses(run.folder(url))
    assert recorded[url][0] == 307
    assert recorded["https://www.youtube.com/embed/0__XCPpaSFI"][0] == 200


# -- qsl.net: a 77,000 px table page declaring "iso-8559-1" -------------------------------------


def test_the_charset_alias_page_has_no_mojibake_and_a_whole_screenshot(replayed: Any) -> None:
    run = replayed("w2z-qsl.net-encoding-alias.warc.gz")
    url = "https://www.qsl.net/vk2jem/swlogs.htm"
    capture = run.capture(url)
    assert (capture["state"], run.lines[url]["reason"]) == ("complete", None)
    dom = (run.folder(url) / "dom.html").read_text("utf-8")
    assert "Hörby" in dom and "“coffee" in dom  # as the page's UTF-8 (its BOM) says
    assert "Ã" not in dom and "â€œ" not in dom
    shot = capture["screenshot"]
    assert shot["height_px"] == shot["page_height_px"] > 70_000
    assert shot["truncated"] is False


# -- openzim return codes: 200 to 5xx, 204 with no body ------------------------------------------


def test_success_pages_are_complete_and_error_pages_never(replayed: Any) -> None:
    run = replayed("w2z-http-return-codes.warc.gz")
    states = {url.rsplit("/", 1)[1]: run.lines[url] for url in STATUS_PAGES}
    for name in ("200-response", "201-response", "202-response"):
        assert (states[name]["state"], states[name]["reason"]) == ("complete", None)
    # The WARC holds no 4xx or 5xx response (only their page info): the replay answers 404.
    for code in (400, 401, 402, 403, 404, 500, 501, 502):
        line = states[f"{code}-response"]
        assert line["state"] == "failed"
        assert line["reason"] in ("not_found", "http_status", "login_required")
    assert run.exit_code == 11


def test_the_204_page_with_no_body_is_not_complete(replayed: Any) -> None:
    run = replayed("w2z-http-return-codes.warc.gz")
    line = run.lines[f"{ZIM}/204-response"]
    assert line["state"] != "complete"
    assert line["reason"] == "blank"


def test_internal_redirects_land_on_their_target(replayed: Any) -> None:
    run = replayed("w2z-http-return-codes.warc.gz")
    for code in (301, 302, 307, 308):
        url = f"{ZIM}/{code}-internal-redirect-ok"
        capture = run.capture(url)
        assert capture["state"] == "complete"
        assert capture["redirect_chain"] == [url, f"{ZIM}/internal_redirect_target.html"]
        assert responses(run.folder(url))[url][0] == code


# -- openzim bad redirections: a loop -------------------------------------------------------------


def test_a_redirect_loop_fails_and_says_so(replayed: Any) -> None:
    run = replayed("w2z-bad-redirections.warc.gz")
    assert run.lines[f"{ZIM}/bad-redirections.html"]["state"] == "complete"
    line = run.lines[f"{ZIM}/bad-redir-loop-B"]
    assert line["state"] == "failed"
    assert "ERR_TOO_MANY_REDIRECTS" in line["error"]
    assert "redirects in a loop" in line["error"]


# -- openzim content types: a PDF ----------------------------------------------------------------


def test_the_pdf_is_recorded(replayed: Any) -> None:
    run = replayed("w2z-content-resource-types.warc.gz")
    assert run.lines[f"{ZIM}/content-types/index.html"]["state"] == "complete"
    url = f"{ZIM}/content-types/small.pdf"
    assert (run.lines[url]["state"], run.lines[url]["reason"]) == ("complete", None)
    status, kind, body = responses(run.folder(url))[url]
    assert (status, kind) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")


# -- pywb samples: plain institutional pages; a photo grid ---------------------------------------


def test_the_iana_pages_are_complete_with_their_titles(replayed: Any) -> None:
    run = replayed("pys-iana.warc.gz")
    for url in ("http://www.iana.org/about", "http://www.iana.org/", "http://www.iana.org/numbers"):
        capture = run.capture(url)
        assert (capture["state"], capture["reason"], capture["status"]) == ("complete", None, 200)
        title = capture["page_facts"]["title"]
        assert "IANA" in title or "Internet Assigned Numbers Authority" in title
    assert run.exit_code == 0


def test_the_photo_grid_is_complete_though_some_images_were_never_archived(
    replayed: Any,
) -> None:
    run = replayed("pys-flickr.warc.gz")
    (line,) = run.lines.values()
    assert (line["state"], line["reason"]) == ("complete", None)
    capture = run.capture(line["url"])
    assert capture["page_facts"]["media"] > 10
    assert run.exit_code == 0
