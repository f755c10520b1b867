"""Pure: a capture request as a task's JSON payload, and back.

A payload names the capture folder relative to the archive root, so the submitting machine and
each worker may mount the shared storage at different paths (`capture worker --output`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from capture.config.site import SiteConfig
from capture.distributed.redact import redact_url
from capture.errors import UsageError
from capture.evidence.seal import Sealing
from capture.models import CaptureRequest
from capture.options import CaptureOptions
from capture.run.runner import RunPolicy

PAYLOAD_FORMAT = "capture-task/3"
"""/2: tasks name who seals the capture and whether to replay it (`sealing`, `qa`). /3: the
options are every field of `CaptureOptions` (`block_private_networks`, `pdf`, `video`,
`keep_error_pages` among them), which a /2 worker would silently drop: it refuses the task."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task as a worker reads it: the request (folder under the worker's root) and how."""

    request: CaptureRequest
    policy: RunPolicy
    submission: str
    """The id of the `capture run --broker` that sent the task (stopping it cancels its tasks)."""
    key: str
    """The capture folder relative to the archive root: the capture's name across machines."""
    sealing: Sealing = field(default_factory=Sealing)
    """Who seals the capture: the submitting machine, after the task (`sealed_elsewhere`)."""
    qa: bool = False
    """Whether the worker replays the finished capture from its WARC and writes qa.json."""


def task_payload(
    request: CaptureRequest,
    root: Path,
    policy: RunPolicy,
    submission: str,
    *,
    sealing: Sealing | None = None,
    qa: bool = False,
) -> dict[str, Any]:
    """Return the JSON-ready payload of request, whose folder lies under the archive root.

    Of sealing only the signer's fingerprint and the TSAs travel, never the key.
    """
    try:
        relative = request.folder.relative_to(root)
    except ValueError:
        raise UsageError(
            f"{request.folder} is not under the archive root {root}. "
            "Plan the run with its folder under the job's output."
        ) from None
    return {
        "format": PAYLOAD_FORMAT,
        "url": request.url,
        "folder": relative.as_posix(),
        "options": request.options.to_json(),
        "site": site_to_json(request.site),
        "retries": policy.retries,
        "retry_backoff_s": policy.retry_backoff_s,
        "host_delay_s": policy.host_delay_s,
        "submission": submission,
        "sealing": _shown(sealing or Sealing()),
        "qa": qa,
    }


def read_payload(data: Any, root: Path) -> TaskSpec:
    """Return the task in a payload, its folder under root; raise UsageError when malformed."""
    if not isinstance(data, dict) or data.get("format") != PAYLOAD_FORMAT:
        raise UsageError(
            f"A task is not a {PAYLOAD_FORMAT} payload. Run the same capture version on the "
            "workers as on the submitting machine."
        )
    try:
        key = _safe_relative(str(data["folder"]))
        request = CaptureRequest(
            url=str(data["url"]),
            folder=root / key,
            options=options_from_json(data["options"]),
            site=site_from_json(data.get("site")),
        )
        policy = RunPolicy(
            concurrency=1,
            retries=int(data["retries"]),
            retry_backoff_s=float(data["retry_backoff_s"]),
            host_delay_s=float(data["host_delay_s"]),
        )
        sealing = Sealing.from_json(data.get("sealing"))
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"A task payload is malformed ({exc}). This is a bug.") from None
    return TaskSpec(
        request, policy, str(data["submission"]), key, sealing, qa=bool(data.get("qa", False))
    )


def _shown(sealing: Sealing) -> dict[str, object]:
    """Return what a worker is told of sealing: the signer's fingerprint, the TSAs (each
    without its password: the worker only names them)."""
    return {**sealing.to_json(), "tsa": [redact_url(url) for url in sealing.tsa_urls]}


def _safe_relative(text: str) -> str:
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"folder {text!r} is not a relative path inside the archive root")
    return path.as_posix()


def options_from_json(data: dict[str, Any]) -> CaptureOptions:
    """Return the CaptureOptions that `CaptureOptions.to_json` wrote as data (every field)."""
    return CaptureOptions.from_json(data)


def site_to_json(site: Any) -> dict[str, Any] | None:
    """Return a site config as data (with the file it came from), None for no site."""
    if site is None:
        return None
    return {"source": site.source, "config": site.model_dump(mode="json", exclude_unset=True)}


def site_from_json(data: dict[str, Any] | None) -> Any:
    """Return the site config that `site_to_json` wrote, validated again, or None."""
    if data is None:
        return None
    site = SiteConfig.model_validate(data["config"])
    site._source = str(data.get("source") or "")
    return site
