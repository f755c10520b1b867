"""Keys that got their unit: the old spelling still loads with a warning, the new one silently,
and both at once is an error naming the file, the line and the key to keep."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from capture.config.job import load_job
from capture.config.site import load_site
from capture.errors import ConfigError

URL = "https://a.example/1"
JOB = f"version: 1\nname: t\nurls:\n  - {URL}\n"
SITE = 'version: 1\nname: s\nmatch:\n  hosts: ["a.example"]\n'
LOGIN = (
    "login:\n  username_field: '#u'\n  password_field: '#p'\n  username_env: U\n"
    "  password_env: P\n  success: '#ok'\n"
)


@dataclass(frozen=True)
class Renamed:
    """A key that was renamed, where it stands in a file, and how its value is read back."""

    where: str
    """The key path of the old key, as errors name it."""
    new: str
    head: str
    """The file up to the key."""
    indent: str
    value: float
    read: Callable[[Path], Any]
    """Loads the file and returns the key's value."""

    @property
    def old(self) -> str:
        """Return the old spelling of the key."""
        return self.where.rpartition(".")[2]

    def text(self, *keys: str) -> str:
        """Return the file with keys (each set to the value) where the key stands."""
        return self.head + "".join(f"{self.indent}{key}: {self.value:g}\n" for key in keys)


def _job(path: Path) -> Any:
    return load_job(path)[0]


def _options(path: Path) -> Any:
    job, urls = load_job(path)
    return job.settings_for(urls[0]).options()


def _site_action(path: Path) -> Any:
    return load_site(path).actions[0].chosen[1]


RENAMED = [
    Renamed("retry_backoff", "retry_backoff_s", JOB, "", 7, lambda p: _job(p).retry_backoff_s),
    Renamed("host_delay", "host_delay_s", JOB, "", 1.5, lambda p: _job(p).host_delay_s),
    Renamed(
        "defaults.timeout",
        "timeout_s",
        JOB + "defaults:\n",
        "  ",
        30,
        lambda p: _options(p).timeout_s,
    ),
    Renamed(
        "defaults.max_screenshot_height",
        "max_screenshot_height_px",
        JOB + "defaults:\n",
        "  ",
        5000,
        lambda p: _options(p).max_screenshot_height_px,
    ),
    Renamed(
        "overrides[0].timeout",
        "timeout_s",
        JOB + f"overrides:\n  - url: {URL}\n",
        "    ",
        90,
        lambda p: _options(p).timeout_s,
    ),
    Renamed(
        "actions[0].click.timeout",
        "timeout_s",
        SITE + "actions:\n  - click:\n      selector: '#x'\n",
        "      ",
        4,
        lambda p: _site_action(p).timeout_s,
    ),
    Renamed(
        "actions[0].wait_for.timeout",
        "timeout_s",
        SITE + "actions:\n  - wait_for:\n      selector: '#x'\n",
        "      ",
        9,
        lambda p: _site_action(p).timeout_s,
    ),
    Renamed(
        "login.timeout", "timeout_s", SITE + LOGIN, "  ", 20, lambda p: load_site(p).login.timeout_s
    ),
]
IDS = [case.where for case in RENAMED]


def deprecations(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return the warnings about deprecated keys logged so far."""
    return [record for record in caplog.records if record.getMessage() == "deprecated key"]


@pytest.mark.parametrize("case", RENAMED, ids=IDS)
def test_the_old_spelling_loads_with_a_warning_naming_the_new_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: Renamed
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(case.text(case.old))

    with caplog.at_level(logging.WARNING):
        value = case.read(path)

    assert value == case.value
    (warning,) = deprecations(caplog)
    assert warning.levelno == logging.WARNING
    facts = (warning.file, warning.key, warning.use)  # type: ignore[attr-defined]
    assert facts == (str(path), case.old, case.new)


@pytest.mark.parametrize("case", RENAMED, ids=IDS)
def test_the_new_spelling_loads_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: Renamed
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(case.text(case.new))

    with caplog.at_level(logging.DEBUG):
        assert case.read(path) == case.value

    assert deprecations(caplog) == []


@pytest.mark.parametrize("case", RENAMED, ids=IDS)
def test_both_spellings_are_an_error_naming_the_file_line_and_key_to_keep(
    tmp_path: Path, case: Renamed
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(case.text(case.old, case.new))
    line = case.head.count("\n") + 1  # the old key's

    with pytest.raises(ConfigError) as caught:
        case.read(path)

    assert str(caught.value) == (
        f"{path}:{line}: {case.where}: `{case.old}` and `{case.new}` are the same key. "
        f"Keep `{case.new}` only."
    )
