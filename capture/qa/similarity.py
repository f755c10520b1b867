"""Pure: how alike two screenshots and two texts are (the scores of `capture qa`)."""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageChops

MAX_TEXT_WORDS = 20_000
"""Texts are compared word by word; longer ones are cut here (difflib is quadratic at worst)."""


@dataclass(frozen=True, slots=True)
class PixelScore:
    """How many pixels two images share, over the larger of the two areas."""

    identical_share: float
    """Identical pixels over the union area: a size difference counts as differing pixels."""
    identical_px: int
    compared_px: int
    """The common area (top-left aligned) where pixels were compared."""
    reference_size: tuple[int, int]
    replay_size: tuple[int, int]

    def to_json(self) -> dict[str, Any]:
        """Return the score as JSON-ready data."""
        return {
            "identical_share": round(self.identical_share, 6),
            "identical_px": self.identical_px,
            "compared_px": self.compared_px,
            "reference_size": list(self.reference_size),
            "replay_size": list(self.replay_size),
            "size_matches": self.reference_size == self.replay_size,
        }


def pixel_score(reference_png: bytes, replay_png: bytes) -> PixelScore:
    """Return the share of identical pixels of two PNGs, aligned at the top left."""
    with (
        Image.open(io.BytesIO(reference_png)) as ref_file,
        Image.open(io.BytesIO(replay_png)) as rep_file,
    ):
        reference, replay = ref_file.convert("RGB"), rep_file.convert("RGB")
    width = min(reference.width, replay.width)
    height = min(reference.height, replay.height)
    box = (0, 0, width, height)
    difference = ImageChops.difference(reference.crop(box), replay.crop(box))
    red, green, blue = difference.split()
    # A pixel is identical when its largest channel difference is 0.
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    identical = largest.histogram()[0] if width and height else 0
    union = max(reference.width, replay.width) * max(reference.height, replay.height)
    return PixelScore(
        identical_share=identical / union if union else 1.0,
        identical_px=identical,
        compared_px=width * height,
        reference_size=reference.size,
        replay_size=replay.size,
    )


def normalised_words(text: str) -> list[str]:
    """Return the words of text, case-folded, whitespace and punctuation runs collapsed."""
    return re.findall(r"\w+", text.casefold())[:MAX_TEXT_WORDS]


def text_similarity(reference: str, replay: str) -> float:
    """Return difflib's ratio of the two texts' normalised words (1.0: the same words)."""
    left, right = normalised_words(reference), normalised_words(replay)
    if not left and not right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()
