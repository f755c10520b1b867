"""`capture worker` and `capture run --broker`: argv -> the distributed library calls.

The broker URL may carry a password (`redis://:PASSWORD@host:6379/0`); to keep it out of the
process list, leave it out of the URL and set CAPTURE_BROKER_PASSWORD. It is never printed,
logged or written: everything shown passes through `redact_url`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from capture.cli.parser import positive
from capture.distributed.redact import redact_text, redact_url, with_password
from capture.errors import ExitCode, UsageError
from capture.extras import require_extra

if TYPE_CHECKING:
    from capture.distributed.broker import TaskQueue
    from capture.run.lifecycle import RunResult

PASSWORD_ENV = "CAPTURE_BROKER_PASSWORD"
BROKER_SCHEMES = ("redis", "rediss")
PING_TIMEOUT_S = 5.0

WORKER_DESCRIPTION = """Capture the tasks of `capture run --broker` from a Redis queue.

Run one on each machine with access to the shared archive root (--output). Each of its
--processes keeps one browser for many captures (a fresh context per capture), restarted after
--restart-after captures or when it crashes. A task is acknowledged only once its capture folder
is complete. The captures of a worker that dies (even by kill -9) are sent again by `capture run
--broker` once their lease lapses (--lease-timeout, then up to 10 s more), or else delivered
again by the broker after --visibility-timeout seconds; a finished folder is never captured
twice, and a capture whose worker lives (and renews its lease) is never started twice.

The broker password may be given in CAPTURE_BROKER_PASSWORD instead of the URL."""


def add_broker_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--broker URL` to `capture run` (the lead's parser.py calls this)."""
    parser.add_argument(
        "--broker",
        metavar="URL",
        help="run through a Redis queue and `capture worker` processes "
        f"(redis://[:PASSWORD@]HOST:PORT/DB; or the password in {PASSWORD_ENV})",
    )


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags of `capture worker`."""
    parser.add_argument("--broker", metavar="URL", required=True, help="redis://HOST:PORT/DB")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("archives"),
        help="the shared archive root as this machine mounts it (default: archives)",
    )
    parser.add_argument(
        "--processes",
        type=positive,
        default=1,
        help="capture processes, one browser each (default: 1; about one per core)",
    )
    parser.add_argument("--browser", metavar="PATH", help="the Chromium executable")
    parser.add_argument(
        "--restart-after",
        type=positive,
        default=200,
        help="relaunch a process's browser after this many captures (default: 200)",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=positive,
        default=600,
        help="seconds before the broker delivers a dead worker's tasks again, when no "
        "`capture run --broker` sent them again sooner (default: 600)",
    )
    parser.add_argument(
        "--lease-timeout",
        type=positive,
        default=30,
        help="seconds a dead worker's capture stays locked against others; its task is sent "
        "again soon after (default: 30)",
    )
    parser.add_argument("--name", help="the worker's name (default: capture@HOST)")


def broker_url(given: str) -> str:
    """Return the broker URL with CAPTURE_BROKER_PASSWORD put in; raise UsageError if not Redis."""
    if urlsplit(given).scheme not in BROKER_SCHEMES:
        raise UsageError(
            f"{redact_url(given)} is not a Redis URL. "
            "Give --broker redis://HOST:PORT/DB (rediss:// for TLS)."
        )
    return with_password(given, os.environ.get(PASSWORD_ENV))


def check_broker(url: str) -> None:
    """Return when the broker answers; raise UsageError naming it (without its password)."""
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=PING_TIMEOUT_S, socket_connect_timeout=PING_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = redact_text(str(exc), url)
        raise UsageError(
            f"Could not reach the broker at {redact_url(url)} ({reason}). Start Redis there, "
            f"check the password ({PASSWORD_ENV}) or fix --broker."
        ) from None
    finally:
        client.close()


def worker(args: argparse.Namespace) -> ExitCode:
    """Run `capture worker` until it is stopped (Ctrl-C or SIGTERM: a warm shutdown)."""
    require_extra("distributed", "capture worker")
    from capture.distributed.app import make_app
    from capture.distributed.worker import WorkerSettings

    url = broker_url(args.broker)
    check_broker(url)
    settings = WorkerSettings(
        output=args.output.resolve(),
        browser_path=args.browser,
        restart_after=args.restart_after,
        lease_s=float(args.lease_timeout),
    )
    app = make_app(url, worker=settings, visibility_timeout_s=float(args.visibility_timeout))
    name = args.name or f"capture-{os.getpid()}@{socket.gethostname()}"
    print(
        f"capture worker {name}: {args.processes} process(es), broker {redact_url(url)}, "
        f"archive root {settings.output}",
        file=sys.stderr,
        flush=True,
    )
    celery_worker = app.Worker(
        hostname=name,
        concurrency=args.processes,
        pool_cls="prefork",
        loglevel="INFO" if args.verbose else "WARNING",
        without_gossip=True,
        without_mingle=True,
        quiet=True,
    )
    celery_worker.start()
    return ExitCode.OK if not celery_worker.exitcode else ExitCode.INTERNAL


async def broker_queue(given: str) -> tuple[TaskQueue, str]:
    """Return the queue of `capture run --broker URL` and its URL (the password put in), once
    the broker answers; raise UsageError naming it (without its password) when it does not."""
    from capture.distributed.app import make_app
    from capture.distributed.broker import CeleryQueue

    url = broker_url(given)
    await asyncio.to_thread(check_broker, url)
    return CeleryQueue(make_app(url)), url


def show_unsealed(result: RunResult) -> None:
    """Print the captures a run through the broker could not seal, to stderr."""
    if not result.unsealed:
        return
    print(f"{len(result.unsealed)} capture(s) not sealed (run.json lists them):", file=sys.stderr)
    for message in result.unsealed:
        print(f"  {message}", file=sys.stderr)
