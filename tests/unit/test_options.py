"""The capture options are defined once: no path (JSON, task payload, CLI, job YAML) loses one."""

from __future__ import annotations

import json
import logging
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from capture.cli import build_parser
from capture.cli.parser import flag_of, options_from_args
from capture.config.job import load_job
from capture.distributed.payload import read_payload, task_payload
from capture.models import CaptureRequest
from capture.options import CaptureOptions, Option, Viewport, option_fields
from capture.run.runner import RunPolicy

URL = "https://example.org/news/story"


def _changed(name: str, spec: Option) -> Any:
    """Return a value of the option other than its default, as the Python value."""
    default = getattr(CaptureOptions(), name)
    match spec.kind:
        case "seconds":
            return float(spec.high or 10) - 0.5
        case "count":
            return int(spec.low or 0) + 7
        case "flag":
            return not default
        case "choice":
            return next(choice for choice in spec.choices if choice != default)
        case "text":
            return "capture-test-agent/1.0"
        case "url":
            return "http://127.0.0.1:3128"
        case "viewport":
            return Viewport(390, 844)
        case _:
            return frozenset({"dom", "article"})


CHANGED = CaptureOptions(**{name: _changed(name, spec) for name, spec in option_fields()})


def _flags() -> list[str]:
    """Return the command line that sets every option to its CHANGED value."""
    argv: list[str] = []
    for name, spec in option_fields():
        value = getattr(CHANGED, name)
        flag = flag_of(name, spec)
        if spec.kind == "flag":
            argv.append(flag if value else "--no-" + flag.removeprefix("--"))
        else:
            data = spec.to_data(value)
            argv += [flag, ",".join(data) if isinstance(data, list) else str(data)]
    return argv


def test_every_option_differs_from_its_default_in_the_sample() -> None:
    default = CaptureOptions()
    names = [item.name for item in fields(CaptureOptions)]
    same = [name for name in names if getattr(CHANGED, name) == getattr(default, name)]

    assert same == []


def test_every_field_has_its_option_and_help() -> None:
    for item in fields(CaptureOptions):
        spec = item.metadata.get("option")
        assert isinstance(spec, Option), item.name
        assert spec.help, item.name


def test_options_survive_json() -> None:
    data = json.loads(json.dumps(CHANGED.to_json()))

    assert set(data) == {f.name for f in fields(CaptureOptions)}
    assert CaptureOptions.from_json(data) == CHANGED


def test_options_survive_a_task_payload(tmp_path: Path) -> None:
    request = CaptureRequest(URL, tmp_path / "captures" / "x", CHANGED)
    payload = json.loads(json.dumps(task_payload(request, tmp_path, RunPolicy(), "sub")))

    assert read_payload(payload, tmp_path).request.options == CHANGED


def test_a_payload_without_block_private_networks_is_not_read_as_allowing_them(
    tmp_path: Path,
) -> None:
    guarded = CaptureOptions(block_private_networks=True)
    request = CaptureRequest(URL, tmp_path / "captures" / "x", guarded)
    payload = task_payload(request, tmp_path, RunPolicy(), "sub")

    assert read_payload(payload, tmp_path).request.options.block_private_networks is True


def test_options_survive_the_command_line() -> None:
    args = build_parser(None).parse_args([*_flags(), URL])

    assert options_from_args(args) == CHANGED


def test_no_flag_leaves_every_default() -> None:
    assert options_from_args(build_parser(None).parse_args([URL])) == CaptureOptions()


def test_options_survive_a_job_file(tmp_path: Path) -> None:
    defaults = {name: spec.to_data(getattr(CHANGED, name)) for name, spec in option_fields()}
    job_file = tmp_path / "job.yaml"
    job_file.write_text(
        yaml.safe_dump({"version": 1, "name": "j", "urls": [URL], "defaults": defaults})
    )

    job, urls = load_job(job_file)

    assert job.settings_for(urls[0]).options() == CHANGED


