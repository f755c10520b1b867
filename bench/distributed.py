"""Queue benchmark: pages per minute locally and through Redis with 1 and 2 worker processes.

The fixture site is the latency-bound one of bench/concurrency.py (every request answered after
100 to 300 ms). The same job runs four ways on this machine, each on fresh pages:

- local, 1 capture at a time (`capture run`, concurrency 1) and 2 at a time (concurrency 2);
- through Redis with one `capture worker --processes 1`, then `--processes 2`.

Each figure includes its browser launches (a local run launches one browser, each worker
process one), as a user meets them. The overhead per page is the queued run's time minus the
local run's at the same parallelism, divided by the pages.

Usage: python bench/distributed.py [--pages N] [--browser PATH] [--json PATH]
Needs redis-server on PATH (started here on a free port on 127.0.0.1). Exits 0: a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from concurrency import fixture_site

from capture.config.job import Job

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _job(
    name: str, urls: Sequence[str], output: Path, concurrency: int, browser: str | None
) -> Job:
    return Job.model_validate(
        {
            "version": 1,
            "name": name,
            "urls": list(urls),
            "output": str(output),
            "concurrency": concurrency,
            "browser": browser,
            "wacz": False,
        }
    )


def _worker(
    broker: str, output: Path, processes: int, browser: str | None
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "capture.cli", "worker"]
    command += ["--broker", broker, "--output", str(output), "--processes", str(processes)]
    if browser:
        command += ["--browser", browser]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on a free port of 127.0.0.1; return it and its URL once it answers."""
    import redis

    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is missing (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            return process, url
        except redis.RedisError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not answer within 10 s")


async def _timed_local(
    urls: Sequence[str], output: Path, concurrency: int, browser: str | None
) -> float:
    """Return the seconds a local `capture run` of urls takes at this concurrency."""
    from capture.api import run_job

    job = _job(f"local-{concurrency}", urls, output, concurrency, browser)
    started = time.monotonic()
    await run_job(job, urls)
    return time.monotonic() - started


async def _timed_queue(
    urls: Sequence[str], output: Path, processes: int, broker: str, browser: str | None
) -> float:
    """Return the seconds a queued run of urls takes with one worker of `processes` processes.

    The worker starts first and its launch is counted, as a user meets it.
    """
    from capture.distributed.app import make_app
    from capture.distributed.broker import CeleryQueue
    from capture.distributed.submit import submit_job

    job = _job(f"queue-{processes}", urls, output, processes, browser)
    started = time.monotonic()
    worker = _worker(broker, output, processes, browser)
    try:
        await submit_job(job, urls, queue=CeleryQueue(make_app(broker)), broker_url=broker)
        return time.monotonic() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


async def measure(args: argparse.Namespace, broker: str) -> dict[str, float]:
    """Return the seconds each way took for args.pages pages."""
    times: dict[str, float] = {}
    with fixture_site(4 * args.pages) as site, tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp)
        batches = iter(range(4))

        def urls() -> list[str]:
            batch = next(batches)
            return [site.url(f"/p/{batch * args.pages + n}") for n in range(args.pages)]

        times["local 1"] = await _timed_local(urls(), output, 1, args.browser)
        times["queue 1 process"] = await _timed_queue(urls(), output, 1, broker, args.browser)
        times["local 2"] = await _timed_local(urls(), output, 2, args.browser)
        times["queue 2 processes"] = await _timed_queue(urls(), output, 2, broker, args.browser)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print pages per minute and the queue's overhead per page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--browser")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    redis, broker = start_redis()
    try:
        times = asyncio.run(measure(args, broker))
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    figures = {way: args.pages / seconds * 60 for way, seconds in times.items()}
    for way, per_minute in figures.items():
        print(f"{way:<18} {per_minute:6.1f} pages/min  ({times[way]:.1f} s for {args.pages})")
    overhead = {
        "1": (times["queue 1 process"] - times["local 1"]) / args.pages,
        "2": (times["queue 2 processes"] - times["local 2"]) / args.pages,
    }
    for level, seconds in overhead.items():
        print(f"queue overhead at {level} at once: {seconds * 1000:+.0f} ms per page")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "pages": args.pages,
                    "seconds": times,
                    "pages_per_minute": figures,
                    "overhead_s_per_page": overhead,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
