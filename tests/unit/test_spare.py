"""The spare context and page made ahead for the next capture (capture.browser.spare).

The browser is a fake here; tests/browser/test_spare.py captures with the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from capture.browser.spare import SparePage


@dataclass(eq=False)
class FakePage:
    closed: bool = False
    handlers: dict[str, Callable[[FakePage], None]] = field(default_factory=dict)

    def is_closed(self) -> bool:
        return self.closed

    def on(self, event: str, handler: Callable[[FakePage], None]) -> None:
        self.handlers[event] = handler

    def crash(self) -> None:
        self.handlers["crash"](self)


@dataclass(eq=False)
class FakeContext:
    options: dict[str, Any]
    page: FakePage = field(default_factory=FakePage)
    closed: bool = False

    async def new_page(self) -> FakePage:
        await asyncio.sleep(0)
        return self.page

    async def close(self) -> None:
        self.closed = True


@dataclass
class FakeBrowser:
    made: list[FakeContext] = field(default_factory=list)
    connected: bool = True
    fail: bool = False

    async def new_context(self, **options: Any) -> FakeContext:
        await asyncio.sleep(0)
        if self.fail:
            raise RuntimeError("Target page, context or browser has been closed")
        self.made.append(FakeContext(options))
        return self.made[-1]

    def is_connected(self) -> bool:
        return self.connected


OPTIONS = {"viewport": {"width": 1280, "height": 800}, "service_workers": "block"}


def spare_of(browser: FakeBrowser) -> SparePage:
    return SparePage(cast(Any, browser))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_without_a_spare_a_context_and_page_are_made_on_the_spot() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)

    context, page = await spare.take(OPTIONS)

    assert cast(Any, context).options == OPTIONS and page is cast(Any, context).page
    assert spare.taken == 0


async def test_a_spare_made_with_the_same_options_is_taken_unused() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(dict(OPTIONS))
    await settle()

    context, _ = await spare.take({"service_workers": "block", "viewport": OPTIONS["viewport"]})

    assert browser.made == [context]  # the spare: nothing else was made
    assert spare.taken == 1
    assert not cast(Any, context).closed


async def test_a_spare_is_taken_once() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)
    first, _ = await spare.take(OPTIONS)

    second, _ = await spare.take(OPTIONS)

    assert first is not second
    assert spare.taken == 1


async def test_a_spare_being_made_is_waited_for_not_made_twice() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)
    spare.make(OPTIONS)  # one at a time

    context, _ = await spare.take(OPTIONS)

    assert browser.made == [context]


async def test_a_spare_made_with_other_options_is_closed_not_taken() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)
    await settle()
    other = {**OPTIONS, "user_agent": "a site's own"}

    context, _ = await spare.take(other)
    await settle()

    assert cast(Any, context).options == other
    assert spare.taken == 0
    made_ahead = browser.made[0]
    assert made_ahead is not context and made_ahead.closed


async def test_a_spare_whose_page_closed_meanwhile_is_not_taken() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)
    await settle()
    browser.made[0].page.closed = True  # its renderer crashed while it waited

    context, page = await spare.take(OPTIONS)

    assert not page.is_closed()
    assert browser.made[0].closed and context is browser.made[1]


async def test_a_spare_that_could_not_be_made_leaves_a_fresh_one_made_on_the_spot() -> None:
    browser = FakeBrowser(fail=True)
    spare = spare_of(browser)
    spare.make(OPTIONS)
    await settle()
    browser.fail = False

    context, _ = await spare.take(OPTIONS)

    assert browser.made == [context]
    assert spare.taken == 0


async def test_no_spare_is_made_for_a_browser_that_is_gone() -> None:
    browser = FakeBrowser(connected=False)
    spare = spare_of(browser)
    spare.make(OPTIONS)
    await settle()

    assert browser.made == []


async def test_a_page_that_cannot_be_opened_closes_its_context() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)

    async def broken() -> FakePage:
        raise RuntimeError("renderer crashed")

    original = browser.new_context

    async def new_context(**options: Any) -> FakeContext:
        context = await original(**options)
        context.new_page = broken  # type: ignore[method-assign]
        return context

    browser.new_context = new_context  # type: ignore[method-assign]

    with pytest.raises(RuntimeError):
        await spare.take(OPTIONS)
    assert browser.made[0].closed


async def test_made_waits_for_the_spare_being_made() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    await spare.made()  # none being made: returns at once
    spare.make(OPTIONS)

    await spare.made()

    assert len(browser.made) == 1 and browser.made[0].page is not None
    context, _ = await spare.take(OPTIONS)
    assert context is browser.made[0] and spare.taken == 1


async def test_a_spare_whose_renderer_crashed_is_not_taken() -> None:
    # A crashed page is not closed: Playwright only says so by an event.
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)
    await spare.made()
    browser.made[0].page.crash()

    context, _ = await spare.take(OPTIONS)

    assert browser.made[0].closed and context is browser.made[1]
    assert spare.taken == 0


async def test_no_spare_is_made_with_a_saved_session_that_could_change_meanwhile() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make({**OPTIONS, "storage_state": "sessions/example.json"})
    await settle()

    assert browser.made == []


async def test_closing_closes_the_spare_being_made() -> None:
    browser = FakeBrowser()
    spare = spare_of(browser)
    spare.make(OPTIONS)

    await spare.close()

    assert [context.closed for context in browser.made] == [True]
    context, _ = await spare.take(OPTIONS)  # nothing left to take
    assert context is browser.made[1] and spare.taken == 0
