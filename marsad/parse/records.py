"""JSON records and feed entries → :class:`Page`.

A record is either a raw page (``{"html": ...}``, or ``{"text": ...}`` without a
title: a whole crawler text dump) or an already-extracted article
(``{"id", "url", "title", "text", "published", "outlet", "section", ...}``).
Every field given is kept: known ones on the Article, the rest in ``Article.extra``. Some outlets'
exports (``data/records.json``) append other articles' leads to each body: that strip goes to
``extra["appended_leads"]``, so that relating and search read the article's own text.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from marsad.arabic.hygiene import clean_text
from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import light_stem, stopwords
from marsad.errors import InputError
from marsad.model import Article, Page
from marsad.parse.html import html_paragraphs, parse_html
from marsad.parse.htmlmeta import iso_datetime
from marsad.parse.text import parse_text

# Article field ← record keys, first present wins. The rest of the record goes to ``extra``.
_FIELDS = {
    "headline": ("title", "headline"),
    "id": ("id", "_id", "doc_id"),
    "url": ("url", "link", "uri"),
    "outlet": ("outlet", "site", "site_name", "publisher"),
    "section": ("section", "category"),
    "published": ("published", "date_published", "datePublished", "pubDate", "date"),
    "author": ("author", "byline", "authors"),
    "language": ("language", "lang"),
    "deck": ("deck", "subtitle", "subheadline"),
    "dateline": ("dateline",),
}
_BODY_KEYS = ("text", "body", "content", "article")
_MAX_TITLE_WORDS = 20
_SPACES = re.compile(r"[ \t]+")
_SURROGATES = re.compile("[\ud800-\udfff]")  # lone halves of a pair: UTF-8 cannot encode them
_LETTERS = re.compile(r"[^\W\d_]+")
LEAD_WORDS = 12  # words of a paragraph that may be another article's lead (shorter: a closing line)
FOREIGN = 0.2  # of its content terms, what a foreign lead shares with the headline or the next lead, at most
HEADLINE = 0.75  # of the headline's content terms, what a foreign lead holds at most


def record_to_page(record: Any, source: str) -> Page:
    """The page of one JSON record; raw pages go through the HTML or text-dump parser."""
    if not isinstance(record, dict):
        raise InputError("a JSON record must be an object")
    if isinstance(record.get("html"), str):
        page = parse_html(clean_text(record["html"]), source)
        return _fill(page, record, skip=("html",))
    body_key = next((k for k in _BODY_KEYS if isinstance(record.get(k), str)), None)
    if body_key and not any(record.get(k) for k in _FIELDS["headline"]):
        page = parse_text(clean_text(record[body_key]), source)
        if page.articles or page.teasers:
            return _fill(page, record, skip=(body_key,))
        # Not a page dump the text parser knows: an article body that came without its title.
    return Page(articles=[record_to_article(record, source)], source=source)


def record_to_article(record: dict[str, Any], source: str | None = None) -> Article:
    """An already-extracted article record, every field kept."""
    values, extra = _split_fields(record)
    headline = values.pop("headline", None)
    body_key = next((k for k in _BODY_KEYS if isinstance(extra.get(k), str)), None)
    body = extra.pop(body_key) if body_key else ""
    paragraphs = split_paragraphs(body)
    if headline and _appends_leads(values, extra):
        cut = _body_end(clean_text(headline), paragraphs)
        if cut < len(paragraphs):
            paragraphs, extra["appended_leads"] = paragraphs[:cut], paragraphs[cut:]
    if not headline and not paragraphs:
        raise InputError("record has neither a title nor a text")
    if not headline:
        headline, paragraphs = _first_line_as_title(paragraphs)
    abstract = extra.get("abstract") or extra.get("description")
    if "deck" not in values and isinstance(abstract, str) and not _is_lede(abstract, paragraphs):
        # An RSS description that is not a copy of the lede reads as a sub-headline.
        values["deck"] = clean_text(abstract).strip()
    return Article(headline=clean_text(headline), paragraphs=paragraphs,
                   source=source, extra=extra, **values)


@cache
def _records_data() -> dict[str, Any]:
    return json.loads(resources.files("marsad.data").joinpath("records.json").read_text("utf-8"))


def _appends_leads(values: dict[str, Any], extra: dict[str, Any]) -> bool:
    """Whether the record comes from an outlet whose exports append other articles' leads."""
    names = {values.get("outlet"), extra.get("source"), urlsplit(str(values.get("url") or "")).hostname}
    return not names.isdisjoint(_records_data()["appended_leads"])


def _terms(text: str) -> set[str]:
    skip = stopwords()
    return {light_stem(w) for w in _LETTERS.findall(normalize_for_matching(text))
            if len(w) > 3 and w not in skip}


def _opens_a_lead(paragraph: str) -> bool:
    """Whether ``paragraph`` opens as a lead does: a sentence of its own, not one going on from the
    paragraph before (a joined conjunction, «كما», «في سياق متصل») nor an item of a list."""
    first = paragraph.split()[0]
    return (len(paragraph.split()) >= LEAD_WORDS and first[0] not in "وف-•*0123456789٠١٢٣٤٥٦٧٨٩"
            and first not in _records_data()["continuations"])


