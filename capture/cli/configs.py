"""`capture check-config` and `capture schema`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from capture.config.job import Job, load_job
from capture.config.loader import read_yaml
from capture.errors import ConfigError, ExitCode

YAML_SUFFIXES = (".yaml", ".yml")


def _files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES)
        else:
            yield path


def _is_site(path: Path) -> bool:
    try:
        data, _ = read_yaml(path)
    except ConfigError:
        return False
    return isinstance(data, dict) and "match" in data


def check(paths: Sequence[Path]) -> ExitCode:
    """Validate every config file under paths; print one line per file; return USAGE on errors."""
    problems = 0
    sites: list[Path] = []
    for path in _files(paths):
        try:
            if _is_site(path):
                from capture.config.site import load_site

                load_site(path)
                sites.append(path)
                kind = "site"
            else:
                load_job(path)
                kind = "job"
        except ConfigError as exc:
            problems += 1
            print(f"error {path}\n{exc}")
            continue
        print(f"ok    {path} ({kind})")
    if sites and not problems:
        problems += _check_overlaps(sites)
    if problems:
        print(f"{problems} file(s) with problems")
        return ExitCode.USAGE
    return ExitCode.OK


def _check_overlaps(sites: list[Path]) -> int:
    from capture.config.match import load_sites

    try:
        load_sites(sorted({path.parent for path in sites}))
    except ConfigError as exc:
        print(f"error {exc}")
        return 1
    return 0


def schema(kind: str) -> ExitCode:
    """Print the JSON Schema of job files, site files, or both."""
    schemas: dict[str, object] = {}
    if kind in ("job", "all"):
        schemas["job"] = Job.model_json_schema()
    if kind in ("site", "all"):
        from capture.config.site import SiteConfig

        schemas["site"] = SiteConfig.model_json_schema()
    document = schemas[kind] if kind != "all" else schemas
    print(json.dumps(document, indent=2))
    return ExitCode.OK
