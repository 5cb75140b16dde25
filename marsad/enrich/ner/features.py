"""Token features for the NER tagger: tokenizing, letter folding, clitics, gazetteers.

Everything here is pure and deterministic: the same functions encode the training corpus
and the text being tagged, so a model stays valid as long as this module does not change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# ANERcorp splits punctuation off and keeps clitics attached; numbers keep their decimals and %.
_TOKEN = re.compile(r"\d+(?:[.,٫]\d+)*%?|[\w\u0610-\u061a\u064b-\u065f\u0670\u0640]+|[^\w\s]", re.UNICODE)
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640\u200e\u200f]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DIGITS = re.compile(r"[0-9٠-٩]")
_ARABIC = re.compile("[\u0621-\u064a]")
_LATIN = re.compile("[A-Za-z]")
# Conjunction/preposition + article, longest first; only stripped when a 2-letter stem remains.
PREFIXES = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_SUFFIXES = ("هما", "هم", "ها", "ين", "ون", "ات", "ان", "يه", "ه", "ي")
Gazetteer = tuple[Mapping[tuple[str, ...], str], Mapping[str, tuple[int, ...]]]  # phrases, heads


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Split raw text like ANERcorp: (start, end, token) with character offsets into ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def fold(word: str) -> str:
    """Drop diacritics/tatweel and fold alef, ya, ta marbuta and hamza carriers."""
    return _DIACRITICS.sub("", word).translate(_FOLD)


def strip_prefix(word: str) -> tuple[str, str]:
    """(prefix, stem) of an already folded word; the prefix is '' when none applies."""
    for p in PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 2:
            return p, word[len(p):]
    return "", word


def strip_suffix(stem: str) -> str:
    for s in _SUFFIXES:
        if stem.endswith(s) and len(stem) - len(s) >= 3:
            return stem[: -len(s)]
    return stem


def shape(word: str) -> str:
    if _DIGITS.search(word):
        return "num" if _DIGITS.sub("", word).strip(".,٫%") == "" else "alnum"
    if _ARABIC.search(word):
        return "ar"
    if _LATIN.search(word):
        return "latcap" if word[:1].isupper() else "lat"
    return "punct" if len(word) == 1 else "other"


def gazetteer_heads(gazetteer: Mapping[tuple[str, ...], str]) -> dict[str, tuple[int, ...]]:
    """First token of every phrase → the phrase lengths starting with it, longest first."""
    heads: dict[str, set[int]] = {}
    for key in gazetteer:
        heads.setdefault(key[0], set()).add(len(key))
    return {k: tuple(sorted(v, reverse=True)) for k, v in heads.items()}


def gazetteer_tags(
    folded: Sequence[str], gazetteer: Gazetteer, stems: Sequence[str] | None = None
) -> list[str]:
    """Mark every token inside a gazetteer phrase as B-TYPE / I-TYPE (longest match wins).

    Phrases are keyed by folded tokens; a leading clitic on the first token is tolerated.
    ``stems`` (the folded tokens without their clitic prefix) may be passed when already known.
    """
    phrases, heads = gazetteer
    if stems is None:
        stems = [strip_prefix(f)[1] for f in folded]
    tags = ["O"] * len(folded)
    i = 0
    while i < len(folded):
        hit = None
        if folded[i] in heads or stems[i] in heads:
            hit = _match_at(folded, i, phrases, heads, stems[i])
        if hit is None:
            i += 1
            continue
        n, kind = hit
        tags[i] = "B-" + kind
        for j in range(i + 1, i + n):
            tags[j] = "I-" + kind
        i += n
    return tags


def _match_at(folded, i, phrases, heads, stem):
    for first in (folded[i], stem):
        for n in heads.get(first, ()):
            if i + n <= len(folded):
                kind = phrases.get((first, *folded[i + 1: i + n]))
                if kind:
                    return n, kind
    return None


def token_kinds(phrases: Mapping[tuple[str, ...], str]) -> dict[str, str]:
    """Every word of a listed name → the types of the names it occurs in (e.g. 'LOC|PERS')."""
    kinds: dict[str, set[str]] = {}
    for key, kind in phrases.items():
        for tok in key:
            if len(tok) > 2:
                kinds.setdefault(tok, set()).add(kind)
    return {tok: "|".join(sorted(k)) for tok, k in kinds.items()}


def entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) chunks of an IOB2 sequence, seqeval default mode.

    An I- tag after O or after another type opens a new chunk, as seqeval does.
    """
    out = []
    start, kind = -1, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        continues = prefix == "I" and t == kind
        if kind is not None and not continues:
            out.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and not continues:
            start, kind = i, t
    return out
