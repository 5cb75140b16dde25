"""Text features for relating articles: matching-normalized words, stems and word shingles.

Built on :mod:`marsad.arabic`: letters folded so that spelling variants meet,
numbers in one spelling, and light stems so that a word's inflections count as
one term. Page chrome and photo-credit words (``data/clutter.txt``) are left
out of the terms: they are shared by unrelated reports of one site. Relating
reads every article of an archive, so each word is stemmed and hashed once per
process (:class:`Vocabulary`) and an article's words become arrays of ids.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from importlib import resources
from itertools import chain
from typing import NamedTuple

import numpy as np

from marsad.arabic.hygiene import chunks
from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import light_stem, snowball_stem, stopwords

MAX_PIECES = 200_000  # text pieces remembered (their word ids), ~50 MB at most
SHINGLE = 4  # words per shingle: long enough that independent wordings rarely share one
OPENING = 40  # the shingles of a text's opening: copies share their leads, reports sharing background do not
TOP = 2 * OPENING  # the shingles of a text's top, where a copy holds the other's opening (not further down)
LEAD_TERMS = 25  # the content terms of a text's lead, whose pairs a reworded copy keeps
# Normalized text has only letters, digits and separators left; a plain scan is the fast path here.
_WORD = re.compile(r"[^\W_]+")
# A quotation within a line: what a speaker said, which reports that each write their own text share.
_QUOTED = re.compile(r"«[^»\n]*»|“[^”\n]*”|\"[^\"\n]*\"")
_MARK = "qquotedq"  # a word no text holds, set around each quotation
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


def term_of(word: str) -> str:
    """The term a normalized word counts as; "" for one-letter words, stop words and page chrome."""
    if len(word) < 2 or word in skipped():
        return ""
    return snowball_stem(light_stem(word)) if len(word) > 3 else word


def _grown(a: np.ndarray, size: int) -> np.ndarray:
    return a if len(a) >= size else np.resize(a, max(size, 2 * len(a)))


class Vocabulary:
    """Every word met so far, by id: its 32-bit code (for shingles), its term's id (-1: no term) and
    its term's 32-bit code (0: no term). Terms have ids too, so that an article's term counts are array
    work; ids are this process's, codes are the same in every process."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.pieces: dict[str, tuple[int, ...]] = {}  # text between spaces → ids of its words
        self.codes = np.zeros(1024, np.uint64)
        self.term_ids = np.zeros(1024, np.int64)
        self.term_codes = np.zeros(1024, np.uint64)
        self.numeric = np.zeros(1024, bool)  # the word is a number
        self.terms: list[str] = []
        self._term_index: dict[str, int] = {}

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """Word ids of ``tokens`` (new words are learnt)."""
        new = set(tokens).difference(self.ids)
        if new:
            self._learn(sorted(new))
        return np.fromiter(map(self.ids.__getitem__, tokens), np.int64, len(tokens))

    def text_ids(self, text: str) -> np.ndarray:
        """Word ids of ``words(text)``. Normalizing works letter by letter and never joins what
        spaces part, so each piece between spaces is normalized and split once per process (and a
        huge text is read a chunk at a time)."""
        parts = [self._chunk_ids(c) for c in chunks(text)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def quoted_ids(self, text: str) -> tuple[np.ndarray, np.ndarray | None]:
        """Word ids of ``words(text)``, and whether each word sits inside a quotation (None: none does).
        Each quotation is read between two marker words, so that the text is read once."""
        marked, found = _QUOTED.subn(lambda m: f" {_MARK} {m[0]} {_MARK} ", text)
        if not found:
            return self.text_ids(text), None
        ids = self.text_ids(marked)
        mark = ids == self.ids[_MARK]
        return ids[~mark], (np.cumsum(mark) % 2 == 1)[~mark]

    def _chunk_ids(self, text: str) -> np.ndarray:
        raw = text.split()
        missing = set(raw).difference(self.pieces)
        if len(self.pieces) + len(missing) > MAX_PIECES:
            self.pieces.clear()
            missing = set(raw)
        if missing:
            pieces = sorted(missing)
            split = [_WORD.findall(p) for p in normalize_for_matching("\n".join(pieces)).split("\n")]
            self.lookup(list(chain.from_iterable(split)))
            self.pieces.update(zip(pieces, (tuple(map(self.ids.__getitem__, w)) for w in split), strict=True))
        return np.fromiter(chain.from_iterable(map(self.pieces.__getitem__, raw)), np.int64)

    def _learn(self, new: list[str]) -> None:
        start = len(self.ids)
        self.codes = _grown(self.codes, start + len(new))
        self.term_ids = _grown(self.term_ids, start + len(new))
        self.term_codes = _grown(self.term_codes, start + len(new))
        self.numeric = _grown(self.numeric, start + len(new))
        for i, w in enumerate(new, start):
            self.ids[w] = i
            self.codes[i] = zlib.crc32(w.encode())
            self.numeric[i] = w.isdigit()
            t = term_of(w)
            self.term_ids[i] = self._term_index.setdefault(t, len(self.terms)) if t else -1
            self.term_codes[i] = zlib.crc32(t.encode()) if t else 0
            if len(self._term_index) > len(self.terms):
                self.terms.append(t)


VOCABULARY = Vocabulary()


def term_ids(ids: np.ndarray) -> np.ndarray:
    """Term ids of the content words among word ``ids``, in text order."""
    tids = VOCABULARY.term_ids[ids]
    return tids[tids >= 0]


def terms(tokens: list[str]) -> list[str]:
    """Stemmed content terms of a token list: no one-letter words, stop words or page chrome."""
    return [VOCABULARY.terms[t] for t in term_ids(VOCABULARY.lookup(tokens)).tolist()]


_EMPTY = np.empty(0, np.uint64)


class Shingled(NamedTuple):
    """What tells copies of a text: its shingle hashes, those of its opening, its numbers, and the
    pairs of consecutive content terms (stems) of the whole text and of its lead. Stem pairs are what a
    lightly reworded sentence keeps (clitics, spelling and word forms change, the terms and their order
    stay); their codes come from the terms' own, so a parse worker's match the main process's."""
    all: np.ndarray  # sorted unique hashes of every shingle
    opening: np.ndarray  # sorted unique hashes of the first OPENING shingles (see shingled)
    numbers: np.ndarray  # sorted unique codes of the numbers it states
    stems: np.ndarray = _EMPTY  # sorted unique codes of every pair of consecutive content terms
    lead: np.ndarray = _EMPTY  # those of the first LEAD_TERMS content terms
    quoted: np.ndarray = _EMPTY  # sorted unique hashes of the shingles inside quotations
    top: np.ndarray | None = None  # those of its first TOP shingles (None: as ``all``)


def _mixed(ids: np.ndarray) -> np.ndarray:
    """64-bit hashes of the word ``SHINGLE``-grams of word ``ids``, in text order."""
    codes = VOCABULARY.codes[ids]
    if len(codes) < SHINGLE:
        return codes[:1] * _MIX[0]
    n = len(codes) - SHINGLE + 1
    return sum(codes[i:i + n] * _MIX[i] for i in range(SHINGLE))


def shingled(ids: np.ndarray, quoted: np.ndarray | None = None) -> Shingled:
    """A text's shingles, and those of its opening: at most its first half, so that a short text's
    opening is not its footer (a series' tagline, a "watch the video" line). ``quoted`` flags the words
    inside quotations, whose shingles are kept apart too: what a speaker said, not the text's own."""
    mixed = _mixed(ids)
    inside = _EMPTY
    if quoted is not None and len(ids) >= SHINGLE:
        run = np.concatenate([[0], np.cumsum(quoted)])  # a shingle is inside when all its words are
        inside = np.unique(mixed[run[SHINGLE:] - run[:-SHINGLE] == SHINGLE])
    numbers = np.unique(VOCABULARY.codes[ids[VOCABULARY.numeric[ids]]])
    pairs = _stem_pairs(VOCABULARY.term_codes[ids[VOCABULARY.term_ids[ids] >= 0]])
    return Shingled(np.unique(mixed), np.unique(mixed[:min(OPENING, max(1, len(mixed) // 2))]), numbers,
                    np.unique(pairs), np.unique(pairs[:LEAD_TERMS - 1]), inside,
                    np.unique(mixed[:TOP]) if len(mixed) > TOP else None)


def _stem_pairs(codes: np.ndarray) -> np.ndarray:
    """One code per pair of consecutive term codes, in text order."""
    return (codes[:-1] << np.uint64(32)) | codes[1:] if len(codes) > 1 else _EMPTY


def surfaces(text: str) -> dict[str, str]:
    """Each term of ``text`` → the first word as written that gives it, to show terms to readers."""
    out: dict[str, str] = {}
    for written in _WORD.findall(text):
        tokens = words(written)
        for t in terms(tokens) if len(tokens) == 1 else ():
            out.setdefault(t, written)
    return out
