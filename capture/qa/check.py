"""`capture qa`: replay a capture's WARC in Chromium, offline, and score it against the capture.

The replay renders the page with the same steps as the capture (viewport, settle, scroll,
screenshot) but answers every request from the WARC (`capture.qa.replay`), and changes nothing on
the page. It is compared with the capture's page *as served*: `screenshot-as-served.png` when
the capture cleared banners or walls (the final screenshot shows the page after those changes,
which a replay does not repeat), else `screenshot.png`. The scores:

- the share of identical pixels (over the larger of the two images: a size mismatch counts);
- the similarity of the article text extracted from the replayed DOM to `article.txt`;
- the requests the WARC could not answer, and those that failed in the replay.

capture.json is written once and may be sealed, so the result goes beside it: `qa.json`
(binding itself to the capture by capture.json's SHA-256) and `qa-screenshot.png`. They are
not in capture.json's manifest; `capture verify` lists them as made after the capture.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from capture import paths
from capture._version import __version__
from capture.browser.recycle import RecyclingRenderer
from capture.browser.renderer import ChromiumRenderer
from capture.errors import UsageError
from capture.extract import extract_article
from capture.models import CaptureRequest, CaptureResult, CaptureState, PageCapture
from capture.options import CaptureOptions, parse_viewport
from capture.output.files import sha256_file, write_bytes, write_json
from capture.qa.replay import NOWHERE_PROXY, WarcIndex, WarcReplay
from capture.qa.similarity import PixelScore, pixel_score, text_similarity
from capture.run.pipeline import Renderer
from capture.run.runner import AfterEach
from capture.steps import utc_now

log = logging.getLogger(__name__)

QA_JSON = paths.QA_JSON
QA_SCREENSHOT = paths.QA_SCREENSHOT
QA_FILES = paths.QA_FILES
"""Files `capture qa` adds to a capture folder after capture.json (outside its manifest)."""

FORMAT = "capture-qa/1"
TARGET_IDENTICAL_SHARE = 0.99
"""A replay at or above this share of identical pixels passes."""


@dataclass(frozen=True, slots=True)
class QaResult:
    """How one capture replays: the scores, what failed, and the replayed screenshot."""

    folder: Path
    url: str
    started_at: datetime
    ended_at: datetime
    capture_json_sha256: str
    compared_with: str | None = None
    pixels: PixelScore | None = None
    text_similarity: float | None = None
    text_compared_with: str | None = None
    served_from_warc: int = 0
    not_in_warc: tuple[str, ...] = ()
    failed_in_replay: tuple[dict[str, str], ...] = ()
    error: str | None = None
    """Why the page could not be replayed or scored, when it could not."""
    browser: dict[str, str] = field(default_factory=dict)
    replay_png: bytes | None = None

    @property
    def passed(self) -> bool:
        """Return True when the replay scored at least TARGET_IDENTICAL_SHARE identical pixels."""
        return (
            self.error is None
            and self.pixels is not None
            and self.pixels.identical_share >= TARGET_IDENTICAL_SHARE
        )

    def to_json(self) -> dict[str, Any]:
        """Return qa.json's document."""
        return {
            "format": FORMAT,
            "url": self.url,
            "capture_json_sha256": self.capture_json_sha256,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "method": "WARC served to Chromium over DevTools Fetch interception, no network",
            "software": {"capture": __version__, "browser": self.browser},
            "passed": self.passed,
            "target_identical_share": TARGET_IDENTICAL_SHARE,
            "error": self.error,
            "pixels": None
            if self.pixels is None
            else {"compared_with": self.compared_with, **self.pixels.to_json()},
            "text": None
            if self.text_similarity is None
            else {
                "compared_with": self.text_compared_with,
                "similarity": round(self.text_similarity, 6),
            },
            "resources": {
                "served_from_warc": self.served_from_warc,
                "not_in_warc": list(self.not_in_warc),
                "failed_in_replay": list(self.failed_in_replay),
            },
            "replay_screenshot": QA_SCREENSHOT if self.replay_png else None,
        }

    def summary(self) -> str:
        """Return one line for people: the scores or the error."""
        if self.error:
            return f"{self.url}: not scored ({self.error})"
        share = f"{self.pixels.identical_share:.2%}" if self.pixels else "no screenshot"
        text = f"{self.text_similarity:.2%}" if self.text_similarity is not None else "n/a"
        failed = len(self.not_in_warc) + len(self.failed_in_replay)
        verdict = "ok" if self.passed else "BELOW TARGET"
        return (
            f"{self.url}: {share} identical pixels, text {text}, "
            f"{failed} resource(s) failed in replay [{verdict}]"
        )


