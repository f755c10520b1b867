"""A worker's side of an evidence run through a broker, on a real Chromium (no Redis needed).

The task carries the signer's fingerprint and the TSAs, never the key: the worker's capture
names its signer, is left for the submitting machine to seal, and is replayed from its own WARC
when the run asks for QA.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capture.browser.recycle import RecyclingRenderer
from capture.browser.renderer import ChromiumRenderer
from capture.demo.localsite import LocalSite
from capture.distributed.payload import read_payload, task_payload
from capture.distributed.sealing import seal_finished
from capture.distributed.worker import Worker, WorkerSettings
from capture.evidence.keys import generate_key_pair
from capture.evidence.seal import Sealing
from capture.evidence.verify import verify_path
from capture.models import CaptureRequest
from capture.options import CaptureOptions
from capture.qa.check import QA_JSON
from capture.run.runner import RunPolicy
from tests.unit.test_distributed_worker import MemoryCoordination

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_worker_replays_its_capture_and_leaves_the_seal_to_the_submitter(
    shared_renderer: ChromiumRenderer, site: LocalSite, tmp_path: Path
) -> None:
    key = generate_key_pair(tmp_path / "clerk")
    root = tmp_path / "archives"
    name = "job/20261127T000000Z/captures/landing"
    request = CaptureRequest(site.url("/landing.html"), root / name, CaptureOptions(timeout_s=30))
    policy = RunPolicy(1, 0, 0.0, 0.0)
    sent = task_payload(request, root, policy, "sub", sealing=Sealing(key=key), qa=True)
    spec = read_payload(json.loads(json.dumps(sent)), root)  # as it crosses the broker

    @asynccontextmanager
    async def borrowed() -> AsyncIterator[ChromiumRenderer]:
        yield shared_renderer

    worker = Worker(
        WorkerSettings(output=root), RecyclingRenderer(borrowed), MemoryCoordination(), owner="w"
    )
    outcome = await worker.handle(spec)

    folder = request.folder
    assert (outcome.outcome, outcome.state) == ("captured", "complete")
    qa = json.loads((folder / QA_JSON).read_text(encoding="utf-8"))
    assert qa["pixels"]["identical_share"] > 0.9, qa
    assert not (folder / "seal.json").exists()
    assert key.fingerprint in (folder / "provenance.html").read_text(encoding="utf-8")
    assert seal_finished(folder, Sealing(key=key), now) == (None, ())
    report = verify_path(folder, public_key=tmp_path / "clerk.pub")
    assert report.ok, report.to_text()
