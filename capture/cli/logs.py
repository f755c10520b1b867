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


FACT_CHARS = 300
"""A fact longer than this is cut (a page's whole error log is for --json and the files)."""


class FactsFormatter(logging.Formatter):
    """Formats a record as FORMAT, followed by its `extra` facts in brackets, each on the same
    line and before any traceback (ours only: other libraries' extras, such as Celery's whole
    task payloads, are not for the terminal)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """Return the record's line: `WARNING name: message (key=value, ...)`."""
        text = super().formatMessage(record)
        if record.name != "capture" and not record.name.startswith("capture."):
            return text
        facts = [f"{k}={_one_line(v)}" for k, v in vars(record).items() if k not in _STANDARD]
        return f"{text} ({', '.join(facts)})" if facts else text


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= FACT_CHARS else text[: FACT_CHARS - 1] + "…"


def show_log(*, verbose: bool) -> None:
    """Send warnings (and with verbose, info) to stderr, each with its facts."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FactsFormatter(FORMAT))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
