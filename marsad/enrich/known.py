"""Mentions of the entities the alias table knows, found whether or not the tagger saw them.

The alias table (``aliases.json`` and the country list) holds the entities a newsroom follows, and
an analyst expects every printed form of them found. So the tagger's mentions of an article are
merged with the table's:

- a known name the tagger missed is added (دوشانبي);
- a mention inside a longer known name grows to it (رحمون → إمام علي رحمون), and one that runs two
  known names together is split (بوتين وعلييف);
- a mention that is exactly a known name takes the table's type (دوشنباي is a place), except a
  place the tagger calls an organization more often than not in the article (روما, the club);
- a known name inside a longer mention stays part of it (أذربيجان in سبوتنيك أذربيجان), except a
  place after a title in a person mention (والي بن عروس, معتمد بن قردان محمد: the governor of a town,
  whose name the tagger ran into the title): the place is the mention, and two or more words after it
  stay a person.

Names that are also common words (``_ambiguous``: حماس is also 'zeal') count only where the tagger
found the same entity in the article. Currency names, which the NER training data tags as MISC,
are no entities here: the figures carry them.
"""

from __future__ import annotations

import re
from functools import cache

from marsad.enrich.canonical import canonical_name, fold_name, known_entities, lookup, title_prefix
from marsad.enrich.lexicon import fold, load, loose_alternation

Raw = tuple[int, int, int, str, str]  # paragraph, start, end, type, text
_MIN_LETTERS = 3  # a one-word name shorter than this is too easily a piece of another word


@cache
def _table() -> tuple[re.Pattern, dict[str, tuple[str, str]], frozenset[str]]:
    """(pattern of every known printed form, folded form → (canonical, type), ambiguous canonicals).

    A form two entities share is left out. A form starting with ال is also matched after لل (للصين)."""
    forms: dict[str, tuple[str, str]] = {}
    for canon, names, kind in known_entities():
        for name in names:
            key = fold_name(name)
            if (" " in key or len(key) >= _MIN_LETTERS) and lookup(name, kind, skeletons=False) == canon:
                forms[key] = (canon, kind)
                if key.startswith("ال"):
                    forms["ل" + key[2:]] = (canon, kind)
    pattern = re.compile(rf"(?<!\w)[وف]?[بكل]?(?P<name>{loose_alternation(forms)})(?!\w)")
    ambiguous = frozenset(canonical_name(n) for n in load("aliases.json").get("_ambiguous", []))
    return pattern, forms, ambiguous


@cache
def _currency_words() -> frozenset[str]:
    money = load("currencies.json")["currencies"]
    words = {w for c in money for w in [*c["names"], *c.get("qualifiers", {})]}
    return frozenset(fold(w) for w in words)


def _is_currency(text: str) -> bool:
    words = [fold(w).removeprefix("ال") for w in text.split()]
    return bool(words) and all(w in _currency_words() for w in words)


def find_known(paragraph: str, index: int) -> list[tuple[Raw, str]]:
    """(mention, canonical) of every known name printed in one paragraph, clitics included."""
    pattern, forms, _ = _table()
    out = []
    for m in pattern.finditer(paragraph):
        canon, kind = forms[fold_name(m["name"])]
        out.append(((index, m.start(), m.end(), kind, m.group()), canon))
    return out


def merge_known(raw: list[Raw], paragraphs: list[str]) -> list[Raw]:
    """The tagger's mentions of an article merged with the known names printed in it (see above)."""
    _, _, ambiguous = _table()
    tagged = {canonical_name(text, kind) for *_, kind, text in raw}
    found = [(k, canon) for i, p in enumerate(paragraphs) for k, canon in find_known(p, i)
             if canon not in ambiguous or canon in tagged]
    clubs = _places_called_organizations(raw, found)
    known = [(*k[:3], "ORG", k[4]) if canon in clubs else k for k, canon in found]
    kept = []
    for t in raw:
        if t[3] == "MISC" and _is_currency(t[4]):
            continue
        near = [k for k in known if k[0] == t[0] and k[1] < t[2] and t[1] < k[2]]
        if any(k[1] <= t[1] and t[2] <= k[2] for k in near) or _covered(t, near):
            continue  # the known names replace it
        if (office := _office_of_place(t, near)) is not None:
            kept.extend(office)  # والي بن عروس: the place only
            continue
        kept.append(t)
        known = [k for k in known if k not in near]
    return sorted(kept + known)


def _places_called_organizations(raw: list[Raw], found: list[tuple[Raw, str]]) -> set[str]:
    """Known places whose mentions the tagger calls organizations more often than not."""
    spans = {t[:3]: t[3] for t in raw}
    votes: dict[str, int] = {}
    for k, canon in found:
        if k[3] == "LOC":
            votes[canon] = votes.get(canon, 0) + (1 if spans.get(k[:3]) == "ORG" else -1)
    return {canon for canon, v in votes.items() if v > 0}


def _office_of_place(t: Raw, known: list[Raw]) -> list[Raw] | None:
    """For a person mention that is a title and a known place, and maybe a name after it (معتمد بن
    قردان محمد الحاج), the person left after the place (none for fewer than two words); else None."""
    place = next((k for k in known if k[3] == "LOC" and t[1] < k[1] and k[2] <= t[2]), None)
    if t[3] != "PERS" or place is None:
        return None
    before = t[4][:place[1] - t[1]].split()
    if not before or title_prefix(before) < len(before):
        return None
    after = t[4][place[2] - t[1]:]
    if len(after.split()) < 2:
        return []
    start = t[2] - len(after.lstrip())
    return [(t[0], start, t[2], "PERS", after.strip())]


def _covered(t: Raw, known: list[Raw]) -> bool:
    """Whether two or more known names inside a mention make up all of it (بوتين وعلييف)."""
    inside = [k for k in known if t[1] <= k[1] and k[2] <= t[2]]
    if len(inside) < 2:
        return False
    rest = list(t[4])
    for k in inside:
        rest[k[1] - t[1]:k[2] - t[1]] = " " * (k[2] - k[1])
    return not "".join(rest).strip(" ،,-–")
