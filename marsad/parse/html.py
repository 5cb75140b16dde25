"""HTML article pages from any Arabic outlet → :class:`Page`.

Metadata comes from :mod:`marsad.parse.htmlmeta`. The body is the block whose
paragraphs hold the most text (scored on the parsed tree, after template noise
is dropped); when a page has no such block, its JSON-LD ``articleBody`` or
trafilatura's main-text extraction is used instead. Figures and ``img alt``
captions become images with their credits; "related" boxes become related items.
Template knowledge (noise classes, related headings, opinion sections) is data in
``marsad/data/html.json``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from importlib import resources
from urllib.parse import urljoin

from lxml import etree

from marsad.errors import InputError
from marsad.model import Article, Image, Page, RelatedItem
from marsad.parse.credits import agency_of, split_credit
from marsad.parse.htmlmeta import extract_meta, text_of
from marsad.parse.textlines import split_dateline as split_source_dateline

# Elements that never hold article text.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "button", "svg", "select",
              "nav", "aside", "footer", "input", "textarea", "object", "embed", "video", "audio")
# Elements a template may wrap the article in; never dropped as noise.
_KEEP_TAGS = {"html", "body", "main", "article"}
_BLOCK_TAGS = {"p", "div", "section", "article", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5",
               "h6", "td", "tr", "table", "dd", "dt", "pre", "header", "main", "figcaption", "center"}
_HEADINGS = ("h2", "h3", "h4", "h5", "h6", "strong", "span", "div", "p")
_ARABIC = re.compile("[\u0621-\u064a]")
_CLASSED = etree.XPath("//*[@class or @id]")  # elements a template may mark as noise, deck or box
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Private-use marks standing for an image inside the body text: \ue000<index>\ue001.
_IMAGE_MARK = re.compile("\ue000(\\d+)\ue001")
# A body needs at least this many characters of paragraph text to count as an article.
_MIN_BODY_CHARS = 80
_MIN_PARAGRAPH_CHARS = 20
_MIN_ALT_CHARS = 15
_MIN_RELATED_CHARS = 12
_MIN_DECK_CHARS, _MAX_DECK_CHARS = 10, 400
# Paragraph text (outside links) above which an element is taken for the body, never for noise.
_BODY_GUARD_CHARS = 400
# A wire-style dateline opening the body: "دمشق، سوريا (CNN) --" (text dumps use "place: «source»").
_WIRE_DATELINE = re.compile(
    r"^(?P<d>[^\n()«»:.]{2,50}?\s*\([^()\n]{1,30}\))\s*(?:--|[-–—ـ:])\s*(?P<rest>\S.*)$", re.S)


@cache
def _knowledge() -> dict:
    data = json.loads(resources.files("marsad.data").joinpath("html.json").read_text("utf-8"))
    stems = "|".join(re.escape(s) for s in data["noise_class_stems"])
    tokens = "|".join(re.escape(s) for s in data["noise_ad_tokens"])
    return {
        "noise": re.compile(rf"{stems}|(?:^|[\s_-])(?:{tokens})(?:$|[\s_-])", re.I),
        "related": re.compile("|".join(re.escape(s) for s in data["related_class_stems"]), re.I),
        "deck": re.compile("|".join(re.escape(s) for s in data["deck_class_stems"]), re.I),
        "credit": re.compile("|".join(re.escape(s) for s in data["credit_class_stems"]), re.I),
        "related_headings": tuple(h.lower() for h in data["related_headings"]),
        "noise_prefixes": tuple(p.lower() for p in data["noise_paragraph_prefixes"]),
        "opinion": {s.lower() for s in data["opinion_sections"]},
        "trailing": tuple(data["trailing_boilerplate_phrases"]),
        "byline": re.compile(r"^(?:{})\s*:\s*(?P<name>[^:.،,]{{3,60}})$".format(
            "|".join(re.escape(s) for s in data["byline_prefixes"]))),
    }


def parse_html(text: str, source: str | None = None) -> Page:
    """The article of one HTML page (already decoded and cleaned)."""
    tree = _load(text)
    meta = extract_meta(tree)
    base = meta.get("url") or ""
    related = _take_related(tree, base)
    _drop_noise(tree)
    deck = _take_deck(tree)
    for h1 in list(tree.iter("h1")):  # the headline, already in meta
        _remove(h1)
    paragraphs, images = _body(tree, meta)
    if sum(map(len, paragraphs)) < _MIN_BODY_CHARS:
        paragraphs, images = _fallback_body(tree, meta), []
    if not paragraphs:
        return Page(source=source)
    headline = meta.get("headline") or paragraphs[0]
    paragraphs = [p for p in paragraphs if p != headline] or paragraphs
    author, paragraphs = _split_byline(paragraphs)
    dateline, paragraphs = split_dateline(paragraphs)
    article = Article(
        headline=headline, deck=deck, paragraphs=paragraphs, images=images, related=related,
        dateline=dateline, kind=_kind(meta), author=meta.get("author") or author, url=meta.get("url"),
        section=meta.get("section"),
        published=meta.get("published"), publisher=meta.get("publisher") or meta.get("outlet"),
        outlet=meta.get("outlet") or meta.get("publisher"), language=meta.get("language"), source=source)
    return Page(articles=[article], source=source)


def split_dateline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """Take a dateline ("دمشق، سوريا (CNN) --", "جدة: «الشرق الأوسط»") out of the first paragraph."""
    if not paragraphs:
        return None, paragraphs
    lead = split_source_dateline(paragraphs[0])
    if lead:
        return lead[0], [lead[1], *paragraphs[1:]]
    m = _WIRE_DATELINE.match(paragraphs[0])
    if m and _ARABIC.search(m["d"]):
        return m["d"].strip(), [m["rest"], *paragraphs[1:]]
    return None, paragraphs


def html_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment, such as a feed entry's content."""
    root = etree.HTML(f"<div>{fragment}</div>", _parser())
    if root is None:
        return []
    for el in list(root.iter(*_DROP_TAGS)):
        _remove(el)
    return _lines(root)


