"""The public API: what `import capture` offers is pinned, so a move inside the package cannot
change it unnoticed (#15: the folders moved, the face stayed)."""

from __future__ import annotations

import subprocess
import sys

import capture

PUBLIC = [
    "Article",
    "CaptureError",
    "CaptureOptions",
    "CaptureState",
    "ExitCode",
    "RunResult",
    "Viewport",
    "__version__",
    "capture_urls",
    "extract_article",
]


def test_the_public_names_are_pinned() -> None:
    assert sorted(capture.__all__) == PUBLIC
    assert dir(capture) == PUBLIC


def test_every_public_name_resolves_to_its_defining_module() -> None:
    for name in PUBLIC:
        value = getattr(capture, name)
        if name != "__version__":
            assert value.__name__ == name
            assert value.__module__.startswith("capture.")


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        capture.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("capture.no_such_name resolved")


def test_importing_the_package_loads_no_browser_nor_extraction() -> None:
    code = (
        "import sys, capture; "
        "print(sorted(m for m in sys.modules if m.startswith(('playwright', 'trafilatura', "
        "'capture.browser', 'capture.run', 'capture.extract'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
