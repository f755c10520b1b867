"""HTTPS: each exchange's protocol and TLS version in the WARC, and the chain the browser saw.

The fixture site is served over TLS with a throwaway CA and a leaf certificate made by
`openssl` at test time; the browser accepts them with ignore_https_errors.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.exchanges import Exchange
from capture.models import CaptureRequest
from capture.options import CaptureOptions
from capture.output.certificates import chain_pem, chain_summary
from tests.browser.captured import capture_one
from tests.browser.core_site import CORE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

OPTIONS = CaptureOptions(ignore_https_errors=True, timeout_s=30)


@dataclass(frozen=True)
class Pki:
    """A throwaway CA and a leaf certificate for 127.0.0.1, as PEM files."""

    ca: Path
    leaf: Path
    key: Path


def openssl(*args: str, cwd: Path) -> None:
    """Run openssl in cwd; fail the test with its output when it fails."""
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def fingerprint(pem: Path) -> str:
    """Return openssl's SHA-256 fingerprint of a PEM certificate as `sha256:<hex>`."""
    done = subprocess.run(
        ["openssl", "x509", "-in", str(pem), "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    )
    return "sha256:" + done.stdout.strip().split("=", 1)[1].replace(":", "").lower()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Return a CA and a leaf for 127.0.0.1 signed by it, made by openssl now."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificates")
    root = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=Capture Test CA",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=root)  # fmt: skip
    openssl("req", *ec, "-subj", "/CN=127.0.0.1", "-keyout", "leaf.key", "-out", "leaf.csr",
            cwd=root)  # fmt: skip
    (root / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "leaf.pem",
            cwd=root)  # fmt: skip
    return Pki(ca=root / "ca.pem", leaf=root / "leaf.pem", key=root / "leaf.key")


class TlsSite(LocalSite):
    """LocalSite behind TLS: the leaf and the CA are sent as the chain."""

    def __init__(self, root: Path, pki: Pki) -> None:
        super().__init__(root)
        self._pki = pki

    def start(self) -> TlsSite:
        super().start()
        chain = self._pki.leaf.parent / "chain.pem"
        chain.write_bytes(self._pki.leaf.read_bytes() + self._pki.ca.read_bytes())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, self._pki.key)
        server = self._server
        assert server is not None
        # No connection has been accepted yet: the serving thread picks up the wrapped socket.
        server.socket = context.wrap_socket(server.socket, server_side=True)
        return self

    @property
    def base_url(self) -> str:
        return super().base_url.replace("http://", "https://", 1)


@pytest.fixture(scope="module")
def tls_site(pki: Pki) -> Iterator[TlsSite]:
    """Yield the core fixture files served over HTTPS on 127.0.0.1."""
    site = TlsSite(CORE_DIR, pki).start()
    try:
        yield site
    finally:
        site.stop()


async def test_each_response_record_names_http_and_tls_protocols(
    shared_renderer: ChromiumRenderer, tls_site: TlsSite, tmp_path: Path
) -> None:
    captured = await capture_one(tls_site.url("/"), shared_renderer, tmp_path, OPTIONS)

    assert captured.document["state"] == "complete"
    for uri in (tls_site.url("/"), tls_site.url("/encoded/gzip.css")):
        record = captured.response(uri)
        protocols = [
            value for name, value in captured_headers(captured.warc, uri) if name == "WARC-Protocol"
        ]
        assert protocols == ["http/1.1", "tls/1.3"]
        assert record.warc_headers["WARC-IP-Address"] == "127.0.0.1"
        assert record.warc_headers["WARC-Cipher-Suite"]
    assert captured.document["tls"]["protocol"] == "TLS 1.3"


async def test_plain_http_responses_name_only_the_http_protocol(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    captured = await capture_one(site.url("/"), shared_renderer, tmp_path)

    headers = captured_headers(captured.warc, site.url("/"))
    assert [value for name, value in headers if name == "WARC-Protocol"] == ["http/1.1"]
    assert not any(name == "WARC-Cipher-Suite" for name, _ in headers)


async def test_certificate_chain_is_the_one_the_browser_was_served(
    shared_renderer: ChromiumRenderer, tls_site: TlsSite, pki: Pki, tmp_path: Path
) -> None:
    exchanges: list[Exchange] = []
    request = CaptureRequest(tls_site.url("/"), tmp_path, OPTIONS)

    page = await shared_renderer.render(request, exchanges.append)

    assert len(page.certificate_chain) == 2
    assert chain_pem(page.certificate_chain) == pki.leaf.read_bytes() + pki.ca.read_bytes()
    leaf, ca = chain_summary(page.certificate_chain)["certificates"]
    assert leaf["subject"] == "CN=127.0.0.1"
    assert leaf["issuer"] == ca["subject"] == "CN=Capture Test CA"
    assert leaf["sha256"] == fingerprint(pki.leaf)
    assert ca["sha256"] == fingerprint(pki.ca)
    assert ca["self_signed"] is True


async def test_plain_http_page_has_no_certificate_chain(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    page = await shared_renderer.render(
        CaptureRequest(site.url("/"), tmp_path, CaptureOptions()), lambda _: None
    )

    assert page.certificate_chain == ()


def captured_headers(warc: Path, uri: str) -> list[tuple[str, str]]:
    """Return the WARC headers of uri's response record, repeated names kept, in order."""
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == uri
            ):
                return list(record.rec_headers.headers)
    raise AssertionError(f"no response record for {uri}")
