"""The parts of an HTML page around the body text: template noise, "related" boxes, the deck, figures.

Template knowledge (noise classes, related headings, figure and caption classes, byline
prefixes, opinion sections) is data in ``marsad/data/html.json``, loaded once.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from urllib.parse import urljoin

from lxml import etree

from marsad.model import Image, RelatedItem, Teaser
from marsad.parse.credits import agency_of, split_credit
from marsad.parse.htmlmeta import text_of

# Elements that never hold article text.
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "button", "svg", "select",
              "nav", "aside", "footer", "input", "textarea", "object", "embed", "video", "audio")
# Elements a template may wrap the article in; never dropped as noise.
_KEEP_TAGS = {"html", "body", "main", "article"}
_HEADINGS = ("h2", "h3", "h4", "h5", "h6", "strong", "span", "div", "p")
ARABIC = re.compile("[\u0621-\u064a]")
_CLASSED = etree.XPath("//*[@class or @id]")  # elements a template may mark as noise, deck or box
# Private-use marks standing for an image inside the body text: \ue000<index>\ue001.
IMAGE_MARK = re.compile("\ue000(\\d+)\ue001")
_MIN_ALT_CHARS = 15
_MIN_RELATED_CHARS = 12
_MIN_DECK_CHARS, _MAX_DECK_CHARS = 10, 400
_MIN_TEASER_WORDS, _MIN_SUMMARY_WORDS = 3, 5
# Paragraph text (outside links) above which an element is taken for the body, never for noise.
_BODY_GUARD_CHARS = 400


@cache
def knowledge() -> dict:
    """The template knowledge of ``marsad/data/html.json``, compiled once."""
    data = json.loads(resources.files("marsad.data").joinpath("html.json").read_text("utf-8"))

    def any_of(key: str) -> str:
        return "|".join(re.escape(s) for s in data[key])

    ad_token = rf"(?:^|[\s_-])(?:{any_of('noise_ad_tokens')})(?:$|[\s_-])"  # "ad", not "head"
    return {
        "noise": re.compile(rf"{any_of('noise_class_stems')}|{ad_token}", re.I),
        **{name: re.compile(any_of(f"{name}_class_stems"), re.I)
           for name in ("related", "deck", "figure", "caption", "credit")},
        "related_headings": tuple(h.lower() for h in data["related_headings"]),
        "noise_prefixes": tuple(p.lower() for p in data["noise_paragraph_prefixes"]),
        "opinion": {s.lower() for s in data["opinion_sections"]},
        "trailing": tuple(data["trailing_boilerplate_phrases"]),
        "byline": re.compile(rf"^(?:{any_of('byline_prefixes')})\s*:\s*(?P<name>[^:.،,]{{3,60}})$"),
    }


def _class_id(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def drop_noise(tree) -> None:
    """Remove elements that never hold article text: scripts, navigation, share bars, ads..."""
    noise = knowledge()["noise"]
    doomed = [el for el in tree.iter(*DROP_TAGS)]
    for el in _CLASSED(tree):
        if el.tag not in _KEEP_TAGS and noise.search(_class_id(el)) and not _holds_body(el):
            doomed.append(el)
    for el in doomed:
        remove(el)


def _holds_body(el) -> bool:
    """True for an element whose paragraphs hold much text outside links: a body wrapper, not a box."""
    text = 0
    for p in el.iter("p"):
        text += len(text_of(p)) - sum(len(text_of(a)) for a in p.iter("a"))
        if text > _BODY_GUARD_CHARS:
            return True
    return False


def remove(el) -> None:
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


def take_related(tree, base: str) -> list[RelatedItem]:
    """Items of "related articles" boxes, which are then removed from the tree."""
    k = knowledge()
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
            title = squash(text_of(a))
            href = a.get("href")
            if href and len(title) >= _MIN_RELATED_CHARS and ARABIC.search(title):
                url = urljoin(base, href)
                items.setdefault(url, RelatedItem(headline=title, url=url))
    for block in blocks:
        remove(block)
    return list(items.values())


def take_deck(tree) -> str | None:
    """The sub-headline, from an element classed as one; it is removed from the tree."""
    pattern = knowledge()["deck"]
    for el in _CLASSED(tree):
        if el.tag not in _KEEP_TAGS and pattern.search(_class_id(el)):
            text = squash(text_of(el))
            if _MIN_DECK_CHARS <= len(text) <= _MAX_DECK_CHARS and ARABIC.search(text):
                remove(el)
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


def mark_images(container) -> list[Image]:
    """Replace each figure and captioned image by a mark line; return their images, by mark index."""
    boxes = _figures(container)
    images: list[Image] = []
    for el in [*boxes, *(img for img in container.iter("img") if not _inside(img, boxes, container))]:
        if el.getparent() is None:
            continue
        image = _image_of(el)
        mark = etree.Element("p")
        mark.text = f"\ue000{len(images)}\ue001" if image else ""
        mark.tail = el.tail
        el.getparent().replace(el, mark)
        if image:
            images.append(image)
    return images


def _figures(root) -> list:
    """<figure> elements and image boxes classed as figures (WordPress "wp-caption" ...), outermost first."""
    pattern = knowledge()["figure"]
    found = [el for el in root.iter() if el.tag == "figure" or (
        isinstance(el.tag, str) and el.find(".//img") is not None and pattern.search(_class_id(el)))]
    return [el for el in found if not _inside(el, found, root)]


def _inside(el, boxes: list, stop) -> bool:
    for parent in el.iterancestors():
        if parent is stop:
            return False
        if parent in boxes:
            return True
    return False


def _image_of(el) -> Image | None:
    """The captioned image of a figure box or an <img>; None for images without an Arabic caption."""
    caption, credit = ("", None) if el.tag == "img" else _box_caption(el)
    if not caption:
        img = el if el.tag == "img" else el.find(".//img")
        caption = squash(img.get("alt") or img.get("title") or "") if img is not None else ""
    if len(caption) < _MIN_ALT_CHARS or not ARABIC.search(caption):
        return None
    split = split_credit(caption)
    if split:
        return Image(caption=split[0], credit=split[1], agency=split[2])
    return Image(caption=caption, credit=credit, agency=(agency_of(credit) or "other") if credit else None)


def _box_caption(box) -> tuple[str, str | None]:
    """(caption, credit) printed in a figure box: its <figcaption> or caption-classed element."""
    caption_el = box.find(".//figcaption")
    if caption_el is None:
        pattern = knowledge()["caption"]
        caption_el = next((el for el in box.iter() if el is not box and pattern.search(_class_id(el))), None)
    if caption_el is None:
        return "", None
    credit = None
    for child in caption_el.iter():
        if child is not caption_el and knowledge()["credit"].search(_class_id(child)):
            credit = squash(text_of(child)) or None
            child.getparent().remove(child)
            break
    return squash(text_of(caption_el)), credit


def lead_image(tree, container) -> Image | None:
    """A captioned figure that comes before the body within the article (or the body's parent)."""
    scope = next(container.iterancestors("article"), None)
    if scope is None:
        scope = container.getparent()
    if scope is None:
        return None
    boxes = _figures(scope)
    for el in scope.iter():
        if el is container:
            break  # only figures printed before the body
        if el in boxes:
            image = _image_of(el)
            if image:
                image.lead = True
                return image
    return None


def squash(text: str) -> str:
    """Runs of spaces as one space, no spaces at the ends."""
    return " ".join(text.split())


def listing_teasers(tree, base: str) -> list[Teaser]:
    """The items of a listing page: a linked heading, and the summary printed under it."""
    items: dict[str, Teaser] = {}
    for heading in tree.iter("h2", "h3", "h4"):
        link = heading.find(".//a[@href]")
        title = squash(text_of(heading))
        if link is None or len(title.split()) < _MIN_TEASER_WORDS or not ARABIC.search(title):
            continue
        url = urljoin(base, link.get("href"))
        items.setdefault(url, Teaser(headline=title, teaser=_summary_after(heading), url=url))
    return list(items.values())


def _summary_after(heading) -> str | None:
    for sibling in heading.itersiblings():
        text = squash(text_of(sibling)) if isinstance(sibling.tag, str) else ""
        if len(text.split()) >= _MIN_SUMMARY_WORDS:
            return text
    return None