def _foreign(terms: set[str], headline: set[str], after: set[str]) -> bool:
    """Whether a paragraph of ``terms`` is foreign to an article: it shares almost nothing with the
    ``headline`` nor with the paragraph ``after`` it (each lead a story apart), and holds less than
    ``HEADLINE`` of the headline's terms (a paragraph that holds most of them is on the article's
    subject, however many words of its own it has)."""
    if headline and len(terms & headline) >= HEADLINE * len(headline):
        return False
    return max(len(terms & headline), len(terms & after)) < FOREIGN * (len(terms) or 1)


def _body_end(headline: str, paragraphs: list[str]) -> int:
    """How many paragraphs are the article's own: a foot of two or more paragraphs that each open as a
    lead, are no longer than the export cuts a strip's leads (``appended_lead_chars``) and are foreign to
    the article (:func:`_foreign`) is a strip of other articles' leads."""
    core = _terms(headline)
    longest = _records_data()["appended_lead_chars"]
    cut, after = len(paragraphs), set()
    for k in range(len(paragraphs) - 1, 1, -1):
        terms = _terms(paragraphs[k])
        if (len(paragraphs[k]) > longest or not _opens_a_lead(paragraphs[k])
                or not _foreign(terms, core, after)):
            break
        cut, after = k, terms
    return cut if len(paragraphs) - cut >= 2 else len(paragraphs)


def _first_line_as_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    """A title for an untitled text: its first line, taken out of the body when it is title-sized."""
    first = paragraphs[0]
    if len(paragraphs) > 1 and len(first.split()) <= _MAX_TITLE_WORDS:
        return first, paragraphs[1:]
    return first, paragraphs


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line, spaces collapsed, text otherwise as given."""
    lines = (_SPACES.sub(" ", line).strip() for line in clean_text(text).split("\n"))
    return [line for line in lines if line]


def _split_fields(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    values: dict[str, Any] = {}
    extra = dict(record)
    for field, keys in _FIELDS.items():
        for key in keys:
            value = extra.get(key)
            if value in (None, "", []):
                continue
            extra.pop(key)
            values[field] = _value(field, value)
            break
    if "published" in values:
        iso = iso_datetime(values["published"])
        if iso is None:
            extra["published_raw"] = values.pop("published")
        else:
            values["published"] = iso
    extra = {_storable(k): _storable(v) for k, v in extra.items() if v not in (None, "")}
    return values, extra


def _storable(value: Any) -> Any:
    """``value`` with every string UTF-8 can encode: a lone surrogate (from a broken ``\\ud800``
    escape in the input's JSON) becomes U+FFFD, so that the record can be stored as it was given."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    return value


def _value(field: str, value: Any) -> Any:
    if isinstance(value, list):  # authors: ["a", "b"], or [{"name": ...}]
        names = [v.get("name") if isinstance(v, dict) else v for v in value]
        value = "، ".join(str(n) for n in names if n)
    elif isinstance(value, dict):
        value = value.get("name") or value.get("href") or str(value)
    value = str(value)
    return value if field == "id" else clean_text(value).strip()


def _is_lede(abstract: str, paragraphs: list[str]) -> bool:
    """True when an abstract merely repeats (or truncates) the opening of the body."""
    head = _SPACES.sub(" ", clean_text(abstract)).strip().rstrip(".…")[:60]
    opening = " ".join(paragraphs[:2])
    return not head or head in opening


def _fill(page: Page, record: dict[str, Any], skip: tuple[str, ...]) -> Page:
    """Add a raw-page record's metadata to the articles parsed out of it."""
    values, extra = _split_fields({k: v for k, v in record.items() if k not in skip})
    values.pop("headline", None)
    for article in page.articles:
        for field, value in values.items():
            if field == "id" and len(page.articles) > 1:
                continue  # one id cannot name several articles
            if not getattr(article, field):
                setattr(article, field, value)
        article.extra.update(extra)
    return page


def feed_to_page(text: str, source: str) -> Page:
    """The articles of an RSS or Atom feed, one per entry (feedparser)."""
    import feedparser  # slow to import; only feeds need it

    feed = feedparser.parse(text)
    if not feed.entries:
        reason = getattr(feed, "bozo_exception", None)
        raise InputError(f"feed has no entries{f' ({reason})' if reason else ''}")
    outlet = feed.feed.get("title")
    page = Page(source=source)
    for i, entry in enumerate(feed.entries, 1):
        record = _entry_record(entry, outlet)
        try:
            page.articles.append(record_to_article(record, f"{source}#{record.get('url') or i}"))
        except InputError:
            continue  # an entry with neither title nor text carries nothing
    return page


def _entry_record(entry: Any, outlet: str | None) -> dict[str, Any]:
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else ""
    summary = entry.get("summary", "")
    tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    record = {
        "id": entry.get("id"), "url": entry.get("link"), "title": entry.get("title"),
        "text": "\n".join(html_paragraphs(body or summary)),
        "abstract": "\n".join(html_paragraphs(summary)) if body else None,
        "published": entry.get("published") or entry.get("updated"),
        "author": entry.get("author"), "section": tags[0] if tags else None, "tags": tags[1:] or None,
        "outlet": outlet,
    }
    return {k: v for k, v in record.items() if v}
