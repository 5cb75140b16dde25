"""Direct quotes in «…», “…” or "…" with their speaker.

A quote counts as speech when a speech verb (``قال``, ``أكد``, ``أضاف``… as data in ``speech.json``)
comes before it in its sentence with a colon, a complementizer (أن، إن…) or nothing much in between,
right after the preposition that opens what the verb says (دعا إلى «…», حذر من «…»), or at any
distance when the quote is longer than a few words; or when an attribution follows it (``«…»، قال
فلان``, ``«…» بحسب ما قال فلان``, ``«…» حسب تعبير مسؤول``); or when it fills a paragraph right
after a paragraph that quoted someone (the speech goes on). Who speaks is decided in
``marsad.enrich.speakers``: a verb naming its subject sets the current speaker, a verb without one
(``وأضاف: «…»``) keeps the last speaker named, across paragraphs. Quoted names (``قمة «روسيا -
آسيا الوسطى»``, ``«تاس»``) are left out. A label (``ما وصفه بـ«…»``, ``وصفت الحكومة اللقاء
بـ«العابر»``) is the quote of whoever described, when the sentence says who that is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import title_prefix
from marsad.enrich.lexicon import fold, load, loose_alternation, strip_marks, tokens
from marsad.enrich.speakerchoice import Candidate, rechoose
from marsad.enrich.speakernames import article_names, complete_names
from marsad.enrich.speakers import body, first_named, verb_subject
from marsad.enrich.speechwords import KEEP, Speaker, is_a, is_verb, lexicon, verb_gender
from marsad.enrich.subjects import subject_after
from marsad.model import EntityMention, Quote

# A straight mark opens unless a letter is glued before it (a clitic aside: و"…, بـ"…) and closes
# unless a letter is glued after it, so that an unpaired mark does not shift every pair after it; a
# quote may hold a pair glued to its words ("… من طراز "أنطونوف-26" وأقلعت …").
_OPEN = r'(?:(?<![\u0621-\u063a\u0641-\u064a])|(?<=(?<!\S)[وفبلك])|(?<=(?<!\S)[وف][بل]))"'
_CLOSE = r'"(?![\u0621-\u064a])'
_STRAIGHT = rf'{_OPEN}(?:[^"\n]|{_OPEN}(?=\S)[^"\n]*?(?<=\S){_CLOSE})*?{_CLOSE}'
_QUOTES = re.compile(rf"«[^«»]*(?:«[^«»]*»[^«»]*)*»|“[^“”]*”|{_STRAIGHT}")
# A quote whose closing mark is missing (or comes in a later paragraph, as a quote of several
# paragraphs is printed): from an opening mark right after a speech verb, a complementizer or a colon,
# to the end of the paragraph, to a sentence end glued to the next word (العسكرير.وتصاعد: the mark
# was lost there), or to the next mark after a space (the next quote's).
_UNCLOSED = re.compile(r"(?<=\s)[«\"](?=[\u0621-\u064a])[^«»\"\n]+?"
                       r"(?=[.!?؟](?=[\u0621-\u064a])|[.!?؟]?\s*$|\s+\")")
_QUOTE_MARK = re.compile("[«“\"]")
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
_NEAR = 2  # a quote this close after a verb needs no colon or complementizer
_SHORT = 3  # words
_AFTER = 4  # tokens after a quote searched for its attribution
_CLOSING = frozenset('»”"')
_GAP_START = frozenset("،,.:؛;)")
_COLONS = (":", "：")
_LABEL_REACH = 90  # characters before a quote searched for ما وصفه بـ
_MAX_UNCLOSED = 16  # tokens before an unclosed quote opening on أن searched for its speech verb
_VERB_LABEL_REACH = 240  # … for وصفت الحكومة اللقاء … بـ (the sentence's own describing verb)
_ANTECEDENT_MENTIONS = 12  # mentions of the paragraphs before searched for a subject's antecedent
_ANTECEDENT = 3  # characters between a name and the الذي/التي that refers to it (، )
_LETTERS = "\u0621-\u063a\u0640-\u065f\u0670"  # as in the word tokens of marsad.enrich.lexicon
# As printed: على (on) is a preposition, علي (Ali) a name.
_PREPOSITIONS = frozenset(("مع", "في", "من", "على", "إلى", "الى", "عن", "بعد", "قبل", "حول", "دون", "عبر",
                           "ضد"))
# A clause ends at a mark, or where a conjunction opens the next one (… «تجاوزت الحد» كما حذرت …).
_CLAUSE_END = re.compile(r"\s*(?:[.،,؛;:!?؟)]|$|(?:كما|لكن|لكنه|لكنها|بينما|حيث)\s)")
_ONLY_QUOTE = re.compile(r"^\W*$")
_BY = rf"\s*(?:بـ|ب|بأن[{_LETTERS}]*|بان[{_LETTERS}]*)\s*ـ?\s*$"
# ما وصفه بـ«…», من وصفتهم السلطات بأنهم «…»: a relative word, a verb, maybe a subject, then بـ or بأنه.
_DESCRIBED = re.compile(rf"(?<![{_LETTERS}])[وفبل]?(?:ما|من|الذي|التي|فيما|عما|مما)\s+(?P<verb>[{_LETTERS}]+)"
                        rf"(?P<who>(?:\s+[{_LETTERS}]+){{0,6}}?){_BY}")
# ووصف ترامب الاتفاق بأنه «…», وصفت الحكومة اللقاء … بـ«العابر»: the sentence's verb describes.
_DESCRIBES = re.compile(rf"(?<![{_LETTERS}])[وف]?(?P<verb>(?:وصف|يصف|تصف)[{_LETTERS}]*)[^.!?؟«»\"]*?{_BY}")


def _sentence_start(paragraph: str, pos: int, quotes: list[re.Match]) -> int:
    start = 0
    for m in _SENTENCE_END.finditer(paragraph, 0, pos):
        if not any(q.start() < m.start() < q.end() for q in quotes):
            start = m.end()
    return start


def _opens(word: str) -> bool:
    """A colon, a complementizer or a preposition that opens what a verb says, right before a quote."""
    f = fold(word).rstrip("ـ")
    lex = lexicon()
    return word in _COLONS or f in lex["complementizers"] or f in lex["introducers"] or is_verb(word)


def _is_speech(paragraph: str, toks: tuple, verb_k: int | None, quote: re.Match, named: bool) -> bool:
    """A speech verb before the quote in its sentence, with a colon, a complementizer or next to
    nothing in between, or a quote too long to be a name or a title.

    A short quote (a few words, often a title: «ذا فويس») must also close its clause, come right
    after the word that opens it (ما قال إنها «مهزلة تباكي» من …), or be words of indirect speech
    that name nothing (``named``: an entity inside it): أعلن أن بلاده ستستقبل «بضع عشرات» من …."""
    if verb_k is None:
        return False
    between = [t for t in toks if toks[verb_k][1] <= t[0] < quote.start()]
    opened = not between or _opens(between[-1][2])
    short = len(_inner(quote).split()) <= _SHORT
    lex = lexicon()
    indirect = any(fold(t[2]) in lex["complementizers"] for t in between)
    if short and not (opened or _CLAUSE_END.match(paragraph, quote.end()) or indirect and not named):
        return False
    if len(between) <= _NEAR or opened:
        return True
    return not short or any(t[2] in _COLONS or fold(t[2]) in lex["complementizers"] for t in between)


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
        opens = m.group()[1:].split()[:1]  # أفاد فلان، الأحد بصفاقس "أن …: what the verb says, marked
        said = bool(opens) and fold(opens[0]) in lexicon()["complementizers"] \
            and any(is_verb(t[2]) for t in toks[max(0, k - _MAX_UNCLOSED):k])
        if before in _COLONS or is_verb(before) or fold(before) in lexicon()["complementizers"] or said \
                or fold(before) == "بالقول":
            out.append(m)
    return out


def _is_name(toks: tuple, quote: re.Match, label: bool, fragment: bool = False) -> bool:
    """A one-word quote (unless a label: وصفه بـ«فشله», or a ``fragment`` of indirect speech), one
    right after or starting with a name cue (قمة «…», «وكالة …»), or a short one that a relayed quote
    comes from (نقلت «فرانس برس» عن)."""
    inner = _inner(quote).split()
    before = [t for t in toks if t[1] <= quote.start()]
    said = bool(before) and (is_verb(before[-1][2]) or fold(before[-1][2]) == "بالقول")
    if len(inner) < 2 and not (label or said or fragment):
        return True  # a word in marks is a name, unless said: أجابت «طبعاً», اكتفى بالقول «لا»
    after = bisect_right([t[0] for t in toks], quote.end() - 1)
    if len(inner) <= _SHORT and after < len(toks) and fold(toks[after][2]) == "عن":
        return True
    prev = before[-1][2] if before else ""
    if prev in ("لـ", "بـ", "ل", "ب") and len(before) > 1:
        prev = before[-2][2]
    opened = prev in _COLONS or fold(prev) in lexicon()["complementizers"]
    long = len(inner) > _SHORT + 2  # ذكر مصدر أمني أن «عملية القبض تمت اثر كمين …»: a sentence said
    return is_a(prev, "name_cues") or (len(inner) > 1 and is_a(inner[0], "name_cues") and not label
                                       and not (long and opened))


def _fragment(paragraph: str, toks: tuple, verbs: list[int], quote: re.Match, quotes: list[re.Match],
              entities: list[EntityMention]) -> bool:
    """A word in marks inside indirect speech (وأضاف أن هذا العمل «العدائي»، مؤكدة أنها ستعمل
    «جاهدة»): the speaker's own word, unless it names something (an entity inside, after ل or ب:
    لـ«الجوهرة أف أم»)."""
    start = _sentence_start(paragraph, quote.start(), quotes)
    before = [k for k in verbs if start <= toks[k][0] < quote.start()]
    if not before or any(quote.start() <= e.start < quote.end() for e in entities):
        return False
    between = [t[2] for t in toks if toks[before[-1]][1] <= t[0] < quote.start()]
    prev = fold(between[-1]).rstrip("ـ") if between else ""
    return prev not in ("ل", "ب") and any(fold(w) in lexicon()["complementizers"] for w in between)


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
    return sorted({k for k in found if k >= 0 and is_verb(toks[k][2])
                   and not (k and strip_marks(toks[k - 1][2]) in _PREPOSITIONS)})  # مع رد كاف: a noun


def _described(paragraph: str, index: int, toks: tuple, quote: re.Match, entities: list[EntityMention],
               state: dict) -> tuple[bool, Speaker | None] | None:
    """For a label someone put on something (ما وصفته السلطات بأنه «…»): (keep, who); else None.

    An analyst wants such labels: they are the describer's own words, so the quote is kept, said by
    the subject after the verb; else (وصفه: he described) by the speaker a verb of the sentence named,
    the first name of the sentence that agrees with the verb, or a body such as السلطات الروسية; else
    by no one known. A label with no one behind it (فيما وُصف بـ«…») is nobody's quote: not kept."""
    window = paragraph[max(0, quote.start() - _VERB_LABEL_REACH):quote.start()]
    if "صف" not in window and "سم" not in window and "اعتبر" not in window:
        return None  # no describing verb (وصفه، أسماه، اعتبره) before the quote: the usual case
    m = _DESCRIBED.search(paragraph, max(0, quote.start() - _LABEL_REACH), quote.start())
    if m is None or not (is_a(m["verb"], "describers") or is_a(m["verb"], "impersonal")):
        return _describes(paragraph, toks, quote, entities, state)
    start = _sentence_start(paragraph, m.start(), [])
    if not m["who"].strip():
        if is_a(m["verb"], "impersonal"):
            return False, None
    else:
        k = next(i for i, t in enumerate(toks) if t[0] >= m.start("verb"))
        return True, body(m["who"].split()) or subject_after(toks, k, entities, state)
    lead = paragraph[start:m.start()]
    if state.get("named_at", (-1, -1)) >= (index, start) or _verbs(lead, tokens(lead)):
        return True, state["speaker"]  # a verb of the sentence named the speaker, or its pronoun did
    # In «ترامب، الذي وصفه بأنه …» the name before الذي is the one described, not the describer.
    end = m.start() - _ANTECEDENT * _is_relative(m)
    kinds = _agreeing(m["verb"])
    named = [e for e in entities if start <= e.start and e.end <= end and e.type in kinds]
    if named:
        return True, Speaker(named[0].text, named[0].canonical)
    return True, body(paragraph[start:end].split())


