"""Who says a quote: the subject of its speech verb, as the article names it.

The subject of an Arabic speech verb mostly follows it (وقال بيسكوف …), but not always: a pronoun
glued to a complementizer before the verb is its subject (وقال ترودو إنه أبلغ ترمب «…»: Trudeau told
Trump), as is a name right before it after أن (أن ماكرون أبلغ روحاني «…») or between كان and قد
(وكان المتحدث باسم الكرملين قد رد …). A relayed quote belongs to the one after عن (نقلت وكالة X عن Y
قوله …). After the verb, the first person named before a complementizer or colon is the speaker, past a
title and the body it speaks for (المتحدثة باسم فيسبوك، إليزابيث ديانا). Without a tagged name, the
words as printed (مسؤول أوروبي), or the person a title introduced earlier in the article. Names the
tagger cut short or missed are completed in ``marsad.enrich.speakernames``. Word lists are data
(``speech.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import clean, lookup, title_prefix
from marsad.enrich.lexicon import fold, load, strip_marks, with_clitics
from marsad.enrich.speakernames import (
    antecedent,
    needs_complement,
    title_holder,
    untagged_before,
    untagged_name,
)
from marsad.model import EntityMention

_MAX_SUBJECT = 8  # tokens after a verb searched for its subject
_MAX_APPOSITION = 10  # further tokens searched for the name a title leads to
_MAX_RELAY = 12  # tokens between نقل and عن
_MAX_SVO = 7  # tokens between أن and a verb whose subject they are
_POSSESSIVES = ("ها", "هم", "هما", "ته", "يه", "نا")
_COLONS = (":", "：")
_MARKS = frozenset('«»"“”')


@dataclass(slots=True)
class Speaker:
    name: str
    canonical: str | None


# The verb's subject is a pronoun for the speaker named before: the current speaker goes on.
KEEP = Speaker("", None)


@cache
def lexicon() -> dict[str, frozenset[str]]:
    data = load("speech.json")
    sets = ("stops", "complementizers", "describers", "impersonal", "bodies", "pronoun_subjects",
            "introducers", "attributions", "times", "describing", "documents")
    lex = {k: frozenset(fold(w) for w in data[k]) for k in sets}
    for k in ("verbs", "participles", "name_cues", "relays", "continuers", "roles"):
        lex[k] = with_clitics(data[k])
    return lex


@lru_cache(maxsize=1 << 16)
def is_a(word: str, kind: str) -> bool:
    """Whether a word, maybe with a glued و، ف، ب or ل (or a tatweel: لـ), is in a word list."""
    return fold(word).rstrip("ـ") in lexicon()[kind]


@lru_cache(maxsize=1 << 16)
def is_verb(word: str) -> bool:
    return is_a(word, "verbs") or is_a(word, "participles")


@lru_cache(maxsize=1 << 12)
def verb_gender(verb: str) -> str | None:
    """"f" for a speech verb whose subject is a woman or a body (قالت، أضافت، تقول), "m" for one whose
    subject is a man (قال، يضيف), None when the form does not tell (a participle, a word off the list).
    A final ت is the feminine ending only when the verb without it is on the list too (لفت is not)."""
    f = fold(verb).rstrip("ـ")
    f = f[1:] if f[:1] in ("و", "ف") and not is_a(f, "verbs") else f
    verbs = lexicon()["verbs"]
    if f not in verbs or is_a(f, "relays"):  # نقلت الوكالة عن فلان: the verb agrees with the agency
        return None
    if f.endswith("ت") and f[:-1] in verbs or f.startswith("ت") and "ي" + f[1:] in verbs:
        return "f"
    return "m"


def _is_stop(word: str) -> bool:
    """A word that ends the search for a subject. علي printed with ya is a name, not على folded."""
    return fold(word) in lexicon()["stops"] and word.lstrip("و") != "علي"


def _addressee(word: str) -> bool:
    """لأحفادها، لأنصاره: to whom something was said, never who said it."""
    f = fold(word)
    return f.startswith("ل") and len(f) >= 5 and f.endswith(_POSSESSIVES)


def _is_role(words: list[str]) -> bool:
    """Whether words only describe a speaker (المدرب المحلي، الممثل الشاب) and name no one: a title
    or role, then only roles or adjectives with ال."""
    if not words or is_a(words[0], "bodies") or not (title_prefix(words[:1]) or is_a(words[0], "roles")):
        return False  # الخارجية الفلبينية: a body speaks for itself
    return all(is_a(w, "roles") or fold(w).startswith("ال") for w in words[1:])


def _sentence_entity(entities: list[EntityMention], lo: int, hi: int, last: bool) -> Speaker | None:
    """The first (or last) person the sentence names before the verb, else body (تيانجين … فأصدر
    بيانا أكد فيه)."""
    for kind in ("PERS", "ORG"):
        named = [e for e in entities if lo <= e.start and e.end <= hi and e.type == kind]
        if named:
            e = named[-1] if last else named[0]
            return Speaker(e.text, e.canonical)
    return None


def _printed(name: str | None) -> Speaker | None:
    return Speaker(name, None) if name else None


def verb_subject(toks: tuple, k: int, entities: list[EntityMention], state: dict,
                 sentence: int) -> Speaker | None:
    """The speaker of the speech verb at token ``k`` (KEEP: the one named before), or None."""
    prev = fold(toks[k - 1][2]) if k else ""
    if prev in lexicon()["pronoun_subjects"]:
        return KEEP
    imperfect = fold(toks[k][2]).lstrip("و")[:1] in ("ي", "ت")
    bare = toks[k][2][:1] not in ("و", "ف")  # وكانت حكومة الإقليم قالت: كان before the subject
    if (prev == "قد" or imperfect or bare) and (before := _before_qad(toks, k, entities, state)) is not None:
        return before
    if (svo := _named_after_complementizer(toks, k, entities, state)) is not None:
        return svo
    if is_a(toks[k][2], "relays") and (source := _relayed(toks, k)) is not None:
        k = source
    elif fold(toks[k][2]).lstrip("و") == "جاء" and k + 2 < len(toks) and fold(toks[k + 1][2]) == "في":
        if fold(toks[k + 2][2]).removeprefix("ال") not in lexicon()["documents"]:
            return None  # جاء في الوقت الذي …: no statement
        k += 1  # وجاء في بيان للرئاسة أن …: the statement speaks
    nxt = fold(toks[k + 1][2]) if k + 1 < len(toks) else ""
    if nxt in ("فيها", "فيه"):  # التصريحات التي أدلت بها هاتشينسون وقالت فيها: the one named before
        return _sentence_entity(entities, sentence, toks[k][0], last=True) \
            or _printed(untagged_before(toks, sentence, k, state))  # شريط فيديو لكامبل قالت فيه
    if prev in ("حيث", "عندما", "حين", "حينما"):  # وتحدث دين في مقابلة … حيث قال: the sentence's subject
        return KEEP if state["speaker"] else _sentence_entity(entities, sentence, toks[k][0], last=False)
    found = subject_after(toks, k, entities, state)
    if found is None and prev in ("الذي", "التي", "الذين"):  # خطاب بومبيو الذي قال: the name before
        return _sentence_entity(entities, sentence, toks[k][0], last=True)
    if found is None and prev in ("ما", "مما", "عما", "فيما"):  # انتقد فلان ما قال إنها «…»
        return _sentence_entity(entities, sentence, toks[k][0], last=False)
    current = state["speaker"]
    if found is not None and found.canonical is None and current is not None and current.canonical \
            and _is_role(words := found.name.split()) and not _construct(words) \
            and (is_a(toks[k][2], "continuers") or fold(words[0]).startswith("ال")):
        return KEEP  # وأضاف المدرب، وأوضحت البريطانية: the person quoted before, as a role
    return found or _named_before(toks, k, entities)


def _construct(words: list[str]) -> bool:
    """محامي اللاعب، والد اللاعب: a role of someone else (indefinite, then a definite noun), so a
    new speaker, unlike المدرب."""
    return len(words) > 1 and not fold(words[0]).startswith("ال") and fold(words[1]).startswith("ال") \
        and not _nisba(words[1])


def _before_qad(toks: tuple, k: int, entities: list[EntityMention], state: dict) -> Speaker | None:
    """وكان المتحدث باسم الكرملين قد رد، وكان الرئيس فالفيس يتحدث: the words between كان and the verb."""
    end = k - 1 if fold(toks[k - 1][2]) == "قد" else k
    for j in range(end - 1, max(end - 1 - _MAX_SUBJECT, -1), -1):
        word = fold(toks[j][2]).lstrip("و")
        if word in ("كان", "كانت"):
            return subject_after(toks, j, entities, state, end=end) if j + 1 < end else None
        if not toks[j][2][0].isalpha():
            return None
    return None


def _named_after_complementizer(toks: tuple, k: int, entities: list[EntityMention],
                                state: dict) -> Speaker | None:
    """أن ماكرون أبلغ روحاني «…»: after أن the subject comes first, and the name after is the object.
    The name may be one the tagger missed here but found elsewhere in the article (إلا أن إليسا قالت)."""
    if toks[k][2][:1] in ("و", "ف"):
        return None
    for e in entities:
        if e.type == "PERS" and 0 <= toks[k][0] - e.end <= 1:
            j = next((i for i, t in enumerate(toks) if t[0] >= e.start), 0)
            if j and fold(toks[j - 1][2]) in ("ان", "بان"):
                return Speaker(e.text, e.canonical)
    for j in range(k - 1, max(k - _MAX_SVO, 0), -1):
        word = toks[j][2]
        if not word[0].isalpha() or _is_stop(word) or is_verb(word):
            return None
        if fold(toks[j - 1][2]) in ("ان", "بان", "لكن"):
            words = [t[2] for t in toks[j:k]]
            if name := untagged_name(words, state.get("names", {})):
                return Speaker(name, lookup(name, "PERS"))
            # ويذكر أن القيادة العامة للجيش السوري قالت: a definite noun phrase is أن's subject
            definite = fold(words[0]).startswith("ال") and not _is_role(words)
            return Speaker(" ".join(words), lookup(" ".join(words))) if definite else None
    return None


def _relayed(toks: tuple, k: int) -> int | None:
    """The عن of «نقلت وكالة X عن Y» (or قول: نقلت الوكالة قول الناطق …): its index, when a name
    (not a pronoun: عنه) follows it."""
    for j in range(k + 1, min(k + _MAX_RELAY, len(toks) - 1)):
        word = toks[j][2]
        if word in _COLONS or fold(word) in lexicon()["complementizers"]:
            return None
        if fold(word) in ("عن", "قول", "تصريح", "تصريحات", "لسان"):  # على لسان قاسمي قوله
            return j
    return None


def _named_before(toks: tuple, k: int, entities: list[EntityMention]) -> Speaker | None:
    """A person named right before a verb that has no subject after it: إلا أن ماي قالت: «…». Not
    before a verb with و or ف (في عهد كيتا فيقول: a new clause whose subject is someone else)."""
    if toks[k][2][:1] in ("و", "ف"):
        return None
    for e in entities:
        gap = toks[k][0] - e.end
        if e.type == "PERS" and (0 <= gap <= 1 or gap <= 3 and _topic(toks, e)):
            return Speaker(e.text, e.canonical)
    return None


def _topic(toks: tuple, e: EntityMention) -> bool:
    """زعيم الأقلية في مجلس الشيوخ، تشاك شومر، قال: a name set before its verb by a comma, with only
    its title before it in the sentence."""
    after = [t[2] for t in toks if e.end <= t[0]][:1]
    before = [t[2] for t in toks if t[1] <= e.start]
    start = max((i + 1 for i, w in enumerate(before) if w in ".؟?!"), default=0)
    lead = [w for w in before[start:] if w not in "،,"]
    return after == ["،"] and (not lead or _is_role(lead[:1]))


def _quoted_name(toks: tuple, k: int, closed: bool = False) -> bool:
    """Whether a short name in marks starts at token ``k`` and the sentence goes on after it with a
    comma or a complementizer (وذكرت «فاو» أنه …), unlike a quote (وقال «…».); with ``closed``,
    whatever follows it."""
    if k >= len(toks) or toks[k][2] not in _MARKS:
        return False
    close = next((j for j in range(k + 1, min(k + 5, len(toks))) if toks[j][2] in _MARKS), None)
    if close is None or close == k + 1 or close + 1 >= len(toks):
        return False
    if closed:
        return True
    nxt = toks[close + 1][2]
    return nxt in "،," or fold(nxt) in lexicon()["complementizers"] or fold(nxt) == "في"


def _window(toks: tuple, k: int, end: int | None) -> tuple[int, int]:
    """(first, end) of the words after token ``k`` that may name its subject, past words of time
    (وقال الاثنين وزير الخارجية)."""
    lex = lexicon()
    first = k + 1
    if first < len(toks) and toks[first][2] in "،,":
        first += 1  # وكتب، جيسون داو، …
    while first < len(toks) and fold(toks[first][2]) in lex["times"]:
        first += 1
    if first < len(toks) and len(f := fold(toks[first][2])) > 4 and f.startswith(("بال", "لل", "كال")):
        return first, first  # وتابع بالعربية، وقال للصحفيين: a preposition's object, no subject
    if _quoted_name(toks, first):
        first += 1  # وذكرت «أرامكو»، أن …: a name in marks, up to its closing mark
    limit, end = first, min(end or len(toks), len(toks), first + _MAX_SUBJECT)
    while limit < end:
        word = toks[limit][2]
        if limit > first and fold(toks[limit - 1][2]) == "باسم" and _quoted_name(toks, limit, closed=True):
            limit = next(j for j in range(limit + 1, len(toks)) if toks[j][2] in _MARKS) + 1
            continue  # متحدثة باسم «كان»: the body's name in marks
        if _is_stop(word) or not (word[0].isalpha() or word[0] == "ـ") \
                or is_verb(word) or _addressee(word):
            break
        limit += 1
    return first, limit


def subject_after(toks: tuple, k: int, entities: list[EntityMention], state: dict,
             end: int | None = None) -> Speaker | None:
    """The speaker named right after token ``k`` (a verb, عن, كان), if any."""
    first, limit = _window(toks, k, end)
    if first < len(toks) and (e := next((e for e in entities if e.start == toks[first][0]
                                         and e.type == "PERS"), None)):
        return Speaker(e.text, e.canonical)  # a name that opens with a stop word: وقال بين والاس
    if limit == first:
        return None
    if fold(toks[first][2]) in ("بيان", "البيان") and fold(toks[min(limit, len(toks) - 1)][2]) == "عن":
        return subject_after(toks, limit, entities, state)  # بيان صادر عن النادي: the body
    lo, hi = toks[first][0], toks[limit - 1][1]
    for e in entities:  # a country speaks when it is the subject itself: وقالت واشنطن
        kinds = ("PERS", "ORG", "LOC") if e.start == lo else ("PERS", "ORG")
        if lo <= e.start < hi and e.type in kinds and not _for_body(toks, e):
            if _someones(toks, first, e) and limit < len(toks) and toks[limit][2] in "،," \
                    and (named := _apposition(toks, limit, entities)):
                return named  # محامي دانيلز، مايكل أفنياتي: the lawyer speaks, not his client
            return Speaker(e.text, e.canonical)
    words = [t[2] for t in toks[first:limit] if t[2] not in _MARKS]
    if title_prefix(words) or is_a(words[0], "roles"):
        if named := _apposition(toks, limit, entities):
            return named
        if holder := title_holder(toks, limit, entities, state.get("names", {})):
            return Speaker(*holder)
    if is_a(words[0], "bodies") and fold(words[0]).startswith("ال") and "باسم" not in words:
        k = 1  # السلطات البريطانية (الاتهامات الروسية …), المجلس النرويجي للاجئين: the body as named
        while k < len(words) and (fold(words[k]).endswith(("ي", "يه")) or words[k].startswith("ل")
                                  or words[k - 1].startswith("ل") or fold(words[k]) in ("العليا", "العامه")):
            k += 1
        return Speaker(" ".join(words[:k]), antecedent(words[0], state) if k == 1 else None)
    if "باسم" in words or is_a(words[0], "bodies"):  # متحدث باسم الحكومة، مكتب رئيس الوزراء
        if fold(words[0]) == "بيان" and len(words) > 1 and words[1].startswith("ل"):  # بيان للاتحاد الإنجليزي
            owner = words[1]
            words = ["ال" + owner[2:] if owner.startswith("لل") else owner.removeprefix("ل"), *words[2:]]
        spokesman = "باسم" in words and fold(words[0]).startswith("ال")  # الناطق باسم الحكومة: a person
        return Speaker(" ".join(words), _role_of(words, state) if spokesman else None)
    if is_a(words[0], "roles") and not title_prefix(words[:1]) and not fold(words[0]).startswith("ال"):
        # مسؤول أوروبي، مصدر مطلع: unnamed; مستشار الأمن القومي الكوري الجنوبي: a post, held by
        # the person an earlier paragraph named after it
        post = len(words) >= 3 and fold(words[1]).startswith("ال")
        if post:
            return Speaker(" ".join(words), _role_of(words, state))
        return Speaker(" ".join(_described_role(words)), None)
    titled = title_prefix(words)
    if titled and not title_prefix(words[:1]) and titled < len(words) and is_a(words[titled], "roles") \
            and not fold(words[titled]).startswith("ال"):
        titled = 0  # الرحوي ضيف برنامج: a surname like a nisba (الجموسي، الوصيفي), then a role
    name = words[titled:titled + 3]
    # a role after the name: بيارا بوار مدير …، الرحوي ضيف برنامج «بوليتيكا»
    cut = next((i for i, w in enumerate(name) if i and (title_prefix([w]) or is_a(w, "roles"))), len(name))
    name = name[:cut]
    for word in words[titled + len(name):]:  # المرصد السوري لحقوق الإنسان، أحد القيادات العسكرية الكردية
        if not fold(word).startswith("ال") or not (needs_complement(name[-1]) or _nisba(word)):
            break
        name.append(word)
    return _fallback_speaker(" ".join(words[:titled] + name), state)


def _someones(toks: tuple, first: int, e: EntityMention) -> bool:
    """محامي دانيلز، والد اللاعب: a person named right after a role without ال, as its complement."""
    head = toks[first][2]
    return e.type == "PERS" and first + 1 < len(toks) and toks[first + 1][0] == e.start \
        and not fold(head).startswith("ال") and (is_a(head, "roles") or bool(title_prefix([head])))


def _nisba(word: str) -> bool:
    f = fold(word)
    return f.startswith("ال") and f.endswith(("ي", "يه")) and len(f) >= 5


def _for_body(toks: tuple, e: EntityMention) -> bool:
    """المتحدثة باسم فيسبوك، رئيس جامعة تعز: the body a spokesman or a head speaks for is not the
    speaker (a person after a title is: الرئيس بوتين)."""
    before = [t for t in toks if t[1] <= e.start]
    if not before:
        return False
    word = before[-1][2]
    head = title_prefix([word]) or is_a(word, "roles")
    return fold(word) in ("باسم", "لـ") or (e.type != "PERS" and bool(head))


def _apposition(toks: tuple, start: int, entities: list[EntityMention]) -> Speaker | None:
    """The person a title leads to past a comma or a place: وزير الخارجية البحريني، الشيخ خالد …;
    مستشار الأمن القومي في الجنوب تشونغ أوي يونغ. Nothing else may come between (في مؤتمر مع ماكرون).
    Up to three words after the place and before a comma or a complementizer are the name, when the
    tagger found none there (وزير الشباب والرياضة في الجزائر الهادي ولد علي، …)."""
    people = {e.start: e for e in entities if e.type == "PERS"}
    place, pending = -1, []  # words of a place after في still allowed; words after the place
    guess = False  # whether untagged words after the place may be the name (after في only)
    for j in range(start, min(start + _MAX_APPOSITION, len(toks))):
        if (e := people.get(toks[j][0])) is not None:
            return Speaker(e.text, e.canonical)
        word = toks[j][2]
        if fold(word) in ("في", "الي", "لدي"):  # المبعوث الأمريكي إلى سوريا، جيمس جيفري
            place, guess = 1, fold(word) == "في"
        elif word in "،,":
            if j + 1 < len(toks) and (e := people.get(toks[j + 1][0])) is not None:
                return Speaker(e.text, e.canonical)  # …، إيفريت إينشنستات، أن
            if place == 0 and guess and _looks_like_name(pending):
                return Speaker(" ".join(pending), lookup(" ".join(pending), "PERS"))
            place, pending = 0, []
        elif _is_stop(word) or fold(word) in lexicon()["complementizers"]:
            return None
        elif word[0].isalpha() and j + 1 < len(toks) and toks[j + 1][0] in people:
            continue  # a first name the tagger left out: إليزابيث ديانا
        elif title_prefix([word]) or is_a(word, "roles"):
            pending = []  # … جنوب أستراليا البروفسور بادي فيليبس: the name follows the title
        elif place > 0:
            place -= 1
        elif place == 0 and len(pending) < 3 and word[0].isalpha():
            pending.append(word)
        else:
            return None
    return None


def _looks_like_name(words: list[str]) -> bool:
    """Two or three words, at most one of them with ال (الهادي ولد علي, not الدراسات الإستراتيجية)."""
    return 2 <= len(words) <= 3 and sum(fold(w).lstrip("و").startswith("ال") for w in words) <= 1


def _described_role(words: list[str]) -> list[str]:
    """A role and the words describing it: مصدر عسكري سوري (… طلب عدم نشر اسمه)."""
    k = 1
    while k < len(words) and (fold(words[k]).endswith(("ي", "يه", "يون", "يين"))
                              or fold(words[k]) in lexicon()["describing"]):
        k += 1
    return words[:k]


def _role_of(words: list[str], state: dict) -> str | None:
    """The person an earlier paragraph named right after these role words (الناطق باسم الحكومة
    المغربية مصطفى الخلفي), if any."""
    for role in dict.fromkeys(normalize_for_matching(w) for w in (words[-1], words[0])):
        for m, context in reversed(state["mentions"]):  # المتحدث العسكري: المتحدث العقيد تامر الرفاعي
            if m.type == "PERS" and role in context:
                return m.canonical
    return None


def _fallback_speaker(phrase: str, state: dict) -> Speaker | None:
    """Without a tagged name: the words as printed (an entity only when the alias table knows them),
    or the person an earlier title phrase introduced (نظيره الطاجيكي إمام علي رحمون → الرئيس الطاجيكي)."""
    words = phrase.split()
    if _is_role(words) and title_prefix(words) < len(words):
        return Speaker(phrase, None)  # المدرب المحلي: a role, said again (see verb_subject)
    if title_prefix(words) == len(words):
        found = _role_of(words, state)
        return Speaker(phrase, found or _introduced(normalize_for_matching(words[-1]), state["paragraphs"]))
    _, _, name = clean(phrase, "PERS")
    if len(fold(name)) < 3:  # قال لي: a pronoun, not a name
        return None
    known = lookup(name, "PERS")
    if known is None and len(words) == 1 and fold(name).startswith("ال") and name not in state["names"] \
            and fold(name) not in state["names"]:
        known = antecedent(name, state)  # وقالت المنصة: the platform the article named before
    if known is None and title_prefix(words) and _described_role(["", *name.split()]) == ["", *name.split()]:
        return Speaker(phrase, None)  # رئيسة وزراء كندية سابقة: a title described, no name
    return Speaker(strip_marks(name), known)


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


def first_named(entities: list[EntityMention], lo: int, hi: int,
                quoted: list[tuple[int, int]]) -> Speaker | None:
    """The first person (else body) named between two offsets, outside quotes: the subject a
    participle goes with."""
    for kinds in (("PERS",), ("ORG",)):
        for e in entities:
            inside = any(a <= e.start < b for a, b in quoted)
            if lo <= e.start and e.end <= hi and e.type in kinds and not inside:
                return Speaker(e.text, e.canonical)
    return None


def body(words: list[str]) -> Speaker | None:
    """The last collective speaker of some words, with its adjective: السلطات الروسية, مصادر أمريكية."""
    for k in range(len(words) - 1, -1, -1):
        if is_a(words[k], "bodies"):
            adjective = [w for w in words[k + 1:k + 2] if fold(w).endswith(("ي", "يه")) and len(fold(w)) >= 4]
            return Speaker(" ".join([words[k], *adjective]).strip("،,.:"), None)
    return None
