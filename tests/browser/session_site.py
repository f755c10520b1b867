"""A members' site for the session tests: articles behind a JS login wall, on 127.0.0.1.

The article page fetches its text from an API with the session cookie and a bearer token that
the login page keeps in localStorage; without a live session the page shows `#login-wall`.
Sessions expire after a number of article requests or seconds; the login endpoint is rate
limited; with `second_factor` a login also asks for a code. Every secret the site hands out is
kept in `MembersSite.secrets`, for the tests that scan every output byte for them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from capture.config.site import SiteConfig, load_site
from capture.demo.localsite import LocalSite
from capture.demo.replies import Reply, SiteRequest, html, redirect

CONFIG = Path(__file__).resolve().parents[1] / "sites" / "sessions" / "members.yaml"
USER = "member-4c1b"
PASSWORD = "pw-8e2f-members-only"
CODE = "246810"
EMAIL = "alice-7d3f@members.example"
"""The member's e-mail address: the page shows it in a heading; `redact_env` names it."""
EMAIL_ENV = "CAPTURE_TEST_MEMBER_EMAIL"
USER_ENV = "CAPTURE_TEST_MEMBER_USER"
PASSWORD_ENV = "CAPTURE_TEST_MEMBER_PASSWORD"
LAST_WORDS = "END-OF-MEMBERS-ARTICLE"

ARTICLE_JS = """
(async () => {
  const token = localStorage.getItem("access_token") || "";
  const res = await fetch("/members/api/article?n=" + __N__,
                          {headers: {"Authorization": "Bearer " + token}});
  const main = document.getElementById("article");
  if (res.ok) {
    const data = await res.json();
    for (const text of data.paragraphs) {
      const p = document.createElement("p"); p.textContent = text; main.append(p);
    }
    const who = document.createElement("div");
    who.className = "signed-in"; who.textContent = "Signed in as " + data.user;
    document.body.prepend(who);
    const csrf = document.createElement("input");
    csrf.type = "hidden"; csrf.setAttribute("value", document.cookie); main.append(csrf);
  } else {
    const wall = document.createElement("div");
    wall.id = "login-wall";
    wall.innerHTML = '<h2>Log in to keep reading</h2><a href="/members/login">Log in</a>';
    document.body.append(wall);
  }
})();
"""

LOGIN_PAGE = """<!doctype html><html lang=en><head><title>Log in</title></head><body>
<form id="login"><label>User <input id="username" autocomplete="off"></label>
<label>Password <input id="password" type="password"></label>
<label id="code-row">Code (when asked) <input id="code"></label>
<button type="submit">Log in</button></form><p id="error"></p>
<script>
const form = document.getElementById("login");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {username: document.getElementById("username").value,
                password: document.getElementById("password").value,
                code: document.getElementById("code").value};
  const res = await fetch("/members/api/login", {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = res.status === 429 ? {} : await res.json();
  if (res.ok && data.access_token) {
    localStorage.setItem("access_token", data.access_token);
    document.getElementById("error").textContent = "Welcome back.";
    setTimeout(() => { location.href = "/members/account"; }, 300);
  } else if (data.need_code) {
    document.getElementById("error").textContent = "Enter the code we sent you.";
  } else {
    document.getElementById("error").textContent =
      res.status === 429 ? "Too many logins: wait a minute." : "Wrong user name or password.";
  }
});
</script></body></html>"""


@dataclass
class Member:
    """One live session: its cookie, its token and how much it has been used."""

    session_id: str
    csrf: str
    token: str
    started: float
    uses: int = 0


