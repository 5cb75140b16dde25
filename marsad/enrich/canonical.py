"""One canonical entity per real-world entity, however it is written or named.

A mention loses its glued conjunctions and prepositions (لروسيا → روسيا, بالكرملين → الكرملين)
and, for a person, the titles before the name (الرئيس الروسي فلاديمير بوتين → فلاديمير بوتين).
Then it is looked up in the alias table (``aliases.json``, plus the country names of
``countries.tsv``) by folded spelling, and place names also by consonant skeleton, so that
دوشانبي = دوشنبه = دوشنباي. Within an article a surname links to the one full name it ends
(بوتين → فلاديمير بوتين); two different full names sharing it stay apart.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TypeVar

from marsad.enrich.lexicon import fold, load, skip_letters, strip_marks
from marsad.enrich.ner.features import fold as tagger_fold
from marsad.model import EntityMention, Quote

T = TypeVar("T", EntityMention, Quote)
_WORD = re.compile(r"\S+")
_INNER_MARKS = re.compile(r"[#_()\[\]{}«»\"“”،,;:!?؟…]+")
_KEY_DROP = re.compile(r"[^\w-]+")
_MARKED = re.compile("[\u064b-\u0652]")
_SHADDA = re.compile("(\\w)[\u064b-\u0650\u0652]*\u0651")
_SKELETON_VOWELS = str.maketrans("", "", "اوي")
_MIN_SKELETON = 4  # consonants, not counting a leading ال


def skeleton(folded: str) -> str:
    """The consonants of each folded word: long vowels after the first letter and a final ه dropped."""
    return " ".join(w[:1] + w[1:].removesuffix("ه").translate(_SKELETON_VOWELS) for w in folded.split())


def _skeleton_size(sk: str) -> int:
    return len(sk.removeprefix("ال").replace(" ", ""))


# Letters that transliterate one sound: g and j (جونغ, غوغل, إنكلترا, إنجلترا, قوقل).
_G_LETTERS = str.maketrans("غكق", "ججج")


def variant_key(name: str) -> str:
    """A key that transliteration variants of a name share: ج/غ/ك/ق alike, a ي before و read as
    ج (كيم يونغ أون = كيم جونغ أون), long vowels and a final ه after the first letter dropped,
    and ال dropped. Different names share it too (محمد, محمود): a key only proposes a merge."""
    out = []
    for word in fold_name(name.replace("-", " ")).split():  # كيم يونغ-أون
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        word = word.translate(_G_LETTERS)
        if word.startswith("يو"):
            word = "ج" + word[1:]
        # a final ي stays: البغدادي (a man) is not بغداد (a city)
        out.append(skeleton(word) + ("ي" if word.endswith("ي") and len(word) > 3 else ""))
    return " ".join(out)


def fold_name(name: str) -> str:
    return " ".join(fold(w) for w in name.split())


@cache
def _index() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(folded name → canonical, place skeleton → canonical, vocalized name → canonical,
    person skeleton → canonical).

    A folded spelling or skeleton claimed by two entities is dropped; the vocalized one may decide."""
    exact: dict[str, set[str]] = {}
    skeletons: dict[str, dict[str, set[str]]] = {"LOC": {}, "PERS": {}}
    entries = known_entities()
    for canon, names, kind in entries:
        for name in names:
            exact.setdefault(fold_name(name), set()).add(canon)
            if kind in skeletons and _skeleton_size(skeleton(fold_name(name))) >= _MIN_SKELETON:
                skeletons[kind].setdefault(skeleton(fold_name(name)), set()).add(canon)
    vocalized = {name: canon for canon, names, _ in entries for name in names if _MARKED.search(name)}
    places, people = ({k: next(iter(v)) for k, v in skeletons[kind].items() if len(v) == 1}
                      for kind in ("LOC", "PERS"))
    return {k: next(iter(v)) for k, v in exact.items() if len(v) == 1}, places, vocalized, people


