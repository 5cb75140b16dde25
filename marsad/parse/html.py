"""HTML article pages from any Arabic outlet → :class:`Page`.

Metadata comes from :mod:`marsad.parse.htmlmeta`, and what surrounds the body (noise,
related boxes, deck, figures) from :mod:`marsad.parse.htmlblocks`. The body is the block
whose paragraphs hold the most text, scored on the parsed tree after template noise is
dropped; when a page has no such block, its JSON-LD ``articleBody`` or trafilatura's
main-text extraction is used instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from lxml import etree

from marsad.arabic.hygiene import CONTROLS
from marsad.errors import InputError
from marsad.model import Article, Image, Page, Teaser
from marsad.parse.credits import split_credit
from marsad.parse.htmlblocks import (
    ARABIC,
    DROP_TAGS,
    IMAGE_MARK,
    drop_noise,
    knowledge,
    lead_image,
    listing_teasers,
    mark_images,
    remove,
    squash,
    take_deck,
    take_related,
)
from marsad.parse.htmlmeta import extract_meta, text_of
from marsad.parse.textlines import ends_sentence
from marsad.parse.textlines import split_dateline as split_source_dateline

_BLOCK_TAGS = {"p", "div", "section", "article", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5",
               "h6", "td", "tr", "table", "dd", "dt", "pre", "header", "main", "figcaption", "center"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# A body needs at least this many characters of paragraph text to count as an article.
_MIN_BODY_CHARS = 80
_MIN_PARAGRAPH_CHARS = 20
_MIN_LISTING_ITEMS = 4
_MAX_CAPTION_WORDS = 30
# A JSON-LD articleBody this many times longer than the paragraphs found replaces them.
_DECLARED_BODY_RATIO = 1.5
# A wire-style dateline opening the body: "دمشق، سوريا (CNN) --" (text dumps use "place: «source»").
_WIRE_DATELINE = re.compile(
    r"^(?P<d>[^\n()«»:.\d]{2,40}?\s*\([^()\n\d]{1,25}\))\s*(?:--|[-–—ـ])\s*(?P<rest>\S.*)$", re.S)


def parse_html(text: str, source: str | None = None) -> Page:
    """The article of one HTML page (already decoded and cleaned)."""
    tree = _load(text)
    meta = extract_meta(tree)
    base = meta.get("url") or ""
    related = take_related(tree, base)
    drop_noise(tree)
    teasers = listing_teasers(tree, base) if meta.get("type") != "article" else []
    deck = take_deck(tree)
    for h1 in list(tree.iter("h1")):  # the headline, already in meta
        remove(h1)
    paragraphs, images = _body(tree)
    found = sum(map(len, paragraphs))
    if len(teasers) >= _MIN_LISTING_ITEMS and _teaser_share(teasers, paragraphs) >= 0.5:
        return Page(teasers=teasers, source=source)  # a section or home page, not an article
    declared = _lines_of(meta.get("body") or "")  # JSON-LD articleBody
    if found < _MIN_BODY_CHARS or sum(map(len, declared)) > _DECLARED_BODY_RATIO * found:
        # No paragraph block, or one that shows only part of the article (teaser, script-rendered page).
        paragraphs = declared or _extracted_body(tree)
        images = [i for i in images if i.lead]
    if not paragraphs:
        return Page(source=source)
    headline = meta.get("headline") or paragraphs[0]
    if paragraphs[0] == headline and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    author, paragraphs = _split_byline(paragraphs)
    author = _byline_name(meta.get("author")) or author
    dateline, paragraphs = split_dateline(paragraphs)
    article = Article(
        headline=headline, deck=deck, paragraphs=paragraphs, images=images, related=related,
        dateline=dateline, kind=_kind(meta), author=author, url=meta.get("url"),
        section=meta.get("section"), published=meta.get("published"), language=meta.get("language"),
        publisher=meta.get("publisher") or meta.get("outlet"),
        outlet=meta.get("outlet") or meta.get("publisher"), source=source)
    return Page(articles=[article], source=source)


def split_dateline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """Take a dateline ("دمشق، سوريا (CNN) --", "جدة: «الشرق الأوسط»") out of the first paragraph."""
    if not paragraphs:
        return None, paragraphs
    lead = split_source_dateline(paragraphs[0])
    if lead:
        return lead[0], [lead[1], *paragraphs[1:]]
    m = _WIRE_DATELINE.match(paragraphs[0])
    if m and ARABIC.search(m["d"]):
        return m["d"].strip(), [m["rest"], *paragraphs[1:]]
    return None, paragraphs


def html_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment, such as a feed entry's content."""
    root = etree.HTML(f"<div>{fragment}</div>", _parser())
    if root is None:
        return []
    for el in list(root.iter(*DROP_TAGS)):
        remove(el)
    return _lines(root)