def _describes(paragraph: str, toks: tuple, quote: re.Match, entities: list[EntityMention],
               state: dict) -> tuple[bool, Speaker | None] | None:
    """وصفت الحكومة البحرينية اللقاء بـ«العابر»: the sentence's subject, after the verb or (ووصفها: he
    described her) the first person the sentence names, else the speaker named before."""
    start = _sentence_start(paragraph, quote.start(), [])
    m = _DESCRIBES.search(paragraph, start, quote.start())
    if m is None:
        return None
    k = bisect_right([t[0] for t in toks], m.start("verb")) - 1
    after = [t[2] for t in toks[k + 1:k + 4]]
    who = body(after) or subject_after(toks, k, entities, state)
    return True, who or first_named(entities, start, toks[k][0], []) or state["speaker"]


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


def _attributed(toks: tuple, quote: re.Match, entities: list[EntityMention], state: dict,
                sentence: int, index: int) -> Speaker | None:
    """The speaker an attribution after a quote names: «…»، قال فلان; «…» بحسب ما قال فلان; «…» حسب
    تعبير مسؤول أوروبي; «…» حسب غابريال كولينس; «…» كما يوضح كريم صدر. None: no attribution."""
    j = bisect_right([t[0] for t in toks], quote.end() - 1)
    while j < len(toks) and toks[j][2] in "،,":
        j += 1
    if j >= len(toks):
        return None
    if is_a(toks[j][2], "participles") and state.get("named_at", (-1, -1)) < (index, sentence):
        # واستنكر الوصيفي ما اعتبره «…»، مطالبا ب…: the sentence's subject goes on speaking
        return first_named(entities, sentence, quote.start(), [quote.span()]) or state["speaker"]
    if is_verb(toks[j][2]):
        return _said(verb_subject(toks, j, entities, state, sentence), state)
    if fold(toks[j][2]) not in lexicon()["attributions"]:
        return None
    for n in range(j + 1, min(j + _AFTER, len(toks))):
        word = fold(toks[n][2])
        if is_verb(toks[n][2]):
            return _said(verb_subject(toks, n, entities, state, sentence), state)
        if word in ("تعبير", "قول", "وصف"):
            return subject_after(toks, n, entities, state)
        if word.startswith(("تعبير", "قول", "وصف")):  # على حد تعبيره: the speaker named before
            return state["speaker"]
    if fold(toks[j][2]) in ("حسب", "بحسب", "وفق", "وفقا"):
        return subject_after(toks, j, entities, state)
    return None


