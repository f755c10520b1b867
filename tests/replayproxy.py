"""A small replay proxy: serves the responses of one WARC file to a browser, on 127.0.0.1.

Why not pywb's proxy mode: pywb matches addresses without their scheme and skips what it takes
for self-redirects, so `http://www.kiwix.org/` -> `https://www.kiwix.org/` (a real hop) is not
replayed hop by hop. This proxy answers each absolute URL (scheme, host, path and query, exactly)
with its first recorded response: the recorded status line, headers and body. Only the framing is
made to fit the stored body, as pywb does too: the body is sent as stored (de-chunked, decoded),
so `Transfer-Encoding` and `Content-Encoding` are dropped and `Content-Length` is the stored
length (crawlers store no body for redirects yet keep their length); `Alt-Svc` is dropped too.
Connections are kept alive (Chromium retries a `Critical-CH` answer on the same connection).
HTTPS comes through `CONNECT`, answered with a certificate of the host signed by the proxy's own
authority (browse with `--ignore-https-errors`). An address the WARC lacks gets a 404 saying so.
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import socketserver
import ssl
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from warcio.archiveiterator import ArchiveIterator

DROPPED = frozenset(
    {
        "transfer-encoding",
        "content-encoding",
        "content-length",
        "connection",
        "keep-alive",
        "alt-svc",
    }
)
"""Headers of the original connection, not of the stored response: its framing, and the
alternative services it offered (Chromium would leave the proxy for them)."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded response: status line, headers in order, stored body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    encoding: str = ""
    """The Content-Encoding still on the body ("" when stored or sent decoded)."""

    def wire(self) -> bytes:
        """Return the response as sent to the browser."""
        lines = [f"HTTP/1.1 {self.status} {self.reason}".rstrip()]
        lines += [f"{n}: {v}" for n, v in self.headers if n.lower() not in DROPPED]
        if self.encoding:
            lines.append(f"Content-Encoding: {self.encoding}")
        lines.append(f"Content-Length: {len(self.body)}")
        head = "\r\n".join(lines) + "\r\n\r\n"
        return head.encode("latin-1", "replace") + self.body


def load_warc(path: Path) -> dict[str, Recorded]:
    """Return the first recorded response of every URL in the WARC file."""
    responses: dict[str, Recorded] = {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if url in responses:
                continue
            status_line = record.http_headers.statusline or "0"
            code, _, reason = status_line.partition(" ")
            headers = tuple(record.http_headers.headers)
            body, encoding = _stored_body(record.raw_stream.read(), headers)
            responses[url] = Recorded(
                status=int(code) if code.isdigit() else 0,
                reason=reason,
                headers=headers,
                body=body,
                encoding=encoding,
            )
    return responses


def _header(headers: tuple[tuple[str, str], ...], wanted: str) -> str:
    return next((v for n, v in headers if n.lower() == wanted), "")


def _stored_body(raw: bytes, headers: tuple[tuple[str, str], ...]) -> tuple[bytes, str]:
    """Return the body de-chunked and decoded, and the encoding still on it ("" once decoded:
    a body that does not decode goes as stored, with its Content-Encoding)."""
    if "chunked" in _header(headers, "transfer-encoding").lower():
        with contextlib.suppress(ValueError, IndexError):
            raw = _dechunk(raw)
    encoding = _header(headers, "content-encoding").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(raw, 16 + zlib.MAX_WBITS), ""
        if encoding == "deflate":
            return zlib.decompress(raw), ""
        if encoding == "br":
            return brotli.decompress(raw), ""
    except (zlib.error, brotli.error):
        return raw, encoding
    return raw, ""


def _dechunk(data: bytes) -> bytes:
    out, at = [], 0
    while True:
        end = data.index(b"\r\n", at)
        size = int(data[at:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        at = end + 2 + size + 2


@dataclass(frozen=True, slots=True)
class _Authority:
    """The proxy's own certificate authority, which signs a certificate for each host."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def new(cls) -> _Authority:
        """Return a fresh authority (valid for a day)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "realpages replay CA")])
        constraints = x509.BasicConstraints(ca=True, path_length=0)
        cert = (
            _builder(name, name, key.public_key())
            .add_extension(constraints, critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    def write_host(self, folder: Path, host: str) -> tuple[Path, Path]:
        """Write host's certificate chain and key to folder; return their paths."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
        cert = (
            _builder(name, self.cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_path, key_path = folder / f"{host}.crt", folder / f"{host}.key"
        pem = serialization.Encoding.PEM
        cert_path.write_bytes(cert.public_bytes(pem))
        key_path.write_bytes(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        return cert_path, key_path


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
    )


class _Reader:
    """Reads requests, one after another, from a (kept-alive) connection."""

    def __init__(self, conn: socket.socket | ssl.SSLSocket) -> None:
        self.conn = conn
        self.buffer = b""

    def request(self) -> tuple[str, str] | None:
        """Return the next request's method and target (headers and body read), or None."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk or len(self.buffer) > 1 << 20:
                return None
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, *_ = lines[0].split(" ")
        length = next(
            (
                int(line.split(":", 1)[1])
                for line in lines[1:]
                if line.lower().startswith("content-length:")
            ),
            0,
        )
        while len(self.buffer) < length:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        self.buffer = self.buffer[length:]
        return method, target


def _not_in_warc(url: str) -> bytes:
    body = f"Not in this WARC: {url}\n".encode()
    head = (
        "HTTP/1.1 404 Not In WARC\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        conn: socket.socket | ssl.SSLSocket = self.request
        conn.settimeout(30)
        try:
            self._serve(conn)
        finally:
            if self._tls is not None:  # the wrapper of self.request, which the server closes
                self._tls.close()

    _tls: ssl.SSLSocket | None = None

    def _serve(self, conn: socket.socket | ssl.SSLSocket) -> None:
        with contextlib.suppress(OSError, ValueError):
            reader = _Reader(conn)
            scheme_host = ""
            while (head := reader.request()) is not None:
                method, target = head
                if method == "CONNECT":
                    conn.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    conn = self._tls = self.server.tls_for(target).wrap_socket(
                        conn, server_side=True
                    )
                    reader = _Reader(conn)
                    scheme_host = f"https://{target.removesuffix(':443')}"
                    continue
                url = f"{scheme_host}{target}" if scheme_host else target
                self.server.asked.append(url)
                found = self.server.responses.get(url)
                conn.sendall(found.wire() if found is not None else _not_in_warc(url))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    responses: dict[str, Recorded]
    asked: list[str]
    folder: Path
    authority: _Authority
    _contexts: dict[str, ssl.SSLContext]
    _lock: threading.Lock

    def tls_for(self, target: str) -> ssl.SSLContext:
        """Return the TLS context of the CONNECT target's host (a certificate of its own)."""
        host = target.rsplit(":", 1)[0]
        with self._lock:
            if host not in self._contexts:
                cert, key = self.authority.write_host(self.folder, host)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
                self._contexts[host] = context
            return self._contexts[host]


@contextlib.contextmanager
def replay_proxy(warc: Path) -> Iterator[str]:
    """Serve warc's responses as a proxy on 127.0.0.1; yield the proxy's URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.responses = load_warc(warc)
    server.asked = []
    server._contexts, server._lock = {}, threading.Lock()
    server.authority = _Authority.new()
    with tempfile.TemporaryDirectory(prefix="replay-") as folder:
        server.folder = Path(folder)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
