"""Mentions that are no entities: dates, money, units, common nouns, religious formulae.

A tagger trained on news takes some words for names because they are often capitalized in the
languages it learned from, or stand where names stand: months (نيسان), weekdays, currencies
(الريال), units, common and plural nouns (الميليشيات, العاصمة), religious formulae (الله) and
descriptions (حليفان موثوقان). The lists are data (``not_entities.json``: common nouns, formulae,
and common terms of science, health and technology that look like names (الكربون, الإنفلونزا,
سيلفي), with the month names of ``months.json`` in every system and the currencies of
``currencies.json``). A name counts as such a word only when all of it is one: a currency or a month
inside a real name stays (ريال مدريد, ثورة 25 يناير). A month name alone that the tagger calls an
organization and that stands in no date keeps its place (نيسان, the car maker). Some words are an
entity only in a context: الريال alone is Real Madrid in an article about football, else the
currency. A name that opens with an event word (عملية, حملة, قمة) is an event: MISC, never a person.

Beyond the lists, the tagger's own doubt: a one-word name it tagged with low confidence
(``find_scored_entities``: below ``UNSURE`` at every mention) that the article prints untagged at least
as often as tagged is a common word the tagger took for a name here, and is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import cache, lru_cache

from marsad.enrich.lexicon import fold, load
from marsad.model import EntityMention

_WORD = re.compile(r"\w+")
UNSURE = 0.9  # the tagger's confidence below which a one-word name needs the article's support
Scores = dict[int, list[tuple[int, int, float]]]  # paragraph → (start, end, confidence) of tagged spans


def _bare(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def _fold_name(name: str) -> str:
    return " ".join(fold(w) for w in _WORD.findall(name))


@cache
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], dict, frozenset[str]]:
    """(words of dates and amounts, month words, whole names that are never entities,
    context words, event heads), folded; date and amount words also without ال."""
    data, months, money = load("not_entities.json"), load("months.json"), load("currencies.json")
    month_words = {w for table in ("gregorian", "hijri") for name in months[table] for w in name.split()}
    words = set(month_words) | {w for name in months["weekdays"] for w in name.split()}
    for currency in money["currencies"]:
        words.update(currency["names"])
        words.update(currency.get("qualifiers", {}))
    words.update(data["time_words"] + data["units"])
    context = {_bare(fold(k)): {**v, "cues": frozenset(_bare(fold(c)) for c in v["cues"])}
               for k, v in data["by_context"].items()}
    return (frozenset(_bare(fold(w)) for w in words),
            frozenset(_bare(fold(w)) for w in month_words) - frozenset(_bare(fold(w)) for w in
                                                                    data["time_words"]),
            frozenset(_fold_name(n) for n in data["common_nouns"] + data["formulae"]
                      + [t for kind in data["common_terms"].values() for t in kind]),
            context, frozenset(fold(w) for w in data["event_heads"]))


def is_junk(name: str) -> bool:
    """Whether a name is no entity wherever it stands: a common noun, a formula, or only words
    of dates, amounts and units (25 يناير, الريال السعودي, يوم الجمعة)."""
    return _kind(name) is not None


@lru_cache(maxsize=1 << 16)  # the same names recur in article after article
def _kind(name: str) -> str | None:
    """'noun' for a listed common noun or formula, 'month' for a month name alone, 'date' for
    other date, money and unit words; None for a name."""
    temporal, months, names, _, _ = _lists()
    key = _fold_name(name)
    if key in names or _unglued(key) in names or _agreeing_phrase(key.split()) or _initial(name):
        return "noun"
    words = [_bare(w) for w in key.split()]
    if not words or not all(w.isdigit() or w in temporal for w in words):
        return None
    return "month" if len(words) == 1 and words[0] in months else "date"


def _initial(name: str) -> bool:
    """A lone initial (سي., بي.) or letter (س, the hour's abbreviation): a piece of an abbreviation,
    never a name itself."""
    word = name.strip()
    return " " not in word and (word.endswith(".") and len(word) <= 4 or len(_fold_name(word)) < 2)


def _unglued(key: str) -> str:
    """A name without a glued conjunction or preposition (لميليشيات → ميليشيات, للحكومة → الحكومة)."""
    if key.startswith(("لل", "ولل", "فلل")) and len(key) > 5:
        return "ال" + key[key.index("لل") + 2:]
    rest = key[1:] if key[:1] in "وف" and len(key) > 4 else key
    return rest[1:] if rest[:1] in "بلك" and len(rest) > 4 else rest


_AGREEMENT = ("ان", "ين", "ون", "ات")  # dual and sound plural endings


def _agreeing_phrase(words: list[str]) -> bool:
    """An indefinite noun with adjectives agreeing in a dual or plural ending (حليفان موثوقان,
    'two trusted allies'): a description, never a name."""
    if len(words) < 2:
        return False
    end = words[0][-2:]
    return end in _AGREEMENT and all(len(w) >= 5 and w[-2:] == end and not w.startswith("ال") for w in words)


def filter_entities(mentions: Sequence[EntityMention], texts: Sequence[str],
                    dates: Sequence[Sequence[tuple[int, int]]]) -> list[EntityMention]:
    """The mentions of one article that are entities, events typed MISC and context words named.

    ``texts`` are what the mentions' paragraphs index (the headline first), ``dates`` the spans of
    the dates found in each of them."""
    out, article_words = [], None
    _, _, _, context, events = _lists()
    for m in mentions:
        name = m.canonical or m.text
        entry = context.get(_bare(_fold_name(name)))
        if entry is not None:
            if article_words is None:
                article_words = {_bare(fold(w)) for t in texts for w in _WORD.findall(t)}
            if not entry["cues"] & article_words:
                continue
            m = replace(m, canonical=entry["name"], type=entry["type"])
            name = m.canonical
        kind = _kind(name)
        if kind == "month" and m.type == "ORG" and not _dated(m, texts[m.paragraph], dates):
            out.append(m)  # نيسان, the car maker
            continue
        if kind is not None:
            continue
        words = _fold_name(name).split()
        if m.type != "MISC" and len(words) > 1 and words[0] in events:
            m = replace(m, type="MISC")
        out.append(m)
    return out


@cache
def _date_cues() -> tuple[frozenset[str], frozenset[str]]:
    """(words before a month that make it a date, words after one that do)."""
    months = load("months.json")
    return (frozenset(fold(w) for w in months["month_cues"] + months["positions"]),
            frozenset(fold(w) for w in ("الماضي", "المقبل", "الجاري", "القادم", "الحالي")))


def _dated(m: EntityMention, text: str, dates: Sequence[Sequence[tuple[int, int]]]) -> bool:
    """Whether a month name stands in a date: a day, a year, a gloss (نيسان/أبريل) or a cue word
    beside it (في نيسان, نيسان الماضي), or a date found around more than the name."""
    spans = dates[m.paragraph] if 0 <= m.paragraph < len(dates) else ()
    if any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in spans):
        return True
    before, after = _WORD.findall(text[:m.start])[-1:], _WORD.findall(text[m.end:])[:1]
    glued = text[max(0, m.start - 1):m.start] == "/" or text[m.end:m.end + 1] == "/"
    cues_before, cues_after = _date_cues()
    return glued or any(w.isdigit() or fold(w) in cues_before for w in before) or any(
        w.isdigit() or fold(w) in cues_after for w in after)


def with_scores(mentions: Sequence[EntityMention], scores: Scores) -> list[EntityMention]:
    """The mentions with the confidence of the tagged span each lies in (None for one it did not tag)."""
    out = []
    for m in mentions:
        score = next((c for s, e, c in scores.get(m.paragraph, ()) if s <= m.start and m.end <= e), None)
        out.append(replace(m, score=score) if score is not None else m)
    return out


def drop_unsure(mentions: Sequence[EntityMention], texts: Sequence[str]) -> list[EntityMention]:
    """The mentions without the one-word names the tagger doubted everywhere in the article and the
    article mostly prints untagged (see the module docstring). Names the alias table or the tagger's
    gazetteer lists are names whatever the doubt."""
    groups: dict[str, list[EntityMention]] = {}
    for m in mentions:
        groups.setdefault(m.canonical or m.text, []).append(m)
    doubted = {_bare_word(_fold_name(name)): name for name, group in groups.items()
               if " " not in _fold_name(name) and all(m.score is not None and m.score < UNSURE for m in group)
               and _fold_name(name) not in _listed_names()}
    if not doubted:
        return list(mentions)
    untagged = Counter()
    for i, text in enumerate(texts):  # the words printed outside every mention
        for m in mentions:
            if m.paragraph == i:
                text = text[:m.start] + " " * (m.end - m.start) + text[m.end:]
        untagged.update(w for w in map(_bare_word, _fold_name(text).split()) if w in doubted)
    unsure = {name for word, name in doubted.items() if untagged[word] >= len(groups[name])}
    return [m for m in mentions if (m.canonical or m.text) not in unsure]


@cache
def _listed_names() -> frozenset[str]:
    """Names of the alias table and the tagger's gazetteer, folded as names are here."""
    from marsad.enrich.canonical import known_entities
    from marsad.enrich.ner import DATA, GAZETTEER, load_gazetteer

    known = {_fold_name(n) for _, names, _ in known_entities() for n in names}
    path = DATA / GAZETTEER
    listed = {_fold_name(" ".join(words)) for words in load_gazetteer(path)} if path.is_file() else set()
    return frozenset(known | listed)


def _bare_word(word: str) -> str:
    """A word without a glued و، ف، ب، ل and ال, to count its printings."""
    word = word[1:] if word[:1] in "وفبل" and len(word) > 3 else word
    return _bare(word)
