"""Challenges of every vendor the verdict knows, and pages that only look like them."""

from __future__ import annotations

import pytest

from capture.models import CaptureState, PageFacts, Reason
from capture.verdict.judge import Document, judge

URL = "https://shop.example/product/42"
NOTE = "Please wait while we check your connection."
HUMAN = "Please verify you are a human."


def judged(
    status: int,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    urls: tuple[str, ...] = (),
    inline: str = "",
    title: str = "",
    text: str = NOTE,
    **more: object,
) -> tuple[Reason | None, str | None]:
    """Return the reason and vendor of the verdict on such a page."""
    page = PageFacts(
        title=title,
        text=text,
        text_chars=len(text),
        urls=urls,
        inline=inline,
        **more,  # type: ignore[arg-type]
    )
    verdict = judge(Document(URL, URL, status, headers, "text/html"), page)
    if verdict is None:
        return None, None
    if verdict.reason is Reason.CHALLENGE:
        assert verdict.state is CaptureState.FAILED
    return verdict.reason, verdict.vendor


CHALLENGE = Reason.CHALLENGE


@pytest.mark.parametrize(
    ("case", "vendor"),
    [
        ({"headers": (("cf-mitigated", "challenge"),)}, "Cloudflare"),
        (
            {"urls": ("https://shop.example/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1",)},
            "Cloudflare",
        ),
        ({"title": "Just a moment...", "inline": "window._cf_chl_opt={}"}, "Cloudflare"),
        ({"urls": ("https://shop.example/_sec/cp_challenge/sec-cpt-if-4-3.js",)}, "Akamai"),
        (
            {"headers": (("Server", "AkamaiGHost"),), "text": "Access Denied. Reference #18.1"},
            "Akamai",
        ),
        ({"urls": ("https://geo.captcha-delivery.com/captcha/?initialCid=x",)}, "DataDome"),
        ({"headers": (("X-DataDome", "protected"),), "text": HUMAN}, "DataDome"),
        ({"inline": "px-captcha window._pxAppId='PX12'"}, "PerimeterX/HUMAN"),
        ({"text": "Press & Hold to confirm you are a human (and not a bot)."}, "PerimeterX/HUMAN"),
        (
            {"urls": ("https://shop.example/_Incapsula_Resource?SWJIYLWA=5074a7",)},
            "Imperva/Incapsula",
        ),
        ({"headers": (("X-Iinfo", "9-1234-0 NNNN"),), "text": HUMAN}, "Imperva/Incapsula"),
        (
            {
                "headers": (("X-CDN", "Imperva"),),
                "text": "Request unsuccessful. Incapsula incident ID: 0-1",
            },
            "Imperva/Incapsula",
        ),
        ({"headers": (("x-amzn-waf-action", "challenge"),)}, "AWS WAF"),
        ({"urls": ("https://abc.token.awswaf.com/abc/def/challenge.js",)}, "AWS WAF"),
        ({"headers": (("X-Sucuri-Block", "BL001"),)}, "Sucuri"),
        ({"text": "Sucuri WebSite Firewall - Access Denied"}, "Sucuri"),
        (
            {"urls": ("https://shop.example/.well-known/ddos-guard/check?context=free_splash",)},
            "DDoS-Guard",
        ),
        (
            {
                "headers": (("Server", "ddos-guard"),),
                "text": "Checking your browser before accessing",
            },
            "DDoS-Guard",
        ),
    ],
)
def test_each_vendor_s_challenge_refused_with_403_is_recognised(
    case: dict[str, object], vendor: str
) -> None:
    assert judged(403, **case) == (CHALLENGE, vendor)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("urls", "vendor"),
    [
        (("https://js.hcaptcha.com/1/api.js",), "hCaptcha"),
        (("https://www.google.com/recaptcha/api.js?render=explicit",), "reCAPTCHA"),
    ],
)
def test_a_captcha_gate_served_with_200_is_a_challenge(urls: tuple[str, ...], vendor: str) -> None:
    assert judged(200, urls=urls, text="Please complete the captcha to continue.") == (
        CHALLENGE,
        vendor,
    )


@pytest.mark.parametrize(
    "urls",
    [("https://js.hcaptcha.com/1/api.js",), ("https://www.google.com/recaptcha/api.js",)],
)
def test_a_long_page_with_a_captcha_in_its_contact_form_is_content(urls: tuple[str, ...]) -> None:
    text = "Our opening hours and how to reach us. " * 60
    assert judged(200, urls=urls, text=text) == (None, None)


