"""Sealing capture folders and WACZs, then verifying them: the round trips and the refusals."""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from capture.evidence.keys import SigningKey, generate_key_pair
from capture.evidence.seal import SEAL, seal_capture, seal_wacz
from capture.evidence.signature import SIGNED_FIELDS
from capture.evidence.verify import verify_path
from capture.evidence.waczfixity import verify_wacz
from capture.output.wacz import write_wacz
from tests.evidence_folder import clock, make_capture, make_run
from tests.evidence_tsa import OPENSSL, Authority, make_authority, serve


def now() -> datetime:
    """Return the real time: the TSA stamps real time, and the seal's `created` must agree."""
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """Return a test TSA made with openssl."""
    return make_authority(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    """Return a fresh signing key, its public half in `<tmp>/clerk.pub`."""
    return generate_key_pair(tmp_path / "clerk")


def test_a_signed_and_stamped_capture_verifies_and_openssl_agrees(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    with serve(authority) as server:
        seal = seal_capture(folder, key=key, tsa_urls=[server.url], clock=now)

    report = verify_path(folder, tsa_certs=[authority.root], public_key=tmp_path / "clerk.pub")

    assert report.ok, report.to_text()
    assert seal.complete and seal.fingerprint == key.fingerprint
    stored = json.loads((folder / SEAL).read_text())
    assert tuple(stored["signedData"]) == SIGNED_FIELDS
    assert stored["publicKeyFingerprint"] == key.fingerprint
    assert [entry["path"] for entry in stored["timestamps"]] == [seal.stamps[0].path]
    whats = {check.what for check in report.checks}
    assert {"WARC record digests", "RFC 3161 timestamp of capture.json"} <= whats
    assert "VERIFIED: all" in report.to_text()
    token = folder / str(seal.stamps[0].path)
    result = subprocess.run(
        [str(OPENSSL), "ts", "-verify", "-in", str(token), "-data", str(folder / "capture.json"),
         "-CAfile", str(authority.root)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout, result.stderr


def test_another_signer_or_tsa_than_expected_fails(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    stranger = make_authority(tmp_path / "stranger", "Stranger TSA")
    generate_key_pair(tmp_path / "other")
    with serve(authority) as server:
        seal_capture(folder, key=key, tsa_urls=[server.url], clock=now)

    wrong_key = verify_path(folder, public_key=tmp_path / "other.pub")
    wrong_tsa = verify_path(folder, tsa_certs=[stranger.root])

    assert [c.subject for c in wrong_key.failures] == ["seal.json"]
    assert "not by the expected key" in wrong_key.failures[0].detail
    assert not wrong_tsa.ok
    assert any("does not chain" in check.detail for check in wrong_tsa.failures)


def test_an_unsealed_capture_verifies_only_when_no_seal_is_expected(
    tmp_path: Path, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    generate_key_pair(tmp_path / "k")

    plain = verify_path(folder)

    assert plain.ok
    assert any("neither signed nor timestamped" in check.detail for check in plain.checks)
    assert not verify_path(folder, public_key=tmp_path / "k.pub").ok
    assert not verify_path(folder, tsa_certs=[authority.root]).ok


def test_a_failing_tsa_is_recorded_and_the_signature_still_holds(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    with serve(authority, status=503) as broken:
        seal = seal_capture(folder, key=key, tsa_urls=[broken.url], clock=now)

    assert not seal.complete and broken.url in seal.failures[0]
    assert json.loads((folder / SEAL).read_text())["failedTimestamps"] == list(seal.failures)
    assert verify_path(folder, public_key=tmp_path / "clerk.pub").ok


def test_a_run_wacz_is_signed_in_its_digest_and_still_a_valid_wacz(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    run = make_run(tmp_path)
    wacz = write_wacz(run, run / "job.wacz", title="job", clock=clock)
    with serve(authority) as server:
        for folder in sorted((run / "captures").iterdir()):
            seal_capture(folder, key=key, tsa_urls=[server.url], clock=now)
        seal = seal_wacz(wacz, key=key, tsa_urls=[server.url], clock=now)

    with zipfile.ZipFile(wacz) as package:
        digest = json.loads(package.read("datapackage-digest.json"))
        names = package.namelist()
    report = verify_path(run, tsa_certs=[authority.root], public_key=tmp_path / "clerk.pub")

    assert verify_wacz(wacz) == []
    assert names[-1] == "datapackage-digest.json" and not (run / "job.wacz.open").exists()
    assert tuple(digest["signedData"]) == SIGNED_FIELDS
    assert digest["signedData"]["hash"] == digest["hash"] == seal.hash
    assert report.ok, report.to_text()
    assert verify_path(wacz, tsa_certs=[authority.root]).ok
    subjects = {check.subject for check in report.checks}
    assert {
        "job.wacz/datapackage-digest.json",
        "job.wacz/datapackage-digest.json#timestamps/1",
    } <= (subjects)


def test_a_signature_time_far_from_the_tsa_time_fails(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with serve(authority) as server:
        seal_capture(folder, key=key, tsa_urls=[server.url], clock=lambda: an_hour_ago)

    report = verify_path(folder, tsa_certs=[authority.root])

    assert [(c.subject, c.what) for c in report.failures] == [
        ("seal.json", "signature time agrees with the TSA")
    ]


def test_a_seal_whose_hash_was_altered_fails_verification_without_crashing(
    tmp_path: Path, key: SigningKey, authority: Authority
) -> None:
    folder = make_capture(tmp_path / "capture")
    with serve(authority) as server:
        seal_capture(folder, key=key, tsa_urls=[server.url], clock=now)
    seal = json.loads((folder / SEAL).read_text())
    (folder / SEAL).write_text(json.dumps({**seal, "hash": "sha256:not-hex-at-all"}))

    report = verify_path(folder, tsa_certs=[authority.root], public_key=tmp_path / "clerk.pub")

    assert not report.ok
    assert any(not check.ok and SEAL in check.subject for check in report.checks)


def test_a_sealed_runs_capture_that_lost_its_seal_fails_even_without_a_key_given(
    tmp_path: Path, key: SigningKey
) -> None:
    run = make_run(tmp_path / "runs")
    sealing = {"signer": key.fingerprint, "tsa": []}
    (run / "run.json").write_text(json.dumps({"format": "capture-run/1", "sealing": sealing}))
    first, second = sorted((run / "captures").iterdir())
    for capture in (first, second):
        seal_capture(capture, key=key, tsa_urls=[], clock=now)
    assert verify_path(run).ok

    (second / SEAL).unlink()
    report = verify_path(run)

    assert not report.ok
    (failed,) = report.failures
    assert failed.subject == f"captures/{second.name}/{SEAL}"
    assert "the run seals its captures" in failed.detail


def test_a_sealed_runs_capture_signed_by_another_key_fails(tmp_path: Path, key: SigningKey) -> None:
    run = make_run(tmp_path / "runs", count=1)
    sealing = {"signer": key.fingerprint, "tsa": []}
    (run / "run.json").write_text(json.dumps({"format": "capture-run/1", "sealing": sealing}))
    (capture,) = (run / "captures").iterdir()
    seal_capture(capture, key=generate_key_pair(tmp_path / "other"), tsa_urls=[], clock=now)

    report = verify_path(run)

    assert [check.what for check in report.failures] == ["signed by the run's key"]