def test_every_option_can_be_overridden_for_one_url(tmp_path: Path) -> None:
    override = {name: spec.to_data(getattr(CHANGED, name)) for name, spec in option_fields()}
    job_file = tmp_path / "job.yaml"
    other = "https://b.example/"
    data = {
        "version": 1,
        "name": "j",
        "urls": [URL, other],
        "overrides": [{"url": URL, **override}],
    }
    job_file.write_text(yaml.safe_dump(data))

    job, _ = load_job(job_file)

    assert job.settings_for(URL).options() == CHANGED
    assert job.settings_for(other).options() == CaptureOptions()


def test_capture_run_flags_override_every_option_of_the_job_file(tmp_path: Path) -> None:
    from capture.cli.jobs import job_with_flags

    job_file = tmp_path / "job.yaml"
    job_file.write_text(yaml.safe_dump({"version": 1, "name": "j", "urls": [URL]}))
    args = build_parser("run").parse_args([str(job_file), *_flags()])

    job, urls = job_with_flags(args)

    assert job.settings_for(urls[0]).options() == CHANGED


@pytest.mark.parametrize(
    ("old", "new", "value"),
    [("timeout", "timeout_s", 30), ("max_screenshot_height", "max_screenshot_height_px", 5000)],
)
def test_a_key_without_its_unit_still_loads_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, old: str, new: str, value: int
) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text(f"version: 1\nname: j\nurls: [{URL}]\ndefaults:\n  {old}: {value}\n")

    with caplog.at_level(logging.WARNING):
        job, urls = load_job(job_file)

    assert getattr(job.settings_for(urls[0]).options(), new) == value
    assert any(getattr(r, "use", None) == new for r in caplog.records)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--timeout", "0.5"], "out of range"),
        (["--viewport", "12x"], "is not a viewport"),
        (["--outputs", "dom,pdf"], "unknown outputs"),
        (["--consent", "maybe"], "is not one of accept, reject"),
        (["--proxy", "not a proxy"], "is not a URL"),
    ],
)
def test_a_bad_flag_value_is_a_usage_error_that_says_why(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser(None).parse_args([*argv, URL])

    assert stop.value.code == 2
    assert says in capsys.readouterr().err


def test_a_bad_value_in_a_job_file_names_the_line_and_key(tmp_path: Path) -> None:
    from capture.errors import ConfigError

    job_file = tmp_path / "job.yaml"
    job_file.write_text(f"version: 1\nname: j\nurls: [{URL}]\ndefaults:\n  timeout_s: 0\n")

    with pytest.raises(ConfigError, match=r"job.yaml:5: defaults.timeout_s: "):
        load_job(job_file)


def test_a_flag_wins_over_a_per_url_override_of_the_job_file(tmp_path: Path) -> None:
    from capture.cli.jobs import job_with_flags

    job_file = tmp_path / "job.yaml"
    overrides = [{"url": URL, "block_private_networks": False, "timeout_s": 90}]
    data = {"version": 1, "name": "j", "urls": [URL], "overrides": overrides}
    job_file.write_text(yaml.safe_dump(data))
    args = build_parser("run").parse_args([str(job_file), "--block-private-networks"])

    job, urls = job_with_flags(args)

    options = job.settings_for(urls[0]).options()
    assert options.block_private_networks is True  # the operator's flag holds
    assert options.timeout_s == 90  # what the flag does not name stays the override's


def test_a_key_given_in_both_spellings_is_an_error_that_says_which_to_keep(
    tmp_path: Path,
) -> None:
    from capture.errors import ConfigError

    job_file = tmp_path / "job.yaml"
    job_file.write_text(
        f"version: 1\nname: j\nurls: [{URL}]\ndefaults:\n  timeout: 30\n  timeout_s: 40\n"
    )

    with pytest.raises(ConfigError, match="Keep `timeout_s` only"):
        load_job(job_file)
