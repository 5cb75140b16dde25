"""An article's index columns: analyzing each run of text between spaces once (and caching it) gives
the very terms that analyzing the whole text gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.arabic.hygiene import chunks
from marsad.search.analyze import Analyzer, Scheme, words

# Letters that hamza proclitics, normalization and stemming act on, marks, tatweel, digits of both
# scripts, punctuation, Latin, a presentation-form ligature and spaces of several kinds.
ALPHABET = ("ابتلكفوةىيأإآءؤئهمنسعرد" "\u064e\u0651\u0652\u0640" "0123456789٠١٢٣٤٥٦٧٨٩"
            ".,،؛؟!-_\"'«»()" "AbZé" "\ufefb\ufdfa" " \n\t\u00a0\u2003\u200c")


def _whole(scheme: Scheme, texts: tuple[str | None, ...]) -> list[str]:
    """The columns as each text analyzed whole gives them."""
    parts: list[list[str]] = [[] for _ in range(len(scheme.analyzers) * len(texts))]
    for f, text in enumerate(texts):
        for piece in chunks(text or ""):
            w = words(piece)
            for k, a in enumerate(scheme.analyzers):
                parts[k * len(texts) + f].append(a.joined(w))
    return [" ".join(p for p in column if p) for column in parts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=80), min_size=4, max_size=4))
def test_runs_analyzed_apart_give_the_whole_texts_terms(texts):
    scheme = Scheme()
    assert scheme.row(tuple(texts)) == _whole(scheme, tuple(texts))
    assert scheme.row(tuple(texts)) == _whole(scheme, tuple(texts))  # again, from the cache


def test_examples():
    scheme = Scheme()
    texts = ("لإيران وبآسيا كأس", "الحكومة،والمعارضة  ١٢٣", "سورية\u00a0سوريا", None)
    row = scheme.row(texts)
    assert row == _whole(scheme, texts)
    assert row[0].split()[:2] == ["ايران", "اسيا"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_a_scheme_stems_carefully_from_the_clitic_stems_as_the_careful_stemmer_does(text):
    scheme, alone = Scheme(), Analyzer("careful")
    assert scheme.analyzer("careful").terms(text) == alone.terms(text)
    assert scheme.analyzer("clitics").terms(text) == Analyzer("clitics").terms(text)
