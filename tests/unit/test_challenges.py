"""Challenges of every vendor the verdict knows, and pages that only look like them."""

from __future__ import annotations

import pytest

from capture.models import CaptureState
from capture.verdict import Document, PageFacts, Reason, judge

URL = "https://shop.example/product/42"
NOTE = "Please wait while we check your connection."


def judged(
    status: int,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    urls: tuple[str, ...] = (),
    inline: str = "",
    title: str = "",
    text: str = NOTE,
) -> tuple[Reason | None, str | None]:
    """Return the reason and vendor of the verdict on such a page."""
    page = PageFacts(title=title, text=text, text_chars=len(text), urls=urls, inline=inline)
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
        ({"headers": (("X-DataDome", "protected"),)}, "DataDome"),
        ({"inline": "px-captcha window._pxAppId='PX12'"}, "PerimeterX/HUMAN"),
        ({"text": "Press & Hold to confirm you are a human (and not a bot)."}, "PerimeterX/HUMAN"),
        (
            {"urls": ("https://shop.example/_Incapsula_Resource?SWJIYLWA=5074a7",)},
            "Imperva/Incapsula",
        ),
        ({"headers": (("X-Iinfo", "9-1234-0 NNNN"),)}, "Imperva/Incapsula"),
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
        ({"headers": (("Server", "ddos-guard"),)}, "DDoS-Guard"),
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
