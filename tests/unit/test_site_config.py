"""Site configs: strict validation naming file:line, key path and the fix; specificity matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.config.match import SiteSet, load_sites
from capture.config.selector import selector_problem
from capture.config.site import load_site, site_schema
from capture.errors import ConfigError
from capture.overlays.login import REDACTED, redact
from capture.sessions.secrets import credential_values

ROOT = Path(__file__).resolve().parents[2]
GOOD = """version: 1
name: example
match:
  hosts: ["example.com"]
actions:
  - click: "#accept"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_site(path)
    return str(caught.value)


def test_shipped_and_fixture_configs_load() -> None:
    sites = load_sites([ROOT / "configs" / "sites", ROOT / "tests/sites/overlays/configs"])
    assert len(sites.sites) >= 9


def test_unknown_action_names_file_line_path_and_allowed_actions(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD + "  - clik: '#x'\n")
    message = error_of(path)
    assert message.startswith(f"{path}:7: actions[1].clik: unknown key.")
    assert "click" in message and "unlock_scroll" in message and "when_visible" not in message


def test_bad_selector_names_its_line_and_the_problem(tmp_path: Path) -> None:
    text = GOOD + "  - remove:\n      selector: 'div >'\n"
    message = error_of(write(tmp_path, "b.yaml", text))
    assert ":8: actions[1].remove.selector:" in message
    assert "ends with a combinator" in message


def test_wrong_type_names_key_path(tmp_path: Path) -> None:
    text = GOOD + "  - wait_for:\n      selector: '#x'\n      timeout_s: soon\n"
    message = error_of(write(tmp_path, "c.yaml", text))
    assert ":9: actions[1].wait_for.timeout_s:" in message and "number" in message


def test_two_actions_in_one_item_are_refused(tmp_path: Path) -> None:
    text = GOOD + "  - remove: '#x'\n    hide: '#y'\n"
    message = error_of(write(tmp_path, "d.yaml", text))
    assert ":7: actions[1]:" in message and "found remove and hide" in message


def test_version_is_required(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "e.yaml", GOOD.replace("version: 1\n", "")))
    assert "version: this key is required" in message


def test_secrets_are_refused_as_env_names(tmp_path: Path) -> None:
    text = GOOD + (
        "login:\n  username_field: '#u'\n  password_field: '#p'\n  success: '.ok'\n"
        "  username_env: READER\n  password_env: 'hunter2!'\n"
    )
    message = error_of(write(tmp_path, "f.yaml", text))
    assert ":12: login.password_env:" in message and "never write the secret" in message


def test_shorthands_expand_to_the_main_field(tmp_path: Path) -> None:
    text = GOOD + "  - press: Escape\n  - wait: 0.5\n  - unlock_scroll: true\n  - unclamp: main\n"
    site = load_site(write(tmp_path, "g.yaml", text))
    chosen = [item.chosen for item in site.actions]
    assert [name for name, _ in chosen] == ["click", "press", "wait", "unlock_scroll", "unclamp"]
    assert chosen[1][1].key == "Escape"  # type: ignore[attr-defined]
    assert site.rule("actions", 1, "press") == f"site:{tmp_path / 'g.yaml'}#actions[1].press"


@pytest.mark.parametrize(
    ("selector", "valid"),
    [
        ("#ijr-cookie-consent .cookie-consent__accept", True),
        ("button:has-text('Accept all')", True),
        ("div:not(.a, .b) > [data-x='1' i]", True),
        ("iframe[src*=consent] >> text=Agree", True),
        ("xpath=//button[@id='ok']", True),
        ("a:hoverr", False),
        ("div >", False),
        (".a..b", False),
        ("xpath=//div[", False),
        ("text=", False),
        ("div:has(", False),
    ],
)
def test_selectors_are_checked(selector: str, valid: bool) -> None:
    assert (selector_problem(selector) is None) is valid


def site(name: str, hosts: list[str], url_regex: str | None = None) -> str:
    regex = f"  url_regex: '{url_regex}'\n" if url_regex else ""
    return f"version: 1\nname: {name}\nmatch:\n  hosts: {hosts}\n{regex}"


def test_most_specific_config_wins(tmp_path: Path) -> None:
    write(tmp_path, "1.yaml", site("any", ["*.example.com", "example.com"]))
    write(tmp_path, "2.yaml", site("news", ["*.news.example.com"]))
    write(tmp_path, "3.yaml", site("www", ["www.news.example.com"]))
    write(tmp_path, "4.yaml", site("www-live", ["www.news.example.com"], "/live/"))
    sites = load_sites([tmp_path])

    def name(url: str) -> str | None:
        found = sites.match(url)
        return found.name if found else None

    assert name("https://example.com/a") == "any"
    assert name("https://a.example.com/a") == "any"
    assert name("https://m.news.example.com/a") == "news"
    assert name("https://www.news.example.com/a") == "www"
    assert name("https://www.news.example.com/live/1") == "www-live"
    assert name("https://example.org/") is None


def test_equally_specific_configs_are_an_error_naming_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", site("a", ["example.com"]))
    second = write(tmp_path, "b.yaml", site("b", ["www.example.com", "example.com"]))
    with pytest.raises(ConfigError) as caught:
        load_sites([tmp_path])
    message = str(caught.value)
    assert f"{second}:4: match.hosts[1]:" in message and f"{first}:4" in message


def test_tie_at_match_time_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", site("a", ["example.com"], "/news/"))
    write(tmp_path, "b.yaml", site("b", ["example.com"], "/2024/"))
    sites = load_sites([tmp_path])
    assert sites.match("https://example.com/news/1").name == "a"  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=r"a\.yaml and .*b\.yaml"):
        sites.match("https://example.com/news/2024/1")


def test_empty_site_set_matches_nothing() -> None:
    assert SiteSet().match("https://example.com/") is None


def test_schema_lists_every_action() -> None:
    schema = site_schema()
    actions = schema["$defs"]["ActionItem"]["properties"]
    assert {"click", "remove", "unclamp", "scroll", "script"} <= set(actions)


def test_redact_replaces_plain_and_url_encoded_secrets() -> None:
    body = b"username=reader%40x.org&password=p%26ss+word"
    cleaned, found = redact(body, ["reader@x.org", "p&ss word"])
    assert found and cleaned == b"username=" + REDACTED + b"&password=" + REDACTED


def test_credential_values_come_from_the_environment(tmp_path: Path) -> None:
    text = GOOD + (
        "login:\n  username_field: '#u'\n  password_field: '#p'\n  success: '.ok'\n"
        "  username_env: READER\n  password_env: READER_PASSWORD\n"
    )
    loaded = load_site(write(tmp_path, "h.yaml", text))
    env = {"READER": "ann", "READER_PASSWORD": "pw"}
    assert credential_values(loaded, env) == ("ann", "pw")
    assert credential_values(loaded, {}) == ()


def test_cookie_values_from_the_environment_count_as_secrets(tmp_path: Path) -> None:
    path = tmp_path / "paywalled.yaml"
    path.write_text(
        "version: 1\nname: paywalled\nmatch: {hosts: [news.example]}\n"
        "before:\n  - cookies:\n"
        "      - {name: session, value_env: NEWS_SESSION, domain: news.example}\n"
    )
    site = load_site(path)
    assert credential_values(site, {"NEWS_SESSION": "tok-123"}) == ("tok-123",)
    assert credential_values(site, {}) == ()
