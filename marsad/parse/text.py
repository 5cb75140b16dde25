"""Read the text a crawler saved of an Arabic news page into articles and teasers.

The page is read from its structure, not from any one page's strings:

- each article hangs on a logo line (``TT``). News prints its headline, deck and
  lead-photo caption (twice, ending in a credit) above the logo, then the headline
  and caption again below it; an opinion column prints the writer's name and bio
  above the logo and the column's title below it; an archive page prints headline
  and deck above the logo and the body straight after it;
- in the body, a short line ending in a photo credit is a photo; the rest are paragraphs;
- a "related articles" marker starts a box of related items;
- on listing pages, and in lists after a body, each listen button sits between a title
  and its teaser;
- print-edition text (no logo) is a headline over a dateline or Arabic prose; its
  presentation forms and letter-spacing tatweel are undone first.
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.arabic.hygiene import clean_text
from marsad.model import Article, Image, Page
from marsad.parse.detatweel import detatweel, unshape
from marsad.parse.textlines import (
    caption_parts,
    dateline_line,
    is_caption,
    is_name,
    is_title,
    page_data,
    split_dateline,
    words,
)
from marsad.parse.textlists import related_items, teasers

# How far above a logo line the repeated headline is looked for.
_HEADER_SPAN = 12
_ARABIC = range(0x0600, 0x0700)


@dataclass(slots=True)
class _Header:
    start: int  # first line of the article
    body: int  # first line after the header
    headline: str
    deck: str | None = None
    kind: str = "news"
    author: str | None = None
    lead: Image | None = None


def parse_text(text: str, source: str | None = None) -> Page:
    """Parse one page's text dump; an empty Page when it holds no article and no teaser."""
    lines = page_lines(text)
    page = Page(source=source)
    logos = [i for i, line in enumerate(lines) if line in page_data().logo_lines]
    heads: list[_Header] = []
    for k, t in enumerate(logos):
        head = _header(lines, t, logos[k - 1] + 2 if k else 0)
        if head is not None:
            heads.append(head)
    page.teasers = teasers(lines[: heads[0].start] if heads else lines)
    for k, head in enumerate(heads):
        region = lines[head.body:heads[k + 1].start if k + 1 < len(heads) else len(lines)]
        cut = _listing_start(region)
        article = _article(region[:cut], head)
        if article.paragraphs:
            page.articles.append(article)
        page.teasers += teasers(region[cut:])
    if not page.articles and not page.teasers and not logos:
        headless = _headless_article(lines)
        page.articles = [headless] if headless else []
    return page


def page_lines(text: str) -> list[str]:
    """The page's non-empty lines, cleaned, with print-layout artefacts undone."""
    text = detatweel(unshape(clean_text(text)))
    return [s for s in (line.strip() for line in text.split("\n")) if s]


def _header(lines: list[str], t: int, lo: int) -> _Header | None:
    after = lines[t + 1] if t + 1 < len(lines) else None
    for i in range(t - 1, max(lo, t - _HEADER_SPAN) - 1, -1):
        if lines[i] == after:
            return _news_header(lines, i, t)
    if after is not None and is_title(after) and not dateline_line(after):
        head = _opinion_header(lines, t, lo, after)
        if head is not None:
            return head
    return _archive_header(lines, t, lo)


def _news_header(lines: list[str], i: int, t: int) -> _Header:
    """headline, [deck], caption ×2, TT, headline, caption ×2."""
    middle = lines[i + 1:t]
    captions = [s for s in middle if is_caption(s) or middle.count(s) > 1]
    rest = [s for s in middle if s not in captions]
    skip = {lines[i], *middle}
    head = _Header(start=i, body=_skip(lines, t + 2, skip), headline=lines[i], lead=_lead(captions))
    if len(rest) == 2 and is_name(rest[0]) and not is_title(rest[1]):
        head.kind, head.author = "opinion", rest[0]  # a column printing its title above the writer's bio
    else:
        head.deck = " ".join(rest) or None
    return head


def _opinion_header(lines: list[str], t: int, lo: int, title: str) -> _Header | None:
    """writer's name, [bio], TT, title."""
    for n in (t - 1, t - 2):
        if n >= lo and is_name(lines[n]) and not is_caption(lines[n]):
            return _Header(start=n, body=_skip(lines, t + 2, {title}), headline=title,
                           kind="opinion", author=lines[n])
    return None


