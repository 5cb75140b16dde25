"""NER corpora under ``../shared/data/ner``: ANERcorp rebuilt into its CAMeL Lab split, AQMAR, gazetteers.

The official CAMeL Lab train file is not public, so the train part is rebuilt from the original
``ANERCorp`` file following the documented steps (see ``anercorp/PROVENANCE.md``). The official
test file is only ever read for evaluation.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from marsad.enrich.ner.features import entities, fold, tokenize

Sentence = list[tuple[str, str]]  # (token, IOB2 tag)
TYPES = ("PERS", "LOC", "ORG", "MISC")
TEST_START = ("المفرق", "-", "غيث", "الطراونة", "-", "أمر", "جلالة", "الملك")
_VALID = {"O"} | {f"{p}-{t}" for p in "BI" for t in TYPES}
_AQMAR_TYPES = {"PER": "PERS", "LOC": "LOC", "ORG": "ORG", "-ORG": "ORG"}


def ner_dir(shared: Path) -> Path:
    return shared / "data" / "ner"


def read_conll(path: Path) -> list[Sentence]:
    """Blank-line separated ``token TAG`` lines (first and last column)."""
    sents: list[Sentence] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split()
        if not parts:
            if sents[-1]:
                sents.append([])
            continue
        sents[-1].append((parts[0], parts[-1]))
    return [s for s in sents if s]


def _clean_token(raw: str) -> str:
    tok = raw.replace("\u200f", "").replace("·", ".").replace("•", ".").strip()
    return tok.split()[0] if tok else ""


def read_original(path: Path) -> list[tuple[str, str]]:
    """The original ANERCorp as (token, tag) pairs, cleaned: no RLM marks, no empty tokens."""
    pairs = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if " " not in line:
            continue
        raw, tag = line.rsplit(" ", 1)
        tok = _clean_token(raw)
        if tok:
            pairs.append((tok, tag if tag in _VALID else "O"))
    return pairs


def _is_period(tok: str) -> bool:
    return set(tok) == {"."}


def split_sentences(pairs: Sequence[tuple[str, str]]) -> list[Sentence]:
    """A sentence ends after each run of period tokens."""
    sents: list[Sentence] = [[]]
    for i, pair in enumerate(pairs):
        sents[-1].append(pair)
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        if _is_period(pair[0]) and not _is_period(nxt):
            sents.append([])
    return [s for s in sents if s]


def anercorp_split(shared: Path) -> tuple[list[Sentence], list[Sentence]]:
    """(train, test) sentences rebuilt from the original file: the first 5/6 of the words train."""
    sents = split_sentences(read_original(ner_dir(shared) / "anercorp" / "ANERCorp"))
    total = sum(len(s) for s in sents)
    seen, cut = 0, len(sents)
    for i, s in enumerate(sents):
        if seen >= total * 5 / 6:
            cut = i
            break
        seen += len(s)
    return sents[:cut], sents[cut:]


def official_test(shared: Path) -> list[Sentence]:
    return read_conll(ner_dir(shared) / "anercorp" / "ANERCorp_CamelLab_test.txt")


# WikiFANE fine classes → ANERcorp types (persons, geo-political/natural locations, organizations).
_FANE_TYPES = {
    **dict.fromkeys(("Politician", "Religious_PER", "Artist", "Other_PER", "Scientist", "Athlete",
                     "Businessperson", "Engineer", "Lawyer"), "PERS"),
    **dict.fromkeys(("Population-Center", "Nation", "State-or-Province", "Continent", "GPE-Cluster",
                     "County-or-District", "Water-Body", "Land-Region-Natural"), "LOC"),
    **dict.fromkeys(("Commercial", "Non-Governmental", "Government", "Educational", "Media", "Sports",
                     "Religious_ORG", "Entertainment", "Medical-Science"), "ORG"),
}


def wikifane(shared: Path) -> list[Sentence]:
    """WikiFANE Gold (Wikipedia; NOT the NewsFANE file, which overlaps ANERcorp) with coarse types.

    Used only for entity lists. Fine classes without an ANERcorp counterpart become O.
    """
    path = ner_dir(shared) / "fane_gold_2014" / "WikiFANE_Gold_2014_500K.txt"
    sents: list[Sentence] = [[]]
    for line in path.read_text(encoding="utf-8-sig").replace("\u200e", "").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip():
            if sents[-1]:
                sents.append([])
            continue
        prefix, _, fine = parts[1].strip().partition("-")
        kind = _FANE_TYPES.get(fine)
        sents[-1].append((parts[0].strip(), f"{prefix}-{kind}" if kind else "O"))
    return [s for s in sents if s]


_PROCLITICS = frozenset("وفبلك")
_ENCLITICS = frozenset(("ه", "ها", "هم", "هما", "هن", "كم", "كما", "كن", "نا", "ي"))


def rejoin_clitics(sent: Sentence) -> Sentence:
    """WikiFANE splits clitics off (``و جوبا``, ``عاصمة ها``); news text writes them joined
    (``وجوبا``, ``عاصمتها``). A joined word takes the tag of its stem."""
    out: Sentence = []
    glue = ""
    for tok, tag in sent:
        if tok in _PROCLITICS:
            glue += tok
        elif tok in _ENCLITICS and out and not glue:
            word = out[-1][0]
            out[-1] = ((word[:-1] + "ت" if word.endswith("ة") else word) + tok, out[-1][1])
        else:
            out.append((glue + tok, tag))
            glue = ""
    return out + ([(glue, "O")] if glue else [])


def _aqmar_tag(tag: str) -> str:
    if tag in ("O", "IO", "OO") or "-" not in tag:
        return "O"
    prefix, kind = tag.split("-", 1)
    kind = "MISC" if kind.startswith("MIS") else _AQMAR_TYPES.get(kind)
    return f"{prefix}-{kind}" if kind and prefix in ("B", "I") else "O"


def aqmar(shared: Path) -> list[Sentence]:
    """All AQMAR articles with ANERcorp's tag names (PER → PERS, MIS* → MISC, strays → O)."""
    out = []
    for path in sorted((ner_dir(shared) / "aqmar").glob("*.txt")):
        out.extend([(t, _aqmar_tag(g)) for t, g in s] for s in read_conll(path))
    return out



def country_names(shared: Path) -> list[str]:
    with (shared / "data" / "gazetteers" / "country_names_ar" / "country.csv").open(encoding="utf-8") as fh:
        return [row["value"] for row in csv.DictReader(fh)]


def phrase_key(text: str) -> tuple[str, ...]:
    return tuple(fold(t) for _, _, t in tokenize(text))


def derive_gazetteer(sents: Iterable[Sentence], min_ratio: float = 0.5) -> dict[tuple[str, ...], str]:
    """Entity phrases with their majority type; a one-word phrase must be an entity most times it occurs."""
    sents = list(sents)
    kinds: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    as_other: Counter = Counter()
    for s in sents:
        folded = [fold(t) for t, _ in s]
        for t, g in zip(folded, (g for _, g in s), strict=True):
            if g == "O":
                as_other[t] += 1
        for kind, a, b in entities([g for _, g in s]):
            kinds[tuple(folded[a:b])][kind] += 1
    gaz = {}
    for key, c in kinds.items():
        kind, n = c.most_common(1)[0]
        if len(key) > 1 or n >= min_ratio * (n + as_other[key[0]]):
            gaz[key] = kind
    return gaz
