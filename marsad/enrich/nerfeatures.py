"""Token features for the NER tagger: tokenizing, letter folding, clitics, clusters, gazetteers.

Everything here is pure and deterministic: the same functions featurize the training corpus
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
_PREFIXES = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_SUFFIXES = ("هما", "هم", "ها", "ين", "ون", "ات", "ان", "يه", "ه", "ي")
WINDOW = 2
Gazetteer = tuple[Mapping[tuple[str, ...], str], Mapping[str, tuple[int, ...]]]  # phrases, heads
REACH = 10  # sentences either side that the second pass looks at for the same name


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Split raw text like ANERcorp: (start, end, token) with character offsets into ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def fold(word: str) -> str:
    """Drop diacritics/tatweel and fold alef, ya, ta marbuta and hamza carriers."""
    return _DIACRITICS.sub("", word).translate(_FOLD)


def strip_prefix(word: str) -> tuple[str, str]:
    """(prefix, stem) of an already folded word; the prefix is '' when none applies."""
    for p in _PREFIXES:
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


def gazetteer_tags(folded: Sequence[str], gazetteer: Gazetteer) -> list[str]:
    """Mark every token inside a gazetteer phrase as B-TYPE / I-TYPE (longest match wins).

    Phrases are keyed by folded tokens; a leading clitic on the first token is tolerated.
    """
    phrases, heads = gazetteer
    tags = ["O"] * len(folded)
    i = 0
    while i < len(folded):
        hit = _match_at(folded, i, phrases, heads)
        if hit is None:
            i += 1
            continue
        n, kind = hit
        tags[i] = "B-" + kind
        for j in range(i + 1, i + n):
            tags[j] = "I-" + kind
        i += n
    return tags


def _match_at(folded, i, phrases, heads):
    word = folded[i]
    for first in (word, strip_prefix(word)[1]):
        for n in heads.get(first, ()):
            if i + n <= len(folded):
                kind = phrases.get((first, *folded[i + 1: i + n]))
                if kind:
                    return n, kind
    return None


_OFFSETS = tuple(o for o in range(-WINDOW, WINDOW + 1) if o)
_NEIGHBOUR_KEYS = ("w", "stem", "c0", "c1", "c2", "sc", "shape", "tk")
_CACHE_SIZE = 200_000


def _token_kinds(phrases: Mapping[tuple[str, ...], str]) -> dict[str, str]:
    """Every word of a listed name → the types of the names it occurs in (e.g. 'LOC|PERS')."""
    kinds: dict[str, set[str]] = {}
    for key, kind in phrases.items():
        for tok in key:
            if len(tok) > 2:
                kinds.setdefault(tok, set()).add(kind)
    return {tok: "|".join(sorted(k)) for tok, k in kinds.items()}


class Featurizer:
    """Turns sentences into crfsuite feature dicts; the per-word part is computed once per word."""

    def __init__(self, clusters: Mapping[str, Sequence[str]], gazetteer: Gazetteer):
        self.clusters = clusters
        self.gazetteer = gazetteer
        self.token_kinds = _token_kinds(gazetteer[0])
        self._cache: dict[str, tuple[str, dict, tuple[dict, ...]]] = {}

    def _word(self, word: str) -> tuple[str, dict, tuple[dict, ...]]:
        """(folded form, own features, the features a neighbour sees at each window offset)."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        f = fold(word)
        prefix, stem = strip_prefix(f)
        own: dict[str, float | str] = {"bias": 1.0, "w": f, "stem": stem, "core": strip_suffix(stem),
                                       "shape": shape(word), "pre": prefix}
        ids = self.clusters.get(f) or self.clusters.get(stem)
        if ids is None:
            own["c0"] = "oov"
        else:
            own.update({f"c{k}": cid for k, cid in enumerate(ids)})
        if stem != f and stem in self.clusters:
            own["sc"] = self.clusters[stem][2]
        for k in (1, 2, 3):
            if len(stem) > k:
                own[f"p{k}"] = stem[:k]
                own[f"s{k}"] = stem[-k:]
        if len(word) > 1 and f != word:
            own["hamza"] = word[0]
        kinds = self.token_kinds.get(f) or self.token_kinds.get(stem)
        if kinds:
            own["tk"] = kinds
        views = tuple({f"{off}{k}": own[k] for k in _NEIGHBOUR_KEYS if k in own} for off in _OFFSETS)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[word] = hit = (f, own, views)
        return hit

    def sentence(self, tokens: Sequence[str]) -> list[dict[str, float | str]]:
        """One feature dict per token: the token itself plus a ±2 window of neighbours."""
        words = [self._word(t) for t in tokens]
        folded = [w[0] for w in words]
        gaz = gazetteer_tags(folded, self.gazetteer)
        n = len(tokens)
        feats = []
        for i, (f, own, _) in enumerate(words):
            d = dict(own)
            d["gz"] = gaz[i]
            for v, off in enumerate(_OFFSETS):
                j = i + off
                if 0 <= j < n:
                    d.update(words[j][2][v])
                    d[f"{off}gz"] = gaz[j]
                else:
                    d[f"{off}w"] = "<s>" if j < 0 else "</s>"
            if i > 0:
                d["-1w|w"] = folded[i - 1] + "|" + f
            if i + 1 < n:
                d["w|+1w"] = f + "|" + folded[i + 1]
            feats.append(d)
        return feats


def add_context_features(
    sents: Sequence[Sequence[str]], feats: Sequence[list[dict]], first: Sequence[Sequence[str]], reach: int
) -> None:
    """Second-pass features, in place: the first pass's tags around each token, and the entity
    types the first pass gave the same stem elsewhere within ``reach`` sentences (same story)."""
    stems = [[strip_prefix(fold(t))[1] for t in s] for s in sents]
    seen: list[dict[str, set[str]]] = []
    for s, tags in zip(stems, first, strict=True):
        kinds: dict[str, set[str]] = {}
        for stem, tag in zip(s, tags, strict=True):
            if tag != "O" and len(stem) > 1:
                kinds.setdefault(stem, set()).add(tag[2:])
        seen.append(kinds)
    for j, (s, tags, fs) in enumerate(zip(stems, first, feats, strict=True)):
        near = [seen[k] for k in range(max(0, j - reach), min(len(sents), j + reach + 1)) if k != j]
        for i, (stem, d) in enumerate(zip(s, fs, strict=True)):
            d["t1"] = tags[i]
            d["-1t1"] = tags[i - 1] if i else "<s>"
            d["+1t1"] = tags[i + 1] if i + 1 < len(tags) else "</s>"
            kinds = set().union(*(m.get(stem, ()) for m in near)) if near else set()
            for kind in kinds:
                d["mem=" + kind] = 1.0
            if not kinds:
                d["mem"] = "none"
