"""The site config (`configs/sites/*.yaml`): where it applies and what to do to a page there.

Actions are list items with exactly one key, the action's name, so a YAML line and a key path
agree (`actions[2].click.selector`) and an unknown action is an unknown key whose error lists
the allowed ones. Scalars are shorthands for an action's main field: `- press: Escape`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, PrivateAttr, field_validator, model_validator

from capture.config.loader import KeyPath, StrictModel, format_path, read_yaml, validate
from capture.config.selector import selector_problem

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _checked_selector(value: str) -> str:
    problem = selector_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _checked_env(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError(
            f"{value!r} is not an environment variable name. Name the variable (e.g. "
            "SITE_PASSWORD) that holds the value; never write the secret itself"
        )
    return value


Selector = Annotated[str, AfterValidator(_checked_selector)]
"""CSS (piercing open shadow roots), `text=...`, `xpath=...`, or Playwright `>>` chains."""
Frames = Annotated[list[Selector], Field(description="iframe selectors, outermost first")]
EnvName = Annotated[str, AfterValidator(_checked_env)]
Seconds = Annotated[float, Field(ge=0, le=120)]


class Action(StrictModel):
    """Base of actions: a scalar value is a shorthand for the action's main field."""

    shorthand: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if value is True or value is None:
            return {}
        main = cls.shorthand
        if main and isinstance(value, str | int | float | list) and not isinstance(value, bool):
            return {main: value}
        return value


class ElementAction(Action):
    """An action on the elements a selector finds, maybe inside a frame chain."""

    shorthand: ClassVar[str] = "selector"
    old_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"timeout_s": ("timeout",)}
    selector: Selector
    frame: Frames = Field(default_factory=list)
    required: bool = Field(default=False, description="a miss makes the capture partial")
    timeout_s: Seconds = Field(default=1.0, description="seconds to wait for the element")


class Click(ElementAction):
    """Click an element found by selector, or by its visible text."""

    selector: Selector | None = None  # type: ignore[assignment]
    text: str | None = Field(default=None, description="the element's exact visible text")
    timeout_s: Seconds = 3.0

    @model_validator(mode="after")
    def _one_target(self) -> Click:
        if (self.selector is None) == (self.text is None):
            raise ValueError("give `selector` or `text` (one of them) to say what to click")
        return self


class Remove(ElementAction):
    """Remove every element the selector finds."""


class Hide(ElementAction):
    """Hide every element the selector finds (display: none !important)."""


class Press(Action):
    """Press a key on the page, e.g. Escape."""

    shorthand: ClassVar[str] = "key"
    key: str = Field(min_length=1, description="a Playwright key name: Escape, Enter, Tab")


class WaitFor(ElementAction):
    """Wait until an element reaches a state."""

    state: Literal["visible", "hidden", "attached", "detached"] = "visible"
    timeout_s: Seconds = 5.0


class Wait(Action):
    """Wait a fixed time (prefer wait_for: it waits for a condition)."""

    shorthand: ClassVar[str] = "seconds"
    seconds: float = Field(gt=0, le=30)


class RemoveClass(ElementAction):
    """Remove classes from the elements found, e.g. `modal-open` from body."""

    shorthand: ClassVar[str] = ""
    classes: list[Annotated[str, Field(pattern=r"^-?[A-Za-z_][A-Za-z0-9_-]*$")]] = Field(
        min_length=1
    )


class SetStyle(ElementAction):
    """Set CSS properties (with !important) on the elements found."""

    shorthand: ClassVar[str] = ""
    style: dict[str, str] = Field(min_length=1, description="property: value")


class InjectCss(Action):
    """Add a style sheet to the page."""

    shorthand: ClassVar[str] = "css"
    css: str = Field(min_length=1)


class UnlockScroll(Action):
    """Let html and body scroll again (overflow, position, lock classes)."""


class Unclamp(Action):
    """Lift max-height, line clamps and fade overlays from a truncated article."""

    shorthand: ClassVar[str] = "selector"
    selector: Selector | None = Field(default=None, description="the article (default: body)")


class Scroll(Action):
    """Scroll to the bottom step by step until the height stops growing."""

    max_steps: int = Field(default=40, ge=1, le=500)


class Script(Action):
    """Run page JavaScript; only when `allow_scripts: true` in this config or the run."""

    shorthand: ClassVar[str] = "code"
    code: str = Field(min_length=1)


AFTER_ACTIONS: dict[str, type[Action]] = {
    "click": Click,
    "remove": Remove,
    "hide": Hide,
    "press": Press,
    "wait_for": WaitFor,
    "wait": Wait,
    "remove_class": RemoveClass,
    "set_style": SetStyle,
    "inject_css": InjectCss,
    "unlock_scroll": UnlockScroll,
    "unclamp": Unclamp,
    "scroll": Scroll,
    "script": Script,
}


def _exactly_one(item: StrictModel) -> tuple[str, Any]:
    chosen = [(name, value) for name, value in item if value is not None]
    if len(chosen) != 1:
        names = ", ".join(type(item).model_fields)
        found = " and ".join(name for name, _ in chosen) or "none"
        raise ValueError(f"each item names exactly one action (found {found}); one of: {names}")
    return chosen[0]


