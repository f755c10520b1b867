"""The extraction bench's folded evaluation: a rule that helps only its own pages shows as such."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from capture.extract import ExtractionRules

ROOT = Path(__file__).resolve().parents[2]
PAGES = [f"page{index}" for index in range(10)]
TRUTH = {page: f"the article text of {page} in full" for page in PAGES}


def _folds_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_extraction_folds", ROOT / "bench" / "extraction_folds.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_extraction_folds", module)
    spec.loader.exec_module(module)
    return module


def _exact_scorer() -> SimpleNamespace:
    """A stand-in for the bench's score.py: a page scores 1 when its text is exactly right."""

    def page(truth: str, pred: str) -> tuple[float, float]:
        return (1.0, 1.0) if truth == pred else (0.0, 0.0)

    def score(truth: Mapping[str, str], pred: Mapping[str, str]) -> dict[str, float]:
        right = sum(1 for key in truth if truth[key] == pred.get(key)) / len(truth)
        return {"f1": right, "precision": right, "recall": right}

    return SimpleNamespace(page=page, score=score)


def _extract(rules: ExtractionRules, ids: Sequence[str]) -> dict[str, str]:
    """page0 needs the closing rule; every even page needs the heading rule."""
    found: dict[str, str] = {}
    for key in ids:
        number = int(key.removeprefix("page"))
        right = (rules.closing_paragraphs or number != 0) and (
            rules.flow_headings or number % 2 == 1
        )
        found[key] = TRUTH[key] if right else "something else"
    return found


def _folded(folds: Any, assignment: dict[str, int]) -> Any:
    """Return the folded evaluation of the test pages under assignment, scored exactly."""
    scorer = _exact_scorer()
    variants = folds.variant_predictions(_extract, PAGES)
    return folds.folded(
        scorer,
        truth=TRUTH,
        extract=_extract,
        variants=variants,
        scored=folds.page_scores(scorer, TRUTH, variants),
        assignment=assignment,
    )


def test_folds_are_fixed_by_the_seed_and_balanced() -> None:
    folds = _folds_module()
    first = folds.fold_of(PAGES, 5, 19)
    assert first == folds.fold_of(list(reversed(PAGES)), 5, 19)
    assert sorted(list(first.values()).count(fold) for fold in range(5)) == [2] * 5


def test_a_rule_that_helps_one_page_is_dropped_when_that_page_is_held_out() -> None:
    folds = _folds_module()
    result = _folded(folds, folds.fold_of(PAGES, 5, 19))
    # The heading rule helps pages in every fold, so every fold keeps it; the closing rule helps
    # page0 only, so the fold holding page0 sees no gain on its training pages and drops it.
    assert [chosen["flow_headings"] for chosen in result.chosen] == [True] * 5
    assert sorted(chosen["closing_paragraphs"] for chosen in result.chosen) == [False] + [True] * 4
    assert result.predictions["page0"] == "something else"
    assert result.changed_pages == ("page0",)
    assert result.f1 == 0.9


def test_leave_one_out_keeps_a_rule_that_two_pages_support() -> None:
    folds = _folds_module()
    result = _folded(folds, folds.leave_one_out(PAGES))
    assert len(result.chosen) == len(PAGES)
    assert all(chosen["flow_headings"] for chosen in result.chosen)
    assert result.changed_pages == ("page0",)


def test_error_reports_name_what_was_missed_and_what_was_extra(tmp_path: Path) -> None:
    folds = _folds_module()
    truth = {"a": "the quick brown fox jumps over the lazy dog", "b": "all right here"}
    pred = {"a": "the quick brown fox sat quietly on a mat", "b": "all right here"}
    worst = folds.write_errors(
        _exact_scorer(), truth=truth, urls={"a": "https://x.example/a"}, pred=pred, folder=tmp_path
    )
    assert [row["id"] for row in worst] == ["a"]
    assert any("jumps over the lazy dog" in run for run in worst[0]["missed"])
    assert any("sat quietly on a mat" in run for run in worst[0]["extra"])
    report = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert "https://x.example/a" in report
    assert "- quick brown fox jumps over the lazy dog" in report
    assert not (tmp_path / "b.txt").exists()
    assert json.loads((tmp_path / "errors.json").read_text())["imperfect_pages"] == 1
