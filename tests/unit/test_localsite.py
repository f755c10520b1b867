"""LocalSite, the fixture web server, and the bundled demo site it serves (no browser)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest

from capture.demo import DEMO_ARTICLE_PATH, SITE_DIR, demo_site
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html, redirect

GOLDEN = Path(__file__).parents[1] / "golden" / "demo-article.txt"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@dataclass(frozen=True)
class Got:
    """One response as http.client saw it."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes


def address(site: LocalSite) -> tuple[str, int]:
    """Return the host and port a started site listens on."""
    host, port = site.base_url.removeprefix("http://").split(":")
    return host, int(port)


def fetch(
    site: LocalSite,
    path: str,
    method: str = "GET",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 5.0,
) -> Got:
    """Send one request on a fresh connection and return the whole response."""
    conn = http.client.HTTPConnection(*address(site), timeout=timeout_s)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Got(response.status, response.headers, response.read())
    finally:
        conn.close()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    files = {
        "index.html": b"<!doctype html><title>home</title>",
        "docs/index.html": b"<!doctype html><title>docs</title>",
        "style.css": b"body{color:red}",
        "app.js": b"console.log(1)",
        "data.json": b'{"a": 1}',
        "logo.png": PNG_BYTES,
        "photo.jpg": b"\xff\xd8\xff\xe0jpeg",
        "icon.svg": b"<svg/>",
        "image.webp": b"RIFFwebp",
        "paper.pdf": b"%PDF-1.4",
        "font.woff2": b"wOF2",
        "notes.txt": b"plain text " * 100,
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.fixture
def site(root: Path) -> Iterator[LocalSite]:
    with LocalSite(root) as running:
        yield running


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/logo.png", "image/png"),
        ("/photo.jpg", "image/jpeg"),
        ("/icon.svg", "image/svg+xml"),
        ("/image.webp", "image/webp"),
        ("/paper.pdf", "application/pdf"),
        ("/font.woff2", "font/woff2"),
        ("/notes.txt", "text/plain; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_static_file_is_served_with_the_content_type_of_its_extension(
    site: LocalSite, root: Path, path: str, content_type: str
) -> None:
    got = fetch(site, path)
    on_disk = root / (path.lstrip("/") or "index.html")
    assert (got.status, got.headers["Content-Type"]) == (200, content_type)
    assert got.body == on_disk.read_bytes()
    assert got.headers["Content-Length"] == str(len(got.body))


def test_directory_path_serves_its_index_and_bare_directory_redirects(site: LocalSite) -> None:
    assert b"<title>docs</title>" in fetch(site, "/docs/").body
    bare = fetch(site, "/docs")
    assert (bare.status, bare.headers["Location"]) == (301, "/docs/")


def test_missing_file_and_path_outside_root_are_404(site: LocalSite) -> None:
    assert fetch(site, "/nope.html").status == 404
    assert fetch(site, "/../../etc/passwd").status == 404
    assert b"Not Found" in fetch(site, "/nope.html").body


def test_route_wins_over_static_file_and_sees_the_whole_request(site: LocalSite) -> None:
    seen: list[SiteRequest] = []

    def echo(request: SiteRequest) -> Reply:
        seen.append(request)
        return html(f"<p>{request.method} {request.params['q']}</p>", status=201)

    site.add_route("/style.css", echo)
    got = fetch(site, "/style.css?q=7", "POST", body=b"a=1", headers={"X-Test": "yes"})
    assert (got.status, got.body) == (201, b"<p>POST 7</p>")
    assert seen[0].path == "/style.css"
    assert seen[0].query == "q=7"
    assert seen[0].body == b"a=1"
    assert seen[0].header("x-test") == "yes"


def test_routes_passed_to_the_constructor_work_without_a_root() -> None:
    with LocalSite(routes={"/hi": lambda _: html("hi")}) as bare:
        assert fetch(bare, "/hi").body == b"hi"
        assert fetch(bare, "/other").status == 404


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_encoded_reply_is_compressed_and_decodes_to_the_body(
    site: LocalSite, encoding: str
) -> None:
    body = b"<p>" + b"compressible text " * 500 + b"</p>"
    site.add_route("/enc", lambda _: Reply(body=body, encoding=encoding))
    got = fetch(site, "/enc")
    decode = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert got.headers["Content-Encoding"] == encoding
    assert got.headers["Vary"] == "Accept-Encoding"
    assert got.headers["Content-Length"] == str(len(got.body))
    assert len(got.body) < len(body)
    assert decode(got.body) == body


def test_static_encoding_compresses_static_files(root: Path) -> None:
    with LocalSite(root, static_encoding="gzip") as gz:
        got = fetch(gz, "/notes.txt")
    assert got.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(got.body) == (root / "notes.txt").read_bytes()


def test_chunked_reply_has_no_content_length_and_arrives_whole(site: LocalSite) -> None:
    body = bytes(range(256)) * 64  # 16 KiB: several chunks
    site.add_route("/chunked", lambda _: Reply(body=body, chunked=True))
    got = fetch(site, "/chunked")
    assert got.headers["Transfer-Encoding"] == "chunked"
    assert got.headers["Content-Length"] is None
    assert got.body == body


def test_redirect_helper_sends_location(site: LocalSite) -> None:
    site.add_route("/old", lambda _: redirect("/docs/", status=301))
    got = fetch(site, "/old")
    assert (got.status, got.headers["Location"]) == (301, "/docs/")


# The next three tests stay on the wall clock: they time a real server's threads and sockets
# (a delay, a trickle, a hang), which run on no clock a test can inject.


def test_delayed_reply_arrives_after_the_delay(site: LocalSite) -> None:
    site.add_route("/slow", lambda _: Reply(body=b"late", delay_s=0.3))
    started = time.monotonic()
    assert fetch(site, "/slow").body == b"late"
    assert time.monotonic() - started >= 0.3


def test_trickled_reply_sends_its_headers_first_and_its_body_over_time(site: LocalSite) -> None:
    body = bytes(range(256)) * 16
    site.add_route("/trickle", lambda _: Reply(body=body, trickle_s=0.4))
    connection = http.client.HTTPConnection(*address(site), timeout=5)
    started = time.monotonic()
    connection.request("GET", "/trickle")
    response = connection.getresponse()
    headers_after = time.monotonic() - started
    got = response.read()
    connection.close()

    assert response.getheader("Content-Length") == str(len(body))
    assert headers_after < 0.2
    assert got == body
    assert time.monotonic() - started >= 0.4


def test_hanging_reply_times_out_the_client_and_stop_still_returns(root: Path) -> None:
    running = LocalSite(root).start()
    running.add_route("/hang", lambda _: Reply(hang=True))
    running.add_route("/slow", lambda _: Reply(delay_s=60))
    with pytest.raises(TimeoutError):
        fetch(running, "/hang", timeout_s=0.3)
    held = socket.create_connection(address(running))
    with held:
        held.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)  # let the server start waiting on the slow reply
        started = time.monotonic()
        running.stop()
        assert time.monotonic() - started < 2.0
        held.settimeout(2.0)
        assert held.recv(100) == b""  # closed without an answer
    assert [r.path for r in running.requests] == ["/hang", "/slow"]


