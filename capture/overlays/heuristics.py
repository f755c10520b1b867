"""Pure rules of the generic overlay pass: what an element covering the page is, which button
answers it, and what to say when it stays. The facts come from generic.js; nothing here touches
a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CONSENT_WORDS = (
    "cookie", "consent", "gdpr", "privacy", "your data", "personalise", "personalize",
    "datenschutz", "einwilligung", "confidentialité", "privacidad", "riservatezza",
)  # fmt: skip
"""Words (and word stems: "cookie" matches "cookies") of a consent banner's text."""

WALL_PHRASES = (
    "continue reading", "keep reading", "read the full", "to read more", "free account",
    "create an account", "create your account", "register to continue", "sign in to continue",
    "log in to continue", "login to continue", "subscribe to continue", "subscribe to read",
    "subscribers only", "for subscribers", "already a subscriber", "members only",
    "are you 18", "are you over 18", "legal drinking age", "verify your age", "age verification",
    "weiterlesen", "jetzt abonnieren", "nur für abonnenten", "continuer la lecture",
    "réservé aux abonnés", "sigue leyendo", "continua a leggere",
)  # fmt: skip
"""Phrases of a registration, subscription or age wall."""

ACCEPT_PHRASES = (
    "accept all", "allow all", "agree to all", "alle akzeptieren", "alle annehmen",
    "alle zulassen", "tout accepter", "aceptar todo", "accetta tutto", "accept", "i agree",
    "agree", "allow", "got it", "understood", "akzeptieren", "zustimmen", "einverstanden",
    "verstanden", "accepter", "j'accepte", "j'ai compris", "d'accord", "compris", "aceptar",
    "entendido", "de acuerdo", "accetta", "accetto", "ho capito", "ok", "okay",
)  # fmt: skip
"""Texts of buttons that accept cookies, most specific first."""

REJECT_PHRASES = (
    "reject all", "decline all", "refuse all", "deny all", "alle ablehnen", "tout refuser",
    "rechazar todo", "rifiuta tutto", "only necessary", "necessary only", "essential only",
    "only essential", "nur notwendige", "nur essenzielle", "continue without accepting",
    "reject", "decline", "refuse", "deny", "ablehnen", "refuser", "rechazar", "rifiuta",
)  # fmt: skip
"""Texts of buttons that refuse cookies, most specific first."""

CLOSE_PHRASES = (
    "close", "dismiss", "no thanks", "no, thanks", "not now", "maybe later", "later", "skip",
    "continue without", "schließen", "schliessen", "nein danke", "fermer", "non merci", "cerrar",
    "chiudi",
    "sluiten", "\u00d7", "\u2715", "\u2716", "x",
)  # fmt: skip
"""Texts, labels and class words of buttons that close an overlay."""

COOKIE_NOTICE_PHRASES = (
    "use cookies", "uses cookies", "use of cookies", "using cookies", "cookie policy",
    "accept cookies", "utilisons des cookies", "utilise des cookies", "utilisation des cookies",
    "utilisation de cookies", "politique de cookies", "accepter les cookies", "verwenden cookies",
    "verwendet cookies", "nutzen cookies", "nutzt cookies", "einsatz von cookies",
    "cookie-richtlinie", "utilizamos cookies", "usamos cookies", "utiliza cookies",
    "uso de cookies", "política de cookies", "aceptar cookies", "utilizziamo cookie",
    "utilizza cookie", "usa cookie", "uso dei cookie",
)  # fmt: skip
"""Phrases of a site's own cookie notice (a bar with no consent platform behind it)."""

SETTINGS_WORDS = ("settings", "manage", "customi", "preferences", "options", "einstellungen")
"""Buttons that open a settings panel instead of answering."""

MIN_COVERAGE = 0.02
"""Fixed elements covering less of the window than this are buttons and badges: left alone."""

BLOCKING = ("modal", "wall", "popup", "overlay")
"""Kinds that Escape and close buttons are tried on."""


