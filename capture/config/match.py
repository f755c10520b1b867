"""Which site config applies to a URL (pure), and the set of them loaded from folders.

The most specific match wins: an exact host beats a glob, a longer glob (more literal characters)
beats a shorter one, and a `url_regex` beats the same hosts without one. Two configs that tie
for a URL are an error naming both files: at load time when their host globs and regexes are
identical, at match time otherwise.
"""

from __future__ import annotations

import fnmatch
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from capture.config.site import SiteConfig, load_site
from capture.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

Specificity = tuple[bool, int, bool]
"""(exact host, literal characters of the glob, has url_regex): compared in that order."""


def host_specificity(glob: str) -> tuple[bool, int]:
    """Return how specific a host glob is: (no wildcard, count of literal characters)."""
    literal = sum(1 for char in glob if char not in "*?[]")
    return (not any(char in glob for char in "*?["), literal)


def host_matches(glob: str, host: str, port: int | None) -> bool:
    """Return True when glob matches the host (or `host:port` when the glob names a port)."""
    target = f"{host}:{port}" if ":" in glob and port is not None else host
    return fnmatch.fnmatchcase(target, glob)


@dataclass(frozen=True, slots=True)
class SiteSet:
    """The site configs of a run, checked for ties; `match` finds the one for a URL."""

    sites: tuple[SiteConfig, ...] = ()

    @classmethod
    def of(cls, sites: Iterable[SiteConfig]) -> SiteSet:
        """Return the set of sites, or raise ConfigError when two are equally specific."""
        listed = tuple(sites)
        seen: dict[tuple[str, str | None], tuple[SiteConfig, int]] = {}
        for site in listed:
            for index, glob in enumerate(site.match.hosts):
                key = (glob, site.match.url_regex)
                if key in seen:
                    raise ConfigError(_tie_message(seen[key], (site, index), glob))
                seen[key] = (site, index)
        return cls(listed)

    def match(self, url: str) -> SiteConfig | None:
        """Return the most specific config for url, None when none applies.

        Raises ConfigError when two configs match url equally specifically.
        """
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        best: list[tuple[Specificity, SiteConfig]] = []
        for site in self.sites:
            score = _score(site, url, host, port)
            if score is None:
                continue
            if not best or score > best[0][0]:
                best = [(score, site)]
            elif score == best[0][0]:
                best.append((score, site))
        if len(best) > 1:
            names = " and ".join(site.source or site.name for _, site in best)
            raise ConfigError(
                f"{url} is matched equally well by {names}. Make one more specific "
                "(an exact host, or a url_regex) or merge them."
            )
        return best[0][1] if best else None


def _score(site: SiteConfig, url: str, host: str, port: int | None) -> Specificity | None:
    regex = site.match.url_regex
    if regex is not None and not re.search(regex, url):
        return None
    scores = [host_specificity(glob) for glob in site.match.hosts if host_matches(glob, host, port)]
    if not scores:
        return None
    exact, literal = max(scores)
    return (exact, literal, regex is not None)


def _tie_message(first: tuple[SiteConfig, int], second: tuple[SiteConfig, int], glob: str) -> str:
    def where(entry: tuple[SiteConfig, int]) -> str:
        site, index = entry
        line = site.line_of("match", "hosts", index)
        name = site.source or site.name
        return f"{name}:{line}" if line else name

    return (
        f"{where(second)}: match.hosts[{second[1]}]: {glob!r} is matched equally specifically by "
        f"{where(first)} (same host glob, same url_regex). Narrow one with a url_regex or "
        "merge the two configs."
    )


def load_sites(folders: list[Path]) -> SiteSet:
    """Return the SiteSet of every *.yaml and *.yml in folders (sorted), or raise ConfigError.

    Two configs matching the same host glob with the same url_regex are equally specific;
    that is an error naming both files.
    """
    sites: list[SiteConfig] = []
    for folder in folders:
        if folder.is_file():
            sites.append(load_site(folder))
            continue
        if not folder.is_dir():
            raise ConfigError(f"{folder}: no such folder of site configs. Fix the path.")
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        sites.extend(load_site(file) for file in files)
    return SiteSet.of(sites)
