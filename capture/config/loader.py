"""Reading YAML config files with line numbers, and turning validation errors into one message.

The only code that reads YAML. A problem names the file, the line, the key path and the fix:
`configs/jobs/daily.yaml:7: urls[2]: 'ftp://x' is not an http(s) URL. Give a full https:// address.`
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from capture.errors import ConfigError

log = logging.getLogger(__name__)

KeyPath = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


def renamed_keys(data: Any, old_keys: Mapping[str, tuple[str, ...]], file: str = "") -> Any:
    """Return data with the older spellings of keys renamed to their current names.

    old_keys maps a current key to its older spellings (`timeout_s`: `timeout`). Each old
    spelling found is logged as a warning naming the file, the key and its new name; a key given
    in both spellings is an error (`key_twice`, located at the old key) saying which to keep."""
    if not old_keys or not isinstance(data, dict):
        return data
    renamed = dict(data)
    for name, olds in old_keys.items():
        for old in olds:
            if old not in renamed:
                continue
            if name in renamed:
                raise PydanticCustomError(
                    "key_twice",
                    "`{old}` and `{name}` are the same key. Keep `{name}` only",
                    {"old": old, "name": name},
                )
            log.warning(
                "deprecated key",
                extra={
                    "file": file,
                    "key": old,
                    "use": name,
                    "fix": f"rename `{old}:` to `{name}:`",
                },
            )
            renamed[name] = renamed.pop(old)
    return renamed


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, values are frozen, and the older
    spellings of keys in `old_keys` still load, with a warning."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    old_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """The older spellings of this model's keys (`timeout_s`: (`timeout`,)), kept so that
    files written before a key got its unit still load."""

    @model_validator(mode="before")
    @classmethod
    def _current_keys(cls, data: Any, info: ValidationInfo) -> Any:
        file = str((info.context or {}).get("file", ""))
        return renamed_keys(data, cls.old_keys, file)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"{key_node.start_mark.line + 1}: the key {key!r} appears twice "
                    f"(first on line {seen[key] + 1}). Keep one of them."
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _lines(node: yaml.Node | None, path: KeyPath = ()) -> Iterator[tuple[KeyPath, int]]:
    if node is None:
        return
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            yield (*path, key), key_node.start_mark.line + 1
            for sub, line in _lines(value_node, (*path, key)):
                if sub != (*path, key):
                    yield sub, line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _lines(item, (*path, index))


def read_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Return the parsed document and the line of every key path, or raise ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file. Check the path (it is relative to {Path.cwd()})."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}). Save it as UTF-8 text.") from exc
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)
    except ConfigError as exc:
        raise ConfigError(f"{path}:{exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML ({problem}). Fix the syntax there.") from None
    return data, dict(_lines(node))


def format_path(path: KeyPath) -> str:
    """Return a key path as people write it: `sites[2].click.selector`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_for(path: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _problem(error: Any, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, error["loc"][:-1])) or "none"
        return f"unknown key. Allowed here: {allowed}"
    if kind == "missing":
        return "this key is required. Add it"
    return str(error["msg"]).removeprefix("Value error, ")


def _allowed_keys(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in path:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def validate(model: type[Model], data: Any, path: Path, lines: dict[KeyPath, int]) -> Model:
    """Return data validated as model, or raise ConfigError listing every problem with its line."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of keys at the top level (start with `version: 1`)."
        )
    try:
        return model.model_validate(data, context={"file": str(path)})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(
                part
                for part in error["loc"]
                if not isinstance(part, str) or not part.startswith("function-")
            )
            if error["type"] == "key_twice":
                loc = (*loc, error["ctx"]["old"])
            line = _line_for(loc, lines)
            where = f"{path}:{line}" if line else str(path)
            problem = _problem(error, model).rstrip(".")
            problems.append(f"{where}: {format_path(loc)}: {problem}.")
        raise ConfigError("\n".join(problems)) from None


def load(model: type[Model], path: Path) -> Model:
    """Return the YAML file at path validated as model, or raise ConfigError."""
    data, lines = read_yaml(path)
    return validate(model, data, path, lines)
