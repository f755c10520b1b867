"""Finding a Chromium and launching it with the flags a closed network needs."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from capture.browser import printing
from capture.errors import BrowserLaunchError, BrowserNotFoundError
from capture.output.files import sha256_file

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright

SYSTEM_BROWSERS = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
"""Names looked up on PATH, in order, when neither the user nor Playwright names a browser.

The headless shell comes first: it is the browser Playwright itself runs headless, the same
Blink without the desktop browser around it, and it costs about a third of the CPU per page
(bench/concurrency.py). Only the PDF viewer is missing: a PDF is then recorded as a download."""

HEADLESS_SHELLS = (
    # Where `playwright install chromium` puts its headless shell, beside its full Chromium:
    # <ms-playwright>/chromium_headless_shell-<revision>/<one of these>.
    "chrome-headless-shell-linux64/chrome-headless-shell",
    "chrome-headless-shell-linux-arm64/chrome-headless-shell",
    "chrome-headless-shell-mac-arm64/chrome-headless-shell",
    "chrome-headless-shell-mac-x64/chrome-headless-shell",
    "chrome-headless-shell-win64/chrome-headless-shell.exe",
    "chrome-linux/headless_shell",
)

REAL_BINARIES = {
    # Debian and Ubuntu install a shell wrapper on PATH; the binary beside it starts cleanly.
    "chromium-headless-shell": ("/usr/lib/chromium/chromium-headless-shell",),
    "chromium": ("/usr/lib/chromium/chromium",),
    "chromium-browser": (
        "/usr/lib/chromium-browser/chromium-browser",
        "/usr/lib/chromium/chromium",
    ),
}

CLOSED_NETWORK_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only",
    "--no-default-browser-check",
)

INSTALL_HINT = (
    "Install one (python -m playwright install chromium, or "
    "apt-get install chromium-headless-shell chromium), "
    "or pass --browser PATH / set CAPTURE_BROWSER."
)


@dataclass(frozen=True, slots=True)
class BrowserChoice:
    """A browser executable and how it was found."""

    executable: str
    source: str


def find_browser(
    explicit: str | None,
    *,
    env: Mapping[str, str],
    playwright_executable: str | None,
    which: Callable[[str], str | None] = shutil.which,
    is_file: Callable[[str], bool] = os.path.isfile,
) -> BrowserChoice:
    """Return the browser to use: --browser, CAPTURE_BROWSER, Playwright's own, then the system's.

    Raises BrowserNotFoundError naming what was tried and how to get a browser.
    """
    for source, path in (("--browser", explicit), ("CAPTURE_BROWSER", env.get("CAPTURE_BROWSER"))):
        if path:
            resolved = which(path) if not is_file(path) else path
            if not resolved:
                raise BrowserNotFoundError(
                    f"Could not use the browser named by {source} ({path}: no such file). "
                    f"Give the path of a Chromium executable. {INSTALL_HINT}"
                )
            return BrowserChoice(_real_binary(resolved, is_file), source)
    if playwright_executable and is_file(playwright_executable):
        shell = _headless_shell_beside(playwright_executable, is_file)
        return BrowserChoice(shell or playwright_executable, "playwright")
    for name in SYSTEM_BROWSERS:
        found = which(name)
        if found:
            return BrowserChoice(_real_binary(found, is_file), "system")
    tried = ", ".join(SYSTEM_BROWSERS)
    raise BrowserNotFoundError(
        f"Could not find a browser (no Playwright Chromium installed, none of {tried} on PATH). "
        f"{INSTALL_HINT}"
    )


def _headless_shell_beside(executable: str, is_file: Callable[[str], bool]) -> str | None:
    """Return Playwright's headless shell of the same revision as its Chromium, if installed."""
    browser_dir = Path(executable).parent.parent  # <ms-playwright>/chromium-<revision>
    name, _, revision = browser_dir.name.partition("-")
    if name != "chromium" or not revision:
        return None
    shell_dir = browser_dir.parent / f"chromium_headless_shell-{revision}"
    return next(
        (str(shell_dir / rel) for rel in HEADLESS_SHELLS if is_file(str(shell_dir / rel))), None
    )


def _real_binary(path: str, is_file: Callable[[str], bool]) -> str:
    """Return the binary behind a known distribution wrapper script, else the path itself."""
    for candidate in REAL_BINARIES.get(Path(path).name, ()):
        if is_file(candidate):
            return candidate
    return path


def launch_args(*, running_as_root: bool) -> list[str]:
    """Return Chromium's command-line flags for an archival capture on a closed network."""
    args = list(CLOSED_NETWORK_FLAGS)
    if running_as_root:
        # Chromium refuses to start its sandbox as root.
        args.append("--no-sandbox")
    return args


def is_root() -> bool:
    """Return True when this process runs as root (POSIX); False elsewhere."""
    geteuid = getattr(os, "geteuid", None)
    return bool(geteuid is not None and geteuid() == 0)


