"""The verification report: a flat list of checks, each naming the file it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    """One thing verified: about which file, what was checked, whether it holds, and the facts."""

    subject: str
    """The file the check is about, relative to the verified path (`job.wacz/archive/x.warc.gz`
    for a WACZ member)."""
    what: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        """Return the check as JSON-ready data."""
        return {"subject": self.subject, "what": self.what, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Every check made of a capture folder, a run folder or a WACZ."""

    path: Path
    kind: str
    """`capture folder`, `run folder` or `WACZ`."""
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Return True when there was something to check and every check holds."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """Return the checks that do not hold."""
        return tuple(check for check in self.checks if not check.ok)

    def to_text(self) -> str:
        """Return the report as plain lines: checks grouped by capture folder or WACZ, a verdict."""
        lines = [f"Verifying {self.kind} {self.path}"]
        group: str | None = None
        for check in self.checks:
            where, name = _split(check.subject)
            if where != group:
                group = where
                lines += ["", f"{where or '.'}:"]
            mark = "ok  " if check.ok else "FAIL"
            lines.append(f"  {mark}  {name}  {check.what}: {check.detail}")
        lines.append("")
        if self.ok:
            lines.append(f"VERIFIED: all {len(self.checks)} checks hold.")
        else:
            failed = sorted({check.subject for check in self.failures})
            lines.append(
                f"NOT VERIFIED: {len(self.failures)} of {len(self.checks)} checks fail, "
                f"about {', '.join(failed) or 'nothing found to check'}."
            )
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "path": str(self.path),
            "kind": self.kind,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
        }


def _split(subject: str) -> tuple[str, str]:
    """Return (the capture folder or WACZ a subject is in, the rest)."""
    parts = subject.split("/")
    if len(parts) > 2 and parts[0] == "captures":
        return "/".join(parts[:2]), "/".join(parts[2:])
    if parts[0].endswith(".wacz"):
        return parts[0], "/".join(parts[1:]) or "(the ZIP file)"
    return "", subject
