"""capture.json: what happened, with which software, and the hash manifest of the folder."""

from __future__ import annotations

import getpass
import platform
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture._version import __version__
from capture.models import PageCapture
from capture.options import CaptureOptions
from capture.output.certificates import chain_summary
from capture.output.files import sha256_file

FORMAT = "capture/1"


@dataclass(frozen=True, slots=True)
class Machine:
    """Who and what captured: recorded in warcinfo and capture.json."""

    hostname: str
    operator: str
    os: str
    python: str

    @classmethod
    def current(cls) -> Machine:
        """Return the facts of this machine and user."""
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):  # No passwd entry in some containers.
            operator = "unknown"
        return cls(
            hostname=socket.gethostname(),
            operator=operator,
            os=platform.platform(),
            python=platform.python_version(),
        )

    def to_json(self) -> dict[str, str]:
        """Return the machine facts as JSON-ready data."""
        return {
            "hostname": self.hostname,
            "operator": self.operator,
            "os": self.os,
            "python": self.python,
        }


def software(page: PageCapture) -> dict[str, Any]:
    """Return the versions of everything that took part in the capture."""
    return {
        "capture": __version__,
        "playwright": page.browser.playwright_version,
        "browser": {
            "name": "chromium",
            "version": page.browser.version,
            "executable": page.browser.executable,
            "found_by": page.browser.source,
            "sha256": page.browser.sha256,
        },
        "python": sys.version.split()[0],
    }


def warcinfo(
    page_url: str, options: CaptureOptions, machine: Machine, browser: Any
) -> dict[str, Any]:
    """Return the fields of the warcinfo record."""
    return {
        "software": f"capture/{__version__} (Playwright {browser.playwright_version})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "browser": f"Chromium {browser.version}",
        "browser-sha256": browser.sha256,
        "http-header-user-agent": options.user_agent or browser.user_agent,
        "viewport": str(options.viewport),
        "operator": machine.operator,
        "hostname": machine.hostname,
        "os": machine.os,
        "isPartOf": page_url,
        "options": options.to_json(),
    }


def manifest(folder: Path, names: list[str]) -> list[dict[str, Any]]:
    """Return name, size and SHA-256 of each named file in folder that exists, sorted by name."""
    entries = []
    for name in sorted(names):
        path = folder / name
        if path.is_file():
            entries.append(
                {"name": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}
            )
    return entries


def record(
    page: PageCapture,
    *,
    options: CaptureOptions,
    machine: Machine,
    article: dict[str, Any] | None,
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return the capture.json document of one capture."""
    return {
        "format": FORMAT,
        "url": page.url,
        "final_url": page.final_url,
        "state": page.state.value,
        "partial_reasons": list(page.partial_reasons),
        "error": page.error,
        "reason": page.verdict.reason.value if page.verdict else None,
        "verdict": page.verdict.to_json() if page.verdict else None,
        "page_facts": page.seen.to_json() if page.seen else None,
        "redirect_chain": list(page.redirect_chain),
        "status": page.status,
        "content_type": page.content_type,
        "started_at": page.started_at.isoformat(),
        "ended_at": page.ended_at.isoformat(),
        "duration_s": round((page.ended_at - page.started_at).total_seconds(), 3),
        "software": software(page),
        "user_agent": options.user_agent or page.browser.user_agent,
        "viewport": str(page.viewport),
        "remote_ip": page.remote_ip,
        "tls": page.tls.to_json() if page.tls else None,
        "certificate_chain": chain_summary(page.certificate_chain)
        if page.certificate_chain
        else None,
        "options": options.to_json(),
        "machine": machine.to_json(),
        "steps": [step.to_json() for step in page.steps],
        "interventions": [entry.to_json() for entry in page.interventions],
        "gated": page.gated,
        "events": [
            {"kind": e.kind, "message": e.message, "action": e.action, "at": e.at.isoformat()}
            for e in page.events
        ],
        "traffic": _traffic(page),
        "screenshot": _screenshot(page),
        "article": article,
        "files": files,
    }


def _traffic(page: PageCapture) -> dict[str, Any]:
    """Return capture.json's `traffic`: how many exchanges and bytes, and the failed requests."""
    return {
        "exchanges": page.traffic.exchanges,
        "bytes": page.traffic.bytes,
        "failed_requests": [
            {"url": f.url, "method": f.method, "error": f.error, "type": f.resource_type}
            for f in page.traffic.failed
        ],
    }


def _screenshot(page: PageCapture) -> dict[str, Any] | None:
    """Return capture.json's `screenshot`: its size, tiles and whether it was cut (or None)."""
    shot = page.screenshot
    if shot is None:
        return None
    return {
        "width_px": shot.width_px,
        "height_px": shot.height_px,
        "page_height_px": shot.page_height_px,
        "tiles": shot.tiles,
        "truncated": shot.truncated,
    }