def _archive_header(lines: list[str], t: int, lo: int) -> _Header | None:
    """headline, [deck], [caption ×2], TT, body."""
    n = t
    captions: list[str] = []
    while n - 1 >= lo and (is_caption(lines[n - 1]) or (n - 2 >= lo and lines[n - 1] == lines[n - 2])):
        captions.append(lines[n - 1])
        n -= 1
    if n - 1 < lo or not is_title(lines[n - 1]):
        return None
    titles = lines[n - 2:n] if n - 2 >= lo and is_title(lines[n - 2]) else lines[n - 1:n]
    return _Header(start=n - len(titles), body=t + 1, headline=titles[0],
                   deck=titles[1] if len(titles) > 1 else None, lead=_lead(captions[::-1]))


def _lead(captions: list[str]) -> Image | None:
    if not captions:
        return None
    parts = caption_parts(captions[0])
    if parts is None:
        return Image(caption=captions[0], lead=True)
    return Image(caption=parts[0], credit=parts[1], agency=parts[2], lead=True)


def _skip(lines: list[str], i: int, skip: set[str]) -> int:
    while i < len(lines) and lines[i] in skip:
        i += 1
    return i


def _listing_start(region: list[str]) -> int:
    """Where a list of teasers ("more from this writer") starts after an article's body: the title
    before the first listen button that follows a paragraph. A button under the headline is the
    article's own."""
    markers = page_data().listen_markers
    prose = False
    for k, line in enumerate(region):
        if line in markers and prose and k >= 2:
            return k - 2 if region[k - 1] == region[k - 2] else k - 1
        # The line before a button is its title, so prose must come before that line.
        prose = prose or (k >= 1 and words(region[k - 1]) > 12)
    return len(region)


def _article(body: list[str], head: _Header) -> Article:
    data = page_data()
    cut = next((k for k, line in enumerate(body) if line in data.related_markers), len(body))
    related = related_items(body[cut + 1:]) if cut < len(body) else []
    paragraphs: list[str] = []
    images = [head.lead] if head.lead else []
    for line in body[:cut]:
        if line in data.boilerplate or line in data.logo_lines:
            continue
        parts = caption_parts(line)
        if parts:
            images.append(Image(caption=parts[0], credit=parts[1], agency=parts[2],
                                after_paragraph=len(paragraphs)))
        else:
            paragraphs.append(line)
    _drop_trailing_chrome(paragraphs)
    dateline = _take_dateline(paragraphs)
    return Article(headline=head.headline, paragraphs=paragraphs, deck=head.deck, kind=head.kind,
                   author=head.author, dateline=dateline, images=images, related=related)


def _drop_trailing_chrome(paragraphs: list[str]) -> None:
    """Short unpunctuated lines closing a body are page chrome (tags, "most read"), not paragraphs."""
    # A few words with no punctuation at all: a sentence cut short still carries some.
    while len(paragraphs) > 1 and is_name(paragraphs[-1]):
        paragraphs.pop()


def _take_dateline(paragraphs: list[str]) -> str | None:
    """Take a dateline opening the body out of the first paragraph."""
    if not paragraphs:
        return None
    alone = dateline_line(paragraphs[0])
    if alone and len(paragraphs) > 1:
        paragraphs.pop(0)
        return alone
    lead = split_dateline(paragraphs[0])
    if lead is None:
        return None
    paragraphs[0] = lead[1]
    return lead[0]


def _headless_article(lines: list[str]) -> Article | None:
    """A page with no logo line (print-edition text): the title line just above the first dateline or
    paragraph of Arabic prose is the headline; what comes before it (edition name, menus) is dropped."""
    lines = [s for s in lines if any(c.isalpha() for c in s)]
    first = next((k for k, s in enumerate(lines) if dateline_line(s) or _is_prose(s)), None)
    if not first or not is_title(lines[first - 1]):
        return None
    return _article(lines[first:], _Header(start=first - 1, body=first, headline=lines[first - 1]))


def _is_prose(line: str) -> bool:
    return words(line) >= 15 and _arabic_share(line) > 0.5


def _arabic_share(line: str) -> float:
    sample = line[:_SHARE_SAMPLE]  # a long line's share is that of its start: no per-letter list of it all
    letters = sum(map(str.isalpha, sample))
    return sum(ord(c) in _ARABIC for c in sample if c.isalpha()) / letters if letters else 0.0


_SHARE_SAMPLE = 4096