@cache
def known_entities() -> list[tuple[str, list[str], str]]:
    """(canonical name, every printed form, type) of each entity of the alias table, the country list
    and the town list (towns that read like a person: بن عروس, سيدي بوزيد, are places)."""
    aliases = load("aliases.json")
    entries = [(canon, [canon, *variants], kind) for kind, table in aliases.items()
               if not kind.startswith("_") for canon, variants in table.items()]
    claimed = {fold_name(v) for _, names, _ in entries for v in names}
    places = [[name] for name in _countries()] + _towns()
    return entries + [(names[0], names, "LOC") for names in places if fold_name(names[0]) not in claimed]


@cache
def _known_types() -> dict[str, str]:
    """Canonical name → type, for every entity of the alias table: its type holds everywhere."""
    return {canon: kind for canon, _, kind in known_entities()}


@cache
def _countries() -> list[str]:
    return [row[1] for row in _tsv("countries.tsv")]


@cache
def _towns() -> list[list[str]]:
    """Each town's printed forms, its name first."""
    return [[row[1], *(row[2].split(",") if len(row) > 2 else ())] for row in _tsv("towns.tsv")]


def _tsv(name: str) -> list[list[str]]:
    from importlib import resources

    text = resources.files("marsad.enrich").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def name_particles() -> frozenset[str]:
    """Words that open a compound name (عبد, أبو, بن), folded."""
    return frozenset(fold(w) for w in load("names.json")["particles"])


@cache
def _function_words() -> frozenset[str]:
    return frozenset(load("names.json")["function_words"])


_PARTICLE_WORDS = frozenset({"أم", "ام", "أبو", "ابو", "بن", "ابن"})  # أم كلثوم: a name's own first word


@cache
def _titles() -> frozenset[str]:
    data = load("titles.json")
    return frozenset(fold_name(t) for t in data["titles"] + data["pronouns"])


def lookup(name: str, type: str | None = None, skeletons: bool = True) -> str | None:
    """The canonical name of a known entity: by its vocalized spelling when that decides (عمّان، عُمان),
    else by folded spelling, and for places and people also by consonant skeleton."""
    exact, places, vocalized, people = _index()
    if name in vocalized:
        return vocalized[name]
    key = fold_name(name)
    if key in exact:
        return exact[key]
    if type == "PERS" and " " in key:  # علي رحمون: the end of a known full name
        known = exact.get(key.rsplit(" ", 1)[1])
        if known and fold_name(known).endswith(" " + key):
            return known
    if not skeletons or _skeleton_size(skeleton(key)) < _MIN_SKELETON:
        return None
    if type == "LOC":
        return places.get(skeleton(key))
    if type in ("PERS", "MISC"):  # ناتنياهو is نتنياهو (a tagger calls a misspelt name MISC)
        return people.get(skeleton(key))
    return None


def _clitic_forms(word: str) -> list[tuple[int, str]]:
    """(letters dropped from the span, printed word) for a word with its proclitics peeled, least first."""
    out = [(0, word)]
    f = fold(word)
    base, dropped = (word, 0)
    if f[:1] in ("و", "ف") and len(f) >= 3:  # وبن علي, وتل أبيب: the rest decides, as below
        base, dropped = word[skip_letters(word, 1):], 1
        out.append((1, base))
    fb = fold(base)
    if fb[:1] in ("ب", "ل") and fb[1:] in name_particles():  # ببن عروس: ب + بن عروس
        return [*out, (dropped + 1, base[skip_letters(base, 1):])]
    fb = fold(base)
    if fb.startswith("لل") and len(fb) > 4:  # للحكومة → الحكومة, لليفربول → ليفربول
        out.append((dropped + 1, base[skip_letters(base, 1):]))
        out.append((dropped, "ال" + base[skip_letters(base, 2):]))
    elif fb[:1] in ("ب", "ل", "ك") and len(fb) >= 3:  # لبي بي سي: the rest decides
        out.append((dropped + 1, base[skip_letters(base, 1):]))
    return out


