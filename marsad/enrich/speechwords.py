"""The words of speech: the lexicon of speech verbs, roles and bodies (``speech.json``), and tests of a
word or a short phrase that speaker finding (``marsad.enrich.speakers``, ``marsad.enrich.subjects``)
and quote finding (``marsad.enrich.quotes``) share: whether a word is a speech verb and whom its form
agrees with, whether words only describe a speaker (a role) or name someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from marsad.enrich.canonical import lookup, title_prefix
from marsad.enrich.lexicon import fold, load, with_clitics

_POSSESSIVES = ("ها", "هم", "هما", "ته", "يه", "نا")
MARKS = frozenset('«»"“”')
UNNAMED = frozenset(("مصدر", "مصادر", "مسؤول", "مسؤولون", "مسوول", "متحدث", "شاهد", "شهود", "احد", "خبير"))


@dataclass(slots=True)
class Speaker:
    name: str
    canonical: str | None

    def __post_init__(self) -> None:
        """وكتب راموس لصلاح: a name the tagger ran into the one spoken to (ل + a known name, or a name
        in Latin letters: غالاوي لCNN) ends before it."""
        words = self.name.split()
        if len(words) > 1 and _addressed(words[-1]):
            self.name = " ".join(words[:-1])
            if self.canonical and self.canonical.endswith(" " + words[-1]):
                self.canonical = self.canonical[:-len(words[-1]) - 1]


def _addressed(word: str) -> bool:
    rest = word[1:].removeprefix("ـ")
    if word[:1] != "ل" or fold(word).startswith("ال") or not rest:
        return False
    return rest[0].isascii() and rest[0].isalpha() or lookup(rest, "PERS") is not None


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


def is_stop(word: str) -> bool:
    """A word that ends the search for a subject. علي printed with ya is a name, not على folded."""
    return fold(word) in lexicon()["stops"] and word.lstrip("و") != "علي"


def addressee(word: str) -> bool:
    """لأحفادها، لأنصاره: to whom something was said, never who said it."""
    f = fold(word)
    return f.startswith("ل") and len(f) >= 5 and f.endswith(_POSSESSIVES)


def is_role(words: list[str]) -> bool:
    """Whether words only describe a speaker (المدرب المحلي، الممثل الشاب) and name no one: a title
    or role, then only roles or adjectives with ال."""
    if not words or is_a(words[0], "bodies") or not (title_prefix(words[:1]) or is_a(words[0], "roles")):
        return False  # الخارجية الفلبينية: a body speaks for itself
    return all(is_a(w, "roles") or fold(w).startswith("ال") for w in words[1:])


def is_holder_role(words: list[str]) -> bool:
    """Words that name a post someone holds (رئيسة جمعية، كاتب عام النقابة، صاحب هدف التعادل), not
    an unnamed source (مصدر، مسؤول) or a body."""
    if not words or is_a(words[0], "bodies") or fold(words[0]).lstrip("و") in UNNAMED:
        return False
    return bool(title_prefix(words[:1])) or is_a(words[0], "roles") or fold(words[0]) == "صاحب"


def construct(words: list[str]) -> bool:
    """محامي اللاعب، والد اللاعب: a role of someone else (indefinite, then a definite noun), so a
    new speaker, unlike المدرب."""
    return len(words) > 1 and not fold(words[0]).startswith("ال") and fold(words[1]).startswith("ال") \
        and not nisba(words[1])


def nisba(word: str) -> bool:
    f = fold(word)
    return f.startswith("ال") and f.endswith(("ي", "يه")) and len(f) >= 5


def described_role(words: list[str]) -> list[str]:
    """A role and the words describing it: مصدر عسكري سوري (… طلب عدم نشر اسمه)."""
    k = 1
    while k < len(words) and (fold(words[k]).endswith(("ي", "يه", "يون", "يين"))
                              or fold(words[k]) in lexicon()["describing"]):
        k += 1
    return words[:k]
