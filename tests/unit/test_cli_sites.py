"""Which site configs a capture from the command line uses: the demo's own, configs/sites of
the working folder by default, none with --no-sites."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capture import api, cli
from capture.browser.recorder import ExchangeSink
from capture.demo import DEMO_SITE_CONFIG
from capture.models import CaptureRequest, PageCapture
from tests.fakes import FakeRenderer
from tests.unit.test_cli import keep_sigterm, opener

__all__ = ["keep_sigterm"]  # main() installs a SIGTERM handler: restored after each test


@dataclass
class SiteRecorder(FakeRenderer):
    """A fake renderer that keeps the site config each request came with."""

    sites: list[object] = field(default_factory=list)

    async def render(self, request: CaptureRequest, sink: ExchangeSink) -> PageCapture:
        self.sites.append(request.site)
        return await super().render(request, sink)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SiteRecorder:
    renderer = SiteRecorder()
    monkeypatch.setattr(api, "open_renderer", opener(renderer))
    monkeypatch.chdir(tmp_path)  # a working folder of the test's own
    return renderer


def main(*argv: str | Path) -> int:
    return cli.main([str(arg) for arg in argv])


def source(site: object) -> str:
    return str(getattr(site, "source", ""))


def test_the_demo_uses_its_shipped_site_config(fake: SiteRecorder, tmp_path: Path) -> None:
    assert main("demo", "--output", tmp_path / "out") == 0
    [site] = fake.sites
    assert getattr(site, "name", None) == "ijr-demo"
    assert source(site) == str(DEMO_SITE_CONFIG)


def test_the_demo_with_no_sites_gets_the_builtin_handling_only(
    fake: SiteRecorder, tmp_path: Path
) -> None:
    assert main("demo", "--no-sites", "--output", tmp_path / "out") == 0
    assert fake.sites == [None]


def test_a_demo_config_in_the_working_folder_wins(fake: SiteRecorder, tmp_path: Path) -> None:
    (tmp_path / "configs" / "sites").mkdir(parents=True)
    mine = tmp_path / "configs" / "sites" / "ijr-demo.yaml"
    shutil.copy(DEMO_SITE_CONFIG, mine)
    assert main("demo", "--output", tmp_path / "out") == 0
    assert source(fake.sites[0]) == str(Path("configs/sites/ijr-demo.yaml"))


SITE = """version: 1
name: harbour
match:
  hosts: ["harbour.example"]
actions:
  - remove: "#promo"
"""


def test_site_configs_of_the_working_folder_apply_by_default(
    fake: SiteRecorder, tmp_path: Path
) -> None:
    (tmp_path / "configs" / "sites").mkdir(parents=True)
    (tmp_path / "configs" / "sites" / "harbour.yaml").write_text(SITE, encoding="utf-8")
    url = "https://harbour.example/news/1"
    assert main(url, "--output", tmp_path / "out") == 0
    assert main(url, "--no-sites", "--output", tmp_path / "out") == 0
    assert [getattr(site, "name", None) for site in fake.sites] == ["harbour", None]


def test_without_configs_sites_no_site_config_applies(fake: SiteRecorder, tmp_path: Path) -> None:
    assert main("https://harbour.example/news/1", "--output", tmp_path / "out") == 0
    assert fake.sites == [None]
