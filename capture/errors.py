"""The one error hierarchy of `capture`, and the exit codes the CLI maps it to.

Messages follow one shape: `<what failed> (<why>). <what to do>`.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes; documented in `capture --help` (from MEANINGS) and the README."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    BROWSER = 3
    OUTPUT = 4
    PARTIAL = 10
    FAILED = 11
    NOT_VERIFIED = 12
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        """Return what the code says, in one line."""
        return MEANINGS[self]


MEANINGS = {
    ExitCode.OK: "Every capture is complete.",
    ExitCode.INTERNAL: "A bug in capture: please report it with the traceback.",
    ExitCode.USAGE: "Bad command line, config or input; nothing was captured.",
    ExitCode.BROWSER: "No browser could be found or launched.",
    ExitCode.OUTPUT: "The output folder could not be written (permissions, full disk).",
    ExitCode.PARTIAL: "Every URL was captured, but at least one only partially (see its "
    "capture.json), or, through a broker, could not be sealed (see run.json's `unsealed`).",
    ExitCode.FAILED: "At least one URL failed to capture (see its capture.json).",
    ExitCode.NOT_VERIFIED: "`capture verify` found something that does not hold (the report "
    "says what).",
    ExitCode.INTERRUPTED: "Stopped by Ctrl-C or SIGTERM; finished captures are kept.",
}


class CaptureError(Exception):
    """Base of every error `capture` raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(CaptureError):
    """The user asked for something that cannot work as given."""

    exit_code = ExitCode.USAGE


class MissingExtraError(UsageError):
    """A command needs an optional extra of the package that is not installed."""


class ConfigError(UsageError):
    """A config file or option is invalid."""


class BrowserNotFoundError(CaptureError):
    """No Chromium could be found."""

    exit_code = ExitCode.BROWSER


class BrowserLaunchError(CaptureError):
    """A Chromium was found but did not start."""

    exit_code = ExitCode.BROWSER


class OutputError(CaptureError):
    """Writing the output failed."""

    exit_code = ExitCode.OUTPUT


class PageError(CaptureError):
    """Capturing one page failed; the run goes on with the others."""

    exit_code = ExitCode.FAILED


class NavigationError(PageError):
    """The page could not be loaded at all (DNS, refused connection, TLS, timeout)."""


class BudgetExceededError(PageError):
    """The whole-page time budget ran out."""


class PackageError(CaptureError):
    """A run folder could not be packaged as a WACZ."""

    exit_code = ExitCode.OUTPUT


class NothingToPackageError(PackageError):
    """No capture in the run folder has a WARC (every capture failed before writing one)."""

    exit_code = ExitCode.FAILED


class KeyFileError(UsageError):
    """A key file is missing, unreadable or not an Ed25519 key."""


class TimestampError(CaptureError):
    """A time stamp authority could not be reached or did not grant a valid token."""

    exit_code = ExitCode.OUTPUT


class PrintError(CaptureError):
    """The browser could not print a page or a report to PDF."""

    exit_code = ExitCode.OUTPUT


class VideoError(CaptureError):
    """The screencast of a capture could not be encoded as a video."""

    exit_code = ExitCode.OUTPUT
