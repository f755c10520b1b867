"""Before navigation: browser-context options, request blocking, cookies and local storage."""

from __future__ import annotations

import json
import os
import weakref
from typing import TYPE_CHECKING, Any

from capture.overlays import pagejs

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Route

    from capture.config.site import Cookie, SiteConfig
    from capture.overlays.log import InterventionLog

_FAILURES: weakref.WeakKeyDictionary[BrowserContext, list[str]] = weakref.WeakKeyDictionary()
"""Failures of `prepare`, collected by `clear` to make the capture partial."""


def context_kwargs(site: SiteConfig) -> dict[str, Any]:
    """Return the new_context keyword arguments the site's `before` settings ask for."""
    kwargs: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for item in site.before:
        name, value = item.chosen
        if name == "user_agent":
            kwargs["user_agent"] = value
        elif name == "headers":
            headers.update(value)
        elif name == "storage_state":
            path = site.resolve(value)
            if path.is_file():  # a missing file is reported by prepare
                kwargs["storage_state"] = str(path)
    if headers:
        kwargs["extra_http_headers"] = headers
    return kwargs


async def apply_before(context: BrowserContext, site: SiteConfig, log: InterventionLog) -> None:
    """Apply the site's `before` settings to a fresh context, recording each."""
    failures = _FAILURES.setdefault(context, [])
    for index, item in enumerate(site.before):
        name, value = item.chosen
        rule = site.rule("before", index, name)
        if name == "block":
            await _block(context, value, rule, log)
        elif name == "cookies":
            failures.extend(await _cookies(context, value, rule, log))
        elif name == "local_storage":
            script = f"({pagejs.LOCAL_STORAGE_JS})({json.dumps(value)});"
            await context.add_init_script(script=script)
            log.add(name, rule, ok=True, detail=f"keys {', '.join(sorted(value))}")
        elif name == "headers":
            log.add(name, rule, ok=True, detail=f"sent {', '.join(sorted(value))}")
        elif name == "user_agent":
            log.add(name, rule, ok=True, detail=value)
        elif name == "storage_state":
            path = site.resolve(value)
            if path.is_file():
                log.add(name, rule, ok=True, detail=f"session loaded from {path}")
            else:
                reason = f"no such file {path}. Save a session there (or fix the path)"
                log.add(name, rule, ok=False, detail=reason)
                failures.append(f"{rule}: {reason}")


def failures_of(context: BrowserContext) -> list[str]:
    """Return (and forget) the failures prepare recorded for context."""
    return _FAILURES.pop(context, [])


async def _block(
    context: BrowserContext, patterns: list[str], rule: str, log: InterventionLog
) -> None:
    async def abort(route: Route) -> None:
        log.add("block", rule, ok=True, detail=f"{route.request.method} {route.request.url}")
        await route.abort("blockedbyclient")

    for pattern in patterns:
        await context.route(pattern, abort)
    log.add("block", rule, ok=True, detail="watching " + ", ".join(patterns))


async def _cookies(
    context: BrowserContext, cookies: list[Cookie], rule: str, log: InterventionLog
) -> list[str]:
    values: list[dict[str, Any]] = []
    failures: list[str] = []
    for cookie in cookies:
        value = cookie.value if cookie.value_env is None else os.environ.get(cookie.value_env)
        if value is None:
            reason = f"cookie {cookie.name} not set: ${cookie.value_env} is empty. Export it"
            log.add("cookies", rule, ok=False, detail=reason)
            failures.append(f"{rule}: {reason}")
            continue
        values.append(
            {
                "name": cookie.name,
                "value": value,
                "domain": cookie.domain,
                "path": cookie.path,
                "secure": cookie.secure,
                "httpOnly": cookie.http_only,
            }
        )
    if values:
        await context.add_cookies(values)  # type: ignore[arg-type]
        names = ", ".join(f"{c['name']} on {c['domain']}" for c in values)
        log.add("cookies", rule, ok=True, detail=names)
    return failures