@dataclass(frozen=True, slots=True)
class Button:
    """A clickable element inside a candidate overlay."""

    token: int
    text: str
    label: str = ""
    cls: str = ""
    navigates: bool = False
    """Clicking it would leave the page (a link or a form submission): never clicked."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An element that covers part of the window, as generic.js measured it."""

    token: int
    selector: str
    position: str
    coverage: float
    """The share of the window it covers (0..1)."""
    rect: tuple[float, float, float, float]
    """x, y, width, height in CSS pixels of the window."""
    text: str = ""
    text_len: int = 0
    role: str = ""
    modal: bool = False
    """Opened as a modal dialog or marked aria-modal."""
    long_paragraphs: int = 0
    media_share: float = 0.0
    buttons: tuple[Button, ...] = ()
    holds_main: bool = False
    """It contains the page's main or article element: the page's own content."""
    text_share: float = 0.0
    """The share of the page's text inside it (0..1)."""
    media: int = 0
    """Visible images, drawings, videos and frames inside it."""
    named: bool = False
    """Found in the page's flow for a cookie or consent name in its id or class."""


def candidate(data: dict[str, Any]) -> Candidate:
    """Return the Candidate that generic.js's facts describe."""
    rect = data.get("rect") or {}
    return Candidate(
        token=int(data["token"]),
        selector=str(data.get("selector") or ""),
        position=str(data.get("position") or ""),
        coverage=float(data.get("coverage") or 0.0),
        rect=(
            float(rect.get("x", 0)),
            float(rect.get("y", 0)),
            float(rect.get("width", 0)),
            float(rect.get("height", 0)),
        ),
        text=str(data.get("text") or ""),
        text_len=int(data.get("text_len") or 0),
        role=str(data.get("role") or ""),
        modal=bool(data.get("modal_dialog") or data.get("aria_modal")),
        long_paragraphs=int(data.get("long_paragraphs") or 0),
        media_share=float(data.get("media_share") or 0.0),
        holds_main=bool(data.get("holds_main")),
        text_share=float(data.get("text_share") or 0.0),
        media=int(data.get("media") or 0),
        named=bool(data.get("named")),
        buttons=tuple(
            Button(
                token=int(item["token"]),
                text=str(item.get("text") or ""),
                label=str(item.get("label") or ""),
                cls=str(item.get("cls") or ""),
                navigates=bool(item.get("navigates")),
            )
            for item in data.get("buttons") or ()
        ),
    )


def _has(text: str, phrases: tuple[str, ...], *, stems: bool = False) -> bool:
    return any(_matches(text, phrase, stem=stems) for phrase in phrases)


def _matches(text: str, phrase: str, *, stem: bool = False) -> bool:
    """Return True when `phrase` occurs in `text` as whole words, or as the start of a word when
    `stem` is set (symbols match anywhere)."""
    if not phrase[0].isalnum():
        return phrase in text
    end = "" if stem else r"(?!\w)"
    return re.search(rf"(?<!\w){re.escape(phrase)}{end}", text) is not None


def overlay_kind(item: Candidate, viewport: tuple[int, int]) -> str | None:
    """Return the kind of overlay `item` is, or None when it is page furniture to leave alone.

    Kinds: consent, wall, modal, popup, overlay, backdrop. Left alone: anything holding the
    article itself, small floating buttons, docked video players, site headers, and every
    element that is neither fixed, sticky nor a modal.
    """
    if item.named:
        return "consent" if cookie_notice(item) else None
    if item.position not in ("fixed", "sticky", "absolute") and not item.modal:
        return None
    if item.long_paragraphs >= 4 or item.text_len > 5000 or item.holds_main:
        return None  # it holds the page's content (an app shell, a fixed layout)
    if item.coverage < MIN_COVERAGE:
        return None
    consent = cookie_notice(item) or (
        _has(item.text, CONSENT_WORDS, stems=True)
        and item.text_len >= 40
        and (consent_button(item.buttons, "accept") or consent_button(item.buttons, "reject"))
        is not None
    )
    wall = _has(item.text, WALL_PHRASES)
    if item.media_share > 0.3 and item.coverage < 0.4 and not consent and not wall:
        return None  # a docked video player
    if item.text_len < 20 and not item.buttons and item.coverage >= 0.6:
        # An empty layer dims the page; one with pictures or most of the page's text is the page.
        return "backdrop" if not item.media and item.text_share < 0.5 else None
    if consent:
        return "consent"
    if wall and item.coverage >= 0.1:
        return "wall"
    if item.modal:
        return "modal"
    return _by_place(item, viewport)


