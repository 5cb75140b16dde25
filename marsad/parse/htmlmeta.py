"""Article metadata of an HTML page: JSON-LD first, then OpenGraph and meta tags.

Returns plain values (headline, published, section, author, url, publisher,
outlet, language, description, body, kind_hint, type: "article" for an article page);
the first source that knows a field wins.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

# JSON-LD types that describe one article.
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
                  "opinionnewsarticle", "backgroundnewsarticle", "blogposting", "reviewnewsarticle",
                  "liveblogposting"}
_OPINION_TYPES = {"opinionnewsarticle"}
# meta name/property → field, in order of trust within the meta tags.
_META_FIELDS = {
    "headline": ("og:title", "twitter:title", "title", "dc.title"),
    "published": ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
                  "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "sailthru.date",
                  "parsely-pub-date"),
    "section": ("article:section", "og:article:section", "section", "parsely-section", "category"),
    "author": ("author", "article:author", "og:article:author", "dc.creator", "parsely-author",
               "sailthru.author"),
    "url": ("og:url", "twitter:url"),
    "outlet": ("og:site_name", "application-name", "twitter:site"),
    "description": ("og:description", "description", "twitter:description"),
    "language": ("og:locale", "content-language", "language", "dc.language"),
    "type": ("og:type",),
}
_TITLE_SUFFIX = re.compile(r"\s+[-|–—:»]\s+[^-|–—:»]{2,40}$")
_SPACES = re.compile(r"\s+")


def extract_meta(tree: etree._Element) -> dict[str, Any]:
    """Metadata found in the page's head and JSON-LD; missing fields are left out."""
    meta: dict[str, Any] = {}
    _merge(meta, _from_json_ld(tree))
    _merge(meta, _from_meta_tags(tree))
    _merge(meta, _from_document(tree))
    if meta.get("published"):
        meta["published"] = iso_datetime(meta["published"])
    return {k: v for k, v in meta.items() if v}


def text_of(el: etree._Element) -> str:
    """All text inside an element (lxml.html's text_content, for plain lxml trees)."""
    return "".join(el.itertext())


def iso_datetime(value: str) -> str | None:
    """An ISO 8601 timestamp for the date formats pages use (ISO, RFC 822), or None."""
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _merge(into: dict[str, Any], found: dict[str, Any]) -> None:
    for k, v in found.items():
        if v and not into.get(k):
            into[k] = v


def _from_json_ld(tree) -> dict[str, Any]:
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        item = _find_article(data)
        if item is not None:
            return _article_fields(item)
    return {}


def _find_article(data: Any) -> dict | None:
    """The first article-typed object, looking into lists and @graph."""
    if isinstance(data, list):
        for x in data:
            found = _find_article(x)
            if found is not None:
                return found
        return None
    if not isinstance(data, dict):
        return None
    if "@graph" in data:
        return _find_article(data["@graph"])
    types = data.get("@type")
    types = types if isinstance(types, list) else [types]
    if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types) and data.get("headline"):
        return data
    return None


def _article_fields(item: dict) -> dict[str, Any]:
    types = item.get("@type")
    types = [t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
    page = item.get("mainEntityOfPage")
    return {
        "headline": _text(item.get("headline")),
        "published": _text(item.get("datePublished") or item.get("dateCreated")),
        "section": _text(_first(item.get("articleSection"))),
        "author": _names(item.get("author")),
        "url": _text(item.get("url") or (page.get("@id") if isinstance(page, dict) else page)),
        "publisher": _names(item.get("publisher")),
        "description": _text(item.get("description")),
        "language": _text(item.get("inLanguage")),
        "body": _text_lines(item.get("articleBody")),
        "kind_hint": "opinion" if _OPINION_TYPES.intersection(types) else None,
        "type": "article",
    }


def _names(value: Any) -> str | None:
    """Names of a person/organization value: a string, an object with "name", or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        name = v.get("name") if isinstance(v, dict) else v
        name = _text(name)
        if name and not name.startswith("http") and name not in names:
            names.append(name)
    return "، ".join(names) or None


def _from_meta_tags(tree) -> dict[str, Any]:
    tags: dict[str, str] = {}
    for m in tree.iterfind(".//meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").lower()
        content = m.get("content")
        if key and content and key not in tags:
            tags[key] = content
    out: dict[str, Any] = {}
    for field, keys in _META_FIELDS.items():
        for k in keys:
            value = _text(tags.get(k))
            if value and not (field == "author" and value.startswith("http")):
                out[field] = value
                break
    return out


def _from_document(tree) -> dict[str, Any]:
    """Fallbacks from the document itself: <h1>, <title>, <time>, canonical link, <html lang>."""
    out: dict[str, Any] = {"language": tree.get("lang")}
    h1 = tree.find(".//h1")
    if h1 is not None:
        out["headline"] = _text(text_of(h1))
    if not out.get("headline"):
        title = tree.find(".//title")
        if title is not None and title.text:
            out["headline"] = _TITLE_SUFFIX.sub("", _text(title.text) or "") or None
    time = tree.find(".//time[@datetime]")
    dated = time if time is not None else tree.find(".//*[@property='dc:date'][@content]")
    if dated is not None:
        out["published"] = dated.get("datetime") or dated.get("content")
    link = tree.find(".//link[@rel='canonical']")
    if link is not None:
        out["url"] = link.get("href")
    author = tree.find(".//*[@rel='author']")
    if author is None:  # schema.org microdata: the author element, or the name inside it
        author = tree.find(".//*[@itemprop='author']")
        name = author.find(".//*[@itemprop='name']") if author is not None else None
        author = name if name is not None else author
    if author is not None:
        out["author"] = _text(text_of(author))
    return out


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text_lines(value: Any) -> str | None:
    """A multi-line text value, its line breaks kept."""
    return value.strip() or None if isinstance(value, str) else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACES.sub(" ", value).strip()
    return value or None
