"""Lists inside crawler text dumps: "related articles" boxes and listing-page teasers.

Both work on a page's non-empty lines (already stripped) and only read them.
"""

from __future__ import annotations

from collections import Counter

from marsad.model import RelatedItem, Teaser
from marsad.parse.textlines import (
    caption_parts,
    is_caption,
    is_name,
    is_title,
    page_data,
    related_source,
    split_section,
)


def related_items(lines: list[str]) -> list[RelatedItem]:
    """Related-box items: ``[headline] section+caption (credit)``, headline, teaser, ``source (city)``."""
    groups: list[tuple[list[str], tuple[str, str] | None]] = []
    group: list[str] = []
    for line in lines:
        source = related_source(line)
        if source is None:
            group.append(line)
            continue
        groups.append((group, source))
        group = []
    if group and not groups:  # a box that prints no sources; a tail after the last source is page chrome
        groups.append((group, None))
    shared = _shared_first_words([g for g, _ in groups])
    items = [_related_item(g, s, shared) for g, s in groups]
    return [item for item in items if item is not None]


def _shared_first_words(groups: list[list[str]]) -> frozenset[str]:
    """First words that open the captions of two or more items: most likely a section name."""
    firsts = Counter(line.split(" ", 1)[0] for g in groups for line in g if is_caption(line) and " " in line)
    return frozenset(w for w, n in firsts.items() if n >= 2)


def _related_item(group: list[str], source: tuple[str, str] | None,
                  shared: frozenset[str]) -> RelatedItem | None:
    cap = next((i for i, line in enumerate(group) if is_caption(line)), None)
    section = caption = credit = agency = None
    if cap is None:
        rest = group
    else:
        caption, credit, agency = caption_parts(group[cap])  # type: ignore[misc]
        section, caption = split_section(caption, shared)
        rest = group[cap + 1:] or group[:cap]
    if not rest:
        return None
    return RelatedItem(
        headline=rest[0], section=section, image_caption=caption, image_credit=credit,
        image_agency=agency, teaser=" ".join(rest[1:]) or None,
        source=source[0] if source else None, dateline=source[1] if source else None,
    )


def teasers(lines: list[str]) -> list[Teaser]:
    """Listing-page items around each listen button: title (maybe twice), button, teaser, [author]."""
    markers = page_data().listen_markers
    out: list[Teaser] = []
    for m, line in enumerate(lines):
        if line not in markers or m == 0 or m + 1 >= len(lines):
            continue
        headline, teaser = lines[m - 1], lines[m + 1]
        if teaser in markers or not is_title(headline):
            continue
        author = lines[m + 2] if m + 2 < len(lines) else None
        if author is not None and not (is_name(author) and not _opens_item(lines, m + 2, markers)):
            author = None
        out.append(Teaser(headline=headline, teaser=teaser, author=author))
    return out


def _opens_item(lines: list[str], i: int, markers: frozenset[str]) -> bool:
    """True when line i is the next item's title: a listen button follows it (after a repeat)."""
    nxt = i + 2 if i + 1 < len(lines) and lines[i + 1] == lines[i] else i + 1
    return nxt < len(lines) and lines[nxt] in markers