def _split_byline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """Take a byline paragraph ("بقلم: فلان", "حوار: فلانة") off the top of the body."""
    if len(paragraphs) > 1:
        m = knowledge()["byline"].match(paragraphs[0])
        if m:
            return m["name"].strip(), paragraphs[1:]
    return None, paragraphs


def _byline_name(byline: str | None) -> str | None:
    """The name in a byline element's text: "بقلم: فلان" → فلان."""
    m = knowledge()["byline"].match(byline) if byline else None
    return m["name"].strip() if m else byline


_WRAPPERS = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.I)


@cache
def _parser() -> etree.HTMLParser:
    # Plain lxml elements (no lxml.html class lookup) are several times cheaper to walk.
    # huge_tree: libxml2 otherwise drops whatever is nested deeper than 256 elements.
    return etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)


def _load(text: str) -> etree._Element:
    text = CONTROLS.sub("", _XML_DECL.sub("", text, count=1))  # lxml can hold no control characters
    try:
        tree = etree.HTML(text, _parser())
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _parser().error_log):
            # Nested past libxml2's depth limit (2048) the rest is dropped: read it without its wrappers.
            tree = etree.HTML(_WRAPPERS.sub("", text), _parser())
    except (etree.ParserError, ValueError) as e:
        raise InputError(f"not a readable HTML page ({e})") from None
    if tree is None:
        raise InputError("not a readable HTML page")
    return tree


def _body(tree) -> tuple[list[str], list[Image]]:
    container = _best_container(tree)
    if container is None:
        return [], []
    figures = mark_images(container)
    lines = _lines(container)
    k = knowledge()
    paragraphs: list[str] = []
    images: list[Image] = []
    for line in lines:
        m = IMAGE_MARK.fullmatch(line)
        caption = None if m else _caption_line(line)
        if m or caption:
            image = figures[int(m.group(1))] if m else Image(*caption)
            image.lead = not paragraphs and not any(i.lead for i in images)
            image.after_paragraph = None if image.lead else len(paragraphs)
            images.append(image)
        elif not line.lower().startswith(k["noise_prefixes"]):
            paragraphs.append(line)
    while paragraphs and any(phrase in paragraphs[-1] for phrase in k["trailing"]):
        paragraphs.pop()
    lead = lead_image(tree, container)
    if lead and not any(i.lead for i in images):
        images.insert(0, lead)
    return paragraphs, images


def _caption_line(line: str) -> tuple[str, str, str] | None:
    """A photo caption standing alone in the body: short, not a sentence, ending in a known credit."""
    if len(line.split()) > _MAX_CAPTION_WORDS or line.endswith("."):
        return None
    parts = split_credit(line)
    return parts if parts and not ends_sentence(parts[0]) else None


def _best_container(tree):
    """The element whose paragraphs (and grandchildren paragraphs, at half weight) hold the most text."""
    scores: dict = defaultdict(float)
    for p in tree.iter("p", "pre", "blockquote"):
        n = len(text_of(p).strip())
        if n < _MIN_PARAGRAPH_CHARS:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] += n
        grand = parent.getparent()
        if grand is not None:
            scores[grand] += n / 2
    for div in tree.iter("div", "td", "section", "article"):
        own = len((div.text or "").strip()) + sum(len((c.tail or "").strip()) for c in div)
        if own >= _MIN_BODY_CHARS:
            scores[div] += own
    return max(scores, key=scores.get) if scores else None


def _lines(container) -> list[str]:
    """The container's text, one line per block element or <br>, spaces collapsed."""
    for el in container.iter(etree.Element):
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = (squash(line) for line in text_of(container).split("\n"))
    return [line for line in lines if len(line) > 1]


def _extracted_body(tree) -> list[str]:
    """trafilatura's main text, for pages where no block of paragraphs holds the article."""
    import trafilatura  # slow to import; most pages never need it

    return _lines_of(trafilatura.extract(tree, include_comments=False, include_tables=False) or "")


def _teaser_share(teasers: list[Teaser], paragraphs: list[str]) -> float:
    """The share of the body text found that is made of teaser titles and summaries."""
    printed = {t.headline for t in teasers} | {t.teaser for t in teasers if t.teaser}
    return sum(len(p) for p in paragraphs if p in printed) / max(sum(map(len, paragraphs)), 1)


def _lines_of(text: str) -> list[str]:
    return [line for line in (squash(line) for line in text.split("\n")) if line]


def _kind(meta: dict) -> str:
    if meta.get("kind_hint") == "opinion":
        return "opinion"
    section = (meta.get("section") or "").strip().lower()
    return "opinion" if section in knowledge()["opinion"] else "news"
