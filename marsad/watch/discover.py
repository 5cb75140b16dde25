"""Article links found in what a source serves: an RSS 2.0 or Atom feed (feedparser), a news sitemap or a
sitemap index (lxml), or a section page whose article links are picked by the rules in ``links.json``
(selectolax).

XML is read with entity resolution, DTD loading and network access off and libxml2's size limits on; a
document that declares entities of its own is refused (entity-expansion bombs), and so is a body above
``max_bytes``. Anything that cannot be read gives ``Discovery.error``: ``discover`` does not raise.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from marsad.errors import InputError
from marsad.model import Discovery, Link
from marsad.parse.encoding import decode
from marsad.watch.urls import normalize

MAX_BYTES = 10 * 1024 * 1024  # the fetcher's default cap: no real feed or news sitemap is larger
# Root elements, and the kinds they make.
_ROOTS = {"rss": "rss", "rdf:rdf": "rss", "feed": "atom", "urlset": "sitemap",
          "sitemapindex": "sitemap-index", "html": "page"}
_HTML_TAGS = frozenset({"head", "body", "meta", "title", "link", "div", "p", "script", "main", "section"})
_FAMILY = {"rss": "feed", "atom": "feed", "sitemap": "sitemap", "sitemap-index": "sitemap", "page": "page"}
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_GZIP = b"\x1f\x8b"


class _Refused(Exception):
    """Why a body gives no links (the message is Discovery.error)."""


def discover(body: bytes, content_type: str | None, base_url: str, *, expect: str | None = None,
             max_bytes: int = MAX_BYTES) -> Discovery:
    """The links ``body`` lists. ``expect`` is the kind the source had before (rss, atom, sitemap,
    sitemap-index, page, or a family: feed, sitemap): anything of another family is an error, so an HTML
    page served in place of a feed is reported rather than read as a section page."""
    kind = _sniff(body[:4096], content_type)
    try:
        if len(body) > max_bytes:
            raise _Refused(f"{len(body):,} bytes, above the {max_bytes:,}-byte limit")
        if body.startswith(_GZIP):
            body = _gunzip(body, max_bytes)
            kind = _sniff(body[:4096], content_type)
        if kind is None:
            raise _Refused("not a feed, a sitemap or an HTML page")
        family = _FAMILY.get(expect, expect)
        if expect is not None and family != _FAMILY[kind]:
            raise _Refused(f"expected {_described(family)}, got {_described(kind)}")
        if kind == "page":
            links = _page_links(body, content_type, base_url)
        else:
            links = _xml_links(kind, body, base_url)
    except _Refused as refused:
        return Discovery(kind=kind or "unknown", error=str(refused))
    return Discovery(kind=kind, links=_unique(links))


def _sniff(head: bytes, content_type: str | None) -> str | None:
    """The kind a body's root element names (an HTML content type makes a page of a fragment)."""
    first = _FIRST_TAG.search(head)
    name = first.group(1).decode("ascii").lower() if first else ""
    if name in _ROOTS:
        return _ROOTS[name]
    if name in _HTML_TAGS:
        return "page"
    return "page" if content_type and "html" in content_type.lower() else None


def _described(kind: str) -> str:
    """A kind or a family of kinds in words."""
    return {"page": "an HTML page", "rss": "an RSS feed", "atom": "an Atom feed"}.get(kind, f"a {kind}")


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as e:
        raise _Refused(f"broken gzip data: {e}") from None
    if len(data) > max_bytes:
        raise _Refused(f"unpacks to more than the {max_bytes:,}-byte limit")
    return data


def _xml_tree(body: bytes) -> etree._Element:
    body = body.lstrip()  # blank lines before the XML declaration are a common slip of feed generators
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as e:
        raise _Refused(f"malformed XML: {e}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _Refused("the document declares XML entities of its own (refused: entity expansion)")
    return root


def _xml_links(kind: str, body: bytes, base_url: str) -> list[Link]:
    root = _xml_tree(body)
    if kind in ("sitemap", "sitemap-index"):
        return _sitemap_links(root, base_url)
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    links = []
    for entry in parsed.entries:
        hrefs = [x.get("href") for x in entry.get("links", []) if x.get("href")]
        href = entry.get("link") or next(iter(hrefs), None)
        # dict.get: feedparser's own get maps updated to published with a warning.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC).isoformat() if stamp else None
        links.append(_link(base_url, href, entry.get("title"), published))
    return [x for x in links if x is not None]


def _sitemap_links(root: etree._Element, base_url: str) -> list[Link]:
    links = []
    for element in root:
        # (parent, name): the entry's own loc and lastmod, and its news:news fields; the loc and title
        # of its image:image or video:video are other things.
        fields = {(etree.QName(e.getparent()).localname, etree.QName(e).localname): (e.text or "").strip()
                  for e in element.iter(etree.Element) if e is not element}
        own = etree.QName(element).localname
        published = _iso(fields.get(("news", "publication_date")) or fields.get((own, "lastmod")))
        links.append(_link(base_url, fields.get((own, "loc")), fields.get(("news", "title")), published))
    return [x for x in links if x is not None]


def _iso(value: str | None) -> str | None:
    """A W3C datetime (a date alone, or with a time and offset) as ISO-8601 with its offset."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def _link(base_url: str, href: str | None, title: str | None, published: str | None) -> Link | None:
    if not href:
        return None
    try:
        url = normalize(urljoin(base_url, href.strip()))
    except ValueError:
        return None
    title = " ".join(title.split()) if title else None
    return Link(url=url, title=title or None, published=published)


def _unique(links: list[Link]) -> list[Link]:
    """The first of each URL, keeping a title that a later repeat has when the first had none."""
    seen: dict[str, Link] = {}
    for link in links:
        first = seen.setdefault(link.url, link)
        if first.title is None and link.title:
            first.title = link.title
    return list(seen.values())


@cache
def _rules() -> dict:
    rules = json.loads(resources.files("marsad.watch").joinpath("links.json").read_text(encoding="utf-8"))
    rules["article"] = [re.compile(p) for p in rules["article_patterns"]]
    return rules


def _page_links(body: bytes, content_type: str | None, base_url: str) -> list[Link]:
    """Article links of a section page: on the site, outside its chrome, with an article's path."""
    try:
        text = decode(body, content_type)
    except InputError as e:
        raise _Refused(f"unreadable page: {e}") from None
    rules, site = _rules(), _site(base_url)
    here = _link(base_url, base_url, None, None)
    links = []
    for anchor in LexborHTMLParser(text).css("a[href]"):
        href = anchor.attributes.get("href") or ""
        if href.startswith("#") or _in_chrome(anchor, rules["skip_inside"]):
            continue
        link = _link(base_url, href, anchor.text(deep=True), None)
        if link is None or (here is not None and link.url == here.url):
            continue
        if _site(link.url) == site and _is_article(link.url, rules):
            links.append(link)
    return links


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _in_chrome(node, tags: list[str]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _is_article(url: str, rules: dict) -> bool:
    path = urlsplit(url).path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments or any(s in rules["skip_segments"] for s in segments):
        return False
    if path.endswith(tuple(rules["skip_extensions"])):
        return False
    return any(p.search(path) for p in rules["article"])
