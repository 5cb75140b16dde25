"""Lists inside crawler text dumps: "related articles" boxes and listing-page teasers.

Both work on a page's non-empty lines (already stripped) and only read them.
"""

from __future__ import annotations

from collections import Counter

from marsad.model import RelatedItem, Teaser
from marsad.parse.textlines import (
    caption_parts,
    dateline_line,
    ends_sentence,
    is_caption,
    is_name,
    is_title,
    page_data,
    related_source,
    split_section,
    words,
)

# A teaser line: long, or closed like a sentence, or a long run of clauses cut off mid-sentence.
_CLAUSES = frozenset("،,")


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


def listing_teasers(lines: list[str]) -> list[Teaser] | None:
    """Teasers of a listing page that prints no logo line, or None when the page is not one.

    - a writer's page or tag page: the writer's name (maybe twice), a bio, then items of a headline
      (maybe twice, the first copy maybe glued to a section label; maybe a listen button) and its
      teaser; the writer's name may open each item again. Every item is the writer's.
    - a section listing that bylines each item: author, headline, teaser.
    """
    data = page_data()
    titled = bool(lines) and lines[0] in data.sections  # a section listing's own title: «الرأي»
    lines = [s for s in lines
             if s in data.listen_markers or (s not in data.boilerplate and s not in data.sections)]
    writer = len(lines) >= 3 and is_name(lines[0]) and _writer_header(lines, data.listen_markers)
    anchored = _anchored(lines, data.listen_markers)
    lines, anchored = _collapse(lines, anchored)
    if writer:
        return _writer_items(lines, anchored)
    items = [Teaser(headline=lines[k + 1], teaser=lines[k + 2], author=lines[k])
             for k in range(len(lines) - 2)
             if is_name(lines[k]) and not _prose(lines[k + 1]) and _prose(lines[k + 2])]
    # Under the section's title one bylined item is enough (an excerpt may show no more).
    return items if len(items) >= 2 or (items and titled and items[0].author == lines[0]) else None


def _writer_header(lines: list[str], markers: frozenset[str]) -> bool:
    """The name (maybe twice) then a bio or an item; a headline printed twice is followed by its button.
    A name printed once is followed by a bio paragraph, by a short bio ("كاتب سعوديّ") over the first
    headline and its teaser, or by the first headline itself (printed twice, or over its button)."""
    after = 2 if lines[1] == lines[0] else 1
    if lines[after] in markers:
        return False
    short_bio = (len(lines) > 3 and not _prose(lines[1]) and not _prose(lines[2]) and _prose(lines[3])
                 and not dateline_line(lines[2]) and not lines[0].isascii())
    item = len(lines) > 2 and (lines[2] == lines[1] or lines[2] in markers)  # no bio: a headline at once
    return after == 2 or _prose(lines[1]) or short_bio or item


def _prose(line: str) -> bool:
    clauses = words(line) >= 12 and any(c in _CLAUSES for c in line)
    return not is_title(line) or ends_sentence(line) or clauses


_MAX_TITLE_CHARS = 400  # a headline and a section label before it, with room to spare


def _anchored(lines: list[str], markers: frozenset[str]) -> list[bool]:
    """Lines that are surely headlines: printed twice, or followed by a listen button."""
    return [k + 1 < len(lines) and (lines[k + 1] in markers or _same_title(line, lines[k + 1]))
            for k, line in enumerate(lines)]


def _same_title(first: str, second: str) -> bool:
    """True when ``first`` is ``second`` printed again, maybe after a short label: "العالم العربي عندما…"."""
    if len(first) > _MAX_TITLE_CHARS or len(second) > _MAX_TITLE_CHARS:
        return False  # a paragraph, never a title: and splitting a huge line would cost memory
    a, b = " ".join(first.split()), " ".join(second.split())
    return a == b or (a.endswith(" " + b) and words(a) - words(b) <= 3 and not _prose(b))


def _collapse(lines: list[str], anchored: list[bool]) -> tuple[list[str], list[bool]]:
    """Drop listen buttons and the first copy of a headline printed twice; keep who is anchored."""
    markers = page_data().listen_markers
    out: list[str] = []
    flags: list[bool] = []
    for k, line in enumerate(lines):
        if line in markers or (k + 1 < len(lines) and _same_title(line, lines[k + 1])):
            continue
        out.append(line)
        flags.append(anchored[k] or (k > 0 and _same_title(lines[k - 1], line)))
    return out, flags


def _writer_items(lines: list[str], anchored: list[bool]) -> list[Teaser] | None:
    """The writer's teasers; None when two paragraphs follow one another, as in an article's body (a
    short title over paragraphs and subheadings, a byline), not a list of one teaser per headline."""
    writer = lines[0]
    keep = [k for k, line in enumerate(lines) if line != writer]
    lines, anchored = [lines[k] for k in keep], [anchored[k] for k in keep]
    # The bio: a paragraph, or a short line before a headline and its teaser ("كاتب سعوديّ").
    if lines and (_prose(lines[0]) or (not anchored[0] and len(lines) > 2
                                       and not _prose(lines[1]) and _prose(lines[2]))):
        lines, anchored = lines[1:], anchored[1:]
    out: list[Teaser] = []
    runs = k = 0
    while k + 1 < len(lines):
        if _prose(lines[k]) or anchored[k + 1]:
            runs += _prose(lines[k])  # a paragraph after a paragraph
            k += 1  # a teaser with no headline, or a headline with no teaser
            continue
        out.append(Teaser(headline=lines[k], teaser=lines[k + 1], author=writer))
        k += 2
    return None if runs else out