def _in_their_words(toks: tuple, quote: re.Match) -> bool:
    """«قمة القمم» بحسب تعبير مسؤول أوروبي: a name, but someone's words, as the sentence says."""
    j = bisect_right([t[0] for t in toks], quote.end() - 1)
    near = [fold(t[2]) for t in toks[j:j + _AFTER]]
    return bool(near) and near[0] in lexicon()["attributions"] \
        and any(w.startswith(("تعبير", "وصف")) for w in near[1:])


def _said(found: Speaker | None, state: dict) -> Speaker | None:
    return state["speaker"] if found is KEEP or found is None else found


def _quote_speaker(paragraph: str, index: int, toks: tuple, quote: re.Match, verbs: list[int],
                   entities: list[EntityMention], state: dict,
                   quotes: list[re.Match]) -> Speaker | None | bool:
    """Who says a quote (None: no one named); False when it is no speech."""
    start = _sentence_start(paragraph, quote.start(), quotes)
    before = [k for k in verbs if start <= toks[k][0] < quote.start()]
    named = any(quote.start() <= e.start < quote.end() for e in entities)
    if _is_speech(paragraph, toks, before[-1] if before else None, quote, named):
        verb = before[-1]
        if is_a(toks[verb][2], "participles") and state.get("named_at", (-1, -1)) < (index, start) \
                and (subject := first_named(entities, start, toks[verb][0], [q.span() for q in quotes])):
            # …، معتبرا أنها «…»: the participle goes with the subject of its sentence.
            state["speaker"], state["named_at"] = subject, (index, start)
        return state["speaker"]
    if (who := _attributed(toks, quote, entities, state, start, index)) is not None:
        return who
    if state.get("quoted") == index - 1 and not paragraph[:quote.start()].strip() \
            and _ONLY_QUOTE.match(paragraph[quote.end():]):
        return state["speaker"]  # a paragraph that is only a quote: the speech goes on
    return False