def test_a_cloudflare_served_page_that_is_fine_is_content() -> None:
    text = "A long article. " * 200
    assert judged(200, headers=(("Server", "cloudflare"),), text=text) == (None, None)


def test_a_cloudflare_served_404_is_not_found_not_a_challenge() -> None:
    assert judged(404, headers=(("Server", "cloudflare"),), text="Not found") == (
        Reason.NOT_FOUND,
        None,
    )


def test_a_challenge_header_decides_even_on_a_long_page() -> None:
    long_text = "text " * 1000
    assert judged(403, headers=(("cf-mitigated", "challenge"),), text=long_text)[0] is CHALLENGE


def test_an_unknown_vendor_s_short_interstitial_is_a_challenge() -> None:
    assert judged(200, text="One more step: please complete the security check.") == (
        CHALLENGE,
        "unknown",
    )


def test_an_article_quoting_a_challenge_phrase_is_content() -> None:
    text = "Readers who see 'verify you are human' should wait. " * 40
    assert judged(200, text=text) == (None, None)


def test_the_facts_name_what_matched() -> None:
    page = PageFacts(
        title="Just a moment...",
        text="Verifying you are human.",
        text_chars=24,
        urls=("https://wikizilla.org/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1",),
    )
    headers = (("cf-mitigated", "challenge"),)
    verdict = judge(Document(URL, URL, 403, headers, "text/html"), page)
    assert verdict is not None
    assert verdict.facts[0] == "HTTP status 403"
    assert "header cf-mitigated: challenge" in verdict.facts
    assert any("/cdn-cgi/challenge-platform/" in fact for fact in verdict.facts)
    assert verdict.summary().startswith("challenge (Cloudflare): HTTP status 403; ")


def test_a_vendor_header_sent_on_every_page_does_not_make_content_a_challenge() -> None:
    text = "A long article. " * 200
    assert judged(200, headers=(("X-Iinfo", "9-1234-0 NNNN"),), text=text) == (None, None)
    assert judged(200, headers=(("X-DataDome", "protected"),), text=text) == (None, None)


# -- an edge header names who served the page; it never decides ----------------------------------

EDGES = [
    (("Server", "cloudflare"), ("CF-RAY", "8a1b2c3d4e5f-CDG")),
    (("Server", "AkamaiGHost"),),
    (("X-DataDome", "protected"),),
    (("X-Iinfo", "9-1234-0 NNNN"), ("X-CDN", "Imperva")),
    (("Server", "ddos-guard"),),
]


@pytest.mark.parametrize("edge", EDGES)
def test_a_short_error_page_behind_an_edge_is_not_a_challenge(
    edge: tuple[tuple[str, str], ...],
) -> None:
    assert judged(403, headers=edge, text="Forbidden") == (Reason.HTTP_STATUS, None)
    assert judged(503, headers=edge, text="Service unavailable") == (Reason.HTTP_STATUS, None)


@pytest.mark.parametrize("edge", EDGES)
def test_a_429_behind_an_edge_is_rate_limited_with_its_retry_after(
    edge: tuple[tuple[str, str], ...],
) -> None:
    headers = (*edge, ("Retry-After", "60"))
    verdict = judge(
        Document(URL, URL, 429, headers, "text/html"), PageFacts(text="Slow down", text_chars=9)
    )
    assert verdict is not None
    assert (verdict.reason, verdict.retry_after_s) == (Reason.RATE_LIMITED, 60.0)
    assert judged(503, headers=headers, text="Maintenance") == (Reason.RATE_LIMITED, None)


@pytest.mark.parametrize("edge", EDGES)
def test_a_short_login_page_behind_an_edge_is_login_required(
    edge: tuple[tuple[str, str], ...],
) -> None:
    assert judged(401, headers=edge, text="Unauthorized") == (Reason.LOGIN_REQUIRED, None)
    asks = "Access denied. You may need to login."
    assert judged(403, headers=edge, text=asks) == (Reason.LOGIN_REQUIRED, None)


def test_a_429_from_a_cloudflare_zone_with_its_detection_script_is_rate_limited() -> None:
    script = "https://shop.example/cdn-cgi/challenge-platform/scripts/jsd/main.js"
    headers = (("Server", "cloudflare"), ("Retry-After", "30"))
    assert judged(429, headers=headers, urls=(script,), text="Too many requests") == (
        Reason.RATE_LIMITED,
        None,
    )


