"""Read the text a crawler saved of an Arabic news page into articles and teasers.

The page is read from its structure, not from any one page's strings:

- each article hangs on a logo line (``TT``). News prints its headline, deck and
  lead-photo caption (twice, with a credit) above the logo, then the headline
  and caption again below it (the caption may be printed below only, or its slot
  may only repeat the headline); an opinion column prints the writer's name and bio
  above the logo and the column's title below it; an archive page prints headline,
  deck and caption above the logo and the body straight after it; a bare title over
  the body is a reader's letter (or column), signed after the body;
- in the body, a short line ending in a photo credit is a photo; the rest are paragraphs;
  a dateline may open the body;
- a "related articles" marker starts a box of related items;
- pages with no logo: writer, tag and section listings give teasers
  (``marsad.parse.textlists``); print-edition text loses its furniture
  (``marsad.parse.textprint``) and is a headline over a dateline or Arabic prose,
  or body text only; presentation forms and letter-spacing tatweel are undone first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from marsad.arabic.hygiene import clean_text
from marsad.model import Article, Image, Page
from marsad.parse.credits import split_inner_credit
from marsad.parse.detatweel import detatweel, unshape
from marsad.parse.textlines import (
    caption_parts,
    dateline_line,
    ends_sentence,
    is_caption,
    is_name,
    is_title,
    page_data,
    split_dateline,
    words,
)
from marsad.parse.textlists import listing_teasers, related_items, teasers
from marsad.parse.textprint import split_heading, strip_furniture

# How far above a logo line the repeated headline is looked for.
_HEADER_SPAN = 12
_ARABIC = range(0x0600, 0x0700)
_NAME_WORDS = 5  # a byline has at most this many words (see is_name)
# An e-mail address after a signature, or what an archive printed in its place.
_EMAIL = re.compile(r"\[\s*email\s*protected\s*\]|\S+@\S+", re.I)
_PLACE_AFTER = re.compile(r"\s+[-–]\s+|\s*[،,]\s*")


@dataclass(slots=True)
class _Header:
    start: int  # first line of the article
    body: int  # first line after the header
    headline: str
    deck: str | None = None
    kind: str = "news"
    author: str | None = None
    lead: Image | None = None
    letter: bool = False  # signed after the body


def parse_text(text: str, source: str | None = None) -> Page:
    """Parse one page's text dump; an empty Page when it holds no article and no teaser."""
    raw = _hygiene(text)
    plain = detatweel(raw)
    untouched = plain is raw
    lines = _lines(plain)
    del plain
    page = Page(source=source)
    logos = [i for i, line in enumerate(lines) if line in page_data().logo_lines]
    # The lines of raw are those of plain when no tatweel was taken out: a huge page's lines once.
    printed = None if logos else strip_furniture(lines if untouched else _lines(raw))
    del raw
    if printed is not None:
        page.articles = _print_articles(printed)
        return page
    heads: list[_Header] = []
    for k, t in enumerate(logos):
        head = _header(lines, t, logos[k - 1] + 2 if k else 0)
        if head is not None:
            heads.append(head)
    listing = None if logos else listing_teasers(lines)
    page.teasers = listing if listing is not None else teasers(lines[: heads[0].start] if heads else lines)
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


def _lines(text: str) -> list[str]:
    """The lines of ``text``, stripped, empty ones left out; each copied once (a page that is one
    huge line is not split, then stripped, as two more copies of itself)."""
    out, start = [], 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        first, last = start, end
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        if last > first:
            out.append(text[first:last])
        start = end + 1
    return out


def _hygiene(text: str) -> str:
    """``unshape(clean_text(text))``, a piece at a time: each pass over a huge page copies one piece,
    not the page. Pieces end after a line end or a space, where neither pass joins anything."""
    if len(text) <= _PIECE:
        return unshape(clean_text(text))
    return "".join(unshape(clean_text(piece)) for piece in _pieces(text))