def _set_speakers(toks: tuple, verbs: list[int], upto: int, done: int, index: int,
                  entities: list[EntityMention], state: dict, paragraph: str, quotes: list[re.Match]) -> None:
    """Let the speech verbs between offsets ``done`` and ``upto`` name the current speaker."""
    for k in verbs:
        pos = toks[k][0]
        if not done <= pos < upto or is_a(toks[k][2], "participles"):
            continue
        sentence = _sentence_start(paragraph, pos, quotes)
        found = verb_subject(toks, k, entities, state, sentence)
        if (found is KEEP or found is None) and state.get("named_at", (-1, -1)) < (index, sentence):
            # عبر ترامب عن حزنه …، وأشار إلى أن «…»: the person the sentence opens on
            found = _sentence_subject(toks, entities, sentence, pos, quotes) or found
        topic = state.get("topic")
        if (found is KEEP or found is None) and topic and topic[0] > state.get("named_at", (-1, -1))[0]:
            found = topic[1]  # ورحبت هيلين فيفر بالإرشادات. / وأضافت: «…»: the subject before
        if (found is KEEP or found is None) and state["speaker"] is None:
            found = _last_person(entities, pos, state, quotes)  # وواصلت جولييت غونزاليس … وكتبت: «…»
        gender = verb_gender(toks[k][2])
        if (found is KEEP or found is None) and state["speaker"] is not None:
            # وأضاف: the same speaker, named again by the verb; وأضافت after a man spoke: the woman before
            state["speaker"] = _compatible(state, gender)
            state["named_at"] = (index, pos)
        elif found is not None and found is not KEEP:
            state["speaker"], state["named_at"] = found, (index, pos)
            state.setdefault("spoken", []).append((found, gender))


