"""A throwaway redis-server on 127.0.0.1 for the tests that need real Redis.

Without redis-server these tests skip on a developer's machine, and fail when `CI` is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server(folder: Path, password: str | None = None) -> Iterator[int]:
    """Yield the port of a fresh redis-server (asking for password, if given); stop it after."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing (apt-get install redis-server)")
        pytest.skip("redis-server is missing (apt-get install redis-server)")
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(folder)]
    if password is not None:
        command += ["--requirepass", password]
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, password, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, password: str | None, process: subprocess.Popen[bytes]) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, "redis-server exited at start"
        with contextlib.suppress(redis.RedisError):
            client.ping()
            client.close()
            return
        time.sleep(0.05)
    pytest.fail("redis-server did not answer within 10 s")
