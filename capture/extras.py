"""The optional extras of the package, and a check that one is installed before it is used."""

from __future__ import annotations

import importlib.util
import sys

from capture.errors import MissingExtraError

EXTRAS: dict[str, tuple[str, ...]] = {
    "distributed": ("celery", "kombu", "redis", "packaging"),
}
"""Each extra of pyproject.toml and the modules its code imports (kombu's Redis transport needs
packaging, which neither celery nor kombu declares)."""


def require_extra(extra: str, purpose: str) -> None:
    """Return when every module of extra can be imported; else raise MissingExtraError that
    names the pip command which installs it."""
    missing = [name for name in EXTRAS[extra] if not _installed(name)]
    if missing:
        raise MissingExtraError(
            f"{purpose} needs the `{extra}` extra ({', '.join(missing)} not installed). "
            f"Install it: pip install 'capture[{extra}]'"
        )


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ValueError:  # Imported without a spec (a stand-in module): it is there.
        return name in sys.modules
