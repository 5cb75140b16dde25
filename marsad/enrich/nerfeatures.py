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


def gazetteer_tags(
    folded: Sequence[str], gazetteer: Mapping[tuple[str, ...], str], longest: int
) -> list[str]:
    """Mark every token inside a gazetteer phrase as B-TYPE / I-TYPE (longest match wins).

    Phrases are keyed by folded tokens; a leading clitic on the first token is tolerated.
    """
    tags = ["O"] * len(folded)
    i = 0
    while i < len(folded):
        hit = _match_at(folded, i, gazetteer, longest)
        if hit is None:
            i += 1
            continue
        n, kind = hit
        tags[i] = "B-" + kind
        for j in range(i + 1, i + n):
            tags[j] = "I-" + kind
        i += n
    return tags


def _match_at(folded, i, gazetteer, longest):
    first_forms = (folded[i], strip_prefix(folded[i])[1])
    for n in range(min(longest, len(folded) - i), 0, -1):
        rest = tuple(folded[i + 1: i + n])
        for first in first_forms:
            kind = gazetteer.get((first, *rest))
            if kind:
                return n, kind
    return None


def _word_features(word: str, clusters: Mapping[str, Sequence[str]]) -> dict[str, str]:
    f = fold(word)
    prefix, stem = strip_prefix(f)
    core = strip_suffix(stem)
    out = {"w": f, "stem": stem, "shape": shape(word), "pre": prefix}
    ids = clusters.get(f) or clusters.get(stem)
    if ids is None:
        out["c0"] = "oov"
    else:
        out.update({f"c{k}": cid for k, cid in enumerate(ids)})
    if stem != f and stem in clusters:
        out["sc"] = clusters[stem][2]
    return out, stem, core


def sentence_features(
    tokens: Sequence[str],
    clusters: Mapping[str, Sequence[str]],
    gazetteer: Mapping[tuple[str, ...], str],
    longest: int,
) -> list[dict[str, float | str]]:
    """One crfsuite feature dict per token: the token itself plus a ±2 window of neighbours."""
    words = []
    for tok in tokens:
        base, stem, core = _word_features(tok, clusters)
        words.append((base, stem, core))
    gaz = gazetteer_tags([w[0]["w"] for w in words], gazetteer, longest)
    feats = []
    n = len(tokens)
    for i, (base, stem, core) in enumerate(words):
        d: dict[str, float | str] = {"bias": 1.0, "core": core, "gz": gaz[i]}
        d.update(base)
        for k in (1, 2, 3):
            if len(stem) > k:
                d[f"p{k}"] = stem[:k]
                d[f"s{k}"] = stem[-k:]
        if len(tokens[i]) > 1 and fold(tokens[i]) != tokens[i]:
            d["hamza"] = tokens[i][0]
        for off in range(-WINDOW, WINDOW + 1):
            if off == 0:
                continue
            j = i + off
            if 0 <= j < n:
                nb = words[j][0]
                d[f"{off}w"] = nb["w"]
                d[f"{off}stem"] = nb["stem"]
                d[f"{off}gz"] = gaz[j]
                for key in ("c0", "c1", "c2", "sc", "shape"):
                    if key in nb:
                        d[f"{off}{key}"] = nb[key]
            else:
                d[f"{off}w"] = "<s>" if j < 0 else "</s>"
        if i > 0:
            d["-1w|w"] = words[i - 1][0]["w"] + "|" + base["w"]
        if i + 1 < n:
            d["w|+1w"] = base["w"] + "|" + words[i + 1][0]["w"]
        feats.append(d)
    return feats