def _by_place(item: Candidate, viewport: tuple[int, int]) -> str | None:
    """Return the kind of a fixed element that says nothing of itself, by where it sits and how
    much it covers: an overlay, a popup, or None (a site header, a side widget)."""
    width, height = viewport
    x, y, w, h = item.rect
    if y <= 2 and h < height * 0.25:
        return None  # a site header or a top bar
    if item.coverage >= 0.35:
        return "overlay" if item.text_share < 0.6 else None
    centre_x, centre_y = x + w / 2, y + h / 2
    centred = (
        width * 0.25 <= centre_x <= width * 0.75 and height * 0.25 <= centre_y <= height * 0.75
    )
    if centred and w < width * 0.9 and item.coverage >= 0.08:
        return "popup"
    return None


def cookie_notice(item: Candidate) -> bool:
    """Return True when `item` is a site's own cookie notice: a notice's words and a control
    that agrees to it or closes it (no consent platform needed)."""
    if item.text_len < 30 or item.text_len > 1500 or not _has(item.text, COOKIE_NOTICE_PHRASES):
        return False
    return (
        consent_button(item.buttons, "accept") is not None
        or consent_button(item.buttons, "reject") is not None
        or close_button(item.buttons) is not None
    )


def wall_text(text: str) -> bool:
    """Return True when `text` (lower case) is a wall's: subscribe, register, continue reading."""
    return _has(text, WALL_PHRASES) or _has(text, WIDGET_WORDS, stems=True)


WIDGET_WORDS = (
    "subscribe", "subscription", "subscriber", "abonnieren", "abonnement", "abonnez",
    "abonnés", "suscríbete", "suscripción", "suscriptores", "abbonati", "abbonamento",
)  # fmt: skip
"""Word stems of a subscription widget that stands in for hidden article text."""


def _words_of(button: Button) -> tuple[str, str]:
    return button.text, button.label


def pick_button(buttons: tuple[Button, ...], phrases: tuple[str, ...]) -> Button | None:
    """Return the button whose text best matches `phrases` (earlier phrases win), or None.

    Buttons that would leave the page or open a settings panel are never picked.
    """
    best: tuple[int, Button] | None = None
    for button in buttons:
        if button.navigates:
            continue
        text, label = _words_of(button)
        if _has(text, SETTINGS_WORDS) or _has(label, SETTINGS_WORDS):
            continue
        for rank, phrase in enumerate(phrases):
            if _matches(text, phrase) or (not text and _matches(label, phrase)):
                if best is None or rank < best[0]:
                    best = (rank, button)
                break
    return best[1] if best else None


def close_button(buttons: tuple[Button, ...]) -> Button | None:
    """Return the button that closes an overlay without answering it, or None."""
    picked = pick_button(buttons, CLOSE_PHRASES)
    if picked is not None:
        return picked
    for button in buttons:
        words = f"{button.label} {button.cls}"
        if not button.navigates and not button.text and re.search(r"close|dismiss", words):
            return button
    return None


def consent_button(buttons: tuple[Button, ...], choice: str) -> Button | None:
    """Return the button that answers a consent banner with `choice` (accept or reject)."""
    return pick_button(buttons, ACCEPT_PHRASES if choice == "accept" else REJECT_PHRASES)


def still_there(kind: str, selector: str, rounds: int) -> str:
    """Return the failure reason for an overlay the pass could not clear."""
    return (
        f"a {kind} overlay ({selector}) is still on the page after {rounds} rounds of closing "
        "and removing it (it comes back). Add a site config with a `when_visible` rule for it."
    )


def clamp_to_lift(item: dict[str, Any]) -> bool:
    """Return True for a clamp under a fade, or under a box that asks the reader to pay."""
    if item.get("box_text") and not wall_text(str(item["box_text"])):
        item.pop("box_token", None)  # a box of the page's own (share buttons): it stays
    return bool(item.get("fade") or item.get("box_token"))


PAYWALL_MIN_CHARS = 200
"""Hidden article text shorter than this is a page's own hidden bit (a caption, a tab)."""


def paywalled(item: dict[str, Any]) -> bool:
    """Return True when hidden text is article text a paywall hid: a vendor's name on it, a
    subscription box beside it, and not a copy of text the page shows (a mobile layout)."""
    if not item.get("markers") or item.get("duplicate"):
        return False
    if int(item.get("chars") or 0) < PAYWALL_MIN_CHARS:
        return False
    walls = [box for box in item.get("boxes") or () if wall_text(str(box.get("text") or ""))]
    item["boxes"] = walls
    return bool(walls)
