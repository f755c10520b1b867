"""A command whose optional extra is missing says which pip command installs it (exit 2)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from capture.cli import main
from capture.errors import ExitCode, MissingExtraError
from capture.extras import EXTRAS, require_extra


def _without(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in missing else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_an_installed_extra_passes() -> None:
    require_extra("distributed", "capture worker")


def test_a_missing_module_names_the_extra_and_the_pip_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without(monkeypatch, "redis")

    with pytest.raises(MissingExtraError) as caught:
        require_extra("distributed", "capture worker")

    message = str(caught.value)
    assert "redis not installed" in message
    assert "pip install 'capture[distributed]'" in message


@pytest.mark.parametrize(
    "argv",
    [
        ["worker", "--broker", "redis://127.0.0.1:1/0"],
        ["run", "job.yaml", "--broker", "redis://127.0.0.1:1/0"],
    ],
)
def test_the_command_line_exits_2_with_the_hint_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    _without(monkeypatch, *EXTRAS["distributed"])

    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "pip install 'capture[distributed]'" in err
    assert "Traceback" not in err


def test_every_extra_in_pyproject_is_known() -> None:
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    declared = set(pyproject["project"]["optional-dependencies"]) - {"test"}
    assert declared == set(EXTRAS)