@dataclass
class MembersSite:
    """The routes' state: sessions handed out, logins tried, secrets issued."""

    expire_after_requests: int | None = None
    expire_after_s: float | None = None
    second_factor: bool = False
    login_limit: int = 5
    """Login attempts allowed in a run of the site (more get 429, as a rate limit does)."""
    clock: Callable[[], float] = time.monotonic
    """The site's clock, for `expire_after_s` (a test moves it on instead of waiting)."""
    shown: str = ""
    """Text every article shows (a partner's visitor id, say), when a test sets it."""
    logins: int = 0
    members: dict[str, Member] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def secrets(self) -> list[str]:
        """Return every secret this site knows: credentials and each session's values."""
        return list(self.named_secrets.values())

    @property
    def named_secrets(self) -> dict[str, str]:
        """Return every secret this site knows by what it is (`session 1 token`), for leak
        reports that say which one leaked."""
        values = {"user": USER, "password": PASSWORD, "e-mail": EMAIL}
        with self.lock:
            members = list(self.members.values())
        for number, member in enumerate(members, start=1):
            values[f"session {number} sid"] = member.session_id
            values[f"session {number} csrf"] = member.csrf
            values[f"session {number} token"] = member.token
        return values

    def article(self, request: SiteRequest) -> Reply:
        number = request.params.get("n", "1")
        script = ARTICLE_JS.replace("__N__", json.dumps(number))
        signed_in = self._member(request, bearer=False) is not None
        who = f"<h2>Signed in as {EMAIL}</h2>" if signed_in else ""
        return html(
            f"<!doctype html><html lang=en><head><title>Members article {number}</title>"
            f'</head><body>{who}<main id="article"><h1>Members article {number}</h1>'
            f"<p>The teaser of article {number}, for everyone.</p>"
            f'<p id="shown">{self.shown}</p></main>'
            f"<script>{script}</script></body></html>"
        )

    def api_article(self, request: SiteRequest) -> Reply:
        member = self._member(request, bearer=True)
        if member is None:
            return _json({"error": "log in"}, status=401)
        number = request.params.get("n", "1")
        paragraphs = [
            f"Paragraph {i} of members article {number}, for members only." for i in range(1, 8)
        ]
        paragraphs.append(f"{LAST_WORDS}-{number}")
        return _json({"user": USER, "paragraphs": paragraphs})

    def login_page(self, request: SiteRequest) -> Reply:
        return html(LOGIN_PAGE)

    def api_login(self, request: SiteRequest) -> Reply:
        with self.lock:
            self.logins += 1
            if self.logins > self.login_limit:
                return _json({"error": "rate limited"}, status=429)
        fields = json.loads(request.body or b"{}")
        if fields.get("username") != USER or fields.get("password") != PASSWORD:
            return _json({"error": "wrong"}, status=403)
        if self.second_factor and fields.get("code") != CODE:
            return _json({"need_code": True}, status=401)
        member = Member(
            secrets.token_hex(12), secrets.token_hex(10), secrets.token_hex(16), self.clock()
        )
        with self.lock:
            self.members[member.session_id] = member
        cookies = (
            ("Set-Cookie", f"sid={member.session_id}; Path=/; HttpOnly"),
            ("Set-Cookie", f"csrf={member.csrf}; Path=/"),
        )
        reply = _json({"ok": True, "access_token": member.token})
        return Reply(status=200, headers=(*reply.headers, *cookies), body=reply.body)

    def account(self, request: SiteRequest) -> Reply:
        if self._member(request, bearer=False) is None:
            return redirect("/members/login")
        return html('<!doctype html><title>Account</title><p class="signed-in">Signed in</p>')

    def signed_out(self, request: SiteRequest) -> Reply:
        """Send the visitor to the login page with its session id in the address, as a site
        that ended the session may do."""
        cookies = dict(
            part.strip().split("=", 1)
            for part in (request.header("Cookie") or "").split(";")
            if "=" in part
        )
        return redirect(f"/members/login?sid={cookies.get('sid', '')}&next=/members/signed-out")

    def expire_all(self) -> None:
        """End every session now, as a site does when it logs its users out."""
        with self.lock:
            self.members.clear()

    def _member(self, request: SiteRequest, *, bearer: bool) -> Member | None:
        cookies = dict(
            part.strip().split("=", 1)
            for part in (request.header("Cookie") or "").split(";")
            if "=" in part
        )
        with self.lock:
            member = self.members.get(cookies.get("sid", ""))
            if member is None:
                return None
            if bearer and request.header("Authorization") != f"Bearer {member.token}":
                return None
            if not bearer:
                return member
            member.uses += 1
            too_many = self.expire_after_requests is not None and (
                member.uses > self.expire_after_requests
            )
            too_old = self.expire_after_s is not None and (
                self.clock() - member.started > self.expire_after_s
            )
            return None if too_many or too_old else member


def _json(data: object, status: int = 200) -> Reply:
    return Reply(
        status=status,
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(data).encode(),
    )


def members_config() -> SiteConfig:
    """Return the members' site config (tests/sites/sessions/members.yaml)."""
    return load_site(CONFIG)


@contextmanager
def members_site(state: MembersSite | None = None) -> Iterator[tuple[LocalSite, MembersSite]]:
    """Yield the members' site on 127.0.0.1 and its state."""
    state = state or MembersSite()
    routes = {
        "/members/article": state.article,
        "/members/api/article": state.api_article,
        "/members/login": state.login_page,
        "/members/api/login": state.api_login,
        "/members/account": state.account,
        "/members/signed-out": state.signed_out,
    }
    with LocalSite(CONFIG.parent, routes) as site:
        yield site, state


def logins(site: LocalSite) -> int:
    """Return how many times the login endpoint was hit."""
    return sum(1 for r in site.requests if r.path == "/members/api/login")
