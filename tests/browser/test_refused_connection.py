"""A refused connection: the capture fails, capture.json says why, and the CLI exits 11."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.errors import ExitCode

pytestmark = pytest.mark.browser

ENTRY_POINT = "import sys; from capture.cli import main; sys.exit(main())"
"""What the `capture` console script runs (pyproject's [project.scripts])."""


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """Yield a URL on 127.0.0.1 whose port refuses connections (bound, never listening)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))  # Bound but not listening: nobody else gets the port.
        yield f"http://127.0.0.1:{held.getsockname()[1]}/nothing-here"


def test_refused_connection_fails_with_exit_code_11_and_a_record(
    closed_port_url: str, tmp_path: Path
) -> None:
    run = subprocess.run(
        [sys.executable, "-c", ENTRY_POINT, closed_port_url, "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == ExitCode.FAILED, run.stderr
    assert int(ExitCode.FAILED) == 11
    (record,) = tmp_path.glob("*/captures/*/capture.json")
    document = json.loads(record.read_text())
    assert document["state"] == "failed"
    assert document["url"] == closed_port_url
    assert "ERR_CONNECTION_REFUSED" in document["error"]
    assert "ERR_CONNECTION_REFUSED" in run.stdout
    assert (record.parent / "page.warc.gz").exists()
