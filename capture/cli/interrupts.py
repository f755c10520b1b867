"""Running an async command: the first Ctrl-C (or SIGTERM) stops new work, the second stops it."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from capture.errors import ExitCode

if TYPE_CHECKING:
    import asyncio

GRACE_S = 20.0
"""After the first Ctrl-C, how long captures in flight may take to finish before they are cut."""

AsyncCommand = Callable[[argparse.Namespace, "asyncio.Event"], Coroutine[Any, Any, ExitCode]]
"""A command that runs in an event loop and stops starting new work once the event is set."""


def run_async(command: AsyncCommand, args: argparse.Namespace) -> ExitCode:
    """Run an async command; the first Ctrl-C/SIGTERM stops new work, the second stops at once."""
    import asyncio  # Not at the top: it is a fifth of `capture --help`'s start-up.
    import signal

    async def supervised() -> ExitCode:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        presses = 0

        def on_signal() -> None:
            nonlocal presses
            presses += 1
            if presses == 1 and task is not None:
                stop.set()
                print(
                    "capture: stopping; captures in flight finish (again to stop now)",
                    file=sys.stderr,
                    flush=True,
                )
                loop.call_later(GRACE_S, task.cancel)
            elif task is not None:
                task.cancel()

        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # Windows or not the main thread: Ctrl-C still raises KeyboardInterrupt.
        try:
            return await command(args, stop)
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    try:
        return asyncio.run(supervised())
    except asyncio.CancelledError:
        print(
            "capture: stopped; finished captures are kept, unfinished ones removed "
            "(--resume captures them).",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED


def in_event_loop(command: AsyncCommand) -> Callable[[argparse.Namespace], ExitCode]:
    """Return a handler that runs an async command, stopping it on Ctrl-C or SIGTERM."""
    return functools.partial(run_async, command)
