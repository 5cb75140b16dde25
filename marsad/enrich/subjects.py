"""The speaker named after a speech verb (وقال المتحدث باسم الكرملين ديمتري بيسكوف …): the first person
named before a complementizer or colon, past words of time, a title and the body it speaks for
(المتحدثة باسم فيسبوك، إليزابيث ديانا), a place (وزير الخارجية البحريني، الشيخ خالد …); without a
tagged name, the words as printed (مسؤول أوروبي), a body (السلطات البريطانية), or the person a title or
role introduced earlier in the article (الناطق باسم الحكومة → مصطفى الخلفي).
"""

from __future__ import annotations

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.canonical import clean, lookup, title_prefix
from marsad.enrich.lexicon import fold, strip_marks
from marsad.enrich.speakernames import antecedent, needs_complement, title_holder
from marsad.enrich.speechwords import (
    MARKS,
    Speaker,
    addressee,
    described_role,
    is_a,
    is_role,
    is_stop,
    is_verb,
    lexicon,
    nisba,
)
from marsad.model import EntityMention

_MAX_SUBJECT = 8  # tokens after a verb searched for its subject
_MAX_APPOSITION = 10  # further tokens searched for the name a title leads to


def _quoted_name(toks: tuple, k: int, closed: bool = False) -> bool:
    """Whether a short name in marks starts at token ``k`` and the sentence goes on after it with a
    comma or a complementizer (وذكرت «فاو» أنه …), unlike a quote (وقال «…».); with ``closed``,
    whatever follows it."""
    if k >= len(toks) or toks[k][2] not in MARKS:
        return False
    close = next((j for j in range(k + 1, min(k + 5, len(toks))) if toks[j][2] in MARKS), None)
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
            limit = next(j for j in range(limit + 1, len(toks)) if toks[j][2] in MARKS) + 1
            continue  # متحدثة باسم «كان»: the body's name in marks
        if is_stop(word) or not (word[0].isalpha() or word[0] == "ـ") \
                or is_verb(word) or addressee(word):
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
    words = [t[2] for t in toks[first:limit] if t[2] not in MARKS]
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
        return Speaker(" ".join(words), role_of(words, state) if spokesman else None)
    if is_a(words[0], "roles") and not title_prefix(words[:1]) and not fold(words[0]).startswith("ال"):
        # مسؤول أوروبي، مصدر مطلع: unnamed; مستشار الأمن القومي الكوري الجنوبي: a post, held by
        # the person an earlier paragraph named after it
        post = len(words) >= 3 and fold(words[1]).startswith("ال")
        if post:
            return Speaker(" ".join(words), role_of(words, state))
        return Speaker(" ".join(described_role(words)), None)
    titled = title_prefix(words)
    if titled and not title_prefix(words[:1]) and titled < len(words) and is_a(words[titled], "roles") \
            and not fold(words[titled]).startswith("ال"):
        titled = 0  # الرحوي ضيف برنامج: a surname like a nisba (الجموسي، الوصيفي), then a role
    name = words[titled:titled + 3]
    # a role after the name: بيارا بوار مدير …، الرحوي ضيف برنامج «بوليتيكا»
    cut = next((i for i, w in enumerate(name) if i and (title_prefix([w]) or is_a(w, "roles"))), len(name))
    name = name[:cut]
    for word in words[titled + len(name):]:  # المرصد السوري لحقوق الإنسان، أحد القيادات العسكرية الكردية
        if not fold(word).startswith("ال") or not (needs_complement(name[-1]) or nisba(word)):
            break
        name.append(word)
    return _fallback_speaker(" ".join(words[:titled] + name), state)


def _someones(toks: tuple, first: int, e: EntityMention) -> bool:
    """محامي دانيلز، والد اللاعب: a person named right after a role without ال, as its complement."""
    head = toks[first][2]
    return e.type == "PERS" and first + 1 < len(toks) and toks[first + 1][0] == e.start \
        and not fold(head).startswith("ال") and (is_a(head, "roles") or bool(title_prefix([head])))


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
        elif is_stop(word) or fold(word) in lexicon()["complementizers"]:
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


def role_of(words: list[str], state: dict) -> str | None:
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
    if is_role(words) and title_prefix(words) < len(words):
        return Speaker(phrase, None)  # المدرب المحلي: a role, said again (see verb_subject)
    if title_prefix(words) == len(words):
        found = role_of(words, state)
        return Speaker(phrase, found or _introduced(normalize_for_matching(words[-1]), state["paragraphs"]))
    _, _, name = clean(phrase, "PERS")
    if len(fold(name)) < 3:  # قال لي: a pronoun, not a name
        return None
    known = lookup(name, "PERS")
    if known is None and len(words) == 1 and fold(name).startswith("ال") and name not in state["names"] \
            and fold(name) not in state["names"]:
        known = antecedent(name, state)  # وقالت المنصة: the platform the article named before
    if known is None and title_prefix(words) and described_role(["", *name.split()]) == ["", *name.split()]:
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
