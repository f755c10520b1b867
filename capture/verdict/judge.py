"""Pure: is the captured page the content asked for, or an error, challenge, login or limit page?

`judge` looks at the main document after redirects (status, headers, final URL) and at facts the
browser read from the rendered page (title, headings, visible text, loaded addresses, forms), and
returns a `Verdict` with a machine-readable `Reason`, the facts that led to it, a remedy and the
capture state it implies, or None when the page is what was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from capture.exchanges import Header
from capture.models import CaptureState, PageCapture, PageFacts, Reason, Verdict
from capture.verdict.challenges import Seen, find_challenge

SHORT_TEXT_CHARS = 1200
"""A page with less visible text than this is a message, not content (challenges, gates)."""

WIDGET_TEXT_CHARS = 300
"""A page with less visible text than this (and no article) is little more than a widget."""

TEXT_CHARS = 4000
"""How much visible text the browser hands over for the verdict."""


@dataclass(frozen=True, slots=True)
class Document:
    """The main document after redirects, as the browser received it."""

    requested_url: str
    final_url: str | None
    status: int | None
    headers: tuple[Header, ...] = ()
    content_type: str | None = None
    redirect_chain: tuple[str, ...] = ()


REMEDIES = {
    Reason.CHALLENGE: "The site served a bot check instead of the page and it did not clear in "
    "the browser. Retry later (a run retries it once), space the site's captures out "
    "(host_delay_s), or capture with a session that passed the check (the site config's "
    "`storage_state`).",
    Reason.RATE_LIMITED: "The site asked to slow down. Retry after the time it gave (a run waits "
    "for it), and raise the job's host_delay_s.",
    Reason.LOGIN_REQUIRED: "The page needs a signed-in session: give the site config a `login` "
    "block or a `storage_state` file (make one with `capture login`).",
    Reason.NOT_FOUND: "The address is gone or wrong: check it, or look for an archived copy. "
    "To keep the error page itself as proof, use --keep-error-pages.",
    Reason.HTTP_STATUS: "The server answered with an error instead of the page: check the "
    "address, retry later for a server error (5xx). To keep the error page itself, use "
    "--keep-error-pages.",
    Reason.UNSUPPORTED_BROWSER: "The site refuses this browser: try another `user_agent` in "
    "the site config.",
    Reason.NEEDS_JAVASCRIPT: "The page's scripts did not bring up its content: see the failed "
    "requests in capture.json, raise --timeout, or check that no site rule blocks a script.",
    Reason.BLANK: "The page painted nothing: raise --timeout, and check the failed requests "
    "in capture.json.",
}
"""What to do about each reason, in one or two sentences."""

LOGIN_PATHS = re.compile(
    r"(?:^|/)(?:log-?in|log_in|sign-?in|sign_in|signon|auth|sso|session/new|wp-login|"
    r"accounts?/log-?in|users?/sign_in|servicelogin|oauth2?/authorize)"
    r"(?:\.(?:php|html?|aspx?|jsp|do))?(?:/|$)",
    re.IGNORECASE,
)
"""Paths of sign-in pages: whole path segments at any depth (`/sso-outage-explained` is not)."""
LOGIN_PHRASES = (
    "need to log in",
    "need to login",
    "must be logged in",
    "please log in",
    "please login",
    "please sign in",
    "login required",
    "log in to continue",
    "sign in to continue",
    "authentication required",
    "connectez-vous",
    "vous devez être connecté",
    "bitte melden sie sich an",
)
NOT_FOUND_TITLES = re.compile(
    r"^\W*(?:(?:oops|whoops|sorry|uh-?oh|error|erreur|fehler)\b\W*)*"
    r"(?:(?:that|this|the)\s+)?(?:"
    r"page not found|404\W{0,3}(?:page\s+)?not found|404\W*$|(?:error|erreur|fehler)\W{0,3}404|"
    r"nothing (?:was )?found|"
    r"page (?:you (?:requested|were looking for|are looking for) )?"
    r"(?:could not|cannot|can't|can\u2019t|couldn't|couldn\u2019t|was not) be found|"
    r"page introuvable|page non trouvée|cette page n'existe pas|cette page n\u2019existe pas|"
    r"seite nicht gefunden|diese seite existiert nicht|"
    r"página no encontrada|pagina no encontrada|pagina non trovata|pagina niet gevonden)",
    re.IGNORECASE,
)
"""A title or heading that says the page is not found: the phrase opens it (after "Oops!",
"Error"...), so an article about a 404 or a title like "Highway 404 crash" does not match."""
SITE_SUFFIX = re.compile(
    r"\s+(?:\||\u2013|\u2014|-|\u00b7|::)\s+(?!.*\s(?:\||\u2013|\u2014|-|\u00b7|::)\s).*$"
)
"""The site-name suffix of a title (" | Site", " - Site", or an en or em dash)."""
UNSUPPORTED_PHRASES = (
    "browser is not supported",
    "browser isn't supported",
    "unsupported browser",
    "upgrade your browser",
    "update your browser",
    "browser is out of date",
    "navigateur n'est pas pris en charge",
)
JAVASCRIPT_PHRASES = (
    "enable javascript",
    "javascript is disabled",
    "javascript is required",
    "requires javascript",
    "turn on javascript",
    "activer javascript",
    "javascript aktivieren",
)
REFUSED_STATUSES = frozenset({401, 403, 405, 428, 429, 503})
HTML_TYPES = ("text/html", "application/xhtml+xml")


def judge(document: Document, page: PageFacts | None, *, keep: bool = False) -> Verdict | None:
    """Return why the capture is not the content asked for, or None when it is.

    keep: the user asked to keep error pages as the capture; the verdict then says complete.
    """
    found = _by_document(document, page) or _by_page(document, page)
    if found is None:
        return None
    if keep:
        return Verdict(
            found.reason,
            found.facts,
            found.remedy,
            CaptureState.COMPLETE,
            kept=True,
            vendor=found.vendor,
            retry_after_s=found.retry_after_s,
        )
    return found


def _by_document(document: Document, page: PageFacts | None) -> Verdict | None:
    status = document.status
    facts = (f"HTTP status {status}",) if status is not None else ()
    match = find_challenge(_seen(document, page))
    challenge = (
        _verdict(Reason.CHALLENGE, facts + match.facts, vendor=match.vendor) if match else None
    )
    if status is None or (challenge is not None and match is not None and match.sure):
        return challenge
    after = retry_after_s(document.headers)
    if status == 429 or (status == 503 and after is not None):
        said = (f"Retry-After: {after:g} s",) if after is not None else ()
        return _verdict(Reason.RATE_LIMITED, facts + said, retry_after_s=after)
    login = _login_facts(document, page)
    if login:
        return _verdict(Reason.LOGIN_REQUIRED, facts + login)
    if challenge is not None:  # hints on a refused page, or a captcha that is all the page is
        return challenge
    if status in (404, 410):
        return _verdict(Reason.NOT_FOUND, facts)
    if status >= 400:
        return _verdict(Reason.HTTP_STATUS, facts)
    return None


def _by_page(document: Document, page: PageFacts | None) -> Verdict | None:
    if page is None or not _is_html(document.content_type):
        return None
    soft = _says_not_found(page)
    if soft:
        return _verdict(Reason.NOT_FOUND, (soft,), state=CaptureState.PARTIAL)
    home = _sent_home(document)
    if home:
        return _verdict(Reason.NOT_FOUND, (home,), state=CaptureState.PARTIAL)
    short = page.text_chars < SHORT_TEXT_CHARS
    text = f"{page.title}\n{page.text}".lower()
    for reason, phrases in (
        (Reason.UNSUPPORTED_BROWSER, UNSUPPORTED_PHRASES),
        (Reason.NEEDS_JAVASCRIPT, JAVASCRIPT_PHRASES),
    ):
        phrase = next((p for p in phrases if p in text), None)
        if phrase and short:
            fact = f"the short page says {phrase!r}"
            return _verdict(reason, (fact,), state=CaptureState.PARTIAL)
    if page.text_chars == 0 and page.media == 0:
        facts = ("the page shows no text, image, drawing, video or frame",)
        return _verdict(Reason.BLANK, facts, state=CaptureState.PARTIAL)
    return None


def _says_not_found(page: PageFacts) -> str:
    """Return a fact when a short page, or one without an article, is titled not found."""
    if page.text_chars >= SHORT_TEXT_CHARS and page.articles:
        return ""
    heading = page.headings[0] if page.headings else ""
    title = SITE_SUFFIX.sub("", page.title.strip())
    for label, value in (("title", title), ("heading", heading.strip())):
        if value and NOT_FOUND_TITLES.search(value):
            return f"the page's {label} is {value[:100]!r}"
    return ""


def _verdict(
    reason: Reason,
    facts: tuple[str, ...],
    *,
    state: CaptureState = CaptureState.FAILED,
    vendor: str | None = None,
    retry_after_s: float | None = None,
) -> Verdict:
    return Verdict(
        reason, facts, REMEDIES[reason], state, vendor=vendor, retry_after_s=retry_after_s
    )


def _seen(document: Document, page: PageFacts | None) -> Seen:
    page = page or PageFacts()
    return Seen(
        headers=document.headers,
        urls=page.urls,
        inline=page.inline.lower(),
        text=page.text.lower(),
        short=page.text_chars < SHORT_TEXT_CHARS,
        refused=document.status in REFUSED_STATUSES,
        title=page.title.lower(),
        frames=page.frames,
        tiny=page.text_chars < WIDGET_TEXT_CHARS and not page.articles,
    )


def _login_facts(document: Document, page: PageFacts | None) -> tuple[str, ...]:
    status = document.status
    if status == 401:
        return ("the server asks for credentials (401)",)
    requested = urlsplit(document.requested_url).path
    final = urlsplit(document.final_url or "").path
    if document.final_url and LOGIN_PATHS.search(final) and not LOGIN_PATHS.search(requested):
        return (f"sent to the sign-in page {document.final_url[:160]}",)
    if page is None:
        return ()
    text = f"{page.title}\n{' '.join(page.headings)}\n{page.text}".lower()
    phrase = next((p for p in LOGIN_PHRASES if p in text), None)
    if status == 403 and phrase:
        return (f"the page says {phrase!r}",)
    asked_for_it = LOGIN_PATHS.search(requested)
    only_form = page.text_chars < SHORT_TEXT_CHARS / 2 and not page.articles
    if page.password_fields and only_form and not asked_for_it:
        return ("the page is only a sign-in form (a visible password field and little else)",)
    return ()


def _sent_home(document: Document) -> str:
    """Return a fact when a deep address was redirected to its site's home page."""
    if len(document.redirect_chain) < 2 or not document.final_url:
        return ""
    asked, got = urlsplit(document.requested_url), urlsplit(document.final_url)
    deep = asked.path.strip("/") not in ("", "index.html", "index.php")
    home = got.path in ("", "/") and not got.query
    same = _site(asked.hostname) == _site(got.hostname)
    return (
        f"a deep address was sent to the home page {document.final_url}"
        if (deep and home and same)
        else ""
    )


def _site(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def _is_html(content_type: str | None) -> bool:
    kind = (content_type or "text/html").split(";")[0].strip().lower()
    return kind in HTML_TYPES


def retry_after_s(headers: tuple[Header, ...]) -> float | None:
    """Return the wait `Retry-After` asks for in seconds (a date counts from `Date`), or None."""
    value = _header(headers, "retry-after").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    asked, now = _date(value), _date(_header(headers, "date"))
    if asked is None or now is None:
        return None
    return max(0.0, (asked - now).total_seconds())


def _date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


def _header(headers: tuple[Header, ...], wanted: str) -> str:
    return next((value for name, value in headers if name.lower() == wanted), "")


def judge_page(page: PageCapture, *, keep: bool = False) -> Verdict | None:
    """Return the verdict on a rendered page (None for a failed capture: it has its error)."""
    if page.error is not None or page.final_url is None:
        return None
    document = Document(
        requested_url=page.url,
        final_url=page.final_url,
        status=page.status,
        headers=page.headers,
        content_type=page.content_type,
        redirect_chain=page.redirect_chain,
    )
    return judge(document, page.seen, keep=keep)
