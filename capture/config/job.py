"""The job file (`configs/jobs/*.yaml`): which URLs to capture, how, and how to run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from capture.config.loader import KeyPath, StrictModel, read_yaml, validate
from capture.errors import ConfigError
from capture.models import CaptureOptions, Viewport
from capture.plan import normalise_url

VIEWPORT = re.compile(r"^\s*(\d{3,4})\s*x\s*(\d{3,4})\s*$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

Output = Literal["screenshot", "viewport", "thumbnail", "dom", "article"]


def parse_viewport(text: str) -> Viewport:
    """Return the Viewport written as `WIDTHxHEIGHT`, or raise ValueError saying how to write it."""
    found = VIEWPORT.match(text)
    if not found:
        raise ValueError(f"{text!r} is not a viewport. Write WIDTHxHEIGHT, e.g. 1280x800")
    width, height = int(found[1]), int(found[2])
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise ValueError(f"viewport {text} is out of range (200 to 8000 px each)")
    return Viewport(width, height)


def _all_outputs() -> list[Output]:
    return ["screenshot", "viewport", "thumbnail", "dom", "article"]


class CaptureSettings(StrictModel):
    """Capture options a job sets for every URL (`defaults:`); the CLI's flags, snake_case."""

    viewport: str = "1280x800"
    timeout: float = Field(default=60.0, ge=1, le=3600, description="whole-page budget, seconds")
    proxy: str | None = None
    ignore_https_errors: bool = False
    user_agent: str | None = None
    scroll: bool = True
    max_screenshot_height: int = Field(default=100_000, ge=1000, le=1_000_000)
    dismiss: bool = Field(default=True, description="clear consent banners and walls")
    consent: Literal["accept", "reject"] = "accept"
    allow_scripts: bool = Field(default=False, description="let site configs run `script` actions")
    block_private_networks: bool = Field(
        default=False, description="refuse loopback, private and link-local addresses"
    )
    keep_error_pages: bool = Field(
        default=False,
        description="keep error, challenge, login and rate-limit pages as complete captures",
    )
    outputs: list[Output] = Field(default_factory=_all_outputs)

    @field_validator("viewport")
    @classmethod
    def _viewport(cls, value: str) -> str:
        parse_viewport(value)
        return value

    def options(self) -> CaptureOptions:
        """Return these settings as the pipeline's CaptureOptions."""
        return CaptureOptions(
            viewport=parse_viewport(self.viewport),
            timeout_s=self.timeout,
            proxy=self.proxy,
            ignore_https_errors=self.ignore_https_errors,
            user_agent=self.user_agent,
            scroll=self.scroll,
            max_screenshot_height_px=self.max_screenshot_height,
            dismiss=self.dismiss,
            consent=self.consent,
            allow_scripts=self.allow_scripts,
            block_private_networks=self.block_private_networks,
            keep_error_pages=self.keep_error_pages,
            outputs=frozenset(self.outputs),
        )


def _checked_url(value: str) -> str:
    from capture.errors import UsageError

    try:
        return normalise_url(value)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


Url = Annotated[str, AfterValidator(_checked_url)]


class UrlOverride(StrictModel):
    """Settings for one URL that differ from the job's defaults."""

    url: Url
    viewport: str | None = None
    timeout: float | None = Field(default=None, ge=1, le=3600)
    user_agent: str | None = None
    scroll: bool | None = None
    dismiss: bool | None = None
    consent: Literal["accept", "reject"] | None = None

    @field_validator("viewport")
    @classmethod
    def _viewport(cls, value: str | None) -> str | None:
        if value is not None:
            parse_viewport(value)
        return value

    def apply(self, base: CaptureSettings) -> CaptureSettings:
        """Return base with this override's set values."""
        changes = self.model_dump(exclude={"url"}, exclude_none=True)
        return base.model_copy(update=changes)


