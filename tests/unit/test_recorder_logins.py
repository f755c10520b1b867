"""A login in flight: no exchange reaches the WARC before the login taught the redactor.

Bodies are read in no fixed order: a page answered after a login (its csrf field, its token)
can finish before the login's own body is read. The recorder holds such exchanges until the
login's exchange went first, whatever the timing; here the timing is forced with fakes.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, cast

from capture.browser.recorder import Recorder
from capture.exchanges import Exchange
from capture.sessions.redaction import SESSION_BYTES, Redactor
from tests.unit.test_recorder_viewer import FakeFrame, FakeRequest, FakeResponse

USER, PASSWORD = "member-4c1b", "pw-8e2f-members-only"
CSRF, TOKEN = "b1bcb5b90a5a2d04c6bf", "b93a42eed59537877c805d1919e84581"
SITE = "http://127.0.0.1:8000"


@dataclass(eq=False)
class SlowResponse(FakeResponse):
    """A response whose body is read only once `ready` is set (a slow login body)."""

    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def body(self) -> bytes:
        await self.ready.wait()
        return await super().body()


def login_request() -> tuple[FakeRequest, SlowResponse]:
    """Return the login POST (the credentials in its body) and its slow response, which sets
    a csrf cookie and hands out a token."""
    url = f"{SITE}/members/api/login"
    headers = [
        {"name": "Content-Type", "value": "application/json"},
        {"name": "Set-Cookie", "value": f"csrf={CSRF}; Path=/"},
    ]
    answer = SlowResponse(url, json.dumps({"ok": True, "access_token": TOKEN}).encode(), headers)
    body = json.dumps({"username": USER, "password": PASSWORD}).encode()
    request = FakeRequest(url, "fetch", FakeFrame(url), answer, "POST", post_data_buffer=body)
    return request, answer


def page_after_login() -> FakeRequest:
    """Return a page the site answered after the login: its HTML quotes the csrf and token."""
    url = f"{SITE}/members/account"
    html = f'<form><input name="csrf" value="{CSRF}"></form><meta content="{TOKEN}">'
    answer = FakeResponse(url, html.encode(), [{"name": "Content-Type", "value": "text/html"}])
    return FakeRequest(url, "document", FakeFrame(url), answer)


class Recorded:
    """A recorder whose sink redacts as the pipeline's does, and what reached the sink."""

    def __init__(self, credentials: tuple[str, ...] = (USER, PASSWORD)) -> None:
        self.redactor = Redactor(credentials, session=True)
        self.stored: list[Exchange] = []
        self.recorder = Recorder(self._sink, credentials=credentials)

    def _sink(self, exchange: Exchange) -> None:
        self.stored.append(self.redactor.exchange(exchange))

    def starts(self, request: FakeRequest) -> None:
        self.recorder._on_request(cast(Any, request))

    async def ends(self, request: FakeRequest) -> None:
        self.recorder._on_finished(cast(Any, request))
        for _ in range(10):  # the recorder ends each exchange in a task of its own
            await asyncio.sleep(0)

    def urls(self) -> list[str]:
        return [exchange.request.url for exchange in self.stored]

    def bytes(self) -> bytes:
        return b"\n".join(
            exchange.response.body + repr(exchange.response.headers).encode()
            for exchange in self.stored
        )


async def test_a_page_that_ends_before_the_login_waits_and_is_written_without_its_secrets() -> None:
    recorded = Recorded()
    login, answer = login_request()
    page = page_after_login()
    recorded.starts(login)
    recorded.starts(page)
    await recorded.ends(login)  # its body is not read yet
    await recorded.ends(page)  # read at once: it ends first

    assert recorded.stored == []  # held behind the login in flight

    answer.ready.set()
    for _ in range(10):
        await asyncio.sleep(0)

    assert recorded.urls() == [login.url, page.url]  # the login first: the redactor learned
    written = recorded.bytes()
    assert CSRF.encode() not in written and TOKEN.encode() not in written
    assert f'value="{SESSION_BYTES.decode()}"'.encode() in written  # the page is kept, cleaned
    assert recorded.recorder.exchanges == 2


async def test_without_a_login_in_flight_exchanges_are_written_as_they_end() -> None:
    recorded = Recorded()
    page = page_after_login()
    recorded.starts(page)
    await recorded.ends(page)

    assert recorded.urls() == [page.url]


async def test_a_login_that_never_ends_releases_what_it_held_when_the_capture_drains() -> None:
    recorded = Recorded()
    login, _ = login_request()
    page = page_after_login()
    recorded.starts(login)  # no answer ever comes
    recorded.starts(page)
    await recorded.ends(page)
    assert recorded.stored == []

    await recorded.recorder.drain(0.1, body_grace_s=0.0)

    assert recorded.urls() == [page.url]
    failed = [(f.url, f.error) for f in recorded.recorder.summary().failed]
    assert failed == [(login.url, "no response when the capture ended")]