def _compatible(state: dict, gender: str | None) -> Speaker:
    """The current speaker, or when a verb's gender rules them out (a man named by قال, then وأضافت),
    the last speaker before whose gender agrees with it."""
    spoken = state.get("spoken", [])
    current = state["speaker"]
    if gender is None or not spoken or spoken[-1][0] is not current or spoken[-1][1] in (None, gender):
        return current
    return next((who for who, g in reversed(spoken) if g == gender), current)


_OPENING = 2  # words (besides titles) before the person a sentence opens on: وعندما سُئلت ساندرز


def _sentence_subject(toks: tuple, entities: list[EntityMention], start: int, pos: int,
                      quotes: list[re.Match]) -> Speaker | None:
    """The person a sentence opens on, as the subject of its first verb, maybe after titles: the one a
    later verb of the sentence without a subject refers to (وعندما سُئلت ساندرز …، أجابت «…»)."""
    words = [t for t in toks if start <= t[0] < pos]
    people = {e.start: e for e in entities if e.type == "PERS"
              and not any(q.start() <= e.start < q.end() for q in quotes)}
    plain = 0
    for t in words:
        if (e := people.get(t[0])) is not None:
            return Speaker(e.text, e.canonical)
        if (strip_marks(t[2]) in _PREPOSITIONS and (t is not words[0] or t[2] != "عبر")) \
                or not t[2][0].isalpha():
            return None  # عن ترامب: an object (عبر first is a verb); a comma: the sentence has gone on
        if not title_prefix([t[2]]):
            plain += 1
            if plain > _OPENING:
                return None
    return None


def _opening_subject(paragraph: str, entities: list[EntityMention]) -> Speaker | None:
    """The person a paragraph opens on as the subject of its first verb, maybe after titles
    (ورحبت هيلين فيفر …، ورحب رئيس الوزراء الكندي جاستن ترودو …)."""
    toks = tokens(paragraph)
    first = next((e for e in entities if e.type == "PERS"), None)
    if first is None or len(toks) < 2 or toks[0][2][:1] not in ("و", "ف"):
        return None
    k = next((j for j, t in enumerate(toks) if t[0] >= first.start), 0)
    titles = [t[2] for t in toks[1:k]]
    return Speaker(first.text, first.canonical) if k and title_prefix(titles) == len(titles) else None


