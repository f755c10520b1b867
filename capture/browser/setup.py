"""`python -m capture.browser.setup`: make sure a Chromium is there, getting one if needed.

Order: a browser already found (CAPTURE_BROWSER, Playwright's own, the system's); else
Playwright's own download; else the system package manager (apt-get, as root or with sudo),
which is the only way on a closed network that reaches just the package registries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from capture.browser.launch import find_browser, is_root
from capture.errors import BrowserNotFoundError

DOWNLOAD_TIMEOUT_S = 600


def _playwright_executable() -> str | None:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            return playwright.chromium.executable_path
    except Exception:  # No driver or no browser: treated as "not installed".
        return None


def _found() -> str | None:
    try:
        choice = find_browser(None, env=os.environ, playwright_executable=_playwright_executable())
    except BrowserNotFoundError:
        return None
    return f"{choice.executable} ({choice.source})"


def _run(command: list[str]) -> bool:
    print("+ " + " ".join(command), flush=True)
    try:
        return subprocess.run(command, check=False, timeout=DOWNLOAD_TIMEOUT_S).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  failed: {exc}", flush=True)
        return False


def _apt_install() -> bool:
    if not shutil.which("apt-get"):
        return False
    prefix = [] if is_root() else (["sudo"] if shutil.which("sudo") else None)
    if prefix is None:
        return False
    env_prefix = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive"]
    return _run([*prefix, "apt-get", "update", "-qq"]) and _run(
        [*env_prefix, "apt-get", "install", "-y", "-qq", "chromium-headless-shell", "chromium"]
    )


def main() -> int:
    """Return 0 once a browser is found, installing one if needed; 3 when none could be had."""
    found = _found()
    if found:
        print(f"browser: {found}")
        return 0
    print("no browser found; trying Playwright's download", flush=True)
    if _run([sys.executable, "-m", "playwright", "install", "chromium"]) and _found():
        print(f"browser: {_found()}")
        return 0
    print("Playwright's download failed; trying the system package manager", flush=True)
    if _apt_install() and _found():
        print(f"browser: {_found()}")
        return 0
    print(
        "capture: error: Could not get a browser (no download, no package manager). "
        "Install Chromium yourself and set CAPTURE_BROWSER to its path.",
        file=sys.stderr,
    )
    return 3


if __name__ == "__main__":
    sys.exit(main())
