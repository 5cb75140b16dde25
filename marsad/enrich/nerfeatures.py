"""Token features for the NER tagger: tokenizing, letter folding, clitics, clusters, gazetteers.

Everything here is pure and deterministic: the same functions featurize the training corpus
and the text being tagged, so a model stays valid as long as this module does not change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

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
_TYPES = ("PERS", "LOC", "ORG", "MISC")
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


@lru_cache(maxsize=_CACHE_SIZE)
def stem_of(word: str) -> str:
    return strip_prefix(fold(word))[1]


class Featurizer:
    """Turns sentences into crfsuite attribute lists (``name:value`` strings, as crfsuite names
    dict features); the per-word part is computed once per word.

    ``keep`` (the attributes a model knows) drops the rest early, which makes tagging faster.
    """

    def __init__(self, clusters: Mapping[str, Sequence[str]], gazetteer: Gazetteer,
                 keep: frozenset[str] | None = None):
        self.clusters = clusters
        self.gazetteer = gazetteer
        self.keep = keep
        self.token_kinds = _token_kinds(gazetteer[0])
        self._cache: dict[str, tuple[str, list[str], tuple[list[str], ...]]] = {}

    def _kept(self, attrs: list[str]) -> list[str]:
        return attrs if self.keep is None else [a for a in attrs if a in self.keep]

    def _word(self, word: str) -> tuple[str, list[str], tuple[list[str], ...]]:
        """(folded form, own attributes, the attributes a neighbour sees at each window offset)."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        f = fold(word)
        prefix, stem = strip_prefix(f)
        own = {"w": f, "stem": stem, "core": strip_suffix(stem), "shape": shape(word), "pre": prefix}
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
        attrs = self._kept(["bias", *(f"{k}:{v}" for k, v in own.items())])
        shown = [(k, own[k]) for k in _NEIGHBOUR_KEYS if k in own]
        views = tuple(self._kept([f"{off}{k}:{v}" for k, v in shown]) for off in _OFFSETS)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[word] = hit = (f, attrs, views)
        return hit

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """The attributes of each token: the token itself plus a ±2 window of neighbours."""
        words = [self._word(t) for t in tokens]
        folded = [w[0] for w in words]
        gaz = gazetteer_tags(folded, self.gazetteer)
        n = len(tokens)
        feats = []
        for i, (f, own, _) in enumerate(words):
            a = ["gz:" + gaz[i]]  # the word-dependent attributes below were filtered when cached
            for off in _OFFSETS:
                j = i + off
                if 0 <= j < n:
                    a.append(f"{off}gz:{gaz[j]}")
                else:
                    a.append(f"{off}w:<s>" if j < 0 else f"{off}w:</s>")
            if i > 0:
                a.append(f"-1w|w:{folded[i - 1]}|{f}")
            if i + 1 < n:
                a.append(f"w|+1w:{f}|{folded[i + 1]}")
            a = self._kept(a) + own
            for v, off in enumerate(_OFFSETS):
                if 0 <= i + off < n:
                    a += words[i + off][2][v]
            feats.append(a)
        return feats


def add_context_features(
    sents: Sequence[Sequence[str]],
    feats: Sequence[list[list[str]]],
    first: Sequence[Sequence[str]],
    reach: int,
) -> None:
    """Second-pass attributes, in place: the first pass's tags around each token, and the entity
    types the first pass gave the same stem elsewhere within ``reach`` sentences (same story)."""
    stems = [[stem_of(t) for t in s] for s in sents]
    seen = [{(st, tag[2:]) for st, tag in zip(s, tags, strict=True) if tag != "O" and len(st) > 1}
            for s, tags in zip(stems, first, strict=True)]
    window: Counter = Counter()  # (stem, type) → sentences of the window where the first pass saw it
    for k in range(min(reach, len(seen))):
        window.update(seen[k])
    for j, (s, tags, fs) in enumerate(zip(stems, first, feats, strict=True)):
        if j + reach < len(seen):
            window.update(seen[j + reach])
        if j - reach - 1 >= 0:
            window.subtract(seen[j - reach - 1])
        own = seen[j]
        last = len(tags) - 1
        for i, (stem, a) in enumerate(zip(s, fs, strict=True)):
            a += ("t1:" + tags[i], "-1t1:" + (tags[i - 1] if i else "<s>"),
                  "+1t1:" + (tags[i + 1] if i < last else "</s>"))
            mem = [k for k in _TYPES if window[stem, k] - ((stem, k) in own) > 0]
            a += ["mem=" + k for k in mem] if mem else ["mem:none"]
