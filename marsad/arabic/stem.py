"""Stop words and stemmers for matching normalized Arabic words.

Stemmers, chosen by measurement in ``bench/retrieval.py`` and ``bench/spelling.py``:

- ``light``: a light stemmer in the manner of Larkey's light10 and Lucene's
  ArabicStemmer, its prefix and suffix rules kept as data (``data/light_stem.json``);
  the relate stage's terms;
- ``careful``: the light stemmer made safe for search (names whole, three letters
  left, spellings outlets differ on unified);
- ``clitics``: proclitics off and those spellings unified, nothing else;
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

STEMMERS = ("light", "careful", "snowball", "clitics", "none")


@cache
def stopwords() -> frozenset[str]:
    """Normalized stop words, from ``data/stopwords.txt``."""
    text = resources.files("marsad.arabic").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(normalize_for_matching(w.strip()) for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


def _suffixes() -> list[list]:
    return stem_rules()["suffixes"]


@cache
def _variants(search: bool) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    tables = ("variants", "search_variants") if search else ("variants",)
    items = [(k, v) for t in tables for k, v in stem_rules()[t].items() if not k.startswith("_")]
    return ({k: v for k, v in items if not k.endswith("*")},
            tuple((k[:-1], v) for k, v in items if k.endswith("*")))


def unify_spelling(word: str, *, search: bool = False) -> str:
    """One spelling for names transliterated several ways: اوربيه → اوروبيه, ترمب → ترامب; with
    ``search``, also the spellings search unifies (سوريه → سوريا, مسيول… → مسوول…)."""
    whole, starts = _variants(search)
    if word in whole:
        return whole[word]
    for variant, canonical in starts:
        if word.startswith(variant):
            return canonical + word[len(variant):]
    return word


@cache
def protected_names() -> frozenset[str]:
    """Names the careful stemmers leave whole, from ``data/names.txt`` (normalized, without the article)."""
    text = resources.files("marsad.arabic").joinpath("data/names.txt").read_text(encoding="utf-8")
    names = (normalize_for_matching(w.strip()) for w in text.splitlines()
             if w.strip() and not w.startswith("#"))
    return frozenset(n[2:] if n.startswith("ال") else n for n in names)


@cache
def _families() -> dict[str, str]:
    return {k: v for k, v in stem_rules()["families"].items() if not k.startswith("_")}


def strip_suffixes(word: str, *, careful: bool = False) -> str:
    """Suffixes off, each once, in order. ``careful``: only where three letters remain, and a
    protected name keeps the letters it has left (لبنانيه → لبنان, never لبن; عمان stays)."""
    names = protected_names() if careful else ()
    least = stem_rules()["careful_min_rest"] if careful else 0
    for suffix, min_rest in _suffixes():
        if word in names:
            break
        if len(word) - len(suffix) >= max(min_rest, least) and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def light_stem(word: str) -> str:
    """Lucene-style: والعلاقات → علاق, بالكرملين → كرمل, مسارها → مسار."""
    return strip_suffixes(unify_spelling(split_clitics(word)[1]))


def _without_proclitics(word: str) -> str:
    """The word after its proclitics; a name is not split (واشنطن, وليد keep their و)."""
    return word if word in protected_names() else split_clitics(word)[1]


def careful_stem(word: str) -> str:
    """The light stemmer made safe for search: words that merely share letters stay apart
    (عمان, لبنان, البحرين keep their letters), and spellings outlets differ on are one
    (السوري, سورية → سوريا)."""
    return careful_of_clitic_stem(clitic_stem(word))


def careful_of_clitic_stem(stem: str) -> str:
    """:func:`careful_stem` of a word from its :func:`clitic_stem` (an analyzer that has both reuses it)."""
    return _families().get(stem) or strip_suffixes(stem, careful=True)


def clitic_stem(word: str) -> str:
    """Only the proclitics removed, and the spellings search unifies: والاتحاد → اتحاد."""
    return unify_spelling(_without_proclitics(word), search=True)


@cache
def _snowball():
    import Stemmer  # PyStemmer; imported on first use to keep imports cheap

    return Stemmer.Stemmer("arabic")


def snowball_stem(word: str) -> str:
    return _snowball().stemWord(unify_spelling(word))


def stemmer(name: str) -> Callable[[str], str]:
    """The stemming function called ``name`` (one of :data:`STEMMERS`)."""
    funcs = {"light": light_stem, "careful": careful_stem, "snowball": snowball_stem, "clitics": clitic_stem,
             "none": str}
    try:
        return funcs[name]
    except KeyError:
        raise ValueError(f"unknown stemmer {name!r}; choose one of {', '.join(STEMMERS)}") from None
