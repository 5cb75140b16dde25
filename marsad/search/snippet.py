"""Snippets: a window of the ORIGINAL text with the matched words in <mark>.

Words are matched the way the index matches them (same analyzers), so a
query for الأوروبي marks والاوروبية in the text. Everything else is
HTML-escaped, so a snippet is safe to insert into a page as is.
"""

from __future__ import annotations

import html
import re
from functools import cache
from itertools import islice

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import spelling_variants
from marsad.arabic.tokenize import TOKEN_TEXT_RE, split_clitics
from marsad.search.analyze import Scheme

WINDOW = 32  # words in a snippet
_LEAD = 6  # words shown before the first match
_MAX_TOKENS = 2000  # read no further than this into a long text
_HEAD = 4000  # characters tokenized first; the rest only when no snippet is found in them
_CACHE_LIMIT = 200_000
_SPACE = re.compile(r"\s+")
_OPEN, _CLOSE = "\x02", "\x03"
_BLANK_MARKS = {2: " ", 3: " "}  # the text's own, if any: same length, so offsets hold


class Matcher:
    """Tells which word of the text matches one of the query's words (answers are remembered).

    A word's stem is part of the word (clitics and suffixes are cut off its ends), except where a
    spelling variant is unified; so a word that holds none of the query's terms, no such variant and
    no digit cannot match, and is not stemmed at all.
    """

    __slots__ = ("_analyzers", "_normalized", "_terms", "_prefixes", "_could", "seen")

    def __init__(self, scheme: Scheme, words: set[str], prefixes: set[str] = frozenset()):
        self._analyzers = tuple(enumerate(scheme.analyzers))
        self._normalized = _normalized()
        self._terms = {(i, a.term(w)) for w in words for i, a in self._analyzers}
        self._prefixes = tuple(prefixes)
        needles = {t for _, t in self._terms if t} | set(self._prefixes) | spelling_variants()
        self._could = re.compile("|".join(map(re.escape, sorted(needles, key=len, reverse=True))) + r"|\d")
        self.seen: dict[str, str | None] = {}  # raw word → answer, over all snippets of one query

    def __call__(self, raw: str) -> str | None:
        """The query term that ``raw`` matches, else None."""
        if raw not in self.seen:
            self.seen[raw] = self._match(raw)
        return self.seen[raw]

    def _match(self, raw: str) -> str | None:
        word = self._normalized[raw]
        if not word or not self._could.search(word):
            return None
        for i, a in self._analyzers:
            if (i, term := a.term(word)) in self._terms:
                return term
        if self._prefixes:
            rest = split_clitics(word)[1]
            return next((p for p in self._prefixes if rest.startswith(p)), None)
        return None


class _Normalized(dict):
    """raw word → its normalized form, shared by all queries."""

    def __missing__(self, raw: str) -> str:
        word = normalize_for_matching(raw).strip()
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[raw] = word
        return word


@cache
def _normalized() -> _Normalized:
    return _Normalized()


def _best_start(hits: list[tuple[int, str]], window: int) -> int:
    """Start of the window holding the most distinct query terms."""
    best, best_n = 0, 0
    for h, _ in hits:
        start = max(0, h - _LEAD)
        n = len({w for k, w in hits if start <= k < start + window})
        if n > best_n:
            best, best_n = start, n
    return best


def snippet(text: str, match: Matcher, window: int = WINDOW) -> str:
    """The best window of ``text`` for the query, escaped, with matches marked."""
    if _OPEN in text or _CLOSE in text:
        text = text.translate(_BLANK_MARKS)
    head = text[:_HEAD]
    words = TOKEN_TEXT_RE.findall(head)  # most snippets are found in the head of a text
    hits = _hits(words, match, window) if head is text else _hits(words[:-1], match, window, False)
    if hits is None:  # the last word of the head may be cut: read the whole text
        words = TOKEN_TEXT_RE.findall(text)
        hits = _hits(words, match, window)
    if not words:
        return html.escape(text[:200])
    start = _best_start(hits, window) if hits else 0
    end = min(len(words), start + window)
    spans = [m.span() for m in islice(TOKEN_TEXT_RE.finditer(text), end)]
    more = TOKEN_TEXT_RE.search(text, spans[-1][1]) is not None  # a word after the window
    return _render(text, spans, {i for i, _ in hits}, start, end, more)


def _hits(words: list[str], match: Matcher, window: int, whole: bool = True) -> list[tuple[int, str]] | None:
    """(position, term) of the matches up to ``2 * window`` words past the first; None when that
    point lies beyond ``words`` and they are not the ``whole`` text (read more of it)."""
    hits, stop, seen = [], _MAX_TOKENS, match.seen
    for i, w in enumerate(words):  # the best window lies near the first match: read no further
        if i == stop:
            return hits
        term = seen[w] if w in seen else match(w)
        if term is not None:
            if not hits:
                stop = min(stop, i + 2 * window)
            hits.append((i, term))
    return hits if whole or len(words) >= _MAX_TOKENS else None


def _render(text: str, spans: list[tuple[int, int]], marked: set[int], start: int, end: int,
            cut_tail: bool) -> str:
    """Tokens start..end and the text between them; at an end of the text (``cut_tail``: tokens follow
    the window), what lies beyond too.

    Marks go in as control characters, so that the window is escaped in one call.
    """
    first = spans[start][0] if start > 0 else 0
    last = spans[end - 1][1] if cut_tail else len(text)
    pieces, pos = [], first
    for i in sorted(k for k in marked if start <= k < end):
        s, e = spans[i]
        pieces += [text[pos:s], _OPEN, text[s:e], _CLOSE]
        pos = e
    pieces.append(text[pos:last])
    body = html.escape(_SPACE.sub(" ", "".join(pieces)))
    body = body.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>").strip()
    return ("… " if start > 0 else "") + body + (" …" if cut_tail else "")
