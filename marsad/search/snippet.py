"""Snippets: a window of the ORIGINAL text with the matched words in <mark>.

Words are matched the way the index matches them (same analyzers), so a
query for الأوروبي marks والاوروبية in the text. Everything else is
HTML-escaped, so a snippet is safe to insert into a page as is.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.tokenize import Token, split_clitics, tokenize
from marsad.search.analyze import Scheme

WINDOW = 32  # words in a snippet
_LEAD = 6  # words shown before the first match
_MAX_HITS = 200  # enough to place the window; keeps long texts cheap
_SPACE = re.compile(r"\s+")


class Matcher:
    """Tells whether a word of the text matches one of the query's words."""

    __slots__ = ("_scheme", "_terms", "_prefixes")

    def __init__(self, scheme: Scheme, words: set[str], prefixes: set[str] = frozenset()):
        self._scheme = scheme
        self._terms = {(i, a.term(w)) for w in words for i, a in enumerate(scheme.analyzers)}
        self._prefixes = tuple(prefixes)

    def __call__(self, raw: str) -> bool:
        word = _normalized(raw)
        if not word:
            return False
        if any((i, a.term(word)) in self._terms for i, a in enumerate(self._scheme.analyzers)):
            return True
        return bool(self._prefixes) and split_clitics(word)[1].startswith(self._prefixes)


@lru_cache(maxsize=100_000)
def _normalized(raw: str) -> str:
    return normalize_for_matching(raw).strip()


def _best_start(hits: list[int], matched: list[str]) -> int:
    """Start of the window holding the most distinct matched words."""
    best, best_n = 0, 0
    for h in hits:
        start = max(0, h - _LEAD)
        n = len({matched[k] for k in hits if start <= k < start + WINDOW})
        if n > best_n:
            best, best_n = start, n
    return best


def snippet(text: str, match: Matcher, window: int = WINDOW) -> str:
    """The best window of ``text`` for the query, escaped, with matches marked."""
    tokens = tokenize(text)
    if not tokens:
        return html.escape(text[:200])
    flags = [match(t.text) for t in tokens]
    hits = [i for i, f in enumerate(flags) if f][:_MAX_HITS]
    start = _best_start(hits, [_normalized(t.text) for t in tokens]) if hits else 0
    end = min(len(tokens), start + window)
    return _render(text, tokens[start:end], flags[start:end], start > 0, end < len(tokens))


def _render(text: str, tokens: list[Token], flags: list[bool], cut_head: bool, cut_tail: bool) -> str:
    """Tokens and the text between them; at an end of the text, what lies beyond the last token too."""
    out = ["… " if cut_head else ""]
    pos = tokens[0].start if cut_head else 0
    for tok, hit in zip(tokens, flags, strict=True):
        out.append(html.escape(_SPACE.sub(" ", text[pos:tok.start])))
        word = html.escape(tok.text)
        out.append(f"<mark>{word}</mark>" if hit else word)
        pos = tok.end
    out.append(" …" if cut_tail else html.escape(_SPACE.sub(" ", text[pos:])))
    return "".join(out).strip()
