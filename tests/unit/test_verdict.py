"""The verdict on what a page is (`capture.verdict.judge.judge`), from documents and page facts."""

from __future__ import annotations

import pytest

from capture.models import CaptureState, PageFacts, Reason, Verdict
from capture.verdict.judge import Document, judge, retry_after_s

URL = "https://news.example/2026/11/harbour-wall"
ARTICLE = PageFacts(
    title="Harbour council approves new sea wall",
    headings=("Harbour council approves new sea wall",),
    text="The harbour council voted on Tuesday evening to build a new sea wall. " * 40,
    text_chars=2800,
    media=3,
)
FAILED, PARTIAL, COMPLETE = CaptureState.FAILED, CaptureState.PARTIAL, CaptureState.COMPLETE


def doc(
    status: int | None = 200, *headers: tuple[str, str], final: str = URL, **more: object
) -> Document:
    """Return the main document of URL with this status and these headers."""
    return Document(URL, final, status, tuple(headers), "text/html; charset=utf-8", **more)  # type: ignore[arg-type]


def short(text: str, **more: object) -> PageFacts:
    """Return the facts of a page that is a short message."""
    return PageFacts(text=text, text_chars=len(text), **more)  # type: ignore[arg-type]


def test_an_article_served_with_200_is_the_content() -> None:
    assert judge(doc(200), ARTICLE) is None


@pytest.mark.parametrize("status", [200, 201, 202, 203, 300, 304])
def test_a_success_or_plain_status_with_content_has_no_reason(status: int) -> None:
    assert judge(doc(status), ARTICLE) is None


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_document_is_not_found_and_failed(status: int) -> None:
    verdict = judge(doc(status), ARTICLE)
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.NOT_FOUND, FAILED)
    assert verdict.facts == (f"HTTP status {status}",)
    assert "--keep-error-pages" in verdict.remedy


@pytest.mark.parametrize("status", [400, 402, 405, 418, 451, 500, 502, 504])
def test_other_errors_are_an_http_status_and_failed(status: int) -> None:
    verdict = judge(doc(status), ARTICLE)
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.HTTP_STATUS, FAILED)


def test_a_403_without_markers_or_login_words_is_an_http_status() -> None:
    verdict = judge(doc(403), short("Forbidden"))
    assert verdict is not None and verdict.reason is Reason.HTTP_STATUS


def test_429_is_rate_limited_with_the_wait_the_site_asked_for() -> None:
    verdict = judge(doc(429, ("Retry-After", "120")), short("Too many requests"))
    assert verdict is not None
    assert (verdict.reason, verdict.state, verdict.retry_after_s) == (
        Reason.RATE_LIMITED,
        FAILED,
        120.0,
    )
    assert "Retry-After: 120 s" in verdict.facts


def test_503_is_rate_limited_only_with_retry_after() -> None:
    limited = judge(doc(503, ("retry-after", "30")), short("Maintenance"))
    broken = judge(doc(503), short("Service unavailable"))
    assert limited is not None and limited.reason is Reason.RATE_LIMITED
    assert broken is not None and broken.reason is Reason.HTTP_STATUS


def test_retry_after_as_a_date_counts_from_the_response_date() -> None:
    headers = (
        ("Date", "Tue, 25 Jun 2024 13:24:07 GMT"),
        ("Retry-After", "Tue, 25 Jun 2024 13:25:37 GMT"),
    )
    assert retry_after_s(headers) == 90.0
    assert retry_after_s((("Retry-After", "soon"),)) is None
    assert retry_after_s(()) is None


def test_401_is_login_required_and_the_remedy_names_login_and_storage_state() -> None:
    verdict = judge(doc(401), short("Unauthorized"))
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.LOGIN_REQUIRED, FAILED)
    assert "`login`" in verdict.remedy and "`storage_state`" in verdict.remedy


def test_a_403_that_asks_to_log_in_is_login_required() -> None:
    page = short("Access denied. You may need to login, or you do not have access.")
    page = PageFacts(title="Access denied", text=page.text, text_chars=page.text_chars)
    verdict = judge(
        doc(403), PageFacts(title="403", text="You need to log in first.", text_chars=24)
    )
    assert verdict is not None and verdict.reason is Reason.LOGIN_REQUIRED
    assert judge(doc(403), page) is not None