async def launch(
    playwright: Playwright, choice: BrowserChoice, *, headless: bool = True
) -> Browser:
    """Return a running Chromium (headless unless asked: `capture login --interactive` shows
    a window), or raise BrowserLaunchError with the reason."""
    from playwright.async_api import Error as PlaywrightError

    try:
        return await playwright.chromium.launch(
            executable_path=choice.executable,
            args=launch_args(running_as_root=is_root()),
            headless=headless,
            # Ctrl-C in a terminal reaches the whole process group: the run, not Playwright,
            # decides when the browser closes, so captures in flight can finish.
            handle_sigint=False,
            handle_sigterm=False,
            handle_sighup=False,
        )
    except PlaywrightError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BrowserLaunchError(
            f"Could not launch Chromium at {choice.executable} ({reason}). "
            f"Check that it runs (`{choice.executable} --version`). {INSTALL_HINT}"
        ) from exc


def choose_browser(playwright: Playwright, explicit: str | None) -> BrowserChoice:
    """Return the browser for this process: find_browser with the real environment."""
    try:
        bundled: str | None = playwright.chromium.executable_path
    except Exception:  # Playwright raises when its own browser was never downloaded.
        bundled = None
    return find_browser(explicit, env=os.environ, playwright_executable=bundled)


@dataclass(frozen=True, slots=True)
class Launched:
    """A running Chromium, with what was made and found out while it started."""

    choice: BrowserChoice
    browser: Browser
    sha256: str
    """The executable's SHA-256 (for the provenance record), taken while it started."""
    print_page: Page
    """A scriptless, offline page for the first print, where the browser's facts are read."""


async def launch_chosen(playwright: Playwright, browser_path: str | None) -> Launched:
    """Return the browser for browser_path launched, its binary hashed and its first print
    page open; raise BrowserNotFoundError or BrowserLaunchError (nothing is left running)."""
    choice = choose_browser(playwright, browser_path)
    hashing = asyncio.ensure_future(asyncio.to_thread(sha256_file, Path(choice.executable)))
    try:
        browser = await launch(playwright, choice)
    except BaseException:
        await asyncio.gather(hashing, return_exceptions=True)  # its outcome is taken
        raise
    try:
        page = await printing.open_print_page(browser)
        return Launched(choice, browser, await hashing, page)
    except BaseException:
        await asyncio.gather(hashing, return_exceptions=True)
        await browser.close()
        raise


@dataclass(slots=True)
class _Ahead:
    """What `driver_ahead` started: the driver, and the browser `launch_ahead` launched on it."""

    driver: asyncio.Future[Playwright]
    browser: asyncio.Future[Launched] | None = None
    browser_path: str | None = None


_AHEAD: ContextVar[_Ahead | None] = ContextVar("capture_ahead", default=None)


@asynccontextmanager
async def driver_ahead() -> AsyncIterator[None]:
    """Start Playwright's driver now, for every `playwright_driver()` inside the block to use.

    The driver is a Node process that takes about half a second to start: started ahead, it
    starts while the caller loads what a capture needs (modules, site configs) rather than
    after. When the block ends, a browser `launch_ahead` launched that nobody took is closed
    and the driver stopped (a driver that failed to start is left to `playwright_driver`,
    which raises its error).
    """
    from playwright.async_api import async_playwright

    ahead = _Ahead(asyncio.ensure_future(async_playwright().start()))
    token = _AHEAD.set(ahead)
    try:
        yield
    finally:
        _AHEAD.reset(token)
        if ahead.browser is not None:  # launched ahead and never taken
            await asyncio.wait({ahead.browser})
            if not ahead.browser.cancelled() and ahead.browser.exception() is None:
                await ahead.browser.result().browser.close()
        await asyncio.wait({ahead.driver})
        if not ahead.driver.cancelled() and ahead.driver.exception() is None:
            await ahead.driver.result().stop()


def launch_ahead(browser_path: str | None) -> None:
    """Start launching the browser for browser_path on the driver started ahead, for the next
    `launched_ahead(browser_path)` to take; outside `driver_ahead`, do nothing.

    Call it once the input is checked: a capture that cannot start launches no browser.
    """
    ahead = _AHEAD.get()
    if ahead is None or ahead.browser is not None:
        return

    async def launching() -> Launched:
        return await launch_chosen(await asyncio.shield(ahead.driver), browser_path)

    ahead.browser, ahead.browser_path = asyncio.ensure_future(launching()), browser_path


async def launched_ahead(browser_path: str | None) -> Launched | None:
    """Return the browser `launch_ahead` launched for browser_path (once: the caller closes
    it), or None when there is none, or it is gone; raise what stopped its launch."""
    ahead = _AHEAD.get()
    if ahead is None or ahead.browser is None or ahead.browser_path != browser_path:
        return None
    launching, ahead.browser = ahead.browser, None
    launched = await launching
    return launched if launched.browser.is_connected() else None


@asynccontextmanager
async def playwright_driver() -> AsyncIterator[Playwright]:
    """Yield the driver an enclosing `driver_ahead` started, else one of its own (stopped when
    the block ends)."""
    ahead = _AHEAD.get()
    if ahead is not None:
        yield await asyncio.shield(ahead.driver)  # its owner stops it, even when this is cancelled
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        yield playwright
