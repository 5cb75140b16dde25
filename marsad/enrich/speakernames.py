"""Speakers' names where the tagger cut or missed them.

A tagger often stops a name early (جان كلود for جان كلود يونكر, مصطفى for مصطفى الخلفي) or misses
it in one sentence while finding it in another (إليسا). Two kinds of evidence complete a name
without reading further than the article: given names, the words that open personal names in the
tagger's gazetteer and the alias table (a name that ends on one goes on), and the article's own
mentions of people (a word the article tags as part of a person's name elsewhere is a name here
too). Only plain words can join a name: no function word, speech verb, title, role, body or word
of time. The same evidence names a speaker printed untagged before «قالت فيه» (شريط فيديو لكامبل),
and the mentions say what a definite noun alone refers back to (وأكدت الحركة → حركة النهضة).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import known_entities, lookup, name_particles, title_prefix
from marsad.enrich.lexicon import fold, load, tokens
from marsad.enrich.ner.features import fold as tagger_fold
from marsad.enrich.speechwords import lexicon
from marsad.model import EntityMention

_MAX_ADDED = 2  # words a cut name may gain
_NEXT_WORD = re.compile(r" +([\u0621-\u064a]+)")
_MIN_LETTERS = 3


@cache
def given_names() -> frozenset[str]:
    """Words (folded as the tagger folds) that mostly open or continue a personal name and seldom
    end one: in the gazetteer's and the alias table's names of people, at least twice not last and
    at least twice as often not last as last, or once not last, never last and without ال."""
    from marsad.enrich.ner import DATA, GAZETTEER, load_gazetteer

    path = DATA / GAZETTEER
    names = [list(words) for words, kind in load_gazetteer(path).items() if kind == "PERS"] \
        if path.is_file() else []
    names += [[tagger_fold(w) for w in c.split()] for c, _, kind in known_entities() if kind == "PERS"]
    inner, last = Counter(), Counter()
    for words in names:
        if len(words) > 1:
            inner.update(words[:-1])
            last[words[-1]] += 1
    return frozenset(w for w, n in inner.items() if len(w) >= _MIN_LETTERS and (
        n >= 2 and n >= 2 * last[w] or n == 1 and not last[w] and not w.startswith("ال")))


@cache
def _excluded() -> frozenset[str]:
    """Words that never join a name: stops, speech words, roles, bodies, times, function words."""

    lex = lexicon()
    words = set(lex["stops"]) | lex["complementizers"] | lex["bodies"] | lex["times"] | lex["roles"]
    words |= lex["verbs"] | lex["participles"] | lex["pronoun_subjects"] | lex["relays"]
    words |= {fold(w) for key in ("function_words", "kin") for w in load("names.json")[key]}
    return frozenset(words | {"الذي", "التي", "الذين", "عنه", "عنها", "له", "لها", "قوله", "قولها"})


def name_word(word: str) -> bool:
    """A plain word that may be part of a name (not a title, role or function word)."""
    f = fold(word)
    return word.isalpha() and len(f) >= 2 and f not in _excluded() and not title_prefix([word])


def _is_given(word: str) -> bool:
    return tagger_fold(word) in given_names() or fold(word) in name_particles()


def article_names(entities: list[EntityMention]) -> dict[str, EntityMention]:
    """Folded word → the person mention of the article it comes from, for each word of a person's
    name (both ends of إليسا وحماقي; a glued و dropped), longer names first."""
    out: dict[str, EntityMention] = {}
    for e in sorted((e for e in entities if e.type == "PERS"), key=lambda e: -len(e.text.split())):
        for w in e.text.split():
            f = fold(w)
            for form in (f, f[1:] if f[:1] == "و" and len(f) > _MIN_LETTERS else f):
                if len(form) >= _MIN_LETTERS and name_word(w) and form not in _excluded():
                    out.setdefault(form, e)
    return out


def _joins(word: str, previous: str, names: dict[str, EntityMention]) -> bool:
    """Whether ``word`` goes on the name that ends with ``previous``: after a given name, or a word
    the article names people with."""
    return name_word(word) and (_is_given(previous) or fold(word) in names)


def complete_names(entities: list[EntityMention], paragraphs: list[str]) -> list[EntityMention]:
    """The entities, with each person's name that the tagger cut short extended over the name words
    that follow it in its paragraph, and each body's name that stops on a noun that needs its
    complement (المرصد السوري لحقوق → … لحقوق الإنسان) extended over that complement."""
    names = article_names(entities)
    taken = {(e.paragraph, e.start) for e in entities}
    out = []
    for e in entities:
        if e.type == "PERS" and 0 <= e.paragraph < len(paragraphs):
            e = _extend(e, paragraphs[e.paragraph], names, taken)
        elif e.type == "ORG" and 0 <= e.paragraph < len(paragraphs):
            e = _complement(e, paragraphs[e.paragraph])
        out.append(e)
    return out


def needs_complement(word: str) -> bool:
    """ل + a noun without ال (لحقوق، لمكافحة): a body's name does not end on it."""
    f = fold(word)
    return f.startswith("ل") and not f.startswith(("لل", "ال")) and len(f) >= 4


def _complement(e: EntityMention, paragraph: str) -> EntityMention:
    """A body's name ending on a noun that needs its complement goes on over the word with ال
    that completes it."""
    if not (e.text.split() and needs_complement(e.text.split()[-1])):
        return e
    m = _NEXT_WORD.match(paragraph, e.end)
    if m is None or not fold(m.group(1)).startswith("ال"):
        return e
    text = paragraph[e.start:m.end()]
    return replace(e, text=text, end=m.end(), canonical=lookup(text) or text)