def strip_clitics(name: str, type: str | None = None) -> tuple[int, str]:
    """(letters dropped from the span, name): a proclitic goes when the rest is a known name, a name
    of the tagger's gazetteer (وأفريقيا → أفريقيا) or ال…; a word that only looks like clitic + ال
    keeps its letters when the gazetteer lists it whole (كاليفورنيا, وكاليفورنيا → كاليفورنيا)."""
    first, _, rest = name.partition(" ")
    forms = _clitic_forms(first)
    if rest and len(forms) > 1 and fold(forms[-1][1]) in name_particles():
        return forms[-1][0], f"{forms[-1][1]} {rest}"  # ببن عروس, وبن علي: a compound name's particle
    for skeletons in (False, True):  # any exact spelling before any skeleton: بهولندا is هولندا
        for dropped, form in forms:
            if lookup(f"{form} {rest}".strip(), type, skeletons):
                return dropped, f"{form} {rest}".strip()
    names = _gazetteer()
    f0 = fold(first)
    base = len(f0) - (f0[:1] in ("و", "ف") and len(f0) >= 3)  # letters without a glued و or ف
    # A word listed by the gazetteer after peeling ب، ل or ك keeps four letters: كلوب is no ك + لوب.
    listed = [(d, f) for d, f in forms if (len(fold(f)) >= (4 if len(fold(f)) < base else 3)
                                           and tagger_fold(f) in names) or (
        rest and " ".join(map(tagger_fold, f"{f} {rest}".split())) in names)]
    dropped, form = listed[-1] if listed else forms[-1]
    if listed or (form != first and fold(form).startswith("ال") and len(fold(form)) >= 5):
        return dropped, f"{form} {rest}".strip()
    return 0, name


@cache
def _gazetteer() -> frozenset[str]:
    """The names of the tagger's gazetteer, folded as the tagger folds them."""
    from marsad.enrich.ner import DATA, GAZETTEER, load_gazetteer

    path = DATA / GAZETTEER
    return frozenset(" ".join(words) for words in load_gazetteer(path)) if path.is_file() else frozenset()


def title_prefix(words: list[str]) -> int:
    """How many leading words are titles, or nationality adjectives (ال…ي) after a title or before a
    name (الكرواتي فلاسيتش)."""
    titles, i = _titles(), 0
    while i < len(words):
        f = fold(words[i])
        title = f in titles or (i == 0 and f[:1] in ("و", "ف") and f[1:] in titles)
        nisba = (i > 0 or len(words) > 1) and f.startswith("ال") and f.endswith(("ي", "يه")) and len(f) >= 5
        if not (title or nisba):
            break
        i += 1
    return i


