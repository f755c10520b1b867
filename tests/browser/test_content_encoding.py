"""gzip- and brotli-encoded responses are stored decoded, with headers that say so."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_asyncio

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from tests.browser.captured import Captured, capture_one
from tests.browser.core_site import CORE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def captured(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path_factory: pytest.TempPathFactory
) -> Captured:
    """Return one capture of the page with a gzip stylesheet and a brotli script."""
    output = tmp_path_factory.mktemp("encoded")
    return await capture_one(site.url("/encoded.html"), shared_renderer, output)


@pytest.mark.parametrize(
    ("path", "encoding", "source"),
    [("/encoded/gzip.css", "gzip", "encoded.css"), ("/encoded/brotli.js", "br", "encoded.js")],
)
async def test_encoded_response_is_stored_decoded_with_renamed_encoding_header(
    captured: Captured, site: LocalSite, path: str, encoding: str, source: str
) -> None:
    response = captured.response(site.url(path))

    assert response.payload == (CORE_DIR / source).read_bytes()
    assert response.header("Content-Encoding") is None
    assert response.header("X-Orig-Content-Encoding") == encoding
    assert response.header("Content-Length") == str(len(response.payload))
    assert response.header("Vary") == "Accept-Encoding"


async def test_warc_with_decoded_bodies_passes_warcio_check(captured: Captured) -> None:
    check = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "warcio.cli",
        "check",
        "-v",
        str(captured.folder / "page.warc.gz"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await check.communicate()

    assert check.returncode == 0, output.decode()
    assert b"digest pass" in output
    assert b"digest fail" not in output


async def test_decoded_script_ran_in_the_page(captured: Captured) -> None:
    dom = (captured.folder / "dom.html").read_text()

    assert '<p id="status">the brotli-encoded script ran</p>' in dom
