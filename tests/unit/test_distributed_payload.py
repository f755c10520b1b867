"""Task payloads round-trip a capture request; broker URLs lose their passwords."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture.config.site import load_site
from capture.distributed.payload import read_payload, task_payload
from capture.distributed.redact import password_of, redact_text, redact_url, with_password
from capture.errors import UsageError
from capture.evidence.keys import generate_key_pair
from capture.evidence.seal import Sealing
from capture.models import CaptureRequest
from capture.options import CaptureOptions, Viewport
from capture.run.runner import RunPolicy
from capture.sessions.logins import SessionStore, session_files

ROOT = Path("/shared/archives")
SITES = Path(__file__).resolve().parents[2] / "configs" / "sites"


def _request(**options: object) -> CaptureRequest:
    folder = ROOT / "news" / "20261127T064500Z" / "captures" / "news.example-story-1-ab12cd34"
    return CaptureRequest("https://news.example/story/1", folder, CaptureOptions(**options))  # type: ignore[arg-type]


def test_a_payload_round_trips_through_json_onto_another_root() -> None:
    request = _request(
        viewport=Viewport(390, 844),
        timeout_s=12.5,
        proxy="http://127.0.0.1:8080",
        consent="reject",
        outputs=frozenset({"dom", "article"}),
        scroll=False,
        settle_s=0.75,
        timers_s=0.5,
        pdf=True,
        video=True,
    )
    policy = RunPolicy(concurrency=4, retries=3, retry_backoff_s=1.5, host_delay_s=0.25)
    payload = json.loads(json.dumps(task_payload(request, ROOT, policy, "sub-1")))

    spec = read_payload(payload, Path("/mnt/archives"))

    assert spec.request.options == request.options
    assert spec.request.url == request.url
    assert spec.request.folder == Path("/mnt/archives") / request.folder.relative_to(ROOT)
    assert spec.key == "news/20261127T064500Z/captures/news.example-story-1-ab12cd34"
    assert spec.policy == RunPolicy(1, 3, 1.5, 0.25)
    assert spec.submission == "sub-1"


def test_a_payload_from_a_submitter_without_timers_s_gets_the_default() -> None:
    payload = json.loads(json.dumps(task_payload(_request(timers_s=0.5), ROOT, RunPolicy(), "s")))
    del payload["options"]["timers_s"]

    assert read_payload(payload, ROOT).request.options.timers_s == CaptureOptions().timers_s


def test_a_site_config_travels_with_its_task() -> None:
    site = load_site(SITES / "ijr-demo.yaml")
    request = CaptureRequest("https://a.example/", ROOT / "j/r/captures/a", CaptureOptions(), site)
    payload = json.loads(json.dumps(task_payload(request, ROOT, RunPolicy(), "s")))

    again = read_payload(payload, ROOT).request.site

    assert again.model_dump() == site.model_dump()
    assert again.source == site.source
    assert again.rule("actions", 0, "click") == site.rule("actions", 0, "click")


def test_a_folder_outside_the_root_is_refused_when_sending() -> None:
    request = CaptureRequest("https://a.example/", Path("/elsewhere/a"), CaptureOptions())
    with pytest.raises(UsageError, match="not under the archive root"):
        task_payload(request, ROOT, RunPolicy(), "s")


@pytest.mark.parametrize("folder", ["../../etc", "/etc/cron.d", "", "a/../../b"])
def test_a_payload_cannot_write_outside_the_workers_root(folder: str) -> None:
    payload = task_payload(_request(), ROOT, RunPolicy(), "s")
    payload["folder"] = folder
    with pytest.raises(UsageError, match="malformed"):
        read_payload(payload, ROOT)


@pytest.mark.parametrize(
    "old",
    [
        "capture-task/1",  # before tasks named their sealing
        "capture-task/2",  # options written field by field: a /2 worker would drop new ones
    ],
)
def test_a_payload_of_another_format_names_the_fix(old: str) -> None:
    payload = task_payload(_request(), ROOT, RunPolicy(), "s")
    payload["format"] = old
    with pytest.raises(UsageError, match="same capture version"):
        read_payload(payload, ROOT)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@queue-host:6379/0", "redis://:***@queue-host:6379/0"),
        ("redis://capture:s3cret@queue-host:6379/0", "redis://capture:***@queue-host:6379/0"),
        ("rediss://:p%40ss@queue-host/1", "rediss://:***@queue-host/1"),
        ("redis://queue-host:6379/0", "redis://queue-host:6379/0"),
        ("redis://capture@queue-host:6379/0", "redis://capture@queue-host:6379/0"),
    ],
)
def test_a_broker_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_every_spelling_of_the_password_is_masked_in_text() -> None:
    url = "redis://:p%40ss@queue-host:6379/0"
    assert password_of(url) == "p@ss"
    assert redact_text("auth p@ss failed for redis://:p%40ss@h", url) == (
        "auth *** failed for redis://:***@h"
    )


def test_the_password_from_the_environment_is_put_in_only_when_missing() -> None:
    assert with_password("redis://h:6379/0", "a/b:c") == "redis://:a%2Fb%3Ac@h:6379/0"
    assert password_of(with_password("redis://h:6379/0", "a/b:c")) == "a/b:c"
    assert with_password("redis://:x@h/0", "y") == "redis://:x@h/0"
    assert with_password("redis://h/0", None) == "redis://h/0"


def test_a_task_names_the_signer_and_the_tsas_but_never_carries_the_key(tmp_path: Path) -> None:
    key = generate_key_pair(tmp_path / "clerk")
    tsa = ["https://tsa.example/stamp", "https://clerk:s3cret@tsa.internal/ts"]
    sealing = Sealing(key=key, tsa_urls=tuple(tsa))
    payload = json.loads(
        json.dumps(task_payload(_request(), ROOT, RunPolicy(), "s", sealing=sealing, qa=True))
    )

    spec = read_payload(payload, ROOT)

    assert payload["sealing"] == {
        "signer": key.fingerprint,
        "tsa": ["https://tsa.example/stamp", "https://clerk:***@tsa.internal/ts"],
    }
    assert "s3cret" not in json.dumps(payload)
    assert spec.qa
    assert spec.sealing.sealed_elsewhere and not spec.sealing.active  # the worker seals nothing
    assert spec.sealing.key is None and spec.sealing.signer == key.fingerprint


def test_a_task_of_an_unsealed_run_seals_nothing_anywhere() -> None:
    spec = read_payload(
        json.loads(json.dumps(task_payload(_request(), ROOT, RunPolicy(), "s"))), ROOT
    )

    assert spec.sealing == Sealing() and not spec.qa


@pytest.mark.parametrize("sealing", ["fingerprint", ["a"], {"signer": "x", "tsa": "not a list"}])
def test_a_malformed_sealing_is_refused_as_a_malformed_payload(sealing: object) -> None:
    payload = json.loads(json.dumps(task_payload(_request(), ROOT, RunPolicy(), "s")))
    payload["sealing"] = sealing

    with pytest.raises(UsageError, match="malformed"):
        read_payload(payload, ROOT)


def test_a_task_names_its_session_file_and_never_carries_the_session(tmp_path: Path) -> None:
    (tmp_path / "session.json").write_text(
        json.dumps({"cookies": [{"name": "sid", "value": "s3ss10n-v4lue"}], "origins": []})
    )
    config = tmp_path / "site.yaml"
    config.write_text(
        "version: 1\nname: members\nmatch: {hosts: [a.example]}\n"
        "before:\n  - storage_state: session.json\n"
    )
    store = SessionStore()
    request = CaptureRequest(
        "https://a.example/", ROOT / "j/r/captures/a", CaptureOptions(), load_site(config), store
    )
    text = json.dumps(task_payload(request, ROOT, RunPolicy(), "s"))

    assert "s3ss10n-v4lue" not in text and "session.json" in text
    again = read_payload(json.loads(text), ROOT).request
    assert again.sessions is None  # each worker keeps its own, in its own memory
    assert session_files(again.site) == [tmp_path / "session.json"]  # read from its own disk
