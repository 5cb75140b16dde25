"""Shared helpers of the enrichment stage: data files, word tokens with offsets, letter folding.

Every extractor works on the paragraph as printed and reports offsets into it, so folding is
only ever applied to copies of single words (the keys of the data tables), never to the text.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from marsad.arabic.normalize import normalize_for_matching

# Numbers keep their decimal and thousands separators (the Arabic comma too: 12،2 بالمائة); words keep
# their diacritics and tatweel.
TOKEN = re.compile(r"\d+(?:[.,٫٬،]\d+)*|[\u0621-\u063a\u0640-\u065f\u0670]+|[A-Za-z]+|\S")
_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")
# Every letter that folds to a given letter (see marsad.arabic.normalize), for loose patterns.
_LETTER_CLASS = {"ا": "[اأإآٱ]", "ي": "[يىئی]", "ه": "[هةھ]", "و": "[وؤ]", "ك": "[كک]"}
_MARK_RUN = "[\u0640\u064b-\u065f\u0670]*"
_TANWEEN_ALEF = re.compile("(?:[\u064b]ا|ا[\u064b])$")


@cache
def load(name: str) -> dict[str, Any]:
    """One JSON file of ``marsad/enrich/data``, parsed once."""
    text = resources.files("marsad.enrich").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=16)
def tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, token) for every word, number and punctuation mark of ``text``.

    Cached for the few paragraphs at hand, since figures and quotes both walk the same paragraph.
    Only spaces lie between tokens, so each one is found from the end of the one before (faster than
    a match object per token)."""
    out, pos, find = [], 0, text.find
    for token in TOKEN.findall(text):
        pos = find(token, pos)
        out.append((pos, pos + len(token), token))
        pos += len(token)
    return tuple(out)


def with_clitics(words) -> frozenset[str]:
    """Folded words, also with a glued و، ف، ب or ل (words of three letters or more), for a quick test."""
    folded = {fold(w) for w in words}
    return frozenset(folded | {c + w for w in folded if len(w) >= 3 for c in ("و", "ف", "ب", "ل")})


@lru_cache(maxsize=1 << 17)
def fold(word: str) -> str:
    """The matching form of a word: no diacritics or tatweel; alef, ya, ta marbuta, hamza folded."""
    return normalize_for_matching(word)


def strip_marks(word: str) -> str:
    return _MARKS.sub("", word)


def drop_tanween_alef(word: str) -> str:
    """شخصاً → شخص: the accusative ending of an indefinite noun, as printed otherwise."""
    return _TANWEEN_ALEF.sub("", word)


def folded_table(table: dict[str, Any]) -> dict[str, Any]:
    """A name → value table keyed by folded names (words joined by single spaces)."""
    return {" ".join(fold(w) for w in k.split()): v for k, v in table.items() if not k.startswith("_")}


def skip_letters(text: str, n: int) -> int:
    """The offset just after the first ``n`` letters of ``text`` and the marks that follow them."""
    i = count = 0
    while i < len(text) and count < n:
        count += not _MARKS.match(text[i])
        i += 1
    while i < len(text) and _MARKS.match(text[i]):
        i += 1
    return i


def loose_alternation(names) -> str:
    """A regex matching any of the folded ``names`` however it is printed: any alef, ya or ta marbuta
    that folds to the letter, diacritics or tatweel after any letter, any run of spaces between words.

    The names are merged into a prefix tree, so that the regex tries one branch per letter instead of
    one per name; a longer name is still preferred to its prefix."""
    trie: dict = {}
    for name in names:
        node = trie
        for c in name:
            node = node.setdefault(c, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    branches = [(r"\s+" if c == " " else _LETTER_CLASS.get(c, re.escape(c)) + _MARK_RUN) + _trie_regex(child)
                for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" not in node:
        return body
    return f"(?:{body})?"