@pytest.mark.parametrize(
    "final",
    [
        "https://news.example/login?next=/2026/11/harbour-wall",
        "https://news.example/users/sign_in",
        "https://accounts.news.example/signin",
        "https://news.example/wp-login.php?redirect_to=x",
    ],
)
def test_a_redirect_to_a_sign_in_page_is_login_required(final: str) -> None:
    verdict = judge(doc(200, final=final, redirect_chain=(URL, final)), ARTICLE)
    assert verdict is not None and verdict.reason is Reason.LOGIN_REQUIRED
    assert final[:60] in verdict.facts[-1]


def test_asking_for_the_sign_in_page_itself_is_not_login_required() -> None:
    login = "https://news.example/login"
    document = Document(login, login, 200, (), "text/html")
    form = short("Sign in. Email. Password.", password_fields=1, media=1)
    assert judge(document, form) is None


def test_a_page_that_is_only_a_login_form_is_login_required() -> None:
    form = short("Sign in to read. Email. Password. Forgot it?", password_fields=1)
    verdict = judge(doc(200), form)
    assert verdict is not None and verdict.reason is Reason.LOGIN_REQUIRED


def test_a_long_article_with_a_login_box_in_its_header_is_content() -> None:
    page = PageFacts(
        title=ARTICLE.title, text=ARTICLE.text, text_chars=ARTICLE.text_chars, password_fields=1
    )
    assert judge(doc(200), page) is None


@pytest.mark.parametrize(
    "title",
    [
        "Page not found - Solidarité Numérique",
        "404",
        "Erreur 404",
        "Page introuvable",
        "Seite nicht gefunden",
    ],
)
def test_a_200_page_titled_not_found_is_a_soft_404_and_partial(title: str) -> None:
    page = PageFacts(title=title, text="Sorry. " * 300, text_chars=2100, media=2)
    verdict = judge(doc(200), page)
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.NOT_FOUND, PARTIAL)


def test_a_heading_that_says_not_found_is_a_soft_404() -> None:
    page = PageFacts(
        title="Example", headings=("Oops! That page can't be found. 404",), text_chars=90
    )
    verdict = judge(doc(200), page)
    assert verdict is not None and verdict.reason is Reason.NOT_FOUND


def test_a_deep_address_sent_to_the_home_page_is_not_found() -> None:
    home = "https://www.news.example/"
    verdict = judge(doc(200, final=home, redirect_chain=(URL, home)), ARTICLE)
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.NOT_FOUND, PARTIAL)
    assert home in verdict.facts[0]


def test_a_home_page_redirected_to_another_home_page_is_content() -> None:
    start, end = "http://www.kiwix.org/", "https://kiwix.org/en/"
    document = Document(start, end, 200, (), "text/html", (start, "https://www.kiwix.org/", end))
    assert judge(document, ARTICLE) is None


def test_a_short_page_refusing_the_browser_is_unsupported_browser() -> None:
    verdict = judge(doc(200), short("Your browser is not supported. Please upgrade your browser."))
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.UNSUPPORTED_BROWSER, PARTIAL)


def test_a_short_page_asking_for_javascript_needs_javascript() -> None:
    verdict = judge(doc(200), short("You need to enable JavaScript to run this app."))
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.NEEDS_JAVASCRIPT, PARTIAL)


def test_a_long_article_about_javascript_is_content() -> None:
    text = "Why you should enable JavaScript in your browser. " * 60
    assert judge(doc(200), PageFacts(title="JS", text=text, text_chars=len(text))) is None


def test_a_page_with_nothing_visible_is_blank() -> None:
    verdict = judge(doc(200), PageFacts())
    assert verdict is not None
    assert (verdict.reason, verdict.state) == (Reason.BLANK, PARTIAL)


def test_a_page_of_only_a_picture_is_not_blank() -> None:
    assert judge(doc(200), PageFacts(media=1)) is None


