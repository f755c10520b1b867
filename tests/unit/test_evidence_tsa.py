"""RFC 3161 timestamps from a real OpenSSL TSA on 127.0.0.1, checked by us and by openssl."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import urllib.error
from pathlib import Path

import pytest
from asn1crypto import tsp  # type: ignore[import-untyped]

from capture.errors import TimestampError
from capture.evidence.tokens import load_certificates, read_token, verify_token
from capture.evidence.tsa import request_token, timestamp_query
from tests.evidence_tsa import OPENSSL, Authority, make_authority, serve

DATA = b'{"files": []}\n'
DIGEST = hashlib.sha256(DATA).digest()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """Return a test TSA made with openssl: a root CA and its timeStamping certificate."""
    return make_authority(tmp_path_factory.mktemp("tsa"))


def test_the_query_asks_for_sha256_of_the_digest_and_the_tsa_certificate() -> None:
    query = tsp.TimeStampReq.load(timestamp_query(DIGEST, 42))

    assert query["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert query["message_imprint"]["hashed_message"].native == DIGEST
    assert query["nonce"].native == 42
    assert query["cert_req"].native is True


def test_a_token_from_the_tsa_stamps_the_digest_and_chains_to_its_root(
    authority: Authority, tmp_path: Path
) -> None:
    with serve(authority) as server:
        reply, token = request_token(server.url, DIGEST)

    assert token.digest == DIGEST
    assert token.policy == "1.2.3.4.1"
    assert read_token(reply) == token
    for trusted in (authority.root, authority.cert):
        check = verify_token(reply, DIGEST, load_certificates(trusted.read_bytes()))
        assert check.ok and check.trusted, check.detail
        assert "CN=Test TSA" in check.detail
    # openssl agrees, so anyone can check the token without capture.
    (tmp_path / "token.tsr").write_bytes(reply)
    (tmp_path / "data").write_bytes(DATA)
    result = subprocess.run(
        [str(OPENSSL), "ts", "-verify", "-in", str(tmp_path / "token.tsr"),
         "-data", str(tmp_path / "data"), "-CAfile", str(authority.root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout, result.stderr


def test_a_token_fails_for_another_digest_or_an_untrusted_authority(
    authority: Authority, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = make_authority(tmp_path_factory.mktemp("stranger"), "Stranger TSA")
    with serve(authority) as server:
        reply, _ = request_token(server.url, DIGEST)

    other = verify_token(reply, hashlib.sha256(b"other").digest(), [])
    untrusted = verify_token(reply, DIGEST, load_certificates(stranger.root.read_bytes()))
    unanchored = verify_token(reply, DIGEST, [])

    assert not other.ok and "not sha256:" in other.detail
    assert not untrusted.ok and "does not chain" in untrusted.detail
    assert unanchored.ok and not unanchored.trusted
    assert "pass --tsa-cert" in unanchored.detail


def test_a_changed_byte_in_the_signed_part_of_a_token_breaks_it(authority: Authority) -> None:
    with serve(authority) as server:
        reply, _ = request_token(server.url, DIGEST)
    trusted = load_certificates(authority.root.read_bytes())
    start = reply.index(DIGEST)  # inside the TSTInfo, which the TSA signed

    for offset in (start - 20, start, start + 40):
        damaged = bytearray(reply)
        damaged[offset] ^= 0x01
        assert not verify_token(bytes(damaged), DIGEST, trusted).ok, offset


def test_a_tsa_that_answers_with_an_error_raises_timestamp_error(authority: Authority) -> None:
    with (
        serve(authority, status=500) as server,
        pytest.raises(TimestampError, match=server.url) as raised,
    ):
        request_token(server.url, DIGEST)
    answer = raised.value.__cause__
    assert isinstance(answer, urllib.error.HTTPError)
    assert answer.fp.closed  # its socket is not left for the garbage collector
    with pytest.raises(TimestampError, match="Could not get a timestamp"):
        request_token("http://127.0.0.1:9/none", DIGEST, timeout_s=2)


def test_a_tsa_that_does_not_answer_http_raises_timestamp_error() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/tsr"

        def garbage() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"this is not HTTP\r\n\r\n")

        answering = threading.Thread(target=garbage)
        answering.start()
        with pytest.raises(TimestampError, match="Could not get a timestamp"):
            request_token(url, DIGEST, timeout_s=5)
        answering.join(timeout=5)
