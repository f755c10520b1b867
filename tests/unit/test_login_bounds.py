"""A run's one login, `capture login --check`, a late print context and a worker's sessions:
each kept within bounds (private networks, time, memory)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from capture.browser import printing
from capture.browser import session as login
from capture.browser.session import log_in_once
from capture.distributed.sessioncache import SessionStores
from capture.errors import PrintError
from capture.login.signin import check_session
from capture.options import CaptureOptions
from capture.sessions.logins import SessionStore
from capture.steps import SYSTEM_CLOCK, MonotonicClock, utc_now
from tests.browser.session_site import members_config
from tests.fakes import FakeClock

GUARDED = CaptureOptions(block_private_networks=True)


@dataclass
class FakeContext:
    """A browser context that only says whether it was closed."""

    closed: bool = False

    async def close(self) -> None:
        self.closed = True


@dataclass
class FakeBrowser:
    """A browser whose new contexts take `delay_s` to come (on `clock`, real unless a test
    gives a fake); it lists the contexts it made."""

    delay_s: float = 0.0
    made: list[FakeContext] = field(default_factory=list)
    clock: MonotonicClock = SYSTEM_CLOCK

    async def new_context(self, **_: Any) -> FakeContext:
        await self.clock.sleep(self.delay_s)
        context = FakeContext()
        self.made.append(context)
        return context


async def test_a_login_on_a_private_address_is_refused_before_any_context() -> None:
    browser = FakeBrowser()
    session = await log_in_once(
        members_config(),
        "http://127.0.0.1:9/members/article?n=1",
        browser,  # type: ignore[arg-type]
        {},
        GUARDED,
        utc_now,
    )
    assert session.state is None and session.failure is not None
    assert "login refused: http://127.0.0.1:9/members/login: 127.0.0.1 is a loopback" in (
        session.failure
    )
    assert browser.made == []


async def test_a_runs_store_logs_in_once_and_remembers_a_refused_login() -> None:
    store, browser, tries = SessionStore(), FakeBrowser(), []

    def guarded_login() -> Any:
        tries.append(1)
        return log_in_once(
            members_config(),
            "http://10.1.2.3/members/article",
            browser,  # type: ignore[arg-type]
            {},
            GUARDED,
            utc_now,
            policy=lambda address: "private" if address.startswith("10.") else None,
        )

    first = await store.obtain(members_config(), guarded_login)
    again = await store.obtain(members_config(), guarded_login)
    assert first.failure is not None and "10.1.2.3 is a private address" in first.failure
    assert again is first and len(tries) == 1 and browser.made == []


async def test_checking_a_session_on_a_private_address_loads_nothing() -> None:
    browser = FakeBrowser()
    check = await check_session(
        browser,  # type: ignore[arg-type]
        members_config(),
        "http://127.0.0.1:9/members/article",
        {"cookies": [], "origins": []},
        GUARDED,
    )
    assert not check.works and "loopback" in check.reason and browser.made == []


async def test_a_login_that_hangs_is_given_up() -> None:
    clock = FakeClock()
    browser = FakeBrowser(delay_s=3600, clock=clock)  # a context that comes after an hour
    began = clock.now()
    session = await log_in_once(
        members_config(),
        "http://127.0.0.1:9/members/article",
        browser,  # type: ignore[arg-type]
        {},
        CaptureOptions(),
        utc_now,
        monotonic=clock,
    )
    assert session.failure is not None and "login not done" in session.failure
    assert clock.now() - began == pytest.approx(login.LOGIN_BUDGET_S + 10)  # its bound


async def test_a_print_context_that_comes_after_the_timeout_is_closed() -> None:
    clock = FakeClock()
    browser = FakeBrowser(delay_s=60, clock=clock)
    with pytest.raises(PrintError):
        await printing.print_html(browser, "<p>x</p>", timeout_s=30, clock=clock)  # type: ignore[arg-type]
    assert browser.made == []  # given up at 30 s, before the context came
    await clock.sleep(30)  # the browser makes it anyway
    for _ in range(10):  # its close runs in a task of its own
        await asyncio.sleep(0)
    (context,) = browser.made
    assert context.closed


def test_a_worker_keeps_a_few_submissions_sessions_for_a_while() -> None:
    now = [0.0]
    stores = SessionStores(limit=2, idle_s=60, monotonic=lambda: now[0])
    first = stores.get("a")
    assert stores.get("a") is first  # one store per submission while it runs
    stores.get("b")
    stores.get("c")  # a third submission: the least recently used goes
    assert "a" not in stores and len(stores) == 2
    now[0] = 61.0
    stores.get("d")  # b and c sat idle for longer than idle_s
    assert len(stores) == 1 and "d" in stores
    stores.drop("d")  # its submission was cancelled
    assert len(stores) == 0
