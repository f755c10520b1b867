"""Finding a Chromium and launching it with the flags a closed network needs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from capture.errors import BrowserLaunchError, BrowserNotFoundError

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

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
