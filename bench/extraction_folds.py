"""Folded evaluation and per-page error reports for the extraction bench (bench/extraction.py).

Folds: the pages are dealt into K folds with a fixed seed, or held out one at a time (leave one
out). For each fold, every setting of
`ExtractionRules` is chosen on the other folds (the training pages) and the fold is then extracted
with the chosen settings: the folded score is the score of those held-out texts. A rule switch is
on only when it raises F1 on the training pages; a threshold leaves its default only for a value
that raises it. A rule that helps only the pages it was tuned on is switched off when those pages
are held out, and the folded score falls below the whole-split score.

Errors: per page, the runs of the truth the prediction missed and of the prediction the truth
does not hold (4-word shingles, as the metric counts them), worst pages first.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from capture.extract import DEFAULT_RULES, ExtractionRules

GRID: dict[str, tuple[Any, ...]] = {
    "drop_hidden": (False,),
    "drop_fixed": (False,),
    "max_hidden_share": (0.3, 0.7),
    "max_fixed_share": (0.15, 0.5),
    "drop_hover_cards": (False,),
    "chunk_siblings": (False,),
    "sibling_min_words": (5, 12),
    "flow_headings": (False,),
    "closing_paragraphs": (False,),
    "credit_lines": (False,),
    "drop_standfirst": (False,),
    "edge_blocks": (1, 5),
    "max_furniture_words": (25, 60),
}
"""The alternatives the folds choose among, per setting of `ExtractionRules`."""
_WORD = re.compile(r"\w+")
SHINGLE = 4

Extract = Callable[[ExtractionRules, Sequence[str]], dict[str, str]]
"""Extracts the given page ids with the given rules: {page id: text}."""
Variants = dict[tuple[str, Any], dict[str, str]]
"""Predictions per (setting, value): {page id: text}."""
Scored = dict[tuple[str, Any], dict[str, tuple[float, float]]]
"""Per (setting, value): {page id: (precision, recall)}, as the metric scores one page."""


def reference(name: str) -> Any:
    """Return the value a setting keeps unless training pages show better: off, or the default."""
    default = getattr(DEFAULT_RULES, name)
    return False if isinstance(default, bool) else default


def fold_of(ids: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    """Return each page id's fold: the sorted ids shuffled with `seed`, then dealt in turn."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return {page_id: index % folds for index, page_id in enumerate(order)}


@dataclass(frozen=True, slots=True)
class FoldedResult:
    """The folded score, what each fold chose, and how the choices changed held-out texts."""

    f1: float
    precision: float
    recall: float
    chosen: tuple[dict[str, Any], ...]
    changed_pages: tuple[str, ...]
    """The held-out pages whose text differs from what the product's defaults give."""
    predictions: dict[str, str]


def _f1(scorer: ModuleType, truth: Mapping[str, str], pred: Mapping[str, str]) -> float:
    return float(scorer.score({key: truth[key] for key in pred}, dict(pred))["f1"])


def variant_predictions(extract: Extract, ids: Sequence[str]) -> Variants:
    """Return the predictions of every setting's reference and alternatives on all pages."""
    default = extract(DEFAULT_RULES, ids)
    found: Variants = {}
    for name, alternatives in GRID.items():
        for value in (reference(name), getattr(DEFAULT_RULES, name), *alternatives):
            if value == getattr(DEFAULT_RULES, name):
                found[(name, value)] = default
            elif (name, value) not in found:
                found[(name, value)] = extract(replace(DEFAULT_RULES, **{name: value}), ids)
    return found


def page_scores(scorer: ModuleType, truth: Mapping[str, str], variants: Variants) -> Scored:
    """Return each variant's (precision, recall) per page, so folds only average them."""
    return {
        key: {page: scorer.page(truth[page], text) for page, text in pred.items()}
        for key, pred in variants.items()
    }


def _subset_f1(rows: Mapping[str, tuple[float, float]], ids: Sequence[str]) -> float:
    """Return the metric's F1 over `ids`: mean precision (pages with text), mean recall."""
    precisions = [rows[key][0] for key in ids if rows[key][0] == rows[key][0]]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(rows[key][1] for key in ids) / len(ids) if ids else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def choose(scored: Scored, train: Sequence[str]) -> dict[str, Any]:
    """Return, per setting, the value with the best F1 on `train` (the reference on ties)."""
    chosen: dict[str, Any] = {}
    for name, alternatives in GRID.items():
        best = reference(name)
        best_f1 = _subset_f1(scored[(name, best)], train)
        for value in (getattr(DEFAULT_RULES, name), *alternatives):
            f1 = _subset_f1(scored[(name, value)], train)
            if f1 > best_f1 + 1e-9:
                best, best_f1 = value, f1
        chosen[name] = best
    return chosen


