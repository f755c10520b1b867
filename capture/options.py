"""The capture options, defined once: their types, defaults, bounds, help, flags and JSON form.

`CaptureOptions` is the one definition. Every field carries an `Option` (its kind, help text and
command-line flag) from which the rest is derived: the command line's flags (`capture.cli.parser`),
the job file's `defaults:` and `overrides:` keys (`capture.config.job`), the JSON recorded in
capture.json and sent to workers (`to_json` / `from_json`), and the help text. A new option is one
new field here and nothing else.

Pure and light: importing it pulls in neither pydantic nor the browser, so `capture --help` stays
fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

Kind = Literal["seconds", "count", "flag", "choice", "text", "url", "viewport", "outputs"]

VIEWPORT = re.compile(r"^\s*(\d{3,4})\s*x\s*(\d{3,4})\s*$")

OUTPUTS = ("screenshot", "viewport", "thumbnail", "dom", "article")
"""Files a capture can produce besides page.warc.gz and capture.json (always written)."""


@dataclass(frozen=True, slots=True)
class Viewport:
    """The browser window size in CSS pixels."""

    width: int = 1280
    height: int = 800

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def parse_viewport(text: str) -> Viewport:
    """Return the Viewport written as `WIDTHxHEIGHT`, or raise ValueError saying how to write it."""
    found = VIEWPORT.match(text)
    if not found:
        raise ValueError(f"{text!r} is not a viewport. Write WIDTHxHEIGHT, e.g. 1280x800")
    width, height = int(found[1]), int(found[2])
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise ValueError(f"viewport {text} is out of range (200 to 8000 px each)")
    return Viewport(width, height)


@dataclass(frozen=True, slots=True)
class Option:
    """How one capture option is written, checked and explained everywhere it appears."""

    kind: Kind
    help: str
    low: float | None = None
    """The smallest value allowed (seconds and counts)."""
    high: float | None = None
    choices: tuple[str, ...] = ()
    flag: str | None = None
    """The command-line flag when it is not the field name in kebab-case (kept short where
    users already know it: `--timeout` for `timeout_s`)."""
    aliases: tuple[str, ...] = ()
    """Older job-file spellings of the key, still read (with a warning) so old files load."""

    def check(self, value: Any) -> Any:
        """Return value as the field's Python value; raise ValueError saying what is wrong."""
        return _CHECKS[self.kind](self, value)

    def to_data(self, value: Any) -> Any:
        """Return value in its JSON and YAML form."""
        if self.kind == "viewport":
            return str(value)
        if self.kind == "outputs":
            return sorted(value)
        return value

    def metavar(self) -> str | None:
        """Return the placeholder of the flag's value in --help (None for on/off flags)."""
        return {
            "seconds": "SECONDS",
            "count": "N",
            "text": "TEXT",
            "url": "URL",
            "viewport": "WxH",
            "outputs": "LIST",
        }.get(self.kind)


