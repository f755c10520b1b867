"""Pure: rendered HTML (and what the browser saw of it) -> the page's `Article`.

The stages: parse; read what the page declares; drop what the reader never saw (with a layout);
extract candidate blocks (trafilatura, precision mode); recover body chunks it missed and the
headings between the body's paragraphs; strip page furniture (a closing paragraph of the body's
own flow may mention a newsletter); reconcile with the declared JSON-LD articleBody; judge whether
it is an article.
"""

from __future__ import annotations

from capture.extract.boilerplate import strip_furniture
from capture.extract.candidates import trafilatura_candidate
from capture.extract.declared import Reconciled, reconcile
from capture.extract.flow import add_flow_headings, body_flow, flow_paragraphs
from capture.extract.metadata import PageMetadata, page_metadata
from capture.extract.model import Article, RenderedPage
from capture.extract.parse import parse_html
from capture.extract.render import Block, join_markdown, join_text
from capture.extract.rules import DEFAULT_RULES, ExtractionRules
from capture.extract.siblings import add_chunk_siblings
from capture.extract.verdict import judge
from capture.extract.visibility import drop_hover_cards, drop_unseen

EXTRACTOR_MODE = "precision"


def _body_blocks(
    html: str, url: str | None, rendered: RenderedPage | None, rules: ExtractionRules
) -> tuple[PageMetadata, list[Block], list[str]]:
    tree = parse_html(html)
    meta = page_metadata(tree, url)
    notes: list[str] = []
    if rendered is not None:
        pruning = drop_unseen(tree, rendered, rules)
        notes.append(f"layout: dropped {pruning.hidden} hidden and {pruning.fixed} fixed elements")
        if pruning.skipped:
            notes.append(f"layout: {pruning.skipped}")
    else:
        notes.append("layout: none (static HTML)")
    cards = drop_hover_cards(tree, rules)
    if cards:
        notes.append(f"dropped {cards} hover cards from inside paragraphs")
    candidate = trafilatura_candidate(tree, url, mode=EXTRACTOR_MODE)
    notes.append(f"extractor: {candidate.name}")
    blocks, added = add_chunk_siblings(list(candidate.blocks), tree, rules)
    if added:
        notes.append(f"added {added} paragraphs from sibling chunks of the body")
    flow = body_flow(blocks, tree)
    in_flow = flow_paragraphs(blocks, flow) if rules.closing_paragraphs else frozenset()
    if rules.flow_headings:
        blocks, headings = add_flow_headings(blocks, flow)
        if headings:
            notes.append(f"added {headings} headings standing between the body's paragraphs")
    return meta, strip_furniture(blocks, meta.title, rules, in_flow, meta.description), notes


def _markdown(title: str | None, blocks: tuple[Block, ...]) -> str:
    body = join_markdown(list(blocks))
    if title and body:
        return f"# {title}\n\n{body}"
    return body


def extract_article(
    html: str,
    url: str | None = None,
    *,
    rendered: RenderedPage | None = None,
    rules: ExtractionRules = DEFAULT_RULES,
) -> Article:
    """Return the article of the page `html` (fetched from `url`), using `rendered` when given.

    `rendered` is what `collect_layout` measured in the browser just before the DOM was taken:
    invisible and fixed-position elements are dropped before extraction. `rules` are the
    thresholds and rule switches (the bench varies them; the product uses the defaults).
    Pure: no I/O.
    A page without an article gives `is_article=False`, empty text, and the reason in `notes`.
    """
    meta, blocks, notes = _body_blocks(html, url, rendered, rules)
    result: Reconciled = reconcile(blocks, meta.article_body)
    if result.note:
        notes.append(result.note)
    verdict = judge(list(result.blocks), meta, url)
    kept = result.blocks if verdict.is_article else ()
    if not verdict.is_article:
        notes.append(f"no article: {verdict.reason}")
    return Article(
        text=join_text(list(kept)),
        markdown=_markdown(meta.title, kept),
        is_article=verdict.is_article,
        title=meta.title,
        byline=meta.byline,
        date=meta.date,
        language=meta.language,
        site_name=meta.site_name,
        canonical_url=meta.canonical_url,
        lead_image=meta.lead_image,
        description=meta.description,
        text_source=result.source if verdict.is_article else "none",
        notes=tuple(notes),
    )
