"""Checking selectors at load time: a conservative CSS parser, XPath via lxml, Playwright prefixes.

A typo in a selector should fail `capture check-config`, not silently match nothing at capture
time. The parser accepts CSS Selectors Level 4 as browsers do plus Playwright's extensions
(`:has-text()`, `:visible`, `>>` chains) and the `text=`, `xpath=` and `css=` engines.
"""

from __future__ import annotations

import re

PREFIXES = ("css=", "text=", "xpath=")
"""Selector engines a config may name; anything else is CSS."""

PSEUDO_CLASSES = frozenset(
    [
        "active",
        "any-link",
        "autofill",
        "checked",
        "default",
        "defined",
        "disabled",
        "empty",
        "enabled",
        "first-child",
        "first-of-type",
        "focus",
        "focus-visible",
        "focus-within",
        "fullscreen",
        "hover",
        "in-range",
        "indeterminate",
        "invalid",
        "last-child",
        "last-of-type",
        "link",
        "modal",
        "only-child",
        "only-of-type",
        "open",
        "optional",
        "out-of-range",
        "placeholder-shown",
        "popover-open",
        "read-only",
        "read-write",
        "required",
        "root",
        "scope",
        "target",
        "valid",
        "visited",
        "visible",
    ]
)
FUNCTIONAL_PSEUDOS = frozenset(
    [
        "not",
        "is",
        "where",
        "has",
        "nth-child",
        "nth-last-child",
        "nth-of-type",
        "nth-last-of-type",
        "lang",
        "dir",
        "has-text",
        "text",
        "text-is",
        "text-matches",
        "nth-match",
    ]
)
SELECTOR_LISTS = frozenset({"not", "is", "where", "has"})
PSEUDO_ELEMENTS = frozenset({"before", "after", "placeholder", "marker", "selection", "backdrop"})

_IDENT = r"-?(?:[A-Za-z_]|[^\x00-\x7f]|\\.)(?:[A-Za-z0-9_-]|[^\x00-\x7f]|\\.)*"
_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comb>[>+~])
  | (?P<comma>,)
  | (?P<star>(?:{_IDENT}|\*)?\|?\*)
  | (?P<type>{_IDENT})
  | (?P<id>\#(?:[A-Za-z0-9_-]|[^\x00-\x7f]|\\.)+)
  | (?P<cls>\.{_IDENT})
  | (?P<attr>\[\s*{_IDENT}\s*(?:(?:[~|^$*]?=)\s*(?:{_IDENT}|{_STRING}|-?\d+)\s*(?:[iIsS]\s*)?)?\])
  | (?P<pelem>::{_IDENT})
  | (?P<pfunc>:{_IDENT}\()
  | (?P<pclass>:{_IDENT})
    """,
    re.VERBOSE,
)


def selector_problem(selector: str) -> str | None:
    """Return why selector cannot work (with what is allowed), or None when it looks valid."""
    text = selector.strip()
    if not text:
        return "the selector is empty. Give a CSS selector, or text=... or xpath=..."
    if ">>" in text:
        parts = [part.strip() for part in text.split(">>")]
        return next(filter(None, map(selector_problem, parts)), None)
    if text.startswith("text="):
        return None if text[5:].strip() else "text= needs the text to look for, e.g. text=Accept"
    if text.startswith("xpath="):
        return _xpath_problem(text[6:])
    if text.startswith("css="):
        text = text[4:]
    problem = _css_problem(text)
    return f"{problem} in CSS selector {selector!r}" if problem else None


def _xpath_problem(expression: str) -> str | None:
    from lxml import etree

    try:
        etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        return f"xpath={expression} does not compile ({exc})"
    return None


def _css_problem(text: str) -> str | None:
    """Return the first problem of a CSS selector list, or None."""
    if not text:
        return "an empty part"
    position, expecting_compound = 0, True
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            return f"unexpected {text[position : position + 12]!r} at character {position + 1}"
        kind, value = found.lastgroup, found.group()
        position = found.end()
        if kind == "space":
            continue
        if kind in ("comb", "comma"):
            if expecting_compound:
                return f"{value!r} at character {position} has no selector before it"
            expecting_compound = True
            continue
        if kind == "pclass" and value[1:].lower() not in PSEUDO_CLASSES:
            return f"unknown pseudo-class {value!r}"
        if kind == "pelem" and value[2:].lower() not in PSEUDO_ELEMENTS:
            return f"unknown pseudo-element {value!r}"
        if kind == "pfunc":
            position, problem = _pseudo_function(text, position, value[1:-1].lower())
            if problem:
                return problem
        expecting_compound = False
    if expecting_compound:
        return "it ends with a combinator or a comma"
    return None


def _closing_paren(text: str, start: int) -> int | None:
    """Return the position just past the `)` that closes a `(` opened before start (quotes and
    escapes inside skipped), or None when it is never closed."""
    depth, position, quote = 1, start, ""
    while position < len(text) and depth:
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        position += 1
    return None if depth else position


def _pseudo_function(text: str, start: int, name: str) -> tuple[int, str | None]:
    """Return where the argument of :name( ends and its problem, if any."""
    if name not in FUNCTIONAL_PSEUDOS:
        return start, f"unknown pseudo-class ':{name}()'"
    position = _closing_paren(text, start)
    if position is None:
        return len(text), f"':{name}(' is never closed"
    argument = text[start : position - 1].strip()
    if not argument:
        return position, f"':{name}()' needs an argument"
    if name in SELECTOR_LISTS:
        inner = _css_problem(argument.lstrip(">+~ ") if name == "has" else argument)
        if inner:
            return position, f"{inner} inside ':{name}()'"
    return position, None
