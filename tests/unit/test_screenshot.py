"""The screenshot's CDP call around the browser: a shot tried again, a frame apart, while
Chromium has no frame to shoot (the real thing: tests/browser/test_screenshot_still.py)."""

from __future__ import annotations

import base64
from typing import Any, cast

import pytest
from playwright.async_api import Error as PlaywrightError

from capture.browser.screenshot import SHOT_ATTEMPTS, _shoot, first_screen_later, with_first_screen
from capture.models import Screenshot
from capture.output import images
from tests.fakes import png

NO_FRAME = "Protocol error (Page.captureScreenshot): Unable to capture screenshot"


class FakeSession:
    """A CDP session whose first `failures` shots fail as Chromium's do before its first frame."""

    def __init__(self, failures: int, error: str = NO_FRAME) -> None:
        self.failures = failures
        self.error = error
        self.sent: list[str] = []

    async def send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(method)
        if method == "Runtime.evaluate":
            return {"result": {"value": 0}}
        if self.failures:
            self.failures -= 1
            raise PlaywrightError(self.error)
        assert params["optimizeForSpeed"] is True
        assert params["clip"] == {"x": 0, "y": 100, "width": 640, "height": 50, "scale": 1}
        return {"data": base64.b64encode(b"png bytes").decode()}


async def test_a_shot_without_a_frame_waits_for_one_and_tries_again() -> None:
    session = FakeSession(failures=2)

    png = await _shoot(cast(Any, session), 640, 100, 50)

    assert png == b"png bytes"
    assert session.sent == ["Page.captureScreenshot", "Runtime.evaluate"] * 2 + [
        "Page.captureScreenshot"
    ]


async def test_a_shot_that_never_gets_a_frame_fails_after_its_attempts() -> None:
    session = FakeSession(failures=SHOT_ATTEMPTS)

    with pytest.raises(PlaywrightError, match="Unable to capture"):
        await _shoot(cast(Any, session), 640, 100, 50)
    assert session.sent.count("Page.captureScreenshot") == SHOT_ATTEMPTS


async def test_any_other_failure_is_not_tried_again() -> None:
    session = FakeSession(failures=1, error="Target closed")

    with pytest.raises(PlaywrightError, match="Target closed"):
        await _shoot(cast(Any, session), 640, 100, 50)
    assert session.sent == ["Page.captureScreenshot"]


def shot_of(png: bytes) -> Screenshot:
    return Screenshot(png=png, width_px=320, height_px=2000, page_height_px=2000)


async def test_the_first_screen_is_made_from_the_shot_in_the_background() -> None:
    shot = shot_of(png(320, 2000))
    making = first_screen_later(shot, 800, view=True, thumbnail_too=True)

    made = await with_first_screen(shot, making)

    assert made.first_screen == images.first_screen_files(shot.png, 800)


async def test_a_shot_whose_first_screen_cannot_be_made_is_handed_over_as_it_was() -> None:
    shot = shot_of(b"not a png")  # the folder writer tries again, and says what is wrong
    making = first_screen_later(shot, 800, view=True, thumbnail_too=True)

    assert await with_first_screen(shot, making) == shot
    assert making.exception() is not None


async def test_a_cancelled_first_screen_leaves_the_shot_as_it_was() -> None:
    shot = shot_of(png(320, 2000))
    making = first_screen_later(shot, 800, view=True, thumbnail_too=True)
    making.cancel()

    assert await with_first_screen(shot, making) == shot