def capture_folders(path: Path) -> list[Path]:
    """Return the capture folders at path: itself, or each `captures/*/` of a run folder.

    Raises UsageError when path is neither.
    """
    if (path / paths.CAPTURE_JSON).is_file():
        return [path]
    captures = path / "captures"
    if captures.is_dir():
        return sorted(p for p in captures.iterdir() if (p / paths.CAPTURE_JSON).is_file())
    raise UsageError(
        f"Could not replay {path} (it holds neither capture.json nor captures/). "
        "Pass a capture folder or a run folder."
    )


def replay_options(document: dict[str, Any]) -> CaptureOptions:
    """Return the options of a replay: the capture's window, waits and limits, no dismissing."""
    recorded = document.get("options") or {}
    defaults = CaptureOptions()
    return CaptureOptions(
        viewport=parse_viewport(str(recorded.get("viewport") or defaults.viewport)),
        timeout_s=float(recorded.get("timeout_s") or defaults.timeout_s),
        settle_s=float(recorded.get("settle_s") or defaults.settle_s),
        timers_s=float(recorded.get("timers_s", defaults.timers_s)),
        scroll=bool(recorded.get("scroll", defaults.scroll)),
        max_screenshot_height_px=int(
            recorded.get("max_screenshot_height_px") or defaults.max_screenshot_height_px
        ),
        user_agent=document.get("user_agent") or None,
        dismiss=False,
    )


def first_shot_at_s(document: dict[str, Any], *, served: bool) -> float | None:
    """Return when, after navigation started, the capture took the screenshot a replay is
    compared with (the steps' durations before it), or None when the steps do not say."""
    wanted = paths.SERVED_SCREENSHOT.removesuffix(".png") if served else "screenshot"
    elapsed = 0.0
    for step in document.get("steps") or []:
        if step.get("name") == wanted:
            return elapsed
        elapsed += float(step.get("duration_s") or 0.0)
    return None


async def replay_capture(
    folder: Path, renderer: ChromiumRenderer, *, clock: Callable[[], datetime] = utc_now
) -> QaResult:
    """Return how the capture in folder replays from its own WARC in renderer's browser."""
    started = clock()
    document = json.loads((folder / paths.CAPTURE_JSON).read_text(encoding="utf-8"))
    url = str(document.get("final_url") or document.get("url"))
    base = QaResult(
        folder=folder,
        url=url,
        started_at=started,
        ended_at=started,
        capture_json_sha256="sha256:" + sha256_file(folder / paths.CAPTURE_JSON),
        browser={"version": renderer.info.version, "sha256": renderer.info.sha256},
    )
    warc = folder / paths.WARC
    if document.get("state") == "failed" or not warc.is_file():
        reason = "the capture failed" if document.get("state") == "failed" else "no page.warc.gz"
        return replace(base, ended_at=clock(), error=f"nothing to replay: {reason}")
    index = await asyncio.to_thread(WarcIndex, warc)
    replay = WarcReplay(index)
    replayer = renderer.replaying(
        replay.install,
        {"proxy": NOWHERE_PROXY},
        first_shot_at_s=first_shot_at_s(
            document, served=(folder / paths.SERVED_SCREENSHOT).is_file()
        ),
    )
    request = CaptureRequest(url, folder=folder, options=replay_options(document))
    page = await replayer.render(request, lambda _: None)
    return _scored(folder, page, replay, replace(base, ended_at=clock()))


