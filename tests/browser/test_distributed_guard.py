"""`--block-private-networks` holds through a broker exactly as in a local run.

A real redis-server, a real `capture worker` and a page on 127.0.0.1: the broker run must refuse
the page (failed, the guard named), as `capture URL --block-private-networks` does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from capture.demo.localsite import LocalSite
from capture.demo.replies import html
from tests.redis_server import redis_server

pytestmark = pytest.mark.browser

PASSWORD = "guard-5e1d"


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """Yield a site on 127.0.0.1 with one article."""
    local = LocalSite()
    local.add_route("/private", lambda _request: html("<title>Inside</title><p>Private.</p>"))
    with local:
        yield local


def _capture_json(output: Path) -> dict[str, object]:
    (found,) = output.glob("**/captures/*/capture.json")
    data: dict[str, object] = json.loads(found.read_text("utf-8"))
    return data


def test_a_broker_run_refuses_private_addresses_like_a_local_run(
    tmp_path: Path, site: LocalSite
) -> None:
    url = site.url("/private")
    local_out, broker_out = tmp_path / "local", tmp_path / "broker"
    env = {**os.environ, "CAPTURE_BROKER_PASSWORD": PASSWORD}
    cli = [sys.executable, "-m", "capture.cli"]
    local = subprocess.run(
        [*cli, url, "--output", str(local_out), "--block-private-networks"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    job = tmp_path / "job.yaml"
    job.write_text(f"version: 1\nname: guard\nurls: [{url}]\nretries: 0\nwacz: false\n")
    with redis_server(tmp_path, PASSWORD) as port:
        broker = f"redis://127.0.0.1:{port}/0"
        worker = subprocess.Popen(
            [*cli, "worker", "--broker", broker, "--output", str(broker_out), "--processes", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            run = subprocess.run(
                [
                    *cli,
                    "run",
                    str(job),
                    "--broker",
                    broker,
                    "--output",
                    str(broker_out),
                    "--block-private-networks",
                ],
                env=env,
                capture_output=True,
                timeout=180,
                check=False,
            )
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)

    assert local.returncode == 11, local.stderr
    assert run.returncode == 11, run.stderr
    captured_locally, captured_by_worker = _capture_json(local_out), _capture_json(broker_out)
    assert captured_by_worker["state"] == captured_locally["state"] == "failed"
    assert "private" in str(captured_by_worker["error"]).lower()
    options = captured_by_worker["options"]
    assert isinstance(options, dict) and options["block_private_networks"] is True
