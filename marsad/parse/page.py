"""The bytes of one input → :class:`Page`, whatever kind of page they hold.

Kinds: an HTML page, a crawler text dump, a JSON record (or list of records, or a
``{"articles": [...]}`` document as ``marsad parse --json`` prints it), an RSS or
Atom feed. A page that holds no news raises :class:`InputError`; one in another language than
Arabic is kept, with its articles' ``language`` marked.
"""

from __future__ import annotations

import json
import re

from marsad.arabic.hygiene import CONTROLS, clean_text
from marsad.errors import InputError, TooLarge
from marsad.model import Article, Page, Teaser
from marsad.parse.encoding import decode_counting
from marsad.parse.html import parse_html
from marsad.parse.language import detect_language
from marsad.parse.records import feed_to_page, record_to_page
from marsad.parse.text import parse_text
from marsad.validate import validate_page

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|div|p|article|title)\b", re.I)
_FEED_START = re.compile(r"<(?:rss|feed|rdf:rdf)\b", re.I)
# How much of a page's article text the checks read.
_LANGUAGE_SAMPLE = 1000
_MIB = 1024 * 1024


def parse_bytes(data: bytes, name: str = "<input>", content_type: str | None = None,
                *, max_bytes: int | None = None) -> Page:
    """Parse one input. Raises TooLarge above ``max_bytes`` and InputError for a page with no news."""
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLarge(f"page is {len(data) / _MIB:.1f} MB, above the {max_bytes / _MIB:.0f} MB limit "
                       "(MARSAD_MAX_PAGE_BYTES)")
    if not data.strip():
        raise InputError("empty page")
    text, replaced = decode_counting(data, content_type, clean=False)
    page = parse_decoded(text, name, content_type)
    validate_page(page)
    check_news(page)
    if replaced:
        for article in page.articles:
            article.warnings.append(f"{replaced:,} invalid byte sequence(s) replaced with U+FFFD")
    page.source = name
    return page


def parse_decoded(text: str, name: str, content_type: str | None = None) -> Page:
    """Parse decoded text of any kind; hygiene is applied here, or by the text-dump parser itself."""
    kind = sniff(text, content_type)
    if kind == "json":
        data = _json_or_none(text)
        if data is not None:
            return _json_page(data, name)
        if "json" in (content_type or ""):
            raise InputError("invalid JSON")
        kind = "text"  # a text dump that merely opens with a bracket: "[فيديو] ..."
    if kind != "text":  # markup parsers (lxml, feedparser) can hold no control characters
        text = CONTROLS.sub("", clean_text(text))
    if kind == "feed":
        return feed_to_page(text, name)
    if kind == "html":
        return parse_html(text, name)
    return parse_text(text, source=name)


def sniff(text: str, content_type: str | None = None) -> str:
    """The kind of a decoded page: json, feed, html or text."""
    head = text[:2048].lstrip()
    ctype = (content_type or "").lower()
    if head[:1] in "{[" and head or "json" in ctype:
        return "json"
    if _FEED_START.search(head) or any(t in ctype for t in ("rss", "atom")):
        return "feed"
    if "html" in ctype or _HTML_START.search(head):
        return "html"
    return "text"


def check_news(page: Page) -> None:
    """Raise InputError unless the page holds some news; mark the language of articles in another
    language than Arabic (kept and stored, not refused: mixed and foreign pages are news too)."""
    if not page.articles and not page.teasers:
        raise InputError("no news article found in the page")
    if not any(c.isalpha() for c in _text_sample(page)):
        raise InputError("no text found in the page")
    for article in page.articles:
        article.language = _language(article)


def _language(article: Article) -> str | None:
    """The article's language: what its text shows wins over a page template's claim (an Arabic site's
    lang="ar" around a French article); Arabic text is left unmarked unless the source said "ar"."""
    given = article.language
    arabic_given = given is not None and given.lower().startswith("ar")
    detected = detect_language("\n".join((article.headline, *article.paragraphs)))
    if detected is None:
        return given
    if detected == "ar":
        return given if arabic_given else None
    return detected if given is None or arabic_given else given


def _text_sample(page: Page) -> str:
    parts: list[str] = []
    size = 0
    for a in page.articles:
        for piece in (a.headline, *a.paragraphs):
            piece = piece[:_LANGUAGE_SAMPLE]  # of a huge paragraph, its start: no word list of it all
            parts.append(piece)
            size += len(piece)
            if size > _LANGUAGE_SAMPLE:
                return " ".join(parts)
    parts.extend(f"{t.headline} {t.teaser or ''}" for t in page.teasers)
    return " ".join(parts)[:_LANGUAGE_SAMPLE]


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _json_page(data, name: str) -> Page:
    """The page of a JSON document: a record, a list of records, or ``{"articles": [...]}``."""
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        try:
            return Page(articles=[Article.from_dict(a) for a in data["articles"]],
                        teasers=[Teaser(**t) for t in data.get("teasers") or []], source=name)
        except (TypeError, AttributeError) as e:
            raise InputError(f"not a marsad articles document ({e})") from None
    records = data if isinstance(data, list) else [data]
    page = Page(source=name)
    for i, record in enumerate(records, 1):
        sub = record_to_page(record, f"{name}#{i}" if len(records) > 1 else name)
        page.articles.extend(sub.articles)
        page.teasers.extend(sub.teasers)
    return page