def _number(option: Option, value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a {'whole ' if kind is int else ''}number") from None
    if kind is int and isinstance(value, float) and value != number:
        raise ValueError(f"{value!r} is not a whole number")
    if (option.low is not None and number < option.low) or (
        option.high is not None and number > option.high
    ):
        raise ValueError(f"{value!r} is out of range ({option.low:g} to {option.high:g})")
    return number


def _flag(option: Option, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _choice(option: Option, value: Any) -> str:
    if value not in option.choices:
        raise ValueError(f"{value!r} is not one of {', '.join(option.choices)}")
    return str(value)


def _text(option: Option, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a non-empty text")
    return value


def _url(option: Option, value: Any) -> str | None:
    text = _text(option, value)
    if text is not None and not re.match(r"^[a-z][a-z0-9+.-]*://[^\s/]+", text, re.I):
        raise ValueError(f"{value!r} is not a URL like http://host:port")
    return text


def _viewport(option: Option, value: Any) -> Viewport:
    return value if isinstance(value, Viewport) else parse_viewport(str(value))


def _outputs(option: Option, value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"{value!r} is not a list of outputs")
    unknown = sorted(str(item) for item in value if item not in OUTPUTS)
    if unknown:
        raise ValueError(f"unknown outputs {unknown}. Choose from {', '.join(OUTPUTS)}")
    return frozenset(value)


_CHECKS: dict[Kind, Callable[[Option, Any], Any]] = {
    "seconds": lambda option, value: _number(option, value, float),
    "count": lambda option, value: _number(option, value, int),
    "flag": _flag,
    "choice": _choice,
    "text": _text,
    "url": _url,
    "viewport": _viewport,
    "outputs": _outputs,
}


def _option(default: Any, kind: Kind, help: str, **spec: Any) -> Any:
    """Return a dataclass field with its Option (the default a factory when mutable)."""
    meta = {"option": Option(kind, help, **spec)}
    if isinstance(default, Viewport):
        return field(default_factory=Viewport, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """Every option that changes how a page is captured; recorded in capture.json."""

    viewport: Viewport = _option(Viewport(), "viewport", "the window size WIDTHxHEIGHT")
    timeout_s: float = _option(
        60.0,
        "seconds",
        "the whole-page budget in seconds, navigation to last screenshot",
        low=1,
        high=3600,
        flag="--timeout",
        aliases=("timeout",),
    )
    proxy: str | None = _option(
        None, "url", "send the browser's traffic through this proxy (e.g. a recording proxy)"
    )
    ignore_https_errors: bool = _option(
        False, "flag", "accept invalid certificates (e.g. a recording proxy's)"
    )
    max_screenshot_height_px: int = _option(
        100_000,
        "count",
        "full-page screenshots stop at this height (pixels); hitting it is recorded",
        low=1000,
        high=1_000_000,
        aliases=("max_screenshot_height",),
    )
    settle_s: float = _option(
        0.5,
        "seconds",
        "how long the network must be quiet after a script or frame arrives after load",
        low=0,
        high=60,
    )
    timers_s: float = _option(
        2.0,
        "seconds",
        "how long after load the page's own timers are waited for (0: none)",
        low=0,
        high=60,
    )
    scroll: bool = _option(True, "flag", "scroll through the page once so lazy content loads")
    user_agent: str | None = _option(None, "text", "the browser's User-Agent (default: its own)")
    dismiss: bool = _option(
        True, "flag", "clear consent banners, pop-ups and walls (off: the page exactly as served)"
    )
    consent: str = _option(
        "accept",
        "choice",
        "answer consent banners this way (accept: embedded content loads as readers saw it)",
        choices=("accept", "reject"),
    )
    allow_scripts: bool = _option(
        False, "flag", "let site configs run their `script` actions (page JavaScript)"
    )
    outputs: frozenset[str] = _option(
        frozenset(OUTPUTS),
        "outputs",
        f"the files to write besides the WARC and capture.json ({','.join(OUTPUTS)})",
    )
    block_private_networks: bool = _option(
        False,
        "flag",
        "refuse pages and resources on loopback, private and link-local addresses",
    )
    pdf: bool = _option(
        False,
        "flag",
        "also print each page, as it stands after the interventions, to page.pdf",
    )
    video: bool = _option(
        False,
        "flag",
        "also record the browser's screen from navigation to the last screenshot "
        "(capture.mp4 with ffmpeg, else capture.webp)",
    )
    keep_error_pages: bool = _option(
        False,
        "flag",
        "keep error, challenge, login and rate-limit pages as complete captures (their reason "
        "is still recorded): proof that a page is gone or blocked",
    )

    def wants(self, output: str) -> bool:
        """Return True when this capture should write the named output (see OUTPUTS)."""
        return output in self.outputs

    def to_json(self) -> dict[str, Any]:
        """Return the options as JSON-ready data (every field, in its data form)."""
        return {name: spec.to_data(getattr(self, name)) for name, spec in option_fields()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaptureOptions:
        """Return the options that `to_json` (or a job file's settings) wrote as data.

        Keys left out take their defaults; an unknown key or a bad value raises ValueError.
        """
        return cls(**checked(data))


def option_fields() -> Iterator[tuple[str, Option]]:
    """Yield the name and Option of every capture option, in definition order."""
    for item in fields(CaptureOptions):
        yield item.name, item.metadata["option"]


def option_default(name: str) -> Any:
    """Return the default of the named option, in its data form."""
    spec = dict(option_fields())[name]
    return spec.to_data(getattr(CaptureOptions(), name))


def checked(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return data's options as checked Python values; raise ValueError naming what is wrong."""
    specs = dict(option_fields())
    unknown = sorted(set(data) - set(specs))
    if unknown:
        raise ValueError(f"unknown options {unknown}. Known: {', '.join(specs)}")
    values = {}
    for name, value in data.items():
        try:
            values[name] = specs[name].check(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return values


CONCURRENCY = 1
"""Pages at once in a run of URLs given on the command line."""
JOB_CONCURRENCY = 2
"""Pages at once in a job run, unless the job file says otherwise."""


def checked_tsa_url(value: str) -> str:
    """Return value when it can name a time stamp authority: an http(s) URL with a host and
    no user name or password (a TSA request cannot send them, and every seal would name them).
    Raise ValueError saying what to fix."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not the http(s) URL of a time stamp authority. Give its whole URL, "
            "like https://tsa.example/tsr"
        )
    if "@" in parts.netloc:
        shown = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        raise ValueError(
            f"the time stamp authority {shown} is given with a user name or password, which a "
            "timestamp request cannot send and every seal would show. Give the URL without them"
        )
    return value
