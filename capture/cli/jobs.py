"""Turning `capture run` flags into overrides of the job file's values."""

from __future__ import annotations

import argparse

from capture.config.job import Job, load_job
from capture.errors import ConfigError


def job_with_flags(args: argparse.Namespace) -> tuple[Job, list[str]]:
    """Return the job file's job with the flags given on the command line applied, and its URLs."""
    job, urls = load_job(args.job)
    top: dict[str, object] = {}
    defaults: dict[str, object] = {}
    if args.output is not None:
        top["output"] = args.output
    if args.concurrency is not None:
        top["concurrency"] = args.concurrency
    if args.browser is not None:
        top["browser"] = args.browser
    if args.retries is not None:
        top["retries"] = args.retries
    if args.sign_key is not None:
        top["sign_key"] = args.sign_key
    if args.tsa:
        top["tsa"] = list(args.tsa)
    if args.no_wacz:
        top["wacz"] = False
    elif args.wacz:
        top["wacz"] = True
    if args.viewport is not None:
        defaults["viewport"] = str(args.viewport)
    for flag, key in (
        ("timeout", "timeout"),
        ("proxy", "proxy"),
        ("dismiss", "dismiss"),
        ("consent", "consent"),
    ):
        if getattr(args, flag) is not None:
            defaults[key] = getattr(args, flag)
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
