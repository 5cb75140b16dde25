"""Snippets: a window of the ORIGINAL text with the matched words in <mark>.

Words are matched the way the index matches them (same analyzers), so a
query for الأوروبي marks والاوروبية in the text. Everything else is
HTML-escaped, so a snippet is safe to insert into a page as is.
"""

from __future__ import annotations

import html
import re
from functools import cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.tokenize import (
    TOKEN_TEXT_NO_UNDERSCORE_RE,
    TOKEN_TEXT_RE,
    detach_hamza_proclitics,
    split_clitics,
)
from marsad.search.analyze import Scheme

WINDOW = 32  # words in a snippet
_LEAD = 6  # words shown before the first match
_MAX_TOKENS = 2000  # read no further than this into a long text
_HEAD = 800  # characters tokenized first (9 snippets in 10 are found in them); else the whole text
_CACHE_LIMIT = 200_000
_SPACE = re.compile(r"\s+")
_OPEN, _CLOSE = "\x02", "\x03"
_BLANK_MARKS = {2: " ", 3: " "}  # the text's own, if any
# split() keeps the tokens: text before the first token, token, text between, …, token, text after.
_TOKENS = re.compile(f"({TOKEN_TEXT_RE.pattern})")
_TOKENS_NO_UNDERSCORE = re.compile(f"({TOKEN_TEXT_NO_UNDERSCORE_RE.pattern})")


class Matcher:
    """Tells which word of the text matches one of the query's words.

    Each word's index terms are remembered across queries (news vocabulary repeats, so a server
    that has been up a while has met most words of the texts it shows): matching a word is then a
    lookup and a set comparison.
    """

    __slots__ = ("_prefixes", "_terms", "analyses", "seen", "wanted")

    def __init__(self, scheme: Scheme, words: set[str], prefixes: set[str] = frozenset()):
        self._terms = tuple({a.term(w) for w in words} for a in scheme.analyzers)  # per analyzer
        self._prefixes = tuple(prefixes)
        self.analyses = _analyses(scheme)
        # A word none of whose terms is a query term matches nothing (unless prefixes are asked).
        self.wanted = None if self._prefixes else frozenset().union(*self._terms)
        self.seen: dict[str, str | None] = {}  # raw word → answer, over all snippets of one query

    def __call__(self, raw: str) -> str | None:
        """The query term that ``raw`` matches, else None."""
        if raw not in self.seen:
            self.seen[raw] = self._match(raw)
        return self.seen[raw]

    def _match(self, raw: str) -> str | None:
        for term, wanted in zip(self.analyses[raw], self._terms, strict=False):
            if term in wanted:
                return term
        if self._prefixes:
            word = normalize_for_matching(raw).strip()
            if any(p in word for p in self._prefixes):  # a word's rest is part of it
                rest = split_clitics(word)[1]
                return next((p for p in self._prefixes if rest.startswith(p)), None)
        return None


class _Analyses(dict):
    """raw word → its term under each analyzer of a scheme (none for a word that normalizes to
    nothing), shared by all queries."""

    def __init__(self, scheme: Scheme):
        super().__init__()
        self._analyzers = scheme.analyzers

    def __missing__(self, raw: str) -> tuple[str, ...]:
        word = normalize_for_matching(detach_hamza_proclitics(raw)).strip()
        terms = tuple(a.term(word) for a in self._analyzers) if word else ()
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[raw] = terms
        return terms


@cache
def _analyses(scheme: Scheme) -> _Analyses:
    return _Analyses(scheme)


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
    tokens = _TOKENS if "_" in text else _TOKENS_NO_UNDERSCORE
    cut = len(text) > _HEAD
    parts = tokens.split(text[:_HEAD])  # most snippets are found in the head of a text
    hits = _hits(parts[1::2], match, window, whole=not cut)
    if hits is None:
        parts, cut = tokens.split(text), False
        hits = _hits(parts[1::2], match, window)
    n = len(parts) // 2
    if not n:
        return html.escape(text[:200])
    start = _best_start(hits, window) if hits else 0
    if cut and start + window >= n:  # the window reaches the last word of the head, which may be cut
        parts = tokens.split(text)
        n = len(parts) // 2
    return _render(parts, {i for i, _ in hits}, start, min(n, start + window))


def _hits(words: list[str], match: Matcher, window: int, whole: bool = True) -> list[tuple[int, str]] | None:
    """(position, term) of the matches up to ``2 * window`` words past the first; None when that
    point lies beyond ``words`` and they are not the ``whole`` text (read more of it; the last word
    of a cut text may be cut too, so it is not read)."""
    hits, stop, analyses, wanted, seen = [], _MAX_TOKENS, match.analyses, match.wanted, match.seen
    for i, w in enumerate(words if whole else words[:-1]):  # the best window lies near the first match
        if i == stop:
            return hits
        if wanted is not None and wanted.isdisjoint(analyses[w]):
            continue
        term = seen[w] if w in seen else match(w)
        if term is not None:
            if not hits:
                stop = min(stop, i + 2 * window)
            hits.append((i, term))
    return hits if whole else None


def _render(parts: list[str], marked: set[int], start: int, end: int) -> str:
    """Tokens start..end and the text between them, from ``parts`` (text, token, text, …, token,
    text); at an end of the text (``cut_tail``: tokens follow the window), what lies beyond too.

    Marks go in as control characters, so that the window is escaped in one call.
    """
    pieces = parts[2 * start + 1:2 * end]  # token, text, token, …, token
    for i in marked:
        if start <= i < end:
            pieces[2 * (i - start)] = _OPEN + pieces[2 * (i - start)] + _CLOSE
    cut_tail = 2 * end + 1 < len(parts)
    body = (parts[0] if start == 0 else "") + "".join(pieces) + ("" if cut_tail else parts[-1])
    body = html.escape(_SPACE.sub(" ", body))
    body = body.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>").strip()
    return ("… " if start > 0 else "") + body + (" …" if cut_tail else "")
