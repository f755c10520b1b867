"""A capture replays in pywb: the bytes it serves are the bytes the fixture server sent."""

from __future__ import annotations

import asyncio
import gzip
import socket
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.demo.replies import encode_body
from tests.browser.captured import Captured, capture_one, run_tool
from tests.browser.core_site import CORE_DIR
from tests.pywb import pywb_tool

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

STARTUP_S = 30.0


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_for_port(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    """Return once 127.0.0.1:port accepts connections; fail if the process dies or it takes long."""
    async with asyncio.timeout(STARTUP_S):
        while True:
            if process.returncode is not None:
                output = await asyncio.to_thread(log.read_text)
                pytest.fail(f"wayback exited ({process.returncode}):\n{output}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)  # Polling a port: there is no event to wait on.
                continue
            writer.close()
            await writer.wait_closed()
            return


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def captured(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path_factory: pytest.TempPathFactory
) -> Captured:
    """Return a capture of the plain page, which loads a gzip-encoded stylesheet."""
    return await capture_one(site.url("/"), shared_renderer, tmp_path_factory.mktemp("replayed"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def wayback(
    captured: Captured, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """Yield the base URL of a pywb collection holding the capture's WARC."""
    root = tmp_path_factory.mktemp("pywb")
    for args in (("init", "coll"), ("add", "coll", str(captured.warc))):
        code, said = await run_tool(pywb_tool("wb-manager"), *args, cwd=root)
        assert code == 0, said
    port = free_port()
    log = root / "wayback.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            pywb_tool("wayback"),
            "-p",
            str(port),
            "-b",
            "127.0.0.1",
            cwd=root,
            stdout=output,
            stderr=output,
        )
    try:
        await wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/coll"
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


def fetch(url: str) -> bytes:
    """Return the body of a GET (blocking: run it in a thread)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def raw_replay_url(wayback: str, captured: Captured, url: str) -> str:
    """Return pywb's URL for the original bytes of url at the capture's time."""
    date = captured.response(url).warc_headers["WARC-Date"]
    timestamp = "".join(ch for ch in date if ch.isdigit())[:14]
    return f"{wayback}/{timestamp}id_/{url}"


async def test_replayed_page_is_byte_identical_to_what_was_served(
    wayback: str, captured: Captured, site: LocalSite
) -> None:
    page = site.url("/")

    replayed = await asyncio.to_thread(fetch, raw_replay_url(wayback, captured, page))

    assert replayed == (CORE_DIR / "index.html").read_bytes()


async def test_replayed_gzip_stylesheet_is_the_served_bytes_decoded(
    wayback: str, captured: Captured, site: LocalSite
) -> None:
    stylesheet = site.url("/encoded/gzip.css")
    served = encode_body((CORE_DIR / "encoded.css").read_bytes(), "gzip")

    replayed = await asyncio.to_thread(fetch, raw_replay_url(wayback, captured, stylesheet))

    assert replayed == gzip.decompress(served)