def _scored(folder: Path, page: PageCapture, replay: WarcReplay, result: QaResult) -> QaResult:
    unanswered = tuple(dict.fromkeys(item.url for item in replay.unanswered))
    failed = tuple(
        {"url": item.url, "error": item.error, "type": item.resource_type}
        for item in page.traffic.failed
        if item.url not in unanswered
    )
    reference_name = (
        paths.SERVED_SCREENSHOT
        if (folder / paths.SERVED_SCREENSHOT).is_file()
        else paths.SCREENSHOT
    )
    pixels = None
    if page.screenshot is not None and (folder / reference_name).is_file():
        pixels = pixel_score((folder / reference_name).read_bytes(), page.screenshot.png)
    text, text_source = _texts(folder, page)
    return replace(
        result,
        compared_with=reference_name if pixels else None,
        pixels=pixels,
        text_similarity=text,
        text_compared_with=text_source,
        served_from_warc=replay.served,
        not_in_warc=unanswered,
        failed_in_replay=failed,
        error=page.error or (None if pixels else "the replay or the capture has no screenshot"),
        replay_png=page.screenshot.png if page.screenshot else None,
    )


def _texts(folder: Path, page: PageCapture) -> tuple[float | None, str | None]:
    """Return the similarity of the replayed article text to the capture's, and its source."""
    html = page.layout_html or page.dom_html
    if html is None:
        return None, None
    url = page.final_url or page.url
    replayed = extract_article(html, url, rendered=page.layout).text
    if (folder / paths.ARTICLE_TXT).is_file():
        reference = (folder / paths.ARTICLE_TXT).read_text(encoding="utf-8")
        return text_similarity(reference, replayed), paths.ARTICLE_TXT
    if (folder / paths.DOM).is_file():
        captured = extract_article((folder / paths.DOM).read_text(encoding="utf-8"), url).text
        return text_similarity(captured, replayed), paths.DOM
    return None, None


def write_qa(result: QaResult) -> Path:
    """Write qa-screenshot.png (when there is one) and qa.json into the capture folder."""
    if result.replay_png is not None:
        write_bytes(result.folder / QA_SCREENSHOT, result.replay_png)
    return write_json(result.folder / QA_JSON, result.to_json())


async def qa_capture(
    folder: Path, renderer: ChromiumRenderer, *, clock: Callable[[], datetime] = utc_now
) -> QaResult:
    """Replay and score the capture in folder, write qa.json beside it, and return the result.

    The call a job makes after each capture with `--qa`.
    """
    result = await replay_capture(folder, renderer, clock=clock)
    await asyncio.to_thread(write_qa, result)
    return result


def read_qa(folder: Path) -> dict[str, Any] | None:
    """Return a capture folder's qa.json (for the run report), or None when it has none."""
    path = folder / QA_JSON
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def replay_check(renderer: Renderer) -> AfterEach:
    """Return the `--qa` step of a run (local, or on a worker): replay each finished capture from
    its WARC on renderer's browser and write qa.json. A failed check is logged, never raised: it
    must not lose the capture it checks."""

    async def check(result: CaptureResult) -> None:
        if result.state is CaptureState.FAILED:
            return
        chromium = await renderer.ready() if isinstance(renderer, RecyclingRenderer) else renderer
        if not isinstance(chromium, ChromiumRenderer):
            return
        try:
            await qa_capture(result.folder, chromium)
        except Exception as exc:  # A failed check must not lose the capture it checks.
            log.warning("replay check failed", extra={"url": result.url, "error": str(exc)})

    return check