def test_keep_alive_connection_serves_several_requests_and_head(site: LocalSite) -> None:
    conn = http.client.HTTPConnection(*address(site), timeout=5)
    try:
        conn.request("HEAD", "/style.css")
        head = conn.getresponse()
        assert (head.read(), head.headers["Content-Length"]) == (b"", "15")
        conn.request("GET", "/style.css")
        assert conn.getresponse().read() == b"body{color:red}"
    finally:
        conn.close()


def test_failing_route_answers_500_with_the_error(site: LocalSite) -> None:
    def broken(_: SiteRequest) -> Reply:
        raise KeyError("missing")

    site.add_route("/broken", broken)
    got = fetch(site, "/broken")
    assert got.status == 500
    assert b"KeyError" in got.body


def test_request_log_keeps_every_request_in_order(site: LocalSite) -> None:
    fetch(site, "/a?x=1")
    fetch(site, "/b", "POST", body=b"payload")
    log = site.requests
    assert [(r.method, r.path, r.query, r.body) for r in log] == [
        ("GET", "/a", "x=1", b""),
        ("POST", "/b", "", b"payload"),
    ]
    site.clear_requests()
    assert site.requests == ()


def test_server_writes_no_access_log(site: LocalSite, capfd: pytest.CaptureFixture[str]) -> None:
    fetch(site, "/")
    fetch(site, "/missing")
    assert capfd.readouterr().err == ""


def test_base_url_before_start_names_the_fix() -> None:
    with pytest.raises(RuntimeError, match=r"start\(\)"):
        _ = LocalSite().base_url


# The bundled demo ------------------------------------------------------------------------


@pytest.fixture
def demo() -> Iterator[LocalSite]:
    with demo_site() as running:
        yield running


def test_demo_article_holds_every_golden_paragraph_verbatim(demo: LocalSite) -> None:
    page = fetch(demo, DEMO_ARTICLE_PATH).body.decode("utf-8")
    golden = GOLDEN.read_text("utf-8")
    assert golden.endswith("per year on average.\n")
    assert not golden.endswith("\n\n")
    paragraphs = golden.removesuffix("\n").split("\n\n")
    assert len(paragraphs) == 13
    # The closing credit line is served with the article but is not its text (extraction's
    # `credit_lines`), as the extraction bench's ground truth has it.
    assert "Editing by Raju Gopalakrishnan)</p>" in page
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip()
        assert "\n" not in paragraph
        assert f"<p>{paragraph}</p>" in page


def test_demo_article_metadata_is_absolute_and_json_ld_has_no_body(demo: LocalSite) -> None:
    page = fetch(demo, DEMO_ARTICLE_PATH).body.decode("utf-8")
    article_url = demo.url(DEMO_ARTICLE_PATH)
    assert f'<meta property="og:url" content="{article_url}">' in page
    assert "{{origin}}" not in page
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    ld = json.loads(match.group(1))
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"].startswith("Trump Marks U.S.-Japan Security Pact")
    assert ld["datePublished"] == "2020-01-19T07:45:00-05:00"
    assert (ld["author"]["name"], ld["publisher"]["name"]) == ("Reuters", "IJR")
    assert "articleBody" not in ld


def test_demo_home_links_to_the_article_and_share_counts_are_json(demo: LocalSite) -> None:
    assert f'href="{DEMO_ARTICLE_PATH}"' in fetch(demo, "/").body.decode("utf-8")
    counts = fetch(demo, "/wp-json/ijr/v1/share-counts?post=1006421")
    assert json.loads(counts.body)["shares"] == 503
    assert fetch(demo, "/wp-json/ijr/v1/share-counts?post=1").status == 404


def test_demo_site_references_no_other_host_and_stays_small() -> None:
    files = [path for path in SITE_DIR.rglob("*") if path.is_file()]
    # schema.org is the JSON-LD vocabulary name, never fetched.
    urls = {
        (path.relative_to(SITE_DIR).as_posix(), url.decode())
        for path in files
        for url in re.findall(rb"https?://[^\s\"'<>)]+", path.read_bytes())
        if url != b"https://schema.org"
    }
    assert urls == set()
    assert sum(path.stat().st_size for path in files) < 300_000
