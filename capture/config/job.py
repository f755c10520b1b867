"""The job file (`configs/jobs/*.yaml`): which URLs to capture, how, and how to run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from capture.config.loader import KeyPath, StrictModel, read_yaml, validate
from capture.config.settings import CaptureSettings, OverrideBase, override_model
from capture.errors import ConfigError, UsageError
from capture.options import JOB_CONCURRENCY, checked_tsa_url, parse_viewport
from capture.plan import normalise_url

__all__ = [
    "CaptureSettings",
    "Job",
    "UrlOverride",
    "checked_tsa_url",
    "load_job",
    "parse_viewport",
]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _checked_url(value: str) -> str:
    try:
        return normalise_url(value)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


Url = Annotated[str, AfterValidator(_checked_url)]


if TYPE_CHECKING:

    class UrlOverride(OverrideBase):
        """Settings for one URL that differ from the job's defaults."""

        def apply(self, base: CaptureSettings) -> CaptureSettings: ...

        def __getattr__(self, name: str) -> Any: ...

else:
    UrlOverride = override_model(Url)


class Job(StrictModel):
    """A batch of URLs and how to capture them."""

    old_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "retry_backoff_s": ("retry_backoff",),
        "host_delay_s": ("host_delay",),
    }

    version: Literal[1]
    name: str = Field(description="names the run folder: <output>/<name>/<run id>/")
    urls: list[Url] = Field(default_factory=list)
    urls_file: Path | None = Field(default=None, description="one URL a line; # comments")
    defaults: CaptureSettings = Field(default_factory=CaptureSettings)
    overrides: list[UrlOverride] = Field(default_factory=list)
    sites: list[Path] = Field(default_factory=list, description="site config folders")
    browser: str | None = None
    concurrency: int = Field(default=JOB_CONCURRENCY, ge=1, le=64)
    retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=2.0, ge=0, le=600, description="seconds, doubled")
    host_delay_s: float = Field(
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
