"""The demo article, rendered with its scripts and overlays, extracts to its paragraphs exactly."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from capture.browser import launch as browser
from capture.browser.layout import collect_layout
from capture.demo import DEMO_ARTICLE_PATH, demo_site
from capture.errors import BrowserNotFoundError
from capture.extract import Article, extract_article

pytestmark = pytest.mark.browser

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo-article.txt"
OVERLAYS = ("#ijr-cookie-consent", ".mfp-wrap", "#ijr-regwall")
"""The cookie banner, the login popup and the registration wall the page adds by script."""


@pytest.fixture
async def demo_article() -> AsyncIterator[Article]:
    """Yield the article extracted from the demo page with all its overlays up."""
    from playwright.async_api import async_playwright

    with demo_site() as site:
        async with async_playwright() as playwright:
            try:
                choice = browser.choose_browser(playwright, os.environ.get("CAPTURE_BROWSER"))
            except BrowserNotFoundError as exc:
                if os.environ.get("CI"):
                    raise
                pytest.skip(f"no browser: {exc}")
            chromium = await browser.launch(playwright, choice)
            try:
                page = await chromium.new_page(viewport={"width": 1280, "height": 800})
                url = site.url(DEMO_ARTICLE_PATH)
                await page.goto(url, wait_until="load", timeout=20_000)
                for selector in OVERLAYS:
                    await page.wait_for_selector(selector, state="visible", timeout=10_000)
                layout, html = await collect_layout(page)
            finally:
                await chromium.close()
        yield extract_article(html, url, rendered=layout)


def _golden() -> str:
    if not GOLDEN.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{GOLDEN} is missing")
        pytest.skip(f"{GOLDEN} not written yet")
    return GOLDEN.read_text(encoding="utf-8")


async def test_demo_article_txt_is_exactly_the_article_paragraphs(demo_article: Article) -> None:
    assert demo_article.text + "\n" == _golden()


async def test_demo_article_keeps_no_overlay_text(demo_article: Article) -> None:
    for phrase in ("We use cookies", "continue reading", "Log in", "SHARES"):
        assert phrase not in demo_article.text


async def test_demo_article_metadata_comes_from_the_page(demo_article: Article) -> None:
    assert demo_article.is_article
    assert demo_article.title
    assert "Japan" in demo_article.title
    assert demo_article.date is not None
    assert demo_article.date.startswith("2020-01-19")
    assert demo_article.markdown.startswith(f"# {demo_article.title}\n\n")
