"""A login capture through the whole pipeline: no output byte holds a credential."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from capture.api import capture_urls
from capture.browser.renderer import ChromiumRenderer
from capture.models import CaptureRequest, CaptureState
from capture.options import CaptureOptions
from capture.run.pipeline import capture_page
from capture.sessions.redaction import REDACTED, SESSION_MARK
from tests.browser.site_configs import PASSWORD, PASSWORD_ENV, USER, USER_ENV, config, fixture_sites

pytestmark = pytest.mark.browser


def every_output_byte(run_folder: Path) -> dict[str, bytes]:
    """Return every file of a run, with gzip members and WACZ members opened too."""
    blobs: dict[str, bytes] = {}
    for path in run_folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        blobs[str(path)] = data
        if path.suffix == ".gz":
            blobs[f"{path} (decompressed)"] = gzip.decompress(data)
        if path.suffix == ".wacz":
            with zipfile.ZipFile(path) as package:
                for name in package.namelist():
                    member = package.read(name)
                    blobs[f"{path}!{name}"] = member
                    if name.endswith(".gz"):
                        blobs[f"{path}!{name} (decompressed)"] = gzip.decompress(member)
    return blobs


LEAK_CONTEXT_BYTES = 120
"""How many bytes either side of a leaked secret its report shows."""


def leaks_of(blobs: Mapping[str, bytes], secrets: Sequence[str] | Mapping[str, str]) -> list[str]:
    """Return one line per place a secret is found: which secret, which file, at which offset,
    and the bytes around it (every occurrence, so a report names them all)."""
    named = secrets if isinstance(secrets, Mapping) else {f"#{i}": s for i, s in enumerate(secrets)}
    found = []
    for label, secret in named.items():
        needle = secret.encode()
        for name, blob in blobs.items():
            at = blob.find(needle)
            while at >= 0:
                start = max(0, at - LEAK_CONTEXT_BYTES)
                around = blob[start : at + len(needle) + LEAK_CONTEXT_BYTES]
                found.append(f"secret {label} {secret!r} in {name} at byte {at}: {around!r}")
                at = blob.find(needle, at + 1)
    return found


def assert_no_secret(
    blobs: Mapping[str, bytes], secrets: Sequence[str] | Mapping[str, str]
) -> None:
    """Fail, naming every leak in full (secret, file, offset, context), when any blob holds
    any of the secrets.

    `pytest.fail` is used because pytest truncates an assertion's explanation: a run that
    leaked once must say where, whatever the verbosity.
    """
    __tracebackhide__ = True
    if not secrets:
        pytest.fail("no secrets to look for: the test would pass whatever the outputs hold")
    leaks = leaks_of(blobs, secrets)
    if leaks:
        pytest.fail(f"{len(leaks)} leak(s):\n" + "\n".join(leaks))


async def test_no_output_of_a_login_run_holds_the_secrets(
    renderer: ChromiumRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    site_config = config("login")
    with fixture_sites() as site:
        url = site.url("/login-wall/article")
        run = await capture_urls(
            [url],
            output=tmp_path,
            options=CaptureOptions(timeout_s=40),
            renderer=renderer,
            site_for=lambda _: site_config,
            wacz=True,
        )
        posted = [r.body for r in site.requests if r.path == "/login-wall/session"]
        cookies = [r.header("Cookie") or "" for r in site.requests]

    (result,) = run.results
    assert result.state is CaptureState.COMPLETE, result.error
    assert len(posted) == 1 and PASSWORD.encode() in posted[0]  # the wire carried them
    token = next(c for c in cookies if "session=" in c).split("session=")[1].split(";")[0]
    blobs = every_output_byte(run.folder)
    assert any(name.endswith("page.warc.gz (decompressed)") for name in blobs)
    assert_no_secret(blobs, [USER, PASSWORD, token])
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    # The run logged in once in a context of its own: the capture sent the session's cookie,
    # recorded by name with its value replaced.
    assert f"session={SESSION_MARK}".encode() in warc
    capture = json.loads((result.folder / "capture.json").read_text())
    redactions = [i for i in capture["interventions"] if i["action"] == "redact"]
    assert redactions and "session cookie values" in redactions[0]["detail"]


async def test_a_capture_that_logs_in_by_itself_records_the_login_without_its_secrets(
    renderer: ChromiumRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with fixture_sites() as site:
        request = CaptureRequest(
            site.url("/login-wall/article"),
            tmp_path / "one",
            CaptureOptions(timeout_s=40),
            site=config("login"),
        )
        result = await capture_page(request, renderer)
        cookies = [r.header("Cookie") or "" for r in site.requests]

    assert result.state is CaptureState.COMPLETE, result.error
    token = next(c for c in cookies if "session=" in c).split("session=")[1].split(";")[0]
    blobs = every_output_byte(result.folder)
    assert_no_secret(blobs, [USER, PASSWORD, token])
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    assert REDACTED in warc  # the login POST is kept, with the values replaced
    assert f"session={SESSION_MARK}; Path=/; HttpOnly".encode() in warc  # its Set-Cookie
