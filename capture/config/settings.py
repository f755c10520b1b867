"""The job file's capture settings (`defaults:` and `overrides:`), derived from `CaptureOptions`.

Every key, type, bound, default and description comes from the one definition in
`capture.options`; nothing about an option is written here. Older spellings of a key (`timeout`
for `timeout_s`) are still read, with a warning that names the new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, create_model

from capture.config.loader import StrictModel
from capture.options import OUTPUTS, CaptureOptions, Option, option_default, option_fields


def _annotation(spec: Option) -> Any:
    """Return the pydantic type of an option's data form, checked by the option itself."""
    check = AfterValidator(lambda value: spec.to_data(spec.check(value)))
    match spec.kind:
        case "seconds":
            return Annotated[float, Field(ge=spec.low, le=spec.high)]
        case "count":
            return Annotated[int, Field(ge=spec.low, le=spec.high)]
        case "flag":
            return bool
        case "choice":
            return Literal.__getitem__(spec.choices)
        case "text" | "url":
            return Annotated[str | None, check]
        case "outputs":
            return list[Literal.__getitem__(OUTPUTS)]  # type: ignore[misc]
        case _:
            return Annotated[str, check]


class _SettingsBase(StrictModel):
    old_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        name: spec.aliases for name, spec in option_fields() if spec.aliases
    }


class _SettingsMethods(_SettingsBase):
    def options(self) -> CaptureOptions:
        """Return these settings as the pipeline's CaptureOptions."""
        return CaptureOptions.from_json(self.model_dump())


def _settings_model() -> type[_SettingsMethods]:
    definitions: dict[str, Any] = {
        name: (_annotation(spec), Field(default=option_default(name), description=spec.help))
        for name, spec in option_fields()
    }
    model: type[_SettingsMethods] = create_model(
        "CaptureSettings",
        __base__=_SettingsMethods,
        __doc__="Capture options a job sets for every URL (`defaults:`); the CLI's flags.",
        **definitions,
    )
    return model


def override_model(url: Any) -> type[OverrideBase]:
    """Return the model of one entry of `overrides:`: a URL (of type url) and any option."""
    definitions: dict[str, Any] = {
        name: (_annotation(spec) | None, Field(default=None, description=spec.help))
        for name, spec in option_fields()
    }
    model: type[OverrideBase] = create_model(
        "UrlOverride",
        __base__=OverrideBase,
        __doc__="Settings for one URL that differ from the job's defaults.",
        url=(url, ...),
        **definitions,
    )
    return model


class OverrideBase(_SettingsBase):
    url: str

    def apply(self, base: Any) -> Any:
        """Return base (CaptureSettings) with this override's set values."""
        changes = self.model_dump(exclude={"url"}, exclude_none=True)
        return base.model_copy(update=changes)


if TYPE_CHECKING:

    class CaptureSettings(_SettingsMethods):
        """Capture options a job sets for every URL (`defaults:`)."""

        def __getattr__(self, name: str) -> Any: ...

else:
    CaptureSettings = _settings_model()