def _split_byline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """Take a byline paragraph ("بقلم: فلان", "حوار: فلانة") off the top of the body."""
    if len(paragraphs) > 1:
        m = _knowledge()["byline"].match(paragraphs[0])
        if m:
            return m["name"].strip(), paragraphs[1:]
    return None, paragraphs


@cache
def _parser() -> etree.HTMLParser:
    # Plain lxml elements (no lxml.html class lookup) are several times cheaper to walk.
    return etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def _load(text: str) -> etree._Element:
    try:
        tree = etree.HTML(_XML_DECL.sub("", text, count=1), _parser())
    except (etree.ParserError, ValueError) as e:
        raise InputError(f"not a readable HTML page ({e})") from None
    if tree is None:
        raise InputError("not a readable HTML page")
    return tree


def _class_id(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _drop_noise(tree) -> None:
    noise = _knowledge()["noise"]
    doomed = [el for el in tree.iter(*_DROP_TAGS)]
    for el in _CLASSED(tree):
        if el.tag not in _KEEP_TAGS and noise.search(_class_id(el)) and not _holds_body(el):
            doomed.append(el)
    for el in doomed:
        _remove(el)


def _holds_body(el) -> bool:
    """True for an element whose paragraphs hold much text outside links: a body wrapper, not a box."""
    text = 0
    for p in el.iter("p"):
        text += len(text_of(p)) - sum(len(text_of(a)) for a in p.iter("a"))
        if text > _BODY_GUARD_CHARS:
            return True
    return False


def _remove(el) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _take_related(tree, base: str) -> list[RelatedItem]:
    """Items of "related articles" boxes, which are then removed from the tree."""
    k = _knowledge()
    blocks = [el for el in _CLASSED(tree)
              if el.tag not in _KEEP_TAGS and k["related"].search(_class_id(el)) and not _holds_body(el)]
    for heading in tree.iter(*_HEADINGS):
        text = (heading.text or "").strip().lower()
        if not text.startswith(k["related_headings"]):
            continue
        if heading.find(".//a[@href]") is not None:
            block = heading  # an inline "اقرأ أيضاً: <a>…</a>" line
        elif text.rstrip(" :：-–") in k["related_headings"]:
            block = _box_of(heading)  # a box title
        else:
            continue
        if block is not None:
            blocks.append(block)
    items: dict[str, RelatedItem] = {}
    for block in blocks:
        for a in block.iter("a"):
            title = _squash(text_of(a))
            href = a.get("href")
            if href and len(title) >= _MIN_RELATED_CHARS and _ARABIC.search(title):
                url = urljoin(base, href)
                items.setdefault(url, RelatedItem(headline=title, url=url))
    for block in blocks:
        _remove(block)
    return list(items.values())


def _take_deck(tree) -> str | None:
    """The sub-headline, from an element classed as one; it is removed from the tree."""
    pattern = _knowledge()["deck"]
    for el in _CLASSED(tree):
        if el.tag not in _KEEP_TAGS and pattern.search(_class_id(el)):
            text = _squash(text_of(el))
            if _MIN_DECK_CHARS <= len(text) <= _MAX_DECK_CHARS and _ARABIC.search(text):
                _remove(el)
                return text
    return None


def _box_of(heading):
    """The box a "related" heading titles: its parent, or one level up when the parent is only a title."""
    block = heading.getparent()
    if block is not None and len(text_of(block)) < 60:
        block = block.getparent()
    if block is None or block.tag in _KEEP_TAGS or _holds_body(block):
        return None
    return block


def _body(tree, meta: dict) -> tuple[list[str], list[Image]]:
    container = _best_container(tree)
    if container is None:
        return [], []
    figures = _mark_images(container)
    lines = _lines(container)
    k = _knowledge()
    paragraphs: list[str] = []
    images: list[Image] = []
    for line in lines:
        m = _IMAGE_MARK.fullmatch(line)
        if m:
            image = figures[int(m.group(1))]
            if paragraphs:
                image.after_paragraph = len(paragraphs)
            elif not any(i.lead for i in images):
                image.lead = True
            else:
                image.after_paragraph = 0
            images.append(image)
        elif not line.lower().startswith(k["noise_prefixes"]):
            paragraphs.append(line)
    while paragraphs and any(phrase in paragraphs[-1] for phrase in k["trailing"]):
        paragraphs.pop()
    lead = _lead_image(tree, container)
    if lead and not any(i.lead for i in images):
        images.insert(0, lead)
    return paragraphs, images


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


def _mark_images(container) -> list[Image]:
    """Replace each figure and captioned image by a mark line; return their images, by mark index."""
    images: list[Image] = []
    for el in list(container.iter("figure", "img")):
        if el.getparent() is None or (el.tag == "img" and _inside(el, "figure", container)):
            continue
        image = _image_of(el)
        mark = etree.Element("p")
        mark.text = f"\ue000{len(images)}\ue001" if image else ""
        mark.tail = el.tail
        el.getparent().replace(el, mark)
        if image:
            images.append(image)
    return images


def _inside(el, tag: str, stop) -> bool:
    for parent in el.iterancestors():
        if parent is stop:
            return False
        if parent.tag == tag:
            return True
    return False


def _image_of(el) -> Image | None:
    """The captioned image of a <figure> or <img>; None for images without an Arabic caption."""
    credit = None
    caption_el = el.find(".//figcaption") if el.tag == "figure" else None
    if caption_el is not None:
        for child in caption_el.iter():
            if child is not caption_el and _knowledge()["credit"].search(_class_id(child)):
                credit = _squash(text_of(child)) or None
                child.getparent().remove(child)
                break
        caption = text_of(caption_el)
    else:
        img = el if el.tag == "img" else el.find(".//img")
        caption = (img.get("alt") or img.get("title") or "") if img is not None else ""
    caption = _squash(caption)
    if len(caption) < _MIN_ALT_CHARS or not _ARABIC.search(caption):
        return None
    split = split_credit(caption)
    if split:
        return Image(caption=split[0], credit=split[1], agency=split[2])
    return Image(caption=caption, credit=credit, agency=(agency_of(credit) or "other") if credit else None)


def _lead_image(tree, container) -> Image | None:
    """A captioned figure that comes before the body within the article (or the body's parent)."""
    scope = next(container.iterancestors("article"), None)
    if scope is None:
        scope = container.getparent()
    if scope is None:
        return None
    for el in scope.iter("figure"):
        if el is container:
            break
        image = _image_of(el)
        if image:
            image.lead = True
            return image
    return None


def _lines(container) -> list[str]:
    """The container's text, one line per block element or <br>, spaces collapsed."""
    for el in container.iter(etree.Element):
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = (_squash(line) for line in text_of(container).split("\n"))
    return [line for line in lines if len(line) > 1]


def _squash(text: str) -> str:
    """Runs of spaces as one space, no spaces at the ends."""
    return " ".join(text.split())


def _fallback_body(tree, meta: dict) -> list[str]:
    """Body text for pages without a paragraph block: JSON-LD articleBody, then trafilatura."""
    text = meta.get("body")
    if not text:
        import trafilatura  # slow to import; most pages never need it

        text = trafilatura.extract(tree, include_comments=False, include_tables=False) or ""
    lines = (_squash(line) for line in text.split("\n"))
    return [line for line in lines if line]


def _kind(meta: dict) -> str:
    if meta.get("kind_hint") == "opinion":
        return "opinion"
    section = (meta.get("section") or "").strip().lower()
    return "opinion" if section in _knowledge()["opinion"] else "news"