def _pieces(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = start + _PIECE
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut < start:  # one giant word: to its end, never inside it (a letter and its marks)
                cut = min((i for i in (text.find("\n", end), text.find(" ", end)) if i >= 0),
                          default=len(text) - 1)
            end = cut + 1
        yield text[start:end]
        start = end


_PIECE = 1 << 20


def _print_articles(raw: list[str]) -> list[Article]:
    """A print page without its furniture: a headline run into the body, a headline over a dateline
    or prose, or body text only (one article with no headline: none is invented)."""
    heading = split_heading(raw[0]) if raw else None
    lines = _lines(detatweel("\n".join(raw)))
    if heading is not None:
        body = _lines(detatweel("\n".join([heading[1], *raw[1:]])))
        return [_article(body, _Header(start=0, body=0, headline=heading[0]))]
    article = _headless_article(lines, overline=True)
    if article is None and lines:
        article = _article(lines, _Header(start=0, body=0, headline=""))
    return [article] if article is not None else []


def _header(lines: list[str], t: int, lo: int) -> _Header | None:
    after = lines[t + 1] if t + 1 < len(lines) else None
    # The first copy of the headline above the logo opens the header; copies below it (a caption slot
    # that only repeats the headline) are part of the header, not its deck.
    copies = [i for i in range(max(lo, t - _HEADER_SPAN), t) if lines[i] == after]
    if copies:  # the first copy, unless a paragraph (another article's) stands between it and the last
        first = next(i for i in copies if not any(ends_sentence(s) for s in lines[i + 1:copies[-1]]))
        return _news_header(lines, first, t)
    if after is None or not is_title(after):
        return _archive_header(lines, t, lo)
    # A title under the logo that reads like a dateline ("أوروبا ـ المتوسط: جدار من الماء") is the
    # column's title when the lines above are a writer's name and bio rather than a headline.
    if dateline_line(after):
        return _archive_header(lines, t, lo) or _opinion_header(lines, t, lo, after)
    return _opinion_header(lines, t, lo, after) or _archive_header(lines, t, lo)


def _news_header(lines: list[str], i: int, t: int) -> _Header:
    """headline, [deck], caption ×2, TT, headline, caption ×2."""
    middle = [s for s in lines[i + 1:t] if s != lines[i]]
    captions = [s for s in middle if is_caption(s) or middle.count(s) > 1]
    rest = [s for s in middle if s not in captions]
    body = _skip(lines, t + 2, {lines[i], *middle})
    if not captions:  # the caption printed under the logo only: headline, deck, TT, headline, caption ×2
        captions, body = _caption_below(lines, body)
    head = _Header(start=i, body=body, headline=lines[i], lead=_lead(captions))
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
    body = t + 1
    if not captions:  # headline, [deck], TT, caption, body
        captions, body = _caption_below(lines, body)
    head = _Header(start=n - len(titles), body=body, headline=titles[0],
                   deck=titles[1] if len(titles) > 1 else None, lead=_lead(captions[::-1]))
    if head.deck is None and head.lead is None:
        head.kind, head.letter = "opinion", True  # a bare title over the body: a reader's letter or column
    return head


def _caption_below(lines: list[str], body: int) -> tuple[list[str], int]:
    """The lead caption printed (once or twice) where the body would start, and where the body starts."""
    below = lines[body:body + 2]
    if below and (is_caption(below[0]) or (below[1:] == below[:1] and not ends_sentence(below[0]))):
        return below[:1], _skip(lines, body, {below[0]})
    return [], body


def _lead(captions: list[str]) -> Image | None:
    if not captions:
        return None
    parts = caption_parts(captions[0]) or split_inner_credit(captions[0])
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
    author = _signature(paragraphs) if head.letter else head.author
    _drop_trailing_chrome(paragraphs)
    dateline = _take_dateline(paragraphs)
    return Article(headline=head.headline, paragraphs=paragraphs, deck=head.deck, kind=head.kind,
                   author=author, dateline=dateline, images=images, related=related)


def _signature(paragraphs: list[str]) -> str | None:
    """The writer's name signing a letter after its body (maybe with an e-mail address); taken out."""
    if len(paragraphs) < 2:
        return None
    # "name [e-mail]", "name - city [e-mail]", "name، city"
    name = _PLACE_AFTER.split(_EMAIL.sub("", paragraphs[-1]).strip(" -–،,"), maxsplit=1)[0]
    if not (2 <= words(name) <= 5 and is_name(name)):
        return None
    paragraphs.pop()
    return name


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


def _headless_article(lines: list[str], overline: bool = False) -> Article | None:
    """A page with no logo line (print-edition text): the title line just above the first dateline or
    paragraph of Arabic prose is the headline; what comes before it (edition name, menus) is dropped,
    except, with ``overline`` (the page's furniture already gone), a title line over the headline: the
    overline, which becomes the deck."""
    lines = [s for s in lines if any(c.isalpha() for c in s)]
    first = next((k for k, s in enumerate(lines) if dateline_line(s) or _is_prose(s)), None)
    if not first or not is_title(lines[first - 1]):
        return None
    head = _Header(start=first - 1, body=first, headline=lines[first - 1])
    above = lines[first - 2] if first >= 2 else None
    if above is not None and is_name(head.headline) and is_title(above) and words(above) > _NAME_WORDS:
        # headline, byline, body: the short line over the body names its writer or source
        head.headline, head.author = above, head.headline
    elif overline and above is not None and is_title(above):
        head.deck = above
    return _article(lines[first:], head)


def _is_prose(line: str) -> bool:
    return words(line) >= 15 and _arabic_share(line) > 0.5


def _arabic_share(line: str) -> float:
    sample = line[:_SHARE_SAMPLE]  # a long line's share is that of its start: no per-letter list of it all
    letters = sum(map(str.isalpha, sample))
    return sum(ord(c) in _ARABIC for c in sample if c.isalpha()) / letters if letters else 0.0


_SHARE_SAMPLE = 4096
