"""Turning `capture run` flags into overrides of the job file's values."""

from __future__ import annotations

import argparse

from capture.cli.parser import given_options
from capture.config.job import Job, load_job
from capture.errors import ConfigError

TOP_FLAGS = ("output", "concurrency", "browser", "retries", "sign_key")
"""Flags that replace a top-level key of the job file when given."""


def job_with_flags(args: argparse.Namespace) -> tuple[Job, list[str]]:
    """Return the job file's job with the flags given on the command line applied, and its URLs."""
    job, urls = load_job(args.job)
    top = {key: getattr(args, key) for key in TOP_FLAGS if getattr(args, key) is not None}
    defaults = given_options(args)
    if args.qa:
        top["qa"] = True
    if args.sites:
        top["sites"] = list(args.sites)
    if args.tsa:
        top["tsa"] = list(args.tsa)
    if args.no_wacz or args.wacz:
        top["wacz"] = not args.no_wacz
    return _revalidated(job, top, defaults), urls


def _revalidated(job: Job, top: dict[str, object], defaults: dict[str, object]) -> Job:
    """Return job with the flags applied: to its defaults and to every per-URL override, so a
    flag given on the command line wins everywhere (an operator's --block-private-networks is
    never undone by an override in the file)."""
    data = job.model_dump()
    data.update(top)
    data["defaults"] = {**data["defaults"], **defaults}
    data["overrides"] = [{**override, **defaults} for override in data["overrides"]]
    try:
        return Job.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"A command-line flag is not valid for this job ({exc}).") from None
