"""Who says a quote: the subject of its speech verb, as the article names it.

The subject of an Arabic speech verb mostly follows it (وقال بيسكوف …: ``marsad.enrich.subjects``),
but not always: a pronoun glued to a complementizer before the verb is its subject (وقال ترودو إنه
أبلغ ترمب «…»: Trudeau told Trump), as is a name right before it after أن (أن ماكرون أبلغ روحاني «…»)
or between كان and قد (وكان المتحدث باسم الكرملين قد رد …). A relayed quote belongs to the one after
عن (نقلت وكالة X عن Y قوله …). This module decides which of these a verb's sentence is; names the
tagger cut short or missed are completed in ``marsad.enrich.speakernames``, and the words of speech
are data (``speech.json``, read in ``marsad.enrich.speechwords``).
"""

from __future__ import annotations

from marsad.enrich.canonical import lookup
from marsad.enrich.lexicon import fold
from marsad.enrich.speakernames import untagged_before, untagged_name
from marsad.enrich.speechwords import (
    KEEP,
    MARKS,
    Speaker,
    construct,
    is_a,
    is_holder_role,
    is_role,
    is_stop,
    is_verb,
    lexicon,
)
from marsad.enrich.subjects import subject_after
from marsad.model import EntityMention

_MAX_SUBJECT = 8  # tokens before a verb searched back for كان
_MAX_RELAY = 12  # tokens between نقل and عن
_MAX_SVO = 7  # tokens between أن and a verb whose subject they are
_COLONS = (":", "：")
_MAX_APPOSED = 20  # tokens after a verb searched for a comma and the name after it
_MAX_SECOND_ROLE = 5  # words of a second role between that comma and the name


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
            and is_role(words := found.name.split()) and not construct(words) \
            and (is_a(toks[k][2], "continuers") or fold(words[0]).startswith("ال")):
        return KEEP  # وأضاف المدرب، وأوضحت البريطانية: the person quoted before, as a role
    if found is not None and found.canonical is None and is_holder_role(found.name.split()) \
            and (named := _named_in_apposition(toks, k, entities)) is not None:
        return named  # كاتب عام النقابة … في بوحجلة، عادل الوصيفي: the role's holder, past a comma
    return found or _named_before(toks, k, entities)


def _named_in_apposition(toks: tuple, k: int, entities: list[EntityMention]) -> Speaker | None:
    """The person named right after a comma that follows the words after a verb, before what the
    verb says (a complementizer, a colon, a mark, the sentence's end) and with at most a few words of
    another role between (صاحب هدف التعادل أمام إنكلترا، مهاجم إنتر ميلان إيفان بيريزيتش)."""
    people = {e.start: e for e in entities if e.type == "PERS"}
    comma = None
    for j in range(k + 1, min(k + 1 + _MAX_APPOSED, len(toks))):
        word = toks[j][2]
        if word in MARKS or word in _COLONS or word in ".!?؟" or fold(word) in lexicon()["complementizers"] \
                or is_verb(word):
            return None
        if word in "،,":
            comma = j
        elif comma is not None:
            if (e := people.get(toks[j][0])) is not None:
                return Speaker(e.text, e.canonical)
            if j - comma > _MAX_SECOND_ROLE or is_stop(word):
                return None
    return None


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
        if not word[0].isalpha() or is_stop(word) or is_verb(word):
            return None
        if fold(toks[j - 1][2]) in ("ان", "بان", "لكن"):
            words = [t[2] for t in toks[j:k]]
            if name := untagged_name(words, state.get("names", {})):
                return Speaker(name, lookup(name, "PERS"))
            # ويذكر أن القيادة العامة للجيش السوري قالت: a definite noun phrase is أن's subject
            definite = fold(words[0]).startswith("ال") and not is_role(words)
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
    return after == ["،"] and (not lead or is_role(lead[:1]))


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