def test_a_real_marker_behind_an_edge_is_a_challenge_with_the_edge_in_its_facts() -> None:
    headers = (("Server", "cloudflare"), ("Retry-After", "30"))
    page = PageFacts(title="Just a moment...", text="Verifying you are human.", text_chars=24)
    verdict = judge(Document(URL, URL, 429, headers, "text/html"), page)
    assert verdict is not None
    assert (verdict.reason, verdict.vendor) == (CHALLENGE, "Cloudflare")
    assert "served by the 'cloudflare' edge" in verdict.facts


# -- at 200, only a marker found on challenges alone decides ---------------------------------------

BRIEF = (
    "The town council met on Monday to discuss the new cycle lanes on the harbour road. "
    "Residents spoke for and against the plan, and the vote was put off until next month. "
) * 6
"""A news brief of about 150 words: a short page that is content."""


def test_a_news_brief_on_a_cloudflare_zone_is_content() -> None:
    scripts = (
        "https://news.example/cdn-cgi/challenge-platform/scripts/jsd/main.js",
        "https://news.example/cdn-cgi/challenge-platform/h/b/scripts/jsd/r/main.js",
    )
    headers = (("Server", "cloudflare"), ("CF-RAY", "8a1b2c3d4e5f-CDG"))
    assert len(BRIEF) < 1200
    assert judged(200, headers=headers, urls=scripts, text=BRIEF, articles=1) == (None, None)
    assert judged(200, headers=headers, urls=scripts, text=BRIEF) == (None, None)


@pytest.mark.parametrize(
    ("headers", "urls", "inline"),
    [
        ((("X-DataDome", "protected"),), ("https://js.datadome.co/tags.js",), ""),
        ((("X-Iinfo", "9-1234-0 NNNN"),), (), ""),
        ((), ("https://news.example/akam/13/5a7c3f",), ""),
        ((), ("https://news.example/cdn-cgi/challenge-platform/scripts/jsd/main.js",), ""),
        ((), (), "comment-form challenge-form cf-challenge"),
        ((), ("https://client.px-cloud.net/PX12/main.min.js",), "window._pxAppId='PX12'"),
        ((), ("https://abc.token.awswaf.com/abc/def/challenge.js",), "awswafintegration"),
    ],
)
def test_hints_that_vendors_put_on_every_page_do_not_fail_a_short_200_page(
    headers: tuple[tuple[str, str], ...], urls: tuple[str, ...], inline: str
) -> None:
    assert judged(200, headers=headers, urls=urls, inline=inline, text=BRIEF) == (None, None)


def test_a_short_page_with_recaptcha_v3_on_its_comment_form_is_content() -> None:
    urls = ("https://www.google.com/recaptcha/api.js?render=6LcXXXXAAAAA",)
    text = "Thanks for the great recipe! Leave a comment. Name. Email. Comment. Post comment."
    assert judged(200, urls=urls, inline="g-recaptcha comment-form", text=text * 4) == (None, None)
    assert judged(200, urls=urls, text="Leave a comment.", articles=1) == (None, None)


@pytest.mark.parametrize(
    ("case", "vendor"),
    [
        ({"title": "Just a moment..."}, "Cloudflare"),
        ({"text": "Verifying you are human. This may take a few seconds."}, "Cloudflare"),
        ({"inline": "window._cf_chl_opt={cvId:'3'}", "text": BRIEF}, "Cloudflare"),
        ({"headers": (("cf-mitigated", "challenge"),), "text": BRIEF}, "Cloudflare"),
        (
            {"frames": ("https://geo.captcha-delivery.com/captcha/?initialCid=x",), "text": BRIEF},
            "DataDome",
        ),
    ],
)
def test_a_challenge_only_marker_decides_at_200(case: dict[str, object], vendor: str) -> None:
    assert judged(200, **case) == (CHALLENGE, vendor)  # type: ignore[arg-type]


def test_the_real_cloudflare_just_a_moment_403_is_a_challenge() -> None:
    verdict = judge(
        Document(URL, URL, 403, (("Server", "cloudflare"), ("cf-mitigated", "challenge"))),
        PageFacts(
            title="Just a moment...",
            text="wikizilla.org\nVerifying you are human. This may take a few seconds.",
            text_chars=70,
            urls=("https://wikizilla.org/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1",),
            inline="window._cf_chl_opt={cvId: '3', cZone: 'wikizilla.org'}",
        ),
    )
    assert verdict is not None
    assert (verdict.reason, verdict.vendor) == (CHALLENGE, "Cloudflare")
