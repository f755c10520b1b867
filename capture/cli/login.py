"""`capture login`: make a session file once (scripted, by hand, or from cookies), or check one."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capture.cli.parser import add_option_flags, options_from_args
from capture.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from capture.config.site import SiteConfig

DESCRIPTION = """Make a session file (a Playwright storage state) for a site config, once:

  capture login --site S.yaml --url URL              log in by the config's `login`
  capture login --site S.yaml --url URL --interactive   log in by hand (two-factor codes,
                          captchas): a browser window when there is a display, else a page on
                          http://127.0.0.1:PORT/ that shows the browser and passes clicks and
                          keys through (reach it over an SSH tunnel: ssh -L PORT:127.0.0.1:PORT)
  capture login --site S.yaml --cookies cookies.txt  from a browser's exported cookies
  capture login --site S.yaml --url URL --check      does the saved session still work?

The file goes where the site config's `before: - storage_state:` says (or --session), written
for its owner only (0600) and never inside an archive. Captures of the site load it from there.
--check and --interactive need the config's `logged_in:` (or `logged_out:`) selector.
--block-private-networks guards the login and the check as it guards a capture: a page or
resource on a loopback, private or link-local address is refused (not with --interactive, where
the person's browser goes wherever they click)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `capture login`'s arguments to parser."""
    parser.add_argument("--site", type=Path, required=True, help="the site config (YAML)")
    parser.add_argument(
        "--session",
        type=Path,
        metavar="FILE",
        help="the session file (default: the site config's `storage_state`)",
    )
    parser.add_argument("--url", help="a page of the site to log in from, or to check")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--interactive", action="store_true", help="log in by hand")
    how.add_argument("--cookies", type=Path, metavar="TXT", help="a Netscape cookies.txt file")
    how.add_argument("--check", action="store_true", help="check the saved session")
    parser.add_argument("--port", type=int, default=0, help="--interactive without a display")
    parser.add_argument("--browser", metavar="PATH", help="the Chromium executable")
    add_option_flags(parser, ("block_private_networks",))


def session_path(args: argparse.Namespace, site: SiteConfig) -> Path:
    """Return where the session file goes: --session, else the site config's storage_state."""
    from capture.sessions.logins import session_files

    if args.session is not None:
        return Path(args.session)
    files = session_files(site)
    if not files:
        raise UsageError(
            f"No session file named for {args.site}. Give --session FILE, or add "
            "`before: [{storage_state: FILE}]` to the site config so captures load it"
        )
    return files[0]


async def run_login(args: argparse.Namespace, stop: asyncio.Event) -> ExitCode:
    """Make or check the session file; return OK, or NOT_VERIFIED when --check finds it gone."""
    from capture.config.site import load_site
    from capture.sessions.statefile import parse_cookies_txt, read_session, write_session

    site = load_site(args.site)
    path = session_path(args, site)
    if args.cookies is not None:
        state = parse_cookies_txt(args.cookies.read_text(encoding="utf-8", errors="replace"))
        write_session(path, state)
        print(f"session file: {path} ({len(state['cookies'])} cookie(s), owner-only)")
        return ExitCode.OK
    if not args.url:
        raise UsageError("Give --url: a page of the site to log in from, or to check.")
    if args.interactive and args.block_private_networks:
        raise UsageError(
            "--block-private-networks cannot guard --interactive: the person's browser goes "
            "wherever they click. Log in by the config's `login`, or give --cookies"
        )
    if args.check:
        return await _check(args, site, read_session(path))
    state = await _log_in(args, site, stop)
    write_session(path, state)
    print(f"session file: {path} (owner-only; captures of {site.name} now start logged in)")
    return ExitCode.OK


async def _log_in(
    args: argparse.Namespace, site: SiteConfig, stop: asyncio.Event
) -> dict[str, Any]:
    from capture.browser.renderer import open_renderer
    from capture.login.signin import scripted_session

    if args.interactive:
        from capture.login.interactive import launch_and_log_in

        visible = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        return await launch_and_log_in(
            site,
            args.url,
            browser_path=args.browser,
            visible=visible,
            port=args.port,
            stop=stop,
            say=lambda line: print(line, flush=True),
        )
    async with open_renderer(args.browser) as renderer:
        return await scripted_session(
            renderer.browser, site, args.url, options=options_from_args(args)
        )


async def _check(args: argparse.Namespace, site: SiteConfig, state: dict[str, Any]) -> ExitCode:
    from capture.browser.renderer import open_renderer
    from capture.login.signin import check_session

    async with open_renderer(args.browser) as renderer:
        result = await check_session(
            renderer.browser, site, args.url, state, options=options_from_args(args)
        )
    if result.works:
        print(f"session works: {args.url} is logged in")
        return ExitCode.OK
    print(f"session gone: {result.reason}")
    return ExitCode.NOT_VERIFIED
