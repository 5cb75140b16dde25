"""Direct quotes in «…», “…” or "…" with their speaker.

A speech verb (``قال``, ``أكد``, ``أضاف``… as data in ``speech.json``) followed by a name sets
the current speaker: ``قال بيسكوف … : «…»``. A verb with no name after it (``وأضاف: «…»``,
``وأشار إلى أن «…»``) keeps the last speaker named, across paragraphs. A quote counts as speech
when a speech verb comes before it in its sentence, with a colon, a complementizer (أن، إن…) or
nothing much in between, or when a verb follows it (``«…»، قال فلان``). Quoted names
(``قمة «روسيا - آسيا الوسطى»``, ``«تاس»``) are left out. A label (``ما وصفه بـ«…»``) is the quote
of whoever described, when the sentence says who that is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import clean, lookup, title_prefix
from marsad.enrich.lexicon import fold, load, loose_alternation, strip_marks, tokens, with_clitics
from marsad.model import EntityMention, Quote

_QUOTES = re.compile(r"«[^«»]*(?:«[^«»]*»[^«»]*)*»|“[^“”]*”|\"[^\"\n]*\"")
# A quote whose closing mark is missing (or comes in a later paragraph): from an opening mark right
# after a speech verb, a complementizer or a colon, to the end of its sentence.
_UNCLOSED = re.compile(r"(?<=\s)[«\"](?=[\u0621-\u064a])[^«»\"\n]+?(?=[.!?؟](?!\d)|$)")
_QUOTE_MARK = re.compile("[«“\"]")
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
_MAX_SUBJECT = 8  # tokens after a verb searched for its subject
_NEAR = 2  # a quote this close after a verb needs no colon or complementizer
_SHORT = 3  # words
_CLOSING = frozenset('»”"')
_GAP_START = frozenset("،,.:؛;)")
_LABEL_REACH = 90  # characters before a quote searched for ما وصفه بـ
_ANTECEDENT = 3  # characters between a name and the الذي/التي that refers to it (، )
_LETTERS = "\u0621-\u063a\u0640-\u065f\u0670"  # as in the word tokens of marsad.enrich.lexicon
_POSSESSIVES = ("ها", "هم", "هما", "ته", "يه", "نا")
_CLAUSE_END = re.compile(r"\s*(?:[.،,؛;:!?؟)]|$)")
# ما وصفه بـ«…», من وصفتهم السلطات بأنهم «…»: a relative word, a verb, maybe a subject, then بـ or بأنه.
_DESCRIBED = re.compile(rf"(?<![{_LETTERS}])[وفبل]?(?:ما|من|الذي|التي|فيما|عما|مما)\s+(?P<verb>[{_LETTERS}]+)"
                        rf"(?P<who>(?:\s+[{_LETTERS}]+){{0,4}}?)\s*(?:بـ|ب|بأن[{_LETTERS}]*|بان[{_LETTERS}]*)\s*ـ?\s*$")


@dataclass(slots=True)
class _Speaker:
    name: str
    canonical: str | None


@cache
def _lexicon() -> dict[str, frozenset[str]]:
    data = load("speech.json")
    sets = ("stops", "complementizers", "describers", "impersonal", "bodies")
    lex = {k: frozenset(fold(w) for w in data[k]) for k in sets}
    for k in ("verbs", "participles", "name_cues"):
        lex[k] = with_clitics(data[k])
    return lex


@lru_cache(maxsize=1 << 16)
def _is(word: str, kind: str) -> bool:
    """Whether a word, maybe with a glued و، ف، ب or ل (or a tatweel: لـ), is in a word list."""
    return fold(word).rstrip("ـ") in _lexicon()[kind]


@lru_cache(maxsize=1 << 16)
def _is_verb(word: str) -> bool:
    return _is(word, "verbs") or _is(word, "participles")


def _sentence_start(paragraph: str, pos: int, quotes: list[re.Match]) -> int:
    start = 0
    for m in _SENTENCE_END.finditer(paragraph, 0, pos):
        if not any(q.start() < m.start() < q.end() for q in quotes):
            start = m.end()
    return start


def _subject(toks: list, k: int, entities: list[EntityMention], state: dict) -> _Speaker | None:
    """The speaker named right after the verb at token ``k``, if any."""
    lex = _lexicon()
    limit = k + 1
    while limit < len(toks) and limit <= k + _MAX_SUBJECT:
        word = toks[limit][2]
        if fold(word) in lex["stops"] or not (word[0].isalpha() or word[0] == "ـ") \
                or _is_verb(word) or _addressee(word):
            break
        limit += 1
    if limit == k + 1:
        return None
    lo, hi = toks[k][1], toks[limit - 1][1]
    for e in entities:
        if lo <= e.start < hi and e.type in ("PERS", "ORG"):
            return _Speaker(e.text, e.canonical)
    words = [t[2] for t in toks[k + 1:limit]]
    titled = title_prefix(words)
    name = words[titled:titled + 3]
    while len(name) > 1 and title_prefix(name[-1:]):  # a role after the name: بيارا بوار مدير …
        name.pop()
    phrase = " ".join(words[:titled] + name)
    return _fallback_speaker(phrase, state)


def _named_before(toks: tuple, k: int, entities: list[EntityMention]) -> _Speaker | None:
    """A person named right before a verb that has no subject after it: إلا أن ماي قالت: «…». Not
    before a verb with و or ف (في عهد كيتا فيقول: a new clause whose subject is someone else)."""
    if toks[k][2][:1] in ("و", "ف"):
        return None
    for e in entities:
        if e.type == "PERS" and 0 <= toks[k][0] - e.end <= 1:
            return _Speaker(e.text, e.canonical)
    return None


def _addressee(word: str) -> bool:
    """لأحفادها، لأنصاره: to whom something was said, never who said it."""
    f = fold(word)
    return f.startswith("ل") and len(f) >= 5 and f.endswith(_POSSESSIVES)


def _fallback_speaker(phrase: str, state: dict) -> _Speaker | None:
    """Without a tagged name: the words as printed (an entity only when the alias table knows them),
    or the person an earlier title phrase introduced (نظيره الطاجيكي إمام علي رحمون → الرئيس الطاجيكي)."""
    words = phrase.split()
    if title_prefix(words) < len(words):
        _, _, name = clean(phrase, "PERS")
        if len(fold(name)) < 3:  # قال لي: a pronoun, not a name
            return None
        return _Speaker(strip_marks(name), lookup(name, "PERS"))
    role = normalize_for_matching(words[-1])
    for m, context in reversed(state["mentions"]):
        if m.type == "PERS" and role in context:
            return _Speaker(phrase, m.canonical)
    return _Speaker(phrase, _introduced(role, state["paragraphs"]))


def _introduced(role: str, paragraphs: list[str]) -> str | None:
    """A known person named right after a role word in the text so far (untagged by NER)."""
    for paragraph in reversed(paragraphs):
        words = [w.strip("،,.:«»()") for w in paragraph.split()]
        for k in range(len(words) - 1, -1, -1):
            if fold(words[k]) != role:
                continue
            for n in (3, 2, 1):
                if name := lookup(" ".join(words[k + 1:k + 1 + n]), "PERS"):
                    return name
    return None


def _is_speech(paragraph: str, toks: list, verb_k: int | None, quote: re.Match) -> bool:
    """A speech verb before the quote, with a colon, a complementizer or next to nothing in between.

    A short quote (a few words, often a title: «ذا فويس») must also close its clause."""
    if verb_k is None:
        return False
    if len(quote.group().split()) <= _SHORT and not _CLAUSE_END.match(paragraph, quote.end()):
        return False
    between = [t for t in toks if toks[verb_k][1] <= t[0] < quote.start()]
    if len(between) <= _NEAR:
        return True
    lex = _lexicon()
    return any(t[2] in (":", "：") or fold(t[2]) in lex["complementizers"] for t in between)


def _inner(quote: re.Match) -> str:
    """The words of a quote, without its marks (an unclosed quote has no closing one)."""
    text = quote.group()
    return (text[1:-1] if text[-1] in _CLOSING else text[1:]).strip()


def _unclosed(paragraph: str, toks: tuple, quotes: list[re.Match]) -> list[re.Match]:
    """Opening marks left over by the pairs, right after a speech word or a colon (واصفا "…, قال: «…)."""
    out = []
    for m in _UNCLOSED.finditer(paragraph):
        if any(q.start() <= m.start() < q.end() for q in quotes):
            continue
        k = bisect_right([t[0] for t in toks], m.start()) - 1
        before = toks[k - 1][2] if k >= 1 else ""
        if before in (":", "：") or _is_verb(before) or fold(before) in _lexicon()["complementizers"]:
            out.append(m)
    return out


def _is_name(toks: list, quote: re.Match) -> bool:
    """A one-word quote, or one right after or starting with a name cue (قمة «…», «وكالة …»)."""
    inner = _inner(quote).split()
    if len(inner) < 2:
        return True
    before = [t for t in toks if t[1] <= quote.start()]
    prev = before[-1][2] if before else ""
    if prev in ("لـ", "بـ", "ل", "ب") and len(before) > 1:
        prev = before[-2][2]
    return _is(prev, "name_cues") or _is(inner[0], "name_cues")


@cache
def _verb_finder() -> re.Pattern:
    """Where a speech verb or participle may start (a superset: each hit is checked as a whole token)."""
    data = load("speech.json")
    words = {fold(w) for kind in ("verbs", "participles") for w in data[kind]}
    return re.compile(rf"(?<![{_LETTERS}])[وفبل]?(?:{loose_alternation(words)})")


def _verbs(paragraph: str, toks: tuple) -> list[int]:
    """Token indices of the speech verbs of a paragraph, found without looking at every token."""
    offsets = [t[0] for t in toks]
    found = (bisect_right(offsets, m.start()) - 1 for m in _verb_finder().finditer(paragraph))
    return sorted({k for k in found if k >= 0 and _is_verb(toks[k][2])})


def _described(paragraph: str, index: int, toks: tuple, quote: re.Match, entities: list[EntityMention],
               state: dict) -> tuple[bool, _Speaker | None] | None:
    """For a label someone put on something (ما وصفته السلطات بأنه «…»): (keep, who); else None.

    An analyst wants such labels: they are the describer's own words, so the quote is kept, said by
    the subject after the verb; else (وصفه: he described) by the speaker a verb of the sentence named,
    the first name of the sentence that agrees with the verb, or a body such as السلطات الروسية; else
    by no one known. A label with no one behind it (فيما وُصف بـ«…») is nobody's quote: not kept."""
    window = paragraph[max(0, quote.start() - _LABEL_REACH):quote.start()]
    if "صف" not in window and "سم" not in window and "اعتبر" not in window:
        return None  # no describing verb (وصفه، أسماه، اعتبره) before the quote: the usual case
    m = _DESCRIBED.search(paragraph, max(0, quote.start() - _LABEL_REACH), quote.start())
    if m is None or not (_is(m["verb"], "describers") or _is(m["verb"], "impersonal")):
        return None
    if not m["who"].strip():
        if _is(m["verb"], "impersonal"):
            return False, None
    else:
        k = next(i for i, t in enumerate(toks) if t[0] >= m.start("verb"))
        return True, _subject(toks, k, entities, state)
    start = _sentence_start(paragraph, m.start(), [])
    if state.get("named_at", (-1, -1)) >= (index, start):
        return True, state["speaker"]
    # In «ترامب، الذي وصفه بأنه …» the name before الذي is the one described, not the describer.
    end = m.start() - _ANTECEDENT * _is_relative(m)
    kinds = _agreeing(m["verb"])
    named = [e for e in entities if start <= e.start and e.end <= end and e.type in kinds]
    if named:
        return True, _Speaker(named[0].text, named[0].canonical)
    return True, _body(paragraph[start:end].split())


def _agreeing(verb: str) -> tuple[str, ...]:
    """Entity types the subject of a describing verb may have: وصفه he (a person); وصفته، تصفه she
    or it (a body, a country); وصفوه they (a group: no single name)."""
    f = fold(verb)
    if f.endswith(("وه", "وها", "وهم", "ونه", "ونها")):
        return ()
    if f.startswith("ت") or f.endswith(("ته", "تها", "تهم")):
        return ("ORG", "LOC")
    return ("PERS",)


def _is_relative(m: re.Match) -> bool:
    return fold(m.group().split()[0]).lstrip("وف") in ("الذي", "التي")


def _body(words: list[str]) -> _Speaker | None:
    """The last collective speaker of some words, with its adjective: السلطات الروسية, مصادر أمريكية."""
    for k in range(len(words) - 1, -1, -1):
        if _is(words[k], "bodies"):
            adjective = [w for w in words[k + 1:k + 2] if fold(w).endswith(("ي", "يه")) and len(fold(w)) >= 4]
            return _Speaker(" ".join([words[k], *adjective]).strip("،,.:"), None)
    return None


def _paragraph_quotes(paragraph: str, index: int, entities: list[EntityMention], state: dict) -> list[Quote]:
    quotes = list(_QUOTES.finditer(paragraph))
    if not quotes and not _verb_finder().search(paragraph):
        return []  # nothing said here, and no speaker named for the paragraphs after
    toks = tokens(paragraph)
    if paragraph.count('"') % 2 or paragraph.count("«") != paragraph.count("»"):
        quotes += _unclosed(paragraph, toks, quotes)
    inside = [q.span() for q in quotes]
    verbs = [k for k in _verbs(paragraph, toks) if not any(a < toks[k][0] < b for a, b in inside)]
    events = sorted([(toks[k][0], "verb", k) for k in verbs] + [(q.start(), "quote", q) for q in quotes],
                    key=lambda e: e[0])
    out: list[Quote] = []
    for pos, kind, item in events:
        if kind == "verb":
            if not _is(toks[item][2], "participles"):
                subject = _subject(toks, item, entities, state) or _named_before(toks, item, entities)
                if subject is not None:
                    state["speaker"], state["named_at"] = subject, (index, pos)
            continue
        if _is_name(toks, item) or _inner(item)[:1] in _GAP_START:
            continue  # a name, or the words between two quotes whose marks did not pair ("، على حد تعبيره")
        if (label := _described(paragraph, index, toks, item, entities, state)) is not None:
            keep, who = label
            if keep:
                out.append(Quote(_inner(item), who and who.name, index, who and who.canonical))
            continue
        start = _sentence_start(paragraph, pos, quotes)
        before = [k for k in verbs if start <= toks[k][0] < pos]
        speaker = state["speaker"]
        if not _is_speech(paragraph, toks, before[-1] if before else None, item):
            after = [k for k in verbs if 0 <= toks[k][0] - item.end() <= 4]
            if not after:
                continue
            speaker = _subject(toks, after[0], entities, state) or speaker
        name, canonical = (speaker.name, speaker.canonical) if speaker else (None, None)
        out.append(Quote(_inner(item), name, index, canonical))
    return out


def find_quotes(paragraphs: list[str], entities: list[EntityMention]) -> list[Quote]:
    """Every direct quote of an article, with the speaker as printed and its canonical entity."""
    if not any(_QUOTE_MARK.search(p) for p in paragraphs):
        return []
    state: dict = {"speaker": None, "mentions": [], "paragraphs": []}
    out: list[Quote] = []
    for i, paragraph in enumerate(paragraphs):
        here = [e for e in entities if e.paragraph == i]
        out.extend(_paragraph_quotes(paragraph, i, here, state))
        for e in here:
            state["mentions"].append((e, normalize_for_matching(paragraph[max(0, e.start - 30):e.start])))
        state["paragraphs"].append(paragraph)
    return out