def _trim(surface: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span to start and end on a letter or digit (the dot of an initial may stay: د.)."""
    while start < end and not surface[start].isalnum():
        start += 1
    while end > start and not (surface[end - 1].isalnum() or _initial_dot(surface[start:end])):
        end -= 1
    return start, end


def _initial_dot(text: str) -> bool:
    """Whether text ends in the dot of an initial or abbreviation (د., سي.), not a sentence's (أمازون.)."""
    word = text.rsplit(None, 1)[-1] if text.strip() else ""
    return word.endswith(".") and len(word.rstrip(".")) <= 3


def clean(surface: str, type: str) -> tuple[int, int, str]:
    """(start, end, name) of the name inside a mention's text: no clitics, titles or edge punctuation."""
    words = [w for w in _WORD.finditer(surface) if any(c.isalnum() for c in w.group())]
    while len(words) > 1 and strip_marks(words[-1].group()) in _function_words() \
            and len(fold(words[-2].group())) > 2:  # البشير ام: 'al-Bashir or'; not أف أم (FM)
        words.pop()
    while len(words) > 1 and strip_marks(words[0].group()) in _function_words() - _PARTICLE_WORDS:
        words.pop(0)  # فإن نيمار: 'so Neymar'
    if not words:
        return 0, 0, ""
    titles = title_prefix([w.group() for w in words])
    if titles == len(words) and (type != "PERS" or title_prefix([words[-1].group()])):
        return 0, 0, ""  # titles alone (الرئيس, ولي العهد) name no one by themselves
    if type == "PERS":
        words = words[min(titles, len(words) - 1):]
    start, end = _trim(surface, words[0].start(), words[-1].end())
    text = surface[start:end]
    # A hashtag names what its words name (ايمانويل #ماكرون, #إيمانويل_ماكرون); a bracket or a
    # quote inside a mention is no part of the name (مايك) بومبيو).
    dropped, name = strip_clitics(_INNER_MARKS.sub(" ", text), type)
    if dropped:
        start += skip_letters(text, dropped)
    if not strip_marks(name).strip():  # only tatweel or diacritics
        return 0, 0, ""
    return start, end, " ".join(name.split())


@dataclass(slots=True)
class _Mention:
    paragraph: int
    start: int
    end: int
    type: str
    text: str
    name: str
    canonical: str | None = None


def _link_people(mentions: list[_Mention]) -> None:
    """A person's shorter name takes the canonical of the one longer name it ends; a first name
    alone (كيم, دونالد), that of the one longer name it begins. So does one word or the end of a
    body's name (بايرن → بايرن ميونيخ, يونايتد → مانشستر يونايتد, سان جرمان → باريس سان جرمان)."""
    for kind in ("PERS", "ORG"):  # not places: آسيا is not آسيا الوسطى
        _link_names([m for m in mentions if m.type == kind], kind == "PERS")
    bodies = {tuple(fold_name(m.name).split()): m.canonical or strip_marks(m.name) for m in mentions
              if m.type == "ORG" and " " in m.name.strip()}
    for m in mentions:  # سان جرمان, called a place, ends the club's name printed in full: the club
        words = tuple(fold_name(m.name).split())
        ends = {c for f, c in bodies.items() if len(f) > len(words) > 1 and f[-len(words):] == words}
        if m.type == "LOC" and m.canonical is None and len(ends) == 1:
            m.canonical, m.type = ends.pop(), "ORG"


def _link_names(named: list[_Mention], people: bool) -> None:
    fulls: dict[tuple[str, ...], str] = {}
    for m in named:
        words = tuple(fold_name(m.name).split())
        if len(words) > 1:
            fulls.setdefault(words, m.canonical or strip_marks(m.name))
    for m in named:
        words = tuple(fold_name(m.name).split())
        if not people and m.canonical:
            continue  # a body: unknown names only; the end of a longer name (سان جرمان), or one word
        first = len(words) == 1 and words[0] not in name_particles()
        targets = {c for f, c in fulls.items() if len(f) > len(words) and (
            f[-len(words):] == words or (first and f[0] == words[0]))}
        if len(targets) == 1:
            m.canonical = targets.pop()
        elif len(targets) > 1 and m.canonical not in targets:
            m.canonical = None  # two people share this name: leave it to its own spelling


def _group_spellings(mentions: list[_Mention]) -> None:
    """Unknown spellings of one place or name in an article share its most printed spelling.

    People are left out: محمد and محمود share a skeleton and are different people."""
    groups: dict[str, list[_Mention]] = {}
    for m in mentions:
        if m.type != "PERS" and m.canonical is None:
            sk = skeleton(fold_name(m.name))
            if _skeleton_size(sk) >= (_MIN_SKELETON if m.type == "LOC" else _MIN_SKELETON + 1):
                groups.setdefault(sk, []).append(m)
    for group in groups.values():
        best = Counter(strip_marks(m.name) for m in group).most_common(1)[0][0]
        for m in group:
            m.canonical = best


def _strip_glued(mentions: list[_Mention]) -> None:
    """وموسكو when موسكو is also named in the article: the و is a conjunction."""
    names = {fold_name(m.name) for m in mentions}
    for m in mentions:
        f = fold_name(m.name)
        if m.canonical is None and f[:1] in ("و", "ف", "ب", "ل") and f[1:] in names:
            cut = skip_letters(m.text, 1)
            m.start, m.text, m.name = m.start + cut, m.text[cut:], m.name[skip_letters(m.name, 1):]


Raw = tuple[int, int, int, str, str]  # paragraph, start, end, type, text
# After a person's first name: a hashtag (دونالد #ترمب), or a bracket or comma before the surname
# ((دونالد) ترامب, مايك) بومبيو); before a surname: a hashtag (#كيم_جونغ_أون's pieces).
_AFTER = re.compile(r"\s*[()،,][\s()،,]*#?[\w_]+")  # a plain space: the tagger saw the next word
_HASHTAG_AFTER = re.compile(r"\s*#[\w_]+")
_HASHTAG_AROUND = re.compile(r"#[\w_]*$")


def join_hashtags(raw: list[Raw], texts: list[str]) -> list[Raw]:
    """Mentions that a hashtag or a bracket cut from the rest of a name, joined to it.

    A name is never only a piece of a hashtag: «دونالد #ترمب» is one mention, دونالد ترمب; so is
    «(دونالد) ترامب» when the whole is a known name."""
    out: list[Raw] = []
    for para, start, end, type_, text in sorted(raw):
        if out and out[-1][0] == para and start < out[-1][2]:
            continue  # inside a mention grown over it
        line = texts[para]
        before = _HASHTAG_AROUND.search(line, 0, start)
        if before and before.end() == start:  # the mention starts inside a hashtag
            start = before.start()
        end = _WORD_END.match(line, end).end()  # and may end inside one (#كيم_يونغ_أون)
        after = _HASHTAG_AFTER.match(line, end)
        if after is None and type_ == "PERS" and " " not in text.strip():
            after = _AFTER.match(line, end)
            if after and lookup(clean(line[start:after.end()], type_)[2], type_) is None:
                after = None
        if after is not None:
            end = after.end()
        out.append((para, start, end, type_, line[start:end]))
    return out


_WORD_END = re.compile(r"[\w_]*")


def resolve(raw: list[tuple[int, int, int, str, str]]) -> list[EntityMention]:
    """Mentions (paragraph, start, end, type, text) of one article → EntityMentions with canonicals."""
    mentions = []
    for para, start, _end, type_, surface in raw:
        s, e, name = clean(surface, type_)
        if name:
            mentions.append(_Mention(para, start + s, start + e, type_, surface[s:e], name))
    _strip_glued(mentions)
    pinned = _known_types()
    for m in mentions:
        m.canonical = m.canonical or lookup(m.name, m.type)
        kind = pinned.get(m.canonical or "")
        if kind and not (kind == "LOC" and m.type == "ORG"):  # a city's club stays a club (روما)
            m.type = kind
    _link_people(mentions)
    _group_spellings(mentions)
    firsts: dict[str, str] = {}
    for m in mentions:
        m.canonical = m.canonical or firsts.setdefault(fold_name(m.name), strip_marks(m.name))
    return [EntityMention(m.text, m.type, m.start, m.end, m.paragraph, m.canonical) for m in mentions]


def canonical_name(name: str, type: str | None = None) -> str:
    """The canonical name of one name seen alone: the alias table's, else the name without clitics."""
    _, cleaned = strip_clitics(" ".join(name.split()), type)
    return lookup(cleaned, type) or strip_marks(cleaned)


def canonical_key(name: str) -> str:
    """The stable, URL-safe id of an entity: its canonical name folded, words joined by '-'.

    A name told apart from another only by its vowels (عمّان، عُمان) keeps its shadda as a doubled letter."""
    canon = canonical_name(name)
    if canon in _index()[2]:
        canon = _SHADDA.sub(r"\1\1", canon)
    key = _KEY_DROP.sub("", "-".join(fold_name(canon).split())).strip("-_")
    return key or "h" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1 << 16)
def entity_key(name: str) -> str:
    """The id of the entity a mention with this canonical name (or, without one, this text) names:
    the one place entity ids are made. Archives keep them, so this must not change for a name
    (it is what the archive computed before mentions carried their key)."""
    return canonical_key(canonical_name(name))


def with_keys(items: list[T], fresh: bool = False) -> list[T]:
    """Entity mentions or quotes, each with the key of the entity it names, its canonical name's
    (a mention's text without one; a quote without a canonical speaker names none).
    ``fresh``: made again even where one is given."""
    if not fresh and all(x.key or _name(x) is None for x in items):
        return items
    return [x if x.key and not fresh else replace(x, key=_key(x)) for x in items]


def _name(item: EntityMention | Quote) -> str | None:
    return item.canonical or (item.text if isinstance(item, EntityMention) else None)


def _key(item: EntityMention | Quote) -> str | None:
    name = _name(item)
    return None if name is None else entity_key(name)