def test_a_pdf_has_no_page_facts_verdict() -> None:
    document = Document(URL, URL, 200, (), "application/pdf")
    assert judge(document, PageFacts()) is None


def test_keeping_error_pages_makes_the_verdict_complete_and_keeps_the_reason() -> None:
    verdict = judge(doc(404), ARTICLE, keep=True)
    assert verdict is not None
    assert (verdict.reason, verdict.state, verdict.kept) == (Reason.NOT_FOUND, COMPLETE, True)


def test_the_verdict_survives_json() -> None:
    verdict = judge(doc(429, ("Retry-After", "5")), short("slow down"))
    assert verdict is not None
    assert Verdict.from_json(verdict.to_json()) == verdict
    assert Verdict.from_json({"reason": "nonsense"}) is None
    assert Verdict.from_json(None) is None


def test_a_document_with_no_status_has_only_page_reasons() -> None:
    assert judge(Document(URL, URL, None), ARTICLE) is None


# -- a soft 404 is a page that says so, not an article that mentions it ----------------------------


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        (
            "Cops raided the wrong house, records show \u2013 404 Media",
            "Cops raided the wrong house",
        ),
        ("Highway 404 crash closes northbound lanes", "Highway 404 crash"),
        ("How to fix 'Page Not Found' in WordPress | WP Guide", "How to fix 'Page Not Found'"),
        ("Why free will does not exist", "Why free will does not exist"),
        ("The shop that no longer exists", "A 404 error page, explained"),
    ],
)
def test_an_article_that_mentions_404_or_not_found_is_content(title: str, heading: str) -> None:
    article = PageFacts(
        title=title, headings=(heading,), text=ARTICLE.text, text_chars=2800, articles=1
    )
    assert judge(doc(200), article) is None
    without = PageFacts(title=title, headings=(heading,), text=ARTICLE.text, text_chars=2800)
    assert judge(doc(200), without) is None


@pytest.mark.parametrize(
    "title",
    [
        "404 | News Example",
        "Error 404 - Page not found \u2013 News Example",
        "The page you requested could not be found",
        "Nothing was found",
        "404 \u2013 Not Found",
        "Página no encontrada",
    ],
)
def test_a_not_found_title_is_a_soft_404_with_its_site_name_cut(title: str) -> None:
    page = PageFacts(title=title, text="Try the search. " * 20, text_chars=320, media=1)
    verdict = judge(doc(200), page)
    assert verdict is not None and verdict.reason is Reason.NOT_FOUND


def test_a_long_article_titled_not_found_is_content() -> None:
    page = PageFacts(
        title="Page Not Found: a novel of lost letters - Books",
        text=ARTICLE.text,
        text_chars=2800,
        articles=1,
    )
    assert judge(doc(200), page) is None


# -- sign-in pages are whole path segments and visible forms ---------------------------------------


@pytest.mark.parametrize(
    "final",
    [
        "https://news.example/2024/05/sso-outage-explained",
        "https://news.example/2024/05/login-page-redesign",
        "https://news.example/authors/authentic-voices",
        "https://news.example/blog/signing-off",
    ],
)
def test_a_shortlink_to_an_article_about_sign_in_is_content(final: str) -> None:
    short_link = "https://nws.example/x7Gq"
    document = Document(short_link, final, 200, (), "text/html", (short_link, final))
    assert judge(document, ARTICLE) is None


@pytest.mark.parametrize(
    "final",
    [
        "https://news.example/auth/login?next=/a",
        "https://id.news.example/sso",
        "https://news.example/fr/connexion/login.php",
        "https://news.example/account/login/",
        "https://news.example/sign-in",
    ],
)
def test_a_sign_in_path_at_any_depth_is_login_required(final: str) -> None:
    verdict = judge(doc(200, final=final, redirect_chain=(URL, final)), ARTICLE)
    assert verdict is not None and verdict.reason is Reason.LOGIN_REQUIRED


def test_a_short_page_with_an_article_and_a_password_field_is_content() -> None:
    brief = "The ferry timetable changes on Monday. " * 12
    page = PageFacts(
        title="Ferry", text=brief, text_chars=len(brief), password_fields=1, articles=1
    )
    assert judge(doc(200), page) is None