def _extend(e: EntityMention, paragraph: str, names: dict[str, EntityMention],
            taken: set[tuple[int, int]]) -> EntityMention:
    toks = tokens(paragraph)
    k = next((i for i, t in enumerate(toks) if t[0] >= e.end), len(toks))
    end, previous = e.end, e.text.split()[-1] if e.text.split() else ""
    for t in toks[k:k + _MAX_ADDED]:
        if (e.paragraph, t[0]) in taken or paragraph[end:t[0]].strip() or not _joins(t[2], previous, names):
            break
        end, previous = t[1], t[2]
    if end == e.end:
        return e
    text = paragraph[e.start:end]
    full = names.get(fold(previous))
    canonical = lookup(text, "PERS") or (full.canonical if full is not None and full.text.endswith(previous)
                                         and len(full.text.split()) > 1 else None) or text
    return replace(e, text=text, end=end, canonical=canonical)


def untagged_name(words: list[str], names: dict[str, EntityMention]) -> str | None:
    """The name that one to three words form when the tagger missed it: plain words, at least one
    of them a word the article names a person with or a given name, none with ال unless the article
    names someone with it (الخلفي)."""
    if not 1 <= len(words) <= 3 or not all(name_word(w) for w in words):
        return None
    if fold(words[0]).startswith("ال") and fold(words[0]) not in names:
        return None  # a surname may have ال (معين المرعبي), a name's first word seldom does
    if not (any(fold(w) in names for w in words) or any(_is_given(w) for w in words[:-1])):
        return None
    return " ".join(words)


_MARKS = frozenset('«»"“”')
_MAX_TITLE = 24  # tokens of a long title searched for the person who holds it
_OTHERS = ("مع", "بين", "ضد", "نظير", "نظيره", "نظيرته", "نظيرها", "لقاء", "اتصال")  # someone else is named
_PREPOSITIONS = ("عن", "من", "الي", "علي", "في", "ل", "لـ", "ب", "بـ", "باسم")


def title_holder(toks: tuple, start: int, entities: list[EntityMention],
                 names: dict[str, EntityMention]) -> tuple[str, str | None] | None:
    """(name, canonical) of the person a long title leads to, before what the verb says: وأكد رئيس
    عمليات حرس الحدود اليمني وقائد «لواء الحسم» في الجيش الوطني العميد هادي حمران الجعيدي أن …. Not
    a person inside a relative clause (، الذي يرأسه الحريري،), after a preposition, or after a word
    that brings someone else in (في مؤتمر مع نظيره …). Past a comma, an untagged name the article or
    the given names vouch for, right before the addressee or the quote: …، معين المرعبي لوكالة …."""

    people = {e.start: e for e in entities if e.type == "PERS"}
    ends = lexicon()["complementizers"]
    relative = other = False
    run: list[str] | None = None  # words after a comma
    skip = -1  # the end of a name in marks
    for j in range(start, min(start + _MAX_TITLE, len(toks))):
        if j <= skip:
            continue
        word, f = toks[j][2], fold(toks[j][2])
        if run is not None and not name_word(word) and (name := untagged_name(run, names)):
            return name, lookup(name, "PERS")  # …، فلورانس بارلي:
        if word in (":", ".", "؟", "!") or f in ends:
            break
        if word in _MARKS:  # a short name in marks («لواء الحسم») is passed; a quote ends the title
            close = next((i for i in range(j + 1, min(j + 5, len(toks))) if toks[i][2] in _MARKS), None)
            if close is None or run:
                break
            skip = close
            continue
        if word in "،,":
            relative = other = False
            run = []
            continue
        relative = relative or f in ("الذي", "التي", "الذين")
        other = other or f in _OTHERS or f.startswith("نظير")
        e = people.get(toks[j][0])
        if e is not None and not (relative or other) and fold(toks[j - 1][2]) not in _PREPOSITIONS:
            return e.text, e.canonical
        if run is not None:
            run = run + [word] if len(run) < 3 and name_word(word) and not f.startswith("ل") else None
    return None


def antecedent(noun: str, state: dict) -> str | None:
    """The entity a definite noun alone refers back to (وأكدت الحركة → حركة النهضة; المنصة → منصة
    التواصل فيسبوك): the last body or person the article named with that noun, in its name or right
    before it."""
    bare = normalize_for_matching(noun).removeprefix("ال")
    if len(bare) < 3:
        return None
    for m, context in reversed(state["mentions"]):
        named = normalize_for_matching(m.text).split()
        near = [w.removeprefix("ال") for w in context.split()[-4:]]
        if m.type in ("ORG", "PERS") and (named[:1] == [bare] or bare in near):
            return m.canonical
    return None


def untagged_before(toks: tuple, lo: int, k: int, state: dict) -> str | None:
    """The last word between offset ``lo`` and token ``k`` that the article names a person with
    elsewhere, a glued ل، ب or و aside, when the tagger missed it here (شريط فيديو لكامبل), as
    printed."""
    names = state.get("names", {})
    for j in range(k - 1, -1, -1):
        if toks[j][0] < lo:
            break
        f = fold(toks[j][2])
        for word in (f, f[1:] if f[:1] in ("ل", "ب", "و") else f):
            if word in names and len(word) >= 4:  # no canonical: a surname may be two people's
                return toks[j][2][len(f) - len(word):]
    return None
