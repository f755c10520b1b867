"""A WACZ's fixity: every file its datapackage.json lists is there, whole, of the listed size and
hash, nothing else is, and datapackage.json matches datapackage-digest.json."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

from capture.output.files import sha256_label
from capture.output.wacz import DATAPACKAGE, DIGEST, PAGES_PATH

_CHUNK_BYTES = 1 << 20


def verify_wacz(path: Path) -> list[str]:
    """Return the problems found in the WACZ at path ([] when there are none).

    Problems are damaged, missing or unlisted files, and hashes or sizes that do not match.
    Every file listed in datapackage.json is read and its size and hash compared, and
    datapackage.json itself is checked against datapackage-digest.json.
    """
    if not path.is_file():
        return [f"{path} does not exist"]
    try:
        with zipfile.ZipFile(path) as package:
            return _package_problems(package)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"{path} could not be read as a ZIP file ({exc})"]


def _package_problems(package: zipfile.ZipFile) -> list[str]:
    names = {name for name in package.namelist() if not name.endswith("/")}
    if DATAPACKAGE not in names:
        return [f"{DATAPACKAGE} is missing"]
    described, problems = _member_bytes(package, DATAPACKAGE)
    try:
        manifest = json.loads(described)
        resources = list(manifest["resources"])
    except (ValueError, KeyError, TypeError) as exc:
        return [*problems, f"{DATAPACKAGE} is not a data package ({exc})"]
    if manifest.get("wacz_version") is None:
        problems.append(f"{DATAPACKAGE} has no wacz_version")
    problems += _digest_problems(package, names, described)
    listed = set()
    for resource in resources:
        listed.add(str(resource.get("path")))
        problems += _resource_problems(package, names, resource)
    for name in sorted(names - listed - {DATAPACKAGE, DIGEST}):
        problems.append(f"{name} is in the package but not listed in {DATAPACKAGE}")
    if not any(name.startswith("archive/") for name in listed):
        problems.append(f"{DATAPACKAGE} lists no WARC under archive/")
    if PAGES_PATH not in listed:
        problems.append(f"{PAGES_PATH} is missing")
    return problems


def _digest_problems(package: zipfile.ZipFile, names: set[str], described: bytes) -> list[str]:
    if DIGEST not in names:
        return []  # optional in WACZ 1.1.1
    data, problems = _member_bytes(package, DIGEST)
    try:
        expected = str(json.loads(data)["hash"])
    except (ValueError, KeyError, TypeError) as exc:
        return [*problems, f"{DIGEST} is unreadable ({exc})"]
    actual = sha256_label(described)
    if expected != actual:
        problems.append(
            f"{DATAPACKAGE} does not match {DIGEST} (expected {expected}, got {actual})"
        )
    return problems


def _resource_problems(
    package: zipfile.ZipFile, names: set[str], resource: dict[str, Any]
) -> list[str]:
    name = str(resource.get("path"))
    if name not in names:
        return [f"{name} is listed in {DATAPACKAGE} but missing from the package"]
    algorithm, _, expected = str(resource.get("hash", "")).partition(":")
    try:
        digest = hashlib.new(algorithm)
    except ValueError:
        return [f"{name} has an unknown hash {resource.get('hash')!r} in {DATAPACKAGE}"]
    size = 0
    try:
        with package.open(name) as reader:
            for chunk in iter(lambda: reader.read(_CHUNK_BYTES), b""):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        return [f"{name} is damaged ({exc})"]
    problems = []
    actual = digest.hexdigest()
    if actual != expected:
        problems.append(
            f"{name} hash mismatch (expected {algorithm}:{expected}, got {algorithm}:{actual})"
        )
    if resource.get("bytes") is not None and resource.get("bytes") != size:
        problems.append(
            f"{name} size mismatch (expected {resource.get('bytes')} bytes, got {size})"
        )
    return problems


def _member_bytes(package: zipfile.ZipFile, name: str) -> tuple[bytes, list[str]]:
    try:
        return package.read(name), []
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        return b"", [f"{name} is damaged ({exc})"]
