"""A capture's WARC is valid and complete: tools read it, records link up, hashes are real."""

from __future__ import annotations

import hashlib
import json

import pytest
import pytest_asyncio

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import Captured, capture_one, run_tool, tool

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

SUBRESOURCES = ("/frame-same.html", "/frame-same.css")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def captured(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path_factory: pytest.TempPathFactory
) -> Captured:
    """Return one capture of a page with frames, on two origins."""
    output = tmp_path_factory.mktemp("valid")
    return await capture_one(site.url("/frames.html"), shared_renderer, output)


async def test_warc_passes_warcio_check(captured: Captured) -> None:
    code, output = await run_tool(
        tool("warcio"), "check", "-v", str(captured.folder / "page.warc.gz")
    )

    assert code == 0, output
    assert "digest pass" in output
    assert "digest fail" not in output


async def test_warc_indexes_with_warcio_index(captured: Captured, site: LocalSite) -> None:
    code, output = await run_tool(
        tool("warcio"),
        "index",
        "-f",
        "warc-type,warc-target-uri",
        str(captured.folder / "page.warc.gz"),
    )

    assert code == 0, output
    assert len(output.splitlines()) == len(captured.records)
    assert f'"warc-target-uri": "{site.url("/frames.html")}"' in output


async def test_warc_indexes_with_cdxj_indexer(
    captured: Captured, site: LocalSite, other_origin: LocalSite
) -> None:
    code, output = await run_tool(tool("cdxj-indexer"), str(captured.warc))

    assert code == 0, output
    lines = [json.loads(line.split(" ", 2)[2]) for line in output.splitlines()]
    indexed = {(entry["url"], entry.get("status")) for entry in lines}
    for url in (site.url("/frames.html"), other_origin.url("/frame-cross.html")):
        assert (url, "200") in indexed
    for path in SUBRESOURCES:
        assert (site.url(path), "200") in indexed


async def test_every_request_is_concurrent_to_its_response(captured: Captured) -> None:
    responses = {r.warc_headers["WARC-Record-ID"]: r for r in captured.of_type("response")}
    requests = captured.of_type("request")

    assert len(requests) == len(responses) >= 5
    for request in requests:
        response = responses[request.warc_headers["WARC-Concurrent-To"]]
        assert response.uri == request.uri


async def test_records_carry_sha256_digests_of_their_payload(captured: Captured) -> None:
    for record in captured.records:
        if record.type == "warcinfo":
            continue
        payload_digest = record.warc_headers["WARC-Payload-Digest"]
        assert payload_digest == "sha256:" + hashlib.sha256(record.payload).hexdigest()
        assert record.warc_headers["WARC-Block-Digest"].startswith("sha256:")


async def test_responses_carry_the_server_ip_address(captured: Captured) -> None:
    for response in captured.of_type("response"):
        assert response.warc_headers["WARC-IP-Address"] == "127.0.0.1"


async def test_screenshots_dom_and_text_are_resource_records(
    captured: Captured, site: LocalSite
) -> None:
    page = site.url("/frames.html")
    by_uri = {r.uri: r for r in captured.of_type("resource")}

    files = {"screenshot": "screenshot.png", "view": "viewport.png", "dom": "dom.html"}
    for kind, name in files.items():
        assert by_uri[f"urn:{kind}:{page}"].payload == (captured.folder / name).read_bytes()
    text = captured.folder / "article.txt"
    if text.exists():
        assert by_uri[f"urn:text:{page}"].payload == text.read_bytes()
    else:  # no article text: no empty file and no empty record, article.json says 0 words
        assert f"urn:text:{page}" not in by_uri
        article = json.loads((captured.folder / "article.json").read_text("utf-8"))
        assert article["word_count"] == 0
    assert by_uri[f"urn:screenshot:{page}"].warc_headers["Content-Type"] == "image/png"


async def test_manifest_hashes_are_the_files_real_sha256(captured: Captured) -> None:
    manifest = {entry["name"]: entry for entry in captured.document["files"]}
    on_disk = {
        path.name
        for path in captured.folder.iterdir()
        if path.is_file() and path.name != "capture.json"
    }

    assert set(manifest) == on_disk
    assert {"page.warc.gz", "screenshot.png", "dom.html"} <= on_disk
    for name, entry in manifest.items():
        data = (captured.folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["bytes"] == len(data)
