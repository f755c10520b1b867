"""Finding a browser: --browser, CAPTURE_BROWSER, Playwright's, the system's; wrappers; hints."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from capture.browser.launch import INSTALL_HINT, BrowserChoice, find_browser, launch_args
from capture.errors import BrowserNotFoundError, ExitCode

PLAYWRIGHT = "/root/.cache/ms-playwright/chromium-1200/chrome-linux/chrome"
DEBIAN_WRAPPER = "/usr/bin/chromium"
DEBIAN_BINARY = "/usr/lib/chromium/chromium"
PLAYWRIGHT_SHELL = (
    "/root/.cache/ms-playwright/chromium_headless_shell-1200/"
    "chrome-headless-shell-linux64/chrome-headless-shell"
)
DEBIAN_SHELL_WRAPPER = "/usr/bin/chromium-headless-shell"
DEBIAN_SHELL = "/usr/lib/chromium/chromium-headless-shell"


def machine(
    files: set[str], path: Mapping[str, str] | None = None
) -> tuple[Callable[[str], str | None], Callable[[str], bool]]:
    """Return (which, is_file) for a machine with these files and these names on PATH."""
    on_path = dict(path or {})
    return on_path.get, files.__contains__


def find(
    explicit: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    playwright: str | None = PLAYWRIGHT,
    files: set[str],
    path: Mapping[str, str] | None = None,
) -> BrowserChoice:
    """Return find_browser's answer on the described machine."""
    which, is_file = machine(files, path)
    return find_browser(
        explicit, env=env or {}, playwright_executable=playwright, which=which, is_file=is_file
    )


EVERYTHING = {"/opt/mine/chrome", "/opt/env/chrome", PLAYWRIGHT, DEBIAN_WRAPPER, DEBIAN_BINARY}
ON_PATH = {"chromium": DEBIAN_WRAPPER, "google-chrome": "/usr/bin/google-chrome"}


def test_browser_flag_comes_first() -> None:
    choice = find(
        "/opt/mine/chrome",
        env={"CAPTURE_BROWSER": "/opt/env/chrome"},
        files=EVERYTHING,
        path=ON_PATH,
    )
    assert choice == BrowserChoice("/opt/mine/chrome", "--browser")


def test_capture_browser_comes_before_playwright() -> None:
    choice = find(env={"CAPTURE_BROWSER": "/opt/env/chrome"}, files=EVERYTHING, path=ON_PATH)
    assert choice == BrowserChoice("/opt/env/chrome", "CAPTURE_BROWSER")


def test_playwright_comes_before_the_system() -> None:
    assert find(files=EVERYTHING, path=ON_PATH) == BrowserChoice(PLAYWRIGHT, "playwright")


def test_the_system_browser_is_last_and_the_debian_wrapper_is_skipped() -> None:
    choice = find(playwright=None, files=EVERYTHING, path=ON_PATH)
    assert choice == BrowserChoice(DEBIAN_BINARY, "system")


def test_playwrights_headless_shell_of_the_same_revision_is_preferred() -> None:
    choice = find(files={*EVERYTHING, PLAYWRIGHT_SHELL}, path=ON_PATH)
    assert choice == BrowserChoice(PLAYWRIGHT_SHELL, "playwright")


def test_a_headless_shell_of_another_revision_is_not_taken() -> None:
    other = PLAYWRIGHT_SHELL.replace("-1200/", "-1199/")
    assert find(files={*EVERYTHING, other}, path=ON_PATH) == BrowserChoice(PLAYWRIGHT, "playwright")


def test_the_systems_headless_shell_comes_before_its_chromium() -> None:
    files = {DEBIAN_WRAPPER, DEBIAN_BINARY, DEBIAN_SHELL_WRAPPER, DEBIAN_SHELL}
    path = {**ON_PATH, "chromium-headless-shell": DEBIAN_SHELL_WRAPPER}
    assert find(playwright=None, files=files, path=path) == BrowserChoice(DEBIAN_SHELL, "system")


def test_a_playwright_path_without_a_file_falls_through_to_the_system() -> None:
    choice = find(files={DEBIAN_WRAPPER}, path={"chromium": DEBIAN_WRAPPER})
    assert choice == BrowserChoice(DEBIAN_WRAPPER, "system")


def test_system_names_are_tried_in_order() -> None:
    path = {
        "google-chrome": "/usr/bin/google-chrome",
        "chromium-browser": "/usr/bin/chromium-browser",
    }
    choice = find(playwright=None, files=set(path.values()), path=path)
    assert choice == BrowserChoice("/usr/bin/chromium-browser", "system")


def test_a_name_on_path_is_accepted_and_the_wrapper_resolved() -> None:
    choice = find("chromium", files={DEBIAN_WRAPPER, DEBIAN_BINARY}, path=ON_PATH)
    assert choice == BrowserChoice(DEBIAN_BINARY, "--browser")


def test_an_empty_capture_browser_is_ignored() -> None:
    assert find(env={"CAPTURE_BROWSER": ""}, files=EVERYTHING).source == "playwright"


@pytest.mark.parametrize(
    ("explicit", "env", "source"),
    [
        ("/nowhere/chrome", {}, "--browser"),
        (None, {"CAPTURE_BROWSER": "/nowhere/chrome"}, "CAPTURE_BROWSER"),
    ],
)
def test_a_named_browser_that_is_missing_says_who_named_it_and_how_to_fix_it(
    explicit: str | None, env: dict[str, str], source: str
) -> None:
    with pytest.raises(BrowserNotFoundError) as caught:
        find(explicit, env=env, files=EVERYTHING, path=ON_PATH)

    message = str(caught.value)
    assert message.startswith(f"Could not use the browser named by {source} (/nowhere/chrome")
    assert message.endswith(INSTALL_HINT)


def test_no_browser_anywhere_names_what_was_tried_and_the_install_hint() -> None:
    with pytest.raises(BrowserNotFoundError) as caught:
        find(playwright=None, files=set(), path={})

    message = str(caught.value)
    assert (
        "chromium-headless-shell, chromium, chromium-browser, google-chrome, google-chrome-stable"
        in message
    )
    assert "python -m playwright install chromium" in message
    assert "apt-get install chromium-headless-shell chromium" in message
    assert "--browser PATH" in message
    assert caught.value.exit_code is ExitCode.BROWSER


def test_root_gets_no_sandbox_and_everyone_gets_the_closed_network_flags() -> None:
    assert "--no-sandbox" in launch_args(running_as_root=True)
    assert "--no-sandbox" not in launch_args(running_as_root=False)
    assert "--disable-background-networking" in launch_args(running_as_root=False)
