"""A login capture through the whole pipeline: no output byte holds a credential."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from capture.api import capture_urls
from capture.models import CaptureOptions, CaptureState
from capture.redaction import REDACTED
from capture.render import ChromiumRenderer
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


async def test_no_output_of_a_login_capture_holds_the_secrets(
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

    (result,) = run.results
    assert result.state is CaptureState.COMPLETE, result.error
    assert len(posted) == 1 and PASSWORD.encode() in posted[0]  # the wire carried them
    blobs = every_output_byte(run.folder)
    assert any(name.endswith("page.warc.gz (decompressed)") for name in blobs)
    for secret in (USER, PASSWORD):
        leaks = [name for name, blob in blobs.items() if secret.encode() in blob]
        assert leaks == [], f"{secret!r} found in {leaks}"
    warc = next(b for n, b in blobs.items() if n.endswith("page.warc.gz (decompressed)"))
    assert REDACTED in warc  # the login POST is kept, with the values replaced
    capture = json.loads((result.folder / "capture.json").read_text())
    redactions = [i for i in capture["interventions"] if i["action"] == "redact"]
    assert redactions and "login credentials replaced" in redactions[0]["detail"]
