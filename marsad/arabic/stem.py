"""Stop words and stemmers for matching normalized Arabic words.

Three stemmers, chosen by measurement in ``bench/retrieval.py``:

- ``light``: a light stemmer in the manner of Larkey's light10 and Lucene's
  ArabicStemmer, its prefix and suffix rules kept as data (``data/light_stem.json``);
- ``snowball``: the Snowball Arabic stemmer (PyStemmer);
- ``none``: the normalized word itself.

Every function here takes words already passed through
:func:`marsad.arabic.normalize.normalize_for_matching`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.tokenize import split_clitics, stem_rules

STEMMERS = ("light", "snowball", "clitics", "none")


@cache
def stopwords() -> frozenset[str]:
    """Normalized stop words, from ``data/stopwords.txt``."""
    text = resources.files("marsad.arabic").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(normalize_for_matching(w.strip()) for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


def _suffixes() -> list[list]:
    return stem_rules()["suffixes"]


@cache
def _variants() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    items = [(k, v) for k, v in stem_rules()["variants"].items() if not k.startswith("_")]
    return ({k: v for k, v in items if not k.endswith("*")},
            tuple((k[:-1], v) for k, v in items if k.endswith("*")))


def unify_spelling(word: str) -> str:
    """One spelling for names transliterated several ways: اوربيه → اوروبيه, ترمب → ترامب."""
    whole, starts = _variants()
    if word in whole:
        return whole[word]
    for variant, canonical in starts:
        if word.startswith(variant):
            return canonical + word[len(variant):]
    return word


def spelling_variants() -> frozenset[str]:
    """The spellings :func:`unify_spelling` rewrites: whole words, and beginnings of words."""
    whole, starts = _variants()
    return frozenset(whole) | {v for v, _ in starts}


@cache
def protected_names() -> frozenset[str]:
    """Names the stemmers leave whole, from ``data/names.txt`` (normalized, without the article)."""
    text = resources.files("marsad.arabic").joinpath("data/names.txt").read_text(encoding="utf-8")
    names = (normalize_for_matching(w.strip()) for w in text.splitlines()
             if w.strip() and not w.startswith("#"))
    return frozenset(n[2:] if n.startswith("ال") else n for n in names)


def _without_proclitics(word: str) -> str:
    """The word after its proclitics; a name is not split (واشنطن, وليد keep their و)."""
    return word if word in protected_names() else split_clitics(word)[1]


@cache
def _families() -> dict[str, str]:
    return {k: v for k, v in stem_rules()["families"].items() if not k.startswith("_")}


def strip_suffixes(word: str) -> str:
    """Suffixes off, each once, in order; a protected name keeps the letters it has left
    (لبنانيه → لبنان, never لبن)."""
    names = protected_names()
    for suffix, min_rest in _suffixes():
        if word in names:
            break
        if len(word) - len(suffix) >= min_rest and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def light_stem(word: str) -> str:
    """والعلاقات → علاق, بالكرملين → كرمل, مسارها → مسار; السوري → سوريا."""
    word = unify_spelling(_without_proclitics(word))
    return _families().get(word) or strip_suffixes(word)


def clitic_stem(word: str) -> str:
    """Only the proclitics removed: والاتحاد → اتحاد."""
    return unify_spelling(_without_proclitics(word))


@cache
def _snowball():
    import Stemmer  # PyStemmer; imported on first use to keep imports cheap

    return Stemmer.Stemmer("arabic")


def snowball_stem(word: str) -> str:
    return _snowball().stemWord(unify_spelling(word))


def stemmer(name: str) -> Callable[[str], str]:
    """The stemming function called ``name`` (one of :data:`STEMMERS`)."""
    funcs = {"light": light_stem, "snowball": snowball_stem, "clitics": clitic_stem, "none": str}
    try:
        return funcs[name]
    except KeyError:
        raise ValueError(f"unknown stemmer {name!r}; choose one of {', '.join(STEMMERS)}") from None
