"""Pure: dates as pages write them -> ISO 8601 strings."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janvier", "januar", "enero", "gennaio", "janeiro"),
            ("feb", "february", "février", "fevrier", "februar", "febrero", "febbraio"),
            ("mar", "march", "mars", "märz", "marz", "marzo", "março"),
            ("apr", "april", "avril", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio", "maio"),
            ("jun", "june", "juin", "juni", "junio", "giugno", "junho"),
            ("jul", "july", "juillet", "juli", "julio", "luglio", "julho"),
            ("aug", "august", "août", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
            ("oct", "october", "octobre", "oktober", "octubre", "ottobre", "outubro"),
            ("nov", "november", "novembre", "noviembre", "novembro"),
            ("dec", "december", "décembre", "decembre", "dezember", "diciembre", "dicembre"),
        ),
        start=1,
    )
    for name in names
}

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?")
_SLASHED_YMD = re.compile(r"\b(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b")
_DMY_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_WORD = r"([^\W\d_]{3,10})\.?"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?{_WORD}\s+(?:de\s+)?(\d{{4}})"
)
_MONTH_DAY_YEAR = re.compile(rf"\b{_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_iso(match: re.Match[str]) -> str | None:
    year, month, day, hour, minute, second, zone = match.groups()
    day_only = _safe_date(int(year), int(month), int(day))
    if day_only is None:
        return None
    if hour is None:
        return day_only.isoformat()
    zone_text = ""
    if zone:
        zone_text = "+00:00" if zone == "Z" else f"{zone[:3]}:{zone[-2:]}"
    try:
        stamp = datetime(day_only.year, day_only.month, day_only.day, int(hour), int(minute))
    except ValueError:
        return day_only.isoformat()
    return stamp.replace(second=int(second or 0)).isoformat() + zone_text


def _from_words(text: str) -> str | None:
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = MONTHS.get(match.group(2).lower())
        found = month and _safe_date(int(match.group(3)), month, int(match.group(1)))
        if found:
            return found.isoformat()
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = MONTHS.get(match.group(1).lower())
        found = month and _safe_date(int(match.group(3)), month, int(match.group(2)))
        if found:
            return found.isoformat()
    return None


def _from_numbers(text: str) -> str | None:
    match = _SLASHED_YMD.search(text)
    if match:
        found = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if found:
            return found.isoformat()
    match = _DMY_NUMERIC.search(text)
    if match:
        first, second, year = (int(group) for group in match.groups())
        # Day first is the rule outside the US; a first number above 12 can only be a day and a
        # second above 12 only a day too (US order).
        found = _safe_date(year, first, second) if second > 12 else _safe_date(year, second, first)
        if found:
            return found.isoformat()
    return None


def _from_email_style(text: str) -> str | None:
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.isoformat()


def parse_date(text: str | None) -> str | None:
    """Return `text` as an ISO 8601 date or date-time, or None when it holds no date.

    Understands ISO 8601 (with or without time and zone), compact `20200119`, RFC 2822
    (`Sun, 19 Jan 2020 10:00:00 GMT`), `January 19, 2020`, `19 January 2020` (also in French,
    German, Spanish, Italian and Portuguese month names), `2020/01/19` and `19.01.2020`.
    """
    if not text:
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > 200:
        return None
    match = _ISO.search(cleaned)
    if match:
        return _from_iso(match)
    compact = _COMPACT.match(cleaned)
    if compact and len(cleaned) in (8, 12, 13, 14, 15):
        year, month, day = (int(group) for group in compact.groups()[:3])
        found = _safe_date(year, month, day)
        if found and 1990 <= year <= 2100:
            return found.isoformat()
    return _from_email_style(cleaned) or _from_words(cleaned) or _from_numbers(cleaned)