def leave_one_out(ids: Sequence[str]) -> dict[str, int]:
    """Return a fold per page: every page is held out alone once."""
    return {page_id: index for index, page_id in enumerate(sorted(ids))}


def folded(
    scorer: ModuleType,
    *,
    truth: Mapping[str, str],
    extract: Extract,
    variants: Variants,
    scored: Scored,
    assignment: Mapping[str, int],
) -> FoldedResult:
    """Return the folded score: each fold extracted with the settings chosen on the others."""
    ids = sorted(assignment)
    default = variants[("drop_hidden", DEFAULT_RULES.drop_hidden)]
    predictions: dict[str, str] = {}
    choices: list[dict[str, Any]] = []
    for fold in sorted(set(assignment.values())):
        held = [key for key in ids if assignment[key] == fold]
        chosen = choose(scored, [key for key in ids if assignment[key] != fold])
        choices.append(chosen)
        predictions.update(extract(replace(DEFAULT_RULES, **chosen), held))
    result = scorer.score({key: truth[key] for key in ids}, predictions)
    changed = tuple(key for key in ids if predictions[key] != default[key])
    return FoldedResult(
        result["f1"], result["precision"], result["recall"], tuple(choices), changed, predictions
    )


def rule_table(
    scorer: ModuleType,
    truth: Mapping[str, str],
    variants: Mapping[tuple[str, Any], dict[str, str]],
    choices: Sequence[dict[str, Any]],
) -> list[str]:
    """Return a line per alternative: pages whose text it changes, F1 change, folds taking it."""
    default = variants[("drop_hidden", DEFAULT_RULES.drop_hidden)]
    base = _f1(scorer, truth, default)
    lines = [
        f"{'setting':<22}{'value':>7}{'pages changed':>15}{'dF1 (all)':>11}{'chosen in folds':>17}"
    ]
    for field in fields(ExtractionRules):
        name, current = field.name, getattr(DEFAULT_RULES, field.name)
        for value in dict.fromkeys((reference(name), *GRID.get(name, ()))):
            if value == current or (name, value) not in variants:
                continue
            pred = variants[(name, value)]
            changed = sum(1 for key in pred if pred[key] != default[key])
            picked = sum(1 for chosen in choices if chosen[name] == value)
            lines.append(
                f"{name:<22}{value!s:>7}{changed:>15}{_f1(scorer, truth, pred) - base:>+11.4f}"
                f"{picked:>12} of {len(choices)}"
            )
    return lines


def _runs(source: str, other: str) -> list[str]:
    """Return the runs of words of `source` whose 4-word shingles `other` does not hold.

    Case-sensitive, like the metric.
    """
    words = _WORD.findall(source or "")
    left = _counts(source)
    left.subtract(_counts(other))
    flags = [False] * len(words)
    for start in range(len(words) - SHINGLE + 1):
        key = tuple(words[start : start + SHINGLE])
        if left[key] > 0:
            left[key] -= 1
            flags[start : start + SHINGLE] = [True] * SHINGLE
    runs: list[str] = []
    current: list[str] = []
    for word, flag in zip(words, flags, strict=True):
        if flag:
            current.append(word)
        elif current:
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return runs


def _counts(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def write_errors(
    scorer: ModuleType,
    *,
    truth: Mapping[str, str],
    urls: Mapping[str, str],
    pred: Mapping[str, str],
    folder: Path,
    worst: int = 15,
) -> list[dict[str, Any]]:
    """Write <folder>/<id>.txt per imperfect page and <folder>/errors.json; return the worst."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.txt"):
        stale.unlink()
    rows: list[dict[str, Any]] = []
    for key in sorted(pred):
        precision, recall = scorer.page(truth[key], pred[key])
        if precision == 1.0 and recall == 1.0:
            continue
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        missed, extra = _runs(truth[key], pred[key]), _runs(pred[key], truth[key])
        rows.append(
            {
                "id": key,
                "url": urls.get(key, ""),
                "f1": round(f1, 4),
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "missed": missed,
                "extra": extra,
            }
        )
        body = [
            f"{key}\n{urls.get(key, '')}\nF1 {f1:.4f}  precision {precision:.4f}  "
            f"recall {recall:.4f}\n",
            "MISSED (in the truth, not extracted):",
        ]
        body += [f"  - {run}" for run in missed] or ["  (none)"]
        body += ["", "EXTRA (extracted, not in the truth):"]
        body += [f"  + {run}" for run in extra] or ["  (none)"]
        (folder / f"{key}.txt").write_text("\n".join(body) + "\n", encoding="utf-8")
    rows.sort(key=lambda row: row["f1"])
    summary = {"imperfect_pages": len(rows), "worst": rows[:worst]}
    (folder / "errors.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return rows[:worst]