def _last_person(entities: list[EntityMention], pos: int, state: dict,
                 quotes: list[re.Match]) -> Speaker | None:
    """Whom a verb without a subject refers to when no one has spoken yet: the last person named
    before it, in its paragraph or the one before."""
    here = [e for e in entities if e.type == "PERS" and e.end <= pos
            and not any(q.start() <= e.start < q.end() for q in quotes)]  # «العلوج»: a word quoted
    if here:
        return Speaker(here[-1].text, here[-1].canonical)
    last = [m for m, _ in state["mentions"][-_ANTECEDENT_MENTIONS:] if m.type == "PERS"]
    return Speaker(last[-1].text, last[-1].canonical) if last else None


def _paragraph_quotes(paragraph: str, index: int, entities: list[EntityMention], state: dict) -> list[Quote]:
    quotes = list(_QUOTES.finditer(paragraph))
    if not quotes and not _verb_finder().search(paragraph):
        return []  # nothing said here, and no speaker named for the paragraphs after
    toks = tokens(paragraph)
    paired = sum(q.group().count('"') for q in quotes if q.group()[0] == '"')
    if paired != paragraph.count('"') or paragraph.count("«") != paragraph.count("»"):
        quotes = sorted(quotes + _unclosed(paragraph, toks, quotes), key=lambda q: q.start())
    inside = [q.span() for q in quotes]
    state["spans"][index] = inside
    verbs = [k for k in _verbs(paragraph, toks) if not any(a < toks[k][0] < b for a, b in inside)]
    out: list[Quote] = []
    done = 0
    for quote in quotes:
        _set_speakers(toks, verbs, quote.start(), done, index, entities, state, paragraph, quotes)
        done = quote.start()
        if _inner(quote)[:1] in _GAP_START:
            continue  # the words between two quotes whose marks did not pair ("، على حد تعبيره")
        label = _described(paragraph, index, toks, quote, entities, state)
        fragment = _fragment(paragraph, toks, verbs, quote, quotes, entities)
        if _is_name(toks, quote, label is not None, fragment) and not _in_their_words(toks, quote):
            continue
        if label is not None:
            keep, who = label
            if keep:
                out.append(Quote(_inner(quote), who and who.name, index, who and who.canonical))
                state["at"].append(quote.span())
            continue
        who = _quote_speaker(paragraph, index, toks, quote, verbs, entities, state, quotes)
        if who is not False:
            out.append(Quote(_inner(quote), who.name if who else None, index, who.canonical if who else None))
            state["at"].append(quote.span())
    _set_speakers(toks, verbs, len(paragraph) + 1, done, index, entities, state, paragraph, quotes)
    if out:
        state["quoted"] = index
    return out


def find_quotes(paragraphs: list[str], entities: list[EntityMention]) -> list[Quote]:
    """Every direct quote of an article, with the speaker as printed and its canonical entity."""
    if not any(_QUOTE_MARK.search(p) for p in paragraphs):
        return []
    return [quote for quote, _ in scored_candidates(paragraphs, entities, choose=True)]


def scored_candidates(paragraphs: list[str], entities: list[EntityMention],
                      choose: bool = False) -> list[tuple[Quote, list[Candidate]]]:
    """Each quote with its candidate speakers: with ``choose``, the speaker chosen among them; else
    the one the rules give (as the weights are fitted)."""
    entities = complete_names(entities, paragraphs)
    state: dict = {"speaker": None, "mentions": [], "paragraphs": [], "names": article_names(entities),
                   "at": [], "spans": {}}
    out: list[Quote] = []
    for i, paragraph in enumerate(paragraphs):
        here = [e for e in entities if e.paragraph == i]
        out.extend(_paragraph_quotes(paragraph, i, here, state))
        if (subject := _opening_subject(paragraph, here)) is not None:
            state["topic"] = (i, subject)
        for e in here:
            state["mentions"].append((e, normalize_for_matching(paragraph[max(0, e.start - 30):e.start])))
        state["paragraphs"].append(paragraph)
    return rechoose(paragraphs, entities, out, state, choose)
