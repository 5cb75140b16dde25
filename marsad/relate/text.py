"""Text features for relating articles: matching-normalized words, stems and word shingles.

Built on :mod:`marsad.arabic`: letters folded so that spelling variants meet,
numbers in one spelling, and light stems so that a word's inflections count as
one term. Page chrome and photo-credit words (``data/clutter.txt``) are left
out of the terms: they are shared by unrelated reports of one site. Relating
reads every article of an archive, so the per-word work is cached.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from importlib import resources

import numpy as np

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import light_stem, snowball_stem, stopwords

SHINGLE = 4  # words per shingle: long enough that independent wordings rarely share one
# Normalized text has only letters, digits and separators left; a plain scan is the fast path here.
_WORD = re.compile(r"[^\W_]+")
# Per-word caches, grown as words are met: word → its term ("" when skipped); word → 32-bit code.
_TERMS: dict[str, str] = {}
_CODES: dict[str, int] = {}
# Odd multipliers that mix the word codes of a shingle into one 64-bit hash.
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
                dtype=np.uint64)[:SHINGLE]


def words(text: str) -> list[str]:
    """Matching-normalized word and number tokens."""
    return _WORD.findall(normalize_for_matching(text))


@cache
def skipped() -> frozenset[str]:
    """Words that are no evidence of relatedness: stop words and page chrome."""
    text = resources.files("marsad.relate").joinpath("data/clutter.txt").read_text(encoding="utf-8")
    chrome = {normalize_for_matching(x.strip()) for x in text.splitlines() if x.strip() and x[0] != "#"}
    return frozenset(chrome | stopwords())


def _learn(tokens: list[str]) -> None:
    """Put every new word of ``tokens`` in the caches, so that lookups below run at C speed."""
    skip = skipped()
    for w in set(tokens).difference(_TERMS):
        _TERMS[w] = "" if len(w) < 2 or w in skip else (snowball_stem(light_stem(w)) if len(w) > 3 else w)
        _CODES[w] = zlib.crc32(w.encode())


def terms(tokens: list[str]) -> list[str]:
    """Stemmed content terms of a token list: no one-letter words, stop words or page chrome."""
    _learn(tokens)
    return list(filter(None, map(_TERMS.__getitem__, tokens)))


def shingle_hashes(tokens: list[str]) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word ``SHINGLE``-grams, the unit of near-duplicates."""
    _learn(tokens)
    codes = np.fromiter(map(_CODES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    if len(codes) < SHINGLE:
        return np.unique(codes[:1] * _MIX[0])
    n = len(codes) - SHINGLE + 1
    mixed = sum(codes[i:i + n] * _MIX[i] for i in range(SHINGLE))
    return np.unique(mixed)


def surfaces(text: str) -> dict[str, str]:
    """Each term of ``text`` → the first word as written that gives it, to show terms to readers."""
    out: dict[str, str] = {}
    for written in _WORD.findall(text):
        tokens = words(written)
        for t in terms(tokens) if len(tokens) == 1 else ():
            out.setdefault(t, written)
    return out
