"""What the command line shows of the library's log: the message and the facts it names.

The library logs a short, stable message and its facts apart (`extra={"url": ..., "error": ...}`),
so that tools can read them; a person at a terminal needs both on the line.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
"""The attributes every LogRecord has: the others came from `extra`."""


class FactsFormatter(logging.Formatter):
    """Formats a record as FORMAT, followed by its `extra` facts in brackets (ours only: other
    libraries' extras, such as Celery's whole task payloads, are not for the terminal)."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the line for record: `WARNING name: message (key=value, ...)`."""
        text = super().format(record)
        if record.name != "capture" and not record.name.startswith("capture."):
            return text
        facts = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD]
        return f"{text} ({', '.join(facts)})" if facts else text


def show_log(*, verbose: bool) -> None:
    """Send warnings (and with verbose, info) to stderr, each with its facts."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FactsFormatter(FORMAT))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
