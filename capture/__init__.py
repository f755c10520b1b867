"""capture: preserve web pages as self-contained evidence folders.

The library is the product; `capture.cli` is a thin shell over `capture_urls`. The public names
are imported when first used, so `import capture` (and `capture --version`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from capture._version import __version__

if TYPE_CHECKING:
    from capture.api import RunResult, capture_urls
    from capture.errors import CaptureError, ExitCode
    from capture.extract import Article, extract_article
    from capture.models import CaptureState
from capture.options import CaptureOptions, Viewport

_WHERE = {
    "Article": "capture.extract",
    "CaptureError": "capture.errors",
    "CaptureOptions": "capture.options",
    "CaptureState": "capture.models",
    "ExitCode": "capture.errors",
    "RunResult": "capture.api",
    "Viewport": "capture.options",
    "capture_urls": "capture.api",
    "extract_article": "capture.extract",
}

__all__ = [
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


def __getattr__(name: str) -> Any:
    """Return a public name of the package, importing its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module 'capture' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
