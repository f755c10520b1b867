"""The scores of `capture qa`: identical pixels and text similarity (pure, no browser)."""

from __future__ import annotations

import io

from PIL import Image

from capture.qa.check import first_shot_at_s, replay_options
from capture.qa.similarity import pixel_score, text_similarity


def png(width: int, height: int, colour: tuple[int, int, int] = (255, 255, 255)) -> bytes:
    """Return a PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def with_dot(data: bytes, x: int, y: int, colour: tuple[int, int, int]) -> bytes:
    """Return the PNG with one pixel changed."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.putpixel((x, y), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_identical_images_score_one() -> None:
    score = pixel_score(png(10, 10), png(10, 10))

    assert score.identical_share == 1.0
    assert score.identical_px == 100


def test_a_pixel_off_by_one_in_one_channel_counts_as_different() -> None:
    score = pixel_score(png(10, 10), with_dot(png(10, 10), 3, 4, (255, 254, 255)))

    assert score.identical_px == 99
    assert score.identical_share == 0.99


def test_a_size_mismatch_counts_the_missing_area_as_different() -> None:
    score = pixel_score(png(10, 20), png(10, 10))

    assert score.compared_px == 100
    assert score.identical_share == 0.5
    assert score.to_json()["size_matches"] is False


def test_text_similarity_ignores_case_spacing_and_punctuation() -> None:
    assert text_similarity("Hello,  World!\n\nSecond para.", "hello world second para") == 1.0
    assert text_similarity("", "") == 1.0
    assert text_similarity("one two three four", "one two") == 2 * 2 / 6


def test_replay_keeps_the_capture_window_and_waits_but_changes_nothing() -> None:
    document = {
        "options": {
            "viewport": "1440x900",
            "settle_s": 1.5,
            "timers_s": 0.0,
            "scroll": False,
            "dismiss": True,
        },
        "user_agent": "FakeChrome/1",
    }
    options = replay_options(document)

    assert (options.viewport.width, options.viewport.height) == (1440, 900)
    assert (options.settle_s, options.timers_s) == (1.5, 0.0)
    assert (options.scroll, options.dismiss) == (False, False)
    assert options.user_agent == "FakeChrome/1"
    assert options.proxy is None and not options.block_private_networks


def test_replay_shoots_when_the_capture_shot_what_it_is_compared_with() -> None:
    steps = [
        {"name": "navigate", "duration_s": 0.25},
        {"name": "settle", "duration_s": 0.75},
        {"name": "screenshot-as-served", "duration_s": 0.2},
        {"name": "overlays", "duration_s": 1.0},
        {"name": "screenshot", "duration_s": 0.2},
    ]
    assert first_shot_at_s({"steps": steps}, served=True) == 1.0
    assert first_shot_at_s({"steps": steps}, served=False) == 2.2
    assert first_shot_at_s({"steps": []}, served=False) is None