class Job(StrictModel):
    """A batch of URLs and how to capture them."""

    version: Literal[1]
    name: str = Field(description="names the run folder: <output>/<name>/<run id>/")
    urls: list[Url] = Field(default_factory=list)
    urls_file: Path | None = Field(default=None, description="one URL a line; # comments")
    defaults: CaptureSettings = Field(default_factory=CaptureSettings)
    overrides: list[UrlOverride] = Field(default_factory=list)
    sites: list[Path] = Field(default_factory=list, description="site config folders")
    browser: str | None = None
    concurrency: int = Field(default=2, ge=1, le=64)
    retries: int = Field(default=2, ge=0, le=10)
    retry_backoff: float = Field(default=2.0, ge=0, le=600, description="seconds, doubled")
    host_delay: float = Field(
        default=0.0, ge=0, le=600, description="seconds between pages of a host"
    )
    output: Path = Path("archives")
    wacz: bool = True
    qa: bool = Field(default=False, description="replay and score each capture after it")
    sign_key: Path | None = Field(default=None, description="Ed25519 key that signs captures")
    tsa: list[str] = Field(default_factory=list, description="RFC 3161 time stamp authorities")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError(
                f"{value!r} cannot name a folder. Use letters, digits, '.', '_' or '-' (64 at most)"
            )
        return value

    @field_validator("tsa")
    @classmethod
    def _tsa(cls, value: list[str]) -> list[str]:
        return [checked_tsa_url(url) for url in value]

    @model_validator(mode="after")
    def _some_urls(self) -> Job:
        if not self.urls and self.urls_file is None:
            raise ValueError("the job lists no URLs. Add `urls:` or `urls_file:`")
        return self

    def settings_for(self, url: str) -> CaptureSettings:
        """Return the capture settings of url: defaults with its override applied."""
        for override in self.overrides:
            if override.url == url:
                return override.apply(self.defaults)
        return self.defaults


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


def read_urls_file(path: Path) -> list[str]:
    """Return the URLs of a URL file (one a line; blank lines and # comments skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such URL file. Check `urls_file:` in the job.") from None
    urls = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not text:
            continue
        try:
            urls.append(_checked_url(text))
        except ValueError as exc:
            raise ConfigError(f"{path}:{number}: {exc}") from None
    return urls


def load_job(path: Path) -> tuple[Job, list[str]]:
    """Return the job at path and all its URLs (inline, then from urls_file), deduplicated.

    Relative `urls_file`, `sites` and `sign_key` are read from the job file's folder; `output`
    from the working directory, as `--output` is. An override for a URL the job does not list
    is an error (it would silently do nothing).
    """
    data, lines = read_yaml(path)
    job = validate(Job, data, path, lines)
    base = path.parent
    updates: dict[str, object] = {"sites": [_resolve(base, p) for p in job.sites]}
    if job.urls_file is not None:
        updates["urls_file"] = _resolve(base, job.urls_file)
    if job.sign_key is not None:
        updates["sign_key"] = _resolve(base, job.sign_key)
    job = job.model_copy(update=updates)
    urls = list(job.urls)
    if job.urls_file is not None:
        if not job.urls_file.is_file():
            where = _where(path, lines, ("urls_file",))
            raise ConfigError(
                f"{where}: urls_file: {job.urls_file}: no such URL file. Fix the path "
                "(relative paths are read from the job file's folder)."
            )
        urls += read_urls_file(job.urls_file)
    for index, folder in enumerate(job.sites):
        if not folder.is_dir():
            where = _where(path, lines, ("sites", index))
            raise ConfigError(
                f"{where}: sites[{index}]: {folder} is not a folder. Fix the path or remove it."
            )
    urls = list(dict.fromkeys(urls))
    listed = set(urls)
    for index, override in enumerate(job.overrides):
        if override.url not in listed:
            where = _where(path, lines, ("overrides", index, "url"))
            raise ConfigError(
                f"{where}: overrides[{index}].url: {override.url} is not one of the job's URLs. "
                "Add it to `urls:` (or the URL file) or fix the address."
            )
    return job, urls


def _where(path: Path, lines: dict[KeyPath, int], key: KeyPath) -> str:
    line = lines.get(key)
    return f"{path}:{line}" if line else str(path)


def _resolve(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else base / path
