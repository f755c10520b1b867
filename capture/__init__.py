"""capture: preserve web pages as self-contained evidence folders.

The library is the product; `capture.cli` is a thin shell over `capture_urls`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from capture.api import RunResult, capture_urls
from capture.errors import CaptureError, ExitCode
from capture.extract import Article, extract_article
from capture.models import CaptureOptions, CaptureState, Viewport

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