class ActionItem(StrictModel):
    """One after-load action: a mapping with one key, the action's name."""

    click: Click | None = None
    remove: Remove | None = None
    hide: Hide | None = None
    press: Press | None = None
    wait_for: WaitFor | None = None
    wait: Wait | None = None
    remove_class: RemoveClass | None = None
    set_style: SetStyle | None = None
    inject_css: InjectCss | None = None
    unlock_scroll: UnlockScroll | None = None
    unclamp: Unclamp | None = None
    scroll: Scroll | None = None
    script: Script | None = None

    @model_validator(mode="after")
    def _one(self) -> ActionItem:
        _exactly_one(self)
        return self

    @property
    def chosen(self) -> tuple[str, Action]:
        """Return the action's name and its settings."""
        name, value = _exactly_one(self)
        return name, value


class Cookie(StrictModel):
    """A cookie set before navigation; the value may come from an environment variable."""

    name: str = Field(min_length=1)
    value: str | None = None
    value_env: EnvName | None = None
    domain: str = Field(min_length=1, description="e.g. .example.com")
    path: str = "/"
    secure: bool = False
    http_only: bool = False

    @model_validator(mode="after")
    def _one_value(self) -> Cookie:
        if (self.value is None) == (self.value_env is None):
            raise ValueError("give `value` or `value_env` (one of them)")
        return self


class BeforeItem(StrictModel):
    """One before-navigation setting: a mapping with one key."""

    block: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, description="URL globs (`**/ads/**`); matching requests are aborted"
    )
    cookies: list[Cookie] | None = None
    local_storage: dict[str, str] | None = Field(default=None, description="key: value")
    headers: dict[str, str] | None = None
    user_agent: str | None = None
    storage_state: Path | None = Field(
        default=None, description="Playwright storage-state JSON, relative to this file"
    )

    @model_validator(mode="after")
    def _one(self) -> BeforeItem:
        _exactly_one(self)
        return self

    @property
    def chosen(self) -> tuple[str, Any]:
        """Return the setting's name and value."""
        return _exactly_one(self)


class WhenVisible(StrictModel):
    """Actions to run whenever an element appears, up to `times` times."""

    selector: Selector
    frame: Frames = Field(default_factory=list)
    actions: list[ActionItem] = Field(min_length=1)
    times: int = Field(default=3, ge=1, le=50)


class Login(StrictModel):
    """Log in with credentials from environment variables, then prove it worked."""

    old_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"timeout_s": ("timeout",)}
    url: str | None = Field(default=None, description="login page, relative to the article")
    open: Selector | None = Field(default=None, description="click this to open a login modal")
    frame: Frames = Field(default_factory=list)
    username_field: Selector
    password_field: Selector
    username_env: EnvName
    password_env: EnvName
    submit: Selector | None = Field(default=None, description="default: press Enter")
    success: Selector = Field(description="appears only when logged in")
    timeout_s: Seconds = 15.0
    back: bool = Field(default=True, description="return to the article after a login page")


class Match(StrictModel):
    """Where a config applies: host globs, optionally narrowed by a URL regex."""

    hosts: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9*?.\-:\[\]]+$")]] = Field(min_length=1)
    url_regex: str | None = None

    @field_validator("hosts")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [host.lower() for host in value]

    @field_validator("url_regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"url_regex does not compile ({exc}). Fix the pattern") from None
        return value


class ExtractHints(StrictModel):
    """Hints for article extraction on this site."""

    article: Selector | None = Field(default=None, description="the article's container")
    drop: list[Selector] = Field(default_factory=list, description="never part of the text")


class SiteConfig(StrictModel):
    """A site config: where it applies and what to do there, in order."""

    version: Literal[1]
    name: str = Field(min_length=1)
    match: Match
    before: list[BeforeItem] = Field(default_factory=list)
    actions: list[ActionItem] = Field(default_factory=list)
    when_visible: list[WhenVisible] = Field(default_factory=list)
    login: Login | None = None
    account: str | None = Field(
        default=None,
        min_length=1,
        description="a label for the account a session logs in as, named in capture.json "
        "(never the user name or password)",
    )
    logged_in: Selector | None = Field(
        default=None, description="present only on a page seen logged in"
    )
    logged_out: Selector | None = Field(
        default=None, description="present only on a page seen logged out (the session is gone)"
    )
    redact_env: list[EnvName] = Field(
        default_factory=list,
        description="environment variables whose values (the account's user name or e-mail, "
        "shown on its pages) are replaced in every output, like a login's credentials",
    )
    redact_session: bool = Field(
        default=True,
        description="replace session cookie values, Authorization credentials and login "
        "tokens in every output; false archives them in clear",
    )
    allow_scripts: bool = Field(default=False, description="let `script` actions run")
    dismiss: bool = Field(default=True, description="false: capture pages exactly as served")
    builtin: bool = Field(default=True, description="run the generic pass after the actions")
    extract: ExtractHints | None = None

    _source: str = PrivateAttr(default="")
    _lines: dict[KeyPath, int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str:
        """Return the file this config was read from ("" when built in code)."""
        return self._source

    def rule(self, *path: str | int) -> str:
        """Return the rule name of the key path: `site:<file>#actions[2].click`."""
        return f"site:{self._source or self.name}#{format_path(path)}"

    def line_of(self, *path: str | int) -> int | None:
        """Return the line of a key path in the source file, when known."""
        return self._lines.get(path)

    def resolve(self, path: Path) -> Path:
        """Return path read relative to this config's folder."""
        if path.is_absolute() or not self._source:
            return path
        return Path(self._source).parent / path


def load_site(path: Path) -> SiteConfig:
    """Return the site config at path, or raise ConfigError naming file:line, key path and fix."""
    data, lines = read_yaml(path)
    site = validate(SiteConfig, data, path, lines)
    site._source = str(path)
    site._lines = lines
    return site


def site_schema() -> dict[str, Any]:
    """Return the JSON Schema of a site config file."""
    return SiteConfig.model_json_schema()
