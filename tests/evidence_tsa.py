"""A local RFC 3161 time stamp authority for tests: OpenSSL's `openssl ts -reply` behind HTTP.

`make_authority(folder)` makes a root CA and a TSA certificate it issued (extendedKeyUsage
critical timeStamping) with openssl in folder; `serve(authority)` answers
`application/timestamp-query` POSTs on 127.0.0.1 until the context ends.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OPENSSL = shutil.which("openssl")

_CONFIG = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/root.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True, slots=True)
class Authority:
    """A test TSA's files: its root CA, its own certificate and key, and the OpenSSL config."""

    folder: Path
    root: Path
    cert: Path
    key: Path
    config: Path


def _openssl(*args: str | Path) -> None:
    assert OPENSSL, "openssl is needed for the time stamp tests"
    subprocess.run([OPENSSL, *map(str, args)], check=True, capture_output=True, timeout=60)


def _issue(
    folder: Path, name: str, subject: str, extension: str, issuer: tuple[Path, Path] | None
) -> tuple[Path, Path]:
    key, cert, config = folder / f"{name}.key", folder / f"{name}.pem", folder / "openssl.cnf"
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    if issuer is None:
        _openssl("req", "-new", "-x509", "-config", config, "-key", key, "-out", cert,
                 "-subj", subject, "-days", "3650", "-extensions", extension)  # fmt: skip
        return key, cert
    request = folder / f"{name}.csr"
    _openssl("req", "-new", "-config", config, "-key", key, "-out", request, "-subj", subject)
    _openssl("x509", "-req", "-in", request, "-CA", issuer[1], "-CAkey", issuer[0],
             "-CAcreateserial", "-out", cert, "-days", "3650", "-extfile", config,
             "-extensions", extension)  # fmt: skip
    return key, cert


def make_authority(folder: Path, name: str = "Test TSA") -> Authority:
    """Return a new TSA in folder: a root CA and a timeStamping certificate it signed."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "openssl.cnf"
    config.write_text(_CONFIG.format(folder=folder), encoding="utf-8")
    (folder / "serial").write_text("01\n", encoding="ascii")
    root = _issue(folder, "root", f"/CN={name} Root CA", "root_ext", None)
    key, cert = _issue(folder, "tsa", f"/CN={name}", "tsa_ext", root)
    return Authority(folder, root[1], cert, key, config)


def reply(authority: Authority, query: bytes) -> bytes:
    """Return OpenSSL's DER TimeStampResp to a DER TimeStampReq."""
    with tempfile.TemporaryDirectory(dir=authority.folder) as work:
        request, response = Path(work) / "q.tsq", Path(work) / "r.tsr"
        request.write_bytes(query)
        _openssl("ts", "-reply", "-config", authority.config, "-queryfile", request,
                 "-out", response)  # fmt: skip
        return response.read_bytes()


class _Handler(BaseHTTPRequestHandler):
    authority: Authority
    lock: threading.Lock
    requests: list[bytes]
    status: int

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.requests.append(query)
        if self.status != 200 or self.headers.get("Content-Type") != (
            "application/timestamp-query"
        ):
            self.send_response(self.status if self.status != 200 else 415)
            self.end_headers()
            return
        with self.lock:  # openssl updates one serial file
            body = reply(self.authority, query)
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Server:
    """A running test TSA: its URL and the queries it received."""

    url: str
    requests: list[bytes]


@contextmanager
def serve(authority: Authority, *, status: int = 200) -> Iterator[Server]:
    """Serve authority on 127.0.0.1 (answering with `status` instead of a token when not 200)."""
    requests: list[bytes] = []
    handler = type(
        "Handler",
        (_Handler,),
        {"authority": authority, "lock": threading.Lock(), "requests": requests, "status": status},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}/tsa", requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
