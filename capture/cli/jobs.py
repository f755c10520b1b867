"""Turning `capture run` flags into overrides of the job file's values."""

from __future__ import annotations

import argparse

from capture.config.job import Job, load_job
from capture.errors import ConfigError

TOP_FLAGS = ("output", "concurrency", "browser", "retries", "sign_key")
"""Flags that replace a top-level key of the job file when given."""
DEFAULT_FLAGS = (
    "timeout",
    "proxy",
    "dismiss",
    "consent",
    "block_private_networks",
    "keep_error_pages",
)
"""Flags that replace a key of the job's `defaults:` when given."""


def job_with_flags(args: argparse.Namespace) -> tuple[Job, list[str]]:
    """Return the job file's job with the flags given on the command line applied, and its URLs."""
    job, urls = load_job(args.job)
    top = {key: getattr(args, key) for key in TOP_FLAGS if getattr(args, key) is not None}
    defaults = {key: getattr(args, key) for key in DEFAULT_FLAGS if getattr(args, key) is not None}
    if args.qa:
        top["qa"] = True
    if args.sites:
        top["sites"] = list(args.sites)
    if args.tsa:
        top["tsa"] = list(args.tsa)
    if args.no_wacz or args.wacz:
        top["wacz"] = not args.no_wacz
    if args.viewport is not None:
        defaults["viewport"] = str(args.viewport)
    if args.ignore_https_errors:
        defaults["ignore_https_errors"] = True
    return _revalidated(job, top, defaults), urls


def _revalidated(job: Job, top: dict[str, object], defaults: dict[str, object]) -> Job:
    data = job.model_dump()
    data.update(top)
    data["defaults"] = {**data["defaults"], **defaults}
    try:
        return Job.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"A command-line flag is not valid for this job ({exc}).") from None
