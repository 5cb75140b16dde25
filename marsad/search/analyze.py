"""The analyzer: one function from text to index terms, used for documents and queries alike.

text → :func:`detach_hamza_proclitics` → :func:`normalize_for_matching` (whole text) → words →
per word: numbers get one spelling, Latin stays lowercased, Arabic words are
stemmed. Stemming a word is cached, since news vocabulary repeats a lot, and
so are an article's index terms for each run of text between spaces (:class:`Scheme`):
that keeps analysis fast enough for ingest at thousands of articles a second.
Stop words stay in the index (so phrases match as written) and are dropped
from bag-of-words queries instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from marsad.arabic.hygiene import chunks
from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import careful_of_clitic_stem, stemmer, stopwords
from marsad.arabic.tokenize import detach_hamza_proclitics, normalize_number

_CACHE_LIMIT = 500_000  # distinct words (or runs) kept per cache; beyond it a cache starts afresh
# (ant-multisource holds 412k distinct runs, half of them once: a smaller cache is emptied while hot)
# marsad.arabic.tokenize.TOKEN_RE, simplified for normalized text (no harakat left): ~3x faster.
_WORDS = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_][^\W_]*")


class _TermCache(dict):
    """word → term; a miss computes the term, so lookups stay one C call in the hot loop."""

    __slots__ = ("_stem",)

    def __init__(self, stem: Callable[[str], str]):
        super().__init__()
        self._stem = stem

    def __missing__(self, word: str) -> str:
        if word[0].isdigit():
            term = normalize_number(word)
        elif word.isascii():
            term = word
        else:
            term = self._stem(word) or word
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[word] = term
        return term


class Analyzer:
    """Turns text into index terms with the stemmer ``stem`` (see :data:`marsad.arabic.stem.STEMMERS`)."""

    __slots__ = ("stem", "_cache")

    def __init__(self, stem: str = "careful"):
        self.stem = stem
        self._cache = _TermCache(stemmer(stem))

    def term(self, word: str) -> str:
        """The index term of one normalized word."""
        return self._cache[word]

    def terms(self, text: str) -> list[str]:
        """Index terms of ``text``, stop words included, in order."""
        return list(map(self._cache.__getitem__, words(text)))

    def joined(self, normalized_words: list[str]) -> str:
        """Terms of already normalized words, space-separated: the form stored in the index."""
        return " ".join(map(self._cache.__getitem__, normalized_words))


def words(text: str) -> list[str]:
    """Normalized words of ``text``, before stemming (a preposition before hamza already off)."""
    return _WORDS.findall(normalize_for_matching(detach_hamza_proclitics(text)))


def is_stopword(word: str) -> bool:
    """Whether a normalized word is a stop word."""
    return word in stopwords()


FIELDS = ("headline", "deck", "body", "captions")


class Scheme:
    """How articles are indexed: every field once per stemmer, in its own column.

    The default, careful light stems plus clitic-stripped words, was chosen by
    ``bench/retrieval.py``: the exact-ish column rewards documents that use the
    query's own word forms (and serves quoted phrases), the stemmed one catches
    the other forms.
    """

    __slots__ = ("stems", "analyzers", "columns", "weights", "exact", "_tokens")

    def __init__(self, stems: tuple[str, ...] = ("careful", "clitics"),
                 field_weights: tuple[float, ...] = (3.0, 1.5, 1.0, 1.0),
                 stem_weights: tuple[float, ...] = (1.0, 0.5)):
        self.stems = stems
        self.analyzers = tuple(Analyzer(s) for s in stems)
        if "careful" in stems and "clitics" in stems:  # a careful stem is its clitic stem's, stemmed
            clitic = self.analyzer("clitics")._cache
            self.analyzer("careful")._cache._stem = lambda w: careful_of_clitic_stem(clitic[w])
        self.columns = tuple(f"{f}_{s}" for s in stems for f in FIELDS)
        self.weights = tuple(fw * sw for sw in stem_weights[: len(stems)] for fw in field_weights)
        # Quoted phrases match only this analyzer's columns, when the scheme has it.
        self.exact = "clitics" if "clitics" in stems and len(stems) > 1 else None
        self._tokens = _RunCache(self._analyzed)

    def analyzer(self, stem: str) -> Analyzer:
        return self.analyzers[self.stems.index(stem)]

    def columns_of(self, stem: str) -> tuple[str, ...]:
        return tuple(f"{f}_{stem}" for f in FIELDS)

    def row(self, texts: tuple[str | None, ...]) -> list[str]:
        """The column values of one article, given its field texts in :data:`FIELDS` order."""
        parts: list[list[str]] = [[] for _ in range(len(self.analyzers) * len(texts))]
        terms = self._tokens.__getitem__
        for f, text in enumerate(texts):
            for piece in chunks(text or ""):  # a huge body: one piece's word list at a time
                found = [t for t in map(terms, piece.split()) if t]
                for k, column in enumerate(zip(*found, strict=True)):
                    parts[k * len(texts) + f].append(" ".join(column))
        return [" ".join(p for p in column if p) for column in parts]

    def _analyzed(self, token: str) -> tuple[str, ...]:
        """The terms of one run of text between spaces, space-separated, per analyzer ("" for none).

        Analysis never joins what a space parts (hamza proclitics are detached at a word's start,
        normalization keeps every space a space), so a run's terms are the same alone as in its
        text: news text repeats its runs, and each distinct one is analyzed once."""
        w = words(token)
        return tuple(a.joined(w) for a in self.analyzers) if w else ()


class _RunCache(dict):
    """run of text → :meth:`Scheme._analyzed`; a miss computes it."""

    __slots__ = ("_analyze",)

    def __init__(self, analyze: Callable[[str], tuple[str, ...]]):
        super().__init__()
        self._analyze = analyze

    def __missing__(self, token: str) -> tuple[str, ...]:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        found = self[token] = self._analyze(token)
        return found


DEFAULT_SCHEME = Scheme()
