"""Session files: cookies.txt read, written owner-only, never inside an archive."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from capture.errors import UsageError
from capture.sessions.logins import state_values
from capture.sessions.statefile import parse_cookies_txt, read_session, write_session

COOKIES_TXT = """# Netscape HTTP Cookie File
# This is a generated file! Do not edit.

.example.org\tTRUE\t/\tTRUE\t1893456000\tsid\tabc123secret
#HttpOnly_news.example.org\tFALSE\t/account\tFALSE\t0\ttoken\tt-9f8e7d
"""


def test_a_cookies_txt_becomes_a_storage_state() -> None:
    state = parse_cookies_txt(COOKIES_TXT)
    assert state["origins"] == []
    first, second = state["cookies"]
    assert first == {
        "name": "sid",
        "value": "abc123secret",
        "domain": ".example.org",
        "path": "/",
        "expires": 1893456000.0,
        "httpOnly": False,
        "secure": True,
        "sameSite": "Lax",
    }
    assert (second["name"], second["httpOnly"], second["expires"]) == ("token", True, -1)
    assert state_values(state) == ["abc123secret", "t-9f8e7d"]


def test_a_line_that_is_not_a_cookie_is_named() -> None:
    with pytest.raises(UsageError, match="line 2 is not a cookie"):
        parse_cookies_txt("# header\n.example.org\tTRUE\t/\n")
    with pytest.raises(UsageError, match="holds no cookie"):
        parse_cookies_txt("# only comments\n")


def test_a_session_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = write_session(tmp_path / "sessions" / "site.json", {"cookies": [], "origins": []})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_session(path) == {"cookies": [], "origins": []}
    assert not list(path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("marker", ["run.json", "capture.json", "results.jsonl"])
def test_a_session_file_is_refused_anywhere_inside_an_archive(tmp_path: Path, marker: str) -> None:
    (tmp_path / marker).write_text("{}")
    target = tmp_path / "captures" / "x" / "session.json"
    with pytest.raises(UsageError, match="sit in the archive"):
        write_session(target, {"cookies": []})
    assert not target.exists()


def test_a_session_file_is_refused_beside_a_wacz(tmp_path: Path) -> None:
    (tmp_path / "job.wacz").write_bytes(b"PK")
    with pytest.raises(UsageError, match="sit in the archive"):
        write_session(tmp_path / "session.json", {"cookies": []})
    write_session(tmp_path / "elsewhere" / "session.json", {"cookies": []})  # below is fine


def test_a_file_that_is_not_a_session_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(["not", "a", "state"]))
    with pytest.raises(UsageError, match="not a session file"):
        read_session(path)
    with pytest.raises(UsageError, match="Make one with `capture login`"):
        read_session(tmp_path / "missing.json")
